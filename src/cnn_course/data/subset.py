"""Deterministic, class-balanced subsets for small training budgets."""

from __future__ import annotations

import numpy as np


def _labels(y) -> np.ndarray:
    """Integer labels from ``(N,)``, ``(N, 1)`` or one-hot ``(N, K)``."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return y.reshape(len(y))


def _quotas(counts: np.ndarray, limit: int, rng: np.random.Generator) -> np.ndarray:
    """Split ``limit`` over classes as evenly as their sizes allow (water-filling).

    Classes smaller than their fair share give it all; what they cannot give is
    shared by the others, so the total is ``min(limit, sum(counts))``. A remainder
    that cannot be split evenly goes one each to seeded-random classes (hence ±1).
    """
    quota = np.zeros_like(counts)
    remaining = min(limit, int(counts.sum()))
    open_ = counts > 0
    while remaining and open_.any():
        share, extra = divmod(remaining, int(open_.sum()))
        room = counts - quota
        if share == 0:
            lucky = rng.permutation(np.flatnonzero(open_))[:extra]
            quota[lucky] += 1
            break
        add = np.where(open_, np.minimum(share, room), 0)
        quota += add
        remaining -= int(add.sum())
        open_ &= quota < counts
    return quota


def balanced_indices(
    y, limit: int | None = None, limit_per_class: int | None = None, seed: int = 0
) -> np.ndarray:
    """Sorted indices of a class-balanced subset of labels ``y``; 0 or ``None`` means all.

    ``limit`` caps the total, ``limit_per_class`` each class; give at most one.
    The same ``seed`` always picks the same indices.
    """
    if limit and limit_per_class:
        raise ValueError(
            f"Give limit or limit_per_class, not both (got limit={limit}, "
            f"limit_per_class={limit_per_class})."
        )
    for name, value in (("limit", limit), ("limit_per_class", limit_per_class)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}.")
    labels = _labels(y)
    if not limit and not limit_per_class:
        return np.arange(len(labels))
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    rng = np.random.default_rng(seed)
    quota = np.minimum(counts, limit_per_class) if limit_per_class else _quotas(counts, limit, rng)
    picked = [
        rng.permutation(np.flatnonzero(inverse == k))[: quota[k]] for k in range(len(classes))
    ]
    return np.sort(np.concatenate(picked)) if picked else np.arange(0)


def balanced_subset(
    x, y, limit: int | None = None, limit_per_class: int | None = None, seed: int = 0
):
    """``(x, y)`` restricted to :func:`balanced_indices` (original order kept)."""
    if len(x) != len(y):
        raise ValueError(f"x and y differ in length: {len(x)} vs {len(y)}.")
    idx = balanced_indices(y, limit, limit_per_class, seed)
    return x[idx], y[idx]
