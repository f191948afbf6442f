"""Checks of the «Convolución desde cero» session: NumPy functions against Keras layers.

``check_*`` (public) run the slides' worked examples; ``hidden_*`` draw a handful of
small random cases with their own generator and compare the student's function with
the corresponding Keras layer, weights copied in. Every check prints what it compared
(the student's result, the error or the number of cases).

- :mod:`.slides`: the lecture's worked examples;
- :mod:`.reference`: what Keras computes for each function;
- :mod:`.harness`: the tolerance (``tol`` in the budget table), calling and comparing;
- :mod:`.convolution`, :mod:`.sizes`, :mod:`.pooling`, :mod:`.advanced`: the checks, in the
  notebook's order;
- :mod:`.messages`: the ``conv.*`` messages.
"""

from cnn_course.checks.convolucion import advanced, convolution, pooling, sizes
from cnn_course.checks.convolucion.advanced import (
    check_conv_transpose2d,
    check_dense_to_conv,
    check_locally_connected_params,
    check_receptive_field,
    hidden_conv_transpose2d,
    hidden_dense_to_conv,
    hidden_locally_connected_params,
    hidden_receptive_field,
)
from cnn_course.checks.convolucion.convolution import (
    check_conv2d,
    check_conv2d_single,
    check_conv2d_strided,
    check_conv_params,
    check_convolve2d,
    check_dilate_kernel,
    check_errata_conv,
    hidden_conv2d,
    hidden_conv2d_single,
    hidden_conv2d_strided,
    hidden_conv_params,
    hidden_convolve2d,
    hidden_dilate_kernel,
)
from cnn_course.checks.convolucion.harness import HIDDEN_SEED, SESSION, Axis, error, tol
from cnn_course.checks.convolucion.pooling import (
    check_errata_pool,
    check_kernels,
    check_maxpool_backward,
    check_pool2d,
    check_relu,
    hidden_maxpool_backward,
    hidden_pool2d,
    hidden_relu,
)
from cnn_course.checks.convolucion.sizes import (
    check_output_size,
    check_pad_image,
    hidden_output_size,
    hidden_pad_image,
)
from cnn_course.checks.convolucion.slides import (
    ERRATA_POOL_AVG,
    ERRATA_POOL_SLIDE_AVG,
    ERRATA_POOL_TABLE,
    POOL_AVG,
    POOL_MAX,
    POOL_TABLE,
    SLIDE_ERRATA_ENTRY,
    SLIDE_FEATURE_MAP,
    SLIDE_IMAGE,
    SLIDE_KERNEL,
    SLIDE_SAME_PADDING,
    SLIDE_SIZES,
    SLIDE_STACKS,
    TRANSPOSE_OUT,
    TRANSPOSE_W,
    TRANSPOSE_X,
)

CASE_CLASSES = {
    "conv2d_single": convolution.CONV2D_SINGLE_CLASSES,
    "convolve2d": convolution.CONVOLVE2D_CLASSES,
    "output_size": sizes.OUTPUT_SIZE_CLASSES,
    "same_padding": sizes.SAME_PADDING_CLASSES,
    "pad_image": sizes.PAD_IMAGE_CLASSES,
    "conv2d_strided": convolution.CONV_CLASSES,
    "conv2d": convolution.CONV2D_CLASSES,
    "conv_params": convolution.CONV_PARAMS_CLASSES,
    "pool2d": pooling.POOL_CLASSES,
    "maxpool_backward": pooling.MAXPOOL_BACKWARD_CLASSES,
    "conv_transpose2d": advanced.TRANSPOSE_CLASSES,
    "receptive_field": advanced.RECEPTIVE_FIELD_CLASSES,
    "dense_to_conv": advanced.DENSE_TO_CONV_CLASSES,
    "locally_connected_params": advanced.LOCALLY_CONNECTED_CLASSES,
}
"""The case classes each hidden check draws on every seed (one declared list per function)."""

__all__ = [
    "CASE_CLASSES",
    "ERRATA_POOL_AVG",
    "ERRATA_POOL_SLIDE_AVG",
    "ERRATA_POOL_TABLE",
    "HIDDEN_SEED",
    "POOL_AVG",
    "POOL_MAX",
    "POOL_TABLE",
    "SESSION",
    "SLIDE_ERRATA_ENTRY",
    "SLIDE_FEATURE_MAP",
    "SLIDE_IMAGE",
    "SLIDE_KERNEL",
    "SLIDE_SAME_PADDING",
    "SLIDE_SIZES",
    "SLIDE_STACKS",
    "TRANSPOSE_OUT",
    "TRANSPOSE_W",
    "TRANSPOSE_X",
    "Axis",
    "check_conv2d",
    "check_conv2d_single",
    "check_conv2d_strided",
    "check_conv_params",
    "check_conv_transpose2d",
    "check_convolve2d",
    "check_dense_to_conv",
    "check_dilate_kernel",
    "check_errata_conv",
    "check_errata_pool",
    "check_kernels",
    "check_locally_connected_params",
    "check_maxpool_backward",
    "check_output_size",
    "check_pad_image",
    "check_pool2d",
    "check_receptive_field",
    "check_relu",
    "error",
    "hidden_conv2d",
    "hidden_conv2d_single",
    "hidden_conv2d_strided",
    "hidden_conv_params",
    "hidden_conv_transpose2d",
    "hidden_convolve2d",
    "hidden_dense_to_conv",
    "hidden_dilate_kernel",
    "hidden_locally_connected_params",
    "hidden_maxpool_backward",
    "hidden_output_size",
    "hidden_pad_image",
    "hidden_pool2d",
    "hidden_receptive_field",
    "hidden_relu",
    "tol",
]
