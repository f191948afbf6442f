"""Messages of the grade checks."""

TEMPLATES: dict[str, str] = {}
