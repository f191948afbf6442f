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
