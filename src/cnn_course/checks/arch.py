"""Checks of the «Arquitecturas clásicas» session: exact counts, shapes and structure.

``check_*`` (public) run the notebook's configuration (LeNet-5 on 32×32×1, AlexNet on
227×227×3, …) and print the student's numbers. A count or formula result the student is
asked to produce is never printed nor put in a failure message before it is right (the
message gives the student's value, the failing call or layer, and a hint); the expected
value is kept in the failure's ``values`` for the tests.
``hidden_*`` call the student's functions with other arguments (input sizes, class
counts, filter numbers) and compare with references computed here, from formulas
(:func:`reference_plan`, :func:`resnet18_params`, …) or, for VGG16, from
``keras.applications.VGG16(weights=None)``: a hard-coded number cannot pass them.

Models are compared on their *main* layers (convolutions, pooling, Flatten, Dense),
so Dropout or separate activation layers do not matter; BatchNormalization does,
through the parameter count. Whatever is measured on a trained model (gradients,
segmentation IoU) is computed here on a :func:`~cnn_course.checks.models.trusted_copy`.

Data and budgets are imported inside the checks as ``import cnn_course.runtime as
runtime``, never ``from cnn_course import runtime``: after the hidden cells'
``importlib.reload(cnn_course.checks)`` the submodules are gone from ``sys.modules``, but
the ``from`` form would still hand back the old (possibly patched) module through the
package attribute, while ``import cnn_course.runtime`` imports it afresh.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnn_course.checks.core import CheckError, call_student, fail, rel_error, report
from cnn_course.checks.models import LayerSpec, expect_model, trusted_copy

SESSION = "arquitecturas"

HIDDEN_SEED = 2015
"""Seed of the hidden checks' own data subsets and noise (independent of the notebook's)."""

NOISE = 0.3
"""Standard deviation of the Gaussian noise added to the segmentation images (pixels in [0, 1])."""

MASK_LEVEL = 0.5
"""A pixel of the clean digit belongs to the mask when its intensity exceeds this level."""

GRADIENT_RATIO = 100.0
"""Minimum ratio residual / plain of the first layer's gradient norm at depth 20.

Measured on the hidden checks' batch of 64 MNIST test images with seeds 0-5: from 5,430
to 17,230 (and 7,538 on the notebook's batch with seed 0), so 100 leaves a wide margin,
while a stack without working skip connections (ratio ≈ 1) fails."""

GRADIENT_TOL = 1e-3
"""Relative tolerance between the student's gradient norms and ours (float32 noise is ~1e-6)."""

_MAIN_KINDS = (
    "Conv2D",
    "Conv2DTranspose",
    "MaxPooling2D",
    "AveragePooling2D",
    "Flatten",
    "GlobalAveragePooling2D",
    "Dense",
)
"""Layers that define an architecture's shape; the rest (Dropout, Activation…) are ignored."""

# ------------------------------------------------------------------ reference formulas


def out_size(n: int, kernel: int, stride: int, padding: str) -> int:
    """Output length of a sliding window, as Keras computes it."""
    if padding == "same":
        return -(-n // stride)
    return (n - kernel) // stride + 1


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


def reference_plan(input_shape: tuple, ops: list[tuple]) -> Plan:
    """Shapes, parameters and multiply-adds of a sequence of ops, from the formulas.

    Ops: ``("conv", filters, kernel, stride, padding)``, ``("maxpool", size, stride)``,
    ``("avgpool", size, stride)``, ``("flatten",)``, ``("dense", units)``. Convolutions and
    dense layers have biases; pooling uses ``padding="valid"``.
    """
    h, w, c = input_shape
    specs, params, macs, depth = [], 0, 0, 0
    for op in ops:
        kind = op[0]
        if kind == "conv":
            _, filters, k, s, pad = op
            h, w = out_size(h, k, s, pad), out_size(w, k, s, pad)
            params += k * k * c * filters + filters
            macs += h * w * k * k * c * filters
            depth += 1
            attrs = {"filters": filters, "kernel_size": (k, k), "strides": (s, s), "padding": pad}
            specs.append(LayerSpec("Conv2D", (None, h, w, filters), attrs))
            c = filters
        elif kind in ("maxpool", "avgpool"):
            _, k, s = op
            h, w = out_size(h, k, s, "valid"), out_size(w, k, s, "valid")
            name = "MaxPooling2D" if kind == "maxpool" else "AveragePooling2D"
            attrs = {"pool_size": (k, k), "strides": (s, s), "padding": "valid"}
            specs.append(LayerSpec(name, (None, h, w, c), attrs))
        elif kind == "flatten":
            c, h, w = h * w * c, 1, 1
            specs.append(LayerSpec("Flatten", (None, c)))
        elif kind == "dense":
            units = op[1]
            params += c * units + units
            macs += c * units
            depth += 1
            specs.append(LayerSpec("Dense", (None, units), {"units": units}))
            c = units
        else:
            raise ValueError(f"unknown op {op!r}")
    return Plan(tuple(specs), params, macs, depth)


def lenet5_ops(num_classes: int = 10) -> list[tuple]:
    """LeNet-5 as usually written in Keras: C1, S2 (average), C3, S4, C5, F6, output."""
    return [
        ("conv", 6, 5, 1, "valid"),
        ("avgpool", 2, 2),
        ("conv", 16, 5, 1, "valid"),
        ("avgpool", 2, 2),
        ("conv", 120, 5, 1, "valid"),
        ("flatten",),
        ("dense", 84),
        ("dense", num_classes),
    ]


def alexnet_ops(num_classes: int = 1000) -> list[tuple]:
    """AlexNet in one tower (no grouped convolutions, no LRN), as in most Keras versions."""
    return [
        ("conv", 96, 11, 4, "valid"),
        ("maxpool", 3, 2),
        ("conv", 256, 5, 1, "same"),
        ("maxpool", 3, 2),
        ("conv", 384, 3, 1, "same"),
        ("conv", 384, 3, 1, "same"),
        ("conv", 256, 3, 1, "same"),
        ("maxpool", 3, 2),
        ("flatten",),
        ("dense", 4096),
        ("dense", 4096),
        ("dense", num_classes),
    ]


def vgg16_ops(num_classes: int = 1000) -> list[tuple]:
    """VGG16 (configuration D): five blocks of 3×3 'same' convolutions, each closed by a 2×2 max-pool."""
    ops: list[tuple] = []
    for filters, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        ops += [("conv", filters, 3, 1, "same")] * convs + [("maxpool", 2, 2)]
    return [*ops, ("flatten",), ("dense", 4096), ("dense", 4096), ("dense", num_classes)]


def inception_params(c_in: int, f1: int, f3r: int, f3: int, f5r: int, f5: int, fp: int) -> int:
    """Parameters of an Inception module (convolutions with bias, no BatchNormalization)."""
    return (
        (c_in * f1 + f1)
        + (c_in * f3r + f3r)
        + (9 * f3r * f3 + f3)
        + (c_in * f5r + f5r)
        + (25 * f5r * f5 + f5)
        + (c_in * fp + fp)
    )


def inception_macs_reference(
    h: int,
    w: int,
    c_in: int,
    f1: int,
    f3r: int,
    f3: int,
    f5r: int,
    f5: int,
    fp: int,
    reduce: bool = True,
) -> int:
    """Multiply-adds of an Inception module; ``reduce=False`` is the naive module (no 1×1 reductions,
    pooling branch without projection)."""
    if reduce:
        per_pixel = c_in * f1 + c_in * f3r + 9 * f3r * f3 + c_in * f5r + 25 * f5r * f5 + c_in * fp
    else:
        per_pixel = c_in * f1 + 9 * c_in * f3 + 25 * c_in * f5
    return h * w * per_pixel


def residual_block_params(c_in: int, filters: int, stride: int) -> int:
    """Basic block: two 3×3 convolutions without bias, each with BatchNormalization (4 numbers
    per channel), plus a 1×1 projection with BatchNormalization when the shape changes."""
    params = 9 * c_in * filters + 4 * filters + 9 * filters * filters + 4 * filters
    if stride != 1 or c_in != filters:
        params += c_in * filters + 4 * filters
    return params


RESNET18_STAGES = ((64, 1), (128, 2), (256, 2), (512, 2))
"""(filters, stride of the first block) of the four stages; two blocks each."""


def resnet18_params(input_shape: tuple, num_classes: int) -> int:
    """ResNet-18: 7×7/2 stem (no bias) + BN, 4 stages of 2 basic blocks, GAP, Dense."""
    c = input_shape[-1]
    params = 49 * c * 64 + 4 * 64
    c = 64
    for filters, stride in RESNET18_STAGES:
        params += residual_block_params(c, filters, stride)
        params += residual_block_params(filters, filters, 1)
        c = filters
    return params + c * num_classes + num_classes


def resnet18_block_shapes(input_shape: tuple) -> list[tuple]:
    """Output shape of each of the 8 residual blocks (stem: stride 2, then max-pool 3×3/2 'same')."""
    h, w = (out_size(out_size(n, 7, 2, "same"), 3, 2, "same") for n in input_shape[:2])
    shapes = []
    for filters, stride in RESNET18_STAGES:
        h, w = out_size(h, 3, stride, "same"), out_size(w, 3, stride, "same")
        shapes += [(None, h, w, filters)] * 2
    return shapes


def unet_params(input_shape: tuple, base_filters: int) -> int:
    """The notebook's two-level U-Net: blocks of two (Conv2D 3×3 no bias + BN + ReLU),
    Conv2DTranspose 2×2/2 with bias, skip concatenations, 1×1 sigmoid output."""

    def block(c_in: int, f: int) -> int:
        return 9 * c_in * f + 4 * f + 9 * f * f + 4 * f

    f, c = base_filters, input_shape[-1]
    down = block(c, f) + block(f, 2 * f) + block(2 * f, 4 * f)
    up2 = 4 * (4 * f) * (2 * f) + 2 * f + block(4 * f, 2 * f)  # concat: 2f + 2f channels
    up1 = 4 * (2 * f) * f + f + block(2 * f, f)  # concat: f + f channels
    return down + up2 + up1 + f + 1


def deep_stack_params(depth: int, input_shape: tuple, filters: int, num_classes: int) -> int:
    """A stack of ``depth - 1`` 3×3 convolutions (with bias) and one Dense; skips add nothing."""
    c = input_shape[-1]
    convs = (9 * c * filters + filters) + (depth - 2) * (9 * filters * filters + filters)
    return convs + filters * num_classes + num_classes


# ------------------------------------------------------------------ calling and comparing


def _signature(name: str, args: tuple, kwargs: dict) -> str:
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _call(fn: Callable, name: str, *args, **kwargs):
    """Call the student's function; an exception becomes a message naming the call."""
    call = _signature(name, args, kwargs)
    try:
        result = call_student(fn, name, *args, **kwargs)
    except CheckError:
        raise
    except Exception as exc:  # any Keras/TF error while building
        fail("arch.build_error", call=call, error=_short(exc))
    return result, call


def _short(exc: Exception, limit: int = 300) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= limit else text[:limit] + "…"


def _expect_built(call: str, model) -> None:
    expect_model(call, model)
    try:
        outputs = list(model.outputs)
    except (AttributeError, ValueError):
        outputs = []
    if not model.built or not outputs:
        fail("arch.not_built", call=call)
    if len(outputs) != 1:
        fail("arch.output_count", call=call, got=len(outputs))


def _output_shape(model) -> tuple:
    return tuple(model.outputs[0].shape)


def _expect_output_shape(call: str, model, expected: tuple) -> None:
    got = _output_shape(model)
    report(f"Salida de {call}", got, tuple(expected))
    if got != tuple(expected):
        fail("arch.output_shape", call=call, expected=tuple(expected), got=got)


def _expect_params(call: str, model, expected: int) -> None:
    """The parameter count; the expected number is shown only once the student's matches."""
    got = int(model.count_params())
    if got != expected:
        fail("arch.param_count", call=call, expected=expected, got=got)
    print(f"Parámetros de {call}: {got:,} (correcto)")


def main_layers(model) -> list:
    """The layers that shape an architecture (convolutions, pooling, Flatten, Dense), in order."""
    return [layer for layer in model.layers if type(layer).__name__ in _MAIN_KINDS]


def _attr(layer, attr: str):
    value = getattr(layer, attr)
    return tuple(value) if isinstance(value, list) else value


def _expect_structure(call: str, model, specs: tuple[LayerSpec, ...]) -> None:
    """Main layers in order: type, chosen attributes, output shape."""
    layers = main_layers(model)
    names = ", ".join(type(layer).__name__ for layer in layers)
    for index, (layer, spec) in enumerate(zip(layers, specs, strict=False), start=1):
        kind = type(layer).__name__
        if kind != spec.kind:
            fail("arch.layer_type", call=call, index=index, expected=spec.kind, got=kind)
        for attr, expected in spec.attrs.items():
            got = _attr(layer, attr)
            if got != expected:
                fail(
                    "arch.layer_attr",
                    call=call,
                    index=index,
                    layer=kind,
                    attr=attr,
                    expected=expected,
                    got=got,
                )
        got = tuple(layer.output.shape)
        if spec.output_shape is not None and got != tuple(spec.output_shape):
            fail(
                "arch.layer_shape",
                call=call,
                index=index,
                layer=kind,
                expected=tuple(spec.output_shape),
                got=got,
            )
    if len(layers) != len(specs):
        expected = ", ".join(spec.kind for spec in specs)
        fail(
            "arch.layer_count",
            call=call,
            expected=len(specs),
            got=len(layers),
            layers=names or "ninguna",
            expected_layers=expected,
        )
    print(f"Estructura de {call}: {len(specs)} capas principales correctas")


def _expect_kinds(call: str, model, expected: dict[str, int]) -> None:
    counts = Counter(type(layer).__name__ for layer in model.layers)
    for kind, n in expected.items():
        if counts[kind] != n:
            fail("arch.kind_count", call=call, kind=kind, expected=n, got=counts[kind])


def _kernels(model) -> Counter:
    return Counter(
        tuple(layer.kernel_size) for layer in model.layers if type(layer).__name__ == "Conv2D"
    )


def _expect_kernels(call: str, model, expected: dict[tuple, int]) -> None:
    got = _kernels(model)
    for kernel, n in expected.items():
        if got[kernel] != n:
            size = "×".join(map(str, kernel))
            fail("arch.kernel_count", call=call, kernel=size, expected=n, got=got[kernel])


def _expect_last_activation(call: str, model, expected: str) -> None:
    layer = model.layers[-1]
    activation = getattr(layer, "activation", None)
    got = getattr(activation, "__name__", type(layer).__name__)
    if got != expected:
        fail("arch.last_activation", call=call, expected=expected, got=got)


def _expect_cases(
    name: str, fn: Callable, cases: list[tuple[tuple, dict, int]], hint: str = ""
) -> None:
    """``fn(*args, **kwargs) == expected`` for every case; prints how many passed."""
    for args, kwargs, expected in cases:
        got, call = _call(fn, name, *args, **kwargs)
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
            fail("arch.not_integer", call=call, got=repr(got))
        if int(got) != expected:
            fail(
                "arch.formula_case",
                call=call,
                expected=expected,
                got=int(got),
                hint=f" {hint}" if hint else "",
            )
    print(f"{name}: {len(cases)} casos correctos")


def build_from_plan(input_shape: tuple, ops: list[tuple], activation: str = "relu"):
    """A Sequential model from :func:`reference_plan` ops (a reference built here, not by the student)."""
    import keras

    layers = [keras.Input(shape=input_shape)]
    weighted = [i for i, op in enumerate(ops) if op[0] in ("conv", "dense")]
    for i, op in enumerate(ops):
        act = "softmax" if i == weighted[-1] else activation
        if op[0] == "conv":
            _, filters, k, s, pad = op
            layers.append(keras.layers.Conv2D(filters, k, strides=s, padding=pad, activation=act))
        elif op[0] == "maxpool":
            layers.append(keras.layers.MaxPooling2D(op[1], strides=op[2]))
        elif op[0] == "avgpool":
            layers.append(keras.layers.AveragePooling2D(op[1], strides=op[2]))
        elif op[0] == "flatten":
            layers.append(keras.layers.Flatten())
        else:
            layers.append(keras.layers.Dense(op[1], activation=act))
    return keras.Sequential(layers)


# ------------------------------------------------------------------ 1. LeNet-5


def check_param_formulas(conv_params: Callable, dense_params: Callable) -> None:
    """conv_params / dense_params on LeNet-5's layers, as Keras counts them."""
    _expect_cases(
        "conv_params",
        conv_params,
        [((5, 1, 6), {}, 156), ((5, 6, 16), {}, 2_416), ((5, 16, 120), {}, 48_120)],
        hint="Cada filtro tiene F×F×C pesos y un sesgo.",
    )
    _expect_cases(
        "dense_params",
        dense_params,
        [((120, 84), {}, 10_164), ((84, 10), {}, 850)],
        hint="Cada neurona tiene un peso por entrada y un sesgo.",
    )


def hidden_param_formulas(conv_params: Callable, dense_params: Callable) -> None:
    """Other kernels, channel counts and ``use_bias=False``."""
    _expect_cases(
        "conv_params",
        conv_params,
        [
            ((3, 64, 128), {}, 73_856),
            ((11, 3, 96), {}, 34_944),
            ((1, 192, 16), {}, 3_088),
            ((7, 3, 64), {"use_bias": False}, 9_408),
            ((3, 5, 7), {"use_bias": False}, 315),
        ],
        hint="Cada filtro tiene F×F×C pesos y, si use_bias=True, un sesgo.",
    )
    _expect_cases(
        "dense_params",
        dense_params,
        [((9216, 4096), {}, 37_752_832), ((1, 1), {}, 2), ((512, 7), {}, 3_591)],
    )


def _expect_classifier(call: str, model, specs: tuple, params: int, num_classes: int) -> None:
    """A classifier: one softmax output of num_classes, these main layers, these parameters."""
    _expect_built(call, model)
    _expect_output_shape(call, model, (None, num_classes))
    _expect_structure(call, model, specs)
    _expect_params(call, model, params)
    _expect_last_activation(call, model, "softmax")


def _expect_plan(call: str, model, input_shape: tuple, ops: list[tuple], num_classes: int) -> None:
    plan = reference_plan(input_shape, ops)
    _expect_classifier(call, model, plan.specs, plan.params, num_classes)


def check_lenet5(model) -> None:
    """The notebook's LeNet-5 (32×32×1, 10 classes): structure and parameter count."""
    _expect_plan("build_lenet5()", model, (32, 32, 1), lenet5_ops(10), 10)


LENET5_VARIANTS = (((32, 32, 3), 5), ((40, 36, 1), 7))


def hidden_lenet5(build_lenet5: Callable) -> None:
    """Other input sizes, channels and class counts."""
    for shape, classes in LENET5_VARIANTS:
        model, call = _call(build_lenet5, "build_lenet5", input_shape=shape, num_classes=classes)
        _expect_plan(call, model, shape, lenet5_ops(classes), classes)


# ------------------------------------------------------------------ 2. AlexNet


def check_alexnet(model) -> None:
    """The notebook's AlexNet (227×227×3, 1000 classes): structure and 62,378,344 parameters."""
    _expect_plan("build_alexnet()", model, (227, 227, 3), alexnet_ops(1000), 1000)


ALEXNET_VARIANTS = (((67, 67, 3), 10), ((99, 99, 1), 100))


def hidden_alexnet(build_alexnet: Callable) -> None:
    """Smaller inputs (so the Flatten size changes) and other class counts."""
    for shape, classes in ALEXNET_VARIANTS:
        model, call = _call(build_alexnet, "build_alexnet", input_shape=shape, num_classes=classes)
        _expect_plan(call, model, shape, alexnet_ops(classes), classes)
        del model  # ~0.1 GB of weights each
        gc.collect()


# ------------------------------------------------------------------ 3. VGG16


def _vgg16_reference(input_shape: tuple, num_classes: int):
    import keras

    return keras.applications.VGG16(
        weights=None, include_top=True, input_shape=input_shape, classes=num_classes
    )


def _compare_vgg16(call: str, model, input_shape: tuple, num_classes: int) -> None:
    reference = _vgg16_reference(input_shape, num_classes)
    expected = int(reference.count_params())
    specs = tuple(
        LayerSpec(type(layer).__name__, tuple(layer.output.shape), _vgg_attrs(layer))
        for layer in main_layers(reference)
    )
    # Free the reference before checking: at 224×224 it holds 138 million float32 weights.
    del reference
    gc.collect()
    _expect_classifier(call, model, specs, expected, num_classes)


def _vgg_attrs(layer) -> dict:
    kind = type(layer).__name__
    if kind == "Conv2D":
        names = ("filters", "kernel_size", "strides", "padding")
    elif kind == "MaxPooling2D":
        names = ("pool_size", "strides", "padding")
    elif kind == "Dense":
        names = ("units",)
    else:
        names = ()
    return {name: _attr(layer, name) for name in names}


def check_vgg16(model) -> None:
    """The notebook's VGG16 against ``keras.applications.VGG16(weights=None)``: 138,357,544."""
    _compare_vgg16("build_vgg16()", model, (224, 224, 3), 1000)


VGG16_VARIANTS = (((32, 32, 3), 10), ((80, 64, 1), 5))


def hidden_vgg16(build_vgg16: Callable) -> None:
    """Smaller inputs and other class counts, each against keras.applications.VGG16."""
    for shape, classes in VGG16_VARIANTS:
        model, call = _call(build_vgg16, "build_vgg16", input_shape=shape, num_classes=classes)
        _compare_vgg16(call, model, shape, classes)
        del model
        gc.collect()


def check_vgg_stack(receptive_field: Callable, stack_params: Callable) -> None:
    """Receptive field of stacked 3×3 convolutions and their parameters vs one big kernel."""
    _expect_cases(
        "receptive_field",
        receptive_field,
        [((1,), {}, 3), ((2,), {}, 5), ((3,), {}, 7)],
        hint="Cada capa 3×3 (stride 1) amplía el campo receptivo en 2 píxeles.",
    )
    _expect_cases(
        "stack_params",
        stack_params,
        [((256, 2), {}, 1_180_160), ((256, 3), {}, 1_770_240)],
        hint="Son num_layers capas 3×3 de C a C canales, cada una con sesgo.",
    )


def hidden_vgg_stack(receptive_field: Callable, stack_params: Callable) -> None:
    """Other depths, kernel sizes and channel counts."""
    _expect_cases(
        "receptive_field",
        receptive_field,
        [((5,), {}, 11), ((2,), {"kernel_size": 5}, 9), ((4,), {"kernel_size": 1}, 1)],
    )
    _expect_cases(
        "stack_params",
        stack_params,
        [((64, 2), {}, 73_856), ((3, 4), {}, 336), ((512, 1), {}, 2_359_808)],
    )


# ------------------------------------------------------------------ 4. Inception

INCEPTION_3A = (64, 96, 128, 16, 32, 32)
"""GoogLeNet's module 3a (Szegedy et al. 2014, table 1): #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj."""


def _check_inception(inception_module: Callable, input_shape: tuple, config: tuple) -> None:
    import keras

    inputs = keras.Input(shape=input_shape)
    call = f"inception_module(Input{input_shape}, {', '.join(map(str, config))})"
    try:
        outputs = call_student(inception_module, "inception_module", inputs, *config)
        model = keras.Model(inputs, outputs)
    except CheckError:
        raise
    except Exception as exc:  # e.g. branches of different sizes cannot be concatenated
        fail("arch.build_error", call=call, error=_short(exc))
    h, w, c = input_shape
    f1, _, f3, _, f5, fp = config
    _expect_output_shape(call, model, (None, h, w, f1 + f3 + f5 + fp))
    _expect_kinds(call, model, {"Conv2D": 6, "MaxPooling2D": 1, "Concatenate": 1})
    _expect_kernels(call, model, {(1, 1): 4, (3, 3): 1, (5, 5): 1})
    _expect_params(call, model, inception_params(c, *config))


def check_inception_module(inception_module: Callable) -> None:
    """Module 3a on 28×28×192: output shape and parameter count."""
    _check_inception(inception_module, (28, 28, 192), INCEPTION_3A)


def hidden_inception_module(inception_module: Callable) -> None:
    """Modules 4a (14×14×480) and 5b (7×7×832), and a small odd one."""
    for shape, config in (
        ((14, 14, 480), (192, 96, 208, 16, 48, 64)),
        ((7, 7, 832), (384, 192, 384, 48, 128, 128)),
        ((5, 9, 3), (2, 3, 4, 5, 6, 7)),
    ):
        _check_inception(inception_module, shape, config)


def check_inception_macs(conv_macs: Callable, inception_macs: Callable) -> None:
    """conv_macs on a few layers, then module 3a with and without the 1×1 reductions."""
    _expect_cases(
        "conv_macs",
        conv_macs,
        [((28, 28, 5, 192, 32), {}, 120_422_400), ((28, 28, 1, 192, 16), {}, 2_408_448)],
        hint="Cada uno de los H×W×C_out valores de salida cuesta F×F×C_in multiplicaciones-suma.",
    )
    args = (28, 28, 192, *INCEPTION_3A)
    reduced = inception_macs_reference(*args)
    naive = inception_macs_reference(*args, reduce=False)
    _expect_cases(
        "inception_macs", inception_macs, [(args, {}, reduced), (args, {"reduce": False}, naive)]
    )
    print(
        f"Módulo 3a: {naive:,} multiplicaciones-suma sin reducción, {reduced:,} con ella "
        f"({naive / reduced:.2f} veces menos)"
    )


def hidden_inception_macs(conv_macs: Callable, inception_macs: Callable) -> None:
    """Other layers and modules (4a, 5b, a small odd one)."""
    _expect_cases(
        "conv_macs",
        conv_macs,
        [((55, 55, 11, 3, 96), {}, 105_415_200), ((7, 5, 3, 2, 4), {}, 2_520)],
    )
    cases = []
    for args in (
        (14, 14, 480, 192, 96, 208, 16, 48, 64),
        (7, 7, 832, 384, 192, 384, 48, 128, 128),
        (5, 9, 3, 2, 3, 4, 5, 6, 7),
    ):
        cases.append((args, {}, inception_macs_reference(*args)))
        cases.append((args, {"reduce": False}, inception_macs_reference(*args, reduce=False)))
    _expect_cases("inception_macs", inception_macs, cases)


# ------------------------------------------------------------------ 5. ResNet


def _block_model(residual_block: Callable, input_shape: tuple, filters: int, stride: int):
    import keras

    inputs = keras.Input(shape=input_shape)
    projection = stride != 1 or input_shape[-1] != filters
    call = f"residual_block(Input{input_shape}, filters={filters}, stride={stride})"
    try:
        outputs = call_student(residual_block, "residual_block", inputs, filters, stride)
        model = keras.Model(inputs, outputs)
    except CheckError:
        raise
    except Exception as exc:
        if projection:
            # The usual cause: an identity shortcut added to a tensor of another shape.
            fail(
                "arch.shortcut_projection",
                call=call,
                stride=stride,
                c_in=input_shape[-1],
                filters=filters,
                got=0,
                detail=f" (error al sumar: {_short(exc, 160)})",
            )
        fail("arch.build_error", call=call, error=_short(exc))
    return model, call


def _check_block(residual_block: Callable, input_shape: tuple, filters: int, stride: int) -> None:
    model, call = _block_model(residual_block, input_shape, filters, stride)
    c_in = input_shape[-1]
    projection = stride != 1 or c_in != filters
    ones = _kernels(model)[(1, 1)]
    if projection and ones != 1:
        fail(
            "arch.shortcut_projection",
            call=call,
            stride=stride,
            c_in=c_in,
            filters=filters,
            got=ones,
            detail="",
        )
    if not projection and ones != 0:
        fail("arch.shortcut_identity", call=call, c_in=c_in, filters=filters, got=ones)
    h, w = (out_size(n, 3, stride, "same") for n in input_shape[:2])
    _expect_output_shape(call, model, (None, h, w, filters))
    _expect_kinds(call, model, {"Add": 1, "BatchNormalization": 2 + projection})
    _expect_kernels(call, model, {(3, 3): 2})
    _expect_params(call, model, residual_block_params(c_in, filters, stride))
    # The block ends with ReLU(F(x) + shortcut): its output cannot be negative.
    x = np.random.default_rng(HIDDEN_SEED).normal(size=(2, *input_shape)).astype("float32")
    low = float(np.min(trusted_copy(model)(x, training=False)))
    if low < 0:
        fail("arch.block_relu", call=call, got=low)


def check_residual_block(residual_block: Callable) -> None:
    """An identity block (8×8×16 → 16, stride 1) and a projection block (→ 32, stride 2)."""
    _check_block(residual_block, (8, 8, 16), 16, 1)
    _check_block(residual_block, (8, 8, 16), 32, 2)


def hidden_residual_block(residual_block: Callable) -> None:
    """Projection forced by the stride alone, by the channels alone; odd sizes."""
    _check_block(residual_block, (9, 9, 8), 8, 2)
    _check_block(residual_block, (6, 6, 24), 12, 1)
    _check_block(residual_block, (5, 7, 4), 4, 1)


def _check_resnet18(call: str, model, input_shape: tuple, num_classes: int) -> None:
    _expect_built(call, model)
    _expect_output_shape(call, model, (None, num_classes))
    _expect_kinds(call, model, {"Conv2D": 20, "BatchNormalization": 20, "Add": 8, "Dense": 1})
    _expect_kernels(call, model, {(7, 7): 1, (3, 3): 16, (1, 1): 3})
    adds = [layer for layer in model.layers if type(layer).__name__ == "Add"]
    for index, (layer, expected) in enumerate(
        zip(adds, resnet18_block_shapes(input_shape), strict=True), start=1
    ):
        got = tuple(layer.output.shape)
        if got != expected:
            fail("arch.block_shape", call=call, index=index, expected=expected, got=got)
    _expect_params(call, model, resnet18_params(input_shape, num_classes))
    _expect_last_activation(call, model, "softmax")


def check_resnet18(model) -> None:
    """The notebook's ResNet-18 (224×224×3, 1000 classes): layers, block shapes, parameters."""
    _check_resnet18("build_resnet18()", model, (224, 224, 3), 1000)


RESNET18_VARIANTS = (((32, 32, 3), 10), ((64, 48, 1), 100))


def hidden_resnet18(build_resnet18: Callable) -> None:
    """Smaller inputs (one not square), other channels and class counts."""
    for shape, classes in RESNET18_VARIANTS:
        model, call = _call(
            build_resnet18, "build_resnet18", input_shape=shape, num_classes=classes
        )
        _check_resnet18(call, model, shape, classes)


# ------------------------------------------------------------------ 5b. gradients


def _check_stack(
    call: str, model, depth: int, residual: bool, input_shape: tuple, filters: int, num_classes: int
) -> None:
    _expect_built(call, model)
    _expect_output_shape(call, model, (None, num_classes))
    blocks = (depth - 2) // 2
    _expect_kinds(
        call,
        model,
        {
            "Conv2D": depth - 1,
            "Dense": 1,
            "BatchNormalization": 0,
            "Add": blocks if residual else 0,
        },
    )
    _expect_params(call, model, deep_stack_params(depth, input_shape, filters, num_classes))


def reference_gradient_norms(model, x, y) -> np.ndarray:
    """L2 norm of d(mean cross-entropy)/d(kernel) for each Conv2D, on a trusted copy."""
    import keras
    import tensorflow as tf

    copy = trusted_copy(model)
    kernels = [layer.kernel for layer in copy.layers if type(layer).__name__ == "Conv2D"]
    with tf.GradientTape() as tape:
        probs = copy(x, training=True)
        loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, probs))
    grads = tape.gradient(loss, kernels)
    return np.array([float(np.linalg.norm(np.asarray(g))) for g in grads])


def _compare_norms(call: str, conv_gradient_norms: Callable, model, x, y) -> np.ndarray:
    expected = reference_gradient_norms(model, x, y)
    got, _ = _call(conv_gradient_norms, "conv_gradient_norms", model, x, y)
    try:
        got = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        fail("arch.gradient_type", got=type(got).__name__)
    if got.shape != expected.shape:
        fail("arch.gradient_count", call=call, expected=len(expected), got=len(got))
    error = rel_error(got, expected)
    print(
        f"conv_gradient_norms({call}): error relativo {error:.2e} (tolerancia {GRADIENT_TOL:.0e})"
    )
    if not error <= GRADIENT_TOL:
        fail("arch.gradient_mismatch", call=call, error=error, tol=GRADIENT_TOL)
    return expected


def _expect_ratio(plain_norms: np.ndarray, residual_norms: np.ndarray, depth: int) -> float:
    plain, residual = float(plain_norms[0]), float(residual_norms[0])
    ratio = residual / max(plain, 1e-30)
    print(
        f"Norma del gradiente en la primera capa (profundidad {depth}): plana {plain:.3e}, "
        f"residual {residual:.3e}"
    )
    report("Cociente residual / plana", f"{ratio:,.0f}", f">= {GRADIENT_RATIO:,.0f}")
    if not ratio >= GRADIENT_RATIO:
        fail("arch.gradient_ratio", depth=depth, expected=GRADIENT_RATIO, got=ratio)
    return ratio


def check_gradient_demo(
    plain, residual, conv_gradient_norms: Callable, x, y, depth: int = 20
) -> None:
    """The notebook's two stacks: structure, the student's norms against ours, and the ratio."""
    for model, is_residual, label in ((plain, False, "plana"), (residual, True, "residual")):
        _check_stack(f"pila {label}", model, depth, is_residual, (28, 28, 1), 16, 10)
    plain_norms = _compare_norms("plana", conv_gradient_norms, plain, x, y)
    residual_norms = _compare_norms("residual", conv_gradient_norms, residual, x, y)
    _expect_ratio(plain_norms, residual_norms, depth)


def _real_batch(size: int = 64):
    """A class-balanced batch of real MNIST test images, scaled to [0, 1], with labels."""
    import cnn_course.data as data  # afresh: see the module docstring

    _, (x, y) = data.load_mnist()
    x, y = data.balanced_subset(x, y, limit=size, seed=HIDDEN_SEED)
    return (x.astype("float32") / 255.0)[..., None], y.astype("int64")


def hidden_gradient_demo(build_deep_stack: Callable, conv_gradient_norms: Callable) -> None:
    """Another depth and width for the structure; depth 20 on our own real batch for the ratio."""
    for residual in (False, True):
        kwargs = {
            "depth": 12,
            "residual": residual,
            "input_shape": (20, 24, 3),
            "filters": 8,
            "num_classes": 4,
        }
        model, call = _call(build_deep_stack, "build_deep_stack", **kwargs)
        _check_stack(call, model, 12, residual, (20, 24, 3), 8, 4)
    x, y = _real_batch()
    norms = []
    for residual in (False, True):
        model, call = _call(build_deep_stack, "build_deep_stack", depth=20, residual=residual)
        _check_stack(call, model, 20, residual, (28, 28, 1), 16, 10)
        norms.append(_compare_norms(call, conv_gradient_norms, model, x, y))
    _expect_ratio(norms[0], norms[1], 20)


# ------------------------------------------------------------------ 6. U-Net


UNET_BN_MOMENTUM = 0.9
"""The U-Net trains for a few dozen steps only: with Keras' default momentum (0.99) the
moving statistics lag behind, and its inference-mode IoU collapses (measured: 0.06 after
96 steps of the cpu profile, while the training-mode IoU is 0.84)."""


def _check_unet(call: str, model, input_shape: tuple, base_filters: int) -> None:
    _expect_built(call, model)
    h, w, _ = input_shape
    _expect_output_shape(call, model, (None, h, w, 1))
    _expect_kinds(
        call,
        model,
        {
            "Conv2DTranspose": 2,
            "MaxPooling2D": 2,
            "Concatenate": 2,
            "Conv2D": 11,
            "BatchNormalization": 10,
        },
    )
    f = base_filters
    concats = [layer for layer in model.layers if type(layer).__name__ == "Concatenate"]
    for index, (layer, expected) in enumerate(
        zip(concats, [(None, h // 2, w // 2, 4 * f), (None, h, w, 2 * f)], strict=True), start=1
    ):
        got = tuple(layer.output.shape)
        if got != expected:
            fail("arch.skip_shape", call=call, index=index, expected=expected, got=got)
    _expect_params(call, model, unet_params(input_shape, base_filters))
    _expect_last_activation(call, model, "sigmoid")
    momenta = sorted(
        {float(ly.momentum) for ly in model.layers if type(ly).__name__ == "BatchNormalization"}
    )
    if momenta != [UNET_BN_MOMENTUM]:
        fail("arch.bn_momentum", call=call, expected=UNET_BN_MOMENTUM, got=momenta)


def check_unet(model) -> None:
    """The notebook's U-Net (28×28×1, 16 base filters): layers, skip shapes, parameters."""
    _check_unet("build_unet()", model, (28, 28, 1), 16)


UNET_VARIANTS = (((32, 32, 1), 8), ((48, 64, 1), 4))


def hidden_unet(build_unet: Callable) -> None:
    """Other (non-square) sizes and widths."""
    for shape, base in UNET_VARIANTS:
        model, call = _call(build_unet, "build_unet", input_shape=shape, base_filters=base)
        _check_unet(call, model, shape, base)


def segmentation_data(images, seed: int):
    """Noisy digits and the masks of the clean ones: the session's segmentation task.

    ``images``: uint8 (N, 28, 28). Returns x (N, 28, 28, 1) float32 in [0, 1] with Gaussian
    noise of std :data:`NOISE`, and masks (N, 28, 28, 1) float32, 1 where the clean pixel
    exceeds :data:`MASK_LEVEL`. The notebook builds its data with the same recipe.
    """
    clean = np.asarray(images).astype("float32") / 255.0
    masks = (clean > MASK_LEVEL).astype("float32")
    rng = np.random.default_rng(seed)
    noisy = np.clip(clean + rng.normal(0.0, NOISE, clean.shape), 0.0, 1.0).astype("float32")
    return noisy[..., None], masks[..., None]


def segmentation_scores(model, x, masks, batch_size: int = 256) -> tuple[float, float]:
    """(IoU of the foreground, pixel accuracy), from a trusted copy's predictions at 0.5."""
    copy = trusted_copy(model)
    # Direct calls, not predict(): each fresh copy would retrace predict's tf.function and
    # flood the output with retracing warnings.
    batches = [
        np.asarray(copy(x[i : i + batch_size], training=False))
        for i in range(0, len(x), batch_size)
    ]
    pred = np.concatenate(batches) >= 0.5
    truth = np.asarray(masks) >= 0.5
    if pred.shape != truth.shape:
        fail("arch.output_shape", call="la U-Net", expected=truth.shape, got=pred.shape)
    union = np.logical_or(pred, truth).sum()
    iou = float(np.logical_and(pred, truth).sum() / union) if union else 1.0
    return iou, float(np.mean(pred == truth))


def _expect_iou(model, x, masks, budget) -> None:
    iou, accuracy = segmentation_scores(model, x, masks)
    print(f"Exactitud por píxel: {accuracy:.4f}")
    report(
        f"IoU de la máscara en test (perfil {budget.profile})",
        f"{iou:.4f}",
        f">= {budget.threshold:.4f}",
    )
    if not iou >= budget.threshold:
        fail("arch.iou", got=iou, profile=budget.profile, threshold=budget.threshold)


def _held_out(budget) -> tuple[np.ndarray, np.ndarray]:
    """Noisy test images and their masks, chosen and noised here (not by the notebook)."""
    import cnn_course.data as data  # afresh: see the module docstring

    _, (x, y) = data.load_mnist()
    x, _ = data.balanced_subset(x, y, limit=budget.test_size or None, seed=HIDDEN_SEED)
    return segmentation_data(x, seed=HIDDEN_SEED)


# Check functions return None: nbgrader reads a number left as a grade cell's
# result as partial credit.
def check_segmentation(model, x, masks, budget) -> None:
    """IoU of the trained U-Net on the notebook's held-out images, against the budget's threshold."""
    _expect_built("unet", model)
    _expect_iou(model, x, masks, budget)


def hidden_segmentation(model) -> None:
    """IoU on held-out images chosen and noised here, from a fresh copy of the data."""
    import cnn_course.runtime as runtime  # afresh: see the module docstring

    budget = runtime.budget(SESSION)
    _expect_built("unet", model)
    _expect_output_shape("unet", model, (None, 28, 28, 1))
    _expect_iou(model, *_held_out(budget), budget)


def measure(namespace: dict) -> float:
    """Held-out IoU of the notebook's trained ``unet`` (used by bench/measure_thresholds.py)."""
    import cnn_course.runtime as runtime  # afresh: see the module docstring

    return segmentation_scores(namespace["unet"], *_held_out(runtime.budget(SESSION)))[0]


# ------------------------------------------------------------------ 7. multiply-adds


def _macs_models():
    """Small models built here with their multiply-adds worked out by hand."""
    import keras
    from keras import layers

    lenet = build_from_plan((32, 32, 1), lenet5_ops(10), activation="tanh")
    lenet_macs = reference_plan((32, 32, 1), lenet5_ops(10)).macs

    inputs = keras.Input(shape=(7, 7, 4))
    up = layers.Conv2DTranspose(6, 2, strides=2, padding="same")(inputs)  # 7·7 · 2·2·4·6
    out = layers.Conv2D(1, 1, activation="sigmoid")(up)  # 14·14 · 1·1·6·1
    decoder = keras.Model(inputs, out)
    decoder_macs = 7 * 7 * 2 * 2 * 4 * 6 + 14 * 14 * 6
    return [("LeNet-5", lenet, lenet_macs), ("decodificador", decoder, decoder_macs)]


def _expect_macs(model_macs: Callable, label: str, model, expected: int) -> None:
    got, _ = _call(model_macs, "model_macs", model)
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        fail("arch.not_integer", call=f"model_macs({label})", got=repr(got))
    if int(got) != expected:
        fail("arch.macs", model=label, expected=expected, got=int(got))
    print(f"Multiplicaciones-suma de {label}: {int(got):,} (correcto)")


def check_model_macs(model_macs: Callable) -> None:
    """A LeNet-5 and a tiny decoder with Conv2DTranspose, both built here."""
    for label, model, expected in _macs_models():
        _expect_macs(model_macs, label, model, expected)


def hidden_model_macs(model_macs: Callable) -> None:
    """AlexNet on 99×99×1, and a functional model with strides, odd kernels and branches."""
    import keras
    from keras import layers

    ops = alexnet_ops(10)
    alexnet = build_from_plan((99, 99, 1), ops)
    _expect_macs(model_macs, "AlexNet 99×99×1", alexnet, reference_plan((99, 99, 1), ops).macs)
    del alexnet  # ~0.1 GB of weights
    gc.collect()

    inputs = keras.Input(shape=(20, 24, 3))
    a = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)  # 10×12: 10·12·9·3·8
    b = layers.Conv2D(5, (1, 5), padding="valid")(a)  # 10×8: 10·8·1·5·8·5
    c = layers.Conv2D(5, 1)(a)  # 10×12×5, on a branch: 10·12·8·5
    m = layers.MaxPooling2D((2, 3))(c)  # 5×4
    t = layers.Conv2DTranspose(5, 3, strides=2, padding="same")(m)  # from 5·4: ·9·5·5 → 10×8
    d = layers.Concatenate()([b, t])  # 10×8×10
    out = layers.Dense(7)(layers.Flatten()(d))  # 800·7
    model = keras.Model(inputs, out)
    expected = (
        10 * 12 * 9 * 3 * 8 + 10 * 8 * 5 * 8 * 5 + 10 * 12 * 8 * 5 + 5 * 4 * 9 * 5 * 5 + 800 * 7
    )
    _expect_macs(model_macs, "un modelo con ramas", model, expected)
