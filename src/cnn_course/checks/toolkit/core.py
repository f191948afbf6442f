"""Failures, calls into student code, tolerances and formula cases: the base of every check."""

from __future__ import annotations

import math
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


def report(label: str, got: object, expected: object) -> None:
    """Print one labelled line: measured value and what is expected."""
    print(f"{label}: {got}  (esperado: {expected})")


def signature(name: str, args: tuple = (), kwargs: dict | None = None) -> str:
    """``name(arg, ..., key=value)`` as a student would type it, for the messages."""
    parts = [repr(a) for a in args] + [f"{k}={v!r}" for k, v in (kwargs or {}).items()]
    return f"{name}({', '.join(parts)})"


def short(exc: BaseException, limit: int = 300) -> str:
    """``Type: message`` of an exception, cut to ``limit`` characters.

    An error replayed from the student's kernel (``StudentError``) already reads
    ``Type: message``: it is shown as the student's code raised it.
    """
    if type(exc).__name__ == "StudentError":
        text = str(exc).strip()
    else:
        text = f"{type(exc).__name__}: {exc}".strip()
    return text if len(text) <= limit else text[:limit] + "…"


def call_student(fn: Callable, name: str, *args, **kwargs):
    """Call a student's function; the release stub becomes a clear Spanish message.

    Other exceptions propagate: callers that know the case turn them into their own
    message (see :func:`call_case`).
    """
    if not callable(fn):
        fail("common.not_callable", name=name, got=type(fn).__name__)
    try:
        return fn(*args, **kwargs)
    except NotImplementedError:
        fail("common.not_implemented", name=name)


def call_case(fn: Callable, name: str, *args, on_error: Callable | None = None, **kwargs):
    """Call the student's function on one case; any exception becomes ``common.crash``.

    Returns ``(result, call)`` where ``call`` is the call as the student would type it.
    ``on_error(exc, call)`` may raise a more precise message first.
    """
    call = signature(name, args, kwargs)
    try:
        result = call_student(fn, name, *args, **kwargs)
    except CheckError:
        raise
    except Exception as exc:  # the student's code may raise anything
        if on_error is not None:
            on_error(exc, call)
        fail("common.crash", call=call, error=short(exc))
    return result, call


def rel_error(x, y, relative_to: str = "both") -> float:
    """Relative error of ``x`` against ``y``; NaN counts as infinitely wrong.

    ``relative_to="both"`` is cs231n's ``max |x - y| / max(1e-8, |x| + |y|)``, element by
    element. ``relative_to="reference"`` divides the largest difference by the largest
    magnitude of ``y``: use it against a float32 reference (Keras), whose outputs near
    zero would make the elementwise form flag harmless rounding noise.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if relative_to == "both":
        value = float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y)), initial=0))
    elif relative_to == "reference":
        scale = max(float(np.max(np.abs(y), initial=0.0)), 1e-6)
        value = float(np.max(np.abs(x - y), initial=0.0)) / scale
    else:
        raise ValueError(f"relative_to must be 'both' or 'reference' (got {relative_to!r})")
    return value if math.isfinite(value) else math.inf


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


def expect_cases(
    name: str,
    fn: Callable,
    cases: list[tuple],
    hint: Callable[[tuple], str] | str | None = None,
    reveal: bool = False,
) -> None:
    """``fn(*args, **kwargs) == expected`` for every case ``(args, expected)`` or
    ``(args, kwargs, expected)``; the result must be an integer.

    ``hint`` (a string, or a function of the args) may add a pointer for a wrong case.
    The message gives the student's value but never the expected one (computing it is the
    task); ``reveal=True`` prints it, for a value the statement itself gives.
    """
    for case in cases:
        args, kwargs, expected = case if len(case) == 3 else (case[0], {}, case[1])
        got, call = call_case(fn, name, *args, **kwargs)
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer)):
            fail("common.not_integer", call=call, got=repr(got))
        if int(got) != expected:
            extra = hint(args) if callable(hint) else (hint or "")
            key = "common.formula_case" if reveal else "common.formula_case_hidden"
            fail(key, call=call, expected=expected, got=int(got), hint=f" {extra}" if extra else "")
    print(f"{name}: {len(cases)} casos correctos")
