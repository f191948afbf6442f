"""Messages of the mnist checks."""

TEMPLATES: dict[str, str] = {}
