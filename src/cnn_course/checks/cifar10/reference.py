"""What the CIFAR-10 checks compare against: architectures worked out on paper, the deck's
BatchNormalization example, and NumPy references of the functions students write.

Everything here is derived from the formulas or from Keras itself; nothing is copied
from the solution notebook.
"""

from __future__ import annotations

import re

import numpy as np

from cnn_course.checks.toolkit import reference_plan

INPUT_SHAPE = (32, 32, 3)
NUM_CLASSES = 10

# The TensorFlow CNN tutorial's network (tensorflow.org/tutorials/images/cnn), with a
# softmax output: the tutorial leaves the last Dense linear and trains with
# from_logits=True; the parameters are the same.
BASELINE_OPS = [
    ("conv", 32, 3, 1, "valid", "relu"),
    ("maxpool", 2, 2),
    ("conv", 64, 3, 1, "valid", "relu"),
    ("maxpool", 2, 2),
    ("conv", 64, 3, 1, "valid", "relu"),
    ("flatten",),
    ("dense", 64, "relu"),
    ("dense", NUM_CLASSES, "softmax"),
]
BASELINE = reference_plan(INPUT_SHAPE, BASELINE_OPS)

# The deck's VGG-style network: two 3×3 "same" convolutions then a 2×2 max pooling, for
# 32, 64, 128 and 256 filters; Flatten → Dense(1024) → Dense(512) → Dense(10, softmax).
VGG_OPS = [
    op
    for filters in (32, 64, 128, 256)
    for op in (
        ("conv", filters, 3, 1, "same", "relu"),
        ("conv", filters, 3, 1, "same", "relu"),
        ("maxpool", 2, 2),
    )
] + [
    ("flatten",),
    ("dense", 1024, "relu"),
    ("dense", 512, "relu"),
    ("dense", NUM_CLASSES, "softmax"),
]
VGG = reference_plan(INPUT_SHAPE, VGG_OPS)

# The deck's BatchNormalization example, verbatim (it does not parse: a comma is missing
# after input_shape=(28, 28, 3)).
DECK_CODE = (
    "model = Sequential([\n"
    "    Conv2D(32, (3,3), input_shape=(28, 28, 3) activation='relu'),\n"
    "    BatchNormalization(),\n"
    "    Conv2D(32, (3,3), activation='relu'),\n"
    "    BatchNormalization(),\n"
    "    MaxPooling2D(),\n"
    "    Dense(2, activation='softmax')\n"
    "])\n"
)
DECK_COMMA = DECK_CODE.replace("(28, 28, 3) activation", "(28, 28, 3), activation")
DECK_INPUT = (28, 28, 3)
DECK_FIXED_KINDS = (
    "Conv2D",
    "BatchNormalization",
    "Conv2D",
    "BatchNormalization",
    "MaxPooling2D",
    "Flatten",
    "Dense",
)
# 28 → 26 → 24 (two valid 3×3 convolutions) → 12 (pooling); Flatten gives 12·12·32.
DECK_FIXED_PARAMS = (
    (3 * 3 * 3 + 1) * 32 + 4 * 32 + (3 * 3 * 32 + 1) * 32 + 4 * 32 + (12 * 12 * 32 + 1) * 2
)

RANDOM_KINDS = (
    "RandomFlip",
    "RandomTranslation",
    "RandomCrop",
    "RandomZoom",
    "RandomRotation",
    "RandomContrast",
    "RandomBrightness",
)
"""Keras augmentation layers (active only with training=True)."""

ACTIVATION_KINDS = ("Activation", "ReLU")


def normalised_code(code: str) -> str:
    """Code without whitespace and with one kind of quote, to compare two spellings."""
    return re.sub(r"\s+", "", code).replace('"', "'")


def deck_namespace() -> dict:
    """The names the deck's code uses, taken from Keras itself."""
    import keras

    layers = keras.layers
    return {
        "Sequential": keras.Sequential,
        "Conv2D": layers.Conv2D,
        "BatchNormalization": layers.BatchNormalization,
        "MaxPooling2D": layers.MaxPooling2D,
        "Flatten": layers.Flatten,
        "Dense": layers.Dense,
    }


def keras_plan_model(ops, input_shape=INPUT_SHAPE):
    """A Keras model built from a plan's ops, to re-derive shapes and counts from Keras."""
    import keras

    layers = [keras.Input(shape=input_shape)]
    for op in ops:
        kind = op[0]
        if kind == "conv":
            _, filters, k, s, pad, act = op
            layers.append(keras.layers.Conv2D(filters, k, strides=s, padding=pad, activation=act))
        elif kind == "maxpool":
            layers.append(keras.layers.MaxPooling2D(op[1], strides=op[2]))
        elif kind == "flatten":
            layers.append(keras.layers.Flatten())
        elif kind == "dense":
            layers.append(keras.layers.Dense(op[1], activation=op[2]))
    return keras.Sequential(layers)


# ---------------------------------------------------------------- NumPy references
def class_counts(y, num_classes: int) -> np.ndarray:
    return np.bincount(np.asarray(y).reshape(-1), minlength=num_classes)


def channel_stats(x) -> tuple[np.ndarray, np.ndarray]:
    scaled = np.asarray(x, dtype=np.float64).reshape(-1, np.shape(x)[-1]) / 255.0
    return scaled.mean(axis=0), scaled.std(axis=0)


def normalise(x, mean, std) -> np.ndarray:
    return ((np.asarray(x, dtype=np.float64) / 255.0 - mean) / std).astype(np.float32)


def cosine_lr(step, total_steps, lr0) -> float:
    """Keras' CosineDecay with alpha = 0: the step is clamped at total_steps."""
    progress = min(step, total_steps) / total_steps
    return lr0 * 0.5 * (1.0 + np.cos(np.pi * progress))


def per_class_accuracy(y_true, y_pred, num_classes: int) -> np.ndarray:
    y_true, y_pred = np.asarray(y_true).reshape(-1), np.asarray(y_pred).reshape(-1)
    right = np.bincount(y_true[y_true == y_pred], minlength=num_classes)
    return right / np.bincount(y_true, minlength=num_classes)


def most_confident_errors(probs, y_true, k: int) -> np.ndarray:
    probs, y_true = np.asarray(probs), np.asarray(y_true).reshape(-1)
    pred, confidence = probs.argmax(axis=1), probs.max(axis=1)
    wrong = np.flatnonzero(pred != y_true)
    return wrong[np.argsort(-confidence[wrong], kind="stable")][:k]
