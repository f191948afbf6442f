"""Benchmark (not a test): grading throughput of `cnn-course grade` against plain serial nbgrader.

A generated class of ``--n`` completed MNIST submissions (the source notebook's answers
filled into a fresh release, as the demo class's ``01_perfecto``; with ``--with-demo``
the demo class's damaged submissions too) is graded, in the same run on the same
machine, by:

- ``plain``: plain serial ``nbgrader autograde`` in a plain nbgrader course made from the
  same source notebook (nbgrader's default pipeline, ``generate_assignment`` done once
  beforehand and not timed), under the same ``grading`` profile (CNN_COURSE_PROFILE) and
  the same per-cell timeout. Its hidden cells only record what the student produced for
  an out-of-kernel judge, and plain nbgrader has none, so nothing is judged there;
- ``cnn-course grade --workers W`` for each ``--workers`` (whole command: generating the
  assignment, pre-flight, sandboxed autograde, out-of-kernel judge, feedback, reports).

For each: total wall seconds, seconds per submission, peak memory of the whole process
tree (RSS sampled every 0.25 s) and the ratio to plain. Then one submission is graded
again in this process with timers around each step of the grader, and the time of each
of its notebook's cells is read from the autograded notebook, to show where one
submission's time goes (kernel start-up, TensorFlow import, data loading, nbgrader
processes, judge, feedback rendering, training). Appends to
``bench/results/grading_throughput.csv`` and ``bench/results/grading_profile.csv`` and
draws ``bench/results/grading_throughput.png``.

    CNN_COURSE_DATA=/path/to/data python bench/grading_throughput.py --n 30
    python bench/grading_throughput.py --n 2      # smoke run
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import contextlib

import _grading_profile as gprofile
from _common import RESULTS, STAMP_FIELDS, append_csv, print_stamp, stamp

ASSIGNMENT, SESSION = "02_mnist", "mnist"
CSV_PATH = RESULTS / "grading_throughput.csv"
PROFILE_CSV = RESULTS / "grading_profile.csv"
PNG_PATH = RESULTS / "grading_throughput.png"
FIELDS = [
    *STAMP_FIELDS,
    "mode",
    "workers",
    "submissions",
    "total_seconds",
    "seconds_per_submission",
    "peak_rss_mib",
    "ratio_vs_plain",
    "check",
]


# ------------------------------------------------------------------ measuring a command
def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict:
    """Run ``cmd``; wall seconds, peak RSS of its process tree (MiB), exit code, output tail."""
    import psutil

    peak = 0
    done = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(proc.pid)
        while not done.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                rss = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        rss += p.memory_info().rss
                peak = max(peak, rss)
            except psutil.Error:
                pass
            done.wait(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output = proc.communicate()[0]
    seconds = time.perf_counter() - start
    done.set()
    sampler.join()
    return {
        "seconds": seconds,
        "peak_rss_mib": round(peak / 2**20),
        "returncode": proc.returncode,
        "output": output[-3000:],
    }


# ------------------------------------------------------------------ the class
def make_class(folder: Path, n: int, with_demo: bool) -> tuple[list[Path], str]:
    """``n`` completed submissions (the demo's perfect case) plus, optionally, the demo class."""
    from cnn_course import demo

    if n < 1:
        raise SystemExit("--n must be at least 1.")
    made = Path(tempfile.mkdtemp(prefix="demo-", dir=folder.parent))
    demo.make_demo_class(made)
    perfect = made / f"{demo.CASES[0].student}.ipynb"
    if demo.CASES[0].build is not demo.perfect:
        raise SystemExit("The demo's first case is no longer the perfect submission.")
    folder.mkdir(parents=True)
    paths = []
    for i in range(1, n + 1):
        path = folder / f"alumno_{i:02d}.ipynb"
        shutil.copyfile(perfect, path)
        paths.append(path)
    described = (
        f"{n} completed MNIST submissions (the source notebook's answers in a fresh release)"
    )
    if with_demo:
        demos = [p for p in sorted(made.glob("*.ipynb")) if p != perfect]
        for p in demos:
            shutil.copyfile(p, folder / f"demo_{p.name}")
            paths.append(folder / f"demo_{p.name}")
        described += f" + {len(demos)} damaged submissions of the demo class"
    shutil.rmtree(made)
    return paths, described


def tool_env(base=None) -> dict[str, str]:
    """The environment with this interpreter's scripts first on PATH (nbgrader runs alembic)."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def plain_course(root: Path, submissions: list[Path], timeout: int) -> str:
    """A plain nbgrader course from the source notebook; returns the notebook's name."""
    from cnn_course.course import COURSE

    source = COURSE.source_notebook(ASSIGNMENT)
    (root / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copyfile(source, root / "source" / ASSIGNMENT / source.name)
    (root / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        "c.CourseDirectory.course_id = 'plain'\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.Execute.timeout = {int(timeout)}\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT, "--force"],
        cwd=root,
        env=tool_env(),
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        raise SystemExit(f"plain nbgrader generate_assignment failed:\n{run.stdout}{run.stderr}")
    for path in submissions:
        dest = root / "submitted" / path.stem / ASSIGNMENT / source.name
        dest.parent.mkdir(parents=True)
        shutil.copyfile(path, dest)
    return source.stem


def kernel_env(base: dict[str, str]) -> dict[str, str]:
    from cnn_course import runtime

    env = tool_env(base)
    env[runtime.PROFILE_ENV] = "grading"
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


# ------------------------------------------------------------------ the run
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=30, help="completed submissions (default 30)")
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--with-demo", action="store_true", help="add the demo class's cases")
    parser.add_argument("--no-save", action="store_true", help="print only (no CSV, no PNG)")
    parser.add_argument("--keep", type=Path, help="keep the class and outputs in this folder")
    args = parser.parse_args(argv)

    from cnn_course import runtime

    timeout = runtime.timeout(SESSION, "grading")
    work = Path(args.keep or tempfile.mkdtemp(prefix="grading-bench-")).resolve()
    work.mkdir(parents=True, exist_ok=True)
    submissions, described = make_class(work / "class", args.n, args.with_demo)
    meta = stamp("nbgrader", "nbclient")
    data = f"{described}; grading profile, {timeout} s per cell; MNIST from the data mirror"
    print_stamp(meta, data, "the grading profile's (CNN_COURSE_SEED unset: 0)")
    env = kernel_env(os.environ)
    count = len(submissions)
    rows = []

    plain_root = work / "plain"
    notebook = plain_course(plain_root, submissions, timeout)
    print(f"plain nbgrader autograde of {count} submissions, serial ...", flush=True)
    plain = measure(
        [sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT, "--force"], plain_root, env
    )
    graded = len(list((plain_root / "autograded").glob(f"*/{ASSIGNMENT}/{notebook}.ipynb")))
    rows.append(
        {
            "mode": "plain nbgrader autograde",
            "workers": 1,
            **plain,
            "check": f"{graded}/{count} autograded, exit {plain['returncode']}",
        }
    )
    print(f"  done: {plain['seconds']:.1f} s, {rows[0]['check']}", flush=True)
    for workers in args.workers:
        out = work / f"grades-{workers}w"
        print(f"cnn-course grade --workers {workers} ...", flush=True)
        run = measure(
            [
                sys.executable,
                "-m",
                "cnn_course.cli",
                "grade",
                str(work / "class"),
                "--assignment",
                ASSIGNMENT,
                "--out",
                str(out),
                "--workers",
                str(workers),
                "--no-progress",
            ],
            work,
            tool_env(),
        )
        rows.append(
            {
                "mode": f"cnn-course grade --workers {workers}",
                "workers": workers,
                **run,
                "check": gprofile.grades_check(out / "grades.csv", count, run["returncode"]),
            }
        )
        print(f"  done: {run['seconds']:.1f} s, {rows[-1]['check']}", flush=True)
    base = rows[0]["seconds"]
    for r in rows:
        r.update(
            submissions=count,
            total_seconds=round(r["seconds"], 1),
            seconds_per_submission=round(r["seconds"] / count, 1),
            ratio_vs_plain=round(base / r["seconds"], 2),
        )
        if r["returncode"] != 0:
            print(r["output"])
    print(f"\nthroughput ({meta['note']}):")
    for r in rows:
        print(
            f"  {r['mode']:<32} {r['total_seconds']:>7.1f} s total, "
            f"{r['seconds_per_submission']:>5.1f} s per submission, peak {r['peak_rss_mib']:>5} MiB, "
            f"{r['ratio_vs_plain']:.2f}× plain ({r['check']})"
        )

    print("\nwhere one submission's time goes:", flush=True)
    steps = gprofile.profile_grade(submissions[0], timeout)
    plain_steps = gprofile.profile_plain(plain_root, notebook, plain["seconds"], count)
    for name, table in (
        ("cnn-course grade, 1 submission in-process", steps),
        (f"plain nbgrader (mean of {count})", plain_steps),
    ):
        print(f"  {name}:")
        for stage, seconds in table:
            print(f"    {stage:<58} {seconds:6.1f} s")

    if not args.no_save:
        append_csv(CSV_PATH, ({**meta, "data": data, **r} for r in rows), FIELDS)
        append_csv(
            PROFILE_CSV,
            (
                {**meta, "data": data, "grader": who, "stage": stage, "seconds": round(s, 2)}
                for who, table in (("cnn-course grade", steps), ("plain nbgrader", plain_steps))
                for stage, s in table
            ),
            [*STAMP_FIELDS, "grader", "stage", "seconds"],
        )
        gprofile.plot(
            rows, steps, plain_steps, PNG_PATH, f"{described}\n{meta['machine']}; {meta['date']}"
        )
        print(f"wrote {CSV_PATH}, {PROFILE_CSV} and {PNG_PATH}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
