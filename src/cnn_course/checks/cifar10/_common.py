"""Shared helpers of the CIFAR-10 checks: the data they load, calling student code,
forward passes and layer walks."""

from __future__ import annotations

import contextlib
import functools
import logging
import warnings

import numpy as np

import cnn_course.data as data
import cnn_course.runtime as runtime
from cnn_course.checks import toolkit
from cnn_course.checks.cifar10 import reference
from cnn_course.checks.cifar10.reference import (
    BASELINE,
)
from cnn_course.checks.toolkit.layers import MAIN_KINDS

SESSION = "cifar10"


# ---------------------------------------------------------------- data the checks load
@functools.cache
def _arrays() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """CIFAR-10 as the checks see it: ``x_train, y_train, x_test, y_test`` (flat labels)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", data.PartialDatasetWarning)
        (x_train, y_train), (x_test, y_test) = data.load_cifar10()
    return x_train, y_train.reshape(-1), x_test, y_test.reshape(-1)


def _train_stats(budget) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and std, scaled to [0, 1], of the training images the notebook
    normalises with: the budget's class-balanced subset for the run's seed (the notebook's
    ``x_sub``), counted exactly from per-channel histograms."""
    x_train, y_train, _, _ = _arrays()
    x, _ = data.balanced_subset(
        x_train, y_train, limit=budget.train_size or None, seed=runtime.seed()
    )
    values = np.arange(256) / 255.0
    mean, std = np.zeros(3), np.zeros(3)
    for channel in range(3):
        counts = np.bincount(x[..., channel].reshape(-1), minlength=256)
        mean[channel] = counts @ values / counts.sum()
        std[channel] = np.sqrt(counts @ (values - mean[channel]) ** 2 / counts.sum())
    return mean, std


def _held_out(budget, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A class-balanced test subset of the budget's size (the whole test set when
    ``test_size`` is 0), normalised as the notebook normalises its data."""
    _, _, x_test, y_test = _arrays()
    x, y = data.balanced_subset(x_test, y_test, limit=budget.test_size or None, seed=seed)
    mean, std = _train_stats(budget)
    return reference.normalise(x, mean, std), y


@contextlib.contextmanager
def _quiet_tracing():
    """Without TensorFlow's retracing warnings: every trusted copy is a new model, so its
    predict function is traced anew on purpose."""
    logger = logging.getLogger("tensorflow")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _accuracy(model, x, y) -> float:
    with _quiet_tracing():
        return toolkit.accuracy(model, x, y)


def test_accuracy(model) -> float:
    """Test accuracy of ``model`` measured by the checks (the numbers of the results table)."""
    return _accuracy(model, *_held_out(runtime.budget(SESSION), seed=0))


test_accuracy.__test__ = False  # not a pytest test


def _call(fn, name: str, call: str, *args):
    """Call the student's function; any exception becomes ``common.crash`` naming ``call``
    (written by hand: the arguments are arrays, too long to print)."""
    try:
        return toolkit.call_student(fn, name, *args)
    except toolkit.CheckError:
        raise
    except Exception as exc:  # the student's code may raise anything
        toolkit.fail("common.crash", call=call, error=toolkit.short(exc))


def _expect_close_ref(name: str, got, expected, tol: float, hint: str = "") -> None:
    """Same shape, and the largest difference small next to the reference's largest value
    (a float32 reference: values near zero make an elementwise relative error meaningless)."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        toolkit.fail("common.shape", name=name, expected=expected.shape, got=got.shape)
    error = toolkit.rel_error(got, expected, relative_to="reference")
    print(f"{name}: error relativo {error:.2e} (tolerancia {tol:.0e})")
    if not error <= tol:
        toolkit.fail("common.close", name=name, error=error, tol=tol, hint=hint)


def _short(value, limit: int = 120) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _expect_probabilities(call: str, model, input_shape, batch: int, seed: int) -> None:
    """A forward pass on random inputs gives one probability distribution per image."""
    x = np.random.default_rng(seed).normal(size=(batch, *input_shape)).astype("float32")
    out = np.asarray(model(x, training=False))
    n_out = model.outputs[0].shape[-1]
    toolkit.expect_shape(f"{call}(x) con {batch} imágenes", out, (batch, n_out))
    toolkit.expect_close(
        f"suma de las probabilidades de {call}(x)",
        out.sum(axis=1),
        np.ones(batch),
        tol=1e-4,
        hint=" La última capa debe usar softmax.",
    )


def _fresh(build, name: str):
    """Two calls of the student's builder: a new model each time."""
    first = _call(build, name, f"{name}()")
    second = _call(build, name, f"{name}()")
    toolkit.expect_model(f"{name}()", first)
    if first is second:
        toolkit.fail(
            "common.wrong_type",
            name=f"{name}()",
            expected="un modelo nuevo en cada llamada",
            got="el mismo objeto",
        )
    return first


def _flat_layers(model) -> list:
    """Every layer in order, nested models opened (Sequential blocks inside a model)."""
    out = []
    for layer in model.layers:
        inner = getattr(layer, "layers", None)
        if inner is not None and type(layer).__name__ in ("Sequential", "Functional"):
            out += _flat_layers(layer)
        else:
            out.append(layer)
    return out


def _main_signature(layers) -> list[tuple]:
    """Conv2D/pooling/Flatten/Dense in order with their filters, units and output shapes."""
    sig = []
    for layer in layers:
        kind = type(layer).__name__
        if kind in MAIN_KINDS:
            size = getattr(layer, "filters", None) or getattr(layer, "units", None)
            sig.append((kind, size, tuple(layer.output.shape)))
    return sig


def _expect_base_layers(call: str, model) -> list:
    """The model keeps the tutorial network's main layers (types, sizes, output shapes)."""
    toolkit.expect_built(call, model)
    layers = _flat_layers(model)
    expected = [
        (s.kinds[0], s.attrs.get("filters") or s.attrs.get("units"), s.output_shape)
        for s in BASELINE.specs
    ]
    got = _main_signature(layers)
    if got != expected:
        names = ", ".join(f"{k}({n})" if n else k for k, n, _ in got) or "ninguna"
        toolkit.fail("cifar10.main_layers", call=call, got=names)
    toolkit.expect_last_activation(model, "softmax", call=call)
    return layers


def _expect_bn_after_convs(call: str, layers) -> None:
    convs = [i for i, layer in enumerate(layers) if type(layer).__name__ == "Conv2D"]
    bns = [layer for layer in layers if type(layer).__name__ == "BatchNormalization"]
    for number_, i in enumerate(convs, start=1):
        j = i + 1
        while j < len(layers) and type(layers[j]).__name__ in reference.ACTIVATION_KINDS:
            j += 1
        if j >= len(layers) or type(layers[j]).__name__ != "BatchNormalization":
            toolkit.fail("cifar10.bn_missing", call=call, index=number_)
    if len(bns) != len(convs):
        toolkit.fail("cifar10.bn_count", call=call, expected=len(convs), got=len(bns))
    for layer in bns:
        axis = layer.axis
        if axis not in (-1, 3, [-1], [3]):
            toolkit.fail("cifar10.bn_axis", call=call, got=axis)
    print(f"{call}: BatchNormalization tras cada una de las {len(convs)} Conv2D")
