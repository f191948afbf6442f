"""MNIST from Keras' ``mnist.npz`` or the four official IDX files (gzipped or not)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from cnn_course.data import fetch as _fetch
from cnn_course.data import idx
from cnn_course.data.errors import ChecksumError, DataFormatError
from cnn_course.data.info import make_info, warn_if_partial
from cnn_course.data.locate import CACHE, Found, Place, Search
from cnn_course.data.registry import DatasetSpec, FileSpec, dataset

NAME = "mnist"
NPZ = "mnist.npz"
_IDX = {
    # split: (images file, labels file)
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def _idx_path(d: Path, name: str) -> Path | None:
    for candidate in (d / name, d / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def probe(place: Place, d: Path) -> Found | str:
    """Whether folder ``d`` holds MNIST (npz preferred), else why not.

    The :class:`Found` has format ``npz`` (one file) or ``idx`` (the four IDX files,
    train images and labels, then test images and labels).
    """
    ds = dataset(NAME)
    npz = d / NPZ
    if npz.is_file():
        if place.label == CACHE:
            try:
                _fetch.check(npz, ds.file(NPZ))
            except ChecksumError:
                # A corrupted cache entry is replaced by the download step.
                return f"cached {NPZ} is corrupted (SHA-256 mismatch)"
        return Found("npz", (npz,), place.label)
    names = [name for pair in _IDX.values() for name in pair]
    present = {name: _idx_path(d, name) for name in names}
    missing = [name for name, p in present.items() if p is None]
    if not missing:
        return Found("idx", tuple(present[n] for n in names), place.label)
    if len(missing) < len(names):
        return f"incomplete IDX set, missing {', '.join(missing)} (or .gz)"
    return f"no {NPZ} and no IDX files"


def _check_content(path: Path, data: bytearray, spec: FileSpec) -> None:
    """Hash a file that claims to be the official one (official size); structure is checked
    for every file, so a smaller, structurally valid file (a fixture, a subset) still loads."""
    if spec.sha256 and len(data) == spec.size:
        got = hashlib.sha256(data).hexdigest()
        if got != spec.sha256:
            raise ChecksumError(path, spec.sha256, got, what="the content of")


def _read_idx(files: tuple[Path, ...], ds: DatasetSpec) -> Arrays:
    paths = iter(files)
    out = []
    for split, (img_name, lbl_name) in _IDX.items():
        img_path, lbl_path = next(paths), next(paths)
        images, raw = idx.read(img_path, idx.IMAGES_MAGIC)
        _check_content(img_path, raw, ds.file(img_name))
        labels, raw = idx.read(lbl_path, idx.LABELS_MAGIC)
        _check_content(lbl_path, raw, ds.file(lbl_name))
        if images.shape[1:] != (28, 28):
            raise DataFormatError(
                f"{img_path} holds images of shape {images.shape[1:]}, expected (28, 28)."
            )
        if len(images) != len(labels):
            raise DataFormatError(
                f"MNIST {split}: {img_path} has {len(images)} images but {lbl_path} has "
                f"{len(labels)} labels."
            )
        _check_labels(labels, lbl_path)
        out.append((images, labels))
    return out[0], out[1]


def _check_labels(labels: np.ndarray, path: Path) -> None:
    if labels.size and labels.max() > 9:
        raise DataFormatError(f"{path} has label {int(labels.max())}, expected digits 0..9.")


def _read_npz(path: Path, ds: DatasetSpec) -> Arrays:
    spec = ds.file(NPZ)
    if spec.size == path.stat().st_size:
        _fetch.check(path, spec)
    try:
        with np.load(path, allow_pickle=False) as f:
            arrays = {k: f[k] for k in ("x_train", "y_train", "x_test", "y_test")}
    except (KeyError, ValueError, OSError) as exc:
        raise DataFormatError(
            f"{path} is not a Keras MNIST npz (arrays x_train, y_train, x_test, y_test): {exc}"
        ) from exc
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.dtype != np.uint8 or x.ndim != 3 or x.shape[1:] != (28, 28) or len(x) != len(y):
            raise DataFormatError(
                f"{path}: x_{split} has shape {x.shape} and dtype {x.dtype}, y_{split} shape "
                f"{y.shape}; expected uint8 (N, 28, 28) and (N,)."
            )
        _check_labels(y, path)
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def fetch(*, progress: bool = True) -> Path:
    """Download ``mnist.npz`` into the Keras cache (a verified cached copy is reused)."""
    return _fetch.fetch_spec(dataset(NAME).file(NPZ), progress=progress)


def find(data_dir: Path | str | None = None, *, download: bool = True) -> Found:
    """Locate MNIST following the lookup order; download ``mnist.npz`` as a last resort."""

    def from_origin() -> Found:
        return Found("npz", (fetch(),), "download")

    return Search(dataset(NAME), data_dir).run(probe, from_origin if download else None)


def read(found: Found) -> Arrays:
    """The arrays of a located MNIST copy."""
    ds = dataset(NAME)
    if found.format == "npz":
        return _read_npz(found.paths[0], ds)
    return _read_idx(found.paths, ds)


def _counts(arrays: Arrays) -> dict[str, int]:
    (x_train, _), (x_test, _) = arrays
    return {"train": len(x_train), "test": len(x_test)}


def counts(found: Found) -> dict[str, int]:
    """Images per split of a located copy, by decoding it (checks structure and hashes)."""
    return _counts(read(found))


def load_mnist(data_dir: Path | str | None = None, *, return_info: bool = False):
    """MNIST as ``(x_train, y_train), (x_test, y_test)``, uint8, like ``keras.datasets.mnist``.

    With ``return_info=True`` returns ``(arrays, info)``. A copy with fewer images than
    the official 60,000/10,000 loads, with a :class:`PartialDatasetWarning`.
    """
    found = find(data_dir)
    arrays = read(found)
    info = make_info(NAME, found, _counts(arrays))
    warn_if_partial(info)
    return (arrays, info) if return_info else arrays
