"""``verify`` (what is where, hashes, counts) and ``fetch`` (download into the cache)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from cnn_course.data import cifar10, mnist, paths, scenes
from cnn_course.data import fetch as _fetch
from cnn_course.data.errors import DataError, DataNotFoundError, DownloadError
from cnn_course.data.info import make_info
from cnn_course.data.registry import DatasetSpec, dataset, dataset_names, find_file

LOADERS: dict[str, ModuleType] = {m.NAME: m for m in (mnist, cifar10, scenes)}
"""Dataset name → loader module. Each module offers the same interface: ``NAME``,
``find(data_dir, download=...) -> Found`` (whose ``paths`` are what ``verify``
hashes), ``counts(found) -> {split: n}`` and ``fetch(progress=...) -> Path``."""


@dataclass(frozen=True)
class FileCheck:
    """The SHA-256 check of one file: ``ok``, ``bad`` or ``unknown`` (no declared hash)."""

    name: str
    path: Path
    status: str
    expected: str | None = None
    got: str | None = None


@dataclass
class VerifyRow:
    """What ``verify`` found for one dataset."""

    dataset: str
    where: str = ""
    status: str = "missing"
    """complete, partial, bad or missing"""
    files: list[FileCheck] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    expected: dict[str, int] = field(default_factory=dict)
    message: str = ""

    @property
    def ok(self) -> bool:
        """True when the data is present and intact (partial data is still ok)."""
        return self.status in ("complete", "partial")


def _check_file(path: Path, ds: DatasetSpec) -> FileCheck:
    spec = ds.find(path.name)
    if spec is None or spec.sha256 is None:
        return FileCheck(path.name, path, "unknown")
    try:
        got = _fetch.spec_sha256(path, spec)
    except DataError as exc:
        return FileCheck(path.name, path, "bad", spec.sha256, f"unreadable: {exc}")
    return FileCheck(path.name, path, "ok" if got == spec.sha256 else "bad", spec.sha256, got)


def _declared_neighbours(folders: set[Path], ds: DatasetSpec) -> list[Path]:
    """Files declared in the registry that sit in ``folders`` (e.g. batches.meta)."""
    out = []
    for folder in sorted(folders):
        for spec in ds.files:
            for name in (spec.name, f"{spec.name}.gz"):
                if (folder / name).is_file():
                    out.append(folder / name)
    return out


def _verify_one(loader: ModuleType, data_dir: Path | str | None) -> VerifyRow:
    ds = dataset(loader.NAME)
    row = VerifyRow(ds.name, expected=dict(ds.counts))
    try:
        found = loader.find(data_dir, download=False)
    except DataNotFoundError as exc:
        row.message = str(exc)
        return row
    files, row.where = list(found.paths), found.source
    folders = {p.parent if p.is_file() else p for p in files}
    checked = {p.resolve() for p in files if p.is_file()}
    extra = [p for p in _declared_neighbours(folders, ds) if p.resolve() not in checked]
    row.files = [_check_file(p, ds) for p in files + extra if p.is_file()]
    try:
        row.counts = loader.counts(found)
    except DataError as exc:
        row.status, row.message = "bad", str(exc)
        return row
    if any(f.status == "bad" for f in row.files):
        row.status = "bad"
    else:
        row.status = "partial" if make_info(ds.name, found, row.counts).is_partial else "complete"
    return row


def verify(data_dir: Path | str | None = None) -> list[VerifyRow]:
    """One row per dataset: where it was found, per-file SHA-256 status, counts, completeness.

    Looks where the loaders look (``data_dir``, ``$CNN_COURSE_DATA``, Keras cache)
    but never downloads.
    """
    return [_verify_one(LOADERS[name], data_dir) for name in dataset_names()]


def format_table(rows: list[VerifyRow]) -> str:
    """Plain-text rendering of :func:`verify`'s rows, one block per dataset."""
    header = ("dataset", "status", "train", "test", "where")
    lines = []
    for row in rows:
        counts = [
            f"{row.counts[s]}/{row.expected[s]}" if s in row.counts else "-"
            for s in ("train", "test")
        ]
        lines.append((row.dataset, row.status, *counts, row.where or "not found"))
    widths = [max(len(str(r[i])) for r in [header, *lines]) for i in range(len(header) - 1)]

    def fmt(r: tuple) -> str:
        return "  ".join(str(v).ljust(w) for v, w in zip(r, widths, strict=False)) + "  " + r[-1]

    out = [fmt(header), "  ".join("-" * w for w in widths) + "  " + "-" * 5]
    for row, line in zip(rows, lines, strict=True):
        out.append(fmt(line))
        for f in row.files:
            detail = f"sha256 {f.status:<7} {f.name}"
            if f.status == "bad":
                detail += f" (expected {f.expected}, got {f.got})"
            out.append(f"    {detail}")
        if row.message:
            out.extend(f"    {m}" for m in row.message.splitlines())
    return "\n".join(out)


def fetch(name: str, *, progress: bool = True) -> Path:
    """Download dataset ``name`` (or a registry file name) into the Keras cache; return its path.

    ``mnist`` fetches ``mnist.npz``, ``cifar10`` the python-version tarball and
    ``natural_scenes`` the Kaggle dataset through kagglehub. A cached, verified
    copy is reused.
    """
    if paths.offline():
        raise DownloadError(f"Downloads are disabled by ${paths.OFFLINE_ENV}; cannot fetch {name}.")
    if name in LOADERS:
        return LOADERS[name].fetch(progress=progress)
    try:
        spec = find_file(name)
    except KeyError:
        known = [
            *dataset_names(),
            *(f.name for d in dataset_names() for f in dataset(d).files if f.url),
        ]
        raise KeyError(
            f"Nothing called {name!r} can be fetched; choose one of: {', '.join(known)}."
        ) from None
    return _fetch.fetch_spec(spec, progress=progress)


def main_verify(data_dir: Path | str | None = None) -> int:
    """CLI body of ``cnn-course data verify``: print the table; 1 if anything is bad or missing."""
    rows = verify(data_dir)
    print(format_table(rows))
    return 0 if all(r.ok for r in rows) else 1


def main_fetch(name: str) -> int:
    """CLI body of ``cnn-course data fetch NAME``: print the path, or the error and return 1."""
    try:
        path = fetch(name)
    except (DataError, KeyError) as exc:
        print(f"error: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    print(path)
    return 0
