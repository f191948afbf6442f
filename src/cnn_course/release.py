"""Student versions of the source notebooks: nbgrader generate_assignment plus a Colab stamp.

The course's source folder is nbgrader's source directory and its release folder
the release directory (see :class:`cnn_course.course.CourseDirectory`). This module runs nbgrader's own
app; the only course-specific step is :class:`StampColab`, wired in by that config.
"""

from __future__ import annotations

import tempfile
from importlib import metadata
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from cnn_course import sessions
from cnn_course.course import COURSE, CourseDirectory

STAMP_KEY = "cnn_course"


def repository_url() -> str:
    """The repository URL, configured once in pyproject.toml ([project.urls] Repository)."""
    for entry in metadata.metadata("cnn-course").get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip() == "Repository":
            return url.strip()
    raise RuntimeError("pyproject.toml lacks [project.urls] Repository")


SETUP_CELL = """\
# Configuración del entorno (celda generada por `cnn-course release`; no la edites).
# En Colab instala el paquete del curso; en Jupyter local ya debe estar instalado.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "cnn-course @ git+{repo}@{branch}"],
        check=True,
    )

from cnn_course import runtime

print(runtime.describe())"""

BADGE_CELL = (
    "[![Abrir en Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
    "(https://colab.research.google.com/github/{slug}/blob/{branch}/{path})\n\n"
    "Si usas Colab, elige *Entorno de ejecución → Cambiar tipo de entorno → GPU* "
    "antes de empezar: la primera celda detecta el perfil (GPU o CPU) y ajusta el presupuesto."
)


class StampColab(NbGraderPreprocessor):
    """Put an 'Open in Colab' badge and a setup cell at the top of a student notebook."""

    repository = Unicode(help="Repository URL (default: pyproject.toml's Repository).").tag(
        config=True
    )
    branch = Unicode("main", help="Branch the badge and the install point at.").tag(config=True)
    release_path = Unicode(
        "", help="Folder of the student notebooks inside the repository (default: the course's)."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        repo = self.repository or repository_url()
        slug = repo.removeprefix("https://github.com/").rstrip("/")
        info = resources["nbgrader"]
        folder = self.release_path or COURSE.release.relative_to(COURSE.root).as_posix()
        path = f"{folder}/{info['assignment']}/{info['notebook']}.ipynb"
        # Idempotent: a notebook stamped before is re-stamped, never stamped twice.
        nb.cells = [c for c in nb.cells if STAMP_KEY not in c.metadata]
        badge = nbformat.v4.new_markdown_cell(
            BADGE_CELL.format(slug=slug, branch=self.branch, path=path)
        )
        setup = nbformat.v4.new_code_cell(SETUP_CELL.format(repo=repo, branch=self.branch))
        for cell, name in ((badge, "colab-badge"), (setup, "colab-setup")):
            cell.metadata[STAMP_KEY] = {"stamp": name}
            cell["id"] = name
        nb.cells[0:0] = [badge, setup]
        return nb, resources


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
