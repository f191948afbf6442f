"""Tests for `cnn_course.grade.preflight`: reading a submission and the ordered pipeline."""

from __future__ import annotations

from pathlib import Path

import nbformat
from traitlets.config import Config

from cnn_course.grade.preflight import Preflight, preflight, read_submission

FILES = Path(__file__).with_name("files")


def release():
    return nbformat.read(FILES / "release.ipynb", as_version=4)


def check(name: str, config: Config | None = None):
    return preflight((FILES / name).read_bytes(), release(), "00_tiny", "tiny", config=config)


def kinds(checked) -> list[str]:
    return [f.kind for f in checked.findings]


def test_clean_submission_has_no_findings():
    """A submission that only filled in the answers passes untouched."""
    checked = check("submitted-clean.ipynb")
    assert kinds(checked) == []
    assert not checked.fatal


def test_corrupt_json_is_not_a_notebook():
    """A truncated file is reported as not a notebook, and grading stops."""
    data = (FILES / "submitted-clean.ipynb").read_bytes()
    checked = read_submission(data[: len(data) // 2])
    assert kinds(checked) == ["not_a_notebook"]
    assert checked.fatal and checked.nb is None


def test_json_without_cells_is_not_a_notebook():
    """Valid JSON that is no notebook is reported as such."""
    assert kinds(read_submission(b'{"hola": "esto no es un cuaderno"}')) == ["not_a_notebook"]


def test_binary_file_is_not_a_notebook():
    """Bytes that are not UTF-8 text are reported, not raised."""
    assert kinds(read_submission(b"\x89PNG\r\n\x1a\n\x00\xff")) == ["not_a_notebook"]


def test_invalid_nbformat_is_normalised_and_reported():
    """Duplicate cell ids are repaired by nbformat's normalize, and the repair is reported."""
    checked = check("submitted-invalid-nbformat.ipynb")
    assert kinds(checked) == ["invalid_nbformat"]
    assert checked.findings[0].repaired
    ids = [c.get("id") for c in checked.nb.cells]
    assert len(ids) == len(set(ids))


def test_release_is_not_modified():
    """Pre-flight works on a copy: the release it compares against stays as it was."""
    rel = release()
    before = nbformat.writes(rel)
    preflight((FILES / "submitted-colab-save.ipynb").read_bytes(), rel, "00_tiny", "tiny")
    assert nbformat.writes(rel) == before


def test_a_step_is_switched_off_by_config():
    """`enabled = False` in the config removes one step, as for nbgrader's own preprocessors."""
    cfg = Config()
    cfg.ResetLockFlags.enabled = False
    assert "lock_flags" not in kinds(check("submitted-colab-save.ipynb", cfg))
    assert "lock_flags" in kinds(check("submitted-colab-save.ipynb"))


def test_the_order_is_one_configurable_list():
    """The pipeline is the `preprocessors` list; dotted names are accepted as in config files."""
    cfg = Config()
    cfg.Preflight.preprocessors = ["cnn_course.grade.preprocessors.DeduplicateCells"]
    read = read_submission((FILES / "submitted-colab-save.ipynb").read_bytes())
    checked = Preflight(config=cfg).run(read.nb, release(), "00_tiny", "tiny")
    assert kinds(checked) == []  # no Colab, reattach or lock steps in this pipeline
