"""Tests for `cnn_course.data` natural scenes: Kaggle layout, tar extraction, class-balanced
subsets, tf.data batches and pre-validation of folders and files."""

from __future__ import annotations

import sys
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cnn_course.data import (
    DataFormatError,
    DataNotFoundError,
    PartialDatasetWarning,
    load_natural_scenes,
    scenes,
)

CLASSES = ["buildings", "forest", "glacier", "mountain", "sea", "street"]


def write_kaggle(
    root: Path, per_class: dict[str, int], seed: int = 0, odd_size: tuple[int, int] | None = None
) -> Path:
    """A small Kaggle layout: seg_train/seg_train/<class>/<id>.jpg and seg_test/seg_test/..."""
    rng = np.random.default_rng(seed)
    for split, n in per_class.items():
        for cls in CLASSES:
            folder = root / split / split / cls
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(n):
                size = odd_size if (odd_size and i == 0) else (150, 150)
                pixels = rng.integers(0, 256, (size[1], size[0], 3), dtype=np.uint8)
                Image.fromarray(pixels).save(folder / f"{i}.jpg", quality=80)
    return root


def write_tars(src: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    for split in ("seg_train", "seg_test"):
        with tarfile.open(dest / f"{split}.tar", "w") as tar:
            tar.add(src / split, arcname=split)


# ---------------------------------------------------------------- real data


@pytest.fixture(scope="module")
def real_found(real_data_env):
    found = scenes.find()
    roots = dict(zip(scenes.SPLITS, scenes.split_roots(found), strict=True))
    return found, roots


def test_real_class_counts(real_found):
    """The mirror has 270 train and 135 test images per class, all readable images."""
    _, roots = real_found
    train, test = scenes.image_files(roots["train"]), scenes.image_files(roots["test"])
    assert {c: len(v) for c, v in train.items()} == dict.fromkeys(CLASSES, 270)
    assert {c: len(v) for c, v in test.items()} == dict.fromkeys(CLASSES, 135)


def test_real_tars_extracted_once(real_found, real_data_env):
    """The mirror's tars are extracted into the (private) Keras cache, keyed by SHA-256."""
    found, roots = real_found
    assert found.format == "tar"
    extracted = roots["train"].parents[1]
    assert extracted.parent.name == "natural_scenes"
    assert extracted.name == (
        "seg_train-024f164d9654c21676438ea4ffb5fadfbe0b9a85da0a86c8c3a132fb2dafdfc6"
    )
    again = scenes.split_roots(scenes.find())
    assert again[0] == roots["train"]


def test_real_pipeline_batches(real_data_env):
    """A small subset yields batches of the requested size and image size, labels 0..5."""
    with pytest.warns(PartialDatasetWarning, match="train has 1620 of 14034"):
        (train, val, test), info = load_natural_scenes(
            image_size=(64, 64),
            batch_size=4,
            validation_split=0.25,
            limit_per_class=4,
            return_info=True,
        )
    x, y = next(iter(train))
    assert tuple(x.shape) == (4, 64, 64, 3) and x.dtype.name == "float32"
    assert tuple(y.shape) == (4,)
    labels = np.concatenate([b[1].numpy() for b in test])
    assert np.bincount(labels).tolist() == [4] * 6
    n_train = sum(len(b[1]) for b in train)
    n_val = sum(len(b[1]) for b in val)
    assert n_train + n_val == 24 and n_val == 6
    assert info.counts == {"train": 1620, "test": 810}
    assert info.partial == {"train": True, "test": True}


# ---------------------------------------------------------------- behaviour on small fakes


def test_odd_sized_images_are_resized_not_dropped(no_data_env):
    """A 150x113 JPEG (as in the real data) is resized to image_size and kept."""
    root = write_kaggle(
        no_data_env / "kaggle", {"seg_train": 2, "seg_test": 1}, odd_size=(150, 113)
    )
    with pytest.warns(PartialDatasetWarning):
        train, val, test = load_natural_scenes(data_dir=root, batch_size=64, validation_split=None)
    assert val is None
    images = [x for x, _ in train]
    assert sum(len(x) for x in images) == 12
    assert all(tuple(x.shape[1:]) == (150, 150, 3) for x in images)
    assert sum(len(y) for _, y in test) == 6


def test_class_order_is_fixed(no_data_env):
    """Labels follow the registry order (buildings=0 … street=5) on an unshuffled split."""
    root = write_kaggle(no_data_env / "kaggle", {"seg_train": 1, "seg_test": 2})
    with pytest.warns(PartialDatasetWarning):
        _, _, test = load_natural_scenes(data_dir=root, batch_size=100, validation_split=None)
    ((_, y),) = list(test)
    assert y.numpy().tolist() == [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5]


def test_limit_per_class_is_deterministic_and_balanced(no_data_env):
    """The same seed picks the same files; each class gets limit_per_class of them."""
    root = write_kaggle(no_data_env / "kaggle", {"seg_train": 6, "seg_test": 3})
    train_root, _ = scenes.split_roots(scenes.find(root))
    files = scenes.image_files(train_root)
    picks = [scenes._subset(train_root, files, 2, seed, "train") for seed in (0, 0, 1)]
    listing = [sorted(str(p.relative_to(d)) for p in d.rglob("*.jpg")) for d in picks]
    assert listing[0] == listing[1] and picks[0] == picks[1]
    assert listing[0] != listing[2]
    assert all(len(list((picks[0] / c).iterdir())) == 2 for c in CLASSES)


def test_tar_layout_is_extracted_atomically(no_data_env):
    """seg_train.tar/seg_test.tar are extracted once into the Keras cache, leaving no temp
    folders behind."""
    src = write_kaggle(no_data_env / "src", {"seg_train": 1, "seg_test": 1})
    write_tars(src, no_data_env / "mirror" / "intel_scenes")
    found = scenes.find(no_data_env / "mirror")
    assert found.format == "tar"
    train_root, test_root = scenes.split_roots(found)
    area = no_data_env / "keras_home" / "datasets" / "cnn_course" / "natural_scenes"
    assert sorted(p.name.split("-")[0] for p in area.iterdir()) == ["seg_test", "seg_train"]
    assert train_root.is_relative_to(area)
    assert scenes.split_roots(found) == (train_root, test_root)


def test_corrupt_tar(no_data_env):
    """A damaged seg_train.tar raises DataFormatError naming it, and leaves no extraction."""
    src = write_kaggle(no_data_env / "src", {"seg_train": 1, "seg_test": 1})
    write_tars(src, no_data_env / "mirror")
    tar = no_data_env / "mirror" / "seg_train.tar"
    tar.write_bytes(b"not a tar" * 200)
    with pytest.raises(DataFormatError, match=r"seg_train\.tar"):
        load_natural_scenes(data_dir=no_data_env / "mirror")
    area = no_data_env / "keras_home" / "datasets" / "cnn_course" / "natural_scenes"
    assert not any(p.name.startswith("seg_train") for p in area.iterdir())


def test_empty_class_folder(no_data_env):
    """An empty class folder is reported by path before any TensorFlow work."""
    root = write_kaggle(no_data_env / "kaggle", {"seg_train": 1, "seg_test": 1})
    for f in (root / "seg_train" / "seg_train" / "glacier").iterdir():
        f.unlink()
    with pytest.raises(DataFormatError, match=r"seg_train/glacier is empty"):
        load_natural_scenes(data_dir=root)


def test_file_that_is_not_an_image(no_data_env):
    """A .jpg that is not an image is reported by name (not a TF crash mid-epoch)."""
    root = write_kaggle(no_data_env / "kaggle", {"seg_train": 1, "seg_test": 1})
    bad = root / "seg_test" / "seg_test" / "sea" / "broken.jpg"
    bad.write_text("this is not a JPEG")
    with pytest.raises(DataFormatError, match=r"sea/broken\.jpg is not an image"):
        load_natural_scenes(data_dir=root)


def test_wrong_class_folders(no_data_env):
    """Class folders other than the six expected ones are rejected, listing both sets."""
    root = write_kaggle(no_data_env / "kaggle", {"seg_train": 1, "seg_test": 1})
    (root / "seg_train" / "seg_train" / "street").rename(root / "seg_train" / "seg_train" / "road")
    with pytest.raises(DataFormatError, match=r"'road'.*expected exactly"):
        load_natural_scenes(data_dir=root)


def test_only_one_split(no_data_env):
    """A folder with seg_train but no seg_test does not count as the dataset."""
    root = write_kaggle(no_data_env / "kaggle", {"seg_train": 1})
    with pytest.raises(DataNotFoundError, match="only one of the two splits"):
        load_natural_scenes(data_dir=root)


def test_no_kagglehub_gives_instructions(no_data_env, monkeypatch):
    """Without data and without kagglehub, the error says how to get the data and where."""
    monkeypatch.setitem(sys.modules, "kagglehub", None)  # makes `import kagglehub` fail
    with pytest.raises(DataNotFoundError) as info:
        load_natural_scenes(data_dir=no_data_env)
    message = str(info.value)
    assert "pip install kagglehub" in message
    assert "puneet6060/intel-image-classification" in message
    assert "$CNN_COURSE_DATA/intel_scenes/" in message


def test_kagglehub_download_path(no_data_env, monkeypatch):
    """When kagglehub is importable, its downloaded folder is used."""
    root = write_kaggle(no_data_env / "kaggle", {"seg_train": 1, "seg_test": 1})

    class FakeKagglehub:
        @staticmethod
        def dataset_download(handle):
            assert handle == "puneet6060/intel-image-classification"
            return str(root)

    monkeypatch.setitem(sys.modules, "kagglehub", FakeKagglehub)
    found = scenes.find()
    assert found.place == "download" and found.paths[0] == root / "seg_train" / "seg_train"


def test_main_fetch_natural_scenes(no_data_env, monkeypatch, capsys):
    """`main_fetch("natural_scenes")` downloads through kagglehub and prints the folder."""
    from cnn_course.data import main_fetch

    class FakeKagglehub:
        @staticmethod
        def dataset_download(handle):
            return str(no_data_env / "kaggle")

    monkeypatch.setitem(sys.modules, "kagglehub", FakeKagglehub)
    assert main_fetch("natural_scenes") == 0
    assert capsys.readouterr().out.strip() == str(no_data_env / "kaggle")


@pytest.mark.parametrize("with_filter", [True, False], ids=["data-filter", "no-filter"])
def test_tar_escaping_member_is_refused(no_data_env, monkeypatch, with_filter):
    """A tar member pointing outside the extraction folder is refused (with and without the
    tarfile `data` filter of Python >= 3.11.4) and nothing is written outside."""
    import io

    if not with_filter:
        monkeypatch.delattr(tarfile, "data_filter")
    src = write_kaggle(no_data_env / "src", {"seg_train": 1, "seg_test": 1})
    write_tars(src, no_data_env / "mirror")
    with tarfile.open(no_data_env / "mirror" / "seg_train.tar", "a") as tar:
        info = tarfile.TarInfo("../../../../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(DataFormatError, match=r"seg_train\.tar"):
        scenes.split_roots(scenes.find(no_data_env / "mirror"))
    assert not list(no_data_env.rglob("escaped.txt"))
