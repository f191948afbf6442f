"""Grad-CAM: the reference, the fixed model it is checked on, and the comparison.

``gradcam(model, images, layer_name, class_index=None)`` returns one map per image,
``(N, h, w)`` at the resolution of the layer ``layer_name``, in [0, 1]: the layer's
feature maps weighted by the mean over space of the gradient of the class score (the
model's output for ``class_index``, or for each image's predicted class), then ReLU,
then divided by each map's maximum (plus 1e-8).
"""

from __future__ import annotations

import numpy as np

from cnn_course import sessions
from cnn_course.checks import toolkit

SESSION = "escenas"
LAYER = "last_conv"
EPS = 1e-8
HINT = (
    " Pesa cada mapa de la capa por la media espacial del gradiente de la puntuación de la "
    "clase, suma sobre los canales, aplica ReLU y divide cada mapa por su máximo."
)


def reference_gradcam(model, images, layer_name: str, class_index: int | None = None):
    """Grad-CAM computed here (Selvaraju et al., 2017), as the module docstring defines it."""
    import keras
    import tensorflow as tf

    grad_model = keras.Model(model.inputs, [model.get_layer(layer_name).output, model.outputs[0]])
    x = tf.convert_to_tensor(np.asarray(images, dtype=np.float32))
    with tf.GradientTape() as tape:
        maps, preds = grad_model(x, training=False)
        if class_index is None:
            index = tf.argmax(preds, axis=-1)
        else:
            index = tf.fill([tf.shape(preds)[0]], tf.cast(class_index, tf.int64))
        score = tf.gather(preds, index, axis=1, batch_dims=1)
    grads = tape.gradient(score, maps)
    weights = tf.reduce_mean(grads, axis=(1, 2))
    cam = tf.nn.relu(tf.einsum("bhwk,bk->bhw", maps, weights))
    cam = cam / (tf.reduce_max(cam, axis=(1, 2), keepdims=True) + EPS)
    return cam.numpy()


def fixed_model(rng: np.random.Generator, side: int = 24, classes: int = 6):
    """A small CNN with a layer named ``last_conv``, its weights drawn from ``rng``
    (the same generator gives the same model, in the grader and in the judge)."""
    import keras

    # Functional, not Sequential: a Sequential reloaded from a .keras file may give layer
    # outputs that are not on the path to its own outputs (no gradient between them).
    inputs = keras.Input(shape=(side, side, 3))
    x = keras.layers.Conv2D(8, 3, activation="relu", name="first_conv")(inputs)
    x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.Conv2D(12, 3, activation="relu", name=LAYER)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs, name="gradcam_fixed")
    model.set_weights(
        [
            rng.normal(0.0, 0.4, w.shape).astype(np.float32) + (0.05 if w.ndim == 1 else 0.0)
            for w in model.get_weights()
        ]
    )
    return model


CASE_CLASSES = (
    "class_index=None: la clase predicha de cada imagen",
    "un class_index que no es la clase predicha de la primera imagen",
)
"""Both calls on every seed (:func:`case`)."""


def case(rng: np.random.Generator) -> tuple:
    """``(model, images, calls)``: the fixed model, random images and the calls to make
    (``class_index`` None, and a class drawn among those the first image is not predicted
    as: a function that ignores ``class_index`` cannot pass)."""
    model = fixed_model(rng)
    images = rng.uniform(0.0, 1.0, (int(rng.integers(3, 6)), 24, 24, 3)).astype(np.float32)
    predicted = int(np.argmax(np.asarray(model(images[:1], training=False))[0]))
    others = [c for c in range(model.outputs[0].shape[-1]) if c != predicted]
    calls = [None, int(rng.choice(others))]
    return model, images, calls


def expect_gradcam(got, model, images, class_index) -> None:
    """The student's maps against the reference for one call."""
    name = f"gradcam(model, images, {LAYER!r}, class_index={class_index})"
    expected = reference_gradcam(model, images, LAYER, class_index)
    got = np.asarray(got, dtype=np.float64)
    if got.shape == expected.shape and got.size:
        low, high = float(np.nanmin(got)), float(np.nanmax(got))
        if low < -1e-6 or high > 1 + 1e-6:
            toolkit.fail("escenas.gradcam_range", low=low, high=high)
    if got.shape != expected.shape:
        toolkit.fail("common.shape", name=name, expected=expected.shape, got=got.shape)
    # Relative to the largest value (1 after normalising): float32 noise near zero must
    # not count as a relative error of 100 %.
    error = toolkit.rel_error(got, expected, relative_to="reference")
    tol = float(sessions.threshold(SESSION, "gradcam_tol"))
    print(f"{name}: error relativo {error:.2e} (tolerancia {tol:.0e})")
    if not error <= tol:
        toolkit.fail("common.close", name=name, error=error, tol=tol, hint=HINT)


def check(gradcam, rng: np.random.Generator) -> None:
    """Call the student's ``gradcam`` on the fixed model and compare every call."""
    model, images, calls = case(rng)
    for class_index in calls:
        got, _ = toolkit.call_case(
            gradcam, "gradcam", model, images, LAYER, class_index=class_index
        )
        expect_gradcam(got, model, images, class_index)
