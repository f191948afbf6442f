"""Grade a class: collect, grade in parallel (processes or Dask), merge, write the outputs.

The outputs in ``out/`` belong to :class:`cnn_course.grade.outputs.OutputFolder` (grades,
feedback, reports, the class gradebook and its export, the leaderboard). A second run on
the same input rewrites them all: same grades, nothing duplicated.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from cnn_course import runtime, sessions
from cnn_course.course import COURSE, CourseDirectory
from cnn_course.grade import cgroup, isolation, judging, report
from cnn_course.grade.assignment import build_pack
from cnn_course.grade.collect import Roster, collect, fingerprint
from cnn_course.grade.findings import Finding
from cnn_course.grade.jobs import AssignmentPack, Job, Result
from cnn_course.grade.outputs import GradedClass, OutputFolder
from cnn_course.grade.worker import GRADING_PROFILE, grade_submission, ungraded

# Address space of nbgrader and of each kernel; a TensorFlow kernel maps about 3 GiB.
DEFAULT_MEMORY_MB = 8192
# Environment passed to every kernel (besides the profile): data mirror, quiet TensorFlow.
_PASSED_ENV = ("CNN_COURSE_DATA", "CNN_COURSE_OFFLINE", "KERAS_HOME", "TF_CPP_MIN_LOG_LEVEL")


@dataclass
class ClassResult:
    """A graded class."""

    assignment: str
    results: list[Result]
    grade_ids: list[str]
    out: Path
    seconds: float
    workers: int


def kernel_env(workers: int) -> dict[str, str]:
    """Environment of the kernels: grading profile, data mirror, one share of the cores each."""
    env = {k: os.environ[k] for k in _PASSED_ENV if k in os.environ}
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    env[runtime.PROFILE_ENV] = GRADING_PROFILE
    # N kernels on N cores: one thread pool per core, not N pools of N threads each.
    threads = str(max(1, (os.cpu_count() or 1) // max(1, workers)))
    for key in ("OMP_NUM_THREADS", "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS"):
        env.setdefault(key, threads)
    return env


def make_jobs(
    submissions,
    pack: AssignmentPack,
    timeout: int,
    workers: int,
    limit_s: float = 0,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> list[Job]:
    env = kernel_env(workers)
    return [
        Job(
            student=s.student,
            filename=s.filename,
            data=s.data,
            pack=pack,
            timeout=timeout,
            limit_s=limit_s,
            memory_mb=memory_mb,
            env=env,
            findings=s.findings,
        )
        for s in submissions
    ]


def _start_worker() -> None:
    """The batch already said, once, whether kernels run isolated: workers do not repeat it.
    Each worker starts its judge server now, beside its first kernel."""
    warnings.filterwarnings("ignore", category=isolation.IsolationWarning)
    warnings.filterwarnings("ignore", category=cgroup.UnboundedWarning)
    judging.warm_up()


def run_local(jobs: list[Job], workers: int) -> Iterator[Result]:
    """Grade in a pool of ``workers`` processes; results in completion order."""
    # spawn: a fresh interpreter per worker, no inherited threads or open gradebooks.
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=get_context("spawn"), initializer=_start_worker
    )
    with pool:
        futures = {pool.submit(grade_submission, job): job for job in jobs}
        for future in as_completed(futures):
            yield _result_of(future, futures[future])


def run_dask(jobs: list[Job], address: str | object) -> Iterator[Result]:
    """Grade on a Dask cluster: ``address`` of a scheduler, or a ``distributed.Client``."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    client = address if isinstance(address, Client) else Client(address)
    try:
        # pure=False: two identical files of two students are two jobs.
        futures = client.map(
            grade_submission, jobs, pure=False, key=[f"grade-{j.student}" for j in jobs]
        )
        by_key = {f.key: job for f, job in zip(futures, jobs, strict=True)}
        for future in dask_completed(futures):
            yield _result_of(future, by_key[future.key])
    finally:
        if client is not address:
            client.close()


def _result_of(future, job: Job) -> Result:
    """The future's result; a worker that died (not a failed notebook) costs its job only."""
    try:
        return future.result()
    except Exception as exc:
        return ungraded(
            job,
            [*job.findings, Finding("crash", detail={"reason": f"{type(exc).__name__}: {exc}"})],
            "failed",
        )


def grade_class(
    submissions: Path,
    assignment: str,
    out: Path,
    workers: int | None = None,
    scheduler: str | object | None = None,
    roster: Path | None = None,
    timeout: int | None = None,
    limit_s: float = 0,
    memory_mb: int = DEFAULT_MEMORY_MB,
    progress: bool = True,
    course: CourseDirectory = COURSE,
) -> ClassResult:
    """Grade every submission of ``assignment`` found in ``submissions`` and write ``out``."""
    start = time.monotonic()
    # Absolute: nbgrader runs in another working directory (autograder/).
    submissions, out = Path(submissions).resolve(), Path(out).resolve()
    if timeout is None:
        timeout = runtime.timeout(sessions.by_assignment(assignment).key, GRADING_PROFILE)
    workers = workers or os.cpu_count() or 1
    before = fingerprint(submissions)
    class_list = Roster.read(roster) if roster else None
    found = collect(submissions, class_list)
    out.mkdir(parents=True, exist_ok=True)
    pack = build_pack(assignment, out / ".cache", course)
    jobs = make_jobs(found, pack, timeout, workers, limit_s, memory_mb)

    # Without bubblewrap the grader says so once here, not once per worker process.
    if not isolation.isolation_available():
        isolation.warn_unisolated()
    if not cgroup.available():
        cgroup.warn_unbounded()
    runner = run_dask(jobs, scheduler) if scheduler else run_local(jobs, workers)
    results = []
    bar = _progress(len(jobs), progress)
    for result in runner:
        results.append(result)
        bar.set_postfix_str(f"{result.student}: {report.fmt(result.total)}")
        bar.update()
    bar.close()
    if class_list is not None:
        have = {r.student for r in results}
        results += [_absent(s, pack) for s in class_list.ids if s not in have]
    results.sort(key=lambda r: r.student)

    if fingerprint(submissions) != before:
        raise RuntimeError(f"The submissions under {submissions} changed while grading.")
    grade_ids = list(pack.points)
    seconds = time.monotonic() - start
    folder = OutputFolder(out)
    folder.clean()
    folder.write(
        GradedClass(assignment, results, grade_ids, pack, seconds, 0 if scheduler else workers)
    )
    return ClassResult(assignment, results, grade_ids, out, seconds, workers)


def _absent(student: str, pack: AssignmentPack) -> Result:
    return Result(
        student,
        "",
        dict.fromkeys(pack.points, 0.0),
        dict(pack.points),
        [Finding("no_submission")],
        report.fallback_feedback(pack.notebook, [Finding("no_submission")], pack.points),
        "not_graded",
    )


def _progress(total: int, enabled: bool):
    from tqdm import tqdm

    return tqdm(total=total, desc="grading", unit="nb", file=sys.stderr, disable=not enabled)


__all__ = ["ClassResult", "grade_class"]
