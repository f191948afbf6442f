"""Put the grader's findings into the autograded notebook for the feedback template."""

from __future__ import annotations

import json
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

METADATA_KEY = "cnn_course_grade"


class AttachFindings(NbGraderPreprocessor):
    """Store the findings' Spanish messages in ``nb.metadata.cnn_course_grade``."""

    path = Unicode(
        "",
        help="JSON file with {'findings': [message, ...]} written by the grader for this notebook.",
    ).tag(config=True)

    def preprocess(self, nb, resources):
        findings = []
        if self.path and Path(self.path).is_file():
            findings = json.loads(Path(self.path).read_text(encoding="utf-8"))["findings"]
        nb.metadata[METADATA_KEY] = {"findings": findings}
        return nb, resources
