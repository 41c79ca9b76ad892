"""Alternating offers: Rubinstein's game, its finite-horizon version, breakdown risk
and outside options.

Two players divide a pie of size ``pie``. In periods 1, 2, ... player 1 proposes
in odd and player 2 in even periods; the other accepts, rejects or (with outside
options) opts out. After a rejection talks break down with probability ``p``
and each player ``i`` gets its disagreement payoff ``d_i`` at once; otherwise
the next period starts and payoffs are discounted by ``delta_i``. With a finite
horizon ``T``, a rejection in period ``T`` ends the talks with ``(d1, d2)``.
Opting out ends the talks with the outside options ``(w1, w2)``.
"""

from __future__ import annotations

import functools

import numpy as np
import sympy
from numpy.typing import ArrayLike

from bargain.checks import number_text
from bargain.errors import BudgetError, ParamError

from . import validation as check
from .result import BargainingResult

#: Most periods of a finite horizon (solved one period at a time).
MAX_HORIZON = 1_000_000

PIE, DELTA1, DELTA2, P, D1, D2, W1, W2, T = sympy.symbols("pie delta1 delta2 p d1 d2 w1 w2 T")


def alternating_offers(
    delta1: ArrayLike,
    delta2: ArrayLike,
    horizon: ArrayLike | None = None,
    breakdown: ArrayLike = 0.0,
    disagreement: tuple[ArrayLike, ArrayLike] = (0, 0),
    outside_options: tuple[ArrayLike, ArrayLike] | None = None,
    *,
    pie: ArrayLike = 1.0,
) -> BargainingResult:
    """Subgame-perfect shares of alternating-offers bargaining, player 1 proposing first.

    Write ``a_i = (1 - p) delta_i`` for player ``i``'s effective discount
    factor and ``q = a_1 a_2``.

    *Infinite horizon* (``horizon=None``), the unique SPE (Rubinstein 1982;
    with breakdown risk Binmore, Rubinstein and Wolinsky 1986 and Muthoo 1999,
    ch. 4). Player 1 proposes and player 2 accepts at once

    .. math:: x_1 = \\frac{\\pi (1 - a_2) - p d_2 + p a_2 d_1}{1 - q}, \\qquad
              x_2 = \\pi - x_1,

    which is ``(1 - delta2) / (1 - delta1 delta2)`` for ``p = 0`` (Rubinstein)
    and ``d_1 + (pi - d_1 - d_2) / (2 - p)`` for ``delta_i = 1`` (breakdown
    risk as the only friction). Equivalently
    ``x_1 = D_1 + (1 - a_2) / (1 - q) (pi - D_1 - D_2)`` with
    ``D_i = p d_i / (1 - a_i)``, the value of never agreeing; where
    ``pi < D_1 + D_2`` there is no deal and the shares are ``(D_1, D_2)``.

    *Outside options* ``(w1, w2)``: a player may opt out only when responding
    to an offer. By the outside option principle (Binmore, Shaked and Sutton
    1989; Muthoo 1999, ch. 5) an option matters only if it beats what the
    player gets by rejecting:

    .. math:: x_1 = \\min\\bigl(\\pi - w_2,\\
              \\max\\bigl((1 - a_2)\\pi - p d_2 + a_2 w_1,\\ x_1^{*}\\bigr)\\bigr)

    with ``x_1^*`` the share without options. Solved for ``w1 + w2 <= pie``
    (and ``d1 + d2 <= pie`` if ``p > 0``), where agreement is immediate; the
    formula with ``p > 0`` follows from the same fixed-point argument
    (Shaked and Sutton 1984) and is tested against backward induction.

    *Finite horizon* ``T``: exact backward induction (Ståhl 1972). Where
    ``pi >= d1 + d2`` (always with the default disagreement point) it agrees in
    every period and, with ``c = pi (1 - a_2) - p d_2 + p a_2 d_1``,

    .. math:: x_1 = c \\frac{1 - q^m}{1 - q} + q^m (\\pi - d_2),\\ T = 2m + 1; \\qquad
              x_1 = c \\frac{1 - q^{m-1}}{1 - q} + q^{m-1}
              (\\pi - p d_2 - a_2 (\\pi - d_1)),\\ T = 2m.

    With ``d = (0, 0)`` the proposer in period ``T`` takes everything, and as
    ``T`` grows ``x_1`` tends to the infinite-horizon share.

    Parameters
    ----------
    delta1, delta2 : float or array
        Discount factors per period, in [0, 1]. Without breakdown risk the
        infinite game needs ``delta1 * delta2 < 1``.
    horizon : int, array of int or None
        Number of periods ``T >= 1``; ``None`` for the infinite game.
    breakdown : float or array
        Probability ``p`` in [0, 1] that talks collapse after a rejection.
    disagreement : pair of float or array
        ``(d1, d2)``, each >= 0: payoffs on breakdown (and after the last
        rejection of a finite game).
    outside_options : pair of float or array, optional
        ``(w1, w2)``: payoffs when a responder opts out.
    pie : float or array
        Size of the pie, > 0.

    Returns
    -------
    BargainingResult
        ``shares`` (player 1, player 2) agreed in period 1 (where ``deal`` is
        False, the expected SPE payoffs). ``closed_form`` in the symbols
        ``pie, delta1, delta2, p, d1, d2, w1, w2, T`` with arguments left at
        their default substituted; the finite-horizon form is ``nan`` where
        ``pie < d1 + d2``, and ``None`` with outside options.

    Examples
    --------
    >>> r = alternating_offers(0.9, 0.9)
    >>> r.shares.round(4).tolist()
    [0.5263, 0.4737]
    >>> r.closed_form
    ((1 - delta2)/(-delta1*delta2 + 1), delta2*(1 - delta1)/(-delta1*delta2 + 1))
    >>> alternating_offers(0.9, 0.9, horizon=[1, 2, 3]).shares[0].round(4).tolist()
    [1.0, 0.1, 0.91]
    >>> alternating_offers(1, 1, breakdown=0.5, disagreement=(0.3, 0.1)).shares.round(12).tolist()
    [0.7, 0.3]
    >>> alternating_offers(0.9, 0.9, outside_options=(0, 0.6)).shares.round(4).tolist()
    [0.4, 0.6]
    """
    default_pie = check.is_default(pie, 1.0)
    default_p = check.is_default(breakdown, 0.0)
    default_d = check.is_default(disagreement, (0, 0))
    arrays = {
        "pie": check.real(pie, "pie", 0, low_open=True),
        "delta1": check.real(delta1, "delta1", 0, 1),
        "delta2": check.real(delta2, "delta2", 0, 1),
        "p": check.real(breakdown, "breakdown", 0, 1),
    }
    arrays["d1"], arrays["d2"] = check.pair(disagreement, "disagreement", ("d1", "d2"), low=0)
    if outside_options is not None:
        arrays["w1"], arrays["w2"] = check.pair(outside_options, "outside_options", ("w1", "w2"))
    if horizon is not None:
        arrays["T"] = check.integer(horizon, "horizon", 1)
        if arrays["T"].max() > MAX_HORIZON:
            raise BudgetError(
                f"horizon = {int(arrays['T'].max()):,} periods is above the budget of "
                f"{MAX_HORIZON:,} (the finite game is solved period by period): use "
                "horizon=None, the infinite game, which long horizons approach geometrically"
            )
    params = check.broadcast(arrays)
    args = {k: np.asarray(v, dtype=np.float64) for k, v in params.items()}
    if horizon is None:
        _check_infinite(args)
        shares, deal = _stationary(**args)
    else:
        shares, deal = _backward_induction(**args)
    options = outside_options is not None
    closed = _closed_form(horizon is None, options, default_pie, default_p, default_d)
    return BargainingResult("alternating_offers", ("1", "2"), shares, deal, closed, params)


def _check_infinite(args: dict[str, np.ndarray]) -> None:
    """Refuse points of the infinite game without a unique SPE or outside the solved region."""
    p, delta1, delta2 = args["p"], args["delta1"], args["delta2"]
    bad = (p == 0) & (delta1 == 1) & (delta2 == 1)
    if bad.any():
        raise ParamError(
            f"alternating_offers: delta1 = delta2 = 1 with breakdown = 0{check.locate(bad)[1]}: "
            "without discounting or breakdown risk every split is an equilibrium of the infinite "
            "game; use delta1 * delta2 < 1, breakdown > 0 or a finite horizon"
        )
    if "w1" not in args:
        return
    pie, w_sum, d_sum = args["pie"], args["w1"] + args["w2"], args["d1"] + args["d2"]
    for bad, name, total, extra in (
        (w_sum > pie, "w1 + w2", w_sum, ""),
        ((p > 0) & (d_sum > pie), "d1 + d2", d_sum, " with breakdown > 0"),
    ):
        if bad.any():
            index, at = check.locate(bad)
            raise ParamError(
                "outside_options: the infinite game with outside options is solved where "
                "w1 + w2 <= pie (and d1 + d2 <= pie when breakdown > 0); got "
                f"{name} = {number_text(total[index])} > "
                f"pie = {number_text(pie[index])}{extra}{at}; "
                "a finite horizon (e.g. horizon=1000) is solved exactly for any values"
            )


def _stationary(pie, delta1, delta2, p, d1, d2, w1=None, w2=None):
    """Shares (2, ...) and deal flags of the stationary SPE of the infinite game."""
    a1, a2 = (1 - p) * delta1, (1 - p) * delta2
    x1 = (pie * (1 - a2) - p * d2 + p * a2 * d1) / (1 - a1 * a2)
    if w1 is None:
        deal = pie * (1 - a1) * (1 - a2) >= p * d1 * (1 - a2) + p * d2 * (1 - a1)
        with np.errstate(divide="ignore", invalid="ignore"):
            never = np.stack([p * d1 / (1 - a1), p * d2 / (1 - a2)])
        shares = np.where(deal, np.stack([x1, pie - x1]), never)
        return shares, deal
    x1 = np.minimum(pie - w2, np.maximum((1 - a2) * pie - p * d2 + a2 * w1, x1))
    return np.stack([x1, pie - x1]), np.ones(x1.shape, dtype=bool)


@functools.cache
def _closed_form(
    infinite: bool, options: bool, default_pie: bool, default_p: bool, default_d: bool
) -> tuple[sympy.Expr, ...] | None:
    """The closed form of a game, arguments left at their default substituted (cached)."""
    if infinite:
        closed = _stationary_closed_form(options, default_p or default_d)
    elif options:
        return None
    else:
        closed = _finite_closed_form(default_d)
    subs = {PIE: 1} if default_pie else {}
    subs |= {P: 0} if default_p else {}
    subs |= {D1: 0, D2: 0} if default_d else {}
    return tuple(e.subs(subs) for e in closed)


def _stationary_closed_form(options: bool, always_deal: bool) -> tuple[sympy.Expr, ...]:
    """Closed-form shares of the infinite game (before substituting defaults)."""
    a1, a2 = (1 - P) * DELTA1, (1 - P) * DELTA2
    x1 = (PIE * (1 - a2) - P * D2 + P * a2 * D1) / (1 - a1 * a2)
    y2 = (PIE * (1 - a1) - P * D1 + P * a1 * D2) / (1 - a1 * a2)  # player 2's when proposing
    if options:
        x1 = sympy.Min(PIE - W2, sympy.Max((1 - a2) * PIE - P * D2 + a2 * W1, x1))
        y2 = sympy.Min(PIE - W1, sympy.Max((1 - a1) * PIE - P * D1 + a1 * W2, y2))
        return x1, sympy.Max(W2, P * D2 + a2 * y2)
    x2 = P * D2 + a2 * y2
    if always_deal:
        return x1, x2
    deal = PIE * (1 - a1) * (1 - a2) >= P * D1 * (1 - a2) + P * D2 * (1 - a1)
    return (
        sympy.Piecewise((x1, deal), (P * D1 / (1 - a1), True)),
        sympy.Piecewise((x2, deal), (P * D2 / (1 - a2), True)),
    )


def _finite_closed_form(always_deal: bool) -> tuple[sympy.Expr, ...]:
    """Closed-form shares of the T-period game where it agrees in every period."""
    a1, a2 = (1 - P) * DELTA1, (1 - P) * DELTA2
    q = a1 * a2
    c = PIE * (1 - a2) - P * D2 + P * a2 * D1  # two periods of the recursion x -> c + q x
    m = (T - 1) / 2
    odd = c * (1 - q**m) / (1 - q) + q**m * (PIE - D2)
    m = T / 2 - 1
    even = c * (1 - q**m) / (1 - q) + q**m * (PIE - P * D2 - a2 * (PIE - D1))
    x1 = sympy.Piecewise((odd, sympy.Eq(sympy.Mod(T, 2), 1)), (even, True))
    if not always_deal:
        x1 = sympy.Piecewise((x1, PIE >= D1 + D2), (sympy.nan, True))
    return x1, PIE - x1


def _backward_induction(pie, delta1, delta2, p, d1, d2, T, w1=None, w2=None):
    """Exact SPE of the T-period game, vectorized over the batch: O(max T) numpy steps.

    Ties: a responder accepts when indifferent, and opts out rather than
    rejects only when strictly better off; a proposer indifferent between an
    acceptable offer and none makes the acceptable one.
    """
    shape = T.shape
    if w1 is None:
        w1 = w2 = np.full(shape, -np.inf)
    a = ((1 - p) * delta1, (1 - p) * delta2)
    pd, d, w = (p * d1, p * d2), (d1, d2), (w1, w2)
    T = T.astype(np.int64)
    shares = np.empty((2, *shape))
    deal = np.empty(shape, dtype=bool)
    for parity in (0, 1):
        group = parity == T % 2
        if not group.any():
            continue
        g = {"a": [x[group] for x in a], "pd": [x[group] for x in pd]}
        g |= {"d": [x[group] for x in d], "w": [x[group] for x in w]}
        horizons, cake = T[group], pie[group]
        uniform = horizons.min() == horizons.max()
        x = y = agree = None  # next period's proposer and responder values
        for k in range(1, int(horizons.max()) + 1):
            i = 0 if (k - parity) % 2 == 0 else 1  # player 1 proposes when T - k is even
            j = 1 - i
            if k == 1:
                rho_i, rho_j = g["d"][i], g["d"][j]
            else:
                rho_i = g["pd"][i] + g["a"][i] * y
                rho_j = g["pd"][j] + g["a"][j] * x
            reserve = np.maximum(g["w"][j], rho_j)
            fallback = np.where(g["w"][j] > rho_j, g["w"][i], rho_i)
            ok = (cake - reserve >= fallback) & (reserve <= cake)
            proposer = np.where(ok, cake - reserve, fallback)
            if uniform or k == 1:
                x, y, agree = proposer, reserve, ok
            else:
                active = k <= horizons
                x = np.where(active, proposer, x)
                y = np.where(active, reserve, y)
                agree = np.where(active, ok, agree)
        shares[:, group] = np.stack([x, y])
        deal[group] = agree
    return shares, deal
