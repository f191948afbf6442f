"""Course datasets (MNIST, CIFAR-10, natural scenes), found offline first and verified.

Every loader looks, in order, in ``data_dir``, in ``$CNN_COURSE_DATA`` (an offline
mirror: ``<root>/mnist/idx/…``, ``<root>/cifar10/…``, ``<root>/intel_scenes/…``), in
the Keras cache, and finally downloads into the Keras cache. Hashes, sizes and
URLs come from ``datasets/registry.toml``.
"""

from __future__ import annotations

from cnn_course.data.cifar10 import load_cifar10
from cnn_course.data.errors import (
    ChecksumError,
    DataError,
    DataFormatError,
    DataNotFoundError,
    DownloadError,
    PartialDatasetWarning,
)
from cnn_course.data.fetch import fetch_file, sha256_file
from cnn_course.data.info import DatasetInfo
from cnn_course.data.mnist import load_mnist
from cnn_course.data.paths import DATA_ENV, keras_cache_dir
from cnn_course.data.registry import class_names
from cnn_course.data.scenes import load_natural_scenes
from cnn_course.data.subset import balanced_indices, balanced_subset
from cnn_course.data.verify import (
    FileCheck,
    VerifyRow,
    fetch,
    format_table,
    main_fetch,
    main_verify,
    verify,
)

__all__ = [
    "DATA_ENV",
    "ChecksumError",
    "DataError",
    "DataFormatError",
    "DataNotFoundError",
    "DatasetInfo",
    "DownloadError",
    "FileCheck",
    "PartialDatasetWarning",
    "VerifyRow",
    "balanced_indices",
    "balanced_subset",
    "class_names",
    "fetch",
    "fetch_file",
    "format_table",
    "keras_cache_dir",
    "load_cifar10",
    "load_mnist",
    "load_natural_scenes",
    "main_fetch",
    "main_verify",
    "sha256_file",
    "verify",
]
