"""Checks of the «Arquitecturas clásicas» session: exact counts, shapes and structure.

``check_*`` (public) run the notebook's configuration (LeNet-5 on 32×32×1, AlexNet on
227×227×3, …) and print the student's numbers. A count or formula result the student is
asked to produce is never printed nor put in a failure message before it is right (the
message gives the student's value, the failing call or layer, and a hint); the expected
value is kept in the failure's ``values`` for the tests.
``hidden_*`` call the student's functions with other arguments (input sizes, class
counts, filter numbers) and compare with references computed here, from formulas
(:mod:`.reference`, :func:`~cnn_course.checks.toolkit.reference_plan`) or, for VGG16,
from ``keras.applications.VGG16(weights=None)``: a hard-coded number cannot pass them.

Models are compared on their *main* layers (convolutions, pooling, Flatten, Dense),
so Dropout or separate activation layers do not matter; BatchNormalization does,
through the parameter count. Whatever is measured on a model (gradients, segmentation
IoU) is computed here on a :func:`~cnn_course.checks.toolkit.trusted_copy`.

Modules: :mod:`.formulas` (the student's counting functions, sections 1, 3, 4 and 7),
:mod:`.classic` (LeNet-5, AlexNet, VGG16, the Inception module), :mod:`.resnet`
(residual block, ResNet-18, gradients), :mod:`.unet` (U-Net and segmentation),
:mod:`.structure` (what they share), :mod:`.reference` (formulas), :mod:`.messages`.

What the hidden checks read besides this package (data, runtime, the session registry
and its thresholds) is imported inside the functions that use it, as ``import
cnn_course.runtime as runtime``, never ``from cnn_course import runtime`` at the top: a
check then always reads the module in ``sys.modules`` when it runs, the one that
:func:`cnn_course.checks.hidden` has just imported afresh, and never a module object
bound at import time that a student cell may have patched.
"""

from cnn_course.checks.arquitecturas.classic import (
    check_alexnet,
    check_inception_module,
    check_lenet5,
    check_vgg16,
    hidden_alexnet,
    hidden_inception_module,
    hidden_lenet5,
    hidden_vgg16,
)
from cnn_course.checks.arquitecturas.formulas import (
    CASE_CLASSES,
    check_inception_macs,
    check_model_macs,
    check_param_formulas,
    check_vgg_stack,
    hidden_inception_macs,
    hidden_model_macs,
    hidden_param_formulas,
    hidden_vgg_stack,
)
from cnn_course.checks.arquitecturas.resnet import (
    check_gradient_demo,
    check_residual_block,
    check_resnet18,
    hidden_gradient_demo,
    hidden_residual_block,
    hidden_resnet18,
)
from cnn_course.checks.arquitecturas.unet import (
    check_segmentation,
    check_unet,
    hidden_segmentation,
    hidden_unet,
    measure,
)

__all__ = [
    "CASE_CLASSES",
    "check_alexnet",
    "check_gradient_demo",
    "check_inception_macs",
    "check_inception_module",
    "check_lenet5",
    "check_model_macs",
    "check_param_formulas",
    "check_residual_block",
    "check_resnet18",
    "check_segmentation",
    "check_unet",
    "check_vgg16",
    "check_vgg_stack",
    "hidden_alexnet",
    "hidden_gradient_demo",
    "hidden_inception_macs",
    "hidden_inception_module",
    "hidden_lenet5",
    "hidden_model_macs",
    "hidden_param_formulas",
    "hidden_residual_block",
    "hidden_resnet18",
    "hidden_segmentation",
    "hidden_unet",
    "hidden_vgg16",
    "hidden_vgg_stack",
    "measure",
]
