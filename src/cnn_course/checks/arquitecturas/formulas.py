"""The student's counting functions: parameters, receptive fields and multiply-adds.

Each formula has the notebook's cases (public) and other arguments for the grader
(hidden), in one table: :data:`PARAM_FORMULAS`, :data:`VGG_STACK`, :data:`INCEPTION_COST`.
A result the student must produce is never revealed before it is right
(``reveal=False``). ``model_macs`` is checked on models built here, with their
multiply-adds worked out by hand.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnn_course.checks import toolkit
from cnn_course.checks.arquitecturas.reference import (
    INCEPTION_3A,
    alexnet_ops,
    build_from_plan,
    inception_macs_reference,
)
from cnn_course.fmt import number


@dataclass(frozen=True)
class Formula:
    """One student function and its cases ``(args, kwargs, expected)``."""

    name: str
    public: tuple
    hidden: tuple
    hint: str = ""
    """added to a wrong public case"""
    hidden_hint: str = ""
    """added to a wrong hidden case"""


def _expect_formulas(formulas: tuple[Formula, ...], fns: tuple, hidden: bool = False) -> None:
    """Each of ``fns`` against the public (or hidden) cases of its formula, in order."""
    for formula, fn in zip(formulas, fns, strict=True):
        cases = formula.hidden if hidden else formula.public
        hint = formula.hidden_hint if hidden else formula.hint
        toolkit.expect_cases(formula.name, fn, list(cases), hint=hint, reveal=False)


def _inception_cases(*configs: tuple) -> tuple:
    """inception_macs cases, with and without the 1×1 reductions, from the reference."""
    cases = []
    for args in configs:
        cases.append((args, {}, inception_macs_reference(*args)))
        cases.append((args, {"reduce": False}, inception_macs_reference(*args, reduce=False)))
    return tuple(cases)


INCEPTION_3A_ARGS = (28, 28, 192, *INCEPTION_3A)
"""inception_macs arguments of module 3a on its 28×28×192 input."""

# ------------------------------------------------------------------ the tables

PARAM_FORMULAS = (
    Formula(
        "conv_params",
        public=(((5, 1, 6), {}, 156), ((5, 6, 16), {}, 2_416), ((5, 16, 120), {}, 48_120)),
        hidden=(
            ((3, 64, 128), {}, 73_856),
            ((11, 3, 96), {}, 34_944),
            ((1, 192, 16), {}, 3_088),
            ((7, 3, 64), {"use_bias": False}, 9_408),
            ((3, 5, 7), {"use_bias": False}, 315),
        ),
        hint="Cada uno de los K filtros tiene F×F×M pesos y un sesgo.",
        hidden_hint="Cada uno de los K filtros tiene F×F×M pesos y, si use_bias=True, un sesgo.",
    ),
    Formula(
        "dense_params",
        public=(((120, 84), {}, 10_164), ((84, 10), {}, 850)),
        hidden=(((9216, 4096), {}, 37_752_832), ((1, 1), {}, 2), ((512, 7), {}, 3_591)),
        hint="Cada neurona tiene un peso por entrada y un sesgo.",
    ),
)
"""Section 1: conv_params(f, m, k, use_bias=True) and dense_params(in_units, units)."""

VGG_STACK = (
    Formula(
        "receptive_field",
        public=(((1,), {}, 3), ((2,), {}, 5), ((3,), {}, 7)),
        hidden=(((5,), {}, 11), ((2,), {"kernel_size": 5}, 9), ((4,), {"kernel_size": 1}, 1)),
        hint="Cada capa 3×3 (stride 1) amplía el campo receptivo en 2 píxeles.",
    ),
    Formula(
        "stack_params",
        public=(((256, 2), {}, 1_180_160), ((256, 3), {}, 1_770_240)),
        hidden=(((64, 2), {}, 73_856), ((3, 4), {}, 336), ((512, 1), {}, 2_359_808)),
        hint="Son num_layers capas 3×3 de C a C canales, cada una con sesgo.",
    ),
)
"""Section 3: receptive_field(num_layers, kernel_size=3) and stack_params(channels, num_layers)."""

INCEPTION_COST = (
    Formula(
        "conv_macs",
        public=(((28, 28, 5, 192, 32), {}, 120_422_400), ((28, 28, 1, 192, 16), {}, 2_408_448)),
        hidden=(((55, 55, 11, 3, 96), {}, 105_415_200), ((7, 5, 3, 2, 4), {}, 2_520)),
        hint="Cada uno de los H×W×C_out valores de salida cuesta F×F×C_in multiplicaciones-suma.",
    ),
    Formula(
        "inception_macs",
        public=_inception_cases(INCEPTION_3A_ARGS),
        hidden=_inception_cases(
            (14, 14, 480, 192, 96, 208, 16, 48, 64),
            (7, 7, 832, 384, 192, 384, 48, 128, 128),
            (5, 9, 3, 2, 3, 4, 5, 6, 7),
        ),
    ),
)
"""Section 4: conv_macs(h_out, w_out, kernel_size, in_channels, filters) and
inception_macs(h, w, c_in, f1, f3r, f3, f5r, f5, fp, reduce=True)."""

# ------------------------------------------------------------------ drawn per seed

CASE_CLASSES = {
    "conv_params": ("F > 1 con sesgo", "F = 1 (convolución 1×1)", "use_bias=False"),
    "dense_params": ("varias entradas y neuronas", "una sola neurona"),
    "receptive_field": (
        "kernel 3 por defecto",
        "otro kernel impar mayor que 3",
        "kernel 1 (el campo no crece)",
    ),
    "stack_params": ("una sola capa", "varias capas"),
    "conv_macs": ("F > 1, salida no cuadrada", "F = 1"),
    "inception_macs": ("con las reducciones 1×1", "sin ellas (reduce=False)"),
}
"""The case classes each hidden formula check draws on every seed (:func:`drawn_cases`),
on top of the fixed hidden cases of its table, with random values."""


def drawn_cases(name: str, rng) -> list[tuple]:
    """One case ``(args, kwargs, expected)`` of each class of ``CASE_CLASSES[name]``, in order."""

    def r(lo: int, hi: int) -> int:
        return int(rng.integers(lo, hi + 1))

    if name == "conv_params":
        f, m, k = r(2, 7), r(2, 300), r(2, 300)
        m1, k1 = r(2, 500), r(2, 500)
        fb, mb, kb = r(1, 7), r(1, 64), r(1, 64)
        return [
            ((f, m, k), {}, k * (f * f * m + 1)),
            ((1, m1, k1), {}, k1 * (m1 + 1)),
            ((fb, mb, kb), {"use_bias": False}, kb * fb * fb * mb),
        ]
    if name == "dense_params":
        n, u = r(2, 5000), r(2, 5000)
        n1 = r(2, 5000)
        return [((n, u), {}, n * u + u), ((n1, 1), {}, n1 + 1)]
    if name == "receptive_field":
        n, n1, k1, n2 = r(1, 12), r(1, 8), 2 * r(2, 4) + 1, r(1, 8)
        return [
            ((n,), {}, 1 + 2 * n),
            ((n1,), {"kernel_size": k1}, 1 + n1 * (k1 - 1)),
            ((n2,), {"kernel_size": 1}, 1),
        ]
    if name == "stack_params":
        c, c1, n1 = r(1, 512), r(1, 512), r(2, 6)
        return [((c, 1), {}, 9 * c * c + c), ((c1, n1), {}, n1 * (9 * c1 * c1 + c1))]
    if name == "conv_macs":
        h, w, f, ci, co = r(2, 60), r(2, 60), r(2, 7), r(1, 256), r(1, 256)
        while w == h:
            w = r(2, 60)
        h1, w1, ci1, co1 = r(1, 60), r(1, 60), r(1, 512), r(1, 512)
        return [
            ((h, w, f, ci, co), {}, h * w * f * f * ci * co),
            ((h1, w1, 1, ci1, co1), {}, h1 * w1 * ci1 * co1),
        ]
    if name == "inception_macs":
        args = (r(3, 30), r(3, 30), *(r(1, 256) for _ in range(7)))
        return [
            (args, {}, inception_macs_reference(*args)),
            (args, {"reduce": False}, inception_macs_reference(*args, reduce=False)),
        ]
    raise KeyError(name)


def _expect_drawn(formulas: tuple[Formula, ...], fns: tuple, seed: int) -> None:
    """The fixed hidden cases, then one drawn case of every class of each formula."""
    _expect_formulas(formulas, fns, hidden=True)
    rng = np.random.default_rng(seed)
    for formula, fn in zip(formulas, fns, strict=True):
        cases = drawn_cases(formula.name, rng)
        toolkit.expect_cases(formula.name, fn, cases, hint=formula.hidden_hint, reveal=False)


# ------------------------------------------------------------------ the checks


def check_param_formulas(conv_params: Callable, dense_params: Callable) -> None:
    """conv_params / dense_params on LeNet-5's layers, as Keras counts them."""
    _expect_formulas(PARAM_FORMULAS, (conv_params, dense_params))


def hidden_param_formulas(conv_params: Callable, dense_params: Callable, seed: int = 0) -> None:
    """Other kernels, channel counts and ``use_bias=False``; every class of
    :data:`CASE_CLASSES` drawn from ``seed``."""
    _expect_drawn(PARAM_FORMULAS, (conv_params, dense_params), seed)


def check_vgg_stack(receptive_field: Callable, stack_params: Callable) -> None:
    """Receptive field of stacked 3×3 convolutions and their parameters vs one big kernel."""
    _expect_formulas(VGG_STACK, (receptive_field, stack_params))


def hidden_vgg_stack(receptive_field: Callable, stack_params: Callable, seed: int = 0) -> None:
    """Other depths, kernel sizes and channel counts; every class of :data:`CASE_CLASSES`
    drawn from ``seed``."""
    _expect_drawn(VGG_STACK, (receptive_field, stack_params), seed)


def check_inception_macs(conv_macs: Callable, inception_macs: Callable) -> None:
    """conv_macs on a few layers, then module 3a with and without the 1×1 reductions."""
    _expect_formulas(INCEPTION_COST, (conv_macs, inception_macs))
    reduced = inception_macs_reference(*INCEPTION_3A_ARGS)
    naive = inception_macs_reference(*INCEPTION_3A_ARGS, reduce=False)
    print(
        f"Módulo 3a: {number(naive)} multiplicaciones-suma sin reducción, {number(reduced)} con ella "
        f"({number(naive / reduced, 2)} veces menos)"
    )


def hidden_inception_macs(conv_macs: Callable, inception_macs: Callable, seed: int = 0) -> None:
    """Other layers and modules (4a, 5b, a small odd one); every class of
    :data:`CASE_CLASSES` drawn from ``seed``."""
    _expect_drawn(INCEPTION_COST, (conv_macs, inception_macs), seed)


# ------------------------------------------------------------------ 7. multiply-adds


def _macs_models():
    """Small models built here with their multiply-adds worked out by hand."""
    import keras
    from keras import layers

    ops = toolkit.lenet5_ops(10, c5="conv")
    lenet = build_from_plan((32, 32, 1), ops, activation="tanh")
    lenet_macs = toolkit.reference_plan((32, 32, 1), ops).macs

    inputs = keras.Input(shape=(7, 7, 4))
    up = layers.Conv2DTranspose(6, 2, strides=2, padding="same")(inputs)  # 7·7 · 2·2·4·6
    out = layers.Conv2D(1, 1, activation="sigmoid")(up)  # 14·14 · 1·1·6·1
    decoder = keras.Model(inputs, out)
    decoder_macs = 7 * 7 * 2 * 2 * 4 * 6 + 14 * 14 * 6
    return [("LeNet-5", lenet, lenet_macs), ("decodificador", decoder, decoder_macs)]


def _expect_macs(model_macs: Callable, label: str, model, expected: int) -> None:
    got, _ = toolkit.call_case(model_macs, "model_macs", model)
    if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
        toolkit.fail("common.not_integer", call=f"model_macs({label})", got=repr(got))
    if int(got) != expected:
        toolkit.fail("arch.macs", model=label, expected=expected, got=int(got))
    print(f"Multiplicaciones-suma de {label}: {number(int(got))} (correcto)")


def check_model_macs(model_macs: Callable) -> None:
    """A LeNet-5 and a tiny decoder with Conv2DTranspose, both built here."""
    for label, model, expected in _macs_models():
        _expect_macs(model_macs, label, model, expected)


def hidden_model_macs(model_macs: Callable) -> None:
    """AlexNet on 99×99×1, and a functional model with strides, odd kernels and branches."""
    import keras
    from keras import layers

    ops = alexnet_ops(10)
    alexnet = build_from_plan((99, 99, 1), ops)
    expected = toolkit.reference_plan((99, 99, 1), ops).macs
    _expect_macs(model_macs, "AlexNet 99×99×1", alexnet, expected)
    del alexnet  # ~0.1 GB of weights
    gc.collect()

    inputs = keras.Input(shape=(20, 24, 3))
    a = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)  # 10×12: 10·12·9·3·8
    b = layers.Conv2D(5, (1, 5), padding="valid")(a)  # 10×8: 10·8·1·5·8·5
    c = layers.Conv2D(5, 1)(a)  # 10×12×5, on a branch: 10·12·8·5
    m = layers.MaxPooling2D((2, 3))(c)  # 5×4
    t = layers.Conv2DTranspose(5, 3, strides=2, padding="same")(m)  # from 5·4: ·9·5·5 → 10×8
    d = layers.Concatenate()([b, t])  # 10×8×10
    out = layers.Dense(7)(layers.Flatten()(d))  # 800·7
    model = keras.Model(inputs, out)
    expected = (
        10 * 12 * 9 * 3 * 8 + 10 * 8 * 5 * 8 * 5 + 10 * 12 * 8 * 5 + 5 * 4 * 9 * 5 * 5 + 800 * 7
    )
    _expect_macs(model_macs, "un modelo con ramas", model, expected)
