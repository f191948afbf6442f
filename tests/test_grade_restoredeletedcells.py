"""Tests for `RestoreDeletedCells`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.cells import grade_id
from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def check(name: str):
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    return preflight((FILES / name).read_bytes(), rel, "00_tiny", "tiny"), rel


def test_deleted_test_cell_is_restored_after_its_answer():
    """The release's test cell comes back, with its metadata, right after the answer it tests."""
    checked, rel = check("submitted-test-cell-deleted.ipynb")
    assert [(f.kind, f.cell, f.repaired) for f in checked.findings] == [
        ("deleted_cell", "test-cube", True)
    ]
    gids = [grade_id(c) for c in checked.nb.cells]
    assert gids.index("test-cube") == gids.index("cube") + 1
    restored = checked.nb.cells[gids.index("test-cube")]
    original = next(c for c in rel.cells if grade_id(c) == "test-cube")
    assert restored.source == original.source
    assert restored.metadata["nbgrader"] == original.metadata["nbgrader"]
    nbformat.validate(checked.nb)  # the restored cell has a valid, unique id


def test_deleted_answer_is_reported_not_restored():
    """A missing answer cell is reported; the student's own cell with the code still runs."""
    checked, _ = check("submitted-answer-deleted.ipynb")
    assert [(f.kind, f.cell, f.repaired) for f in checked.findings] == [
        ("missing_answer", "cube", False)
    ]
    assert "cube" not in {grade_id(c) for c in checked.nb.cells}
