"""Keras as the reference: what its layers compute for sizes and parameter counts.

One signature each, used by every session: sizes take ``(n, f, s, padding)`` where
``padding`` is ``"valid"``, ``"same"`` or an explicit number of zero pixels per side;
parameter counts take ``(f, m, k)`` (kernel side, input channels, filters).
"""

from __future__ import annotations


def out_size(n: int, f: int, s: int = 1, padding: str | int = "valid") -> int:
    """Output length of a sliding window of side ``f`` and stride ``s``, as Keras computes it."""
    if padding == "same":
        return -(-n // s)
    p = 0 if padding == "valid" else int(padding)
    return (n + 2 * p - f) // s + 1


def keras_output_size(n: int, f: int, s: int = 1, padding: str | int = "valid") -> int:
    """Output size from Keras' own shape inference (ZeroPadding2D first for an explicit P)."""
    import keras

    shape = (None, n, n, 1)
    if not isinstance(padding, str):
        shape = keras.layers.ZeroPadding2D(int(padding)).compute_output_shape(shape)
        padding = "valid"
    return int(keras.layers.Conv2D(1, f, strides=s, padding=padding).compute_output_shape(shape)[1])


def keras_conv_params(f: int, m: int, k: int, use_bias: bool = True) -> int:
    """``count_params()`` of a Keras Conv2D with ``k`` filters of ``f``×``f`` over ``m`` channels."""
    import keras

    layer = keras.layers.Conv2D(k, f, use_bias=use_bias)
    layer.build((None, f + 2, f + 2, m))
    return int(layer.count_params())


def keras_dense_params(n_in: int, units: int, use_bias: bool = True) -> int:
    """``count_params()`` of a Keras Dense layer of ``units`` over ``n_in`` inputs."""
    import keras

    layer = keras.layers.Dense(units, use_bias=use_bias)
    layer.build((None, n_in))
    return int(layer.count_params())
