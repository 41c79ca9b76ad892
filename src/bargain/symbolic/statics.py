"""Comparative statics: derivatives of equilibrium measures, regime by regime, and their signs.

In each regime where a measure has a closed form, :func:`derivative` gives
``d measure / d param`` (``min``/``max``/``where`` are split into their
pieces first, so the derivative is a ``Piecewise`` rather than Heaviside
steps), tidied, with its sign on the part of the bounds where the regime
holds (:func:`bargain.algebra.sign_of`). A measure defined by a first-order
condition ``F(x, params) = 0`` (an interior optimum, such as a screening
offer) is differentiated by the implicit-function theorem,
``dx/dp = -F_p / F_x``, at its closed form where one is known.
:func:`sign_table` gathers every measure-parameter pair the way papers present
comparative statics; :func:`bargain.tables.to_markdown` and
:func:`bargain.tables.to_latex` print it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy

from bargain.algebra import SYMBOLS, Case, Sign, box_of, sign_of, step, tidy

from .regimes import ModelDerivation

if TYPE_CHECKING:
    import pandas as pd


#: The regime column of a measure that has one formula in every regime.
EVERY_REGIME = "every regime"


@dataclass(frozen=True)
class Derivative:
    """``d measure / d param`` in one regime, and its sign where the regime holds.

    ``expr`` is None (and the sign undecided) for a measure with more than
    ``MAX_KINKS`` distinct ``min``/``max``/``abs``/``where``: its pieces are too many to
    open; differentiate a simpler measure, or that measure regime by regime."""

    regime: str
    measure: str
    param: str
    expr: sympy.Basic | None
    sign: Sign
    implicit: bool = False

    def __str__(self) -> str:
        where = f" where {self.sign.positive_where}" if self.sign.name == "depends" else ""
        return (
            f"d{self.measure}/d{self.param} in {self.regime}: {self.expr} ({self.sign.name}{where})"
        )


#: Most distinct kinks (``min``, ``max``, ``abs``, ``where``) a differentiated measure may
#: have: opening them gives up to 2 ** MAX_KINKS pieces, each differentiated and signed.
MAX_KINKS = 4
_KINKS = (sympy.Min, sympy.Max, sympy.Abs, sympy.Piecewise)


def kinks(expr: sympy.Basic) -> int:
    """How many distinct ``min``/``max``/``abs``/``where`` an expression has."""
    return len(expr.atoms(*_KINKS))


@functools.lru_cache(maxsize=1024)
def _smooth(expr: sympy.Basic) -> sympy.Basic:
    """``min``/``max``/``abs``/``where`` as one ``Piecewise`` whose pieces are smooth."""
    if not expr.has(*_KINKS):
        return expr
    return sympy.piecewise_fold(expr.rewrite(sympy.Piecewise), evaluate=False)


def _differentiate(regime: Case, measure: str, p: sympy.Symbol) -> tuple[sympy.Basic | None, bool]:
    """The derivative (None when the measure has more than MAX_KINKS kinks) and whether it
    came from a first-order condition."""
    if measure in regime.implicit:
        x = sympy.Symbol(measure)
        foc = _smooth(regime.implicit[measure])
        slope = -sympy.diff(foc, p) / sympy.diff(foc, x)
        if measure in regime.values:
            slope = slope.xreplace({x: regime.values[measure]})
        return tidy(slope), True
    value = regime.values[measure]
    if p not in value.free_symbols:
        return sympy.S.Zero, False
    if kinks(value) > MAX_KINKS:
        return None, False
    return _zero_pieces(tidy(sympy.diff(_smooth(value), p))), False


def _zero_pieces(expr: sympy.Basic) -> sympy.Basic:
    """0 for a ``Piecewise`` whose every piece is 0 (a step function's derivative)."""
    if isinstance(expr, sympy.Piecewise) and all(e == 0 for e, _ in expr.args):
        return sympy.S.Zero
    return expr


def derivative(
    derivation: ModelDerivation, measure: str, param: str, regime: str | None = None
) -> list[Derivative]:
    """``d measure / d param`` in each regime that expresses the measure (or in one)."""
    derivation.check_measure(measure)
    p = derivation.symbol(param)
    box = box_of(derivation.params)
    regimes = [derivation.regime(regime)] if regime is not None else derivation.regimes
    # regimes that differ only off the path share a label and, mostly, the measure:
    # one derivative for them, signed where any of them holds
    groups: dict[tuple[str, sympy.Basic, sympy.Basic | None], list[Case]] = {}
    for r in regimes:
        if measure in r.values or measure in r.implicit:
            key = (r.label, r.values.get(measure), r.implicit.get(measure))
            groups.setdefault(key, []).append(r)
    forms = {key[1:] for key in groups}
    if regime is None and len(forms) == 1 and sum(map(len, groups.values())) == len(regimes):
        # one formula in every regime (a measure of the parameters alone): signed once,
        # over the whole box
        (form,) = forms
        groups = {(EVERY_REGIME, *form): [dataclasses.replace(regimes[0], conditions=())]}
    out = []
    everywhere: dict[sympy.Basic, Sign] = {}  # a sign shown on the whole box holds in any regime
    for (label, _, _), group in groups.items():
        with step(f"differentiating {measure} by {param} in the regime {label}"):
            expr, implicit = _differentiate(group[0], measure, p)
        if expr is None:
            out.append(Derivative(label, measure, param, None, Sign("undecided"), implicit))
            continue
        with step(f"finding the sign of d{measure}/d{param} in the regime {label}"):
            if expr not in everywhere:  # a quick look at the whole box first
                everywhere[expr] = sign_of(expr, box, witness=False)
            sign = everywhere[expr]
            if sign.name in ("depends", "undecided"):
                sign = sign_of(expr, box, sympy.Or(*(r.where for r in group)))
        out.append(Derivative(label, measure, param, expr, sign, implicit))
    return out


def sign_table(
    derivation: ModelDerivation,
    measures: Sequence[str] | None = None,
    params: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every measure-parameter pair's derivative and sign, regime by regime.

    Columns: ``regime``, ``measure``, ``param``, ``sign`` (``+ − 0 ≥ 0 ≤ 0 ± ?``),
    ``positive where`` (for ``±``: the condition, as formula text) and
    ``derivative`` (formula text). Measures default to every derived one,
    parameters to all; a derivative that is zero in every regime is listed
    as such, so the table shows what does not move a measure too.
    """
    import pandas as pd

    from bargain.formula import to_text

    names = list(measures) if measures is not None else derivation.measure_names
    wrt = list(params) if params is not None else list(derivation.params.names)
    rows = []
    for m in names:
        for p in wrt:
            for d in derivative(derivation, m, p):
                where = d.sign.positive_where if d.sign.name == "depends" else None
                rows.append(
                    {
                        "regime": d.regime,
                        "measure": m,
                        "param": p,
                        "sign": d.sign.symbol,
                        "positive where": "" if where is None else to_text(where),
                        "derivative": (
                            to_text(d.expr)
                            if d.expr is not None
                            else f"not derived: more than {MAX_KINKS} kinks (min/max/abs/where)"
                        ),
                    }
                )
    frame = pd.DataFrame(
        rows, columns=["regime", "measure", "param", "sign", "positive where", "derivative"]
    )
    frame.attrs["title"] = f"Comparative statics of {derivation.model}"
    held = ", ".join(derivation.held)
    frame.attrs["note"] = (
        f"Model {derivation.model}"
        + (f" {derivation.cite}" if derivation.cite else "")
        + "; signs on the declared bounds where each regime holds "
        "(+ positive, − negative, 0 zero, ± depends, ? undecided)"
        + (f"; linked values held fixed as symbols: {held}" if held else "")
    )
    return frame


def sign_matrix(table: pd.DataFrame) -> pd.DataFrame:
    """A :func:`sign_table` the way papers print it: a row per regime and measure, a column
    per parameter, the sign in each cell; measures constant in a regime are left out
    (``attrs["constant"]`` lists them), and the conditions of ``±`` cells are numbered
    footnotes (``attrs["footnotes"]``)."""
    import pandas as pd

    footnotes: list[str] = []
    cells: dict[tuple[str, str], dict[str, str]] = {}
    constant = []
    for (regime, measure), group in table.groupby(["regime", "measure"], sort=False):
        if (group["sign"] == SYMBOLS["zero"]).all():
            constant.append((regime, measure))
            continue
        row = {}
        for _, r in group.iterrows():
            mark = r["sign"]
            if r["positive where"]:
                footnotes.append(
                    f"{r['measure']} in {r['param']}, {regime}: + where {r['positive where']}"
                )
                mark += f" [{len(footnotes)}]"
            seen = row.get(r["param"])
            row[r["param"]] = mark if seen in (None, mark) else f"{seen} / {mark}"
        cells[(regime, measure)] = row
    params = list(dict.fromkeys(table["param"]))
    if not cells:
        frame = pd.DataFrame(columns=["regime", "measure", *params])
        frame.attrs = {**table.attrs, "constant": constant, "footnotes": footnotes}
        return frame
    frame = pd.DataFrame.from_dict(cells, orient="index", columns=params).fillna("")
    frame.index = pd.MultiIndex.from_tuples(list(cells), names=["regime", "measure"])
    frame = frame.reset_index()
    frame.attrs = {**table.attrs, "constant": constant, "footnotes": footnotes}
    return frame
