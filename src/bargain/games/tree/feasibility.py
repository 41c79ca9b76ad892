"""Whether conditions on the parameters can hold inside their bounds, cheap tests first.

Symbolic backward induction (:mod:`.derive`) forms regimes node by node and
keeps one only if its conditions may hold together. A seeded sample of points
of the bounds shows cheaply that they can: a point where all of them hold
(evaluated in floating point, once per condition). Without such a point, the
proofs of :mod:`bargain.algebra` are sought (one parameter: the exact solution
set; more: interval arithmetic over the bounds), and a regime neither shown
possible nor proved impossible is kept: sampling never removes one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

from bargain.algebra import box_of, decide_on, settle, step, tidy, tidy_condition
from bargain.formula import compile_formulas
from bargain.params import ParamSpace

#: Random points of the bounds at which conditions are first tried.
SAMPLES = 1024


class Feasibility:
    """Conditions on the parameters of ``params`` decided on their bounds (cached)."""

    def __init__(self, params: ParamSpace, samples: int = SAMPLES) -> None:
        self.params = params
        self.box = box_of(params)
        self.points = _sample(params, samples)
        self._values: dict[sympy.Basic, np.ndarray] = {}
        self._verdicts: dict[sympy.Basic, bool | None] = {}
        self._tidied: dict[sympy.Basic, sympy.Basic] = {}

    def at_samples(self, expr: sympy.Basic) -> np.ndarray:
        """The values of an expression, or of a condition (1 or 0), at the sample points."""
        if expr not in self._values:
            self._values[expr] = compile_formulas(expr, self.params)(*self.points)
        return self._values[expr]

    def verdict(self, cond: sympy.Basic) -> bool | None:
        """True if ``cond`` is shown to hold everywhere inside the bounds, False nowhere,
        None if neither: settled as :func:`bargain.algebra.make_case` settles it, without
        the search for witness points."""
        if cond not in self._verdicts:
            tidied = self.tidied(cond)
            if isinstance(tidied, BooleanAtom):
                verdict = bool(tidied)
            elif len(tidied.free_symbols) == 1:
                settled = settle(tidied, self.box)
                verdict = settled if isinstance(settled, bool) else None
            else:
                verdict = decide_on(tidied, self.box)
            self._verdicts[cond] = verdict
        return self._verdicts[cond]

    def tidied(self, cond: sympy.Basic) -> sympy.Basic:
        """``cond`` in its shortest form (:func:`bargain.algebra.tidy_condition`, cached)."""
        if cond not in self._tidied:
            self._tidied[cond] = tidy_condition(cond)
        return self._tidied[cond]

    def possible(self, conditions: Sequence[sympy.Basic]) -> bool:
        """False only if the conditions are proved never to hold together inside the bounds."""
        if not conditions:
            return True
        if np.logical_and.reduce([self.at_samples(c) == 1 for c in conditions]).any():
            return True
        kept = []
        for cond in conditions:
            verdict = self.verdict(cond)
            if verdict is False:
                return False
            if verdict is None:
                kept.append(self.tidied(cond))
        with step("deciding whether the conditions of a regime can hold together"):
            return len(kept) < 2 or decide_on(sympy.And(*kept), self.box) is not False

    def number(self, expr: sympy.Expr) -> sympy.Expr | None:
        """``expr`` as a number if it is one whatever the parameters (``x/x - 1/2``), else
        None; tidied only where the samples find it constant."""
        if expr.free_symbols:
            values = self.at_samples(expr)
            spread = np.ptp(values) if np.isfinite(values).all() else np.inf
            if spread > 1e-12 * (1 + np.abs(values).max()):
                return None
        tidied = tidy(expr)
        return tidied if tidied.is_number else None

    def open_ones(self, conditions: Sequence[sympy.Basic]) -> list[sympy.Basic] | None:
        """The conditions that depend on the parameters; None if one that does not fails."""
        kept = []
        for cond in conditions:
            if isinstance(cond, BooleanAtom):
                if not cond:
                    return None
                continue
            gap = self.number(cond.lhs - cond.rhs) if isinstance(cond, Relational) else None
            if gap is None:
                kept.append(cond)
            elif not cond.func(gap, 0):
                return None
        return kept

    def only_value(self, cond: sympy.Basic) -> dict[sympy.Symbol, sympy.Basic]:
        """The value a one-parameter condition leaves its parameter inside the bounds
        (``deliver <= 0`` leaves ``deliver = 0``), or {} if it leaves several."""
        if len(cond.free_symbols) != 1:
            return {}
        (s,) = cond.free_symbols
        low, high = self.box[s]
        domain = sympy.Interval(
            sympy.Rational(low) if np.isfinite(low) else -sympy.oo,
            sympy.Rational(high) if np.isfinite(high) else sympy.oo,
        )
        with step(f"solving {cond} for {s}"):
            try:
                where = sympy.solveset(cond, s, domain)
            except (NotImplementedError, TypeError, ValueError):
                return {}
        if isinstance(where, sympy.FiniteSet) and len(where) == 1:
            return {s: next(iter(where))}
        return {}


def _sample(params: ParamSpace, n: int) -> list[np.ndarray]:
    """``n`` seeded uniform points of the bounds, one array per parameter (an unbounded
    side reaches ten times the default's magnitude, at least 10, beyond the default)."""
    rng = np.random.default_rng(0)
    out = []
    for p in params:
        reach = 10 * max(1.0, abs(p.default))
        low = p.default - reach if p.low is None else p.low
        high = p.default + reach if p.high is None else p.high
        out.append(rng.uniform(low, high, n))
    return out
