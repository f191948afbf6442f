"""Tests for `cnn_course.data` MNIST loading: real mirror, IDX/npz formats and bad input."""

from __future__ import annotations

import gzip
import struct
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from cnn_course.data import (
    ChecksumError,
    DataFormatError,
    DataNotFoundError,
    PartialDatasetWarning,
    idx,
    load_mnist,
)

# Per-digit counts from /work/shared/data/mnist/MANIFEST.md.
TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

NAMES = {
    "train_x": "train-images-idx3-ubyte",
    "train_y": "train-labels-idx1-ubyte",
    "test_x": "t10k-images-idx3-ubyte",
    "test_y": "t10k-labels-idx1-ubyte",
}


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """Encode a uint8 array as an IDX file (magic 0x0803 images, 0x0801 labels by default)."""
    magic = magic if magic is not None else 0x0800 | array.ndim
    return struct.pack(f">I{array.ndim}I", magic, *array.shape) + array.astype(np.uint8).tobytes()


def fake_set(seed: int = 0, n_train: int = 12, n_test: int = 5) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "train_x": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_y": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_x": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_y": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_set(folder: Path, arrays: dict[str, np.ndarray], gz: set[str] = frozenset()) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for key, array in arrays.items():
        data = idx_bytes(array)
        if key in gz:
            (folder / f"{NAMES[key]}.gz").write_bytes(gzip.compress(data))
        else:
            (folder / NAMES[key]).write_bytes(data)


def load_small(*args, **kwargs):
    """``load_mnist`` of a fixture copy, smaller than MNIST: it must warn that it is partial."""
    with pytest.warns(PartialDatasetWarning, match="partial"):
        return load_mnist(*args, **kwargs)


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def mnist_loaded(real_data_env):
    """The mirror loaded once: arrays, info, seconds taken and the warnings emitted."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        t0 = time.perf_counter()
        arrays, info = load_mnist(return_info=True)
        seconds = time.perf_counter() - t0
    return arrays, info, seconds, caught


@pytest.fixture(scope="module")
def mnist(mnist_loaded):
    arrays, _, seconds, _ = mnist_loaded
    return arrays, seconds


def test_real_shapes_and_dtypes(mnist):
    """The mirror loads with Keras' shapes and uint8 dtype."""
    ((x_train, y_train), (x_test, y_test)), _ = mnist
    assert x_train.shape == (60000, 28, 28) and y_train.shape == (60000,)
    assert x_test.shape == (10000, 28, 28) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}


def test_real_values_and_counts(mnist):
    """Pixels span 0..255, labels 0..9, per-digit counts equal the MANIFEST's."""
    ((x_train, y_train), (_, y_test)), _ = mnist
    assert x_train.min() == 0 and x_train.max() == 255
    assert abs(float(x_train.mean()) - 33.318) < 0.01  # MANIFEST sanity value
    assert np.bincount(y_train).tolist() == TRAIN_COUNTS
    assert np.bincount(y_test).tolist() == TEST_COUNTS
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]


def test_real_load_is_fast(mnist):
    """Loading the mirror (decompress, parse, verify hashes) takes seconds, not minutes."""
    _, seconds = mnist
    assert seconds < 10, f"load_mnist took {seconds:.1f} s"


def test_real_arrays_are_writable(mnist):
    """Arrays are writable like Keras' (student code may normalise them in place)."""
    ((x_train, _), _), _ = mnist
    assert x_train.flags.writeable


def test_real_mirror_is_complete_and_does_not_warn(mnist_loaded):
    """The mirror holds all of MNIST: info says complete and no PartialDatasetWarning."""
    _, info, _, caught = mnist_loaded
    assert [w for w in caught if issubclass(w.category, PartialDatasetWarning)] == []
    assert not info.is_partial
    assert info.counts == info.expected == {"train": 60000, "test": 10000}
    assert info.format == "idx" and "$CNN_COURSE_DATA" in info.source


def test_truncated_real_copy_warns_partial(real_data_env, tmp_path):
    """The first 1000 training images of the mirror (valid IDX files) plus its full test
    split load, with a PartialDatasetWarning naming only the short split, like CIFAR's."""
    real = real_data_env / "mnist" / "idx"
    copy = tmp_path / "mnist"
    copy.mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (copy / name).symlink_to(real / name)
    images, _ = idx.read(real / NAMES["train_x"], idx.IMAGES_MAGIC)
    labels, _ = idx.read(real / f"{NAMES['train_y']}.gz", idx.LABELS_MAGIC)
    write_set(copy, {"train_x": images[:1000], "train_y": labels[:1000]})
    with pytest.warns(PartialDatasetWarning) as record:
        ((x_train, y_train), (x_test, _)), info = load_mnist(copy, return_info=True)
    message = str(record[0].message)
    assert "MNIST" in message and "train has 1000 of 60000 images" in message
    assert "test has" not in message
    assert record[0].filename == __file__  # points at the caller of load_mnist
    assert info.partial == {"train": True, "test": False}
    assert x_train.shape == (1000, 28, 28) and len(x_test) == 10000
    np.testing.assert_array_equal(y_train, labels[:1000])


# ---------------------------------------------------------------- formats and lookup


def test_gzipped_and_plain_idx_load_alike(no_data_env):
    """The same IDX content loads identically whether each file is gzipped or not."""
    arrays = fake_set()
    write_set(no_data_env / "plain", arrays)
    write_set(no_data_env / "gz", arrays, gz=set(NAMES))
    plain, gz = load_small(no_data_env / "plain"), load_small(no_data_env / "gz")
    for a, b in zip(plain, gz, strict=True):
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(plain[0][0], arrays["train_x"])
    np.testing.assert_array_equal(plain[1][1], arrays["test_y"])


def test_data_dir_mirror_layout(no_data_env):
    """A data_dir laid out as a mirror (<root>/mnist/idx/...) is found."""
    arrays = fake_set()
    write_set(no_data_env / "root" / "mnist" / "idx", arrays, gz={"train_y", "test_x"})
    (_, y_train), _ = load_small(no_data_env / "root")
    np.testing.assert_array_equal(y_train, arrays["train_y"])


def test_env_mirror_is_used(no_data_env, monkeypatch):
    """With no data_dir, $CNN_COURSE_DATA is searched in the mirror layout."""
    arrays = fake_set(seed=3)
    write_set(no_data_env / "mirror" / "mnist" / "idx", arrays)
    monkeypatch.setenv("CNN_COURSE_DATA", str(no_data_env / "mirror"))
    (x_train, _), _ = load_small()
    np.testing.assert_array_equal(x_train, arrays["train_x"])


def test_data_dir_wins_over_env(no_data_env, monkeypatch):
    """An explicit data_dir is searched before $CNN_COURSE_DATA."""
    write_set(no_data_env / "mirror" / "mnist" / "idx", fake_set(seed=1))
    mine = fake_set(seed=2)
    write_set(no_data_env / "mine", mine)
    monkeypatch.setenv("CNN_COURSE_DATA", str(no_data_env / "mirror"))
    (x_train, _), _ = load_small(no_data_env / "mine")
    np.testing.assert_array_equal(x_train, mine["train_x"])


def test_small_copy_warns_for_every_short_split(no_data_env):
    """A structurally valid copy smaller than MNIST (12 + 5 images) warns, naming both splits,
    and ``return_info`` reports it as partial."""
    write_set(no_data_env, fake_set())
    with pytest.warns(PartialDatasetWarning, match="train has 12 of 60000 images; test has 5"):
        _, info = load_mnist(no_data_env, return_info=True)
    assert info.partial == {"train": True, "test": True} and info.counts == {"train": 12, "test": 5}
    assert info.format == "idx" and "data_dir" in info.source


def test_keras_npz_in_data_dir(no_data_env):
    """A Keras-style mnist.npz is read (preferred over IDX files in the same folder)."""
    arrays = fake_set(seed=4)
    np.savez(
        no_data_env / "mnist.npz",
        x_train=arrays["train_x"],
        y_train=arrays["train_y"],
        x_test=arrays["test_x"],
        y_test=arrays["test_y"],
    )
    write_set(no_data_env, fake_set(seed=5))
    (x_train, _), (_, y_test) = load_small(no_data_env)
    np.testing.assert_array_equal(x_train, arrays["train_x"])
    np.testing.assert_array_equal(y_test, arrays["test_y"])


# ---------------------------------------------------------------- bad input


def test_truncated_gz_is_rejected(no_data_env):
    """A truncated .gz file raises DataFormatError naming it."""
    write_set(no_data_env, fake_set(), gz={"test_x"})
    gz = no_data_env / "t10k-images-idx3-ubyte.gz"
    gz.write_bytes(gz.read_bytes()[:-40])
    with pytest.raises(DataFormatError, match=r"t10k-images-idx3-ubyte\.gz.*truncated"):
        load_mnist(no_data_env)


def test_wrong_magic_is_rejected(no_data_env):
    """An images file carrying the labels magic (2049) is rejected with expected vs got."""
    arrays = fake_set()
    write_set(no_data_env, arrays)
    (no_data_env / NAMES["train_x"]).write_bytes(idx_bytes(arrays["train_x"], magic=2049))
    with pytest.raises(DataFormatError, match=r"magic number 2049.*expected 2051"):
        load_mnist(no_data_env)


def test_wrong_dtype_byte_is_rejected(no_data_env):
    """An IDX file whose dtype byte is not 0x08 (uint8) is rejected."""
    arrays = fake_set()
    write_set(no_data_env, arrays)
    (no_data_env / NAMES["test_y"]).write_bytes(idx_bytes(arrays["test_y"], magic=0x0D01))
    with pytest.raises(DataFormatError, match="expected 2049"):
        load_mnist(no_data_env)


def test_length_not_matching_header_is_rejected(no_data_env):
    """A file shorter than its header declares raises, never yields a short array."""
    write_set(no_data_env, fake_set())
    path = no_data_env / NAMES["train_x"]
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataFormatError, match=r"header declares shape \(12, 28, 28\).*truncated"):
        load_mnist(no_data_env)


def test_trailing_bytes_are_rejected(no_data_env):
    """A file longer than its header declares (mislabelled count) raises too."""
    write_set(no_data_env, fake_set())
    path = no_data_env / NAMES["test_y"]
    path.write_bytes(path.read_bytes() + b"\x00")
    with pytest.raises(DataFormatError, match="mislabelled"):
        load_mnist(no_data_env)


def test_image_label_count_mismatch_is_rejected(no_data_env):
    """Images and labels of one split must agree in number."""
    arrays = fake_set()
    arrays["train_y"] = arrays["train_y"][:-1]
    write_set(no_data_env, arrays)
    with pytest.raises(DataFormatError, match=r"12 images but .* 11 labels"):
        load_mnist(no_data_env)


def test_official_size_with_wrong_content_fails_hash(no_data_env):
    """A file with the official size but other content fails the registry SHA-256."""
    arrays = fake_set()
    arrays["test_y"] = np.zeros(10000, np.uint8)  # 10008 bytes: the official size
    arrays["test_x"] = np.zeros((10000, 28, 28), np.uint8)
    write_set(no_data_env, arrays, gz={"test_x"})
    with pytest.raises(ChecksumError, match=r"expected [0-9a-f]{64}, got [0-9a-f]{64}"):
        load_mnist(no_data_env)


def test_missing_file_is_reported(no_data_env):
    """With one IDX file missing, the error names it and every place looked at."""
    write_set(no_data_env, fake_set())
    (no_data_env / NAMES["test_y"]).unlink()
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(no_data_env)
    message = str(info.value)
    assert "missing t10k-labels-idx1-ubyte" in message
    assert "CNN_COURSE_DATA" in message


def test_offline_error_lists_every_place(no_data_env):
    """No data anywhere and an unreachable origin give one error listing all places."""
    with pytest.raises(DataNotFoundError) as info:
        load_mnist(no_data_env / "nowhere")
    message = str(info.value)
    for expected in (
        "data_dir",
        "nowhere",
        "$CNN_COURSE_DATA: not set",
        "Keras cache",
        str(no_data_env / "keras_home" / "datasets"),
        "download",
        "mnist.npz",
        "Set CNN_COURSE_DATA",
    ):
        assert expected in message, f"{expected!r} missing from:\n{message}"


def test_offline_switch_skips_download(no_data_env, monkeypatch):
    """$CNN_COURSE_OFFLINE=1 fails without attempting a download, and says so."""
    monkeypatch.setenv("CNN_COURSE_OFFLINE", "1")
    with pytest.raises(DataNotFoundError, match="disabled by \\$CNN_COURSE_OFFLINE"):
        load_mnist()


def test_corrupted_cached_npz_is_not_trusted(no_data_env):
    """A corrupted mnist.npz in the Keras cache is detected and a fresh download tried."""
    cache = no_data_env / "keras_home" / "datasets"
    cache.mkdir(parents=True)
    arrays = fake_set()
    np.savez(
        cache / "mnist.npz",
        x_train=arrays["train_x"],
        y_train=arrays["train_y"],
        x_test=arrays["test_x"],
        y_test=arrays["test_y"],
    )
    with pytest.raises(DataNotFoundError, match=r"cached mnist\.npz is corrupted"):
        load_mnist()
