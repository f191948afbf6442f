"""CIFAR-10 graded out of the kernel: each hidden check traced on the solution for this
submission's seed, then replayed on the student's recorded answers (the models the
student's builders made, their functions' outputs, the datasets ``make_dataset`` built,
the trained ``model``)."""

from __future__ import annotations

from cnn_course.checks.toolkit.tracing import Trace, traced

HIDDEN = {
    "test-explore": (Trace("hidden_explore", ("class_counts", "channel_stats", "normalise")),),
    "test-baseline-by-hand": (
        Trace("hidden_baseline_by_hand", ("baseline_shapes", "baseline_total")),
    ),
    "test-baseline": (Trace("hidden_baseline", ("build_baseline",)),),
    "test-vgg-by-hand": (Trace("hidden_vgg_by_hand", ("vgg_shapes", "vgg_total")),),
    "test-vgg": (Trace("hidden_vgg", ("build_vgg",)),),
    "test-errata": (
        Trace(
            "hidden_errata", ("deck_code_comma", "wrong_shape", "right_shape", "build_deck_fixed")
        ),
    ),
    "test-batchnorm": (Trace("hidden_batchnorm", ("batchnorm_by_hand",)),),
    "test-bn-model": (Trace("hidden_bn_model", ("build_bn_model",)),),
    "test-dropout": (
        Trace("hidden_dropout", ("dropout_demo", "dropout_scale", "build_dropout_model")),
    ),
    "test-augmentation": (
        Trace("hidden_augmentation", ("build_augmentation", "build_augmented_model")),
    ),
    "test-lr-schedule": (Trace("hidden_lr_schedule", ("cosine_lr",)),),
    "test-best-model": (Trace("hidden_best_model", ("build_best_model",)),),
    "test-accuracy": (Trace("hidden_accuracy", ("model",)),),
    "test-evaluation": (
        Trace("hidden_evaluation", ("per_class_accuracy", "most_confident_errors")),
    ),
    "test-dataset": (Trace("hidden_dataset", ("make_dataset",)),),
}
"""What each hidden cell checks (and so what its single ``_c.record(...)`` line records)."""

CELLS = {gid: traced("cifar10", "03_cifar10", *t) for gid, t in HIDDEN.items()}
