"""Reading a submission's records on the grader's side, trusting none of them.

A record is a folder written by :func:`cnn_course.record.record` in the student's
kernel. Everything in it may be forged, truncated or huge: every read is bounded,
arrays load without pickle, and models load with Keras' safe mode from built-in
Keras classes only. Any problem is a :class:`RecordError` with a Spanish reason,
which costs that one cell.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

MAX_FILE_BYTES = 256 * 1024 * 1024
"""Largest record file read (a VGG16 in Keras format is about 530 MB: not recorded here)."""
MAX_JSON_BYTES = 8 * 1024 * 1024
MAX_UNPACKED_BYTES = 512 * 1024 * 1024
"""Largest total of a model archive's members once decompressed (declared and actual)."""
MAX_WEIGHTS = MAX_FILE_BYTES // 4
"""Most weights a model's config may imply (float32 weights that fill the largest file)."""
_CHUNK = 1024 * 1024


class RecordError(Exception):
    """A missing, malformed, oversized or refused record; ``str()`` is the Spanish reason."""


def _bounded(path: Path, limit: int = MAX_FILE_BYTES) -> Path:
    if not path.is_file() or path.is_symlink():
        raise RecordError(f"falta el archivo «{path.name}» en lo registrado por el cuaderno")
    size = path.stat().st_size
    if size > limit:
        raise RecordError(f"«{path.name}» ocupa {size} bytes (máximo {limit})")
    return path


def _keras_modules(config) -> Iterator[str]:
    """Every ``module`` named in a Keras config, at any depth."""
    if isinstance(config, dict):
        if isinstance(config.get("module"), str):
            yield config["module"]
        for value in config.values():
            yield from _keras_modules(value)
    elif isinstance(config, list):
        for value in config:
            yield from _keras_modules(value)


def _too_large(name: str, what: str, size: int, limit: int, **values) -> str:
    from cnn_course.messages import msg

    part = msg(what, name=name, **values)
    return msg("grade.judge.too_large", name=name, what=part, size=size, limit=limit)


def _check_members(archive: zipfile.ZipFile, name: str) -> None:
    """Refuse an archive whose members are too large, as declared or once decompressed,
    before anything reads them whole."""
    members = archive.infolist()
    for info in members:
        limit = MAX_JSON_BYTES if info.filename.endswith(".json") else MAX_FILE_BYTES
        if info.file_size > limit:
            what, member = "grade.judge.member_size", info.filename[:80]
            raise RecordError(_too_large(name, what, info.file_size, limit, member=member))
    total = sum(info.file_size for info in members)
    if total > MAX_UNPACKED_BYTES:
        what, member = "grade.judge.member_size", "*"
        raise RecordError(_too_large(name, what, total, MAX_UNPACKED_BYTES, member=member))
    for info in members:  # actual sizes: decompressed in chunks, never more than declared
        size = 0
        with archive.open(info) as f:
            while chunk := f.read(_CHUNK):
                size += len(chunk)
                if size > info.file_size:
                    what, member = "grade.judge.member_size", info.filename[:80]
                    raise RecordError(_too_large(name, what, size, info.file_size, member=member))


def _ints(value) -> list[int]:
    return [v for v in value if isinstance(v, int)] if isinstance(value, list) else []


def _layers(config) -> Iterator[dict]:
    """Every layer (a dict with ``class_name`` and a ``config`` dict) of a Keras config."""
    if isinstance(config, dict):
        if isinstance(config.get("class_name"), str) and isinstance(config.get("config"), dict):
            yield config
        for value in config.values():
            yield from _layers(value)
    elif isinstance(config, list):
        for value in config:
            yield from _layers(value)


def implied_weights(config) -> int:
    """Weights the layers of a Keras config imply, without building anything: kernels and
    biases from ``units``, ``filters`` (× kernel size), embeddings, and a scale per channel.
    A layer's input width comes from its ``build_config``; where that is missing, from the
    widest shape or layer declared anywhere (never less than the layer would take)."""
    layers = list(_layers(config))
    widest = 1
    for layer in layers:
        c = layer["config"]
        for shape in (c.get("batch_shape"), c.get("batch_input_shape")):
            widest = max(widest, _product(_ints(shape)))
        for key in ("units", "filters", "output_dim", "input_dim"):
            if isinstance(c.get(key), int):
                widest = max(widest, c[key])
    total = 0
    for layer in layers:
        c = layer["config"]
        build = layer.get("build_config")
        shape = _ints(build.get("input_shape")) if isinstance(build, dict) else []
        width = shape[-1] if shape else widest
        if isinstance(c.get("units"), int):
            total += (width + 1) * c["units"]
        elif isinstance(c.get("filters"), int):
            kernel = _product(_ints(c.get("kernel_size")) or [1])
            total += (kernel * width + 1) * c["filters"]
        elif isinstance(c.get("input_dim"), int) and isinstance(c.get("output_dim"), int):
            total += c["input_dim"] * c["output_dim"]
        elif layer["class_name"] in ("BatchNormalization", "LayerNormalization"):
            total += 4 * width
    return total


def _product(values: list[int]) -> int:
    out = 1
    for v in values:
        out *= max(v, 1)
    return out


@dataclass
class Records:
    """The record of one grade cell."""

    folder: Path
    data: dict = field(default_factory=dict)

    @classmethod
    def load(cls, root: Path, grade_id: str) -> Records:
        folder = Path(root) / grade_id
        path = folder / "record.json"
        if not path.is_file():
            raise RecordError(
                "la celda no registró nada: no se ejecutó, o falló antes (mira su salida)"
            )
        try:
            data = json.loads(_bounded(path, MAX_JSON_BYTES).read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise RecordError(f"registro ilegible ({type(exc).__name__})") from None
        if not isinstance(data, dict):
            raise RecordError("registro con un formato inesperado")
        return cls(folder, data)

    # ---------------------------------------------------------------- values
    def _decode(self, value):
        import numpy as np

        if isinstance(value, dict):
            if "$npy" in value:
                name = Path(str(value["$npy"])).name
                try:
                    return np.load(_bounded(self.folder / name), allow_pickle=False)
                except (ValueError, OSError) as exc:
                    raise RecordError(f"array ilegible «{name}» ({exc})") from None
            if "$keras" in value:
                return self._load_model(str(value["$keras"]))
            if "$dataset" in value:
                return RecordedDataset.of(self._decode(value["$dataset"]))
            if "$error" in value:
                raise RecordError(f"no se pudo guardar: {value['$error']}")
            if "$type" in value:
                return _Unrecorded(str(value["$type"]))
            raise RecordError("valor registrado con un formato inesperado")
        if isinstance(value, list):
            return [self._decode(v) for v in value]
        return value

    def value(self, name: str):
        """A plain value the cell recorded (lists stand for tuples)."""
        values = self.data.get("values", {})
        if not isinstance(values, dict) or name not in values:
            raise RecordError(f"la celda no registró «{name}»")
        return self._decode(values[name])

    def result(self, index: int):
        """The student's result of the grader's call ``index``; re-raises what it raised."""
        calls = self.data.get("calls", [])
        if not isinstance(calls, list) or index >= len(calls) or not isinstance(calls[index], dict):
            raise RecordError("faltan resultados de las funciones en lo registrado")
        call = calls[index]
        if not call.get("ok"):
            error = str(call.get("error", "error desconocido"))[:500]
            if error.startswith("NotImplementedError"):
                raise NotImplementedError(error)
            raise StudentError(error)
        return self._decode(call.get("value"))

    # ---------------------------------------------------------------- models
    def model(self, name: str):
        """A Keras model the cell recorded, loaded in safe mode from built-in classes only."""
        entry = self.data.get("values", {}).get(name)
        if isinstance(entry, dict) and "$error" in entry:
            raise RecordError(f"no se pudo guardar «{name}»: {entry['$error']}")
        if not isinstance(entry, dict) or "$keras" not in entry:
            raise RecordError(f"la celda no registró el modelo «{name}»")
        return self._load_model(str(entry["$keras"]), name)

    def _load_model(self, file: str, name: str = ""):
        name = name or Path(file).stem
        path = _bounded(self.folder / Path(file).name)
        try:
            with zipfile.ZipFile(path) as archive:
                _check_members(archive, name)
                with archive.open("config.json") as f:
                    config = json.loads(f.read(MAX_JSON_BYTES))
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise RecordError(
                f"el modelo «{name}» no es un archivo .keras válido ({exc})"
            ) from None
        weights = implied_weights(config)
        if weights > MAX_WEIGHTS:
            raise RecordError(_too_large(name, "grade.judge.weights", weights, MAX_WEIGHTS))
        foreign = sorted({m for m in _keras_modules(config) if not m.startswith("keras")})
        if foreign:
            raise RecordError(
                f"el modelo «{name}» usa clases que no son de Keras ({', '.join(foreign)}): "
                "solo se corrigen modelos hechos con capas de Keras"
            )
        import keras

        try:
            return keras.saving.load_model(path, safe_mode=True)
        except Exception as exc:  # Keras refuses Lambda layers and unknown classes here
            raise RecordError(
                f"el modelo «{name}» no se puede cargar con seguridad ({exc})"
            ) from None


@dataclass(frozen=True)
class RecordedDataset:
    """A ``tf.data.Dataset`` the kernel produced, as :func:`cnn_course.record.dataset_facts`
    wrote it down: element shapes, graph operations and the examples of two passes."""

    shapes: tuple
    ops: frozenset
    epochs: tuple
    """each pass: ``(components, batch_sizes)``"""

    @classmethod
    def of(cls, facts) -> RecordedDataset:
        try:
            shapes, ops, epochs = facts
            passes = tuple((tuple(parts), [int(s) for s in sizes]) for parts, sizes in epochs)
            return cls(tuple(tuple(s) for s in shapes), frozenset(str(o) for o in ops), passes)
        except (TypeError, ValueError) as exc:
            raise RecordError(
                f"tf.data.Dataset registrado con un formato inesperado ({exc})"
            ) from None


class StudentError(Exception):
    """What the student's function raised in the kernel, replayed in the grader."""


@dataclass(frozen=True)
class _Unrecorded:
    """A value of a type the recorder does not keep (a string stands in for it)."""

    type_name: str

    def __repr__(self) -> str:
        return f"<{self.type_name}>"


class Replay:
    """Stands for a student's function in a check: returns the recorded results in order."""

    def __init__(self, records: Records, indices) -> None:
        self._records = records
        self._indices = iter(indices)

    def __call__(self, *args, **kwargs):
        try:
            index = next(self._indices)
        except StopIteration:
            raise RecordError("la comprobación pidió más resultados de los registrados") from None
        result = self._records.result(index)
        tensors = [a for a in args if type(a).__name__ == "KerasTensor"]
        if tensors and hasattr(result, "outputs"):
            # The kernel applied the block to its own Input and recorded the model: apply
            # the same layers to the check's tensors, as the student's function would.
            import keras

            clone = keras.models.clone_model(
                result, input_tensors=tensors if len(tensors) > 1 else tensors[0]
            )
            return clone.outputs[0] if len(clone.outputs) == 1 else clone.outputs
        return result
