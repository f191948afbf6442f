"""Checks of every session, with Spanish messages.

- :mod:`cnn_course.checks.toolkit`: what every session's checks share;
- ``cnn_course.checks.<package>``: one package per session, named by the session's
  ``checks`` key in the budget table (its checks, ``messages.py`` and references).

Public cells use ``checks.<package>.check_*`` (``from cnn_course import checks``).
A hidden grade cell is one call that first forgets every module the checks read::

    import cnn_course.checks as _c
    _c.hidden("mnist").hidden_accuracy(model)

:func:`hidden` drops the checks, messages, registry, budgets, data loaders and plots
from ``sys.modules`` (and from the package attributes that would hand them back) and
imports the session's package afresh, so a student cell that monkeypatched any of them
cannot change what the hidden checks compute.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

# Teacher-side modules (grade, release, ...) are left alone: the grader's own
# process must keep the module objects it pickles for its workers.
_FRESH = (
    "cnn_course.checks.",
    "cnn_course.messages",
    "cnn_course.sessions",
    "cnn_course.data",
    "cnn_course.runtime",
    "cnn_course._tables",
    "cnn_course.plots",
)


def _forget() -> None:
    """Drop every module the checks read, so that the next import reads them from disk."""
    stale = [n for n in list(sys.modules) if n.startswith(_FRESH)]
    for name in stale:
        module = sys.modules.pop(name)
        # `from pkg import mod` returns an existing attribute without importing, so the
        # parent packages that stay must forget their submodules too, or the old ones come
        # back. Only the submodule itself is forgotten: a function re-exported under the
        # same name (cnn_course.data.verify) stays. Forgotten modules keep their own
        # namespaces whole, so an old function still held somewhere keeps working.
        parent, _, child = name.rpartition(".")
        if parent in stale:
            continue
        namespace = getattr(sys.modules.get(parent), "__dict__", {})
        if namespace.get(child) is module:
            del namespace[child]
    # A student may have dropped modules from sys.modules before patching them: then
    # the loop above never sees them. Forget every such submodule still bound as an
    # attribute of this package or of the top-level package, whatever sys.modules says.
    for namespace in (globals(), sys.modules["cnn_course"].__dict__):
        for attr, value in list(namespace.items()):
            if isinstance(value, ModuleType) and value.__name__.startswith(_FRESH):
                del namespace[attr]


def hidden(session: str) -> ModuleType:
    """The checks package of ``session``, imported afresh with everything it reads."""
    _forget()
    registry = importlib.import_module("cnn_course.sessions")
    return importlib.import_module(registry.get(session).checks_module)


def record(grade_id: str, **objects) -> None:
    """Hidden grade cells of sessions graded out of the kernel: record what the student
    produced for the grader (see :mod:`cnn_course.record`); nothing is judged here."""
    from cnn_course.record import record as _record

    _record(grade_id, **objects)


def __getattr__(name: str) -> ModuleType:
    """``checks.<package>``: a session's checks package, found through the registry."""
    from cnn_course import sessions

    if name in {s.checks for s in sessions.all_sessions()} | {"toolkit"}:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["hidden", "record"]
