"""Benchmark (not a test): CIFAR-10 time to accuracy, the pack's recipes against TensorFlow's tutorial.

The data mirror holds 20,000 of CIFAR-10's 50,000 training images (and the whole
official test set of 10,000): every recipe trains on the same 20,000 images, normalised
with their per-channel statistics, and is measured on the whole test set after every
epoch, outside the timed training (by ``_common.test_accuracy``). Every recipe runs with
:func:`cnn_course.training.avoid_tf_data_stalls`, as the notebooks do. Recipes, one after
the other, same machine and seed:

- ``tutorial``: the TensorFlow CNN tutorial as published (Conv2D 32 → MaxPool → Conv2D 64
  → MaxPool → Conv2D 64 → Flatten → Dense 64 → Dense 10; Adam at 0.001, batch 32 as
  ``fit``'s default, 10 epochs; published "over 70%" with all 50,000 training images);
- ``pack``: session 03's final recipe (the notebook's ``build_best_model``: the tutorial's
  network with flip + 4-pixel translation augmentation, BatchNormalization after every
  convolution, Dropout 0.3; Adam with a cosine decay from 0.003 over the run; the ``cpu``
  budget's batch), trained for ``--pack-epochs``;
- ``fast`` (trained only when named: ``--recipes tutorial pack fast``): a candidate for
  the 80% target (:func:`fast_model`, :func:`fast_recipe`): a small VGG-style network
  (two 3×3 convolutions per stage, 32/64/128 filters, BN), the same augmentation, AdamW
  with a one-cycle schedule and label smoothing, cached and prefetched ``tf.data``,
  ``--fast-epochs`` epochs (about 100 s per epoch here: with it the run passes 30 min).

Prints, per recipe, the accuracy and cumulative training seconds per epoch, the
tutorial's best accuracy and when each recipe first reaches it (ratio; target ≤ 0.5),
and when each reaches 80% (target: within 900 s). Appends rows to
``bench/results/cifar10_time_to_accuracy.csv`` and draws
``bench/results/cifar10_time_to_accuracy.png``.

    CNN_COURSE_DATA=/path/to/data python bench/cifar10_time_to_accuracy.py --seeds 0
    python bench/cifar10_time_to_accuracy.py --quick      # smoke run: 1 epoch, 2,000 images
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import EpochClock, add_curve_arguments, first_reach, run_curves, test_accuracy

TARGET, TARGET_SECONDS = 0.80, 900.0
LABELS = {
    "tutorial": "referencia: tutorial CNN de TensorFlow",
    "pack": "curso: receta final de la sesión 03",
    "fast": "candidata: VGG pequeña + BN + one-cycle",
}


def load(train_size: int, test_size: int):
    """The mirror's training images (a balanced subset when ``train_size``), the test
    split, both normalised with the training images' per-channel statistics."""
    from cnn_course import data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.PartialDatasetWarning)
        ((x, y), (xt, yt)), info = data.load_cifar10(return_info=True)
    y, yt = y.reshape(-1), yt.reshape(-1)
    x, y = data.balanced_subset(x, y, limit=train_size or None, seed=0)
    if test_size:  # the mirror's test images are grouped by class: a balanced subset
        xt, yt = data.balanced_subset(xt, yt, limit=test_size, seed=0)
    pixels = x.reshape(-1, 3).astype(np.float32) / 255.0
    mean, std = pixels.mean(axis=0), pixels.std(axis=0)

    def norm(a):
        return ((a.astype(np.float32) / 255.0 - mean) / std).astype(np.float32)

    described = (
        f"CIFAR-10 {info.format} from {info.source}: {len(x):,} training images "
        f"(the mirror has 20,000 of the official {info.expected['train']:,}), "
        f"{len(xt):,} test images (of {info.expected['test']:,})"
    )
    return (norm(x), y.astype(np.int64), norm(xt), yt.astype(np.int64)), described


def augmentation():
    import keras

    return keras.Sequential(
        [keras.layers.RandomFlip("horizontal"), keras.layers.RandomTranslation(0.125, 0.125)],
        name="aumento",
    )


def tutorial_model():
    import keras

    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=(32, 32, 3)),
            layers.Conv2D(32, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"),
            layers.Flatten(),
            layers.Dense(64, activation="relu"),
            layers.Dense(10),
        ]
    )


def pack_model():
    """The notebook's ``build_best_model``."""
    import keras

    layers = keras.layers
    body = [keras.Input(shape=(32, 32, 3)), augmentation()]
    for filters, pool in ((32, True), (64, True), (64, False)):
        body += [
            layers.Conv2D(filters, (3, 3)),
            layers.BatchNormalization(),
            layers.Activation("relu"),
        ]
        if pool:
            body.append(layers.MaxPooling2D((2, 2)))
    body += [
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(64, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ]
    return keras.Sequential(body)


def fast_model(widths=(32, 64, 128)):
    """Two 3×3 convolutions (BN, ReLU) per stage, max-pooling between stages, global
    average pooling and one Dense softmax."""
    import keras

    layers = keras.layers
    body = [keras.Input(shape=(32, 32, 3)), augmentation()]
    for i, filters in enumerate(widths):
        for _ in range(2):
            body += [
                layers.Conv2D(filters, (3, 3), padding="same", use_bias=False),
                layers.BatchNormalization(),
                layers.Activation("relu"),
            ]
        body.append(
            layers.MaxPooling2D((2, 2)) if i < len(widths) - 1 else layers.GlobalAveragePooling2D()
        )
    body += [layers.Dropout(0.2), layers.Dense(10, activation="softmax")]
    return keras.Sequential(body)


def tutorial_recipe(x, y, epochs: int, callbacks) -> None:
    import keras

    model = tutorial_model()
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=epochs, callbacks=callbacks, verbose=0)


def pack_recipe(x, y, epochs: int, batch_size: int, callbacks) -> None:
    import keras

    steps = epochs * -(-len(x) // batch_size)
    model = pack_model()
    model.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(3e-3, steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=callbacks, verbose=0)


def fast_recipe(
    x, y, epochs: int, callbacks, *, batch_size: int = 128, peak: float = 4e-3, seed: int = 0
):
    """AdamW (weight decay 5e-4), one-cycle (warm-up 15% from peak/10, cosine to 0), label
    smoothing 0.1, cached + prefetched ``tf.data``."""
    import keras
    import tensorflow as tf

    steps = epochs * -(-len(x) // batch_size)
    warm = int(0.15 * steps)
    schedule = keras.optimizers.schedules.CosineDecay(
        peak / 10, steps - warm, warmup_target=peak, warmup_steps=warm
    )
    ds = (
        tf.data.Dataset.from_tensor_slices((x, keras.utils.to_categorical(y, 10)))
        .cache()
        .shuffle(len(x), seed=seed)
        .batch(batch_size)
        .prefetch(tf.data.AUTOTUNE)
    )
    model = fast_model()
    model.compile(
        optimizer=keras.optimizers.AdamW(schedule, weight_decay=5e-4),
        loss=keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
        metrics=["accuracy"],
    )
    model.fit(ds, epochs=epochs, callbacks=callbacks, verbose=0)


def train(recipe: str, seed: int, arrays, epochs: dict[str, int], pack_batch: int) -> list[dict]:
    import keras

    x, y, xt, yt = arrays

    keras.utils.set_random_seed(seed)
    clock = EpochClock(f"{recipe} s{seed}", lambda model: test_accuracy(model, xt, yt))
    clock.start()
    if recipe == "tutorial":
        tutorial_recipe(x, y, epochs[recipe], [clock.callback()])
    elif recipe == "pack":
        pack_recipe(x, y, epochs[recipe], pack_batch, [clock.callback()])
    else:
        fast_recipe(x, y, epochs[recipe], [clock.callback()], seed=seed)
    return clock.rows


def summarize(rows: list[dict]) -> list[str]:
    lines = []
    for seed in sorted({r["seed"] for r in rows}):
        mine = {k: [r for r in rows if r["recipe"] == k and r["seed"] == seed] for k in LABELS}
        ref = mine["tutorial"]
        bar = max((r["test_accuracy"] for r in ref), default=None)
        ref_hit = first_reach(ref, bar) if bar is not None else None
        for name, curve in mine.items():
            if not curve:
                continue
            last = max(curve, key=lambda r: r["epoch"])
            best = max(curve, key=lambda r: r["test_accuracy"])
            line = (
                f"{name:<9} seed {seed}: final {last['test_accuracy']:.4f} after {last['epoch']:g} epochs, "
                f"{last['train_seconds']:.0f} s; best {best['test_accuracy']:.4f} at {best['train_seconds']:.0f} s"
            )
            if ref_hit and name != "tutorial":
                hit = first_reach(curve, bar)
                line += (
                    f"; reaches the tutorial's best ({bar:.4f}, {ref_hit['train_seconds']:.0f} s) at "
                    f"{hit['train_seconds']:.0f} s, ratio {hit['train_seconds'] / ref_hit['train_seconds']:.2f} "
                    "(target ≤ 0.5)"
                    if hit
                    else f"; never reaches the tutorial's best ({bar:.4f})"
                )
            hit80 = first_reach(curve, TARGET)
            line += (
                f"; 80% at {hit80['train_seconds']:.0f} s "
                f"({'within' if hit80['train_seconds'] <= TARGET_SECONDS else 'OVER'} 900 s)"
                if hit80
                else "; never reaches 80%"
            )
            lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_curve_arguments(parser, LABELS, [0], "1 epoch, 2,000 images", ["tutorial", "pack"])
    parser.add_argument("--pack-epochs", type=int, default=10)
    parser.add_argument("--fast-epochs", type=int, default=12)
    args = parser.parse_args(argv)

    from cnn_course import runtime, training

    pack_batch = runtime.budget("cifar10", "cpu").batch_size
    epochs = {"tutorial": 10, "pack": args.pack_epochs, "fast": args.fast_epochs}
    sizes = (0, 0)
    if args.quick:
        args.seeds, sizes = args.seeds[:1], (2000, 1000)
        epochs = dict.fromkeys(epochs, 1)
    print(f"epochs: {epochs}; pack batch {pack_batch} (cpu budget)", flush=True)
    training.avoid_tf_data_stalls()  # every recipe alike, as the notebooks' setup cells do
    run_curves(
        args,
        "cifar10_time_to_accuracy",
        LABELS,
        lambda: load(*sizes),
        lambda recipe, seed, arrays: train(recipe, seed, arrays, epochs, pack_batch),
        summarize,
        TARGET,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
