"""A new session is a source notebook, a checks package and rows in the budget table.

In a temporary copy of the course, this test adds a throwaway session (files under
tests/files/new_session/) and proves that release, validation both ways and grading
work for it with no other edit: the registry, the messages and the grader find it
from the budget table alone.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from cnn_course.course import COURSE

pytestmark = pytest.mark.notebook

FILES = Path(__file__).parent / "files" / "new_session"
COPIED = ("src", "autograder", "datasets", "solutions", "exercises", "pyproject.toml", "README.md")


def _cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(course / "src")}
    return subprocess.run(
        [sys.executable, "-m", "cnn_course.cli", *args],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """The course copied, plus the throwaway session: notebook, checks package, budget rows."""
    root = tmp_path_factory.mktemp("course")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints")
    for name in COPIED:
        src = COURSE.root / name
        if src.is_dir():
            shutil.copytree(src, root / name, ignore=ignore)
        else:
            shutil.copy2(src, root / name)
    (root / "solutions" / "00_tiny").mkdir()
    shutil.copy2(FILES / "tiny.ipynb", root / "solutions" / "00_tiny" / "tiny.ipynb")
    package = root / "src" / "cnn_course" / "checks" / "tiny"
    package.mkdir()
    shutil.copy2(FILES / "checks_init.py", package / "__init__.py")
    shutil.copy2(FILES / "checks_messages.py", package / "messages.py")
    budgets = root / "autograder" / "budgets.toml"
    budgets.write_text(budgets.read_text() + (FILES / "budgets_rows.toml").read_text())
    return root


def test_the_copy_imports_its_own_package(course):
    """The commands below run the copy's package, which knows the new session."""
    proc = _cli(course, "budgets", "tiny")
    assert proc.returncode == 0, proc.stderr
    assert "tiny" in proc.stdout and "trains nothing" in proc.stdout
    env = {**os.environ, "PYTHONPATH": str(course / "src")}
    probe = "import cnn_course; print(cnn_course.__file__)"
    proc = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True)
    assert proc.stdout.strip().startswith(str(course))


def test_release_validate_and_grade_the_new_session(course, tmp_path):
    """Release writes the student version; validate passes both ways; grading scores it."""
    proc = _cli(course, "release", "00_tiny")
    assert proc.returncode == 0, proc.stderr
    student = course / "exercises" / "00_tiny" / "tiny.ipynb"
    assert student.is_file()

    proc = _cli(course, "validate", "00_tiny")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "validation: OK" in proc.stdout

    blank = nbformat.read(student, as_version=4)
    done = nbformat.read(student, as_version=4)
    for cell in done.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = cell.source.replace(
                "# TU CÓDIGO AQUÍ\n    raise NotImplementedError()", "return x * x"
            ).replace("ESCRIBE AQUÍ TU RESPUESTA", "Multiplica el número por sí mismo.")
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(blank, subs / "blanca.ipynb")
    nbformat.write(done, subs / "completa.ipynb")
    out = tmp_path / "out"
    proc = _cli(course, "grade", str(subs), "--assignment", "00_tiny", "--out", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "grades.csv", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert float(rows["completa"]["total"]) == 2
    assert float(rows["blanca"]["total"]) == 0

    # The hand-graded answer stays pending, with the student's text, until the teacher
    # merges a CSV of marks; the autograde does not run again.
    results = {r["student"]: r for r in json.loads((out / "results.json").read_text())}
    assert [m["grade_id"] for m in results["completa"]["manual"]] == ["why-square"]
    assert "sí mismo" in results["completa"]["manual"][0]["answer"]
    marks = tmp_path / "marks.csv"
    marks.write_text("student,grade_id,points\ncompleta,why-square,1\n")
    proc = _cli(course, "manual", str(out), str(marks))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    with open(out / "grades.csv", encoding="utf-8") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert float(rows["completa"]["total"]) == 3 and float(rows["blanca"]["total"]) == 0
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}") as gb:
        done = gb.find_grade("why-square", "tiny", "00_tiny", "completa")
        waiting = gb.find_grade("why-square", "tiny", "00_tiny", "blanca")
        assert (done.score, done.needs_manual_grade) == (1, False)
        assert waiting.needs_manual_grade
    # A mark above the cell's points, or for an answer that is not pending, is refused.
    marks.write_text("student,grade_id,points\nblanca,why-square,5\n")
    proc = _cli(course, "manual", str(out), str(marks))
    assert proc.returncode != 0 and "between 0 and 1" in proc.stderr
    marks.write_text("student,grade_id,points\ncompleta,test-square,2\n")
    proc = _cli(course, "manual", str(out), str(marks))
    assert proc.returncode != 0 and "not a pending hand-graded answer" in proc.stderr


def test_a_session_row_without_its_checks_package_is_a_clear_error(course, tmp_path):
    """A row that names a checks package that does not exist fails at the first check."""
    budgets = course / "autograder" / "budgets.toml"
    saved = budgets.read_text()
    try:
        budgets.write_text(saved.replace('checks = "tiny"', 'checks = "no_such_package"'))
        proc = _cli(course, "budgets", "tiny")
        assert proc.returncode == 0  # the table itself is readable
        env = {**os.environ, "PYTHONPATH": str(course / "src")}
        probe = "from cnn_course import sessions; sessions.checks('tiny')"
        proc = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, text=True, cwd=course
        )
        assert proc.returncode != 0
        assert "cnn_course.checks.no_such_package" in proc.stderr
    finally:
        budgets.write_text(saved)
