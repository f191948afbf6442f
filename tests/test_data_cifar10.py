"""Tests for `cnn_course.data` CIFAR-10 loading: official python/binary batches, PNG folders,
the restricted unpickler, partial-data reporting and bad input."""

from __future__ import annotations

import io
import pickle
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnn_course.data import (
    DataFormatError,
    DataNotFoundError,
    PartialDatasetWarning,
    load_cifar10,
)
from cnn_course.data import unpickle as restricted
from cnn_course.data.registry import dataset

CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


# ---------------------------------------------------------------- writers for the official formats


def py2_pickle(obj) -> bytes:
    """Pickle ``obj`` exactly as Python 2 cPickle (protocol 2) wrote the official batches:
    byte strings as ``str`` opcodes and the uint8 array through numpy's three globals."""
    out = bytearray(b"\x80\x02")

    def string(b: bytes) -> None:
        out.extend(
            b"U" + bytes([len(b)]) + b if len(b) < 256 else b"T" + struct.pack("<I", len(b)) + b
        )

    def integer(n: int) -> None:
        out.extend(b"K" + bytes([n]) if 0 <= n < 256 else b"J" + struct.pack("<i", n))

    def emit(o) -> None:
        if isinstance(o, dict):
            out.extend(b"}(")
            for k, v in o.items():
                emit(k)
                emit(v)
            out.extend(b"u")
        elif isinstance(o, list):
            out.extend(b"](")
            for v in o:
                emit(v)
            out.extend(b"e")
        elif isinstance(o, bytes):
            string(o)
        elif isinstance(o, int):
            integer(o)
        elif isinstance(o, np.ndarray):
            out.extend(b"cnumpy.core.multiarray\n_reconstruct\ncnumpy\nndarray\n")
            integer(0)
            out.extend(b"\x85")  # TUPLE1
            string(b"b")
            out.extend(b"\x87R(")  # TUPLE3, REDUCE, MARK (state)
            integer(1)
            for n in o.shape:
                integer(n)
            out.extend(b"\x86")  # TUPLE2 (shape)
            out.extend(b"cnumpy\ndtype\n")
            string(b"u1")
            integer(0)
            integer(1)
            out.extend(b"\x87R(")  # dtype state
            integer(3)
            string(b"|")
            out.extend(b"NNN")
            integer(-1)
            integer(-1)
            integer(0)
            out.extend(b"tb\x89")  # TUPLE, BUILD, NEWFALSE (not Fortran order)
            string(o.astype(np.uint8).tobytes())
            out.extend(b"tb")
        else:
            raise TypeError(type(o))

    emit(obj)
    out.extend(b".")
    return bytes(out)


def fake_split(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``n`` random images (N, 32, 32, 3) and labels (N,)."""
    rng = np.random.default_rng(seed)
    return (
        rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8),
        rng.integers(0, 10, n, dtype=np.uint8),
    )


def rows(x: np.ndarray) -> np.ndarray:
    """Official row layout: 1024 red, 1024 green, 1024 blue values per image (CHW)."""
    return x.transpose(0, 3, 1, 2).reshape(len(x), 3072)


def python_batch(x, y, label: bytes) -> bytes:
    return py2_pickle(
        {
            b"batch_label": label,
            b"labels": [int(v) for v in y],
            b"data": rows(x),
            b"filenames": [b"img_%d.png" % i for i in range(len(y))],
        }
    )


def binary_batch(x, y) -> bytes:
    return np.concatenate([y.reshape(-1, 1), rows(x)], axis=1).astype(np.uint8).tobytes()


@pytest.fixture
def official(no_data_env):
    """Two 20-record training batches and a 20-record test batch, as arrays."""
    return {
        "data_batch_1": fake_split(20, 1),
        "data_batch_2": fake_split(20, 2),
        "test_batch": fake_split(20, 3),
    }


def write_python_dir(folder: Path, batches) -> Path:
    folder.mkdir(parents=True)
    for name, (x, y) in batches.items():
        (folder / name).write_bytes(python_batch(x, y, name.encode()))
    return folder


def expect_official(arrays, batches) -> None:
    (x_train, y_train), (x_test, y_test) = arrays
    np.testing.assert_array_equal(
        x_train, np.concatenate([batches["data_batch_1"][0], batches["data_batch_2"][0]])
    )
    np.testing.assert_array_equal(
        y_train[:, 0], np.concatenate([batches["data_batch_1"][1], batches["data_batch_2"][1]])
    )
    np.testing.assert_array_equal(x_test, batches["test_batch"][0])
    np.testing.assert_array_equal(y_test[:, 0], batches["test_batch"][1])
    assert x_train.dtype == y_train.dtype == np.uint8
    assert y_train.shape == (40, 1) and y_test.shape == (20, 1)


def png_bytes(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="PNG")
    return buf.getvalue()


def write_png_tar(path: Path, members: dict[str, bytes]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def cifar(real_data_env):
    with pytest.warns(PartialDatasetWarning, match="train has 20000 of 50000"):
        return load_cifar10(return_info=True)


def test_real_shapes_and_dtypes(cifar):
    """The mirror loads as uint8 (N, 32, 32, 3) images and (N, 1) labels, like Keras."""
    ((x_train, y_train), (x_test, y_test)), _ = cifar
    assert x_train.shape == (20000, 32, 32, 3) and y_train.shape == (20000, 1)
    assert x_test.shape == (10000, 32, 32, 3) and y_test.shape == (10000, 1)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert x_test.min() == 0 and x_test.max() == 255


def test_real_class_counts(cifar):
    """Per class: 2000 training and 1000 test images, as the MANIFEST states."""
    ((_, y_train), (_, y_test)), _ = cifar
    assert np.bincount(y_train[:, 0]).tolist() == [2000] * 10
    assert np.bincount(y_test[:, 0]).tolist() == [1000] * 10


def test_real_partial_is_flagged(cifar):
    """The info record says train is partial and test complete, with the counts."""
    _, info = cifar
    assert info.partial == {"train": True, "test": False}
    assert info.is_partial
    assert info.counts == {"train": 20000, "test": 10000}
    assert info.expected == {"train": 50000, "test": 10000}


def test_real_class_order_matches_mirror(real_data_env):
    """Registry class order equals the mirror's classes.txt and official batches.meta."""
    assert list(dataset("cifar10").classes) == CLASSES
    folder = real_data_env / "cifar10"
    assert (folder / "classes.txt").read_text().split() == CLASSES
    meta = restricted.loads((folder / "batches.meta").read_bytes())
    assert [n.decode() for n in meta[b"label_names"]] == CLASSES


def test_real_second_load_uses_cache(real_data_env, cifar):
    """A second load reuses the decoded-array cache and returns identical arrays."""
    (train, _), _ = cifar
    with pytest.warns(PartialDatasetWarning):
        (again, _) = load_cifar10()
    np.testing.assert_array_equal(again[0], train[0])
    np.testing.assert_array_equal(again[1], train[1])


# ---------------------------------------------------------------- official formats


def test_fake_batches_match_real_pickle_semantics(official):
    """The test writer's pickles decode identically with plain pickle (encoding='bytes')."""
    x, y = official["test_batch"]
    batch = pickle.loads(python_batch(x, y, b"t"), encoding="bytes")
    np.testing.assert_array_equal(batch[b"data"], rows(x))
    assert batch[b"labels"] == y.tolist()


def test_python_version_folder(official, no_data_env):
    """An extracted cifar-10-batches-py/ folder loads, in batch order, CHW → HWC."""
    write_python_dir(no_data_env / "cifar-10-batches-py", official)
    with pytest.warns(PartialDatasetWarning):
        arrays, info = load_cifar10(no_data_env, return_info=True)
    expect_official(arrays, official)
    assert info.format == "python-dir" and info.partial == {"train": True, "test": True}


def test_python_version_tarball(official, no_data_env):
    """cifar-10-python.tar.gz is read without extracting it."""
    src = write_python_dir(no_data_env / "src" / "cifar-10-batches-py", official)
    with tarfile.open(no_data_env / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(src, arcname="cifar-10-batches-py")
    with pytest.warns(PartialDatasetWarning):
        arrays, info = load_cifar10(no_data_env, return_info=True)
    expect_official(arrays, official)
    assert info.format == "python-tar"


def test_binary_version_folder(official, no_data_env):
    """cifar-10-batches-bin/ (1 label byte + 3072 CHW bytes per record) loads."""
    folder = no_data_env / "cifar-10-batches-bin"
    folder.mkdir()
    for name, (x, y) in official.items():
        (folder / f"{name}.bin").write_bytes(binary_batch(x, y))
    with pytest.warns(PartialDatasetWarning):
        arrays, info = load_cifar10(no_data_env, return_info=True)
    expect_official(arrays, official)
    assert info.format == "binary-dir"


def test_env_mirror_with_keras_folder(official, no_data_env, monkeypatch):
    """Keras' own cache layout (cifar-10-batches-py-target/...) is found in the Keras cache."""
    cache = no_data_env / "keras_home" / "datasets"
    write_python_dir(cache / "cifar-10-batches-py-target" / "cifar-10-batches-py", official)
    with pytest.warns(PartialDatasetWarning):
        arrays, info = load_cifar10(return_info=True)
    expect_official(arrays, official)
    assert "Keras cache" in info.source


def test_truncated_binary_batch(official, no_data_env):
    """A binary batch that is not a whole number of records is rejected."""
    folder = no_data_env / "cifar-10-batches-bin"
    folder.mkdir()
    for name, (x, y) in official.items():
        (folder / f"{name}.bin").write_bytes(binary_batch(x, y)[:-10])
    with pytest.raises(DataFormatError, match=r"data_batch_1\.bin.*3073-byte records"):
        load_cifar10(no_data_env)


def test_pickle_payload_is_refused_and_not_run(official, no_data_env):
    """A batch carrying a code-execution payload is rejected and the payload never runs."""
    live_marker = no_data_env / "proof_payload_is_live"
    marker = no_data_env / "payload_ran"

    class Payload:
        def __init__(self, path):
            self.path = path

        def __reduce__(self):
            return (open, (str(self.path), "w"))

    # Proof that the payload works when unpickled without restrictions.
    pickle.loads(pickle.dumps(Payload(live_marker), protocol=2)).close()
    assert live_marker.exists()

    folder = write_python_dir(no_data_env / "cifar-10-batches-py", official)
    (folder / "data_batch_1").write_bytes(
        pickle.dumps({b"data": Payload(marker), b"labels": []}, protocol=2)
    )
    with pytest.raises(DataFormatError, match=r"data_batch_1.*not allowed"):
        load_cifar10(no_data_env)
    assert not marker.exists()


def test_pickle_payload_via_allowed_names_is_refused(no_data_env):
    """Even the allowed numpy globals cannot build object arrays (which could carry code)."""
    data = pickle.dumps({b"data": np.array([1, "x"], dtype=object)}, protocol=4)
    with pytest.raises(pickle.UnpicklingError, match="refusing dtype object"):
        restricted.loads(data)


def test_missing_test_batch(official, no_data_env):
    """Training batches without test_batch are not taken for CIFAR-10."""
    del official["test_batch"]
    write_python_dir(no_data_env / "cifar-10-batches-py", official)
    with pytest.raises(DataNotFoundError, match="no cifar-10-batches-py/"):
        load_cifar10(no_data_env)


def test_wrong_batch_structure(official, no_data_env):
    """A pickle without b'data'/b'labels' is rejected with what was found."""
    folder = write_python_dir(no_data_env / "cifar-10-batches-py", official)
    (folder / "test_batch").write_bytes(py2_pickle({b"pixels": [1, 2]}))
    with pytest.raises(DataFormatError, match=r"test_batch.*b'data'"):
        load_cifar10(no_data_env)


# ---------------------------------------------------------------- PNG folders


def png_members(split: str, per_class: int, seed: int) -> tuple[dict[str, bytes], np.ndarray]:
    rng = np.random.default_rng(seed)
    members, images = {}, []
    for cls in CLASSES:
        for i in range(per_class):
            pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
            members[f"{split}/{cls}/{cls}_{i:03d}.png"] = png_bytes(pixels)
            images.append(pixels)
    return members, np.stack(images)


def test_png_tars(no_data_env):
    """The mirror's PNG tar layout loads with labels from the folder names (class order)."""
    train, x_train = png_members("train", 2, 1)
    test, x_test = png_members("test", 1, 2)
    write_png_tar(no_data_env / "cifar10_train_png.tar.gz", train)
    write_png_tar(no_data_env / "cifar10_test_png.tar.gz", test)
    with pytest.warns(PartialDatasetWarning):
        ((xt, yt), (xs, _)), info = load_cifar10(no_data_env, return_info=True)
    np.testing.assert_array_equal(xt, x_train)
    np.testing.assert_array_equal(xs, x_test)
    assert yt[:, 0].tolist() == [k for k in range(10) for _ in range(2)]
    assert info.format == "png-tar"
    cached = list((no_data_env / "keras_home" / "datasets" / "cnn_course").glob("*.npz"))
    assert len(cached) == 2


def test_png_cache_corruption_is_repaired(no_data_env):
    """A corrupted decoded-array cache is detected and the PNGs are decoded again."""
    train, x_train = png_members("train", 1, 1)
    test, _ = png_members("test", 1, 2)
    write_png_tar(no_data_env / "cifar10_train_png.tar.gz", train)
    write_png_tar(no_data_env / "cifar10_test_png.tar.gz", test)
    with pytest.warns(PartialDatasetWarning):
        load_cifar10(no_data_env)
    for npz in (no_data_env / "keras_home" / "datasets" / "cnn_course").glob("*.npz"):
        npz.write_bytes(npz.read_bytes()[:-50] + b"\0" * 50)
    with pytest.warns(PartialDatasetWarning):
        (xt, _), _ = load_cifar10(no_data_env)
    np.testing.assert_array_equal(xt, x_train)


def test_png_folders(no_data_env):
    """Extracted train/<class>/*.png and test/<class>/*.png folders load."""
    for split, seed in (("train", 1), ("test", 2)):
        members, _ = png_members(split, 1, seed)
        for name, data in members.items():
            (no_data_env / name).parent.mkdir(parents=True, exist_ok=True)
            (no_data_env / name).write_bytes(data)
    with pytest.warns(PartialDatasetWarning):
        ((xt, yt), _), info = load_cifar10(no_data_env, return_info=True)
    assert xt.shape == (10, 32, 32, 3) and yt[:, 0].tolist() == list(range(10))
    assert info.format == "png-dir"


def test_wrong_folder_layout(no_data_env):
    """PNGs outside train|test/<class>/ are rejected with the expected layout named."""
    write_png_tar(
        no_data_env / "cifar10_train_png.tar.gz",
        {"images/cat_1.png": png_bytes(np.zeros((32, 32, 3), np.uint8))},
    )
    write_png_tar(no_data_env / "cifar10_test_png.tar.gz", png_members("test", 1, 2)[0])
    with pytest.raises(DataFormatError, match=r"images/cat_1\.png.*train\|test/<class>"):
        load_cifar10(no_data_env)


def test_unknown_class_folder(no_data_env):
    """A class folder that is not a CIFAR-10 class is rejected, listing the valid ones."""
    members, _ = png_members("train", 1, 1)
    members["train/unicorn/u.png"] = png_bytes(np.zeros((32, 32, 3), np.uint8))
    write_png_tar(no_data_env / "cifar10_train_png.tar.gz", members)
    write_png_tar(no_data_env / "cifar10_test_png.tar.gz", png_members("test", 1, 2)[0])
    with pytest.raises(DataFormatError, match=r"unicorn.*airplane, automobile"):
        load_cifar10(no_data_env)


def test_corrupt_tar(no_data_env):
    """A damaged archive raises DataFormatError naming it."""
    write_png_tar(no_data_env / "cifar10_test_png.tar.gz", png_members("test", 1, 2)[0])
    (no_data_env / "cifar10_train_png.tar.gz").write_bytes(b"\x1f\x8b\x08\x00garbage" * 100)
    with pytest.raises(DataFormatError, match=r"cifar10_train_png\.tar\.gz.*not a readable tar"):
        load_cifar10(no_data_env)


def test_truncated_tar(no_data_env):
    """A truncated tar.gz raises DataFormatError, not a short dataset."""
    write_png_tar(no_data_env / "cifar10_train_png.tar.gz", png_members("train", 3, 1)[0])
    write_png_tar(no_data_env / "cifar10_test_png.tar.gz", png_members("test", 1, 2)[0])
    path = no_data_env / "cifar10_train_png.tar.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(DataFormatError, match="cifar10_train_png"):
        load_cifar10(no_data_env)


def test_not_found_offline(no_data_env):
    """No CIFAR-10 anywhere and no origin: one error naming all places and the variable."""
    with pytest.raises(DataNotFoundError) as info:
        load_cifar10(no_data_env)
    message = str(info.value)
    assert "cifar-10-python.tar.gz" in message and "CNN_COURSE_DATA" in message
    assert "Keras cache" in message and "download" in message
