"""What Keras computes for each function of the session: the hidden checks' references.

Every function takes NumPy arrays in the students' layout (one image ``(H, W, M)``,
kernels ``(F, F, M, K)``), runs in float32 the ``keras.ops`` function that the Keras
layer itself calls (``Conv2D`` calls ``keras.ops.conv``, ``MaxPooling2D``
``keras.ops.max_pool``…) with the weights passed in, and returns a float64 array. The
ops create no layer and no variable: a hidden check draws hundreds of cases. Sizes and parameter counts come from
:mod:`cnn_course.checks.toolkit.keras_ref`.
"""

from __future__ import annotations

import math

import numpy as np


def _np(tensor) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)


def keras_conv2d(x, w, b, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """What ``keras.layers.Conv2D`` computes on one image ``x`` (H, W, M) with kernel ``w``
    (F, F, M, K) and bias ``b``: ``keras.ops.conv`` plus the bias."""
    import keras

    x = np.asarray(x, np.float32)[None]
    if not isinstance(padding, str):
        # Conv2D only knows 'valid' and 'same': an explicit P is a ZeroPadding2D first.
        p = int(padding)
        x = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
        padding = "valid"
    out = keras.ops.conv(
        x, np.asarray(w, np.float32), strides=stride, padding=padding, dilation_rate=dilation
    )
    return _np(out)[0] + np.asarray(b, np.float32).astype(np.float64)


def keras_conv2d_single(image, kernel, stride=1, padding="valid") -> np.ndarray:
    """One channel, one filter, no bias: the 2-D case of :func:`keras_conv2d`."""
    w = np.asarray(kernel)[:, :, None, None]
    return keras_conv2d(np.asarray(image)[:, :, None], w, np.zeros(1), stride, padding)[:, :, 0]


def same_padding_reference(n: int, f: int, s: int) -> tuple[int, int]:
    """Keras/TensorFlow 'same': total so that ⌈N/S⌉ windows fit, the odd pixel after."""
    total = max((-(-n // s) - 1) * s + f - n, 0)
    return total // 2, total - total // 2


def keras_pad(x, pad, mode="constant") -> np.ndarray:
    """Padding of the spatial axes: ZeroPadding2D, ``keras.ops.pad`` (reflect), np.pad (wrap)."""
    import keras

    top, bottom, left, right = (pad,) * 4 if np.isscalar(pad) else pad
    x = np.asarray(x, np.float32)
    squeeze = x.ndim == 2
    x3 = x[:, :, None] if squeeze else x
    if mode == "constant":
        out = _np(keras.layers.ZeroPadding2D(((top, bottom), (left, right)))(x3[None]))[0]
    elif mode == "reflect":
        out = _np(keras.ops.pad(x3, ((top, bottom), (left, right), (0, 0)), mode="reflect"))
    else:  # Keras' TensorFlow backend has no cyclic padding: NumPy is the reference
        out = np.pad(x3, ((top, bottom), (left, right), (0, 0)), mode=mode).astype(np.float64)
    return out[:, :, 0] if squeeze else out


def keras_pool(x, size, stride, mode="max", p=2) -> np.ndarray:
    """MaxPooling2D / AveragePooling2D on (H, W, C) (``keras.ops.max_pool`` /
    ``average_pool``); LP pooling as (F²·avg(x^p))^(1/p)."""
    import keras

    x = np.asarray(x, np.float32)[None]
    if mode == "max":
        return _np(keras.ops.max_pool(x, size, stride))[0]
    if mode == "avg":
        return _np(keras.ops.average_pool(x, size, stride))[0]
    mean = _np(keras.ops.average_pool(x.astype(np.float64) ** p, size, stride))[0]
    return (size * size * mean) ** (1.0 / p)


def keras_maxpool_grad(x, dout, size, stride) -> np.ndarray:
    """d(sum(max_pool(x) · dout))/dx with ``tf.GradientTape``."""
    import keras
    import tensorflow as tf

    # float64: TensorFlow's own kernels (see keras_receptive_field); same routing
    x = tf.constant(np.asarray(x, np.float32).astype(np.float64)[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = keras.ops.max_pool(x, size, stride)
        loss = tf.reduce_sum(y * np.asarray(dout, np.float32).astype(np.float64)[None])
    return _np(tape.gradient(loss, x))[0]


def keras_conv_transpose2d(x, w, b, stride=1) -> np.ndarray:
    """What ``keras.layers.Conv2DTranspose`` ('valid') computes on (H, W, M) with kernel
    (F, F, K, M): ``keras.ops.conv_transpose`` plus the bias."""
    import keras

    x = np.asarray(x, np.float32)[None]
    out = keras.ops.conv_transpose(x, np.asarray(w, np.float32), strides=stride, padding="valid")
    return _np(out)[0] + np.asarray(b, np.float32).astype(np.float64)


def keras_receptive_field(stack) -> int:
    """Measured receptive field of a stack of 'valid' convolutions ``[(F, S, D), ...]``.

    All-ones kernels, no activation: the gradient of the first output with respect to
    the input is non-zero exactly on the input pixels that output sees (dilation leaves
    holes inside, so the field is the extent from the first to the last one).
    """
    import keras
    import tensorflow as tf

    jumps = math.prod(s for _, s, _ in stack)
    length = 1 + sum(d * (f - 1) for f, _, d in stack) * jumps  # ≥ the field: one output
    # float64 runs TensorFlow's own kernels: oneDNN's float32 gradients of convolutions
    # of many different shapes crash the process now and then.
    x = tf.ones((1, length, 1, 1), dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for f, s, d in stack:  # one axis is enough: the field is the same along each
            kernel = tf.ones((f, 1, 1, 1), dtype=tf.float64)
            y = keras.ops.conv(y, kernel, strides=(s, 1), dilation_rate=(d, 1))
        first = y[0, 0, 0, 0]
    seen = np.flatnonzero(_np(tape.gradient(first, x))[0, :, 0, 0])
    return int(seen.max() - seen.min() + 1)


def keras_dense_vs_conv(x, w_dense, b_dense, w_conv, b_conv) -> tuple[np.ndarray, np.ndarray]:
    """Dense on the flattened volume, and Conv2D (W×W kernel, 'valid') on the volume."""
    import keras

    x = np.asarray(x, np.float32)[None]
    dense = keras.layers.Dense(w_dense.shape[1])
    dense.build((None, x[0].size))
    dense.set_weights([np.asarray(w_dense, np.float32), np.asarray(b_dense, np.float32)])
    flat = _np(dense(keras.layers.Flatten()(x)))[0]
    conv = keras_conv2d(x[0], w_conv, b_conv).reshape(-1)
    return flat, conv


def keras_relu(x) -> np.ndarray:
    """``keras.activations.relu``."""
    import keras

    return _np(keras.activations.relu(np.asarray(x, np.float32)))


def locally_connected_reference(n: int, f: int, m: int, k: int) -> int:
    """Weights and biases of a locally connected layer ('valid', stride 1), as Keras 2 counted."""
    positions = (n - f + 1) ** 2
    return positions * (f * f * m * k + k)
