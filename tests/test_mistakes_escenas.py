"""Mistake catalogue of the natural-scenes challenge: at least three plausible wrong answers
for the duplicates, rules and Grad-CAM cells (the trained model's accuracy: its own test
below), each rejected by the hidden judge on 50 seeds and by the public check where its
example can show it; the solution earns the same cells on the same seeds."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from mistakes import Mistake, assert_catalogue, assert_trained, fresh, run

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
    assert_catalogue(tally, catalogue, CATALOGUED, "04_escenas", capsys, public=False)


def _scenes_cnn(head=None):
    """A small CNN of the challenge's rules (32×32 input), initialised from seed 0."""
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            L.Rescaling(1 / 255),
            L.Conv2D(16, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Conv2D(32, 3, activation="relu"),
            L.MaxPooling2D(),
            L.Flatten(),
            head or L.Dense(6, activation="softmax"),
        ]
    )


def test_accuracy_cell_rejects_untrained_and_unlearnt_models(sol, capsys, real_data_env):
    """``test-accuracy``: a small CNN trained for a few epochs on 300 training images per
    class reaches every band of the grading profile and earns the cell; an untrained one,
    one trained on labels shuffled apart from their images, a constant predictor and a
    single sigmoid output lose points. (A model without Rescaling trained on [0, 1] images
    is no such mistake: its ReLU layers barely care about the inputs' scale, and it earns
    the cell.) The cell draws
    nothing: each answer is judged once (see :data:`mistakes.TRAINED_NOTE`)."""
    import warnings

    from mistakes import constant_model

    from cnn_course.data import PartialDatasetWarning
    from cnn_course.data.scenes import load_natural_scenes

    _, grading = fresh("escenas", "grading")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PartialDatasetWarning)
        train, _, _ = load_natural_scenes((32, 32), validation_split=None, limit_per_class=300)

    def trained(model, data, epochs):
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        model.fit(data, epochs=epochs, verbose=0)
        return model

    good = trained(_scenes_cnn(), train, 5)
    catalogue = [
        Mistake("test-accuracy", "modelo sin entrenar", {"model": _scenes_cnn()}),
        Mistake("test-accuracy", "imágenes y etiquetas barajadas por separado",
                {"model": trained(_scenes_cnn(), train.map(lambda x, y: (x, tf.random.shuffle(y, seed=1))), 2)}),
        Mistake("test-accuracy", "predice siempre la misma clase", {"model": constant_model((32, 32, 3), 6, 2)}),
        Mistake("test-accuracy", "una sola salida sigmoide", {"model": _scenes_cnn(head=L.Dense(1, activation="sigmoid"))}),
    ]  # fmt: skip
    answers = {**sol, "model": good, "train_seconds": 12.5}  # the notebook records both
    tally = run(grading.CELLS, None, "escenas", answers, catalogue)
    assert_trained(tally, "test-accuracy", "04_escenas (exactitud)", capsys)
