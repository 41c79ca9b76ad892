"""Screening: a take-it-or-leave-it offer to a responder with a private reservation value.

The proposer offers the responder ``r`` (in the responder's payoff units) out of a
pie ``pie``, keeping ``pie - r``. Only the responder knows its reservation value
``v``, what it gets by rejecting (war); it accepts iff ``r >= v`` (an indifferent
responder accepts). After a rejection the proposer gets ``w(v)``. With ``v``
drawn from ``F``, the proposer chooses ``r`` in ``[lo, hi]`` to maximise

.. math:: U(r) = F(r)\\,(\\pi - r) + E[w(v)\\,1\\{v > r\\}],

Fearon's (1995) risk–return trade-off: a larger offer buys a higher chance of
peace at the price of a smaller share. The responder expects
``E[max(r, v)]``.

- :func:`screening_uniform`: ``v`` uniform on ``[a, b]``, ``w(v) = w + k v``;
  the offer solves the first-order condition, clipped to the corners.
- :func:`screening_types`: finitely many types; the best offer makes some
  type indifferent (or is the lower bound), found by comparing those offers.

Rows, not points: where several offers are optimal (a tie) each is a row, and
where every offer that all types reject is optimal (a continuum of them) the
row's offer is NaN; ``ties`` flags both.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from numpy.typing import ArrayLike
from sympy.functions.elementary.piecewise import ExprCondPair

from bargain.errors import BargainError, ParamError
from bargain.formula import compile_formulas
from bargain.tolerances import PAYOFF_RTOL, PROB_SUM_ATOL, ROUNDING

from . import validation as check

#: Regime codes of an optimal offer, indices into :data:`REGIMES`.
INTERIOR, NO_WAR, CERTAIN_WAR, LOWEST, HIGHEST = range(5)
#: What each regime code means.
REGIMES = (
    "interior",
    "corner: offer accepted by all types (no risk of war)",
    "corner: offer rejected by all types (certain war)",
    "corner: lowest offer of the range",
    "corner: highest offer of the range",
)
#: Most types for which :func:`screening_types` builds a closed form (its size grows as n^3).
MAX_CLOSED_TYPES = 6

PIE, A, B, W, K, LO, HI, R = sympy.symbols("pie a b w k lo hi r")


@dataclass(frozen=True, eq=False)
class ScreeningResult:
    """The proposer's optimal offers at a batch of points, one row per (point, offer).

    The numeric arguments are broadcast to a common ``shape``; a point is a flat
    index into it.

    Attributes
    ----------
    distribution : str
        ``"uniform"`` or ``"types"``.
    point : ndarray (R,)
        The point (flat index) of each row; rows come in point order.
    offer : ndarray (R,)
        The optimal offer ``r``; NaN where every offer all types reject is
        optimal, an interval of them (flagged in ``ties``).
    p_war : ndarray (R,)
        The probability that the offer is rejected.
    payoffs : ndarray (2, R)
        The proposer's and the responder's expected payoffs.
    regime : ndarray of int8 (R,)
        Codes into :data:`REGIMES`: which case of the solution applies.
    ties : ndarray of bool (*shape)
        Several optimal offers (several rows), or an interval of them.
    closed_form : dict of str to sympy.Expr, or None
        ``offer``, ``p_war``, ``proposer``, ``responder`` and ``regime`` in the
        symbols named by the keys of ``params`` (and, for the uniform case,
        ``stationary``: the root of the first-order condition), or None where
        none is built. Where offers tie, it gives the first candidate's.
    params : dict of str to ndarray
        The numeric arguments, broadcast to ``shape``, keyed by symbol name.
    """

    distribution: str
    point: np.ndarray
    offer: np.ndarray
    p_war: np.ndarray
    payoffs: np.ndarray
    regime: np.ndarray
    ties: np.ndarray
    closed_form: Mapping[str, sympy.Expr] | None
    params: Mapping[str, np.ndarray]

    @property
    def shape(self) -> tuple[int, ...]:
        """The broadcast shape of the arguments (``()`` for a single point)."""
        return self.ties.shape

    def regime_labels(self) -> np.ndarray:
        """Each row's regime as text (an object array)."""
        return np.asarray(REGIMES, dtype=object)[self.regime]

    def closed_form_values(self) -> dict[str, np.ndarray]:
        """The closed form evaluated at ``params``: name -> array of ``shape``."""
        if self.closed_form is None:
            raise BargainError(
                f"screening ({self.distribution}): no closed form for these arguments"
            )
        names = list(self.params)
        exprs = list(self.closed_form.values())
        values = compile_formulas(exprs, names)(*(self.params[k] for k in names))
        shaped = np.broadcast_to(values.reshape(len(exprs), -1), (len(exprs), self.ties.size))
        return {k: v.reshape(self.shape) for k, v in zip(self.closed_form, shaped)}

    def as_dict(self) -> dict[str, np.ndarray]:
        """Columns of a table with one row per optimal offer: the arguments at its
        point, ``offer``, ``p_war``, ``proposer``, ``responder``, ``regime``, ``ties``."""
        columns = {k: v.ravel()[self.point] for k, v in self.params.items()}
        columns |= {"offer": self.offer, "p_war": self.p_war}
        columns |= {"proposer": self.payoffs[0], "responder": self.payoffs[1]}
        columns |= {"regime": self.regime_labels(), "ties": self.ties.ravel()[self.point]}
        return columns

    def __repr__(self) -> str:
        if self.shape:
            return (
                f"<ScreeningResult {self.distribution}: {len(self.point)} optimal offers "
                f"at {self.ties.size} points, shape {self.shape}>"
            )
        rows = "; ".join(
            f"offer {o:.4g}, P(war) {p:.4g} ({REGIMES[g]})"
            for o, p, g in zip(self.offer, self.p_war, self.regime)
        )
        return f"ScreeningResult({self.distribution}; {rows})"


def screening_uniform(
    low: ArrayLike,
    high: ArrayLike,
    war: ArrayLike = 0.0,
    *,
    war_slope: ArrayLike = 0.0,
    pie: ArrayLike = 1.0,
    bounds: tuple[ArrayLike | None, ArrayLike | None] = (None, None),
) -> ScreeningResult:
    """The optimal offer to a responder whose reservation value is uniform on ``[a, b]``.

    With ``F(r) = (r - a) / (b - a)`` on ``[a, b]`` and the proposer's war
    payoff ``w(v) = w + k v``,

    .. math:: U(r) = \\frac{(r - a)(\\pi - r) + (b - r)(w + k (b + r) / 2)}{b - a}
              \\quad (a \\le r \\le b),

    constant ``E[w(v)]`` below ``a`` (every type rejects) and ``pi - r`` above
    ``b`` (every type accepts). Its first-order condition gives

    .. math:: r_s = \\frac{\\pi + a - w}{2 + k},

    a maximum where ``k > -2`` (``U`` is concave on ``[a, b]``). The offer is
    ``r* = clip(clip(r_s, a, b), lo, hi)``, and the corners are:

    - ``r_s >= b``: the offer ``b`` every type accepts (no risk of war);
    - ``r_s <= a``, i.e. ``pi - a <= w(a)``: no type is worth a deal, every
      offer all types reject is optimal (certain war; offer NaN, a tie);
    - ``clip(r_s, a, b)`` outside ``[lo, hi]``: the bound of the range.

    With ``k <= -2`` (the proposer's war payoff falls at least twice as fast as
    the responder's reservation value rises) ``U`` is convex on ``[a, b]`` and
    the better of ``clip(b)`` and ``clip(a)`` is optimal (both, if they tie).
    With ``a = b`` (complete information) the responder is one type:
    see :func:`screening_types`.

    In Fearon's (1995) setting, B's reservation value is its war payoff
    ``1 - p - c_B``: with ``c_B`` uniform on ``[0, c]``, ``a = 1 - p - c``,
    ``b = 1 - p``, ``w = p - c_A``, and the offer ``r* = 1 - p - (c - c_A) / 2``
    leaves war with probability ``(c - c_A) / (2 c)`` for ``c_A < c``.

    Parameters
    ----------
    low, high : float or array
        The support ``[a, b]``, ``a <= b``.
    war : float or array
        ``w``: the proposer's payoff from a rejection (at ``v = 0`` if ``war_slope``).
    war_slope : float or array
        ``k``: how the proposer's war payoff moves with the responder's
        reservation value (interdependent values, e.g. a private probability of
        winning).
    pie : float or array
        Size of the pie, > 0.
    bounds : pair of float, array or None
        ``(lo, hi)``: the range of offers; None leaves that side open.

    Returns
    -------
    ScreeningResult
        Rows of optimal offers; ``closed_form`` in the symbols ``pie, a, b, w,
        k, lo, hi`` (those left at their default substituted).

    Examples
    --------
    >>> r = screening_uniform(0.2, 0.5, 0.4)  # p = 0.5, c_A = 0.1, c_B uniform on [0, 0.3]
    >>> r.offer.round(6).tolist(), r.p_war.round(6).tolist(), r.payoffs.round(6).ravel().tolist()
    ([0.4], [0.333333], [0.533333, 0.416667])
    >>> r.closed_form["stationary"]  # the root of the first-order condition
    a/2 - w/2 + 1/2
    >>> screening_uniform(0.2, 0.5, [0.4, 0.1, 0.8]).regime_labels().tolist()
    ['interior', 'corner: offer accepted by all types (no risk of war)', \
'corner: offer rejected by all types (certain war)']
    """
    default_pie, default_slope = check.is_default(pie, 1.0), check.is_default(war_slope, 0.0)
    arrays = {
        "pie": check.real(pie, "pie", 0, low_open=True),
        "a": check.real(low, "low"),
        "b": check.real(high, "high"),
        "w": check.real(war, "war"),
        "k": check.real(war_slope, "war_slope"),
    }
    arrays |= _bounds(bounds)
    params = check.broadcast(arrays)
    _ordered(params["a"], params["b"], "low", "high")
    flat = {k: np.ravel(v) for k, v in params.items()}
    size = flat["a"].size
    lo = flat.get("lo", np.full(size, -np.inf))
    hi = flat.get("hi", np.full(size, np.inf))
    *rows, ties = _uniform(flat["a"], flat["b"], flat["w"], flat["k"], flat["pie"], lo, hi)
    closed = _uniform_symbols(default_pie, default_slope, "lo" in params, "hi" in params)
    shape = params["a"].shape
    return ScreeningResult("uniform", *rows, ties.reshape(shape), closed, params)


def screening_types(
    values: Sequence[ArrayLike] | np.ndarray,
    probabilities: Sequence[ArrayLike] | np.ndarray,
    war: ArrayLike | Sequence[ArrayLike] = 0.0,
    *,
    pie: ArrayLike = 1.0,
    bounds: tuple[ArrayLike | None, ArrayLike | None] = (None, None),
) -> ScreeningResult:
    """The optimal offer to a responder of finitely many types.

    Type ``j`` has reservation value ``v_j`` and probability ``q_j``; the
    proposer gets ``w_j`` if it rejects. Offering ``r``, the types with
    ``v_j <= r`` accept:

    .. math:: U(r) = (\\pi - r) \\sum_{v_j \\le r} q_j + \\sum_{v_j > r} q_j w_j.

    Between two reservation values the accepting set is fixed and ``U`` falls
    with ``r``, so the best offer is one of the candidates ``max(v_j, lo)``
    (with ``v_j <= hi``: type ``j`` is made indifferent) or ``lo``; the closed
    form compares them (no first-order condition: ``U`` jumps at each ``v_j``).
    Where only offers that every type rejects are best, the offer is NaN
    (certain war, any such offer; flagged as a tie) unless ``lo = hi``.

    Parameters
    ----------
    values, probabilities : sequences of n floats or arrays (or arrays whose
        first axis is the type)
        The reservation values ``v_j`` (any order) and their probabilities,
        which must be >= 0 and sum to 1 (within ``PROB_SUM_ATOL``).
    war : float or array, or a list or tuple of n of them
        The proposer's payoff from a rejection: one for all types, or one per type.
    pie : float or array
        Size of the pie, > 0.
    bounds : pair of float, array or None
        ``(lo, hi)``: the range of offers; None leaves that side open.

    Returns
    -------
    ScreeningResult
        Rows of optimal offers; ``closed_form`` (for at most
        :data:`MAX_CLOSED_TYPES` types) in the symbols ``pie, lo, hi`` and
        ``v1, q1, w1, v2, ...``.

    Examples
    --------
    A resolved type (reservation 0.6) with probability q, an irresolute one (0.2):
    the proposer buys off both only if q is large enough.

    >>> r = screening_types([0.2, 0.6], [[0.8, 0.4], [0.2, 0.6]], war=0.1)
    >>> r.offer.tolist(), r.p_war.round(6).tolist()
    ([0.2, 0.6], [0.2, 0.0])
    >>> r.regime_labels().tolist()
    ['interior', 'corner: offer accepted by all types (no risk of war)']
    """
    n = len(values)
    if n < 1:
        raise ParamError("values must hold at least one type")
    if len(probabilities) != n:
        raise ParamError(
            f"probabilities must hold one entry per type ({n}), got {len(probabilities)}"
        )
    per_type = isinstance(war, list | tuple)
    if per_type and len(war) != n:
        raise ParamError(f"war must be one payoff or one per type ({n}), got {len(war)}")
    arrays = {"pie": check.real(pie, "pie", 0, low_open=True)} | _bounds(bounds)
    for j in range(n):
        arrays[f"v{j + 1}"] = check.real(values[j], f"values[{j}]")
        arrays[f"q{j + 1}"] = check.real(probabilities[j], f"probabilities[{j}]")
        arrays[f"w{j + 1}"] = check.real(war[j] if per_type else war, f"war[{j}]")
    params = check.broadcast(arrays)
    flat = {k: np.ravel(v) for k, v in params.items()}
    size = flat["pie"].size
    v, q, w = (np.stack([flat[f"{s}{j + 1}"] for j in range(n)]) for s in "vqw")
    check_probabilities(q)
    lo = flat.get("lo", np.full(size, -np.inf))
    hi = flat.get("hi", np.full(size, np.inf))
    *rows, ties = _types(v, q, w, flat["pie"], lo, hi)
    closed = None
    if n <= MAX_CLOSED_TYPES:
        closed = _types_symbols(n, check.is_default(pie, 1.0), "lo" in params, "hi" in params)
    shape = params["pie"].shape
    return ScreeningResult("types", *rows, ties.reshape(shape), closed, params)


def check_probabilities(q: np.ndarray, name: str = "probabilities") -> None:
    """Refuse type probabilities (n, M) below 0 or not summing to 1 (``PROB_SUM_ATOL``)."""
    bad = (q < -PROB_SUM_ATOL).any(axis=0)
    if bad.any():
        index, at = check.locate(bad)
        raise ParamError(f"{name} must be >= 0, got {q[:, index[0]].min():g}{at}")
    total = q.sum(axis=0)
    bad = np.abs(total - 1) > PROB_SUM_ATOL
    if bad.any():
        index, at = check.locate(bad)
        raise ParamError(f"{name} must sum to 1, got {total[index]:.12g}{at}")


def _bounds(bounds: tuple[ArrayLike | None, ArrayLike | None]) -> dict[str, np.ndarray]:
    """The given bounds of the offer range, checked: ``{"lo": ..., "hi": ...}``."""
    if not isinstance(bounds, tuple | list) or len(bounds) != 2:
        raise ParamError(f"bounds must be a pair (lo, hi), got {bounds!r}")
    out = {
        name: check.real(value, f"bounds {name}")
        for name, value in zip(("lo", "hi"), bounds)
        if value is not None
    }
    if len(out) == 2:
        lo, hi = np.broadcast_arrays(out["lo"], out["hi"])
        _ordered(lo, hi, "bounds lo", "bounds hi")
    return out


def _ordered(low: np.ndarray, high: np.ndarray, low_name: str, high_name: str) -> None:
    bad = low > high
    if bad.any():
        index, at = check.locate(bad)
        raise ParamError(
            f"{low_name} must be <= {high_name}, got {low[index]:g} > {high[index]:g}{at}"
        )


# -- the numeric solutions, flat over M points ------------------------------------------------

Rows = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _uniform(a, b, w, k, pie, lo, hi) -> Rows:
    """Rows (point, offer, p_war, payoffs, regime) and ties of the uniform case.

    The concave case (``k > -2``) is the closed form itself, a few array
    operations per point; the convex one and ``a = b`` compare candidates.
    """
    size = a.size
    concave = (k > -2) & (a < b)
    if concave.all():
        return _uniform_concave(a, b, w, k, pie, lo, hi)
    parts = []
    for kind, mask in (("concave", concave), ("convex", (k <= -2) & (a < b)), ("one", a == b)):
        index = np.flatnonzero(mask)
        if not len(index):
            continue
        args = [x[index] for x in (a, b, w, k, pie, lo, hi)]
        if kind == "concave":
            rows = _uniform_concave(*args)
        elif kind == "convex":
            rows = _uniform_convex(*args)
        else:  # one type: v = a with certainty
            sub_a, _, sub_w, sub_k, sub_pie, sub_lo, sub_hi = args
            v, war = sub_a[None], (sub_w + sub_k * sub_a)[None]
            rows = _types(v, np.ones_like(v), war, sub_pie, sub_lo, sub_hi)
        parts.append((index, rows))
    return _merge(parts, size)


def _merge(parts: list[tuple[np.ndarray, Rows]], size: int) -> Rows:
    """Rows of several subsets of the points, in point order."""
    point = np.concatenate([index[rows[0]] for index, rows in parts])
    order = np.argsort(point, kind="stable")
    columns = [
        np.concatenate([rows[c] for _, rows in parts], axis=-1)[..., order] for c in range(1, 5)
    ]
    ties = np.zeros(size, dtype=bool)
    for index, rows in parts:
        ties[index] = rows[5]
    return (point[order], *columns, ties)


def _uniform_outcome(r, a, b, w, k, pie):
    """Acceptance probability and the two expected payoffs of the offer ``r``."""
    accept = np.clip((r - a) / (b - a), 0.0, 1.0)
    reject = 1.0 - accept
    mean = (np.maximum(r, a) + b) / 2  # E[v | v > r]
    proposer = accept * (pie - r) + reject * (w + k * mean)
    responder = accept * r + reject * mean
    return accept, proposer, responder


def _regime(accept, p_war, r, target, lo, hi) -> np.ndarray:
    """Regime codes: certain war, else a binding bound, else no war, else interior."""
    code = np.where(p_war <= 0, NO_WAR, INTERIOR).astype(np.int8)
    code[(r == hi) & (target > hi)] = HIGHEST
    code[(r == lo) & (target < lo)] = LOWEST
    code[accept <= 0] = CERTAIN_WAR
    return code


def _uniform_concave(a, b, w, k, pie, lo, hi) -> Rows:
    target = np.minimum(np.maximum((pie + a - w) / (2 + k), a), b)
    r = np.minimum(np.maximum(target, lo), hi)
    accept, proposer, responder = _uniform_outcome(r, a, b, w, k, pie)
    continuum = (accept <= 0) & (lo < np.minimum(a, hi))
    offer = np.where(continuum, np.nan, r)
    p_war = 1.0 - accept
    regime = _regime(accept, p_war, r, target, lo, hi)
    payoffs = np.stack([proposer, responder])
    return np.arange(a.size), offer, p_war, payoffs, regime, continuum


def _uniform_convex(a, b, w, k, pie, lo, hi) -> Rows:
    natural = np.stack([b, a])
    r = np.minimum(np.maximum(natural, lo), hi)
    accept, proposer, responder = _uniform_outcome(r, a, b, w, k, pie)
    continuum = lo < np.minimum(a, hi)
    return _best(r, natural, accept, proposer, responder, lo, hi, continuum)


def _types(v, q, w, pie, lo, hi) -> Rows:
    """Candidates ``max(v_j, lo)`` (where ``v_j <= hi``) and ``lo``, compared."""
    natural = np.concatenate([v, lo[None]])
    r = np.minimum(np.maximum(natural, lo), hi)
    accepts = v[None] <= r[:, None]  # (candidate, type, point)
    accept = np.where(accepts, q, 0.0).sum(axis=1)
    reject_w = np.where(accepts, 0.0, q * w).sum(axis=1)
    reject_v = np.where(accepts, 0.0, q * v).sum(axis=1)
    offered = np.where(accept > 0, r, 0.0)  # r may be -inf where no type accepts
    proposer = accept * (pie - offered) + reject_w
    responder = accept * offered + reject_v
    p_war = np.where(accepts, 0.0, q).sum(axis=1)
    valid = np.concatenate([v <= hi, np.ones((1, v.shape[1]), dtype=bool)])
    proposer = np.where(valid, proposer, -np.inf)
    floor = np.where(q > 0, v, np.inf).min(axis=0)  # the lowest type that counts
    continuum = lo < np.minimum(floor, hi)
    return _best(r, natural, accept, proposer, responder, lo, hi, continuum, p_war)


def _best(r, natural, accept, proposer, responder, lo, hi, continuum, p_war=None) -> Rows:
    """The optimal candidates (C, M) as rows: ties within the proposer's tolerance are
    all kept (equal offers once), and offers that every type rejects make one row."""
    p_war = 1.0 - accept if p_war is None else p_war
    finite = np.where(np.isfinite(proposer), proposer, np.nan)
    span = np.nanmax(finite, axis=0) - np.nanmin(finite, axis=0)
    magnitude = np.nanmax(np.abs(finite), axis=0)
    tol = PAYOFF_RTOL * span + ROUNDING * magnitude
    best = proposer.max(axis=0)
    win = proposer >= best - tol
    war = accept <= 0
    keep = win.copy()
    for c in range(1, len(r)):  # one row per distinct offer, and one for war
        earlier = win[:c] & ((r[:c] == r[c]) | (war[:c] & war[c]))
        keep[c] &= ~earlier.any(axis=0)
    cand, point = np.nonzero(keep.T)[::-1]
    order = np.argsort(point, kind="stable")
    cand, point = cand[order], point[order]
    pick = (cand, point)
    rr, wr = r[pick], war[pick]
    offer = np.where(wr & continuum[point], np.nan, rr)
    regime = _regime(accept[pick], p_war[pick], rr, natural[pick], lo[point], hi[point])
    count = np.bincount(point, minlength=r.shape[1])
    war_interval = np.bincount(point, weights=wr & continuum[point], minlength=count.size) > 0
    ties = (count > 1) | war_interval
    payoffs = np.stack([proposer[pick], responder[pick]])
    return point, offer, p_war[pick], payoffs, regime, ties


# -- the closed forms -------------------------------------------------------------------------
# Built as written (unevaluated): comparing sums of Piecewise expressions symbolically
# is slow and gains nothing; the forms are for reading and evaluating.

Expr = sympy.Expr | float


def uniform_closed_form(
    pie: Expr = PIE,
    a: Expr = A,
    b: Expr = B,
    w: Expr = W,
    k: Expr = K,
    lo: Expr | None = LO,
    hi: Expr | None = HI,
) -> dict[str, sympy.Expr]:
    """The closed form of :func:`screening_uniform`, in the symbols ``pie, a, b, w, k,
    lo, hi`` or in the expressions given for them (``lo``/``hi`` None: no bound).

    Keys ``offer``, ``p_war``, ``proposer``, ``responder``, ``regime`` and
    ``stationary`` (the root of the first-order condition).
    """
    pie, a, b, w, k = map(sympy.sympify, (pie, a, b, w, k))
    lo, hi = (None if e is None else sympy.sympify(e) for e in (lo, hi))
    values = {PIE: pie, A: a, B: b, W: w, K: k}
    stationary = _stationary().xreplace(values)
    with sympy.evaluate(False):
        continuum = (
            sympy.Lt(lo, sympy.Min(a, hi) if hi is not None else a)
            if lo is not None
            else sympy.true
        )

        def at(r: sympy.Expr, natural: sympy.Expr) -> dict[str, sympy.Expr]:
            accept = _piecewise(
                (0, sympy.Le(r, a)), (1, sympy.Ge(r, b)), ((r - a) / (b - a), sympy.true)
            )
            mean = (sympy.Max(r, a) + b) / 2
            proposer = accept * (pie - r) + (1 - accept) * (w + k * mean)
            return {
                "offer": _piecewise(
                    (sympy.nan, sympy.And(sympy.Le(r, a), continuum)), (r, sympy.true)
                ),
                "p_war": 1 - accept,
                "proposer": proposer,
                "responder": accept * r + (1 - accept) * mean,
                "regime": _regime_expr(r, accept, 1 - accept, natural, lo, hi),
                "value": proposer,
            }

        target = sympy.Min(sympy.Max(stationary, a), b)
        main = at(_clip(target, lo, hi), target)
        if k != 0:  # k <= -2: U is convex on [a, b], the better end is optimal
            convex = _choose([at(_clip(b, lo, hi), b), at(_clip(a, lo, hi), a)])
            main = {
                key: _piecewise((e, sympy.Gt(k, -2)), (convex[key], sympy.true))
                for key, e in main.items()
                if key != "value"
            }
        one = types_closed_form([a], [sympy.Integer(1)], [w + k * a], pie, lo, hi)
        closed = {
            key: _piecewise((main[key], sympy.Lt(a, b)), (one[key], sympy.true)) for key in one
        }
    return {**closed, "stationary": stationary}


def types_closed_form(
    v: Sequence[Expr],
    q: Sequence[Expr],
    w: Sequence[Expr],
    pie: Expr = PIE,
    lo: Expr | None = LO,
    hi: Expr | None = HI,
) -> dict[str, sympy.Expr]:
    """The closed form of :func:`screening_types`: the best of the candidate offers
    ``max(v_j, lo)`` and ``lo`` (or, without ``lo``, certain war), for the types'
    reservation values ``v``, probabilities ``q`` and the proposer's war payoffs
    ``w`` (expressions). Keys as :func:`uniform_closed_form`'s, without ``stationary``.
    """
    v, q, w = ([sympy.sympify(e) for e in seq] for seq in (v, q, w))
    pie = sympy.sympify(pie)
    lo, hi = (None if e is None else sympy.sympify(e) for e in (lo, hi))
    with sympy.evaluate(False):
        floor = sympy.Min(
            *(_piecewise((vj, sympy.Gt(qj, 0)), (sympy.oo, sympy.true)) for vj, qj in zip(v, q))
        )
        top = sympy.Min(floor, hi) if hi is not None else floor
        continuum = sympy.Lt(lo, top) if lo is not None else sympy.true

        def at(r: sympy.Expr, natural: sympy.Expr, valid: sympy.Basic) -> dict[str, sympy.Expr]:
            accepts = [_piecewise((1, sympy.Le(vj, r)), (0, sympy.true)) for vj in v]
            rejects = [1 - aj for aj in accepts]
            accept = sympy.Add(*(qj * aj for qj, aj in zip(q, accepts)))
            p_war = sympy.Add(*(qj * bj for qj, bj in zip(q, rejects)))
            war = sympy.Add(*(qj * bj * wj for qj, bj, wj in zip(q, rejects, w)))
            proposer = accept * (pie - r) + war
            own = sympy.Add(*(qj * bj * vj for qj, bj, vj in zip(q, rejects, v)))
            return {
                "offer": _piecewise(
                    (sympy.nan, sympy.And(sympy.Eq(accept, 0), continuum)), (r, sympy.true)
                ),
                "p_war": p_war,
                "proposer": proposer,
                "responder": accept * r + own,
                "regime": _regime_expr(r, accept, p_war, natural, lo, hi),
                "value": _piecewise((proposer, valid), (-sympy.oo, sympy.true)),
            }

        candidates = [
            at(
                sympy.Max(vj, lo) if lo is not None else vj,
                vj,
                sympy.Le(vj, hi) if hi is not None else sympy.true,
            )
            for vj in v
        ]
        if lo is not None:
            candidates.append(at(lo, lo, sympy.true))
        else:  # certain war: any offer below every type, the offer undetermined
            below = sympy.Min(*v) - 1
            war = at(below, below, sympy.true)
            war["offer"], war["regime"] = sympy.nan, sympy.Integer(CERTAIN_WAR)
            candidates.append(war)
        return _choose(candidates)


@functools.cache
def _stationary() -> sympy.Expr:
    """The root of the first-order condition of the uniform case, in the symbols."""
    middle = ((R - A) * (PIE - R) + (B - R) * (W + K * (B + R) / 2)) / (B - A)
    (root,) = sympy.solve(sympy.diff(middle, R), R)
    return root


@functools.cache
def _uniform_symbols(
    default_pie: bool, default_slope: bool, has_lo: bool, has_hi: bool
) -> dict[str, sympy.Expr]:
    """The uniform closed form in symbols, arguments left at their default substituted."""
    return uniform_closed_form(
        1 if default_pie else PIE,
        A,
        B,
        W,
        0 if default_slope else K,
        LO if has_lo else None,
        HI if has_hi else None,
    )


@functools.cache
def _types_symbols(n: int, default_pie: bool, has_lo: bool, has_hi: bool) -> dict[str, sympy.Expr]:
    """The closed form of ``n`` types in the symbols ``v1, q1, w1, ...``."""
    v, q, w = (list(sympy.symbols(f"{s}1:{n + 1}")) for s in "vqw")
    return types_closed_form(
        v, q, w, 1 if default_pie else PIE, LO if has_lo else None, HI if has_hi else None
    )


def _piecewise(*pairs: tuple[sympy.Basic | int, sympy.Basic]) -> sympy.Piecewise:
    """A Piecewise as written (sympy's constructor rewrites conditions on Piecewise terms)."""
    return sympy.Basic.__new__(
        sympy.Piecewise,
        *(sympy.Tuple.__new__(ExprCondPair, sympy.sympify(e), c) for e, c in pairs),
    )


def _clip(expr: sympy.Expr, lo: sympy.Expr | None, hi: sympy.Expr | None) -> sympy.Expr:
    expr = sympy.Max(expr, lo) if lo is not None else expr
    return sympy.Min(expr, hi) if hi is not None else expr


def _choose(candidates: list[dict[str, sympy.Expr]]) -> dict[str, sympy.Expr]:
    """Each output of the candidate with the largest ``value`` (the first of ties)."""
    conditions = []
    for i, c in enumerate(candidates[:-1]):
        others = [d["value"] for j, d in enumerate(candidates) if j != i]
        conditions.append(sympy.And(*(sympy.Ge(c["value"], o) for o in others)))
    conditions.append(sympy.true)
    keys = [k for k in candidates[0] if k != "value"]
    return {k: _piecewise(*((c[k], cond) for c, cond in zip(candidates, conditions))) for k in keys}


def _regime_expr(r, accept, p_war, natural, lo, hi) -> sympy.Expr:
    pieces = [(CERTAIN_WAR, sympy.Eq(accept, 0))]
    if lo is not None:
        pieces.append((LOWEST, sympy.And(sympy.Eq(r, lo), sympy.Lt(natural, lo))))
    if hi is not None:
        pieces.append((HIGHEST, sympy.And(sympy.Eq(r, hi), sympy.Gt(natural, hi))))
    pieces += [(NO_WAR, sympy.Eq(p_war, 0)), (INTERIOR, sympy.true)]
    return _piecewise(*((sympy.Integer(c), cond) for c, cond in pieces))
