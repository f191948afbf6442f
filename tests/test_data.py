"""Tests for `cnn_course.data`: the registry, balanced subsets, `verify` and the package API."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cnn_course.data as data
from cnn_course.data import balanced_indices, balanced_subset, format_table, main_verify, verify
from cnn_course.data.registry import dataset, dataset_names

SRC = Path(data.__file__).parent

# ---------------------------------------------------------------- registry


def test_registry_declares_the_three_datasets():
    """The registry declares mnist, cifar10 and natural_scenes with citation and licence."""
    assert dataset_names() == ["mnist", "cifar10", "natural_scenes"]
    for name in dataset_names():
        ds = dataset(name)
        assert ds.citation and ds.licence and ds.homepage and ds.classes


def test_registry_files_are_complete():
    """Every declared file has a name, a 64-hex SHA-256 and a size; names are unique."""
    names = []
    for name in dataset_names():
        for f in dataset(name).files:
            names.append(f.name)
            assert re.fullmatch(r"[0-9a-f]{64}", f.sha256 or ""), f.name
            assert isinstance(f.size, int) and f.size > 0, f.name
            assert f.hash_of in ("file", "content")
    assert len(names) == len(set(names))


def test_known_remote_files():
    """The Keras origins and hashes are the ones keras.datasets uses."""
    npz = dataset("mnist").file("mnist.npz")
    assert npz.url == "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz"
    assert npz.sha256.startswith("731c5ac6") and npz.size == 11490434
    tgz = dataset("cifar10").file("cifar-10-python.tar.gz")
    assert tgz.url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert tgz.sha256.startswith("6d958be0") and tgz.size == 170498071
    assert dataset("natural_scenes").kaggle == "puneet6060/intel-image-classification"


def test_no_hash_in_python_code():
    """Hashes live only in the registry: no 64-hex literal appears in the package source."""
    for path in SRC.glob("*.py"):
        assert not re.search(r"[0-9a-f]{64}", path.read_text()), path


def test_mirror_files_exist_with_declared_sizes(data_root):
    """Every mirror path in the registry exists in $CNN_COURSE_DATA (sizes as declared for
    plain files)."""
    for name in dataset_names():
        for f in dataset(name).files:
            if f.mirror:
                path = data_root / f.mirror
                assert path.is_file(), path
                if f.hash_of == "file" or not path.name.endswith(".gz"):
                    assert path.stat().st_size == f.size, path


# ---------------------------------------------------------------- balanced subsets


def labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def test_subset_zero_or_none_means_all():
    """limit 0 or None returns everything, in the original order."""
    x = np.arange(30)
    y = labels([10, 10, 10])
    for limit in (None, 0):
        xs, ys = balanced_subset(x, y, limit)
        np.testing.assert_array_equal(xs, x)
        np.testing.assert_array_equal(ys, y)


def test_subset_same_seed_same_indices():
    """The same seed gives the same indices; another seed gives others."""
    y = labels([50, 50, 50, 50])
    a, b = balanced_indices(y, 20, seed=7), balanced_indices(y, 20, seed=7)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, balanced_indices(y, 20, seed=8))


def test_subset_limit_per_class():
    """limit_per_class takes that many of each class (all of a smaller class)."""
    y = labels([5, 20, 20])
    idx = balanced_indices(y, limit_per_class=8)
    assert np.bincount(y[idx]).tolist() == [5, 8, 8]


def test_subset_accepts_keras_label_shapes():
    """(N, 1) labels (Keras CIFAR) and one-hot labels work like (N,)."""
    y = labels([6, 6, 6])
    base = balanced_indices(y, 9, seed=1)
    np.testing.assert_array_equal(balanced_indices(y.reshape(-1, 1), 9, seed=1), base)
    np.testing.assert_array_equal(balanced_indices(np.eye(3)[y], 9, seed=1), base)


def test_subset_rejects_both_limits():
    """Giving both limit and limit_per_class is an error."""
    with pytest.raises(ValueError, match="not both"):
        balanced_indices(labels([3, 3]), limit=2, limit_per_class=1)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(1, 40), min_size=2, max_size=10),
    limit=st.integers(1, 300),
    seed=st.integers(0, 2**32 - 1),
)
def test_subset_is_balanced(counts, limit, seed):
    """Total is min(limit, N); classes with room differ by at most one; no repeats."""
    y = labels(counts)
    idx = balanced_indices(y, limit, seed=seed)
    assert len(idx) == min(limit, len(y)) == len(set(idx.tolist()))
    per = np.bincount(y[idx], minlength=len(counts))
    unsaturated = per[per < np.array(counts)]
    if unsaturated.size:
        assert per.max() - unsaturated.min() <= 1


# ---------------------------------------------------------------- verify


def test_verify_real_mirror(real_data_env, capsys):
    """verify() finds all three datasets in the mirror, every hash ok, counts as declared."""
    rows = {r.dataset: r for r in verify()}
    assert rows["mnist"].status == "complete"
    assert rows["mnist"].counts == {"train": 60000, "test": 10000}
    assert rows["cifar10"].status == "partial"
    assert rows["cifar10"].counts == {"train": 20000, "test": 10000}
    assert rows["natural_scenes"].status == "partial"
    assert rows["natural_scenes"].counts == {"train": 1620, "test": 810}
    for row in rows.values():
        assert row.files and all(f.status == "ok" for f in row.files), row.files
        assert row.where.endswith(", via $CNN_COURSE_DATA)"), row.where
    assert f"{real_data_env / 'mnist' / 'idx'}/{{train-images-idx3-ubyte" in rows["mnist"].where
    assert {f.name for f in rows["cifar10"].files} >= {"batches.meta", "classes.txt"}
    assert main_verify(None) == 0
    out = capsys.readouterr().out
    assert "mnist" in out and "complete" in out and "20000/50000" in out


def test_verify_reports_bad_hash_and_missing(real_data_env, tmp_path, monkeypatch, capsys):
    """A mirror file with the wrong content is 'bad', an absent dataset 'missing', exit 1."""
    # The session's private Keras cache is kept: it already holds the decoded PNGs.
    monkeypatch.delenv("CNN_COURSE_DATA")
    bad = tmp_path / "mirror"
    (bad / "cifar10").mkdir(parents=True)
    src = real_data_env / "cifar10"
    for name in ("cifar10_train_png.tar.gz", "cifar10_test_png.tar.gz", "batches.meta"):
        (bad / "cifar10" / name).symlink_to(src / name)
    (bad / "cifar10" / "classes.txt").write_text("cat\ndog\n")
    rows = {r.dataset: r for r in verify(bad)}
    assert rows["mnist"].status == "missing"
    assert rows["cifar10"].status == "bad"
    checks = {f.name: f.status for f in rows["cifar10"].files}
    assert checks["classes.txt"] == "bad" and checks["batches.meta"] == "ok"
    table = format_table(list(rows.values()))
    assert "sha256 bad" in table and "expected 2ce042b1" in table
    assert main_verify(bad) == 1


def test_loaders_share_one_interface():
    """verify drives every loader module through one interface and one Found record,
    with no per-dataset branches."""
    locate = importlib.import_module("cnn_course.data.locate")
    verify_module = importlib.import_module("cnn_course.data.verify")
    assert list(verify_module.LOADERS) == dataset_names()
    for name, module in verify_module.LOADERS.items():
        assert name == module.NAME
        assert module.Found is locate.Found
        for attr in ("probe", "find", "counts", "fetch"):
            assert callable(getattr(module, attr)), (name, attr)
    source = (SRC / "verify.py").read_text()
    for name in dataset_names():
        assert f'"{name}"' not in source, name


def test_found_source_names_the_folder_once(tmp_path):
    """Found.source lists one path as is, and several files of one folder as folder/{a, b}."""
    from cnn_course.data.locate import Found

    one = Found("npz", (tmp_path / "mnist.npz",), "data_dir")
    assert one.source == f"{tmp_path / 'mnist.npz'} (npz, via data_dir)"
    two = Found("idx", (tmp_path / "a", tmp_path / "b"), "Keras cache")
    assert two.source == f"{tmp_path}/{{a, b}} (idx, via Keras cache)"
    apart = Found("tar", (tmp_path / "x" / "a", tmp_path / "y" / "b"), "download")
    assert apart.source == f"{tmp_path / 'x' / 'a'}, {tmp_path / 'y' / 'b'} (tar, via download)"


def test_public_api():
    """The package re-exports the loaders, helpers and error types."""
    for name in (
        "load_mnist",
        "load_cifar10",
        "load_natural_scenes",
        "balanced_subset",
        "verify",
        "fetch",
        "format_table",
        "main_verify",
        "main_fetch",
        "DataNotFoundError",
        "PartialDatasetWarning",
        "ChecksumError",
    ):
        assert hasattr(data, name), name
    assert issubclass(data.DataNotFoundError, FileNotFoundError)


def test_import_does_not_load_tensorflow():
    """Importing cnn_course.data (and loading MNIST) does not import TensorFlow."""
    import subprocess
    import sys

    code = "import sys, cnn_course.data; print('tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
