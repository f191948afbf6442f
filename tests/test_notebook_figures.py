"""The notebooks draw the slides' figures and print numbers the Spanish way.

Fast: the notebooks are parsed (nbformat + ``ast``), never executed. That every figure
actually renders is checked where the notebooks run (``cnn-course validate``,
``tests/test_notebooks.py``) and the drawing functions themselves in ``test_plots.py``.
"""

from __future__ import annotations

import ast
import string
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = {
    "01_convolucion": "convolucion.ipynb",
    "02_mnist": "mnist.ipynb",
    "05_arquitecturas": "arquitecturas.ipynb",
}
SOURCES = [ROOT / "solutions" / folder / name for folder, name in NOTEBOOKS.items()]
RELEASED = [ROOT / "exercises" / folder / name for folder, name in NOTEBOOKS.items()]

CONVOLUTION_FIGURES = {
    "sliding_window",
    "kernel_volume",
    "receptive_field",
    "dense_vs_conv",
    "transposed_conv",
}
CLASSIC_MODELS = {"lenet", "alexnet", "vgg16", "resnet18", "unet"}
"""Variables of 05_arquitecturas that hold LeNet-5, AlexNet, VGG16, ResNet-18 and U-Net."""


def _read(path: Path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    for cell in nb.cells:
        if cell.cell_type == "code":
            yield cell, ast.parse(cell.source, filename=cell.get("id", "?"))


def _plots_calls(nb) -> list[tuple[str, ast.Call, dict]]:
    """Every ``plots.<name>(...)`` call in a code cell: (name, call, cell metadata)."""
    calls = []
    for cell, tree in _code_cells(nb):
        for node in ast.walk(tree):
            func = getattr(node, "func", None)
            if (
                isinstance(node, ast.Call)
                and isinstance(func, ast.Attribute)
                and isinstance(func.value, ast.Name)
                and func.value.id == "plots"
            ):
                calls.append((func.attr, node, cell.metadata))
    return calls


def _is_graded(metadata: dict) -> bool:
    nbgrader = metadata.get("nbgrader", {})
    return bool(nbgrader.get("grade") or nbgrader.get("solution"))


def test_convolution_notebook_draws_the_slides_figures():
    nb = _read(SOURCES[0])
    calls = _plots_calls(nb)
    missing = CONVOLUTION_FIGURES - {name for name, _, _ in calls}
    assert not missing, f"01_convolucion no dibuja {sorted(missing)}"
    for name, _, metadata in calls:
        assert not _is_graded(metadata), f"plots.{name} está en una celda evaluada"
    # The transposed convolution is drawn, no longer printed as an array in the text.
    printed = [c.id for c in nb.cells if c.cell_type == "markdown" and "[ 2 10 10]" in c.source]
    assert printed == []


def test_architectures_notebook_draws_each_classic_model():
    calls = _plots_calls(_read(SOURCES[2]))
    drawn = {}
    for name, call, metadata in calls:
        if name != "architecture_of":
            continue
        assert not _is_graded(metadata)
        assert call.args and isinstance(call.args[0], ast.Name), ast.unparse(call)
        assert len(call.args) == 2 and isinstance(call.args[1], ast.Constant), ast.unparse(call)
        drawn[call.args[0].id] = call.args[1].value
    assert set(drawn) == CLASSIC_MODELS, drawn


def test_transfer_learning_tries_imagenet_and_trains():
    nb = _read(SOURCES[2])
    text = "\n".join(c.source for c in nb.cells)
    assert "no hay conexión" not in text.lower()
    codes = [cell.source for cell, _ in _code_cells(nb)]
    tries = [i for i, s in enumerate(codes) if 'weights="imagenet"' in s]
    assert tries, "ninguna celda intenta cargar los pesos de ImageNet"
    assert any(".fit(" in s and "presupuesto" in s for s in codes[tries[0] :])


@pytest.mark.parametrize(
    ("folder", "minimum"), [("01_convolucion", 3), ("02_mnist", 2), ("05_arquitecturas", 1)]
)
def test_errata_are_stated(folder, minimum):
    nb = _read(ROOT / "solutions" / folder / NOTEBOOKS[folder])
    errata = [
        c.id for c in nb.cells if c.cell_type == "markdown" and "> **Fe de erratas" in c.source
    ]
    assert len(errata) >= minimum, errata


# ------------------------------------------------------------------ number formats


def _english_spec(spec: str) -> bool:
    """A format spec that writes numbers the English way.

    Grouping (``,`` or ``_``: ``138,357,544``), percentages (``%``: ``98.9%``) and fixed
    point (``f``: ``0.9894``) are English; ``cnn_course.fmt.number`` / ``percent`` write
    them in Spanish. Widths, alignment and scientific notation (``.1e``, which keeps its
    point, as code and papers write it) are fine.
    """
    return "," in spec or "_" in spec or spec.endswith(("%", "f", "F"))


def _spec_text(node: ast.JoinedStr) -> str:
    return "".join(v.value if isinstance(v, ast.Constant) else "0" for v in node.values)


def _english_formats(tree: ast.AST) -> list[str]:
    found = []
    for node in ast.walk(tree):
        # f"{x:,}" / f"{x:.1%}" / f"{x:.4f}"
        spec = getattr(node, "format_spec", None)
        if isinstance(node, ast.FormattedValue) and spec and _english_spec(_spec_text(spec)):
            found.append(ast.unparse(node))
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        # "{:,}".format(x)
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "format"
            and isinstance(func.value, ast.Constant)
            and isinstance(func.value.value, str)
        ):
            specs = [spec for _, _, spec, _ in string.Formatter().parse(func.value.value) if spec]
            if any(_english_spec(spec) for spec in specs):
                found.append(ast.unparse(node))
        # format(x, ",")
        if (
            isinstance(func, ast.Name)
            and func.id == "format"
            and len(node.args) == 2
            and isinstance(node.args[1], ast.Constant)
            and _english_spec(str(node.args[1].value))
        ):
            found.append(ast.unparse(node))
    return found


def test_english_spec_examples():
    for spec in (",", ">12,", ".1%", ".0%", ".4f", ",.0f", "_"):
        assert _english_spec(spec), spec
    for spec in ("", ">7", "<35", ".2e", "d", "!r"):
        assert not _english_spec(spec), spec
    tree = ast.parse(
        'a = f"{n:,} {p:.1%} {x:>7} {e:.1e}"\nb = "{:,}".format(n)\nc = format(x, ".2f")'
    )
    assert len(_english_formats(tree)) == 4


@pytest.mark.parametrize("path", SOURCES + RELEASED, ids=lambda p: f"{p.parts[-3]}/{p.parts[-2]}")
def test_code_cells_print_numbers_in_spanish(path):
    offending = [
        f"{cell.get('id')}: {text}"
        for cell, tree in _code_cells(_read(path))
        for text in _english_formats(tree)
    ]
    assert offending == [], "usa number()/percent() de cnn_course.fmt:\n" + "\n".join(offending)
