"""Tests for `DetectEditedCells`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def check(name: str):
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    return preflight((FILES / name).read_bytes(), rel, "00_tiny", "tiny")


def test_edited_test_cell_is_reported_with_both_checksums():
    """A changed locked cell is named with the release's and the submission's checksums."""
    checked = check("submitted-test-cell-edited.ipynb")
    (finding,) = checked.findings
    assert finding.kind == "edited_test_cell" and finding.cell == "test-square"
    assert finding.detail["got"] != finding.detail["expected"]
    assert not finding.repaired  # nbgrader's OverwriteCells puts the original back


def test_answers_are_not_edits():
    """Filling in answer cells is not reported as editing."""
    assert check("submitted-clean.ipynb").findings == []
