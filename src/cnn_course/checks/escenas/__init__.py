"""Checks of the natural-scenes challenge (Intel Image Classification).

Public ``check_*`` functions run in the student's notebook and give feedback there;
every point is decided by :mod:`.grading` in the grader's own process, on what the
hidden cells recorded: the rules (:mod:`.rules`), the accuracy on the teacher's
labelled images in grade bands (:mod:`.heldout`), Grad-CAM against a reference on a
fixed model (:mod:`.gradcam`) and byte-identical files (:mod:`.duplicates`).
"""

from __future__ import annotations

import numpy as np

import cnn_course.runtime as runtime
from cnn_course.checks import toolkit
from cnn_course.checks.escenas import duplicates, gradcam, heldout, rules
from cnn_course.fmt import listing, number, percent

SESSION = "escenas"
CLASSES = duplicates.CLASSES
NUM_CLASSES = len(CLASSES)
rules_text = rules.rules_text


def check_duplicates(find_duplicates) -> None:
    """Public: a drawn set of files with copies, near-copies and unique files."""
    duplicates.check(find_duplicates, np.random.default_rng(2026))


def expect_output(model) -> None:
    """One probability per scene class: output ``(None, 6)``."""
    toolkit.expect_built("model", model)
    got = tuple(model.outputs[0].shape)
    if got != (None, NUM_CLASSES):
        toolkit.fail("escenas.output", classes=NUM_CLASSES, got=got)


def check_rules(model) -> None:
    """Public: every rule of the challenge, each printed; fails naming the broken ones."""
    toolkit.expect_built("model", model)
    broken = rules.broken_rules(model)
    names = {b.rule for b in broken}
    for i, rule in enumerate(rules.RULES, start=1):
        state = "INCUMPLIDA" if rule.key in names else "cumplida"
        print(f"Regla {i} ({rules.points_text(rule.points)}): {state}")
    print(f"Parámetros: {number(model.count_params())}")
    if broken:
        lost = sum(b.points for b in broken)
        details = " ".join(b.message for b in broken)
        toolkit.fail("escenas.rules_summary", lost=lost, total=rules.TOTAL_POINTS, details=details)


def accuracy_on(model, dataset) -> float:
    """Accuracy of a trusted copy of ``model`` on a ``tf.data`` dataset of (images, labels)."""
    xs, ys = [], []
    for x, y in dataset:
        xs.append(np.asarray(x))
        ys.append(np.asarray(y))
    return toolkit.accuracy(model, np.concatenate(xs), np.concatenate(ys), batch_size=64)


def check_accuracy(model, val_ds, profile: str | None = None) -> None:
    """Public: the rules, then the accuracy on the student's validation split against the
    profile's bands. The points come from the grader's measurement on the teacher's set."""
    check_rules(model)
    expect_output(model)
    profile = profile or runtime.detect_profile()
    limits = heldout.bands(profile)
    acc = accuracy_on(model, val_ds)
    got = heldout.reached(acc, limits)
    shown = listing(percent(b, 0) for b in limits)
    print(
        f"Exactitud en tu validación: {number(acc, 4)}; bandas del perfil «{profile}»: {shown} "
        f"(alcanzas {got} de {len(limits)}). La nota la decide la exactitud que mide el "
        "corrector en las imágenes del profesor."
    )
    if got == 0:
        toolkit.fail("escenas.accuracy_none", got=acc, profile=profile, first=limits[0])


def check_gradcam(gradcam_fn) -> None:
    """Public: the student's Grad-CAM on a fixed small model, against the reference."""
    gradcam.check(gradcam_fn, np.random.default_rng(2017))


def measure(namespace: dict) -> float:
    """Accuracy of the notebook's ``model`` on the teacher's set under the active profile
    (used by bench/measure_thresholds.py)."""
    budget = runtime.budget(SESSION)
    return heldout.measure(namespace["model"], budget.test_size // NUM_CLASSES)["accuracy"]


__all__ = [
    "CLASSES",
    "check_accuracy",
    "check_duplicates",
    "check_gradcam",
    "check_rules",
    "measure",
    "rules_text",
]
