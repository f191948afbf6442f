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


def hidden_preprocess(preprocess, pad_to_32) -> None:
    """Hidden: the same on random images of another batch size."""
    rng = np.random.default_rng(2024)
    _check_preprocess_on(preprocess, pad_to_32, rng.integers(0, 256, (7, 28, 28), dtype=np.uint8))


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


def formula_cases(rng) -> tuple[list, list]:
    """Hidden cases: a random grid of (N, F, P, S) and (F, M, K) with Keras' answers,
    strides that do not divide included (the slides' 2.33 case among them)."""
    sizes = []
    for _ in range(12):
        f = int(rng.integers(1, 6))
        n = int(rng.integers(f, 40))
        p = int(rng.integers(0, 3))
        s = int(rng.integers(1, 5))
        sizes.append(((n, f, p, s), keras_output_size(n, f, s, p)))
    sizes.append(((7, 3, 0, 3), keras_output_size(7, 3, 3, 0)))  # the slides' 2.33 case
    params = [
        ((f, m, k), keras_conv_params(f, m, k)) for f, m, k in rng.integers(1, 9, (6, 3)).tolist()
    ]
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
def check_model(model) -> None:
    """Public and hidden: layer types and order, every output shape, exact parameter count."""
    toolkit.expect_layers(model, SLIDES_MODEL)
    toolkit.expect_param_count(model, SLIDES_PARAMS)


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


def check_binary(model) -> None:
    """Public and hidden: one sigmoid unit, binary cross-entropy, output (None, 1)."""
    toolkit.expect_model("binary_model", model)
    got = toolkit.output_shape(model, (28, 28, 1))
    if got != (None, 1):
        toolkit.fail("common.output_shape", call="binary_model", expected=(None, 1), got=got)
    toolkit.expect_last_activation(model, "sigmoid", call="binary_model")
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
    toolkit.expect_layers(model, LENET5)
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


def confusion_case(rng) -> tuple[np.ndarray, np.ndarray]:
    """Random labels of 10 classes, of a random length."""
    size = int(rng.integers(300, 700))
    return rng.integers(0, 10, size), rng.integers(0, 10, size)


def hidden_confusion(confusion_matrix, rng=None) -> None:
    """Hidden: random labels, 10 classes."""
    y_true, y_pred = confusion_case(rng or np.random.default_rng(11))
    got = toolkit.call_student(confusion_matrix, "confusion_matrix", y_true, y_pred, 10)
    expect_confusion(got, y_true, y_pred)


def expect_confusion(got, y_true, y_pred) -> None:
    """The student's matrix against the reference for these labels."""
    toolkit.expect_close(
        "confusion_matrix",
        got,
        _reference_confusion(y_true, y_pred, 10),
        tol=0,
        hint=" Las filas son la clase real y las columnas la predicha.",
    )


def measure(namespace: dict) -> float:
    """Held-out accuracy of the notebook's ``model`` (used by bench/measure_thresholds.py)."""
    budget = runtime.budget(SESSION)
    return toolkit.accuracy(namespace["model"], *_held_out(budget))
