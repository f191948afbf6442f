"""Helpers for tests that use code from the source notebooks in ``solutions/``."""

from __future__ import annotations

from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]


def solution_namespace(notebook: str | Path, grade_ids: list[str], preamble: str = "") -> dict:
    """Execute the source cells with these nbgrader grade ids and return their namespace.

    ``notebook`` is relative to the repository root (e.g. "solutions/02_mnist/mnist.ipynb").
    ``preamble`` runs first (imports the cells expect).
    """
    nb = nbformat.read(ROOT / notebook, as_version=4)
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in nb.cells}
    missing = [g for g in grade_ids if g not in cells]
    if missing:
        raise KeyError(f"{notebook} has no cells with grade ids {missing}")
    namespace: dict = {}
    exec(compile(preamble, "<preamble>", "exec"), namespace)
    for gid in grade_ids:
        exec(compile(cells[gid], f"{notebook}:{gid}", "exec"), namespace)
    return namespace


def assert_blank_feedback_explains_every_cell(out: Path, student: str, release) -> None:
    """The feedback of a blank submission (graded into ``out``) shows an error under each
    test cell, and no cell's reason is the generic «registró nada» when the cell raised."""
    import json
    import re

    page = (out / "feedback" / f"{student}.html").read_text(encoding="utf-8")
    tests = [
        c.metadata["nbgrader"]["grade_id"]
        for c in release.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"
        and not c.metadata["nbgrader"].get("solution")
    ]  # fmt: skip
    sections = re.split(r'<a name="([^"]+)"></a>', page)
    shown = dict(zip(sections[1::2], sections[2::2], strict=True))
    missing = [g for g in tests if "output_error" not in shown.get(g, "")]
    assert missing == [], f"no error shown under {missing}"
    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())}
    reasons = [f["detail"].get("reason", "") for f in results[student]["findings"]]
    assert not any("registró nada" in r for r in reasons), reasons
