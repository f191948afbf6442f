"""Tests for `cnn_course.checks.cifar10`: the solution passes, typical mistakes and cheats fail
with the right message key, and no message gives away an answer the student must compute."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from nbutil import solution_namespace

import cnn_course.checks as checks_pkg

NOTEBOOK = "solutions/03_cifar10/cifar10.ipynb"
CELLS = [
    "explore",
    "baseline-by-hand",
    "baseline",
    "vgg-by-hand",
    "vgg",
    "errata",
    "batchnorm",
    "bn-model",
    "dropout",
    "augmentation",
    "lr-schedule",
    "best-model",
    "evaluation",
    "dataset",
]
# What the notebook's earlier cells define before these ones run.
PREAMBLE = """\
import math
import numpy as np
import keras
import tensorflow as tf
from cnn_course.fmt import number
from cnn_course.checks.cifar10 import DECK_CODE as deck_code


def conv_output_size(n, f, p, s):
    return (n + 2 * p - f) // s + 1


def conv_params(f, m, k):
    return (f * f * m + 1) * k


def dense_params(n, u):
    return (n + 1) * u
"""
L = keras.layers


@pytest.fixture(scope="module")
def sol():
    """The solution functions and values of the CIFAR-10 source notebook."""
    return solution_namespace(NOTEBOOK, CELLS, preamble=PREAMBLE)


@pytest.fixture
def c():
    """The CIFAR-10 checks imported afresh (as hidden cells get them)."""
    return checks_pkg.hidden("cifar10")


def _key(excinfo) -> str:
    return excinfo.value.key


def _tutorial(*extra_first, bn=False, dropout=None):
    """The tutorial network, optionally with layers first, BatchNormalization or Dropout."""
    layers = [keras.Input(shape=(32, 32, 3)), *extra_first]
    for filters, pool in ((32, True), (64, True), (64, False)):
        layers.append(L.Conv2D(filters, 3, activation="relu"))
        if bn:
            layers.append(L.BatchNormalization())
        if pool:
            layers.append(L.MaxPooling2D())
    layers.append(L.Flatten())
    if dropout:
        layers.append(L.Dropout(dropout))
    layers += [L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")]
    return keras.Sequential(layers)


# ---------------------------------------------------------------- the solution passes
def test_solution_passes_every_public_and_hidden_check(sol, c, real_data_env):
    """Every check except accuracy passes on the notebook's own solution."""
    s = sol
    c.check_explore(s["class_counts"], s["channel_stats"], s["normalise"])
    c.hidden_explore(s["class_counts"], s["channel_stats"], s["normalise"])
    c.check_baseline_by_hand(s["baseline_shapes"], s["baseline_total"])
    c.hidden_baseline_by_hand(s["baseline_shapes"], s["baseline_total"])
    c.check_vgg_by_hand(s["vgg_shapes"], s["vgg_total"])
    c.hidden_vgg_by_hand(s["vgg_shapes"], s["vgg_total"])
    c.check_baseline(s["build_baseline"]())
    c.hidden_baseline(s["build_baseline"])
    c.check_vgg(s["build_vgg"]())
    c.hidden_vgg(s["build_vgg"])
    errata = (s["deck_code_comma"], s["wrong_shape"], s["right_shape"])
    c.check_errata(*errata, s["build_deck_fixed"]())
    c.hidden_errata(*errata, s["build_deck_fixed"])
    c.check_batchnorm(s["batchnorm_by_hand"])
    c.hidden_batchnorm(s["batchnorm_by_hand"])
    c.check_bn_model(s["build_bn_model"]())
    c.hidden_bn_model(s["build_bn_model"])
    c.check_dropout(s["dropout_demo"], s["dropout_scale"])
    c.check_dropout_model(s["build_dropout_model"]())
    c.hidden_dropout(s["dropout_demo"], s["dropout_scale"], s["build_dropout_model"])
    c.check_augmentation(s["build_augmentation"]())
    c.check_augmented_model(s["build_augmented_model"]())
    c.hidden_augmentation(s["build_augmentation"], s["build_augmented_model"])
    c.check_lr_schedule(s["cosine_lr"])
    c.hidden_lr_schedule(s["cosine_lr"])
    c.check_best_model(s["build_best_model"]())
    c.hidden_best_model(s["build_best_model"])
    c.check_evaluation(s["per_class_accuracy"], s["most_confident_errors"])
    c.hidden_evaluation(s["per_class_accuracy"], s["most_confident_errors"])
    c.check_dataset(s["make_dataset"])
    c.hidden_dataset(s["make_dataset"])


def test_counts_match_keras(sol):
    """The tutorial network has 122,570 parameters and the VGG-style one 2,751,786."""
    assert sol["build_baseline"]().count_params() == 122_570 == sol["baseline_total"]
    assert sol["build_vgg"]().count_params() == 2_751_786 == sol["vgg_total"]
    assert sol["build_deck_fixed"]().count_params() == 19_618


# ---------------------------------------------------------------- 1. explore
def test_global_stats_instead_of_per_channel_fail(sol, c, real_data_env):
    """One mean for all channels is caught by the shape of the result."""

    def global_stats(x):
        return np.mean(x / 255.0), np.std(x / 255.0)

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_explore(sol["class_counts"], global_stats, sol["normalise"])
    assert _key(excinfo) == "cifar10.stats_shape"


def test_normalise_without_scaling_fails(sol, c, real_data_env):
    """Forgetting to divide by 255 before subtracting the mean fails."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_explore(
            sol["class_counts"],
            sol["channel_stats"],
            lambda x, m, s: ((x - m) / s).astype("float32"),
        )
    assert _key(excinfo) == "common.close"


def test_counts_without_empty_classes_pass_public_but_fail_hidden(sol, c, real_data_env):
    """np.unique's counts skip empty classes: the real data has none, the hidden case does."""

    def unique_counts(y, num_classes):
        return np.unique(y, return_counts=True)[1]

    c.check_explore(unique_counts, sol["channel_stats"], sol["normalise"])
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_explore(unique_counts, sol["channel_stats"], sol["normalise"])
    assert _key(excinfo) == "cifar10.counts"


# ---------------------------------------------------------------- 2–3. by hand and models
def test_wrong_shape_prediction_names_layer_without_answer(sol, c):
    """A wrong predicted shape names the layer and never prints the right shape."""
    shapes = list(sol["baseline_shapes"])
    shapes[2] = (12, 12, 64)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_baseline_by_hand(shapes, sol["baseline_total"])
    assert _key(excinfo) == "cifar10.shape_by_hand"
    assert excinfo.value.values["index"] == 3
    assert "(13, 13, 64)" not in str(excinfo.value)


def test_same_padding_shapes_in_vgg_are_checked(sol, c):
    """Forgetting that 'same' keeps the size (shrinking by 2 as with 'valid') fails."""
    shapes = list(sol["vgg_shapes"])
    shapes[0] = (30, 30, 32)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_vgg_by_hand(shapes, sol["vgg_total"])
    assert _key(excinfo) == "cifar10.shape_by_hand"
    assert excinfo.value.values["index"] == 1


def test_wrong_parameter_count_does_not_reveal_it(sol, c):
    """A total computed with one input channel (as in MNIST) fails without the right total."""
    wrong = sol["baseline_total"] - 2 * 9 * 32  # 3 channels counted as 1
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_baseline_by_hand(sol["baseline_shapes"], wrong)
    assert _key(excinfo) == "cifar10.total_by_hand"
    assert "122 570" not in str(excinfo.value) and "122,570" not in str(excinfo.value)


def test_vgg_with_valid_padding_fails(c):
    """A VGG built with 'valid' convolutions fails at the first layer's shape."""
    layers = [keras.Input(shape=(32, 32, 3))]
    for filters in (32, 64):
        layers += [
            L.Conv2D(filters, 3, activation="relu"),
            L.Conv2D(filters, 3, activation="relu"),
            L.MaxPooling2D(2, 2),
        ]
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_vgg(keras.Sequential(layers))
    assert _key(excinfo) in ("common.layer_count", "common.layer_shape")


def test_baseline_with_wrong_activation_passes_public_but_fails_hidden(c):
    """The public check compares shapes and counts; the hidden one every attribute."""

    def build():
        model = _tutorial()
        model.layers[-1].activation = keras.activations.get("linear")
        return model

    c.check_baseline(build())
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_baseline(build)
    assert _key(excinfo) == "common.layer_attr"


# ---------------------------------------------------------------- 4. errata
def test_errata_unfixed_fails(sol, c):
    """The deck's code as it is does not parse: the message says so."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_errata(
            c.DECK_CODE, sol["wrong_shape"], sol["right_shape"], sol["build_deck_fixed"]()
        )
    assert _key(excinfo) == "cifar10.deck_parses"


def test_errata_with_flatten_added_to_the_deck_code_fails(sol, c):
    """deck_code_comma must be the deck's code with only the comma: adding Flatten is not it."""
    code = sol["deck_code_comma"].replace("MaxPooling2D(),", "MaxPooling2D(), Flatten(),")
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_errata(code, sol["wrong_shape"], sol["right_shape"], sol["build_deck_fixed"]())
    assert _key(excinfo) == "cifar10.deck_changed"


def test_errata_wrong_prediction_does_not_reveal_the_shape(sol, c):
    """Predicting (None, 2) for the deck's model fails without printing (None, 12, 12, 2)."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_errata(
            sol["deck_code_comma"], (None, 2), sol["right_shape"], sol["build_deck_fixed"]()
        )
    assert _key(excinfo) == "cifar10.errata_wrong_shape"
    assert "12, 12" not in str(excinfo.value)


def test_errata_fixed_model_without_flatten_fails(sol, c):
    """A 'fixed' model still without Flatten fails on its first wrong layer (the 6th)."""
    model = keras.Sequential(
        [
            keras.Input(shape=(28, 28, 3)),
            L.Conv2D(32, 3, activation="relu"),
            L.BatchNormalization(),
            L.Conv2D(32, 3, activation="relu"),
            L.BatchNormalization(),
            L.MaxPooling2D(),
            L.Dense(2, activation="softmax"),
        ]
    )
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_errata(sol["deck_code_comma"], sol["wrong_shape"], sol["right_shape"], model)
    assert _key(excinfo) == "common.layer_type"
    assert excinfo.value.values["index"] == 6


def test_errata_shape_without_batch_axis_fails(sol, c):
    """(12, 12, 2) without the batch axis gets the batch-axis hint."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_errata(
            sol["deck_code_comma"], (12, 12, 2), sol["right_shape"], sol["build_deck_fixed"]()
        )
    assert _key(excinfo) == "cifar10.batch_axis"


# ---------------------------------------------------------------- 5. improvements
def test_batchnorm_over_the_batch_axis_only_fails(c):
    """Normalising each position over the batch only (axis 0) is not per-channel BN."""

    def per_position(x, gamma, beta, eps):
        return gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps) + beta

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_batchnorm(per_position)
    assert _key(excinfo) == "common.close"


def test_batchnorm_ignoring_gamma_beta_passes_public_but_fails_hidden(c):
    """The public case has gamma = 1, beta = 0; the hidden cases do not."""

    def no_affine(x, gamma, beta, eps):
        return (x - x.mean(axis=(0, 1, 2))) / np.sqrt(x.var(axis=(0, 1, 2)) + eps)

    c.check_batchnorm(no_affine)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_batchnorm(no_affine)
    assert _key(excinfo) == "common.close"


def test_bn_model_missing_one_normalisation_fails(c):
    """BatchNormalization after only two of the three convolutions fails, naming the third."""
    model = _tutorial(bn=True)
    layers = [layer for layer in model.layers]
    del layers[-4]  # the BatchNormalization after the third Conv2D
    broken = keras.Sequential([keras.Input(shape=(32, 32, 3)), *layers])
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_bn_model(broken)
    assert _key(excinfo) == "cifar10.bn_missing"
    assert excinfo.value.values["index"] == 3


def test_dropout_demo_with_training_false_everywhere_fails(c):
    """A demo that never sets training=True shows no difference and fails."""

    def demo(model, x):
        out = np.asarray(model(x, training=False))
        return out, out.copy(), out.copy(), out.copy()

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_dropout(demo, lambda rate: 1 / (1 - rate))
    assert _key(excinfo) == "cifar10.dropout_train_same"


def test_dropout_demo_with_training_true_everywhere_fails(c):
    """Inference outputs computed with training=True differ between calls and fail."""

    def demo(model, x):
        return [np.asarray(model(x, training=True)) for _ in range(4)]

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_dropout(demo, lambda rate: 1 / (1 - rate))
    assert _key(excinfo) == "cifar10.dropout_infer_differs"


def test_dropout_scale_as_one_minus_rate_fails_without_answer(sol, c):
    """1 − rate is the keep probability, not the scale; the message does not give 2."""

    def scale(rate):
        return 1 - rate

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_dropout(sol["dropout_demo"], scale)
    assert _key(excinfo) == "cifar10.dropout_scale"
    assert excinfo.value.values["got"] == 0.5


def test_dropout_scale_right_only_for_half_fails_hidden(sol, c):
    """A scale that is 2 whatever the rate passes rate 0.5 but fails the hidden rates."""
    c.check_dropout(sol["dropout_demo"], lambda rate: 2.0)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_dropout(sol["dropout_demo"], lambda rate: 2.0, sol["build_dropout_model"])
    assert _key(excinfo) == "cifar10.dropout_scale"


def test_dropout_model_without_dropout_fails(c):
    """The tutorial network itself is not a Dropout variant."""
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_dropout_model(_tutorial())
    assert _key(excinfo) == "cifar10.dropout_missing"


def test_vertical_flip_fails(c, real_data_env):
    """Flipping upside down is rejected with its own message."""
    augmentation = keras.Sequential([L.RandomFlip("horizontal_and_vertical")])
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_augmentation(augmentation)
    assert _key(excinfo) == "cifar10.aug_vertical"


def test_augmentation_active_in_inference_fails(c, real_data_env):
    """Noise added whatever training says changes inference images and fails."""

    class AlwaysNoisy(L.Layer):
        def call(self, x, training=None):
            return x + 0.1

    augmentation = keras.Sequential([AlwaysNoisy(), L.RandomFlip("horizontal")])
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_augmentation(augmentation)
    assert _key(excinfo) == "cifar10.aug_inference"


def test_augmented_model_with_augmentation_after_the_convolutions_fails(c):
    """Augmentation layers must come before the first Conv2D."""
    model = _tutorial()
    layers = list(model.layers)
    broken = keras.Sequential(
        [keras.Input(shape=(32, 32, 3)), layers[0], L.RandomFlip("horizontal"), *layers[1:]]
    )
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_augmented_model(broken)
    assert _key(excinfo) == "cifar10.aug_first"


def test_cosine_without_clamping_passes_public_but_fails_hidden(c):
    """Forgetting to stop at total_steps is only caught past the end."""
    import math

    def unclamped(step, total, lr0):
        return lr0 * 0.5 * (1 + math.cos(math.pi * step / total))

    c.check_lr_schedule(unclamped)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_lr_schedule(unclamped)
    assert _key(excinfo) == "cifar10.lr_case"
    assert "valor final" in str(excinfo.value)


# ---------------------------------------------------------------- 6. evaluation
def test_errors_including_right_predictions_fail(c):
    """Taking the most confident predictions, right or wrong, fails."""

    def most_confident(probs, y_true, k):
        return np.argsort(-probs.max(axis=1))[:k]

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_evaluation(lambda t, p, k: c.reference.per_class_accuracy(t, p, k), most_confident)
    assert _key(excinfo) == "common.value"


def test_per_class_accuracy_by_predicted_class_fails(c):
    """Dividing by the predicted class's count (precision) is not per-class accuracy."""

    def precision(y_true, y_pred, k):
        return np.array([np.mean(y_true[y_pred == j] == j) for j in range(k)])

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_evaluation(precision, c.reference.most_confident_errors)
    assert _key(excinfo) == "common.close"


def test_untrained_model_fails_accuracy(sol, c, real_data_env, monkeypatch):
    """A model that was never trained does not reach the grading threshold."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    keras.utils.set_random_seed(0)
    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.hidden_accuracy(sol["build_best_model"]())
    assert _key(excinfo) == "common.accuracy"


def test_patched_checks_and_predict_do_not_fool_the_hidden_accuracy(
    sol, c, real_data_env, monkeypatch
):
    """Patching the checks or the model's predict is undone by the reload and trusted copy."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    model = sol["build_best_model"]()
    c.check_accuracy = lambda m: None
    c.toolkit.evaluate.accuracy = lambda *a, **k: 1.0
    model.predict = lambda x, **k: np.eye(10)[np.zeros(len(x), dtype=int)]
    fresh = checks_pkg.hidden("cifar10")
    with pytest.raises(fresh.toolkit.CheckError) as excinfo:
        fresh.hidden_accuracy(model)
    assert _key(excinfo) == "common.accuracy"


# ---------------------------------------------------------------- 7. tf.data
def test_cache_after_shuffle_fails(c):
    """shuffle().cache() repeats the first epoch's order: caught with its own message."""
    import tensorflow as tf

    def late_cache(x, y, batch_size, training):
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if training:
            ds = ds.shuffle(len(x))
        return ds.cache().batch(batch_size).prefetch(tf.data.AUTOTUNE)

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_dataset(late_cache)
    assert _key(excinfo) == "cifar10.dataset_cache_after_shuffle"


def test_dataset_without_prefetch_fails(c):
    """A pipeline without prefetch names what is missing."""
    import tensorflow as tf

    def no_prefetch(x, y, batch_size, training):
        ds = tf.data.Dataset.from_tensor_slices((x, y)).cache()
        return (ds.shuffle(len(x)) if training else ds).batch(batch_size)

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_dataset(no_prefetch)
    assert _key(excinfo) == "cifar10.dataset_ops"
    assert "prefetch" in excinfo.value.values["missing"]


def test_dataset_shuffling_validation_fails(c):
    """Shuffling also when training=False changes the order of validation data."""
    import tensorflow as tf

    def always_shuffle(x, y, batch_size, training):
        ds = tf.data.Dataset.from_tensor_slices((x, y)).cache().shuffle(len(x))
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)

    with pytest.raises(c.toolkit.CheckError) as excinfo:
        c.check_dataset(always_shuffle)
    assert _key(excinfo) == "cifar10.dataset_order"


def test_datasets_are_judged_from_what_the_kernel_recorded(sol, tmp_path, monkeypatch):
    """``make_dataset`` returns a tf.data.Dataset: the kernel writes down its element shapes,
    graph operations and two passes; the grader judges that record, and a pipeline without
    ``cache()`` loses the cell with the reason."""
    import tensorflow as tf

    from cnn_course.checks.cifar10.grading import CELLS
    from cnn_course.checks.toolkit.grading import plans, write_inputs
    from cnn_course.grade.judge import judge
    from cnn_course.record import INPUTS_ENV, RECORDS_ENV, record

    write_inputs(plans({"test-dataset": CELLS["test-dataset"]}, 5), tmp_path / "inputs")
    monkeypatch.setenv(INPUTS_ENV, str(tmp_path / "inputs"))

    def no_cache(x, y, batch_size, training):
        ds = tf.data.Dataset.from_tensor_slices((x, y))
        if training:
            ds = ds.shuffle(len(x))
        return ds.batch(batch_size).prefetch(1)

    verdicts = {}
    for name, make_dataset in [("right", sol["make_dataset"]), ("no_cache", no_cache)]:
        monkeypatch.setenv(RECORDS_ENV, str(tmp_path / name))
        record("test-dataset", make_dataset=make_dataset)
        verdicts[name] = judge("cifar10", tmp_path / name, 5, "grading")["test-dataset"]
    assert verdicts["right"]["fraction"] == 1.0, verdicts["right"]
    assert verdicts["no_cache"]["fraction"] == 0.0
    assert "cache()" in verdicts["no_cache"]["reason"]
