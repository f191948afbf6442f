"""Benchmark (not a test): MNIST time to 99.0% test accuracy, the pack's recipes against Keras's.

Recipes, trained one after the other in the same run, same machine, same seeds, on the
full MNIST of the data mirror (``CNN_COURSE_DATA``; 60,000 training and 10,000 test images):

- ``reference``: the Keras documentation's "Simple MNIST convnet" (Conv2D 32 → MaxPool →
  Conv2D 64 → MaxPool → Flatten → Dropout 0.5 → Dense 10 softmax; Adam, batch 128,
  15 epochs, validation_split 0.1; published test accuracy 0.9922);
- ``pack``: session 02's notebook as it stands (the slides' model, Adam at 0.001, the
  ``gpu`` budget's epochs and batch of autograder/budgets.toml, validation_split 0.1).
  The ``cpu`` budget trains the same model the same way for fewer epochs at a constant
  learning rate, so its figures are this run's first ``cpu`` epochs (identical training);
- ``fast-cpu`` / ``fast-gpu``: a candidate recipe (:func:`fast_recipe`): the slides'
  model, a warm-up + cosine (one-cycle) learning rate over the whole run, all 60,000
  training images (no validation split) through a cached, prefetched ``tf.data``
  pipeline, the test measured every half pass; short (cpu: 2 passes, no
  BatchNormalization, which costs about half as much again per pass on this CPU) and
  long (gpu: 6 passes, with BatchNormalization).

After every epoch the whole test split is measured outside the timed training; the
clock covers building the input pipeline and ``fit`` (tracing included). Prints, per
recipe, the seconds to first reach 99.0% and the final accuracy, the ratios to the
reference, the targets; appends rows to ``bench/results/mnist_time_to_accuracy.csv``
and draws ``bench/results/mnist_time_to_accuracy.png``.

    CNN_COURSE_DATA=/path/to/data python bench/mnist_time_to_accuracy.py --seeds 0 1 2
    python bench/mnist_time_to_accuracy.py --quick      # smoke run: 1 seed, 1 epoch, 6,000 images
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (
    RESULTS,
    EpochClock,
    append_csv,
    first_reach,
    last_run,
    plot_curves,
    print_stamp,
    stamp,
)

CSV_PATH = RESULTS / "mnist_time_to_accuracy.csv"
PNG_PATH = RESULTS / "mnist_time_to_accuracy.png"
TARGET = 0.99
GPU_TARGET = 0.994
FIELDS = [
    "date",
    "machine",
    "versions",
    "note",
    "data",
    "recipe",
    "seed",
    "epoch",
    "train_seconds",
    "train_accuracy",
    "test_accuracy",
]
LABELS = {
    "reference": "referencia: Keras «Simple MNIST convnet»",
    "pack": "curso: cuaderno 02 (presupuesto gpu; cpu = sus primeras épocas)",
    "fast-cpu": "candidata corta (cpu): one-cycle, sin validación, tf.data; sin BN",
    "fast-gpu": "candidata larga (gpu): la misma con BatchNormalization",
}


# ------------------------------------------------------------------ the recipes
def reference_model():
    """The Keras documentation's "Simple MNIST convnet"."""
    import keras

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(10, activation="softmax"),
        ]
    )


def slides_model(batch_norm: bool = False):
    """Session 02's model (the slides'); with ``batch_norm``, Conv → BN → ReLU."""
    import keras

    layers = keras.layers
    body = [keras.Input(shape=(28, 28, 1))]
    for filters in (32, 64):
        if batch_norm:
            body += [
                layers.Conv2D(filters, (3, 3), use_bias=False),
                layers.BatchNormalization(momentum=0.9),
                layers.Activation("relu"),
            ]
        else:
            body.append(layers.Conv2D(filters, (3, 3), activation="relu"))
        body.append(layers.MaxPooling2D((2, 2), strides=2))
    body += [
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(256, activation="relu"),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
    return keras.Sequential(body)


def reference_recipe(x, y, epochs: int, callbacks) -> None:
    import keras

    model = reference_model()
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(),
        metrics=["accuracy"],
    )
    model.fit(
        x, y, batch_size=128, epochs=epochs, validation_split=0.1, callbacks=callbacks, verbose=0
    )


def pack_recipe(x, y, epochs: int, batch_size: int, callbacks) -> None:
    """The notebook's training cell: compile with "adam", fit with validation_split 0.1."""
    model = slides_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_split=0.1,
        callbacks=callbacks,
        verbose=0,
    )


def fast_recipe(
    x,
    y,
    epochs: float,
    callbacks,
    *,
    batch_size: int = 128,
    peak: float = 3e-3,
    warmup: float = 0.15,
    batch_norm: bool = False,
    ticks_per_epoch: int = 2,
    seed: int = 0,
) -> None:
    """Candidate for the notebook: the slides' model (with ``batch_norm``, Conv → BN → ReLU)
    and a one-cycle learning rate (linear warm-up from peak/10 over ``warmup`` of the
    steps, then cosine to zero at the end of ``epochs``, which may be fractional), on all
    training images (no validation split) through a cached, prefetched ``tf.data``
    pipeline. The callbacks run ``ticks_per_epoch`` times per pass over the data."""
    import keras
    import tensorflow as tf

    per_tick = -(-len(x) // (batch_size * ticks_per_epoch))
    ticks = max(1, round(epochs * ticks_per_epoch))
    steps = ticks * per_tick
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 10,
        decay_steps=steps - int(warmup * steps),
        warmup_target=peak,
        warmup_steps=int(warmup * steps),
    )
    ds = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .cache()
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .repeat()
        .prefetch(tf.data.AUTOTUNE)
    )
    model = slides_model(batch_norm=batch_norm)
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.Adam(schedule),
        metrics=["accuracy"],
    )
    model.fit(ds, epochs=ticks, steps_per_epoch=per_tick, callbacks=callbacks, verbose=0)


# ------------------------------------------------------------------ the run
def load(train_size: int, test_size: int):
    from cnn_course import data

    (x, y), (xt, yt) = data.load_mnist()
    x, y = x[: train_size or None], y[: train_size or None]
    xt, yt = xt[: test_size or None], yt[: test_size or None]
    described = (
        f"MNIST (idx files of the data mirror): {len(x):,} training images, "
        f"{len(xt):,} test images (the official test split{'' if not test_size else ', first part'})"
    )
    prep = lambda a: (a.astype(np.float32) / 255.0)[..., np.newaxis]  # noqa: E731
    return prep(x), y.astype(np.int64), prep(xt), yt.astype(np.int64), described


def run(recipe: str, seed: int, arrays, epochs: dict[str, int], pack_batch: int) -> list[dict]:
    import keras

    x, y, xt, yt = arrays

    def test(model) -> float:
        return float(np.mean(model.predict(xt, batch_size=1000, verbose=0).argmax(1) == yt))

    keras.utils.set_random_seed(seed)
    clock = EpochClock(f"{recipe} s{seed}", test, 2 if recipe.startswith("fast") else 1)
    clock.start()
    if recipe == "reference":
        reference_recipe(x, y, epochs[recipe], [clock.callback()])
    elif recipe == "pack":
        pack_recipe(x, y, epochs[recipe], pack_batch, [clock.callback()])
    else:
        fast_recipe(
            x, y, epochs[recipe], [clock.callback()], batch_norm=recipe == "fast-gpu", seed=seed
        )
    return [{"recipe": recipe, "seed": seed, **r} for r in clock.rows]


def summarize(rows: list[dict], cpu_epochs: int) -> list[str]:
    """Lines of the summary: per recipe and seed, time to 99.0% and final accuracy."""
    views = {
        "reference": [r for r in rows if r["recipe"] == "reference"],
        "pack (gpu budget)": [r for r in rows if r["recipe"] == "pack"],
        f"pack (cpu budget = first {cpu_epochs} epochs)": [
            r for r in rows if r["recipe"] == "pack" and r["epoch"] <= cpu_epochs
        ],
        "fast-cpu": [r for r in rows if r["recipe"] == "fast-cpu"],
        "fast-gpu": [r for r in rows if r["recipe"] == "fast-gpu"],
    }
    lines, reach = [], {}
    for name, mine in views.items():
        if not mine:
            continue
        for seed in sorted({r["seed"] for r in mine}):
            curve = [r for r in mine if r["seed"] == seed]
            last = max(curve, key=lambda r: r["epoch"])
            hit = first_reach(curve, TARGET)
            reach.setdefault(name, {})[seed] = hit["train_seconds"] if hit else None
            best = max(r["test_accuracy"] for r in curve)
            lines.append(
                f"{name:<36} seed {seed}: "
                + (
                    f"99.0% after epoch {hit['epoch']:g}, {hit['train_seconds']:.1f} s; "
                    if hit
                    else "never reaches 99.0%; "
                )
                + f"final {last['test_accuracy']:.4f} after {last['epoch']:g} epochs, "
                f"{last['train_seconds']:.1f} s (best {best:.4f})"
            )
    ref = reach.get("reference", {})
    for name, by_seed in reach.items():
        if name == "reference":
            continue
        ratios = [by_seed[s] / ref[s] for s in by_seed if by_seed[s] is not None and ref.get(s)]
        missing = [s for s in by_seed if by_seed[s] is None]
        if ratios:
            lines.append(
                f"ratio {name} / reference, seconds to 99.0%: "
                + ", ".join(f"{v:.2f}" for v in ratios)
                + f" (median {statistics.median(ratios):.2f}; target ≤ 0.25)"
                + (f"; seeds {missing} never reach it" if missing else "")
            )
        elif by_seed:
            lines.append(f"ratio {name} / reference: {name} never reaches 99.0%")
    for name in ("pack (gpu budget)", "fast-gpu"):
        finals = [
            max((r for r in views[name] if r["seed"] == s), key=lambda r: r["epoch"])[
                "test_accuracy"
            ]
            for s in sorted({r["seed"] for r in views[name]})
        ]
        if finals:
            ok = all(f >= GPU_TARGET for f in finals)
            lines.append(
                f"{name}: final accuracies {', '.join(f'{f:.4f}' for f in finals)} "
                f"(target ≥ {GPU_TARGET}: {'met' if ok else 'NOT met'})"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--recipes", nargs="+", default=list(LABELS), choices=list(LABELS), help="recipes to train"
    )
    parser.add_argument("--fast-cpu-epochs", type=int, default=2)
    parser.add_argument("--fast-gpu-epochs", type=int, default=6)
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 1 seed, 1 epoch, 6,000 images"
    )
    parser.add_argument("--no-save", action="store_true", help="print only (no CSV, no PNG)")
    parser.add_argument(
        "--report",
        action="store_true",
        help="train nothing: summarize and plot the latest run in the CSV (e.g. one cut short)",
    )
    args = parser.parse_args(argv)

    from cnn_course import runtime

    gpu, cpu = runtime.budget("mnist", "gpu"), runtime.budget("mnist", "cpu")
    if (gpu.batch_size, gpu.train_size) != (cpu.batch_size, cpu.train_size):
        raise SystemExit(
            "The mnist cpu and gpu budgets differ in more than epochs: the cpu figures can "
            "no longer be read off the gpu run; train them as a recipe of their own."
        )
    epochs = {
        "reference": 15,
        "pack": gpu.epochs,
        "fast-cpu": args.fast_cpu_epochs,
        "fast-gpu": args.fast_gpu_epochs,
    }
    seeds, train_size, test_size = args.seeds, 0, 0
    if args.quick:
        seeds, train_size, test_size = seeds[:1], 6000, 2000
        epochs = dict.fromkeys(epochs, 1)
    if args.report:
        rows = last_run(CSV_PATH)
        meta, described = rows[0], rows[0]["data"]
        seeds = sorted({r["seed"] for r in rows})
        print_stamp(meta, described, seeds)
    else:
        x, y, xt, yt, described = load(train_size, test_size)
        meta = stamp()
        print_stamp(meta, described, seeds)
        print(
            f"budgets (autograder/budgets.toml): gpu {gpu.epochs} epochs, cpu {cpu.epochs} "
            f"epochs, batch {gpu.batch_size}; epochs here: {epochs}",
            flush=True,
        )
        rows = []
        for seed in seeds:
            for recipe in args.recipes:
                new = run(recipe, seed, (x, y, xt, yt), epochs, gpu.batch_size)
                rows += new
                if not args.no_save:  # each recipe's rows as it ends: a cut run keeps them
                    append_csv(CSV_PATH, ({**meta, "data": described, **r} for r in new), FIELDS)
    print("\nsummary (" + meta["note"] + "):")
    for line in summarize(rows, cpu.epochs):
        print("  " + line)
    if not args.no_save:
        plot_curves(
            rows,
            PNG_PATH,
            f"{described}\n{meta['machine']}; {meta['date']}; semillas {seeds}; núcleos compartidos",
            {k: v for k, v in LABELS.items() if any(r["recipe"] == k for r in rows)},
            target=TARGET,
        )
        print(f"wrote {PNG_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
