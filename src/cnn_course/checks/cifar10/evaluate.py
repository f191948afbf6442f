"""Sections 6–7: the best model, its accuracy and evaluation tools, and tf.data."""

from __future__ import annotations

import numpy as np

import cnn_course.runtime as runtime
from cnn_course.checks import toolkit
from cnn_course.checks.cifar10 import reference, variants
from cnn_course.checks.cifar10._common import (
    SESSION,
    _accuracy,
    _call,
    _expect_base_layers,
    _expect_bn_after_convs,
    _expect_probabilities,
    _fresh,
    _held_out,
    _quiet_tracing,
    _short,
)
from cnn_course.checks.cifar10.reference import (
    INPUT_SHAPE,
)
from cnn_course.checks.cifar10.regularise import _expect_no_vertical_flip, _random_layers


# ---------------------------------------------------------------- 6. the best model
def check_best_model(model) -> None:
    """Public: the tutorial network with augmentation, BatchNormalization and Dropout."""
    call = "model"
    layers = _expect_base_layers(call, model)
    _expect_bn_after_convs(call, layers)
    if not _random_layers(layers):
        toolkit.fail("cifar10.aug_none", call=call)
    _expect_no_vertical_flip(call, layers)
    rates = [layer.rate for layer in layers if type(layer).__name__ == "Dropout"]
    if not rates or not all(0 < r < 1 for r in rates):
        toolkit.fail("cifar10.dropout_missing", call=call, got=rates or "ninguna")
    variants.expect_variant(call, model, bn=True, dropout=True)


def hidden_best_model(build_best_model, seed: int = 31) -> None:
    """Hidden: a fresh model with the same structure and a forward pass of probabilities."""
    model = _fresh(build_best_model, "build_best_model")
    check_best_model(model)
    _expect_probabilities("build_best_model()", model, INPUT_SHAPE, batch=3, seed=seed)


def check_accuracy(model) -> None:
    """Public: accuracy on a test subset, measured here, against the profile's threshold."""
    budget = runtime.budget(SESSION)
    with _quiet_tracing():
        toolkit.expect_accuracy(model, *_held_out(budget, seed=0), budget)


def hidden_accuracy(model) -> None:
    """Hidden: another class-balanced test subset (the whole test set when the profile uses
    it all), on a trusted copy, with this module's own data and normalisation."""
    budget = runtime.budget(SESSION)
    with _quiet_tracing():
        toolkit.expect_accuracy(model, *_held_out(budget, seed=1), budget)


# ---------------------------------------------------------------- 6. evaluation tools
def _check_per_class_on(per_class_accuracy, y_true, y_pred, k) -> None:
    got = _call(
        per_class_accuracy,
        "per_class_accuracy",
        f"per_class_accuracy(y_true, y_pred, {k})",
        y_true,
        y_pred,
        k,
    )
    toolkit.expect_close(
        f"per_class_accuracy(y_true, y_pred, {k})",
        got,
        reference.per_class_accuracy(y_true, y_pred, k),
        tol=1e-6,
        hint=" Para cada clase real: aciertos de esa clase / imágenes de esa clase.",
    )


def _check_errors_on(most_confident_errors, probs, y_true, k) -> None:
    got = _call(
        most_confident_errors,
        "most_confident_errors",
        f"most_confident_errors(probs, y_true, {k})",
        probs,
        y_true,
        k,
    )
    expected = reference.most_confident_errors(probs, y_true, k)
    name = f"most_confident_errors(probs, y_true, {k})"
    got = np.asarray(got)
    toolkit.expect_shape(name, got, expected.shape)
    if not np.array_equal(got.astype(np.int64), expected):
        toolkit.fail(
            "common.value",
            name=name,
            expected="los índices de los errores con mayor probabilidad predicha, de mayor a menor",
            got=_short(got.tolist()),
        )
    print(f"{name}: correcto")


def check_evaluation(per_class_accuracy, most_confident_errors) -> None:
    """Public: small examples worked by hand."""
    _check_per_class_on(
        per_class_accuracy, np.array([0, 0, 1, 1, 1, 2]), np.array([0, 1, 1, 1, 2, 2]), 3
    )
    probs = np.array(
        [[0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.6, 0.3, 0.1], [0.25, 0.2, 0.55], [0.1, 0.7, 0.2]]
    )
    _check_errors_on(most_confident_errors, probs, np.array([0, 2, 1, 0, 1]), 2)


EVALUATION_CLASSES = (
    "una clase que nunca se acierta (exactitud 0)",
    "una clase que siempre se acierta (exactitud 1)",
    "una clase predicha de más (su precisión no es su exactitud)",
    "más aciertos seguros que errores (los más seguros no son errores)",
)
"""What ``per_class_accuracy`` (the first three) and ``most_confident_errors`` (the last)
must tell apart; :func:`evaluation_cases` draws every class on every seed."""


def evaluation_cases(rng):
    """``((y_true, y_pred, k), (probs, y, n))``: labels holding the first three classes of
    :data:`EVALUATION_CLASSES` (every class has images) and probabilities of the last."""
    k = int(rng.integers(4, 10))
    size = int(rng.integers(200, 500))
    y_true = np.concatenate([np.arange(k), rng.integers(0, k, size - k)])
    y_pred = np.where(rng.random(size) < 0.6, y_true, rng.integers(0, k, size))
    never, always, over = (int(c) for c in rng.permutation(k)[:3])
    y_pred[y_true == never] = (never + 1 + rng.integers(0, k - 1, (y_true == never).sum())) % k
    y_pred[y_true == always] = always
    y_pred[(y_true != never) & (rng.random(size) < 0.3)] = over
    y_pred[y_true == always] = always
    classes = int(rng.integers(5, 11))
    rows = int(rng.integers(150, 400))
    logits = rng.normal(size=(rows, classes)) * 3
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    y = np.where(rng.random(rows) < 0.7, probs.argmax(axis=1), rng.integers(0, classes, rows))
    surest = np.argsort(-probs.max(axis=1))[:3]
    y[surest] = probs[surest].argmax(axis=1)  # the three surest predictions are right
    return (y_true, y_pred, k), (probs, y, int(rng.integers(3, 12)))


def hidden_evaluation(per_class_accuracy, most_confident_errors, seed: int = 55) -> None:
    """Hidden: random labels and probabilities of other sizes, holding every class of
    :data:`EVALUATION_CLASSES`."""
    (y_true, y_pred, k), (probs, y, n) = evaluation_cases(np.random.default_rng(seed))
    _check_per_class_on(per_class_accuracy, y_true, y_pred, k)
    _check_errors_on(most_confident_errors, probs, y, n)


# ---------------------------------------------------------------- 7. tf.data
def _dataset_view(ds):
    """What the check reads of a dataset: a recorded one as the grader loaded it, a live
    ``tf.data.Dataset`` written down the same way (None for anything else)."""
    import tensorflow as tf

    from cnn_course.checks.toolkit.records import RecordedDataset
    from cnn_course.record import dataset_facts

    if isinstance(ds, RecordedDataset):
        return ds
    if not isinstance(ds, tf.data.Dataset):
        return None
    try:
        return RecordedDataset.of(dataset_facts(ds))
    except Exception as exc:  # the student's pipeline may fail while iterating
        toolkit.fail("common.crash", call="iterar el tf.data.Dataset", error=toolkit.short(exc))


def _check_dataset_on(make_dataset, x, y, batch_size) -> None:
    for training in (False, True):
        call = f"make_dataset(x, y, {batch_size}, {training})"
        result = _call(make_dataset, "make_dataset", call, x, y, batch_size, training)
        ds = _dataset_view(result)
        if ds is None:
            toolkit.fail("cifar10.dataset_type", got=type(result).__name__)
        expected_spec = ((None, *x.shape[1:]), (None, *y.shape[1:]))
        got_spec = ds.shapes if len(ds.shapes) == 2 else _short(ds.shapes)
        if got_spec != expected_spec:
            toolkit.fail("cifar10.dataset_spec", expected=expected_spec, got=got_spec)
        wanted = {
            "cache()": "CacheDataset",
            "batch()": "BatchDataset",
            "prefetch()": "PrefetchDataset",
        }
        if training:
            wanted["shuffle()"] = "ShuffleDataset"
        missing = [n for n, op in wanted.items() if not any(o.startswith(op) for o in ds.ops)]
        if missing:
            toolkit.fail(
                "cifar10.dataset_ops",
                training=training,
                missing=", ".join(missing),
                shuffle="shuffle(), " if training else "",
            )
        (xs1, ys1), sizes = ds.epochs[0]
        if any(s != batch_size for s in sizes[:-1]) or not 0 < sizes[-1] <= batch_size:
            toolkit.fail("cifar10.dataset_batches", batch_size=batch_size, got=sorted(set(sizes)))
        # Each image has a unique first pixel value here: find where every example went.
        if len(xs1) != len(x):
            toolkit.fail(
                "cifar10.dataset_examples", detail=f"{len(xs1)} ejemplos en lugar de {len(x)}"
            )
        order = _positions(x, xs1)
        if order is None or not np.array_equal(np.sort(order), np.arange(len(x))):
            toolkit.fail("cifar10.dataset_examples", detail="faltan o se repiten imágenes")
        if not np.array_equal(ys1, y[order]):
            toolkit.fail("cifar10.dataset_examples", detail="etiquetas separadas de sus imágenes")
        if not training and not np.array_equal(order, np.arange(len(x))):
            toolkit.fail(
                "cifar10.dataset_order",
                training=training,
                detail="sin entrenamiento (validación, test) el orden no debe cambiar: no barajes.",
            )
        if training:
            if np.array_equal(order, np.arange(len(x))):
                toolkit.fail(
                    "cifar10.dataset_order",
                    training=training,
                    detail="los ejemplos salen en su orden original: barájalos con shuffle().",
                )
            order_2 = _positions(x, ds.epochs[1][0][0])
            if order_2 is not None and np.array_equal(order, order_2):
                toolkit.fail("cifar10.dataset_cache_after_shuffle")
    print(
        f"make_dataset: {len(x)} ejemplos en lotes de {batch_size}, cache, shuffle (solo en "
        "entrenamiento, distinto en cada época), batch y prefetch: correcto"
    )


def _positions(x, seen) -> np.ndarray | None:
    keys = {float(v): i for i, v in enumerate(x.reshape(len(x), -1)[:, 0])}
    try:
        return np.array([keys[float(v)] for v in seen.reshape(len(seen), -1)[:, 0]])
    except KeyError:
        return None


def _dataset_case(n: int, seed: int):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4, 4, 3)).astype("float32")
    x[:, 0, 0, 0] = rng.permutation(n).astype("float32")  # a unique tag per example
    y = rng.integers(0, 10, n).astype("int64")
    return x, y


def check_dataset(make_dataset) -> None:
    """Public: 100 small examples in batches of 32."""
    _check_dataset_on(make_dataset, *_dataset_case(100, 0), 32)


DATASET_CLASSES = (
    "el tamaño del lote no divide el número de ejemplos (el último lote es más corto)",
    "el tamaño del lote divide el número de ejemplos exactamente",
)
"""What ``make_dataset`` must tell apart; :func:`dataset_cases` draws both on every seed."""


def dataset_cases(seed: int) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """``(x, y, batch_size)`` of each class of :data:`DATASET_CLASSES`, in order."""
    rng = np.random.default_rng(seed)
    batch = int(rng.integers(5, 20))
    n = batch * int(rng.integers(3, 9)) + int(rng.integers(1, batch))
    exact = int(rng.integers(4, 12))
    return [
        (*_dataset_case(n, seed), batch),
        (*_dataset_case(exact * int(rng.integers(3, 9)), seed + 1), exact),
    ]


def hidden_dataset(make_dataset, seed: int = 1) -> None:
    """Hidden: one case of each class of :data:`DATASET_CLASSES`, of other sizes."""
    for x, y, batch_size in dataset_cases(seed):
        _check_dataset_on(make_dataset, x, y, batch_size)


# ---------------------------------------------------------------- threshold bench
def measure(namespace: dict) -> float:
    """The graded metric of the notebook's ``model``: the lower of the public and hidden
    test accuracies (both are graded against the same threshold)."""
    budget = runtime.budget(SESSION)
    model = namespace["model"]
    return min(_accuracy(model, *_held_out(budget, seed=s)) for s in (0, 1))
