"""Regime boundaries and thresholds in closed form, checked against the numeric finder.

- :func:`boundaries` solves each condition of each regime for one parameter:
  the edge of the regime as a formula of the others ("the least relief that
  makes a deal acceptable");
- :func:`solve_for` solves ``measure = value`` for a parameter in each regime;
- :func:`closed_threshold` is :func:`bargain.thresholds.threshold` in closed
  form: among the boundaries and level crossings inside the bracket it takes
  the first where the derived measure changes, evaluates its formula at the
  point, and runs the numeric finder as well, so the two can be compared; when
  no formula is found (sympy cannot solve, or the time budget runs out) the
  numeric threshold answers and ``message`` says why;
- :func:`boundary_curves` draws regime edges over a two-parameter slice, for
  :func:`bargain.plots.regime_map`'s ``curves``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.core.relational import Relational

from bargain import formula
from bargain.algebra import Case, DerivationTimeout, domain_conditions, step, tidy, truth_at
from bargain.errors import BargainError, ModelError
from bargain.thresholds import Threshold, threshold

from .regimes import ModelDerivation
from .run import derive

if TYPE_CHECKING:
    from bargain.model import Model


#: Longest formula a curve is named by in a legend.
SHORT = 48


@dataclass(frozen=True)
class Boundary:
    """Where ``param`` equals ``solution`` (a formula of the others) in a regime.

    ``source`` is the condition solved (a regime edge) or ``measure = value``;
    ``where`` the branch of ``min``/``max``/``where`` in the source on which this
    solution holds (``true``: everywhere); ``domain`` where the solution is defined
    (its denominators nonzero, ...); ``rest`` the regime's other conditions, which
    hold along the part of the edge that bounds the regime.
    """

    regime: str
    param: str
    solution: sympy.Basic
    source: sympy.Basic
    where: sympy.Basic = sympy.true
    domain: tuple[sympy.Basic, ...] = ()
    rest: sympy.Basic = sympy.true

    def __str__(self) -> str:
        branch = "" if self.where is sympy.true else f" where {formula.to_text(self.where)}"
        return (
            f"{self.param} = {formula.to_text(self.solution)}{branch}  "
            f"({self.regime}: {self.source})"
        )


def _relations(cond: sympy.Basic) -> list[Relational]:
    if isinstance(cond, Relational):
        return [cond]
    return [r for a in cond.args for r in _relations(a)]


def _solve(equation: sympy.Basic, p: sympy.Symbol) -> list[tuple[sympy.Basic, sympy.Basic]]:
    """Real solutions of ``equation = 0`` for ``p``, each with the branch it holds on
    (``min``/``max``/``where`` opened into pieces; ``true`` when there are none)."""
    expr = equation
    if expr.has(sympy.Min, sympy.Max, sympy.Abs, sympy.Piecewise):
        expr = sympy.piecewise_fold(expr.rewrite(sympy.Piecewise))
    if isinstance(expr, sympy.Piecewise):
        pieces, before = [], []
        for e, c in expr.args:
            pieces.append((e, sympy.And(c, *(sympy.Not(b) for b in before))))
            before.append(c)
    else:
        pieces = [(expr, sympy.true)]
    found = []
    for piece, branch in pieces:
        if p not in piece.free_symbols:
            continue
        try:
            roots = sympy.solve(piece, p, dict=False)
        except (NotImplementedError, TypeError, ValueError):
            continue
        found += [(tidy(r), branch) for r in roots if r.is_real is not False]
    return list(dict.fromkeys(found))


def _found(
    regime: Case, param: str, source: sympy.Basic, roots: list[tuple[sympy.Basic, sympy.Basic]]
) -> list[Boundary]:
    rest = sympy.And(*(c.expr for c in regime.conditions if source not in _relations(c.expr)))
    return [
        Boundary(regime.label, param, root, source, branch, tuple(domain_conditions(root)), rest)
        for root, branch in roots
    ]


def boundaries(derivation: ModelDerivation, param: str) -> list[Boundary]:
    """Every regime edge that moves with ``param``, solved for it."""
    p = derivation.symbol(param)
    out = []
    for r in derivation.regimes:
        for c in r.conditions:
            for rel in _relations(c.expr):
                if p in rel.free_symbols:
                    with step(f"solving the edge {rel} of the regime {r.label} for {param}"):
                        roots = _solve(rel.lhs - rel.rhs, p)
                    out += _found(r, param, rel, roots)
    return out


def solve_for(
    derivation: ModelDerivation, measure: str, param: str, value: float
) -> list[Boundary]:
    """``measure = value`` solved for ``param`` in each regime that expresses the measure."""
    derivation.check_measure(measure)
    p = derivation.symbol(param)
    out = []
    for r in derivation.regimes:
        if measure in r.values:
            source = sympy.Eq(r.values[measure], sympy.nsimplify(value), evaluate=False)
            with step(f"solving {measure} = {value:g} for {param} in the regime {r.label}"):
                roots = _solve(r.values[measure] - sympy.nsimplify(value), p)
            out += _found(r, param, source, roots)
    return out


@dataclass(frozen=True)
class ClosedThreshold:
    """A threshold in closed form next to the numeric one (see :func:`closed_threshold`).

    ``boundary`` is the formula found (None: none, see ``message``), ``value``
    its value at the point, ``numeric`` the numeric finder's threshold.
    """

    boundary: Boundary | None
    value: float | None
    numeric: Threshold
    message: str = ""

    @property
    def agrees(self) -> bool:
        """True when the formula's value lies within the numeric finder's final bracket
        (widened by its tolerance)."""
        if self.value is None:
            return False
        n = self.numeric
        return n.low - n.tol <= self.value <= n.high + n.tol

    def __str__(self) -> str:
        if self.boundary is None:
            return f"{self.numeric} (numeric: {self.message})"
        return f"{self.boundary} = {self.value:.6g} at this point; numeric: {self.numeric}"


def _outcome(derivation: ModelDerivation, measure: str, point: Mapping[str, float]) -> Any:
    """The derived measure at a point (its regime label for ``measure="regime"``)."""
    values = {sympy.Symbol(k): sympy.nsimplify(v) for k, v in point.items()}
    for r in derivation.regimes:
        held = r.where.xreplace(values)
        if held is sympy.true:
            if measure == "regime":
                return r.label
            if measure in r.values:
                return float(r.values[measure].xreplace(values))
    return None


def closed_threshold(
    model: Model,
    param: str,
    measure: str,
    bracket: tuple[float, float],
    *,
    level: float | None = None,
    budget: float | None = 5.0,
    **fixed: float,
) -> ClosedThreshold:
    """Where ``measure`` flips along ``param`` in ``bracket``, as a formula and numerically.

    Arguments as :func:`bargain.thresholds.threshold` (``measure`` may be
    ``"regime"``). The formula is the first candidate edge in the bracket
    (regime boundaries and, with ``level``, the solutions of
    ``measure = level``) at which the derived outcome differs on its two sides.
    """
    numeric = threshold(model, param, measure, bracket, level=level, select=model.select, **fixed)
    try:
        derivation = derive(model, budget=budget)
        if not derivation.exclusive:
            raise ModelError(
                f"its {derivation.subject} regimes may coexist, so a flip has no single formula"
            )
        candidates = boundaries(derivation, param)
        if level is not None and measure != "regime":
            candidates += solve_for(derivation, measure, param, level)
    except (DerivationTimeout, ModelError) as why:
        return ClosedThreshold(None, None, numeric, str(why))
    point = {**model.params.defaults, **fixed}
    values = {sympy.Symbol(k): sympy.nsimplify(v) for k, v in point.items() if k != param}
    low, high = bracket
    found: list[tuple[float, Boundary]] = []
    p = sympy.Symbol(param)
    for b in candidates:
        at = b.solution.xreplace(values)
        if not (at.is_real and at.is_number and low < float(at) < high):
            continue
        if truth_at(b.where, {**values, p: at}) is not False:  # on its own branch
            found.append((float(at), b))
    span = high - low
    for at, b in sorted(found, key=lambda t: t[0]):
        eps = max(span * 1e-7, 1e-12)
        below = _outcome(derivation, measure, {**point, param: at - eps})
        above = _outcome(derivation, measure, {**point, param: at + eps})
        if level is not None and isinstance(below, float) and isinstance(above, float):
            changed = (below > level) != (above > level)
        else:
            changed = below != above and not (
                isinstance(below, float) and isinstance(above, float) and math.isclose(below, above)
            )
        if changed:
            return ClosedThreshold(b, at, numeric)
    return ClosedThreshold(
        None, None, numeric, "no derived edge in the bracket changes the outcome"
    )


def boundary_curves(
    derivation: ModelDerivation,
    x: str,
    y: str,
    x_values: np.ndarray,
    y_range: tuple[float, float],
    **fixed: float,
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each regime edge over an ``(x, y)`` slice, as ``y`` against ``x`` where it bounds its regime.

    ``fixed`` gives the other parameters (defaults elsewhere). Points outside
    ``y_range``, or where the regime's other conditions fail, are NaN (gaps). Each
    curve is named by its formula, or by its regime when the formula is longer than
    ``SHORT`` characters (``boundaries`` gives the formulas). Edges that involve a
    linked value (``derivation.held``) are left out: that value moves with ``x`` and
    ``y`` in a way the derivation does not know.
    """
    derivation.symbol(x)
    derivation.symbol(y)
    defaults = {**derivation.params.defaults, **fixed}
    skip = {x, y, *derivation.held}
    others = {sympy.Symbol(k): sympy.nsimplify(v) for k, v in defaults.items() if k not in skip}
    xs = np.asarray(x_values, dtype=float)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    seen: set[str] = set()
    for b in boundaries(derivation, y):
        edge = b.solution.xreplace(others)
        test = sympy.Piecewise((1, sympy.And(b.rest, b.where).xreplace(others)), (0, True))
        if (edge.free_symbols | test.free_symbols) - {sympy.Symbol(x), sympy.Symbol(y)}:
            continue
        f = formula.compile_formulas([edge, test.xreplace({sympy.Symbol(y): edge})], [x])
        with np.errstate(all="ignore"):
            ys, inside = (np.broadcast_to(v, xs.shape).astype(float) for v in f(xs))
        ys = np.where((inside > 0.5) & (ys >= y_range[0]) & (ys <= y_range[1]), ys, np.nan)
        if np.isfinite(ys).any():
            text = f"{y} = {formula.to_text(b.solution)}"
            if text in seen:
                continue
            seen.add(text)
            short = text if len(text) <= SHORT else f"edge of {b.regime} ({len(curves) + 1})"
            curves[short] = (xs, ys)
    return curves


def check_agreement(result: ClosedThreshold) -> None:
    """Raise if a closed-form threshold and the numeric one disagree (a bug in one of them)."""
    if result.boundary is not None and not result.agrees:
        raise BargainError(
            f"the derived threshold {result.value:.9g} lies outside the numeric bracket "
            f"[{result.numeric.low:.9g}, {result.numeric.high:.9g}]"
        )
