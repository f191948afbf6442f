"""nbgrader as the grader starts it (python -m cnn_course._nbgrader): same app, faster start."""

from __future__ import annotations

import subprocess
import sys

import nbgrader


def test_the_command_is_nbgraders_own():
    run = subprocess.run(
        [sys.executable, "-m", "cnn_course._nbgrader", "--version"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert nbgrader.__version__ in run.stdout + run.stderr


def test_the_rfc3987_grammar_is_left_unimported_and_notebooks_still_validate():
    """jsonschema then skips only the 'iri' format; nbformat's schema checks still fail a
    broken notebook."""
    code = (
        "import sys, cnn_course._nbgrader, nbformat\n"
        "assert sys.modules['rfc3987_syntax'] is None\n"
        "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('x = 1')])\n"
        "nbformat.validate(nb)\n"
        "nb.cells[0]['cell_type'] = 'nonsense'\n"
        "try:\n"
        "    nbformat.validate(nb)\n"
        "except nbformat.ValidationError:\n"
        "    print('rejected')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "rejected"
