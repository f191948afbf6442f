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
    del sys.modules[_name]
    # `from pkg import mod` returns an existing attribute without importing, so the
    # parent packages must forget their submodules too, or the old ones come back.
    _parent, _, _child = _name.rpartition(".")
    if _parent == __name__:
        globals().pop(_child, None)
    elif _parent in sys.modules:
        sys.modules[_parent].__dict__.pop(_child, None)

from cnn_course.checks import arch, conv, core, mnist, models  # noqa: E402
from cnn_course.checks.core import CheckError, rel_error  # noqa: E402

__all__ = ["CheckError", "arch", "conv", "core", "mnist", "models", "rel_error"]
