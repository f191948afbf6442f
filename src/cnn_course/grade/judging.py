"""The worker's side of out-of-kernel judging: draw the inputs, then run the judge process.

For a session with a ``grading`` module, each submission gets a fresh seed; the inputs
drawn from it are written into the course the kernel sees, the records folder is named
in the kernel's environment, and after the kernel has exited :mod:`cnn_course.grade.judge`
runs in a new process with the grader's environment (its data, no kernel variables).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cnn_course.record import INPUTS_ENV, RECORDS_ENV

JUDGE_TIMEOUT_S = 600
MEASURES_ENV = "CNN_COURSE_MEASURES"
"""Folder (named by the batch) where the judge's measurements are kept per submission."""


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


def verdicts(judging: Judging, profile: str) -> dict[str, dict]:
    """Run the judge in a fresh process; a judge that fails costs every judged cell, with why."""
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
                }
            ),
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if k not in (RECORDS_ENV, INPUTS_ENV)}
        env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        env["CNN_COURSE_PROFILE"] = profile  # checks that read the profile read the grader's
        try:
            proc = subprocess.run(
                [sys.executable, "-m", "cnn_course.grade.judge", str(spec)],
                capture_output=True,
                text=True,
                timeout=JUDGE_TIMEOUT_S,
                env=env,
            )
            failure = "" if proc.returncode == 0 else proc.stderr[-600:]
        except subprocess.TimeoutExpired:
            failure = f"el corrector superó {JUDGE_TIMEOUT_S} s"
        if failure or not out.exists():
            raise RuntimeError(f"judge failed: {failure}")
        found = json.loads(out.read_text(encoding="utf-8"))
    keep_measures(judging, found)
    return found


def measures_name(student: str) -> str:
    """The file of a student's measurements: the grading course's file-system-safe id."""
    from cnn_course.grade.worker import _student_dir  # worker imports this module

    return f"{_student_dir(student)}.json"


def keep_measures(judging: Judging, found: dict) -> None:
    """Keep what the judge measured (e.g. for a leaderboard) in ``$CNN_COURSE_MEASURES``,
    named after the grading course's student; nothing when the batch named no folder.

    The file is always rewritten, empty when nothing was measured: whatever a kernel might
    have put there (only possible without the sandbox) never survives its own judging."""
    folder = os.environ.get(MEASURES_ENV)
    measured = {
        gid: v["measure"]
        for gid, v in found.items()
        if isinstance(v, dict) and isinstance(v.get("measure"), dict) and v["measure"]
    }
    submitted = judging.records.parent / "submitted"
    students = [p.name for p in submitted.iterdir() if p.is_dir()] if submitted.is_dir() else []
    if not folder or len(students) != 1:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / f"{students[0]}.json"
    path.write_text(json.dumps(measured, ensure_ascii=False), encoding="utf-8")
