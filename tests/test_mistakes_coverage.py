"""The mistake catalogue covers every grade cell: each grade id of a session's
``grading.CELLS`` has at least three ``Mistake(...)`` entries in that session's catalogue
module (``tests/test_mistakes_<session>.py``), slow-marked tests included. The catalogue
tests themselves prove that each entry is rejected; this one proves no cell is left out."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest
from mistakes import CLASSIFIER_MISTAKES

from cnn_course.grade.judge import grading_module

SESSIONS = ("convolucion", "mnist", "cifar10", "escenas", "arquitecturas")
HERE = Path(__file__).parent


# Calls that stand for several mistakes of the cell named first: the shared helpers.
HELPERS = {"Mistake": 1, "classifier_catalogue": CLASSIFIER_MISTAKES}


def catalogued(session: str) -> Counter:
    """How many mistakes name each grade id in the session's catalogue: one per
    ``Mistake(...)``, :data:`mistakes.CLASSIFIER_MISTAKES` per ``classifier_catalogue(...)``."""
    tree = ast.parse((HERE / f"test_mistakes_{session}.py").read_text(encoding="utf-8"))
    counts: Counter = Counter()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in HELPERS
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            counts[node.args[0].value] += HELPERS[node.func.id]
    return counts


@pytest.mark.parametrize("session", SESSIONS)
def test_every_grade_cell_has_three_mistakes(session):
    cells = list(grading_module(session).CELLS)
    counts = catalogued(session)
    assert cells, session
    thin = {gid: counts[gid] for gid in cells if counts[gid] < 3}
    assert thin == {}, f"{session}: grade cells with fewer than three mistakes: {thin}"
    unknown = set(counts) - set(cells)
    assert unknown == set(), f"{session}: mistakes of cells that are not graded: {unknown}"
