"""The sandbox of one submission's nbgrader run: Linux namespaces through bubblewrap.

:func:`bwrap_command` wraps a command (``python -m cnn_course.grade.sandbox SPEC``:
nbgrader and the kernel it starts) so that it runs in a fresh mount, PID, network,
IPC, UTS and user namespace with no capabilities, and sees only:

- read-only: the system (``/usr`` and the top-level links or folders into it, a few
  files of ``/etc``), the Python installation and the virtualenv that run the grader,
  the package's source (an editable install), the course's ``autograder/`` folder and
  tables, and the data mirror (``$CNN_COURSE_DATA``);
- read-write: the submission's own grading course (its copy of the notebook and of
  the gradebook), with a private ``HOME`` inside it, and a private ``/tmp`` in memory.

Everything else (other submissions' courses, gradebooks of the class, the output
folder, ``solutions/``, the rest of the checkout, the teacher's home) is simply not
there. The network namespace has only its own loopback: no way out, not even to the
host's ``127.0.0.1``. The environment is cleared and rebuilt from :func:`sandbox_env`.

:func:`isolation_available` says whether this machine can do it (``bwrap`` installed,
namespaces allowed); :func:`warn_unisolated` says loudly, once per process, that it
cannot.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import warnings
from functools import cache
from pathlib import Path

from cnn_course._tables import REPO_ROOT, table_path

HOME_DIR = ".home"
"""The kernel's private HOME, inside its course root (Jupyter, IPython, Keras, matplotlib)."""
BWRAP_ENV: dict[str, str] = {}
"""The environment to start ``bwrap`` with: none. bwrap stays in the sandbox as its PID 1,
and any process in there can read ``/proc/1/environ``: the grader's variables must not
be there (:func:`sandbox_env` is what the command gets, set by bwrap's ``--setenv``)."""
TMP_MB = 512
"""Size of the sandbox's private ``/tmp`` (a tmpfs: memory that RLIMIT_AS does not count)."""

PROTECTED = ("nbgrader_config.py",)
"""Files of the course that the grader reads as code after the run: read-only inside."""
PLANTED = ("nbgrader_config.json",)
"""Files nbgrader would read as configuration after the run if a kernel wrote them:
removed by :func:`scrub`."""

# System folders shown as they are on the host (a link stays a link: /lib -> usr/lib).
_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# The few files of /etc that the dynamic loader, Python, Jupyter and matplotlib read.
_ETC = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "alternatives",
    "passwd",
    "group",
    "nsswitch.conf",
    "host.conf",
    "hosts",
    "localtime",
    "timezone",
    "mime.types",
    "fonts",
    "jupyter",
    "ipython",
    "matplotlibrc",
)
# Variables of the grader's env that must not reach the kernel as they are: the Keras
# cache is shared by the teacher's runs (a kernel could poison it), so the kernel gets
# its own in its HOME and rebuilds what it needs from the read-only mirror.
_NOT_PASSED = ("KERAS_HOME",)


class IsolationWarning(RuntimeWarning):
    """Submissions are graded without the sandbox on this machine."""


def _within(path: Path, folders: list[Path]) -> bool:
    return any(path == f or f in path.parents for f in folders)


def _package_root() -> Path:
    """The folder that holds the ``cnn_course`` package (``src/`` in an editable install)."""
    import cnn_course

    return Path(cnn_course.__file__).resolve().parent.parent


def data_mirror(env: dict[str, str]) -> Path | None:
    """The data mirror the kernel is told about (``CNN_COURSE_DATA`` of ``env``, else ours)."""
    value = (env.get("CNN_COURSE_DATA") or os.environ.get("CNN_COURSE_DATA") or "").strip()
    if not value:
        return None
    path = Path(os.path.abspath(Path(value).expanduser()))
    return path if path.is_dir() else None


def public_paths(env: dict[str, str]) -> list[Path]:
    """The course's public files the sandbox shows read-only, at their own paths."""
    candidates = [
        Path(sys.base_prefix),
        Path(sys.base_exec_prefix),
        Path(sys.prefix),
        Path(sys.exec_prefix),
        _package_root(),
        (REPO_ROOT / "autograder"),
        table_path("registry.toml"),
        table_path("budgets.toml"),
    ]
    mirror = data_mirror(env)
    # A mirror that holds the checkout, a home or the temporary courses would show them all.
    private = [REPO_ROOT, Path.home().resolve(), Path(tempfile.gettempdir()).resolve()]
    if mirror is not None and not any(
        m == p or m in p.parents for m in (mirror, mirror.resolve()) for p in private
    ):
        candidates.append(mirror)
    paths: list[Path] = []
    for path in sorted({Path(os.path.abspath(p)) for p in candidates}, key=lambda p: len(p.parts)):
        if path.exists() and not _within(path, paths):
            paths.append(path)
    return paths


def home(root: Path) -> Path:
    return root / HOME_DIR


def sandbox_env(root: Path, env: dict[str, str]) -> dict[str, str]:
    """The whole environment inside the sandbox: a few basics, then what the grader passes."""
    private = home(root)
    base = {
        "PATH": os.pathsep.join(
            [str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]
        ),
        "HOME": str(private),
        "LANG": "C.UTF-8",
        "TMPDIR": "/tmp",
        "JUPYTER_RUNTIME_DIR": str(private / ".local" / "share" / "jupyter" / "runtime"),
        "IPYTHONDIR": str(private / ".ipython"),
        "MPLCONFIGDIR": str(private / ".config" / "matplotlib"),
        "PYTHONDONTWRITEBYTECODE": "1",
        # The kernel imports the grader's own package (the one bound read-only), whatever
        # the interpreter's site-packages would find first.
        "PYTHONPATH": str(_package_root()),
    }
    passed = {k: v for k, v in env.items() if k not in _NOT_PASSED}
    mirror = data_mirror(env)
    if mirror is not None:
        passed["CNN_COURSE_DATA"] = str(mirror)
    # No network in the sandbox: a missing dataset must fail at once, not after a download try.
    return {**base, **passed, "KERAS_HOME": str(private / ".keras"), "CNN_COURSE_OFFLINE": "1"}


def kernel_startup(root: Path) -> Path:
    """An IPython startup file in the kernel's private IPYTHONDIR: the kernel (and so every
    child it starts) raises its OOM score above the grader's, so that past the cgroup's
    memory the kernel's side is killed, not nbgrader (a process may always raise its own)."""
    from cnn_course.grade.cgroup import KERNEL_OOM_SCORE_ADJ

    path = home(root) / ".ipython" / "profile_default" / "startup" / "00-cnn-course-oom.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "def _cnn_course_oom():\n"
        "    try:\n"
        "        with open('/proc/self/oom_score_adj', 'w') as f:\n"
        f"            f.write('{KERNEL_OOM_SCORE_ADJ}')\n"
        "    except OSError:\n"
        "        pass\n\n\n"
        "_cnn_course_oom()\n"
        "del _cnn_course_oom\n",
        encoding="utf-8",
    )
    return path


def _system_args() -> list[str]:
    args: list[str] = []
    for name in _SYSTEM:
        path = Path(name)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), name]
        elif path.is_dir():
            args += ["--ro-bind", name, name]
    for name in _ETC:
        args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
    return args


def bwrap_command(command: list[str], root: Path, env: dict[str, str]) -> list[str]:
    """``command`` wrapped in bubblewrap, with ``root`` (a grading course) as its only
    writable folder on disk."""
    root = Path(os.path.abspath(root))
    home(root).mkdir(parents=True, exist_ok=True)
    kernel_startup(root)
    args = [shutil.which("bwrap") or "bwrap", *_system_args()]
    args += ["--proc", "/proc", "--dev", "/dev"]
    args += ["--size", str(TMP_MB * 1024 * 1024), "--tmpfs", "/tmp"]
    for path in public_paths(env):
        args += ["--ro-bind", str(path.resolve()), str(path)]
    args += ["--bind", str(root.resolve()), str(root)]
    for name in PROTECTED:  # a file over which a bind lies can be neither changed nor replaced
        if (root / name).is_file():
            args += ["--ro-bind", str((root / name).resolve()), str(root / name)]
    args += ["--remount-ro", "/", "--chdir", str(root)]
    args += ["--unshare-all", "--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if os.geteuid() == 0:  # bwrap run by root keeps its capabilities unless told
        args += ["--cap-drop", "ALL"]
    args += ["--clearenv"]
    for key, value in sandbox_env(root, env).items():
        args += ["--setenv", key, value]
    return [*args, "--", *command]


def scrub(root: Path) -> list[str]:
    """Remove from a course what a kernel may have planted for the grader's later steps,
    which run outside the sandbox: links (to the teacher's files, or out of the course),
    FIFOs, sockets and devices (a FIFO blocks whoever opens it) and :data:`PLANTED`
    configuration. Returns the paths removed."""
    removed = []
    for dirpath, dirnames, filenames in os.walk(root):  # never follows links
        for name in [*dirnames, *filenames]:
            path = os.path.join(dirpath, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISDIR(mode) or stat.S_ISREG(mode):
                continue
            os.unlink(path)
            removed.append(path)
    for name in PLANTED:
        if (root / name).exists():
            (root / name).unlink()
            removed.append(str(root / name))
    return removed


@cache
def _probe() -> tuple[bool, str]:
    if shutil.which("bwrap") is None:
        return False, "bubblewrap (bwrap) is not installed"
    with tempfile.TemporaryDirectory(prefix="cnn-course-probe-") as tmp:
        cmd = bwrap_command([sys.executable, "-c", "import cnn_course"], Path(tmp), {})
        try:
            proc = subprocess.run(
                cmd,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
                env=BWRAP_ENV,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"bwrap could not start: {exc}"
    if proc.returncode != 0:
        return False, f"bwrap failed: {(proc.stderr or proc.stdout).strip()[-300:]}"
    return True, ""


def isolation_available() -> bool:
    """Whether submissions can be sandboxed here (checked once per process)."""
    return _probe()[0]


def unavailable_reason() -> str:
    """Why :func:`isolation_available` is false ('' when it is true)."""
    return _probe()[1]


_warned = False


def warn_unisolated() -> None:
    """Say, once per process, that kernels run without the sandbox and why."""
    global _warned
    if _warned:
        return
    _warned = True
    warnings.warn(
        "SUBMISSIONS ARE GRADED WITHOUT ISOLATION: each student's kernel can read other "
        "submissions, the gradebooks, the teacher's files and environment, and use the "
        f"network ({unavailable_reason() or 'sandbox not available'}). Install bubblewrap "
        "(apt-get install bubblewrap) on a Linux machine that allows user namespaces.",
        IsolationWarning,
        stacklevel=2,
    )
