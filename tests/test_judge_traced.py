"""Sessions judged by tracing their hidden checks on the solution and replaying the records."""

from __future__ import annotations

import contextlib

import pytest

from cnn_course.checks.convolucion import grading as conv_grading
from cnn_course.checks.toolkit.grading import plans, write_inputs
from cnn_course.checks.toolkit.tracing import record_names, solution_namespace
from cnn_course.grade.judge import judge
from cnn_course.record import INPUTS_ENV, RECORDS_ENV, record

SEED = 777


@pytest.fixture
def box(tmp_path, monkeypatch):
    records = tmp_path / "records"
    write_inputs(plans(conv_grading.CELLS, SEED), tmp_path / "inputs")
    monkeypatch.setenv(RECORDS_ENV, str(records))
    monkeypatch.setenv(INPUTS_ENV, str(tmp_path / "inputs"))
    return records


def _record_all(namespace: dict) -> None:
    for gid, traces in conv_grading.HIDDEN.items():
        record(gid, **{n: namespace.get(n) for n in record_names(traces)})


def test_the_solution_earns_every_cell(box):
    """Recorded from the solution's own functions and answers, every cell is judged right."""
    import nbformat

    from cnn_course.course import COURSE

    namespace = dict(solution_namespace("01_convolucion"))
    nb = nbformat.read(COURSE.source_notebook("01_convolucion"), as_version=4)
    for cell in nb.cells:  # the notebook as a student runs it, up to each answer
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("grade"):
            with contextlib.suppress(Exception):
                exec(cell.source, namespace)
    _record_all(namespace)
    verdicts = judge("convolucion", box, SEED, "grading")
    assert {g: v["reason"] for g, v in verdicts.items() if v["fraction"] != 1.0} == {}


def test_stubs_earn_nothing_and_say_why(box):
    def stub(*args, **kwargs):
        raise NotImplementedError()

    names = [n for traces in conv_grading.HIDDEN.values() for n in record_names(traces)]
    _record_all(dict.fromkeys(names, stub))
    verdicts = judge("convolucion", box, SEED, "grading")
    assert all(v["fraction"] == 0.0 for v in verdicts.values())
    assert "Aún no has completado" in verdicts["test-conv2d"]["reason"]


def test_a_right_answer_to_other_cases_is_wrong(box):
    """Answers computed on the public example (not the grader's cases) earn nothing."""
    namespace = dict(solution_namespace("01_convolucion"))
    public = namespace["conv2d_single"]
    record(
        "test-conv2d-single", conv2d_single=lambda image, kernel, *a: public(image[:4, :4], kernel)
    )
    assert judge("convolucion", box, SEED, "grading")["test-conv2d-single"]["fraction"] == 0.0
