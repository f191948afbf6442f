"""Build an nbgrader source notebook from a percent-format script (authoring aid).

The committed ``.ipynb`` in ``solutions/`` is the source of truth that TAs edit in
Jupyter; this tool only speeds up writing a first version from plain text.

Cell markers (one per line, at column 0):

    # %% md                         markdown (following lines lose their leading "# ")
    # %% code                       ordinary code cell
    # %% readonly id=NAME           locked code cell (nbgrader read-only)
    # %% solution id=NAME           student writes code here (### BEGIN/END SOLUTION inside)
    # %% tests id=NAME points=N     autograder tests (locked, graded; may hold hidden tests)
    # %% answer-md id=NAME points=N markdown answer graded by hand

Usage: python tools/py2nb.py SCRIPT.py OUT.ipynb
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

MARKER = re.compile(r"^# %% (md|code|readonly|solution|tests|answer-md)\b(.*)$")


def _meta(kind: str, args: dict[str, str]) -> dict:
    if kind in ("md", "code"):
        return {}
    meta = {
        "grade": kind in ("tests", "answer-md"),
        "grade_id": args["id"],
        "locked": kind in ("readonly", "tests"),
        "schema_version": 3,
        "solution": kind in ("solution", "answer-md"),
        "task": False,
    }
    if meta["grade"]:
        meta["points"] = int(args["points"])
    return {"nbgrader": meta}


def build(text: str) -> nbformat.NotebookNode:
    """Turn the percent-format text into a notebook."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    kind, args, lines = None, {}, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind in ("md", "answer-md"):
            body = "\n".join(re.sub(r"^# ?", "", ln) for ln in body.split("\n"))
            cell = nbformat.v4.new_markdown_cell(body)
        else:
            cell = nbformat.v4.new_code_cell(body)
        cell.metadata = _meta(kind, args)
        nb.cells.append(cell)

    for line in text.split("\n"):
        m = MARKER.match(line)
        if m:
            flush()
            kind = m.group(1)
            args = dict(a.split("=", 1) for a in m.group(2).split())
            lines = []
        elif kind is not None:
            lines.append(line)
    flush()
    # Stable, readable cell ids (nbformat 4.5) derived from position and grade id.
    for i, cell in enumerate(nb.cells):
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        cell["id"] = gid or f"cell-{i:03d}"
    return nb


if __name__ == "__main__":
    src, out = map(Path, sys.argv[1:3])
    nbformat.write(build(src.read_text()), out)
    print(f"wrote {out}")
