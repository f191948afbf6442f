"""Tests for `cnn_course.grade.sandbox` and `cnn_course.grade.isolation`: a student's kernel
cannot reach what is not its own.

The attacks are cells in ``tests/files/attacks/``: one notebook made of all of them is
graded once in the sandbox (each test below reads one attack's verdict) and once
without it, to show that each attack does succeed where nothing stops it. Both runs
go through ``nbgrader autograde`` on a one-notebook course built here.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

import nbformat
import psutil
import pytest
from nbconvert.preprocessors import CoalesceStreamsPreprocessor

from cnn_course._tables import REPO_ROOT
from cnn_course.grade import isolation, sandbox

ATTACKS = Path(__file__).with_name("files") / "attacks"
ATTACK_CELLS = [
    "sibling_submission",
    "other_gradebook",
    "teacher_env",
    "teacher_home",
    "solutions",
    "network",
    "write_outside",
    "tamper_course",
    "legit",
]
SECRET_ENV = "CNN_COURSE_TEACHER_SECRET"
ASSIGNMENT, NOTEBOOK, STUDENT = "ps1", "attack", "mallory"

pytestmark = [
    pytest.mark.notebook,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="namespaces are Linux's"),
]


# ---------------------------------------------------------------- a one-notebook course


def make_course(root: Path, cells: list[str], timeout: int = 60) -> Path:
    """An nbgrader course at ``root`` whose one submission is a notebook of ``cells``."""
    from nbgrader.api import Gradebook

    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    db = root / "gradebook.db"
    with pytest.MonkeyPatch.context() as mp:
        # nbgrader creates the gradebook with `alembic`, looked up on PATH.
        mp.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]))
        with Gradebook(f"sqlite:///{db}") as gb:
            gb.update_or_create_assignment(ASSIGNMENT)
            gb.update_or_create_notebook(NOTEBOOK, ASSIGNMENT)
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    submitted = root / "submitted" / STUDENT / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    submitted.parent.mkdir(parents=True)
    nbformat.write(nb, submitted)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{db}'\n"
        "c.CourseDirectory.source_directory = 'source'\n"
        f"c.Execute.timeout = {timeout}\n",
        encoding="utf-8",
    )
    return root


def autograde(root: Path, env: dict[str, str], isolate: bool | None, limit_s: float = 300):
    outcome = sandbox.run_nbgrader(
        ["autograde", ASSIGNMENT, f"--student={STUDENT}", "--force"],
        root,
        env,
        limit_s,
        memory_mb=4096,
        isolate=isolate,
    )
    graded = root / "autograded" / STUDENT / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    return outcome, graded


def printed(graded: Path) -> dict[str, list[str]]:
    """``name: VERDICT ...`` lines the cells printed, by name (errors as ``ERROR`` lines).

    A kernel may flush one ``print`` as several stream outputs (ipykernel flushes on a
    timer, between ``print``'s separate writes): nbconvert's `CoalesceStreamsPreprocessor`
    joins them first.
    """
    assert graded.exists(), "nbgrader wrote no autograded notebook"
    nb, _ = CoalesceStreamsPreprocessor().preprocess(nbformat.read(graded, as_version=4), {})
    lines: dict[str, list[str]] = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                lines.setdefault("ERROR", []).append(f"{out['ename']}: {out['evalue']}")
            for line in out.get("text", "").splitlines():
                name, _, rest = line.partition(": ")
                lines.setdefault(name, []).append(rest)
    return lines


def test_printed_joins_a_print_split_across_stream_outputs(tmp_path):
    """The CI failure of 2026-11-28: ``legit: OK`` and `` 6 True`` came as two outputs."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("print('legit: OK', 6, True)")]
    nb.cells[0].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="legit: OK"),
        nbformat.v4.new_output("stream", name="stdout", text=" 6 True\n"),
    ]
    nbformat.write(nb, tmp_path / "graded.ipynb")
    assert printed(tmp_path / "graded.ipynb") == {"legit": ["OK 6 True"]}


# ---------------------------------------------------------------- the scene


class Scene:
    """What the attacks go after, set up on the host as a grading run would find it."""

    def __init__(self, base: Path, home: Path):
        self.marker = f"cnn-course-{uuid.uuid4().hex}"
        self.base = base
        self.mirror = base / "mirror"
        self.mirror.mkdir()
        (self.mirror / "README.md").write_text(self.marker, encoding="utf-8")
        # Another student's course, graded at the same time: submission and gradebook.
        other = base / "other-course"
        self.sibling = other / "submitted" / "bob" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        self.sibling.parent.mkdir(parents=True)
        self.sibling.write_text(self.marker, encoding="utf-8")
        self.gradebook = other / "gradebook.db"
        with sqlite3.connect(self.gradebook) as db:
            db.execute("CREATE TABLE grade (student TEXT, score REAL)")
        self.home_file = home / f".cnn-course-secret-{uuid.uuid4().hex}"
        self.home_file.write_text(self.marker, encoding="utf-8")
        self.secret = uuid.uuid4().hex
        self.escapes = [
            other / "escaped.txt",
            home / f".cnn-course-escaped-{uuid.uuid4().hex}",
            REPO_ROOT / f"escaped-{uuid.uuid4().hex}.txt",
            Path(sandbox.__file__).with_name(f"escaped_{uuid.uuid4().hex}.py"),
        ]
        self.server = socket.create_server(("127.0.0.1", 0))  # listens; connects succeed
        self.targets = {
            "marker": self.marker,
            "sibling": str(self.sibling),
            "gradebook": str(self.gradebook),
            "env_name": SECRET_ENV,
            "env_value": self.secret,
            "home": str(home),
            "home_file": str(self.home_file),
            "solutions": str(REPO_ROOT / "solutions"),
            "port": self.server.getsockname()[1],
            "escapes": [str(p) for p in self.escapes],
        }

    def cells(self, escapes: bool = True) -> list[str]:
        """The attack notebook; without ``escapes`` it writes nowhere outside (for runs that
        nothing stops: they must not leave files in the checkout or processes behind)."""
        targets = self.targets if escapes else {**self.targets, "escapes": []}
        setup = f"import json\nTARGETS = json.loads({json.dumps(targets)!r})"
        names = ATTACK_CELLS if escapes else [n for n in ATTACK_CELLS if n != "tamper_course"]
        return [setup, *((ATTACKS / f"{n}.py").read_text(encoding="utf-8") for n in names)]

    def env(self) -> dict[str, str]:
        """What the grader passes to a kernel (as batch.kernel_env does)."""
        return {
            "CNN_COURSE_DATA": str(self.mirror),
            "CNN_COURSE_PROFILE": "grading",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "OMP_NUM_THREADS": "1",
        }

    def close(self) -> None:
        self.server.close()
        for path in [self.home_file, *self.escapes]:
            path.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def scene(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    made = Scene(tmp_path_factory.mktemp("scene"), Path.home())
    mp.setenv(SECRET_ENV, made.secret)  # the teacher's environment, as the grader sees it
    yield made
    made.close()
    mp.undo()


@pytest.fixture(scope="module")
def sandboxed(scene, tmp_path_factory):
    """The attack notebook graded in the sandbox: (outcome, printed lines)."""
    if not isolation.isolation_available():
        pytest.fail(f"no sandbox on this Linux machine: {isolation.unavailable_reason()}")
    root = make_course(tmp_path_factory.mktemp("course") / "course", scene.cells())
    config = (root / "nbgrader_config.py").read_text(encoding="utf-8")
    outcome, graded = autograde(root, scene.env(), isolate=None)
    assert outcome.isolated and outcome.returncode == 0, outcome.output
    return outcome, printed(graded), root, config


def processes_with(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


def verdict(lines: dict[str, list[str]], name: str) -> list[str]:
    assert name in lines, f"{name} printed nothing: {lines}"
    return [line.split()[0] for line in lines[name]]


# ---------------------------------------------------------------- the attacks, sandboxed


def test_kernel_cannot_read_a_sibling_submission(sandboxed):
    assert verdict(sandboxed[1], "sibling_submission") == ["BLOCKED"]


def test_kernel_cannot_open_another_gradebook(sandboxed):
    assert verdict(sandboxed[1], "other_gradebook") == ["BLOCKED"]


def test_kernel_cannot_read_the_teachers_environment(sandboxed):
    """Neither its own environment nor any visible process's (bwrap's PID 1 included)."""
    assert verdict(sandboxed[1], "teacher_env") == ["BLOCKED"]


def test_kernel_cannot_read_the_teachers_home(sandboxed):
    assert verdict(sandboxed[1], "teacher_home") == ["BLOCKED"]
    assert verdict(sandboxed[1], "teacher_home_listing") == ["BLOCKED"]


def test_kernel_cannot_list_the_solutions(sandboxed):
    assert verdict(sandboxed[1], "solutions") == ["BLOCKED"]


def test_kernel_has_no_network_not_even_the_hosts_loopback(sandboxed):
    assert verdict(sandboxed[1], "host_loopback") == ["BLOCKED"]
    assert verdict(sandboxed[1], "internet") == ["BLOCKED"]


def test_kernel_cannot_write_outside_its_course(sandboxed, scene):
    """Read-only mounts refuse; a private /tmp may take the write, which never reaches the host."""
    assert len(sandboxed[1]["write_outside"]) == len(scene.escapes)
    assert [p for p in scene.escapes if p.exists()] == []


def test_kernel_leaves_no_trap_for_the_grader(sandboxed, scene):
    """What runs after the kernel, outside the sandbox (scores, feedback, judge), finds
    only plain files in the course: no link, no FIFO, no planted or changed nbgrader
    configuration, and no process of the kernel's still running."""
    lines, root, config = sandboxed[1], sandboxed[2], sandboxed[3]
    # The kernel could plant links and a FIFO (its course is its own), not change the config.
    planted = " | ".join(lines["tamper"])
    assert "planted link" in planted and "planted fifo" in planted, planted
    assert "BLOCKED config" in planted and "spawned" in planted, planted
    left = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            mode = os.lstat(os.path.join(dirpath, name)).st_mode
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                left.append(os.path.join(dirpath, name))
    assert left == []
    assert not (root / "nbgrader_config.json").exists()
    assert (root / "nbgrader_config.py").read_text(encoding="utf-8") == config
    lingering = processes_with(scene.marker)
    for proc in lingering:
        proc.kill()
    assert lingering == []


def test_legitimate_work_still_runs(sandboxed):
    """numpy, the read-only data mirror, and writing to its own HOME, cwd and /tmp."""
    lines = sandboxed[1]
    assert "ERROR" not in lines, lines["ERROR"]
    assert lines["legit"] == ["OK 6 True"]


def test_sandbox_environment_is_only_what_the_grader_sets(scene, tmp_path):
    env = isolation.sandbox_env(tmp_path, {**scene.env(), "KERAS_HOME": "/root/.keras"})
    assert SECRET_ENV not in env and env["CNN_COURSE_PROFILE"] == "grading"
    assert env["HOME"] == str(tmp_path / isolation.HOME_DIR)
    assert env["KERAS_HOME"].startswith(env["HOME"])  # never the teacher's shared cache
    assert isolation.BWRAP_ENV == {}


def test_public_paths_never_include_the_checkout_or_a_home(scene):
    paths = isolation.public_paths(scene.env())
    assert REPO_ROOT not in paths and Path.home() not in paths
    assert not any(p in REPO_ROOT.parents or p in Path.home().parents for p in paths)
    assert REPO_ROOT / "solutions" not in paths and scene.mirror in paths
    # A mirror that would show the checkout or the temporary courses is not shared.
    for unsafe in (REPO_ROOT.parent, Path(tempfile.gettempdir())):
        assert unsafe not in isolation.public_paths({"CNN_COURSE_DATA": str(unsafe)})


def test_wall_clock_limit_kills_the_sandbox(tmp_path):
    """Past the limit the whole tree (bwrap, nbgrader, kernel) is killed."""
    if not isolation.isolation_available():
        pytest.fail(f"no sandbox on this Linux machine: {isolation.unavailable_reason()}")
    root = make_course(tmp_path / "course", ["import time\ntime.sleep(600)"], timeout=600)
    start = time.monotonic()
    outcome, _ = autograde(root, {}, isolate=True, limit_s=20)
    assert outcome.timed_out and outcome.isolated
    assert time.monotonic() - start < 60
    assert processes_with(str(root)) == []


# ---------------------------------------------------------------- without the sandbox


def test_without_isolation_grading_goes_on_and_says_so_once(scene, tmp_path, monkeypatch):
    """No bwrap: graded as before, one loud warning per process, Outcome.isolated false.
    The same attacks then succeed: they are real attacks."""
    monkeypatch.setattr(isolation, "_probe", lambda: (False, "bwrap is not installed (test)"))
    monkeypatch.setattr(isolation, "_warned", False)
    root = make_course(tmp_path / "course", scene.cells(escapes=False))
    # legit.py writes to HOME and TMPDIR: unsandboxed, they must not be the teacher's.
    (tmp_path / "home").mkdir()
    env = {**scene.env(), "HOME": str(tmp_path / "home"), "TMPDIR": str(tmp_path)}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        outcome, graded = autograde(root, env, isolate=None)
        again = sandbox.run_nbgrader(["--version"], tmp_path, {}, 120)
    assert not outcome.isolated and not again.isolated and outcome.returncode == 0, outcome.output
    loud = [w for w in caught if issubclass(w.category, isolation.IsolationWarning)]
    assert len(loud) == 1 and "WITHOUT ISOLATION" in str(loud[0].message)
    lines = printed(graded)
    for name in ("sibling_submission", "other_gradebook", "teacher_env", "teacher_home"):
        assert verdict(lines, name) == ["LEAKED"], name
    assert verdict(lines, "solutions") == ["LEAKED"]
    assert verdict(lines, "host_loopback") == ["LEAKED"]
    assert lines["legit"] == ["OK 6 True"]
