"""Sessions judged by tracing their hidden checks on the solution and replaying the records."""

from __future__ import annotations

import contextlib
import importlib

import nbformat
import pytest

from cnn_course.checks.toolkit.grading import plans, write_inputs
from cnn_course.checks.toolkit.tracing import record_names, solution_namespace
from cnn_course.course import COURSE
from cnn_course.grade.judge import judge
from cnn_course.record import INPUTS_ENV, RECORDS_ENV, record

SEED = 777
SESSIONS = [
    ("convolucion", "01_convolucion"),
    ("cifar10", "03_cifar10"),
    ("arquitecturas", "05_arquitecturas"),
]
# Running the CIFAR-10 and architectures notebooks takes minutes; tests/test_grade_sessions.py grades its
# completed version through the real path in the default run.
SOLUTION_RUNS = [
    SESSIONS[0],
    pytest.param(*SESSIONS[1], marks=pytest.mark.slow, id="cifar10-03_cifar10"),
    pytest.param(*SESSIONS[2], marks=pytest.mark.slow, id="arquitecturas-05_arquitecturas"),
]


def _grading(session: str):
    return importlib.import_module(f"cnn_course.checks.{session}.grading")


@pytest.fixture
def box(tmp_path, monkeypatch):
    """Records and inputs folders named in the environment, as the grader does."""

    def make(session: str):
        write_inputs(plans(_grading(session).CELLS, SEED), tmp_path / "inputs")
        monkeypatch.setenv(RECORDS_ENV, str(tmp_path / "records"))
        monkeypatch.setenv(INPUTS_ENV, str(tmp_path / "inputs"))
        return tmp_path / "records"

    return make


def _record_all(session: str, namespace: dict) -> None:
    for gid, traces in _grading(session).HIDDEN.items():
        record(gid, **{n: namespace.get(n) for n in record_names(traces)})


@pytest.mark.notebook
@pytest.mark.parametrize(("session", "assignment"), SOLUTION_RUNS)
def test_the_solution_earns_every_cell(session, assignment, box, monkeypatch, real_data_env):
    """Recorded from the solution notebook run as a student runs it, every cell is right."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    records = box(session)
    namespace = dict(solution_namespace(assignment))
    nb = nbformat.read(COURSE.source_notebook(assignment), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade"):
            with contextlib.suppress(Exception):
                exec(cell.source, namespace)
    _record_all(session, namespace)
    verdicts = judge(session, records, SEED, "grading")
    assert {g: v["reason"] for g, v in verdicts.items() if v["fraction"] != 1.0} == {}


@pytest.mark.parametrize(("session", "assignment"), SESSIONS)
def test_stubs_earn_nothing_and_say_why(session, assignment, box):
    records = box(session)

    def stub(*args, **kwargs):
        raise NotImplementedError()

    names = [n for traces in _grading(session).HIDDEN.values() for n in record_names(traces)]
    _record_all(session, dict.fromkeys(names, stub))
    verdicts = judge(session, records, SEED, "grading")
    assert all(v["fraction"] == 0.0 for v in verdicts.values())


def test_a_right_answer_to_other_cases_is_wrong(box):
    """Answers computed on another input than the grader's earn nothing."""
    records = box("convolucion")
    public = solution_namespace("01_convolucion")["conv2d_single"]
    record(
        "test-conv2d-single", conv2d_single=lambda image, kernel, *a: public(image[:4, :4], kernel)
    )
    assert judge("convolucion", records, SEED, "grading")["test-conv2d-single"]["fraction"] == 0.0


def test_earlier_results_are_passed_by_explicit_reference_only():
    """A small integer a traced call returned is a value when passed again (it is a shared
    object), while an object the tracer tagged goes to the kernel as ``$result``."""
    from cnn_course.checks.toolkit.grading import Plan
    from cnn_course.checks.toolkit.tracing import _Tracer

    plan = Plan(extra={"plan_key": -1})
    three = _Tracer("three", lambda: 3, plan)
    echo = _Tracer("echo", lambda value: value, plan)

    class Box:
        pass

    box = _Tracer("box", Box, plan)
    echo(three())
    echo(box())
    echo(Box())
    assert plan.calls[1]["args"] == [3]
    assert plan.calls[3]["args"] == [{"$result": 2}]
    assert plan.calls[4]["args"] != [{"$result": 2}]
