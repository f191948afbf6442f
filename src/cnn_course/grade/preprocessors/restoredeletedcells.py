"""Put back the locked cells (tests, setup) a student deleted, from the release."""

from __future__ import annotations

import copy

from cnn_course.grade.cells import grade_id, is_locked
from cnn_course.grade.preprocessors.base import PreflightPreprocessor


class RestoreDeletedCells(PreflightPreprocessor):
    """Insert a copy of each missing locked release cell next to its released neighbour.

    A missing answer cell is reported, not restored: its stub would add nothing,
    and what the student wrote elsewhere still runs.
    """

    def check(self, nb, resources):
        index = self.index(resources)
        release_order = list(index.cells)
        for gid in release_order:
            if gid in {grade_id(c) for c in nb.cells}:
                continue
            release_cell = index.cells[gid]
            if not is_locked(release_cell):
                self.report(resources, "missing_answer", cell=gid)
                continue
            restored = copy.deepcopy(release_cell)
            self._fresh_id(nb, restored, gid)
            nb.cells.insert(self._position(nb, release_order, gid), restored)
            self.report(resources, "deleted_cell", cell=gid, repaired=True)
        return nb, resources

    @staticmethod
    def _fresh_id(nb, cell, gid: str) -> None:
        """A cell id unused in ``nb`` (nbformat 4.5+), or none (4.0 to 4.4 have no ids)."""
        cell.pop("id", None)
        if (nb.nbformat, nb.nbformat_minor) >= (4, 5):
            taken = {c.get("id") for c in nb.cells}
            new, n = f"{gid}-restaurada", 1
            while new in taken:
                n += 1
                new = f"{gid}-restaurada-{n}"
            cell["id"] = new

    @staticmethod
    def _position(nb, release_order: list[str], gid: str) -> int:
        """After the nearest earlier release cell still present, else before the nearest later one."""
        where = {
            grade_id(c): pos for pos, c in enumerate(nb.cells)
        }  # last copy wins, as in nbgrader
        k = release_order.index(gid)
        for before in reversed(release_order[:k]):
            if before in where:
                return where[before] + 1
        for after in release_order[k + 1 :]:
            if after in where:
                return min(pos for pos, c in enumerate(nb.cells) if grade_id(c) == after)
        return len(nb.cells)
