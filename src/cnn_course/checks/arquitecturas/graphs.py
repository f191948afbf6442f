"""Reference graphs of the session's non-sequential models, built here from the statement.

The checks compare the student's models with these, operation by operation
(:func:`cnn_course.checks.toolkit.architecture.expect_same_architecture`): the order of
BatchNormalization, activations and the addition of a residual block, the branches of an
Inception module, the skips of a deep stack. Nothing here calls student code.
"""

from __future__ import annotations

from cnn_course.checks.arquitecturas.reference import RESNET18_STAGES


def residual_block(x, filters: int, stride: int = 1):
    """Basic block: Conv 3×3/stride (no bias) → BN → ReLU → Conv 3×3 (no bias) → BN, plus
    the shortcut (identity, or Conv 1×1/stride without bias → BN when the shape changes),
    then Add → ReLU."""
    from keras import layers

    y = layers.Conv2D(filters, 3, strides=stride, padding="same", use_bias=False)(x)
    y = layers.BatchNormalization()(y)
    y = layers.Activation("relu")(y)
    y = layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    y = layers.BatchNormalization()(y)
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(x)
        shortcut = layers.BatchNormalization()(shortcut)
    return layers.Activation("relu")(layers.Add()([y, shortcut]))


def block_model(input_shape: tuple, filters: int, stride: int):
    import keras

    inputs = keras.Input(shape=input_shape)
    return keras.Model(inputs, residual_block(inputs, filters, stride))


def resnet18(input_shape: tuple, num_classes: int):
    """Stem Conv 7×7/2 (no bias) → BN → ReLU → MaxPool 3×3/2 'same', four stages of two
    basic blocks, global average pooling, softmax."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(64, 7, strides=2, padding="same", use_bias=False)(inputs)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    for filters, stride in RESNET18_STAGES:
        x = residual_block(residual_block(x, filters, stride), filters, 1)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))


def deep_stack(depth: int, residual: bool, input_shape: tuple, filters: int, num_classes: int):
    """Conv 3×3 ReLU, then (depth − 2) / 2 pairs Conv 3×3 ReLU → Conv 3×3 (+ the pair's
    input when ``residual``) → ReLU, global average pooling, softmax."""
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(filters, 3, padding="same", activation="relu")(inputs)
    for _ in range((depth - 2) // 2):
        y = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        y = layers.Conv2D(filters, 3, padding="same")(y)
        x = layers.Activation("relu")(layers.Add()([x, y]) if residual else y)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(num_classes, activation="softmax")(x))


def inception(input_shape: tuple, f1: int, f3r: int, f3: int, f5r: int, f5: int, fp: int):
    """Four branches concatenated in order: 1×1; 1×1 → 3×3; 1×1 → 5×5; max-pool 3×3/1
    'same' → 1×1; every convolution 'same' with ReLU."""
    import keras
    from keras import layers

    def conv(x, filters: int, kernel: int):
        return layers.Conv2D(filters, kernel, padding="same", activation="relu")(x)

    x = keras.Input(shape=input_shape)
    pool = layers.MaxPooling2D(3, strides=1, padding="same")(x)
    branches = [conv(x, f1, 1), conv(conv(x, f3r, 1), f3, 3), conv(conv(x, f5r, 1), f5, 5)]
    return keras.Model(x, layers.Concatenate()([*branches, conv(pool, fp, 1)]))


def unet(input_shape: tuple, base_filters: int, momentum: float = 0.9):
    """Two-level U-Net: blocks of two (Conv 3×3 'same' without bias → BN → ReLU), max-pool
    2×2 down, Conv2DTranspose 2×2/2 'same' up, the skip concatenated after the upsampled
    map, and a 1×1 sigmoid output of one channel."""
    import keras
    from keras import layers

    def conv_block(x, filters: int):
        for _ in range(2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.Activation("relu")(layers.BatchNormalization(momentum=momentum)(x))
        return x

    f = base_filters
    inputs = keras.Input(shape=input_shape)
    c1 = conv_block(inputs, f)
    c2 = conv_block(layers.MaxPooling2D(2)(c1), 2 * f)
    bottom = conv_block(layers.MaxPooling2D(2)(c2), 4 * f)
    u2 = layers.Conv2DTranspose(2 * f, 2, strides=2, padding="same")(bottom)
    c3 = conv_block(layers.Concatenate()([u2, c2]), 2 * f)
    u1 = layers.Conv2DTranspose(f, 2, strides=2, padding="same")(c3)
    c4 = conv_block(layers.Concatenate()([u1, c1]), f)
    return keras.Model(inputs, layers.Conv2D(1, 1, activation="sigmoid")(c4))
