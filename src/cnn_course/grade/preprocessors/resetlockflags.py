"""Restore the read-only flags (deletable, editable) that Colab does not keep."""

from __future__ import annotations

from traitlets import List

from cnn_course.grade.cells import grade_id
from cnn_course.grade.preprocessors.base import PreflightPreprocessor


class ResetLockFlags(PreflightPreprocessor):
    """Set each tracked cell's lock flags to the release's."""

    flags = List(
        ["deletable", "editable"],
        help="Cell metadata flags nbgrader's LockCells sets on released cells.",
    ).tag(config=True)

    def check(self, nb, resources):
        index = self.index(resources)
        changed = 0
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid not in index.cells:
                continue
            release_meta = index.cells[gid].metadata
            before = {k: cell.metadata.get(k) for k in self.flags}
            for key in self.flags:
                if key in release_meta:
                    cell.metadata[key] = release_meta[key]
                else:
                    cell.metadata.pop(key, None)
            changed += before != {k: cell.metadata.get(k) for k in self.flags}
        if changed:
            self.report(resources, "lock_flags", repaired=True, count=changed)
        return nb, resources
