"""What travels between the batch and its workers: the assignment, one job, one result.

Plain data only (bytes, strings, numbers), so that a job and its result cross a process
pool or a Dask cluster unchanged; :func:`cnn_course.grade.worker.grade_submission` turns
a :class:`Job` into a :class:`Result`, and everything the report, the gradebook and the
leaderboard need is in the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cnn_course.grade.findings import Finding
from cnn_course.grade.limits import Limits


@dataclass(frozen=True)
class AssignmentPack:
    """What a worker needs to know about the assignment, built once per batch."""

    assignment: str
    notebook: str
    """notebook name without .ipynb"""
    release: str
    """the released (student) notebook, as JSON"""
    gradebook: bytes
    """a gradebook right after generate_assignment (sqlite file)"""
    points: dict[str, float]
    """max points of each grade cell, in release order"""
    other_assignments: dict[str, list[str]] = field(default_factory=dict)
    """grade ids of the course's other assignments (to name a wrong one)"""
    manual: tuple[str, ...] = ()
    """grade ids of the answers graded by hand (nbgrader's manually graded answer cells)"""


@dataclass(frozen=True)
class Job:
    """One submission to grade."""

    student: str
    filename: str
    data: bytes
    pack: AssignmentPack
    timeout: int
    """seconds one cell may run (nbgrader's Execute.timeout)"""
    limit_s: float = 0
    """wall-clock seconds for the whole autograde (0: number of code cells × timeout + overhead)"""
    memory_mb: int = 0
    """address-space limit of nbgrader and its kernel in MiB (0: none)"""
    env: dict[str, str] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    """found before grading (e.g. while collecting the files)"""
    limits: Limits = field(default_factory=Limits)
    """what the submission may use as a whole (its cgroup and disk)"""


@dataclass
class Result:
    """The grade of one submission."""

    student: str
    filename: str
    scores: dict[str, float]
    """points of each grade cell (0 for cells nbgrader could not grade)"""
    max_scores: dict[str, float]
    findings: list[Finding]
    feedback_html: str
    status: str
    """graded, not_graded (pre-flight stopped it) or failed (nbgrader did not finish)"""
    seconds: float = 0.0
    log: str = ""
    manual: list[dict] = field(default_factory=list)
    """hand-graded answers waiting for the teacher: grade_id, answer (the student's text),
    max_points"""
    isolated: bool = True
    """whether the kernel ran in the sandbox"""
    bounded: bool = True
    """whether the submission ran in a cgroup of its own (memory and processes as a whole)"""
    measures: dict[str, dict] = field(default_factory=dict)
    """what the judge measured per grade cell (a challenge's accuracy, parameters, band...),
    for the leaderboard"""

    @property
    def pending(self) -> list[str]:
        """Grade ids still to be graded by hand."""
        return [m["grade_id"] for m in self.manual]

    @property
    def total(self) -> float:
        return sum(self.scores.values())

    @property
    def max_total(self) -> float:
        return sum(self.max_scores.values())
