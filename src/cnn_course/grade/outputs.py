"""The output folder of a graded class: the one owner of every file ``cnn-course grade`` writes.

:data:`WRITERS` is the one list of outputs, in the order they are written; a new format is
one more :class:`Writer`. :meth:`OutputFolder.write` writes them all (or some, after the
teacher's hand-graded marks), :meth:`OutputFolder.clean` removes what an earlier run left,
and :meth:`OutputFolder.names` is what the command tells the teacher it wrote.
"""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cnn_course.grade.jobs import AssignmentPack, Result

FEEDBACK_DIR = "feedback"
"""One HTML page per student: ``feedback/<student>.html``."""
LOGS_DIR = "logs"
"""nbgrader's own log per student, for a submission the teacher wants to look into."""
RESULTS = "results.json"
GRADEBOOK = "gradebook.db"


@dataclass
class GradedClass:
    """What the writers write: a graded class."""

    assignment: str
    results: list[Result]
    grade_ids: list[str]
    pack: AssignmentPack | None = None
    """the assignment's pack (needed to build the class gradebook)"""
    seconds: float = 0.0
    workers: int = 0


@dataclass(frozen=True)
class Writer:
    """One output: the names it owns in the folder and how it is written."""

    names: tuple[str, ...]
    write: Callable[[OutputFolder, GradedClass], None]


class OutputFolder:
    """``root`` as the grader fills it."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, name: str) -> Path:
        return self.root / name

    def feedback(self, student: str) -> Path:
        return self.root / FEEDBACK_DIR / f"{student}.html"

    def names(self) -> list[str]:
        """Every name an output owns, in writing order."""
        return [n for w in WRITERS for n in w.names]

    def clean(self) -> None:
        """Remove what an earlier run wrote (only names of :data:`WRITERS`)."""
        for name in self.names():
            path = self.path(name)
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)

    def write(self, graded: GradedClass, only: tuple[str, ...] = ()) -> None:
        """Write every output (or those owning a name in ``only``), in :data:`WRITERS` order."""
        self.root.mkdir(parents=True, exist_ok=True)
        for writer in WRITERS:
            if not only or set(writer.names) & set(only):
                writer.write(self, graded)


# ---------------------------------------------------------------- the writers


def _pages(folder: OutputFolder, graded: GradedClass) -> None:
    folder.path(FEEDBACK_DIR).mkdir(exist_ok=True)
    folder.path(LOGS_DIR).mkdir(exist_ok=True)
    for r in graded.results:
        folder.feedback(r.student).write_text(r.feedback_html, encoding="utf-8")
        if r.log:
            (folder.path(LOGS_DIR) / f"{r.student}.log").write_text(r.log, encoding="utf-8")


def _grades(folder: OutputFolder, graded: GradedClass) -> None:
    from cnn_course.grade import report

    report.write_grades_csv(folder.path("grades.csv"), graded.results, graded.grade_ids)


def _results(folder: OutputFolder, graded: GradedClass) -> None:
    from cnn_course.grade import report

    report.write_results_json(folder.path(RESULTS), graded.results)


def _gradebook(folder: OutputFolder, graded: GradedClass) -> None:
    if graded.pack is not None:
        merge_gradebook(graded.pack, graded.results, folder.path(GRADEBOOK))


def _export(folder: OutputFolder, graded: GradedClass) -> None:
    if folder.path(GRADEBOOK).exists():
        export_gradebook(folder.path(GRADEBOOK), folder.path("nbgrader_grades.csv"))


def _report_md(folder: OutputFolder, graded: GradedClass) -> None:
    from cnn_course.grade import report

    report.write_report(
        folder.path("informe.md"), graded.assignment, graded.results, graded.seconds, graded.workers
    )


def _report_html(folder: OutputFolder, graded: GradedClass) -> None:
    from cnn_course.grade import report_html

    report_html.write_html_report(
        folder.path("informe.html"),
        graded.assignment,
        graded.results,
        graded.seconds,
        graded.workers,
    )


def _leaderboard(folder: OutputFolder, graded: GradedClass) -> None:
    from cnn_course.grade import leaderboard

    leaderboard.write_from_results(folder.root, graded.assignment, graded.results)


WRITERS = [
    Writer((FEEDBACK_DIR, LOGS_DIR), _pages),
    Writer(("grades.csv",), _grades),
    Writer((RESULTS,), _results),
    Writer((GRADEBOOK,), _gradebook),
    Writer(("nbgrader_grades.csv",), _export),
    Writer(("informe.md",), _report_md),
    Writer(("informe.html",), _report_html),
    Writer(("leaderboard.csv", "leaderboard.html"), _leaderboard),
]
"""Every output of a graded class, in writing order (the export reads the gradebook)."""


# ---------------------------------------------------------------- the class gradebook


def merge_gradebook(pack: AssignmentPack, results: list[Result], path: Path) -> None:
    """One nbgrader gradebook for the class: the assignment plus every student's grades."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    path.unlink(missing_ok=True)
    path.write_bytes(pack.gradebook)
    # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warnings
    # (it does the same inside `nbgrader autograde`): harmless, and noise here.
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{path}") as gb:
        warnings.simplefilter("ignore", SAWarning)
        for r in results:
            gb.update_or_create_student(r.student)
            gb.update_or_create_submission(pack.assignment, r.student)
            pending = set(r.pending)
            for gid, score in r.scores.items():
                grade = gb.find_grade(gid, pack.notebook, pack.assignment, r.student)
                if gid in pack.manual:
                    # Hand-graded: the teacher's points (formgrader or --manual CSV) or pending.
                    grade.auto_score = None
                    grade.manual_score = None if gid in pending else score
                    grade.needs_manual_grade = gid in pending
                else:
                    grade.auto_score = score
                    grade.needs_manual_grade = False
            gb.db.commit()


def export_gradebook(db: Path, csv_path: Path) -> None:
    """nbgrader's own CSV export of the merged gradebook."""
    from cnn_course.course import CourseDirectory

    with tempfile.TemporaryDirectory() as tmp:
        CourseDirectory(Path(tmp)).nbgrader(
            "export",
            f"--CourseDirectory.db_url=sqlite:///{Path(db).resolve()}",
            f"--CsvExportPlugin.to={Path(csv_path).resolve()}",
        )
