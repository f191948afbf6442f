"""The grader's side of a session: inputs it generates and judges it runs on the records.

A session that is graded out of the kernel has ``cnn_course.checks.<package>.grading``
with ``CELLS: dict[grade_id, Cell]``. For each submission the grader draws a fresh seed,
builds every cell's :class:`Plan` (the calls the student's functions must answer, with
their input arrays), writes them for the kernel (:func:`write_inputs`), and after the
kernel has exited calls each cell's ``judge(records, plan, profile)``: it returns
normally for full marks, an :class:`Outcome` for part of them (grade bands, rules that
each cost their own points), and raises a check failure for none.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


@dataclass
class Plan:
    """The calls a hidden cell makes to the student's functions, and their inputs."""

    calls: list[dict] = field(default_factory=list)
    """``{"fn": name, "args": [...]}``; an arg is a value, ``{"$npy": name}`` or ``{"$result": i}``"""
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    """Keras models passed to the student's functions (saved in Keras format for the kernel)"""
    files: dict[str, bytes] = field(default_factory=dict)
    """files passed to the student's functions by path (the kernel gets the path of its copy)"""
    extra: dict = field(default_factory=dict)
    """what the judge needs besides (never written for the kernel)"""

    def call(self, fn: str, *args, **kwargs) -> int:
        """Add a call; returns its index (for :class:`~.records.Replay` and ``$result``)."""
        self.calls.append({"fn": fn, "args": list(args), "kwargs": kwargs})
        return len(self.calls) - 1

    def array(self, name: str, value) -> dict:
        self.arrays[name] = np.asarray(value)
        return {"$npy": f"{name}.npy"}

    def model(self, name: str, value) -> dict:
        self.models[name] = value
        return {"$keras": f"{name}.keras"}

    def file(self, name: str, content: bytes) -> dict:
        """A file the kernel receives as a path (``name``: a plain file name)."""
        if Path(name).name != name or name in ("", ".", ".."):
            raise ValueError(f"A plan's file name must be a plain file name (got {name!r}).")
        self.files[name] = bytes(content)
        return {"$file": name}


@dataclass(frozen=True)
class Outcome:
    """What a judge returns for part of a cell's points (returning None means all of them)."""

    fraction: float
    """share of the cell's points earned, 0 to 1"""
    reason: str | None = None
    """Spanish: why points were lost (None when none were)"""
    measure: dict = field(default_factory=dict)
    """figures the grader measured (e.g. for the leaderboard); plain JSON values"""

    def verdict(self) -> dict:
        fraction = min(max(float(self.fraction), 0.0), 1.0)
        return {"fraction": fraction, "reason": self.reason, "measure": dict(self.measure)}


@dataclass(frozen=True)
class Cell:
    """How one grade cell is graded out of the kernel."""

    judge: Callable
    plan: Callable[[np.random.Generator], Plan] | None = None


def rng_for(seed: int, grade_id: str) -> np.random.Generator:
    """The generator of one cell for one submission (independent across cells)."""
    return np.random.default_rng([seed, zlib.crc32(grade_id.encode())])


def plans(cells: dict[str, Cell], seed: int) -> dict[str, Plan]:
    return {gid: (c.plan(rng_for(seed, gid)) if c.plan else Plan()) for gid, c in cells.items()}


def write_inputs(plans_by_cell: dict[str, Plan], folder: Path) -> None:
    """The kernel's copy of the inputs: one JSON of calls per cell, arrays as ``.npy``."""
    folder.mkdir(parents=True, exist_ok=True)
    for gid, plan in plans_by_cell.items():
        if not plan.calls:
            continue
        (folder / gid).mkdir(exist_ok=True)
        for name, array in plan.arrays.items():
            np.save(folder / gid / f"{name}.npy", array, allow_pickle=False)
        for name, model in plan.models.items():
            model.save(folder / gid / f"{name}.keras")
        for name, content in plan.files.items():
            (folder / gid / name).write_bytes(content)
        (folder / f"{gid}.json").write_text(json.dumps({"calls": plan.calls}), encoding="utf-8")
