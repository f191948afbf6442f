"""Messages of the arch checks."""

TEMPLATES: dict[str, str] = {}
