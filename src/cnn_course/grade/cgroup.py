"""One control group per submission: its whole process tree bounded as one.

``RLIMIT_AS`` bounds each process; a kernel that forks six children gets six times its
limit. A cgroup bounds them together: memory (RAM, page cache and the sandbox's tmpfs,
which is charged to whoever writes it), the number of processes (threads count) and a
CPU weight. Its first process joins it before it execs (:meth:`Cgroup.wrap`), so
everything it starts is inside; after the run :meth:`Cgroup.close` kills whatever is
left, reads what was hit and removes the group.

Backend: cgroup v1, written directly as root (the ``memory`` and ``pids`` controllers,
``cpu`` when mounted). The group is made under the grader's own group of each
controller, so the grader's own limits still hold. Where no backend is available
:func:`create` returns None: :func:`warn_unbounded` says so loudly once per process, and
the teacher's report says so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
import warnings
from dataclasses import dataclass
from functools import cache
from pathlib import Path

KERNEL_OOM_SCORE_ADJ = 500
"""OOM score the kernel gives itself and so every child it starts
(:func:`cnn_course.grade.isolation.kernel_startup`): past the group's memory the kernel's side
is killed, never nbgrader, whose death would lose the whole submission. A process may always
raise its own score; lowering nbgrader's would need CAP_SYS_RESOURCE."""

# Enter the groups named before "--", then exec the rest: one tiny shell, no Python start.
_ENTER = (
    'for f; do [ "$f" = -- ] && break; echo $$ > "$f" || exit 125; shift; done; shift; exec "$@"'
)


class UnboundedWarning(RuntimeWarning):
    """Submissions are graded without a cgroup: no memory or process limit per submission."""


@dataclass(frozen=True)
class Hits:
    """Which limits a submission's processes reached."""

    memory: bool = False
    """the out-of-memory killer killed a process of the group"""
    pids: bool = False
    """a fork or a new thread was refused at the process limit"""
    leftover: int = 0
    """processes still running when the run ended (killed then)"""


def _mounts() -> dict[str, tuple[Path, str]]:
    """cgroup v1 controllers: name -> (mount point, root of the mount)."""
    found = {}
    with open("/proc/self/mountinfo", encoding="utf-8") as f:
        for line in f:
            fields, _, rest = line.partition(" - ")
            parts, tail = fields.split(), rest.split()
            if len(tail) < 3 or tail[0] != "cgroup":
                continue
            for option in tail[2].split(","):
                found.setdefault(option, (Path(parts[4]), parts[3]))
    return found


def _own(controller: str) -> str:
    """This process's group of a v1 controller ('' when it has none)."""
    with open("/proc/self/cgroup", encoding="utf-8") as f:
        for line in f:
            _, names, path = line.rstrip("\n").split(":", 2)
            if controller in names.split(","):
                return path
    return ""


def _folder(controller: str, name: str) -> Path | None:
    mount = _mounts().get(controller)
    if mount is None:
        return None
    point, root = mount
    own = _own(controller)
    relative = own[len(root) :] if own.startswith(root) else own
    return point / relative.lstrip("/") / name


class Cgroup:
    """A submission's cgroup v1 groups (one per controller)."""

    def __init__(self, folders: dict[str, Path]):
        self.folders = folders

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` run from a shell that first joins every group of this cgroup."""
        procs = [str(f / "cgroup.procs") for f in self.folders.values()]
        return ["/bin/sh", "-c", _ENTER, "sh", *procs, "--", *command]

    def join(self, pid: int) -> None:
        """Move a running process into every group of this cgroup."""
        for folder in self.folders.values():
            with contextlib.suppress(OSError):
                (folder / "cgroup.procs").write_text(str(pid))

    def pids(self) -> set[int]:
        found: set[int] = set()
        for folder in self.folders.values():
            with contextlib.suppress(OSError):
                text = (folder / "cgroup.procs").read_text()
                found.update(int(p) for p in text.split())
        return found

    def kill(self) -> int:
        """Kill every process in the group (a forking one included); how many were found."""
        seen: set[int] = set()
        for _ in range(200):
            pids = self.pids()
            if not pids:
                break
            seen |= pids
            for pid in pids:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        return len(seen)

    def oom_kills(self) -> int:
        """How many processes the out-of-memory killer has killed in the group so far."""
        if "memory" not in self.folders:
            return 0
        return _field(_read(self.folders["memory"] / "memory.oom_control"), "oom_kill")

    def kill_named(self, word: str) -> int:
        """Kill the group's processes whose command line holds ``word``, with their
        descendants (e.g. every kernel); how many there were."""
        import psutil

        procs = []
        for pid in self.pids():
            with contextlib.suppress(psutil.Error):
                proc = psutil.Process(pid)
                if word in " ".join(proc.cmdline()):
                    procs += [proc, *proc.children(recursive=True)]
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        return len(procs)

    def hits(self) -> Hits:
        memory = pids = False
        if "memory" in self.folders:
            text = _read(self.folders["memory"] / "memory.oom_control")
            memory = _field(text, "oom_kill") > 0 or _field(text, "under_oom") > 0
        if "pids" in self.folders:
            pids = _field(_read(self.folders["pids"] / "pids.events"), "max") > 0
        return Hits(memory, pids)

    def close(self) -> Hits:
        """Kill what is left, read the limits hit and remove the groups."""
        leftover = self.kill()
        hits = self.hits()
        for folder in self.folders.values():
            for _ in range(100):
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # a killed process may take a moment to leave
                    self.kill()
                    time.sleep(0.05)
        return Hits(hits.memory, hits.pids, leftover)


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _field(text: str, key: str) -> int:
    for line in text.splitlines():
        name, _, value = line.partition(" ")
        if name == key and value.strip().isdigit():
            return int(value)
    return 0


def create(memory_mb: int, pids: int, cpu_shares: int) -> Cgroup | None:
    """A new cgroup with these limits (0: that limit unset), or None where this machine
    gives none (not root, or no v1 ``memory`` and ``pids`` controllers)."""
    if not available():
        return None
    name = f"cnn-course-{uuid.uuid4().hex[:12]}"
    folders: dict[str, Path] = {}
    settings = {
        "memory": {
            "memory.limit_in_bytes": memory_mb * 1024 * 1024 if memory_mb else -1,
            "memory.memsw.limit_in_bytes": memory_mb * 1024 * 1024 if memory_mb else -1,
        },
        "pids": {"pids.max": pids or "max"},
        "cpu": {"cpu.shares": cpu_shares} if cpu_shares else {},
    }
    try:
        for controller, values in settings.items():
            folder = _folder(controller, name)
            if folder is None:
                continue
            folder.mkdir()
            folders[controller] = folder
            for key, value in values.items():
                if (folder / key).exists():
                    (folder / key).write_text(str(value))
    except OSError:
        Cgroup(folders).close()
        return None
    return Cgroup(folders)


@cache
def _probe() -> tuple[bool, str]:
    if os.geteuid() != 0:
        return False, "the grader does not run as root (cgroup v1 needs it)"
    for controller in ("memory", "pids"):
        folder = _folder(controller, f"cnn-course-probe-{os.getpid()}")
        if folder is None:
            return False, f"no cgroup v1 '{controller}' controller mounted"
        try:
            folder.mkdir()
            folder.rmdir()
        except OSError as exc:
            return False, f"cannot create a '{controller}' cgroup: {exc}"
    return True, ""


def available() -> bool:
    """Whether each submission can get a cgroup here (checked once per process)."""
    return _probe()[0]


def unavailable_reason() -> str:
    return _probe()[1]


_warned = False


def warn_unbounded() -> None:
    """Say, once per process, that submissions run without a cgroup, and why."""
    global _warned
    if _warned:
        return
    _warned = True
    warnings.warn(
        "SUBMISSIONS ARE GRADED WITHOUT A CGROUP: one submission's processes together may "
        "use all the memory and start any number of processes "
        f"({unavailable_reason() or 'no cgroup available'}). Run the grader as root on a "
        "machine with cgroup v1 'memory' and 'pids' controllers.",
        UnboundedWarning,
        stacklevel=2,
    )
