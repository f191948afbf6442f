"""Building blocks of every check: one failure type, numbers printed before asserting."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from cnn_course.messages import msg


class CheckError(AssertionError):
    """A failed check; ``key`` and ``values`` identify the message (tests assert on them)."""

    def __init__(self, key: str, **values: object) -> None:
        self.key = key
        self.values = values
        super().__init__(msg(key, **values))


def fail(key: str, **values: object) -> None:
    """Raise the check failure ``key``."""
    raise CheckError(key, **values)


def rel_error(x, y) -> float:
    """Maximum relative error, as in cs231n: max |x - y| / max(1e-8, |x| + |y|)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def report(label: str, got: object, expected: object) -> None:
    """Print one labelled line: measured value and what is expected."""
    print(f"{label}: {got}  (esperado: {expected})")


def call_student(fn: Callable, name: str, *args, **kwargs):
    """Call a student's function, turning the release stub into a clear Spanish message."""
    if not callable(fn):
        fail("common.not_callable", name=name, got=type(fn).__name__)
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        fail("common.not_implemented", name=name)


def expect_equal(name: str, got: object, expected: object) -> None:
    """Exact equality of plain values."""
    if got != expected:
        fail("common.value", name=name, expected=expected, got=got)


def expect_close(name: str, got, expected, tol: float, hint: str = "") -> float:
    """Arrays equal in shape and close in relative error; prints the error first."""
    got = np.asarray(got)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        fail("common.shape", name=name, expected=expected.shape, got=got.shape)
    error = rel_error(got, expected)
    print(f"{name}: error relativo {error:.2e} (tolerancia {tol:.0e})")
    if not error <= tol:  # also catches NaN
        fail("common.close", name=name, error=error, tol=tol, hint=hint)
    return error


def expect_shape(name: str, array, shape: tuple) -> None:
    """An array of exactly this shape."""
    got = tuple(np.shape(array))
    if got != tuple(shape):
        fail("common.shape", name=name, expected=tuple(shape), got=got)


def expect_formula(
    name: str, fn: Callable, cases: list[tuple[tuple, object]], hint: Callable | None = None
) -> None:
    """``fn(*args) == expected`` for every case; ``hint(args)`` may add a pointer for a wrong case."""
    for args, expected in cases:
        got = call_student(fn, name, *args)
        if got != expected:
            extra = hint(args) if hint else ""
            fail(
                "common.formula_case",
                name=name,
                args=", ".join(map(str, args)),
                expected=expected,
                got=got,
                hint=f" {extra}" if extra else "",
            )
    print(f"{name}: {len(cases)} casos correctos")
