"""Drop TensorFlow's start-up log lines from what the kernel printed to stderr."""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor

from cnn_course.grade.preprocessors.escapeoutputs import text
from cnn_course.tflog import strip_startup


class DropStartupLines(NbGraderPreprocessor):
    """Remove the lines :func:`cnn_course.tflog.strip_startup` recognises from every
    stderr stream output; an output left empty is removed.

    They depend on the CPU that graded (oneDNN on AVX-512 machines), not on the student,
    and would cost the student's output budget. stdout and every other line stay whole.
    """

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or not cell.get("outputs"):
            return cell, resources
        kept = []
        for output in cell.outputs:
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                output["text"] = strip_startup(text(output.get("text", "")))
                if not output["text"]:
                    continue
            kept.append(output)
        cell.outputs = kept
        return cell, resources
