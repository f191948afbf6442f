"""How a submitted cell is recognised as a cell of the released notebook.

Identity must be certain, never guessed: a cell is the release cell ``g`` when it
carries ``g``'s nbgrader metadata, its nbformat cell id, its exact source, or (for
answer cells only) every fixed line of ``g`` (the lines around the
``### BEGIN SOLUTION`` stub, e.g. ``def preprocess(x):`` and its docstring) in the
same order, when no other release cell has those lines and no other submitted
cell matches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from nbformat import NotebookNode

# A fixed part shorter than this proves nothing about identity.
MIN_MARKER_CHARS = 30


def nbgrader_meta(cell: NotebookNode) -> dict:
    """The cell's nbgrader metadata ({} when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def is_tracked(cell: NotebookNode) -> bool:
    """A cell nbgrader keeps track of (grade, solution, task or locked), as DeduplicateIds does."""
    meta = nbgrader_meta(cell)
    return bool(
        meta.get("grade_id")
        and (meta.get("grade") or meta.get("solution") or meta.get("task") or meta.get("locked"))
    )


def grade_id(cell: NotebookNode) -> str | None:
    """The grade id of a tracked cell, else None."""
    return nbgrader_meta(cell)["grade_id"] if is_tracked(cell) else None


def is_locked(cell: NotebookNode) -> bool:
    """Read-only for the student: grade cells that are not answers, and locked cells."""
    meta = nbgrader_meta(cell)
    if meta.get("solution"):
        return False
    return bool(meta.get("grade") or meta.get("locked"))


@cache
def stub_lines() -> frozenset[str]:
    """Lines nbgrader writes where a solution was (the course's ClearSolutions stubs)."""
    lines = {"# YOUR CODE HERE", "raise NotImplementedError()", "YOUR ANSWER HERE"}
    try:
        from cnn_course.course import COURSE

        stubs = COURSE.config().ClearSolutions
        for text in [*dict(stubs.get("code_stub", {})).values(), stubs.get("text_stub", "")]:
            lines.update(ln.strip() for ln in str(text).splitlines())
    except OSError:  # an installed package without the repository's config
        pass
    lines.discard("")
    return frozenset(lines)


def _lines(source: str) -> list[str]:
    return [ln.strip() for ln in source.splitlines() if ln.strip()]


def marker(cell: NotebookNode) -> tuple[str, ...]:
    """The fixed lines of a released answer cell: everything but the solution stubs."""
    stubs = stub_lines()
    return tuple(ln for ln in _lines(cell.source) if ln not in stubs)


def contains_in_order(source: str, lines: tuple[str, ...]) -> bool:
    """Every line of ``lines`` appears, stripped, in ``source`` in this order."""
    it = iter(_lines(source))
    return all(any(want == got for got in it) for want in lines)


@dataclass
class ReleaseIndex:
    """The tracked cells of a released notebook, in release order, and how to recognise them."""

    cells: dict[str, NotebookNode] = field(default_factory=dict)
    """grade id -> release cell, in release order"""
    by_cell_id: dict[str, str] = field(default_factory=dict)
    by_source: dict[str, str] = field(default_factory=dict)
    """exact source -> grade id, only for sources no other release cell shares"""
    markers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """grade id -> fixed lines, only for answer cells whose fixed lines are long and unique"""

    @classmethod
    def of(cls, release: NotebookNode) -> ReleaseIndex:
        index = cls()
        sources: dict[str, list[str]] = {}
        for cell in release.cells:
            gid = grade_id(cell)
            if gid is None:
                continue
            index.cells[gid] = cell
            if cell.get("id"):
                index.by_cell_id[cell["id"]] = gid
            sources.setdefault(cell.source, []).append(gid)
        index.by_source = {src: gids[0] for src, gids in sources.items() if len(gids) == 1}
        for gid, cell in index.cells.items():
            if not nbgrader_meta(cell).get("solution"):
                continue  # locked cells are recognised by exact source or id only
            lines = marker(cell)
            if sum(map(len, lines)) < MIN_MARKER_CHARS:
                continue
            others = [
                c for c in release.cells if c is not cell and contains_in_order(c.source, lines)
            ]
            if not others:
                index.markers[gid] = lines
        return index

    def marker_text(self, gid: str) -> str:
        """The first fixed line of an answer cell, to quote in a message."""
        lines = self.markers.get(gid, ())
        return lines[0] if lines else ""


def identify(nb: NotebookNode, index: ReleaseIndex) -> dict[int, tuple[str, str]]:
    """Release identity of the submitted cells without nbgrader metadata: {position: (grade id, how)}.

    ``how`` is ``id``, ``source`` or ``marker``. Grade ids already carried by a
    tracked cell are not given again, and a marker that matches two submitted
    cells identifies neither.
    """
    present = {grade_id(c) for c in nb.cells} - {None}
    found: dict[int, tuple[str, str]] = {}
    marker_hits: dict[str, list[int]] = {}
    for pos, cell in enumerate(nb.cells):
        if is_tracked(cell):
            continue
        gid = index.by_cell_id.get(cell.get("id", ""))
        if gid and index.cells[gid].cell_type == cell.cell_type:
            found[pos] = (gid, "id")
            continue
        gid = index.by_source.get(cell.source)
        if gid and index.cells[gid].cell_type == cell.cell_type:
            found[pos] = (gid, "source")
            continue
        for gid, lines in index.markers.items():
            if cell.cell_type == index.cells[gid].cell_type and contains_in_order(
                cell.source, lines
            ):
                marker_hits.setdefault(gid, []).append(pos)
    for gid, positions in marker_hits.items():
        if len(positions) == 1 and positions[0] not in found:
            found[positions[0]] = (gid, "marker")
    # One release cell, one submitted cell: drop ids claimed twice or already present.
    claims: dict[str, list[int]] = {}
    for pos, (gid, _) in found.items():
        claims.setdefault(gid, []).append(pos)
    return {
        pos: hit for pos, hit in found.items() if hit[0] not in present and len(claims[hit[0]]) == 1
    }
