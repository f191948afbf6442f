"""Measure the metric behind a session's threshold: run the solution notebook per profile and seed.

Each run executes the session's source notebook top to bottom under
``CNN_COURSE_PROFILE=<profile>`` and ``CNN_COURSE_SEED=<seed>``, then asks the
session's checks package for the held-out metric: every session that trains has
``measure(namespace) -> float`` in ``cnn_course.checks.<checks>``, given the notebook's
global names after the run; it returns the metric computed
by the checking code on a trusted copy of the trained model. Prints one line per
run, appends rows to bench/results/thresholds.csv and prints the TOML ``runs``
entries to paste beside the thresholds in autograder/budgets.toml.

    python bench/measure_thresholds.py mnist --profiles ci grading cpu --seeds 0 1 2
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import platform
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from cnn_course import runtime, sessions
from cnn_course.course import COURSE

RESULTS = Path(__file__).resolve().parent / "results" / "thresholds.csv"


def machine() -> str:
    """A short description of this machine for the record."""
    return f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, {platform.python_version()}"


def run_once(session: str, profile: str, seed: int) -> dict:
    """Execute the solution notebook once; return metric and timings."""
    info = sessions.get(session)
    path = COURSE.source / info.notebook
    nb = nbformat.read(path, as_version=4)
    probe = (
        "import json as _json, cnn_course.checks as _c\n"
        f"print('MEASURE', _json.dumps({{'metric': _c.hidden({session!r}).measure(globals())}}))"
    )
    nb.cells.append(nbformat.v4.new_code_cell(probe))
    os.environ.update({runtime.PROFILE_ENV: profile, runtime.SEED_ENV: str(seed)})
    client = NotebookClient(
        nb,
        timeout=runtime.budget(session, profile).timeout,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    total = time.perf_counter() - start
    # The slowest cell is the training cell: report it as the training time.
    slowest = 0.0
    for cell in nb.cells:
        t = cell.metadata.get("execution", {})
        if "shell.execute_reply" in t and "iopub.execute_input" in t:
            a = dt.datetime.fromisoformat(t["iopub.execute_input"].replace("Z", "+00:00"))
            b = dt.datetime.fromisoformat(t["shell.execute_reply"].replace("Z", "+00:00"))
            slowest = max(slowest, (b - a).total_seconds())
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("name") == "stdout")
    metric = json.loads(text.split("MEASURE", 1)[1])["metric"]
    return {"metric": metric, "notebook_seconds": total, "slowest_cell_seconds": slowest}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("session")
    parser.add_argument("--profiles", nargs="+", default=["ci", "grading", "cpu"])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    args = parser.parse_args()
    when = dt.date.today().isoformat()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    new = not RESULTS.exists()
    with RESULTS.open("a", newline="") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(
                [
                    "date",
                    "machine",
                    "session",
                    "profile",
                    "seed",
                    "metric",
                    "notebook_seconds",
                    "slowest_cell_seconds",
                ]
            )
        for profile in args.profiles:
            rows = []
            for seed in args.seeds:
                r = run_once(args.session, profile, seed)
                rows.append((seed, r))
                print(
                    f"{args.session} {profile} seed={seed}: metric={r['metric']:.4f} "
                    f"notebook={r['notebook_seconds']:.1f}s slowest cell={r['slowest_cell_seconds']:.1f}s",
                    flush=True,
                )
                writer.writerow(
                    [
                        when,
                        machine(),
                        args.session,
                        profile,
                        seed,
                        f"{r['metric']:.4f}",
                        f"{r['notebook_seconds']:.1f}",
                        f"{r['slowest_cell_seconds']:.1f}",
                    ]
                )
                f.flush()
            print(f"# [sessions.{args.session}.{profile}] measured on {machine()}, {when}")
            print("runs = [")
            for seed, r in rows:
                print(
                    f"  {{ seed = {seed}, metric = {r['metric']:.4f}, seconds = {r['slowest_cell_seconds']:.1f} }},"
                )
            print("]")


if __name__ == "__main__":
    main()
