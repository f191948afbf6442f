"""Make every cell's nbgrader metadata one that nbgrader accepts: damage costs one cell at most.

nbgrader validates the metadata of the whole notebook (``CheckCellMetadata``, and
``OverwriteCells`` reads ``points``): one cell with damaged metadata fails the
autograde of every cell. Here, cell by cell:

- a cell that carries the grade id of a release cell gets the release's nbgrader
  metadata back (missing or changed ``points``, flags, schema version...) and its
  released cell type (code ↔ markdown): nbgrader then grades it as released;
- any other cell with nbgrader metadata that nbgrader would track or reject (a grade
  id the assignment does not have, a grade or answer cell without a grade id,
  metadata that fails nbgrader's schema) loses it: it runs as a plain cell and
  scores nothing; a harmless leftover (``nbgrader: {}``, every flag off) stays.

Each repair is a finding that names the cell.
"""

from __future__ import annotations

import copy

from nbformat import NotebookNode
from nbgrader.nbgraderformat import MetadataValidator

from cnn_course.grade.cells import grade_id, is_tracked, nbgrader_meta
from cnn_course.grade.findings import position
from cnn_course.grade.preprocessors.base import PreflightPreprocessor
from cnn_course.messages import msg

_FLAGS = ("grade", "solution", "locked", "task")
_ID_MAX = 60


def set_cell_type(cell: NotebookNode, cell_type: str) -> None:
    """Change a cell's type in place, with the keys nbformat requires of the new type."""
    cell.cell_type = cell_type
    if cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
        cell.pop("attachments", None)
    else:
        cell.pop("outputs", None)
        cell.pop("execution_count", None)


def _invalid(cell: NotebookNode) -> str:
    """nbgrader's objection to this cell's metadata ('' if none)."""
    probe = copy.deepcopy(cell)
    try:
        validator = MetadataValidator()
        validator.upgrade_cell_metadata(probe)
        validator.validate_cell(probe)
    except Exception as exc:  # ValidationError, SchemaTooOld/NewError, KeyError, TypeError...
        return (str(exc).splitlines() or [type(exc).__name__])[0][:120]
    return ""


class RepairCellMetadata(PreflightPreprocessor):
    """Restore released cells' metadata and type; remove what nbgrader would reject elsewhere."""

    def check(self, nb, resources):
        index = self.index(resources)
        # After DeduplicateCells, one tracked cell at most per grade id.
        claimed = {grade_id(c) for c in nb.cells} - {None}
        for pos, cell in enumerate(nb.cells):
            if "nbgrader" not in cell.get("metadata", {}):
                continue
            meta = nbgrader_meta(cell)
            gid = meta.get("grade_id")
            # A released grade id, on its one cell (a second claimant would duplicate it).
            released = isinstance(gid, str) and gid in index.cells
            if released and (is_tracked(cell) or gid not in claimed):
                claimed.add(gid)
                self._restore(cell, index.cells[gid], gid, resources)
                continue
            self._drop(cell, pos, meta, resources)
        return nb, resources

    def _restore(self, cell, release_cell, gid: str, resources) -> None:
        want = release_cell.metadata["nbgrader"]
        have = cell.metadata["nbgrader"]
        if have != want:
            have = have if isinstance(have, dict) else {}
            keys = sorted(k for k in {*want, *have} if have.get(k) != want.get(k))
            cell.metadata["nbgrader"] = copy.deepcopy(want)
            self.report(resources, "metadata_repaired", gid, True, keys=", ".join(keys))
        if cell.cell_type != release_cell.cell_type:
            got = cell.cell_type
            set_cell_type(cell, release_cell.cell_type)
            self.report(
                resources,
                "cell_type_changed",
                gid,
                True,
                expected=msg(f"grade.cell_type.{release_cell.cell_type}"),
                got=msg(f"grade.cell_type.{got}"),
            )

    def _drop(self, cell, pos: int, meta: dict, resources) -> None:
        gid = meta.get("grade_id")
        if isinstance(gid, str):
            gid = gid[:_ID_MAX]  # the student's text, quoted in the report
        problem = _invalid(cell)
        tracked = any(meta.get(flag) for flag in _FLAGS)
        if not problem and not tracked:
            if meta:  # kept, as nbgrader ignores it: said, since it looks like a lost cell
                self.report(resources, "unidentified_cell", position(pos), position=position(pos))
            return
        if isinstance(gid, str) and gid in self.index(resources).cells:
            why = msg("grade.why.duplicate", gid=gid)
        elif isinstance(gid, str) and gid:
            why = msg("grade.why.unknown_id", gid=gid)
        elif tracked:
            why = msg("grade.why.no_id")
        else:
            why = msg("grade.why.invalid", error=problem)
        del cell.metadata["nbgrader"]
        name = gid if isinstance(gid, str) and gid else position(pos)
        self.report(resources, "metadata_dropped", name, True, position=position(pos), why=why)
