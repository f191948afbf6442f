"""Mistake catalogue of the natural-scenes challenge: at least three plausible wrong answers
for the duplicates, rules and Grad-CAM cells (the trained model's accuracy aside: see the
README), each rejected by the hidden judge on 50 seeds and by the public check where its
example can show it; the solution earns the same cells on the same seeds."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from mistakes import Mistake, fresh, report, run

from cnn_course.checks.toolkit.tracing import solution_namespace

L = keras.layers
CATALOGUED = {"test-duplicates", "test-rules", "test-gradcam"}


@pytest.fixture(scope="module")
def sol(real_data_env) -> dict:
    ns = dict(solution_namespace("04_escenas"))
    # a global of the notebook's data cells, which the solution namespace does not run
    ns["build_model"].__globals__.setdefault("CLASES", ns["data"].class_names("natural_scenes"))
    ns["model"] = ns["build_model"](64)
    return ns


def _groups(paths, key) -> list[list[str]]:
    by_key: dict = defaultdict(list)
    for path in paths:
        by_key[key(Path(path))].append(str(path))
    return [sorted(g) for g in by_key.values() if len(g) > 1]


def _pairs_only(paths):
    return [g[:2] for g in _groups(paths, lambda p: hashlib.sha256(p.read_bytes()).digest())]


def _by_size(paths):
    return _groups(paths, lambda p: p.stat().st_size)


def _with_singles(paths):
    by_hash: dict = defaultdict(list)
    for path in paths:
        by_hash[hashlib.sha256(Path(path).read_bytes()).digest()].append(str(path))
    return [sorted(g) for g in by_hash.values()]


def _gradcam(score):
    """The notebook's Grad-CAM with another score (``score(preds, class_index)``)."""

    def gradcam(model, images, layer_name, class_index=None):
        grad_model = keras.Model(
            model.inputs, [model.get_layer(layer_name).output, model.outputs[0]]
        )
        x = tf.convert_to_tensor(np.asarray(images, dtype="float32"))
        with tf.GradientTape() as tape:
            maps, preds = grad_model(x, training=False)
            value = score(preds, class_index)
        weights = tf.reduce_mean(tape.gradient(value, maps), axis=(1, 2))
        cam = tf.nn.relu(tf.einsum("bhwk,bk->bhw", maps, weights))
        top = tf.reduce_max(cam, axis=(1, 2), keepdims=True)
        return (cam / tf.maximum(top, 1e-12)).numpy()

    return gradcam


def _predicted(preds, class_index):
    return tf.reduce_max(preds, axis=-1)


def _all_classes(preds, class_index):
    return tf.reduce_sum(preds, axis=-1)


def _loss(preds, class_index):
    index = (
        tf.argmax(preds, axis=-1)
        if class_index is None
        else tf.fill([tf.shape(preds)[0]], tf.cast(class_index, tf.int64))
    )
    return -tf.math.log(tf.gather(preds, index, axis=1, batch_dims=1))


def _dense_only():
    return keras.Sequential(
        [
            keras.Input((64, 64, 3)),
            L.Rescaling(1 / 255),
            L.Flatten(),
            L.Dense(6, activation="softmax"),
        ]
    )


def _too_large_input(sol):
    return sol["build_model"](224)


def _pretrained():
    base = keras.Sequential(
        [keras.Input((64, 64, 3)), L.Conv2D(8, 3), L.GlobalAveragePooling2D()],
        name="mobilenetv2_1.00_224",
    )
    return keras.Sequential([keras.Input((64, 64, 3)), base, L.Dense(6, activation="softmax")])


def _catalogue(S: dict) -> list[Mistake]:
    return [
        Mistake("test-duplicates", "solo parejas", {"find_duplicates": _pairs_only}),
        Mistake("test-duplicates", "por tamaño", {"find_duplicates": _by_size}),
        Mistake(
            "test-duplicates", "incluye los archivos únicos", {"find_duplicates": _with_singles}
        ),
        Mistake("test-rules", "sin convoluciones", {"model": _dense_only()}),
        Mistake("test-rules", "entrada de 224 × 224", {"model": _too_large_input(S)}),
        Mistake("test-rules", "una red preentrenada dentro", {"model": _pretrained()}),
        Mistake("test-gradcam", "ignora class_index", {"gradcam": _gradcam(_predicted)}),
        Mistake("test-gradcam", "suma de todas las clases", {"gradcam": _gradcam(_all_classes)}),
        Mistake("test-gradcam", "gradiente de la pérdida", {"gradcam": _gradcam(_loss)}),
    ]


def test_every_mistake_is_rejected_on_every_seed(sol, capsys):
    """The hidden judge rejects every mistake on 50 seeds; the solution earns every cell."""
    _, grading = fresh("escenas", "grading")
    catalogue = _catalogue(sol)
    tally = run(grading.CELLS, None, "escenas", sol, catalogue)
    with capsys.disabled():
        print("\n" + report("04_escenas", tally))
    assert tally.refused_solution == []
    assert tally.escaped == []
    assert tally.cells == CATALOGUED
    per_cell = {gid: sum(m.cell == gid for m in catalogue) for gid in CATALOGUED}
    assert min(per_cell.values()) >= 3, per_cell
