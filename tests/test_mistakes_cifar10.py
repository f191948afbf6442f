"""Mistake catalogue of the CIFAR-10 session: at least three plausible wrong answers for
each grade cell listed in :data:`CATALOGUED` (the trained model's accuracy: its own test
below), each
rejected by the hidden judge on 50 seeds and by the public check where its example can
show it; the solution earns the same cells on the same seeds.

The seed of a model cell only draws the forward pass's inputs: every builder here hands
out the same two models in turn (a fresh one on each of two calls, as the check demands),
so 50 seeds cost two builds per answer."""

from __future__ import annotations

import functools
import math

import keras
import numpy as np
import pytest
import tensorflow as tf
from mistakes import Mistake, assert_catalogue, assert_trained, fresh, run

from cnn_course.checks.cifar10 import reference
from cnn_course.checks.toolkit.tracing import solution_namespace

L = keras.layers
CATALOGUED = {
    "test-baseline-by-hand", "test-baseline", "test-vgg-by-hand", "test-vgg", "test-errata",
    "test-batchnorm", "test-bn-model", "test-dropout", "test-lr-schedule", "test-evaluation",
    "test-explore", "test-augmentation", "test-best-model", "test-dataset",
}  # fmt: skip


class Recycled:
    """A builder that hands out the same two models in turn."""

    def __init__(self, build) -> None:
        self.build, self.pool, self.calls = build, [], 0

    def __call__(self):
        if len(self.pool) < 2:
            self.pool.append(self.build())
        model = self.pool[self.calls % 2]
        self.calls += 1
        return model


def _by_hand(ops) -> tuple[list, int]:
    plan = reference_plan(ops)
    return [s.output_shape[1:] for s in plan.specs], plan.params


def reference_plan(ops):
    from cnn_course.checks.toolkit import reference_plan as plan

    return plan(reference.INPUT_SHAPE, ops)


@pytest.fixture(scope="module")
def sol() -> dict:
    ns = dict(solution_namespace("03_cifar10"))
    for name in ("build_baseline", "build_vgg", "build_deck_fixed", "build_bn_model"):
        ns[name] = Recycled(ns[name])
    ns["build_dropout_model"] = Recycled(ns["build_dropout_model"])
    ns["baseline_shapes"], ns["baseline_total"] = _by_hand(reference.BASELINE_OPS)
    ns["vgg_shapes"], ns["vgg_total"] = _by_hand(reference.VGG_OPS)
    ns["deck_code_comma"] = reference.DECK_COMMA
    ns["wrong_shape"], ns["right_shape"] = (None, 12, 12, 2), (None, 2)
    return ns


def _sequential(*body, input_shape=(32, 32, 3)):
    return keras.Sequential([keras.Input(shape=input_shape), *body])


def _baseline(conv_padding="valid", dense_act="relu", extra=(), bn=None, drop=None):
    def conv(f):
        if bn == "after-relu":
            return [L.Conv2D(f, 3, padding=conv_padding, activation="relu"), L.BatchNormalization()]
        if bn:
            return [
                L.Conv2D(f, 3, padding=conv_padding),
                L.BatchNormalization(),
                L.Activation("relu"),
            ]
        return [L.Conv2D(f, 3, padding=conv_padding, activation="relu")]

    body = [*conv(32), L.MaxPooling2D(2), *conv(64), L.MaxPooling2D(2), *conv(64), L.Flatten()]
    if bn == "first-only":
        body = [L.Conv2D(32, 3), L.BatchNormalization(), L.Activation("relu"), *body[1:]]
    body += [*extra, L.Dense(64, activation=dense_act), L.Dense(10, activation="softmax")]
    return _sequential(*body)


def _vgg(convs=2, kernel=3, dense=(1024, 512)):
    body = []
    for f in (32, 64, 128, 256):
        body += [L.Conv2D(f, kernel, padding="same", activation="relu") for _ in range(convs)]
        body += [L.MaxPooling2D(2)]
    body += [L.Flatten(), *(L.Dense(u, activation="relu") for u in dense)]
    return _sequential(*body, L.Dense(10, activation="softmax"))


def _catalogue(S: dict, cifar10) -> list[Mistake]:
    bn, mce = S["batchnorm_by_hand"], S["most_confident_errors"]
    b_shapes, v_shapes = list(S["baseline_shapes"]), list(S["vgg_shapes"])

    def edit(shapes, index, value):
        out = list(shapes)
        out[index] = value
        return out

    def bn_ddof(x, gamma, beta, eps):
        x = np.asarray(x, np.float64)
        mu, var = x.mean(axis=(0, 1, 2)), x.var(axis=(0, 1, 2), ddof=1)
        return gamma * (x - mu) / np.sqrt(var + eps) + beta

    def bn_global(x, gamma, beta, eps):
        x = np.asarray(x, np.float64)
        return gamma * (x - x.mean()) / np.sqrt(x.var() + eps) + beta

    def precision(y_true, y_pred, k):
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        return np.array([np.mean(y_true[y_pred == c] == c) for c in range(k)])

    def confident_any(probs, y_true, k):
        return np.argsort(-np.asarray(probs).max(axis=1), kind="stable")[:k]

    def public(check, *names):
        return lambda s: check(*(s[n]() if n.startswith("build_") else s[n] for n in names))

    def fixed(model):
        return Recycled(lambda: model() if callable(model) else model)

    def public_explore(s):
        cifar10.check_explore(s["class_counts"], s["channel_stats"], s["normalise"])

    def public_aug(s):
        cifar10.check_augmentation(s["build_augmentation"]())
        cifar10.check_augmented_model(s["build_augmented_model"]())

    def public_best(s):
        cifar10.check_best_model(s["build_best_model"]())

    def public_dataset(s):
        cifar10.check_dataset(s["make_dataset"])

    def per_pixel_stats(x):
        x = np.asarray(x, np.float32) / 255.0
        return x.mean(axis=(0, 1, 2)), x.std(axis=(0, 1, 2)) + x.std()

    def dataset(cache=True, shuffle="train", buffer=None, cache_last=False, drop=False):
        def make_dataset(x, y, batch_size, training):
            ds = tf.data.Dataset.from_tensor_slices((x, y))
            if cache and not cache_last:
                ds = ds.cache()
            if shuffle == "always" or (shuffle == "train" and training):
                ds = ds.shuffle(buffer or len(x))
            if cache_last:
                ds = ds.cache()
            return ds.batch(batch_size, drop_remainder=drop).prefetch(tf.data.AUTOTUNE)

        return make_dataset

    def augmentation(*layers):
        return lambda: keras.Sequential(list(layers), name="aumento")

    def augmented(first=None, after_conv=False, dense=64):
        def build():
            aug = first() if first else S["build_augmentation"]()
            conv = L.Conv2D(32, 3, activation="relu")
            head = [conv, aug] if after_conv else [aug, conv]
            body = _baseline().layers[1:-2]
            return _sequential(
                *head, *body, L.Dense(dense, activation="relu"), L.Dense(10, activation="softmax")
            )

        return build

    def best(bn="before-relu", drop=0.3, aug=True, flip="horizontal"):
        def build():
            model = _baseline(
                bn="after-relu" if bn == "after-relu" else True,
                extra=(L.Dropout(drop),) if drop else (),
            )
            head = [L.RandomFlip(flip), L.RandomTranslation(0.125, 0.125)] if aug else []
            return _sequential(*head, *model.layers)

        return build

    return [
        Mistake("test-explore", "bincount sin minlength", {"class_counts": lambda y, k: np.bincount(np.asarray(y).reshape(-1))}),
        Mistake("test-explore", "estadísticas sin dividir por 255",
                {"channel_stats": lambda x: (np.asarray(x, np.float32).mean(axis=(0, 1, 2)), np.asarray(x, np.float32).std(axis=(0, 1, 2)))},
                public_explore),
        Mistake("test-explore", "una desviación de todos los canales", {"channel_stats": per_pixel_stats}, public_explore),
        Mistake("test-explore", "normalise sin dividir por 255",
                {"normalise": lambda x, m, d: ((np.asarray(x, np.float32) - m) / d).astype(np.float32)}, public_explore),
        Mistake("test-explore", "normalise en float64",
                {"normalise": lambda x, m, d: (np.asarray(x, np.float64) / 255.0 - m) / d}, public_explore),
        Mistake("test-augmentation", "volteo también vertical",
                {"build_augmentation": augmentation(L.RandomFlip(), L.RandomTranslation(0.125, 0.125))}, public_aug),
        Mistake("test-augmentation", "sin capas aleatorias", {"build_augmentation": augmentation(L.Identity())}, public_aug),
        Mistake("test-augmentation", "aumento tras la primera Conv2D",
                {"build_augmented_model": fixed(augmented(after_conv=True))}, public_aug),
        Mistake("test-augmentation", "Dense(128) en la cabeza", {"build_augmented_model": fixed(augmented(dense=128))}, public_aug),
        Mistake("test-best-model", "sin Dropout", {"build_best_model": fixed(best(drop=None))}, public_best),
        Mistake("test-best-model", "sin aumento de datos", {"build_best_model": fixed(best(aug=False))}, public_best),
        Mistake("test-best-model", "BatchNormalization tras la ReLU", {"build_best_model": fixed(best(bn="after-relu"))}, public_best),
        Mistake("test-best-model", "volteo vertical", {"build_best_model": fixed(best(flip="vertical"))}, public_best),
        Mistake("test-dataset", "baraja también sin entrenamiento", {"make_dataset": dataset(shuffle="always")}, public_dataset),
        Mistake("test-dataset", "sin cache()", {"make_dataset": dataset(cache=False)}, public_dataset),
        Mistake("test-dataset", "cache() tras shuffle()", {"make_dataset": dataset(cache_last=True)}, public_dataset),
        Mistake("test-dataset", "shuffle(1): el orden no cambia", {"make_dataset": dataset(buffer=1)}, public_dataset),
        Mistake("test-dataset", "descarta el último lote", {"make_dataset": dataset(drop=True)}, public_dataset),
        Mistake("test-baseline-by-hand", "pooling redondeado hacia arriba", {"baseline_shapes": edit(b_shapes, 1, (16, 16, 32))},
                public(cifar10.check_baseline_by_hand, "baseline_shapes", "baseline_total")),
        Mistake("test-baseline-by-hand", "Flatten de 3·3·32", {"baseline_shapes": edit(b_shapes, 5, (288,))},
                public(cifar10.check_baseline_by_hand, "baseline_shapes", "baseline_total")),
        Mistake("test-baseline-by-hand", "total sin sesgos", {"baseline_total": S["baseline_total"] - (32 + 64 + 64 + 64 + 10)},
                public(cifar10.check_baseline_by_hand, "baseline_shapes", "baseline_total")),
        Mistake("test-vgg-by-hand", "'same' que reduce el lado", {"vgg_shapes": edit(v_shapes, 0, (30, 30, 32))},
                public(cifar10.check_vgg_by_hand, "vgg_shapes", "vgg_total")),
        Mistake("test-vgg-by-hand", "sin la última Dense", {"vgg_shapes": v_shapes[:-1]},
                public(cifar10.check_vgg_by_hand, "vgg_shapes", "vgg_total")),
        Mistake("test-vgg-by-hand", "total sin sesgos de las densas", {"vgg_total": S["vgg_total"] - (1024 + 512 + 10)},
                public(cifar10.check_vgg_by_hand, "vgg_shapes", "vgg_total")),
        Mistake("test-baseline", "Dense(64) sin activación", {"build_baseline": fixed(lambda: _baseline(dense_act=None))}),
        Mistake("test-baseline", "padding='same'", {"build_baseline": fixed(lambda: _baseline(conv_padding="same"))},
                public(cifar10.check_baseline, "build_baseline")),
        Mistake("test-baseline", "Dropout de más", {"build_baseline": fixed(lambda: _baseline(extra=(L.Dropout(0.3),)))},
                public(cifar10.check_baseline, "build_baseline")),
        Mistake("test-vgg", "una Conv2D por bloque", {"build_vgg": fixed(lambda: _vgg(convs=1))},
                public(cifar10.check_vgg, "build_vgg")),
        Mistake("test-vgg", "kernels 5×5", {"build_vgg": fixed(lambda: _vgg(kernel=5))},
                public(cifar10.check_vgg, "build_vgg")),
        Mistake("test-vgg", "sin Dense(512)", {"build_vgg": fixed(lambda: _vgg(dense=(1024,)))},
                public(cifar10.check_vgg, "build_vgg")),
        Mistake("test-errata", "canales de la entrada", {"wrong_shape": (None, 12, 12, 3)},
                lambda s: cifar10.check_errata(s["deck_code_comma"], s["wrong_shape"], s["right_shape"], s["build_deck_fixed"]())),
        Mistake("test-errata", "sin eje del lote", {"right_shape": (2,)},
                lambda s: cifar10.check_errata(s["deck_code_comma"], s["wrong_shape"], s["right_shape"], s["build_deck_fixed"]())),
        Mistake("test-errata", "GlobalAveragePooling en vez de Flatten",
                {"build_deck_fixed": fixed(lambda: _sequential(
                    L.Conv2D(32, 3, activation="relu"), L.BatchNormalization(), L.Conv2D(32, 3, activation="relu"),
                    L.BatchNormalization(), L.MaxPooling2D(), L.GlobalAveragePooling2D(), L.Dense(2, activation="softmax"),
                    input_shape=(28, 28, 3)))},
                lambda s: cifar10.check_errata(s["deck_code_comma"], s["wrong_shape"], s["right_shape"], s["build_deck_fixed"]())),
        Mistake("test-batchnorm", "varianza con ddof=1", {"batchnorm_by_hand": bn_ddof}, public(cifar10.check_batchnorm, "batchnorm_by_hand")),
        Mistake("test-batchnorm", "media de todo el lote y canales", {"batchnorm_by_hand": bn_global},
                public(cifar10.check_batchnorm, "batchnorm_by_hand")),
        Mistake("test-batchnorm", "gamma y beta cambiados", {"batchnorm_by_hand": lambda x, g, b, e: bn(x, b, g, e)}),
        Mistake("test-bn-model", "BatchNormalization solo tras la primera Conv2D",
                {"build_bn_model": fixed(lambda: _baseline(bn="first-only"))}, public(cifar10.check_bn_model, "build_bn_model")),
        Mistake("test-bn-model", "sin BatchNormalization", {"build_bn_model": fixed(lambda: _baseline())},
                public(cifar10.check_bn_model, "build_bn_model")),
        Mistake("test-bn-model", "Dropout en vez de BatchNormalization",
                {"build_bn_model": fixed(lambda: _baseline(extra=(L.Dropout(0.3),)))}, public(cifar10.check_bn_model, "build_bn_model")),
        Mistake("test-bn-model", "BatchNormalization tras la ReLU",
                {"build_bn_model": fixed(lambda: _baseline(bn="after-relu"))}, public(cifar10.check_bn_model, "build_bn_model")),
        Mistake("test-dropout", "Dropout(0.3) antes de Flatten",
                {"build_dropout_model": fixed(lambda: _sequential(*_baseline().layers[:5], L.Dropout(0.3), *_baseline().layers[5:]))},
                lambda s: cifar10.check_dropout_model(s["build_dropout_model"]())),
        Mistake("test-dropout", "escala 1 − rate", {"dropout_scale": lambda r: 1.0 - r},
                lambda s: cifar10.check_dropout(s["dropout_demo"], s["dropout_scale"])),
        Mistake("test-dropout", "todo en inferencia",
                {"dropout_demo": lambda m, x: tuple(np.asarray(m(x, training=False)) for _ in range(4))},
                lambda s: cifar10.check_dropout(s["dropout_demo"], s["dropout_scale"])),
        Mistake("test-dropout", "modelo sin Dropout", {"build_dropout_model": fixed(lambda: _baseline())},
                lambda s: cifar10.check_dropout_model(s["build_dropout_model"]())),
        Mistake("test-lr-schedule", "sin tope al final", {"cosine_lr": lambda s, t, lr0: lr0 * 0.5 * (1 + math.cos(math.pi * s / t))}),
        Mistake("test-lr-schedule", "sin el factor 1/2", {"cosine_lr": lambda s, t, lr0: lr0 * (1 + math.cos(math.pi * min(s, t) / t))},
                public(cifar10.check_lr_schedule, "cosine_lr")),
        # the public steps 0, 50 and 100 of 100 are where linear and cosine decay agree
        Mistake("test-lr-schedule", "decaimiento lineal", {"cosine_lr": lambda s, t, lr0: lr0 * (1 - min(s, t) / t)}),
        Mistake("test-evaluation", "precisión en vez de exactitud por clase", {"per_class_accuracy": precision}),
        Mistake("test-evaluation", "los más seguros, también aciertos", {"most_confident_errors": confident_any}),
        Mistake("test-evaluation", "de menor a mayor",
                {"most_confident_errors": lambda p, y, k: mce(p, y, len(p))[::-1][:k]}),
    ]  # fmt: skip


HEAVY = {"test-dropout", "test-vgg", "test-augmentation", "test-best-model", "test-dataset"}
"""Cells whose 50 seeds of forward passes (or of tf.data pipelines) take most of the time
(each about a minute on two busy cores): marked slow."""


def _run(sol, capsys, monkeypatch, cells: set, label: str) -> None:
    cifar10, grading, models, regularise = fresh("cifar10", "grading", "models", "regularise")
    # The models the checks build for themselves (the small Dropout model of a seed, the
    # deck's code) are built once per seed and code, not once per answer.
    for module, name in ((regularise, "_small_dropout_model"), (models, "_deck_model")):
        monkeypatch.setattr(module, name, functools.cache(getattr(module, name)))
    catalogue = [m for m in _catalogue(sol, cifar10) if m.cell in cells]
    tally = run(grading.CELLS, grading.HIDDEN, "cifar10", sol, catalogue)
    assert_catalogue(tally, catalogue, cells, label, capsys)


def test_every_mistake_is_rejected_on_every_seed(sol, capsys, real_data_env, monkeypatch):
    """The hidden judge rejects every mistake on 50 seeds; the solution earns every cell."""
    _run(sol, capsys, monkeypatch, CATALOGUED - HEAVY, "03_cifar10")


@pytest.mark.slow
def test_every_mistake_of_the_heavy_cells_is_rejected(sol, capsys, real_data_env, monkeypatch):
    """The same for the cells of :data:`HEAVY`."""
    _run(sol, capsys, monkeypatch, HEAVY, "03_cifar10 (lentas)")


def test_accuracy_cell_rejects_untrained_and_unlearnt_models(
    sol, capsys, real_data_env, monkeypatch
):
    """``test-accuracy``: a small CNN trained briefly on a normalised slice of the real
    training set earns the cell; an untrained model, one trained on shuffled labels, one
    trained on raw 0–255 pixels (the cell feeds normalised images) and a constant
    predictor lose it, under the grader's profile. Judged once per answer (see
    :data:`mistakes.TRAINED_NOTE`)."""
    from mistakes import classifier_catalogue

    from cnn_course import data, runtime

    monkeypatch.setenv(runtime.PROFILE_ENV, "grading")
    _, grading, common = fresh("cifar10", "grading", "_common")
    x, y, _, _ = common._arrays()
    x, y = data.balanced_subset(x, y, limit=3000, seed=7)
    mean, std = common._train_stats(runtime.budget("cifar10"))
    xn = reference.normalise(x, mean, std)
    raw = x.astype("float32")
    good, catalogue = classifier_catalogue("test-accuracy", (32, 32, 3), 10, xn, y, raw, 3)
    tally = run(grading.CELLS, grading.HIDDEN, "cifar10", {**sol, "model": good}, catalogue)
    assert_trained(tally, "test-accuracy", "03_cifar10 (exactitud)", capsys)


def test_hidden_generators_draw_every_case_class():
    """On every seed, the explore, learning-rate and evaluation generators draw each case
    class the session declares (:data:`cnn_course.checks.cifar10.CASE_CLASSES`)."""
    cifar10, evaluate, explore, regularise = fresh("cifar10", "evaluate", "explore", "regularise")
    assert set(cifar10.CASE_CLASSES) == {
        "class_counts", "cosine_lr", "per_class_accuracy", "most_confident_errors",
        "batchnorm_by_hand", "dropout_scale", "make_dataset",
    }  # fmt: skip
    for seed in range(50):
        cases = explore.explore_cases(np.random.default_rng(seed))
        assert len(cases) == len(explore.EXPLORE_CLASSES)
        (x0, y0, k0), (_, y1, k1), (_, y2, k2) = cases
        assert set(y0) == set(range(k0))
        assert max(y1) < k1 - 1 and set(y1) == set(range(max(y1) + 1))
        assert max(y2) == k2 - 1 and len(set(y2)) == k2 - 1
        means = x0.reshape(-1, 3).mean(axis=0)
        assert means.max() - means.min() > 50

        lr = regularise.lr_cases(np.random.default_rng(seed))
        assert lr[0][0] == 0
        step, total, _ = lr[1]
        cosine, linear = 0.5 * (1 + math.cos(math.pi * step / total)), 1 - step / total
        assert abs(cosine - linear) > 0.05
        assert lr[2][0] == lr[2][1] and lr[3][0] > lr[3][1]

        (y_true, y_pred, k), (probs, y, n) = evaluate.evaluation_cases(np.random.default_rng(seed))
        assert set(y_true) == set(range(k))
        acc = reference.per_class_accuracy(y_true, y_pred, k)
        precision = np.array([np.mean(y_true[y_pred == c] == c) for c in range(k)])
        assert acc.min() == 0 and acc.max() == 1
        assert np.any(np.abs(acc - precision) > 0.05)
        surest = np.argmax(probs.max(axis=1))
        assert probs[surest].argmax() == y[surest]
        assert n <= len(reference.most_confident_errors(probs, y, len(y)))

        (x, _, _, eps), (x2, _, _, eps2) = regularise.batchnorm_cases(np.random.default_rng(seed))
        spread = x.std(axis=(0, 1, 2))
        assert spread.max() / spread.min() > 100 and x2.shape[-1] != x.shape[-1] and eps2 > eps
        assert all(r < 0.5 for r in regularise.DROPOUT_RATES[:2])
        assert any(r > 0.5 for r in regularise.DROPOUT_RATES)

        (xa, _, ba), (xb, _, bb) = evaluate.dataset_cases(seed)
        assert len(xa) % ba != 0 and len(xa) > ba
        assert len(xb) % bb == 0 and len(xb) > bb
