"""Runtime profiles (gpu, cpu, grading, ci) and the per-session budget table.

The table lives in ``autograder/budgets.toml``: for each session and profile it
gives the training budget, the notebook execution timeout and the metric
threshold, with the measured runs each threshold was derived from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cnn_course._tables import load_table

PROFILES = ("gpu", "cpu", "grading", "ci")
PROFILE_ENV = "CNN_COURSE_PROFILE"
SEED_ENV = "CNN_COURSE_SEED"

# Meta keys of a session's table that are not profiles.
_SESSION_META = ("title", "notebook", "checks", "metric")


@dataclass(frozen=True)
class Run:
    """One measured run behind a threshold."""

    seed: int
    metric: float
    """the session's held-out metric (see its ``metric`` key)"""
    seconds: float


@dataclass(frozen=True)
class Budget:
    """What one session may spend under one profile, and what it must reach."""

    session: str
    profile: str
    epochs: int
    batch_size: int
    train_size: int
    """number of training examples (0 = the whole split)"""
    test_size: int
    """number of held-out examples the metric is measured on (0 = the whole split)"""
    image_size: int
    timeout: int
    """seconds one notebook cell may run under nbgrader"""
    threshold: float
    """minimum held-out metric (0 = the session trains nothing graded on a metric)"""
    runs: tuple[Run, ...] = field(default=())
    measured: str = ""
    """where and when the runs were measured, or why they are missing"""


_FIELDS = {
    "epochs": int,
    "batch_size": int,
    "train_size": int,
    "test_size": int,
    "image_size": int,
    "timeout": int,
    "threshold": float,
}


def sessions() -> list[str]:
    """Names of all sessions in the budget table, in course order."""
    return list(load_table("budgets.toml")["sessions"])


def session_info(session: str) -> dict:
    """Title, notebook path (relative to ``solutions/``), checks module and metric of a session."""
    table = load_table("budgets.toml")["sessions"]
    if session not in table:
        raise ValueError(f"Unknown session {session!r}; valid sessions: {', '.join(sessions())}.")
    return {k: table[session][k] for k in _SESSION_META}


def detect_profile() -> str:
    """The active profile: ``$CNN_COURSE_PROFILE`` if set, else ``gpu`` when one is visible."""
    forced = os.environ.get(PROFILE_ENV, "").strip()
    if forced:
        return _check_profile(forced)
    import tensorflow as tf  # imported lazily: detection is the only reason to load it here

    return "gpu" if tf.config.list_physical_devices("GPU") else "cpu"


def seed() -> int:
    """Seed for the notebooks' randomness: ``$CNN_COURSE_SEED`` or 0."""
    return int(os.environ.get(SEED_ENV, "0"))


def _check_profile(profile: str) -> str:
    if profile not in PROFILES:
        raise ValueError(f"Unknown profile {profile!r}; valid profiles: {', '.join(PROFILES)}.")
    return profile


def budget(session: str, profile: str | None = None) -> Budget:
    """The budget of ``session`` under ``profile`` (default: the detected profile)."""
    profile = _check_profile(profile) if profile else detect_profile()
    row = load_table("budgets.toml")["sessions"].get(session)
    if row is None:
        raise ValueError(f"Unknown session {session!r}; valid sessions: {', '.join(sessions())}.")
    entry = row.get(profile)
    if entry is None:
        raise ValueError(f"Session {session!r} has no row for profile {profile!r}.")
    missing = [k for k in _FIELDS if k not in entry]
    if missing:
        raise ValueError(f"Budget {session}/{profile} lacks {', '.join(missing)}.")
    values = {}
    for key, kind in _FIELDS.items():
        value = entry[key]
        # bool is an int subclass in Python: reject it explicitly
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"Budget {session}/{profile}: {key} must be a number (got {value!r}).")
        if kind is int and not isinstance(value, int):
            raise ValueError(
                f"Budget {session}/{profile}: {key} must be an integer (got {value!r})."
            )
        values[key] = kind(value)
    runs = tuple(
        Run(int(r["seed"]), float(r["metric"]), float(r["seconds"])) for r in entry.get("runs", [])
    )
    return Budget(session, profile, runs=runs, measured=entry.get("measured", ""), **values)


def describe(profile: str | None = None) -> str:
    """One Spanish sentence for students: which profile is active and why."""
    profile = profile or detect_profile()
    reasons = {
        "gpu": "se ha detectado una GPU",
        "cpu": "no hay GPU visible; se usará la CPU con un presupuesto de entrenamiento menor",
        "grading": "modo de corrección automática",
        "ci": "modo de integración continua (presupuesto mínimo)",
    }
    forced = os.environ.get(PROFILE_ENV)
    origin = f" (fijado por {PROFILE_ENV})" if forced else ""
    return f"Perfil de ejecución: {profile}{origin}: {reasons[profile]}."
