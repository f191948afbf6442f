"""Grade one submission: a pure function from a :class:`Job` to a :class:`Result`.

Everything a worker needs travels in the job (the submitted bytes, the released
notebook and a pristine gradebook of the assignment), so the same function runs
in a local process pool or on a Dask worker on another machine. Each call builds
its own temporary nbgrader course around a private copy of the gradebook, runs
``nbgrader autograde`` and ``nbgrader generate_feedback`` there, and removes it:
no state is shared between calls, so a result depends only on its job.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
import traceback
from dataclasses import replace
from pathlib import Path

import nbformat

from cnn_course.fmt import number
from cnn_course.grade import judging as judging_mod
from cnn_course.grade.course import GradingCourse
from cnn_course.grade.findings import Finding, position
from cnn_course.grade.jobs import AssignmentPack, Job, Result
from cnn_course.grade.limits import cell_findings, charged_cells, resource_findings
from cnn_course.grade.preflight import preflight
from cnn_course.grade.preprocessors.limitoutputbytes import cut_findings
from cnn_course.grade.preprocessors.recoverkernel import KERNEL_KEY
from cnn_course.grade.report import fallback_feedback
from cnn_course.grade.sandbox import run_nbgrader
from cnn_course.messages import msg

# Seconds for nbgrader's own start, the kernel's start and writing results,
# on top of the cells' time.
_OVERHEAD_S = 120
GRADING_PROFILE = "grading"
"""The profile every submission is judged under (never the kernel's environment)."""
# Exceptions that mean a cell ran out of memory.
_MEMORY_ERRORS = {"MemoryError", "ResourceExhaustedError"}


def _student_dir(student: str) -> str:
    """A file-system-safe id for the temporary course (the real id stays in the Result)."""
    return re.sub(r"[^A-Za-z0-9_.-]", "_", student) or "student"


def grade_submission(job: Job) -> Result:
    """Pre-flight, autograde and feedback of one submission; never raises."""
    start = time.monotonic()
    try:
        result = _grade(job)
    except Exception:  # a bug here must cost one submission, not the batch
        result = ungraded(
            job,
            [*job.findings, Finding("crash", detail={"reason": msg("grade.crash.nbgrader")})],
            "failed",
            log=traceback.format_exc(),
        )
    result.seconds = time.monotonic() - start
    return result


def ungraded(job: Job, findings: list[Finding], status: str, log: str = "") -> Result:
    """The result of a job nbgrader did not grade: 0 points, plain feedback, the reasons."""
    zeros = dict.fromkeys(job.pack.points, 0.0)
    return Result(
        job.student,
        job.filename,
        zeros,
        dict(job.pack.points),
        findings,
        fallback_feedback(job.pack.notebook, findings, job.pack.points),
        status,
        log=log,
    )


def _grade(job: Job) -> Result:
    pack = job.pack
    released = nbformat.reads(pack.release, as_version=4)
    checked = preflight(job.data, released, pack.assignment, pack.notebook, pack.other_assignments)
    findings = [*job.findings, *checked.findings]
    if checked.fatal:
        return ungraded(job, findings, "not_graded")

    code_cells = sum(c.cell_type == "code" for c in checked.nb.cells)
    limit_s = job.limit_s or code_cells * job.timeout + _OVERHEAD_S
    with tempfile.TemporaryDirectory(prefix="cnn-course-grade-") as tmp:
        course = GradingCourse(Path(tmp), pack.assignment, pack.notebook, _student_dir(job.student))
        course.create(pack.gradebook, checked.nb, job.timeout)
        judging = judging_mod.prepare(pack.assignment, course.root)
        env = {**job.env, **(judging.kernel_env if judging else {})}
        run = run_nbgrader(
            ["autograde", pack.assignment, f"--student={course.student}", "--force"],
            course.root,
            env,
            limit_s,
            job.memory_mb,
            limits=job.limits,
        )
        log = run.output
        status = "graded"
        findings += resource_findings(run, job.limits)
        if run.timed_out:
            findings.append(Finding("guard_timeout", detail={"seconds": int(limit_s)}))
            status = "failed"
        elif run.disk_full:
            status = "failed"
        elif run.returncode != 0 or not course.autograded.exists():
            died = "Kernel died" in log or "DeadKernelError" in log
            reason = msg("grade.crash.kernel" if died else "grade.crash.nbgrader")
            findings.append(Finding("crash", detail={"reason": reason}))
            status = "failed"
        lost: set[str] = set()
        autograded = None
        if course.autograded.exists():
            autograded = nbformat.read(course.autograded, as_version=4)
            findings += execution_findings(autograded, job.timeout, job.memory_mb)
            findings += cut_findings(autograded)
            findings += cell_findings(autograded, run, job.limits)
            lost = lost_cells(autograded) | charged_cells(autograded, run, job.limits)
        scores = {gid: 0.0 for gid in pack.points}
        judged: dict[str, float] = {}
        measures: dict[str, dict] = {}
        if judging is not None:
            # Judged cells: points from the judge alone; records made before a crash count.
            judged, reasons, measures = _judge(judging, pack)
            # A cell whose kernel was lost scores 0 whatever it recorded (said once, above).
            judged.update(dict.fromkeys(lost & judged.keys(), 0.0))
            findings += [
                _true_reason(f, judging.records, autograded) for f in reasons if f.cell not in lost
            ]
        if status == "graded":
            # Cells still checked in the kernel (sessions not yet judged outside it): never
            # more than a cell's points, never less than 0, whatever the gradebook says.
            auto = {
                g: s for g, s in course.scores().items() if g in scores and g not in pack.manual
            }
            scores.update({g: min(max(float(s), 0.0), pack.points[g]) for g, s in auto.items()})
        scores.update(judged)
        scores.update(dict.fromkeys(lost & scores.keys(), 0.0))
        if course.autograded.exists():
            # The feedback reads a gradebook the kernel never touched: the pristine one,
            # with the grader's scores.
            course.reset_gradebook(pack.gradebook, scores)
        manual = manual_answers(checked.nb, pack)

        html = ""
        if course.autograded.exists() and status == "graded":
            course.write_findings([f.message() for f in findings])
            html, feedback_log = _feedback(course, job.env)
            log += feedback_log
        if not html:
            html = fallback_feedback(pack.notebook, findings, pack.points, scores)
    return Result(
        job.student,
        job.filename,
        scores,
        dict(pack.points),
        findings,
        html,
        status,
        log=log,
        manual=manual,
        isolated=run.isolated,
        bounded=run.bounded,
        measures=measures,
    )


def _judge(
    judging, pack: AssignmentPack
) -> tuple[dict[str, float], list[Finding], dict[str, dict]]:
    """Points of each judged cell (capped to its maximum), a finding per cell that lost them,
    and what the judge measured per cell (for a leaderboard)."""
    try:
        verdicts = judging_mod.verdicts(judging, GRADING_PROFILE)
    except RuntimeError as exc:
        return {}, [Finding("judge_failed", detail={"reason": str(exc)[-300:]})], {}
    scores, findings = {}, []
    measures = {
        gid: v["measure"]
        for gid, v in verdicts.items()
        if isinstance(v, dict) and isinstance(v.get("measure"), dict) and v["measure"]
        and len(json.dumps(v["measure"], default=str)) <= _MEASURE_LIMIT
    }  # fmt: skip
    for gid, verdict in verdicts.items():
        if gid not in pack.points or gid in pack.manual:
            continue
        fraction = min(max(float(verdict.get("fraction", 0.0)), 0.0), 1.0)
        scores[gid] = fraction * pack.points[gid]
        if verdict.get("reason"):
            detail = {
                "reason": str(verdict["reason"])[:_REASON_LIMIT],
                "max": number(pack.points[gid]),
            }
            findings.append(Finding("judged", gid, {**detail, "score": number(scores[gid])}))
    return scores, findings, measures


_MEASURE_LIMIT = 64 * 1024
"""Characters of one cell's measurements kept for the leaderboard (JSON)."""
_REASON_LIMIT = 600
"""Characters of a cell's own error quoted as the reason it lost its points."""
_ANSWER_LIMIT = 4000
"""Characters of a hand-graded answer the report quotes (the rest is cut, and says so)."""


def manual_answers(nb, pack: AssignmentPack) -> list[dict]:
    """The student's text in each hand-graded cell, for the teacher's report."""
    texts = {}
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in pack.manual:
            texts[gid] = cell.source
    answers = []
    for gid in pack.manual:
        text = texts.get(gid, "")
        if len(text) > _ANSWER_LIMIT:
            text = text[:_ANSWER_LIMIT] + f"\n[… respuesta recortada: {len(text)} caracteres]"
        answers.append({"grade_id": gid, "answer": text, "max_points": pack.points[gid]})
    return answers


def _feedback(course: GradingCourse, env: dict[str, str]) -> tuple[str, str]:
    """nbgrader generate_feedback in the course; (HTML, log). It runs no student code, but it
    reads a folder the kernel could write, so it runs in the sandbox too."""
    run = run_nbgrader(
        ["generate_feedback", course.assignment, f"--student={course.student}", "--force"],
        course.root,
        env,
        _OVERHEAD_S,
    )
    if run.returncode != 0 or run.timed_out:
        return "", f"\n--- generate_feedback ---\n{run.output[-4000:]}"
    if not course.feedback.exists():
        return "", "\n--- generate_feedback wrote no file ---"
    return course.feedback.read_text(encoding="utf-8"), ""


def _true_reason(finding: Finding, records: Path, autograded) -> Finding:
    """A judged cell that recorded nothing is explained by what happened in that cell of the
    ``autograded`` notebook (None when nbgrader wrote none): the error it raised (a public
    check's message, say), or that it never ran."""
    if (records / finding.cell / "record.json").is_file() or autograded is None:
        return finding
    for cell in autograded.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") != finding.cell:
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            error = str(errors[-1].get("evalue") or errors[-1].get("ename") or "")
            reason = msg("grade.judged.cell_error", error=error[:_REASON_LIMIT])
        elif cell.get("execution_count") is None:
            reason = msg("grade.judged.not_run")
        else:
            return finding
        return replace(finding, detail={**finding.detail, "reason": reason})
    return finding


def lost_cells(nb) -> set[str]:
    """Grade ids of the cells whose kernel died or hung, or that were not run after it."""
    return {
        cell.metadata.get("nbgrader", {}).get("grade_id", "")
        for cell in nb.cells
        if cell.metadata.get(KERNEL_KEY)
    } - {""}


def execution_findings(nb, timeout: int, memory_mb: int) -> list[Finding]:
    """Lost kernels, timeouts and memory errors recorded in an autograded notebook."""
    found = []
    not_run = False
    for pos, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or position(pos)
        enames = {
            o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"
        }
        lost = cell.metadata.get(KERNEL_KEY)
        if lost == "not_run":
            if not not_run:  # one finding, from the first cell not run
                found.append(Finding("not_run", name))
            not_run = True
        elif lost in ("died", "hung"):
            found.append(Finding(f"kernel_{lost}", name, {"timeout": timeout}))
        elif "CellTimeoutError" in enames:
            found.append(Finding("timeout", name, {"timeout": timeout}))
        elif enames & _MEMORY_ERRORS:
            found.append(Finding("memory", name, {"limit": memory_mb or "sin límite"}))
    return found
