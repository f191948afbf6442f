"""Student versions of the source notebooks: nbgrader generate_assignment plus a Colab stamp.

The course's source folder is nbgrader's source directory and its release folder
the release directory (see :class:`cnn_course.course.CourseDirectory`). This module runs nbgrader's own
app; the only course-specific step is :class:`cnn_course.stamp.StampColab`, wired in by
that config.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from cnn_course import sessions
from cnn_course.course import COURSE, CourseDirectory


def release(
    assignments: list[str] | None = None,
    dest: Path | None = None,
    db_url: str | None = None,
    course: CourseDirectory = COURSE,
) -> list[Path]:
    """Regenerate the student notebooks of ``assignments`` (default: all) into ``dest``.

    ``dest`` defaults to the course's release folder; ``db_url`` is the gradebook that
    records the released cells (default: a throw-away one, since the repository keeps
    no gradebook).
    """
    assignments = assignments or sessions.assignments()
    dest = Path(dest or course.release).resolve()
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        db = db_url or f"sqlite:///{Path(tmp) / 'gradebook.db'}"
        for aid in assignments:
            sessions.by_assignment(aid)  # reject unknown ids with the list of valid ones
            course.nbgrader(
                "generate_assignment",
                aid,
                "--force",
                f"--CourseDirectory.release_directory={dest}",
                f"--CourseDirectory.db_url={db}",
            )
            written += sorted((dest / aid).glob("*.ipynb"))
    return written


def main_release(assignments: list[str] | None = None, dest: Path | None = None) -> int:
    """``cnn-course release``: regenerate and list the student notebooks."""
    for path in release(assignments, dest=dest):
        print(f"wrote {path}")
    return 0
