"""The grader judges records, never the kernel: attacks on the records and the environment.

Records are written by :func:`cnn_course.record.record` exactly as a hidden cell does it,
with the grader's inputs for a seed; the judge runs in this process (as the grader's
judge process does) with an explicit profile.
"""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
from nbutil import solution_namespace

from cnn_course import runtime
from cnn_course.checks.mnist import grading
from cnn_course.checks.toolkit.grading import plans, write_inputs
from cnn_course.grade.judge import judge
from cnn_course.record import INPUTS_ENV, RECORDS_ENV, record

SEED = 12345


@pytest.fixture(scope="module")
def sol():
    return solution_namespace(
        "solutions/02_mnist/mnist.ipynb",
        [
            "preprocess",
            "formulas",
            "shapes-by-hand",
            "model",
            "confusion",
            "binary",
            "lenet",
        ],
        preamble="import numpy as np\nimport keras\nfrom cnn_course.fmt import number, percent",
    )


@pytest.fixture
def box(tmp_path, monkeypatch):
    """A submission's records and inputs folders, named in the environment as the grader does."""
    records, inputs = tmp_path / "records", tmp_path / "inputs"
    records.mkdir()
    write_inputs(plans(grading.CELLS, SEED), inputs)
    monkeypatch.setenv(RECORDS_ENV, str(records))
    monkeypatch.setenv(INPUTS_ENV, str(inputs))
    return records


def _record_solution(sol, model=None) -> None:
    record("test-preprocess", preprocess=sol["preprocess"], pad_to_32=sol["pad_to_32"])
    record(
        "test-formulas",
        conv_output_size=sol["conv_output_size"],
        conv_params=sol["conv_params"],
    )
    record("test-shapes-by-hand", shapes=sol["shapes"], total=sol["total"])
    record("test-model", model=sol["build_model"]())
    record("test-accuracy", model=model if model is not None else sol["build_model"]())
    record("test-confusion", confusion_matrix=sol["confusion_matrix"])
    record("test-binary", binary_model=sol["build_binary_model"]())
    record("test-lenet", lenet=sol["build_lenet5"](), lenet_total=sol["lenet_total"])


def test_solution_records_earn_every_structural_cell(sol, box, real_data_env):
    """The solution's records pass every cell but accuracy (the model here is untrained)."""
    _record_solution(sol)
    verdicts = judge("mnist", box, SEED, "grading")
    assert set(verdicts) == set(grading.CELLS)
    wrong = {g: v for g, v in verdicts.items() if v["fraction"] != 1.0 and g != "test-accuracy"}
    assert wrong == {}
    assert verdicts["test-accuracy"]["fraction"] == 0.0
    bar = f"{runtime.budget('mnist', 'grading').threshold:.2f}".replace(".", ",")
    assert bar in verdicts["test-accuracy"]["reason"]  # the grading profile's threshold


def test_blank_functions_earn_nothing(box):
    """Release stubs raise NotImplementedError in the kernel: the judge says so per cell."""

    def stub(*args):
        raise NotImplementedError()

    record("test-formulas", conv_output_size=stub, conv_params=stub)
    verdicts = judge("mnist", box, SEED, "grading")
    assert verdicts["test-formulas"]["fraction"] == 0.0
    assert "conv_output_size" in verdicts["test-formulas"]["reason"]
    assert "no registró nada" in verdicts["test-model"]["reason"]


def test_a_lowered_profile_in_the_kernel_does_not_lower_the_bar(
    sol, box, monkeypatch, real_data_env
):
    """CNN_COURSE_PROFILE=ci set by the student's kernel changes nothing: the grader names the profile."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "ci")
    record("test-accuracy", model=sol["build_model"]())
    verdict = judge("mnist", box, SEED, "grading")["test-accuracy"]
    assert verdict["fraction"] == 0.0 and "«grading»" in verdict["reason"]


def test_inputs_rewritten_by_the_student_do_not_change_the_cases(sol, box, tmp_path):
    """The kernel's copy of the inputs may be edited; the judge regenerates its own."""
    inputs = tmp_path / "inputs" / "test-formulas.json"
    plan = json.loads(inputs.read_text())
    for call in plan["calls"]:
        call["args"] = [7, 3, 0, 1] if call["fn"] == "conv_output_size" else [3, 4, 3]
    inputs.write_text(json.dumps(plan))

    def wrong_size(n, f, p, s):  # right only on the slides' easy case it wrote in
        return 5

    record("test-formulas", conv_output_size=wrong_size, conv_params=sol["conv_params"])
    assert judge("mnist", box, SEED, "grading")["test-formulas"]["fraction"] == 0.0


def test_forged_and_damaged_records_cost_their_cell_only(sol, box):
    """Malformed JSON, a missing array, an oversized file: 0 for that cell, with a reason."""
    record("test-shapes-by-hand", shapes=sol["shapes"], total=sol["total"])
    record("test-confusion", confusion_matrix=sol["confusion_matrix"])
    (box / "test-shapes-by-hand" / "record.json").write_text("{not json")
    big = box / "test-confusion" / "call-0.npy"
    with open(big, "wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: no disk used
    verdicts = judge("mnist", box, SEED, "grading")
    assert verdicts["test-shapes-by-hand"] == {
        "fraction": 0.0,
        "reason": "registro ilegible (JSONDecodeError)",
    }
    assert "ocupa" in verdicts["test-confusion"]["reason"]


def test_a_model_with_code_in_it_is_refused(box):
    """A Lambda layer (arbitrary Python) is refused by Keras' safe mode: 0, not executed."""
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Lambda(lambda x: x * 0 + 1), keras.layers.Flatten()]
    )
    record("test-model", model=model)
    verdict = judge("mnist", box, SEED, "grading")["test-model"]
    assert verdict["fraction"] == 0.0 and "con seguridad" in verdict["reason"]


def test_a_model_with_a_foreign_class_is_refused(sol, box):
    """A config naming a module outside Keras is refused before anything is deserialised."""
    import zipfile

    record("test-model", model=sol["build_model"]())
    path = box / "test-model" / "model.keras"
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    config = json.loads(files["config.json"])
    config["config"]["layers"][1]["module"] = "os"
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    verdict = judge("mnist", box, SEED, "grading")["test-model"]
    assert verdict["fraction"] == 0.0 and "no son de Keras (os)" in verdict["reason"]


def test_seeds_draw_different_cases():
    """Each submission gets its own inputs: two seeds do not share the hidden cases."""
    a, b = plans(grading.CELLS, 1), plans(grading.CELLS, 2)
    assert a["test-formulas"].calls != b["test-formulas"].calls
    assert not np.array_equal(
        a["test-confusion"].arrays["y_true0"], b["test-confusion"].arrays["y_true0"][:1]
    )


def test_blocks_on_keras_inputs_and_returned_models_are_recorded(tmp_path, monkeypatch):
    """A function applied to a grader-made keras.Input is kept as a model; returned models too."""
    from cnn_course.checks.toolkit.grading import Plan
    from cnn_course.checks.toolkit.records import Records, Replay

    plan = Plan()
    plan.call("block", {"$input": [8, 8, 3]}, 4)
    plan.call("build", [16, 16, 1], 3)
    write_inputs({"test-x": plan}, tmp_path / "inputs")
    monkeypatch.setenv(RECORDS_ENV, str(tmp_path / "records"))
    monkeypatch.setenv(INPUTS_ENV, str(tmp_path / "inputs"))

    def block(x, filters):
        return keras.layers.Conv2D(filters, 3, padding="same")(x)

    def build(shape, classes):
        return keras.Sequential(
            [keras.Input(tuple(shape)), keras.layers.Flatten(), keras.layers.Dense(classes)]
        )

    record("test-x", block=block, build=build)
    records = Records.load(tmp_path / "records", "test-x")
    as_model, built = Replay(records, [0])(), Replay(records, [1])()
    assert as_model.output.shape == (None, 8, 8, 4) and as_model.count_params() == 3 * 3 * 3 * 4 + 4
    assert built(np.zeros((2, 16, 16, 1))).shape == (2, 3)
