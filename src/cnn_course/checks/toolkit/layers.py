"""Checks on Keras models: built, layer structure, output shapes, parameter counts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from cnn_course.checks.toolkit.core import fail, report
from cnn_course.fmt import number

MAIN_KINDS = (
    "Conv2D",
    "Conv2DTranspose",
    "MaxPooling2D",
    "AveragePooling2D",
    "Flatten",
    "GlobalAveragePooling2D",
    "Dense",
)
"""Layers that define an architecture's shape; the rest (Dropout, Activation…) can be ignored."""


@dataclass(frozen=True)
class LayerSpec:
    """What one layer must be: its Keras class name, output shape and chosen attributes."""

    kind: str | tuple[str, ...]
    """Keras class name, or a tuple of accepted alternatives"""
    output_shape: tuple | None = None
    attrs: dict = field(default_factory=dict)

    @property
    def kinds(self) -> tuple[str, ...]:
        return (self.kind,) if isinstance(self.kind, str) else tuple(self.kind)


def is_model(model) -> bool:
    import keras

    return isinstance(model, keras.Model)


def expect_model(name: str, model) -> None:
    """``model`` is a Keras model."""
    if not is_model(model):
        fail("common.not_a_model", name=name, got=type(model).__name__)


def expect_built(call: str, model) -> None:
    """A Keras model with a known input and exactly one output."""
    expect_model(call, model)
    try:
        outputs = list(model.outputs) if model.built else []
    except (AttributeError, ValueError):
        outputs = []
    if not outputs:
        fail("common.not_built", call=call)
    if len(outputs) != 1:
        fail("common.output_count", call=call, got=len(outputs))


ACTIVATION_LAYERS = ("Activation", "ReLU", "Softmax")
"""Layers that only apply an activation: folded into the layer before them (see
:func:`folded_layers`), so ``Conv2D(activation="relu")`` equals ``Conv2D`` + ``ReLU()``."""


class _Folded:
    """A layer seen with the activation of the activation layer that follows it."""

    def __init__(self, layer, activation: str) -> None:
        self._layer, self.activation_name = layer, activation

    def __getattr__(self, name):
        return getattr(self._layer, name)

    @property
    def output(self):
        return self._activation_output

    @property
    def layer(self):
        return self._layer


def _activation_name(layer) -> str:
    kind = type(layer).__name__
    if kind == "ReLU":
        return "relu"
    if kind == "Softmax":
        return "softmax"
    value = getattr(layer, "activation", None)
    return getattr(value, "__name__", str(value))


def folded_layers(model) -> list:
    """``model.layers`` with each activation layer folded into a linear layer just before it."""
    out: list = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        previous = out[-1] if out else None
        if (
            kind in ACTIVATION_LAYERS
            and previous is not None
            and type(getattr(previous, "layer", previous)).__name__ in ("Conv2D", "Dense")
            and layer_attr(previous, "activation") == "linear"
        ):
            folded = _Folded(getattr(previous, "layer", previous), _activation_name(layer))
            folded._activation_output = layer.output
            out[-1] = folded
            continue
        out.append(layer)
    return out


def layer_attr(layer, attr: str):
    """An attribute as the specs write it: activations by name, lists as tuples."""
    if attr == "activation" and isinstance(layer, _Folded):
        return layer.activation_name
    value = getattr(layer, attr)
    if attr == "activation":
        return getattr(value, "__name__", value)
    return tuple(value) if isinstance(value, list) else value


def main_layers(model) -> list:
    """The layers that shape an architecture (convolutions, pooling, Flatten, Dense), in
    order, each with the activation of an activation layer that follows it."""
    return [
        layer
        for layer in folded_layers(model)
        if type(getattr(layer, "layer", layer)).__name__ in MAIN_KINDS
    ]


def expect_input_shape(call: str, model, expected: tuple) -> None:
    """The model's input shape (batch axis None), as ``keras.Input(shape=...)`` gives it."""
    try:
        got = tuple(model.inputs[0].shape)
    except (AttributeError, IndexError, TypeError, ValueError):
        got = None
    if got != tuple(expected):
        fail("common.input_shape", call=call, expected=tuple(expected), got=got)


def expect_layers(
    model, specs, call: str = "model", main_only: bool = False, input_shape: tuple | None = None
) -> None:
    """Layers in order with the right type, attributes and output shape (InputLayer ignored;
    an activation layer right after a linear Conv2D or Dense counts as its activation).

    With ``main_only`` only :func:`main_layers` are compared, so Dropout does not matter.
    With ``input_shape`` (without the batch axis) the model's input is checked first, so a
    wrong input is never blamed on a layer. A wrong output shape never prints the expected
    one (a by-hand task may ask for it).
    """
    expect_built(call, model)
    if input_shape is not None:
        expect_input_shape(call, model, (None, *input_shape))
    layers = main_layers(model) if main_only else folded_layers(model)
    names = ", ".join(type(getattr(lr, "layer", lr)).__name__ for lr in layers) or "ninguna"
    # The first wrong layer is named first; a missing or extra layer at the end, last.
    for index, (layer, spec) in enumerate(zip(layers, specs, strict=False), start=1):
        kind = type(getattr(layer, "layer", layer)).__name__
        if kind not in spec.kinds:
            fail(
                "common.layer_type",
                call=call,
                index=index,
                expected=" o ".join(spec.kinds),
                got=kind,
            )
        for attr, expected in spec.attrs.items():
            got = layer_attr(layer, attr)
            if got != expected:
                fail(
                    "common.layer_attr",
                    call=call,
                    index=index,
                    layer=kind,
                    attr=attr,
                    expected=expected,
                    got=got,
                )
        got = tuple(layer.output.shape)
        if spec.output_shape is not None and got != tuple(spec.output_shape):
            # Kernel, stride and padding are to blame only when the layer's input was right.
            known_input = index > 1 or input_shape is not None
            hint = " Revisa el tamaño del kernel, el stride y el padding." if known_input else ""
            fail(
                "common.layer_shape",
                call=call,
                index=index,
                layer=kind,
                expected=tuple(spec.output_shape),
                got=got,
                hint=hint,
            )
    if len(layers) != len(specs):
        _count_mismatch(call, layers, specs, names)
    print(f"Estructura de {call}: {len(specs)} capas correctas ({names})")


def _count_mismatch(call: str, layers: list, specs, names: str) -> None:
    fail(
        "common.layer_count",
        call=call,
        expected=len(specs),
        got=len(layers),
        layers=names,
        expected_layers=", ".join(" o ".join(spec.kinds) for spec in specs),
    )


def output_shape(model, input_shape: tuple) -> tuple:
    """Output shape of ``model`` (batch axis None), found by running it on one zero input."""
    out = model(np.zeros((1, *input_shape), dtype="float32"), training=False)
    return (None, *tuple(out.shape)[1:])


def expect_output_shape(call: str, model, expected: tuple) -> None:
    """The model's symbolic output shape."""
    got = tuple(model.outputs[0].shape)
    report(f"Salida de {call}", got, tuple(expected))
    if got != tuple(expected):
        fail("common.output_shape", call=call, expected=tuple(expected), got=got)


def expect_param_count(model, expected: int, call: str = "model", reveal: bool = True) -> None:
    """Exact ``count_params()``. With ``reveal=False`` the expected count is printed only once
    the student's matches (a count the student must work out is never given away)."""
    got = int(model.count_params())
    if reveal:
        report(f"Parámetros de {call}", number(got), number(expected))
    if got != expected:
        key = "common.param_count" if reveal else "common.param_count_hidden"
        fail(key, call=call, expected=expected, got=got)
    if not reveal:
        print(f"Parámetros de {call}: {number(got)} (correcto)")


def expect_loss(model, expected: str) -> None:
    """The model was compiled with this loss (name as Keras accepts it in ``compile``)."""
    loss = getattr(model, "loss", None)
    got = loss if isinstance(loss, str) else getattr(loss, "name", type(loss).__name__)
    if got != expected:
        fail("common.compiled_loss", expected=expected, got=got)


def expect_last_activation(model, expected: str, call: str = "model") -> None:
    """The last layer's activation (its class name when it has none)."""
    layer = model.layers[-1]
    activation = getattr(layer, "activation", None)
    got = getattr(activation, "__name__", type(layer).__name__)
    if got != expected:
        fail("common.activation", call=call, expected=expected, got=got)


def expect_kinds(call: str, model, expected: dict[str, int]) -> None:
    """How many layers of each Keras class the model has."""
    counts = Counter(type(layer).__name__ for layer in model.layers)
    for kind, n in expected.items():
        if counts[kind] != n:
            fail("common.kind_count", call=call, kind=kind, expected=n, got=counts[kind])
