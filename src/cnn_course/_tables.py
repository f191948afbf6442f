"""Locate the project's tables (dataset registry, budgets) in a checkout or a wheel."""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources
from pathlib import Path

# Each table has one home in the repository; the wheel carries a copy under
# cnn_course/_tables/ (see [tool.hatch.build.targets.wheel.force-include]).
_IN_REPO = {
    "registry.toml": Path("datasets") / "registry.toml",
    "budgets.toml": Path("autograder") / "budgets.toml",
}

REPO_ROOT = Path(__file__).resolve().parents[2]


def table_path(name: str) -> Path:
    """Path of a table: the checkout's copy when running from one, else the packaged copy."""
    repo_copy = REPO_ROOT / _IN_REPO[name]
    if repo_copy.is_file():
        return repo_copy
    return Path(str(resources.files("cnn_course") / "_tables" / name))


@cache
def load_table(name: str) -> dict:
    """Parse a TOML table once per process."""
    with open(table_path(name), "rb") as f:
        return tomllib.load(f)
