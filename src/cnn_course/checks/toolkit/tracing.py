"""Hidden checks judged out of the kernel without rewriting them: traced, then replayed.

For a cell whose hidden check is ``hidden_x(fn, ..., seed=S)``, the grader first runs
that check on the *solution's* functions (from the session's source notebook) wrapped so
that every call is written down with its arguments: that list of calls, for this
submission's seed, is the input the kernel answers with the student's functions
(:func:`cnn_course.record.record`). The judge then runs the very same check with
:class:`~.records.Replay` standing for the student's functions, which hands back the
recorded answers in order. The check, its cases and its messages stay as they are.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import itertools
from dataclasses import dataclass
from functools import cache

import numpy as np

from cnn_course.checks.toolkit.core import CheckError
from cnn_course.checks.toolkit.grading import Cell, Plan
from cnn_course.checks.toolkit.records import Replay


@cache
def solution_namespace(assignment: str) -> dict:
    """The functions the session's source notebook defines in its answer cells."""
    import nbformat

    from cnn_course.course import COURSE

    nb = nbformat.read(COURSE.source_notebook(assignment), as_version=4)
    namespace: dict = {}
    exec(  # the teacher's own imports, as the notebook's setup cells make them
        "import numpy as np\nimport keras\nfrom keras import layers\n"
        "from cnn_course import checks, data, plots, runtime\n"
        "from cnn_course.fmt import number, percent\n",
        namespace,
    )
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and not meta.get("grade"):
            # Every import the notebook makes, wherever it makes it (not the rest of the cell).
            with contextlib.suppress(SyntaxError):
                tree = ast.parse(cell.source)
                imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
                with contextlib.suppress(Exception):
                    exec(compile(ast.Module(imports, []), assignment, "exec"), namespace)
        if cell.cell_type == "code" and meta.get("solution") and "def " in cell.source:
            # Statement by statement: a cell may also use the notebook's data (which the
            # grader does not load) before or after its definitions.
            name = f"{assignment}:{meta.get('grade_id')}"
            for node in ast.parse(cell.source).body:
                with contextlib.suppress(Exception):
                    exec(compile(ast.Module([node], []), name, "exec"), namespace)
    return namespace


@dataclass(frozen=True)
class ResultRef:
    """The tag a traced call leaves on the object it returned: which plan, which call.

    An argument is the kernel's earlier result only when it carries this tag, put there
    explicitly by :class:`_Tracer`: never by matching object identities (small integers,
    ``None`` or interned strings are shared objects, and values that cannot carry a tag
    are recorded as values).
    """

    plan_key: int
    index: int


_TAG = "_cnn_course_traced_result"


def _tag(value, plan: Plan, index: int) -> None:
    if value is None or isinstance(value, (bool, int, float, str, bytes, tuple, np.generic)):
        return
    with contextlib.suppress(AttributeError, TypeError, ValueError):
        setattr(value, _TAG, ResultRef(plan.extra["plan_key"], index))


def _result_ref(value, plan: Plan) -> int | None:
    try:
        ref = getattr(value, _TAG, None)
    except Exception:  # a proxy may raise anything on an unknown attribute
        return None
    if isinstance(ref, ResultRef) and ref.plan_key == plan.extra.get("plan_key"):
        return ref.index
    return None


def _spec(value, plan: Plan, name: str):
    """A call argument as the kernel will receive it."""
    index = _result_ref(value, plan)
    if index is not None:  # what an earlier traced call of this plan returned
        return {"$result": index}
    if type(value).__name__ in ("Sequential", "Functional") or _is_model(value):
        return plan.model(f"{name}-{len(plan.models)}", value)
    if type(value).__name__ == "KerasTensor":
        return {"$input": [int(d) for d in value.shape[1:]]}
    if isinstance(value, np.ndarray):
        return plan.array(f"{name}-{len(plan.arrays)}", value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_spec(v, plan, name) for v in value]
    return value


_PLAN_KEYS = itertools.count(1)
"""A fresh key per traced plan: a tag left by another plan's tracing is not this plan's."""


def _is_model(value) -> bool:
    import keras

    return isinstance(value, keras.Model)


class _Tracer:
    """The solution's function, writing each call into the plan."""

    def __init__(self, name: str, fn, plan: Plan) -> None:
        self.name, self.fn, self.plan = name, fn, plan

    def __call__(self, *args, **kwargs):
        index = self.plan.call(
            self.name,
            *[_spec(a, self.plan, self.name) for a in args],
            **{k: _spec(v, self.plan, self.name) for k, v in kwargs.items()},
        )
        result = self.fn(*args, **kwargs)
        _tag(result, self.plan, index)
        return result


@dataclass(frozen=True)
class Trace:
    """One hidden check of a cell: its name in the session package and its arguments."""

    check: str
    args: tuple[str, ...]
    """the notebook names passed, in order: functions are traced, values recorded as such"""


def traced(package: str, assignment: str, *traces: Trace) -> Cell:
    """A :class:`Cell` that runs ``traces`` on the solution, then replays them on the records."""
    import importlib

    def checks():
        return importlib.import_module(f"cnn_course.checks.{package}")

    def _seeded(check, seed) -> dict:
        return {"seed": seed} if "seed" in inspect.signature(check).parameters else {}

    def plan(rng) -> Plan:
        solution = solution_namespace(assignment)
        result = Plan(extra={"seed": int(rng.integers(2**31))})
        result.extra["plan_key"] = next(_PLAN_KEYS)
        for trace in traces:
            if not any(callable(solution.get(a)) for a in trace.args):
                continue  # only values: nothing to ask the kernel
            check = getattr(checks(), trace.check)
            args = [
                _Tracer(a, solution[a], result) if callable(solution.get(a)) else solution.get(a)
                for a in trace.args
            ]
            # A value the solution computes from the notebook's data is missing here, so
            # the check may fail on it after its calls are written down: they are the plan.
            with contextlib.suppress(CheckError):
                check(*args, **_seeded(check, result.extra["seed"]))
        return result

    def judge(records, plan: Plan, profile: str) -> None:
        positions: dict[str, list[int]] = {}
        for index, call in enumerate(plan.calls):
            positions.setdefault(call["fn"], []).append(index)
        solution = solution_namespace(assignment)
        for trace in traces:
            check = getattr(checks(), trace.check)
            args = [
                Replay(records, positions.get(a, []))
                if callable(solution.get(a))
                else records.value(a)
                for a in trace.args
            ]
            check(*args, **_seeded(check, plan.extra["seed"]))

    return Cell(judge, plan)


def record_names(cell_traces: tuple[Trace, ...]) -> list[str]:
    """The names a cell's hidden line records (for writing the notebook's hidden cells)."""
    names: list[str] = []
    for trace in cell_traces:
        names += [a for a in trace.args if a not in names]
    return names
