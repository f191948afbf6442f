"""The tutorial network's graded variants, built here from the statement and compared whole
with the student's (:func:`~cnn_course.checks.toolkit.architecture.expect_same_architecture`).

- BatchNormalization: each ``Conv2D`` (linear) followed by ``BatchNormalization`` and its ReLU;
- Dropout: ``Dropout(0.3)`` right after ``Flatten``;
- augmentation: the random layers right after the input (left out of the comparison, which
  the augmentation checks look at on their own: one nested ``Sequential`` or loose layers);
- the best model: all three.
"""

from __future__ import annotations

from cnn_course.checks.cifar10.reference import BASELINE_OPS, INPUT_SHAPE, RANDOM_KINDS
from cnn_course.checks.toolkit.architecture import expect_same_architecture

DROPOUT_RATE = 0.3


def reference_model(bn: bool = False, dropout: bool = False):
    """The tutorial network with the asked changes (without augmentation)."""
    import keras
    from keras import layers

    built = [keras.Input(shape=INPUT_SHAPE)]
    for op in BASELINE_OPS:
        kind = op[0]
        if kind == "conv":
            _, filters, k, s, pad, act = op
            if bn:
                built += [
                    layers.Conv2D(filters, k, strides=s, padding=pad),
                    layers.BatchNormalization(),
                    layers.Activation(act),
                ]
            else:
                built.append(layers.Conv2D(filters, k, strides=s, padding=pad, activation=act))
        elif kind == "maxpool":
            built.append(layers.MaxPooling2D(op[1], strides=op[2]))
        elif kind == "flatten":
            built.append(layers.Flatten())
            if dropout:
                built.append(layers.Dropout(DROPOUT_RATE))
        else:
            built.append(layers.Dense(op[1], activation=op[2]))
    return keras.Sequential(built)


def _augmentation(layer) -> bool:
    kind = type(layer).__name__
    if kind in RANDOM_KINDS:
        return True
    inner = getattr(layer, "layers", None)
    return (
        kind in ("Sequential", "Functional")
        and bool(inner)
        and all(type(x).__name__ in RANDOM_KINDS for x in inner)
    )


def expect_variant(call: str, model, bn: bool = False, dropout: bool = False) -> None:
    """``model`` is the tutorial network with these changes, augmentation layers aside."""
    reference = reference_model(bn=bn, dropout=dropout)
    expect_same_architecture(call, model, reference, INPUT_SHAPE, skip=_augmentation)
