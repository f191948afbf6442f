"""Runtime profiles (gpu, cpu, grading, ci) and the per-session budget table.

The table lives in ``autograder/budgets.toml``: for each session and profile it
gives the training budget, the notebook execution timeout and the metric
threshold, with the measured runs each threshold was derived from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from cnn_course import sessions as registry
from cnn_course._tables import load_table
from cnn_course.sessions import PROFILES

PROFILE_ENV = "CNN_COURSE_PROFILE"
SEED_ENV = "CNN_COURSE_SEED"


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


def detect_profile() -> str:
    """The active profile: ``$CNN_COURSE_PROFILE`` if set, else ``gpu`` when one is visible."""
    forced = os.environ.get(PROFILE_ENV, "").strip()
    if forced:
        return _check_profile(forced)
    from cnn_course.tflog import StartupFilter

    # Imported lazily (detection is the only reason to load it here), without the start-up
    # lines TensorFlow writes to stderr on AVX-512 CPUs, which a student can do nothing about.
    with StartupFilter():
        import tensorflow as tf

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
    registry.get(session)  # unknown sessions: the error lists the valid ones
    entry = load_table("budgets.toml")["sessions"][session].get(profile)
    if entry is None:
        raise ValueError(
            f"Session {session!r} has no budget row for profile {profile!r} "
            "(a session that trains nothing has none)."
        )
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


def timeout(session: str, profile: str) -> int:
    """Seconds one notebook cell of ``session`` may run under ``profile``."""
    info = registry.get(session)
    if profile in info.profiles:
        return budget(session, profile).timeout
    return info.timeout


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


def budget_table(session_keys: list[str] | None = None) -> str:
    """The budget table as text: one line per session and profile, with its measured runs."""
    lines = [
        f"{'session':<14}{'profile':<9}{'epochs':>7}{'batch':>6}{'train':>7}{'test':>6}"
        f"{'timeout':>9}{'thresh':>8}  measured runs"
    ]
    for key in session_keys or registry.keys():
        info = registry.get(key)
        if not info.profiles:
            lines.append(
                f"{key:<14}{'-':<9}{'(trains nothing; timeout ' + str(info.timeout) + ' s)'}"
            )
        for profile in info.profiles:
            b = budget(key, profile)
            runs = ", ".join(f"{r.metric:.4f}" for r in b.runs) or b.measured
            lines.append(
                f"{key:<14}{profile:<9}{b.epochs:>7}{b.batch_size:>6}{b.train_size:>7}"
                f"{b.test_size:>6}{b.timeout:>9}{b.threshold:>8.3f}  {runs}"
            )
        for name, value in info.thresholds.items():
            lines.append(f"{key:<14}{'(all)':<9}{name} = {value}")
    return "\n".join(lines)


def main_budgets(session_keys: list[str] | None = None) -> int:
    """``cnn-course budgets``."""
    print(budget_table(session_keys))
    return 0
