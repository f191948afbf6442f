"""The one download helper: verified cache hits, atomic writes, no partial files left."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import logging
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from cnn_course.data import paths
from cnn_course.data.errors import ChecksumError, DataFormatError, DownloadError
from cnn_course.data.registry import FileSpec

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: Path) -> bool:
    """Whether ``path`` starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        return f.read(2) == _GZIP_MAGIC


def sha256_file(path: Path | str, *, content: bool = False) -> str:
    """SHA-256 of a file; with ``content=True``, of its gunzipped content when it is gzipped."""
    path = Path(path)
    digest = hashlib.sha256()
    opener = gzip.open if content and is_gzip(path) else open
    try:
        with opener(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                digest.update(chunk)
    except (EOFError, gzip.BadGzipFile) as exc:
        raise DataFormatError(f"{path} is not a complete gzip file: {exc}.") from exc
    return digest.hexdigest()


def spec_sha256(path: Path, spec: FileSpec) -> str:
    """The SHA-256 of ``path`` in the sense ``spec`` declares it (file bytes or content)."""
    return sha256_file(path, content=spec.hash_of == "content")


def check(path: Path, spec: FileSpec) -> None:
    """Raise :class:`ChecksumError` unless ``path`` has the hash declared in ``spec``."""
    if spec.sha256 is None:
        return
    got = spec_sha256(path, spec)
    if got != spec.sha256:
        what = "the content of" if spec.hash_of == "content" else "file"
        raise ChecksumError(path, spec.sha256, got, what=what)


def remote_name(spec: FileSpec) -> str:
    """The file name at the origin (``train-images-idx3-ubyte.gz`` for a gzipped IDX file)."""
    return spec.url.rsplit("/", 1)[-1] if spec.url else spec.name


def origin_url(spec: FileSpec) -> str | None:
    """Where to download ``spec``: ``$CNN_COURSE_DATA_URL/<name>`` if set, else its origin."""
    base = os.environ.get(paths.URL_ENV, "").strip()
    if base:
        return f"{base.rstrip('/')}/{remote_name(spec)}"
    return spec.url


def fetch_file(
    url: str,
    dest: Path | str,
    sha256: str | None = None,
    size: int | None = None,
    *,
    progress: bool = True,
    timeout: float = 30.0,
    content: bool = False,
) -> Path:
    """Return ``dest``, verified against ``sha256``; download it from ``url`` if absent or corrupt.

    The body goes to a temporary file next to ``dest`` and is renamed into place
    only once its length and hash are right, so an interrupted or bad download
    never leaves a file that a later call could mistake for a cache hit. With
    ``content=True`` the hash (and size) are those of the gunzipped content.
    """
    dest = Path(dest)
    if dest.is_file():
        if sha256 is None:
            return dest
        got = sha256_file(dest, content=content)
        if got == sha256:
            return dest
        log.warning(
            "Cached %s is corrupted (SHA-256 %s, expected %s); downloading again.",
            dest,
            got,
            sha256,
        )
        dest.unlink()
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            got = _download(url, out, progress=progress, timeout=timeout)
        received: int | None = tmp.stat().st_size
        if content:
            got = sha256_file(tmp, content=True)
            received = None
        if sha256 is not None and got != sha256:
            raise ChecksumError(url, sha256, got, what="download")
        if size is not None and received is not None and received != size:
            raise DataFormatError(
                f"Download {url} has {received} bytes, expected {size} (declared size)."
            )
        publish(tmp, dest)
    except BaseException:
        # Partial or wrong downloads must never look like a cache hit.
        tmp.unlink(missing_ok=True)
        raise
    return dest


def publish(tmp: Path | str, dest: Path) -> None:
    """Rename a finished temporary file into place with the umask's usual permissions
    (``mkstemp`` creates files readable by their owner only)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, dest)


def _download(url: str, out, *, progress: bool, timeout: float) -> str:
    """Stream ``url`` into ``out``; return the SHA-256 of the bytes received."""
    digest = hashlib.sha256()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length is not None else None
            received = 0
            with tqdm(
                total=expected,
                unit="B",
                unit_scale=True,
                desc=url.rsplit("/", 1)[-1],
                disable=not progress,
                leave=False,
            ) as bar:
                while chunk := response.read(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
    except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
        raise DownloadError(f"Download of {url} failed: {exc}.") from exc
    # http.client returns a short body without raising when the server closes
    # the connection early, so the length has to be checked here.
    if expected is not None and received != expected:
        raise DownloadError(
            f"Download of {url} was cut off: received {received} bytes, expected {expected} "
            "(Content-Length)."
        )
    return digest.hexdigest()


def fetch_spec(spec: FileSpec, cache_dir: Path | None = None, *, progress: bool = True) -> Path:
    """Download a registry file into the Keras cache (or return the verified cached copy)."""
    url = origin_url(spec)
    if url is None:
        raise DownloadError(f"{spec.name} has no download URL in registry.toml.")
    cache_dir = cache_dir if cache_dir is not None else paths.keras_cache_dir()
    return fetch_file(
        url,
        cache_dir / remote_name(spec),
        spec.sha256,
        spec.size,
        progress=progress,
        content=spec.hash_of == "content",
    )
