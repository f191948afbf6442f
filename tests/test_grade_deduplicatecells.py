"""Tests for `DeduplicateCells`."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbgrader.nbgraderformat import MetadataValidator

from cnn_course.grade.cells import grade_id
from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def test_duplicated_answer_is_reported_and_both_copies_kept():
    """Both copies stay and run; only the last keeps the grade id; the report says they differ."""
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    data = (FILES / "submitted-answer-duplicated.ipynb").read_bytes()
    checked = preflight(data, rel, "00_tiny", "tiny")
    (finding,) = checked.findings
    assert (finding.kind, finding.cell, finding.repaired) == ("duplicated_cell", "cube", True)
    assert finding.detail["count"] == 2 and finding.detail["differ"]
    sources = [c.source for c in checked.nb.cells if "def cube" in c.source]
    assert len(sources) == 2 and sources[0] != sources[1]
    tagged = [c.source for c in checked.nb.cells if grade_id(c) == "cube"]
    assert tagged == [sources[1]]  # nbgrader's choice: the last copy


def test_result_passes_nbgraders_metadata_check():
    """The earlier copy carries no `nbgrader: {}` left over, which nbgrader 0.9.6 would reject."""
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    data = (FILES / "submitted-answer-duplicated.ipynb").read_bytes()
    MetadataValidator().validate_nb(preflight(data, rel, "00_tiny", "tiny").nb)
