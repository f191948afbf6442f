"""Stop a notebook of another assignment before nbgrader grades it as this one."""

from __future__ import annotations

import re

from traitlets import Float

from cnn_course.grade.cells import grade_id, identify
from cnn_course.grade.preprocessors.base import PreflightPreprocessor
from cnn_course.messages import msg

# The Colab badge names the released file: .../exercises/<assignment>/<notebook>.ipynb
_BADGE_PATH = re.compile(r"/exercises/([\w.-]+)/[\w.-]+\.ipynb")


class CheckAssignment(PreflightPreprocessor):
    """Require that most cells nbgrader tracks in the release be recognised in the submission."""

    min_fraction = Float(
        0.5,
        help=(
            "Fraction of the release's tracked cells that must be recognised (by grade id, "
            "cell id, exact source or fixed lines) for the notebook to count as this assignment."
        ),
    ).tag(config=True)

    def check(self, nb, resources):
        index = self.index(resources)
        recognised = set()
        for cell in nb.cells:
            gid = grade_id(cell)
            if gid not in index.cells:
                continue
            release_cell = index.cells[gid]
            # A grade id alone could be shared by two assignments (e.g. "setup"): a
            # locked cell must also keep its source, an answer cell its type.
            if cell.cell_type == release_cell.cell_type and (
                cell.metadata["nbgrader"].get("solution") or cell.source == release_cell.source
            ):
                recognised.add(gid)
        recognised |= {gid for gid, _ in identify(nb, index).values()}
        if len(recognised) >= self.min_fraction * len(index.cells):
            return nb, resources
        found = sorted({grade_id(c) for c in nb.cells} - {None})
        other = self._other_assignment(nb, found, resources)
        self.report(
            resources,
            "wrong_assignment",
            expected=resources["nbgrader"]["assignment"],
            found=", ".join(found[:6]) + (" …" if len(found) > 6 else "") if found else "ninguna",
            other=other,
        )
        self.context(resources)["stop"] = True
        return nb, resources

    def _other_assignment(self, nb, found: list[str], resources) -> str:
        for aid, ids in self.context(resources).get("other_assignments", {}).items():
            if found and len(set(found) & set(ids)) >= self.min_fraction * len(found):
                return msg("grade.other_assignment", assignment=aid)
        for cell in nb.cells[:3]:
            m = _BADGE_PATH.search(cell.source)
            if m and m.group(1) != resources["nbgrader"]["assignment"]:
                return msg("grade.other_assignment", assignment=m.group(1))
        return ""
