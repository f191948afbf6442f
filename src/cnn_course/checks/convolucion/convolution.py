"""Sections 1 to 4 of the session: one channel, stride and padding, several channels, dilation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import cnn_course.checks.convolucion.harness as harness
import cnn_course.checks.convolucion.slides as slides
from cnn_course.checks.convolucion.reference import (
    keras_conv2d,
    keras_conv2d_single,
    same_padding_reference,
)
from cnn_course.checks.toolkit import (
    expect_cases,
    fail,
    keras_conv_params,
    report,
)

# --------------------------------------------------------------------------- 1. conv2d_single


def _conv_single_variants(image, kernel, stride=1, padding="valid"):
    kernel = np.asarray(kernel)
    flipped, transposed = kernel[::-1, ::-1], kernel.T
    return [
        harness.Variant(
            "conv.flipped_kernel",
            lambda: keras_conv2d_single(image, flipped, stride, padding),
        ),
        # a transposed kernel is a mistake of its own: where its output equals the
        # flipped kernel's, neither cause is named
        harness.Variant(None, lambda: keras_conv2d_single(image, transposed, stride, padding)),
    ]


def _image_case(sides: tuple[int, int], extra: int):
    """``make(rng)``: a random (image, kernel), F in ``sides``, H and W from F to F + extra."""

    def make(rng):
        f = int(rng.integers(*sides))
        h, w = (int(v) for v in rng.integers(f, f + extra, size=2))
        image = rng.normal(size=(h, w)).astype(np.float32)
        return image, rng.normal(size=(f, f)).astype(np.float32)

    return make


def _asymmetric(kernel) -> bool:
    """Flipping, transposing and keeping the kernel give three different kernels."""
    k = np.asarray(kernel)
    return not (np.allclose(k, k[::-1, ::-1]) or np.allclose(k.T, k[::-1, ::-1]))


CONV2D_SINGLE_CLASSES = (
    harness.CaseClass("kernel 1×1", lambda image, kernel, *_: kernel.shape[0] == 1),
    harness.CaseClass(
        "imagen no cuadrada, kernel asimétrico",
        lambda image, kernel, *_: image.shape[0] != image.shape[1] and _asymmetric(kernel),
    ),
    harness.CaseClass("kernel de lado par", lambda image, kernel, *_: kernel.shape[0] % 2 == 0),
)
CONVOLVE2D_CLASSES = CONV2D_SINGLE_CLASSES[1:]


def _label(image, kernel) -> str:
    f = kernel.shape[0]
    return f"imagen {image.shape[0]}×{image.shape[1]} y kernel {f}×{f}"


def _as64(*arrays) -> tuple:
    return tuple(np.asarray(a, np.float64) for a in arrays)


def check_conv2d_single(fn: Callable) -> None:
    """The lecture's worked example: 5×5 image, vertical-edge kernel, 3×3 feature map."""
    case = harness.Case(
        "el ejemplo de clase (imagen 5×5, kernel de bordes verticales)",
        (slides.SLIDE_IMAGE.copy(), slides.SLIDE_KERNEL.copy()),
        slides.SLIDE_FEATURE_MAP,
        "el mapa calculado a mano",
        _conv_single_variants(slides.SLIDE_IMAGE, slides.SLIDE_KERNEL),
        show="Mapa de activación (conv2d_single)",
    )
    harness.report_error(
        "conv2d_single, ejemplo de clase", harness.run_case(fn, "conv2d_single", case)
    )


def hidden_conv2d_single(fn: Callable, seed: int = harness.HIDDEN_SEED, cases: int = 4) -> None:
    """Random images and kernels (F from 1 to 4) against Conv2D with one filter, no bias."""
    rng = np.random.default_rng(seed)
    pairs = harness.draw_classes(
        rng, _image_case((1, 5), 6), CONV2D_SINGLE_CLASSES, max(cases - 3, 0)
    )
    drawn = (
        harness.Case(
            _label(image, kernel),
            _as64(image, kernel),
            keras_conv2d_single(image, kernel),
            "keras.layers.Conv2D",
            _conv_single_variants(image, kernel),
        )
        for image, kernel in pairs
    )
    harness.run_cases(fn, "conv2d_single", drawn, "keras.layers.Conv2D (1 filtro, sin sesgo)")


def check_errata_conv(row, col, window) -> None:
    """The wrong entry of the slide is (0, 1); its window gives 0, not -1."""
    if row is None or col is None or window is None:
        fail("common.not_implemented", name="errata_row, errata_col, errata_window")
    got = (int(row), int(col))
    # Only the student's answer is printed: printing the expected entry would give it away.
    print(f"Entrada errónea indicada (fila, columna): {got}")
    if not all(0 <= v < slides.SLIDE_FEATURE_MAP.shape[0] for v in got):
        fail("conv.errata_entry_range", got=got, last=slides.SLIDE_FEATURE_MAP.shape[0] - 1)
    if got != slides.SLIDE_ERRATA_ENTRY:
        fail(
            "conv.errata_entry", got_row=got[0], got_col=got[1], value=slides.SLIDE_FEATURE_MAP[got]
        )
    r, c = slides.SLIDE_ERRATA_ENTRY
    f = slides.SLIDE_KERNEL.shape[0]
    right = slides.SLIDE_IMAGE[r : r + f, c : c + f]
    window = np.asarray(window)
    if window.shape != right.shape or not np.array_equal(window, right):
        fail("conv.errata_window", row=r, col=c, got=window.tolist())
    report("Suma de ventana · kernel", int(np.sum(window * slides.SLIDE_KERNEL)), 0)


_FLIP_HINT = " Voltea el kernel en las dos direcciones (filas y columnas): kernel[::-1, ::-1]."


def check_convolve2d(fn: Callable) -> None:
    """True convolution of the worked example: the edge kernel flipped changes every sign."""
    case = harness.Case(
        "el ejemplo de clase",
        (slides.SLIDE_IMAGE.copy(), slides.SLIDE_KERNEL.copy()),
        -slides.SLIDE_FEATURE_MAP,  # flipping [1, 0, -1] left-right negates it
        "la convolución con el kernel volteado",
        hint=" Voltea el kernel en las dos direcciones: kernel[::-1, ::-1].",
        show="Convolución matemática del ejemplo",
    )
    harness.report_error("convolve2d, ejemplo de clase", harness.run_case(fn, "convolve2d", case))


def hidden_convolve2d(fn: Callable, seed: int = harness.HIDDEN_SEED + 1, cases: int = 3) -> None:
    """Random cases against Conv2D with the kernel flipped in both directions."""
    rng = np.random.default_rng(seed)
    pairs = harness.draw_classes(rng, _image_case((2, 5), 5), CONVOLVE2D_CLASSES, max(cases - 2, 0))
    drawn = (
        harness.Case(
            _label(image, kernel),
            _as64(image, kernel),
            keras_conv2d_single(image, kernel[::-1, ::-1]),
            "Conv2D con el kernel volteado",
            hint=_FLIP_HINT,
        )
        for image, kernel in pairs
    )
    harness.run_cases(fn, "convolve2d", drawn, "keras.layers.Conv2D con el kernel volteado")


# --------------------------------------------------------------------------- 2. strided convolution


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
    flipped, transposed = np.asarray(w)[::-1, ::-1], np.asarray(w).transpose(1, 0, 2, 3)
    variants = [
        harness.Variant(
            "conv.flipped_kernel", lambda: keras_conv2d(x, flipped, b, stride, padding)
        ),
        # a rival: where the transposed kernel gives the same output, no cause is named
        harness.Variant(None, lambda: keras_conv2d(x, transposed, b, stride, padding)),
    ]
    if bias:
        no_bias = np.zeros_like(b)
        variants.append(
            harness.Variant(
                "conv.missing_bias", lambda: keras_conv2d(x, w, no_bias, stride, padding)
            )
        )
    wrong = _same_wrong_side(x, w, b, stride, padding)
    if wrong is not None:
        pads = [same_padding_reference(n, w.shape[0], stride) for n in np.shape(x)[:2]]
        values = {"expected": pads, "got": [p[::-1] for p in pads]}
        variants.append(harness.Variant("conv.same_pad_side", lambda: wrong, values))
    return variants


def _axes(x, w, stride, padding) -> list:
    return [harness.Axis(n, w.shape[0], stride, padding) for n in x.shape[:2]]


def _odd_same(x, w, stride, padding) -> bool:
    if padding != "same":
        return False
    return any(sum(same_padding_reference(n, w.shape[0], stride)) % 2 for n in x.shape[:2])


CONV_CLASSES = (
    harness.CaseClass(
        "'valid', el stride no divide",
        lambda x, w, b, s, pad: pad == "valid" and not _axes(x, w, s, pad)[0].divides,
    ),
    harness.CaseClass(
        "'same' con relleno total impar y stride > 1",
        lambda x, w, b, s, pad: s > 1 and _odd_same(x, w, s, pad),
    ),
    harness.CaseClass(
        "'same' con relleno total impar", lambda x, w, b, s, pad: _odd_same(x, w, s, pad)
    ),
    harness.CaseClass(
        "P explícito, el stride no divide",
        lambda x, w, b, s, pad: not isinstance(pad, str) and not _axes(x, w, s, pad)[0].divides,
    ),
    harness.CaseClass(
        "imagen no cuadrada, stride 1 'valid'",
        lambda x, w, b, s, pad: s == 1 and pad == "valid" and x.shape[0] != x.shape[1],
    ),
    harness.CaseClass(
        "el stride divide",
        lambda x, w, b, s, pad: s > 1 and all(a.divides for a in _axes(x, w, s, pad)),
    ),
)
CONV2D_CLASSES = (
    *CONV_CLASSES,
    harness.CaseClass(
        "canales de entrada ≠ filtros, ambos > 1",
        lambda x, w, b, s, pad: w.shape[2] != w.shape[3] and min(w.shape[2:]) > 1,
    ),
)


def _conv_case(single: bool):
    """``make(rng)``: a random (x, w, b, stride, padding); one channel and filter with ``single``."""

    def make(rng) -> tuple:
        f = int(rng.integers(1, 5))
        stride = int(rng.integers(1, 4))
        padding = ["valid", "same", int(rng.integers(1, 3))][int(rng.integers(3))]
        h, w = (int(v) for v in rng.integers(f, f + 7, size=2))
        c, k = (1, 1) if single else (int(v) for v in rng.integers(1, 4, size=2))
        x = rng.normal(size=(h, w, c)).astype(np.float32)
        kernel = rng.normal(size=(f, f, c, k)).astype(np.float32)
        bias = np.zeros(k, np.float32) if single else rng.normal(size=(k,)).astype(np.float32)
        return x, kernel, bias, stride, padding

    return make


def _random_convs(seed: int, single: bool):
    """One case per class of :data:`CONV_CLASSES` (:data:`CONV2D_CLASSES` for volumes)."""
    rng = np.random.default_rng(seed)
    classes = CONV_CLASSES if single else CONV2D_CLASSES
    for x, w, b, stride, padding in harness.draw_classes(rng, _conv_case(single), classes):
        f, _, c, k = w.shape
        axes = _axes(x, w, stride, padding)
        where = f"stride {stride}, {harness.describe_padding(padding)}"
        if single:
            image, kernel = x[:, :, 0], w[:, :, 0, 0]
            yield harness.Case(
                f"imagen {image.shape[0]}×{image.shape[1]}, kernel {f}×{f}, {where}",
                (*_as64(image, kernel), stride, padding),
                keras_conv2d_single(image, kernel, stride, padding),
                "keras.layers.Conv2D",
                [v.squeezed() for v in _conv_variants(x, w, b, stride, padding, bias=False)],
                axes,
            )
        else:
            yield harness.Case(
                f"entrada {x.shape}, {k} filtros {f}×{f}×{c}, {where}",
                (*_as64(x, w, b), stride, padding),
                keras_conv2d(x, w, b, stride, padding),
                "keras.layers.Conv2D",
                _conv_variants(x, w, b, stride, padding),
                axes,
            )


def check_conv2d_strided(fn: Callable) -> None:
    """The worked example with padding 'same', stride 2 'valid' and stride 2 with P=1."""
    name = "conv2d_strided"
    for stride, padding in ((1, "same"), (2, "valid"), (2, 1)):
        case = harness.Case(
            f"el ejemplo de clase, stride {stride}, {harness.describe_padding(padding)}",
            (slides.SLIDE_IMAGE.copy(), slides.SLIDE_KERNEL.copy(), stride, padding),
            keras_conv2d_single(slides.SLIDE_IMAGE, slides.SLIDE_KERNEL, stride, padding),
            "keras.layers.Conv2D",
            _conv_single_variants(slides.SLIDE_IMAGE, slides.SLIDE_KERNEL, stride, padding),
            [harness.Axis(5, 3, stride, padding)] * 2,
            show=f"conv2d_strided(imagen, kernel, {stride}, {padding!r})",
        )
        harness.report_error(
            f"{name}, stride {stride}, padding {padding!r}", harness.run_case(fn, name, case)
        )


def hidden_conv2d_strided(fn: Callable, seed: int = harness.HIDDEN_SEED + 4) -> None:
    """Random single-channel cases, including strides that do not divide, against Conv2D."""
    harness.run_cases(fn, "conv2d_strided", _random_convs(seed, single=True), "keras.layers.Conv2D")


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
        case = harness.Case(
            f"el volumen 4×4×2 de ejemplo, 2 filtros 3×3×2, stride {stride}, "
            + harness.describe_padding(padding),
            (x.copy(), w.copy(), b.copy(), stride, padding),
            keras_conv2d(x, w, b, stride, padding),
            "keras.layers.Conv2D",
            _conv_variants(x, w, b, stride, padding),
            [harness.Axis(4, 3, stride, padding)] * 2,
        )
        err = harness.run_case(fn, name, case)
        shape = case.ref.shape
        harness.report_error(f"{name}, stride {stride}, padding {padding!r}, forma {shape}", err)


def hidden_conv2d(fn: Callable, seed: int = harness.HIDDEN_SEED + 5) -> None:
    """Random volumes, channels, filters, strides and paddings against Conv2D (weights copied)."""
    harness.run_cases(fn, "conv2d", _random_convs(seed, single=False), "keras.layers.Conv2D")


_PARAMS_HINT = "Cada filtro tiene F·F·M pesos y 1 sesgo."

CONV_PARAMS_CLASSES = (
    harness.CaseClass("F > 1, M ≠ K, F ≠ M", lambda f, m, k: f > 1 and m != k and f != m),
    harness.CaseClass("F = 1", lambda f, m, k: f == 1 and m != k),
    harness.CaseClass("F ≠ K, F > 1", lambda f, m, k: f > 1 and f != k and m > 1),
)


def check_conv_params(fn: Callable) -> None:
    """The slides' example: 3 filters 3×3 on 4 channels have (3·3·4+1)·3 = 111 parameters."""
    expect_cases("conv_params", fn, [((3, 4, 3), 111)], hint=_PARAMS_HINT, reveal=False)
    report("Parámetros de 3 filtros 3×3×4 con sesgo", 111, keras_conv_params(3, 4, 3))


def hidden_conv_params(fn: Callable, seed: int = harness.HIDDEN_SEED + 6, cases: int = 4) -> None:
    """Random (F, M, K) against Conv2D.count_params()."""
    rng = np.random.default_rng(seed)
    drawn = harness.draw_classes(
        rng,
        lambda r: tuple(int(v) for v in r.integers(1, 9, size=3)),
        CONV_PARAMS_CLASSES,
        max(cases - len(CONV_PARAMS_CLASSES), 0),
    )
    expect_cases(
        "conv_params",
        fn,
        [(fmk, keras_conv_params(*fmk)) for fmk in drawn],
        hint=_PARAMS_HINT,
        reveal=False,
    )
    print(f"conv_params: {cases} casos coinciden con Conv2D.count_params()")


# --------------------------------------------------------------------------- 4. dilation

_DILATED_SIZE = " El tamaño efectivo es d·(F−1)+1."


def check_dilate_kernel(fn: Callable) -> None:
    """A 3×3 kernel dilated by 2 becomes 5×5 with zeros between the taps."""
    kernel = np.arange(1, 10).reshape(3, 3)
    expected = np.zeros((5, 5))
    expected[::2, ::2] = kernel
    case = harness.Case(
        "el kernel 3×3 con valores 1..9 y d=2",
        (kernel.copy(), 2),
        expected,
        "el kernel con huecos",
        shape_hint=_DILATED_SIZE,
        show="dilate_kernel(kernel, 2)",
    )
    harness.run_case(fn, "dilate_kernel", case)
    report("Tamaño efectivo de un kernel 3×3 con d=2", expected.shape[0], "d·(F−1)+1 = 5")


def hidden_dilate_kernel(fn: Callable, seed: int = harness.HIDDEN_SEED + 7) -> None:
    """Conv2D with the dilated kernel equals Conv2D(dilation_rate=d), for 4-D kernels."""
    rng = np.random.default_rng(seed)
    name, worst = "dilate_kernel", 0.0
    plans = [(2, "valid"), (3, "same"), (2, "same"), (4, "valid")]
    for d, padding in plans:
        f = int(rng.integers(2, 4))
        fe = d * (f - 1) + 1
        c, k = (int(v) for v in rng.integers(1, 4, size=2))
        if d == 3:  # one case with C ≠ K: a kernel whose channel axes are swapped fails
            c, k = harness.draw(
                rng,
                lambda r: tuple(int(v) for v in r.integers(1, 4, size=2)),
                lambda ck: ck[0] != ck[1],
            )
        h, wd = (int(v) for v in rng.integers(fe, fe + 4, size=2))
        x = rng.normal(size=(h, wd, c)).astype(np.float32)
        w = rng.normal(size=(f, f, c, k)).astype(np.float32)
        b = rng.normal(size=(k,)).astype(np.float32)
        case = f"kernel {w.shape}, d={d}"
        got = harness.call(fn, name, case, w.astype(np.float64), d)
        harness.expect_shape(name, case, got, (fe, fe, c, k), hint=_DILATED_SIZE)
        ref = keras_conv2d(x, w, b, 1, padding, dilation=d)
        mine = keras_conv2d(x, got, b, 1, padding)
        where = f"{case}, entrada {x.shape}, {harness.describe_padding(padding)}"
        worst = max(worst, harness.compare(name, where, mine, ref, "Conv2D(dilation_rate=d)"))
    harness.summary(name, len(plans), "keras.layers.Conv2D(dilation_rate=d)", worst)
