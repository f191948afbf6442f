"""Tests for ``cnn_course.checks.escenas``: the challenge's rules (each broken rule costs its
own points, with a Spanish message naming it), accuracy bands on the teacher's images,
Grad-CAM against the reference, duplicates by hash, and the judge on real records."""

from __future__ import annotations

import shutil

import keras
import numpy as np
import pytest

from cnn_course.checks import escenas
from cnn_course.checks.escenas import duplicates, gradcam, grading, heldout, rules
from cnn_course.checks.toolkit import CheckError
from cnn_course.checks.toolkit.grading import Outcome, plans, write_inputs
from cnn_course.data import scenes
from cnn_course.grade import judge
from cnn_course.record import INPUTS_ENV, RECORDS_ENV, record


def cnn(side=48, channels=3, head=None):
    """A small valid CNN for the challenge (or with another head)."""
    layers = [
        keras.Input(shape=(side, side, channels)),
        keras.layers.Rescaling(1 / 255),
        keras.layers.Conv2D(4, 3, activation="relu"),
        keras.layers.GlobalAveragePooling2D(),
    ]
    return keras.Sequential(layers + (head or [keras.layers.Dense(6, activation="softmax")]))


def lost(model) -> dict[str, int]:
    return {b.rule: b.points for b in rules.broken_rules(model)}


def test_a_small_cnn_keeps_every_rule():
    """A hand-made CNN within the cap, with a 48×48×3 input, loses nothing."""
    model = cnn()
    assert rules.broken_rules(model) == []
    assert grading.rules_outcome(model) is None


def test_dense_only_model_loses_rule_one_points():
    """A model without any convolution loses exactly rule 1's 2 points."""
    model = keras.Sequential(
        [keras.Input(shape=(48, 48, 3)), keras.layers.Flatten(), keras.layers.Dense(6)]
    )
    assert lost(model) == {"cnn": 2}
    outcome = grading.rules_outcome(model)
    assert outcome.fraction == pytest.approx(1 - 2 / 6)
    assert "Regla 1" in outcome.reason and "convolución" in outcome.reason


def test_a_layer_outside_the_families_loses_rule_one():
    """A layer of a family the rules do not list (GaussianNoise) names the layer."""
    model = cnn(head=[keras.layers.GaussianNoise(0.1, name="ruido"), keras.layers.Dense(6)])
    broken = rules.broken_rules(model)
    assert [b.rule for b in broken] == ["cnn"]
    assert "«ruido»" in broken[0].message and "GaussianNoise" in broken[0].message


def test_over_the_parameter_cap_loses_rule_three_points():
    """One parameter too many costs rule 3's point; the message gives both counts."""
    cap = rules.limits()["max_params"]
    units = cap // 4 + 10  # Dense on 4 pooled channels: (4 + 1) · units > cap
    model = cnn(head=[keras.layers.Dense(units), keras.layers.Dense(6)])
    assert model.count_params() > cap
    broken = rules.broken_rules(model)
    assert {b.rule: b.points for b in broken} == {"params": 1}
    assert "Regla 3" in broken[0].message and "parámetros" in broken[0].message
    assert grading.rules_outcome(model).fraction == pytest.approx(1 - 1 / 6)


def test_a_keras_applications_backbone_loses_rule_two_points():
    """MobileNetV2 nested (as keras.applications builds it) is refused by its name."""
    base = keras.applications.MobileNetV2(
        input_shape=(96, 96, 3), include_top=False, weights=None, alpha=0.35
    )
    model = keras.Sequential(
        [
            keras.Input(shape=(96, 96, 3)),
            base,
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(6, activation="softmax"),
        ]
    )
    broken = rules.broken_rules(model)
    assert {b.rule: b.points for b in broken} == {"pretrained": 2}
    assert "Regla 2" in broken[0].message and base.name in broken[0].message


def test_a_flattened_backbone_is_found_by_its_layer_names():
    """The same backbone flattened into one model is refused by its layers' names."""
    base = keras.applications.MobileNetV2(
        input_shape=(96, 96, 3), include_top=False, weights=None, alpha=0.35
    )
    head = keras.layers.Dense(6)(keras.layers.GlobalAveragePooling2D()(base.output))
    broken = rules.broken_rules(keras.Model(base.input, head))
    assert [b.rule for b in broken] == ["pretrained"]
    assert "expanded_conv" in broken[0].message


def test_own_names_like_vgg_blocks_are_not_a_backbone():
    """Two VGG-like layer names, or a model called «mi_resnet», are a student's own CNN."""
    model = keras.Sequential(
        [
            keras.Input(shape=(48, 48, 3)),
            keras.layers.Conv2D(4, 3, name="block1_conv1"),
            keras.layers.Conv2D(4, 3, name="block1_conv2"),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(6),
        ],
        name="mi_resnet",
    )
    assert rules.broken_rules(model) == []


@pytest.mark.parametrize(
    "shape", [(160, 160, 3), (48, 48, 1), (16, 16, 3), (None, None, 3)], ids=str
)
def test_an_input_outside_the_rule_loses_rule_four_point(shape):
    """Too large, grey, too small or of no fixed size: rule 4's point, the shape named."""
    model = keras.Sequential(
        [
            keras.Input(shape=shape),
            keras.layers.Conv2D(4, 3),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(6),
        ]
    )
    broken = rules.broken_rules(model)
    assert {b.rule: b.points for b in broken} == {"input": 1}
    assert "Regla 4" in broken[0].message


def test_every_broken_rule_adds_its_points():
    """Dense-only, over the cap and with a grey input: 2 + 1 + 1 points lost."""
    cap = rules.limits()["max_params"]
    model = keras.Sequential(
        [
            keras.Input(shape=(48, 48, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(cap // (48 * 48) + 5),
            keras.layers.Dense(6),
        ]
    )
    assert lost(model) == {"cnn": 2, "params": 1, "input": 1}
    outcome = grading.rules_outcome(model)
    assert outcome.fraction == pytest.approx(2 / 6)
    assert outcome.measure["broken"] == ["regla 1", "regla 3", "regla 4"]


def test_rule_points_add_up_to_the_cell_points():
    """The notebook's rules cell is worth exactly the points the rules can cost."""
    import json

    from cnn_course import sessions
    from cnn_course.course import COURSE

    path = COURSE.source / sessions.get("escenas").notebook
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    points = {
        c["metadata"]["nbgrader"]["grade_id"]: c["metadata"]["nbgrader"].get("points")
        for c in cells
        if c["metadata"].get("nbgrader", {}).get("grade")
    }
    assert points["test-rules"] == rules.TOTAL_POINTS
    assert set(points) == set(grading.CELLS)


def test_public_rule_check_fails_naming_the_rule(capsys):
    """The kernel's check prints each rule and fails with the broken ones."""
    model = keras.Sequential(
        [keras.Input(shape=(48, 48, 3)), keras.layers.Flatten(), keras.layers.Dense(6)]
    )
    with pytest.raises(CheckError) as err:
        escenas.check_rules(model)
    assert err.value.key == "escenas.rules_summary" and err.value.values["lost"] == 2
    assert "Regla 1 (2 puntos): INCUMPLIDA" in capsys.readouterr().out


# ---------------------------------------------------------------- bands and the teacher's set
def test_bands_come_from_the_budget_table():
    """Each profile's bands increase and start at its threshold."""
    from cnn_course import runtime

    for profile in ("gpu", "cpu", "grading", "ci"):
        limits = heldout.bands(profile)
        assert list(limits) == sorted(limits)
        assert limits[0] == runtime.budget("escenas", profile).threshold


@pytest.mark.parametrize("bad", [[], [0.5, 0.4], [0.0, 0.5], "0.5", [0.5, True]])
def test_malformed_bands_are_refused(monkeypatch, bad):
    table = {"sessions": {"escenas": {"ci": {"threshold": 0.5, "bands": bad}}}}
    monkeypatch.setattr(heldout, "load_table", lambda name: table)
    with pytest.raises(ValueError, match="bands"):
        heldout.bands("ci")


def test_threshold_must_be_the_first_band(monkeypatch):
    table = {"sessions": {"escenas": {"ci": {"threshold": 0.3, "bands": [0.4, 0.5]}}}}
    monkeypatch.setattr(heldout, "load_table", lambda name: table)
    with pytest.raises(ValueError, match="first band"):
        heldout.bands("ci")


@pytest.fixture
def private_set(tmp_path, monkeypatch, real_data_env):
    """A private labelled folder of 2 images per class, named by the grader's variable."""
    test_root = scenes.split_roots(scenes.find(download=False))[1]
    private = tmp_path / "privado"
    for name in escenas.CLASSES:
        (private / name).mkdir(parents=True)
        for src in sorted((test_root / name).iterdir())[:2]:
            shutil.copy(src, private / name / src.name)
    monkeypatch.setenv(heldout.HELDOUT_ENV, str(private))
    heldout.teacher_set.cache_clear()
    yield private
    heldout.teacher_set.cache_clear()


def constant(label: int, side: int = 40):
    """A valid CNN that always predicts ``label`` (zero weights, a one-hot bias)."""
    model = cnn(side=side)
    dense = model.layers[-1]
    kernel, bias = dense.get_weights()
    bias = np.full_like(bias, -10.0)
    bias[label] = 10.0
    dense.set_weights([np.zeros_like(kernel), bias])
    return model


def test_accuracy_is_measured_on_the_private_folder(private_set):
    """With $CNN_COURSE_SCENES_HELDOUT the grader measures on that folder only."""
    measured = heldout.measure(constant(2))
    assert measured["images"] == 12 and measured["origin"].startswith("carpeta privada")
    assert measured["accuracy"] == pytest.approx(1 / 6)


def test_a_missing_private_folder_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setenv(heldout.HELDOUT_ENV, str(tmp_path / "nada"))
    with pytest.raises(FileNotFoundError, match=heldout.HELDOUT_ENV):
        heldout.teacher_root()


@pytest.mark.parametrize("acc, share", [(0.1, 0), (0.3, 1 / 3), (0.45, 2 / 3), (0.99, 1)])
def test_accuracy_points_by_band(monkeypatch, acc, share):
    """Each band reached adds an equal share of the cell; the reason gives the measure."""
    monkeypatch.setattr(
        heldout,
        "measure",
        lambda model, per_class=0: {"accuracy": acc, "images": 810, "origin": "test oficial"},
    )
    monkeypatch.setattr(heldout, "bands", lambda profile: (0.25, 0.4, 0.6))
    outcome = grading.accuracy_outcome(cnn(), "grading", train_seconds=12.5)
    assert outcome.fraction == pytest.approx(share)
    assert outcome.measure["accuracy"] == acc and outcome.measure["train_seconds"] == 12.5
    assert outcome.measure["band"] == round(share * 3)
    assert (outcome.reason is None) == (share == 1)


def test_a_model_outside_the_rules_earns_no_accuracy_points(monkeypatch):
    """Over the cap: no accuracy points, and the reason names the rule."""
    monkeypatch.setattr(heldout, "measure", lambda *a, **k: pytest.fail("measured"))
    cap = rules.limits()["max_params"]
    model = cnn(head=[keras.layers.Dense(cap // 4 + 10), keras.layers.Dense(6)])
    outcome = grading.accuracy_outcome(model, "grading")
    assert outcome.fraction == 0 and "regla 3" in outcome.reason
    assert outcome.measure["broken"] == ["regla 3"]


# ---------------------------------------------------------------- Grad-CAM
def test_gradcam_reference_passes_its_own_check():
    escenas.check_gradcam(gradcam.reference_gradcam)


def test_gradcam_without_relu_fails_against_the_reference():
    """Forgetting the ReLU (normalising by the largest absolute value) is caught."""

    def no_relu(model, images, layer_name, class_index=None):
        import tensorflow as tf

        grad_model = keras.Model(
            model.inputs, [model.get_layer(layer_name).output, model.outputs[0]]
        )
        x = tf.convert_to_tensor(images)
        with tf.GradientTape() as tape:
            maps, preds = grad_model(x, training=False)
            score = tf.reduce_max(preds, axis=-1)
        weights = tf.reduce_mean(tape.gradient(score, maps), axis=(1, 2))
        cam = tf.einsum("bhwk,bk->bhw", maps, weights)
        cam = tf.abs(cam) / (tf.reduce_max(tf.abs(cam), axis=(1, 2), keepdims=True) + 1e-8)
        return cam.numpy()

    with pytest.raises(CheckError) as err:
        escenas.check_gradcam(no_relu)
    assert err.value.key == "common.close"


def test_gradcam_out_of_range_is_named():
    def doubled(model, images, layer_name, class_index=None):
        return 2 * gradcam.reference_gradcam(model, images, layer_name, class_index)

    with pytest.raises(CheckError) as err:
        escenas.check_gradcam(doubled)
    assert err.value.key == "escenas.gradcam_range"


def test_the_fixed_model_is_the_same_for_the_same_seed():
    a, b = (
        gradcam.fixed_model(np.random.default_rng(5)),
        gradcam.fixed_model(np.random.default_rng(5)),
    )
    for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)


# ---------------------------------------------------------------- duplicates
def test_reference_duplicates_pass_and_names_only_fail():
    escenas.check_duplicates(duplicates.reference_duplicates)

    def by_name(paths):  # groups by class in the name: not by content
        groups = {}
        for p in paths:
            groups.setdefault(p.split("-")[-2], []).append(p)
        return [g for g in groups.values() if len(g) > 1]

    with pytest.raises(CheckError) as err:
        escenas.check_duplicates(by_name)
    assert err.value.key == "escenas.duplicates"


def test_duplicates_answer_must_be_groups():
    with pytest.raises(CheckError) as err:
        escenas.check_duplicates(lambda paths: "ninguno")
    assert err.value.key == "escenas.duplicates_format"


def test_the_course_copy_has_no_byte_identical_images(real_data_env):
    """Train and test of the offline copy: zero groups, as its MANIFEST says."""
    roots = scenes.split_roots(scenes.find(download=False))
    paths = [p for root in roots for files in scenes.image_files(root).values() for p in files]
    assert len(paths) == 2430
    assert duplicates.reference_duplicates(paths) == []


def test_duplicates_find_a_copy_across_splits(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"same")
    (tmp_path / "b.jpg").write_bytes(b"same")
    (tmp_path / "c.jpg").write_bytes(b"samf")
    got = duplicates.reference_duplicates(sorted(tmp_path.iterdir()))
    assert got == [[str(tmp_path / "a.jpg"), str(tmp_path / "b.jpg")]]


# ---------------------------------------------------------------- judged from real records
def test_judge_scores_records_made_by_the_kernel(tmp_path, monkeypatch, private_set):
    """Inputs written for the kernel, answers recorded there, verdicts from the judge:
    files by path for find_duplicates, the fixed model for gradcam, bands for accuracy."""
    seed = 1234
    records, inputs = tmp_path / "records", tmp_path / "inputs"
    records.mkdir()
    write_inputs(plans(grading.CELLS, seed), inputs)
    monkeypatch.setenv(RECORDS_ENV, str(records))
    monkeypatch.setenv(INPUTS_ENV, str(inputs))
    model = constant(2)
    record("test-duplicates", find_duplicates=duplicates.reference_duplicates)
    record("test-gradcam", gradcam=gradcam.reference_gradcam)
    record("test-rules", model=model)
    record("test-accuracy", model=model, train_seconds=3.5)
    verdicts = judge.judge("escenas", records, seed, "ci")
    assert verdicts["test-duplicates"]["fraction"] == 1.0, verdicts
    assert verdicts["test-gradcam"]["fraction"] == 1.0, verdicts
    assert verdicts["test-rules"] == {"fraction": 1.0, "reason": None}
    accuracy = verdicts["test-accuracy"]
    assert accuracy["fraction"] == 0.0 and "0,1667" in accuracy["reason"]
    assert accuracy["measure"]["accuracy"] == pytest.approx(1 / 6)
    assert accuracy["measure"]["train_seconds"] == 3.5 and accuracy["measure"]["images"] == 12


def test_outcome_is_clamped():
    assert Outcome(1.5).verdict()["fraction"] == 1.0
    assert Outcome(-1).verdict()["fraction"] == 0.0
