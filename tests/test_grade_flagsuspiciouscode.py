"""Tests for `FlagSuspiciousCode`."""

from __future__ import annotations

from pathlib import Path

import nbformat

from cnn_course.grade.preflight import preflight

FILES = Path(__file__).with_name("files")


def codes(name: str) -> list[str]:
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    checked = preflight((FILES / name).read_bytes(), rel, "00_tiny", "tiny")
    return [f.detail["code"] for f in checked.findings if f.kind == "suspicious_code"]


def test_monkeypatching_the_checks_is_flagged():
    """Assigning into an imported course module, setattr on it, importlib and sys.modules."""
    assert sorted(codes("submitted-monkeypatch.ipynb")) == [
        "assign_checks",
        "importlib",
        "setattr_checks",
        "sys_modules",
    ]


def test_metric_typed_by_hand_is_flagged_once_per_cell():
    """`accuracy = 0.99` is flagged; a metric computed by a call is not."""
    assert codes("submitted-fake-metric.ipynb") == ["fake_metric"]


def test_honest_code_is_not_flagged():
    """Answers with no tampering raise nothing."""
    assert codes("submitted-clean.ipynb") == []


def test_magics_do_not_hide_code():
    """Cells with IPython magics are parsed after IPython's own translation."""
    rel = nbformat.read(FILES / "release.ipynb", as_version=4)
    nb = nbformat.read(FILES / "submitted-clean.ipynb", as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("%time x = 1\n!ls\nimport sys\nsys.modules.pop('x')"))
    checked = preflight(nbformat.writes(nb).encode(), rel, "00_tiny", "tiny")
    assert [f.detail["code"] for f in checked.findings] == ["sys_modules"]
