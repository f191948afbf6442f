"""Damaged nbgrader metadata in one cell costs that cell at most, and the report names it.

Each case builds, on the tiny course's released notebook answered in full, one
damage from nbgrader's own damaged-notebook fixtures
(``nbgrader/tests/preprocessors/files`` and ``nbgrader/tests/apps/files``, named
beside each case) and grades it with real kernels: nbgrader never fails the whole
notebook, the damaged cell is repaired (full points) or scores 0, the other cell
keeps its points, and a finding names the damaged cell.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_markdown_cell
from nbgrader.nbgraderformat import MetadataValidator

from cnn_course.course import CourseDirectory
from cnn_course.grade.assignment import build_pack
from cnn_course.grade.batch import kernel_env
from cnn_course.grade.jobs import Job
from cnn_course.grade.preflight import preflight
from cnn_course.grade.worker import grade_submission

FILES = Path(__file__).with_name("files")
FULL = {"test-square": 1.0, "test-cube": 2.0}


def _gid(cell: NotebookNode) -> str | None:
    return cell.metadata.get("nbgrader", {}).get("grade_id")


def _cell(nb: NotebookNode, gid: str) -> NotebookNode:
    return next(c for c in nb.cells if _gid(c) == gid)


def _pos(nb: NotebookNode, gid: str) -> int:
    return next(i for i, c in enumerate(nb.cells) if _gid(c) == gid)


def _to_markdown(cell: NotebookNode) -> None:
    cell.cell_type = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)


def _grade_meta(gid: str, **flags) -> dict:
    meta = {"grade": True, "solution": False, "locked": False, "schema_version": 3}
    return {**meta, "grade_id": gid, "points": 1, **flags}


# ---------------------------------------------------------------- the damages
def points_missing(nb):  # blank-points.ipynb
    del _cell(nb, "test-square").metadata.nbgrader["points"]


def points_not_a_number(nb):  # blank-points.ipynb, with text where the number was
    _cell(nb, "test-square").metadata.nbgrader["points"] = "mucho"


def grade_id_blank(nb):  # blank-grade-id.ipynb
    _cell(nb, "test-square").metadata.nbgrader["grade_id"] = ""


def grade_id_in_markdown(nb):  # duplicate-grade-ids.ipynb: the copy after the cell
    copy_cell = new_markdown_cell("Mi nota sobre el test.")
    copy_cell.metadata["nbgrader"] = copy.deepcopy(_cell(nb, "test-square").metadata.nbgrader)
    nb.cells.insert(_pos(nb, "test-square") + 1, copy_cell)


def unknown_grade_cell(nb):  # an extra grade cell, id unknown to the gradebook
    extra = new_code_cell("print('5 puntos más')")
    extra.metadata["nbgrader"] = _grade_meta("test-extra", points=5, locked=True)
    nb.cells.insert(_pos(nb, "test-cube"), extra)


def unknown_markdown_grade_cell(nb):  # bad-markdown-cell-1.ipynb
    extra = new_markdown_cell("this is a markdown cell")
    extra.metadata["nbgrader"] = _grade_meta("foo")
    nb.cells.insert(_pos(nb, "test-cube"), extra)


def markdown_answer_without_id(nb):  # bad-markdown-cell-2.ipynb
    extra = new_markdown_cell("this is a markdown cell")
    extra.metadata["nbgrader"] = {"grade": False, "solution": True, "locked": False}
    extra.metadata["nbgrader"]["schema_version"] = 3
    nb.cells.insert(_pos(nb, "test-cube"), extra)


def grade_cell_made_markdown(nb):  # submitted-grade-cell-type-changed.ipynb
    _to_markdown(_cell(nb, "test-square"))


def answer_cell_made_markdown(nb):  # submitted-answer-cell-type-changed.ipynb
    _to_markdown(_cell(nb, "square"))


def answer_rewritten_as_prose(nb):  # the same, and the answer is now text
    cell = _cell(nb, "square")
    _to_markdown(cell)
    cell.source = "El cuadrado de x es x por x."


def cell_type_key_missing(nb):  # no-cell-type.ipynb
    del _cell(nb, "test-square").metadata.nbgrader["cell_type"]


def schema_version_missing(nb):  # test-v0.ipynb: metadata from before schema versions
    del _cell(nb, "test-cube").metadata.nbgrader["schema_version"]


def all_metadata_lost(nb):  # test-no-metadata.ipynb
    for cell in nb.cells:
        cell.metadata.pop("nbgrader", None)


# damage, expected points, (kind, cell) of the findings
CASES: list[tuple[Callable, dict[str, float], list[tuple[str, str]]]] = [
    (points_missing, FULL, [("metadata_repaired", "test-square")]),
    (points_not_a_number, FULL, [("metadata_repaired", "test-square")]),
    (grade_id_blank, FULL, [("metadata_reattached", "test-square")]),
    (grade_id_in_markdown, FULL, [("duplicated_cell", "test-square")]),
    (unknown_grade_cell, FULL, [("metadata_dropped", "test-extra")]),
    (unknown_markdown_grade_cell, FULL, [("metadata_dropped", "foo")]),
    (markdown_answer_without_id, FULL, [("metadata_dropped", "n.º 8")]),
    (grade_cell_made_markdown, FULL, [("cell_type_changed", "test-square")]),
    (answer_cell_made_markdown, FULL, [("cell_type_changed", "square")]),
    (
        answer_rewritten_as_prose,
        {"test-square": 0.0, "test-cube": 2.0},
        [("cell_type_changed", "square")],
    ),
    (cell_type_key_missing, FULL, [("metadata_repaired", "test-square")]),
    (schema_version_missing, FULL, [("metadata_repaired", "test-cube")]),
    (
        all_metadata_lost,
        FULL,
        [
            ("metadata_reattached", g)
            for g in ("setup", "square", "test-square", "cube", "test-cube")
        ],
    ),
]
IDS = [case[0].__name__ for case in CASES]
# Graded with real kernels in the default run: the four kinds of damage the trusted-grading
# issue names (missing points, a grade id in a markdown cell, an unknown grade cell, a changed
# cell type); the rest only under ``-m slow`` (pre-flight covers them all fast).
DEFAULT_RUN = {
    "points_missing",
    "grade_id_in_markdown",
    "unknown_grade_cell",
    "grade_cell_made_markdown",
}
GRADED = [
    pytest.param(*case, id=name, marks=() if name in DEFAULT_RUN else pytest.mark.slow)
    for case, name in zip(CASES, IDS, strict=True)
]


def damaged(damage: Callable) -> bytes:
    nb = nbformat.read(FILES / "submitted-clean.ipynb", as_version=4)
    damage(nb)
    return nbformat.writes(nb).encode("utf-8")


def found(findings) -> list[tuple[str, str]]:
    return [(f.kind, f.cell) for f in findings]


@pytest.mark.parametrize(("damage", "points", "expected"), CASES, ids=IDS)
def test_preflight_leaves_metadata_nbgrader_accepts(damage, points, expected):
    """Pre-flight alone: the repaired notebook passes nbgrader's whole-notebook check, and
    the findings name the damaged cell (fast: no kernel)."""
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    checked = preflight(damaged(damage), rel, "00_tiny", "tiny")
    assert found(checked.findings) == expected
    MetadataValidator().validate_nb(checked.nb)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return build_pack(
        "00_tiny", tmp_path_factory.mktemp("cache"), course=CourseDirectory(FILES / "course")
    )


@pytest.mark.notebook
@pytest.mark.parametrize(("damage", "points", "expected"), GRADED)
def test_damaged_cell_costs_that_cell_at_most(pack, damage, points, expected):
    """Graded for real: the notebook is graded, only the damaged cell may lose its points,
    and the report names it."""
    name = damage.__name__
    job = Job(name, f"{name}.ipynb", damaged(damage), pack, timeout=20, env=kernel_env(1))
    result = grade_submission(job)
    assert result.status == "graded", result.log[-2000:]
    assert result.scores == points
    assert result.max_scores == FULL
    assert found(result.findings) == expected
