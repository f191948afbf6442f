"""Strict reader for IDX files (the MNIST format), gzipped or not."""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from math import prod
from pathlib import Path

import numpy as np

from cnn_course.data.errors import DataFormatError

# Magic numbers of MNIST's two IDX files: 0x0000 0x08 (uint8) ndim.
IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
_UINT8 = 0x08


def read_bytes(path: Path) -> bytearray:
    """The file's bytes, gunzipped when it starts with the gzip magic (writable buffer)."""
    with open(path, "rb") as f:
        # readinto a preallocated buffer: one copy of a 47 MB file, not two
        data = bytearray(os.fstat(f.fileno()).st_size)
        f.readinto(data)
    if data[:2] != b"\x1f\x8b":
        return data
    try:
        return bytearray(gzip.decompress(data))
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise DataFormatError(
            f"{path} is a damaged or truncated gzip file ({len(data)} bytes on disk): {exc}."
        ) from exc


def parse(data: bytearray, path: Path, magic: int) -> np.ndarray:
    """Decode an IDX buffer whose magic must be ``magic``; the length must match the header."""
    if len(data) < 4:
        raise DataFormatError(f"{path} is too short for an IDX header: {len(data)} bytes.")
    (got_magic,) = struct.unpack(">I", bytes(data[:4]))
    if got_magic != magic:
        raise DataFormatError(
            f"{path} has IDX magic number {got_magic} (0x{got_magic:08x}), "
            f"expected {magic} (0x{magic:08x}): wrong file or not an IDX file."
        )
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataFormatError(
            f"{path} is truncated inside its header: {len(data)} bytes, expected at least {header}."
        )
    dims = struct.unpack(f">{ndim}I", bytes(data[4:header]))
    expected = header + prod(dims)
    if len(data) != expected:
        raise DataFormatError(
            f"{path} holds {len(data)} bytes but its header declares shape {dims}, "
            f"i.e. {expected} bytes: the file is truncated or mislabelled."
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(dims)


def read(path: Path, magic: int) -> tuple[np.ndarray, bytearray]:
    """Read and decode an IDX file; also return the decompressed bytes (for hashing)."""
    data = read_bytes(path)
    return parse(data, path, magic), data
