"""Reusable checks for every session, with Spanish messages.

Hidden grade cells reload this package before use::

    import importlib, cnn_course.checks as _c
    _c = importlib.reload(_c)

(Re)loading the package first drops every other ``cnn_course`` module from
``sys.modules`` and imports them afresh, so a student cell that monkeypatched the
checks, the messages, the budgets or the data loaders cannot change what the
hidden checks compute.
"""

from __future__ import annotations

import sys

for _name in [n for n in list(sys.modules) if n.startswith("cnn_course.") and n != __name__]:
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
# the loop above never sees them. Forget every cnn_course submodule still bound as
# an attribute of this package or of the top-level package, whatever sys.modules says.
for _namespace in (globals(), sys.modules["cnn_course"].__dict__):
    for _attr, _value in list(_namespace.items()):
        if (
            isinstance(_value, type(sys))
            and _value.__name__.startswith("cnn_course.")
            and _value.__name__ != __name__
        ):
            del _namespace[_attr]

from cnn_course.checks import arch, conv, core, mnist, models  # noqa: E402
from cnn_course.checks.core import CheckError, rel_error  # noqa: E402

__all__ = ["CheckError", "arch", "conv", "core", "mnist", "models", "rel_error"]
