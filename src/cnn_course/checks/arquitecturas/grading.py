"""«Arquitecturas clásicas» graded out of the kernel: each hidden check traced on the
solution for this submission's seed, then replayed on the student's recorded answers
(models the student's functions built, blocks applied to Keras inputs, numbers)."""

from __future__ import annotations

from cnn_course.checks.toolkit.tracing import Trace, traced

HIDDEN = {
    "test-param-formulas": (Trace("hidden_param_formulas", ("conv_params", "dense_params")),),
    "test-build-lenet5": (Trace("hidden_lenet5", ("build_lenet5",)),),
    "test-build-alexnet": (Trace("hidden_alexnet", ("build_alexnet",)),),
    "test-build-vgg16": (Trace("hidden_vgg16", ("build_vgg16",)),),
    "test-vgg-stack": (Trace("hidden_vgg_stack", ("receptive_field", "stack_params")),),
    "test-inception-module": (Trace("hidden_inception_module", ("inception_module",)),),
    "test-inception-macs": (Trace("hidden_inception_macs", ("conv_macs", "inception_macs")),),
    "test-residual-block": (Trace("hidden_residual_block", ("residual_block",)),),
    "test-build-resnet18": (Trace("hidden_resnet18", ("build_resnet18",)),),
    "test-gradient-demo": (
        Trace("hidden_gradient_demo", ("build_deep_stack", "conv_gradient_norms")),
    ),
    "test-build-unet": (Trace("hidden_unet", ("build_unet",)),),
    "test-segmentation": (Trace("hidden_segmentation", ("unet",)),),
    "test-model-macs": (Trace("hidden_model_macs", ("model_macs",)),),
}
"""What each hidden cell checks (and so what its single ``_c.record(...)`` line records)."""

CELLS = {gid: traced("arquitecturas", "05_arquitecturas", *t) for gid, t in HIDDEN.items()}
