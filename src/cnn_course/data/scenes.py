"""Natural scenes (Intel Image Classification, Kaggle layout) as ``tf.data`` pipelines."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from cnn_course.data import archive
from cnn_course.data import fetch as _fetch
from cnn_course.data.errors import ChecksumError, DataFormatError, DownloadError
from cnn_course.data.info import make_info, warn_if_partial
from cnn_course.data.locate import Found, Place, Search
from cnn_course.data.registry import dataset

NAME = "natural_scenes"
SPLITS = {"train": "seg_train", "test": "seg_test"}
# The extensions image_dataset_from_directory reads; other files are ignored by it.
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_IMAGE_FORMATS = {"JPEG", "PNG", "GIF", "BMP"}

SplitFiles = dict[str, dict[str, list[Path]]]  # split → class → image files


def _class_root(base: Path, split_dir: str) -> Path | None:
    """The folder holding the class folders: Kaggle nests ``seg_train/seg_train/<class>``."""
    classes = dataset(NAME).classes
    for cand in (base / split_dir / split_dir, base / split_dir):
        if cand.is_dir() and any((cand / c).is_dir() for c in classes):
            return cand
    return None


def probe(place: Place, d: Path) -> Found | str:
    """Whether ``d`` holds the scenes as Kaggle folders or the two tars, else why not.

    Formats: ``dir`` (paths: the train and test folders holding ``<class>/``) or
    ``tar`` (paths: ``seg_train.tar``, ``seg_test.tar``, extracted on first use).
    """
    roots = [_class_root(d, s) for s in SPLITS.values()]
    if all(roots):
        return Found("dir", (roots[0], roots[1]), place.label)
    tars = [d / f"{s}.tar" for s in SPLITS.values()]
    if all(t.is_file() for t in tars):
        return Found("tar", (tars[0], tars[1]), place.label)
    if any(roots) or any(t.is_file() for t in tars):
        return "only one of the two splits (seg_train, seg_test)"
    return "no seg_train/seg_train/<class>/ folders and no seg_train.tar + seg_test.tar"


def fetch(*, progress: bool = True) -> Path:
    """Download (or reuse kagglehub's cached copy of) the Kaggle dataset; return its folder.

    ``progress`` is accepted for the loaders' common interface; kagglehub shows its own.
    """
    ds = dataset(NAME)
    try:
        import kagglehub  # optional: only this download path needs it
    except ImportError:
        raise DownloadError(
            f"kagglehub is not installed (pip install kagglehub), so Kaggle dataset "
            f"{ds.kaggle} cannot be downloaded. Or download it from {ds.homepage} and put "
            f"seg_train/ and seg_test/ (or seg_train.tar and seg_test.tar) in "
            f"$CNN_COURSE_DATA/{ds.mirror_dir}/."
        ) from None
    try:
        path = Path(kagglehub.dataset_download(ds.kaggle))
    except Exception as exc:  # kagglehub raises many types (auth, HTTP, network)
        raise DownloadError(f"kagglehub could not download {ds.kaggle}: {exc}.") from exc
    return path


def _kaggle_found() -> Found:
    path = fetch()
    found = probe(Place("download", None), path)
    if isinstance(found, str):
        raise DownloadError(f"kagglehub returned {path}, which has {found}.")
    return found


def find(data_dir: Path | str | None = None, *, download: bool = True) -> Found:
    """Locate the scenes following the lookup order; download with kagglehub last."""
    return Search(dataset(NAME), data_dir).run(probe, _kaggle_found if download else None)


def _extract(tar: Path) -> Path:
    """Extract ``tar`` once into the Keras cache, keyed (and checked) by its SHA-256."""
    digest = _fetch.sha256_file(tar)
    spec = dataset(NAME).find(tar.name)
    if spec and spec.sha256 and spec.size == tar.stat().st_size and digest != spec.sha256:
        raise ChecksumError(tar, spec.sha256, digest)
    dest = archive.work_dir() / "natural_scenes" / f"{tar.stem}-{digest}"
    archive.atomic_dir(dest, lambda tmp: archive.extract(tar, tmp))
    return dest


def split_roots(found: Found) -> tuple[Path, Path]:
    """Folders holding ``<class>/`` for train and test (extracting tars when needed)."""
    if found.format == "dir":
        return found.paths[0], found.paths[1]
    roots = []
    for tar, split_dir in zip(found.paths, SPLITS.values(), strict=True):
        root = _class_root(_extract(tar), split_dir)
        if root is None:
            raise DataFormatError(
                f"{tar} does not hold {split_dir}/{split_dir}/<class>/ folders "
                "(expected the Kaggle layout)."
            )
        roots.append(root)
    return roots[0], roots[1]


def image_files(root: Path) -> dict[str, list[Path]]:
    """``class → sorted image files`` after checking layout and every file's content.

    Checking here, up front, turns what would be an opaque TensorFlow error in the
    middle of an epoch into one message naming the folder or file.
    """
    classes = dataset(NAME).classes
    present = sorted(p.name for p in root.iterdir() if p.is_dir())
    if sorted(classes) != present:
        raise DataFormatError(
            f"{root} has class folders {present}, expected exactly {sorted(classes)}."
        )
    out = {}
    for name in classes:
        files = sorted(
            p
            for p in (root / name).iterdir()
            if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS
        )
        if not files:
            raise DataFormatError(
                f"Class folder {root / name} is empty: expected {', '.join(IMAGE_EXTENSIONS)} "
                "images, found none."
            )
        for f in files:
            _check_image(f)
        out[name] = files
    return out


def _split_files(found: Found) -> tuple[dict[str, Path], SplitFiles]:
    """Each split's ``<class>/`` folder and its checked image files."""
    roots = dict(zip(SPLITS, split_roots(found), strict=True))
    return roots, {split: image_files(root) for split, root in roots.items()}


def _counts(files: SplitFiles) -> dict[str, int]:
    return {split: sum(map(len, by_class.values())) for split, by_class in files.items()}


def counts(found: Found) -> dict[str, int]:
    """Images per split of a located copy, after checking layout and every image."""
    return _counts(_split_files(found)[1])


def _check_image(path: Path) -> None:
    try:
        with Image.open(path) as img:
            fmt = img.format
    except (UnidentifiedImageError, OSError) as exc:
        raise DataFormatError(f"{path} is not an image (could not decode it): {exc}.") from exc
    if fmt not in _IMAGE_FORMATS:
        raise DataFormatError(
            f"{path} is a {fmt} image; TensorFlow reads only {', '.join(sorted(_IMAGE_FORMATS))}."
        )


def _subset(root: Path, files: dict[str, list[Path]], limit: int, seed: int, split: str) -> Path:
    """A folder of symlinks to at most ``limit`` images per class, chosen by ``seed``."""
    classes = dataset(NAME).classes
    split_no = list(SPLITS).index(split)
    chosen = {}
    for k, name in enumerate(classes):
        pool = files[name]
        # One generator per (seed, split, class): a class's pick ignores the others.
        rng = np.random.default_rng([seed, split_no, k])
        take = np.sort(rng.permutation(len(pool))[: min(limit, len(pool))])
        chosen[name] = [pool[i] for i in take]
    key = hashlib.sha256(
        json.dumps(
            {
                "root": str(root.resolve()),
                "limit": limit,
                "seed": seed,
                "files": {c: [p.name for p in v] for c, v in chosen.items()},
            },
            sort_keys=True,
        ).encode()
    ).hexdigest()[:20]
    dest = archive.work_dir() / "natural_scenes" / "subsets" / f"{split}-{key}"

    def build(tmp: Path) -> None:
        for name, picked in chosen.items():
            (tmp / name).mkdir()
            for src in picked:
                try:
                    os.symlink(src.resolve(), tmp / name / src.name)
                except OSError:  # no symlinks (some Windows setups): copy instead
                    shutil.copy2(src, tmp / name / src.name)

    return archive.atomic_dir(dest, build)


def load_natural_scenes(
    image_size: tuple[int, int] = (150, 150),
    batch_size: int = 32,
    validation_split: float | None = 0.2,
    seed: int = 0,
    limit_per_class: int | None = None,
    data_dir: Path | str | None = None,
    *,
    return_info: bool = False,
):
    """``(train_ds, val_ds, test_ds)``: batched ``tf.data`` datasets of ``(images, labels)``.

    Images are float32 ``(batch, *image_size, 3)`` in 0..255 (every image is resized,
    so the few non-150x150 originals are kept); labels are int32 in the class order
    of the registry (buildings, forest, glacier, mountain, sea, street). ``val_ds``
    is carved from the training folder with ``validation_split`` and ``seed`` (``None``
    when the split is 0). ``limit_per_class`` keeps a seeded, class-balanced subset
    of each split. With ``return_info=True`` returns ``(datasets, info)``.
    """
    ds_spec = dataset(NAME)
    found = find(data_dir)
    roots, files = _split_files(found)
    info = make_info(NAME, found, _counts(files))
    warn_if_partial(info)
    if limit_per_class:
        roots = {s: _subset(roots[s], files[s], limit_per_class, seed, s) for s in roots}

    import keras  # imported here: loading Keras/TensorFlow is slow and only this loader needs it

    common = dict(
        labels="inferred",
        label_mode="int",
        class_names=list(ds_spec.classes),
        batch_size=batch_size,
        image_size=tuple(image_size),
        follow_links=True,
        verbose=False,
    )
    if validation_split:
        train_ds, val_ds = keras.utils.image_dataset_from_directory(
            roots["train"],
            shuffle=True,
            seed=seed,
            validation_split=validation_split,
            subset="both",
            **common,
        )
    else:
        train_ds = keras.utils.image_dataset_from_directory(
            roots["train"], shuffle=True, seed=seed, **common
        )
        val_ds = None
    test_ds = keras.utils.image_dataset_from_directory(roots["test"], shuffle=False, **common)
    result = (train_ds, val_ds, test_ds)
    return (result, info) if return_info else result
