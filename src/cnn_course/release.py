"""Student versions of the source notebooks: nbgrader generate_assignment plus a Colab stamp.

``solutions/`` is nbgrader's source directory and ``exercises/`` its release
directory (see ``autograder/nbgrader_config.py``). This module runs nbgrader's own
app; the only course-specific step is :class:`StampColab`, wired in by that config.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from cnn_course import runtime
from cnn_course._tables import REPO_ROOT

CONFIG = REPO_ROOT / "autograder" / "nbgrader_config.py"
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
        "exercises", help="Folder of the student notebooks inside the repository."
    ).tag(config=True)

    def preprocess(self, nb, resources):
        repo = self.repository or repository_url()
        slug = repo.removeprefix("https://github.com/").rstrip("/")
        info = resources["nbgrader"]
        path = f"{self.release_path}/{info['assignment']}/{info['notebook']}.ipynb"
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


def assignment_ids() -> list[str]:
    """nbgrader assignment ids (folders of solutions/) of every session in the budget table."""
    return [runtime.session_info(s)["notebook"].split("/")[0] for s in runtime.sessions()]


def session_of(assignment_id: str) -> str:
    """The session key of an assignment id such as ``02_mnist``."""
    for session in runtime.sessions():
        if runtime.session_info(session)["notebook"].split("/")[0] == assignment_id:
            return session
    raise ValueError(
        f"Unknown assignment {assignment_id!r}; valid assignments: {', '.join(assignment_ids())}."
    )


def nbgrader(
    *args: str, root: Path = REPO_ROOT, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run one nbgrader app with the course config; raise with its log on failure."""
    cmd = [
        sys.executable,
        "-m",
        "nbgrader",
        *args,
        f"--CourseDirectory.root={root}",
    ]
    # nbgrader creates gradebooks by running `alembic`, found on PATH: put this
    # interpreter's scripts first, as an unactivated virtualenv does not.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    # nbgrader reads nbgrader_config.py from its working directory: run it in autograder/.
    proc = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        cwd=CONFIG.parent,
        env={**os.environ, "PATH": path, **(env or {})},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"nbgrader {args[0]} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def release(
    assignments: list[str] | None = None, dest: Path | None = None, db_url: str | None = None
) -> list[Path]:
    """Regenerate the student notebooks of ``assignments`` (default: all) into ``dest``.

    ``dest`` defaults to ``exercises/``; ``db_url`` is the gradebook that records the
    released cells (default: a throw-away one, since the repository keeps no gradebook).
    """
    assignments = assignments or assignment_ids()
    dest = Path(dest or REPO_ROOT / "exercises").resolve()
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        db = db_url or f"sqlite:///{Path(tmp) / 'gradebook.db'}"
        for aid in assignments:
            session_of(aid)  # reject unknown ids with the list of valid ones
            nbgrader(
                "generate_assignment",
                aid,
                "--force",
                f"--CourseDirectory.release_directory={dest}",
                f"--CourseDirectory.db_url={db}",
            )
            written += sorted((dest / aid).glob("*.ipynb"))
    return written


# Fields that change from run to run or machine to machine and say nothing of content.
_VOLATILE_METADATA = ("language_info", "widgets")


def normalised(path: Path) -> str:
    """A notebook as canonical JSON without volatile fields, for comparing releases."""
    nb = nbformat.read(path, as_version=4)
    for key in _VOLATILE_METADATA:
        nb.metadata.pop(key, None)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False)


def compare_releases(expected: Path, actual: Path) -> list[str]:
    """Differences between two release folders: missing, extra or changed notebooks."""
    exp = {
        p.relative_to(expected)
        for p in expected.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    }
    act = {
        p.relative_to(actual)
        for p in actual.rglob("*.ipynb")
        if ".ipynb_checkpoints" not in p.parts
    }
    problems = [f"missing from {actual}: {p}" for p in sorted(exp - act)]
    problems += [f"not generated from solutions/: {p}" for p in sorted(act - exp)]
    problems += [
        f"differs from a fresh release: {p}"
        for p in sorted(exp & act)
        if normalised(expected / p) != normalised(actual / p)
    ]
    return problems
