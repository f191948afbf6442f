"""Course datasets (MNIST, CIFAR-10, natural scenes), found offline first and verified."""

from __future__ import annotations

from cnn_course.data.errors import (
    ChecksumError,
    DataError,
    DataFormatError,
    DataNotFoundError,
    DownloadError,
    PartialDatasetWarning,
)
from cnn_course.data.mnist import load_mnist

__all__ = [
    "ChecksumError",
    "DataError",
    "DataFormatError",
    "DataNotFoundError",
    "DownloadError",
    "PartialDatasetWarning",
    "load_mnist",
]
