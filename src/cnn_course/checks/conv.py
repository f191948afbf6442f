"""Checks of the «Convolución desde cero» session: NumPy functions against Keras layers.

``check_*`` (public) run the slides' worked examples; ``hidden_*`` draw a handful of
small random cases with their own generator and compare the student's function with
the corresponding Keras layer, weights copied in. Every check prints one labelled
number before it asserts.

Errors are measured relative to the largest value of the reference,
``max |got - ref| / max |ref|``: Keras computes in float32 (about 1e-7 relative), so
``TOL = 1e-4`` accepts any correct float32 or float64 implementation and rejects every
real mistake, which is off by O(1). (An elementwise relative error would flag harmless
float32 noise on outputs that happen to be close to zero.)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from cnn_course.checks.core import CheckError, call_student, fail, report

TOL = 1e-4
"""Largest error allowed, relative to the largest magnitude of the Keras reference."""

HIDDEN_SEED = 2024
"""Seed of the hidden checks' own generator (independent of the notebook's seed)."""

# The lecture's worked examples (verified against Keras in tests/test_checks_conv.py).
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


# --------------------------------------------------------------------------- geometry


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a sliding window: size N, window F, stride S, padding."""

    n: int
    f: int
    s: int
    padding: str | int = "valid"

    @property
    def expected(self) -> int:
        """Output size along this axis, as Keras computes it."""
        if self.padding == "same":
            return -(-self.n // self.s)
        return (self.n + 2 * self._p - self.f) // self.s + 1

    @property
    def divides(self) -> bool:
        """Whether the stride divides exactly (so rounding up or down agree)."""
        if self.padding == "same":
            return self.n % self.s == 0
        return (self.n + 2 * self._p - self.f) % self.s == 0

    @property
    def rule(self) -> str:
        """The formula with this axis' numbers, for the messages."""
        if self.padding == "same":
            return f"⌈N/S⌉ = ⌈{self.n}/{self.s}⌉ = {self.expected}"
        if self._p:
            inner = self.n + 2 * self._p - self.f
            return f"⌊(N+2P−F)/S⌋+1 = ⌊{inner}/{self.s}⌋+1 = {self.expected}"
        return f"⌊(N−F)/S⌋+1 = ⌊{self.n - self.f}/{self.s}⌋+1 = {self.expected}"

    @property
    def _p(self) -> int:
        return 0 if self.padding == "valid" else int(self.padding)


def _off_by_one(case: str, axis: Axis, got: str) -> None:
    if axis.padding == "same":
        why = "con padding='same' Keras rellena lo justo para que quepan ⌈N/S⌉ ventanas"
        advice = " ¿Redondeas hacia abajo? ⌈N/S⌉ en enteros es -(-N // S)."
    else:
        why = "Keras descarta la última ventana, que no cabe entera"
        advice = " ¿Redondeas hacia arriba o cuentas una ventana de más? Usa la división entera //."
    fail(
        "conv.stride_off_by_one",
        case=case,
        n=axis.n,
        f=axis.f,
        s=axis.s,
        expected=axis.expected,
        rule=axis.rule,
        got=got,
        why=why,
        advice=advice,
    )


def _sizes(rng, f: int, s: int, padding, divides: bool | None, low: int = 0) -> int:
    """A random input size N ≥ F for which the stride divides (or not) as asked."""
    while True:
        n = int(rng.integers(max(f, low, 1), max(f, low, 1) + 7))
        axis = Axis(n, f, s, padding)
        if divides is None or axis.divides == divides:
            return n


# --------------------------------------------------------------------------- calling


def _call(fn: Callable, name: str, case: str, *args, axes: Iterable[Axis] = (), exact=False):
    """Call the student's function on one case and return its result as a float array.

    With ``exact`` the result keeps its own dtype (integer formulas print as integers).

    Any exception becomes a Spanish message naming the case; when the case has a stride
    that does not divide, a crash is almost always the last window falling off the image.
    """
    try:
        got = call_student(fn, name, *args)
    except CheckError:
        raise
    except Exception as exc:  # the student's code may raise anything
        error = f"{type(exc).__name__}: {exc}"
        for axis in axes:
            if not axis.divides:
                _off_by_one(case, axis, got=f"lanza {error}")
        fail("conv.crash", name=name, case=case, error=error, hint="")
    if got is None:
        fail("conv.returned_none", name=name, case=case)
    try:
        return np.asarray(got) if exact else np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        fail(
            "conv.crash",
            name=name,
            case=case,
            error=f"el resultado no es un array ({exc})",
            hint="",
        )


def _expect_shape(name: str, case: str, got, shape: tuple, axes: Iterable[Axis] = (), hint=""):
    """Exact output shape; an axis whose stride does not divide gets the off-by-one message."""
    shape = tuple(int(d) for d in shape)
    if got.shape == shape:
        return
    if got.ndim == len(shape):
        for dim, axis in enumerate(axes):
            if got.shape[dim] != shape[dim] and not axis.divides:
                _off_by_one(case, axis, got=f"da {got.shape[dim]}")
    fail("conv.shape", name=name, case=case, expected=shape, got=got.shape, hint=hint)


def error(got, ref) -> float:
    """``max |got - ref|`` relative to the largest magnitude of ``ref`` (NaN-safe: NaN → inf)."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    value = float(
        np.max(np.abs(got - ref), initial=0.0) / max(np.max(np.abs(ref), initial=0.0), 1e-6)
    )
    return value if math.isfinite(value) else math.inf


@dataclass(frozen=True)
class Variant:
    """A typical wrong result: if the student's output matches it, fail with ``key``."""

    key: str
    compute: Callable[[], np.ndarray]
    values: dict | None = None


def _compare(name, case, got, ref, reference, variants=(), hint="") -> float:
    """Student's output against the reference; a known mistake gets its own message."""
    err = error(got, ref)
    if err <= TOL:
        return err
    for variant in variants:
        alt = np.asarray(variant.compute(), dtype=np.float64)
        if alt.shape == got.shape and error(got, alt) <= TOL:
            fail(variant.key, name=name, case=case, reference=reference, **(variant.values or {}))
    fail("conv.mismatch", name=name, case=case, reference=reference, error=err, tol=TOL, hint=hint)
    return err


def _summary(name: str, count: int, reference: str, worst: float) -> None:
    print(
        f"{name}: {count} casos aleatorios comparados con {reference}; "
        f"error relativo máximo {worst:.1e} (tolerancia {TOL:.0e})"
    )


def _show(label: str, array) -> None:
    text = np.array2string(np.asarray(array), precision=4, suppress_small=True)
    print(f"{label}:\n{text}")


def _describe_padding(padding) -> str:
    return f"padding={padding!r}"


# --------------------------------------------------------------------------- Keras references


def _np(tensor) -> np.ndarray:
    import keras

    return np.asarray(keras.ops.convert_to_numpy(tensor), dtype=np.float64)


def keras_conv2d(x, w, b, stride=1, padding="valid", dilation=1) -> np.ndarray:
    """``keras.layers.Conv2D`` on one image ``x`` (H, W, M) with kernel ``w`` (F, F, M, K)."""
    import keras

    x = np.asarray(x, np.float32)[None]
    if not isinstance(padding, str):
        # Conv2D only knows 'valid' and 'same': an explicit P is a ZeroPadding2D first.
        x = keras.layers.ZeroPadding2D(int(padding))(x)
        padding = "valid"
    w = np.asarray(w, np.float32)
    layer = keras.layers.Conv2D(
        w.shape[-1], w.shape[:2], strides=stride, padding=padding, dilation_rate=dilation
    )
    layer.build(tuple(x.shape))
    layer.set_weights([w, np.asarray(b, np.float32)])
    return _np(layer(x))[0]


def keras_conv2d_single(image, kernel, stride=1, padding="valid") -> np.ndarray:
    """One channel, one filter, no bias: the 2-D case of :func:`keras_conv2d`."""
    w = np.asarray(kernel)[:, :, None, None]
    return keras_conv2d(np.asarray(image)[:, :, None], w, np.zeros(1), stride, padding)[:, :, 0]


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
    """MaxPooling2D / AveragePooling2D on (H, W, C); LP pooling as (F²·avg(x^p))^(1/p)."""
    import keras

    x = np.asarray(x, np.float32)[None]
    if mode == "max":
        return _np(keras.layers.MaxPooling2D(size, stride)(x))[0]
    if mode == "avg":
        return _np(keras.layers.AveragePooling2D(size, stride)(x))[0]
    mean = _np(keras.layers.AveragePooling2D(size, stride)(x.astype(np.float64) ** p))[0]
    return (size * size * mean) ** (1.0 / p)


def keras_maxpool_grad(x, dout, size, stride) -> np.ndarray:
    """d(sum(MaxPooling2D(x) · dout))/dx with ``tf.GradientTape``."""
    import keras
    import tensorflow as tf

    x = tf.constant(np.asarray(x, np.float32)[None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = keras.layers.MaxPooling2D(size, stride)(x)
        loss = tf.reduce_sum(y * np.asarray(dout, np.float32)[None])
    return _np(tape.gradient(loss, x))[0]


def keras_conv_transpose2d(x, w, b, stride=1) -> np.ndarray:
    """``keras.layers.Conv2DTranspose`` ('valid') on (H, W, M) with kernel (F, F, K, M)."""
    import keras

    x = np.asarray(x, np.float32)[None]
    w = np.asarray(w, np.float32)
    layer = keras.layers.Conv2DTranspose(w.shape[2], w.shape[:2], strides=stride, padding="valid")
    layer.build(tuple(x.shape))
    layer.set_weights([w, np.asarray(b, np.float32)])
    return _np(layer(x))[0]


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
    x = tf.ones((1, length, 1, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for f, s, d in stack:  # one axis is enough: the field is the same along each
            y = keras.layers.Conv2D(
                1,
                (f, 1),
                strides=(s, 1),
                dilation_rate=(d, 1),
                use_bias=False,
                kernel_initializer="ones",
            )(y)
        first = y[0, 0, 0, 0]
    seen = np.flatnonzero(_np(tape.gradient(first, x))[0, :, 0, 0])
    return int(seen.max() - seen.min() + 1)


def keras_conv_params(f: int, m: int, k: int) -> int:
    """``count_params()`` of a Conv2D with K filters F×F on M input channels."""
    import keras

    layer = keras.layers.Conv2D(k, f)
    layer.build((None, f + 2, f + 2, m))
    return int(layer.count_params())


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


# --------------------------------------------------------------------------- 1. conv2d_single


def _conv_single_variants(image, kernel, stride=1, padding="valid"):
    return [
        Variant(
            "conv.flipped_kernel",
            lambda: keras_conv2d_single(image, np.asarray(kernel)[::-1, ::-1], stride, padding),
        )
    ]


def check_conv2d_single(fn: Callable) -> None:
    """The lecture's worked example: 5×5 image, vertical-edge kernel, 3×3 feature map."""
    name, case = "conv2d_single", "el ejemplo de clase (imagen 5×5, kernel de bordes verticales)"
    got = _call(fn, name, case, SLIDE_IMAGE.copy(), SLIDE_KERNEL.copy())
    _show("Mapa de activación (conv2d_single)", got)
    _expect_shape(name, case, got, SLIDE_FEATURE_MAP.shape)
    err = _compare(
        name,
        case,
        got,
        SLIDE_FEATURE_MAP,
        "el mapa calculado a mano",
        _conv_single_variants(SLIDE_IMAGE, SLIDE_KERNEL),
    )
    report("conv2d_single, ejemplo de clase: error relativo", f"{err:.1e}", f"<= {TOL:.0e}")


def hidden_conv2d_single(fn: Callable, seed: int = HIDDEN_SEED, cases: int = 4) -> None:
    """Random images and kernels (F from 1 to 4) against Conv2D with one filter, no bias."""
    rng = np.random.default_rng(seed)
    name, worst = "conv2d_single", 0.0
    for _ in range(cases):
        f = int(rng.integers(1, 5))
        h, w = (int(v) for v in rng.integers(f, f + 6, size=2))
        image = rng.normal(size=(h, w)).astype(np.float32)
        kernel = rng.normal(size=(f, f)).astype(np.float32)
        case = f"imagen {h}×{w} y kernel {f}×{f}"
        got = _call(fn, name, case, image.astype(np.float64), kernel.astype(np.float64))
        ref = keras_conv2d_single(image, kernel)
        _expect_shape(name, case, got, ref.shape)
        ref_name = "keras.layers.Conv2D"
        worst = max(
            worst, _compare(name, case, got, ref, ref_name, _conv_single_variants(image, kernel))
        )
    _summary(name, cases, "keras.layers.Conv2D (1 filtro, sin sesgo)", worst)


def check_errata_conv(row, col, window) -> None:
    """The wrong entry of the slide is (0, 1); its window gives 0, not -1."""
    if row is None or col is None or window is None:
        fail("common.not_implemented", name="errata_row, errata_col, errata_window")
    got = (int(row), int(col))
    # Only the student's answer is printed: printing the expected entry would give it away.
    print(f"Entrada errónea indicada (fila, columna): {got}")
    if not all(0 <= v < SLIDE_FEATURE_MAP.shape[0] for v in got):
        fail("conv.errata_entry_range", got=got, last=SLIDE_FEATURE_MAP.shape[0] - 1)
    if got != SLIDE_ERRATA_ENTRY:
        fail("conv.errata_entry", got_row=got[0], got_col=got[1], value=SLIDE_FEATURE_MAP[got])
    r, c = SLIDE_ERRATA_ENTRY
    f = SLIDE_KERNEL.shape[0]
    right = SLIDE_IMAGE[r : r + f, c : c + f]
    window = np.asarray(window)
    if window.shape != right.shape or not np.array_equal(window, right):
        fail("conv.errata_window", row=r, col=c, got=window.tolist())
    report("Suma de ventana · kernel", int(np.sum(window * SLIDE_KERNEL)), 0)


def check_convolve2d(fn: Callable) -> None:
    """True convolution of the worked example: the edge kernel flipped changes every sign."""
    name, case = "convolve2d", "el ejemplo de clase"
    got = _call(fn, name, case, SLIDE_IMAGE.copy(), SLIDE_KERNEL.copy())
    _show("Convolución matemática del ejemplo", got)
    expected = -SLIDE_FEATURE_MAP  # flipping [1, 0, -1] left-right negates it
    _expect_shape(name, case, got, expected.shape)
    err = _compare(
        name,
        case,
        got,
        expected,
        "la convolución con el kernel volteado",
        hint=" Voltea el kernel en las dos direcciones: kernel[::-1, ::-1].",
    )
    report("convolve2d, ejemplo de clase: error relativo", f"{err:.1e}", f"<= {TOL:.0e}")


def hidden_convolve2d(fn: Callable, seed: int = HIDDEN_SEED + 1, cases: int = 3) -> None:
    """Random cases against Conv2D with the kernel flipped in both directions."""
    rng = np.random.default_rng(seed)
    name, worst = "convolve2d", 0.0
    for _ in range(cases):
        f = int(rng.integers(2, 5))
        h, w = (int(v) for v in rng.integers(f, f + 5, size=2))
        image = rng.normal(size=(h, w)).astype(np.float32)
        kernel = rng.normal(size=(f, f)).astype(np.float32)
        case = f"imagen {h}×{w} y kernel {f}×{f}"
        got = _call(fn, name, case, image.astype(np.float64), kernel.astype(np.float64))
        ref = keras_conv2d_single(image, kernel[::-1, ::-1])
        _expect_shape(name, case, got, ref.shape)
        hint = " Voltea el kernel en las dos direcciones (filas y columnas): kernel[::-1, ::-1]."
        worst = max(
            worst, _compare(name, case, got, ref, "Conv2D con el kernel volteado", hint=hint)
        )
    _summary(name, cases, "keras.layers.Conv2D con el kernel volteado", worst)


# --------------------------------------------------------------------------- 2. stride and padding

# (N, F, S, padding) of the slides, with Keras' answer
SLIDE_SIZES = [
    ((5, 3, 1, "valid"), 3),
    ((7, 3, 1, "valid"), 5),
    ((7, 3, 2, "valid"), 3),
    ((7, 3, 3, "valid"), 2),  # (7 − 3)/3 + 1 = 2.33: Keras drops the last partial window
    ((7, 3, 3, "same"), 3),
    ((5, 3, 1, 1), 5),
    ((7, 3, 3, 1), 3),
]
SLIDE_SAME_PADDING = [
    ((5, 3, 1), (1, 1)),
    ((7, 3, 3), (1, 1)),
    ((4, 2, 1), (0, 1)),
    ((8, 3, 3), (0, 1)),
]


def keras_output_size(n: int, f: int, s: int, padding) -> int:
    """Output size from Keras' own shape inference (ZeroPadding2D first for an explicit P)."""
    import keras

    shape = (None, n, n, 1)
    if not isinstance(padding, str):
        shape = keras.layers.ZeroPadding2D(int(padding)).compute_output_shape(shape)
        padding = "valid"
    return int(keras.layers.Conv2D(1, f, strides=s, padding=padding).compute_output_shape(shape)[1])


def same_padding_reference(n: int, f: int, s: int) -> tuple[int, int]:
    """Keras/TensorFlow 'same': total so that ⌈N/S⌉ windows fit, the odd pixel after."""
    total = max((-(-n // s) - 1) * s + f - n, 0)
    return total // 2, total - total // 2


def _expect_output_sizes(fn: Callable, cases) -> None:
    name = "output_size"
    for (n, f, s, padding), expected in cases:
        case = f"output_size({n}, {f}, {s}, {padding!r})"
        got = _call(fn, name, case, n, f, s, padding, exact=True)
        if got.shape != () or got != expected:
            axis = Axis(n, f, s, padding)
            shown = got.tolist()
            if not axis.divides:
                _off_by_one(case, axis, got=f"da {shown}")
            fail(
                "common.formula_case",
                name=name,
                args=f"{n}, {f}, {s}, {padding!r}",
                expected=expected,
                got=shown,
                hint="",
            )
    print(f"{name}: {len(cases)} casos correctos")


def _expect_same_paddings(fn: Callable, cases) -> None:
    name = "same_padding"
    for (n, f, s), expected in cases:
        case = f"same_padding({n}, {f}, {s})"
        got = _call(fn, name, case, n, f, s, exact=True)
        shown = tuple(int(v) for v in got.reshape(-1)) if got.size == 2 else got.tolist()
        if shown != tuple(expected):
            hint = ""
            if shown == tuple(expected[::-1]):
                hint = " Keras pone el píxel sobrante al final (abajo/derecha), no al principio."
            fail(
                "common.formula_case",
                name=name,
                args=f"{n}, {f}, {s}",
                expected=tuple(expected),
                got=shown,
                hint=hint,
            )
    print(f"{name}: {len(cases)} casos correctos")


def check_output_size(output_size: Callable, same_padding: Callable) -> None:
    """The slides' sizes, including N=7, F=3, S=3 → 2 (Keras drops the partial window)."""
    print(
        f"(7 − 3)/3 + 1 = {(7 - 3) / 3 + 1:.2f}: no es entero; Keras da {keras_output_size(7, 3, 3, 'valid')}"
    )
    _expect_output_sizes(output_size, SLIDE_SIZES)
    _expect_same_paddings(same_padding, SLIDE_SAME_PADDING)


def hidden_output_size(
    output_size: Callable, same_padding: Callable, seed: int = HIDDEN_SEED + 2, cases: int = 12
) -> None:
    """Random sizes against Keras' shape inference; most strides do not divide."""
    rng = np.random.default_rng(seed)
    sizes, pads = [], []
    for index in range(cases):
        f = int(rng.integers(1, 6))
        s = int(rng.integers(2, 5))
        padding = ["valid", "same", int(rng.integers(1, 3))][index % 3]
        n = _sizes(rng, f, s, padding, divides=index % 4 == 3, low=f + 1)
        sizes.append(((n, f, s, padding), keras_output_size(n, f, s, padding)))
        pads.append(((n, f, s), same_padding_reference(n, f, s)))
    _expect_output_sizes(output_size, sizes)
    _expect_same_paddings(same_padding, pads)
    # The reference formula for 'same' agrees with what Keras' layer actually does.
    print("output_size y same_padding coinciden con Keras en casos aleatorios")


def check_pad_image(fn: Callable) -> None:
    """A 3×3 image padded by 1 with zeros, reflection and wrap-around."""
    name = "pad_image"
    image = np.arange(1, 10).reshape(3, 3)
    for mode in ("constant", "reflect", "wrap"):
        case = f"la imagen 3×3 de ejemplo, pad=1, mode={mode!r}"
        got = _call(fn, name, case, image.copy(), 1, mode)
        _show(f"pad_image(imagen, 1, {mode!r})", got)
        ref = keras_pad(image, 1, mode)
        _expect_shape(name, case, got, ref.shape)
        _compare(name, case, got, ref, f"np.pad(mode={mode!r})")
    print(f"{name}: 3 modos correctos")


def hidden_pad_image(fn: Callable, seed: int = HIDDEN_SEED + 3, cases: int = 6) -> None:
    """Random 2-D and 3-D images, scalar and (top, bottom, left, right) paddings, 3 modes."""
    rng = np.random.default_rng(seed)
    name, worst = "pad_image", 0.0
    for index in range(cases):
        mode = ("constant", "reflect", "wrap")[index % 3]
        h, w = (int(v) for v in rng.integers(3, 7, size=2))
        shape = (h, w) if index % 2 else (h, w, int(rng.integers(1, 4)))
        x = rng.normal(size=shape).astype(np.float32)
        if index < 3:
            pad = int(rng.integers(1, 3))
        else:
            pad = tuple(int(v) for v in rng.integers(0, 3, size=4))
        case = f"entrada {shape}, pad={pad}, mode={mode!r}"
        got = _call(fn, name, case, x.astype(np.float64), pad, mode)
        ref = keras_pad(x, pad, mode)
        _expect_shape(name, case, got, ref.shape)
        worst = max(worst, _compare(name, case, got, ref, f"el relleno de referencia ({mode})"))
    _summary(name, cases, "ZeroPadding2D, keras.ops.pad (reflect) y np.pad (wrap)", worst)


def _same_wrong_side(x, w, b, stride, padding):
    """Conv with the odd 'same' pixel placed before instead of after (a common slip)."""
    if padding != "same":
        return None
    f = w.shape[0]
    top, bottom = same_padding_reference(x.shape[0], f, stride)
    left, right = same_padding_reference(x.shape[1], f, stride)
    if top == bottom and left == right:
        return None
    x = np.pad(np.asarray(x, np.float64), ((bottom, top), (right, left), (0, 0)))
    return keras_conv2d(x, w, b, stride, "valid")


def _conv_variants(x, w, b, stride, padding, bias=True):
    variants = [
        Variant(
            "conv.flipped_kernel",
            lambda: keras_conv2d(x, np.asarray(w)[::-1, ::-1], b, stride, padding),
        )
    ]
    if bias:
        variants.append(
            Variant(
                "conv.missing_bias", lambda: keras_conv2d(x, w, np.zeros_like(b), stride, padding)
            )
        )
    wrong = _same_wrong_side(x, w, b, stride, padding)
    if wrong is not None:
        pads = [same_padding_reference(n, w.shape[0], stride) for n in np.shape(x)[:2]]
        variants.append(
            Variant(
                "conv.same_pad_side",
                lambda: wrong,
                {"expected": pads, "got": [p[::-1] for p in pads]},
            )
        )
    return variants


# (stride, padding, does the stride divide?) — the first two do not divide on purpose.
_CONV_PLANS = [
    (3, "valid", False),
    (2, "same", False),
    (1, "valid", None),
    (2, 1, False),
    (1, "same", None),
    (2, "valid", True),
]


def _random_conv_case(rng, stride, padding, divides, channels=None):
    f = int(rng.integers(2, 5)) if divides is False else int(rng.integers(1, 5))
    h = _sizes(rng, f, stride, padding, divides)
    w = _sizes(rng, f, stride, padding, None)
    c, k = channels if channels else (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    x = rng.normal(size=(h, w, c)).astype(np.float32)
    kernel = rng.normal(size=(f, f, c, k)).astype(np.float32)
    bias = rng.normal(size=(k,)).astype(np.float32)
    return x, kernel, bias


def check_conv2d_strided(fn: Callable) -> None:
    """The worked example with padding 'same', stride 2 'valid' and stride 2 with P=1."""
    name = "conv2d_strided"
    for stride, padding in ((1, "same"), (2, "valid"), (2, 1)):
        case = f"el ejemplo de clase, stride {stride}, {_describe_padding(padding)}"
        got = _call(fn, name, case, SLIDE_IMAGE.copy(), SLIDE_KERNEL.copy(), stride, padding)
        _show(f"conv2d_strided(imagen, kernel, {stride}, {padding!r})", got)
        ref = keras_conv2d_single(SLIDE_IMAGE, SLIDE_KERNEL, stride, padding)
        axes = [Axis(5, 3, stride, padding)] * 2
        _expect_shape(name, case, got, ref.shape, axes)
        err = _compare(
            name,
            case,
            got,
            ref,
            "keras.layers.Conv2D",
            _conv_single_variants(SLIDE_IMAGE, SLIDE_KERNEL, stride, padding),
        )
        report(
            f"{name}, stride {stride}, padding {padding!r}: error relativo",
            f"{err:.1e}",
            f"<= {TOL:.0e}",
        )


def hidden_conv2d_strided(fn: Callable, seed: int = HIDDEN_SEED + 4) -> None:
    """Random single-channel cases, including strides that do not divide, against Conv2D."""
    rng = np.random.default_rng(seed)
    name, worst = "conv2d_strided", 0.0
    for stride, padding, divides in _CONV_PLANS:
        x, w, _ = _random_conv_case(rng, stride, padding, divides, channels=(1, 1))
        image, kernel = x[:, :, 0], w[:, :, 0, 0]
        f = kernel.shape[0]
        case = f"imagen {image.shape[0]}×{image.shape[1]}, kernel {f}×{f}, stride {stride}, " + (
            _describe_padding(padding)
        )
        axes = [Axis(n, f, stride, padding) for n in image.shape]
        got = _call(
            fn,
            name,
            case,
            image.astype(np.float64),
            kernel.astype(np.float64),
            stride,
            padding,
            axes=axes,
        )
        ref = keras_conv2d_single(image, kernel, stride, padding)
        _expect_shape(name, case, got, ref.shape, axes)
        variants = _conv_variants(x, w, np.zeros(1, np.float32), stride, padding, bias=False)
        worst = max(
            worst,
            _compare(name, case, got[:, :, None], ref[:, :, None], "keras.layers.Conv2D", variants),
        )
    _summary(name, len(_CONV_PLANS), "keras.layers.Conv2D", worst)


# --------------------------------------------------------------------------- 3. several channels


def _example_volume():
    x = (np.arange(4 * 4 * 2).reshape(4, 4, 2) % 5 - 2).astype(np.float64)
    w = (np.arange(3 * 3 * 2 * 2).reshape(3, 3, 2, 2) % 3 - 1).astype(np.float64)
    return x, w, np.array([0.5, -1.0])


def check_conv2d(fn: Callable) -> None:
    """A 4×4×2 volume with two 3×3×2 filters and bias, 'valid' and 'same', against Conv2D."""
    name = "conv2d"
    x, w, b = _example_volume()
    for stride, padding in ((1, "valid"), (1, "same"), (2, "same")):
        case = f"el volumen 4×4×2 de ejemplo, 2 filtros 3×3×2, stride {stride}, {_describe_padding(padding)}"
        axes = [Axis(4, 3, stride, padding)] * 2
        got = _call(fn, name, case, x.copy(), w.copy(), b.copy(), stride, padding, axes=axes)
        ref = keras_conv2d(x, w, b, stride, padding)
        _expect_shape(name, case, got, ref.shape, axes)
        err = _compare(
            name, case, got, ref, "keras.layers.Conv2D", _conv_variants(x, w, b, stride, padding)
        )
        report(
            f"{name}, stride {stride}, padding {padding!r}, forma {got.shape}: error relativo",
            f"{err:.1e}",
            f"<= {TOL:.0e}",
        )


def hidden_conv2d(fn: Callable, seed: int = HIDDEN_SEED + 5) -> None:
    """Random volumes, channels, filters, strides and paddings against Conv2D (weights copied)."""
    rng = np.random.default_rng(seed)
    name, worst = "conv2d", 0.0
    for index, (stride, padding, divides) in enumerate(_CONV_PLANS):
        # one case with C != K makes a transposed kernel index fail loudly
        channels = (2, 3) if index == 2 else None
        x, w, b = _random_conv_case(rng, stride, padding, divides, channels)
        f, _, c, k = w.shape
        case = (
            f"entrada {x.shape}, {k} filtros {f}×{f}×{c}, stride {stride}, "
            f"{_describe_padding(padding)}"
        )
        axes = [Axis(n, f, stride, padding) for n in x.shape[:2]]
        got = _call(
            fn,
            name,
            case,
            x.astype(np.float64),
            w.astype(np.float64),
            b.astype(np.float64),
            stride,
            padding,
            axes=axes,
        )
        ref = keras_conv2d(x, w, b, stride, padding)
        _expect_shape(name, case, got, ref.shape, axes)
        worst = max(
            worst,
            _compare(
                name,
                case,
                got,
                ref,
                "keras.layers.Conv2D",
                _conv_variants(x, w, b, stride, padding),
            ),
        )
    _summary(name, len(_CONV_PLANS), "keras.layers.Conv2D", worst)


def check_conv_params(fn: Callable) -> None:
    """The slides' example: 3 filters 3×3 on 4 channels have (3·3·4+1)·3 = 111 parameters."""
    got = _call(fn, "conv_params", "conv_params(3, 4, 3)", 3, 4, 3, exact=True)
    report("Parámetros de 3 filtros 3×3×4 con sesgo", got.tolist(), keras_conv_params(3, 4, 3))
    if got.shape != () or got != 111:
        fail(
            "common.formula_case",
            name="conv_params",
            args="3, 4, 3",
            expected=111,
            got=got.tolist(),
            hint=" Cada filtro tiene F·F·M pesos y 1 sesgo.",
        )


def hidden_conv_params(fn: Callable, seed: int = HIDDEN_SEED + 6, cases: int = 4) -> None:
    """Random (F, M, K) against Conv2D.count_params()."""
    rng = np.random.default_rng(seed)
    for _ in range(cases):
        f, m, k = (int(v) for v in rng.integers(1, 9, size=3))
        expected = keras_conv_params(f, m, k)
        got = _call(fn, "conv_params", f"conv_params({f}, {m}, {k})", f, m, k, exact=True)
        if got.shape != () or got != expected:
            fail(
                "common.formula_case",
                name="conv_params",
                args=f"{f}, {m}, {k}",
                expected=expected,
                got=got.tolist(),
                hint=" Cada filtro tiene F·F·M pesos y 1 sesgo.",
            )
    print(f"conv_params: {cases} casos coinciden con Conv2D.count_params()")


# --------------------------------------------------------------------------- 4. dilation


def check_dilate_kernel(fn: Callable) -> None:
    """A 3×3 kernel dilated by 2 becomes 5×5 with zeros between the taps."""
    name, case = "dilate_kernel", "el kernel 3×3 con valores 1..9 y d=2"
    kernel = np.arange(1, 10).reshape(3, 3)
    got = _call(fn, name, case, kernel.copy(), 2)
    _show("dilate_kernel(kernel, 2)", got)
    expected = np.zeros((5, 5))
    expected[::2, ::2] = kernel
    _expect_shape(name, case, got, expected.shape, hint=" El tamaño efectivo es d·(F−1)+1.")
    _compare(name, case, got, expected, "el kernel con huecos")
    report("Tamaño efectivo de un kernel 3×3 con d=2", got.shape[0], "d·(F−1)+1 = 5")


def hidden_dilate_kernel(fn: Callable, seed: int = HIDDEN_SEED + 7) -> None:
    """Conv2D with the dilated kernel equals Conv2D(dilation_rate=d), for 4-D kernels."""
    rng = np.random.default_rng(seed)
    name, worst = "dilate_kernel", 0.0
    plans = [(2, "valid"), (3, "same"), (2, "same"), (4, "valid")]
    for d, padding in plans:
        f = int(rng.integers(2, 4))
        fe = d * (f - 1) + 1
        c, k = (int(v) for v in rng.integers(1, 4, size=2))
        h, wd = (int(v) for v in rng.integers(fe, fe + 4, size=2))
        x = rng.normal(size=(h, wd, c)).astype(np.float32)
        w = rng.normal(size=(f, f, c, k)).astype(np.float32)
        b = rng.normal(size=(k,)).astype(np.float32)
        case = f"kernel {w.shape}, d={d}"
        got = _call(fn, name, case, w.astype(np.float64), d)
        _expect_shape(name, case, got, (fe, fe, c, k), hint=" El tamaño efectivo es d·(F−1)+1.")
        ref = keras_conv2d(x, w, b, 1, padding, dilation=d)
        mine = keras_conv2d(x, got, b, 1, padding)
        worst = max(
            worst,
            _compare(
                name,
                f"{case}, entrada {x.shape}, {_describe_padding(padding)}",
                mine,
                ref,
                "Conv2D(dilation_rate=d)",
            ),
        )
    _summary(name, len(plans), "keras.layers.Conv2D(dilation_rate=d)", worst)


# --------------------------------------------------------------------------- 5. ReLU and kernels


def check_relu(fn: Callable) -> None:
    """ReLU on a few numbers, and on a random array against keras.activations.relu."""
    values = np.array([-2.0, -0.5, 0.0, 1.5, 3.0])
    got = _call(fn, "relu", "[-2, -0.5, 0, 1.5, 3]", values.copy())
    report("relu([-2, -0.5, 0, 1.5, 3])", got.tolist(), [0.0, 0.0, 0.0, 1.5, 3.0])
    _expect_shape("relu", "[-2, -0.5, 0, 1.5, 3]", got, values.shape)
    _compare("relu", "[-2, -0.5, 0, 1.5, 3]", got, np.maximum(values, 0), "max(0, x)")


def hidden_relu(fn: Callable, seed: int = HIDDEN_SEED + 8) -> None:
    """A random (H, W, C) volume against keras.activations.relu."""
    import keras

    rng = np.random.default_rng(seed)
    x = rng.normal(size=(5, 6, 3)).astype(np.float32)
    got = _call(fn, "relu", "un volumen (5, 6, 3)", x.astype(np.float64))
    ref = _np(keras.activations.relu(x))
    _expect_shape("relu", "un volumen (5, 6, 3)", got, ref.shape)
    err = _compare("relu", "un volumen (5, 6, 3)", got, ref, "keras.activations.relu")
    _summary("relu", 1, "keras.activations.relu", err)


def check_kernels(edge, blur, sharpen) -> None:
    """3×3 kernels: edges sum to 0, blur is non-negative and sums to 1, sharpen sums to 1."""
    rules = [
        (
            "edge_kernel",
            edge,
            "forma 3×3, suma 0 y no todo ceros",
            lambda k: np.isclose(k.sum(), 0) and np.abs(k).sum() > 0,
        ),
        (
            "blur_kernel",
            blur,
            "forma 3×3, valores ≥ 0 que suman 1",
            lambda k: np.isclose(k.sum(), 1) and k.min() >= 0,
        ),
        (
            "sharpen_kernel",
            sharpen,
            "forma 3×3, suma 1, centro > 1 y algún valor negativo",
            lambda k: np.isclose(k.sum(), 1) and k[1, 1] > 1 and k.min() < 0,
        ),
    ]
    for name, kernel, rule, ok in rules:
        if kernel is None:
            fail("common.not_implemented", name=name)
        kernel = np.asarray(kernel, dtype=np.float64)
        report(f"{name}: suma", f"{kernel.sum():.3f}", rule)
        if kernel.shape != (3, 3) or not ok(kernel):
            fail("conv.kernel_property", name=name, rule=rule, got=kernel.tolist())


# --------------------------------------------------------------------------- 6. pooling

_MODE_NAMES = {"max": "máximo", "avg": "promedio"}


def _pool_variants(x, size, stride, mode, p):
    if mode in _MODE_NAMES:
        other = "avg" if mode == "max" else "max"
        return [
            Variant(
                "conv.pool_mode",
                lambda: keras_pool(x, size, stride, other),
                {"mode": mode, "got": _MODE_NAMES[other], "expected": _MODE_NAMES[mode]},
            )
        ]
    return [Variant("conv.lp_root", lambda: keras_pool(x, size, stride, "lp", p) ** p)]


def check_pool2d(fn: Callable) -> None:
    """The slides' 4×4 table: 2×2 max and average pooling; overlapping F=3, S=2; LP p=2."""
    name = "pool2d"
    table = POOL_TABLE[:, :, None].astype(np.float64)
    for mode, expected in (("max", POOL_MAX), ("avg", POOL_AVG)):
        case = f"la tabla 4×4 de clase, ventana 2, stride 2, mode={mode!r}"
        got = _call(fn, name, case, table.copy(), 2, 2, mode)
        _show(f"pool2d(tabla, 2, 2, {mode!r})[:, :, 0]", got[..., 0] if got.ndim == 3 else got)
        _expect_shape(name, case, got, expected[:, :, None].shape, [Axis(4, 2, 2)] * 2)
        _compare(
            name,
            case,
            got,
            expected[:, :, None],
            "la tabla de la diapositiva",
            _pool_variants(table, 2, 2, mode, 2),
        )
    grid = np.arange(25, dtype=np.float64).reshape(5, 5, 1) % 7
    for mode, p in (("max", 2), ("lp", 2)):
        case = f"una imagen 5×5, ventana 3, stride 2 (solapado), mode={mode!r}"
        got = _call(fn, name, case, grid.copy(), 3, 2, mode, p)
        ref = keras_pool(grid, 3, 2, mode, p)
        _expect_shape(name, case, got, ref.shape, [Axis(5, 3, 2)] * 2)
        err = _compare(name, case, got, ref, "Keras", _pool_variants(grid, 3, 2, mode, p))
        report(
            f"{name}, ventana 3 stride 2, mode={mode!r}: error relativo",
            f"{err:.1e}",
            f"<= {TOL:.0e}",
        )


def hidden_pool2d(fn: Callable, seed: int = HIDDEN_SEED + 9) -> None:
    """Random volumes, sizes and strides (overlapping and not dividing); max, avg and LP."""
    rng = np.random.default_rng(seed)
    name, worst, count = "pool2d", 0.0, 0
    plans = [(3, 2, None), (3, 3, False), (2, 2, None), (2, 1, None)]
    for size, stride, divides in plans:
        h = _sizes(rng, size, stride, "valid", divides, low=size + 1)
        w = _sizes(rng, size, stride, "valid", None, low=size + 1)
        c = int(rng.integers(1, 4))
        # positive values: x^p is defined for any p, as for activations after a ReLU
        x = rng.uniform(0.1, 2.0, size=(h, w, c)).astype(np.float32)
        axes = [Axis(h, size, stride), Axis(w, size, stride)]
        for mode in ("max", "avg", "lp"):
            p = int(rng.integers(2, 4))
            case = f"entrada {x.shape}, ventana {size}, stride {stride}, mode={mode!r}" + (
                f", p={p}" if mode == "lp" else ""
            )
            args = (x.astype(np.float64), size, stride, mode) + ((p,) if mode == "lp" else ())
            got = _call(fn, name, case, *args, axes=axes)
            ref = keras_pool(x, size, stride, mode, p)
            _expect_shape(name, case, got, ref.shape, axes)
            worst = max(
                worst,
                _compare(name, case, got, ref, "Keras", _pool_variants(x, size, stride, mode, p)),
            )
            count += 1
    _summary(name, count, "MaxPooling2D / AveragePooling2D", worst)


def check_errata_pool(average) -> None:
    """The correct 2×2 average of the second slide's table."""
    if average is None:
        fail("common.not_implemented", name="errata_average")
    got = np.asarray(average, dtype=np.float64)
    _show("Tu promedio", got)
    print("Promedio (erróneo) de la diapositiva:", ERRATA_POOL_SLIDE_AVG.tolist())
    if got.shape != ERRATA_POOL_AVG.shape or not np.allclose(got, ERRATA_POOL_AVG):
        if got.shape == ERRATA_POOL_SLIDE_AVG.shape and np.allclose(got, ERRATA_POOL_SLIDE_AVG):
            hint = " Es el promedio erróneo de la diapositiva: calcúlalo tú con pool2d."
        else:
            hint = " Suma los 4 valores de cada ventana y divide entre 4 (pool2d con mode='avg')."
        # The expected values are not shown: computing them is the task.
        fail("conv.errata_average", got=got.tolist(), hint=hint)


# --------------------------------------------------------------------------- 7. max-pool backward


def check_maxpool_backward(fn: Callable) -> None:
    """The slides' table: each dout value lands on its window's maximum (9, 2, 6, 3)."""
    name, case = "maxpool_backward", "la tabla 4×4 de clase, ventana 2, stride 2"
    x = POOL_TABLE[:, :, None].astype(np.float64)
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])[:, :, None]
    got = _call(fn, name, case, x.copy(), dout.copy(), 2, 2)
    _show(
        "maxpool_backward(tabla, dout=[[1, 2], [3, 4]], 2, 2)[:, :, 0]",
        got[..., 0] if got.ndim == 3 else got,
    )
    ref = keras_maxpool_grad(x, dout, 2, 2)
    _expect_shape(name, case, got, ref.shape)
    err = _compare(name, case, got, ref, "tf.GradientTape sobre MaxPooling2D")
    report(f"{name}, ejemplo de clase: error relativo", f"{err:.1e}", f"<= {TOL:.0e}")


def hidden_maxpool_backward(fn: Callable, seed: int = HIDDEN_SEED + 10) -> None:
    """Random volumes and upstream gradients against tf.GradientTape, overlapping windows included."""
    rng = np.random.default_rng(seed)
    name, worst = "maxpool_backward", 0.0
    plans = [(3, 2, None), (2, 2, None), (3, 3, False), (2, 1, None)]
    for size, stride, divides in plans:
        h = _sizes(rng, size, stride, "valid", divides, low=size + 2)
        w = _sizes(rng, size, stride, "valid", None, low=size + 2)
        c = int(rng.integers(1, 3))
        x = rng.normal(size=(h, w, c)).astype(np.float32)
        axes = [Axis(h, size, stride), Axis(w, size, stride)]
        dout = rng.normal(size=(axes[0].expected, axes[1].expected, c)).astype(np.float32)
        case = f"entrada {x.shape}, ventana {size}, stride {stride}"
        got = _call(
            fn, name, case, x.astype(np.float64), dout.astype(np.float64), size, stride, axes=axes
        )
        ref = keras_maxpool_grad(x, dout, size, stride)
        _expect_shape(name, case, got, ref.shape)
        if stride < size and error(got, ref) > TOL:
            # Routing right but overwriting: no gradient outside the maxima, mass lost.
            outside = np.abs(got[np.abs(ref) == 0]).max(initial=0.0)
            if outside == 0 and not np.isclose(got.sum(), dout.sum(), atol=1e-4):
                fail(
                    "conv.maxpool_overlap",
                    case=case,
                    expected=float(dout.sum()),
                    got=float(got.sum()),
                )
        worst = max(worst, _compare(name, case, got, ref, "tf.GradientTape sobre MaxPooling2D"))
    _summary(name, len(plans), "tf.GradientTape sobre MaxPooling2D", worst)


# --------------------------------------------------------------------------- 8. transposed convolution


def _transpose_variants(x, w, b, stride):
    return [
        Variant(
            "conv.flipped_kernel",
            lambda: keras_conv_transpose2d(x, np.asarray(w)[::-1, ::-1], b, stride),
        ),
        Variant(
            "conv.missing_bias", lambda: keras_conv_transpose2d(x, w, np.zeros_like(b), stride)
        ),
    ]


def check_conv_transpose2d(fn: Callable) -> None:
    """The slides' example: [[0, 1], [2, 3]] with kernel [[1, 2], [3, 4]] gives a 3×3 map."""
    name, case = "conv_transpose2d", "el ejemplo de clase (entrada 2×2, kernel 2×2, stride 1)"
    x = TRANSPOSE_X[:, :, None].astype(np.float64)
    w = TRANSPOSE_W[:, :, None, None].astype(np.float64)
    got = _call(fn, name, case, x.copy(), w.copy(), np.zeros(1), 1)
    _show("conv_transpose2d(x, w, 0, 1)[:, :, 0]", got[..., 0] if got.ndim == 3 else got)
    expected = TRANSPOSE_OUT[:, :, None]
    _expect_shape(name, case, got, expected.shape, hint=" La salida mide (N−1)·S + F por lado.")
    err = _compare(
        name,
        case,
        got,
        expected,
        "el resultado de la diapositiva",
        _transpose_variants(x, w, np.zeros(1), 1),
    )
    report(f"{name}, ejemplo de clase: error relativo", f"{err:.1e}", f"<= {TOL:.0e}")


def hidden_conv_transpose2d(fn: Callable, seed: int = HIDDEN_SEED + 11) -> None:
    """Random inputs, channels, filters and strides (F ≥ S) against Conv2DTranspose."""
    rng = np.random.default_rng(seed)
    name, worst = "conv_transpose2d", 0.0
    plans = [(3, 2), (2, 2), (3, 1), (4, 3), (3, 3)]
    for index, (f, stride) in enumerate(plans):
        h, wd = (int(v) for v in rng.integers(2, 5, size=2))
        c, k = (2, 3) if index == 0 else (int(v) for v in rng.integers(1, 4, size=2))
        x = rng.normal(size=(h, wd, c)).astype(np.float32)
        w = rng.normal(size=(f, f, k, c)).astype(np.float32)
        b = rng.normal(size=(k,)).astype(np.float32)
        case = f"entrada {x.shape}, kernel {w.shape} (F, F, K, M), stride {stride}"
        got = _call(
            fn, name, case, x.astype(np.float64), w.astype(np.float64), b.astype(np.float64), stride
        )
        ref = keras_conv_transpose2d(x, w, b, stride)
        _expect_shape(name, case, got, ref.shape, hint=" La salida mide (N−1)·S + F por lado.")
        worst = max(
            worst,
            _compare(
                name,
                case,
                got,
                ref,
                "keras.layers.Conv2DTranspose",
                _transpose_variants(x, w, b, stride),
            ),
        )
    _summary(name, len(plans), "keras.layers.Conv2DTranspose", worst)


# --------------------------------------------------------------------------- 9. receptive field

SLIDE_STACKS = [
    ([(3, 1, 1)], 3),
    ([(3, 1, 1), (3, 1, 1)], 5),
    ([(3, 1, 1), (3, 1, 1), (3, 1, 1)], 7),
    ([(3, 1, 2)], 5),
    ([(3, 2, 1), (3, 2, 1)], 7),
    ([(5, 1, 1), (2, 2, 1), (3, 1, 1)], 10),
]


def _rf_hint(stack) -> str:
    if any(s > 1 for _, s, _ in stack[:-1]):
        return (
            " Tras una capa con stride S, un paso de la capa siguiente son S píxeles de la "
            "entrada: multiplica por el producto de los strides anteriores."
        )
    if any(d > 1 for _, _, d in stack):
        return " Un kernel F×F con dilatación d abarca d·(F−1)+1 píxeles."
    return ""


def _expect_fields(fn: Callable, cases) -> None:
    for stack, expected in cases:
        got = _call(fn, "receptive_field", f"receptive_field({stack})", list(stack), exact=True)
        if got.shape != () or got != expected:
            fail(
                "common.formula_case",
                name="receptive_field",
                args=str(stack),
                expected=expected,
                got=got.tolist(),
                hint=_rf_hint(stack),
            )


def check_receptive_field(fn: Callable) -> None:
    """Stacks of the slides: two 3×3 see 5×5, three see 7×7; dilation and strides widen it."""
    _expect_fields(fn, SLIDE_STACKS)
    for stack, expected in SLIDE_STACKS[1:3]:
        print(f"Campo receptivo de {len(stack)} capas 3×3: {expected}×{expected}")
    print(f"receptive_field: {len(SLIDE_STACKS)} pilas correctas")


def hidden_receptive_field(fn: Callable, seed: int = HIDDEN_SEED + 12, cases: int = 4) -> None:
    """Random stacks (kernel, stride, dilation) against the field measured with Keras gradients."""
    rng = np.random.default_rng(seed)
    stacks = []
    for _ in range(cases):
        stack = []
        for _ in range(int(rng.integers(2, 5))):
            f = int(rng.integers(1, 6))
            # TensorFlow refuses stride > 1 together with dilation > 1 in one layer
            if rng.random() < 0.5:
                stack.append((f, int(rng.integers(1, 4)), 1))
            else:
                stack.append((f, 1, int(rng.integers(1, 4))))
        stacks.append((stack, keras_receptive_field(stack)))
    _expect_fields(fn, stacks)
    print(f"receptive_field: {cases} pilas aleatorias coinciden con el campo medido en Keras")


# --------------------------------------------------------------------------- 10. dense ↔ conv


def _check_dense_case(fn: Callable, x, w_dense, b_dense, case) -> float:
    name = "dense_to_conv"
    width, _, depth = x.shape
    k = w_dense.shape[1]
    got = call_student_pair(fn, name, case, w_dense.copy(), b_dense.copy(), width, depth)
    w_conv, b_conv = got
    _expect_shape(name, case + " (kernel)", w_conv, (width, width, depth, k))
    _expect_shape(name, case + " (sesgo)", b_conv, (k,))
    dense, conv = keras_dense_vs_conv(x, w_dense, b_dense, w_conv, b_conv)
    return _compare(
        name,
        case,
        conv,
        dense,
        "Dense sobre la entrada aplanada",
        hint=" Flatten recorre el volumen en orden (fila, columna, canal).",
    )


def call_student_pair(fn: Callable, name: str, case: str, *args):
    """Call a function that must return two arrays (kernel, bias)."""
    try:
        got = call_student(fn, name, *args)
    except CheckError:
        raise
    except Exception as exc:  # the student's code may raise anything
        fail("conv.crash", name=name, case=case, error=f"{type(exc).__name__}: {exc}", hint="")
    if got is None:
        fail("conv.returned_none", name=name, case=case)
    if not isinstance(got, tuple | list) or len(got) != 2:
        fail(
            "conv.crash",
            name=name,
            case=case,
            error="debe devolver dos valores (kernel, sesgo)",
            hint="",
        )
    return tuple(np.asarray(v, dtype=np.float64) for v in got)


def check_dense_to_conv(fn: Callable) -> None:
    """A 2×2×2 volume and 3 units: Dense on the flattened volume equals Conv2D with a 2×2 kernel."""
    x = (np.arange(8).reshape(2, 2, 2) - 3.5) / 4
    w = (np.arange(24).reshape(8, 3) % 5 - 2) / 2
    b = np.array([0.1, -0.2, 0.3])
    err = _check_dense_case(fn, x, w, b, "el volumen 2×2×2 de ejemplo con 3 unidades")
    dense, _ = keras_dense_vs_conv(x, w, b, w.reshape(2, 2, 2, 3), b)
    print("Dense(3) sobre el volumen aplanado:", np.round(dense, 4).tolist())
    report("dense_to_conv: error relativo Conv2D vs Dense", f"{err:.1e}", f"<= {TOL:.0e}")


def hidden_dense_to_conv(fn: Callable, seed: int = HIDDEN_SEED + 13, cases: int = 3) -> None:
    """Random W×W×D volumes and unit counts: Conv2D with the returned kernel equals Dense."""
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _ in range(cases):
        width, depth, k = (int(v) for v in rng.integers(2, 5, size=3))
        x = rng.normal(size=(width, width, depth)).astype(np.float32)
        w = rng.normal(size=(width * width * depth, k)).astype(np.float32)
        b = rng.normal(size=(k,)).astype(np.float32)
        case = f"un volumen {x.shape} y Dense({k})"
        worst = max(worst, _check_dense_case(fn, x, w, b, case))
    _summary("dense_to_conv", cases, "keras.layers.Dense", worst)


def locally_connected_reference(n: int, f: int, m: int, k: int) -> int:
    """Weights and biases of a locally connected layer ('valid', stride 1), as Keras 2 counted."""
    positions = (n - f + 1) ** 2
    return positions * (f * f * m * k + k)


def _expect_lc(fn: Callable, cases) -> None:
    for n, f, m, k in cases:
        expected = locally_connected_reference(n, f, m, k)
        got = _call(fn, "locally_connected_params", f"({n}, {f}, {m}, {k})", n, f, m, k, exact=True)
        if got.shape != () or got != expected:
            fail(
                "common.formula_case",
                name="locally_connected_params",
                args=f"{n}, {f}, {m}, {k}",
                expected=expected,
                got=got.tolist(),
                hint=" Cada una de las (N−F+1)² posiciones tiene sus propios K filtros F·F·M y K sesgos.",
            )


def check_locally_connected_params(fn: Callable) -> None:
    """The slides' layer (3 filters 3×3×4) on a 5×5 input: 9 positions × 111 = 999 parameters."""
    _expect_lc(fn, [(5, 3, 4, 3)])
    report(
        "Parámetros locales en una entrada 5×5×4",
        locally_connected_reference(5, 3, 4, 3),
        "9 posiciones × 111",
    )


def hidden_locally_connected_params(
    fn: Callable, seed: int = HIDDEN_SEED + 14, cases: int = 4
) -> None:
    """Random (N, F, M, K)."""
    rng = np.random.default_rng(seed)
    cases_ = []
    for _ in range(cases):
        f = int(rng.integers(1, 6))
        cases_.append(
            (int(rng.integers(f, f + 20)), f, int(rng.integers(1, 5)), int(rng.integers(1, 9)))
        )
    _expect_lc(fn, cases_)
    print(f"locally_connected_params: {cases} casos correctos")
