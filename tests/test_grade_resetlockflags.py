"""Tests for `ResetLockFlags`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.cells import grade_id
from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def test_lock_flags_lost_in_colab_are_restored():
    """deletable/editable come back as in the release for every tracked cell."""
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    checked = preflight((FILES / "submitted-colab-save.ipynb").read_bytes(), rel, "00_tiny", "tiny")
    finding = next(f for f in checked.findings if f.kind == "lock_flags")
    assert finding.repaired and finding.detail["count"] == 5
    flags = {
        grade_id(c): (c.metadata.get("deletable"), c.metadata.get("editable")) for c in rel.cells
    }
    for cell in checked.nb.cells:
        if grade_id(cell):
            got = (cell.metadata.get("deletable"), cell.metadata.get("editable"))
            assert got == flags[grade_id(cell)]
