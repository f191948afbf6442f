"""Tests for `StripColabMetadata`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def check(name: str):
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    return preflight((FILES / name).read_bytes(), rel, "00_tiny", "tiny")


def test_colab_keys_are_removed_and_reported():
    """Colab's cell ids, cell keys and notebook keys are dropped; the count is reported."""
    checked = check("submitted-colab-save.ipynb")
    finding = next(f for f in checked.findings if f.kind == "colab_metadata")
    assert finding.repaired and finding.detail["count"] == len(checked.nb.cells)
    assert "colab" not in checked.nb.metadata and "accelerator" not in checked.nb.metadata
    for cell in checked.nb.cells:
        assert not {"colab", "id", "outputId"} & set(cell.metadata)


def test_a_jupyter_notebook_is_left_alone():
    """Nothing is reported for a notebook saved by Jupyter."""
    assert not [f for f in check("submitted-clean.ipynb").findings if f.kind == "colab_metadata"]
