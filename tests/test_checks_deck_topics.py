"""Tests for the public checks of the deck topics added by issue #32:
`cnn_course.checks.convolucion.equivalences` and `cnn_course.checks.arquitecturas.zfnet`."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_course.checks.arquitecturas import zfnet
from cnn_course.checks.convolucion import equivalences
from cnn_course.checks.toolkit import CheckError, out_size


def _conv2d(x, w, b):
    f = w.shape[0]
    out = np.zeros((x.shape[0] - f + 1, x.shape[1] - f + 1, w.shape[3]))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            out[i, j] = np.tensordot(x[i : i + f, j : j + f], w, axes=3) + b
    return out


def _transpose_as_conv(flip):
    def fn(x, w, b, stride=1):
        f = w.shape[0]
        spread = np.zeros(
            ((x.shape[0] - 1) * stride + 1, (x.shape[1] - 1) * stride + 1, x.shape[2])
        )
        spread[::stride, ::stride] = x
        kernel = (w[::-1, ::-1] if flip else w).transpose(0, 1, 3, 2)
        return _conv2d(np.pad(spread, ((f - 1, f - 1), (f - 1, f - 1), (0, 0))), kernel, b)

    return fn


def test_a_padded_convolution_with_the_flipped_kernel_passes():
    """Zeros between pixels, F − 1 of padding and the flipped kernel give Conv2DTranspose."""
    equivalences.check_transposed_as_conv(_transpose_as_conv(flip=True))


def test_a_kernel_left_unflipped_fails():
    """Without flipping the kernel the padded convolution is not the transposed one."""
    with pytest.raises(CheckError, match="transpose_as_conv"):
        equivalences.check_transposed_as_conv(_transpose_as_conv(flip=False))


def test_output_sizes_of_strided_convolution_and_pooling():
    """Keras' sizes pass; treating "same" like "valid" is caught on an odd side."""
    equivalences.check_strided_vs_pooling(
        lambda n, f, stride=1, padding="valid": out_size(n, f, stride, padding)
    )
    with pytest.raises(CheckError, match="output_size"):
        equivalences.check_strided_vs_pooling(
            lambda n, f, stride=1, padding="valid": (n - f) // stride + 1
        )


def _zfnet():
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input(shape=(224, 224, 3)),
            layers.ZeroPadding2D(1),
            layers.Conv2D(96, 7, strides=2),
            layers.MaxPooling2D(3, strides=2, padding="same"),
            layers.Conv2D(256, 5, strides=2),
            layers.MaxPooling2D(3, strides=2, padding="same"),
            layers.Conv2D(384, 3, padding="same"),
            layers.Conv2D(384, 3, padding="same"),
            layers.Conv2D(256, 3, padding="same"),
            layers.MaxPooling2D(3, strides=2),
            layers.Flatten(),
            layers.Dense(4096),
            layers.Dense(4096),
            layers.Dense(1000),
        ]
    )


def test_zfnet_count_matches_keras_and_a_wrong_count_by_hand_fails():
    """62 357 608 parameters: AlexNet's 62 378 344 less conv1's 11·11 − 7·7 weights per filter."""
    assert zfnet.ZFNET_PARAMS == 62_378_344 - (11 * 11 - 7 * 7) * 3 * 96
    model = _zfnet()
    zfnet.check_zfnet(model, zfnet.ZFNET_PARAMS)
    with pytest.raises(CheckError, match="cuenta a mano"):
        zfnet.check_zfnet(model, 62_378_344)
