"""Selection among several equilibria at a point, for per-point tables.

``unique``: the equilibrium if it is the only one. ``max-joint``: the largest
sum of payoffs. ``payoff-dominant``: the equilibrium at least as good for
every player as every other (Harsanyi and Selten 1988, payoff dominance).
``risk-dominant``: of two strict pure equilibria of a 2x2 game, the one with
the larger product of deviation losses (Harsanyi and Selten 1988, p. 87).
``logit``: the equilibrium the principal branch of logit quantal response
equilibria converges to as lam grows (McKelvey and Palfrey 1995; Turocy 2005),
within :data:`~bargain.tolerances.LOGIT_SELECT_ATOL` (none if no equilibrium
found is that limit; where the limit lies inside a component whose extreme
equilibria are the rows, :func:`~bargain.model.tabulate.tabulate` takes the limit
itself, ``EquilibriumBatch.logit_limits``). ``all`` keeps every equilibrium (no
selection). Each rule also reports whether its choice was unique; where no
equilibrium qualifies, none is chosen.
"""

from __future__ import annotations

import numpy as np

from bargain.errors import ModelError
from bargain.games import GameForm
from bargain.solvers.arrays import by_point
from bargain.tolerances import LOGIT_SELECT_ATOL, SELECTION_RTOL

RULES = ("unique", "max-joint", "payoff-dominant", "risk-dominant", "logit", "all")


def check_rule(
    rule: object, game: GameForm | None = None, *, allow_all: bool = True, where: str = "select"
) -> str:
    """The selection rule, checked: a known rule, defined for ``game`` (if given).

    ``allow_all=False`` refuses ``"all"`` (no selection) where one outcome per
    point is needed, as for thresholds.
    """
    rules = RULES if allow_all else RULES[:-1]
    if rule not in rules:
        raise ModelError(f"{where} must be one of {rules}, got {rule!r}")
    if rule == "risk-dominant" and game is not None and not game.supports_risk_dominance:
        raise ModelError(f"{where}='risk-dominant' is defined for 2x2 normal-form games only")
    return str(rule)


def choose(
    rule: str,
    point: np.ndarray,
    payoffs: np.ndarray,
    n_points: int,
    ranges: np.ndarray,
    scores: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row chosen for each point (-1 for none) and whether the choice was unique.

    ``point`` (E,) and ``payoffs`` (E, P) describe the equilibrium rows;
    ``ranges`` (E, P) each player's payoff range at the row's point: payoffs
    within :data:`~bargain.tolerances.SELECTION_RTOL` of it are equal. Risk
    dominance also needs each row's ``scores``, the Nash product of its
    deviation losses (``EquilibriumBatch.risk_dominance``); ``logit`` each
    row's distance from the logit limit (``EquilibriumBatch.logit_distance``).
    """
    check_rule(rule, allow_all=False)
    if rule == "unique":
        count = np.bincount(point, minlength=n_points)
        chosen = np.full(n_points, -1)
        single = np.flatnonzero(count[point] == 1)
        chosen[point[single]] = single
        return chosen, count == 1
    atol = SELECTION_RTOL * ranges
    if rule == "max-joint":
        return _best(point, payoffs.sum(axis=1), n_points, atol.sum(axis=1))
    if rule == "payoff-dominant":
        return _payoff_dominant(point, payoffs, n_points, atol)
    if rule == "logit":
        if scores is None:
            raise ModelError("select='logit' needs each equilibrium's distance from the limit")
        return _nearest(point, scores, n_points, LOGIT_SELECT_ATOL)
    if scores is None:
        raise ModelError("risk dominance needs each equilibrium's deviation losses (scores=)")
    return _risk_dominant(point, scores, n_points, SELECTION_RTOL * ranges.prod(axis=1))


def _best(
    point: np.ndarray, score: np.ndarray, n_points: int, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Row with the highest score per point; unique unless another is within its atol."""
    best = np.full(n_points, -np.inf)
    np.maximum.at(best, point, score)
    top = score >= best[point] - atol
    winners = np.bincount(point[top], minlength=n_points)
    chosen = np.full(n_points, -1)
    rows = np.flatnonzero(top)
    chosen[point[rows[::-1]]] = rows[::-1]  # the first top row of each point wins
    return chosen, winners == 1


def _nearest(
    point: np.ndarray, distance: np.ndarray, n_points: int, atol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Row nearest its point's target among those within ``atol`` (-1 if none); unique
    when it is the only one within ``atol``."""
    close = np.flatnonzero(distance <= atol)
    best = np.full(n_points, np.inf)
    np.minimum.at(best, point[close], distance[close])
    top = close[distance[close] <= best[point[close]]]
    chosen = np.full(n_points, -1)
    chosen[point[top[::-1]]] = top[::-1]  # the first nearest row of each point wins
    return chosen, np.bincount(point[close], minlength=n_points) == 1


def _payoff_dominant(
    point: np.ndarray, payoffs: np.ndarray, n_points: int, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    count = np.bincount(point, minlength=n_points)
    chosen = np.full(n_points, -1)
    single = np.flatnonzero(count[point] == 1)
    chosen[point[single]] = single
    unique = count == 1
    order, starts = by_point(point, n_points)
    for i in np.flatnonzero(count > 1):
        rows = order[starts[i] : starts[i + 1]]
        values, tol = payoffs[rows], atol[rows[0]]  # the ranges of one point
        dominant = (values[:, None, :] >= values[None, :, :] - tol).all(axis=(1, 2))
        if dominant.any():
            chosen[i] = rows[np.argmax(dominant)]
            unique[i] = dominant.sum() == 1 or (np.ptp(values[dominant], axis=0) <= tol).all()
    return chosen, unique


def _risk_dominant(
    point: np.ndarray, scores: np.ndarray, n_points: int, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    count = np.bincount(point, minlength=n_points)
    chosen, unique = _best(point, scores, n_points, atol)
    single = count == 1  # a unique equilibrium is selected whatever it is
    rows = np.flatnonzero(single[point])
    chosen[point[rows]] = rows
    unique |= single
    return chosen, unique
