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


def _keras_dataset(*args, **kwargs):
    """The tf.data dataset Keras builds for fit(...) from these inputs."""
    from keras.src.trainers.data_adapters import get_data_adapter

    return get_data_adapter(*args, **kwargs).get_tf_dataset()


@pytest.fixture
def adapters(monkeypatch):
    """Keras's NumPy and tf.data adapters, put back as they were after the test."""
    from keras.src.trainers.data_adapters import array_data_adapter, tf_dataset_adapter

    classes = (array_data_adapter.ArrayDataAdapter, tf_dataset_adapter.TFDatasetAdapter)
    for cls in classes:
        monkeypatch.setattr(cls, "get_tf_dataset", cls.get_tf_dataset)
    return classes


def test_keras_datasets_are_autotuned_unless_the_stalls_are_avoided(adapters):
    """The stall comes from tf.data's autotuning thread: off after the call, data the same."""
    import tensorflow as tf

    x, y = np.arange(200, dtype="float32").reshape(100, 2), np.arange(100, dtype="float32")
    user = tf.data.Dataset.from_tensor_slices((x, y)).batch(10)
    if not getattr(adapters[0].get_tf_dataset, "_without_autotune", False):
        assert _keras_dataset(x, y, batch_size=32).options().autotune.enabled is not False
    assert training.avoid_tf_data_stalls() is True
    wrapped = [cls.get_tf_dataset for cls in adapters]
    assert training.avoid_tf_data_stalls() is True  # twice: no wrapper around the wrapper
    assert [cls.get_tf_dataset for cls in adapters] == wrapped
    ds = _keras_dataset(x, y, batch_size=32, shuffle=True)
    assert ds.options().autotune.enabled is False
    assert sorted(float(v) for _, b in ds for v in b.numpy()) == y.tolist()
    assert _keras_dataset(user).options().autotune.enabled is False
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    model.fit(x / 200, y / 100, batch_size=32, epochs=2, validation_split=0.1, verbose=0)
    assert int(model.optimizer.iterations) == training.steps(100, 32, 2, 0.1)


def test_avoiding_the_stalls_changes_nothing_where_keras_lacks_the_adapters(adapters, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "keras.src.trainers.data_adapters.tf_dataset_adapter", None)
    before = [cls.get_tf_dataset for cls in adapters]
    assert training.avoid_tf_data_stalls() is False
    assert [cls.get_tf_dataset for cls in adapters] == before
