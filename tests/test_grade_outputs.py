"""The output folder of a graded class: one owner of every file, one list of writers."""

from __future__ import annotations

import json

from cnn_course.grade.findings import Finding
from cnn_course.grade.jobs import Result
from cnn_course.grade.outputs import WRITERS, GradedClass, OutputFolder


def _class() -> GradedClass:
    results = [
        Result("ana", "ana.ipynb", {"t": 1.0}, {"t": 1.0}, [], "<p>ana</p>", "graded", log="x"),
        Result(
            "luis", "luis.ipynb", {"t": 0.0}, {"t": 1.0}, [Finding("crash", detail={"reason": "r"})],
            "<p>luis</p>", "failed", measures={"t": {"accuracy": 0.5}},
        ),
    ]  # fmt: skip
    return GradedClass("00_tiny", results, ["t"])


def test_every_writer_owns_its_names_and_writes_only_them(tmp_path):
    folder = OutputFolder(tmp_path / "out")
    folder.write(_class())
    written = {p.name for p in folder.root.iterdir()}
    # No pack: no class gradebook, and so no export of it.
    assert written == set(folder.names()) - {"gradebook.db", "nbgrader_grades.csv"}
    assert folder.feedback("luis").read_text() == "<p>luis</p>"
    assert (folder.root / "logs" / "ana.log").read_text() == "x"
    assert [r["student"] for r in json.loads(folder.path("results.json").read_text())] == [
        "ana",
        "luis",
    ]
    assert len(folder.names()) == len(set(folder.names())) == sum(len(w.names) for w in WRITERS)


def test_clean_removes_only_what_the_grader_wrote(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.write(_class())
    (tmp_path / "notas_del_profesor.csv").write_text("mías")
    folder.clean()
    assert [p.name for p in tmp_path.iterdir()] == ["notas_del_profesor.csv"]


def test_write_only_some_outputs(tmp_path):
    folder = OutputFolder(tmp_path)
    folder.write(_class(), only=("grades.csv", "informe.md"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades.csv", "informe.md"]
