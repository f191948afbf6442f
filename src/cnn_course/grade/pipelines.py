"""The grader's nbgrader pipelines, side by side: what runs, in order, at each step.

Pre-flight (before nbgrader sees a submission) is :attr:`cnn_course.grade.preflight.
Preflight.preprocessors`. Autograde and feedback are below; :mod:`cnn_course.grade.course`
wires them into each submission's nbgrader configuration.
"""

from __future__ import annotations

_P = "cnn_course.grade.preprocessors"

AFTER_EXECUTE = [
    # What the kernel printed, cleaned before anything counts bytes: TensorFlow's start-up
    # lines (they depend on the grading CPU), split prints, library frames of tracebacks.
    f"{_P}.DropStartupLines",
    f"{_P}.CoalesceStreams",
    f"{_P}.TrimTracebacks",
]
"""Run right after the notebook has been executed (autograde)."""

AUTOGRADE_LAST = [
    # Outputs cut in bytes too (nbgrader's LimitOutput counts lines), after SaveAutoGrades:
    # the graded notebook stays small, the grades unchanged.
    f"{_P}.LimitOutputBytes",
]

FEEDBACK = [
    "nbgrader.preprocessors.GetGrades",
    # Hidden tests out of the page (nbgrader issue #917), and the tracebacks that quote them.
    "nbgrader.preprocessors.ClearHiddenTests",
    *AFTER_EXECUTE,
    # Every output as text or a checked bitmap, then cut to its budget in bytes.
    f"{_P}.EscapeOutputs",
    f"{_P}.LimitOutputBytes",
    # Markdown as safe HTML (no raw HTML, checked links, MathML), then the grader's findings.
    f"{_P}.RenderMarkdown",
    f"{_P}.AttachFindings",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
"""GenerateFeedback's preprocessors."""


def autograde() -> list:
    """nbgrader's autograde preprocessors with :class:`RecoverKernel` in place of ``Execute``,
    :data:`AFTER_EXECUTE` right after it and :data:`AUTOGRADE_LAST` at the end."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from cnn_course.grade.preprocessors.recoverkernel import RecoverKernel

    pipeline: list = []
    for step in Autograde.class_traits()["autograde_preprocessors"].default():
        pipeline += [RecoverKernel, *AFTER_EXECUTE] if step is Execute else [step]
    return [*pipeline, *AUTOGRADE_LAST]
