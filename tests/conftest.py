"""Shared pytest fixtures."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

# ---------------------------------------------------------------- data (cnn_course.data)


@pytest.fixture(scope="session")
def data_root() -> Path:
    """The offline data mirror named by ``$CNN_COURSE_DATA``; the test fails if it is unset.

    CI sets it (to ../shared/data); failing rather than skipping keeps a missing
    mirror from silently turning the real-data tests green.
    """
    value = os.environ.get("CNN_COURSE_DATA", "").strip()
    if not value:
        pytest.fail(
            "CNN_COURSE_DATA is not set: point it at the offline data mirror "
            "(e.g. export CNN_COURSE_DATA=/work/shared/data) to run the real-data tests."
        )
    root = Path(value)
    if not root.is_dir():
        pytest.fail(f"CNN_COURSE_DATA={value} is not a directory.")
    return root


@pytest.fixture(scope="session")
def real_data_env(data_root: Path, tmp_path_factory: pytest.TempPathFactory):
    """Session-wide environment for real-data tests: the mirror plus a private Keras cache
    (so decoded-array caches and extractions never touch the real ``~/.keras``)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CNN_COURSE_DATA", str(data_root))
        mp.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras_home")))
        mp.setenv("CNN_COURSE_OFFLINE", "1")
        yield data_root


def _closed_port() -> int:
    """A local TCP port that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def no_data_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No mirror, an empty private Keras cache, and every origin pointed at a closed
    local port: nothing is found and any download fails at once, offline."""
    monkeypatch.delenv("CNN_COURSE_DATA", raising=False)
    monkeypatch.delenv("CNN_COURSE_OFFLINE", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    monkeypatch.setenv("CNN_COURSE_DATA_URL", f"http://127.0.0.1:{_closed_port()}")
    return tmp_path
