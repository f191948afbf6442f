"""Where data is looked for: the offline mirror variable and the Keras cache."""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "CNN_COURSE_DATA"
"""Root of an offline mirror laid out as ``<root>/mnist/idx/…``, ``<root>/cifar10/…``, …"""

URL_ENV = "CNN_COURSE_DATA_URL"
"""Optional base URL replacing each file's origin (a local mirror; also used by the tests)."""

OFFLINE_ENV = "CNN_COURSE_OFFLINE"
"""Set to 1 to forbid downloads: a missing dataset then fails at once."""


def mirror_root() -> Path | None:
    """``$CNN_COURSE_DATA`` as a path, or ``None`` when unset or empty."""
    value = os.environ.get(DATA_ENV, "").strip()
    return Path(value).expanduser() if value else None


def keras_cache_dir() -> Path:
    """Keras' dataset cache: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets`` (as ``get_file``)."""
    home = os.environ.get("KERAS_HOME", "").strip()
    base = Path(home).expanduser() if home else Path.home() / ".keras"
    return base / "datasets"


def offline() -> bool:
    """Whether downloads are disabled by ``$CNN_COURSE_OFFLINE``."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}
