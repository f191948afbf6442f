"""Where one submission's grading time goes (helpers of bench/grading_throughput.py).

:func:`profile_grade` grades one submission in this process through
:func:`cnn_course.grade.worker.grade_submission`, with timers wrapped around each step
of the worker (pre-flight, course set-up, the sandboxed ``nbgrader autograde``, the
out-of-kernel judge, ``generate_feedback``), and splits the autograde into its
notebook's cells (from the execution timestamps nbclient writes into the autograded
notebook) and what is left (nbgrader's process, the kernel's start-up, saving).
:func:`profile_plain` does the same split for the notebooks of a plain nbgrader run.
Three costs are also measured on their own, each in a fresh process: starting a kernel,
importing TensorFlow/Keras, and loading MNIST from the mirror.
"""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager, suppress
from pathlib import Path

import nbformat

ASSIGNMENT = "02_mnist"
CELL_KINDS = (
    ("hidden cells (_c.record: save what the student produced)", ("_c.record(",)),
    ("TensorFlow/Keras import (setup cell)", ("import keras", "import tensorflow")),
    ("data loading (load_mnist cell)", ("load_mnist",)),
    ("training (cells that call fit)", (".fit(",)),
)
OTHER_CELLS = "other cells (checks, plots, small functions)"
OVERHEAD = "autograde: nbgrader process (+ sandbox), kernel start-up, saving"


def _stamp(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def cell_times(nb) -> dict[str, float]:
    """Seconds of the notebook's executed code cells, summed by kind of cell."""
    out = dict.fromkeys([k for k, _ in CELL_KINDS] + [OTHER_CELLS], 0.0)
    for cell in nb.cells:
        t = cell.metadata.get("execution", {})
        if cell.cell_type != "code" or not {"iopub.execute_input", "shell.execute_reply"} <= set(t):
            continue
        seconds = (
            _stamp(t["shell.execute_reply"]) - _stamp(t["iopub.execute_input"])
        ).total_seconds()
        kind = next(
            (k for k, needles in CELL_KINDS if any(s in cell.source for s in needles)), OTHER_CELLS
        )
        out[kind] += seconds
    return out


def grades_check(path: Path, count: int, returncode: int) -> str:
    """A one-line check of a `cnn-course grade` output: graded rows and their mean total."""
    if not path.exists():
        return f"no grades.csv, exit {returncode}"
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    totals = []
    for row in rows:
        for key in ("total", "nota", "score"):
            if row.get(key) not in (None, ""):
                with suppress(ValueError):
                    totals.append(float(row[key]))
                break
    mean = f", mean total {sum(totals) / len(totals):.2f}" if totals else ""
    return f"{len(rows)}/{count} rows in grades.csv{mean}, exit {returncode}"


@contextmanager
def _patched(obj, name: str, timings: dict, label, after=None):
    """Replace ``obj.name`` with a timed wrapper adding to ``timings[label(args)]``."""
    original = getattr(obj, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            result = original(*args, **kwargs)
        finally:
            key = label(args)
            timings[key] = timings.get(key, 0.0) + time.perf_counter() - start
        if after is not None:
            after(args, result)
        return result

    setattr(obj, name, wrapper)
    try:
        yield
    finally:
        setattr(obj, name, original)


def _alone(code: str) -> float:
    """Seconds a snippet reports when run in a fresh interpreter (it prints them last)."""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if run.returncode != 0:
        return float("nan")
    return float(run.stdout.strip().splitlines()[-1])


def separate_costs() -> list[tuple[str, float]]:
    """Kernel start-up, TF/Keras import and MNIST loading, each measured on its own."""
    kernel = (
        "import time\nfrom jupyter_client.manager import start_new_kernel\n"
        "t = time.perf_counter()\nkm, kc = start_new_kernel(kernel_name='python3')\n"
        "s = time.perf_counter() - t\nkc.stop_channels()\nkm.shutdown_kernel(now=True)\nprint(s)"
    )
    tf = "import time\nt = time.perf_counter()\nimport keras, tensorflow\nprint(time.perf_counter() - t)"
    data = (
        "import time\nfrom cnn_course import data\nt = time.perf_counter()\n"
        "data.load_mnist()\nprint(time.perf_counter() - t)"
    )
    nbg = (
        "import time\nt = time.perf_counter()\nimport nbgrader.apps\nprint(time.perf_counter() - t)"
    )
    nbg_fast = "import sys\nsys.modules['rfc3987_syntax'] = None\n" + nbg
    return [
        ("  alone: start a Python kernel and wait until ready", _alone(kernel)),
        ("  alone: import keras + tensorflow in a fresh process", _alone(tf)),
        ("  alone: import nbgrader.apps in a fresh process", _alone(nbg)),
        ("  alone: the same without the rfc3987 grammar (cnn_course._nbgrader)", _alone(nbg_fast)),
        ("  alone: data.load_mnist() from the mirror", _alone(data)),
    ]


def profile_grade(submission: Path, timeout: int) -> list[tuple[str, float]]:
    """Grade ``submission`` once in this process; seconds of each step, in order."""
    from cnn_course.grade import batch, jobs, judging, worker
    from cnn_course.grade.assignment import build_pack
    from cnn_course.grade.course import GradingCourse

    timings: dict[str, float] = {}
    cells: dict[str, float] = {}

    def keep_cells(args, _result):
        if args[0][0] != "autograde":
            return
        for path in Path(args[1]).glob(f"autograded/*/{ASSIGNMENT}/*.ipynb"):
            cells.update(cell_times(nbformat.read(path, as_version=4)))

    original_verdicts = judging.verdicts

    def judge_again(args, result):
        """The same judging in a fresh interpreter, as before the judge server (not counted
        in the total): what forking from the preloaded server saves."""
        fork = judging._forkserver
        judging._forkserver = lambda: None
        try:
            start = time.perf_counter()
            again = original_verdicts(*args)
            timings["judge, fresh interpreter"] = time.perf_counter() - start
        finally:
            judging._forkserver = fork
        if again != result:
            raise SystemExit("The judge gave other verdicts in a fresh interpreter.")

    with tempfile.TemporaryDirectory(prefix="grade-profile-") as tmp:
        start = time.perf_counter()
        pack = build_pack(ASSIGNMENT, Path(tmp) / "cache")
        pack_seconds = time.perf_counter() - start
        job = jobs.Job(
            student="perfil",
            filename=submission.name,
            data=submission.read_bytes(),
            pack=pack,
            timeout=timeout,
            env=batch.kernel_env(1),
        )
        with (
            _patched(worker, "preflight", timings, lambda a: "pre-flight"),
            _patched(GradingCourse, "create", timings, lambda a: "course set-up"),
            _patched(judging, "prepare", timings, lambda a: "course set-up"),
            _patched(
                worker,
                "run_nbgrader",
                timings,
                lambda a: "autograde" if a[0][0] == "autograde" else "feedback",
                after=keep_cells,
            ),
            _patched(judging, "verdicts", timings, lambda a: "judge", after=judge_again),
        ):
            judging.warm_up()  # as each batch worker does when it starts
            result = worker.grade_submission(job)
    autograde = timings.get("autograde", 0.0)
    in_cells = sum(cells.values())
    steps = [
        ("build the assignment pack (once per class)", pack_seconds),
        ("pre-flight checks of the file", timings.get("pre-flight", 0.0)),
        ("course set-up (files, gradebook, judge inputs)", timings.get("course set-up", 0.0)),
        (OVERHEAD, autograde - in_cells),
        *((f"autograde cells: {k}", v) for k, v in cells.items()),
        ("judge (forked from the preloaded judge server)", timings.get("judge", 0.0)),
        ("feedback rendering (nbgrader generate_feedback)", timings.get("feedback", 0.0)),
    ]
    accounted = sum(v for k, v in steps[1:])
    again = timings.get("judge, fresh interpreter", 0.0)
    steps += [
        ("rest (gradebook scores, result)", result.seconds - accounted - again),
        (
            f"total for one submission (status {result.status}, {result.total:g} points)",
            result.seconds - again,
        ),
        ("  alone: the same judge in a fresh interpreter (before the server)", again),
        *separate_costs(),
    ]
    return steps


def profile_plain(root: Path, notebook: str, wall: float, count: int) -> list[tuple[str, float]]:
    """Mean seconds per submission of a plain nbgrader run, split as :func:`profile_grade`."""
    totals: dict[str, float] = {}
    paths = sorted(root.glob(f"autograded/*/{ASSIGNMENT}/{notebook}.ipynb"))
    for path in paths:
        for k, v in cell_times(nbformat.read(path, as_version=4)).items():
            totals[k] = totals.get(k, 0.0) + v
    mean = {k: v / max(1, len(paths)) for k, v in totals.items()}
    per = wall / count
    return [
        (OVERHEAD, per - sum(mean.values())),
        *((f"autograde cells: {k}", v) for k, v in mean.items()),
        ("total per submission (wall / submissions)", per),
    ]


def plot(rows: list[dict], steps, plain_steps, path: Path, title: str) -> Path:
    """Seconds per submission of each mode, and the two per-submission breakdowns."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5), gridspec_kw={"width_ratios": [1, 2]})
    names = [r["mode"].replace("cnn-course grade ", "cnn-course\n") for r in rows]
    left.bar(
        names,
        [r["seconds_per_submission"] for r in rows],
        color=[f"C{i}" for i in range(len(rows))],
    )
    for i, r in enumerate(rows):
        left.text(
            i,
            r["seconds_per_submission"],
            f"{r['seconds_per_submission']:.1f} s\n{r['peak_rss_mib']} MiB",
            ha="center",
            va="bottom",
            fontsize=8,
        )
    left.set_ylabel("segundos por entrega (pared / entregas)")
    left.tick_params(axis="x", labelsize=7)
    parts = [(k, v) for k, v in steps if not k.startswith(("total", "  alone", "build"))]
    plain_parts = [(k, v) for k, v in plain_steps if not k.startswith("total")]
    seen: set[str] = set()
    keys = list(dict.fromkeys(k.replace("autograde cells: ", "") for k, _ in parts + plain_parts))
    for y, table in ((1, parts), (0, plain_parts)):
        x = 0.0
        for k, v in table:
            key = k.replace("autograde cells: ", "")
            right.barh(
                y,
                max(v, 0),
                left=x,
                color=plt.cm.tab20(keys.index(key) % 20),
                edgecolor="white",
                label=key if key not in seen else None,
            )
            seen.add(key)
            x += max(v, 0)
    right.set_yticks([0, 1], ["nbgrader simple", "cnn-course grade\n(1 entrega)"])
    right.set_xlabel("segundos de una entrega")
    right.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2)
    fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
