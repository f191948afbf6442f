"""Training recipes shared by the notebooks and the benchmarks (one source of truth).

The MNIST session's recipe (``bench/mnist_time_to_accuracy.py`` measures it against the
Keras documentation's): Adam with a one-cycle learning rate, a linear warm-up from a tenth
of the peak over the first ``warmup`` of the steps, then a cosine decay to zero at the
last step of the budget. Measured in ``autograder/budgets.toml`` (mnist rows).
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
