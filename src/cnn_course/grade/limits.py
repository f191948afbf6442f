"""The resources one submission may use, as a whole: the grader's settings.

Each limit is a named default here; a batch or a test passes its own :class:`Limits`.
``memory_mb`` of a :class:`~cnn_course.grade.worker.Job` stays the per-process
``RLIMIT_AS`` (a cell that allocates too much gets a ``MemoryError`` and the notebook goes
on); the limits below bound the submission's whole process tree and its disk.
"""

from __future__ import annotations

from dataclasses import dataclass

from cnn_course.grade.findings import Finding, position

GROUP_MEMORY_MB = 8192 + 512
"""Memory of a submission's whole cgroup in MiB (nbgrader, the kernel, its children, page
cache and the sandbox's in-memory /tmp together): the kernel's RLIMIT_AS plus the /tmp."""
GROUP_PIDS = 512
"""Processes and threads of a submission at once (TensorFlow alone starts a few dozen)."""
GROUP_CPU_SHARES = 1024
"""CPU weight of each submission (cgroup v1 ``cpu.shares``): equal shares whatever the
number of threads a kernel starts."""
DISK_MB = 1024
"""Bytes a submission's course folder may hold in MiB (the notebook, records, HOME)."""
FILE_MB = 512
"""Largest file a submission's processes may write in MiB (``RLIMIT_FSIZE``; a record's
model file is read up to 256 MiB)."""
DISK_CHECK_S = 0.5
"""Seconds between two checks of the course folder's size during a run."""
JUDGE_MEMORY_MB = 4096
"""Memory of the judge process in MiB, on top of what its preloaded server already holds."""


@dataclass(frozen=True)
class Limits:
    """One submission's resource limits (0: that limit is not set)."""

    group_memory_mb: int = GROUP_MEMORY_MB
    group_pids: int = GROUP_PIDS
    cpu_shares: int = GROUP_CPU_SHARES
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
        found.append(Finding("group_memory", detail={"limit": limits.group_memory_mb}))
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
