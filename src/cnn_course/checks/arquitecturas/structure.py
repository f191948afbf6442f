"""What the architecture checks of this session share: building from a student's tensor
function, kernel counts, classifiers against a plan, and the hidden variants loop."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable

from cnn_course.checks import toolkit


def tensor_model(
    fn: Callable, name: str, input_shape: tuple, args: tuple, call: str, on_error=None
):
    """``keras.Model(inputs, fn(inputs, *args))`` on ``keras.Input(input_shape)``.

    For the student's functions that take and return a tensor (an Inception module, a
    residual block). A failure while building becomes ``common.crash`` naming ``call``;
    ``on_error(exc, call)`` may raise a more precise message first.
    """
    import keras

    inputs = keras.Input(shape=input_shape)
    try:
        return keras.Model(inputs, toolkit.call_student(fn, name, inputs, *args))
    except toolkit.CheckError:
        raise
    except Exception as exc:  # e.g. branches of different sizes cannot be concatenated
        if on_error is not None:
            on_error(exc, call)
        toolkit.fail("common.crash", call=call, error=toolkit.short(exc))


def kernels(model) -> Counter:
    """How many Conv2D layers of each kernel size the model has."""
    return Counter(
        tuple(layer.kernel_size) for layer in model.layers if type(layer).__name__ == "Conv2D"
    )


def expect_kernels(call: str, model, expected: dict[tuple, int]) -> None:
    """Exactly ``n`` Conv2D layers with each kernel size of ``expected``."""
    got = kernels(model)
    for kernel, n in expected.items():
        if got[kernel] != n:
            size = "×".join(map(str, kernel))
            toolkit.fail("arch.kernel_count", call=call, kernel=size, expected=n, got=got[kernel])


def expect_layer_shapes(call: str, model, kind: str, expected: list[tuple], key: str) -> None:
    """The output shape of each layer of class ``kind``, in order (``key``: the message)."""
    found = [layer for layer in model.layers if type(layer).__name__ == kind]
    for index, (layer, shape) in enumerate(zip(found, expected, strict=True), start=1):
        got = tuple(layer.output.shape)
        if got != shape:
            toolkit.fail(key, call=call, index=index, expected=shape, got=got)


def expect_classifier(
    call: str, model, specs: tuple, params: int, num_classes: int, input_shape: tuple
) -> None:
    """A classifier: its input, one softmax output of num_classes, every layer in order
    (Dropout included, activations as layers or arguments), these parameters.

    Counts are never revealed before they are right (``reveal=False``).
    """
    toolkit.expect_built(call, model)
    toolkit.expect_input_shape(call, model, (None, *input_shape))
    toolkit.expect_output_shape(call, model, (None, num_classes))
    toolkit.expect_layers(model, specs, call=call, input_shape=input_shape)
    toolkit.expect_param_count(model, params, call=call, reveal=False)
    toolkit.expect_last_activation(model, "softmax", call=call)


def expect_plan(call: str, model, input_shape: tuple, ops: list[tuple], num_classes: int) -> None:
    """A classifier against :func:`~cnn_course.checks.toolkit.reference_plan` of ``ops``."""
    plan = toolkit.reference_plan(input_shape, ops)
    expect_classifier(call, model, plan.specs, plan.params, num_classes, input_shape)


def each_variant(
    build: Callable, name: str, variants: tuple, check: Callable, size_arg: str = "num_classes"
) -> None:
    """Call ``build(input_shape=shape, <size_arg>=n)`` for each ``(shape, n)`` of ``variants``
    and run ``check(call, model, shape, n)``; each model is freed before the next one
    (AlexNet and VGG16 hold 0.1 to 0.5 GB of weights)."""
    for shape, n in variants:
        model, call = toolkit.call_case(build, name, input_shape=shape, **{size_arg: n})
        check(call, model, shape, n)
        del model
        gc.collect()
