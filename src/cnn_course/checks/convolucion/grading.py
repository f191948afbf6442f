"""«Convolución desde cero» graded out of the kernel: each hidden check traced on the
solution for this submission's seed, then replayed on the student's recorded answers."""

from __future__ import annotations

from cnn_course.checks.toolkit.tracing import Trace, traced

HIDDEN = {
    "test-conv2d-single": (Trace("hidden_conv2d_single", ("conv2d_single",)),),
    "test-errata-conv": (
        Trace("check_errata_conv", ("errata_row", "errata_col", "errata_window")),
    ),
    "test-convolve2d": (Trace("hidden_convolve2d", ("convolve2d",)),),
    "test-output-size": (Trace("hidden_output_size", ("output_size", "same_padding")),),
    "test-pad-image": (Trace("hidden_pad_image", ("pad_image",)),),
    "test-conv2d-strided": (Trace("hidden_conv2d_strided", ("conv2d_strided",)),),
    "test-conv2d": (Trace("hidden_conv2d", ("conv2d",)),),
    "test-conv-params": (Trace("hidden_conv_params", ("conv_params",)),),
    "test-dilate-kernel": (Trace("hidden_dilate_kernel", ("dilate_kernel",)),),
    "test-relu-kernels": (
        Trace("hidden_relu", ("relu",)),
        Trace("check_kernels", ("edge_kernel", "blur_kernel", "sharpen_kernel")),
    ),
    "test-pool2d": (Trace("hidden_pool2d", ("pool2d",)),),
    "test-errata-pool": (Trace("check_errata_pool", ("errata_average",)),),
    "test-maxpool-backward": (Trace("hidden_maxpool_backward", ("maxpool_backward",)),),
    "test-conv-transpose2d": (Trace("hidden_conv_transpose2d", ("conv_transpose2d",)),),
    "test-receptive-field": (Trace("hidden_receptive_field", ("receptive_field",)),),
    "test-dense-to-conv": (Trace("hidden_dense_to_conv", ("dense_to_conv",)),),
    "test-locally-connected-params": (
        Trace("hidden_locally_connected_params", ("locally_connected_params",)),
    ),
}
"""What each hidden cell checks (and so what its single ``_c.record(...)`` line records)."""

CELLS = {gid: traced("convolucion", "01_convolucion", *t) for gid, t in HIDDEN.items()}
