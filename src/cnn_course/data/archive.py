"""Tar archives: safe reading and one-time, atomic extraction into the Keras cache."""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from cnn_course.data import paths
from cnn_course.data.errors import DataFormatError

# Errors tarfile and gzip raise on a damaged or truncated archive.
TAR_ERRORS = (tarfile.TarError, EOFError, zlib.error, OSError)


def work_dir() -> Path:
    """This package's own area inside the Keras cache (extractions, decoded arrays)."""
    return paths.keras_cache_dir() / "cnn_course"


def iter_files(archive: Path) -> Iterator[tuple[str, bytes]]:
    """Yield ``(member name, bytes)`` for every regular file; a damaged archive raises
    :class:`DataFormatError` naming it."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.isfile():
                    f = tar.extractfile(member)
                    if f is not None:
                        yield member.name, f.read()
    except TAR_ERRORS as exc:
        raise DataFormatError(
            f"{archive} is not a readable tar archive (corrupt or truncated): {exc}."
        ) from exc


def atomic_dir(final: Path, build: Callable[[Path], None]) -> Path:
    """Create folder ``final`` by ``build(tmp)`` on a temporary sibling, then rename it.

    A crash mid-way leaves only a ``.tmp-*`` folder, never a half-filled ``final``
    that a later run would trust.
    """
    if final.is_dir():
        return final
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=final.parent, prefix=f".tmp-{final.name}-"))
    try:
        build(tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o777 & ~umask)  # mkdtemp makes it owner-only
        os.replace(tmp, final)
    except OSError:
        # Another process may have won the race; its result is as good as ours.
        if not final.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    shutil.rmtree(tmp, ignore_errors=True)
    return final


def extract(archive: Path, dest: Path) -> None:
    """Extract ``archive`` into ``dest`` refusing links and paths outside it (tar "data" filter)."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, filter="data")
            else:  # Python < 3.11.4 has no extraction filters: check members by hand
                tar.extractall(dest, members=_plain_members(tar, archive))
    except TAR_ERRORS as exc:
        raise DataFormatError(
            f"{archive} could not be extracted (corrupt or truncated tar): {exc}."
        ) from exc


def _plain_members(tar: tarfile.TarFile, archive: Path) -> list[tarfile.TarInfo]:
    """Members that are plain files or folders with relative paths inside the archive."""
    members = tar.getmembers()
    for m in members:
        parts = Path(m.name).parts
        if not (m.isfile() or m.isdir()) or Path(m.name).is_absolute() or ".." in parts:
            raise DataFormatError(
                f"{archive}: refusing to extract member {m.name!r} "
                "(links and paths outside the archive are not allowed)."
            )
    return members
