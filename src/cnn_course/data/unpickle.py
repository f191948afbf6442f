"""A restricted unpickler for the official CIFAR python-version batch files.

The official batches were written by Python 2 ``cPickle`` (protocol 2): a dict of
byte strings, lists of ints and one uint8 ``numpy`` array, which the pickle
rebuilds through exactly three globals: ``numpy.core.multiarray._reconstruct``,
``numpy.ndarray`` and ``numpy.dtype``. Those three are allowed, wrapped so they
can only build plain uint8 arrays; any other global (``os.system``, ``open``,
``builtins.eval`` …) is refused before it is ever looked up, so a hostile file
cannot run code.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np

# numpy's array rebuilder, taken from numpy itself rather than imported by the
# name a pickle asks for (the module moved to numpy._core in numpy 2).
_reconstruct = np.zeros(0, np.uint8).__reduce__()[0]


def _safe_reconstruct(subtype: Any, shape: Any, typecode: Any) -> np.ndarray:
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"refusing to rebuild an array of type {subtype!r}")
    return _reconstruct(np.ndarray, shape, typecode)


def _safe_dtype(spec: Any, align: Any = False, copy: Any = False) -> np.dtype:
    dtype = np.dtype(spec.decode("ascii") if isinstance(spec, bytes) else spec)
    if dtype != np.uint8:
        raise pickle.UnpicklingError(f"refusing dtype {dtype} (the official batches are uint8)")
    return np.dtype(dtype, align=bool(align), copy=bool(copy))


_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _safe_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _safe_reconstruct,
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): _safe_dtype,
}


class RestrictedUnpickler(pickle.Unpickler):
    """``pickle.Unpickler`` that resolves only the globals listed in ``_ALLOWED``."""

    def find_class(self, module: str, name: str) -> Any:
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"global {module}.{name} is not allowed in a CIFAR batch file"
            ) from None


def loads(data: bytes) -> Any:
    """Unpickle ``data`` with the restricted unpickler (byte strings stay bytes)."""
    return RestrictedUnpickler(io.BytesIO(data), encoding="bytes").load()
