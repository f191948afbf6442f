"""CIFAR-10 from the official python or binary batches, or from PNG class folders."""

from __future__ import annotations

import io
import logging
import os
import pickle
import tempfile
from pathlib import Path, PurePosixPath

import numpy as np
from PIL import Image, UnidentifiedImageError

from cnn_course.data import archive, unpickle
from cnn_course.data import fetch as _fetch
from cnn_course.data.errors import ChecksumError, DataFormatError
from cnn_course.data.info import DatasetInfo, make_info, warn_if_partial
from cnn_course.data.locate import CACHE, Found, Place, Search
from cnn_course.data.registry import dataset

log = logging.getLogger(__name__)

NAME = "cifar10"
PY_TAR = "cifar-10-python.tar.gz"
BIN_TAR = "cifar-10-binary.tar.gz"
PY_DIR = "cifar-10-batches-py"
BIN_DIR = "cifar-10-batches-bin"
# Where keras.datasets.cifar10 extracts the python version in its cache.
KERAS_PY_DIR = Path("cifar-10-batches-py-target") / PY_DIR
PNG_TARS = {"train": "cifar10_train_png.tar.gz", "test": "cifar10_test_png.tar.gz"}

_TRAIN_BATCHES = [f"data_batch_{i}" for i in range(1, 6)]
_TEST_BATCH = "test_batch"
_RECORD = 1 + 3 * 32 * 32  # binary version: label byte + CHW pixels
# Bump when decoding changes (order, dtype), so stale decoded-array caches are ignored.
_CACHE_VERSION = 1

Split = tuple[np.ndarray, np.ndarray]


# ---------------------------------------------------------------- locating


def probe(place: Place, d: Path) -> Found | str:
    """Whether folder ``d`` holds CIFAR-10 in a known layout, else why not.

    Formats: python-dir, python-tar, binary-dir, binary-tar, png-dir, png-tar; the
    paths are the batches folder or the archive(s).
    """
    for sub in (d / PY_DIR, d / KERAS_PY_DIR, d):
        if (sub / _TEST_BATCH).is_file():
            return Found("python-dir", (sub,), place.label)
    py_tar = d / PY_TAR
    if py_tar.is_file():
        if place.label == CACHE:
            try:
                _fetch.check(py_tar, dataset(NAME).file(PY_TAR))
            except ChecksumError:
                return f"cached {PY_TAR} is corrupted (SHA-256 mismatch)"
        return Found("python-tar", (py_tar,), place.label)
    for sub in (d / BIN_DIR, d):
        if (sub / f"{_TEST_BATCH}.bin").is_file():
            return Found("binary-dir", (sub,), place.label)
    if (d / BIN_TAR).is_file():
        return Found("binary-tar", (d / BIN_TAR,), place.label)
    if (d / "test").is_dir() and (d / "train").is_dir():
        return Found("png-dir", (d,), place.label)
    tars = [d / name for name in PNG_TARS.values()]
    if all(t.is_file() for t in tars):
        return Found("png-tar", tuple(tars), place.label)
    if any(t.is_file() for t in tars):
        return f"only one of {', '.join(PNG_TARS.values())}"
    return f"no {PY_DIR}/, {PY_TAR}, {BIN_DIR}/ or train/ + test/ PNG folders"


def fetch(*, progress: bool = True) -> Path:
    """Download the python-version tarball into the Keras cache (a verified copy is reused)."""
    return _fetch.fetch_spec(dataset(NAME).file(PY_TAR), progress=progress)


def find(data_dir: Path | str | None = None, *, download: bool = True) -> Found:
    """Locate CIFAR-10 following the lookup order; download the python version last."""

    def from_origin() -> Found:
        return Found("python-tar", (fetch(),), "download")

    return Search(dataset(NAME), data_dir).run(probe, from_origin if download else None)


# ---------------------------------------------------------------- official formats


def _python_batch(data: bytes, where: str) -> Split:
    """Decode one python-version batch with the restricted unpickler."""
    try:
        batch = unpickle.loads(data)
    except (
        pickle.UnpicklingError,
        EOFError,
        ValueError,
        TypeError,
        AttributeError,
        IndexError,
        KeyError,
    ) as exc:
        raise DataFormatError(f"{where} is not a valid CIFAR-10 python batch: {exc}.") from exc
    if not isinstance(batch, dict) or b"data" not in batch or b"labels" not in batch:
        keys = sorted(batch) if isinstance(batch, dict) else type(batch).__name__
        raise DataFormatError(
            f"{where} is not a CIFAR-10 python batch: expected a dict with b'data' and "
            f"b'labels', got {keys}."
        )
    x, y = batch[b"data"], batch[b"labels"]
    if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.ndim != 2 or x.shape[1] != 3072:
        shape = getattr(x, "shape", type(x).__name__)
        raise DataFormatError(f"{where}: b'data' is {shape}, expected a uint8 (N, 3072) array.")
    if not isinstance(y, list) or len(y) != len(x) or not all(isinstance(v, int) for v in y):
        raise DataFormatError(f"{where}: b'labels' must be a list of {len(x)} ints.")
    return _chw_to_hwc(x), _labels(np.asarray(y), where)


def _binary_batch(data: bytes, where: str) -> Split:
    """Decode one binary-version batch: records of 1 label byte + 3072 CHW pixel bytes."""
    if len(data) % _RECORD:
        raise DataFormatError(
            f"{where} has {len(data)} bytes, not a whole number of {_RECORD}-byte records "
            f"(truncated or not a CIFAR-10 binary batch)."
        )
    records = np.frombuffer(data, np.uint8).reshape(-1, _RECORD)
    return _chw_to_hwc(records[:, 1:]), _labels(records[:, 0], where)


def _chw_to_hwc(rows: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))


def _labels(y: np.ndarray, where: str) -> np.ndarray:
    if y.size and (y.min() < 0 or y.max() > 9):
        raise DataFormatError(f"{where} has labels outside 0..9 (min {y.min()}, max {y.max()}).")
    return y.astype(np.uint8).reshape(-1, 1)


def _read_batches(found: Found) -> dict[str, list[Split]]:
    """Train and test batches of an official-format copy, in official batch order."""
    binary = found.format.startswith("binary")
    decode = _binary_batch if binary else _python_batch
    suffix = ".bin" if binary else ""
    wanted = {f"{n}{suffix}": n for n in [*_TRAIN_BATCHES, _TEST_BATCH]}
    got: dict[str, Split] = {}
    location = found.paths[0]
    if found.format.endswith("-dir"):
        for fname, key in wanted.items():
            if (location / fname).is_file():
                got[key] = decode((location / fname).read_bytes(), str(location / fname))
    else:
        for member, data in archive.iter_files(location):
            base = PurePosixPath(member).name
            if base in wanted:
                got[wanted[base]] = decode(data, f"{location}:{member}")
    if _TEST_BATCH not in got:
        raise DataFormatError(f"{location} has no {_TEST_BATCH}{suffix}: not a CIFAR-10 copy.")
    train = [got[b] for b in _TRAIN_BATCHES if b in got]
    if not train:
        raise DataFormatError(f"{location} has no data_batch_1..5{suffix}: no training data.")
    return {"train": train, "test": [got[_TEST_BATCH]]}


# ---------------------------------------------------------------- PNG folders


def _png_split(items: list[tuple[str, bytes | Path]], where: str) -> Split:
    """Decode ``(relative path, bytes or file)`` items laid out as ``<class>/<name>.png``."""
    classes = dataset(NAME).classes
    index = {name: i for i, name in enumerate(classes)}
    rows = []
    for rel, src in items:
        parts = PurePosixPath(rel).parts
        if len(parts) != 2 or parts[0] not in index:
            raise DataFormatError(
                f"{where}: {rel!r} is not laid out as <class>/<image>.png with <class> one of "
                f"{', '.join(classes)}."
            )
        rows.append((index[parts[0]], parts[1], src))
    if not rows:
        raise DataFormatError(f"{where} holds no PNG images in <class>/ folders.")
    rows.sort(key=lambda r: (r[0], r[1]))  # deterministic order: class, then file name
    x = np.empty((len(rows), 32, 32, 3), np.uint8)
    for i, (_, name, src) in enumerate(rows):
        x[i] = _decode_png(src, f"{where}/{name}")
    y = np.array([r[0] for r in rows], np.uint8).reshape(-1, 1)
    return x, y


def _decode_png(src: bytes | Path, where: str) -> np.ndarray:
    try:
        with Image.open(io.BytesIO(src) if isinstance(src, bytes) else src) as img:
            if img.size != (32, 32):
                raise DataFormatError(f"{where} is {img.size[0]}x{img.size[1]}, expected 32x32.")
            return np.asarray(img.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise DataFormatError(f"{where} is not a readable image: {exc}.") from exc


def _png_members(tar: Path) -> dict[str, list[tuple[str, bytes]]]:
    """``split → [(class/name, bytes)]`` of a PNG tar laid out as ``<split>/<class>/<name>``."""
    out: dict[str, list[tuple[str, bytes]]] = {}
    for member, data in archive.iter_files(tar):
        parts = PurePosixPath(member).parts
        if not member.lower().endswith(".png"):
            continue
        if len(parts) < 3 or parts[-3] not in PNG_TARS:
            raise DataFormatError(
                f"{tar}: member {member!r} is not laid out as train|test/<class>/<image>.png."
            )
        out.setdefault(parts[-3], []).append(("/".join(parts[-2:]), data))
    if not out:
        raise DataFormatError(f"{tar} holds no PNG images under train/ or test/.")
    return out


def _png_dir(root: Path) -> dict[str, Split]:
    out = {}
    for split in PNG_TARS:
        files = sorted(
            p for p in (root / split).rglob("*") if p.is_file() and p.suffix.lower() == ".png"
        )
        items = [(p.relative_to(root / split).as_posix(), p) for p in files]
        out[split] = _png_split(items, str(root / split))
    return out


def _png_tar_cached(tar: Path) -> dict[str, Split]:
    """Decode a PNG tar, reusing arrays cached under the archive's SHA-256 (decoding 30,000
    PNGs takes several seconds; the cache turns that into a hash check and a read)."""
    digest = _fetch.sha256_file(tar)
    spec = dataset(NAME).find(tar.name)
    if spec and spec.sha256 and spec.size == tar.stat().st_size and digest != spec.sha256:
        raise ChecksumError(tar, spec.sha256, digest)
    cached = archive.work_dir() / f"cifar10-png-v{_CACHE_VERSION}-{digest}.npz"
    arrays = _read_cache(cached)
    if arrays is None:
        arrays = {}
        for split, items in _png_members(tar).items():
            arrays[f"x_{split}"], arrays[f"y_{split}"] = _png_split(items, f"{tar}:{split}")
        _write_cache(cached, arrays)
    return {s: (arrays[f"x_{s}"], arrays[f"y_{s}"]) for s in PNG_TARS if f"x_{s}" in arrays}


def _read_cache(path: Path) -> dict[str, np.ndarray] | None:
    """Cached arrays, if present and matching the SHA-256 recorded beside them."""
    stamp = path.with_suffix(".sha256")
    if not (path.is_file() and stamp.is_file()):
        return None
    if _fetch.sha256_file(path) != stamp.read_text().strip():
        log.warning("Decoded-array cache %s is corrupted; decoding again.", path)
        return None
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def _write_cache(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write the arrays and their hash atomically; a read-only cache is not an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            digest = _fetch.sha256_file(tmp)
            _fetch.publish(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        path.with_suffix(".sha256").write_text(digest + "\n")
    except OSError as exc:
        log.warning("Could not cache decoded CIFAR-10 arrays in %s: %s", path, exc)


def _png_tars(found: Found) -> dict[str, Split]:
    out: dict[str, Split] = {}
    for tar in found.paths:
        for split, arrays in _png_tar_cached(tar).items():
            if split in out:
                raise DataFormatError(
                    f"Split {split!r} appears in more than one archive: "
                    f"{', '.join(map(str, found.paths))}."
                )
            out[split] = arrays
    missing = [s for s in PNG_TARS if s not in out]
    if missing:
        raise DataFormatError(f"No {'/'.join(missing)} images in {found.source}.")
    return out


# ---------------------------------------------------------------- public


def read(found: Found) -> tuple[tuple[Split, Split], DatasetInfo]:
    """Arrays and info of a located copy."""
    if found.format.startswith("png"):
        splits = _png_dir(found.paths[0]) if found.format == "png-dir" else _png_tars(found)
        train, test = splits["train"], splits["test"]
    else:
        batches = _read_batches(found)
        train = tuple(np.concatenate(parts) for parts in zip(*batches["train"], strict=True))
        test = batches["test"][0]
    return (train, test), make_info(NAME, found, {"train": len(train[0]), "test": len(test[0])})


def counts(found: Found) -> dict[str, int]:
    """Images per split of a located copy, by decoding it (checks structure and hashes)."""
    return read(found)[1].counts


def load_cifar10(data_dir: Path | str | None = None, *, return_info: bool = False):
    """CIFAR-10 as ``(x_train, y_train), (x_test, y_test)`` like ``keras.datasets.cifar10``.

    Images are uint8 ``(N, 32, 32, 3)``, labels uint8 ``(N, 1)`` in the official class
    order. With ``return_info=True`` returns ``(arrays, info)``; ``info.partial`` says
    which splits are incomplete (a :class:`PartialDatasetWarning` is emitted as well).
    """
    arrays, info = read(find(data_dir))
    warn_if_partial(info)
    return (arrays, info) if return_info else arrays
