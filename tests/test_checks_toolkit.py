"""The shared toolkit: whole-architecture comparison, provable diagnoses, no leaked answers.

Failures are caught as AssertionError, the base of CheckError: a check imported afresh by
``cnn_course.checks.hidden`` in another test raises its own (fresh) CheckError class."""

from __future__ import annotations

import keras
import pytest
from keras import layers

from cnn_course.checks import mnist
from cnn_course.checks.convolucion.harness import Axis
from cnn_course.checks.toolkit import short
from cnn_course.checks.toolkit.architecture import describe, expect_same_architecture
from cnn_course.checks.toolkit.records import StudentError


def _model(body, shape=(8, 8, 4)):
    inputs = keras.Input(shape=shape)
    return keras.Model(inputs, body(inputs))


def test_an_activation_argument_equals_an_activation_layer():
    def argument(x):
        return layers.Conv2D(4, 3, activation="relu")(x)

    def layer(x):
        return layers.ReLU()(layers.Conv2D(4, 3)(x))

    assert describe(_model(argument)) == describe(_model(layer))
    expect_same_architecture("m", _model(layer), _model(argument), (8, 8, 4))


def test_add_commutes_and_concatenate_does_not():
    def add(order):
        def body(x):
            a, b = layers.Conv2D(4, 1)(x), layers.Conv2D(4, 3, padding="same")(x)
            return layers.Add()([a, b][::order])

        return body

    def concat(order):
        def body(x):
            a, b = layers.Conv2D(4, 1)(x), layers.Conv2D(4, 3, padding="same")(x)
            return layers.Concatenate()([a, b][::order])

        return body

    assert describe(_model(add(1))) == describe(_model(add(-1)))
    assert describe(_model(concat(1))) != describe(_model(concat(-1)))


def test_the_first_difference_is_named_without_the_whole_answer():
    def right(x):
        y = layers.BatchNormalization()(layers.Conv2D(4, 3, padding="same")(x))
        return layers.Activation("relu")(layers.Add()([y, x]))

    def bn_after_add(x):
        y = layers.Conv2D(4, 3, padding="same")(x)
        return layers.Activation("relu")(layers.BatchNormalization()(layers.Add()([y, x])))

    with pytest.raises(AssertionError) as info:
        expect_same_architecture("bloque", _model(bn_after_add), _model(right), (8, 8, 4))
    assert info.value.key == "common.architecture"
    assert info.value.values["index"] == 2
    assert "Add" not in str(info.value).split("(es")[0].split("debe ser")[1]


def test_a_wrong_input_is_named_before_any_layer():
    def body(x):
        return layers.Conv2D(4, 3)(x)

    with pytest.raises(AssertionError) as info:
        expect_same_architecture("m", _model(body, (9, 9, 4)), _model(body), (8, 8, 4))
    assert info.value.key == "common.input_shape"


def test_only_a_rounding_slip_is_called_off_by_one():
    """N=10, F=3, S=2, P=1: Keras gives 5; ⌈·⌉ gives 6 (a slip); ignoring P gives 4 (not)."""
    axis = Axis(10, 3, 2, 1)
    assert axis.expected == 5
    assert axis.is_slip(6)
    assert not axis.is_slip(4)


def test_a_replayed_error_is_shown_as_the_student_raised_it():
    assert short(StudentError("ValueError: mal")) == "ValueError: mal"
    assert short(ValueError("mal")) == "ValueError: mal"


def test_the_model_check_never_prints_the_shapes_or_the_count(capsys):
    """The slides' model check is what the by-hand cell asks for: no shape, no total."""
    model = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(32, 3, padding="same", activation="relu"),
            layers.MaxPooling2D(2, strides=2),
            layers.Conv2D(64, 3, activation="relu"),
            layers.MaxPooling2D(2, strides=2),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(256, activation="relu"),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ]
    )
    with pytest.raises(AssertionError) as info:
        mnist.check_model(model)
    shown = capsys.readouterr().out + str(info.value)
    assert info.value.key == "common.layer_attr"  # padding, named by layer and attribute
    for answer in ("462", "(None, 26, 26, 32)", "(None, 13, 13, 32)", "1600"):
        assert answer not in shown
