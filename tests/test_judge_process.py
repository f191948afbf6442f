"""The judge runs in a process of its own, forked from a server that saw no submission.

:func:`cnn_course.grade.judging.verdicts` is what the worker calls after the kernel has
exited. These tests drive it with records written as a hidden cell writes them.
"""

from __future__ import annotations

import dataclasses

import pytest
from nbutil import solution_namespace

from cnn_course.checks.mnist import grading
from cnn_course.grade import judging
from cnn_course.grade.judging import Judging
from cnn_course.record import INPUTS_ENV, RECORDS_ENV, record


@pytest.fixture(scope="module")
def sol():
    return solution_namespace(
        "solutions/02_mnist/mnist.ipynb",
        ["formulas", "confusion"],
        preamble="import numpy as np",
    )


@pytest.fixture
def judged(tmp_path, monkeypatch):
    """A submission's course folder as the worker prepares it, named in this process's
    environment the way a kernel's is (the judge must not see those variables)."""
    monkeypatch.setattr(judging.secrets, "randbits", lambda bits: 4242)
    found = judging.prepare("02_mnist", tmp_path)
    monkeypatch.setenv(RECORDS_ENV, str(found.records))
    monkeypatch.setenv(INPUTS_ENV, str(found.inputs))
    return found


def test_the_judge_is_a_fresh_fork_of_the_server_not_of_the_worker(sol, judged, monkeypatch):
    """Whatever the worker's process holds (here: a judge patched to give every point) is
    not in the judge's process: the server imported the grading modules before any job."""
    record(
        "test-formulas", conv_output_size=sol["conv_output_size"], conv_params=sol["conv_params"]
    )

    def wrong(n, f, p, s):
        return 1

    record("test-confusion", confusion_matrix=wrong)
    generous = dataclasses.replace(grading.CELLS["test-confusion"], judge=lambda *a: None)
    monkeypatch.setitem(grading.CELLS, "test-confusion", generous)
    verdicts = judging.verdicts(judged, "grading")
    assert judging._forkserver() is not None
    assert verdicts["test-formulas"]["fraction"] == 1.0
    assert verdicts["test-confusion"]["fraction"] == 0.0


def test_the_judge_gets_the_graders_environment_not_the_kernels(judged, monkeypatch):
    """Kernel variables are removed and the profile is the grader's, in the forked judge."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "ci")
    env = judging._judge_env("grading")
    assert RECORDS_ENV not in env and INPUTS_ENV not in env
    assert env["CNN_COURSE_PROFILE"] == "grading"


def test_a_judge_that_crashes_says_why(tmp_path):
    """A judge process that fails costs every judged cell; the worker gets its traceback."""
    bad = Judging("no_such_session", 1, tmp_path / "records", tmp_path / "inputs")
    bad.records.mkdir()
    with pytest.raises(
        RuntimeError, match=r"(?s)judge failed: .*Unknown session 'no_such_session'"
    ):
        judging.verdicts(bad, "grading")


def test_without_a_judge_server_the_judge_is_a_fresh_interpreter(sol, judged, monkeypatch):
    """A daemonic worker (no children of its own) judges in a new interpreter: same verdicts."""
    record(
        "test-formulas", conv_output_size=sol["conv_output_size"], conv_params=sol["conv_params"]
    )
    forked = judging.verdicts(judged, "grading")
    monkeypatch.setattr(judging, "_forkserver", lambda: None)
    assert judging.verdicts(judged, "grading") == forked
