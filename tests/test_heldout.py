"""`cnn-course heldout`: the teacher's private images of the challenge, checked before grading.

Each bad folder gets its own test: a missing, unknown or empty class, an image that
does not decode (truncated, or not an image at all), a format the grader cannot read,
a copy of a public image, a duplicate inside the folder, a folder inside the data
mirror that the sandbox shows to kernels.
"""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from cnn_course import cli
from cnn_course.data import heldout
from cnn_course.data.registry import dataset

CLASSES = list(dataset(heldout.NAME).classes)


def _image(path, seed: int, fmt: str = "JPEG") -> None:
    pixels = np.random.default_rng(seed).integers(0, 256, (150, 150, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(path, fmt)


@pytest.fixture
def folder(tmp_path):
    """A valid private set: three new images per class, two of them PNG."""
    root = tmp_path / "privadas"
    for i, cls in enumerate(CLASSES):
        (root / cls).mkdir(parents=True)
        for j in range(3):
            fmt = "PNG" if j == 2 else "JPEG"
            _image(root / cls / f"{j}.{fmt.lower()}", 10 * i + j, fmt)
    return root


def test_a_valid_folder_is_ready(folder, capsys):
    report = heldout.check(folder, public={})
    assert report.ok, report.problems
    assert report.counts == dict.fromkeys(CLASSES, 3)
    assert report.root == folder


def test_the_kaggle_layout_is_found_below(tmp_path, folder):
    nested = tmp_path / "kaggle" / "seg_test" / "seg_test"
    nested.parent.mkdir(parents=True)
    folder.rename(nested)
    report = heldout.check(tmp_path / "kaggle", public={})
    assert report.ok and report.root == nested


def test_missing_unknown_and_empty_classes(folder):
    for f in (folder / "sea").iterdir():
        f.unlink()
    (folder / "sea").rmdir()
    for f in (folder / "street").iterdir():
        f.unlink()
    (folder / "desierto").mkdir()
    problems = "\n".join(heldout.check(folder, public={}).problems)
    assert "'sea' is missing" in problems
    assert "'street' has no image" in problems
    assert "unknown class folder 'desierto'" in problems


def test_images_that_do_not_decode(folder):
    good = (folder / "forest" / "0.jpeg").read_bytes()
    (folder / "forest" / "cortada.jpg").write_bytes(good[: len(good) // 2])
    (folder / "glacier" / "texto.jpg").write_text("no soy una imagen")
    Image.new("RGB", (8, 8)).save(folder / "sea" / "rara.jpg", "TIFF")
    (folder / "mountain" / "notas.txt").write_text("apuntes")
    report = heldout.check(folder, public={})
    problems = "\n".join(report.problems)
    assert "cortada.jpg does not decode" in problems
    assert "texto.jpg does not decode" in problems
    assert "rara.jpg is a TIFF image" in problems
    # A file that does not claim to be an image is only a warning.
    assert "notas.txt" not in problems and any("notas.txt" in w for w in report.warnings)


def test_copies_of_public_images_and_duplicates_inside(folder):
    public = {heldout._sha256(folder / "buildings" / "0.jpeg"): "test/buildings/20057.jpg"}
    (folder / "street" / "copia.jpeg").write_bytes((folder / "forest" / "1.jpeg").read_bytes())
    problems = "\n".join(heldout.check(folder, public=public).problems)
    assert "0.jpeg is the public image test/buildings/20057.jpg" in problems
    assert "copia.jpeg is the same file as" in problems and "forest/1.jpeg" in problems


def test_the_real_public_test_split_is_refused(real_data_env, tmp_path):
    """The mirror's own test images, copied out, are all public: none is private."""
    import tarfile

    with tarfile.open(real_data_env / "intel_scenes" / "seg_test.tar") as tar:
        tar.extractall(tmp_path, filter="data")
    report = heldout.check(tmp_path)
    assert not report.ok and report.counts == dict.fromkeys(CLASSES, 135)
    assert "and 800 more copies of public images" in report.problems[-1]


def test_a_folder_inside_the_data_mirror_is_refused(folder, monkeypatch):
    monkeypatch.setenv("CNN_COURSE_DATA", str(folder.parent))
    problems = heldout.check(folder, public={}).problems
    assert any("inside CNN_COURSE_DATA" in p for p in problems)


def test_command_exit_status(folder, tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(heldout, "public_hashes", dict)
    assert cli.main(["heldout", str(folder)]) == 0
    assert "OK: ready" in capsys.readouterr().out
    assert cli.main(["heldout", str(tmp_path / "nada")]) == 1
    assert "is not a folder" in capsys.readouterr().out
