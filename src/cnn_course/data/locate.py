"""The lookup order shared by every loader, and the one error naming every place looked at.

Order: explicit ``data_dir``, then ``$CNN_COURSE_DATA`` (an offline mirror), then
the Keras cache, then a download from the origin into the Keras cache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from cnn_course.data import paths
from cnn_course.data.errors import DataNotFoundError, DownloadError
from cnn_course.data.registry import DatasetSpec

T = TypeVar("T")

# Labels of the places looked at, as they appear in error messages and `verify`.
DATA_DIR = "data_dir"
MIRROR = f"${paths.DATA_ENV}"
CACHE = "Keras cache"
DOWNLOAD = "download"


@dataclass(frozen=True)
class Found:
    """A located copy of a dataset, the same shape for every loader.

    ``format`` names the layout (e.g. ``idx``, ``python-tar``, ``dir``); ``paths`` are
    the files or folders holding the data (the ones ``verify`` hashes, with their
    declared neighbours); ``place`` is the label of where in the lookup order it was.
    """

    format: str
    paths: tuple[Path, ...]
    place: str

    @property
    def source(self) -> str:
        """Human-readable origin, for messages, :class:`DatasetInfo` and ``verify``."""
        parents = {p.parent for p in self.paths}
        if len(self.paths) > 1 and len(parents) == 1:
            # Several files of one folder (MNIST's IDX files): name the folder once.
            where = f"{parents.pop()}/{{{', '.join(p.name for p in self.paths)}}}"
        else:
            where = ", ".join(map(str, self.paths))
        return f"{where} ({self.format}, via {self.place})"


@dataclass(frozen=True)
class Place:
    """One root to search: where it comes from and its path (``None``: variable unset)."""

    label: str
    root: Path | None


def places(data_dir: Path | str | None) -> list[Place]:
    """The roots searched, in order."""
    found = []
    if data_dir is not None:
        found.append(Place(DATA_DIR, Path(data_dir).expanduser()))
    found.append(Place(MIRROR, paths.mirror_root()))
    found.append(Place(CACHE, paths.keras_cache_dir()))
    return found


def layout_dirs(root: Path, ds: DatasetSpec) -> list[Path]:
    """Folders of ``root`` that may hold ``ds``: the mirror layout first, then ``root`` itself."""
    subdirs = {ds.mirror_dir}
    subdirs.update(str(Path(f.mirror).parent) for f in ds.files if f.mirror)
    # Deepest first, so <root>/mnist/idx wins over <root>/mnist.
    ordered = sorted(subdirs, key=lambda s: (-s.count("/"), s))
    return [root / s for s in ordered] + [root]


@dataclass
class Search(Generic[T]):
    """Walk the lookup order with a ``probe``; remember why each place did not do."""

    ds: DatasetSpec
    data_dir: Path | str | None
    looked: list[str] = field(default_factory=list)

    def dirs(self) -> Iterator[tuple[Place, Path]]:
        """Every existing candidate folder, in order; records roots that are unset or missing."""
        seen: set[Path] = set()
        for place in places(self.data_dir):
            if place.root is None:
                self.looked.append(f"{place.label}: not set")
                continue
            if not place.root.is_dir():
                self.looked.append(f"{place.label}: {place.root} does not exist")
                continue
            for d in layout_dirs(place.root, self.ds):
                resolved = d.resolve()
                if d.is_dir() and resolved not in seen:
                    seen.add(resolved)
                    yield place, d

    def run(
        self,
        probe: Callable[[Place, Path], T | str],
        download: Callable[[], T] | None,
    ) -> T:
        """First hit of ``probe`` over the folders, else ``download()``, else the error.

        ``probe`` returns a found source, or a string saying why the folder does not
        hold the data; it raises for data that is present but bad, because silently
        falling back to another copy would hide the problem.
        """
        for place, d in self.dirs():
            result = probe(place, d)
            if not isinstance(result, str):
                return result
            self.looked.append(f"{place.label}: {d}: {result}")
        if download is None:
            raise self.error()
        if paths.offline():
            self.looked.append(f"{DOWNLOAD}: disabled by ${paths.OFFLINE_ENV}")
            raise self.error()
        try:
            return download()
        except DownloadError as exc:
            self.looked.append(f"{DOWNLOAD}: {exc}")
            raise self.error() from exc

    def error(self) -> DataNotFoundError:
        """The single error listing every place looked at and how to fix it."""
        lines = "\n".join(f"  - {line}" for line in self.looked)
        example = next((f.mirror for f in self.ds.files if f.mirror), self.ds.mirror_dir)
        return DataNotFoundError(
            f"{self.ds.title} ({self.ds.name}) was not found. Looked in:\n{lines}\n"
            f"Set {paths.DATA_ENV} to an offline mirror (expected file: "
            f"${paths.DATA_ENV}/{example}), pass data_dir=..., or run "
            f"`cnn-course data fetch {self.ds.name}` while online."
        )
