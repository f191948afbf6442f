"""Section 5: the residual block, ResNet-18, and the gradient through deep stacks.

The gradient thresholds (``gradient_ratio``, ``gradient_tol``) come from the budget
table (``[sessions.arquitecturas.thresholds]``), read when a check runs.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnn_course.checks import toolkit
from cnn_course.checks.arquitecturas import graphs, structure
from cnn_course.checks.arquitecturas.reference import (
    HIDDEN_SEED,
    SESSION,
    deep_stack_params,
    residual_block_params,
    resnet18_block_shapes,
    resnet18_params,
)
from cnn_course.checks.toolkit.architecture import expect_same_architecture
from cnn_course.fmt import number

RESNET18_VARIANTS = (((32, 32, 3), 10), ((64, 48, 1), 100))


def _threshold(name: str) -> float:
    import cnn_course.sessions as sessions  # afresh: see the package docstring

    return sessions.threshold(SESSION, name)


# ------------------------------------------------------------------ residual block


def _block_model(residual_block: Callable, input_shape: tuple, filters: int, stride: int):
    """The student's block on ``keras.Input(input_shape)`` as a model, and the call; a
    projection where the identity fits, or the reverse, fails here."""
    c_in = input_shape[-1]
    call = f"residual_block(Input{input_shape}, filters={filters}, stride={stride})"
    needs_projection = stride != 1 or c_in != filters

    def wrong_shortcut(got: int, detail: str = "") -> None:
        values = {"call": call, "c_in": c_in, "filters": filters, "got": got}
        if needs_projection:
            toolkit.fail("arch.shortcut_projection", stride=stride, detail=detail, **values)
        toolkit.fail("arch.shortcut_identity", **values)

    def on_error(exc: Exception, call: str) -> None:
        # The usual cause: an identity shortcut added to a tensor of another shape.
        if needs_projection:
            wrong_shortcut(0, f" (error al sumar: {toolkit.short(exc, 160)})")

    model = structure.tensor_model(
        residual_block, "residual_block", input_shape, (filters, stride), call, on_error
    )
    ones = structure.kernels(model)[(1, 1)]
    if ones != int(needs_projection):
        wrong_shortcut(ones)
    return model, call


def _check_block(residual_block: Callable, input_shape: tuple, filters: int, stride: int) -> None:
    model, call = _block_model(residual_block, input_shape, filters, stride)
    c_in = input_shape[-1]
    projection = stride != 1 or c_in != filters
    h, w = (toolkit.out_size(n, 3, stride, "same") for n in input_shape[:2])
    toolkit.expect_output_shape(call, model, (None, h, w, filters))
    toolkit.expect_kinds(call, model, {"Add": 1, "BatchNormalization": 2 + projection})
    structure.expect_kernels(call, model, {(3, 3): 2})
    # The block ends with ReLU(F(x) + shortcut): its output cannot be negative.
    x = np.random.default_rng(HIDDEN_SEED).normal(size=(2, *input_shape)).astype("float32")
    low = float(np.min(toolkit.trusted_copy(model)(x, training=False)))
    if low < 0:
        toolkit.fail("arch.block_relu", call=call, got=low)
    reference = graphs.block_model(input_shape, filters, stride)
    expect_same_architecture(call, model, reference, input_shape)
    params = residual_block_params(c_in, filters, stride)
    toolkit.expect_param_count(model, params, call=call, reveal=False)


def check_residual_block(residual_block: Callable) -> None:
    """An identity block (8×8×16 → 16, stride 1) and a projection block (→ 32, stride 2)."""
    _check_block(residual_block, (8, 8, 16), 16, 1)
    _check_block(residual_block, (8, 8, 16), 32, 2)


def hidden_residual_block(residual_block: Callable) -> None:
    """Projection forced by the stride alone, by the channels alone; odd sizes."""
    _check_block(residual_block, (9, 9, 8), 8, 2)
    _check_block(residual_block, (6, 6, 24), 12, 1)
    _check_block(residual_block, (5, 7, 4), 4, 1)


# ------------------------------------------------------------------ ResNet-18


def _check_resnet18(call: str, model, input_shape: tuple, num_classes: int) -> None:
    toolkit.expect_built(call, model)
    toolkit.expect_output_shape(call, model, (None, num_classes))
    toolkit.expect_kinds(
        call, model, {"Conv2D": 20, "BatchNormalization": 20, "Add": 8, "Dense": 1}
    )
    structure.expect_kernels(call, model, {(7, 7): 1, (3, 3): 16, (1, 1): 3})
    shapes = resnet18_block_shapes(input_shape)
    structure.expect_layer_shapes(call, model, "Add", shapes, "arch.block_shape")
    reference = graphs.resnet18(input_shape, num_classes)
    expect_same_architecture(call, model, reference, input_shape)
    del reference
    params = resnet18_params(input_shape, num_classes)
    toolkit.expect_param_count(model, params, call=call, reveal=False)
    toolkit.expect_last_activation(model, "softmax", call=call)


def check_resnet18(model) -> None:
    """The notebook's ResNet-18 (224×224×3, 1000 classes): layers, block shapes, parameters."""
    _check_resnet18("build_resnet18()", model, (224, 224, 3), 1000)


def hidden_resnet18(build_resnet18: Callable) -> None:
    """Smaller inputs (one not square), other channels and class counts."""
    structure.each_variant(build_resnet18, "build_resnet18", RESNET18_VARIANTS, _check_resnet18)


# ------------------------------------------------------------------ 5b. gradients


def _check_stack(
    call: str, model, depth: int, residual: bool, input_shape: tuple, filters: int, num_classes: int
) -> None:
    toolkit.expect_built(call, model)
    toolkit.expect_output_shape(call, model, (None, num_classes))
    blocks = (depth - 2) // 2
    kinds = {"Conv2D": depth - 1, "Dense": 1, "BatchNormalization": 0}
    toolkit.expect_kinds(call, model, {**kinds, "Add": blocks if residual else 0})
    reference = graphs.deep_stack(depth, residual, input_shape, filters, num_classes)
    expect_same_architecture(call, model, reference, input_shape)
    params = deep_stack_params(depth, input_shape, filters, num_classes)
    toolkit.expect_param_count(model, params, call=call, reveal=False)


def reference_gradient_norms(model, x, y) -> np.ndarray:
    """L2 norm of d(mean cross-entropy)/d(kernel) for each Conv2D, on a trusted copy."""
    import keras
    import tensorflow as tf

    copy = toolkit.trusted_copy(model)
    kernels = [layer.kernel for layer in copy.layers if type(layer).__name__ == "Conv2D"]
    with tf.GradientTape() as tape:
        probs = copy(x, training=True)
        loss = keras.ops.mean(keras.losses.sparse_categorical_crossentropy(y, probs))
    grads = tape.gradient(loss, kernels)
    return np.array([float(np.linalg.norm(np.asarray(g))) for g in grads])


def _compare_norms(call: str, conv_gradient_norms: Callable, model, x, y) -> np.ndarray:
    expected = reference_gradient_norms(model, x, y)
    got, _ = toolkit.call_case(conv_gradient_norms, "conv_gradient_norms", model, x, y)
    try:
        got = np.asarray(got, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        toolkit.fail("arch.gradient_type", got=type(got).__name__)
    if got.shape != expected.shape:
        toolkit.fail("arch.gradient_count", call=call, expected=len(expected), got=len(got))
    tol = _threshold("gradient_tol")
    error = toolkit.rel_error(got, expected)
    print(f"conv_gradient_norms({call}): error relativo {error:.2e} (tolerancia {tol:.0e})")
    if not error <= tol:
        toolkit.fail("arch.gradient_mismatch", call=call, error=error, tol=tol)
    return expected


def expect_ratio(plain_norms: np.ndarray, residual_norms: np.ndarray, depth: int) -> float:
    """The first layer's gradient norm with skips is at least ``gradient_ratio`` times
    the plain stack's."""
    minimum = _threshold("gradient_ratio")
    plain, residual = float(plain_norms[0]), float(residual_norms[0])
    ratio = residual / max(plain, 1e-30)
    print(
        f"Norma del gradiente en la primera capa (profundidad {depth}): plana {plain:.3e}, "
        f"residual {residual:.3e}"
    )
    toolkit.report("Cociente residual / plana", number(ratio, 0), f">= {number(minimum, 0)}")
    if not ratio >= minimum:
        toolkit.fail("arch.gradient_ratio", depth=depth, expected=minimum, got=ratio)
    return ratio


def check_gradient_demo(
    plain, residual, conv_gradient_norms: Callable, x, y, depth: int = 20
) -> None:
    """The notebook's two stacks: structure, the student's norms against ours, and the ratio."""
    for model, is_residual, label in ((plain, False, "plana"), (residual, True, "residual")):
        _check_stack(f"pila {label}", model, depth, is_residual, (28, 28, 1), 16, 10)
    plain_norms = _compare_norms("plana", conv_gradient_norms, plain, x, y)
    residual_norms = _compare_norms("residual", conv_gradient_norms, residual, x, y)
    expect_ratio(plain_norms, residual_norms, depth)


def _real_batch(size: int = 64):
    """A class-balanced batch of real MNIST test images, scaled to [0, 1], with labels."""
    import cnn_course.data as data  # afresh: see the package docstring

    _, (x, y) = data.load_mnist()
    x, y = data.balanced_subset(x, y, limit=size, seed=HIDDEN_SEED)
    return (x.astype("float32") / 255.0)[..., None], y.astype("int64")


def hidden_gradient_demo(build_deep_stack: Callable, conv_gradient_norms: Callable) -> None:
    """Another depth and width for the structure; depth 20 on our own real batch for the ratio."""
    for residual in (False, True):
        kwargs = {"input_shape": (20, 24, 3), "filters": 8, "num_classes": 4}
        model, call = toolkit.call_case(
            build_deep_stack, "build_deep_stack", depth=12, residual=residual, **kwargs
        )
        _check_stack(call, model, 12, residual, (20, 24, 3), 8, 4)
    x, y = _real_batch()
    norms = []
    for residual in (False, True):
        model, call = toolkit.call_case(
            build_deep_stack, "build_deep_stack", depth=20, residual=residual
        )
        _check_stack(call, model, 20, residual, (28, 28, 1), 16, 10)
        norms.append(_compare_norms(call, conv_gradient_norms, model, x, y))
    expect_ratio(norms[0], norms[1], 20)
