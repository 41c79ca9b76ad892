"""The outcome whose region scenario discovery maps: which points of a frame it holds at.

An outcome is written as text: a flag measure (``deal``, values 0 and 1), a label
equality (``regime=pressure``, ``regime!=pressure``) or a number compared with a
threshold (``war>0.05``, ``p_war<=0.5``). A point has *no outcome* where its measure
is missing (NaN: no equilibrium was selected) or its label is
:data:`~bargain.frames.SEVERAL` or :data:`~bargain.frames.NO_EQUILIBRIUM`, unless
the outcome asks for that very label (``regime=no equilibrium``).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from bargain.errors import BargainError, did_you_mean
from bargain.frames import NO_EQUILIBRIUM, SEVERAL, axis_label, check_columns, outcome_labels

#: How points without an outcome are treated: left out, or counted as not holding.
Missing = Literal["drop", "false"]
MISSING = ("drop", "false")

_COMPARE: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
_EQUAL = ("==", "!=", "=")
_PATTERN = re.compile(r"^\s*([^<>=!\s]+)\s*(>=|<=|==|!=|=|>|<)?\s*(.*?)\s*$")


@dataclass(frozen=True)
class Outcome:
    """Where an outcome holds: ``holds`` (one flag per kept point), ``kept`` (the points
    of the frame that have an outcome, or all with ``missing="false"``), its text."""

    text: str
    holds: np.ndarray
    kept: np.ndarray

    @property
    def dropped(self) -> int:
        """How many points were left out for want of an outcome."""
        return int((~self.kept).sum())


def where_holds(frame: pd.DataFrame, text: str, missing: Missing = "drop") -> Outcome:
    """The points of ``frame`` where the outcome ``text`` holds (see the module's docstring).

    Examples
    --------
    >>> frame = pd.DataFrame({"war": [0.0, 0.3, np.nan], "regime": ["a", "b", "b"]})
    >>> found = where_holds(frame, "war>0.1")
    >>> found.holds.tolist(), found.dropped
    ([False, True], 1)
    >>> where_holds(frame, "regime=b", missing="false").holds.tolist()
    [False, True, True]
    """
    if missing not in MISSING:
        raise BargainError(f"missing must be 'drop' or 'false', got {missing!r}")
    match = _PATTERN.match(str(text))
    if match is None or not match.group(1) or (match.group(2) and not match.group(3)):
        raise BargainError(
            f"outcome {text!r}: expected a flag measure (deal), a label (regime=pressure) "
            "or a threshold (war>0.05)"
        )
    name, op, value = match.groups()
    column = check_columns(frame, [name])[0]
    numeric = pd.api.types.is_numeric_dtype(frame[column])
    if op is None:
        holds, has = _flag(frame[column], name)
    elif op in _EQUAL and not numeric:
        holds, has = _label(frame, column, value)
    elif numeric:
        holds, has = _threshold(frame[column], name, op, value)
    else:
        raise BargainError(f"outcome {text!r}: {name} is a label; compare it with = or !=")
    if op == "!=":
        holds = ~holds
    shown = (
        axis_label(frame, column) if op is None else f"{name} {'=' if op == '==' else op} {value}"
    )
    kept = has if missing == "drop" else np.ones(len(frame), dtype=bool)
    return Outcome(shown, (holds & has)[kept], kept)


def _flag(series: pd.Series, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A flag measure: true and false, or 1 and 0."""
    if pd.api.types.is_bool_dtype(series):
        return series.to_numpy(dtype=bool), np.ones(len(series), dtype=bool)
    if not pd.api.types.is_numeric_dtype(series):
        raise BargainError(f"{name} is a label: name the outcome as {name}=LABEL")
    values = series.to_numpy(dtype=float)
    has = ~np.isnan(values)
    if not np.isin(values[has], (0.0, 1.0)).all():
        low, high = np.nanmin(values), np.nanmax(values)
        raise BargainError(
            f"{name} is a number from {low:g} to {high:g}, not a flag (0 or 1): give a "
            f"threshold, e.g. '{name}>0' or '{name}>={(low + high) / 2:.3g}'"
        )
    return values == 1.0, has


def _label(frame: pd.DataFrame, column: str, value: str) -> tuple[np.ndarray, np.ndarray]:
    """A label equality; points labelled "several equilibria" or "no equilibrium" have no
    outcome unless that is the label asked for."""
    labels = outcome_labels(frame, column) if "n_equilibria" in frame else frame[column]
    labels = np.array([str(v) for v in labels], dtype=object)
    known = sorted(set(labels))
    if value not in known:
        raise BargainError(
            f"no point has {column} = {value!r}{did_you_mean(value, known)}; "
            f"its labels: {', '.join(known)}"
        )
    unknown = np.isin(labels, (SEVERAL, NO_EQUILIBRIUM, "nan", "None")) & (labels != value)
    return labels == value, ~unknown


def _threshold(series: pd.Series, name: str, op: str, value: str) -> tuple[np.ndarray, np.ndarray]:
    """A number compared with a threshold."""
    try:
        level = float(value)
    except ValueError:
        raise BargainError(f"outcome {name}{op}{value}: {value!r} is not a number") from None
    values = series.to_numpy(dtype=float)
    has = ~np.isnan(values)
    compare = _COMPARE.get(op)
    holds = np.isclose(values, level) if compare is None else compare(values, level)
    return holds & has, has
