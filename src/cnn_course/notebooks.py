"""Consistency checks on the course notebooks: release up to date, validation both ways,
no leaks, clean storage."""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from traitlets.config import Config

from cnn_course import runtime, sessions
from cnn_course.course import COURSE, CourseDirectory

_REGION = re.compile(
    r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)[^\n]*\n(.*?)^[ \t]*### END \1", re.M | re.S
)
# Lines too generic to count as leaked solution text even if they appear in both.
_MIN_LEAK_CHARS = 12


def course_config(profile: str, session: str) -> Config:
    """The course's nbgrader config with the execution timeout of ``session`` under ``profile``."""
    cfg = COURSE.config()
    cfg.Execute.timeout = runtime.timeout(session, profile)
    return cfg


def validate(path: Path, invert: bool = False, profile: str = "ci") -> dict:
    """Run ``nbgrader validate`` (``--invert`` with ``invert``) on one notebook.

    Returns nbgrader's result: ``{}`` when every grade cell passes (or, inverted,
    fails); otherwise lists under ``failed``, ``passed`` or ``changed``.
    """
    from nbgrader.validator import Validator

    path = Path(path).resolve()
    cfg = course_config(profile, sessions.by_assignment(path.parent.name).key)
    cfg.Validator.invert = invert
    old = os.environ.get(runtime.PROFILE_ENV)
    os.environ[runtime.PROFILE_ENV] = profile  # the kernel inherits this environment
    try:
        return Validator(config=cfg).validate(str(path))
    finally:
        if old is None:
            os.environ.pop(runtime.PROFILE_ENV, None)
        else:
            os.environ[runtime.PROFILE_ENV] = old


def _regions(source: str) -> list[str]:
    return [m.group(2) for m in _REGION.finditer(source)]


def solution_leaks(source_nb: Path, student_nb: Path) -> list[str]:
    """Lines of solution or hidden-test code from ``source_nb`` that appear in ``student_nb``."""
    src = nbformat.read(source_nb, as_version=4)
    student = nbformat.read(student_nb, as_version=4)
    secret, public = set(), set()
    for cell in src.cells:
        hidden = _regions(cell.source)
        secret.update(ln.strip() for block in hidden for ln in block.splitlines())
        outside = _REGION.sub("", cell.source)
        public.update(ln.strip() for ln in outside.splitlines())
    # A line that also appears outside any solution region is shown to students anyway.
    secret = {ln for ln in secret - public if len(ln) >= _MIN_LEAK_CHARS}
    seen = {ln.strip() for cell in student.cells for ln in cell.source.splitlines()}
    return sorted(secret & seen)


def dirty_cells(path: Path) -> list[int]:
    """Indices of code cells stored with outputs or execution counts."""
    nb = nbformat.read(path, as_version=4)
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


# Fields that change from run to run or machine to machine and say nothing of content.
_VOLATILE_METADATA = ("language_info", "widgets")


def normalised(path: Path) -> str:
    """A notebook as canonical JSON without volatile fields, for comparing releases."""
    nb = nbformat.read(path, as_version=4)
    for key in _VOLATILE_METADATA:
        nb.metadata.pop(key, None)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)


def _notebooks(folder: Path) -> set[Path]:
    return {
        p.relative_to(folder)
        for p in folder.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    }


def compare_releases(expected: Path, actual: Path) -> list[str]:
    """Differences between two release folders: missing, extra or changed notebooks."""
    exp, act = _notebooks(expected), _notebooks(actual)
    problems = [f"missing from {actual}: {p}" for p in sorted(exp - act)]
    problems += [f"not generated from the sources: {p}" for p in sorted(act - exp)]
    problems += [
        f"differs from a fresh release: {p}"
        for p in sorted(exp & act)
        if normalised(expected / p) != normalised(actual / p)
    ]
    return problems


def _validate_both_ways(source: Path, student: Path, profile: str, root: Path) -> list[str]:
    problems = []
    for path, invert in ((source, False), (student, True)):
        if not path.exists():
            continue
        start = time.perf_counter()
        result = validate(path, invert=invert, profile=profile)
        took = time.perf_counter() - start
        mode = "--invert " if invert else ""
        verdict = "OK" if not result else "FAIL"
        print(f"nbgrader validate {mode}{path.relative_to(root)}: {verdict} ({took:.0f} s)")
        for kind, cells in result.items():
            for cell in cells:
                first = cell.get("source", "").splitlines()[:1]
                problems.append(f"{path}: {kind} cell {first} {cell.get('raw_error', '')[-400:]}")
    return problems


def judged_cell_problems(source: Path, assignment: str) -> list[str]:
    """The notebook's test cells against its session's judged cells (``grading.CELLS``):
    a test cell the judge does not know would get nbgrader's pass for a record that never
    fails (free points); a judged cell with no test cell is dead code."""
    from cnn_course.grade.judge import grading_module

    module = grading_module(sessions.by_assignment(assignment).key)
    if module is None:
        return []
    nb = nbformat.read(source, as_version=4)
    tests = {
        c.metadata["nbgrader"]["grade_id"]
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade")
        and not c.metadata["nbgrader"].get("solution")
    }
    judged = set(module.CELLS)
    problems = [
        f"{source}: test cell «{g}» is not judged (add it to CELLS)" for g in tests - judged
    ]
    problems += [f"{source}: CELLS judges «{g}», which no test cell has" for g in judged - tests]
    return sorted(problems)


def check_course(
    assignments: list[str] | None = None,
    profile: str = "ci",
    execute: bool = True,
    course: CourseDirectory = COURSE,
) -> list[str]:
    """What CI proves of each assignment: the committed release equals a fresh one, sources
    are stored without outputs, no solution line leaks, every test cell is judged out of the
    kernel (:func:`judged_cell_problems`), and (with ``execute``) the source
    passes ``nbgrader validate`` while the student version fails it. Returns the problems."""
    from cnn_course import release

    aids = assignments or sessions.assignments()
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp) / "release"
        release.release(aids, dest=fresh, course=course)
        for aid in aids:
            committed = course.release / aid
            problems += [f"{aid}: {p}" for p in compare_releases(fresh / aid, committed)]
            for source in course.source_notebooks(aid):
                student = committed / source.name
                problems += judged_cell_problems(source, aid)
                if dirty_cells(source):
                    problems.append(f"{source}: stored with outputs or execution counts")
                if student.exists():
                    leaks = solution_leaks(source, student)
                    problems += [f"{student}: leaks «{ln}»" for ln in leaks]
                if execute:
                    problems += _validate_both_ways(source, student, profile, course.root)
    return problems


def main_validate(assignments: list[str] | None, profile: str, execute: bool) -> int:
    """``cnn-course validate``: print the problems and a verdict; exit status 1 on any."""
    problems = check_course(assignments, profile, execute)
    for p in problems:
        print(p, file=sys.stderr)
    print("validation: " + ("OK" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0
