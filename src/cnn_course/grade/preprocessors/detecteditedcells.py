"""Report locked cells whose source the student changed (nbgrader puts the original back)."""

from __future__ import annotations

import copy

from nbgrader.utils import compute_checksum

from cnn_course.grade.cells import grade_id, is_locked
from cnn_course.grade.preprocessors.base import PreflightPreprocessor


class DetectEditedCells(PreflightPreprocessor):
    """Compare the nbgrader checksum of every locked cell with the release's.

    No repair here: nbgrader's OverwriteCells replaces a locked cell's source
    with the gradebook's (hidden tests included) whatever the student left.
    """

    def check(self, nb, resources):
        index = self.index(resources)
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid not in index.cells or not is_locked(index.cells[gid]):
                continue
            release_cell = index.cells[gid]
            # Checksum of the student's source under the release's metadata, so that
            # only a change of source or cell type counts.
            probe = copy.deepcopy(release_cell)
            probe.source = cell.source
            probe.cell_type = cell.cell_type
            got = compute_checksum(probe)
            expected = release_cell.metadata["nbgrader"].get("checksum") or compute_checksum(
                release_cell
            )
            if got != expected:
                self.report(
                    resources, "edited_test_cell", cell=gid, got=got[:8], expected=expected[:8]
                )
        return nb, resources
