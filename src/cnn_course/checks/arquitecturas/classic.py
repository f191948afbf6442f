"""Sections 1-4: LeNet-5, AlexNet, VGG16 and the Inception module, built by the student.

``check_*`` take the notebook's model (or function) in its configuration; ``hidden_*``
call the student's builder with other input sizes and class counts, against the
formulas (:mod:`.reference`) or, for VGG16, ``keras.applications.VGG16(weights=None)``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

from cnn_course.checks import toolkit
from cnn_course.checks.arquitecturas import graphs, structure
from cnn_course.checks.arquitecturas.reference import (
    INCEPTION_3A,
    alexnet_ops,
    inception_params,
)
from cnn_course.checks.toolkit.architecture import expect_same_architecture

LENET5_VARIANTS = (((32, 32, 3), 5), ((40, 36, 1), 7))
ALEXNET_VARIANTS = (((67, 67, 3), 10), ((99, 99, 1), 100))
VGG16_VARIANTS = (((32, 32, 3), 10), ((80, 64, 1), 5))
INCEPTION_VARIANTS = (
    ((14, 14, 480), (192, 96, 208, 16, 48, 64)),  # 4a
    ((7, 7, 832), (384, 192, 384, 48, 128, 128)),  # 5b
    ((5, 9, 3), (2, 3, 4, 5, 6, 7)),  # small and odd
)

# ------------------------------------------------------------------ 1. LeNet-5


def _check_lenet5(call: str, model, input_shape: tuple, num_classes: int) -> None:
    ops = toolkit.lenet5_ops(num_classes, c5="conv")
    structure.expect_plan(call, model, input_shape, ops, num_classes)


def check_lenet5(model) -> None:
    """The notebook's LeNet-5 (32×32×1, 10 classes): structure and parameter count."""
    _check_lenet5("build_lenet5()", model, (32, 32, 1), 10)


def hidden_lenet5(build_lenet5: Callable) -> None:
    """Other input sizes, channels and class counts."""
    structure.each_variant(build_lenet5, "build_lenet5", LENET5_VARIANTS, _check_lenet5)


# ------------------------------------------------------------------ 2. AlexNet


def _check_alexnet(call: str, model, input_shape: tuple, num_classes: int) -> None:
    structure.expect_plan(call, model, input_shape, alexnet_ops(num_classes), num_classes)


def check_alexnet(model) -> None:
    """The notebook's AlexNet (227×227×3, 1000 classes): structure and 62,378,344 parameters."""
    _check_alexnet("build_alexnet()", model, (227, 227, 3), 1000)


def hidden_alexnet(build_alexnet: Callable) -> None:
    """Smaller inputs (so the Flatten size changes) and other class counts."""
    structure.each_variant(build_alexnet, "build_alexnet", ALEXNET_VARIANTS, _check_alexnet)


# ------------------------------------------------------------------ 3. VGG16


def _vgg_attrs(layer) -> dict:
    kind = type(layer).__name__
    if kind == "Conv2D":
        names = ("filters", "kernel_size", "strides", "padding", "activation")
    elif kind == "MaxPooling2D":
        names = ("pool_size", "strides", "padding")
    elif kind == "Dense":
        names = ("units", "activation")
    else:
        names = ()
    return {name: toolkit.layer_attr(layer, name) for name in names}


def _check_vgg16(call: str, model, input_shape: tuple, num_classes: int) -> None:
    """Layer by layer against ``keras.applications.VGG16(weights=None)`` of the same size."""
    import keras

    reference = keras.applications.VGG16(
        weights=None, include_top=True, input_shape=input_shape, classes=num_classes
    )
    expected = int(reference.count_params())
    specs = tuple(
        toolkit.LayerSpec(type(layer).__name__, tuple(layer.output.shape), _vgg_attrs(layer))
        for layer in toolkit.folded_layers(reference)
    )
    # Free the reference before checking: at 224×224 it holds 138 million float32 weights.
    del reference
    gc.collect()
    structure.expect_classifier(call, model, specs, expected, num_classes, input_shape)


def check_vgg16(model) -> None:
    """The notebook's VGG16 against ``keras.applications.VGG16(weights=None)``: 138,357,544."""
    _check_vgg16("build_vgg16()", model, (224, 224, 3), 1000)


def hidden_vgg16(build_vgg16: Callable) -> None:
    """Smaller inputs and other class counts, each against keras.applications.VGG16."""
    structure.each_variant(build_vgg16, "build_vgg16", VGG16_VARIANTS, _check_vgg16)


# ------------------------------------------------------------------ 4. Inception


def _check_inception(inception_module: Callable, input_shape: tuple, config: tuple) -> None:
    call = f"inception_module(Input{input_shape}, {', '.join(map(str, config))})"
    model = structure.tensor_model(inception_module, "inception_module", input_shape, config, call)
    h, w, c = input_shape
    f1, _, f3, _, f5, fp = config
    toolkit.expect_output_shape(call, model, (None, h, w, f1 + f3 + f5 + fp))
    toolkit.expect_kinds(call, model, {"Conv2D": 6, "MaxPooling2D": 1, "Concatenate": 1})
    structure.expect_kernels(call, model, {(1, 1): 4, (3, 3): 1, (5, 5): 1})
    reference = graphs.inception(input_shape, *config)
    expect_same_architecture(call, model, reference, input_shape)
    toolkit.expect_param_count(model, inception_params(c, *config), call=call, reveal=False)


def check_inception_module(inception_module: Callable) -> None:
    """Module 3a on 28×28×192: output shape and parameter count."""
    _check_inception(inception_module, (28, 28, 192), INCEPTION_3A)


def hidden_inception_module(inception_module: Callable) -> None:
    """Modules 4a (14×14×480) and 5b (7×7×832), and a small odd one."""
    for shape, config in INCEPTION_VARIANTS:
        _check_inception(inception_module, shape, config)
