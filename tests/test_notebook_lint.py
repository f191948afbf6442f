"""Tests for `cnn_course.lint`: the course's notebooks keep one style, and the lint sees a break."""

from __future__ import annotations

import nbformat
import pytest

from cnn_course import lint, runtime
from cnn_course.course import COURSE

STUDENT = COURSE.release / "02_mnist" / "mnist.ipynb"
LIMIT = runtime.timeout("mnist", "grading")


def test_the_five_notebooks_pass_the_lint():
    """Every source notebook and committed student version has the course's style."""
    assert lint.lint_course() == []


def test_the_student_version_tells_the_grading_limit_of_the_budget_table():
    """The limit the lint looks for is the budget table's, and the release writes it."""
    assert lint.lint_notebook(STUDENT, 2, LIMIT) == []
    assert lint.lint_notebook(STUDENT, 2, LIMIT + 1) != []


def _first_plain_markdown(nb):
    return next(c for c in nb.cells if c.cell_type == "markdown" and "cnn_course" not in c.metadata)


def _retitle(nb):
    cell = _first_plain_markdown(nb)
    cell.source = cell.source.replace("# Sesión 2 · ", "# ", 1)


def _say(text):
    def edit(nb):
        _first_plain_markdown(nb).source += "\n\n" + text

    return edit


def _plural_code(nb):
    nb.cells.append(nbformat.v4.new_code_cell('print(f"{presupuesto.epochs} épocas")'))


def _stderr(nb):
    cell = nbformat.v4.new_code_cell("model.fit(ds)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x\n")]
    nb.cells.append(cell)


def _hide_limit(nb):
    for cell in nb.cells:
        cell.source = cell.source.replace(
            f"cada celda tiene {LIMIT} s", "cada celda tiene un límite"
        )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_retitle, "does not start with «# Sesión 2 · »"),
        (_say("Como dicen las transparencias."), "«transparencias»"),
        (_say("Entrena 4 época(s)."), "«época(s)»"),
        (_say("Con 1 épocas basta."), "«1 épocas»"),
        (_plural_code, "formats a number before «épocas»"),
        (_stderr, "stores a warning, an error or stderr"),
        (_hide_limit, "does not tell the grading limit"),
    ],
    ids=["title", "transparencias", "epoca-s", "1-epocas", "plural-code", "stderr", "limit"],
)
def test_the_lint_reports_a_notebook_that_breaks_the_style(tmp_path, edit, expected):
    """Each broken rule, alone, gives exactly one problem naming it."""
    nb = nbformat.read(STUDENT, as_version=4)
    edit(nb)
    bad = tmp_path / "mnist.ipynb"
    nbformat.write(nb, bad)
    problems = lint.lint_notebook(bad, 2, LIMIT)
    assert len(problems) == 1 and expected in problems[0], problems
