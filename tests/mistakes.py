"""The mistake catalogue's machinery: plan → record → judge, in this process.

For every grade cell of a session the catalogue lists plausible wrong answers (each a
few names of the student's namespace replaced). :func:`run` draws the grader's plan of
every cell for each seed, answers its calls with the solution or with a mistake exactly
as :func:`cnn_course.record.record` would in the kernel (arguments decoded from the plan,
a block applied to ``keras.Input`` kept as a model, an exception kept as the error text),
and runs the cell's own judge on those answers. The solution must earn the cell on every
seed and each mistake must lose it on every seed.

Cells whose plan cannot depend on the seed (no plan, or hidden checks without a ``seed``)
are judged once per answer: every seed would replay the very same calls.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from cnn_course.checks.toolkit.grading import rng_for
from cnn_course.checks.toolkit.records import RecordError, StudentError

SEEDS = range(50)


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong answer to one grade cell."""

    cell: str
    name: str
    patch: dict
    """names of the student's namespace replaced by this mistake"""
    public: Callable | None = None
    """the public check run on the patched namespace, which must reject it too"""


@dataclass
class Tally:
    cells: set = field(default_factory=set)
    once: set = field(default_factory=set)
    """cells judged once: their calls are the same on every seed"""
    mistakes: int = 0
    judged: int = 0
    seconds: float = 0.0
    per_cell: dict = field(default_factory=dict)
    """seconds spent on each cell"""
    escaped: list = field(default_factory=list)
    refused_solution: list = field(default_factory=list)
    public_escaped: list = field(default_factory=list)


class InProcessRecords:
    """What the kernel would record for one cell, computed here from a namespace."""

    def __init__(self, plan, namespace: dict) -> None:
        self.plan, self.namespace = plan, namespace
        self._calls: list | None = None

    def _decode(self, spec, results: list, created: list):
        if isinstance(spec, dict):
            if "$input" in spec:
                import keras

                tensor = keras.Input(shape=tuple(spec["$input"]))
                created.append(tensor)
                return tensor
            if "$npy" in spec:
                return np.array(self.plan.arrays[spec["$npy"].removesuffix(".npy")])
            if "$keras" in spec:
                return self.plan.models[spec["$keras"].removesuffix(".keras")]
            if "$result" in spec:
                return results[int(spec["$result"])]
            if "$file" in spec:
                return str(self._files() / spec["$file"])
            raise ValueError(f"unknown argument {spec!r}")
        if isinstance(spec, list):
            return [self._decode(s, results, created) for s in spec]
        return spec

    def _files(self):
        """The plan's files, written once into a temporary folder (the kernel's copy)."""
        if getattr(self, "_folder", None) is None:
            import tempfile
            from pathlib import Path

            self._folder = Path(tempfile.mkdtemp(prefix="mistakes-"))
            for name, content in self.plan.files.items():
                (self._folder / name).write_bytes(content)
        return self._folder

    def _run(self) -> list:
        if self._calls is None:
            results, out = [], []
            for call in self.plan.calls:
                created: list = []
                try:
                    fn = self.namespace[call["fn"]]
                    args = [self._decode(a, results, created) for a in call["args"]]
                    kwargs = {
                        k: self._decode(v, results, created)
                        for k, v in call.get("kwargs", {}).items()
                    }
                    result = fn(*args, **kwargs)
                    if created and type(result).__name__ == "KerasTensor":
                        import keras

                        result = keras.Model(created if len(created) > 1 else created[0], result)
                    results.append(result)
                    out.append((True, _as_recorded(result)))
                except Exception as exc:  # the student's code may raise anything
                    results.append(None)
                    out.append((False, f"{type(exc).__name__}: {exc}"[:500]))
            self._calls = out
        return self._calls

    def result(self, index: int):
        calls = self._run()
        if index >= len(calls):
            raise RecordError("faltan resultados de las funciones en lo registrado")
        ok, value = calls[index]
        if not ok:
            if value.startswith("NotImplementedError"):
                raise NotImplementedError(value)
            raise StudentError(value)
        return value

    def value(self, name: str):
        if name not in self.namespace:
            raise RecordError(f"la celda no registró «{name}»")
        return _as_recorded(self.namespace[name])

    def model(self, name: str):
        return self.value(name)


def _as_recorded(value):
    """A value as the records hand it back: tuples as lists, array-likes as arrays."""
    if isinstance(value, tuple | list):
        return [_as_recorded(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if hasattr(value, "__array__") and not hasattr(value, "layers"):
        return np.asarray(value)
    return value


def seed_free(cell, traces=None, package=None) -> bool:
    """Whether the cell's calls are the same for every seed."""
    if cell.plan is None:
        return True
    if traces is None:
        return False
    import importlib

    checks = importlib.import_module(f"cnn_course.checks.{package}")
    return all("seed" not in inspect.signature(getattr(checks, t.check)).parameters for t in traces)


def fresh(session: str, *names: str) -> list:
    """The session's checks package imported afresh (as a hidden cell does it) and its
    submodules ``names``: a test then judges with one consistent set of modules, whatever
    earlier tests reloaded."""
    import importlib

    import cnn_course.checks as checks

    package = checks.hidden(session)
    return [package, *(importlib.import_module(f"{package.__name__}.{n}") for n in names)]


def verdict(cell, plan, namespace: dict) -> str | None:
    """None when the cell earns its points; else the reason (Spanish, as the grader's): as
    in :func:`cnn_course.grade.judge.judge`, any exception costs the cell."""
    try:
        outcome = cell.judge(InProcessRecords(plan, namespace), plan, "grading")
    except Exception as exc:  # a check failure, a record error or anything else
        return f"{type(exc).__name__}: {exc}"
    if outcome is not None and getattr(outcome, "fraction", 1.0) < 1.0:
        return outcome.reason or "parcial"
    return None


def run(cells: dict, hidden: dict | None, package: str, solution: dict, mistakes, seeds=SEEDS):
    """Judge the solution and every mistake of ``mistakes`` on ``seeds``; a :class:`Tally`."""
    tally = Tally()
    start = time.perf_counter()
    by_cell: dict[str, list[Mistake]] = {}
    for mistake in mistakes:
        by_cell.setdefault(mistake.cell, []).append(mistake)
    for gid, wrong in by_cell.items():
        cell, started = cells[gid], time.perf_counter()
        tally.cells.add(gid)
        tally.mistakes += len(wrong)
        once = seed_free(cell, (hidden or {}).get(gid), package)
        if once:
            tally.once.add(gid)
        for seed in [seeds[0]] if once else seeds:
            plan = cell.plan(rng_for(seed, gid)) if cell.plan else None
            reason = verdict(cell, plan, solution)
            if reason is not None:
                tally.refused_solution.append((gid, seed, reason))
            for mistake in wrong:
                tally.judged += 1
                if verdict(cell, plan, {**solution, **mistake.patch}) is None:
                    tally.escaped.append((gid, mistake.name, seed))
        for mistake in wrong:
            if mistake.public is not None:
                try:
                    mistake.public({**solution, **mistake.patch})
                except AssertionError:
                    continue
                tally.public_escaped.append((gid, mistake.name))
        tally.per_cell[gid] = round(time.perf_counter() - started, 1)
    tally.seconds = time.perf_counter() - start
    return tally


def memoised(module, names: list[str], monkeypatch) -> None:
    """Cache the Keras references ``names`` of ``module`` by their arguments' values (they
    are pure functions: the same arrays give the same reference on every call)."""
    for name in names:
        original = getattr(module, name)
        cache: dict = {}

        def key_of(value):
            if isinstance(value, np.ndarray):
                return (value.shape, value.dtype.str, value.tobytes())
            if isinstance(value, list | tuple):
                return tuple(key_of(v) for v in value)
            return repr(value)

        def wrapper(*args, _original=original, _cache=cache, **kwargs):
            key = (key_of(args), key_of(sorted(kwargs.items())))
            if key not in _cache:
                _cache[key] = _original(*args, **kwargs)
            return np.array(_cache[key]) if isinstance(_cache[key], np.ndarray) else _cache[key]

        monkeypatch.setattr(module, name, functools.wraps(original)(wrapper))


def report(session: str, tally: Tally, seeds=SEEDS) -> str:
    """One line for the run's log (pytest -s shows it)."""
    return (
        f"{session}: {len(tally.cells)} celdas, {tally.mistakes} errores, {len(seeds)} semillas "
        f"({len(tally.once)} celdas sin casos aleatorios, juzgadas una vez), "
        f"{tally.judged} veredictos en {tally.seconds:.1f} s; por celda: {tally.per_cell}"
    )


# ---------------------------------------------------------------- trained-model cells
TRAINED_NOTE = (
    "A trained-model cell has no plan and its hidden check no seed: the same model is "
    "measured on the same held-out images on every seed, so each answer is judged once."
)


def fit_briefly(model, x, y, epochs: int = 2, batch_size: int = 64, seed: int = 0):
    """``model`` trained a few steps on ``(x, y)`` (sparse labels), reproducibly."""
    import keras

    keras.utils.set_random_seed(seed)
    loss = "binary_crossentropy" if model.outputs[0].shape[-1] == 1 else None
    model.compile(optimizer="adam", loss=loss or "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0, shuffle=True)
    return model


def small_cnn(input_shape: tuple, classes: int, filters: int = 16, seed: int = 0):
    """A small classifier (Conv2D, MaxPooling2D, Dense softmax), initialised from ``seed``."""
    import keras

    keras.utils.set_random_seed(seed)
    L = keras.layers
    return keras.Sequential(
        [
            keras.Input(input_shape),
            L.Conv2D(filters, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Conv2D(2 * filters, 3, activation="relu"),
            L.MaxPooling2D(2),
            L.Flatten(),
            L.Dense(classes, activation="softmax"),
        ]
    )


def constant_model(input_shape: tuple, classes: int, answer: int = 0):
    """A model that always predicts class ``answer`` (weights zero, a one-hot bias; a
    1×1 convolution first, so that it is a CNN for the rules that ask for one)."""
    import keras

    bias = np.full(classes, -5.0, "float32")
    bias[answer] = 5.0
    head = keras.layers.Dense(
        classes,
        activation="softmax",
        kernel_initializer="zeros",
        bias_initializer=keras.initializers.Constant(bias),
    )
    conv = keras.layers.Conv2D(1, 1, kernel_initializer="zeros")
    return keras.Sequential([keras.Input(input_shape), conv, keras.layers.Flatten(), head])


def shuffled(y, seed: int = 0) -> np.ndarray:
    """The labels ``y`` in a random order: a model trained on them learns nothing."""
    return np.random.default_rng(seed).permutation(np.asarray(y))


def assert_catalogue(tally, catalogue, cells, label: str, capsys, public: bool = True) -> None:
    """Print the tally's report; then the solution is accepted on every seed, every mistake
    rejected by the judge (and by the public check where it can show it, with ``public``),
    and every cell of ``cells`` judged with at least three mistakes."""
    with capsys.disabled():
        print("\n" + report(label, tally))
    assert tally.refused_solution == []
    assert tally.escaped == []
    if public:
        assert tally.public_escaped == []
    assert tally.cells == set(cells)
    per_cell = {gid: sum(m.cell == gid for m in catalogue) for gid in cells}
    assert min(per_cell.values()) >= 3, per_cell


def assert_trained(tally, cell: str, label: str, capsys) -> None:
    """A trained-model cell, judged once per answer: the good model earns it, no mistake does."""
    with capsys.disabled():
        print("\n" + report(label, tally) + "\n" + TRAINED_NOTE)
    assert tally.once == {cell}
    assert tally.refused_solution == []
    assert tally.escaped == []


CLASSIFIER_MISTAKES = 4
"""How many mistakes :func:`classifier_catalogue` returns (counted by the coverage test)."""


def classifier_catalogue(
    cell: str, shape: tuple, classes: int, x, y, raw, constant: int = 0
) -> tuple[object, list[Mistake]]:
    """The good answer of a classification cell (a small CNN trained briefly on ``x``, the
    images as the notebook feeds them) and four plausible mistakes: untrained, trained on
    shuffled labels, trained on ``raw`` pixels (0–255), a constant predictor."""
    good = fit_briefly(small_cnn(shape, classes), x, y, epochs=3, batch_size=32)
    mistakes = [
        Mistake(cell, "modelo sin entrenar", {"model": small_cnn(shape, classes)}),
        Mistake(cell, "entrenado con etiquetas barajadas",
                {"model": fit_briefly(small_cnn(shape, classes), x, shuffled(y), epochs=1)}),
        Mistake(cell, "entrenado con píxeles en 0–255",
                {"model": fit_briefly(small_cnn(shape, classes), raw, y, epochs=1)}),
        Mistake(cell, "predice siempre la misma clase",
                {"model": constant_model(shape, classes, constant)}),
    ]  # fmt: skip
    assert len(mistakes) == CLASSIFIER_MISTAKES
    return good, mistakes
