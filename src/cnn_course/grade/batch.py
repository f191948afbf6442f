"""Grade a class: collect, grade in parallel (processes or Dask), merge, write the outputs.

Outputs in ``out/``: ``grades.csv``, ``feedback/<student>.html``, ``informe.md``
(the teacher's report), ``results.json``, ``gradebook.db`` (the merged nbgrader
gradebook) and ``nbgrader_grades.csv`` (``nbgrader export`` of it). A second run
on the same input rewrites them all: same grades, nothing duplicated.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from cnn_course import runtime, sessions
from cnn_course.course import COURSE, CourseDirectory
from cnn_course.grade import cgroup, isolation, judging, leaderboard, report, report_html
from cnn_course.grade.assignment import build_pack
from cnn_course.grade.collect import Roster, collect, fingerprint
from cnn_course.grade.findings import Finding
from cnn_course.grade.jobs import AssignmentPack, Job, Result
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


def merge_gradebook(pack: AssignmentPack, results: list[Result], path: Path) -> None:
    """One nbgrader gradebook for the class: the assignment plus every student's grades."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    path.unlink(missing_ok=True)
    path.write_bytes(pack.gradebook)
    # nbgrader's update_or_create_submission trips SQLAlchemy's autoflush warnings
    # (it does the same inside `nbgrader autograde`): harmless, and noise here.
    with warnings.catch_warnings(), Gradebook(f"sqlite:///{path}") as gb:
        warnings.simplefilter("ignore", SAWarning)
        for r in results:
            gb.update_or_create_student(r.student)
            gb.update_or_create_submission(pack.assignment, r.student)
            pending = set(r.pending)
            for gid, score in r.scores.items():
                grade = gb.find_grade(gid, pack.notebook, pack.assignment, r.student)
                if gid in pack.manual:
                    # Hand-graded: the teacher's points (formgrader or --manual CSV) or pending.
                    grade.auto_score = None
                    grade.manual_score = None if gid in pending else score
                    grade.needs_manual_grade = gid in pending
                else:
                    grade.auto_score = score
                    grade.needs_manual_grade = False
            gb.db.commit()


def export_gradebook(db: Path, csv_path: Path) -> None:
    """nbgrader's own CSV export of the merged gradebook."""
    with tempfile.TemporaryDirectory() as tmp:
        CourseDirectory(Path(tmp)).nbgrader(
            "export",
            f"--CourseDirectory.db_url=sqlite:///{Path(db).resolve()}",
            f"--CsvExportPlugin.to={Path(csv_path).resolve()}",
        )


def _clean_outputs(out: Path) -> None:
    """Remove the outputs of an earlier run (only files this module writes)."""
    for name in (
        "grades.csv",
        "informe.md",
        "informe.html",
        "results.json",
        "gradebook.db",
        "nbgrader_grades.csv",
        "leaderboard.csv",
        "leaderboard.html",
    ):
        (out / name).unlink(missing_ok=True)
    shutil.rmtree(out / "feedback", ignore_errors=True)
    shutil.rmtree(out / "logs", ignore_errors=True)


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
    _clean_outputs(out)
    grade_ids = list(pack.points)
    for folder in ("feedback", "logs"):
        (out / folder).mkdir()
    for r in results:
        (out / "feedback" / f"{r.student}.html").write_text(r.feedback_html, encoding="utf-8")
        if r.log:  # nbgrader's own log, for a submission the teacher wants to look into
            (out / "logs" / f"{r.student}.log").write_text(r.log, encoding="utf-8")
    report.write_grades_csv(out / "grades.csv", results, grade_ids)
    report.write_results_json(out / "results.json", results)
    merge_gradebook(pack, results, out / "gradebook.db")
    export_gradebook(out / "gradebook.db", out / "nbgrader_grades.csv")
    seconds = time.monotonic() - start
    write_class_report(out, assignment, results, seconds, 0 if scheduler else workers)
    leaderboard.write_from_results(out, assignment, results)
    return ClassResult(assignment, results, grade_ids, out, seconds, workers)


def write_class_report(
    out: Path, assignment: str, results: list[Result], seconds: float = 0.0, workers: int = 0
) -> None:
    """The teacher's report beside grades.csv."""
    report.write_report(out / "informe.md", assignment, results, seconds, workers)
    report_html.write_html_report(out / "informe.html", assignment, results, seconds, workers)


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


__all__ = ["ClassResult", "grade_class", "merge_gradebook"]
