"""Public checks of two equivalences the slides state: strided convolution vs pooling
(output sizes) and transposed convolution as a padded convolution.

Neither is graded: the notebook calls them from plain cells
(``from cnn_course.checks.convolucion import equivalences``) to check the student's
``output_size`` against Keras' own shape inference and the padded-convolution route
against ``keras.layers.Conv2DTranspose``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnn_course import sessions
from cnn_course.checks import toolkit

# (N, F, S, padding) for a strided convolution and for a pooling window; odd N shows
# where "same" (⌈N/S⌉) and a valid pooling (⌊(N − F)/S⌋ + 1) part ways.
STRIDED_CASES = ((7, 3, 2, "same"), (8, 3, 2, "same"), (28, 3, 2, "same"), (227, 11, 4, "valid"))
POOLING_CASES = ((7, 2, 2), (8, 2, 2), (28, 2, 2), (55, 3, 2))


def keras_pool_size(n: int, f: int, s: int) -> int:
    """Output side of ``MaxPooling2D(f, strides=s)`` (padding valid) from Keras itself."""
    import keras

    return int(keras.layers.MaxPooling2D(f, strides=s).compute_output_shape((None, n, n, 1))[1])


def check_strided_vs_pooling(output_size: Callable) -> None:
    """``output_size`` gives Keras' sizes for strided convolutions and for pooling windows."""
    cases = [
        ((n, f), {"stride": s, "padding": p}, toolkit.keras_output_size(n, f, s, p))
        for n, f, s, p in STRIDED_CASES
    ]
    cases += [
        ((n, f), {"stride": s, "padding": "valid"}, keras_pool_size(n, f, s))
        for n, f, s in POOLING_CASES
    ]
    toolkit.expect_cases("output_size", output_size, cases)


def keras_conv_transpose(x, w, b, stride: int) -> np.ndarray:
    """``Conv2DTranspose`` (padding valid) of one image ``x`` (H, W, M) with kernel ``w``
    (F, F, K, M) and bias ``b`` (K,), computed by Keras."""
    import keras

    layer = keras.layers.Conv2DTranspose(w.shape[2], w.shape[0], strides=stride)
    layer.build((None, *x.shape))
    layer.set_weights([w.astype("float32"), b.astype("float32")])
    return np.asarray(layer(x[None].astype("float32")))[0]


def check_transposed_as_conv(transpose_as_conv: Callable, seed: int = 0) -> None:
    """``transpose_as_conv(x, w, b, stride)`` equals Keras' transposed convolution for
    strides 1 and 2 (random image, kernel and bias drawn from ``seed``)."""
    rng = np.random.default_rng(seed)
    tol = float(sessions.threshold("convolucion", "tol"))
    for stride, (h, w_, m, f, k) in ((1, (4, 5, 2, 3, 3)), (2, (3, 4, 2, 3, 2))):
        x = rng.normal(size=(h, w_, m))
        w = rng.normal(size=(f, f, k, m))
        b = rng.normal(size=(k,))
        got, _ = toolkit.call_case(transpose_as_conv, "transpose_as_conv", x, w, b, stride)
        expected = keras_conv_transpose(x, w, b, stride)
        name = f"transpose_as_conv(x, w, b, stride={stride})"
        toolkit.expect_shape(name, got, expected.shape)
        # Relative to Keras' largest magnitude: float32 noise near zero is not an error.
        error = toolkit.rel_error(got, expected, relative_to="reference")
        print(f"{name}: error relativo {error:.2e} (tolerancia {tol:.0e})")
        if not error <= tol:  # also catches NaN
            toolkit.fail("common.close", name=name, error=error, tol=tol, hint="")
