"""Metrics measured by the checks themselves, on a trusted copy of the student's model."""

from __future__ import annotations

import numpy as np

from cnn_course.checks.toolkit.core import fail, report
from cnn_course.checks.toolkit.layers import expect_model
from cnn_course.fmt import number


def trusted_copy(model):
    """A fresh model rebuilt from ``model``'s config with its weights.

    Evaluating the copy, not the student's object, means a patched ``predict``,
    ``evaluate`` or ``__call__`` on the student's instance cannot fake a result.
    """
    import keras

    expect_model("model", model)
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


def predictions(model, x, batch_size: int = 256) -> np.ndarray:
    """Predicted classes of a trusted copy (one sigmoid unit: threshold 0.5)."""
    probs = trusted_copy(model).predict(x, batch_size=batch_size, verbose=0)
    if probs.shape[-1] == 1:
        return (probs.reshape(-1) >= 0.5).astype(np.int64)
    return np.argmax(probs, axis=-1)


def accuracy(model, x, y, batch_size: int = 256) -> float:
    """Held-out accuracy computed here from the model's own predictions (on a trusted copy)."""
    y = np.asarray(y).reshape(-1)
    return float(np.mean(predictions(model, x, batch_size) == y))


def expect_accuracy(model, x, y, budget) -> float:
    """Accuracy on held-out data at least the budget's threshold; prints it first."""
    acc = accuracy(model, x, y)
    report(
        f"Exactitud en test (perfil {budget.profile})",
        number(acc, 4),
        f">= {number(budget.threshold, 4)}",
    )
    if not acc >= budget.threshold:
        fail("common.accuracy", got=acc, profile=budget.profile, threshold=budget.threshold)
    return acc
