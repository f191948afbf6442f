"""What a loader found: a small record callers can check (partial data, counts, source)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

from cnn_course.data.errors import PartialDatasetWarning
from cnn_course.data.locate import Found
from cnn_course.data.registry import dataset


@dataclass(frozen=True)
class DatasetInfo:
    """Where a dataset was read from and how complete it is."""

    name: str
    source: str
    """the folder or file read, and which place in the lookup order it came from"""
    format: str
    counts: dict[str, int]
    """images per split actually loaded"""
    expected: dict[str, int]
    """images per split in the full official dataset"""
    partial: dict[str, bool] = field(default_factory=dict)
    """split → True when that split holds fewer images than the official one"""

    @property
    def is_partial(self) -> bool:
        """True when any split is partial."""
        return any(self.partial.values())

    def describe_partial(self) -> str:
        """One sentence naming the partial splits, e.g. ``train has 20000 of 50000 images``."""
        parts = [
            f"{s} has {self.counts[s]} of {self.expected[s]} images"
            for s, p in self.partial.items()
            if p
        ]
        return "; ".join(parts)


def make_info(name: str, found: Found, counts: dict[str, int]) -> DatasetInfo:
    """The :class:`DatasetInfo` of a located copy of dataset ``name`` holding ``counts``
    examples per split, flagging splits smaller than the registry's official counts."""
    expected = dataset(name).counts
    partial = {s: counts.get(s, 0) < n for s, n in expected.items()}
    return DatasetInfo(name, found.source, found.format, dict(counts), dict(expected), partial)


def warn_if_partial(info: DatasetInfo, stacklevel: int = 3) -> None:
    """Emit a :class:`PartialDatasetWarning` when ``info`` is partial.

    Every loader calls it once, after reading; ``stacklevel=3`` points the warning at
    the code that called the loader.
    """
    if info.is_partial:
        title = dataset(info.name).title
        warnings.warn(
            f"{title} from {info.source} is partial: {info.describe_partial()}. "
            "Accuracies are not comparable with runs on the full dataset.",
            PartialDatasetWarning,
            stacklevel=stacklevel,
        )
