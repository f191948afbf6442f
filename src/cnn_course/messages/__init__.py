"""Spanish messages shown to students and teachers, one table keyed by id.

Each template states what was expected and what was found, e.g.
«La salida de la capa 2 debe tener forma (None, 13, 13, 32) (obtenida (None, 26, 26, 32)).»
Tests assert on keys and values, never on wording. ``common.*`` (every check) and
``grade.*`` (the grader) live here; each session's templates live beside its checks,
in ``cnn_course.checks.<checks>.messages``, found through the session registry.
"""

from __future__ import annotations

import importlib

from cnn_course.messages import common, grade

_TABLE: dict[str, str] = {}


def templates() -> dict[str, str]:
    """Every template of the course, merged once per process; duplicate ids are an error."""
    if not _TABLE:
        from cnn_course import sessions

        modules = [common, grade]
        modules += [
            importlib.import_module(f"{s.checks_module}.messages") for s in sessions.all_sessions()
        ]
        merged: dict[str, str] = {}
        for module in modules:
            clash = merged.keys() & module.TEMPLATES.keys()
            if clash:
                raise RuntimeError(f"duplicate message ids: {sorted(clash)}")
            merged.update(module.TEMPLATES)
        _TABLE.update(merged)
    return _TABLE


def msg(key: str, **values: object) -> str:
    """Render the template ``key`` with ``values`` (numbers in Spanish form, see :mod:`cnn_course.fmt`)."""
    from cnn_course.fmt import FORMATTER

    table = common.TEMPLATES if key.startswith("common.") else templates()
    return FORMATTER.format(table[key], **values)
