"""Tests for `DetectReordered`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.preflight import preflight
from cnn_course.grade.preprocessors.detectreordered import _longest_increasing

FILES = Path(__file__).with_name("files")


def test_moved_test_cell_is_reported_not_moved():
    """The one moved cell is named; the notebook keeps the student's order."""
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    data = (FILES / "submitted-reordered.ipynb").read_bytes()
    checked = preflight(data, rel, "00_tiny", "tiny")
    assert [(f.kind, f.cell) for f in checked.findings] == [("reordered", "test-cube")]
    assert nbformat.writes(checked.nb) == nbformat.writes(nbformat.reads(data, as_version=4))


def test_longest_increasing_subsequence():
    """The fewest moves explain an order: [0, 3, 1, 2] keeps 0, 1, 2 and moves 3."""
    assert _longest_increasing([0, 3, 1, 2]) == {0, 2, 3}
    assert _longest_increasing([]) == set()
