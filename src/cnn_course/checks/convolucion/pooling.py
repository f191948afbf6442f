"""Sections 5 to 7 of the session: ReLU and classic kernels, pooling, max-pool backward."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import cnn_course.checks.convolucion.harness as harness
import cnn_course.checks.convolucion.slides as slides
from cnn_course.checks.convolucion.reference import keras_maxpool_grad, keras_pool, keras_relu
from cnn_course.checks.toolkit import fail, report

# --------------------------------------------------------------------------- 5. ReLU and kernels


def check_relu(fn: Callable) -> None:
    """ReLU on a few numbers, and on a random array against keras.activations.relu."""
    values = np.array([-2.0, -0.5, 0.0, 1.5, 3.0])
    case = "[-2, -0.5, 0, 1.5, 3]"
    got = harness.call(fn, "relu", case, values.copy())
    report("relu([-2, -0.5, 0, 1.5, 3])", got.tolist(), [0.0, 0.0, 0.0, 1.5, 3.0])
    harness.expect_shape("relu", case, got, values.shape)
    harness.compare("relu", case, got, np.maximum(values, 0), "max(0, x)")


def hidden_relu(fn: Callable, seed: int = harness.HIDDEN_SEED + 8) -> None:
    """A random (H, W, C) volume against keras.activations.relu."""
    x = np.random.default_rng(seed).normal(size=(5, 6, 3)).astype(np.float32)
    case = harness.Case(
        "un volumen (5, 6, 3)", (x.astype(np.float64),), keras_relu(x), "keras.activations.relu"
    )
    harness.run_cases(fn, "relu", [case], "keras.activations.relu")


_KERNEL_RULES = [
    (
        "edge_kernel",
        "forma 3×3, suma 0 y no todo ceros",
        lambda k: np.isclose(k.sum(), 0) and np.abs(k).sum() > 0,
    ),
    (
        "blur_kernel",
        "forma 3×3, valores ≥ 0 que suman 1",
        lambda k: np.isclose(k.sum(), 1) and k.min() >= 0,
    ),
    (
        "sharpen_kernel",
        "forma 3×3, suma 1, centro > 1 y algún valor negativo",
        lambda k: np.isclose(k.sum(), 1) and k[1, 1] > 1 and k.min() < 0,
    ),
]


def check_kernels(edge, blur, sharpen) -> None:
    """3×3 kernels: edges sum to 0, blur is non-negative and sums to 1, sharpen sums to 1."""
    for (name, rule, ok), kernel in zip(_KERNEL_RULES, (edge, blur, sharpen), strict=True):
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
        values = {"mode": mode, "got": _MODE_NAMES[other], "expected": _MODE_NAMES[mode]}
        return [
            harness.Variant("conv.pool_mode", lambda: keras_pool(x, size, stride, other), values)
        ]
    return [harness.Variant("conv.lp_root", lambda: keras_pool(x, size, stride, "lp", p) ** p)]


def check_pool2d(fn: Callable) -> None:
    """The slides' 4×4 table: 2×2 max and average pooling; overlapping F=3, S=2; LP p=2."""
    name = "pool2d"
    table = slides.POOL_TABLE[:, :, None].astype(np.float64)
    for mode, expected in (("max", slides.POOL_MAX), ("avg", slides.POOL_AVG)):
        case = harness.Case(
            f"la tabla 4×4 de clase, ventana 2, stride 2, mode={mode!r}",
            (table.copy(), 2, 2, mode),
            expected[:, :, None],
            "la tabla de la diapositiva",
            _pool_variants(table, 2, 2, mode, 2),
            [harness.Axis(4, 2, 2)] * 2,
            show=f"pool2d(tabla, 2, 2, {mode!r})[:, :, 0]",
            show_channel=True,
        )
        harness.run_case(fn, name, case)
    grid = np.arange(25, dtype=np.float64).reshape(5, 5, 1) % 7
    for mode, p in (("max", 2), ("lp", 2)):
        case = harness.Case(
            f"una imagen 5×5, ventana 3, stride 2 (solapado), mode={mode!r}",
            (grid.copy(), 3, 2, mode, p),
            keras_pool(grid, 3, 2, mode, p),
            "Keras",
            _pool_variants(grid, 3, 2, mode, p),
            [harness.Axis(5, 3, 2)] * 2,
        )
        harness.report_error(
            f"{name}, ventana 3 stride 2, mode={mode!r}", harness.run_case(fn, name, case)
        )


POOL_CLASSES = (
    harness.CaseClass(
        "ventanas solapadas (S < F), varios canales", lambda h, w, c, f, s: s < f and c > 1
    ),
    harness.CaseClass(
        "el stride no divide, varios canales",
        lambda h, w, c, f, s: c > 1 and not harness.Axis(h, f, s).divides,
    ),
    harness.CaseClass("F < S (píxeles saltados)", lambda h, w, c, f, s: f < s),
    harness.CaseClass("entrada no cuadrada, S = F", lambda h, w, c, f, s: s == f and h != w),
)
"""Shapes ``(H, W, C, F, S)``; each is pooled with 'max', 'avg' and 'lp' (p ≠ 2 on every
seed: the first two shapes draw p from 3 to 5, the others use p = 2)."""


def _pool_shape(rng) -> tuple:
    f, s = int(rng.integers(2, 4)), int(rng.integers(1, 4))
    h, w = (int(v) for v in rng.integers(f + 1, f + 8, size=2))
    return h, w, int(rng.integers(1, 4)), f, s


def _random_pools(seed: int):
    rng = np.random.default_rng(seed)
    for index, (h, w, c, size, stride) in enumerate(
        harness.draw_classes(rng, _pool_shape, POOL_CLASSES)
    ):
        # positive values: x^p is defined for any p, as for activations after a ReLU
        x = rng.uniform(0.1, 2.0, size=(h, w, c)).astype(np.float32)
        axes = [harness.Axis(h, size, stride), harness.Axis(w, size, stride)]
        p = int(rng.integers(3, 6)) if index < 2 else 2
        for mode in ("max", "avg", "lp"):
            lp = mode == "lp"
            yield harness.Case(
                f"entrada {x.shape}, ventana {size}, stride {stride}, mode={mode!r}"
                + (f", p={p}" if lp else ""),
                (x.astype(np.float64), size, stride, mode) + ((p,) if lp else ()),
                keras_pool(x, size, stride, mode, p),
                "Keras",
                _pool_variants(x, size, stride, mode, p),
                axes,
            )


def hidden_pool2d(fn: Callable, seed: int = harness.HIDDEN_SEED + 9) -> None:
    """Random volumes, sizes and strides (overlapping and not dividing); max, avg and LP."""
    harness.run_cases(fn, "pool2d", _random_pools(seed), "MaxPooling2D / AveragePooling2D")


def check_errata_pool(average) -> None:
    """The correct 2×2 average of the second slide's table."""
    if average is None:
        fail("common.not_implemented", name="errata_average")
    got = np.asarray(average, dtype=np.float64)
    harness.show("Tu promedio", got)
    print("Promedio (erróneo) de la diapositiva:", slides.ERRATA_POOL_SLIDE_AVG.tolist())
    if got.shape != slides.ERRATA_POOL_AVG.shape or not np.allclose(got, slides.ERRATA_POOL_AVG):
        if got.shape == slides.ERRATA_POOL_SLIDE_AVG.shape and np.allclose(
            got, slides.ERRATA_POOL_SLIDE_AVG
        ):
            hint = " Es el promedio erróneo de la diapositiva: calcúlalo tú con pool2d."
        else:
            hint = " Suma los 4 valores de cada ventana y divide entre 4 (pool2d con mode='avg')."
        # The expected values are not shown: computing them is the task.
        fail("conv.errata_average", got=got.tolist(), hint=hint)


# --------------------------------------------------------------------------- 7. max-pool backward

_GRADIENT = "tf.GradientTape sobre MaxPooling2D"


def check_maxpool_backward(fn: Callable) -> None:
    """The slides' table: each dout value lands on its window's maximum (9, 2, 6, 3)."""
    x = slides.POOL_TABLE[:, :, None].astype(np.float64)
    dout = np.array([[1.0, 2.0], [3.0, 4.0]])[:, :, None]
    case = harness.Case(
        "la tabla 4×4 de clase, ventana 2, stride 2",
        (x.copy(), dout.copy(), 2, 2),
        keras_maxpool_grad(x, dout, 2, 2),
        _GRADIENT,
        show="maxpool_backward(tabla, dout=[[1, 2], [3, 4]], 2, 2)[:, :, 0]",
        show_channel=True,
    )
    harness.report_error(
        "maxpool_backward, ejemplo de clase", harness.run_case(fn, "maxpool_backward", case)
    )


def _expect_accumulated(case: str, got, ref, dout, size: int, stride: int) -> None:
    """Overlapping windows: routing right but overwriting loses mass, with its own message."""
    if stride >= size or harness.error(got, ref) <= harness.tol():
        return
    outside = np.abs(got[np.abs(ref) == 0]).max(initial=0.0)
    if outside == 0 and not np.isclose(got.sum(), dout.sum(), atol=1e-4):
        fail("conv.maxpool_overlap", case=case, expected=float(dout.sum()), got=float(got.sum()))


def _tied(x, size: int, stride: int) -> bool:
    """Some window of ``x`` holds its maximum twice."""
    for i in range(0, x.shape[0] - size + 1, stride):
        for j in range(0, x.shape[1] - size + 1, stride):
            window = x[i : i + size, j : j + size]
            if np.any((window == window.max(axis=(0, 1))).sum(axis=(0, 1)) > 1):
                return True
    return False


MAXPOOL_BACKWARD_CLASSES = (
    harness.CaseClass(
        "máximos empatados en una ventana, ventanas solapadas",
        lambda x, f, s: s < f and _tied(x, f, s),
    ),
    harness.CaseClass("máximos empatados, S = F", lambda x, f, s: s == f and _tied(x, f, s)),
    harness.CaseClass(
        "ventanas solapadas, varios canales, sin empates",
        lambda x, f, s: s < f and x.shape[2] > 1 and not _tied(x, f, s),
    ),
    harness.CaseClass(
        "el stride no divide",
        lambda x, f, s: not harness.Axis(x.shape[0], f, s).divides,
    ),
)
"""The notebook: the gradient of a window goes whole to *the* position of its maximum
(``np.argmax``: the first one, as TensorFlow does) and overlapping windows add up."""


def _maxpool_input(rng) -> tuple:
    size, stride = int(rng.integers(2, 4)), int(rng.integers(1, 4))
    h, w = (int(v) for v in rng.integers(size + 2, size + 7, size=2))
    shape = (h, w, int(rng.integers(1, 3)))
    if rng.random() < 0.5:  # small integers: ties in the windows
        x = rng.integers(0, 3, size=shape).astype(np.float32)
    else:
        x = rng.normal(size=shape).astype(np.float32)
    return x, size, stride


def hidden_maxpool_backward(fn: Callable, seed: int = harness.HIDDEN_SEED + 10) -> None:
    """Random volumes and upstream gradients against tf.GradientTape: every class of
    :data:`MAXPOOL_BACKWARD_CLASSES` on every seed."""
    rng = np.random.default_rng(seed)
    name, worst = "maxpool_backward", 0.0
    drawn = harness.draw_classes(rng, _maxpool_input, MAXPOOL_BACKWARD_CLASSES)
    for x, size, stride in drawn:
        h, w, c = x.shape
        axes = [harness.Axis(h, size, stride), harness.Axis(w, size, stride)]
        dout = rng.normal(size=(axes[0].expected, axes[1].expected, c)).astype(np.float32)
        case = f"entrada {x.shape}, ventana {size}, stride {stride}"
        if _tied(x, size, stride):
            case += " (con máximos repetidos en una ventana)"
        args = (x.astype(np.float64), dout.astype(np.float64), size, stride)
        got = harness.call(fn, name, case, *args, axes=axes)
        ref = keras_maxpool_grad(x, dout, size, stride)
        harness.expect_shape(name, case, got, ref.shape)
        _expect_accumulated(case, got, ref, dout, size, stride)
        worst = max(worst, harness.compare(name, case, got, ref, _GRADIENT))
    harness.summary(name, len(drawn), _GRADIENT, worst)
