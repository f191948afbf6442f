"""Checks of the CIFAR-10 session.

Public ``check_*`` functions run in the student's notebook for feedback. ``hidden_*``
functions are stronger (other inputs drawn from a seed, the student's builder functions
called afresh, Keras itself as the reference); the grader runs them in its own process on
what the hidden cells recorded (:mod:`.grading`). Accuracy is always measured by the
checking code, on test images it loads and normalises itself.
"""

from __future__ import annotations

from cnn_course.checks import toolkit
from cnn_course.checks.cifar10 import evaluate, explore, figures, reference, regularise
from cnn_course.checks.cifar10._common import SESSION, test_accuracy
from cnn_course.checks.cifar10.evaluate import (
    check_accuracy,
    check_best_model,
    check_dataset,
    check_evaluation,
    hidden_accuracy,
    hidden_best_model,
    hidden_dataset,
    hidden_evaluation,
    measure,
)
from cnn_course.checks.cifar10.explore import (
    check_baseline_by_hand,
    check_explore,
    check_vgg_by_hand,
    hidden_baseline_by_hand,
    hidden_explore,
    hidden_vgg_by_hand,
)
from cnn_course.checks.cifar10.models import (
    check_baseline,
    check_errata,
    check_vgg,
    hidden_baseline,
    hidden_errata,
    hidden_vgg,
)
from cnn_course.checks.cifar10.reference import DECK_CODE
from cnn_course.checks.cifar10.regularise import (
    check_augmentation,
    check_augmented_model,
    check_batchnorm,
    check_bn_model,
    check_dropout,
    check_dropout_model,
    check_lr_schedule,
    hidden_augmentation,
    hidden_batchnorm,
    hidden_bn_model,
    hidden_dropout,
    hidden_lr_schedule,
)

CASE_CLASSES = {
    "class_counts": explore.EXPLORE_CLASSES,
    "cosine_lr": regularise.LR_CLASSES,
    "per_class_accuracy": evaluate.EVALUATION_CLASSES[:3],
    "most_confident_errors": evaluate.EVALUATION_CLASSES[3:],
    "batchnorm_by_hand": regularise.BATCHNORM_CLASSES,
    "dropout_scale": tuple(f"rate = {r}" for r in regularise.DROPOUT_RATES),
    "make_dataset": evaluate.DATASET_CLASSES,
}
"""The case classes each hidden generator draws on every seed (one declared list per function;
the builders' cells compare whole models instead)."""

__all__ = [
    "CASE_CLASSES",
    "DECK_CODE",
    "SESSION",
    "check_accuracy",
    "check_augmentation",
    "check_augmented_model",
    "check_baseline",
    "check_baseline_by_hand",
    "check_batchnorm",
    "check_best_model",
    "check_bn_model",
    "check_dataset",
    "check_dropout",
    "check_dropout_model",
    "check_errata",
    "check_evaluation",
    "check_explore",
    "check_lr_schedule",
    "check_vgg",
    "check_vgg_by_hand",
    "figures",
    "hidden_accuracy",
    "hidden_augmentation",
    "hidden_baseline",
    "hidden_baseline_by_hand",
    "hidden_batchnorm",
    "hidden_best_model",
    "hidden_bn_model",
    "hidden_dataset",
    "hidden_dropout",
    "hidden_errata",
    "hidden_evaluation",
    "hidden_explore",
    "hidden_lr_schedule",
    "hidden_vgg",
    "hidden_vgg_by_hand",
    "measure",
    "reference",
    "test_accuracy",
    "toolkit",
]
