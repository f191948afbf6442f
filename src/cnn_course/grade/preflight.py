"""Pre-flight: read, check and repair one submission against the released notebook.

Pure: bytes and the release in, the repaired notebook and the findings out; the
original is never touched. Each repair or check is one preprocessor in
:mod:`cnn_course.grade.preprocessors`; their order is
:attr:`Preflight.preprocessors`, and any of them is switched off with config,
e.g. ``c.ResetLockFlags.enabled = False`` in ``autograder/nbgrader_config.py``.
"""

from __future__ import annotations

import copy
import json
import warnings
from dataclasses import dataclass, field

import nbformat
from nbformat import NotebookNode
from traitlets import Int, List
from traitlets.config import Config, LoggingConfigurable
from traitlets.utils.importstring import import_item

from cnn_course.grade.cells import ReleaseIndex
from cnn_course.grade.findings import Finding
from cnn_course.grade.preprocessors import (
    CheckAssignment,
    DeduplicateCells,
    DetectEditedCells,
    DetectReordered,
    FlagSuspiciousCode,
    ReattachMetadata,
    RepairCellMetadata,
    ResetLockFlags,
    RestoreDeletedCells,
    StripColabMetadata,
)


@dataclass
class Checked:
    """A submission after pre-flight."""

    nb: NotebookNode | None
    """the repaired notebook (None when the file is not a notebook)"""
    findings: list[Finding] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        """Whether the submission cannot be graded (not a notebook, another assignment)."""
        return self.nb is None or any(f.fatal for f in self.findings)


def read_submission(data: bytes) -> Checked:
    """Parse a submitted file as a version-4 notebook, normalising what nbformat can repair."""
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return Checked(None, [Finding("not_a_notebook", detail={"error": _short(exc)})])
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        return Checked(None, [Finding("not_a_notebook", detail={"error": "sin lista de celdas"})])
    with warnings.catch_warnings():
        # nbformat warns (and repairs) on duplicate or missing cell ids: reported below.
        warnings.simplefilter("ignore")
        problem = _invalid(raw)
        try:
            nb = nbformat.reads(json.dumps(raw), as_version=4)
            if problem:
                # nbformat's repair: fresh ids for duplicates, invalid metadata dropped
                _, fixed = nbformat.validator.normalize(nb, strip_invalid_metadata=True)
                nb = nbformat.from_dict(fixed)
            nbformat.validate(nb)
        except Exception as exc:  # nbformat raises several types for what it cannot read
            return Checked(None, [Finding("not_a_notebook", detail={"error": _short(exc)})])
    findings = []
    if problem:
        version = f"{nb.nbformat}.{nb.nbformat_minor}"
        findings.append(
            Finding(
                "invalid_nbformat", detail={"version": version, "error": problem}, repaired=True
            )
        )
    return Checked(nb, findings)


def _invalid(raw: dict) -> str:
    """The first schema error of the notebook as submitted, or duplicate cell ids ("" if none)."""
    ids = [c.get("id") for c in raw["cells"] if isinstance(c, dict) and c.get("id")]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        return f"ids de celda repetidos: {', '.join(dup)}"
    if raw.get("nbformat") != 4:
        return ""  # converted by nbformat.reads; judged after conversion
    for error in nbformat.validator.iter_validate(copy.deepcopy(raw)):
        return _short(error)
    return ""


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
"""Largest submitted notebook graded (a released notebook with its outputs is a few MB)."""


class Preflight(LoggingConfigurable):
    """Check and repair one submission against the released notebook, before nbgrader sees it."""

    max_bytes = Int(
        MAX_NOTEBOOK_BYTES,
        help="Largest submitted notebook in bytes: a larger one is refused before it is even "
        "parsed (0: no limit).",
    ).tag(config=True)

    preprocessors = List(
        [
            # Colab's keys first, so that no later step mistakes them for content.
            StripColabMetadata,
            # Stop early on another assignment's notebook: nothing below applies to it.
            CheckAssignment,
            # Duplicates are counted before any relabelling can create or hide one.
            DeduplicateCells,
            ReattachMetadata,
            # Then every cell's metadata is one nbgrader accepts (repaired, or removed).
            RepairCellMetadata,
            # Only cells still missing after reattaching are restored.
            RestoreDeletedCells,
            DetectEditedCells,
            ResetLockFlags,
            DetectReordered,
            FlagSuspiciousCode,
        ],
        help="Pre-flight steps, in order; each is an nbgrader preprocessor with an `enabled` trait.",
    ).tag(config=True)

    def run(
        self,
        nb: NotebookNode,
        release: NotebookNode,
        assignment: str,
        notebook: str,
        other_assignments: dict[str, list[str]] | None = None,
    ) -> Checked:
        nb = copy.deepcopy(nb)
        resources = {
            "nbgrader": {"assignment": assignment, "notebook": notebook},
            "preflight": {
                "release": release,
                "index": ReleaseIndex.of(release),
                "findings": [],
                "other_assignments": other_assignments or {},
                "stop": False,
            },
        }
        for cls in self.preprocessors:
            if isinstance(cls, str):  # a dotted name, as config files give them
                cls = import_item(cls)
            step = cls(parent=self)
            nb, resources = step(nb, resources)
        return Checked(nb, resources["preflight"]["findings"])


def preflight(
    data: bytes,
    release: NotebookNode,
    assignment: str,
    notebook: str,
    other_assignments: dict[str, list[str]] | None = None,
    config: Config | None = None,
) -> Checked:
    """Check the size of ``data``, read it and run the pre-flight pipeline; the findings
    of these steps, in order."""
    steps = Preflight(config=config)
    if steps.max_bytes and len(data) > steps.max_bytes:
        return Checked(
            None, [Finding("too_large", detail={"size": len(data), "limit": steps.max_bytes})]
        )
    read = read_submission(data)
    if read.nb is None:
        return read
    checked = steps.run(read.nb, release, assignment, notebook, other_assignments)
    return Checked(checked.nb, read.findings + checked.findings)
