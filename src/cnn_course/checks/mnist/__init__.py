"""Checks of the MNIST session.

Public ``check_*`` functions run in the student's notebook; ``hidden_*`` functions
run in hidden grade cells after a fresh reload and re-derive everything they
need (their own data, their own evaluation, Keras itself as the reference).
"""

from __future__ import annotations

import numpy as np

import cnn_course.data as data
import cnn_course.runtime as runtime
from cnn_course.checks import toolkit
from cnn_course.checks.toolkit import LayerSpec, keras_conv_params, keras_output_size
from cnn_course.fmt import number

SESSION = "mnist"
NUM_CLASSES = 10

# The slides' model: Conv2D(32) → pool → Conv2D(64) → pool → Flatten → Dropout →
# Dense(256) → Dense(128) → Dense(10). Shapes and counts follow from the formulas.
SLIDES_MODEL = [
    LayerSpec(
        "Conv2D",
        (None, 26, 26, 32),
        {
            "filters": 32,
            "kernel_size": (3, 3),
            "strides": (1, 1),
            "padding": "valid",
            "activation": "relu",
        },
    ),
    LayerSpec("MaxPooling2D", (None, 13, 13, 32), {"pool_size": (2, 2), "strides": (2, 2)}),
    LayerSpec(
        "Conv2D",
        (None, 11, 11, 64),
        {
            "filters": 64,
            "kernel_size": (3, 3),
            "strides": (1, 1),
            "padding": "valid",
            "activation": "relu",
        },
    ),
    LayerSpec("MaxPooling2D", (None, 5, 5, 64), {"pool_size": (2, 2), "strides": (2, 2)}),
    LayerSpec("Flatten", (None, 1600)),
    LayerSpec("Dropout", (None, 1600), {"rate": 0.5}),
    LayerSpec("Dense", (None, 256), {"units": 256, "activation": "relu"}),
    LayerSpec("Dense", (None, 128), {"units": 128, "activation": "relu"}),
    LayerSpec("Dense", (None, 10), {"units": 10, "activation": "softmax"}),
]
SLIDES_PARAMS = (
    (3 * 3 * 1 + 1) * 32
    + (3 * 3 * 32 + 1) * 64
    + (1600 + 1) * 256
    + (256 + 1) * 128
    + (128 + 1) * 10
)

# LeNet-5 as the slides give it: 32×32×1 → C1 6@5×5 → S2 → C3 16@5×5 → S4 → 120 → 84 → 10,
# with C5 written as a Dense layer on the flattened 5×5×16 volume (the pack's one LeNet-5).
# The paper subsamples by averaging; max pooling is accepted too.
LENET5_PLAN = toolkit.reference_plan(
    (32, 32, 1), toolkit.lenet5_ops(NUM_CLASSES, c5="dense"), any_pooling=True
)
LENET5 = list(LENET5_PLAN.specs)
LENET5_PARAMS = LENET5_PLAN.params

# The slides' worked examples: (N, F, P, S) → output size, and (F, M, K) → parameters.
SLIDES_SIZES = [((7, 3, 0, 1), 5), ((7, 3, 0, 2), 3), ((5, 3, 1, 1), 5)]
SLIDES_PARAMS_CASES = [((3, 4, 3), 111)]


# ---------------------------------------------------------------- preprocessing
def _reference_preprocess(x):
    return (np.asarray(x, dtype=np.float32) / 255.0)[..., np.newaxis]


def _check_preprocess_on(preprocess, pad_to_32, x) -> None:
    out = toolkit.call_student(preprocess, "preprocess", x)
    toolkit.expect_shape("preprocess(x)", out, (*x.shape, 1))
    if np.asarray(out).dtype != np.float32:
        toolkit.fail(
            "common.dtype", name="preprocess(x)", expected="float32", got=np.asarray(out).dtype
        )
    toolkit.expect_close("preprocess(x)", out, _reference_preprocess(x), tol=1e-6)
    padded = toolkit.call_student(pad_to_32, "pad_to_32", out)
    toolkit.expect_shape("pad_to_32(x)", padded, (x.shape[0], 32, 32, 1))
    expected = np.pad(_reference_preprocess(x), ((0, 0), (2, 2), (2, 2), (0, 0)))
    toolkit.expect_close(
        "pad_to_32(x)",
        padded,
        expected,
        tol=1e-6,
        hint=" Rellena con ceros 2 píxeles por cada lado: 28 + 2 + 2 = 32.",
    )


def check_preprocess(preprocess, pad_to_32) -> None:
    """Public: scaling to [0, 1], channel axis and padding on three real digits."""
    (x_train, _), _ = data.load_mnist()
    _check_preprocess_on(preprocess, pad_to_32, x_train[:3])


PREPROCESS_CLASSES = (
    "ningún píxel vale 255 (dividir entre x.max() no es dividir entre 255)",
    "ningún píxel vale 0 (restar x.min() cambia los valores)",
    "un lote de otro tamaño que el del ejemplo",
)
"""Every hidden batch belongs to all three: :func:`preprocess_case`."""


def preprocess_case(rng) -> np.ndarray:
    """A batch of 5 to 12 random digits-sized images whose pixels stay within
    [low, high], 1 ≤ low ≤ 40 and 150 ≤ high ≤ 254: no 0 and no 255 anywhere."""
    low, high = int(rng.integers(1, 41)), int(rng.integers(150, 255))
    return rng.integers(low, high + 1, (int(rng.integers(5, 13)), 28, 28), dtype=np.uint8)


def hidden_preprocess(preprocess, pad_to_32) -> None:
    """Hidden: the same on a random batch of another size, without 0 or 255."""
    _check_preprocess_on(preprocess, pad_to_32, preprocess_case(np.random.default_rng(2024)))


# ---------------------------------------------------------------- formulas
def _stride_hint(args) -> str:
    n, f, p, s = args
    if (n + 2 * p - f) % s:
        return (
            f"(N + 2P − F)/S = {number((n + 2 * p - f) / s, 2)} no es entero: Keras redondea hacia abajo "
            "(⌊·⌋), la ventana no se sale de la imagen."
        )
    return ""


def check_formulas(conv_output_size, conv_params) -> None:
    """Public: the slides' worked examples."""
    toolkit.expect_cases("conv_output_size", conv_output_size, SLIDES_SIZES, hint=_stride_hint)
    toolkit.expect_cases("conv_params", conv_params, SLIDES_PARAMS_CASES)


def _frac_above_half(n, f, p, s) -> bool:
    return 2 * ((n + 2 * p - f) % s) > s


SIZE_CLASSES = (
    ("el stride no divide, fracción > 1/2", lambda n, f, p, s: _frac_above_half(n, f, p, s)),
    ("el stride no divide, fracción < 1/2", lambda n, f, p, s: 0 < (n + 2 * p - f) % s * 2 < s),
    ("F < S", lambda n, f, p, s: f < s),
    ("P > 0 y S > 1", lambda n, f, p, s: p > 0 and s > 1),
    ("F = 1", lambda n, f, p, s: f == 1),
    ("el stride divide, S > 1", lambda n, f, p, s: s > 1 and (n + 2 * p - f) % s == 0),
)
PARAMS_CLASSES = (
    ("F > 1, M ≠ K", lambda f, m, k: f > 1 and m != k and f != m),
    ("F = 1", lambda f, m, k: f == 1 and m != k),
)


def _drawn(rng, make, classes, extra: int) -> list[tuple]:
    """One draw per class (redrawn until it holds), then ``extra`` free draws."""
    out = []
    for _, holds in classes:
        while not holds(*(case := make(rng))):
            pass
        out.append(case)
    return out + [make(rng) for _ in range(extra)]


def _size_args(rng) -> tuple:
    f = int(rng.integers(1, 6))
    return int(rng.integers(f, 40)), f, int(rng.integers(0, 3)), int(rng.integers(1, 5))


def formula_cases(rng) -> tuple[list, list]:
    """Hidden cases with Keras' answers: every class of :data:`SIZE_CLASSES` and
    :data:`PARAMS_CLASSES`, random values on top (the slides' 2.33 case among them)."""
    sizes = [
        (args, keras_output_size(args[0], args[1], args[3], args[2]))
        for args in _drawn(rng, _size_args, SIZE_CLASSES, 6)
    ]
    sizes.append(((7, 3, 0, 3), keras_output_size(7, 3, 3, 0)))  # the slides' 2.33 case
    triples = _drawn(rng, lambda r: tuple(int(v) for v in r.integers(1, 9, 3)), PARAMS_CLASSES, 4)
    params = [(fmk, keras_conv_params(*fmk)) for fmk in triples]
    return sizes, params


def expect_formulas(conv_output_size, conv_params, sizes, params) -> None:
    """Every case of both formulas, with the stride hint for a wrong size."""
    toolkit.expect_cases("conv_output_size", conv_output_size, sizes, hint=_stride_hint)
    toolkit.expect_cases("conv_params", conv_params, params)


def hidden_formulas(conv_output_size, conv_params, rng=None) -> None:
    """Hidden: a random grid against Keras (the grader draws a fresh generator)."""
    expect_formulas(conv_output_size, conv_params, *formula_cases(rng or np.random.default_rng(7)))


# ---------------------------------------------------------------- shapes by hand
def slides_shapes() -> list[tuple]:
    """Output shape (without the batch axis) of every layer of the slides' model."""
    return [spec.output_shape[1:] for spec in SLIDES_MODEL]


def check_shapes_by_hand(shapes, total) -> None:
    """Public and hidden: shapes and total computed by the student before summary()."""
    expected = slides_shapes()
    got = [tuple(int(v) for v in s) for s in shapes]
    if len(got) != len(expected):
        toolkit.fail("common.value", name="len(shapes)", expected=len(expected), got=len(got))
    # The messages name the first wrong layer but never print the right answer.
    for index, (g, e) in enumerate(zip(got, expected, strict=True), start=1):
        if g != e:
            toolkit.fail(
                "mnist.shape_by_hand", index=index, layer=SLIDES_MODEL[index - 1].kind, got=g
            )
    print(f"Formas de las {len(got)} capas: correctas. Total calculado: {number(int(total))}")
    if int(total) != SLIDES_PARAMS:
        toolkit.fail("mnist.total_by_hand", name="total", got=int(total))


# ---------------------------------------------------------------- the model
def check_model(model, reveal: bool = False) -> None:
    """Public and hidden: input, layer types and order, every output shape, exact parameter
    count. Neither the shapes nor the count are printed before they are right: the by-hand
    cell asks for them (``reveal`` is accepted for older notebooks and ignored)."""
    toolkit.expect_layers(model, SLIDES_MODEL, input_shape=(28, 28, 1))
    toolkit.expect_param_count(model, SLIDES_PARAMS, reveal=False)


def _held_out(budget) -> tuple[np.ndarray, np.ndarray]:
    _, (x_test, y_test) = data.load_mnist()
    x, y = data.balanced_subset(x_test, y_test, limit=budget.test_size or None, seed=0)
    return _reference_preprocess(x), y


# Check functions return None: nbgrader reads a number left as a grade cell's
# result as partial credit.
def check_accuracy(model, profile: str | None = None) -> None:
    """Accuracy on the held-out test set, measured here, against ``profile``'s threshold
    (default: the detected profile; the grader names its own)."""
    budget = runtime.budget(SESSION, profile)
    toolkit.expect_accuracy(model, *_held_out(budget), budget)


def hidden_accuracy(model) -> None:
    """Hidden (in-kernel): the same, with this module's own data and a trusted copy."""
    check_accuracy(model)


BINARY_MODEL = [
    *SLIDES_MODEL[:-1],
    LayerSpec("Dense", (None, 1), {"units": 1, "activation": "sigmoid"}),
]
"""The binary variant: the body of :data:`SLIDES_MODEL` with one sigmoid unit."""


def check_binary(model) -> None:
    """Public and hidden: the slides' body layer by layer, one sigmoid unit, output (None, 1),
    binary cross-entropy."""
    toolkit.expect_model("binary_model", model)
    got = toolkit.output_shape(model, (28, 28, 1))
    if got != (None, 1):
        toolkit.fail("common.output_shape", call="binary_model", expected=(None, 1), got=got)
    toolkit.expect_last_activation(model, "sigmoid", call="binary_model")
    toolkit.expect_layers(model, BINARY_MODEL, call="binary_model", input_shape=(28, 28, 1))
    toolkit.expect_loss(model, "binary_crossentropy")
    print("Variante binaria correcta: 1 neurona sigmoide y entropía cruzada binaria")


def check_lenet(model, total_by_formula) -> None:
    """Public and hidden: the student's formula total, then LeNet-5's structure and parameter count."""
    # The total comes first: the model check prints the expected count.
    if total_by_formula is None:
        toolkit.fail("common.not_implemented", name="lenet_total")
    print(f"Parámetros de LeNet-5 por fórmula: {number(int(total_by_formula))}")
    if int(total_by_formula) != LENET5_PARAMS:
        toolkit.fail("mnist.total_by_hand", name="lenet_total", got=int(total_by_formula))
    toolkit.expect_layers(model, LENET5, call="lenet", input_shape=(32, 32, 1))
    toolkit.expect_param_count(model, LENET5_PARAMS)


# ---------------------------------------------------------------- confusion matrix
def _reference_confusion(y_true, y_pred, num_classes):
    out = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(out, (y_true, y_pred), 1)
    return out


def check_confusion(confusion_matrix) -> None:
    """Public: a tiny example worked by hand."""
    got = toolkit.call_student(
        confusion_matrix, "confusion_matrix", np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]), 3
    )
    toolkit.expect_close(
        "confusion_matrix",
        got,
        [[1, 0, 0], [0, 1, 1], [0, 0, 1]],
        tol=0,
        hint=" Las filas son la clase real y las columnas la predicha.",
    )


CONFUSION_CLASSES = (
    "las 10 clases aparecen",
    "la clase más alta no aparece ni en y_true ni en y_pred (la matriz sigue siendo 10×10)",
    "una clase solo aparece en y_pred",
    "num_classes distinto de 10",
)
"""One call per class on every seed (:func:`confusion_cases`)."""


def confusion_cases(rng) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """``(y_true, y_pred, num_classes)`` of each class of :data:`CONFUSION_CLASSES`."""
    size = int(rng.integers(300, 700))
    full = rng.integers(0, 10, size), rng.integers(0, 10, size)
    top = int(rng.integers(6, 10))  # classes top..9 never appear
    missing = rng.integers(0, top, size), rng.integers(0, top, size)
    only = int(rng.integers(0, 10))
    y_true = rng.choice([c for c in range(10) if c != only], size)
    y_pred = rng.integers(0, 10, size)
    y_pred[int(rng.integers(size))] = only
    k = int(rng.integers(3, 9))
    small = rng.integers(0, k, size), rng.integers(0, k, size)
    return [(*full, 10), (*missing, 10), (y_true, y_pred, 10), (*small, k)]


def confusion_case(rng) -> tuple[np.ndarray, np.ndarray]:
    """Random labels of 10 classes, of a random length (the first class above)."""
    y_true, y_pred, _ = confusion_cases(rng)[0]
    return y_true, y_pred


def hidden_confusion(confusion_matrix, rng=None) -> None:
    """Hidden: one call per class of :data:`CONFUSION_CLASSES`."""
    for y_true, y_pred, k in confusion_cases(rng or np.random.default_rng(11)):
        got = toolkit.call_student(confusion_matrix, "confusion_matrix", y_true, y_pred, k)
        expect_confusion(got, y_true, y_pred, k)


def expect_confusion(got, y_true, y_pred, num_classes: int = 10) -> None:
    """The student's matrix against the reference for these labels."""
    toolkit.expect_close(
        f"confusion_matrix(y_true, y_pred, {num_classes})",
        got,
        _reference_confusion(y_true, y_pred, num_classes),
        tol=0,
        hint=" Las filas son la clase real y las columnas la predicha.",
    )


def measure(namespace: dict) -> float:
    """Held-out accuracy of the notebook's ``model`` (used by bench/measure_thresholds.py)."""
    budget = runtime.budget(SESSION)
    return toolkit.accuracy(namespace["model"], *_held_out(budget))
