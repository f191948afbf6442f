"""Keep one tagged copy of a duplicated cell, as nbgrader intends, and report every copy."""

from __future__ import annotations

from cnn_course.grade.cells import grade_id
from cnn_course.grade.preprocessors.base import PreflightPreprocessor
from cnn_course.messages import msg


class DeduplicateCells(PreflightPreprocessor):
    """Untag all but the last copy of each grade id, and report the copies.

    nbgrader's DeduplicateIds also keeps the last copy, silently; in nbgrader
    0.9.6 it leaves ``nbgrader: {}`` on the others, which CheckCellMetadata then
    rejects, so the whole notebook fails. Here the earlier copies lose their
    nbgrader key entirely and stay as plain cells: they all run, in the
    student's order, and the report asks the teacher to look at them. A copy of
    another cell type than the release's (a markdown cell carrying a code cell's
    grade id) is never the one kept while a copy of the released type exists.
    """

    def check(self, nb, resources):
        index = self.index(resources)
        copies: dict[str, list[int]] = {}
        for pos, cell in enumerate(nb.cells):
            gid = grade_id(cell)
            if gid is not None:
                copies.setdefault(gid, []).append(pos)
        for gid, positions in copies.items():
            if len(positions) < 2:
                continue
            differ = len({nb.cells[p].source for p in positions}) > 1
            released = index.cells.get(gid)
            same_type = [
                p
                for p in positions
                if released is None or nb.cells[p].cell_type == released.cell_type
            ]
            keep = (same_type or positions)[-1]
            for pos in positions:
                if pos != keep:
                    del nb.cells[pos].metadata["nbgrader"]
            self.report(
                resources,
                "duplicated_cell",
                cell=gid,
                repaired=True,
                count=len(positions),
                positions=", ".join(str(p + 1) for p in positions),
                differ=msg("grade.differ") if differ else "",
            )
        return nb, resources
