"""The worker's side of out-of-kernel judging: draw the inputs, then run the judge process.

For a session with a ``grading`` module, each submission gets a fresh seed; the inputs
drawn from it are written into the course the kernel sees, the records folder is named
in the kernel's environment, and after the kernel has exited :mod:`cnn_course.grade.judge`
runs in a new process with the grader's environment (its data, no kernel variables).

The new process is a fork of a server process that has imported TensorFlow, Keras and the
sessions' grading modules once per worker, and nothing else (it never sees a submission):
each submission still gets a process of its own, without paying for those imports again.
Where a worker may not have children of its own (a daemonic process), the judge is a fresh
interpreter instead.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cnn_course.grade import cgroup
from cnn_course.grade.limits import JUDGE_MEMORY_MB
from cnn_course.record import INPUTS_ENV, RECORDS_ENV

JUDGE_TIMEOUT_S = 600


@dataclass(frozen=True)
class Judging:
    """One submission's judging: where the kernel records, and the seed of its inputs."""

    session: str
    seed: int
    records: Path
    inputs: Path

    @property
    def kernel_env(self) -> dict[str, str]:
        return {RECORDS_ENV: str(self.records), INPUTS_ENV: str(self.inputs)}


def prepare(assignment: str, course_root: Path) -> Judging | None:
    """Draw this submission's inputs into ``course_root``; None when the assignment is judged
    in the kernel (its session has no ``grading`` module yet, or it is not in the registry)."""
    from cnn_course import sessions
    from cnn_course.checks.toolkit.grading import plans, write_inputs
    from cnn_course.grade.judge import grading_module

    if assignment not in sessions.assignments():
        return None
    session = sessions.by_assignment(assignment).key
    module = grading_module(session)
    if module is None:
        return None
    seed = secrets.randbits(31)
    judging = Judging(session, seed, course_root / "records", course_root / "inputs")
    judging.records.mkdir(parents=True, exist_ok=True)
    write_inputs(plans(module.CELLS, seed), judging.inputs)
    return judging


@cache
def _forkserver():
    """The worker's judge server (started on first use, preloaded), or None where this
    process may not start children of its own."""
    if multiprocessing.current_process().daemon:
        return None
    from cnn_course.grade.judge import preload_modules

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # read once, by the server's import
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(preload_modules())
    return ctx


def warm_up() -> None:
    """Start this worker's judge server now, so its imports overlap the first kernel."""
    if _forkserver() is not None:
        from multiprocessing import forkserver

        forkserver.ensure_running()


def _judge_env(profile: str) -> dict[str, str]:
    """The judge's environment: the grader's own, without the kernel's variables, with the
    grading profile (checks that read the profile read the grader's)."""
    env = {k: v for k, v in os.environ.items() if k not in (RECORDS_ENV, INPUTS_ENV)}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env["CNN_COURSE_PROFILE"] = profile
    return env


def _run_judge(spec: Path, profile: str) -> str:
    """Run the judge on ``spec`` in a bounded process of its own (its address space, and a
    cgroup where there is one); "" or why it failed."""
    group = cgroup.create(JUDGE_MEMORY_MB * 2, 0, 0)
    try:
        failure = _start_judge(spec, profile, group)
    finally:
        hits = group.close() if group is not None else cgroup.Hits()
    if hits.memory:
        return f"el corrector superó su límite de memoria ({JUDGE_MEMORY_MB * 2} MB)"
    return failure


def _start_judge(spec: Path, profile: str, group: cgroup.Cgroup | None) -> str:
    ctx = _forkserver()
    if ctx is None:
        command = [sys.executable, "-m", "cnn_course.grade.judge", str(spec)]
        try:
            proc = subprocess.run(
                group.wrap(command) if group is not None else command,
                capture_output=True,
                text=True,
                timeout=JUDGE_TIMEOUT_S,
                env=_judge_env(profile),
            )
        except subprocess.TimeoutExpired:
            return f"el corrector superó {JUDGE_TIMEOUT_S} s"
        return "" if proc.returncode == 0 else proc.stderr[-600:]
    from cnn_course.grade.judge import run_forked

    log = spec.with_suffix(".log")
    proc = ctx.Process(target=run_forked, args=(str(spec), str(log), _judge_env(profile)))
    proc.start()
    if group is not None:
        group.join(proc.pid)
    proc.join(JUDGE_TIMEOUT_S)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return f"el corrector superó {JUDGE_TIMEOUT_S} s"
    if proc.exitcode == 0:
        return ""
    told = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    return (told or f"exit code {proc.exitcode}")[-600:]


def verdicts(judging: Judging, profile: str) -> dict[str, dict]:
    """Run the judge in a process of its own; a judge that fails costs every judged cell, with why."""
    with tempfile.TemporaryDirectory(prefix="cnn-course-judge-") as tmp:
        spec = Path(tmp) / "spec.json"
        out = Path(tmp) / "verdicts.json"
        spec.write_text(
            json.dumps(
                {
                    "session": judging.session,
                    "records": str(judging.records),
                    "seed": judging.seed,
                    "profile": profile,
                    "out": str(out),
                    "memory_mb": JUDGE_MEMORY_MB,
                }
            ),
            encoding="utf-8",
        )
        failure = _run_judge(spec, profile)
        if failure or not out.exists():
            raise RuntimeError(f"judge failed: {failure}")
        found = json.loads(out.read_text(encoding="utf-8"))
    return found
