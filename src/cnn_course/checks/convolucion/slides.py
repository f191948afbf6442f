"""The lecture's worked examples, verified against Keras in tests/test_checks_convolucion.py."""

from __future__ import annotations

import numpy as np

SLIDE_IMAGE = np.array(
    [
        [1, 1, 1, 0, 0],
        [0, 1, 1, 1, 0],
        [0, 0, 1, 1, 1],
        [0, 0, 1, 1, 0],
        [0, 1, 1, 0, 0],
    ]
)
SLIDE_KERNEL = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])
SLIDE_FEATURE_MAP = np.array([[-2, 0, 2], [-3, -2, 2], [-3, -1, 2]])
SLIDE_ERRATA_ENTRY = (0, 1)
"""The slide prints -1 at this position of the feature map; the computation gives 0."""

POOL_TABLE = np.array([[1, 2, 2, 1], [4, 9, 1, 0], [1, 5, 2, 3], [4, 6, 1, 2]])
POOL_MAX = np.array([[9, 2], [6, 3]])
POOL_AVG = np.array([[4, 1], [4, 2]])
ERRATA_POOL_TABLE = np.array([[2, 8, 4, 4], [1, 9, 0, 6], [3, 7, 8, 2], [5, 9, 4, 6]])
ERRATA_POOL_SLIDE_AVG = np.array([[5, 7], [12, 5]])
ERRATA_POOL_AVG = np.array([[5, 3.5], [6, 5]])

TRANSPOSE_X = np.array([[0, 1], [2, 3]])
TRANSPOSE_W = np.array([[1, 2], [3, 4]])
TRANSPOSE_OUT = np.array([[0, 1, 2], [2, 10, 10], [6, 17, 12]])

SLIDE_SIZES = [
    ((5, 3, 1, "valid"), 3),
    ((7, 3, 1, "valid"), 5),
    ((7, 3, 2, "valid"), 3),
    ((7, 3, 3, "valid"), 2),  # (7 − 3)/3 + 1 = 2.33: Keras drops the last partial window
    ((7, 3, 3, "same"), 3),
    ((5, 3, 1, 1), 5),
    ((7, 3, 3, 1), 3),
]
"""(N, F, S, padding) of the slides, with Keras' output size."""

SLIDE_SAME_PADDING = [
    ((5, 3, 1), (1, 1)),
    ((7, 3, 3), (1, 1)),
    ((4, 2, 1), (0, 1)),
    ((8, 3, 3), (0, 1)),
]
"""(N, F, S) with the (before, after) padding of Keras' 'same'."""

SLIDE_STACKS = [
    ([(3, 1, 1)], 3),
    ([(3, 1, 1), (3, 1, 1)], 5),
    ([(3, 1, 1), (3, 1, 1), (3, 1, 1)], 7),
    ([(3, 1, 2)], 5),
    ([(3, 2, 1), (3, 2, 1)], 7),
    ([(5, 1, 1), (2, 2, 1), (3, 1, 1)], 10),
]
"""Stacks of (F, S, dilation) layers with their receptive field."""
