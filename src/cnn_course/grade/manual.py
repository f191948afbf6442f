"""Hand-graded points merged into a graded class, without running the autograde again.

``cnn-course grade`` leaves every hand-graded answer pending (nbgrader's
``needs_manual_grade``) and lists it, with the student's text, in the report. The
teacher writes the points in a CSV (``student,grade_id,points``) and
``cnn-course manual OUT MARKS.csv`` puts them into ``OUT``: gradebook, grades.csv,
results.json and the report. (nbgrader's formgrader on ``OUT/gradebook.db`` is the
other way in; either way the autograded points are untouched.)
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from cnn_course.grade.findings import Finding
from cnn_course.grade.jobs import Result


def read_marks(path: Path) -> list[tuple[str, str, float]]:
    """Rows ``(student, grade_id, points)`` of the teacher's CSV, with clear errors."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        need = {"student", "grade_id", "points"}
        if not reader.fieldnames or not need <= {h.strip() for h in reader.fieldnames}:
            raise ValueError(f"{path}: the header must have the columns student, grade_id, points.")
        rows = []
        for line, row in enumerate(reader, start=2):
            row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
            try:
                points = float(row["points"].replace(",", "."))
            except ValueError:
                raise ValueError(
                    f"{path}:{line}: points must be a number (got {row['points']!r})."
                ) from None
            rows.append((row["student"], row["grade_id"], points))
    return rows


def load_results(out: Path) -> list[Result]:
    """The class as ``cnn-course grade`` left it in ``out/results.json``."""
    from cnn_course.grade.outputs import RESULTS

    path = Path(out) / RESULTS
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: run `cnn-course grade ... --out {out}` first.")
    results = []
    for d in json.loads(path.read_text(encoding="utf-8")):
        results.append(
            Result(
                d["student"],
                d["file"],
                {k: float(v) for k, v in d["scores"].items()},
                {k: float(v) for k, v in d["max_scores"].items()},
                [Finding(**f) for f in d["findings"]],
                "",
                d["status"],
                manual=list(d.get("manual", [])),
                isolated=d.get("isolated", True),
                bounded=d.get("bounded", True),
            )
        )
    return results


def apply_marks(results: list[Result], marks: list[tuple[str, str, float]]) -> list[tuple]:
    """Put each mark on its pending answer; every mistake in the CSV is an error, not a skip."""
    by_student = {r.student: r for r in results}
    applied = []
    for student, gid, points in marks:
        r = by_student.get(student)
        if r is None:
            raise ValueError(f"Unknown student {student!r} in the marks (not in results.json).")
        entry = next((m for m in r.manual if m["grade_id"] == gid), None)
        if entry is None:
            pending = ", ".join(r.pending) or "none"
            raise ValueError(f"{student}: {gid!r} is not a pending hand-graded answer ({pending}).")
        top = float(entry["max_points"])
        if not 0 <= points <= top:
            raise ValueError(
                f"{student} {gid}: points must be between 0 and {top:g} (got {points:g})."
            )
        r.scores[gid] = points
        r.manual.remove(entry)
        applied.append((student, gid, points))
    return applied


def write_gradebook_marks(db: Path, assignment: str, notebook: str, applied: list[tuple]) -> None:
    """The teacher's points as nbgrader manual scores."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(db).resolve()}") as gb:
        for student, gid, points in applied:
            grade = gb.find_grade(gid, notebook, assignment, student)
            grade.manual_score = points
            grade.needs_manual_grade = False
        gb.db.commit()


def main(out: Path, marks_csv: Path) -> int:
    """``cnn-course manual OUT MARKS.csv``."""
    from nbgrader.api import Gradebook

    from cnn_course.grade.outputs import GRADEBOOK, GradedClass, OutputFolder

    folder = OutputFolder(Path(out).resolve())
    results = load_results(folder.root)
    applied = apply_marks(results, read_marks(marks_csv))
    with Gradebook(f"sqlite:///{folder.path(GRADEBOOK)}") as gb:
        assignment = gb.assignments[0]
        assignment_id, notebook = assignment.name, assignment.notebooks[0].name
    write_gradebook_marks(folder.path(GRADEBOOK), assignment_id, notebook, applied)
    grade_ids = list(results[0].max_scores) if results else []
    # The gradebook now holds the marks: every other output is written again from it.
    rewritten = ("nbgrader_grades.csv", "grades.csv", "results.json", "informe.md", "informe.html")
    folder.write(GradedClass(assignment_id, results, grade_ids), only=rewritten)
    pending = sum(len(r.manual) for r in results)
    print(
        f"{len(applied)} hand-graded marks merged into {folder.root}; "
        f"{pending} answers still pending."
    )
    return 0
