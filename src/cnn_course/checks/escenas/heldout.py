"""The teacher's labelled images and the grade bands: what decides accuracy points and rank.

By default the teacher's set is the official test split (``seg_test``) of the data the
grader finds (``$CNN_COURSE_DATA``, the Keras cache). ``$CNN_COURSE_SCENES_HELDOUT``
points the grader at a private labelled folder in the same Kaggle layout instead
(``<folder>/<class>/*.jpg``, or ``seg_test/seg_test/<class>/`` below it): a model trained
on the public test images then gains nothing from them. The student's notebook never
loads this set; only the grader's judge process does.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import numpy as np

from cnn_course._tables import load_table
from cnn_course.checks import toolkit

SESSION = "escenas"
HELDOUT_ENV = "CNN_COURSE_SCENES_HELDOUT"


def bands(profile: str) -> tuple[float, ...]:
    """The accuracy bands of ``profile`` (increasing; the first is the profile's threshold)."""
    row = load_table("budgets.toml")["sessions"][SESSION].get(profile, {})
    values = row.get("bands")
    if (
        not isinstance(values, list)
        or not values
        or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
        or not all(0 < v <= 1 for v in values)
        or list(values) != sorted(set(values))
    ):
        raise ValueError(
            f"Budget {SESSION}/{profile}: bands must be an increasing list of accuracies in "
            f"(0, 1] (got {values!r})."
        )
    if float(row.get("threshold", -1)) != float(values[0]):
        raise ValueError(
            f"Budget {SESSION}/{profile}: threshold {row.get('threshold')!r} must equal the "
            f"first band {values[0]!r}."
        )
    return tuple(float(v) for v in values)


def reached(accuracy: float, limits: tuple[float, ...]) -> int:
    """How many bands ``accuracy`` reaches (0 to ``len(limits)``)."""
    return sum(accuracy >= b for b in limits)


def teacher_root() -> tuple[Path, str]:
    """The class folders of the teacher's set and how it was chosen (for messages)."""
    from cnn_course.data import scenes

    private = os.environ.get(HELDOUT_ENV, "").strip()
    if private:
        from cnn_course.data.heldout import class_root

        root = class_root(Path(private).expanduser())
        if root is None:
            raise FileNotFoundError(
                f"{HELDOUT_ENV}={private} is not a folder of class folders "
                "(<class>/*.jpg or seg_test/seg_test/<class>/)."
            )
        return root, f"carpeta privada {HELDOUT_ENV}"
    return scenes.split_roots(scenes.find(download=False))[1], "test oficial"


def _subset(files: dict[str, list[Path]], per_class: int) -> dict[str, list[Path]]:
    """The first ``per_class`` files of each class in name order (0: all of them)."""
    return {c: (v[:per_class] if per_class else v) for c, v in files.items()}


@cache
def teacher_set(size: tuple[int, int], per_class: int = 0) -> tuple[np.ndarray, np.ndarray, str]:
    """``(images, labels, origin)``: float32 ``(N, h, w, 3)`` in 0..255 resized as the loader
    does (bilinear), labels in the registry's class order."""
    import tensorflow as tf

    from cnn_course.data import scenes
    from cnn_course.data.registry import dataset

    root, origin = teacher_root()
    files = _subset(scenes.image_files(root), per_class)
    classes = list(dataset(scenes.NAME).classes)
    images, labels = [], []
    for label, name in enumerate(classes):
        for path in files[name]:
            raw = tf.io.decode_image(
                tf.io.read_file(str(path)), channels=3, expand_animations=False
            )
            images.append(tf.image.resize(raw, size, method="bilinear").numpy())
            labels.append(label)
    return np.stack(images).astype(np.float32), np.asarray(labels, dtype=np.int64), origin


def measure(model, per_class: int = 0) -> dict:
    """The grader's measurement of ``model`` on the teacher's set: accuracy, images, origin."""
    shape = tuple(model.inputs[0].shape[1:3])
    x, y, origin = teacher_set((int(shape[0]), int(shape[1])), per_class)
    predicted = toolkit.predictions(model, x, batch_size=64)
    return {
        "accuracy": float(np.mean(predicted == y)),
        "images": len(y),
        "origin": origin,
        "predicted": predicted,
        "labels": y,
    }
