"""Checking and broadcasting the numeric arguments of the bargaining protocols.

Every numeric argument may be a scalar or an array; the arrays of one call are
broadcast together. Errors are :class:`~bargain.errors.ParamError` naming the
argument, the offending value (and its index in a batch) and the expected range.
"""

from __future__ import annotations

import reprlib
from collections.abc import Sequence

import numpy as np

from bargain.checks import number_text
from bargain.errors import ParamError


def locate(bad: np.ndarray) -> tuple[tuple[int, ...], str]:
    """Index of the first ``True`` in ``bad`` and the text `` at index i`` (empty for scalars)."""
    index = np.unravel_index(np.argmax(bad), bad.shape)
    at = f" at index {index[0] if len(index) == 1 else index}" if bad.ndim else ""
    return index, at


def _where(arr: np.ndarray, bad: np.ndarray) -> tuple[str, float]:
    """`` at index i`` of the first ``True`` in ``bad`` and the value of ``arr`` there."""
    index, at = locate(bad)
    return at, float(arr[index])


def real(
    value: object,
    name: str,
    low: float | None = None,
    high: float | None = None,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> np.ndarray:
    """``value`` as a float array, checked finite and within ``low``/``high``."""
    raw = np.asarray(value) if not isinstance(value, np.ndarray) else value
    if raw.dtype == bool or raw.dtype.kind not in "iuf":
        raise ParamError(
            f"{name} must be a real number or an array of them, got {reprlib.repr(value)}"
        )
    arr = raw.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        at, x = _where(arr, bad)
        raise ParamError(f"{name} must be finite, got {x}{at}")
    bad = np.zeros(arr.shape, dtype=bool)
    if low is not None:
        bad |= arr <= low if low_open else arr < low
    if high is not None:
        bad |= arr >= high if high_open else arr > high
    if bad.any():
        at, x = _where(arr, bad)
        if low is not None and high is not None:
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            expected = f"in {left}{number_text(low)}, {number_text(high)}{right}"
        elif low is not None:
            expected = f"{'>' if low_open else '>='} {number_text(low)}"
        else:
            expected = f"{'<' if high_open else '<='} {number_text(high)}"
        raise ParamError(f"{name} must be {expected}, got {number_text(x)}{at}")
    return arr


def pair(
    value: object, name: str, names: tuple[str, str], **bounds
) -> tuple[np.ndarray, np.ndarray]:
    """A pair ``(x1, x2)`` of reals (each a scalar or an array), checked like :func:`real`."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (Sequence, np.ndarray)):
        raise ParamError(
            f"{name} must be a pair ({names[0]}, {names[1]}), got {reprlib.repr(value)}"
        )
    if len(value) != 2:
        raise ParamError(f"{name} must be a pair ({names[0]}, {names[1]}), got {len(value)} values")
    return tuple(real(v, f"{name} {label}", **bounds) for v, label in zip(value, names))


def integer(value: object, name: str, low: int, high: int | None = None) -> np.ndarray:
    """``value`` as an int64 array of integers in [low, high]."""
    raw = np.asarray(value)
    if raw.dtype == bool or raw.dtype.kind not in "iuf":
        raise ParamError(
            f"{name} must be an integer or an array of them, got {reprlib.repr(value)}"
        )
    bad = ~np.isfinite(raw) | (raw != np.round(raw)) if raw.dtype.kind == "f" else raw != raw
    if bad.any():
        at, x = _where(raw.astype(np.float64), bad)
        raise ParamError(f"{name} must be an integer, got {x}{at}")
    arr = raw.astype(np.int64)
    bad = (arr < low) | (arr > high) if high is not None else arr < low
    if bad.any():
        at, x = _where(arr, bad)
        expected = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ParamError(f"{name} must be an integer {expected}, got {int(x)}{at}")
    return arr


def broadcast(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Broadcast named arrays to their common shape, or raise a ParamError naming the shapes."""
    try:
        shape = np.broadcast_shapes(*(a.shape for a in arrays.values()))
    except ValueError:
        shapes = ", ".join(f"{k} {a.shape}" for k, a in arrays.items() if a.ndim)
        raise ParamError(f"array arguments cannot be broadcast together: {shapes}") from None
    return {k: np.broadcast_to(a, shape) for k, a in arrays.items()}


def is_default(value: object, default: object) -> bool:
    """Whether ``value`` is a scalar (or pair of scalars) equal to ``default``."""
    try:
        return bool(np.ndim(value) == np.ndim(default) and np.all(np.equal(value, default)))
    except (TypeError, ValueError):
        return False
