"""Reusable checks for every session, with Spanish messages.

Hidden grade cells reload this package before use::

    import importlib, cnn_course.checks as _c
    _c = importlib.reload(_c)

(Re)loading the package first drops every module the checks read (the checks,
their messages, the budgets, the data loaders) from ``sys.modules`` and imports
them afresh, so a student cell that monkeypatched any of them cannot change what
the hidden checks compute.
"""

from __future__ import annotations

import sys

# Teacher-side modules (grade, release, ...) are left alone: the grader's own
# process must keep the module objects it pickles for its workers.
_FRESH = (
    "cnn_course.checks.",
    "cnn_course.messages",
    "cnn_course.data",
    "cnn_course.runtime",
    "cnn_course._tables",
    "cnn_course.plots",
)

for _name in [n for n in list(sys.modules) if n.startswith(_FRESH)]:
    _module = sys.modules.pop(_name)
    # `from pkg import mod` returns an existing attribute without importing, so the
    # parent packages must forget their submodules too, or the old ones come back.
    # Only the submodule itself is forgotten: a function re-exported under the same
    # name (cnn_course.data.verify) stays.
    _parent, _, _child = _name.rpartition(".")
    _namespace = (
        globals() if _parent == __name__ else getattr(sys.modules.get(_parent), "__dict__", {})
    )
    if _namespace.get(_child) is _module:
        del _namespace[_child]

# A student may have dropped modules from sys.modules before patching them: then
# the loop above never sees them. Forget every such submodule still bound as an
# attribute of this package or of the top-level package, whatever sys.modules says.
for _namespace in (globals(), sys.modules["cnn_course"].__dict__):
    for _attr, _value in list(_namespace.items()):
        if isinstance(_value, type(sys)) and _value.__name__.startswith(_FRESH):
            del _namespace[_attr]

from cnn_course.checks import arch, conv, core, mnist, models  # noqa: E402
from cnn_course.checks.core import CheckError, rel_error  # noqa: E402

__all__ = ["CheckError", "arch", "conv", "core", "mnist", "models", "rel_error"]
