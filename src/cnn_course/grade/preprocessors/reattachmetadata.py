"""Give back its nbgrader metadata to a cell that lost it, when its identity is certain."""

from __future__ import annotations

import copy

from cnn_course.grade.cells import identify
from cnn_course.grade.findings import position
from cnn_course.grade.preprocessors.base import PreflightPreprocessor
from cnn_course.messages import msg


class ReattachMetadata(PreflightPreprocessor):
    """Copy the release's nbgrader metadata onto cells recognised by id, exact source or fixed lines.

    A cell that only resembles a release cell is never relabelled (a wrong label
    would grade one answer as another); :class:`RepairCellMetadata` reports what
    nbgrader metadata is left on it.
    """

    def check(self, nb, resources):
        index = self.index(resources)
        hits = identify(nb, index)
        for pos, (gid, how) in sorted(hits.items()):
            cell = nb.cells[pos]
            cell.metadata["nbgrader"] = copy.deepcopy(index.cells[gid].metadata["nbgrader"])
            self.report(
                resources,
                "metadata_reattached",
                cell=gid,
                repaired=True,
                position=position(pos),
                how=msg(f"grade.how.{how}", marker=index.marker_text(gid)),
            )
        return nb, resources
