"""The course directory: the one owner of the course's paths and of the nbgrader runner.

Like nbgrader's ``CourseDirectory``, one object knows where everything is: the source
folder (TAs' notebooks), the release folder (student notebooks), the submitted /
autograded / feedback steps of a grading course, the nbgrader configuration and the
budget table. Folder names come from ``autograder/nbgrader_config.py`` (their one
declaration); nothing else in the package spells a course path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cnn_course import sessions
from cnn_course._tables import REPO_ROOT, table_path

CONFIG_FILE = Path("autograder") / "nbgrader_config.py"


@cache
def _config(config_file: Path):
    """nbgrader's configuration of the course, parsed once per process."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(config_file.name, path=str(config_file.parent)).load_config()


@dataclass(frozen=True)
class CourseDirectory:
    """Paths of a course rooted at ``root`` (default: this checkout)."""

    root: Path = REPO_ROOT

    # ------------------------------------------------------------------ files
    @property
    def config_file(self) -> Path:
        """The course's nbgrader configuration (always the checkout's: grading courses add to it)."""
        return REPO_ROOT / CONFIG_FILE

    @property
    def budgets_file(self) -> Path:
        return table_path("budgets.toml")

    def config(self):
        """A copy of the course's nbgrader ``Config`` (callers may change the copy)."""
        import copy

        return copy.deepcopy(_config(self.config_file))

    def _folder(self, trait: str, default: str) -> Path:
        value = _config(self.config_file).CourseDirectory.get(trait, default)
        return self.root / value

    # ------------------------------------------------------------------ folders
    @property
    def source(self) -> Path:
        """nbgrader's source folder: the TAs' notebooks (``solutions/``)."""
        return self._folder("source_directory", "source")

    @property
    def release(self) -> Path:
        """nbgrader's release folder: the generated student notebooks (``exercises/``)."""
        return self._folder("release_directory", "release")

    def step(self, step: str, student: str, assignment: str, notebook: str, ext=".ipynb") -> Path:
        """A notebook of a grading course: ``<root>/<step>/<student>/<assignment>/<notebook><ext>``
        for the steps ``submitted``, ``autograded`` and ``feedback``."""
        folder = {
            "submitted": ("submitted_directory", "submitted"),
            "autograded": ("autograded_directory", "autograded"),
            "feedback": ("feedback_directory", "feedback"),
        }[step]
        return self._folder(*folder) / student / assignment / f"{notebook}{ext}"

    # ------------------------------------------------------------------ sessions
    def source_notebook(self, assignment: str) -> Path:
        return self.source / sessions.by_assignment(assignment).notebook

    def release_notebook(self, assignment: str) -> Path:
        return self.release / sessions.by_assignment(assignment).notebook

    def source_notebooks(self, assignment: str | None = None) -> list[Path]:
        """Every source notebook on disk (of one assignment, or all)."""
        pattern = f"{assignment}/*.ipynb" if assignment else "*/*.ipynb"
        return sorted(p for p in self.source.glob(pattern) if ".ipynb_checkpoints" not in p.parts)

    # ------------------------------------------------------------------ nbgrader
    def nbgrader(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """Run one nbgrader app on this course with the course config; raise with its log."""
        cmd = [sys.executable, "-m", "cnn_course._nbgrader", *args]
        cmd.append(f"--CourseDirectory.root={self.root}")
        # nbgrader creates gradebooks by running `alembic`, found on PATH: put this
        # interpreter's scripts first, as an unactivated virtualenv does not.
        path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        # nbgrader reads nbgrader_config.py from its working directory: run it in autograder/.
        proc = subprocess.run(
            cmd,
            capture_output=True,
            text=True,
            cwd=self.config_file.parent,
            env={**os.environ, "PATH": path, **(env or {})},
        )
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader {args[0]} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc


COURSE = CourseDirectory()
"""This checkout's course."""
