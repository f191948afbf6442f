"""What `cnn-course release` adds to every student notebook, generated from one setting each.

- a Colab badge and the runtime story (profile, measured cost, grading profile), from
  the budget table;
- the setup cell, which installs the course package pinned to the course's public
  repository and ref (``c.StampColab.repository`` / ``c.StampColab.ref`` in
  ``autograder/nbgrader_config.py``: a tag or a commit, never a branch);
- the closing «Cómo entregar» section, matching what ``cnn-course grade`` accepts.
"""

from __future__ import annotations

import re

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode, validate

from cnn_course import runtime, sessions
from cnn_course.course import COURSE
from cnn_course.fmt import count, number

STAMP_KEY = "cnn_course"
_BRANCHES = {"main", "master", "head", "develop", "dev", "trunk", "gh-pages"}
_REF = re.compile(r"^(v?\d+(\.\d+)*([-+.][0-9A-Za-z.-]+)?|[0-9a-f]{7,40})$")

SETUP_CELL = """\
# Configuración del entorno (celda generada por `cnn-course release`; no la edites).
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # sin los avisos de arranque de TensorFlow
PAQUETE = "cnn-course @ git+{repo}@{ref}"

if "google.colab" in sys.modules:
    # Instala solo el paquete del curso: la TensorFlow y la Keras de Colab no se tocan.
    proceso = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", PAQUETE], capture_output=True, text=True
    )
    if proceso.returncode != 0:
        print(proceso.stderr[-3000:])
        raise SystemExit(
            "No se pudo instalar el paquete del curso ({ref}). Comprueba que hay conexión, "
            "ejecuta «Entorno de ejecución → Reiniciar sesión» y vuelve a ejecutar esta celda. "
            "Si sigue fallando, envía al profesor el mensaje de arriba."
        )
try:
    from cnn_course import runtime
except ModuleNotFoundError:
    raise SystemExit(
        "Falta el paquete del curso. Instálalo una vez en tu entorno con\\n"
        "    pip install \\"cnn-course[tf] @ git+{repo}@{ref}\\"\\n"
        "y vuelve a ejecutar esta celda."
    ) from None

print(runtime.describe())"""

BADGE = (
    "[![Abrir en Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
    "(https://colab.research.google.com/github/{slug}/blob/{ref}/{path})"
)

HAND_IN = """\
## Cómo entregar

1. **Guarda tu propia copia.** El enlace de Colab abre una copia de solo lectura: usa
   *Archivo → Guardar una copia en Drive* antes de escribir, o perderás tus cambios.
2. **Comprueba que todo se ejecuta de principio a fin:** *Entorno de ejecución → Reiniciar
   sesión y ejecutar todo*. Las celdas de comprobación deben pasar sin errores.
3. **Descarga el cuaderno:** *Archivo → Descargar → Descargar .ipynb* (en Jupyter:
   *File → Download*). Entrega el `.ipynb`, no un PDF ni un enlace.
4. **Ponle tu nombre:** `{notebook}_apellido_nombre.ipynb`, sin cambiar las celdas
   bloqueadas ni borrar celdas de comprobación.
5. **Súbelo donde diga tu profesor** (aula virtual). El profesor corrige todos los
   cuadernos de la clase con `cnn-course grade`, que vuelve a ejecutar el tuyo desde cero con
   el perfil `grading`: la nota sale de esa ejecución, no de los resultados que veas aquí."""


def _seconds(runs) -> str:
    if not runs:
        return "sin medir"
    low, high = min(r.seconds for r in runs), max(r.seconds for r in runs)
    return (
        f"{number(low, 0)}–{number(high, 0)} s"
        if round(low) != round(high)
        else f"{number(low, 0)} s"
    )


def _examples(b) -> str:
    return "todos" if b.train_size == 0 else number(b.train_size)


def runtime_story(session: str) -> str:
    """Markdown: which profile the student is in, what it costs, what grading checks."""
    info = sessions.get(session)
    head = "## Entorno de ejecución\n\n"
    if not info.profiles:
        return head + (
            "Esta sesión no entrena redes: basta con la CPU (en Colab no hace falta pedir una "
            "GPU). Al corregir, el profesor vuelve a ejecutar tu cuaderno desde cero y las "
            "comprobaciones ocultas usan otros casos; cada celda tiene "
            f"{info.timeout} s como máximo (una celda que tarde más cuenta como fallida)."
        )
    rows = []
    for profile in ("cpu", "gpu"):
        b = runtime.budget(session, profile)
        gpu_unmeasured = profile == "gpu" and "UNMEASURED" in b.measured
        cost = "sin medir en GPU" if gpu_unmeasured else f"{_seconds(b.runs)} de entrenamiento"
        rows.append(
            f"| `{profile}` | {b.epochs} | {_examples(b)} | {number(b.threshold, 3)} | {cost} |"
        )
    g = runtime.budget(session, "grading")
    return head + (
        "La primera celda detecta tu perfil: `gpu` si el entorno tiene GPU (en Colab: "
        "*Entorno de ejecución → Cambiar tipo de entorno → GPU*), `cpu` si no. El perfil fija "
        "cuánto se entrena y el umbral que debe alcanzar tu modelo:\n\n"
        "| perfil | épocas | ejemplos de entrenamiento | umbral | coste medido |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "Los tiempos `cpu` se midieron en una máquina de 2 núcleos sin GPU, como la de Colab. "
        "**La nota** la calcula el profesor con el perfil `grading`: vuelve a ejecutar todo tu "
        f"cuaderno con {count(g.epochs, 'época', 'épocas')} y {_examples(g)} ejemplos, y exige "
        f"al menos {number(g.threshold, 3)}; cada celda tiene {g.timeout} s como máximo "
        "(una celda que tarde más cuenta como fallida). Por eso tu código debe usar "
        "`presupuesto`, nunca números fijos."
    )


class StampColab(NbGraderPreprocessor):
    """Badge, runtime story and setup cell first; the hand-in section last."""

    repository = Unicode(
        "https://github.com/cnn-course/cnn-course",
        help="The course's public repository (students install the package from it).",
    ).tag(config=True)
    ref = Unicode(
        "v0.1.0", help="Tag or commit students install and open (never a moving branch)."
    ).tag(config=True)
    release_path = Unicode(
        "", help="Folder of the student notebooks inside the repository (default: the course's)."
    ).tag(config=True)

    @validate("ref")
    def _pinned(self, proposal):
        ref = proposal["value"].strip()
        if ref.lower() in _BRANCHES or not _REF.match(ref):
            raise ValueError(
                f"StampColab.ref = {ref!r}: set a tag (v1.2.0) or a commit hash, never a branch, "
                "in autograder/nbgrader_config.py."
            )
        return ref

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        known = info["assignment"] in sessions.assignments()
        slug = self.repository.removeprefix("https://github.com/").rstrip("/")
        folder = self.release_path or COURSE.release.relative_to(COURSE.root).as_posix()
        path = f"{folder}/{info['assignment']}/{info['notebook']}.ipynb"
        # Idempotent: a notebook stamped before is re-stamped, never stamped twice.
        nb.cells = [c for c in nb.cells if STAMP_KEY not in c.metadata]
        new = nbformat.v4
        cells = {
            "colab-badge": new.new_markdown_cell(BADGE.format(slug=slug, ref=self.ref, path=path)),
            # A course that is not in the registry (a test course) gets no runtime story.
            "runtime-story": new.new_markdown_cell(
                runtime_story(sessions.by_assignment(info["assignment"]).key) if known else ""
            ),
            "colab-setup": new.new_code_cell(SETUP_CELL.format(repo=self.repository, ref=self.ref)),
            "hand-in": new.new_markdown_cell(HAND_IN.format(notebook=info["notebook"])),
        }
        for name, cell in cells.items():
            cell.metadata[STAMP_KEY] = {"stamp": name}
            cell["id"] = name
        first = [cells["colab-badge"], cells["runtime-story"], cells["colab-setup"]]
        if not known:
            first.remove(cells["runtime-story"])
        nb.cells = [*first, *nb.cells, cells["hand-in"]]
        return nb, resources
