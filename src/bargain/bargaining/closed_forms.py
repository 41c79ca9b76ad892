"""The bargaining protocols in closed form, regime by regime (sympy mirrors of the solvers).

Each function takes the arguments of its numeric namesake (:func:`ultimatum`,
:func:`alternating_offers`, ...), with every numeric argument a sympy
expression (of a model's parameters, or the protocol's symbols ``pie, delta1,
...`` by default) or a number, and returns a :class:`ClosedForm`: the pieces
(:class:`~.regimes.Regime`) of the outcome, each labelled ``"deal"`` or
``"no deal"`` as the numeric result's ``deal`` flag is, with the conditions
under which the numeric function reports it (its tie rules included) and the
shares there; ``requires``, the conditions under which the numeric function
accepts the arguments at all; and ``missing``, where no closed form is built.

Where a regime has no closed form the function raises a ModelError naming
what is derivable: frontiers that are not linear (Nash, Kalai–Smorodinsky),
unequal recognition (Baron–Ferejohn), a finite horizon with outside options.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import sympy

from bargain.errors import ModelError

from .frontier import U1, as_frontier
from .regimes import Regime

PIE, DELTA, DELTA1, DELTA2, P, D1, D2, W1, W2, ALPHA = sympy.symbols(
    "pie delta delta1 delta2 p d1 d2 w1 w2 alpha"
)
HALF = sympy.Rational(1, 2)
#: Most terms of the geometric sums of a finite horizon written out (beyond, ``(1 - q^m)/(1 - q)``).
MAX_TERMS = 64

Arg = sympy.Basic | Real


@dataclass(frozen=True)
class ClosedForm:
    """A protocol's outcome in closed form.

    ``labels`` name the shares (as the numeric result's ``labels``); each
    regime's ``values`` hold one share per label and ``deal`` (1 or 0).
    ``requires`` are the conditions under which the numeric function accepts
    the arguments; ``covering`` the labels whose pieces hold together wherever
    it does (the pieces split a measure, not the region); ``missing`` (with
    ``why``) where it solves but no regime here applies (``false`` when the
    regimes cover every accepted point).
    """

    labels: tuple[str, ...]
    regimes: tuple[Regime, ...]
    requires: tuple[sympy.Basic, ...] = ()
    covering: tuple[str, ...] = ()
    missing: sympy.Basic = sympy.false
    why: str = ""


def _expr(value: Arg, name: str) -> sympy.Expr:
    """A numeric argument as a sympy expression (a number, never text)."""
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, Real) and not isinstance(value, bool):
        return sympy.Integer(value) if float(value).is_integer() else sympy.Float(value)
    raise ModelError(f"{name}: expected a number or a sympy expression, got {value!r}")


def _pair(value: Sequence[Arg], name: str) -> tuple[sympy.Expr, sympy.Expr]:
    if isinstance(value, str) or not isinstance(value, Sequence) or len(value) != 2:
        raise ModelError(f"{name}: expected a pair, got {value!r}")
    return _expr(value[0], f"{name}[0]"), _expr(value[1], f"{name}[1]")


def _exact(x: float) -> sympy.Rational:
    """A float given as a number (a domain, a frontier point) as the rational it reads as."""
    return sympy.Rational(repr(float(x)))


def _shares(x1: sympy.Expr, x2: sympy.Expr, deal: int) -> dict[str, sympy.Basic]:
    return {"1": x1, "2": x2, "deal": sympy.Integer(deal)}


# -- non-cooperative protocols ----------------------------------------------------------------


def ultimatum(pie: Arg = 1, disagreement: Sequence[Arg] = (0, 0)) -> ClosedForm:
    """Player 1 offers ``d2``: a deal ``(pie - d2, d2)`` where ``pie >= d1 + d2``
    (a proposer indifferent between the deal and none makes it), else ``(d1, d2)``."""
    pie = _expr(pie, "pie")
    d1, d2 = _pair(disagreement, "disagreement")
    requires = (pie > 0, d1 >= 0, d2 >= 0)
    return ClosedForm(
        ("1", "2"),
        (
            Regime("deal", (sympy.Ge(pie, d1 + d2),), _shares(pie - d2, d2, 1)),
            Regime("no deal", (sympy.Lt(pie, d1 + d2),), _shares(d1, d2, 0)),
        ),
        requires,
    )


def alternating_offers(
    delta1: Arg,
    delta2: Arg,
    horizon: int | None = None,
    breakdown: Arg = 0,
    disagreement: Sequence[Arg] = (0, 0),
    outside_options: Sequence[Arg] | None = None,
    *,
    pie: Arg = 1,
) -> ClosedForm:
    """Rubinstein's shares with breakdown risk, disagreement payoffs and outside options.

    With ``a_i = (1 - p) delta_i``, player 1's share when it proposes is
    ``x1 = (pie (1 - a2) - p d2 + p a2 d1) / (1 - a1 a2)``. Infinite horizon
    without outside options: a deal ``(x1, pie - x1)`` where
    ``pie (1 - a1)(1 - a2) >= p d1 (1 - a2) + p d2 (1 - a1)``, else no deal
    and the values of never agreeing ``p d_i / (1 - a_i)``. With outside
    options ``(w1, w2)`` (always a deal) ``x1 = min(pie - w2, max(m, x1))``
    with ``m = (1 - a2) pie - p d2 + a2 w1``: three pieces, player 2's option
    binding, player 1's, or neither. A finite horizon ``T`` (an integer) gives
    Ståhl's shares where ``pie >= d1 + d2`` (agreement in every period);
    elsewhere agreement may be delayed and ``missing`` says so.
    """
    pie = _expr(pie, "pie")
    delta1, delta2 = _expr(delta1, "delta1"), _expr(delta2, "delta2")
    p = _expr(breakdown, "breakdown")
    d1, d2 = _pair(disagreement, "disagreement")
    requires = [pie > 0, p >= 0, p <= 1, d1 >= 0, d2 >= 0]
    requires += [delta1 >= 0, delta1 <= 1, delta2 >= 0, delta2 <= 1]
    a1, a2 = (1 - p) * delta1, (1 - p) * delta2
    if horizon is not None:
        return _finite(horizon, pie, a1, a2, p, d1, d2, outside_options, requires)
    x1 = (pie * (1 - a2) - p * d2 + p * a2 * d1) / (1 - a1 * a2)
    if outside_options is None:
        y2 = (pie * (1 - a1) - p * d1 + p * a1 * d2) / (1 - a1 * a2)  # player 2's, proposing
        deal = sympy.Ge(pie * (1 - a1) * (1 - a2), p * d1 * (1 - a2) + p * d2 * (1 - a1))
        never = (p * d1 / (1 - a1), p * d2 / (1 - a2))
        regimes = (
            Regime("deal", (deal,), _shares(x1, p * d2 + a2 * y2, 1)),
            Regime("no deal", (sympy.Not(deal),), _shares(*never, 0)),
        )
        return ClosedForm(("1", "2"), regimes, tuple(requires))
    w1, w2 = _pair(outside_options, "outside_options")
    requires.append(sympy.Le(w1 + w2, pie))
    if p != 0:
        requires.append(sympy.Or(sympy.Eq(p, 0), sympy.Le(d1 + d2, pie)))
    top = pie - w2  # player 2's option binds
    floor = (1 - a2) * pie - p * d2 + a2 * w1  # player 1's option binds
    regimes = (
        Regime("deal", (sympy.Or(sympy.Le(top, floor), sympy.Le(top, x1)),), _shares(top, w2, 1)),
        Regime("deal", (sympy.Gt(top, floor), sympy.Gt(floor, x1)), _shares(floor, pie - floor, 1)),
        Regime("deal", (sympy.Gt(top, x1), sympy.Le(floor, x1)), _shares(x1, pie - x1, 1)),
    )
    return ClosedForm(("1", "2"), regimes, tuple(requires), ("deal",))


def _geometric(q: sympy.Expr, m: int) -> sympy.Expr:
    """``1 + q + ... + q^(m-1)``: written out (defined at ``q = 1``) up to ``MAX_TERMS`` terms."""
    if m <= MAX_TERMS:
        return sympy.Add(*(q**i for i in range(m)))
    return (1 - q**m) / (1 - q)


def _finite(horizon, pie, a1, a2, p, d1, d2, outside_options, requires) -> ClosedForm:
    """Ståhl's T-period shares where every period agrees (``pie >= d1 + d2``)."""
    if outside_options is not None:
        raise ModelError(
            "alternating_offers with a finite horizon and outside options has no closed form "
            "in bargain (backward induction compares the options period by period); derivable: "
            "the infinite horizon with outside options, or a finite horizon without them"
        )
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ModelError(
            f"alternating_offers: a closed form needs one horizon (a whole number >= 1), "
            f"got {horizon!r}"
        )
    q = a1 * a2
    c = pie * (1 - a2) - p * d2 + p * a2 * d1  # two periods of the recursion x -> c + q x
    if horizon % 2:
        m = (horizon - 1) // 2
        x1 = c * _geometric(q, m) + q**m * (pie - d2)
    else:
        m = horizon // 2 - 1
        x1 = c * _geometric(q, m) + q**m * (pie - p * d2 - a2 * (pie - d1))
    always = sympy.Ge(pie, d1 + d2)
    return ClosedForm(
        ("1", "2"),
        (Regime("deal", (always,), _shares(x1, pie - x1, 1)),),
        tuple(requires),
        missing=sympy.Lt(pie, d1 + d2),
        why="alternating_offers with a finite horizon is derived where pie >= d1 + d2 (agreement "
        "in every period); the parameters' bounds allow pie < d1 + d2, where agreement may be "
        "delayed: bound the parameters so that pie >= d1 + d2, or solve numerically",
    )


def baron_ferejohn(
    n: int,
    delta: Arg,
    recognition: Any = None,
    *,
    quota: int | None = None,
    pie: Arg = 1,
) -> ClosedForm:
    """Equal recognition (Baron and Ferejohn 1989): the proposer keeps
    ``pie (1 - delta (q - 1) / n)``, each partner gets ``pie delta / n``."""
    if recognition is not None:
        raise ModelError(
            "baron_ferejohn with recognition probabilities has no closed form in bargain (the "
            "stationary payoffs solve a linear system per grouping of the players into classes "
            "of equal value); derivable: equal recognition (leave recognition out)"
        )
    delta, pie = _expr(delta, "delta"), _expr(pie, "pie")
    n_ = sympy.Integer(n)
    q = sympy.Integer(n // 2 + 1 if quota is None else quota)
    requires = [delta >= 0, delta <= 1, pie > 0]
    if q == n_:  # unanimity: the numeric function refuses delta = 1
        requires.append(delta < 1)
    shares = {"proposer": pie * (1 - delta * (q - 1) / n_), "partner": pie * delta / n_}
    regime = Regime("deal", (), {**shares, "deal": sympy.Integer(1)})
    return ClosedForm(("proposer", "partner"), (regime,), tuple(requires))


# -- axiomatic solutions on a linear frontier -------------------------------------------------


@dataclass(frozen=True)
class Line:
    """The linear frontier ``u2 = c + s u1`` (``s < 0``) for ``u1`` in ``[lo, hi]``."""

    c: sympy.Expr
    s: sympy.Expr
    lo: sympy.Expr
    hi: sympy.Expr

    def __call__(self, u1: sympy.Expr) -> sympy.Expr:
        return self.c + self.s * u1

    def meets(self, d2: sympy.Expr) -> sympy.Expr:
        """Where the line (extended) reaches ``u2 = d2``."""
        return (d2 - self.c) / self.s

    def gain(self, d1: sympy.Expr, d2: sympy.Expr) -> sympy.Basic:
        """Some frontier point strictly above ``(d1, d2)`` (else the numeric function refuses)."""
        return sympy.And(sympy.Lt(d1, self.hi), sympy.Gt(self(sympy.Max(d1, self.lo)), d2))


def linear_frontier(frontier: Any, domain: Any = None, protocol: str = "nash_solution") -> Line:
    """The frontier as a :class:`Line`, or a ModelError naming what is derivable.

    Linear frontiers are a formula affine in ``u1`` with a negative slope (on
    ``[0, where it reaches 0]`` or the ``domain`` given) or two points after
    the hull is taken; numbers given as floats are read as the decimals they print as.
    """
    f = as_frontier(frontier, domain)
    if f.expr is not None:
        expr = f.expr
        affine = bool(expr.is_polynomial(U1)) and sympy.diff(expr, U1, 2) == 0
        slope = sympy.diff(expr, U1)
        if affine and slope.is_number and slope < 0:
            c = expr.xreplace({U1: sympy.Integer(0)})
            if domain is None:
                return Line(c, slope, sympy.Integer(0), -c / slope)
            return Line(c, slope, _exact(f.lo), _exact(f.hi))
        shape = f"the frontier {f.name}"
    elif len(f.vertices) == 2:
        (x0, y0), (x1, y1) = ((_exact(u), _exact(v)) for u, v in f.vertices)
        slope = (y1 - y0) / (x1 - x0)
        return Line(y0 - slope * x0, slope, x0, x1)
    else:
        shape = f"the frontier through {len(f.vertices)} vertices"
    raise ModelError(
        f"{protocol}: closed forms are derived on a linear frontier (a formula a - b*u1 "
        f"with b > 0, or two points); {shape} is not one: solve it numerically"
    )


def nash_solution(
    frontier: Any,
    disagreement: Sequence[Arg] = (0, 0),
    power: Arg = HALF,
    *,
    domain: Any = None,
    symbolic: bool = True,
) -> ClosedForm:
    """The (asymmetric) Nash solution on a linear frontier ``u2 = c + s u1``.

    The Nash product's maximum on the line is
    ``u1* = (1 - alpha) d1 + alpha (d2 - c) / s`` (``d1 + alpha (pie - d1 - d2)``
    on ``u1 + u2 = pie``); where it lies outside ``[lo, hi]`` the bound is the
    solution. Always a deal; the numeric function refuses points without a
    frontier point strictly above ``d`` (``requires``). ``symbolic`` is the
    numeric function's switch and changes nothing here.
    """
    line = linear_frontier(frontier, domain)
    d1, d2 = _pair(disagreement, "disagreement")
    alpha = _expr(power, "power")
    meets = line.meets(d2)
    best = (1 - alpha) * d1 + alpha * meets  # in [d1, meets] where there is a gain
    regimes = (
        Regime("deal", (sympy.Ge(best, line.lo), sympy.Le(best, line.hi)), _axiomatic(line, best)),
        Regime("deal", (sympy.Lt(d1, line.lo), sympy.Lt(best, line.lo)), _axiomatic(line, line.lo)),
        Regime(
            "deal", (sympy.Gt(meets, line.hi), sympy.Gt(best, line.hi)), _axiomatic(line, line.hi)
        ),
    )
    requires = (alpha >= 0, alpha <= 1, line.gain(d1, d2))
    return ClosedForm(("1", "2"), regimes, requires, ("deal",))


def kalai_smorodinsky(
    frontier: Any,
    disagreement: Sequence[Arg] = (0, 0),
    *,
    domain: Any = None,
    symbolic: bool = True,
) -> ClosedForm:
    """The Kalai–Smorodinsky solution on a linear frontier ``u2 = c + s u1``.

    The ideal point is ``I1 = min(hi, (d2 - c) / s)``, ``I2 = c + s max(d1, lo)``;
    the solution is where the segment from ``d`` to ``I`` meets the line,
    ``u1 = d1 + (c + s d1 - d2) (I1 - d1) / (I2 - d2 - s (I1 - d1))``: four
    pieces, by which bound of the frontier each ideal payoff meets.
    """
    line = linear_frontier(frontier, domain, "kalai_smorodinsky")
    d1, d2 = _pair(disagreement, "disagreement")
    meets = line.meets(d2)
    ideal1 = ((meets, sympy.Le(meets, line.hi)), (line.hi, sympy.Gt(meets, line.hi)))
    ideal2 = ((line(d1), sympy.Ge(d1, line.lo)), (line(line.lo), sympy.Lt(d1, line.lo)))
    regimes = []
    for i1, on1 in ideal1:
        for i2, on2 in ideal2:
            u1 = d1 + (line(d1) - d2) * (i1 - d1) / (i2 - d2 - line.s * (i1 - d1))
            regimes.append(Regime("deal", (on1, on2), _axiomatic(line, u1)))
    return ClosedForm(("1", "2"), tuple(regimes), (line.gain(d1, d2),), ("deal",))


def _axiomatic(line: Line, u1: sympy.Expr) -> dict[str, sympy.Basic]:
    return _shares(u1, line(u1), 1)


#: The closed form of each protocol of :data:`bargain.games.bargaining.PROTOCOLS`.
PROTOCOLS = {
    "ultimatum": ultimatum,
    "alternating_offers": alternating_offers,
    "nash_solution": nash_solution,
    "kalai_smorodinsky": kalai_smorodinsky,
    "baron_ferejohn": baron_ferejohn,
}
