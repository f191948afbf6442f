"""Run one nbgrader app in a killable, bounded process tree.

nbgrader's per-cell timeout stops a cell that runs too long, and
:class:`~cnn_course.grade.preprocessors.RecoverKernel` replaces a kernel that
ignores the interrupt; neither stops a hung kernel start or nbgrader itself. Here the
whole run (this module's process, nbgrader, the kernel and anything they start)
gets one wall-clock limit and is killed as a whole when it passes it.

Limits, each named in :mod:`cnn_course.grade.limits`:

- per process: an ``RLIMIT_AS`` set before nbgrader starts, so the kernel inherits it (a
  cell that allocates beyond it gets a ``MemoryError`` and the rest of the notebook
  still runs), and an ``RLIMIT_FSIZE`` (a larger file cannot be written);
- per submission: a cgroup (:mod:`cnn_course.grade.cgroup`) holding the whole tree,
  with its memory, process and CPU limits, and a checked quota on the course folder
  (checked every :data:`~cnn_course.grade.limits.DISK_CHECK_S` seconds: past it, the run
  is killed);
- nothing left over: this module's process is the subreaper of everything nbgrader
  starts, waits for nbgrader only (never on a pipe that a leftover could hold: the
  output goes to a file) and kills what is left; in the sandbox the PID namespace ends
  with it, and the cgroup is emptied after it.

Where the machine allows it, the whole run is also isolated
(:mod:`cnn_course.grade.isolation`): it sees only its own course, the course's
read-only public files and a private scratch folder, with no network and a clean
environment. Where it does not, the run goes on unisolated, a warning says so once,
and :attr:`Outcome.isolated` is false; likewise for the cgroup and :attr:`Outcome.bounded`.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from cnn_course.grade import cgroup, isolation
from cnn_course.grade.limits import DISK_CHECK_S, Limits, cpu_shares, group_memory

_LEFTOVER = "[sandbox] leftover processes killed: "
_PR_SET_CHILD_SUBREAPER = 36
_KERNEL = "ipykernel_launcher"
"""What a kernel's command line holds (``python -m ipykernel_launcher -f ...``)."""
_OUTPUT_KEPT = 4 * 1024 * 1024
"""Bytes of a run's output kept (the end: nbgrader's last words and the leftover count)."""


@dataclass(frozen=True)
class Outcome:
    """How one sandboxed nbgrader run ended."""

    returncode: int
    output: str
    timed_out: bool
    seconds: float
    isolated: bool = False
    """whether nbgrader and the kernel ran in the sandbox"""
    bounded: bool = False
    """whether the run had a cgroup of its own"""
    hits: cgroup.Hits = field(default_factory=cgroup.Hits)
    """the cgroup limits it reached, and the processes left when it ended"""
    disk_full: bool = False
    """whether its course folder passed the disk limit (the run was killed then)"""
    group_memory_mb: int = 0
    """the memory limit of its cgroup in MiB (0: none)"""


def _kill_tree(pid: int) -> int:
    """Kill a process and all its descendants; how many there were."""
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        return 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)
    return len(procs)


def disk_usage(root: Path) -> int:
    """Bytes on disk of the files under ``root`` (links never followed)."""
    total = 0
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, name)).st_blocks * 512
    return total


def run_nbgrader(
    args: list[str],
    root: Path,
    env: dict[str, str],
    limit_s: float,
    memory_mb: int = 0,
    isolate: bool | None = None,
    limits: Limits | None = None,
) -> Outcome:
    """Run ``nbgrader ARGS`` (:meth:`CourseDirectory.nbgrader`) within ``limit_s`` seconds,
    in the sandbox when ``isolate`` (default: whenever :func:`isolation_available`), in a
    cgroup of its own where the machine gives one."""
    limits = limits or Limits()
    if isolate is None:
        isolate = isolation.isolation_available()
        if not isolate:
            isolation.warn_unisolated()
    spec = {
        "args": list(args),
        "root": str(Path(root).absolute()),
        "env": env,
        "memory_mb": memory_mb,
        "file_mb": limits.file_mb,
    }
    command = [sys.executable, "-m", "cnn_course.grade.sandbox", json.dumps(spec)]
    if isolate:
        command = isolation.bwrap_command(command, root, env)
    group_mb = group_memory(limits, memory_mb)
    group = cgroup.create(group_mb, limits.group_pids, cpu_shares(limits, env))
    if group is None:
        cgroup.warn_unbounded()
    else:
        command = group.wrap(command)
    start = time.monotonic()
    disk_full = timed_out = False
    oom_kills = 0
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=isolation.BWRAP_ENV if isolate else None,
        )
        deadline = start + limit_s
        while proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.0, min(DISK_CHECK_S, deadline - time.monotonic())))
            if proc.returncode is not None:
                break
            used = disk_usage(Path(root)) + os.fstat(out.fileno()).st_blocks * 512
            disk_full = bool(limits.disk_mb) and used > limits.disk_mb * 1024 * 1024
            timed_out = time.monotonic() >= deadline
            if disk_full or timed_out:
                _kill_tree(proc.pid)
                break
            if group is not None and group.oom_kills() > oom_kills:
                # Past the group's memory the kernel goes, whichever process the kernel's
                # OOM killer chose: nbgrader charges the running cell and goes on.
                oom_kills = group.oom_kills()
                group.kill_named(_KERNEL)
        hits = group.close() if group is not None else cgroup.Hits()
        proc.wait()
        out.seek(max(0, os.fstat(out.fileno()).st_size - _OUTPUT_KEPT))
        text = out.read().decode("utf-8", errors="replace")
    # Leftovers as the run's own process found them: the cgroup's count would also hold
    # the processes of a run killed at its limit.
    hits = cgroup.Hits(hits.memory, hits.pids, _leftover(text))
    # The grader's next steps (scores, feedback) read this course outside the sandbox.
    removed = isolation.scrub(Path(root))
    if removed:
        text += "\n[sandbox] removed from the course: " + ", ".join(removed) + "\n"
    seconds = time.monotonic() - start
    bounded = group is not None
    return Outcome(
        proc.returncode, text, timed_out, seconds, isolate, bounded, hits, disk_full, group_mb
    )


def _leftover(output: str) -> int:
    """Processes the run's own process found and killed after nbgrader ended."""
    found = re.findall(re.escape(_LEFTOVER) + r"(\d+)", output)
    return int(found[-1]) if found else 0


def _limit(memory_mb: int, file_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if file_mb > 0:
        limit = file_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def _adopt_orphans() -> None:
    """Become the parent of every process nbgrader starts that loses its own (a double
    fork), so that :func:`_kill_leftovers` finds it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def _kill_leftovers() -> int:
    import psutil

    procs = psutil.Process().children(recursive=True)
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)
    return len(procs)


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    _limit(spec["memory_mb"], spec.get("file_mb", 0))
    _adopt_orphans()
    from cnn_course.course import CourseDirectory  # after the limit: nothing allocated before

    course = CourseDirectory(Path(spec["root"]))
    # As CourseDirectory.nbgrader, but nbgrader writes to this process's output (a file)
    # and only nbgrader is waited for: a process it leaves behind cannot hold the run.
    cmd = [sys.executable, "-m", "cnn_course._nbgrader", *spec["args"]]
    cmd.append(f"--CourseDirectory.root={course.root}")
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    sys.stdout.flush()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        cwd=course.config_file.parent,
        env={**os.environ, "PATH": path, **spec["env"]},
    )
    code = proc.wait()
    left = _kill_leftovers()
    if left:
        print(f"{_LEFTOVER}{left}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
