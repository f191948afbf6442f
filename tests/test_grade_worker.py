"""Tests for `cnn_course.grade.worker`: one submission graded by nbgrader in its own course.

These run real kernels on the tiny assignment of ``tests/files/course`` (a few
seconds each).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cnn_course.course import CourseDirectory
from cnn_course.grade.assignment import build_pack
from cnn_course.grade.batch import kernel_env
from cnn_course.grade.jobs import Job
from cnn_course.grade.worker import grade_submission

FILES = Path(__file__).with_name("files")
pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return build_pack(
        "00_tiny", tmp_path_factory.mktemp("cache"), course=CourseDirectory(FILES / "course")
    )


def grade(pack, name: str, data: bytes | None = None, **kw):
    job = Job(
        student=name.removeprefix("submitted-").removesuffix(".ipynb"),
        filename=name,
        data=(FILES / name).read_bytes() if data is None else data,
        pack=pack,
        timeout=kw.pop("timeout", 20),
        env=kernel_env(1),
        **kw,
    )
    return grade_submission(job)


def kinds(result) -> list[str]:
    return [f.kind for f in result.findings]


def test_clean_submission_gets_full_marks_and_spanish_feedback(pack):
    """Every grade cell scores its points; the feedback is nbgrader's page, in Spanish."""
    result = grade(pack, "submitted-clean.ipynb")
    assert result.status == "graded" and kinds(result) == []
    assert result.scores == {"test-square": 1.0, "test-cube": 2.0}
    assert result.total == result.max_total == 3.0
    assert '<html lang="es">' in result.feedback_html and "Nota: 3.0 / 3.0" in result.feedback_html


def test_hidden_tests_count_but_never_reach_the_feedback(pack):
    """A hidden test fails the cell; neither its source nor a traceback quoting it is shown."""
    result = grade(pack, "submitted-hidden-test-fails.ipynb")
    assert result.scores == {"test-square": 1.0, "test-cube": 0.0}
    html = result.feedback_html
    assert "AssertionError" in html
    assert "cube(-1)" not in html and "HIDDEN TESTS" not in html
    assert "square(-4)" not in html


def test_endless_cell_times_out_and_the_rest_is_graded(pack):
    """A cell past the timeout is interrupted, reported, and later cells still run."""
    result = grade(pack, "submitted-endless-loop.ipynb", timeout=5)
    assert result.scores == {"test-square": 1.0, "test-cube": 2.0}
    assert [(f.kind, f.cell) for f in result.findings] == [("timeout", "cube")]


def test_wall_clock_guard_stops_a_submission(pack):
    """Past the whole-submission limit the process tree is killed; the job ends with 0 points."""
    result = grade(pack, "submitted-sleeps.ipynb", timeout=600, limit_s=15)
    assert result.status == "failed" and kinds(result) == ["guard_timeout"]
    assert result.total == 0 and result.seconds < 60


def test_memory_limit_turns_a_hog_into_a_memory_error(pack):
    """An allocation beyond the limit fails in its cell; the notebook goes on."""
    result = grade(pack, "submitted-memory-hog.ipynb", memory_mb=2048)
    assert result.scores == {"test-square": 1.0, "test-cube": 2.0}
    assert [f.kind for f in result.findings] == ["memory"]


def test_dead_kernel_costs_one_cell_and_later_cells_run_in_a_fresh_kernel(pack):
    """The kernel dies in a middle cell: the cells before keep their points, the cells after
    run in a fresh kernel (which replays the earlier answers: cube calls square) and get
    full credit; the report names the cell."""
    result = grade(pack, "submitted-kernel-crash.ipynb")
    assert result.status == "graded"
    assert result.scores == {"test-square": 1.0, "test-cube": 2.0}
    assert [(f.kind, f.cell) for f in result.findings] == [("kernel_died", "n.º 7")]
    assert "kernel" in result.findings[0].message()
    assert "Nota: 3.0 / 3.0" in result.feedback_html


def test_kernel_dying_in_a_test_cell_scores_that_cell_0(pack):
    """The test that calls a function ending the process scores 0 with the reason; it is
    never run again, and the next test gets its points from the fresh kernel."""
    result = grade(pack, "submitted-kernel-crash-in-test.ipynb")
    assert result.status == "graded"
    assert result.scores == {"test-square": 0.0, "test-cube": 2.0}
    assert [(f.kind, f.cell) for f in result.findings] == [("kernel_died", "test-square")]
    assert "murió" in result.feedback_html


def test_hung_kernel_that_ignores_the_interrupt_is_replaced(pack):
    """A cell that ignores the interrupt past the timeout: its kernel is killed, it scores
    nothing, and the rest of the notebook runs in a fresh kernel within the time limit."""
    result = grade(pack, "submitted-kernel-hang.ipynb", timeout=5)
    assert result.status == "graded"
    assert result.scores == {"test-square": 1.0, "test-cube": 2.0}
    assert [(f.kind, f.cell) for f in result.findings] == [("kernel_hung", "n.º 7")]
    assert result.seconds < 120


def test_fresh_kernels_are_bounded(pack):
    """A kernel that dies in cell after cell gets three fresh ones; after that nothing more
    runs, and the cells not run score 0 (named from the first one)."""
    result = grade(pack, "submitted-kernel-crash-repeated.ipynb")
    assert result.status == "graded"
    assert result.scores == {"test-square": 1.0, "test-cube": 0.0}
    assert [(f.kind, f.cell) for f in result.findings] == [
        *[("kernel_died", f"n.º {n}") for n in (7, 8, 9, 10)],
        ("not_run", "cube"),
    ]


def test_not_a_notebook_never_reaches_nbgrader(pack):
    """A corrupt file gets 0, a plain Spanish feedback page, and no kernel."""
    data = (FILES / "submitted-clean.ipynb").read_bytes()
    result = grade(pack, "corrupt.ipynb", data=data[: len(data) // 2])
    assert result.status == "not_graded" and kinds(result) == ["not_a_notebook"]
    assert result.total == 0 and result.seconds < 5
    assert "no se ha podido corregir" in result.feedback_html.lower()
