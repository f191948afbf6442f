"""Tests for `cnn_course.runtime`: profiles and the budget table."""

from __future__ import annotations

import pytest

from cnn_course import runtime, sessions
from cnn_course._tables import load_table

ROWS = [(s.key, p) for s in sessions.all_sessions() for p in s.profiles]


def test_a_session_has_all_four_profiles_or_none():
    """A session that trains has a row per profile; one that trains nothing has none."""
    for s in sessions.all_sessions():
        assert s.profiles in ((), runtime.PROFILES), s.key


def test_a_session_without_profiles_has_a_timeout_and_no_budget():
    """``timeout`` comes from the session row; asking for its budget is a clear error."""
    s = sessions.get("convolucion")
    assert s.profiles == ()
    assert runtime.timeout("convolucion", "grading") == s.timeout > 0
    with pytest.raises(ValueError, match="trains nothing"):
        runtime.budget("convolucion", "cpu")


@pytest.mark.parametrize(("session", "profile"), ROWS)
def test_every_entry_is_complete_and_well_typed(session, profile):
    """Every session/profile row has every field with the right type and a sane value."""
    b = runtime.budget(session, profile)
    assert b.epochs >= 0 and b.batch_size >= 0 and b.train_size >= 0 and b.test_size >= 0
    assert b.image_size > 0
    assert b.timeout > 0
    assert 0.0 <= b.threshold < 1.0
    assert b.measured, "each row says where its runs were measured, or why there are none"
    if b.epochs:
        assert b.batch_size > 0


@pytest.mark.parametrize(("session", "profile"), [r for r in ROWS if r[1] != "gpu"])
def test_cpu_thresholds_sit_below_their_measured_runs(session, profile):
    """A threshold on a CPU profile rests on at least 3 measured runs and is below the worst."""
    b = runtime.budget(session, profile)
    if b.threshold == 0:
        assert b.runs == () or all(r.metric >= 0 for r in b.runs)
        return
    assert len(b.runs) >= 3
    assert b.threshold < min(r.metric for r in b.runs)


def test_session_meta_names_an_existing_notebook():
    """Each session names its source notebook and checks module, and both exist."""
    from cnn_course.course import COURSE

    for s in sessions.all_sessions():
        assert (COURSE.source / s.notebook).is_file()
        assert hasattr(sessions.checks(s.key), "__file__")
        if s.profiles:
            assert callable(sessions.checks(s.key).measure), "bench/measure_thresholds.py uses it"


def test_unknown_profile_lists_valid_names():
    """An unknown profile is a ValueError naming the valid profiles."""
    with pytest.raises(ValueError, match="gpu, cpu, grading, ci"):
        runtime.budget("mnist", "tpu")


def test_unknown_session_lists_valid_names():
    """An unknown session is a ValueError naming the valid sessions."""
    with pytest.raises(ValueError, match="mnist"):
        runtime.budget("imagenet", "cpu")


def test_profile_env_overrides_detection(monkeypatch):
    """CNN_COURSE_PROFILE forces the profile."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "grading")
    assert runtime.detect_profile() == "grading"
    assert runtime.budget("mnist").profile == "grading"


def test_bad_profile_env_is_rejected(monkeypatch):
    """A misspelt CNN_COURSE_PROFILE is an error, not a silent fallback."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "GPU ")
    with pytest.raises(ValueError, match="valid profiles"):
        runtime.detect_profile()


def test_detection_without_gpu_is_cpu(monkeypatch):
    """With no override and no visible GPU (as on this machine), the profile is cpu."""
    monkeypatch.delenv("CNN_COURSE_PROFILE", raising=False)
    assert runtime.detect_profile() == "cpu"


def test_malformed_entry_is_rejected(monkeypatch):
    """A non-integer epochs field is a clear ValueError naming the entry."""
    table = load_table("budgets.toml")
    broken = {"sessions": {"x": {**table["sessions"]["mnist"]}}}
    broken["sessions"]["x"]["cpu"] = {**table["sessions"]["mnist"]["cpu"], "epochs": "3"}
    monkeypatch.setattr(runtime, "load_table", lambda name: broken)
    monkeypatch.setattr(sessions, "load_table", lambda name: broken)
    with pytest.raises(ValueError, match="x/cpu: epochs"):
        runtime.budget("x", "cpu")


def test_describe_is_spanish_and_names_the_profile(monkeypatch):
    """describe() tells the student the active profile in Spanish."""
    monkeypatch.setenv("CNN_COURSE_PROFILE", "ci")
    assert runtime.describe().startswith("Perfil de ejecución: ci")
