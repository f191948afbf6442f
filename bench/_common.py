"""Shared helpers of the time-to-accuracy and throughput benchmarks (not a test module).

Each benchmark states the machine, date, library versions, data and seeds it ran with,
appends its rows to a CSV under ``bench/results/`` and draws a PNG there. The helpers
here do those parts the same way for every script: :func:`stamp` (machine, date,
versions, load), :func:`append_csv`, :class:`EpochClock` (cumulative training seconds
with the per-epoch test measured outside them), :func:`first_reach` and
:func:`plot_curves`.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import platform
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SHARED_NOTE = "other jobs shared the cores at the start of the run: seconds are upper bounds"
QUIET_NOTE = "no other job on the machine at the start of the run"


def machine() -> str:
    """A short description of this machine for the record."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()} {platform.machine()} {cpu}, {os.cpu_count()} cores, no GPU used"


def versions(*extra: str) -> str:
    """Python and the libraries that decide the speed (``extra``: more module names)."""
    import importlib

    parts = [f"Python {platform.python_version()}"]
    for name in ("tensorflow", "keras", "numpy", *extra):
        try:
            parts.append(f"{name} {importlib.import_module(name).__version__}")
        except ImportError:
            parts.append(f"{name} absent")
    return ", ".join(parts)


def load_average() -> str:
    """The 1/5/15-minute load averages now (the machine is shared: record how busy)."""
    try:
        return "load " + "/".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        return "load unknown"


def stamp(*extra: str) -> dict[str, str]:
    """Columns every row of a run carries: date (UTC), machine, versions, sharing note."""
    now = dt.datetime.now(dt.UTC)
    try:
        busy = os.getloadavg()[0] >= 1.5
    except OSError:
        busy = True
    return {
        "date": now.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(*extra),
        "note": f"{SHARED_NOTE if busy else QUIET_NOTE}; {load_average()} at start",
    }


def print_stamp(meta: dict[str, str], data: str, seeds: Sequence[int] | str) -> None:
    """Print what the run is: date, machine, versions, data and seeds."""
    print(f"date:     {meta['date']}")
    print(f"machine:  {meta['machine']}")
    print(f"versions: {meta['versions']}")
    print(f"data:     {data}")
    print(f"seeds:    {seeds if isinstance(seeds, str) else ' '.join(map(str, seeds))}")
    print(f"note:     {meta['note']}", flush=True)


def append_csv(path: Path, rows: Iterable[dict], fields: Sequence[str]) -> Path:
    """Append ``rows`` to the CSV at ``path`` (header written when the file is new)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    new = not path.exists() or path.stat().st_size == 0
    with path.open("a", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(fields), extrasaction="ignore")
        if new:
            writer.writeheader()
        writer.writerows(rows)
    return path


def test_accuracy(model, x, y, batch_size: int = 1000) -> float:
    """Accuracy of a softmax/logit classifier on ``(x, y)``, by ``predict_on_batch`` on NumPy batches.

    Not ``model.predict``: each ``predict`` leaves behind a tf.data iterator whose autotuning
    thread sleeps in growing periods until Python's garbage collector frees the iterator, and
    freeing it waits out the current sleep: an idle stall of up to ~20 s, charged to whatever
    runs then (here: the next training epoch; measured 2026-11-28, tensorflow 2.21).
    ``predict_on_batch`` runs Keras's compiled predict step without a dataset: 1.2 s for the
    10,000 MNIST test images against 2.4 s calling the model eagerly (2026-11-28)."""
    import numpy as np

    hits = 0
    for i in range(0, len(x), batch_size):
        out = np.asarray(model.predict_on_batch(x[i : i + batch_size]))
        hits += int(np.sum(out.argmax(axis=1) == y[i : i + batch_size]))
    return hits / len(x)


class EpochClock:
    """Cumulative training seconds per epoch, and a test measured after each epoch.

    Start it right before building the input pipeline and calling ``fit``; pass
    :meth:`callback` to ``fit``. At each epoch's end (with ``ticks_per_epoch`` > 1, ``fit``'s
    epochs are that fraction of a pass and the rows count passes) the clock reads the seconds since
    :meth:`start` minus the seconds spent in earlier tests, then runs ``test(model)``
    (not timed) and prints one line.
    """

    def __init__(self, label: str, test: Callable[[object], float], ticks_per_epoch: int = 1):
        self.label, self.test, self.ticks = label, test, ticks_per_epoch
        self.rows: list[dict] = []
        self._t0 = 0.0
        self._excluded = 0.0

    def start(self) -> None:
        self._t0, self._excluded = time.perf_counter(), 0.0

    def seconds(self) -> float:
        return time.perf_counter() - self._t0 - self._excluded

    def callback(self):
        import keras

        clock = self

        class _Tick(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                trained = clock.seconds()
                t = time.perf_counter()
                accuracy = float(clock.test(self.model))
                clock._excluded += time.perf_counter() - t
                row = {
                    "epoch": round((epoch + 1) / clock.ticks, 3),
                    "train_seconds": round(trained, 2),
                    "train_accuracy": round(float((logs or {}).get("accuracy", float("nan"))), 4),
                    "test_accuracy": round(accuracy, 4),
                }
                clock.rows.append(row)
                print(
                    f"  {clock.label:<14} epoch {row['epoch']:>4g}: test {accuracy:.4f} "
                    f"at {trained:6.1f} s of training",
                    flush=True,
                )

        return _Tick()


def last_run(path: Path) -> list[dict]:
    """Rows of the latest run recorded in a time-to-accuracy CSV (same ``date`` stamp),
    with numbers as numbers: to report a run that was cut short, or again."""
    with path.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise SystemExit(f"{path} holds no rows.")
    rows = [r for r in rows if r["date"] == rows[-1]["date"]]
    for r in rows:
        r["seed"] = int(r["seed"])
        for key in ("epoch", "train_seconds", "train_accuracy", "test_accuracy"):
            r[key] = float(r[key])
    return rows


def first_reach(rows: Sequence[dict], target: float) -> dict | None:
    """The first row (by epoch) whose test accuracy reaches ``target``, or None."""
    for row in sorted(rows, key=lambda r: r["epoch"]):
        if row["test_accuracy"] >= target:
            return row
    return None


def plot_curves(
    rows: Sequence[dict],
    path: Path,
    title: str,
    labels: dict[str, str],
    target: float | None = None,
) -> Path:
    """Test accuracy against cumulative training seconds, one colour per recipe and one
    line per seed; ``labels`` maps each recipe key (in drawing order) to its legend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5))
    for i, (recipe, label) in enumerate(labels.items()):
        mine = [r for r in rows if r["recipe"] == recipe]
        for j, seed in enumerate(sorted({r["seed"] for r in mine})):
            curve = sorted((r for r in mine if r["seed"] == seed), key=lambda r: r["epoch"])
            ax.plot(
                [r["train_seconds"] for r in curve],
                [r["test_accuracy"] for r in curve],
                "o-",
                ms=3,
                color=f"C{i}",
                alpha=0.85,
                label=label if j == 0 else None,
            )
    if target is not None:
        ax.axhline(target, color="grey", ls="--", lw=1)
    ax.set_xlabel("segundos de entrenamiento acumulados (sin la medida en test)")
    ax.set_ylabel("exactitud en test")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(title, fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


# ------------------------------------------------------------------ time-to-accuracy runs
STAMP_FIELDS = ["date", "machine", "versions", "note", "data"]
"""The columns every benchmark row starts with (:func:`stamp` plus the data described)."""
CURVE_FIELDS = [
    *STAMP_FIELDS,
    *["recipe", "seed", "epoch", "train_seconds", "train_accuracy", "test_accuracy"],
]


def add_curve_arguments(
    parser,
    labels: dict[str, str],
    seeds: Sequence[int],
    quick: str,
    recipes: Sequence[str] | None = None,
) -> None:
    """The options every time-to-accuracy script takes (``recipes``: the default ones, all
    of ``labels`` unless given)."""
    default = list(labels if recipes is None else recipes)
    parser.add_argument("--seeds", nargs="+", type=int, default=list(seeds))
    parser.add_argument(
        "--recipes",
        nargs="+",
        default=default,
        choices=list(labels),
        help=f"recipes to train (default: {' '.join(default)})",
    )
    parser.add_argument("--quick", action="store_true", help=f"smoke run: {quick}")
    parser.add_argument("--no-save", action="store_true", help="print only (no CSV, no PNG)")
    parser.add_argument(
        "--report",
        action="store_true",
        help="train nothing: summarize and plot the latest run in the CSV (e.g. one cut short)",
    )


def run_curves(
    args,
    name: str,
    labels: dict[str, str],
    load: Callable[[], tuple[object, str]],
    train: Callable[[str, int, object], list[dict]],
    summarize: Callable[[list[dict]], list[str]],
    target: float,
) -> list[dict]:
    """Train each recipe for each seed (``train(recipe, seed, data)`` returns its rows), append
    them to ``bench/results/<name>.csv`` as each recipe ends (a cut run keeps them), print the
    summary and draw ``bench/results/<name>.png``; with ``args.report``, re-read the latest run."""
    csv_path, png_path = RESULTS / f"{name}.csv", RESULTS / f"{name}.png"
    if args.report:
        rows = last_run(csv_path)
        meta, described = rows[0], rows[0]["data"]
        seeds = sorted({r["seed"] for r in rows})
        print_stamp(meta, described, seeds)
    else:
        arrays, described = load()
        meta, seeds, rows = stamp(), args.seeds, []
        print_stamp(meta, described, seeds)
        for seed in seeds:
            for recipe in args.recipes:
                new = [{"recipe": recipe, "seed": seed, **r} for r in train(recipe, seed, arrays)]
                rows += new
                if not args.no_save:
                    append_csv(
                        csv_path, ({**meta, "data": described, **r} for r in new), CURVE_FIELDS
                    )
    print(f"\nsummary ({described}; {meta['note']}):")
    for line in summarize(rows):
        print("  " + line)
    if not args.no_save:
        plot_curves(
            rows,
            png_path,
            f"{described}\n{meta['machine']}; {meta['date']}; semillas {seeds}",
            {k: v for k, v in labels.items() if any(r["recipe"] == k for r in rows)},
            target=target,
        )
        print(f"wrote {png_path}")
    return rows
