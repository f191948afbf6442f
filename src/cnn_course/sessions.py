"""The session registry, read from the budget table (``autograder/budgets.toml``).

Each ``[sessions.<key>]`` row names its notebook (``<assignment>/<name>.ipynb`` under
the course's source folder), its checks package (``cnn_course.checks.<checks>``, with
the session's messages in ``cnn_course.checks.<checks>.messages``), the metric its
profile rows measure, the execution timeout of a session that trains nothing, and
the thresholds every check of the session grades against (``[sessions.<key>.thresholds]``,
with the runs they were measured from). Nothing else lists the sessions.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

from cnn_course._tables import load_table

PROFILES = ("gpu", "cpu", "grading", "ci")


@dataclass(frozen=True)
class Session:
    """One row of the registry."""

    key: str
    title: str
    notebook: str
    """path under the source (and release) folder: ``<assignment>/<name>.ipynb``"""
    checks: str
    """checks package: ``cnn_course.checks.<checks>``"""
    metric: str = "none"
    timeout: int = 120
    """seconds per notebook cell for a session without profile rows"""
    thresholds: dict = field(default_factory=dict)
    profiles: tuple[str, ...] = ()
    """profiles with a budget row (none for a session that trains nothing)"""

    @property
    def assignment(self) -> str:
        """nbgrader assignment id: the notebook's folder, e.g. ``02_mnist``."""
        return self.notebook.split("/")[0]

    @property
    def notebook_name(self) -> str:
        """The notebook's file name without ``.ipynb``."""
        return self.notebook.split("/")[-1].removesuffix(".ipynb")

    @property
    def checks_module(self) -> str:
        return f"cnn_course.checks.{self.checks}"


def _session(key: str, row: dict) -> Session:
    missing = [k for k in ("title", "notebook", "checks") if k not in row]
    if missing:
        raise ValueError(f"Session {key!r} in the budget table lacks {', '.join(missing)}.")
    thresholds = {k: v for k, v in row.get("thresholds", {}).items() if k not in ("measured",)}
    return Session(
        key=key,
        title=row["title"],
        notebook=row["notebook"],
        checks=row["checks"],
        metric=row.get("metric", "none"),
        timeout=int(row.get("timeout", 120)),
        thresholds=thresholds,
        profiles=tuple(p for p in PROFILES if p in row),
    )


def all_sessions() -> list[Session]:
    """Every session of the course, in course order (by assignment number, whatever the
    order of the budget table's rows)."""
    rows = load_table("budgets.toml")["sessions"].items()
    return sorted((_session(k, v) for k, v in rows), key=lambda s: s.assignment)


def keys() -> list[str]:
    return [s.key for s in all_sessions()]


def get(key: str) -> Session:
    """The session ``key`` (e.g. ``mnist``), with the valid keys in the error."""
    for s in all_sessions():
        if s.key == key:
            return s
    raise ValueError(f"Unknown session {key!r}; valid sessions: {', '.join(keys())}.")


def by_assignment(assignment: str) -> Session:
    """The session of an nbgrader assignment id such as ``02_mnist``."""
    for s in all_sessions():
        if s.assignment == assignment:
            return s
    valid = ", ".join(s.assignment for s in all_sessions())
    raise ValueError(f"Unknown assignment {assignment!r}; valid assignments: {valid}.")


def assignments() -> list[str]:
    return [s.assignment for s in all_sessions()]


def checks(key: str) -> ModuleType:
    """The checks package of session ``key``, imported (afresh if it was forgotten)."""
    return importlib.import_module(get(key).checks_module)


def threshold(key: str, name: str) -> float:
    """A profile-independent threshold of session ``key`` from the budget table."""
    values = get(key).thresholds
    if name not in values:
        raise ValueError(f"Session {key!r} has no threshold {name!r} in the budget table.")
    return values[name]
