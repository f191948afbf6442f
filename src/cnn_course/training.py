"""Training recipes shared by the notebooks and the benchmarks (one source of truth).

The MNIST session's recipe (``bench/mnist_time_to_accuracy.py`` measures it against the
Keras documentation's): Adam with a one-cycle learning rate, a linear warm-up from a tenth
of the peak over the first ``warmup`` of the steps, then a cosine decay to zero at the
last step of the budget. Measured in ``autograder/budgets.toml`` (mnist rows).

Also :func:`avoid_tf_data_stalls`, called by the setup cell of every notebook that trains
and by the benchmarks, for every recipe alike.
"""

from __future__ import annotations

import math

PEAK_LR = 3e-3
"""Peak learning rate of the one-cycle schedule (Adam's default is 1e-3)."""
WARMUP = 0.15
"""Fraction of the steps spent warming up."""


def steps(n_examples: int, batch_size: int, epochs: int, validation_split: float = 0.0) -> int:
    """Optimizer steps of ``fit(x, y, batch_size, epochs, validation_split)`` on ``n_examples``.

    Keras keeps the first ``(1 - validation_split)`` of the examples for training (it cuts
    before shuffling) and runs one step per batch, the last one possibly short."""
    if n_examples < 1 or batch_size < 1 or epochs < 1:
        raise ValueError(
            f"steps needs at least one example, batch and epoch "
            f"(got {n_examples}, {batch_size}, {epochs})"
        )
    if not 0.0 <= validation_split < 1.0:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split}")
    kept = int(n_examples * (1.0 - validation_split))
    return epochs * math.ceil(kept / batch_size)


def one_cycle(total_steps: int, peak: float = PEAK_LR, warmup: float = WARMUP):
    """A Keras schedule: linear warm-up from ``peak / 10`` to ``peak`` over ``warmup`` of
    ``total_steps``, then cosine decay to 0 at ``total_steps``."""
    import keras

    if total_steps < 2:
        raise ValueError(f"one_cycle needs at least 2 steps, got {total_steps}")
    warm = max(1, int(warmup * total_steps))
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 10,
        decay_steps=total_steps - warm,
        warmup_target=peak,
        warmup_steps=warm,
    )


_ADAPTERS = (
    ("keras.src.trainers.data_adapters.array_data_adapter", "ArrayDataAdapter"),
    ("keras.src.trainers.data_adapters.tf_dataset_adapter", "TFDatasetAdapter"),
)


def avoid_tf_data_stalls() -> bool:
    """Turn off tf.data autotuning in the datasets Keras feeds ``fit``/``evaluate``/``predict``.

    With TensorFlow 2.21 each autotuned dataset iterator runs a thread that sleeps in periods
    doubling up to 60 s, and freeing the iterator waits out the current sleep. Keras makes a
    new iterator every epoch, so some epochs end in an idle stall of up to ~20 s: on this
    project's 2-core machine (2026-11-28), 6 epochs of MNIST took 21.7, 18.7, 39.2, 18.7,
    37.8 and 20.1 s; with this, 22.1, 18.9, 16.4, 17.1, 15.4 and 18.0 s (same batches, same
    results). Returns True once patched (again: no-op), False where this Keras has no such
    adapters (nothing changed)."""
    import importlib

    import tensorflow as tf

    found = []
    for module, name in _ADAPTERS:
        try:
            found.append(getattr(importlib.import_module(module), name))
        except (ImportError, AttributeError):
            return False
    for adapter in found:
        original = adapter.get_tf_dataset
        if getattr(original, "_without_autotune", False):
            continue

        def get_tf_dataset(self, _original=original):
            options = tf.data.Options()
            options.autotune.enabled = False
            return _original(self).with_options(options)

        get_tf_dataset._without_autotune = True
        adapter.get_tf_dataset = get_tf_dataset
    return True
