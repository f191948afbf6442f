"""Sections 1–3 of the CIFAR-10 session: exploring the data and the shapes by hand."""

from __future__ import annotations

import numpy as np

from cnn_course.checks import toolkit
from cnn_course.checks.cifar10 import reference
from cnn_course.checks.cifar10._common import (
    _arrays,
    _call,
    _expect_close_ref,
    _short,
)
from cnn_course.checks.cifar10.reference import (
    BASELINE,
    VGG,
)
from cnn_course.fmt import number


# ---------------------------------------------------------------- 1. explore
def _check_explore_on(class_counts, channel_stats, normalise, x, y, num_classes) -> None:
    call = f"class_counts(y, {num_classes})"
    counts = _call(class_counts, "class_counts", call, y, num_classes)
    expected = reference.class_counts(y, num_classes)
    got = np.asarray(counts)
    if got.shape != expected.shape or not np.issubdtype(got.dtype, np.integer):
        toolkit.fail("cifar10.counts", num_classes=num_classes, got=_short(got))
    if not np.array_equal(got, expected):
        toolkit.fail("cifar10.counts", num_classes=num_classes, got=_short(got))
    print(f"class_counts: {num_classes} clases, {number(int(got.sum()))} imágenes: correcto")

    call = f"channel_stats(x de forma {x.shape})"
    stats = _call(channel_stats, "channel_stats", call, x)
    if not (isinstance(stats, (tuple, list)) and len(stats) == 2):
        toolkit.fail(
            "common.wrong_type", name=call, expected="(media, desviación)", got=_short(stats)
        )
    ref_mean, ref_std = reference.channel_stats(x)
    for name, got_v, ref_v in (("media", stats[0], ref_mean), ("desviación", stats[1], ref_std)):
        shape = np.shape(got_v)
        if shape != (3,):
            toolkit.fail("cifar10.stats_shape", name=f"{call}: {name}", got=shape)
        toolkit.expect_close(
            f"{call}: {name}",
            got_v,
            ref_v,
            tol=1e-3,
            hint=" Escala los píxeles a [0, 1] (divide por 255) y promedia por canal.",
        )

    call = f"normalise(x de forma {x.shape}, mean, std)"
    out = _call(normalise, "normalise", call, x, ref_mean, ref_std)
    toolkit.expect_shape(call, out, x.shape)
    if np.asarray(out).dtype != np.float32:
        toolkit.fail("common.dtype", name=call, expected="float32", got=np.asarray(out).dtype)
    _expect_close_ref(
        call,
        out,
        reference.normalise(x, ref_mean, ref_std),
        tol=1e-4,
        hint=" Primero a [0, 1] (x / 255), luego resta la media y divide por la desviación de cada canal.",
    )


def check_explore(class_counts, channel_stats, normalise) -> None:
    """Public: 500 real training images."""
    x_train, y_train, _, _ = _arrays()
    idx = np.random.default_rng(0).choice(len(x_train), 500, replace=False)
    _check_explore_on(class_counts, channel_stats, normalise, x_train[idx], y_train[idx], 10)


EXPLORE_CLASSES = (
    "todas las clases tienen imágenes",
    "las clases más altas no tienen imágenes (el recuento sigue teniendo num_classes valores)",
    "una clase intermedia sin imágenes",
)
"""What ``class_counts`` must tell apart; :func:`explore_cases` draws one case of each on every
seed. Each case also has channels of very different means and spreads, and images of another
size (``channel_stats`` and ``normalise`` work per channel, on any size)."""


def _explore_images(rng) -> np.ndarray:
    n, h, w = (int(v) for v in rng.integers((20, 5, 5), (60, 12, 12)))
    low = int(rng.integers(0, 60))
    high = int(rng.integers(150, 230))
    channels = [
        rng.integers(low, low + 80, (n, h, w)),
        rng.integers(high, 256, (n, h, w)),
        rng.integers(0, 256, (n, h, w)),
    ]
    order = rng.permutation(3)
    return np.stack([channels[i] for i in order], axis=-1).astype(np.uint8)


def explore_cases(rng) -> list[tuple[np.ndarray, np.ndarray, int]]:
    """``(x, y, num_classes)`` of each class of :data:`EXPLORE_CLASSES`, in that order."""
    cases = []
    for kind in range(len(EXPLORE_CLASSES)):
        x = _explore_images(rng)
        k = int(rng.integers(4, 12))
        present = np.arange(k)
        if kind == 1:
            present = np.arange(int(rng.integers(2, k - 1)))
        elif kind == 2:
            present = np.delete(present, int(rng.integers(1, k - 1)))
        y = np.concatenate([present, rng.choice(present, len(x) - len(present))])
        cases.append((x, rng.permutation(y), k))
    return cases


def hidden_explore(class_counts, channel_stats, normalise, seed: int = 303) -> None:
    """Hidden: one case of each class of :data:`EXPLORE_CLASSES`, random images of another
    size with very different channels."""
    for x, y, k in explore_cases(np.random.default_rng(seed)):
        _check_explore_on(class_counts, channel_stats, normalise, x, y, k)


# ---------------------------------------------------------------- 2–3. shapes by hand
def _plan_shapes(plan) -> list[tuple]:
    return [spec.output_shape[1:] for spec in plan.specs]


def _keras_shapes(model) -> list[tuple]:
    return [tuple(layer.output.shape)[1:] for layer in model.layers]


def _check_by_hand(name_shapes, name_total, shapes, total, plan, expected_shapes, expected_total):
    try:
        got = [tuple(int(v) for v in s) for s in shapes]
    except TypeError:
        toolkit.fail(
            "common.wrong_type",
            name=name_shapes,
            expected="una lista de tuplas",
            got=_short(shapes),
        )
    if len(got) != len(expected_shapes):
        toolkit.fail(
            "cifar10.shape_count", name=name_shapes, expected=len(expected_shapes), got=len(got)
        )
    for index, (g, e) in enumerate(zip(got, expected_shapes, strict=True), start=1):
        if g != tuple(e):
            layer = plan.specs[index - 1].kinds[0]
            toolkit.fail("cifar10.shape_by_hand", name=name_shapes, index=index, layer=layer, got=g)
    print(f"«{name_shapes}»: las {len(got)} formas son correctas")
    if isinstance(total, bool) or not isinstance(total, (int, np.integer)):
        toolkit.fail("common.wrong_type", name=name_total, expected="int", got=type(total).__name__)
    if int(total) != expected_total:
        toolkit.fail("cifar10.total_by_hand", name=name_total, got=int(total))
    print(f"«{name_total}» = {number(int(total))}: correcto")


def check_baseline_by_hand(shapes, total) -> None:
    """Public: the tutorial network's shapes and count, against the formulas."""
    _check_by_hand(
        "baseline_shapes",
        "baseline_total",
        shapes,
        total,
        BASELINE,
        _plan_shapes(BASELINE),
        BASELINE.params,
    )


def _hidden_by_hand(prefix: str, shapes, total, plan, ops) -> None:
    """The answers against a Keras model built here from ``ops`` (not the formulas)."""
    model = reference.keras_plan_model(ops)
    expected = (_keras_shapes(model), int(model.count_params()))
    _check_by_hand(f"{prefix}_shapes", f"{prefix}_total", shapes, total, plan, *expected)


def hidden_baseline_by_hand(shapes, total) -> None:
    """Hidden: the same answers re-derived from a Keras model built here."""
    _hidden_by_hand("baseline", shapes, total, BASELINE, reference.BASELINE_OPS)


def check_vgg_by_hand(shapes, total) -> None:
    """Public: the deck's VGG-style network, against the formulas."""
    _check_by_hand("vgg_shapes", "vgg_total", shapes, total, VGG, _plan_shapes(VGG), VGG.params)


def hidden_vgg_by_hand(shapes, total) -> None:
    """Hidden: the same answers re-derived from a Keras model built here."""
    _hidden_by_hand("vgg", shapes, total, VGG, reference.VGG_OPS)
