"""Tests for `ReattachMetadata` and the identity rules of `cnn_course.grade.cells`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.cells import grade_id
from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def check(name: str):
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    return preflight((FILES / name).read_bytes(), rel, "00_tiny", "tiny")


def reattached(checked) -> dict[str, str]:
    return {f.cell: f.detail["how"] for f in checked.findings if f.kind == "metadata_reattached"}


def test_test_cell_by_exact_source_and_answer_by_fixed_lines():
    """After a Colab save, the unchanged test cell and the answered cell get their metadata back."""
    checked = check("submitted-colab-save.ipynb")
    assert set(reattached(checked)) == {"test-square", "cube"}
    gids = [grade_id(c) for c in checked.nb.cells]
    assert gids.count("test-square") == 1 and gids.count("cube") == 1
    assert "deleted_cell" not in {f.kind for f in checked.findings}


def test_cell_id_kept_by_jupyter_identifies_the_cell():
    """A cell that lost its metadata but kept its release cell id is recognised by it."""
    checked = check("submitted-metadata-lost-id-kept.ipynb")
    assert set(reattached(checked)) == {"cube"}
    assert "identificador" in reattached(checked)["cube"]


def test_ambiguous_fixed_lines_are_not_guessed():
    """Two cells with the answer's fixed lines: neither is relabelled, the answer is reported missing."""
    checked = check("submitted-metadata-lost-ambiguous.ipynb")
    assert reattached(checked) == {}
    assert [f.cell for f in checked.findings if f.kind == "missing_answer"] == ["square"]
    assert "square" not in {grade_id(c) for c in checked.nb.cells}


def test_edited_test_cell_without_metadata_is_not_relabelled():
    """A test cell that lost metadata and source is not matched: the release's copy is restored."""
    checked = check("submitted-metadata-lost-edited-test.ipynb")
    assert reattached(checked) == {}
    assert [f.cell for f in checked.findings if f.kind == "deleted_cell"] == ["test-square"]
    # the student's edited cell is still there, as plain code
    assert any(c.source == "assert True" and grade_id(c) is None for c in checked.nb.cells)
