"""The screening form in closed form: the optimal offer regime by regime.

For deal payoffs affine in the offer ``x`` (``D(x) = alpha + beta x`` for the
proposer, ``R(x) = gamma + delta x`` for the responder) and a uniform or
finite law of the reservation value, the numeric solver is itself a closed
form (:mod:`bargain.bargaining.screening`), worked in the responder's units
``r = R(x)``. :func:`derive` writes each of its branches as a
:class:`~bargain.bargaining.regimes.Regime`: the conditions under which the
solver reports that regime (with its tie rules) and the measures there, as
expressions of the model's parameters. The sign of ``delta`` must be settled
on the bounds (it decides which end of the offer range is the lowest offer in
``r``).

**Uniform** ``v`` on ``[a, b]``, war payoff ``w0 + w1 v``: with
``s = -beta / delta`` the proposer's expected payoff is concave in ``r`` on
``[a, b]`` where ``w1 + 2 s > 0``; its first-order condition gives

.. math:: r_s = \\frac{\\alpha - (\\beta / \\delta)(\\gamma + a) - w_0}{w_1 + 2 s},

clipped to ``[a, b]`` and then to the offer range ``[lo, hi]`` (in ``r``). The
interior regime carries the first-order condition in ``Case.implicit``
(``offer``: the derivative of the proposer's expected payoff in ``x``, times
``b - a``) as well as its root. Where the payoff is convex the better of the
offers ``b`` and ``a`` (clipped) is optimal, both on a tie.

**Finite types** ``v_j`` (probabilities ``q_j``, war payoffs ``w_j``): the
optimal offer makes some type indifferent, ``r = v_j``, or is the lowest
offer; each candidate is a regime (``interior`` unless every type accepts),
optimal where its expected payoff is at least every other candidate's. Which
types accept a candidate is an indicator (a ``Piecewise``) unless the bounds
settle the order of the reservation values.

Boundaries follow the solver: a responder indifferent between the deal and war
accepts; ties between offers give each tied regime (the cases then overlap on
the tie, so they are exclusive only for a uniform law with a concave payoff).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy

from bargain.algebra import Derivation, box_of, decide_on, settle, step, tidy_condition
from bargain.bargaining.regimes import Regime, evaluated, regime_cases
from bargain.bargaining.screening import (
    CERTAIN_WAR,
    HIGHEST,
    INTERIOR,
    LOWEST,
    MAX_CLOSED_TYPES,
    NO_WAR,
    REGIMES,
)
from bargain.errors import ModelError
from bargain.params import ParamSpace
from bargain.vocabulary import ident

from .compiled import CompiledScreening, V

#: The symbol of the offer in the first-order condition (``Case.implicit``).
OFFER = sympy.Symbol("offer")
#: Most orders of the types' reservation values (and the offer range's ends) derived.
MAX_ORDERS = 120

NOTES = (
    "certain war: every offer that all types reject is optimal, so the offer is left out "
    "(the solver reports NaN)",
)


@dataclass(frozen=True)
class Units:
    """A screening game's expressions in the responder's units ``r = gamma + delta x``."""

    compiled: CompiledScreening
    rising: bool  # delta > 0 on the bounds (else delta < 0)

    def expr(self, name: object) -> sympy.Basic:
        return self.compiled.exprs[name]

    @property
    def lo(self) -> sympy.Expr:
        """The lowest offer of the range, in ``r``."""
        return self._ends[0]

    @property
    def hi(self) -> sympy.Expr:
        """The highest offer of the range, in ``r``."""
        return self._ends[1]

    @property
    def _ends(self) -> tuple[sympy.Expr, sympy.Expr]:
        ends = [self.expr("gamma") + self.expr("delta") * self.expr(k) for k in ("low", "high")]
        return (ends[0], ends[1]) if self.rising else (ends[1], ends[0])

    def offer(self, r: sympy.Expr) -> sympy.Expr:
        """The offer ``x`` that gives the responder ``r``."""
        return (r - self.expr("gamma")) / self.expr("delta")

    def bound(self, code: int) -> sympy.Expr:
        """The offer ``x`` at the lowest (``LOWEST``) or highest (``HIGHEST``) ``r``."""
        names = ("low", "high") if (code == LOWEST) == self.rising else ("high", "low")
        return self.expr(names[0])

    def deal(self, r: sympy.Expr) -> sympy.Expr:
        """The proposer's deal payoff when the responder's is ``r``."""
        return self.expr("alpha") + self.expr("beta") * self.offer(r)

    def label(self, code: int) -> str:
        """The regime's label in ``x``: the lowest ``r`` is the highest ``x`` where delta < 0."""
        if not self.rising and code in (LOWEST, HIGHEST):
            code = HIGHEST if code == LOWEST else LOWEST
        return REGIMES[code]

    def measures(
        self,
        p_war: sympy.Expr,
        proposer: sympy.Expr,
        responder: sympy.Expr,
        offer: sympy.Expr | None = None,
    ) -> dict[str, sympy.Basic]:
        """The form's measures (``offer`` left out where it is undetermined)."""
        pie = self.expr("pie")
        p, q = (ident(x) for x in self.compiled.players)
        out = {} if offer is None else {"offer": offer}
        return out | {
            "p_war": p_war,
            "deal": 1 - p_war,
            f"u_{p}": proposer,
            f"u_{q}": responder,
            f"share_{p}": proposer / pie,
            f"share_{q}": responder / pie,
        }


def derive(compiled: CompiledScreening, params: ParamSpace) -> Derivation:
    """The optimal offer of a game (its compiled formulas over ``params``) in closed form
    (see the module's docstring)."""
    if not compiled.affine or compiled.law == "cdf":
        what = "a CDF law" if compiled.law == "cdf" else "deal payoffs not affine in x"
        raise ModelError(
            f"screening: closed forms are derived for deal payoffs affine in x with a uniform "
            f"or finite (types) law; this game has {what}: solve it numerically"
        )
    if compiled.law == "types" and compiled.n_types > MAX_CLOSED_TYPES:
        raise ModelError(
            f"screening: closed forms are derived for at most {MAX_CLOSED_TYPES} types; this "
            f"game has {compiled.n_types}: solve it numerically"
        )
    box = box_of(params)
    delta = compiled.exprs["delta"]
    with step("deciding the sign of the responder's deal payoff in x"):
        rising = settle(sympy.Gt(delta, 0), box) is True
        if not rising and settle(sympy.Lt(delta, 0), box) is not True:
            raise ModelError(
                "screening: a closed form needs the responder's deal payoff to rise with x "
                "everywhere in the parameters' bounds, or to fall everywhere; its slope "
                f"{delta} may change sign: bound the parameters, or solve numerically"
            )
    units = Units(compiled, rising)
    e = compiled.exprs
    requires = [e["pie"] > 0, sympy.Le(e["low"], e["high"]), e["beta"] * delta < 0]
    implicit = None
    if compiled.law == "uniform" and settle(evaluated(sympy.Lt(e["a"], e["b"])), box) is not False:
        requires.append(sympy.Le(e["a"], e["b"]))
        regimes, concave = _uniform(units, box)
        implicit = {REGIMES[INTERIOR]: {"offer": _first_order(units)}}
    else:
        if compiled.law == "uniform":  # a = b: one type
            one = e["a"]
            v, q, w = [one], [sympy.Integer(1)], [e["war"] + e["war_slope"] * one]
        else:
            n = compiled.n_types
            v, q = [e["v", j] for j in range(n)], [e["q", j] for j in range(n)]
            w = [compiled.war.xreplace({V: vj}) for vj in v]
            requires += [sympy.Ge(qj, 0) for qj in q]
            if sympy.simplify(sympy.Add(*q) - 1) != 0:
                requires.append(sympy.Eq(sympy.Add(*q), 1))
        regimes, concave = _types(units, v, q, w, box), False
    cases = regime_cases(regimes, params, requires=requires, implicit=implicit)
    return Derivation(
        "screening", params, cases, exclusive=concave, subject="optimal offer", notes=NOTES
    )


# -- a uniform law ----------------------------------------------------------------------------


def _uniform(units: Units, box: dict) -> tuple[list[Regime], bool]:
    """The regimes of a uniform law, and whether the payoff is concave on the whole box."""
    e = units.expr
    a, b, w0, w1 = e("a"), e("b"), e("war"), e("war_slope")
    slope = e("beta") / e("delta")
    curvature = w1 - 2 * slope  # > 0: the proposer's payoff is concave in r on [a, b]
    root = (e("alpha") - slope * (e("gamma") + a) - w0) / curvature
    lo, hi = units.lo, units.hi

    def at(r: sympy.Expr, accept: sympy.Expr, offer: sympy.Expr) -> dict[str, sympy.Basic]:
        proposer = accept * units.deal(r) + (1 - accept) * (w0 + w1 * (r + b) / 2)
        responder = accept * r + (1 - accept) * (r + b) / 2
        return units.measures(1 - accept, proposer, responder, offer)

    share = (lo - a) / (b - a), (hi - a) / (b - a)  # types accepting the lowest, highest offer
    war = units.measures(sympy.Integer(1), w0 + w1 * (a + b) / 2, (a + b) / 2)
    one = sympy.Integer(1)
    lowest, highest = units.bound(LOWEST), units.bound(HIGHEST)
    lt, le, gt, ge = sympy.Lt, sympy.Le, sympy.Gt, sympy.Ge
    concave = [
        (CERTAIN_WAR, (sympy.Or(le(hi, a), sympy.And(le(root, a), le(lo, a))),), war),
        (LOWEST, (lt(a, lo), le(lo, b), lt(root, lo)), at(lo, share[0], lowest)),
        (LOWEST, (gt(lo, b),), at(lo, one, lowest)),
        (HIGHEST, (lt(a, hi), lt(hi, b), gt(root, hi)), at(hi, share[1], highest)),
        (NO_WAR, (ge(root, b), le(lo, b), le(b, hi)), at(b, one, units.offer(b))),
        (INTERIOR, (lt(a, root), lt(root, b), le(lo, root), le(root, hi)), _interior(units, root)),
    ]
    always = decide_on(tidy_condition(gt(curvature, 0)), box) is True
    regimes = [
        Regime(units.label(code), conds if always else (gt(curvature, 0), *conds), values)
        for code, conds, values in concave
    ]
    if not always:
        regimes += _convex(units, le(curvature, 0), at, war, share)
    return regimes, always


def _interior(units: Units, root: sympy.Expr) -> dict[str, sympy.Basic]:
    """The measures at the root of the first-order condition."""
    e = units.expr
    a, b, w0, w1 = e("a"), e("b"), e("war"), e("war_slope")
    accept = (root - a) / (b - a)
    proposer = accept * units.deal(root) + (1 - accept) * (w0 + w1 * (root + b) / 2)
    responder = accept * root + (1 - accept) * (root + b) / 2
    return units.measures(1 - accept, proposer, responder, units.offer(root))


def _first_order(units: Units) -> sympy.Expr:
    """``(b - a) dU/dx`` at ``x = offer`` for a uniform law: zero at an interior optimum."""
    e = units.expr
    a, b, w0, w1 = e("a"), e("b"), e("war"), e("war_slope")
    r = e("gamma") + e("delta") * OFFER
    deal = e("alpha") + e("beta") * OFFER  # the proposer's deal payoff, affine in x
    return sympy.diff((r - a) * deal + (b - r) * (w0 + w1 * (r + b) / 2), OFFER)


def _convex(units: Units, convex: sympy.Basic, at, war, share) -> list[Regime]:
    """Where the payoff is convex on [a, b]: the better of the offers b and a (clipped).

    The candidate ``b`` is accepted by all (``b`` in the range), is the
    highest offer (``b > hi > a``), is war (``hi <= a``) or the lowest offer
    (``b < lo``); the candidate ``a`` is war (``lo <= a``) or the lowest offer
    (``a < lo <= b``), or the same offer as ``b`` (``lo > b``). Each consistent
    pair gives ``b``'s row where it is at least as good, ``a``'s where it is.
    """
    e = units.expr
    a, b = e("a"), e("b")
    lo, hi = units.lo, units.hi
    lt, le, gt = sympy.Lt, sympy.Le, sympy.Gt
    one = sympy.Integer(1)
    p = f"u_{ident(units.compiled.proposer)}"
    b_rows = {
        "all": (NO_WAR, (le(lo, b), le(b, hi)), at(b, one, units.offer(b))),
        "high": (HIGHEST, (gt(b, hi), gt(hi, a)), at(hi, share[1], units.bound(HIGHEST))),
        "war": (CERTAIN_WAR, (gt(b, hi), le(hi, a)), war),
        "low": (LOWEST, (lt(b, lo),), at(lo, one, units.bound(LOWEST))),
    }
    a_rows = {
        "war": (CERTAIN_WAR, (le(lo, a),), war),
        "low": (LOWEST, (lt(a, lo), le(lo, b)), at(lo, share[0], units.bound(LOWEST))),
        "same": None,  # lo > b: the same offer as b's
    }
    pairs = [("all", "war"), ("all", "low"), ("high", "war"), ("high", "low")]
    regimes = []
    for bk, ak in pairs:
        (b_code, b_conds, b_values), (a_code, a_conds, a_values) = b_rows[bk], a_rows[ak]
        base = (convex, *b_conds, *a_conds)
        regimes.append(Regime(units.label(b_code), (*base, b_values[p] >= a_values[p]), b_values))
        regimes.append(Regime(units.label(a_code), (*base, a_values[p] >= b_values[p]), a_values))
    for bk in ("war", "low"):  # both candidates are war, or the same lowest offer: one row
        code, conds, values = b_rows[bk]
        regimes.append(Regime(units.label(code), (convex, *conds), values))
    return regimes


# -- finite types ------------------------------------------------------------------------------


def _classes(items: list[sympy.Expr]) -> list[list[int]]:
    """The items grouped into classes of identical values (their difference is 0)."""
    classes: list[list[int]] = []
    for i, item in enumerate(items):
        for cls in classes:
            if sympy.expand(items[cls[0]] - item) == 0:
                cls.append(i)
                break
        else:
            classes.append([i])
    return classes


def _orders(items: list[sympy.Expr], box: dict) -> list[list[list[int]]]:
    """The orders of the items' classes, lowest first, that the bounds allow.

    Classes ``A`` and ``B`` may come in either order unless ``A < B`` is
    settled on the bounds (:func:`bargain.algebra.settle`: always, or never);
    orders in which interval arithmetic shows the items cannot lie are dropped.
    """
    classes = _classes(items)
    m = len(classes)
    first = [items[c[0]] for c in classes]
    below: list[list[bool | None]] = [[None] * m for _ in range(m)]
    with step("ordering the types' reservation values"):
        for i, j in itertools.permutations(range(m), 2):
            settled = settle(evaluated(sympy.Lt(first[i], first[j])), box)
            below[i][j] = settled if isinstance(settled, bool) else None
    orders: list[list[int]] = []

    def extend(order: list[int], left: list[int]) -> None:
        if len(orders) > MAX_ORDERS:
            return
        if not left:
            chain = [sympy.Lt(first[a], first[b]) for a, b in itertools.pairwise(order)]
            if decide_on(sympy.And(*map(tidy_condition, chain)), box) is not False:
                orders.append(order)
            return
        for x in left:
            rest = [y for y in left if y != x]
            if all(below[y][x] is not True and below[x][y] is not False for y in rest):
                extend([*order, x], rest)

    extend([], list(range(m)))
    if len(orders) > MAX_ORDERS:
        raise ModelError(
            f"screening: the types' reservation values and the offer range's ends may come in "
            f"more than {MAX_ORDERS} orders within the parameters' bounds; bound the parameters "
            "so that fewer orders are possible, or solve numerically"
        )
    return [[classes[c] for c in order] for order in orders]


def _types(units: Units, v: list, q: list, w: list, box: dict) -> list[Regime]:
    """The regimes of finite types: for each order of the reservation values and the
    offer range's ends, each distinct candidate offer where it is optimal.

    In an order everything is explicit: the candidate ``max(v_j, lo)`` (where
    ``v_j <= hi``) and ``lo``; who accepts an offer (the types at or below it);
    its label, taken from the first candidate making it as the solver does
    (``lowest`` if that candidate's type lies below ``lo``, ``certain war`` if
    no type accepts, ``no risk of war`` if all do, else ``interior``).
    """
    n = len(v)
    lo_i, hi_i = n, n + 1
    items = [*v, units.lo, units.hi]
    regimes = []
    for order in _orders(items, box):
        rank = {i: k for k, cls in enumerate(order) for i in cls}
        first = [items[cls[0]] for cls in order]
        chain = tuple(sympy.Lt(a, b) for a, b in itertools.pairwise(first))
        candidates = [  # (offer's rank, the natural offer's rank) in the solver's order
            (max(rank[j], rank[lo_i]), rank[j]) for j in range(n) if rank[j] <= rank[hi_i]
        ]
        candidates.append((rank[lo_i], rank[lo_i]))
        offers: dict[int, int] = {}
        for at, natural in candidates:
            offers.setdefault(at, natural)  # the first candidate of an offer labels it
        outcomes = {at: _outcome(units, v, q, w, rank, at, first[at]) for at in offers}
        for at, natural in offers.items():
            accept, p_war, proposer, responder = outcomes[at]
            optimal = tuple(sympy.Ge(proposer, o[2]) for k, o in outcomes.items() if k != at)
            if not accept:
                code, offer = CERTAIN_WAR, None
            elif natural < rank[lo_i]:
                code, offer = LOWEST, units.bound(LOWEST)
            else:
                code = NO_WAR if len(accept) == n else INTERIOR
                offer = units.bound(LOWEST) if at == rank[lo_i] else units.offer(first[at])
            values = units.measures(p_war, proposer, responder, offer)
            regimes.append(Regime(units.label(code), (*chain, *optimal), values))
    return regimes


def _outcome(units: Units, v, q, w, rank, at: int, r: sympy.Expr):
    """Who accepts the offer ``r`` (of rank ``at``), the probability of war and both payoffs."""
    accept = [i for i in range(len(v)) if rank[i] <= at]
    reject = [i for i in range(len(v)) if rank[i] > at]
    mass = sympy.Add(*(q[i] for i in accept))
    p_war = sympy.Add(*(q[i] for i in reject))
    proposer = mass * units.deal(r) + sympy.Add(*(q[i] * w[i] for i in reject))
    responder = mass * r + sympy.Add(*(q[i] * v[i] for i in reject))
    return accept, p_war, proposer, responder
