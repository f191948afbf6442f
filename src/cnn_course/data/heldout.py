"""``cnn-course heldout FOLDER``: check the teacher's private labelled images of the challenge.

The challenge (``04_escenas``) ranks students by accuracy on labelled images they have
never seen. The teacher puts them in a folder in the Kaggle layout, one folder per class
(``FOLDER/<class>/*.jpg``, or ``FOLDER/seg_test/seg_test/<class>/``) and points the grader
at it with ``CNN_COURSE_SCENES_HELDOUT``. Before a class is graded, this checks what would
otherwise fail in the middle of grading, or silently favour some students:

- the layout: exactly the six class folders of the registry, none empty;
- every image decodes, in a format TensorFlow reads (JPEG, PNG, GIF, BMP);
- no image is byte-identical to one of the public splits (students have those: an image
  there is no longer private), nor to another image of the folder;
- the folder lies outside ``CNN_COURSE_DATA``, which the grading sandbox shows to every
  student's kernel.

Problems are listed one per line; warnings (files that are not images, a class much
smaller than the others) do not fail the check.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from cnn_course.data.registry import dataset

NAME = "natural_scenes"
READABLE = {"JPEG", "PNG", "GIF", "BMP"}
"""Image formats ``tf.io.decode_image`` reads (what the grader's judge uses)."""
_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".bmp"}
"""Files with these suffixes must be images; other files are only warned about."""
LISTED = 10
"""Copies of public images named one by one (the rest are counted)."""
SMALL_CLASS = 0.5
"""A class with fewer images than this fraction of the largest is warned about."""


@dataclass
class Report:
    """What the check found in a held-out folder."""

    root: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def lines(self) -> list[str]:
        out = [f"held-out folder: {self.root or '(not found)'}"]
        if self.counts:
            per_class = ", ".join(f"{c} {n}" for c, n in self.counts.items())
            out.append(f"images: {sum(self.counts.values())} ({per_class})")
        out += [f"problem: {p}" for p in self.problems]
        out += [f"warning: {w}" for w in self.warnings]
        out.append("OK: ready for CNN_COURSE_SCENES_HELDOUT" if self.ok else "NOT READY")
        return out


def class_root(folder: Path) -> Path | None:
    """The folder holding the class folders of a held-out set (the grader's judge finds the
    teacher's set through this too), or None."""
    for cand in (folder / "seg_test" / "seg_test", folder / "seg_test", folder):
        if cand.is_dir() and any(p.is_dir() for p in cand.iterdir()):
            return cand
    return None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _image_problem(path: Path) -> str:
    """Why ``path`` cannot be used as a held-out image ('' when it can)."""
    try:
        with Image.open(path) as img:
            fmt = img.format
            img.load()  # decodes every byte: a truncated file fails here
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        return f"{path} does not decode as an image ({exc})"
    if fmt not in READABLE:
        return f"{path} is a {fmt} image; the grader reads only {', '.join(sorted(READABLE))}"
    return ""


def public_hashes() -> dict[str, str]:
    """SHA-256 of every image of the public splits the grader finds → ``split/class/name``."""
    from cnn_course.data import scenes

    found = scenes.find(download=False)
    hashes = {}
    for split, root in zip(("train", "test"), scenes.split_roots(found), strict=True):
        for cls, files in scenes.image_files(root).items():
            for path in files:
                hashes[_sha256(path)] = f"{split}/{cls}/{path.name}"
    return hashes


def _inside(path: Path, folder: str) -> bool:
    if not folder.strip():
        return False
    base = Path(folder).expanduser().resolve()
    path = path.resolve()
    return path == base or base in path.parents


def check(folder: Path, public: dict[str, str] | None = None) -> Report:
    """Check ``folder``; ``public``: hashes of the public images (default: those the grader
    finds through ``CNN_COURSE_DATA`` or the Keras cache)."""
    report = Report()
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        report.problems.append(f"{folder} is not a folder")
        return report
    if _inside(folder, os.environ.get("CNN_COURSE_DATA", "")):
        report.problems.append(
            f"{folder} lies inside CNN_COURSE_DATA, which the grading sandbox shows to every "
            "student's kernel: move it elsewhere"
        )
    root = class_root(folder)
    if root is None:
        report.problems.append(f"{folder} holds no class folders (<class>/*.jpg)")
        return report
    report.root = root
    classes = list(dataset(NAME).classes)
    present = sorted(p.name for p in root.iterdir() if p.is_dir())
    for name in sorted(set(present) - set(classes)):
        report.problems.append(f"unknown class folder {name!r} (classes: {', '.join(classes)})")
    seen: dict[str, Path] = {}
    copies: list[str] = []
    public = public_hashes() if public is None else public
    for cls in classes:
        files = sorted(p for p in (root / cls).glob("*") if p.is_file()) if cls in present else []
        if cls not in present:
            report.problems.append(f"class folder {cls!r} is missing")
            continue
        images = 0
        for path in files:
            problem = _image_problem(path)
            if problem:
                target = (
                    report.warnings if path.suffix.lower() not in _SUFFIXES else report.problems
                )
                target.append(problem)
                continue
            images += 1
            digest = _sha256(path)
            if digest in public:
                copies.append(f"{path} is the public image {public[digest]}")
            elif digest in seen:
                report.problems.append(f"{path} is the same file as {seen[digest]}")
            seen.setdefault(digest, path)
        report.counts[cls] = images
        if not images:
            report.problems.append(f"class folder {cls!r} has no image")
    report.problems += copies[:LISTED]
    if len(copies) > LISTED:
        report.problems.append(f"… and {len(copies) - LISTED} more copies of public images")
    _warn_small(report)
    return report


def _warn_small(report: Report) -> None:
    largest = max(report.counts.values(), default=0)
    by_size = defaultdict(list)
    for cls, n in report.counts.items():
        if 0 < n < SMALL_CLASS * largest:
            by_size[n].append(cls)
    for n, names in sorted(by_size.items()):
        report.warnings.append(
            f"{', '.join(names)}: {n} images against {largest} in the largest class "
            "(accuracy then weighs classes unevenly)"
        )


def main(folder: Path) -> int:
    """Print the report; 0 when the folder is ready, 1 otherwise."""
    report = check(folder)
    print("\n".join(report.lines()))
    return 0 if report.ok else 1
