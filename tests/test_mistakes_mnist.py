"""Mistake catalogue of the MNIST session: at least three plausible wrong answers per
grade cell, each rejected by the hidden
judge on 50 seeds and by the public check where its example can show it; the solution
earns every cell on the same seeds."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest
from mistakes import Mistake, assert_catalogue, assert_trained, fresh, run
from nbutil import solution_namespace

L = keras.layers
CELLS = ["preprocess", "formulas", "shapes-by-hand", "model", "confusion", "binary", "lenet"]


@pytest.fixture(scope="module")
def sol() -> dict:
    ns = solution_namespace(
        "solutions/02_mnist/mnist.ipynb",
        CELLS,
        preamble="import numpy as np\nimport keras\nfrom cnn_course.fmt import number, percent",
    )
    ns.update(
        model=ns["build_model"](),
        binary_model=ns["build_binary_model"](),
        lenet=ns["build_lenet5"](),
    )
    return ns


def _slides_model(drop=(), replace=None, head=None):
    """The slides' model with some layers left out or replaced (index → layer)."""
    built = [
        L.Conv2D(32, 3, activation="relu"),
        L.MaxPooling2D(2, strides=2),
        L.Conv2D(64, 3, activation="relu"),
        L.MaxPooling2D(2, strides=2),
        L.Flatten(),
        L.Dropout(0.5),
        L.Dense(256, activation="relu"),
        L.Dense(128, activation="relu"),
        head or L.Dense(10, activation="softmax"),
    ]
    for index, layer in (replace or {}).items():
        built[index] = layer
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), *(lr for i, lr in enumerate(built) if i not in drop)]
    )
    return model


def _binary(model, loss="binary_crossentropy"):
    model.compile(loss=loss, optimizer="adam")
    return model


def _lenet(activation="tanh", c5_conv=False, pool=L.AveragePooling2D):
    c5 = [L.Conv2D(120, 5, activation=activation), L.Flatten()]
    return keras.Sequential(
        [
            keras.Input((32, 32, 1)),
            L.Conv2D(6, 5, activation=activation),
            pool(2, strides=2),
            L.Conv2D(16, 5, activation=activation),
            pool(2, strides=2),
            *(c5 if c5_conv else [L.Flatten(), L.Dense(120, activation=activation)]),
            L.Dense(84, activation=activation),
            L.Dense(10, activation="softmax"),
        ]
    )


def _catalogue(S: dict, mnist) -> list[Mistake]:
    pre = S["preprocess"]
    size, params = S["conv_output_size"], S["conv_params"]
    shapes = list(S["shapes"])

    def reshaped(index, value):
        out = list(shapes)
        out[index] = value
        return out

    def confusion_from_labels(y_true, y_pred, num_classes):
        k = int(max(np.max(y_true), np.max(y_pred))) + 1
        out = np.zeros((k, k), dtype=np.int64)
        np.add.at(out, (y_true, y_pred), 1)
        return out

    def public_pre(s):
        mnist.check_preprocess(s["preprocess"], s["pad_to_32"])

    def public_formulas(s):
        mnist.check_formulas(s["conv_output_size"], s["conv_params"])

    def public_shapes(s):
        mnist.check_shapes_by_hand(s["shapes"], s["total"])

    def public_lenet(s):
        mnist.check_lenet(s["lenet"], s["lenet_total"])

    return [
        Mistake("test-preprocess", "divide entre x.max()", {"preprocess": lambda x: (x / x.max()).astype("float32")[..., None]}),
        Mistake("test-preprocess", "resta x.min()", {"preprocess": lambda x: ((x - x.min()) / 255).astype("float32")[..., None]}),
        Mistake("test-preprocess", "float64", {"preprocess": lambda x: (x / 255.0)[..., None]}, public_pre),
        Mistake("test-preprocess", "relleno solo abajo y a la derecha",
                {"pad_to_32": lambda x: np.pad(x, ((0, 0), (0, 4), (0, 4), (0, 0)))}, public_pre),
        Mistake("test-preprocess", "sin eje de canal", {"preprocess": lambda x: pre(x)[..., 0]}, public_pre),
        Mistake("test-formulas", "redondea hacia arriba",
                {"conv_output_size": lambda n, f, p, s: math.ceil((n + 2 * p - f) / s) + 1}),
        Mistake("test-formulas", "round() en vez de //",
                {"conv_output_size": lambda n, f, p, s: round((n + 2 * p - f) / s) + 1}),
        Mistake("test-formulas", "ignora P", {"conv_output_size": lambda n, f, p, s: size(n, f, 0, s)}, public_formulas),
        Mistake("test-formulas", "parámetros sin sesgo", {"conv_params": lambda f, m, k: f * f * m * k}, public_formulas),
        Mistake("test-formulas", "F y M cambiados", {"conv_params": lambda f, m, k: params(m, f, k)}),
        Mistake("test-shapes-by-hand", "pooling redondeado hacia arriba", {"shapes": reshaped(3, (6, 6, 64))}, public_shapes),
        Mistake("test-shapes-by-hand", "Flatten con los canales de la primera capa", {"shapes": reshaped(4, (800,))}, public_shapes),
        Mistake("test-shapes-by-hand", "total sin sesgos",
                {"total": 3 * 3 * 32 + 3 * 3 * 32 * 64 + 1600 * 256 + 256 * 128 + 128 * 10}, public_shapes),
        Mistake("test-model", "sin Dropout", {"model": _slides_model(drop=(5,))}, lambda s: mnist.check_model(s["model"])),
        Mistake("test-model", "Dense(256) sin activación", {"model": _slides_model(replace={6: L.Dense(256)})},
                lambda s: mnist.check_model(s["model"])),
        Mistake("test-model", "primera Conv2D con padding='same'",
                {"model": _slides_model(replace={0: L.Conv2D(32, 3, padding="same", activation="relu")})},
                lambda s: mnist.check_model(s["model"])),
        Mistake("test-confusion", "tamaño según las etiquetas", {"confusion_matrix": confusion_from_labels}),
        Mistake("test-confusion", "filas y columnas cambiadas",
                {"confusion_matrix": lambda t, p, k: S["confusion_matrix"](p, t, k)},
                lambda s: mnist.check_confusion(s["confusion_matrix"])),
        Mistake("test-confusion", "siempre 10 clases",
                {"confusion_matrix": lambda t, p, k: S["confusion_matrix"](t, p, 10)},
                lambda s: mnist.check_confusion(s["confusion_matrix"])),
        Mistake("test-binary", "otro cuerpo (sin Dropout)",
                {"binary_model": _binary(_slides_model(drop=(5,), head=L.Dense(1, activation="sigmoid")))},
                lambda s: mnist.check_binary(s["binary_model"])),
        Mistake("test-binary", "otro cuerpo (ReLU → tanh)",
                {"binary_model": _binary(_slides_model(replace={7: L.Dense(128, activation="tanh")}, head=L.Dense(1, activation="sigmoid")))},
                lambda s: mnist.check_binary(s["binary_model"])),
        Mistake("test-binary", "una neurona softmax",
                {"binary_model": _binary(_slides_model(head=L.Dense(1, activation="softmax")))},
                lambda s: mnist.check_binary(s["binary_model"])),
        Mistake("test-binary", "entropía cruzada categórica",
                {"binary_model": _binary(_slides_model(head=L.Dense(1, activation="sigmoid")), "categorical_crossentropy")},
                lambda s: mnist.check_binary(s["binary_model"])),
        Mistake("test-lenet", "ReLU en vez de tanh", {"lenet": _lenet("relu")}, public_lenet),
        Mistake("test-lenet", "C5 como Conv2D", {"lenet": _lenet(c5_conv=True)}, public_lenet),
        Mistake("test-lenet", "total sin sesgos", {"lenet_total": 61_706 - (6 + 16 + 120 + 84 + 10)}, public_lenet),
    ]  # fmt: skip


def test_every_mistake_is_rejected_on_every_seed(sol, capsys, real_data_env):
    """The hidden judge rejects every mistake on 50 seeds; the solution earns every cell."""
    mnist, grading = fresh("mnist", "grading")
    catalogue = _catalogue(sol, mnist)
    tally = run(grading.CELLS, None, "mnist", sol, catalogue)
    graded = set(grading.CELLS) - {"test-accuracy"}  # a trained model: its own test below
    assert_catalogue(tally, catalogue, graded, "02_mnist", capsys)


def test_hidden_batches_and_labels_draw_every_case_class():
    """No hidden batch holds a 0 or a 255; the confusion calls miss a class, give one only
    in the predictions and use another num_classes, on every seed."""
    from cnn_course.checks.toolkit.grading import rng_for

    mnist, grading = fresh("mnist", "grading")
    for seed in range(50):
        x = grading.CELLS["test-preprocess"].plan(rng_for(seed, "test-preprocess")).extra["x"]
        assert x.min() > 0 and x.max() < 255
        cases = mnist.confusion_cases(rng_for(seed, "test-confusion"))
        assert len(cases) == len(mnist.CONFUSION_CLASSES)
        (t0, p0, k0), (t1, p1, k1), (t2, p2, k2), (_, _, k3) = cases
        assert len(set(t0) | set(p0)) == 10 and k0 == 10
        assert 9 not in set(t1) | set(p1) and k1 == 10
        assert set(p2) - set(t2) and k2 == 10
        assert k3 != 10


@pytest.mark.slow
def test_accuracy_cell_rejects_untrained_and_unlearnt_models(sol, capsys, real_data_env):
    """``test-accuracy``: a model trained briefly on a slice of the real training set earns
    the cell; an untrained model, one trained on shuffled labels, one trained on raw 0–255
    pixels (the cell feeds the notebook's [0, 1] images) and a constant predictor lose it.
    """
    from mistakes import classifier_catalogue

    from cnn_course import data

    _, grading = fresh("mnist", "grading")
    (x, y), _ = data.load_mnist()
    x, y = data.balanced_subset(x, y, limit=12_000, seed=7)
    raw = x[..., None].astype("float32")
    good, catalogue = classifier_catalogue(
        "test-accuracy", (28, 28, 1), 10, sol["preprocess"](x), y, raw, 1
    )
    tally = run(grading.CELLS, None, "mnist", {**sol, "model": good}, catalogue)
    assert_trained(tally, "test-accuracy", "02_mnist (exactitud)", capsys)
