"""Section 2 of the session, sizes and padding: ``output_size``, ``same_padding`` and
``pad_image`` (the strided convolution itself is in :mod:`.convolution`)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import cnn_course.checks.convolucion.harness as harness
import cnn_course.checks.convolucion.slides as slides
from cnn_course.checks.convolucion.reference import keras_pad, same_padding_reference
from cnn_course.checks.toolkit import (
    CheckError,
    call_case,
    expect_cases,
    fail,
    keras_output_size,
    signature,
)


def _expect_output_sizes(fn: Callable, cases) -> None:
    """Integer cases; a wrong size where the stride does not divide is an off-by-one."""
    axes = {signature("output_size", args): harness.Axis(*args) for args, _ in cases}
    try:
        expect_cases("output_size", fn, cases, reveal=False)
    except CheckError as err:
        axis = axes.get(err.values.get("call"))
        if err.key != "common.formula_case_hidden" or axis is None:
            raise
        if not axis.is_slip(err.values["got"]):
            raise
        raise axis.off_by_one(err.values["call"], got=f"da {err.values['got']}") from None


def _expect_same_paddings(fn: Callable, cases) -> None:
    name = "same_padding"
    for args, expected in cases:
        got, call_text = call_case(fn, name, *args)
        try:
            shown = tuple(int(v) for v in np.asarray(got).reshape(-1))
        except (TypeError, ValueError):
            shown = got
        if shown != tuple(expected):
            hint = ""
            if shown == tuple(expected[::-1]):
                hint = " Keras pone el píxel sobrante al final (abajo/derecha), no al principio."
            fail(
                "conv.same_padding_case",
                call=call_text,
                expected=expected,
                got=shown,
                hint=hint,
            )
    print(f"{name}: {len(cases)} casos correctos")


def check_output_size(output_size: Callable, same_padding: Callable) -> None:
    """The slides' sizes, including N=7, F=3, S=3 → 2 (Keras drops the partial window)."""
    keras_size = keras_output_size(7, 3, 3, "valid")
    print(f"(7 − 3)/3 + 1 = {(7 - 3) / 3 + 1:.2f}: no es entero; Keras da {keras_size}")
    _expect_output_sizes(output_size, slides.SLIDE_SIZES)
    _expect_same_paddings(same_padding, slides.SLIDE_SAME_PADDING)


def _inner(n, f, s, padding) -> int:
    p = 0 if padding in ("valid", "same") else int(padding)
    return n + 2 * p - f


def _same_total(n, f, s) -> int:
    return sum(same_padding_reference(n, f, s))


OUTPUT_SIZE_CLASSES = (
    harness.CaseClass(
        "'valid', el stride no divide",
        lambda n, f, s, pad: pad == "valid" and not harness.Axis(n, f, s, pad).divides,
    ),
    harness.CaseClass(
        "'same', el stride no divide",
        lambda n, f, s, pad: pad == "same" and not harness.Axis(n, f, s, pad).divides,
    ),
    harness.CaseClass(
        "P explícito, el stride no divide",
        lambda n, f, s, pad: not isinstance(pad, str) and not harness.Axis(n, f, s, pad).divides,
    ),
    harness.CaseClass("F < S", lambda n, f, s, pad: pad == "valid" and f < s),
    harness.CaseClass(
        "fracción > 1/2 (redondear no es truncar)",
        lambda n, f, s, pad: pad != "same" and 2 * (_inner(n, f, s, pad) % s) > s,
    ),
    harness.CaseClass("el stride divide", lambda n, f, s, pad: harness.Axis(n, f, s, pad).divides),
)
SAME_PADDING_CLASSES = (
    harness.CaseClass("relleno total impar", lambda n, f, s: _same_total(n, f, s) % 2 == 1),
    harness.CaseClass(
        "relleno total par y no nulo",
        lambda n, f, s: _same_total(n, f, s) > 0 and _same_total(n, f, s) % 2 == 0,
    ),
    harness.CaseClass(
        "stride > 1 que cambia el relleno total (≠ F − 1)",
        lambda n, f, s: s > 1 and _same_total(n, f, s) != f - 1,
    ),
)


def _size_case(rng) -> tuple:
    f = int(rng.integers(1, 6))
    s = int(rng.integers(1, 5))
    padding = ["valid", "same", int(rng.integers(1, 3))][int(rng.integers(3))]
    return int(rng.integers(f + 1, f + 12)), f, s, padding


def _same_case(rng) -> tuple:
    f = int(rng.integers(1, 6))
    return int(rng.integers(f, f + 12)), f, int(rng.integers(1, 5))


def hidden_output_size(
    output_size: Callable,
    same_padding: Callable,
    seed: int = harness.HIDDEN_SEED + 2,
    cases: int = 12,
) -> None:
    """Random sizes against Keras' shape inference: every class of
    :data:`OUTPUT_SIZE_CLASSES` and :data:`SAME_PADDING_CLASSES` on every seed."""
    rng = np.random.default_rng(seed)
    extra = max(cases - len(OUTPUT_SIZE_CLASSES), 0)
    drawn = harness.draw_classes(rng, _size_case, OUTPUT_SIZE_CLASSES, extra)
    sizes = [(args, keras_output_size(*args)) for args in drawn]
    extra = max(cases - len(SAME_PADDING_CLASSES), 0)
    triples = harness.draw_classes(rng, _same_case, SAME_PADDING_CLASSES, extra)
    pads = [(args, same_padding_reference(*args)) for args in triples]
    _expect_output_sizes(output_size, sizes)
    _expect_same_paddings(same_padding, pads)
    print("output_size y same_padding coinciden con Keras en casos aleatorios")


def check_pad_image(fn: Callable) -> None:
    """A 3×3 image padded by 1 with zeros, reflection and wrap-around."""
    image = np.arange(1, 10).reshape(3, 3)
    for mode in ("constant", "reflect", "wrap"):
        case = harness.Case(
            f"la imagen 3×3 de ejemplo, pad=1, mode={mode!r}",
            (image.copy(), 1, mode),
            keras_pad(image, 1, mode),
            f"np.pad(mode={mode!r})",
            show=f"pad_image(imagen, 1, {mode!r})",
        )
        harness.run_case(fn, "pad_image", case)
    print("pad_image: 3 modos correctos")


def _distinct_sides(pad) -> bool:
    return not np.isscalar(pad) and len(set(pad)) == 4


_PAD_MODE_CLASSES = tuple(
    harness.CaseClass(
        f"{kind}, mode={mode!r}",
        lambda x, pad, m, kind=kind, mode=mode: (
            m == mode and (np.isscalar(pad) if kind == "pad escalar" else _distinct_sides(pad))
        ),
    )
    for mode in ("constant", "reflect", "wrap")
    for kind in ("pad escalar", "pad (arriba, abajo, izquierda, derecha) distintos")
)
PAD_IMAGE_CLASSES = (
    *_PAD_MODE_CLASSES,
    harness.CaseClass("imagen 2-D", lambda x, *_: x.ndim == 2),
    harness.CaseClass(
        "imagen 3-D con varios canales", lambda x, *_: x.ndim == 3 and x.shape[2] > 1
    ),
)


def _pad_case(rng) -> tuple:
    mode = ("constant", "reflect", "wrap")[int(rng.integers(3))]
    h, w = (int(v) for v in rng.integers(4, 8, size=2))
    shape = (h, w) if rng.random() < 0.5 else (h, w, int(rng.integers(1, 4)))
    x = rng.normal(size=shape).astype(np.float32).astype(np.float64)
    if rng.random() < 0.4:
        return x, int(rng.integers(1, 3)), mode
    return x, tuple(int(v) for v in rng.permutation(4)[:4]), mode


def _random_pads(seed: int, cases: int):
    rng = np.random.default_rng(seed)
    drawn = harness.draw_classes(rng, _pad_case, PAD_IMAGE_CLASSES, max(cases - 8, 0))
    for x, pad, mode in drawn:
        yield harness.Case(
            f"entrada {x.shape}, pad={pad}, mode={mode!r}",
            (x, pad, mode),
            keras_pad(x, pad, mode),
            f"el relleno de referencia ({mode})",
        )


def hidden_pad_image(fn: Callable, seed: int = harness.HIDDEN_SEED + 3, cases: int = 6) -> None:
    """Random 2-D and 3-D images, scalar and (top, bottom, left, right) paddings, 3 modes."""
    reference = "ZeroPadding2D, keras.ops.pad (reflect) y np.pad (wrap)"
    harness.run_cases(fn, "pad_image", _random_pads(seed, cases), reference)
