"""Spanish messages shown to students, one table keyed by id.

Each template states what was expected and what was found, e.g.
«La salida de la capa 2 debe tener forma (None, 13, 13, 32) (obtenida (None, 26, 26, 32)).»
Tests assert on keys and values, never on wording. Session modules add their own
templates under a prefix (``mnist.``, ``conv.``, ``arch.``); this package merges them.
"""

from __future__ import annotations

from cnn_course.messages import arch, common, conv, grade, mnist

TEMPLATES: dict[str, str] = {}
for _module in (common, mnist, conv, arch, grade):
    _clash = TEMPLATES.keys() & _module.TEMPLATES.keys()
    if _clash:
        raise RuntimeError(f"duplicate message ids: {sorted(_clash)}")
    TEMPLATES.update(_module.TEMPLATES)


def msg(key: str, **values: object) -> str:
    """Render the template ``key`` with ``values``."""
    return TEMPLATES[key].format(**values)
