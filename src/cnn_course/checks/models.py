"""Checks on Keras models: layer structure, output shapes, parameter counts, accuracy."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnn_course.checks.core import fail, report


@dataclass(frozen=True)
class LayerSpec:
    """What one layer must be: its Keras class name, output shape and chosen attributes."""

    kind: str | tuple[str, ...]
    """Keras class name, or a tuple of accepted alternatives"""
    output_shape: tuple | None = None
    attrs: dict = field(default_factory=dict)


def _is_model(model) -> bool:
    import keras

    return isinstance(model, keras.Model)


def expect_model(name: str, model) -> None:
    """``model`` is a Keras model."""
    if not _is_model(model):
        fail("common.not_a_model", name=name, got=type(model).__name__)


def _attr(layer, attr: str):
    value = getattr(layer, attr)
    if attr == "activation":
        return value.__name__
    if isinstance(value, list):
        return tuple(value)
    return value


def _shape(layer) -> tuple:
    return tuple(layer.output.shape)


def expect_layers(model, specs: list[LayerSpec]) -> None:
    """Layers in order with the right type, attributes and output shape (InputLayer ignored)."""
    expect_model("model", model)
    if not model.built:
        fail("common.not_built")
    layers = list(model.layers)
    names = ", ".join(type(layer).__name__ for layer in layers)
    if len(layers) != len(specs):
        fail("common.layer_count", expected=len(specs), got=len(layers), layers=names)
    for index, (layer, spec) in enumerate(zip(layers, specs, strict=True), start=1):
        kind = type(layer).__name__
        accepted = (spec.kind,) if isinstance(spec.kind, str) else spec.kind
        if kind not in accepted:
            fail("common.layer_type", index=index, expected=" o ".join(accepted), got=kind)
        for attr, expected in spec.attrs.items():
            got = _attr(layer, attr)
            if got != expected:
                fail(
                    "common.layer_attr",
                    index=index,
                    layer=kind,
                    attr=attr,
                    expected=expected,
                    got=got,
                )
        if spec.output_shape is not None:
            got = _shape(layer)
            if got != tuple(spec.output_shape):
                fail(
                    "common.layer_shape",
                    index=index,
                    layer=kind,
                    expected=spec.output_shape,
                    got=got,
                )
    print(f"Estructura correcta: {len(specs)} capas ({names})")


def output_shape(model, input_shape: tuple) -> tuple:
    """Output shape of ``model`` (batch axis None), found by running it on one zero input."""
    out = model(np.zeros((1, *input_shape), dtype="float32"), training=False)
    return (None, *tuple(out.shape)[1:])


def expect_param_count(model, expected: int) -> None:
    """Exact ``count_params()``, printed next to the expected count."""
    got = int(model.count_params())
    report("Parámetros del modelo", f"{got:,}", f"{expected:,}")
    if got != expected:
        fail("common.param_count", expected=expected, got=got)


def expect_loss(model, expected: str) -> None:
    """The model was compiled with this loss (name as Keras accepts it in ``compile``)."""
    loss = getattr(model, "loss", None)
    got = loss if isinstance(loss, str) else getattr(loss, "name", type(loss).__name__)
    if got != expected:
        fail("common.compiled_loss", expected=expected, got=got)


def expect_last_activation(model, expected: str) -> None:
    """The last layer's activation."""
    got = _attr(model.layers[-1], "activation")
    if got != expected:
        fail("common.activation", expected=expected, got=got)


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


def accuracy(model, x, y, batch_size: int = 256) -> float:
    """Held-out accuracy computed here from the model's own predictions (on a trusted copy)."""
    copy = trusted_copy(model)
    probs = copy.predict(x, batch_size=batch_size, verbose=0)
    y = np.asarray(y).reshape(-1)
    if probs.shape[-1] == 1:  # one sigmoid unit
        pred = (probs.reshape(-1) >= 0.5).astype(y.dtype)
    else:
        pred = np.argmax(probs, axis=-1)
    return float(np.mean(pred == y))


def expect_accuracy(model, x, y, budget) -> float:
    """Accuracy on held-out data at least the budget's threshold; prints it first."""
    acc = accuracy(model, x, y)
    report(
        f"Exactitud en test (perfil {budget.profile})", f"{acc:.4f}", f">= {budget.threshold:.4f}"
    )
    if not acc >= budget.threshold:
        fail("common.accuracy", got=acc, profile=budget.profile, threshold=budget.threshold)
    return acc
