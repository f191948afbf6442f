"""Tests for `CheckAssignment`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def check(name: str, **kw):
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    return preflight((FILES / name).read_bytes(), rel, "00_tiny", "tiny", **kw)


def test_another_assignment_is_stopped():
    """A notebook whose cells are not this release's is reported and not graded."""
    checked = check("submitted-wrong-assignment.ipynb")
    assert [f.kind for f in checked.findings] == ["wrong_assignment"]
    assert checked.fatal
    assert checked.findings[0].detail["expected"] == "00_tiny"


def test_the_other_assignment_is_named():
    """When its grade ids belong to another assignment of the course, the report says which."""
    checked = check(
        "submitted-wrong-assignment.ipynb",
        other_assignments={"01_otra": ["otra-setup", "otra-square", "otra-test-square"]},
    )
    assert "01_otra" in checked.findings[0].detail["other"]


def test_colab_save_without_some_metadata_is_still_this_assignment():
    """Cells recognised by source or fixed lines count, so a Colab save is not rejected."""
    assert not check("submitted-colab-save.ipynb").fatal
