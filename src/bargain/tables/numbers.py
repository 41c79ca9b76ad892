"""Numbers in tables: one format per column, consistent digits, no float noise.

A column's default format shows every value with the same number of decimals:
enough for three significant digits of its smallest value (at most
:data:`MAX_DECIMALS`), and no more than the values need (a grid 0, 0.25, 0.5
shows as 0.00, 0.25, 0.50; whole numbers without decimals). A column whose
values span more than :data:`MAX_SPAN` orders of magnitude falls back to three
significant digits (``.3g``). Values within :data:`NOISE` of the column's
largest magnitude are float noise (6.94e-17 where 0 was meant) and show as 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from bargain.errors import BargainError
from bargain.frames import check_columns

#: Significant digits the default format keeps of a column's smallest value.
DIGITS = 3

#: Most decimals the default format shows; beyond, ``.3g``.
MAX_DECIMALS = 4

#: Orders of magnitude a column may span and keep one number of decimals.
MAX_SPAN = 4

#: Relative size below which a value is float noise and shows as zero.
NOISE = 1e-9


class Format(NamedTuple):
    """A column's format: the spec (``.2f``, ``d``, ``.3g``) and the noise level."""

    spec: str
    zero: float = 0.0

    def text(self, value: Any) -> str | None:
        """One value as text: None if missing, yes/no for flags."""
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        if isinstance(value, bool | np.bool_):
            return "yes" if value else "no"
        if not isinstance(value, int | float | np.number):
            return str(value)
        number = 0.0 if abs(value) <= self.zero else float(value)
        text = format(round(number) if self.spec == "d" else number, self.spec)
        rounded_to_zero = not any(c in "123456789" for c in text.split("e")[0])
        return text[1:] if text.startswith("-") and rounded_to_zero else text


def numeric(series: pd.Series) -> bool:
    """Whether a column holds numbers (flags are not numbers here)."""
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def formats(
    frame: pd.DataFrame, columns: Sequence[str], floatfmt: str | Mapping[str, str] | None
) -> dict[str, Format]:
    """The format of each column: as ``floatfmt`` names it (a mapping column -> spec), else
    the column's default (:func:`default_spec`); one spec for every column that holds
    other than whole numbers."""
    given = dict(floatfmt) if isinstance(floatfmt, Mapping) else {}
    check_columns(frame, list(given))
    out = {}
    for column in columns:
        values = _values(frame[column])
        zero = NOISE * float(np.max(np.abs(values), initial=0.0))
        own = default_spec(np.where(np.abs(values) <= zero, 0.0, values))
        spec = given.get(column, own if own == "d" or not isinstance(floatfmt, str) else floatfmt)
        try:
            format(1 if spec == "d" else 1.5, spec)
        except ValueError:
            raise BargainError(f"invalid number format {spec!r} for column {column!r}") from None
        out[column] = Format(spec, zero)
    return out


def default_spec(values: np.ndarray) -> str:
    """The default format of a column of finite numbers (see the module's docstring).

    Examples
    --------
    >>> [default_spec(np.array(v)) for v in ([0, 0.25, 0.5], [1/3, 0.9], [2, 40], [1e-6, 3.0])]
    ['.2f', '.3f', 'd', '.3g']
    """
    nonzero = np.abs(values[values != 0])
    if nonzero.size == 0 or ((values == np.round(values)).all() and nonzero.max() < 1e15):
        return "d"
    low, high = float(nonzero.min()), float(nonzero.max())
    decimals = DIGITS - 1 - math.floor(math.log10(low))
    if decimals > MAX_DECIMALS or math.log10(high / low) > MAX_SPAN or high >= 1e6:
        return ".3g"
    decimals = max(decimals, 0)
    atol = 1e-9 * max(high, 1.0)
    exact = (d for d in range(decimals) if np.allclose(np.round(values, d), values, 0, atol))
    return f".{next(exact, decimals)}f"


def _values(series: pd.Series) -> np.ndarray:
    """The finite numbers of a numeric column (none for another column)."""
    if not numeric(series):
        return np.zeros(0)
    values = series.to_numpy(dtype=float)
    return values[np.isfinite(values)]
