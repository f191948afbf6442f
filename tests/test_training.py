"""The one-cycle recipe the MNIST notebook and its benchmark share (cnn_course.training)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from cnn_course import training


def test_steps_are_the_ones_keras_takes():
    """Counted like fit(validation_split=...): the last short batch is a step too."""
    x, y = np.zeros((1000, 2), "float32"), np.zeros(1000, "float32")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x, y, batch_size=128, epochs=2, validation_split=0.1, verbose=0)
    assert training.steps(1000, 128, 2, 0.1) == int(model.optimizer.iterations) == 2 * 8


def test_one_cycle_warms_up_to_the_peak_then_decays_to_zero():
    total = 1000
    schedule = training.one_cycle(total)
    rates = np.array([float(schedule(s)) for s in range(total + 1)])
    peak_at = int(training.WARMUP * total)
    assert rates[0] == pytest.approx(training.PEAK_LR / 10)
    assert rates.argmax() == peak_at and rates.max() == pytest.approx(training.PEAK_LR)
    assert np.all(np.diff(rates[: peak_at + 1]) > 0)
    assert np.all(np.diff(rates[peak_at:]) <= 1e-12)
    assert rates[-1] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    "args", [(0, 128, 1), (100, 0, 1), (100, 128, 0), (100, 128, 1, 1.0), (100, 128, 1, -0.1)]
)
def test_impossible_budgets_are_refused(args):
    with pytest.raises(ValueError):
        training.steps(*args)


def test_a_schedule_needs_room_to_warm_up():
    with pytest.raises(ValueError, match="at least 2 steps"):
        training.one_cycle(1)
