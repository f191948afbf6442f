"""Cut the tracebacks of grade cells down to their last line for the student's feedback."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade


class TrimTracebacks(NbGraderPreprocessor):
    """Replace each error traceback of a grade cell by ``ename: evalue``.

    IPython's traceback quotes the lines around the failing call, which in a grade
    cell are hidden tests (nbgrader issue #917 shows them in the cell's source;
    ClearHiddenTests removes those, this removes the quotes). The check's Spanish
    message is the exception's value, so nothing a student needs is lost.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not is_grade(cell):
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [
                    f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                ]
        return cell, resources
