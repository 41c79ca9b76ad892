"""A table's cells before rendering: a listing of chosen columns, or a pivot of one
outcome over two parameters with short codes for labels and merged runs.

A pivot's label cells (a regime such as ``propose>accept>comply>keep``) are
replaced by codes A, B, C, ... in the order a reader meets them, with the key in
the table's note; a point where several equilibria remain and the selection rule
picks none reads "several equilibria", and "no equilibrium" only where there is
none (:func:`bargain.frames.outcome_labels`). ``merge`` joins runs of equal
adjacent rows and columns (or only ``"rows"`` or ``"columns"``) into one, headed by
the range of values (0.1–0.3).
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from bargain.errors import BargainError
from bargain.frames import (
    Framed,
    axis_label,
    check_columns,
    others_varying,
    outcome_labels,
    swept,
    view,
)

from .numbers import formats, numeric

#: Joins the ends of a merged run of parameter values (an en dash).
RANGE = "–"

#: What a pivot may merge: rows and columns (True), one of them, or nothing.
MERGES = (True, False, "rows", "columns")


@dataclass
class Table:
    """Rendered text of every cell; None is a missing value."""

    header: list[str]
    align: list[str]  # per column: "r" numbers, "l" text, "c" codes
    numeric_header: list[bool]  # header cells that are numbers (pivot column values)
    body: list[list[str | None]]
    note: str
    spanner: str | None = None  # with a pivot: the column parameter's readers' name
    key: dict[str, str] = field(default_factory=dict)  # code -> label of a coded pivot


def build(
    result: Framed | pd.DataFrame,
    columns: Sequence[str] | None,
    pivot: tuple[str, str, str] | None,
    floatfmt: str | Mapping[str, str] | None,
    long: bool,
    fixed: Mapping[str, float] | None,
    codes: bool = False,
    merge: bool | str = False,
) -> Table:
    """The cells of a listing (``columns``) or of a ``pivot`` (see :mod:`bargain.tables`)."""
    frame, note = view(result, fixed, long)
    if pivot is not None:
        return _pivot(frame, note, pivot, floatfmt, codes, merge)
    if columns is None:
        columns = _default_columns(frame, long)
    columns = check_columns(frame, columns)
    specs = formats(frame, columns, floatfmt)
    values = {c: _labels(frame, c) for c in columns}
    body = [[specs[c].text(values[c][i]) for c in columns] for i in range(len(frame))]
    align = ["r" if numeric(frame[c]) else "l" for c in columns]
    header = [axis_label(frame, c) for c in columns]
    return Table(header, align, [False] * len(columns), body, note)


def _default_columns(frame: pd.DataFrame, long: bool) -> list[str]:
    """A result frame's parameters, measures and regime; every column of another frame."""
    if "measures" not in frame.attrs:
        return [str(c) for c in frame.columns]
    columns = [*(["point"] if long else []), *swept(frame), *frame.attrs["measures"], "regime"]
    return [c for c in columns if c in frame]


def _labels(frame: pd.DataFrame, column: str) -> Sequence[object]:
    """A column's values; a label column of a result says why a label is missing."""
    series = frame[column]
    result = "measures" in frame.attrs and "n_equilibria" in frame
    if not result or numeric(series) or pd.api.types.is_bool_dtype(series):
        return series.tolist()
    return list(outcome_labels(frame, column))


def _pivot(
    frame: pd.DataFrame,
    note: str,
    pivot: tuple[str, str, str],
    floatfmt: str | Mapping[str, str] | None,
    codes: bool,
    merge: bool | str,
) -> Table:
    if not (isinstance(pivot, tuple | list) and len(pivot) == 3):
        raise BargainError(f"pivot must be (row_param, col_param, value), got {pivot!r}")
    row, col, value = check_columns(frame, list(pivot))
    if frame.duplicated([row, col]).any():
        others = others_varying(frame, (row, col))
        hint = (
            f"the result also sweeps {', '.join(others)}: pass fixed={{{others[0]!r}: value}}"
            if others
            else "filter the rows first"
        )
        raise BargainError(f"pivot needs one row per ({row}, {col}) pair; {hint}")
    label = not numeric(frame[value])
    cells = frame.assign(**{value: _labels(frame, value)})
    grid = cells.pivot(index=row, columns=col, values=value)
    specs = formats(frame, [row, col, value], floatfmt)
    inner = [[specs[value].text(v) for v in values] for values in grid.to_numpy()]
    key: dict[str, str] = {}
    if label and codes:
        inner, key = _coded(inner)
    rows = [specs[row].text(v) or "" for v in grid.index]
    cols = [specs[col].text(v) or "" for v in grid.columns]
    if merge not in MERGES:
        raise BargainError(f"merge must be True, False, 'rows' or 'columns', got {merge!r}")
    if merge in (True, "rows"):
        rows, inner = _merged(rows, inner)
    if merge in (True, "columns"):
        cols, flipped = _merged(cols, [list(c) for c in zip(*inner)])
        inner = [list(r) for r in zip(*flipped)]
    body = [[r, *cells_] for r, cells_ in zip(rows, inner)]
    n = len(cols)
    cell_align = "c" if key else "l" if label else "r"
    align = ["r" if numeric(frame[row]) else "l", *[cell_align] * n]
    numeric_header = [False, *[numeric(frame[col])] * n]
    what = axis_label(frame, value)
    legend = f" ({'; '.join(f'{c} = {t}' for c, t in key.items())})" if key else ""
    note = f"Cells: {what}{legend}. {note}".strip()
    header = [axis_label(frame, row), *cols]
    return Table(header, align, numeric_header, body, note, axis_label(frame, col), key)


def _coded(cells: list[list[str | None]]) -> tuple[list[list[str | None]], dict[str, str]]:
    """Labels replaced by codes A, B, ... in reading order, and the key code -> label."""
    order: dict[str, str] = {}
    for line in cells:
        for text in line:
            if text is not None and text not in order:
                order[text] = _code(len(order))
    coded = [[None if t is None else order[t] for t in line] for line in cells]
    return coded, {code: text for text, code in order.items()}


def _code(i: int) -> str:
    """The ``i``-th code: A..Z, then AA, AB, ..."""
    letters = string.ascii_uppercase
    return letters[i] if i < 26 else _code(i // 26 - 1) + letters[i % 26]


def _merged(
    heads: list[str], lines: list[list[str | None]]
) -> tuple[list[str], list[list[str | None]]]:
    """Runs of equal adjacent lines joined into one, headed ``first–last``."""
    out_heads: list[str] = []
    out_lines: list[list[str | None]] = []
    start = 0
    for i in range(1, len(lines) + 1):
        if i == len(lines) or lines[i] != lines[start]:
            head = heads[start] if i - 1 == start else f"{heads[start]}{RANGE}{heads[i - 1]}"
            out_heads.append(head)
            out_lines.append(lines[start])
            start = i
    return out_heads, out_lines
