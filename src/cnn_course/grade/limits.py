"""The resources one submission may use, as a whole: the grader's settings.

Each limit is a named default here; a batch or a test passes its own :class:`Limits`.
``memory_mb`` of a :class:`~cnn_course.grade.jobs.Job` stays the per-process
``RLIMIT_AS`` (a cell that allocates too much gets a ``MemoryError`` and the notebook goes
on); the limits below bound the submission's whole process tree and its disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from cnn_course.grade.findings import Finding, position

GROUP_EXTRA_MB = 512 + 512
"""Memory of a submission's whole cgroup beyond the kernel's ``RLIMIT_AS``, in MiB: the
sandbox's in-memory /tmp (512) and nbgrader's own share (used when no group limit is set)."""
GROUP_PIDS = 512
"""Processes and threads of a submission at once (TensorFlow alone starts a few dozen)."""
CPU_SHARES_PER_THREAD = 1024
"""CPU weight of a submission (cgroup v1 ``cpu.shares``) per thread the batch gives its kernel
(``OMP_NUM_THREADS``): as much as that many busy processes, however many threads it starts."""
DISK_MB = 1024
"""Size the submission's course folder may reach, in MiB (the notebook, records, HOME)."""
FILE_MB = 512
"""Largest file a submission's processes may write in MiB (``RLIMIT_FSIZE``; a record's
model file is read up to 256 MiB)."""
DISK_CHECK_S = 0.5
"""Seconds between two checks of the course folder's size during a run."""
JUDGE_MEMORY_MB = 4096
"""Memory of the judge process in MiB, on top of what its preloaded server already holds."""


def group_memory(limits: Limits, memory_mb: int) -> int:
    """Memory of the submission's cgroup in MiB (0: no limit)."""
    if limits.group_memory_mb is not None:
        return limits.group_memory_mb
    return memory_mb + GROUP_EXTRA_MB if memory_mb else 0


def cpu_shares(limits: Limits, env: dict[str, str]) -> int:
    """CPU weight of the submission's cgroup (0: the system's default)."""
    if limits.cpu_shares is not None:
        return limits.cpu_shares
    threads = str(env.get("OMP_NUM_THREADS", ""))
    return CPU_SHARES_PER_THREAD * (int(threads) if threads.isdigit() else os.cpu_count() or 1)


@dataclass(frozen=True)
class Limits:
    """One submission's resource limits (0: that limit is not set)."""

    group_memory_mb: int | None = None
    """None: the job's per-process memory limit plus :data:`GROUP_EXTRA_MB`"""
    group_pids: int = GROUP_PIDS
    cpu_shares: int | None = None
    """None: :data:`CPU_SHARES_PER_THREAD` per thread the kernel is given"""
    disk_mb: int = DISK_MB
    file_mb: int = FILE_MB


# What a cell's error says when a limit refused it: the process limit (fork, thread) and
# the file-size limit.
_PIDS_ERRORS = ("Resource temporarily unavailable", "can't start new thread")
_FSIZE_ERRORS = ("File too large",)


def resource_findings(run, limits: Limits) -> list[Finding]:
    """What a run (:class:`~cnn_course.grade.sandbox.Outcome`) reached as a whole."""
    found = []
    if run.hits.memory:
        found.append(Finding("group_memory", detail={"limit": run.group_memory_mb}))
    if run.hits.pids:
        found.append(Finding("group_pids", detail={"limit": limits.group_pids}))
    if run.disk_full:
        found.append(Finding("disk", detail={"limit": limits.disk_mb}))
    if run.hits.leftover:
        found.append(Finding("leftover", detail={"count": run.hits.leftover}))
    return found


def _refused(cell, run, limits: Limits) -> str:
    """Which limit refused what this cell did ('' for none)."""
    errors = " ".join(
        f"{o.get('ename', '')} {o.get('evalue', '')}"
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    )
    if run.hits.pids and any(e in errors for e in _PIDS_ERRORS):
        return "pids"
    if limits.file_mb and any(e in errors for e in _FSIZE_ERRORS):
        return "fsize"
    return ""


def cell_findings(nb, run, limits: Limits) -> list[Finding]:
    """A finding for each cell whose error came from a limit (it scores 0)."""
    found = []
    for pos, cell in enumerate(nb.cells):
        refused = _refused(cell, run, limits) if cell.cell_type == "code" else ""
        name = cell.metadata.get("nbgrader", {}).get("grade_id") or position(pos)
        if refused == "pids":
            found.append(Finding("cell_pids", name, {"limit": limits.group_pids}))
        elif refused == "fsize":
            found.append(Finding("cell_file_size", name, {"limit": limits.file_mb}))
    return found


def charged_cells(nb, run, limits: Limits) -> set[str]:
    """Grade ids of the cells a limit refused: they score 0."""
    return {
        cell.metadata.get("nbgrader", {}).get("grade_id", "")
        for cell in nb.cells
        if cell.cell_type == "code" and _refused(cell, run, limits)
    } - {""}
