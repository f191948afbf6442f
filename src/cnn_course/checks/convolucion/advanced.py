"""Sections 8 to 10 of the session: transposed convolution, receptive field, dense ↔ conv."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import cnn_course.checks.convolucion.harness as harness
import cnn_course.checks.convolucion.slides as slides
from cnn_course.checks.convolucion.reference import (
    keras_conv_transpose2d,
    keras_dense_vs_conv,
    keras_receptive_field,
    locally_connected_reference,
)
from cnn_course.checks.toolkit import expect_cases, report

# --------------------------------------------------------------------------- 8. transposed convolution

_TRANSPOSE_SIZE = " La salida mide (N−1)·S + F por lado."


def _transpose_variants(x, w, b, stride):
    flipped, no_bias = np.asarray(w)[::-1, ::-1], np.zeros_like(b)
    transposed = np.asarray(w).transpose(1, 0, 2, 3)
    return [
        harness.Variant(
            "conv.flipped_kernel", lambda: keras_conv_transpose2d(x, flipped, b, stride)
        ),
        harness.Variant(None, lambda: keras_conv_transpose2d(x, transposed, b, stride)),
        harness.Variant("conv.missing_bias", lambda: keras_conv_transpose2d(x, w, no_bias, stride)),
    ]


def check_conv_transpose2d(fn: Callable) -> None:
    """The slides' example: [[0, 1], [2, 3]] with kernel [[1, 2], [3, 4]] gives a 3×3 map."""
    x = slides.TRANSPOSE_X[:, :, None].astype(np.float64)
    w = slides.TRANSPOSE_W[:, :, None, None].astype(np.float64)
    case = harness.Case(
        "el ejemplo de clase (entrada 2×2, kernel 2×2, stride 1)",
        (x.copy(), w.copy(), np.zeros(1), 1),
        slides.TRANSPOSE_OUT[:, :, None],
        "el resultado de la diapositiva",
        _transpose_variants(x, w, np.zeros(1), 1),
        shape_hint=_TRANSPOSE_SIZE,
        show="conv_transpose2d(x, w, 0, 1)[:, :, 0]",
        show_channel=True,
    )
    harness.report_error(
        "conv_transpose2d, ejemplo de clase", harness.run_case(fn, "conv_transpose2d", case)
    )


TRANSPOSE_CLASSES = (
    harness.CaseClass(
        "S < F (las ventanas se solapan), C ≠ K", lambda f, s, c, k: s < f and c != k
    ),
    harness.CaseClass("S = F", lambda f, s, c, k: s == f),
    harness.CaseClass("S = 1", lambda f, s, c, k: s == 1),
    harness.CaseClass("kernel de lado par", lambda f, s, c, k: f % 2 == 0),
)
"""``(F, S, C, K)`` of the cases: the plans below draw each on every seed (F ≥ S: the
notebook's (N−1)·S + F is Keras' size only then)."""


def _random_transposes(seed: int):
    rng = np.random.default_rng(seed)
    for index, (f, stride) in enumerate([(3, 2), (2, 2), (3, 1), (4, 3), (3, 3)]):
        h, wd = (int(v) for v in rng.integers(2, 5, size=2))
        c, k = (2, 3) if index == 0 else (int(v) for v in rng.integers(1, 4, size=2))
        x = rng.normal(size=(h, wd, c)).astype(np.float32)
        w = rng.normal(size=(f, f, k, c)).astype(np.float32)
        b = rng.normal(size=(k,)).astype(np.float32)
        yield harness.Case(
            f"entrada {x.shape}, kernel {w.shape} (F, F, K, M), stride {stride}",
            (*(a.astype(np.float64) for a in (x, w, b)), stride),
            keras_conv_transpose2d(x, w, b, stride),
            "keras.layers.Conv2DTranspose",
            _transpose_variants(x, w, b, stride),
            shape_hint=_TRANSPOSE_SIZE,
        )


def hidden_conv_transpose2d(fn: Callable, seed: int = harness.HIDDEN_SEED + 11) -> None:
    """Random inputs, channels, filters and strides (F ≥ S) against Conv2DTranspose."""
    cases = _random_transposes(seed)
    harness.run_cases(fn, "conv_transpose2d", cases, "keras.layers.Conv2DTranspose")


# --------------------------------------------------------------------------- 9. receptive field


def _rf_hint(args: tuple) -> str:
    (stack,) = args
    if any(s > 1 for _, s, _ in stack[:-1]):
        return (
            "Tras una capa con stride S, un paso de la capa siguiente son S píxeles de la "
            "entrada: multiplica por el producto de los strides anteriores."
        )
    if any(d > 1 for _, _, d in stack):
        return "Un kernel F×F con dilatación d abarca d·(F−1)+1 píxeles."
    return ""


def _expect_fields(fn: Callable, stacks) -> None:
    cases = [((list(stack),), expected) for stack, expected in stacks]
    expect_cases("receptive_field", fn, cases, hint=_rf_hint, reveal=False)


def check_receptive_field(fn: Callable) -> None:
    """Stacks of the slides: two 3×3 see 5×5, three see 7×7; dilation and strides widen it."""
    _expect_fields(fn, slides.SLIDE_STACKS)
    for stack, expected in slides.SLIDE_STACKS[1:3]:
        print(f"Campo receptivo de {len(stack)} capas 3×3: {expected}×{expected}")


def _strided_then_wide(stack) -> bool:
    """Two layers with stride > 1 come before a layer whose kernel is larger than 1."""
    strided = 0
    for f, s, _ in stack:
        if strided >= 2 and f > 1:
            return True
        strided += s > 1
    return False


RECEPTIVE_FIELD_CLASSES = (
    harness.CaseClass(
        "dos capas con stride > 1 antes de un kernel > 1", lambda stack: _strided_then_wide(stack)
    ),
    harness.CaseClass(
        "kernel > 1 con dilatación > 1 tras una capa con stride > 1",
        lambda stack: any(
            d > 1 and f > 1 and any(s > 1 for _, s, _ in stack[:i])
            for i, (f, _, d) in enumerate(stack)
        ),
    ),
    harness.CaseClass("stride > 1 en la última capa (no cuenta)", lambda stack: stack[-1][1] > 1),
)


def _stack(rng) -> tuple:
    stack = []
    for _ in range(int(rng.integers(2, 6))):
        f = int(rng.integers(1, 6))
        # TensorFlow refuses stride > 1 together with dilation > 1 in one layer
        if rng.random() < 0.5:
            stack.append((f, int(rng.integers(1, 4)), 1))
        else:
            stack.append((f, 1, int(rng.integers(1, 4))))
    return (stack,)


def hidden_receptive_field(
    fn: Callable, seed: int = harness.HIDDEN_SEED + 12, cases: int = 4
) -> None:
    """Random stacks (kernel, stride, dilation) against the field measured with Keras
    gradients: every class of :data:`RECEPTIVE_FIELD_CLASSES` on every seed."""
    rng = np.random.default_rng(seed)
    extra = max(cases - len(RECEPTIVE_FIELD_CLASSES), 0)
    drawn = harness.draw_classes(rng, _stack, RECEPTIVE_FIELD_CLASSES, extra)
    _expect_fields(fn, [(stack, keras_receptive_field(stack)) for (stack,) in drawn])
    print(f"receptive_field: {len(drawn)} pilas aleatorias coinciden con el campo medido en Keras")


# --------------------------------------------------------------------------- 10. dense ↔ conv


DENSE_TO_CONV_CLASSES = (
    harness.CaseClass(
        "volumen de varios canales y varias unidades (el orden de Flatten importa)",
        lambda width, depth, k: width > 1 and depth > 1 and k > 1,
    ),
)
"""``(W, D, K)``: every draw has W, D and K from 2 to 4."""


def _check_dense_case(fn: Callable, x, w_dense, b_dense, case) -> float:
    name = "dense_to_conv"
    width, _, depth = x.shape
    k = w_dense.shape[1]
    w_conv, b_conv = harness.call_pair(fn, name, case, w_dense.copy(), b_dense.copy(), width, depth)
    harness.expect_shape(name, case + " (kernel)", w_conv, (width, width, depth, k))
    harness.expect_shape(name, case + " (sesgo)", b_conv, (k,))
    dense, conv = keras_dense_vs_conv(x, w_dense, b_dense, w_conv, b_conv)
    hint = " Flatten recorre el volumen en orden (fila, columna, canal)."
    return harness.compare(name, case, conv, dense, "Dense sobre la entrada aplanada", hint=hint)


def check_dense_to_conv(fn: Callable) -> None:
    """A 2×2×2 volume and 3 units: Dense on the flattened volume equals Conv2D with a 2×2 kernel."""
    x = (np.arange(8).reshape(2, 2, 2) - 3.5) / 4
    w = (np.arange(24).reshape(8, 3) % 5 - 2) / 2
    b = np.array([0.1, -0.2, 0.3])
    err = _check_dense_case(fn, x, w, b, "el volumen 2×2×2 de ejemplo con 3 unidades")
    dense, _ = keras_dense_vs_conv(x, w, b, w.reshape(2, 2, 2, 3), b)
    print("Dense(3) sobre el volumen aplanado:", np.round(dense, 4).tolist())
    harness.report_error("dense_to_conv: Conv2D vs Dense", err)


def hidden_dense_to_conv(
    fn: Callable, seed: int = harness.HIDDEN_SEED + 13, cases: int = 3
) -> None:
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
    harness.summary("dense_to_conv", cases, "keras.layers.Dense", worst)


_LC_HINT = "Cada una de las (N−F+1)² posiciones tiene sus propios K filtros F·F·M y K sesgos."


def _expect_lc(fn: Callable, cases) -> None:
    expected = [(nfmk, locally_connected_reference(*nfmk)) for nfmk in cases]
    expect_cases("locally_connected_params", fn, expected, hint=_LC_HINT, reveal=False)


def check_locally_connected_params(fn: Callable) -> None:
    """The slides' layer (3 filters 3×3×4) on a 5×5 input: 9 positions × 111 = 999 parameters."""
    _expect_lc(fn, [(5, 3, 4, 3)])
    report(
        "Parámetros locales en una entrada 5×5×4",
        locally_connected_reference(5, 3, 4, 3),
        "9 posiciones × 111",
    )


def hidden_locally_connected_params(
    fn: Callable, seed: int = harness.HIDDEN_SEED + 14, cases: int = 4
) -> None:
    """Random (N, F, M, K)."""
    rng = np.random.default_rng(seed)

    def make(r) -> tuple:
        f = int(r.integers(1, 6))
        return int(r.integers(f, f + 20)), f, int(r.integers(1, 5)), int(r.integers(1, 9))

    extra = max(cases - len(LOCALLY_CONNECTED_CLASSES), 0)
    _expect_lc(fn, harness.draw_classes(rng, make, LOCALLY_CONNECTED_CLASSES, extra))


LOCALLY_CONNECTED_CLASSES = (
    harness.CaseClass("N > F > 1, M ≠ K", lambda n, f, m, k: n > f > 1 and m != k),
    harness.CaseClass("F = 1", lambda n, f, m, k: f == 1 and n > 1),
    harness.CaseClass("N = F (una posición)", lambda n, f, m, k: n == f > 1),
)
