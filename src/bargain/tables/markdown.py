"""Markdown pipe tables, followed by the note."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from bargain.frames import Framed

from .grid import build

#: How a missing value (NaN, None) is shown in Markdown; LaTeX uses ``---``.
MISSING = "—"


def _rule(width: int, align: str) -> str:
    """The rule under a header cell: its alignment in colons, its width in dashes."""
    return {"r": "-" * (width + 1) + ":", "l": ":" + "-" * (width + 1)}.get(
        align, ":" + "-" * width + ":"
    )


def to_markdown(
    result: Framed | pd.DataFrame,
    columns: Sequence[str] | None = None,
    pivot: tuple[str, str, str] | None = None,
    floatfmt: str | Mapping[str, str] | None = None,
    long: bool = False,
    fixed: Mapping[str, float] | None = None,
    codes: bool = False,
    merge: bool | str = False,
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
    floatfmt : a format spec for numbers, or a mapping column -> spec; by default each
        column gets one number of decimals (:mod:`bargain.tables.numbers`).
    long : one row per equilibrium instead of per point.
    fixed : show only the points where these parameters have these values (e.g.
        when a third parameter is swept); they are added to the note.
    codes : a label pivot's cells as codes A, B, ... with the key in the note (the
        default of LaTeX tables; Markdown tables, read on screens, write the labels).
    merge : join runs of equal adjacent rows and columns of a pivot (``0.1–0.3``);
        ``"rows"`` or ``"columns"`` joins only those.

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
    table = build(result, columns, pivot, floatfmt, long, fixed, codes, merge)
    header = list(table.header)
    if table.spanner is not None:
        header[1:] = [f"{table.spanner} = {h}" for h in header[1:]]
    cells = [[MISSING if c is None else c.replace("|", r"\|") for c in row] for row in table.body]
    header = [h.replace("|", r"\|") for h in header]
    widths = [max([len(h), *(len(row[j]) for row in cells)]) for j, h in enumerate(header)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if a == "r" else v.center(w) if a == "c" else v.ljust(w)
            for v, w, a in zip(values, widths, table.align)
        ]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join(_rule(w, a) for w, a in zip(widths, table.align)) + "|"
    lines = [line(header), rule, *(line(row) for row in cells)]
    if table.note:
        lines += ["", f"Note: {table.note}"]
    return "\n".join(lines)
