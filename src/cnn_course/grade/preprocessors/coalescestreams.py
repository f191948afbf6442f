"""nbconvert's stream coalescing, on by default inside the grader's pipelines."""

from __future__ import annotations

from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from traitlets import Bool


class CoalesceStreams(CoalesceStreamsPreprocessor):
    """Join consecutive outputs of one stream (ipykernel flushes one ``print`` as two when
    its timer fires between writes) and apply carriage returns (progress bars).

    nbconvert's class is off unless an exporter enables it; nbgrader registers its
    converters' preprocessors without enabling them, so this one is on by default.
    """

    enabled = Bool(True, help="join split stream outputs").tag(config=True)
