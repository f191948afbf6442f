"""Benchmark (not a test): seconds to grade one submission with and without the sandbox.

Grades demo-class submissions of ``02_mnist`` one at a time, in this process, through
the worker (:func:`cnn_course.grade.worker.grade_submission`: pre-flight, autograde,
out-of-kernel judge, feedback), each either in the bubblewrap sandbox or with isolation
switched off (``isolation.isolation_available`` patched to False, what a machine without
bubblewrap gets; `cnn-course grade` has no option to switch it off). Prints one JSON line
per run: mode, seconds, load average before and after, points and whether they are the
demo case's expected ones. Interleave the modes to spread the machine's load over both.

    CNN_COURSE_DATA=/path/to/data python bench/grade_sandbox_timing.py OUT \\
        sandbox:01_perfecto nosandbox:01_perfecto sandbox:01_perfecto ...

``OUT/clase`` holds the demo class (written on the first run). ``CELL_TIMEOUT`` sets the
per-cell timeout (default: the grading profile's, as `cnn-course grade`).
"""

from __future__ import annotations

import json
import os
import sys
import warnings
from pathlib import Path

from cnn_course import demo, runtime, sessions
from cnn_course.course import COURSE
from cnn_course.grade import isolation
from cnn_course.grade.assignment import build_pack
from cnn_course.grade.batch import DEFAULT_MEMORY_MB, kernel_env
from cnn_course.grade.jobs import Job
from cnn_course.grade.worker import GRADING_PROFILE, grade_submission


def main(out: Path, runs: list[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    cls = out / "clase"
    if not cls.exists():
        demo.make_demo_class(cls)
    pack = build_pack(demo.ASSIGNMENT, out / ".cache", COURSE)
    session = sessions.by_assignment(demo.ASSIGNMENT).key
    timeout = int(os.environ.get("CELL_TIMEOUT") or runtime.timeout(session, GRADING_PROFILE))
    expected = demo.expected_scores(pack.points)
    probe = isolation.isolation_available
    for item in runs:
        mode, student = item.split(":")
        isolation.isolation_available = probe if mode == "sandbox" else (lambda: False)
        warnings.simplefilter("ignore")
        data = (cls / f"{student}.ipynb").read_bytes()
        job = Job(
            student,
            f"{student}.ipynb",
            data,
            pack,
            timeout,
            memory_mb=DEFAULT_MEMORY_MB,
            env=kernel_env(1),
        )
        load = os.getloadavg()[0]
        result = grade_submission(job)
        ok = result.scores == expected[student]
        record = {
            "mode": mode,
            "student": student,
            "isolated": result.isolated,
            "status": result.status,
            "seconds": round(result.seconds, 1),
            "load1_before": round(load, 2),
            "load1_after": round(os.getloadavg()[0], 2),
            "total": result.total,
            "max": result.max_total,
            "as_expected": ok,
            "findings": [(f.kind, f.cell) for f in result.findings],
        }
        if not ok:
            record |= {"scores": result.scores, "expected": expected[student]}
            record["log_tail"] = result.log[-3000:]
        print(json.dumps(record, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(Path(sys.argv[1]), sys.argv[2:])
