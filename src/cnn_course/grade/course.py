"""The temporary nbgrader course that grades one submission: the one owner of its paths."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from cnn_course.course import CourseDirectory
from cnn_course.grade import pipelines

TEMPLATES = Path(__file__).parent / "templates"

FEEDBACK_PREPROCESSORS = pipelines.FEEDBACK


@dataclass(frozen=True)
class GradingCourse:
    """Paths of a one-student nbgrader course under ``root`` (``source/`` stays empty)."""

    root: Path
    assignment: str
    notebook: str
    student: str

    @property
    def gradebook(self) -> Path:
        return self.root / "gradebook.db"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.gradebook}"

    @property
    def directory(self) -> CourseDirectory:
        """nbgrader's view of this course (folders and the nbgrader runner)."""
        return CourseDirectory(self.root)

    def _path(self, step: str, suffix: str = ".ipynb") -> Path:
        return self.directory.step(step, self.student, self.assignment, self.notebook, suffix)

    @property
    def submitted(self) -> Path:
        return self._path("submitted")

    @property
    def autograded(self) -> Path:
        return self._path("autograded")

    @property
    def feedback(self) -> Path:
        return self._path("feedback", ".html")

    @property
    def findings_file(self) -> Path:
        return self.root / "findings.json"

    @property
    def config_file(self) -> Path:
        # nbgrader reads nbgrader_config.py from the course root after the course's
        # own config (autograder/), so this file adds to it without repeating it.
        return self.root / "nbgrader_config.py"

    def create(self, gradebook: bytes, nb: NotebookNode, timeout: int) -> None:
        """Write the assignment's gradebook, the submission and this course's config."""
        (self.root / "source" / self.assignment).mkdir(parents=True, exist_ok=True)
        self.gradebook.write_bytes(gradebook)
        self.submitted.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, self.submitted)
        lines = [
            "c = get_config()  # noqa: F821",
            f"c.CourseDirectory.db_url = {self.db_url!r}",
            # Notebooks come from the gradebook; there are no other files to copy.
            "c.CourseDirectory.source_directory = 'source'",
            f"c.Execute.timeout = {int(timeout)}",
            f"c.GenerateFeedback.preprocessors = {FEEDBACK_PREPROCESSORS!r}",
            # A student may type the hidden-test markers in an answer: strip, never fail.
            "c.ClearHiddenTests.enforce_metadata = False",
            # A kernel that dies or hangs in one cell costs that cell: a fresh one runs the rest.
            # The autograde pipeline of cnn_course.grade.pipelines (RecoverKernel included).
            "from cnn_course.grade import pipelines",
            "c.Autograde.autograde_preprocessors = pipelines.autograde()",
            "c.HTMLExporter.template_name = 'feedback_es'",
            # Second guard behind EscapeOutputs: nbconvert's own sanitizer, no JS outputs.
            "c.HTMLExporter.sanitize_html = True",
            f"c.HTMLExporter.extra_template_basedirs = [{str(TEMPLATES)!r}]",
            f"c.AttachFindings.path = {str(self.findings_file)!r}",
        ]
        self.config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def write_findings(self, messages: list[str]) -> None:
        self.findings_file.write_text(
            json.dumps({"findings": messages}, ensure_ascii=False), encoding="utf-8"
        )

    def reset_gradebook(self, pristine: bytes, scores: dict[str, float]) -> None:
        """Replace the gradebook (the kernel could write it, e.g. a ``manual_score``) with the
        assignment's pristine one, holding this submission with the grader's ``scores`` only."""
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SAWarning

        for suffix in ("", "-journal", "-wal", "-shm"):  # a planted journal would be replayed
            self.gradebook.with_name(self.gradebook.name + suffix).unlink(missing_ok=True)
        self.gradebook.write_bytes(pristine)
        # nbgrader's add_submission trips SQLAlchemy's autoflush warnings (as it does inside
        # `nbgrader autograde`): harmless, and noise in the teacher's terminal.
        with warnings.catch_warnings(), Gradebook(self.db_url) as gb:
            warnings.simplefilter("ignore", SAWarning)
            gb.update_or_create_student(self.student)
            gb.add_submission(self.assignment, self.student)
        self.set_scores(scores)

    def set_scores(self, scores: dict[str, float]) -> None:
        """Put the judged points into this course's gradebook (what the feedback shows)."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gb:
            for gid, score in scores.items():
                try:
                    grade = gb.find_grade(gid, self.notebook, self.assignment, self.student)
                except Exception:  # a cell nbgrader did not grade: nothing to show
                    continue
                grade.auto_score = score
            gb.db.commit()

    def scores(self) -> dict[str, float]:
        """Points of each grade cell as the gradebook holds them ({} if nbgrader saved none)."""
        from nbgrader.api import Gradebook, MissingEntry

        with Gradebook(self.db_url) as gb:
            try:
                sub = gb.find_submission_notebook(self.notebook, self.assignment, self.student)
            except MissingEntry:
                return {}
            # auto_score: what autograde wrote (a manual_score can only come from the kernel).
            return {g.name: float(g.auto_score or 0.0) for g in sub.grades}
