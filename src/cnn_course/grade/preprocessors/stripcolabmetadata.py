"""Remove the metadata Colab adds when it saves a notebook."""

from __future__ import annotations

from textwrap import dedent

from traitlets import List

from cnn_course.grade.preprocessors.base import PreflightPreprocessor


class StripColabMetadata(PreflightPreprocessor):
    """Drop Colab's own cell and notebook metadata (cell ids, view and execution info)."""

    cell_keys = List(
        ["colab", "id", "outputId", "executionInfo", "cellView", "colab_type"],
        help=dedent(
            """
            Cell metadata keys written by Colab. ``id`` is Colab's own cell id,
            kept in the metadata because Colab saves nbformat 4.0, which has no
            cell ids; it says nothing about which nbgrader cell this is.
            """
        ),
    ).tag(config=True)

    notebook_keys = List(
        ["colab", "accelerator", "gpuClass"],
        help="Notebook metadata keys written by Colab.",
    ).tag(config=True)

    def check(self, nb, resources):
        cells = 0
        for cell in nb.cells:
            found = [k for k in self.cell_keys if k in cell.metadata]
            for key in found:
                del cell.metadata[key]
            cells += bool(found)
        top = [k for k in self.notebook_keys if k in nb.metadata]
        for key in top:
            del nb.metadata[key]
        if cells or top:
            self.report(resources, "colab_metadata", repaired=True, count=cells)
        return nb, resources
