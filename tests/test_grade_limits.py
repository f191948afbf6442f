"""A submission is bounded as a whole: memory and processes (its cgroup), disk, leftover
processes, notebook size, and a gradebook the kernel never touched.

Each attack is a cell put before the ``square`` answer of the tiny assignment in
``tests/files/course`` and graded by the worker with real kernels, under limits small
enough for a shared machine (a few hundred MiB, a few dozen processes, tens of MB of
disk). Every test fails without its defence (see ``tests/files/attacks/README.md``).
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

import nbformat
import psutil
import pytest

from cnn_course.course import CourseDirectory
from cnn_course.grade import cgroup, limits
from cnn_course.grade.assignment import build_pack
from cnn_course.grade.batch import kernel_env
from cnn_course.grade.jobs import Job
from cnn_course.grade.limits import Limits
from cnn_course.grade.preflight import preflight
from cnn_course.grade.worker import grade_submission

FILES = Path(__file__).with_name("files")
pytestmark = pytest.mark.notebook
SMALL = Limits(group_memory_mb=400, group_pids=80, disk_mb=40, file_mb=8)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    return build_pack(
        "00_tiny", tmp_path_factory.mktemp("cache"), course=CourseDirectory(FILES / "course")
    )


@pytest.fixture(scope="module")
def bounded():
    if not cgroup.available():
        pytest.fail(f"no cgroup on this machine: {cgroup.unavailable_reason()}")


def submission(attack: str, where: str = "square") -> bytes:
    """The clean submission with ``attack`` run first in the cell ``where``."""
    nb = nbformat.read(FILES / "submitted-clean.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == where:
            cell.source = attack + "\n\n" + cell.source
    return nbformat.writes(nb).encode()


def grade(pack, attack: str, limits: Limits = SMALL, **kw):
    job = Job(
        student="mallory",
        filename="mallory.ipynb",
        data=submission(attack, kw.pop("where", "square")),
        pack=pack,
        timeout=kw.pop("timeout", 30),
        env=kernel_env(1),
        limits=limits,
        memory_mb=kw.pop("memory_mb", 4096),
        **kw,
    )
    return grade_submission(job)


def kinds(result) -> list[str]:
    return [f.kind for f in result.findings]


def lingering(marker: str) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if marker in " ".join(proc.info["cmdline"] or []):
            found.append(proc)
    return found


# Children that each hold 150 MiB at once: under the per-process limit, over the group's.
FORKED_MEMORY = """
import os, time
kids = []
for _ in range(4):
    pid = os.fork()
    if pid == 0:
        block = b"x" * (150 * 1024 * 1024)
        time.sleep(4)
        os._exit(0)
    kids.append(pid)
held = sum(os.waitpid(k, 0)[1] == 0 for k in kids)
print("forked_memory: held", held)
"""


def test_children_of_a_kernel_share_one_memory_limit(pack, bounded):
    """Four children of 150 MiB each (600 MiB) against a 400 MiB group: the kernel is
    killed, its cell charged, and the limit named."""
    result = grade(pack, FORKED_MEMORY)
    assert "group_memory" in kinds(result), result.log[-2000:]
    assert ("kernel_died", "square") in [(f.kind, f.cell) for f in result.findings]
    assert result.scores["test-square"] == 0.0 and result.scores["test-cube"] == 2.0
    assert "forked_memory: held 4" not in result.feedback_html
    assert result.bounded


# Who the OOM killer takes first: the kernel's side (printed at fd level, read in the log).
OOM_SCORES = """
import os
kernel = open("/proc/self/oom_score_adj").read().strip()
grader = open(f"/proc/{os.getppid()}/oom_score_adj").read().strip()
print(f"oom_scores: kernel={kernel} nbgrader={grader}")
"""


def test_past_the_group_memory_the_kernel_goes_before_nbgrader(pack, bounded):
    """nbgrader killed would lose the whole submission (a crash), so the kernel and its
    children carry the higher OOM score, whatever their sizes."""
    from cnn_course.grade.cgroup import KERNEL_OOM_SCORE_ADJ

    result = grade(pack, OOM_SCORES)
    found = re.search(r"oom_scores: kernel=(-?\d+) nbgrader=(-?\d+)", result.feedback_html)
    assert found, result.log[-2000:]
    kernel, nbgrader = int(found[1]), int(found[2])
    assert kernel == KERNEL_OOM_SCORE_ADJ and kernel - nbgrader >= 500
    assert result.total == result.max_total


# Many processes at once: the group refuses those past its limit.
MANY_PROCESSES = """
import subprocess
procs = []
try:
    for _ in range(120):
        procs.append(subprocess.Popen(["sleep", "20"]))
finally:
    print("many_processes: started", len(procs))
    for p in procs:
        p.kill()
"""


def test_a_submission_cannot_start_processes_past_its_limit(pack, bounded):
    result = grade(pack, MANY_PROCESSES)
    assert "group_pids" in kinds(result), result.log[-2000:]
    assert ("cell_pids", "square") in [(f.kind, f.cell) for f in result.findings]
    assert result.scores["test-square"] == 0.0  # the refused cell is charged
    assert "many_processes: started 120" not in result.feedback_html


# Disk: many files under the file-size limit, then one over it.
FILL_DISK = """
import os, time
written = 0
try:
    with open("big.bin", "wb") as f:
        f.write(b"x" * (12 * 1024 * 1024))
    print("fill_disk: one big file")
except OSError as exc:
    print("fill_disk: big file refused", exc.errno)
for n in range(15):
    with open(f"part{n}.bin", "wb") as f:
        f.write(os.urandom(4 * 1024 * 1024))
    written += 4
print("fill_disk: wrote", written, "MiB", flush=True)
time.sleep(5)
"""


def test_the_course_folder_is_bounded_on_disk(pack):
    """60 MiB written against a 40 MiB quota: the run is stopped and named."""
    result = grade(pack, FILL_DISK)
    assert "disk" in kinds(result), result.log[-2000:]
    assert result.status == "failed" and result.total == 0


BIG_FILE = """
with open("big.bin", "wb") as f:
    f.write(b"x" * (12 * 1024 * 1024))
print("big_file:", "written")
"""


def test_one_file_is_bounded(pack):
    """A 12 MiB file against an 8 MiB file-size limit fails in its cell, which is charged."""
    result = grade(pack, BIG_FILE, Limits(disk_mb=200, file_mb=8, group_memory_mb=1024))
    assert ("cell_file_size", "square") in [(f.kind, f.cell) for f in result.findings]
    assert result.scores["test-square"] == 0.0
    assert "big_file: written" not in result.feedback_html


# A daemon: double fork, setsid, and holds nbgrader's own output (through /proc).
LEFTOVER = """
import os, subprocess, sys
holder = f"/proc/{os.getppid()}/fd/1"
subprocess.Popen([sys.executable, "-c", "import os, sys, time\\n"
    "if os.fork(): sys.exit(0)\\n"
    "os.setsid()\\n"
    "os.dup2(os.open(sys.argv[1], os.O_WRONLY), 1)\\n"
    "time.sleep(120)", holder, "MARKER"])
print("leftover: spawned")
"""


def test_a_leftover_process_neither_outlives_nor_holds_the_job(pack):
    marker = f"cnn-course-{uuid.uuid4().hex}"
    start = time.monotonic()
    result = grade(pack, LEFTOVER.replace("MARKER", marker), limit_s=90)
    seconds = time.monotonic() - start
    left = lingering(marker)
    for proc in left:
        proc.kill()
    assert left == []
    assert result.status == "graded" and "guard_timeout" not in kinds(result)
    assert seconds < 60
    assert "leftover" in kinds(result)


# The kernel writes a manual score into its own course's gradebook.
MANUAL_SCORE = """
import sqlite3
from pathlib import Path
root = next(p for p in [Path.cwd(), *Path.cwd().parents] if (p / "gradebook.db").exists())
with sqlite3.connect(root / "gradebook.db") as db:
    db.execute(f"UPDATE grade SET manual_score = {1000 + 18}")
print("manual_score:", "written")
"""


def test_feedback_shows_only_the_graders_scores(pack):
    """The hidden test of ``cube`` fails; a manual score the kernel wrote never shows."""
    result = grade(pack, MANUAL_SCORE, where="cube")
    assert result.status == "graded"
    assert "manual_score: written" in result.feedback_html  # the attack did run
    assert "1018" not in result.feedback_html
    assert "Nota: 3.0 / 3.0" in result.feedback_html


def test_a_notebook_over_the_size_limit_is_refused_before_anything_runs(pack):
    release = nbformat.reads(pack.release, as_version=4)
    nb = nbformat.reads(pack.release, as_version=4)
    nb.cells.append(nbformat.v4.new_markdown_cell("![x](data:image/png;base64," + "A" * 21_000_000))
    checked = preflight(nbformat.writes(nb).encode(), release, pack.assignment, pack.notebook)
    assert checked.fatal and [f.kind for f in checked.findings] == ["too_large"]
    assert "límite" in checked.findings[0].message()


def test_a_cgroup_holds_its_limits_and_is_removed_after(bounded):
    group = cgroup.create(300, 40, 3072)
    assert group is not None and {"memory", "pids"} <= group.folders.keys()
    memory = (group.folders["memory"] / "memory.limit_in_bytes").read_text()
    assert int(memory) == 300 * 1024 * 1024
    assert (group.folders["pids"] / "pids.max").read_text().strip() == "40"
    if "cpu" in group.folders:
        assert (group.folders["cpu"] / "cpu.shares").read_text().strip() == "3072"
    hits = group.close()
    assert hits == cgroup.Hits() and not any(f.exists() for f in group.folders.values())


def test_cpu_weight_follows_the_threads_a_kernel_is_given():
    assert limits.cpu_shares(Limits(), {"OMP_NUM_THREADS": "2"}) == 2048
    assert limits.cpu_shares(Limits(cpu_shares=512), {"OMP_NUM_THREADS": "2"}) == 512


def test_the_report_names_resource_findings_and_an_unbounded_run(tmp_path):
    from cnn_course.grade.findings import Finding
    from cnn_course.grade.jobs import Result
    from cnn_course.grade.report import write_report
    from cnn_course.grade.report_html import html_report
    from cnn_course.messages import msg

    found = [
        Finding("group_memory", detail={"limit": 400}),
        Finding("group_pids", detail={"limit": 80}),
        Finding("disk", detail={"limit": 40}),
        Finding("leftover", detail={"count": 2}),
        Finding("too_large", detail={"size": 21_000_000, "limit": 20_000_000}),
    ]
    result = Result("ana", "ana.ipynb", {"a": 0.0}, {"a": 1.0}, found, "", "failed")
    result.bounded = False
    write_report(tmp_path / "informe.md", "ps1", [result], 1.0, 1)
    text = (tmp_path / "informe.md").read_text(encoding="utf-8")
    page = html_report("ps1", [result], 1.0, 1)
    assert "SIN límite conjunto" in text and 'id="not-bounded"' in page
    for finding in found:
        assert msg(f"grade.label.{finding.kind}", **finding.detail) in text
