"""Tables of sweep results: Markdown and LaTeX, each followed by the reproducibility
note, and the regions of one outcome (:func:`regimes`).

Both renderers are written here, so neither ``tabulate`` nor ``jinja2`` is
needed. Every table takes a result frame (:mod:`bargain.frames`) or a sweep
result. A table is either a listing (one row per point, chosen columns) or,
with ``pivot=(row_param, col_param, value)``, the classic grid of one outcome
over two parameters. Numbers are formatted with ``floatfmt``; a column whose
values are all whole numbers is shown without decimals (unless ``floatfmt``
names it); flags show as "yes"/"no"; missing values (NaN, or no selected
equilibrium) show as an em dash.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .errors import BargainError
from .frames import Framed, check_columns, label_text, lines_view, others_varying, swept, view

#: How a missing value (NaN, None) is shown in Markdown; LaTeX uses ``---``.
MISSING = "—"

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
    # Under the default OT1 font encoding these print as other glyphs.
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
}


def to_markdown(
    result: Framed | pd.DataFrame,
    columns: Sequence[str] | None = None,
    pivot: tuple[str, str, str] | None = None,
    floatfmt: str | Mapping[str, str] = ".3g",
    long: bool = False,
    fixed: Mapping[str, float] | None = None,
) -> str:
    """A Markdown pipe table, then a line with the note (model, fixed values, rule, version).

    Parameters
    ----------
    result : a sweep result, or a DataFrame such as :func:`regimes`
        gives (a named index becomes the first column; ``attrs["note"]`` is the note).
    columns : the columns to show (default: the swept parameters, the measures and
        ``regime``); ignored with ``pivot``.
    pivot : ``(row_param, col_param, value)``: rows are the values of one parameter,
        columns those of another, cells the ``value`` column (a measure or a label).
    floatfmt : a format spec for numbers, or a mapping column -> spec (others ``.3g``).
    long : one row per equilibrium instead of per point.
    fixed : show only the points where these parameters have these values (e.g.
        when a third parameter is swept); they are added to the note.

    Examples
    --------
    >>> from bargain import GameTree, Param
    >>> from bargain import sweep
    >>> tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1)])
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": 0.3})
    >>> result = sweep(tree, {"relief": [0.1, 0.5]}, progress=False)
    >>> print(to_markdown(result, columns=["relief", "u_Iran", "regime"]))  # doctest: +ELLIPSIS
    | relief | u_Iran | regime |
    |-------:|-------:|:-------|
    |    0.1 |    0.3 | reject |
    |    0.5 |    0.5 | accept |
    <BLANKLINE>
    Note: Model model; fixed parameters: none; equilibrium selection: unique; 2 points; ...
    """
    table = _build(result, columns, pivot, floatfmt, long, fixed)
    header = list(table.header)
    if table.spanner is not None:
        header[1:] = [f"{table.spanner} = {h}" for h in header[1:]]
    cells = [[MISSING if c is None else c.replace("|", r"\|") for c in row] for row in table.body]
    header = [h.replace("|", r"\|") for h in header]
    widths = [max(len(h), *(len(row[j]) for row in cells)) for j, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if right else v.ljust(w) for v, w, right in zip(values, widths, table.right)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = (
        "|"
        + "|".join(
            ("-" * (w + 1) + ":") if right else (":" + "-" * (w + 1))
            for w, right in zip(widths, table.right)
        )
        + "|"
    )
    lines = [line(header), rule, *(line(row) for row in cells)]
    if table.note:
        lines += ["", f"Note: {table.note}"]
    return "\n".join(lines)


def to_latex(
    result: Framed | pd.DataFrame,
    columns: Sequence[str] | None = None,
    pivot: tuple[str, str, str] | None = None,
    caption: str | None = None,
    label: str | None = None,
    floatfmt: str | Mapping[str, str] = ".3g",
    long: bool = False,
    fixed: Mapping[str, float] | None = None,
) -> str:
    r"""A LaTeX ``table`` with booktabs rules and the note in small type below the tabular.

    The output needs only ``\usepackage{booktabs}``. Text cells, headers and the
    note are escaped (``_ & % $ # { } ~ ^ \`` and ``< > |``, which the default OT1
    encoding would misprint); ``caption`` and ``label`` are used as given (LaTeX).
    Minus signs are set as ``$-$``; missing values as ``---``. With ``pivot`` the
    column parameter's name spans the value columns (``\cmidrule``).

    Parameters
    ----------
    result, columns, pivot, floatfmt, long, fixed : as in :func:`to_markdown`.
    caption : the ``\caption`` text.
    label : the ``\label`` key (needs a caption).

    Examples
    --------
    >>> from bargain import GameTree, Param
    >>> from bargain import sweep
    >>> tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1)])
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": 0.3})
    >>> result = sweep(tree, {"relief": [0.1, 0.5]}, progress=False)
    >>> print(to_latex(result, ["relief", "u_Iran"], caption="Iran's payoff", label="t:iran"))
    ... # doctest: +ELLIPSIS
    \begin{table}[htbp]
    \centering
    \caption{Iran's payoff}
    \label{t:iran}
    \begin{tabular}{rr}
    \toprule
    relief & u\_Iran \\
    \midrule
    0.1 & 0.3 \\
    0.5 & 0.5 \\
    \bottomrule
    \end{tabular}
    \par\smallskip
    \begin{minipage}{\linewidth}
    \footnotesize Note: Model model; fixed parameters: none; ...
    \end{minipage}
    \end{table}
    """
    if label is not None and caption is None:
        raise BargainError(r"a \label needs a caption to refer to: pass caption= too")
    table = _build(result, columns, pivot, floatfmt, long, fixed)

    def cell(text: str | None, numeric: bool) -> str:
        if text is None:
            return "---"
        return text.replace("-", "$-$") if numeric else latex_escape(text)

    header = [cell(h, numeric) for h, numeric in zip(table.header, table.numeric_header)]
    spec = "".join("r" if right else "l" for right in table.right)
    lines = [r"\begin{table}[htbp]", r"\centering"]
    if caption is not None:
        lines.append(rf"\caption{{{caption}}}")
    if label is not None:
        lines.append(rf"\label{{{label}}}")
    lines += [rf"\begin{{tabular}}{{{spec}}}", r"\toprule"]
    if table.spanner is not None:
        n = len(header)
        lines += [
            rf" & \multicolumn{{{n - 1}}}{{c}}{{{latex_escape(table.spanner)}}} \\",
            rf"\cmidrule(lr){{2-{n}}}",
        ]
    lines += [" & ".join(header) + r" \\", r"\midrule"]
    lines += [
        " & ".join(cell(c, right) for c, right in zip(row, table.right)) + r" \\"
        for row in table.body
    ]
    lines += [r"\bottomrule", r"\end{tabular}"]
    if table.note:
        lines += [
            r"\par\smallskip",
            r"\begin{minipage}{\linewidth}",
            rf"\footnotesize Note: {latex_escape(table.note)}",
            r"\end{minipage}",
        ]
    lines.append(r"\end{table}")
    return "\n".join(lines)


def latex_escape(text: str) -> str:
    r"""Escape the characters LaTeX treats specially in text.

    Examples
    --------
    >>> print(latex_escape("propose>accept | u_US & 5% ~ {x}"))
    propose\textgreater{}accept \textbar{} u\_US \& 5\% \textasciitilde{} \{x\}
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


# -- building a table ------------------------------------------------------------------------


@dataclass
class _Table:
    header: list[str]
    right: list[bool]  # right-aligned (numeric) columns
    numeric_header: list[bool]  # header cells that are numbers (pivot column values)
    body: list[list[str | None]]  # None is a missing value
    note: str
    spanner: str | None = None  # with a pivot: the column parameter's name


def _build(
    result: Framed | pd.DataFrame,
    columns: Sequence[str] | None,
    pivot: tuple[str, str, str] | None,
    floatfmt: str | Mapping[str, str],
    long: bool,
    fixed: Mapping[str, float] | None,
) -> _Table:
    frame, note = view(result, fixed, long)
    if pivot is not None:
        return _pivot(frame, note, pivot, floatfmt)
    if columns is None:
        columns = _default_columns(frame, long)
    columns = check_columns(frame, columns)
    specs = _specs(frame, columns, floatfmt)
    body = [[_cell(v, specs[c]) for c, v in zip(columns, row)] for row in frame[columns].values]
    right = [_numeric(frame[c]) for c in columns]
    return _Table(list(columns), right, [False] * len(columns), body, note)


def _default_columns(frame: pd.DataFrame, long: bool) -> list[str]:
    """A result frame's parameters, measures and regime; every column of another frame."""
    if "measures" not in frame.attrs:
        return [str(c) for c in frame.columns]
    columns = [*(["point"] if long else []), *swept(frame), *frame.attrs["measures"], "regime"]
    return [c for c in columns if c in frame]


def _pivot(
    frame: pd.DataFrame,
    note: str,
    pivot: tuple[str, str, str],
    floatfmt: str | Mapping[str, str],
) -> _Table:
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
    grid = frame.pivot(index=row, columns=col, values=value)
    specs = _specs(frame, [row, col, value], floatfmt)
    header = [row, *(_cell(v, specs[col]) or MISSING for v in grid.columns)]
    body = [
        [_cell(r, specs[row]), *(_cell(v, specs[value]) for v in values)]
        for r, values in zip(grid.index, grid.to_numpy())
    ]
    n = grid.shape[1]
    right = [_numeric(frame[row]), *[_numeric(frame[value])] * n]
    numeric_header = [False, *[_numeric(frame[col])] * n]
    note = f"Cells: {value}. {note}".strip()
    return _Table(header, right, numeric_header, body, note, spanner=col)


def _numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def _specs(
    frame: pd.DataFrame, columns: Sequence[str], floatfmt: str | Mapping[str, str]
) -> dict[str, str]:
    """The format spec of each column: whole-number columns get ``d`` unless named."""
    given = dict(floatfmt) if isinstance(floatfmt, Mapping) else {}
    if isinstance(floatfmt, Mapping):
        check_columns(frame, list(given))
    default = ".3g" if isinstance(floatfmt, Mapping) else floatfmt
    specs = {}
    for column in columns:
        spec = given.get(column, default)
        series = frame[column]
        if column not in given and _numeric(series):
            values = series.to_numpy(dtype=float)
            finite = values[np.isfinite(values)]
            if (finite == np.round(finite)).all() and (np.abs(finite) < 1e15).all():
                spec = "d"
        try:
            format(1 if spec == "d" else 1.5, spec)
        except ValueError:
            raise BargainError(f"invalid number format {spec!r} for column {column!r}") from None
        specs[column] = spec
    return specs


def _cell(value: Any, spec: str) -> str | None:
    """One value as text (None if missing)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | float | np.number):
        return format(round(value) if spec == "d" else float(value), spec)
    return str(value)


def regimes(result: Framed | pd.DataFrame, by: str = "regime") -> pd.DataFrame:
    """The regions of the swept space with one equilibrium outcome.

    One row per distinct value of the label column ``by`` ("regime": the selected
    equilibrium, "none" where no equilibrium is selected; or "equilibria": every
    equilibrium at the point), most common first, with the number and share of
    points and, for each swept parameter, its smallest and largest value there.
    The bounds are those of the region's bounding box: a region need not be an
    interval. ``frame.attrs["note"]`` holds the result's note.

    Examples
    --------
    >>> from bargain import GameTree, Param, sweep
    >>> tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1)])
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": 0.3})
    >>> result = sweep(tree, {"relief": [0, 0.2, 0.4, 0.6, 0.8, 1]}, progress=False)
    >>> regimes(result)  # doctest: +NORMALIZE_WHITESPACE
            points  share  relief_min  relief_max
    regime
    accept       4  0.667         0.4         1.0
    reject       2  0.333         0.0         0.2
    """
    frame, note = view(result)
    check_columns(frame, [by])
    params = swept(frame)
    labels = pd.DataFrame({by: [label_text(v) for v in frame[by]], **{p: frame[p] for p in params}})
    groups = labels.groupby(by, sort=False)
    out = pd.DataFrame({"points": groups.size()})
    out["share"] = (out["points"] / len(labels)).round(3)
    for p in params:
        out[f"{p}_min"] = groups[p].min()
        out[f"{p}_max"] = groups[p].max()
    out = out.sort_values("points", ascending=False, kind="stable")
    out.attrs["note"] = note
    return out


#: How a measure moves along a parameter's line: rises, falls, both, not at all.
DIRECTION = {(True, False): "+", (False, True): "−", (True, True): "±", (False, False): "0"}


def directions(
    result: Framed | pd.DataFrame, measures: Sequence[str] | None = None
) -> pd.DataFrame:
    """Comparative statics read off a one-at-a-time sweep: the sign table of a model
    whose measures have no closed form (linked values, numeric solvers).

    One row per parameter (``name [low, high]``), one column per measure: ``+`` where
    the measure rises (weakly, and somewhere strictly) as that parameter alone crosses
    its range with the others at their defaults, ``−`` where it falls, ``0`` where it
    does not move, ``±`` where it does both, ``?`` where it is undefined somewhere on
    the line. Moves smaller than 1e-9 of the measure's scale count as none.

    Examples
    --------
    >>> from bargain import GameTree, Param, sweep
    >>> from bargain.spaces import one_at_a_time
    >>> params = [Param("relief", 0.5, 0, 1), Param("cost", 0.3, 0, 1)]
    >>> tree = GameTree(["Iran"], params=params)
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": "-cost"})
    >>> result = sweep(tree, one_at_a_time(tree.params, num=5), progress=False)
    >>> directions(result, ["u_Iran"])  # doctest: +NORMALIZE_WHITESPACE
                 u_Iran
    parameter
    relief [0, 1]     +
    cost [0, 1]       0
    """
    frame, note, space = lines_view(result, "a table of directions")
    names = list(measures) if measures is not None else list(frame.attrs.get("measures", ()))
    check_columns(frame, names)
    lines, num = space["ranges"], int(space["num"])
    out = {}
    for name in names:
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        values = values.reshape(len(lines), num)
        scale = 1e-9 * max(1.0, float(np.nanmax(np.abs(values), initial=0.0)))
        steps = np.diff(values, axis=1)
        cells = [DIRECTION[bool((s > scale).any()), bool((s < -scale).any())] for s in steps]
        out[name] = np.where(np.isfinite(values).all(axis=1), cells, "?")
    index = pd.Index([f"{p} [{low:g}, {high:g}]" for p, low, high in lines], name="parameter")
    table = pd.DataFrame(out, index=index)
    table.attrs["note"] = (
        "Direction of each measure as one parameter alone rises over its range "
        f"({num} values), the others at their defaults: + rises, − falls, 0 does not move, "
        f"± both, ? undefined somewhere. {note}"
    ).strip()
    return table
