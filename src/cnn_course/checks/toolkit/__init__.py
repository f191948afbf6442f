"""One toolkit for every session's checks.

- :mod:`.core`: the failure type, calling student code, tolerances, formula cases;
- :mod:`.keras_ref`: Keras as the reference for sizes and parameter counts;
- :mod:`.layers`: model structure, shapes and counts;
- :mod:`.plans`: architectures worked out on paper (LeNet-5 defined once);
- :mod:`.evaluate`: metrics measured on a trusted copy of the student's model.

Session packages (``cnn_course.checks.<session>``) import from here and keep only what
is particular to their session.
"""

from cnn_course.checks.toolkit.core import (
    CheckError,
    call_case,
    call_student,
    expect_cases,
    expect_close,
    expect_shape,
    fail,
    rel_error,
    report,
    short,
    signature,
)
from cnn_course.checks.toolkit.evaluate import accuracy, expect_accuracy, predictions, trusted_copy
from cnn_course.checks.toolkit.keras_ref import (
    keras_conv_params,
    keras_dense_params,
    keras_output_size,
    out_size,
)
from cnn_course.checks.toolkit.layers import (
    LayerSpec,
    expect_built,
    expect_input_shape,
    expect_kinds,
    expect_last_activation,
    expect_layers,
    expect_loss,
    expect_model,
    expect_output_shape,
    expect_param_count,
    folded_layers,
    layer_attr,
    main_layers,
    output_shape,
)
from cnn_course.checks.toolkit.plans import POOLING, Plan, lenet5_ops, reference_plan

__all__ = [
    "POOLING",
    "CheckError",
    "LayerSpec",
    "Plan",
    "accuracy",
    "call_case",
    "call_student",
    "expect_accuracy",
    "expect_built",
    "expect_cases",
    "expect_close",
    "expect_input_shape",
    "expect_kinds",
    "expect_last_activation",
    "expect_layers",
    "expect_loss",
    "expect_model",
    "expect_output_shape",
    "expect_param_count",
    "expect_shape",
    "fail",
    "folded_layers",
    "keras_conv_params",
    "keras_dense_params",
    "keras_output_size",
    "layer_attr",
    "lenet5_ops",
    "main_layers",
    "out_size",
    "output_shape",
    "predictions",
    "reference_plan",
    "rel_error",
    "report",
    "short",
    "signature",
    "trusted_copy",
]
