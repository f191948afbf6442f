"""Exceptions and warnings raised by :mod:`cnn_course.data`."""

from __future__ import annotations

from pathlib import Path


class DataError(Exception):
    """Base class: any problem finding, fetching or decoding course data."""


class DataNotFoundError(DataError, FileNotFoundError):
    """A dataset was found in none of the places looked at, and could not be downloaded."""


class ChecksumError(DataError, ValueError):
    """A file's SHA-256 differs from the one declared in ``datasets/registry.toml``."""

    def __init__(self, path: Path | str, expected: str, got: str, what: str = "file") -> None:
        self.path, self.expected, self.got = Path(path), expected, got
        super().__init__(
            f"SHA-256 mismatch for {what} {path}: expected {expected}, got {got}. "
            "The file is corrupted, truncated or not the official one."
        )


class DataFormatError(DataError, ValueError):
    """A file exists but its content is not in the expected format."""


class DownloadError(DataError, OSError):
    """A download failed (origin unreachable, connection dropped, short body)."""


class PartialDatasetWarning(UserWarning):
    """The data found holds fewer examples than the full official dataset."""
