"""What a hidden grade cell does in the student's kernel: record, never judge.

``record(grade_id, **objects)`` writes what the student produced into the folder named
by ``$CNN_COURSE_RECORDS`` (the grading sandbox's scratch folder): Keras models in
Keras' own format, plain values as JSON or ``.npy``, and the results of the student's
functions on the inputs the grader generated for this submission
(``$CNN_COURSE_INPUTS/<grade_id>.json``: a list of calls whose arguments are values,
``.npy`` files or earlier results). A grader process that imports none of the
student's code judges the records after the kernel has exited
(:mod:`cnn_course.grade.judge`). Outside grading (no ``$CNN_COURSE_RECORDS``) this
does nothing: the public checks give the feedback.

This module is deliberately small and trusts nothing it reads: whatever a student
does to it can only spoil the student's own records.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

RECORDS_ENV = "CNN_COURSE_RECORDS"
INPUTS_ENV = "CNN_COURSE_INPUTS"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,80}$")


def _encode(value, folder: Path, stem: str):
    """JSON for plain values; ``{"$npy": file}`` for arrays, ``{"$keras": file}`` for models,
    ``{"$type": name}`` otherwise."""
    import numpy as np

    if _is_dataset(value):
        try:
            return {"$dataset": _encode(dataset_facts(value), folder, stem)}
        except Exception as exc:  # a dataset that cannot be iterated, or too large
            return {"$error": f"{type(exc).__name__}: {exc}"[:500]}
    if _is_model(value):
        try:
            value.save(folder / f"{stem}.keras")
            return {"$keras": f"{stem}.keras"}
        except Exception as exc:  # an unbuilt model, a layer Keras cannot save...
            return {"$error": f"{type(exc).__name__}: {exc}"[:500]}
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_encode(v, folder, f"{stem}-{i}") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray) or hasattr(value, "__array__"):
        array = np.asarray(value)
        if array.dtype == object:
            return {"$type": "object array"}
        np.save(folder / f"{stem}.npy", array, allow_pickle=False)
        return {"$npy": f"{stem}.npy"}
    return {"$type": type(value).__name__}


def _decode_input(spec, folder: Path, results: list, inputs: list):
    """An argument of a call: a value, an array file, the path of a file, an earlier result,
    or a Keras input
    (``{"$input": shape}``, collected in ``inputs`` so a tensor result becomes a model)."""
    import numpy as np

    if isinstance(spec, dict) and "$input" in spec:
        import keras

        tensor = keras.Input(shape=tuple(spec["$input"]))
        inputs.append(tensor)
        return tensor
    if isinstance(spec, dict) and "$npy" in spec:
        return np.load(folder / spec["$npy"], allow_pickle=False)
    if isinstance(spec, dict) and "$keras" in spec:
        import keras

        return keras.saving.load_model(folder / spec["$keras"])
    if isinstance(spec, dict) and "$file" in spec:
        return str(folder / Path(str(spec["$file"])).name)
    if isinstance(spec, dict) and "$result" in spec:
        return results[int(spec["$result"])]
    if isinstance(spec, list):
        return [_decode_input(s, folder, results, inputs) for s in spec]
    return spec


def _is_model(value) -> bool:
    try:
        import keras
    except ImportError:  # pragma: no cover - keras is a dependency
        return False
    return isinstance(value, keras.Model)


def _is_dataset(value) -> bool:
    return any(c.__name__ == "DatasetV2" for c in type(value).__mro__) and hasattr(
        value, "_as_serialized_graph"
    )


MAX_DATASET_ELEMENTS = 5000
"""A recorded ``tf.data.Dataset`` keeps at most this many examples per epoch."""


def dataset_facts(ds, epochs: int = 2) -> list:
    """What a check needs of a ``tf.data.Dataset``, as plain data: ``[shapes, ops, epochs]``.

    ``shapes``: each component's element shape (``None`` for an unknown dimension); ``ops``:
    the dataset graph's operation names (``CacheDataset``, ``ShuffleDataset``...);
    ``epochs``: for each of ``epochs`` full passes, ``[components, batch_sizes]`` with each
    component concatenated over the batches.
    """
    import numpy as np
    import tensorflow as tf

    shapes = [list(s.shape) for s in tf.nest.flatten(ds.element_spec)]
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(ds._as_serialized_graph().numpy())
    ops = {node.op for node in graph.node}
    for function in graph.library.function:
        ops |= {node.op for node in function.node_def}
    passes = []
    for _ in range(epochs):
        parts, sizes = [[] for _ in shapes], []
        for element in ds:
            flat = [np.asarray(t) for t in tf.nest.flatten(element)]
            for part, array in zip(parts, flat, strict=True):
                part.append(array)
            sizes.append(len(flat[0]) if flat[0].ndim else 1)
            if sum(sizes) > MAX_DATASET_ELEMENTS:
                raise ValueError(f"más de {MAX_DATASET_ELEMENTS} ejemplos por época")
        passes.append([[np.concatenate(p) if p else np.zeros(0) for p in parts], sizes])
    return [shapes, sorted(ops), passes]


def _is_tensor(value) -> bool:
    return type(value).__name__ == "KerasTensor"


def record(grade_id: str, **objects) -> None:
    """Record ``objects`` for ``grade_id``: models, values, and calls of the functions among them."""
    root = os.environ.get(RECORDS_ENV)
    if not root or not _NAME.match(grade_id):
        return
    folder = Path(root) / grade_id
    folder.mkdir(parents=True, exist_ok=True)
    values, functions = {}, {}
    for name, value in objects.items():
        if not _NAME.match(name):
            continue
        if callable(value) and not _is_model(value):
            functions[name] = value
        else:
            values[name] = _encode(value, folder, name)
    calls = _run_calls(grade_id, functions, folder)
    (folder / "record.json").write_text(
        json.dumps({"values": values, "calls": calls}), encoding="utf-8"
    )


def _run_calls(grade_id: str, functions: dict, folder: Path) -> list:
    """Call the student's functions on the grader's inputs for this cell, in order."""
    inputs = Path(os.environ.get(INPUTS_ENV, "")) / f"{grade_id}.json"
    if not functions or not inputs.is_file():
        return []
    plan = json.loads(inputs.read_text(encoding="utf-8"))
    results, out = [], []
    for i, call in enumerate(plan.get("calls", [])):
        fn = functions.get(call.get("fn"))
        try:
            if fn is None:
                raise NameError(f"no se ha registrado la función «{call.get('fn')}»")
            created: list = []
            folder_in = inputs.parent / grade_id
            args = _decode_input(call.get("args", []), folder_in, results, created)
            kwargs = {
                str(k): _decode_input(v, folder_in, results, created)
                for k, v in dict(call.get("kwargs", {})).items()
            }
            result = fn(*args, **kwargs)
            # A block applied to Keras inputs returns a tensor: keep it as a model.
            if created and _is_tensor(result):
                import keras

                result = keras.Model(created if len(created) > 1 else created[0], result)
            results.append(result)
            out.append({"ok": True, "value": _encode(result, folder, f"call-{i}")})
        except Exception as exc:  # the student's code may raise anything
            results.append(None)
            out.append({"ok": False, "error": f"{type(exc).__name__}: {exc}"[:500]})
    return out
