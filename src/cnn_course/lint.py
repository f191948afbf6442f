"""Notebook lint: the parts of the course's style a program can check.

Every source notebook and its committed student version must have

- the title pattern: the first markdown cell (after the release stamp) opens with
  ``# Sesión N · …``, N the assignment's number;
- the course's words: «diapositivas», never «transparencias»; no «época(s)» and no
  «1 épocas» (code formats a count with :func:`cnn_course.fmt.count`, so a number straight
  before «épocas» in a code cell is reported);
- no warnings, errors or stderr stored in its outputs;

and every student version tells the per-cell time limit of the ``grading`` profile, as the
budget table gives it (the release stamp writes it in the runtime story).

``python -m cnn_course.lint`` prints the problems of the course; ``tests/test_notebook_lint.py``
runs the same in CI.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat

from cnn_course import runtime, sessions
from cnn_course.course import COURSE, CourseDirectory
from cnn_course.stamp import STAMP_KEY

_WORDS = (
    (re.compile(r"\btransparencias?\b", re.I), "says «transparencias»: write «diapositivas»"),
    (re.compile(r"época\(s\)", re.I), "says «época(s)»: write «época» or «épocas»"),
    (re.compile(r"(?<![\d.,])1 épocas\b"), "says «1 épocas»: write «1 época»"),
)
# An f-string field right before a plural noun reads «1 épocas» when the count is 1.
_PLURAL_AFTER_FIELD = re.compile(r"\}\s*épocas\b")
_NOISE = re.compile(r"\b\w*warning:|Traceback \(most recent call last\)", re.I)


def _title(nb) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown" and STAMP_KEY not in cell.metadata:
            return cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    return ""


def _output_text(output) -> str:
    if output.get("output_type") == "stream":
        return output.get("text", "")
    if output.get("output_type") == "error":
        return "\n".join(output.get("traceback", [])) or output.get("evalue", "")
    data = output.get("data", {})
    return str(data.get("text/plain", ""))


def lint_notebook(
    path: Path, number: int | None = None, grading_timeout: int | None = None
) -> list[str]:
    """The style problems of one notebook.

    ``number`` is the session's number for the title check (None: not checked);
    ``grading_timeout`` the seconds per cell of the ``grading`` profile that the notebook
    must state (None: not checked, as for a source notebook, which has no runtime story).
    """
    nb = nbformat.read(path, as_version=4)
    problems = []
    if number is not None:
        title = _title(nb)
        if not re.match(rf"^# Sesión {number} · \S", title):
            problems.append(f"{path}: title {title!r} does not start with «# Sesión {number} · »")
    for index, cell in enumerate(nb.cells):
        for pattern, why in _WORDS:
            if pattern.search(cell.source):
                problems.append(f"{path}: cell {index} {why}")
        if cell.cell_type != "code":
            continue
        if _PLURAL_AFTER_FIELD.search(cell.source):
            problems.append(
                f"{path}: cell {index} formats a number before «épocas»: use "
                "fmt.count(n, 'época', 'épocas')"
            )
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            stderr = kind == "stream" and output.get("name") == "stderr"
            if stderr or kind == "error" or _NOISE.search(_output_text(output)):
                problems.append(f"{path}: cell {index} stores a warning, an error or stderr")
                break
    if grading_timeout is not None:
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        if not re.search(rf"cada celda tiene {grading_timeout} s\b", text):
            problems.append(
                f"{path}: does not tell the grading limit «cada celda tiene {grading_timeout} s»"
            )
    return problems


def lint_course(
    assignments: list[str] | None = None, course: CourseDirectory = COURSE
) -> list[str]:
    """The style problems of each assignment's source notebook and committed student version."""
    problems = []
    for aid in assignments or sessions.assignments():
        number = int(aid.split("_", 1)[0])
        limit = runtime.timeout(sessions.by_assignment(aid).key, "grading")
        for source in course.source_notebooks(aid):
            problems += lint_notebook(source, number)
            student = course.release / aid / source.name
            if student.exists():
                problems += lint_notebook(student, number, limit)
            else:
                problems.append(f"{student}: missing (run `cnn-course release`)")
    return problems


def main() -> int:
    """Print the course's style problems; exit status 1 on any."""
    problems = lint_course()
    for problem in problems:
        print(problem, file=sys.stderr)
    print("lint: " + ("OK" if not problems else f"{len(problems)} problems"))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
