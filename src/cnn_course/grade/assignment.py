"""The assignment side of a batch: release, pristine gradebook and points, built once."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import nbformat

from cnn_course.course import COURSE, CourseDirectory
from cnn_course.grade.cells import grade_id
from cnn_course.grade.jobs import AssignmentPack


def _fingerprint(assignment: str, course: CourseDirectory) -> str:
    """Hash of what generate_assignment reads: the source folder and the course config."""
    h = hashlib.sha256()
    for path in sorted((course.source / assignment).rglob("*")):
        if path.is_file() and ".ipynb_checkpoints" not in path.parts:
            h.update(str(path.relative_to(course.root)).encode())
            h.update(path.read_bytes())
    h.update(course.config_file.read_bytes())
    return h.hexdigest()[:16]


def other_assignments(assignment: str, course: CourseDirectory = COURSE) -> dict[str, list[str]]:
    """Grade ids of the course's other source notebooks, read without nbgrader."""
    found = {}
    for path in course.source_notebooks():
        if path.parent.name == assignment:
            continue
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # another engineer's half-written notebook must not stop grading
            continue
        found[path.parent.name] = [g for g in map(grade_id, nb.cells) if g]
    return found


def build_pack(assignment: str, cache: Path, course: CourseDirectory = COURSE) -> AssignmentPack:
    """Generate the assignment once into ``cache`` (reused while the sources are unchanged)."""
    cache = Path(cache).resolve()
    where = cache / f"{assignment}-{_fingerprint(assignment, course)}"
    db = where / "gradebook.db"
    released = where / "release" / assignment
    if not (db.exists() and (where / "done").exists()):
        shutil.rmtree(where, ignore_errors=True)
        where.mkdir(parents=True)
        course.nbgrader(
            "generate_assignment",
            assignment,
            "--force",
            f"--CourseDirectory.release_directory={where / 'release'}",
            f"--CourseDirectory.db_url=sqlite:///{db}",
        )
        (where / "done").write_text("ok\n")
    notebooks = sorted(released.glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(
            f"Assignment {assignment!r} must have exactly one notebook (found {len(notebooks)})."
        )
    rel = nbformat.read(notebooks[0], as_version=4)
    points = {
        c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
        for c in rel.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    # nbgrader grades by hand the answer cells that are graded (solution and grade).
    manual = tuple(
        c.metadata["nbgrader"]["grade_id"]
        for c in rel.cells
        if c.metadata.get("nbgrader", {}).get("grade") and c.metadata["nbgrader"].get("solution")
    )
    return AssignmentPack(
        assignment=assignment,
        notebook=notebooks[0].stem,
        release=json.dumps(rel),
        gradebook=db.read_bytes(),
        points=points,
        other_assignments=other_assignments(assignment, course),
        manual=manual,
    )
