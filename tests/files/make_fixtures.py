"""Regenerate the fixtures of tests/files: the tiny release and one submission per case.

    .venv/bin/python tests/files/make_fixtures.py

``release.ipynb`` is the course's release of ``course/solutions/00_tiny``; each
``submitted-<case>.ipynb`` is that release with the answers filled in and one
thing done to it, as a student (or Colab) would.
"""

import copy
import json
import tempfile
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from cnn_course.course import CourseDirectory
from cnn_course.grade.assignment import build_pack

FILES = Path(__file__).resolve().parent
with tempfile.TemporaryDirectory() as _tmp:
    _pack = build_pack("00_tiny", Path(_tmp), course=CourseDirectory(FILES / "course"))
REL = nbformat.reads(_pack.release, as_version=4)
nbformat.write(REL, FILES / "release.ipynb")
ANSWERS = {
    "square": 'def square(x):\n    """x times x."""\n    return x * x',
    "cube": 'def cube(x):\n    """x times x times x."""\n    return x**3',
}


def gid(c):
    return c.metadata.get("nbgrader", {}).get("grade_id")


def clean():
    nb = copy.deepcopy(REL)
    for c in nb.cells:
        if gid(c) in ANSWERS:
            c.source = ANSWERS[gid(c)]
    return nb


def cell(nb, g):
    return next(c for c in nb.cells if gid(c) == g)


def pos(nb, g):
    return next(i for i, c in enumerate(nb.cells) if gid(c) == g)


def write(name, nb):
    nbformat.write(nb, FILES / f"submitted-{name}.ipynb")


write("clean", clean())

nb = clean()
nb.cells = [c for c in nb.cells if gid(c) != "test-cube"]
write("test-cell-deleted", nb)

nb = clean()
cell(nb, "test-square").source = "pass  # el test fallaba"
write("test-cell-edited", nb)

nb = clean()
dup = copy.deepcopy(cell(nb, "cube"))
dup["id"] = "cube-copy"
dup.source = 'def cube(x):\n    """x times x times x."""\n    return x * x'
nb.cells.insert(pos(nb, "cube") + 1, dup)
write("answer-duplicated", nb)

nb = clean()
nb.cells = [c for c in nb.cells if gid(c) != "cube"]
nb.cells.insert(pos(nb, "test-cube"), new_code_cell("def cube(x):\n    return x**3", id="my-cube"))
write("answer-deleted", nb)

# Colab: nbformat 4.0, Colab keys, lock flags gone, two cells without nbgrader metadata.
nb = clean()
nb.nbformat_minor = 0
nb.metadata["colab"] = {"provenance": []}
nb.metadata["accelerator"] = "GPU"
for i, c in enumerate(nb.cells):
    c.pop("id", None)
    c.metadata.pop("deletable", None)
    c.metadata.pop("editable", None)
    c.metadata["id"] = f"c0lab{i:07d}"
    if c.cell_type == "code":
        c.metadata["colab"] = {"base_uri": "https://localhost:8080/"}
    if gid(c) in ("test-square", "cube"):
        del c.metadata["nbgrader"]
(FILES / "submitted-colab-save.ipynb").write_text(json.dumps(nb, indent=1, ensure_ascii=False))

# Metadata lost on 'square', and a second cell with the same fixed lines: not certain.
nb = clean()
del cell(nb, "square").metadata["nbgrader"]
nb.cells.insert(
    pos(nb, "test-square"),
    new_code_cell('def square(x):\n    """x times x."""\n    return x**2', id="again"),
)
write("metadata-lost-ambiguous", nb)

# Test cell without metadata and edited: not the release's source, so not relabelled.
nb = clean()
c = cell(nb, "test-square")
del c.metadata["nbgrader"]
c.source = "assert True"
c["id"] = "edited"
write("metadata-lost-edited-test", nb)

# Metadata lost but cell id kept (Jupyter keeps ids): identified by id.
nb = clean()
del cell(nb, "cube").metadata["nbgrader"]
write("metadata-lost-id-kept", nb)

nb = clean()
t = nb.cells.pop(pos(nb, "test-cube"))
nb.cells.insert(pos(nb, "cube"), t)
write("reordered", nb)

nb = clean()
for c in nb.cells:
    if gid(c):
        c.metadata["nbgrader"]["grade_id"] = "otra-" + gid(c)
        c.source = c.source.replace("square", "mitad").replace("cube", "doble")
write("wrong-assignment", nb)


nb = clean()
raw = json.loads(nbformat.writes(nb))
raw["cells"][3]["id"] = raw["cells"][2]["id"]
(FILES / "submitted-invalid-nbformat.ipynb").write_text(
    json.dumps(raw, indent=1, ensure_ascii=False)
)

nb = clean()
nb.cells.insert(
    pos(nb, "test-square"),
    new_code_cell(
        "import importlib\nimport sys\n\nimport cnn_course.checks as c\n\n"
        "c.mnist.check_accuracy = lambda model: None\n"
        'setattr(c.mnist, "check_model", None)  # noqa: B010\n'
        'sys.modules["cnn_course.checks"] = c\n'
        "importlib.reload = lambda module: module",
        id="patch",
    ),
)
write("monkeypatch", nb)

nb = clean()
nb.cells.insert(
    pos(nb, "test-cube"),
    new_code_cell(
        "accuracy = 0.99\n"
        'history = {"val_accuracy": []}\n'
        'history["val_accuracy"] = [0.98, 0.99]\n'
        "test_acc = model_accuracy()  # computed: not flagged\n",
        id="metric",
    ),
)
write("fake-metric", nb)

nb = clean()
cell(nb, "cube").source = ANSWERS["cube"] + "\n\n\nwhile True:\n    pass"
write("endless-loop", nb)

nb = clean()
nb.cells.insert(pos(nb, "cube"), new_code_cell("import time\n\ntime.sleep(600)", id="sleep"))
write("sleeps", nb)

nb = clean()
nb.cells.insert(pos(nb, "cube"), new_code_cell("hog = bytearray(4 * 1024**3)", id="hog"))
write("memory-hog", nb)

# The kernel dies in an extra cell; cube (after it) calls square (before it).
nb = clean()
cell(nb, "cube").source = 'def cube(x):\n    """x times x times x."""\n    return square(x) * x'
nb.cells.insert(
    pos(nb, "cube"), new_code_cell('print("adiós")\nimport os\n\nos._exit(1)', id="crash")
)
write("kernel-crash", nb)

# The kernel dies inside a test cell: square ends the process when called.
nb = clean()
cell(nb, "square").source = 'def square(x):\n    """x times x."""\n    import os\n\n    os._exit(1)'
write("kernel-crash-in-test", nb)

# A cell that ignores the interrupt and never ends: the kernel stops answering.
nb = clean()
nb.cells.insert(
    pos(nb, "cube"),
    new_code_cell(
        "import signal\n\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        id="hang",
    ),
)
write("kernel-hang", nb)

# The kernel dies again and again: after the last allowed restart nothing more runs.
nb = clean()
for i in range(4):
    nb.cells.insert(pos(nb, "cube"), new_code_cell("import os\n\nos._exit(1)", id=f"crash-{i}"))
write("kernel-crash-repeated", nb)

# Passes the public test, fails the hidden one (cube(-1) == -1).
nb = clean()
cell(nb, "cube").source = 'def cube(x):\n    """x times x times x."""\n    return abs(x) ** 3'
write("hidden-test-fails", nb)
