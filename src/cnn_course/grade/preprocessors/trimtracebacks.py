"""Cut tracebacks down to what a student can act on, before outputs are limited in bytes."""

from __future__ import annotations

import re

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade

from cnn_course.grade.preprocessors.escapeoutputs import text
from cnn_course.messages import msg

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# IPython's frame of a notebook cell: "Cell In[3], line 2" (IPython 8), "Input In [3]" (7.x),
# "<ipython-input-3-…>" (older).
_CELL_FRAME = re.compile(r"\s*(Cell In\s*\[|Input In \[|<ipython-input-)")


def is_cell_frame(entry: str) -> bool:
    """Whether a traceback entry is a frame of the notebook's own code."""
    return _CELL_FRAME.match(_ANSI.sub("", entry)) is not None


def student_traceback(traceback: list[str]) -> list[str]:
    """The frames of the notebook's own cells and the exception line; each run of library
    frames (Keras, NumPy, the checks) becomes one line saying how many were left out."""
    if len(traceback) < 3:
        return traceback
    head, frames, last = traceback[:2], traceback[2:-1], traceback[-1]
    kept, skipped = [], 0
    for entry in frames:
        if is_cell_frame(entry):
            if skipped:
                kept.append(msg("grade.output.frames_omitted", count=skipped))
                skipped = 0
            kept.append(entry)
        else:
            skipped += 1
    if skipped:
        kept.append(msg("grade.output.frames_omitted", count=skipped))
    return [*head, *kept, last]


class TrimTracebacks(NbGraderPreprocessor):
    """Trim every error's traceback: a grade cell's to ``ename: evalue``, another cell's to
    :func:`student_traceback`.

    A grade cell's traceback quotes the lines around the failing call, which are hidden
    tests (nbgrader issue #917 shows them in the cell's source; ClearHiddenTests removes
    those, this removes the quotes); the check's Spanish message is the exception's
    value, so nothing a student needs is lost. In other cells the frames inside
    libraries are each several kB of code a student did not write: dropping them keeps
    the output budget for the messages that help.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        grade = is_grade(cell)
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            if grade:
                output["traceback"] = [
                    f"{text(output.get('ename', 'Error'))}: {text(output.get('evalue', ''))}"
                ]
            elif isinstance(output.get("traceback"), list):
                output["traceback"] = student_traceback([text(t) for t in output["traceback"]])
        return cell, resources
