"""Section 6: the U-Net's structure and, once trained, its segmentation IoU.

The IoU is measured here, on a trusted copy of the model; the hidden check chooses and
noises its own held-out images (:func:`~.reference.segmentation_data`), with the
threshold of the active profile's budget.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnn_course.checks import toolkit
from cnn_course.checks.arquitecturas import graphs, structure
from cnn_course.checks.arquitecturas.reference import (
    HIDDEN_SEED,
    SESSION,
    segmentation_data,
    unet_params,
)
from cnn_course.checks.toolkit.architecture import expect_same_architecture
from cnn_course.fmt import number

UNET_VARIANTS = (((32, 32, 1), 8), ((48, 64, 1), 4))

UNET_BN_MOMENTUM = 0.9
"""The U-Net trains for a few dozen steps only: with Keras' default momentum (0.99) the
moving statistics lag behind, and its inference-mode IoU collapses (measured: 0.06 after
96 steps of the cpu profile, while the training-mode IoU is 0.84)."""


def _check_unet(call: str, model, input_shape: tuple, base_filters: int) -> None:
    toolkit.expect_built(call, model)
    h, w, _ = input_shape
    toolkit.expect_output_shape(call, model, (None, h, w, 1))
    kinds = {"Conv2DTranspose": 2, "MaxPooling2D": 2, "Concatenate": 2, "Conv2D": 11}
    toolkit.expect_kinds(call, model, {**kinds, "BatchNormalization": 10})
    f = base_filters
    skips = [(None, h // 2, w // 2, 4 * f), (None, h, w, 2 * f)]
    structure.expect_layer_shapes(call, model, "Concatenate", skips, "arch.skip_shape")
    params = unet_params(input_shape, base_filters)
    toolkit.expect_param_count(model, params, call=call, reveal=False)
    toolkit.expect_last_activation(model, "sigmoid", call=call)
    momenta = sorted(
        {float(ly.momentum) for ly in model.layers if type(ly).__name__ == "BatchNormalization"}
    )
    if momenta != [UNET_BN_MOMENTUM]:
        toolkit.fail("arch.bn_momentum", call=call, expected=UNET_BN_MOMENTUM, got=momenta)
    reference = graphs.unet(input_shape, base_filters, UNET_BN_MOMENTUM)
    expect_same_architecture(call, model, reference, input_shape)


def check_unet(model) -> None:
    """The notebook's U-Net (28×28×1, 16 base filters): layers, skip shapes, parameters."""
    _check_unet("build_unet()", model, (28, 28, 1), 16)


def hidden_unet(build_unet: Callable) -> None:
    """Other (non-square) sizes and widths."""
    structure.each_variant(build_unet, "build_unet", UNET_VARIANTS, _check_unet, "base_filters")


def segmentation_scores(model, x, masks, batch_size: int = 256) -> tuple[float, float]:
    """(IoU of the foreground, pixel accuracy), from a trusted copy's predictions at 0.5."""
    copy = toolkit.trusted_copy(model)
    # Direct calls, not predict(): each fresh copy would retrace predict's tf.function and
    # flood the output with retracing warnings.
    batches = [
        np.asarray(copy(x[i : i + batch_size], training=False))
        for i in range(0, len(x), batch_size)
    ]
    pred = np.concatenate(batches) >= 0.5
    truth = np.asarray(masks) >= 0.5
    if pred.shape != truth.shape:
        toolkit.fail("common.output_shape", call="la U-Net", expected=truth.shape, got=pred.shape)
    union = np.logical_or(pred, truth).sum()
    iou = float(np.logical_and(pred, truth).sum() / union) if union else 1.0
    return iou, float(np.mean(pred == truth))


def _expect_iou(model, x, masks, budget) -> None:
    iou, accuracy = segmentation_scores(model, x, masks)
    print(f"Exactitud por píxel: {number(accuracy, 4)}")
    toolkit.report(
        f"IoU de la máscara en test (perfil {budget.profile})",
        number(iou, 4),
        f">= {number(budget.threshold, 4)}",
    )
    if not iou >= budget.threshold:
        toolkit.fail("arch.iou", got=iou, profile=budget.profile, threshold=budget.threshold)


def _held_out(budget) -> tuple[np.ndarray, np.ndarray]:
    """Noisy test images and their masks, chosen and noised here (not by the notebook)."""
    import cnn_course.data as data  # afresh: see the package docstring

    _, (x, y) = data.load_mnist()
    x, _ = data.balanced_subset(x, y, limit=budget.test_size or None, seed=HIDDEN_SEED)
    return segmentation_data(x, seed=HIDDEN_SEED)


# Check functions return None: nbgrader reads a number left as a grade cell's
# result as partial credit.
def check_segmentation(model, x, masks, budget) -> None:
    """IoU of the trained U-Net on the notebook's held-out images, against the budget's threshold."""
    toolkit.expect_built("unet", model)
    _expect_iou(model, x, masks, budget)


def hidden_segmentation(model) -> None:
    """IoU on held-out images chosen and noised here, from a fresh copy of the data."""
    import cnn_course.runtime as runtime  # afresh: see the package docstring

    budget = runtime.budget(SESSION)
    toolkit.expect_built("unet", model)
    toolkit.expect_output_shape("unet", model, (None, 28, 28, 1))
    _expect_iou(model, *_held_out(budget), budget)


def measure(namespace: dict) -> float:
    """Held-out IoU of the notebook's trained ``unet`` (used by bench/measure_thresholds.py)."""
    import cnn_course.runtime as runtime  # afresh: see the package docstring

    return segmentation_scores(namespace["unet"], *_held_out(runtime.budget(SESSION)))[0]
