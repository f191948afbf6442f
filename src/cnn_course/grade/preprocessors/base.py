"""Base of the pre-flight steps: each compares a submission with the released notebook."""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from cnn_course.grade.cells import ReleaseIndex
from cnn_course.grade.findings import Finding


class PreflightPreprocessor(NbGraderPreprocessor):
    """A pre-flight step; reads the release from, and reports findings to, ``resources``.

    ``resources["preflight"]`` holds ``release`` (the released notebook),
    ``index`` (its :class:`ReleaseIndex`), ``findings`` (a list this step appends
    to), ``other_assignments`` ({assignment id: grade ids}) and ``stop`` (set by a
    step that finds the submission cannot be graded).
    """

    def context(self, resources: dict) -> dict:
        return resources["preflight"]

    def index(self, resources: dict) -> ReleaseIndex:
        return self.context(resources)["index"]

    def report(
        self, resources: dict, kind: str, cell: str = "", repaired: bool = False, **detail
    ) -> None:
        self.log.warning("%s %s %s", kind, cell, detail)
        self.context(resources)["findings"].append(Finding(kind, cell, detail, repaired))

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        if self.context(resources).get("stop"):
            return nb, resources
        return self.check(nb, resources)

    def check(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        raise NotImplementedError
