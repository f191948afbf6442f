"""Sections 2–4: the baseline and VGG-style models, and the deck's errata."""

from __future__ import annotations

import warnings

from cnn_course.checks import toolkit
from cnn_course.checks.cifar10 import reference
from cnn_course.checks.cifar10._common import (
    _expect_probabilities,
    _fresh,
    _short,
)
from cnn_course.checks.cifar10.reference import (
    BASELINE,
    DECK_FIXED_KINDS,
    DECK_FIXED_PARAMS,
    DECK_INPUT,
    INPUT_SHAPE,
    VGG,
)
from cnn_course.checks.toolkit import LayerSpec


# ---------------------------------------------------------------- 2–3. the models
def _kinds_only(plan) -> list[LayerSpec]:
    """The plan's layers with their output shapes, without attributes."""
    return [LayerSpec(s.kinds, s.output_shape) for s in plan.specs]


def check_baseline(model) -> None:
    """Public: layer types and order, every output shape, exact parameter count."""
    toolkit.expect_layers(model, _kinds_only(BASELINE), call="baseline", input_shape=INPUT_SHAPE)
    toolkit.expect_param_count(model, BASELINE.params, call="baseline", reveal=False)


def hidden_baseline(build_baseline, seed: int = 5) -> None:
    """Hidden: a fresh model with every attribute (filters, kernels, strides, padding,
    activations), its count, and a forward pass that gives probabilities."""
    model = _fresh(build_baseline, "build_baseline")
    toolkit.expect_layers(
        model, list(BASELINE.specs), call="build_baseline()", input_shape=INPUT_SHAPE
    )
    toolkit.expect_param_count(model, BASELINE.params, call="build_baseline()", reveal=False)
    _expect_probabilities("build_baseline()", model, INPUT_SHAPE, batch=3, seed=seed)


def check_vgg(model) -> None:
    """Public: layer types and order, every output shape, exact parameter count."""
    toolkit.expect_layers(model, _kinds_only(VGG), call="vgg", input_shape=INPUT_SHAPE)
    toolkit.expect_param_count(model, VGG.params, call="vgg", reveal=False)


def hidden_vgg(build_vgg, seed: int = 6) -> None:
    """Hidden: a fresh model with every attribute, its count and a forward pass."""
    model = _fresh(build_vgg, "build_vgg")
    toolkit.expect_layers(model, list(VGG.specs), call="build_vgg()", input_shape=INPUT_SHAPE)
    toolkit.expect_param_count(model, VGG.params, call="build_vgg()", reveal=False)
    _expect_probabilities("build_vgg()", model, INPUT_SHAPE, batch=2, seed=seed)


# ---------------------------------------------------------------- 4. the deck's errata
def _deck_model(code: str):
    """Run the student's comma-fixed deck code with Keras' own classes; its ``model``."""
    try:
        compiled = compile(code, "deck_code_comma", "exec")
    except SyntaxError as exc:
        toolkit.fail("cifar10.deck_parses", error=f"{exc.msg} (línea {exc.lineno})")
    namespace = reference.deck_namespace()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compiled, namespace)
    except Exception as exc:  # the student's code may raise anything
        toolkit.fail("cifar10.deck_crash", error=toolkit.short(exc))
    return namespace.get("model")


def _as_shape(name: str, value) -> tuple:
    try:
        shape = tuple(None if v is None else int(v) for v in value)
    except TypeError:
        toolkit.fail("common.wrong_type", name=name, expected="una tupla", got=_short(value))
    if not shape or shape[0] is not None:
        toolkit.fail("cifar10.batch_axis", name=name, got=shape)
    return shape


def _check_errata(deck_code_comma, wrong_shape, right_shape, fixed, wrong_reference) -> None:
    if not isinstance(deck_code_comma, str):
        toolkit.fail("common.not_implemented", name="deck_code_comma")
    if reference.normalised_code(deck_code_comma) != reference.normalised_code(
        reference.DECK_COMMA
    ):
        _deck_model(deck_code_comma)  # a parse error is the more useful message
        toolkit.fail("cifar10.deck_changed")
    deck = _deck_model(deck_code_comma)
    print("deck_code_comma: el código de la diapositiva ya se puede ejecutar")
    wrong = _as_shape("wrong_shape", wrong_shape)
    if wrong != wrong_reference(deck):
        toolkit.fail("cifar10.errata_wrong_shape", got=wrong)
    print(f"wrong_shape = {wrong}: correcto (no es la salida de un clasificador)")
    right = _as_shape("right_shape", right_shape)
    if right != (None, 2):
        toolkit.fail("cifar10.errata_right_shape", got=right)
    print(f"right_shape = {right}: correcto")
    specs = [LayerSpec(kind) for kind in DECK_FIXED_KINDS]
    toolkit.expect_layers(fixed, specs, call="deck_fixed")
    toolkit.expect_output_shape("deck_fixed", fixed, (None, 2))
    toolkit.expect_last_activation(fixed, "softmax", call="deck_fixed")
    toolkit.expect_param_count(fixed, DECK_FIXED_PARAMS, call="deck_fixed", reveal=False)


def check_errata(deck_code_comma, wrong_shape, right_shape, deck_fixed) -> None:
    """Public: the comma-fixed code runs unchanged otherwise, both shapes predicted, and the
    fixed model has a Flatten and the (None, 2) output."""

    def stored(_deck) -> tuple:
        return (None, 12, 12, 2)

    _check_errata(deck_code_comma, wrong_shape, right_shape, deck_fixed, stored)


def hidden_errata(
    deck_code_comma, wrong_shape, right_shape, build_deck_fixed, seed: int = 8
) -> None:
    """Hidden: the wrong shape read from the model Keras builds from the student's code, a
    fresh fixed model, every layer's attributes and a forward pass of another batch size."""

    def from_keras(deck) -> tuple:
        toolkit.expect_model("model (deck_code_comma)", deck)
        return tuple(deck.outputs[0].shape)

    fixed = _fresh(build_deck_fixed, "build_deck_fixed")
    _check_errata(deck_code_comma, wrong_shape, right_shape, fixed, from_keras)
    attrs = [
        {"filters": 32, "kernel_size": (3, 3), "activation": "relu"},
        {},
        {"filters": 32, "kernel_size": (3, 3), "activation": "relu"},
        {},
        {"pool_size": (2, 2)},
        {},
        {"units": 2, "activation": "softmax"},
    ]
    specs = [LayerSpec(k, None, a) for k, a in zip(DECK_FIXED_KINDS, attrs, strict=True)]
    toolkit.expect_layers(fixed, specs, call="build_deck_fixed()")
    _expect_probabilities("build_deck_fixed()", fixed, DECK_INPUT, batch=5, seed=seed)
