"""Reference formulas of «Arquitecturas clásicas»: the architectures worked out on paper.

Sequential networks are written as :func:`~cnn_course.checks.toolkit.reference_plan` ops
(LeNet-5 comes from the toolkit, :func:`~cnn_course.checks.toolkit.lenet5_ops`); the
others have their own parameter and multiply-add formulas. Nothing here calls student
code: the checks compare the student's numbers and models with these.
"""

from __future__ import annotations

import numpy as np

from cnn_course.checks.toolkit import out_size

SESSION = "arquitecturas"
"""Key of this session in the registry and the budget table."""

HIDDEN_SEED = 2015
"""Seed of the hidden checks' own data subsets and noise (independent of the notebook's)."""

NOISE = 0.3
"""Standard deviation of the Gaussian noise added to the segmentation images (pixels in [0, 1])."""

MASK_LEVEL = 0.5
"""A pixel of the clean digit belongs to the mask when its intensity exceeds this level."""

INCEPTION_3A = (64, 96, 128, 16, 32, 32)
"""GoogLeNet's module 3a (Szegedy et al. 2014, table 1): #1×1, #3×3 reduce, #3×3, #5×5 reduce, #5×5, pool proj."""

RESNET18_STAGES = ((64, 1), (128, 2), (256, 2), (512, 2))
"""(filters, stride of the first block) of the four stages; two blocks each."""


def alexnet_ops(num_classes: int = 1000) -> list[tuple]:
    """AlexNet in one tower (no grouped convolutions, no LRN), as in most Keras versions:
    ReLU everywhere, Dropout(0.5) after each of the two 4096-unit layers, softmax output."""
    return [
        ("conv", 96, 11, 4, "valid", "relu"),
        ("maxpool", 3, 2),
        ("conv", 256, 5, 1, "same", "relu"),
        ("maxpool", 3, 2),
        ("conv", 384, 3, 1, "same", "relu"),
        ("conv", 384, 3, 1, "same", "relu"),
        ("conv", 256, 3, 1, "same", "relu"),
        ("maxpool", 3, 2),
        ("flatten",),
        ("dense", 4096, "relu"),
        ("dropout", 0.5),
        ("dense", 4096, "relu"),
        ("dropout", 0.5),
        ("dense", num_classes, "softmax"),
    ]


def vgg16_ops(num_classes: int = 1000) -> list[tuple]:
    """VGG16 (configuration D): five blocks of 3×3 'same' convolutions, each closed by a 2×2 max-pool."""
    ops: list[tuple] = []
    for filters, convs in ((64, 2), (128, 2), (256, 3), (512, 3), (512, 3)):
        ops += [("conv", filters, 3, 1, "same")] * convs + [("maxpool", 2, 2)]
    return [*ops, ("flatten",), ("dense", 4096), ("dense", 4096), ("dense", num_classes)]


def build_from_plan(input_shape: tuple, ops: list[tuple], activation: str = "relu"):
    """A Sequential model from ``reference_plan`` ops (a reference built here, not by the
    student): every weighted layer uses ``activation`` but the last, which uses softmax."""
    import keras

    layers = [keras.Input(shape=input_shape)]
    weighted = [i for i, op in enumerate(ops) if op[0] in ("conv", "dense")]
    for i, op in enumerate(ops):
        act = "softmax" if i == weighted[-1] else activation
        if op[0] == "conv":
            _, filters, k, s, pad, *_ = op
            layers.append(keras.layers.Conv2D(filters, k, strides=s, padding=pad, activation=act))
        elif op[0] == "maxpool":
            layers.append(keras.layers.MaxPooling2D(op[1], strides=op[2]))
        elif op[0] == "avgpool":
            layers.append(keras.layers.AveragePooling2D(op[1], strides=op[2]))
        elif op[0] == "flatten":
            layers.append(keras.layers.Flatten())
        elif op[0] == "dropout":
            layers.append(keras.layers.Dropout(op[1]))
        else:
            layers.append(keras.layers.Dense(op[1], activation=act))
    return keras.Sequential(layers)


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


def deep_stack_params(depth: int, input_shape: tuple, filters: int, num_classes: int) -> int:
    """A stack of ``depth - 1`` 3×3 convolutions (with bias) and one Dense; skips add nothing."""
    c = input_shape[-1]
    convs = (9 * c * filters + filters) + (depth - 2) * (9 * filters * filters + filters)
    return convs + filters * num_classes + num_classes


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
