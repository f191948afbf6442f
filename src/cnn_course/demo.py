"""A demo class for `cnn-course grade`: MNIST submissions, one per thing that goes wrong.

Generated from a fresh release of ``02_mnist`` and the answers of its source
notebook, so the cases follow the notebook as it changes. Each case states the
grade cells it must lose and what the grader must report; the README's first
command grades this class and the tests check every case.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from cnn_course import release, runtime, sessions
from cnn_course.course import COURSE

ASSIGNMENT = "02_mnist"
SESSION = "mnist"
# An untrained 10-class model scores about 0.1; a threshold at or above this
# separates it from a trained one. Below it (e.g. a threshold still PENDING at
# 0), the accuracy test cannot tell them apart and the two cheating cases pass it.
TRAINED_ACCURACY = 0.5


@dataclass(frozen=True)
class Case:
    """One demo submission: its student id, what it shows, how to build it and what to expect."""

    student: str
    description: str
    build: Callable[[Demo], bytes]
    zero: tuple[str, ...] = ()
    """grade cells that must score 0 (all others full marks); ("*",) for every cell"""
    findings: tuple[str, ...] = ()
    """kinds of finding the grader must report"""
    untrained: bool = False
    """the model is never trained: test-accuracy fails if the threshold requires training"""


@dataclass
class Demo:
    """The release and the source answers the cases are built from."""

    release: NotebookNode
    answers: dict[str, str]
    """grade id -> the source notebook's answer, solution markers removed"""
    other: NotebookNode
    """a released notebook of another assignment"""

    def student_nb(self, **replace: str) -> NotebookNode:
        """The release with every answer filled in from the source, except ``replace``'s."""
        nb = copy.deepcopy(self.release)
        for cell in nb.cells:
            gid = cell.metadata.get("nbgrader", {}).get("grade_id")
            if cell.metadata.get("nbgrader", {}).get("solution"):
                cell.source = replace.get(gid, self.answers[gid])
            elif gid in replace:
                cell.source = replace[gid]
        return nb

    def cell(self, nb: NotebookNode, gid: str) -> NotebookNode:
        return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == gid)

    def fill(self, gid: str, *answers: str) -> str:
        """The released cell ``gid`` with its stubs replaced, in order, by ``answers``."""
        source = self.cell(self.release, gid).source
        stubs = list(_stub_pattern().finditer(source))
        if len(stubs) != len(answers):
            raise RuntimeError(
                f"Demo case out of date: cell {gid!r} has {len(stubs)} stubs (got {len(answers)} answers)."
            )
        for m, answer in zip(reversed(stubs), reversed(answers), strict=True):
            indented = "\n".join(m.group(1) + ln if ln else ln for ln in answer.splitlines())
            source = source[: m.start()] + indented + source[m.end() :]
        return source


def _stub_pattern() -> re.Pattern:
    """The code stub of the course config (e.g. '# TU CÓDIGO AQUÍ' + 'raise NotImplementedError()')."""
    lines = COURSE.config().ClearSolutions.code_stub["python"].splitlines()
    body = r"\n[ \t]*".join(re.escape(ln) for ln in lines)
    return re.compile(rf"^([ \t]*){body}[ \t]*$", re.M)


def _nb_bytes(nb: NotebookNode) -> bytes:
    return nbformat.writes(nb).encode("utf-8")


def _insert_after(nb: NotebookNode, gid: str, cell: NotebookNode) -> NotebookNode:
    pos = next(
        i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == gid
    )
    nb.cells.insert(pos + 1, cell)
    return nb


# ---------------------------------------------------------------- the cases
def perfect(d: Demo) -> bytes:
    return _nb_bytes(d.student_nb())


def blank(d: Demo) -> bytes:
    return _nb_bytes(d.release)


def partly_wrong(d: Demo) -> bytes:
    # True division passes the slides' examples (5.0 == 5) but not the hidden
    # strides that do not divide; the shapes computed with it then fail too
    # (11 -> 5.5). The confusion matrix is transposed.
    formulas = d.fill("formulas", "return (n + 2 * p - f) / s + 1", "return (f * f * m + 1) * k")
    confusion = d.fill(
        "confusion",
        "matrix = np.zeros((num_classes, num_classes), dtype=np.int64)\n"
        "np.add.at(matrix, (np.asarray(y_pred), np.asarray(y_true)), 1)\n"
        "return matrix",
    )
    return _nb_bytes(d.student_nb(formulas=formulas, confusion=confusion))


def _model_with(units: int) -> str:
    return (
        "return keras.Sequential(\n"
        "    [\n"
        "        keras.Input(shape=(28, 28, 1)),\n"
        '        keras.layers.Conv2D(32, (3, 3), activation="relu"),\n'
        "        keras.layers.MaxPooling2D((2, 2), strides=2),\n"
        '        keras.layers.Conv2D(64, (3, 3), activation="relu"),\n'
        "        keras.layers.MaxPooling2D((2, 2), strides=2),\n"
        "        keras.layers.Flatten(),\n"
        "        keras.layers.Dropout(0.5),\n"
        '        keras.layers.Dense(256, activation="relu"),\n'
        f'        keras.layers.Dense({units}, activation="relu"),\n'
        '        keras.layers.Dense(10, activation="softmax"),\n'
        "    ]\n"
        ")"
    )


def edited_test(d: Demo) -> bytes:
    # A wrong model (Dense(64) for Dense(128)) and its failing test edited away.
    nb = d.student_nb(model=d.fill("model", _model_with(64)))
    d.cell(nb, "test-model").source = 'print("test superado")'
    return _nb_bytes(nb)


def deleted_test(d: Demo) -> bytes:
    nb = d.student_nb()
    nb.cells = [
        c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "test-lenet"
    ]
    return _nb_bytes(nb)


def duplicated_answer(d: Demo) -> bytes:
    # A right answer, then a pasted copy of the cell (same grade id) with an older,
    # wrong conv_params (no bias): the copy runs last and is what gets graded.
    nb = d.student_nb()
    copy_cell = copy.deepcopy(d.cell(nb, "formulas"))
    copy_cell["id"] = "formulas-copia"
    copy_cell.source = d.fill("formulas", "return (n + 2 * p - f) // s + 1", "return f * f * m * k")
    return _nb_bytes(_insert_after(nb, "formulas", copy_cell))


def colab_save(d: Demo) -> bytes:
    # What a save from Colab does: nbformat 4.0 (no cell ids), its own ids and
    # keys in the metadata, the lock flags gone; here two cells also lost their
    # nbgrader metadata (one test cell, one answer cell).
    nb = d.student_nb()
    nb.nbformat_minor = 0
    nb.metadata["colab"] = {"provenance": [], "name": "mnist.ipynb"}
    nb.metadata["accelerator"] = "GPU"
    for i, cell in enumerate(nb.cells):
        cell.pop("id", None)
        cell.metadata.pop("deletable", None)
        cell.metadata.pop("editable", None)
        cell.metadata["id"] = hashlib.sha1(f"colab-{i}".encode()).hexdigest()[:12]
        if cell.cell_type == "code":
            cell.metadata["colab"] = {"base_uri": "https://localhost:8080/"}
            cell.metadata["outputId"] = hashlib.sha1(f"out-{i}".encode()).hexdigest()[:36]
        if cell.metadata.get("nbgrader", {}).get("grade_id") in ("test-confusion", "model"):
            del cell.metadata["nbgrader"]
    return json.dumps(nb, ensure_ascii=False, indent=2).encode("utf-8")


def endless_loop(d: Demo) -> bytes:
    # A quick check at the end of the answer, whose loop never advances.
    answer = d.answers["confusion"] + (
        "\n\n\n# comprobación rápida\ni = 0\nwhile i < 3:\n    prueba = confusion_matrix([i], [i], 10)\n"
    )
    return _nb_bytes(d.student_nb(confusion=answer))


def corrupt_json(d: Demo) -> bytes:
    data = perfect(d)
    return data[: len(data) // 2]


def wrong_assignment(d: Demo) -> bytes:
    return _nb_bytes(d.other)


def _training_cell(d: Demo, *lines: str) -> bytes:
    """The completed notebook with the training cell's answer replaced by ``lines``."""
    return _nb_bytes(d.student_nb(train="\n".join(lines)))


def monkeypatch_checks(d: Demo) -> bytes:
    return _training_cell(
        d,
        "# Sin tiempo para entrenar: que las comprobaciones no miren.",
        "import sys",
        "",
        "checks.mnist.check_accuracy = lambda model: None",
        "checks.mnist.hidden_accuracy = lambda model: None",
        'sys.modules["cnn_course.checks.toolkit.evaluate"].expect_accuracy = lambda *a, **k: 1.0',
        "history = None",
    )


def fake_accuracy(d: Demo) -> bytes:
    return _training_cell(
        d,
        "history = None",
        "accuracy = 0.99",
        "test_accuracy = 0.99",
        'print(f"exactitud en test: {test_accuracy}")',
    )


def kernel_crash(d: Demo) -> bytes:
    crash = nbformat.v4.new_code_cell(
        "# Leer los píxeles en bruto (¡puntero nulo!)\nimport ctypes\n\nctypes.string_at(0)"
    )
    return _nb_bytes(_insert_after(d.student_nb(), "preprocess", crash))


def late_kernel_crash(d: Demo) -> bytes:
    crash = nbformat.v4.new_code_cell(
        "# Liberar memoria a mano (¡puntero nulo!)\nimport ctypes\n\nctypes.string_at(0)"
    )
    return _nb_bytes(_insert_after(d.student_nb(), "test-model", crash))


def hung_kernel(d: Demo) -> bytes:
    stuck = nbformat.v4.new_code_cell(
        "# Esperar sin fin, sin dejar que nadie interrumpa\nimport signal\n\n"
        "signal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    )
    return _nb_bytes(_insert_after(d.student_nb(), "test-accuracy", stuck))


def lowered_profile(d: Demo) -> bytes:
    return _training_cell(
        d,
        "# Con el perfil de CI el umbral es más bajo.",
        "import os",
        "",
        'os.environ["CNN_COURSE_PROFILE"] = "ci"',
        "history = None",
    )


def own_test_data(d: Demo) -> bytes:
    # Test data the untrained model gets right: every label is the class it predicts.
    return _training_cell(
        d,
        "import os",
        "import tempfile",
        "",
        "carpeta = tempfile.mkdtemp()",
        "os.makedirs(f'{carpeta}/mnist')",
        "x = np.zeros((100, 28, 28), dtype=np.uint8)",
        "clase = int(np.argmax(model.predict(preprocess(x[:1]), verbose=0)))",
        "y = np.full(100, clase, dtype=np.uint8)",
        "np.savez(f'{carpeta}/mnist/mnist.npz', x_train=x, y_train=y, x_test=x, y_test=y)",
        'os.environ["CNN_COURSE_DATA"] = carpeta',
        "history = None",
    )


ALL = ("*",)
# student, what it shows, how it is built, cells that score 0, findings, untrained
_TABLE = (
    ("01_perfecto", "todas las respuestas correctas", perfect, (), (), False),
    ("02_en_blanco", "el cuaderno publicado, sin tocar", blank, ALL, (), False),
    (
        "03_parcial",
        "división real en conv_output_size y matriz de confusión traspuesta",
        partly_wrong,
        ("test-formulas", "test-shapes-by-hand", "test-confusion"),
        (),
        False,
    ),
    (
        "04_test_editado",
        "modelo con Dense(64) y su test reescrito como print",
        edited_test,
        ("test-model",),
        ("edited_test_cell",),
        False,
    ),
    ("05_test_borrado", "celda test-lenet borrada", deleted_test, (), ("deleted_cell",), False),
    (
        "06_respuesta_duplicada",
        "celda de fórmulas copiada; la copia (sin sesgo) queda la última",
        duplicated_answer,
        ("test-formulas", "test-shapes-by-hand", "test-lenet"),
        ("duplicated_cell",),
        False,
    ),
    (
        "07_guardado_colab",
        "guardado desde Colab: sin bloqueos, metadatos de Colab, dos celdas sin metadatos de nbgrader",
        colab_save,
        (),
        ("colab_metadata", "metadata_reattached", "lock_flags"),
        False,
    ),
    (
        "08_bucle_infinito",
        "bucle sin fin al final de la respuesta de la matriz de confusión",
        endless_loop,
        (),
        ("timeout",),
        False,
    ),
    (
        "09_json_corrupto",
        "archivo cortado a la mitad",
        corrupt_json,
        ALL,
        ("not_a_notebook",),
        False,
    ),
    (
        "10_otra_tarea",
        "entrega el cuaderno de otra sesión",
        wrong_assignment,
        ALL,
        ("wrong_assignment",),
        False,
    ),
    (
        "11_parchea_checks",
        "no entrena y sustituye las comprobaciones de exactitud",
        monkeypatch_checks,
        (),
        ("suspicious_code",),
        True,
    ),
    (
        "12_exactitud_falsa",
        "no entrena y escribe la exactitud a mano",
        fake_accuracy,
        (),
        ("suspicious_code",),
        True,
    ),
    (
        "13_kernel_muerto",
        "una celda hace caer el kernel: solo se pierde esa celda, el resto va en un kernel nuevo",
        kernel_crash,
        (),
        ("kernel_died",),
        False,
    ),
    (
        "14_kernel_muerto_tarde",
        "el kernel cae después de test-model: lo registrado antes conserva sus puntos y lo "
        "que sigue se corrige en un kernel nuevo",
        late_kernel_crash,
        (),
        ("kernel_died",),
        False,
    ),
    (
        "15_perfil_ci",
        "no entrena y cambia CNN_COURSE_PROFILE a ci para bajar el umbral",
        lowered_profile,
        (),
        (),
        True,
    ),
    (
        "16_datos_propios",
        "no entrena y apunta CNN_COURSE_DATA a un test fabricado que su modelo acierta",
        own_test_data,
        (),
        (),
        True,
    ),
    (
        "17_kernel_colgado",
        "tras test-accuracy, una celda ignora la interrupción y no termina: se detiene su "
        "kernel y el resto se corrige en uno nuevo",
        hung_kernel,
        (),
        ("kernel_hung",),
        False,
    ),
)
CASES = [Case(*row) for row in _TABLE]


def expected_scores(points: dict[str, float], threshold: float | None = None) -> dict[str, dict]:
    """Points each case must get per grade cell, under the grading profile's threshold."""
    if threshold is None:
        threshold = runtime.budget(SESSION, "grading").threshold
    out = {}
    for case in CASES:
        zero = set(points) if case.zero == ALL else set(case.zero)
        if case.untrained and threshold >= TRAINED_ACCURACY:
            zero.add("test-accuracy")
        out[case.student] = {g: 0.0 if g in zero else p for g, p in points.items()}
    return out


def _answers(source: NotebookNode) -> dict[str, str]:
    marker = re.compile(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n?", re.M)
    return {
        c.metadata["nbgrader"]["grade_id"]: marker.sub("", c.source).rstrip("\n")
        for c in source.cells
        if c.metadata.get("nbgrader", {}).get("solution")
    }


def _other_release(tmp: Path) -> NotebookNode:
    """A released notebook of another assignment (committed in exercises/, else released now)."""
    others = [a for a in sessions.assignments() if a != ASSIGNMENT]
    for aid in others:
        for path in sorted((COURSE.release / aid).glob("*.ipynb")):
            return nbformat.read(path, as_version=4)
    for aid in others:
        if COURSE.source_notebooks(aid):
            path = release.release([aid], dest=tmp / "other")[0]
            return nbformat.read(path, as_version=4)
    raise RuntimeError("The wrong-assignment case needs a second assignment in solutions/.")


def make_demo_class(outdir: Path) -> list[Path]:
    """Write the demo submissions (``<student>.ipynb``) and ``casos.md`` into ``outdir``."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        released = release.release([ASSIGNMENT], dest=Path(tmp) / "release")[0]
        source = COURSE.source / ASSIGNMENT / released.name
        demo = Demo(
            release=nbformat.read(released, as_version=4),
            answers=_answers(nbformat.read(source, as_version=4)),
            other=_other_release(Path(tmp)),
        )
        written = []
        for case in CASES:
            path = outdir / f"{case.student}.ipynb"
            path.write_bytes(case.build(demo))
            written.append(path)
    points = {
        c.metadata["nbgrader"]["grade_id"]: float(c.metadata["nbgrader"]["points"])
        for c in demo.release.cells
        if c.metadata.get("nbgrader", {}).get("grade")
    }
    expected = expected_scores(points)
    lines = [
        f"# Clase de demostración: {ASSIGNMENT}",
        "",
        "Generada por `cnn-course demo-class`; corrígela con "
        f"`cnn-course grade {outdir} --assignment {ASSIGNMENT} --out DIR`.",
        "",
        "| estudiante | caso | nota esperada | incidencias esperadas |",
        "|---|---|---|---|",
    ]
    for case in CASES:
        total = sum(expected[case.student].values())
        lines.append(
            f"| {case.student} | {case.description} | {total:g} / {sum(points.values()):g} "
            f"| {', '.join(case.findings) or '—'} |"
        )
    (outdir / "casos.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def main(outdir: Path) -> int:
    """``cnn-course demo-class OUTDIR``: write the demo class and list it."""
    written = make_demo_class(outdir)
    for path in written:
        print(f"wrote {path}")
    print(f"{len(written)} submissions of {ASSIGNMENT}, one per case of the demo class.")
    return 0
