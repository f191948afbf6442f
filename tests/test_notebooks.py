"""Validation both ways of every session (`nbgrader validate` under the `ci` profile).

The solution notebooks must pass every grade cell; the committed student versions
must fail every one (`--invert`).
"""

from __future__ import annotations

import pytest

from cnn_course import notebooks
from cnn_course.course import COURSE

SOURCES = COURSE.source_notebooks()

pytestmark = pytest.mark.notebook


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_solution_passes_every_grade_cell(source):
    """The source notebook passes all its grade cells under the ci profile."""
    result = notebooks.validate(source, profile="ci")
    failed = [
        (c["source"].splitlines()[0], c.get("raw_error", "")[-600:])
        for c in result.get("failed", [])
    ]
    assert result == {}, failed


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_student_version_fails_every_grade_cell(source):
    """The blank student version fails all its grade cells (nbgrader validate --invert)."""
    student = COURSE.release / source.parent.name / source.name
    assert notebooks.validate(student, invert=True, profile="ci") == {}
