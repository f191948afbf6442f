"""Tests for `cnn_course.data` downloads (`fetch_file`) against a local HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from cnn_course.data import (
    ChecksumError,
    DownloadError,
    fetch,
    fetch_file,
    main_fetch,
    sha256_file,
)
from cnn_course.data.fetch import origin_url
from cnn_course.data.registry import dataset

PAYLOAD = bytes(range(256)) * 4096  # 1 MiB, more than one read chunk plus change
PAYLOAD += b"tail"
SHA = hashlib.sha256(PAYLOAD).hexdigest()


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at /file; /drop promises more bytes than it sends, then hangs up."""

    hits: list[str]

    def do_GET(self):
        self.hits.append(self.path)
        if self.path == "/file":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD)
        elif self.path == "/drop":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            self.wfile.write(PAYLOAD[: len(PAYLOAD) // 3])
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_error(404)

    def log_message(self, *args):  # keep test output clean
        pass


@pytest.fixture
def server():
    """An HTTP server on 127.0.0.1 (port chosen by the OS) running in a thread."""
    handler = type("Handler", (_Handler,), {"hits": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield base, handler.hits
    finally:
        httpd.shutdown()
        httpd.server_close()


def leftovers(folder: Path, keep: str | None = None) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != keep)


def test_download_success(server, tmp_path):
    """A download lands at dest with the right bytes and no temporary file left."""
    base, hits = server
    dest = tmp_path / "cache" / "file.bin"
    assert fetch_file(f"{base}/file", dest, SHA, len(PAYLOAD)) == dest
    assert dest.read_bytes() == PAYLOAD
    assert leftovers(dest.parent, keep="file.bin") == []
    assert hits == ["/file"]


def test_cache_hit_skips_download(server, tmp_path):
    """A cached file with the right SHA-256 is returned without any request."""
    base, hits = server
    dest = tmp_path / "file.bin"
    dest.write_bytes(PAYLOAD)
    fetch_file(f"{base}/file", dest, SHA)
    assert hits == []


def test_wrong_hash_is_rejected(server, tmp_path):
    """A download whose SHA-256 differs raises ChecksumError (expected and got) and leaves
    nothing behind."""
    base, _ = server
    dest = tmp_path / "file.bin"
    with pytest.raises(ChecksumError) as info:
        fetch_file(f"{base}/file", dest, "0" * 64)
    assert f"expected {'0' * 64}, got {SHA}" in str(info.value)
    assert f"{base}/file" in str(info.value)
    assert leftovers(tmp_path) == []


def test_wrong_size_is_rejected(server, tmp_path):
    """A download of a size other than the declared one is rejected and removed."""
    base, _ = server
    with pytest.raises(Exception, match=f"expected {len(PAYLOAD) + 1}"):
        fetch_file(f"{base}/file", tmp_path / "file.bin", None, len(PAYLOAD) + 1)
    assert leftovers(tmp_path) == []


def test_dropped_connection_leaves_no_partial_file(server, tmp_path):
    """A server closing before Content-Length bytes gives DownloadError and no file."""
    base, _ = server
    with pytest.raises(DownloadError, match=r"cut off: received \d+ bytes, expected"):
        fetch_file(f"{base}/drop", tmp_path / "file.bin", SHA)
    assert leftovers(tmp_path) == []


def test_corrupted_cache_is_repaired(server, tmp_path):
    """An altered cached file is detected and downloaded again."""
    base, hits = server
    dest = tmp_path / "file.bin"
    dest.write_bytes(PAYLOAD[:-1] + b"X")
    fetch_file(f"{base}/file", dest, SHA, len(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD
    assert hits == ["/file"]


def test_http_error_is_a_download_error(server, tmp_path):
    """An HTTP 404 becomes a DownloadError naming the URL."""
    base, _ = server
    with pytest.raises(DownloadError, match=f"{base}/missing"):
        fetch_file(f"{base}/missing", tmp_path / "x", SHA)
    assert leftovers(tmp_path) == []


def test_unreachable_origin(no_data_env):
    """A closed local port gives a DownloadError, not a hang or a partial file."""
    with pytest.raises(DownloadError, match=r"refused|failed"):
        fetch_file("http://127.0.0.1:9/none", no_data_env / "x", SHA, timeout=5)
    assert not (no_data_env / "x").exists()


def test_gzip_content_hash(tmp_path):
    """sha256_file(content=True) hashes the gunzipped content, so .gz and plain agree."""
    import gzip

    (tmp_path / "a").write_bytes(PAYLOAD)
    (tmp_path / "a.gz").write_bytes(gzip.compress(PAYLOAD))
    assert sha256_file(tmp_path / "a.gz", content=True) == SHA
    assert sha256_file(tmp_path / "a", content=True) == SHA
    assert sha256_file(tmp_path / "a.gz") != SHA


def test_url_override(monkeypatch):
    """$CNN_COURSE_DATA_URL replaces the origin, keeping the origin's file name."""
    spec = dataset("cifar10").file("cifar-10-python.tar.gz")
    assert origin_url(spec) == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    monkeypatch.setenv("CNN_COURSE_DATA_URL", "http://mirror.example/data/")
    assert origin_url(spec) == "http://mirror.example/data/cifar-10-python.tar.gz"


def test_fetch_by_dataset_name_downloads_into_keras_cache(no_data_env, server, monkeypatch):
    """fetch('mnist') asks the (overridden) origin for mnist.npz and verifies its hash."""
    base, hits = server
    monkeypatch.setenv("CNN_COURSE_DATA_URL", base)
    # The local server has no mnist.npz: the request is made, and fails cleanly.
    with pytest.raises(DownloadError, match=r"mnist\.npz"):
        fetch("mnist", progress=False)
    assert hits == ["/mnist.npz"]
    assert not (no_data_env / "keras_home" / "datasets" / "mnist.npz").exists()


def test_main_fetch_unknown_name(no_data_env, capsys):
    """main_fetch returns 1 and names the valid choices for an unknown dataset."""
    assert main_fetch("imagenet") == 1
    err = capsys.readouterr().err
    assert "imagenet" in err and "mnist" in err and "cifar10" in err
