"""Every session through the real grading path: a completed submission earns every
automatic point and the blank student version none (hand-graded answers stay pending)."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbutil import assert_blank_feedback_explains_every_cell

from cnn_course import demo, sessions
from cnn_course.course import COURSE
from cnn_course.grade import command

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("assignment", ["01_convolucion", "03_cifar10", "05_arquitecturas"])
def test_completed_full_marks_blank_zero(assignment, real_data_env, tmp_path, capsys):
    release = nbformat.read(COURSE.release_notebook(assignment), as_version=4)
    answers = demo._answers(nbformat.read(COURSE.source_notebook(assignment), as_version=4))
    completed = demo.Demo(release=release, answers=answers, other=release).student_nb()
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(completed, subs / "completa.ipynb")
    nbformat.write(release, subs / "blanca.ipynb")
    out = tmp_path / "out"
    args = command.build_parser().parse_args(
        [
            str(subs),
            "--assignment",
            assignment,
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ]
    )
    assert command.main(args) == 0
    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())}
    manual = {m["grade_id"] for m in results["completa"]["manual"]}
    automatic = {g: p for g, p in results["completa"]["max_scores"].items() if g not in manual}
    full = {g: results["completa"]["scores"][g] for g in automatic}
    assert full == automatic, results["completa"]["findings"]
    assert sum(results["blanca"]["scores"].values()) == 0
    assert_blank_feedback_explains_every_cell(out, "blanca", release)
    assert sessions.by_assignment(assignment).key  # a registry session, judged out of the kernel
