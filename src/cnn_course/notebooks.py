"""Consistency checks on the course notebooks: validation both ways, leaks, clean storage."""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
from traitlets.config import Config
from traitlets.config.loader import PyFileConfigLoader

from cnn_course import runtime
from cnn_course.release import CONFIG, session_of

_REGION = re.compile(
    r"^[ \t]*### BEGIN (SOLUTION|HIDDEN TESTS)[^\n]*\n(.*?)^[ \t]*### END \1", re.M | re.S
)
# Lines too generic to count as leaked solution text even if they appear in both.
_MIN_LEAK_CHARS = 12


def course_config(profile: str, session: str) -> Config:
    """The course's nbgrader config with the execution timeout of ``session`` under ``profile``."""
    cfg = PyFileConfigLoader(CONFIG.name, path=str(CONFIG.parent)).load_config()
    cfg.Execute.timeout = runtime.budget(session, profile).timeout
    return cfg


def validate(path: Path, invert: bool = False, profile: str = "ci") -> dict:
    """Run ``nbgrader validate`` (``--invert`` with ``invert``) on one notebook.

    Returns nbgrader's result: ``{}`` when every grade cell passes (or, inverted,
    fails); otherwise lists under ``failed``, ``passed`` or ``changed``.
    """
    from nbgrader.validator import Validator

    path = Path(path).resolve()
    cfg = course_config(profile, session_of(path.parent.name))
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
