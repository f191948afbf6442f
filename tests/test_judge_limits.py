"""The judge reads a record's model as hostile data: sizes and implied weights are checked
before any archive member is read whole, and the judge's process has a memory limit."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from cnn_course.checks.toolkit import records
from cnn_course.checks.toolkit.records import RecordError, Records


def dense(units: int, inputs: int, build: bool = True) -> dict:
    layer = {"module": "keras.layers", "class_name": "Dense", "config": {"units": units}}
    if build:
        layer["build_config"] = {"input_shape": [None, inputs]}
    return layer


def model_config(*layers: dict, inputs: int = 784) -> dict:
    first = {
        "module": "keras.layers",
        "class_name": "InputLayer",
        "config": {"batch_shape": [None, inputs]},
    }
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {"name": "m", "layers": [first, *layers]},
    }


def recorded(tmp_path, members: dict[str, bytes]) -> Records:
    """A cell's record holding one model file made of ``members``."""
    folder = tmp_path / "test-model"
    folder.mkdir()
    with zipfile.ZipFile(folder / "model.keras", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    data = {"values": {"model": {"$keras": "model.keras"}}}
    (folder / "record.json").write_text(json.dumps(data), encoding="utf-8")
    return Records.load(tmp_path, "test-model")


def test_a_huge_layer_in_a_tiny_config_is_refused_before_building(tmp_path):
    """A 1 kB config declaring 10⁸ × 10⁴ weights: refused, nothing allocated."""
    config = model_config(dense(100_000_000, 10_000), inputs=10_000)
    rec = recorded(tmp_path, {"config.json": json.dumps(config).encode()})
    with pytest.raises(RecordError, match="pesos"):
        rec.model("model")


def test_a_huge_layer_without_build_config_is_counted_too(tmp_path):
    config = model_config(dense(200_000, 0, build=False), inputs=200_000)
    assert records.implied_weights(config) > records.MAX_WEIGHTS
    rec = recorded(tmp_path, {"config.json": json.dumps(config).encode()})
    with pytest.raises(RecordError, match="pesos"):
        rec.model("model")


def test_implied_weights_of_a_real_model(tmp_path):
    """Exact for a model Keras saved (conv, batch norm, dense)."""
    keras = pytest.importorskip("keras")
    m = keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(8, 3),
            keras.layers.BatchNormalization(),
            keras.layers.Flatten(),
            keras.layers.Dense(10),
        ]
    )
    m.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as z:
        config = json.loads(z.read("config.json"))
    assert records.implied_weights(config) == m.count_params()


def test_a_member_that_decompresses_past_the_limit_is_refused(tmp_path, monkeypatch):
    """A few-kB archive whose weights decompress to more than allowed (limit lowered here)."""
    monkeypatch.setattr(records, "MAX_FILE_BYTES", 1024 * 1024)
    config = model_config(dense(10, 784))
    rec = recorded(
        tmp_path,
        {"config.json": json.dumps(config).encode(), "model.weights.h5": bytes(4 * 1024 * 1024)},
    )
    assert (rec.folder / "model.keras").stat().st_size < 64 * 1024
    with pytest.raises(RecordError, match=r"model\.weights\.h5"):
        rec.model("model")


def test_an_oversized_config_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "MAX_JSON_BYTES", 64 * 1024)
    config = model_config(dense(10, 784))
    config["padding"] = "x" * (128 * 1024)
    rec = recorded(tmp_path, {"config.json": json.dumps(config).encode()})
    with pytest.raises(RecordError, match=r"config\.json"):
        rec.model("model")


def test_the_judge_process_has_a_memory_limit():
    """Past its bound, an allocation in the judge is a MemoryError (that cell's loss)."""
    code = (
        "from cnn_course.grade.judge import bound_memory\n"
        "bound_memory(200)\n"
        "try:\n"
        "    b = b'x' * (400 * 1024 * 1024)\n"
        "    print('allocated')\n"
        "except MemoryError:\n"
        "    print('refused')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "refused", out.stderr
