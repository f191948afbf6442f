"""Byte-identical files found by hash: the reference, grader-made cases and the check.

``find_duplicates(paths)`` returns the groups of two or more paths whose files have the
same bytes (a list of lists; the order of groups and of paths inside a group does not
matter). On the course's subset of the scenes it finds none; on the full Kaggle data it
finds images repeated inside a class, across classes and across train and test.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from cnn_course.checks import toolkit

SPLITS = ("train", "test")
CLASSES = ("buildings", "forest", "glacier", "mountain", "sea", "street")


def reference_duplicates(paths) -> list[list[str]]:
    """Groups of paths with identical SHA-256 of their bytes (sorted, for a stable answer)."""
    by_hash: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        by_hash[hashlib.sha256(Path(path).read_bytes()).hexdigest()].append(str(path))
    return sorted(sorted(group) for group in by_hash.values() if len(group) > 1)


CASE_CLASSES = (
    "un contenido con tres copias, en los dos splits",
    "una casi copia: mismo tamaño, un byte distinto (no es duplicado)",
    "una pareja de copias",
    "archivos únicos",
)
"""Every hidden case holds all four (the first two contents are drawn that way)."""


def case(rng: np.random.Generator) -> dict[str, bytes]:
    """Files named ``<split>-<class>-<n>.jpg``: unique contents, copies under the same or
    another class, across splits, and near-copies that differ in one byte (not duplicates);
    content 0 has three copies in both splits, content 1 two copies and a near-copy, and
    content 2 none (:data:`CASE_CLASSES`)."""
    files: dict[str, bytes] = {}
    for n in range(int(rng.integers(8, 14))):
        content = rng.integers(0, 256, int(rng.integers(40, 300)), dtype=np.uint8).tobytes()
        copies = (3, 2, 1)[n] if n < 3 else int(rng.choice([1, 1, 2, 3]))
        for k in range(copies):
            split = SPLITS[k % 2] if n == 0 else rng.choice(SPLITS)
            files[f"{split}-{rng.choice(CLASSES)}-{n:02d}{k}.jpg"] = content
        if n == 1 or (n > 2 and rng.random() < 0.4):  # one flipped byte: same size
            near = bytearray(content)
            near[int(rng.integers(len(near)))] ^= 0xFF
            files[f"{rng.choice(SPLITS)}-{rng.choice(CLASSES)}-{n:02d}9.jpg"] = bytes(near)
    return files


def expected_groups(files: dict[str, bytes]) -> set[frozenset[str]]:
    by_content: dict[bytes, set[str]] = defaultdict(set)
    for name, content in files.items():
        by_content[content].add(name)
    return {frozenset(g) for g in by_content.values() if len(g) > 1}


def _groups_by_name(got) -> set[frozenset[str]]:
    """The student's groups as sets of file names; a malformed answer is a clear failure."""
    if isinstance(got, (str, bytes)) or not hasattr(got, "__iter__"):
        toolkit.fail("escenas.duplicates_format", got=type(got).__name__)
    groups = set()
    for group in got:
        if isinstance(group, (str, bytes)) or not hasattr(group, "__iter__"):
            toolkit.fail(
                "escenas.duplicates_format", got=f"un grupo de tipo {type(group).__name__}"
            )
        groups.add(frozenset(Path(str(p)).name for p in group))
    return groups


def expect_groups(got, files: dict[str, bytes]) -> int:
    """The student's groups equal the true ones; returns how many there are."""
    expected = expected_groups(files)
    groups = _groups_by_name(got)
    print(f"find_duplicates: {len(groups)} grupos (esperados {len(expected)})")
    if groups != expected:
        singles = any(len(g) < 2 for g in groups)
        hint = " Un grupo tiene al menos 2 archivos." if singles else ""
        if not singles and len(groups) < len(expected):
            hint = " Compara el contenido (bytes) de cada archivo, no su nombre ni su carpeta."
        toolkit.fail("escenas.duplicates", expected=len(expected), got=len(groups), hint=hint)
    return len(expected)


def check(find_duplicates, rng: np.random.Generator) -> None:
    """Write a drawn case into a temporary folder and check the student's groups."""
    files = case(rng)
    with tempfile.TemporaryDirectory(prefix="escenas-dup-") as tmp:
        paths = []
        for name, content in files.items():
            (Path(tmp) / name).write_bytes(content)
            paths.append(str(Path(tmp) / name))
        got, _ = toolkit.call_case(find_duplicates, "find_duplicates", paths)
        expect_groups(got, files)
