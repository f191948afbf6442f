"""What every check of the session shares: the tolerance, one axis' geometry, calling the
student's function on a described case, and comparing its result with a reference.

Errors are measured relative to the largest value of the reference
(``toolkit.rel_error(..., relative_to="reference")``): Keras computes in float32, and the
notebook's solutions stay within 1.5e-7 of it on the hidden cases, while every real
mistake is off by O(1); the budget table's ``tol`` (1e-4) sits between the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from cnn_course.checks.toolkit import (
    CheckError,
    call_case,
    fail,
    out_size,
    rel_error,
    report,
    short,
)

SESSION = "convolucion"

HIDDEN_SEED = 2024
"""Seed of the hidden checks' own generator (independent of the notebook's seed)."""


def tol() -> float:
    """Largest error allowed, relative to the largest magnitude of the reference.

    Read from the budget table at every call, so the hidden checks use the table as it
    is on disk (they re-import the registry afresh).
    """
    import cnn_course.sessions as sessions

    return float(sessions.threshold(SESSION, "tol"))


def error(got, ref) -> float:
    """``max |got - ref|`` relative to the largest magnitude of ``ref`` (NaN → inf)."""
    return rel_error(got, ref, relative_to="reference")


# --------------------------------------------------------------------------- geometry

_SAME_ADVICE = (
    "con padding='same' Keras rellena lo justo para que quepan ⌈N/S⌉ ventanas",
    " ¿Redondeas hacia abajo? ⌈N/S⌉ en enteros es -(-N // S).",
)
_VALID_ADVICE = (
    "Keras descarta la última ventana, que no cabe entera",
    " ¿Redondeas hacia arriba o cuentas una ventana de más? Usa la división entera //.",
)


@dataclass(frozen=True)
class Axis:
    """One spatial axis of a sliding window: size N, window F, stride S, padding."""

    n: int
    f: int
    s: int
    padding: str | int = "valid"

    @property
    def expected(self) -> int:
        """Output size along this axis, as Keras computes it."""
        return out_size(self.n, self.f, self.s, self.padding)

    @property
    def divides(self) -> bool:
        """Whether the stride divides exactly (so rounding up or down agree)."""
        if self.padding == "same":
            return self.n % self.s == 0
        return (self.n + 2 * self._p - self.f) % self.s == 0

    @property
    def slips(self) -> set[int]:
        """Sizes a rounding slip gives along this axis (rounding up or to the nearest
        instead of down for 'valid'; down or to the nearest instead of up for 'same')."""
        if self.padding == "same":
            candidates = {self.n // self.s, round(self.n / self.s)}
        else:
            inner = self.n + 2 * self._p - self.f
            candidates = {-(-inner // self.s) + 1, round(inner / self.s) + 1}
        return candidates - {self.expected}

    def is_slip(self, got) -> bool:
        """Whether ``got`` is exactly what a rounding slip gives (the only provable cause)."""
        try:
            return int(got) in self.slips
        except (TypeError, ValueError):
            return False

    @property
    def rule(self) -> str:
        """The formula with this axis' numbers, for the messages."""
        if self.padding == "same":
            return f"⌈N/S⌉ = ⌈{self.n}/{self.s}⌉ = {self.expected}"
        if self._p:
            inner = self.n + 2 * self._p - self.f
            return f"⌊(N+2P−F)/S⌋+1 = ⌊{inner}/{self.s}⌋+1 = {self.expected}"
        return f"⌊(N−F)/S⌋+1 = ⌊{self.n - self.f}/{self.s}⌋+1 = {self.expected}"

    @property
    def _p(self) -> int:
        return 0 if self.padding in ("valid", "same") else int(self.padding)

    def off_by_one(self, case: str, got: str) -> CheckError:
        """The failure for a result that is off by one window along this axis."""
        why, advice = _SAME_ADVICE if self.padding == "same" else _VALID_ADVICE
        numbers = {"n": self.n, "f": self.f, "s": self.s, "expected": self.expected}
        return CheckError(
            "conv.stride_off_by_one",
            case=case,
            rule=self.rule,
            got=got,
            why=why,
            advice=advice,
            **numbers,
        )


def random_size(rng, f: int, s: int, padding, divides: bool | None, low: int = 0) -> int:
    """A random input size N ≥ F for which the stride divides (or not) as asked."""
    while True:
        n = int(rng.integers(max(f, low, 1), max(f, low, 1) + 7))
        if divides is None or Axis(n, f, s, padding).divides == divides:
            return n


def draw(rng, make: Callable, holds: Callable[..., bool] = lambda *_: True, tries: int = 2000):
    """``make(rng)`` until ``holds(value)``: a random case of a given class, on every seed."""
    for _ in range(tries):
        value = make(rng)
        if holds(value):
            return value
    raise RuntimeError("no case of the asked class was drawn")  # a bug in a generator


@dataclass(frozen=True)
class CaseClass:
    """A kind of input the notebook's statement treats apart; every hidden draw has one.

    ``holds(*case)`` tells whether a drawn case (the tuple its generator makes) belongs
    to the class; the generators draw one case per class (:func:`draw_classes`).
    """

    name: str
    holds: Callable[..., bool]


def draw_classes(rng, make: Callable, classes: Sequence[CaseClass], extra: int = 0) -> list:
    """One call's arguments per class of ``classes`` (``make(rng)`` redrawn until it
    holds), then ``extra`` unconstrained draws: every class on every seed, values random."""
    drawn = [draw(rng, make, lambda args, c=c: c.holds(*args)) for c in classes]
    return drawn + [make(rng) for _ in range(extra)]


def describe_padding(padding) -> str:
    return f"padding={padding!r}"


# --------------------------------------------------------------------------- calling


def _result(fn: Callable, name: str, case: str, args: tuple, axes: Iterable[Axis] = ()):
    """The student's result on one case; a crash becomes a Spanish message naming the case.

    A crash names the case and the error, never a guessed cause (``axes`` is kept for
    callers; a crash proves nothing about rounding).
    """

    def on_error(exc: Exception, _call: str) -> None:
        fail("conv.crash", name=name, case=case, error=short(exc))

    got, _ = call_case(fn, name, *args, on_error=on_error)
    if got is None:
        fail("conv.returned_none", name=name, case=case)
    return got


def _as_float(got, name: str, case: str) -> np.ndarray:
    try:
        return np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        fail("conv.crash", name=name, case=case, error=f"el resultado no es un array ({exc})")


def call(fn: Callable, name: str, case: str, *args, axes: Iterable[Axis] = ()) -> np.ndarray:
    """Call the student's function on one case and return its result as a float array."""
    return _as_float(_result(fn, name, case, args, axes), name, case)


def call_pair(fn: Callable, name: str, case: str, *args) -> tuple[np.ndarray, np.ndarray]:
    """Call a function that must return two arrays (kernel, bias)."""
    got = _result(fn, name, case, args)
    if not isinstance(got, tuple | list) or len(got) != 2:
        fail("conv.crash", name=name, case=case, error="debe devolver dos valores (kernel, sesgo)")
    return tuple(_as_float(v, name, case) for v in got)


def expect_shape(name: str, case: str, got, shape: tuple, axes: Sequence[Axis] = (), hint=""):
    """Exact output shape; an axis whose stride does not divide gets the off-by-one message."""
    shape = tuple(int(d) for d in shape)
    if got.shape == shape:
        return
    if got.ndim == len(shape):
        for dim, axis in enumerate(axes):
            if got.shape[dim] != shape[dim] and axis.is_slip(got.shape[dim]):
                raise axis.off_by_one(case, got=f"da {got.shape[dim]}")
    fail("conv.shape", name=name, case=case, expected=shape, got=got.shape, hint=hint)


# --------------------------------------------------------------------------- comparing


@dataclass(frozen=True)
class Variant:
    """A typical wrong result: if the student's output matches it, fail with ``key``.

    ``key=None`` marks a rival: another mistake that gives its own output and no message
    of its own. A diagnosis is made only when exactly one keyed variant matches and no
    rival does: a cause is named only when the output proves it.
    """

    key: str | None
    compute: Callable[[], np.ndarray]
    values: dict | None = None

    def squeezed(self) -> Variant:
        """The same mistake for a one-channel function: the last axis dropped."""
        return Variant(self.key, lambda: np.asarray(self.compute())[..., 0], self.values)


def compare(name, case, got, ref, reference, variants=(), hint="") -> float:
    """Student's output against the reference; a known mistake gets its own message."""
    err, limit = error(got, ref), tol()
    if err <= limit:
        return err
    matches = []
    for variant in variants:
        alt = np.asarray(variant.compute(), dtype=np.float64)
        if alt.shape == got.shape and error(got, alt) <= limit:
            matches.append(variant)
    if len(matches) == 1 and matches[0].key is not None:
        variant = matches[0]
        fail(variant.key, name=name, case=case, reference=reference, **(variant.values or {}))
    fail(
        "conv.mismatch", name=name, case=case, reference=reference, error=err, tol=limit, hint=hint
    )


@dataclass(frozen=True)
class Case:
    """One input of a check: its description, the arguments and what the result must be."""

    label: str
    """the input as the messages describe it"""
    args: tuple
    ref: np.ndarray
    reference: str
    """what ``ref`` is, for the messages (e.g. «keras.layers.Conv2D»)"""
    variants: Sequence[Variant] = ()
    axes: Sequence[Axis] = ()
    hint: str = ""
    shape_hint: str = ""
    show: str | None = field(default=None, compare=False)
    """print the student's result under this label first"""
    show_channel: bool = field(default=False, compare=False)
    """print only channel 0 of a volume"""


def run_case(fn: Callable, name: str, case: Case) -> float:
    """Call, check the shape, compare: the error relative to the reference."""
    got = call(fn, name, case.label, *case.args, axes=case.axes)
    if case.show is not None:
        show(case.show, got[..., 0] if case.show_channel and got.ndim == 3 else got)
    ref = np.asarray(case.ref, dtype=np.float64)
    expect_shape(name, case.label, got, ref.shape, case.axes, hint=case.shape_hint)
    return compare(name, case.label, got, ref, case.reference, case.variants, case.hint)


def run_cases(fn: Callable, name: str, cases: Iterable[Case], reference: str) -> None:
    """Every case must pass; prints how many and the largest error."""
    worst, count = 0.0, 0
    for case in cases:
        worst = max(worst, run_case(fn, name, case))
        count += 1
    summary(name, count, reference, worst)


# --------------------------------------------------------------------------- printing


def summary(name: str, count: int, reference: str, worst: float) -> None:
    print(
        f"{name}: {count} casos aleatorios comparados con {reference}; "
        f"error relativo máximo {worst:.1e} (tolerancia {tol():.0e})"
    )


def report_error(label: str, err: float) -> None:
    """One labelled line: the error of a public example and the tolerance."""
    report(f"{label}: error relativo", f"{err:.1e}", f"<= {tol():.0e}")


def show(label: str, array) -> None:
    text = np.array2string(np.asarray(array), precision=4, suppress_small=True)
    print(f"{label}:\n{text}")
