"""Whole-architecture comparison of a student's Keras model with a reference model.

Both models are read as a graph of operations, from the input to the output: each layer
is one operation (its type with what the statement fixes: filters, units, kernel,
strides, padding, bias, rate…), and an activation is an operation of its own whether it
is a layer (``Activation``, ``ReLU``) or a layer's ``activation=`` argument, so both
spellings of the same network compare equal. The graph is written down in a canonical
order (:func:`describe`): depth-first from the output, the inputs of an ``Add`` (which
commutes) taken longest branch first, then numbered from the input. Two models are the
same architecture when the two lists are equal; the first difference is what the Spanish
message names, never the whole expected list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cnn_course.checks.toolkit.core import fail

COMMUTATIVE = ("Add", "Multiply", "Maximum", "Minimum", "Average")
ACTIVATION_LAYERS = {"ReLU": "relu", "Softmax": "softmax"}


@dataclass(frozen=True)
class Op:
    """One operation of the canonical list: what it is and which earlier ones feed it."""

    text: str
    """the operation as a student reads it, e.g. «Conv2D(16, 3×3, strides=2, padding='same')»"""
    inputs: tuple[int, ...]
    """positions (from 1) of the operations it reads; 0 is the model's input"""


def _pair(value) -> str:
    value = tuple(value) if isinstance(value, (list, tuple)) else (value, value)
    return "×".join(str(v) for v in value)


def _layer_text(layer) -> str:
    """The layer with the attributes an architecture fixes (activation apart)."""
    kind = type(layer).__name__
    get = lambda name, default=None: getattr(layer, name, default)  # noqa: E731
    if kind in ("Conv2D", "Conv2DTranspose"):
        extra = "" if get("use_bias", True) else ", sin sesgo"
        dilation = _pair(get("dilation_rate", (1, 1)))
        extra += "" if dilation == "1×1" else f", dilation_rate={dilation}"
        return (
            f"{kind}({get('filters')}, {_pair(get('kernel_size'))}, strides="
            f"{_pair(get('strides'))}, padding={get('padding')!r}{extra})"
        )
    if kind == "Dense":
        return f"Dense({get('units')}{'' if get('use_bias', True) else ', sin sesgo'})"
    if kind in ("MaxPooling2D", "AveragePooling2D"):
        return (
            f"{kind}({_pair(get('pool_size'))}, strides={_pair(get('strides'))}, "
            f"padding={get('padding')!r})"
        )
    if kind == "Dropout":
        return f"Dropout({get('rate')})"
    if kind == "BatchNormalization":
        return "BatchNormalization"
    if kind == "Concatenate":
        return f"Concatenate(axis={get('axis')})"
    if kind == "ZeroPadding2D":
        return f"ZeroPadding2D({get('padding')})"
    return kind


def _activation(layer) -> str | None:
    """The activation a layer applies after its operation (None for linear or none)."""
    kind = type(layer).__name__
    if kind in ACTIVATION_LAYERS:
        return ACTIVATION_LAYERS[kind]
    value = getattr(layer, "activation", None)
    if value is None:
        return None
    name = getattr(value, "__name__", str(value))
    return None if name == "linear" else name


def _parents(layer) -> list:
    """The layers whose outputs feed ``layer`` (its first call in the model)."""
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes:
        return []
    out = []
    for tensor in nodes[0].input_tensors:
        history = getattr(tensor, "_keras_history", None)
        if history is not None:
            out.append(history.operation)
    return out


class _Graph:
    def __init__(self, model) -> None:
        self.hash: dict[int, str] = {}
        self.depth: dict[int, int] = {}
        self.order: list = []
        self.position: dict[int, int] = {}
        output = model.outputs[0]._keras_history.operation
        self._visit(output)

    def _key(self, layer) -> str:
        if id(layer) not in self.hash:
            parents = [self._key(p) for p in _parents(layer)]
            if type(layer).__name__ in COMMUTATIVE:
                parents.sort()
            text = f"{_layer_text(layer)}|{_activation(layer)}|{','.join(parents)}"
            self.hash[id(layer)] = hashlib.sha1(text.encode()).hexdigest()
            self.depth[id(layer)] = 1 + max((self.depth[id(p)] for p in _parents(layer)), default=0)
        return self.hash[id(layer)]

    def ordered_parents(self, layer) -> list:
        parents = _parents(layer)
        if type(layer).__name__ in COMMUTATIVE:
            parents.sort(key=lambda p: (-self.depth[id(p)], self._key(p)))
        return parents

    def _visit(self, layer) -> None:
        self._key(layer)
        stack = [(layer, False)]
        while stack:
            node, expanded = stack.pop()
            if id(node) in self.position:
                continue
            if expanded:
                self.order.append(node)
                self.position[id(node)] = len(self.order)
                continue
            stack.append((node, True))
            for parent in reversed(self.ordered_parents(node)):
                if id(parent) not in self.position:
                    stack.append((parent, False))


def describe(model, skip=None) -> list[Op]:
    """The model as a canonical list of operations (see the module docstring); a layer for
    which ``skip(layer)`` is true (one input) is left out, its reader reading its input."""
    graph = _Graph(model)
    ops: list[Op] = []
    last: dict[int, int] = {}  # a layer's position: that of its activation when it has one
    for layer in graph.order:
        kind = type(layer).__name__
        if kind == "InputLayer":
            last[id(layer)] = 0
            continue
        inputs = tuple(last[id(p)] for p in graph.ordered_parents(layer))
        if skip is not None and skip(layer) and len(inputs) == 1:
            last[id(layer)] = inputs[0]
            continue
        activation = _activation(layer)
        if kind not in ACTIVATION_LAYERS and kind != "Activation":
            ops.append(Op(_layer_text(layer), inputs))
            inputs = (len(ops),)
        if activation is not None:
            ops.append(Op(f"activación {activation}", inputs))
        last[id(layer)] = len(ops)
    return ops


def expect_same_architecture(call: str, model, reference, input_shape: tuple, skip=None) -> None:
    """``model`` is ``reference`` operation by operation (and reads ``input_shape``), the
    layers ``skip`` selects left out of both; the message names the first difference only."""
    from cnn_course.checks.toolkit.layers import expect_built, expect_input_shape

    expect_built(call, model)
    expect_input_shape(call, model, (None, *input_shape))
    got, expected = describe(model, skip), describe(reference, skip)
    for index, (g, e) in enumerate(zip(got, expected, strict=False), start=1):
        if g.text != e.text:
            fail("common.architecture", call=call, index=index, expected=e.text, got=g.text)
        if g.inputs != e.inputs:
            fail("common.architecture_inputs", call=call, index=index, got=g.text)
    if len(got) != len(expected):
        if len(got) > len(expected):
            detail = f"sobra, entre otras, «{got[len(expected)].text}» al final."
        else:
            detail = f"falta, entre otras, «{expected[len(got)].text}» al final."
        fail(
            "common.architecture_length",
            call=call,
            expected=len(expected),
            got=len(got),
            detail=detail,
        )
    print(f"Arquitectura de {call}: {len(got)} operaciones como las descritas")
