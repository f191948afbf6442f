"""nbgrader-style preprocessors of the grader: one repair or check each.

Pre-flight (before nbgrader sees a submission; order set by
:attr:`cnn_course.grade.preflight.Preflight.preprocessors`), autograde and feedback
(both declared in :mod:`cnn_course.grade.pipelines`).
"""

from cnn_course.grade.preprocessors.attachfindings import AttachFindings
from cnn_course.grade.preprocessors.base import PreflightPreprocessor
from cnn_course.grade.preprocessors.checkassignment import CheckAssignment
from cnn_course.grade.preprocessors.coalescestreams import CoalesceStreams
from cnn_course.grade.preprocessors.deduplicatecells import DeduplicateCells
from cnn_course.grade.preprocessors.detecteditedcells import DetectEditedCells
from cnn_course.grade.preprocessors.detectreordered import DetectReordered
from cnn_course.grade.preprocessors.dropstartuplines import DropStartupLines
from cnn_course.grade.preprocessors.escapeoutputs import EscapeOutputs
from cnn_course.grade.preprocessors.flagsuspiciouscode import FlagSuspiciousCode
from cnn_course.grade.preprocessors.limitoutputbytes import LimitOutputBytes, cut_findings
from cnn_course.grade.preprocessors.reattachmetadata import ReattachMetadata
from cnn_course.grade.preprocessors.recoverkernel import RecoverKernel
from cnn_course.grade.preprocessors.rendermarkdown import RenderMarkdown
from cnn_course.grade.preprocessors.repaircellmetadata import RepairCellMetadata
from cnn_course.grade.preprocessors.resetlockflags import ResetLockFlags
from cnn_course.grade.preprocessors.restoredeletedcells import RestoreDeletedCells
from cnn_course.grade.preprocessors.stripcolabmetadata import StripColabMetadata
from cnn_course.grade.preprocessors.trimtracebacks import TrimTracebacks

__all__ = [
    "AttachFindings",
    "CheckAssignment",
    "CoalesceStreams",
    "DeduplicateCells",
    "DetectEditedCells",
    "DetectReordered",
    "DropStartupLines",
    "EscapeOutputs",
    "FlagSuspiciousCode",
    "LimitOutputBytes",
    "PreflightPreprocessor",
    "ReattachMetadata",
    "RecoverKernel",
    "RenderMarkdown",
    "RepairCellMetadata",
    "ResetLockFlags",
    "RestoreDeletedCells",
    "StripColabMetadata",
    "TrimTracebacks",
    "cut_findings",
]
