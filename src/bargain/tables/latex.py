r"""LaTeX tables a journal accepts: booktabs rules, the note below, sized for the page.

The output uses only ``booktabs``, and ``longtable`` or ``rotating`` / ``pdflscape``
for the layouts that need them. Whether a table fits is estimated from its cells
(:func:`page_fit`): Computer Modern at 10 pt averages about :data:`CHAR_PT` per
character, on a text block of :data:`TEXT_WIDTH_PT` by :data:`TEXT_HEIGHT_PT`
(the ``article`` class; journal templates are as wide or wider).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

import pandas as pd

from bargain.errors import BargainError, BargainWarning
from bargain.frames import Framed

from .grid import Table, build

#: Width and height of the text block, in points (``article``, 10 pt).
TEXT_WIDTH_PT, TEXT_HEIGHT_PT = 345.0, 550.0

#: Average width of a character of Computer Modern at 10 pt, in points (generous).
CHAR_PT = 5.5

#: Space between two columns (2 ``\tabcolsep``) and height of a row, in points.
COLUMN_SEP_PT, ROW_PT = 12.0, 12.0

#: The layouts: a float, a float on its own landscape page, a table broken across pages,
#: one broken across landscape pages; "auto" picks the first that fits.
Layout = Literal["table", "landscape", "longtable", "landscape-longtable", "auto"]
LAYOUTS = ("table", "landscape", "longtable", "landscape-longtable", "auto")

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
    "–": "--",
    "−": "$-$",
}


#: The text block each layout offers, width by height in points.
_PAGE = {
    "table": (TEXT_WIDTH_PT, TEXT_HEIGHT_PT),
    "landscape": (TEXT_HEIGHT_PT, TEXT_WIDTH_PT),
    "longtable": (TEXT_WIDTH_PT, math.inf),
    "landscape-longtable": (TEXT_HEIGHT_PT, math.inf),
}


class PageFit(NamedTuple):
    """A table's estimated size in points."""

    width: float
    height: float

    def fits(self, layout: str) -> bool:
        width, height = _PAGE[layout]
        return self.width <= width and self.height <= height

    def layout(self) -> str:
        """The first layout the table fits (the last, landscape-longtable, if none)."""
        return next((name for name in _PAGE if self.fits(name)), "landscape-longtable")


def page_fit(table: Table, caption: str | None) -> PageFit:
    """The estimated width and height of a rendered table (see the module's docstring)."""
    widths = [
        max(len(c or "---") for c in column) * CHAR_PT + COLUMN_SEP_PT
        for column in zip(table.header, *table.body)
    ]
    width = sum(widths)
    if table.spanner is not None:
        spanned = len(table.spanner) * CHAR_PT + COLUMN_SEP_PT
        width = widths[0] + max(sum(widths[1:]), spanned)
    rows = len(table.body) + 2 + (table.spanner is not None)
    caption_lines = math.ceil(len(caption or "") * CHAR_PT / TEXT_WIDTH_PT)
    note_lines = math.ceil(0.8 * len(table.note) * CHAR_PT / TEXT_WIDTH_PT)
    return PageFit(width, (rows + caption_lines + 0.8 * note_lines) * ROW_PT)


def to_latex(
    result: Framed | pd.DataFrame,
    columns: Sequence[str] | None = None,
    pivot: tuple[str, str, str] | None = None,
    caption: str | None = None,
    label: str | None = None,
    floatfmt: str | Mapping[str, str] | None = None,
    long: bool = False,
    fixed: Mapping[str, float] | None = None,
    codes: bool = True,
    merge: bool | str = False,
    layout: Layout = "table",
) -> str:
    r"""A LaTeX table with booktabs rules and the note in small type below the tabular.

    Text cells, headers and the note are escaped (``_ & % $ # { } ~ ^ \`` and
    ``< > |``, which the default OT1 encoding would misprint); ``caption`` and
    ``label`` are used as given (LaTeX). Minus signs are set as ``$-$``; missing
    values as ``---``. With ``pivot`` the column parameter's name spans the value
    columns (``\cmidrule``). A table estimated wider or longer than the page
    (:func:`page_fit`) warns and names the layout that fits.

    Parameters
    ----------
    result, columns, pivot, floatfmt, long, fixed, codes, merge : as in
        :func:`~bargain.tables.to_markdown`.
    caption : the ``\caption`` text.
    label : the ``\label`` key (needs a caption).
    layout : "table" (a float; needs only booktabs), "landscape" (a ``sidewaystable``
        of the ``rotating`` package), "longtable" (broken across pages, the header
        repeated; the ``longtable`` package), "landscape-longtable" (that on landscape
        pages; ``pdflscape``), or "auto": the first of these the table fits.

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
    <BLANKLINE>
    """
    if label is not None and caption is None:
        raise BargainError(r"a \label needs a caption to refer to: pass caption= too")
    if layout not in LAYOUTS:
        raise BargainError(f"layout must be one of {', '.join(LAYOUTS)}, got {layout!r}")
    table = build(result, columns, pivot, floatfmt, long, fixed, codes, merge)
    fit = page_fit(table, caption)
    chosen = fit.layout() if layout == "auto" else layout
    _warn_unless_fits(fit, chosen)
    head = _head(table, caption, label)
    rows = [" & ".join(map(_cell, row, table.align)) + r" \\" for row in table.body]
    note = rf"\footnotesize Note: {latex_escape(table.note)}" if table.note else ""
    if chosen.endswith("longtable"):
        lines = _longtable(table, head, rows, note)
        if chosen == "landscape-longtable":
            lines = [r"\begin{landscape}", *lines, r"\end{landscape}"]
    else:
        float_ = "sidewaystable" if chosen == "landscape" else "table"
        lines = [rf"\begin{{{float_}}}" + ("[htbp]" if float_ == "table" else ""), r"\centering"]
        lines += [*head["caption"], rf"\begin{{tabular}}{{{head['spec']}}}", r"\toprule"]
        lines += [*head["header"], r"\midrule", *rows, r"\bottomrule", r"\end{tabular}"]
        if note:
            lines += [r"\par\smallskip", r"\begin{minipage}{\linewidth}", note, r"\end{minipage}"]
        lines.append(rf"\end{{{float_}}}")
    return "\n".join(lines) + "\n"


def latex_escape(text: str) -> str:
    r"""Escape the characters LaTeX treats specially in text.

    Examples
    --------
    >>> print(latex_escape("propose>accept | u_US & 5% ~ {x}"))
    propose\textgreater{}accept \textbar{} u\_US \& 5\% \textasciitilde{} \{x\}
    """
    return "".join(_LATEX_SPECIAL.get(ch, ch) for ch in text)


def _cell(text: str | None, align: str) -> str:
    """A cell: missing as ``---``, a number's minus sign in math, text escaped."""
    if text is None:
        return "---"
    return latex_escape(text.replace("-", "−") if align == "r" else text)


def _head(table: Table, caption: str | None, label: str | None) -> dict[str, list[str] | str]:
    """The caption lines, the column spec and the header rows of a table."""
    numbers = ["r" if n else a for n, a in zip(table.numeric_header, table.align)]
    header = [_cell(h, a) for h, a in zip(table.header, numbers)]
    lines = []
    if table.spanner is not None:
        n = len(header)
        lines += [
            rf" & \multicolumn{{{n - 1}}}{{c}}{{{latex_escape(table.spanner)}}} \\",
            rf"\cmidrule(lr){{2-{n}}}",
        ]
    lines.append(" & ".join(header) + r" \\")
    titles = [rf"\caption{{{caption}}}"] if caption is not None else []
    titles += [rf"\label{{{label}}}"] if label is not None else []
    return {"caption": titles, "spec": "".join(table.align), "header": lines}


def _longtable(
    table: Table, head: dict[str, list[str] | str], rows: list[str], note: str
) -> list[str]:
    """A ``longtable``: caption and header on the first page, the header repeated after."""
    n = len(table.header)
    caption = ["".join(head["caption"]) + r" \\"] if head["caption"] else []
    lines = [rf"\begin{{longtable}}{{{head['spec']}}}", *caption, r"\toprule", *head["header"]]
    lines += [r"\midrule", r"\endfirsthead", r"\toprule", *head["header"], r"\midrule", r"\endhead"]
    lines += [r"\midrule", rf"\multicolumn{{{n}}}{{r}}{{\footnotesize continued}} \\", r"\endfoot"]
    lines += [r"\bottomrule", r"\endlastfoot", *rows, r"\end{longtable}"]
    if note:
        lines += [r"\par\smallskip\noindent", r"\begin{minipage}{\linewidth}", note]
        lines.append(r"\end{minipage}")
    return lines


def _warn_unless_fits(fit: PageFit, layout: str) -> None:
    """Warn when the table will not fit its layout, naming one that would."""
    if fit.fits(layout):
        return
    better = fit.layout()
    advice = (
        f"layout={better!r} fits it"
        if fit.fits(better)
        else "show fewer columns, merge=True, or split it"
    )
    width, height = _PAGE[layout]
    warnings.warn(
        f"the table is about {fit.width:.0f} pt wide and {fit.height:.0f} pt long; a "
        f"{layout} holds {width:.0f} pt by {height:.0f} pt: {advice}",
        BargainWarning,
        stacklevel=3,
    )
