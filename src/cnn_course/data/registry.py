"""Typed view of ``datasets/registry.toml``: the one place hashes, sizes and URLs live."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from cnn_course._tables import load_table


@dataclass(frozen=True)
class FileSpec:
    """One declared file."""

    dataset: str
    name: str
    sha256: str | None = None
    size: int | None = None
    url: str | None = None
    hash_of: str = "file"
    """``file``: hash of the bytes on disk; ``content``: of the gunzipped content"""
    mirror: str | None = None
    format: str = ""
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset: metadata plus its files."""

    name: str
    title: str
    homepage: str
    citation: str
    licence: str
    mirror_dir: str
    classes: tuple[str, ...]
    counts: dict[str, int]
    files: tuple[FileSpec, ...]
    kaggle: str | None = None

    def file(self, name: str) -> FileSpec:
        """The declared file called ``name`` (KeyError if undeclared)."""
        for spec in self.files:
            if spec.name == name:
                return spec
        raise KeyError(f"{name!r} is not declared for dataset {self.name!r} in registry.toml.")

    def find(self, name: str) -> FileSpec | None:
        """The declared file called ``name`` or, for a ``.gz`` copy, its gunzipped name."""
        for candidate in (name, name.removesuffix(".gz")):
            for spec in self.files:
                if spec.name == candidate:
                    return spec
        return None


@cache
def dataset(name: str) -> DatasetSpec:
    """The registry entry of dataset ``name``."""
    table = load_table("registry.toml")["datasets"]
    if name not in table:
        raise KeyError(f"Unknown dataset {name!r}; the registry declares: {', '.join(table)}.")
    row = table[name]
    files = tuple(
        FileSpec(
            dataset=name,
            name=f["name"],
            sha256=f.get("sha256"),
            size=f.get("size"),
            url=f.get("url"),
            hash_of=f.get("hash_of", "file"),
            mirror=f.get("mirror"),
            format=f.get("format", ""),
            counts=dict(f.get("counts", {})),
        )
        for f in row.get("files", [])
    )
    return DatasetSpec(
        name=name,
        title=row["title"],
        homepage=row["homepage"],
        citation=row["citation"],
        licence=row["licence"],
        mirror_dir=row["mirror_dir"],
        classes=tuple(row["classes"]),
        counts=dict(row["counts"]),
        files=files,
        kaggle=row.get("kaggle"),
    )


def dataset_names() -> list[str]:
    """Names of all declared datasets, in registry order."""
    return list(load_table("registry.toml")["datasets"])


def find_file(name: str) -> FileSpec:
    """A declared file by name, searched across all datasets."""
    for ds in dataset_names():
        spec = dataset(ds).find(name)
        if spec is not None:
            return spec
    raise KeyError(f"No file called {name!r} is declared in registry.toml.")


def class_names(name: str) -> tuple[str, ...]:
    """Class names of dataset ``name`` in label order (``class_names("cifar10")[0]`` is
    ``"airplane"``)."""
    return dataset(name).classes
