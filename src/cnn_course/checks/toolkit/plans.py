"""Architectures worked out on paper: layer specs, parameters and multiply-adds from formulas.

LeNet-5 is defined here once for the whole pack (:func:`lenet5_ops`).
"""

from __future__ import annotations

from dataclasses import dataclass

from cnn_course.checks.toolkit.keras_ref import out_size
from cnn_course.checks.toolkit.layers import LayerSpec

POOLING = ("MaxPooling2D", "AveragePooling2D")


@dataclass(frozen=True)
class Plan:
    """A sequential architecture worked out on paper: layers, parameters, multiply-adds."""

    specs: tuple[LayerSpec, ...]
    params: int
    macs: int
    depth: int
    """number of layers with weights (Conv2D and Dense)"""

    @property
    def output_shape(self) -> tuple:
        return self.specs[-1].output_shape


def reference_plan(input_shape: tuple, ops: list[tuple], any_pooling: bool = False) -> Plan:
    """Shapes, parameters and multiply-adds of a sequence of ops, from the formulas.

    Ops: ``("conv", filters, kernel, stride, padding)`` (``padding`` may add an activation
    as a sixth item), ``("maxpool", size, stride)``, ``("avgpool", size, stride)``,
    ``("flatten",)``, ``("dense", units)``, ``("dense", units, activation)`` or
    ``("dropout", rate)``. Convolutions
    and dense layers have biases; pooling uses ``padding="valid"``. With ``any_pooling`` a
    pooling step accepts max or average pooling.
    """
    h, w, c = input_shape
    specs, params, macs, depth = [], 0, 0, 0
    for op in ops:
        kind = op[0]
        if kind == "conv":
            _, filters, k, s, pad, *act = op
            h, w = out_size(h, k, s, pad), out_size(w, k, s, pad)
            params += k * k * c * filters + filters
            macs += h * w * k * k * c * filters
            depth += 1
            attrs = {"filters": filters, "kernel_size": (k, k), "strides": (s, s), "padding": pad}
            attrs.update({"activation": act[0]} if act else {})
            specs.append(LayerSpec("Conv2D", (None, h, w, filters), attrs))
            c = filters
        elif kind in ("maxpool", "avgpool"):
            _, k, s = op
            h, w = out_size(h, k, s, "valid"), out_size(w, k, s, "valid")
            name = "MaxPooling2D" if kind == "maxpool" else "AveragePooling2D"
            attrs = {"pool_size": (k, k), "strides": (s, s)}
            if not any_pooling:
                attrs["padding"] = "valid"
            specs.append(LayerSpec(POOLING if any_pooling else name, (None, h, w, c), attrs))
        elif kind == "flatten":
            c, h, w = h * w * c, 1, 1
            specs.append(LayerSpec("Flatten", (None, c)))
        elif kind == "dropout":
            shape = specs[-1].output_shape if specs else None
            specs.append(LayerSpec("Dropout", shape, {"rate": op[1]}))
        elif kind == "dense":
            _, units, *act = op
            params += c * units + units
            macs += c * units
            depth += 1
            attrs = {"units": units, **({"activation": act[0]} if act else {})}
            specs.append(LayerSpec("Dense", (None, units), attrs))
            c = units
        else:
            raise ValueError(f"unknown op {op!r}")
    return Plan(tuple(specs), params, macs, depth)


def lenet5_ops(num_classes: int = 10, c5: str = "conv", activation: str = "tanh") -> list[tuple]:
    """LeNet-5 (LeCun et al., 1998) on a 32×32 input: C1 6@5×5, S2, C3 16@5×5, S4, C5 120,
    F6 84, output.

    C5 is a 5×5 convolution over a 5×5 map, so it equals a Dense layer of 120 on the
    flattened 400 values: ``c5="conv"`` writes it as the paper does, ``c5="dense"`` as
    most Keras versions do (same 48,120 parameters; shapes differ only there). Every
    hidden layer uses ``activation`` (the paper's tanh), the output softmax.
    """
    act = activation
    head = [("conv", 6, 5, 1, "valid", act), ("avgpool", 2, 2), ("conv", 16, 5, 1, "valid", act)]
    head.append(("avgpool", 2, 2))
    if c5 == "conv":
        middle = [("conv", 120, 5, 1, "valid", act), ("flatten",)]
    elif c5 == "dense":
        middle = [("flatten",), ("dense", 120, act)]
    else:
        raise ValueError(f"c5 must be 'conv' or 'dense' (got {c5!r})")
    return [*head, *middle, ("dense", 84, act), ("dense", num_classes, "softmax")]
