"""Report tracked cells that the student moved out of the released order."""

from __future__ import annotations

from bisect import bisect_left

from cnn_course.grade.cells import grade_id
from cnn_course.grade.preprocessors.base import PreflightPreprocessor


def _longest_increasing(seq: list[int]) -> set[int]:
    """Positions in ``seq`` of one longest strictly increasing subsequence."""
    tails: list[int] = []  # tails[k]: position of the smallest tail of a run of length k + 1
    prev = [-1] * len(seq)
    for i, value in enumerate(seq):
        k = bisect_left([seq[t] for t in tails], value)
        prev[i] = tails[k - 1] if k else -1
        if k == len(tails):
            tails.append(i)
        else:
            tails[k] = i
    keep, i = set(), tails[-1] if tails else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


class DetectReordered(PreflightPreprocessor):
    """Name the fewest tracked cells whose moves explain the submission's order.

    Not repaired: cells run in the student's order, and moving them back could
    separate code from the cells it depends on.
    """

    def check(self, nb, resources):
        index = self.index(resources)
        order = list(index.cells)
        seen: dict[str, int] = {}
        for pos, cell in enumerate(nb.cells):  # the last copy counts, as in nbgrader
            gid = grade_id(cell)
            if gid in index.cells:
                seen[gid] = pos
        gids = sorted(seen, key=seen.get)
        ranks = [order.index(g) for g in gids]
        keep = _longest_increasing(ranks)
        for i, gid in enumerate(gids):
            if i not in keep:
                after = gids[i - 1] if i else "el principio"
                self.report(resources, "reordered", cell=gid, after=after)
        return nb, resources
