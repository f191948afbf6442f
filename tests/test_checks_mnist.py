"""Tests for `cnn_course.checks.mnist`: the solution passes, typical mistakes and cheats fail."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from nbutil import solution_namespace

import cnn_course.checks as checks_pkg

NOTEBOOK = "solutions/02_mnist/mnist.ipynb"


@pytest.fixture(scope="module")
def sol():
    """The solution functions of the MNIST source notebook."""
    return solution_namespace(
        NOTEBOOK,
        ["preprocess", "formulas", "shapes-by-hand", "model", "confusion", "binary", "lenet"],
        preamble="import numpy as np\nimport keras\nfrom cnn_course.fmt import number, percent",
    )


@pytest.fixture
def c():
    """The MNIST checks imported afresh (as hidden cells get them)."""
    return checks_pkg.hidden("mnist")


def _key(excinfo) -> str:
    return excinfo.value.key


def test_solution_passes_every_public_and_hidden_check(sol, c, real_data_env):
    """Every structural check passes on the solution's functions and models."""
    c.check_preprocess(sol["preprocess"], sol["pad_to_32"])
    c.hidden_preprocess(sol["preprocess"], sol["pad_to_32"])
    c.check_formulas(sol["conv_output_size"], sol["conv_params"])
    c.hidden_formulas(sol["conv_output_size"], sol["conv_params"])
    c.check_shapes_by_hand(sol["shapes"], sol["total"])
    c.check_model(sol["build_model"]())
    c.check_confusion(sol["confusion_matrix"])
    c.hidden_confusion(sol["confusion_matrix"])
    c.check_binary(sol["build_binary_model"]())
    c.check_lenet(sol["build_lenet5"](), sol["lenet_total"])


def test_slides_model_has_the_formula_count(sol):
    """The slides' model has 462,858 parameters and LeNet-5 61,706, as Keras counts them."""
    assert sol["build_model"]().count_params() == 462_858 == sol["total"]
    assert sol["build_lenet5"]().count_params() == 61_706 == sol["lenet_total"]


def test_ceil_instead_of_floor_passes_slides_but_fails_hidden(c):
    """Rounding up passes the slides' exact examples but the hidden grid catches it."""

    def ceil_size(n, f, p, s):
        return -(-(n + 2 * p - f) // s) + 1

    def params(f, m, k):
        return (f * f * m + 1) * k

    c.check_formulas(ceil_size, params)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_formulas(ceil_size, params)
    assert _key(excinfo) == "common.formula_case_hidden"
    assert "redondea hacia abajo" in str(excinfo.value)


def test_forgetting_the_bias_fails(c):
    """conv_params without the bias term fails on the slides' 111."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_formulas(lambda n, f, p, s: (n + 2 * p - f) // s + 1, lambda f, m, k: f * f * m * k)
    assert excinfo.value.values["expected"] == 111


def test_stub_gives_the_not_implemented_message(c):
    """The release stub (raise NotImplementedError) gets a Spanish message naming the function."""

    def stub(*args):
        raise NotImplementedError()

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_formulas(stub, stub)
    assert _key(excinfo) == "common.not_implemented"


def test_preprocess_without_scaling_fails(c, real_data_env):
    """Forgetting to divide by 255 is a relative-error failure."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_preprocess(lambda x: x.astype("float32")[..., None], lambda x: x)
    assert _key(excinfo) == "common.close"


def test_wrong_shape_by_hand_names_layer_without_answer(sol, c):
    """A wrong hand-computed shape names the layer and never prints the right shape."""
    shapes = list(sol["shapes"])
    shapes[2] = (12, 12, 64)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_shapes_by_hand(shapes, sol["total"])
    assert _key(excinfo) == "mnist.shape_by_hand"
    assert excinfo.value.values["index"] == 3
    assert "(11, 11, 64)" not in str(excinfo.value)


def test_wrong_total_does_not_reveal_the_count(sol, c):
    """A wrong total fails without printing 462,858."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_shapes_by_hand(sol["shapes"], 462_000)
    assert _key(excinfo) == "mnist.total_by_hand"
    assert "462" not in str(excinfo.value).replace("462 000", "")


def test_same_padding_model_fails_on_shape(c):
    """A model with padding='same' is caught at the first layer's shape."""
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        ]
    )
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_model(model)
    assert _key(excinfo) in ("common.layer_count", "common.layer_attr")


def test_missing_dropout_is_the_first_difference(c):
    """Leaving out Dropout names layer 6, where the Dropout should be."""
    layers = [
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(32, 3, activation="relu"),
        keras.layers.MaxPooling2D(2, strides=2),
        keras.layers.Conv2D(64, 3, activation="relu"),
        keras.layers.MaxPooling2D(2, strides=2),
        keras.layers.Flatten(),
        keras.layers.Dense(256, activation="relu"),
        keras.layers.Dense(128, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ]
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_model(keras.Sequential(layers))
    assert _key(excinfo) == "common.layer_type"
    assert (excinfo.value.values["index"], excinfo.value.values["expected"]) == (6, "Dropout")


def test_binary_model_with_softmax_fails(sol, c):
    """A binary head with softmax, or compiled with the categorical loss, fails."""
    model = sol["build_binary_model"]()
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_binary(model)
    assert _key(excinfo) == "common.compiled_loss"


def test_untrained_model_fails_accuracy(sol, c, real_data_env, monkeypatch):
    """A model that was never trained does not reach the threshold."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    keras.utils.set_random_seed(0)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_accuracy(sol["build_model"]())
    assert _key(excinfo) == "common.accuracy"


def test_monkeypatched_checks_do_not_fool_the_hidden_check(sol, c, real_data_env, monkeypatch):
    """A student cell that patches the checks, budgets and data is undone by the hidden reload."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    model = sol["build_model"]()
    # What a cheating cell might do in the notebook's process:
    c.check_accuracy = lambda m: None
    c.toolkit.evaluate.accuracy = lambda *a, **k: 1.0
    c.runtime.budget = lambda *a, **k: None
    c.check_accuracy(model)  # the patched public check "passes"
    fresh = checks_pkg.hidden("mnist")
    with pytest.raises(fresh.toolkit.CheckError) as excinfo:
        fresh.hidden_accuracy(model)
    assert _key(excinfo) == "common.accuracy"


def test_patched_predict_does_not_fool_accuracy(sol, c, real_data_env, monkeypatch):
    """Overriding model.predict on the instance does not change the measured accuracy."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    model = sol["build_model"]()
    _, (_, y_test) = c.data.load_mnist()
    model.predict = lambda x, **k: np.eye(10)[y_test[: len(x)]]
    with pytest.raises(c.toolkit.CheckError):
        c.hidden_accuracy(model)


def test_confusion_with_transposed_axes_fails(c):
    """Rows must be the real class: a transposed matrix fails."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_confusion(lambda t, p, n: np.histogram2d(p, t, bins=n)[0].astype(int))
    assert _key(excinfo) == "common.close"


def test_patch_after_dropping_sys_modules_is_still_undone(sol, real_data_env, monkeypatch):
    """Deleting cnn_course modules from sys.modules before patching does not survive the reload."""
    import sys

    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    c = checks_pkg.hidden("mnist")
    c.hidden_accuracy = lambda m: None
    for name in [n for n in sys.modules if n.startswith("cnn_course.checks.")]:
        del sys.modules[name]
    fresh = checks_pkg.hidden("mnist")
    assert fresh.hidden_accuracy is not None
    with pytest.raises(fresh.toolkit.CheckError) as excinfo:
        fresh.hidden_accuracy(sol["build_model"]())
    assert _key(excinfo) == "common.accuracy"
