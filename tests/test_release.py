"""Tests for `cnn_course.release` and `cnn_course.notebooks`: student versions and their proofs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from cnn_course import notebooks, release, sessions
from cnn_course.course import COURSE
from cnn_course.stamp import StampColab, runtime_story

SOURCES = COURSE.source_notebooks()


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A release regenerated from solutions/ into a temporary folder."""
    dest = tmp_path_factory.mktemp("release") / "exercises"
    release.release(dest=dest)
    return dest


def test_every_session_has_a_source_notebook():
    """Each session of the budget table has its source notebook in solutions/."""
    assert {p.parent.name for p in SOURCES} == set(sessions.assignments())


def test_committed_exercises_equal_a_fresh_release(fresh):
    """exercises/ is exactly what `cnn-course release` produces from solutions/."""
    assert notebooks.compare_releases(fresh, COURSE.release) == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_sources_are_stored_clean(source):
    """Source notebooks carry no outputs or execution counts."""
    assert notebooks.dirty_cells(source) == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_every_test_cell_is_judged_out_of_the_kernel(source):
    """The notebook's test cells are exactly its session's judged cells: none would get
    nbgrader's free pass for a record cell that never fails."""
    assert notebooks.judged_cell_problems(source, source.parent.name) == []


def test_an_unjudged_test_cell_is_a_problem(tmp_path):
    source = next(p for p in SOURCES if p.parent.name == "02_mnist")
    nb = nbformat.read(source, as_version=4)
    extra = nbformat.v4.new_code_cell("_c.record('test-gratis')")
    extra.metadata["nbgrader"] = {
        "grade": True, "solution": False, "locked": True, "points": 1, "grade_id": "test-gratis",
    }  # fmt: skip
    nb.cells.append(extra)
    path = tmp_path / source.name
    nbformat.write(nb, path)
    [problem] = notebooks.judged_cell_problems(path, "02_mnist")
    assert "test-gratis" in problem and "not judged" in problem


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_no_solution_text_leaks(source, fresh):
    """No line of a solution or hidden test reaches the student version."""
    student = fresh / source.parent.name / source.name
    assert notebooks.solution_leaks(source, student) == []


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_student_version_has_stubs_and_colab_stamp(source, fresh):
    """Solutions become the Spanish stub; a Colab badge and setup cell come first."""
    nb = nbformat.read(fresh / source.parent.name / source.name, as_version=4)
    stamps = [c.metadata.get("cnn_course", {}).get("stamp") for c in nb.cells]
    assert stamps[:3] == ["colab-badge", "runtime-story", "colab-setup"]
    assert stamps[-1] == "hand-in" and "Cómo entregar" in nb.cells[-1].source
    assert stamps.count(None) == len(stamps) - 4
    setup = nb.cells[2].source
    stamp = StampColab(config=COURSE.config())
    assert f"git+{stamp.repository}@{stamp.ref}" in setup
    assert "google.colab" in setup and "TF_CPP_MIN_LOG_LEVEL" in setup
    assert f"/blob/{stamp.ref}/exercises/{source.parent.name}/{source.name}" in nb.cells[0].source
    solution_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    code = [c for c in solution_cells if c.cell_type == "code"]
    assert code and all("# TU CÓDIGO AQUÍ\n" in c.source for c in code)
    assert not any("BEGIN SOLUTION" in c.source or "HIDDEN TESTS" in c.source for c in nb.cells)


def test_leak_detector_finds_a_leaked_line(tmp_path, fresh):
    """A student notebook that still holds a solution line is reported."""
    source = COURSE.source_notebook("02_mnist")
    student = nbformat.read(fresh / "02_mnist" / "mnist.ipynb", as_version=4)
    student.cells.append(nbformat.v4.new_code_cell("    return (n + 2 * p - f) // s + 1"))
    leaked = tmp_path / "leaked.ipynb"
    nbformat.write(student, leaked)
    assert notebooks.solution_leaks(source, leaked) == ["return (n + 2 * p - f) // s + 1"]


def test_compare_reports_a_changed_notebook(tmp_path, fresh):
    """An edited student notebook differs from a fresh release and is named."""
    copy = tmp_path / "exercises"
    (copy / "02_mnist").mkdir(parents=True)
    nb = nbformat.read(fresh / "02_mnist" / "mnist.ipynb", as_version=4)
    nb.cells[2].source += "\nedited by hand"
    nbformat.write(nb, copy / "02_mnist" / "mnist.ipynb")
    problems = notebooks.compare_releases(fresh / "02_mnist", copy / "02_mnist")
    assert problems == ["differs from a fresh release: mnist.ipynb"]


def test_stamp_is_idempotent(fresh):
    """Stamping an already stamped notebook leaves exactly one badge and one setup cell."""
    nb = nbformat.read(fresh / "02_mnist" / "mnist.ipynb", as_version=4)
    resources = {"nbgrader": {"assignment": "02_mnist", "notebook": "mnist"}}
    again, _ = StampColab().preprocess(nb, resources)
    stamps = [c for c in again.cells if "cnn_course" in c.metadata]
    assert len(stamps) == 4


def test_unknown_assignment_is_rejected():
    """Releasing an assignment that does not exist names the valid ones."""
    with pytest.raises(ValueError, match="02_mnist"):
        release.release(["99_nothing"])


@pytest.mark.parametrize("ref", ["main", "master", "HEAD", "feature/x", ""])
def test_a_moving_branch_is_refused_as_the_students_ref(ref):
    """Students install a tag or a commit: a branch name is a clear configuration error."""
    with pytest.raises(Exception, match="never a branch"):
        StampColab(ref=ref)


@pytest.mark.parametrize("ref", ["v0.1.0", "v2.3.1-rc1", "1.0", "3f2a9c1", "0" * 40])
def test_tags_and_commits_are_accepted(ref):
    assert StampColab(ref=ref).ref == ref


def test_runtime_story_comes_from_the_budget_table():
    """The story states the cpu/gpu budgets, whether GPU time was measured, and grading's bar."""
    from cnn_course import runtime

    story = runtime_story("mnist")
    grading = runtime.budget("mnist", "grading")
    assert "`grading`" in story and f"{grading.epochs} época" in story
    assert f"{grading.threshold:.3f}".replace(".", ",") in story
    assert "sin medir en GPU" in story  # no GPU was lent when the gpu row was measured
    assert "no entrena" in runtime_story("convolucion")
