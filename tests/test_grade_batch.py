"""Tests for `cnn_course.grade.batch`: a tiny class graded in parallel, locally and on Dask.

The class is three submissions of the tiny assignment in ``tests/files/course``;
each runs a real kernel for a few seconds.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from cnn_course.course import CourseDirectory
from cnn_course.grade.batch import grade_class
from cnn_course.grade.collect import fingerprint

FILES = Path(__file__).with_name("files")
pytestmark = pytest.mark.notebook
COURSE = FILES / "course"
CLASS = {
    "ana": "submitted-clean.ipynb",
    "luis": "submitted-test-cell-deleted.ipynb",
    "eva": None,  # a file cut in half: not a notebook
}
EXPECTED = {"ana": 3.0, "luis": 3.0, "eva": 0.0}


@pytest.fixture(scope="module")
def klass(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("entregas")
    for student, fixture in CLASS.items():
        if fixture is None:
            data = (FILES / "submitted-clean.ipynb").read_bytes()
            (folder / f"{student}.ipynb").write_bytes(data[: len(data) // 2])
        else:
            shutil.copy(FILES / fixture, folder / f"{student}.ipynb")
    (folder / "alumnos.csv").write_text("student_id\nana\neva\nluis\nsofia\n")
    return folder


def totals(out: Path) -> dict[str, float]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as f:
        return {row["student"]: float(row["total"]) for row in csv.DictReader(f)}


def grade(klass: Path, out: Path, **kw):
    return grade_class(
        klass, "00_tiny", out, timeout=30, course=CourseDirectory(COURSE), progress=False, **kw
    )


def test_class_graded_twice_gives_the_same_grades_and_duplicates_nothing(klass, tmp_path):
    """Two runs on one input: same grades.csv, one submission per student, originals untouched."""
    before = fingerprint(klass)
    out = tmp_path / "notas"
    grade(klass, out, workers=2, roster=klass / "alumnos.csv")
    first = (out / "grades.csv").read_text()
    grade(klass, out, workers=2, roster=klass / "alumnos.csv")
    assert (out / "grades.csv").read_text() == first
    assert fingerprint(klass) == before

    assert totals(out) == {**EXPECTED, "sofia": 0.0}
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        assert sorted(s.student.id for s in gb.find_assignment("00_tiny").submissions) == sorted(
            [*EXPECTED, "sofia"]
        )
        assert gb.find_submission("00_tiny", "luis").score == 3.0
    with open(out / "nbgrader_grades.csv", newline="") as f:
        assert len(list(csv.DictReader(f))) == 4
    assert sorted(p.stem for p in (out / "feedback").glob("*.html")) == sorted([*EXPECTED, "sofia"])
    report = (out / "informe.md").read_text()
    assert "### eva" in report and "### luis" in report and "### sofia" in report
    assert "### ana" not in report  # nothing to report about a clean submission


def test_dask_local_cluster_with_two_workers(klass, tmp_path):
    """The same pure grading function runs on a Dask cluster, given its scheduler's address."""
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        graded = grade(klass, tmp_path / "dask", scheduler=cluster.scheduler_address)
    assert {r.student: r.total for r in graded.results} == EXPECTED
    assert totals(tmp_path / "dask") == EXPECTED
