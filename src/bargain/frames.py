"""Result frames: the pandas DataFrame every view draws, with its provenance in ``attrs``.

A sweep result converts to a DataFrame whose ``attrs`` say where it came
from: ``note`` (model, fixed values, selection rule, solve options, version:
what a reader needs to reproduce it), ``swept`` and ``measures`` (column names),
``title``, ``model``, ``options`` (the solve options that differ from the game
form's defaults, e.g. ``method`` and ``lam``), ``space`` (the space's settings),
and ``labels``: the readers' names of parameters that declare a label or a unit
(:func:`axis_label`). Tables (:mod:`bargain.tables`) and figures
(:mod:`bargain.plots`) take such a frame, or anything with a
``to_frame(long=...)`` method that gives one, and import nothing above them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd

from .errors import BargainError, did_you_mean
from .tolerances import MATCH_ATOL, MATCH_RTOL


class Framed(Protocol):
    """Anything that gives a result frame (a :class:`~bargain.sweeps.SweepResult`)."""

    def to_frame(self, long: bool = False) -> pd.DataFrame: ...


def frame_of(result: Framed | pd.DataFrame, long: bool = False) -> pd.DataFrame:
    """The result's frame (a named index becomes a column), ``long`` one row per equilibrium."""
    if isinstance(result, pd.DataFrame):
        return result if result.index.name is None else result.reset_index()
    if not callable(getattr(result, "to_frame", None)):
        raise TypeError(f"expected a SweepResult or a DataFrame, got {type(result).__name__}")
    return result.to_frame(long=long)


def view(
    result: Framed | pd.DataFrame, fixed: Mapping[str, float] | None = None, long: bool = False
) -> tuple[pd.DataFrame, str]:
    """The frame of a result restricted to ``fixed`` values, and its note."""
    frame = frame_of(result, long)
    note = str(frame.attrs.get("note", ""))
    if not fixed:
        return frame, note
    keep = np.ones(len(frame), dtype=bool)
    for name, value in fixed.items():
        column = check_columns(frame, [name])[0]
        values = frame[column].to_numpy(dtype=float)
        match = np.isclose(values, value, rtol=MATCH_RTOL, atol=MATCH_ATOL)
        if not match.any():
            have = ", ".join(f"{v:g}" for v in np.unique(values)[:10])
            raise BargainError(f"no point has {name} = {value:g}; its values include {have}")
        keep &= match
    shown = ", ".join(f"{k} = {v:g}" for k, v in fixed.items())
    return frame[keep].reset_index(drop=True), f"{note} Shown: points with {shown}.".strip()


def lines_view(result: Framed | pd.DataFrame, what: str) -> tuple[pd.DataFrame, str, dict]:
    """The frame, note and space of a one-at-a-time sweep; ``what`` (e.g. "a tornado
    diagram") names the view in the error raised for any other sweep."""
    frame, note = view(result)
    space = frame.attrs.get("space") or {}
    if space.get("kind") != "one_at_a_time":
        raise BargainError(
            f"{what} needs a one-at-a-time sweep (bargain.spaces.one_at_a_time), "
            f"got a {space.get('kind', 'unknown')} space"
        )
    return frame, note, space


def check_columns(frame: pd.DataFrame, names: Sequence[str]) -> list[str]:
    """Return ``names`` if they are all columns of ``frame``, else raise with a suggestion."""
    for name in names:
        if name not in frame.columns:
            known = [str(c) for c in frame.columns]
            raise BargainError(
                f"unknown column {name!r}{did_you_mean(str(name), known)}; "
                f"columns: {', '.join(known)}"
            )
    return list(names)


def swept(frame: pd.DataFrame) -> tuple[str, ...]:
    """The swept parameters of a result frame (none for another frame)."""
    return tuple(frame.attrs.get("swept", ()))


def others_varying(frame: pd.DataFrame, used: Sequence[str]) -> list[str]:
    """The swept parameters besides ``used`` that still take several values in ``frame``."""
    return [p for p in swept(frame) if p not in used and p in frame and frame[p].nunique() > 1]


def axis_label(frame: pd.DataFrame, column: str) -> str:
    """The readers' name of a column, "Breakout time (months)" (``attrs["labels"]``),
    or the column's own name."""
    return str((frame.attrs.get("labels") or {}).get(column, column))


#: A point's outcome label where several equilibria remain and the selection rule picks
#: none of them (not to be read as "no equilibrium").
SEVERAL = "several equilibria"

#: A point's outcome label where the game has no equilibrium (found).
NO_EQUILIBRIUM = "no equilibrium"


def outcome_labels(frame: pd.DataFrame, by: str) -> np.ndarray:
    """The labels of column ``by`` as text, a missing one told apart by the point's
    ``n_equilibria``: :data:`SEVERAL` or :data:`NO_EQUILIBRIUM` ("none" in a frame
    without that column)."""
    labels = np.array([label_text(v) for v in frame[by]], dtype=object)
    if "n_equilibria" in frame:
        missing = labels == "none"
        count = frame["n_equilibria"].to_numpy(dtype=float)
        labels[missing] = np.where(count[missing] > 0, SEVERAL, NO_EQUILIBRIUM)
    return labels


def label_text(value: Any) -> str:
    """A label as text; a missing one (None, NaN, empty: no selected equilibrium) is "none"."""
    if isinstance(value, str):
        return value or "none"
    return "none" if value is None or pd.isna(value) else str(value)
