"""Run one nbgrader app in a killable process tree with a memory limit.

nbgrader's per-cell timeout stops a cell that runs too long, and
:class:`~cnn_course.grade.preprocessors.RecoverKernel` replaces a kernel that
ignores the interrupt; neither stops a hung kernel start or nbgrader itself. Here the
whole run (this module's process, nbgrader, the kernel and anything they start)
gets one wall-clock limit and is killed as a tree when it passes it. The memory
limit is an ``RLIMIT_AS`` set before nbgrader starts, so the kernel inherits it:
a cell that allocates beyond it gets a ``MemoryError`` and the rest of the
notebook still runs.

Where the machine allows it, the whole run is also isolated
(:mod:`cnn_course.grade.isolation`): it sees only its own course, the course's
read-only public files and a private scratch folder, with no network and a clean
environment. Where it does not, the run goes on unisolated, a warning says so once,
and :attr:`Outcome.isolated` is false.
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cnn_course.grade import isolation


@dataclass(frozen=True)
class Outcome:
    """How one sandboxed nbgrader run ended."""

    returncode: int
    output: str
    timed_out: bool
    seconds: float
    isolated: bool = False
    """whether nbgrader and the kernel ran in the sandbox"""


def _kill_tree(pid: int) -> None:
    """Kill a process and all its descendants (the kernel runs in a session of its own)."""
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = [*parent.children(recursive=True), parent]
    except psutil.NoSuchProcess:
        return
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()
    psutil.wait_procs(procs, timeout=10)


def run_nbgrader(
    args: list[str],
    root: Path,
    env: dict[str, str],
    limit_s: float,
    memory_mb: int = 0,
    isolate: bool | None = None,
) -> Outcome:
    """Run ``nbgrader ARGS`` (:meth:`CourseDirectory.nbgrader`) within ``limit_s`` seconds,
    in the sandbox when ``isolate`` (default: whenever :func:`isolation_available`)."""
    if isolate is None:
        isolate = isolation.isolation_available()
        if not isolate:
            isolation.warn_unisolated()
    spec = {
        "args": list(args),
        "root": str(Path(root).absolute()),
        "env": env,
        "memory_mb": memory_mb,
    }
    command = [sys.executable, "-m", "cnn_course.grade.sandbox", json.dumps(spec)]
    if isolate:
        command = isolation.bwrap_command(command, root, env)
    start = time.monotonic()
    proc = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env=isolation.BWRAP_ENV if isolate else None,
    )
    try:
        out, _ = proc.communicate(timeout=limit_s)
        timed_out = False
    except subprocess.TimeoutExpired:
        _kill_tree(proc.pid)
        out, _ = proc.communicate()
        timed_out = True
    # The grader's next steps (scores, feedback) read this course outside the sandbox.
    removed = isolation.scrub(Path(root))
    if removed:
        out = (out or "") + "\n[sandbox] removed from the course: " + ", ".join(removed) + "\n"
    return Outcome(proc.returncode, out or "", timed_out, time.monotonic() - start, isolate)


def _limit_memory(memory_mb: int) -> None:
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    _limit_memory(spec["memory_mb"])
    from cnn_course.course import CourseDirectory  # after the limit: nothing allocated before

    try:
        proc = CourseDirectory(Path(spec["root"])).nbgrader(*spec["args"], env=spec["env"])
    except RuntimeError as exc:
        print(exc)
        return 1
    print(proc.stdout)
    print(proc.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
