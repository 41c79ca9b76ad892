"""Selection among several equilibria at a point, for per-point tables.

``unique``: the equilibrium if it is the only one. ``max-joint``: the largest
sum of payoffs. ``payoff-dominant``: the equilibrium at least as good for
every player as every other (Harsanyi and Selten 1988, payoff dominance).
``risk-dominant``: of two strict pure equilibria of a 2x2 game, the one with
the larger product of deviation losses (Harsanyi and Selten 1988, p. 87).
``all`` keeps every equilibrium (no selection). Each rule also reports
whether its choice was unique; where no equilibrium qualifies, none is chosen.
"""

from __future__ import annotations

import numpy as np

RULES = ("unique", "max-joint", "payoff-dominant", "risk-dominant", "all")


def select(
    rule: str,
    point: np.ndarray,
    payoffs: np.ndarray,
    n_points: int,
    atol: float = 1e-9,
    game_payoffs: np.ndarray | None = None,
    profiles: tuple[np.ndarray, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Row chosen for each point (-1 for none) and whether the choice was unique.

    ``point`` (E,) and ``payoffs`` (E, P) describe the equilibrium rows;
    risk dominance also needs ``game_payoffs`` (2, 2, 2, N) and the ``profiles``.
    """
    if rule not in RULES or rule == "all":
        raise ValueError(f"selection rule must be one of {RULES[:-1]}, got {rule!r}")
    count = np.bincount(point, minlength=n_points)
    chosen = np.full(n_points, -1)
    if rule == "unique":
        single = np.flatnonzero(count[point] == 1)
        chosen[point[single]] = single
        return chosen, count == 1
    if rule == "max-joint":
        return _best(point, payoffs.sum(axis=1), n_points, atol)
    if rule == "payoff-dominant":
        return _payoff_dominant(point, payoffs, n_points, atol)
    if game_payoffs is None or profiles is None or game_payoffs.shape[1:3] != (2, 2):
        raise ValueError("risk dominance is defined here for 2x2 games only")
    return _risk_dominant(point, payoffs, n_points, atol, game_payoffs, profiles)


def _best(
    point: np.ndarray, score: np.ndarray, n_points: int, atol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Row with the highest score per point; unique unless another is within atol."""
    best = np.full(n_points, -np.inf)
    np.maximum.at(best, point, score)
    top = score >= best[point] - atol
    winners = np.bincount(point[top], minlength=n_points)
    chosen = np.full(n_points, -1)
    rows = np.flatnonzero(top)
    chosen[point[rows[::-1]]] = rows[::-1]  # the first top row of each point wins
    return chosen, winners == 1


def _payoff_dominant(
    point: np.ndarray, payoffs: np.ndarray, n_points: int, atol: float
) -> tuple[np.ndarray, np.ndarray]:
    count = np.bincount(point, minlength=n_points)
    chosen = np.full(n_points, -1)
    single = np.flatnonzero(count[point] == 1)
    chosen[point[single]] = single
    unique = count == 1
    order = np.argsort(point, kind="stable")
    starts = np.concatenate([[0], np.cumsum(count)])
    for i in np.flatnonzero(count > 1):
        rows = order[starts[i] : starts[i + 1]]
        values = payoffs[rows]
        dominant = (values[:, None, :] >= values[None, :, :] - atol).all(axis=(1, 2))
        if dominant.any():
            chosen[i] = rows[np.argmax(dominant)]
            unique[i] = dominant.sum() == 1 or np.ptp(values[dominant], axis=0).max() <= atol
    return chosen, unique


def _risk_dominant(
    point: np.ndarray,
    payoffs: np.ndarray,
    n_points: int,
    atol: float,
    game: np.ndarray,
    profiles: tuple[np.ndarray, ...],
) -> tuple[np.ndarray, np.ndarray]:
    pure = (profiles[0].max(axis=1) == 1) & (profiles[1].max(axis=1) == 1)
    row = profiles[0].argmax(axis=1)
    col = profiles[1].argmax(axis=1)
    t = point
    A, B = game[0], game[1]  # (2, 2, N)
    # Nash product of the losses from deviating unilaterally from (row, col).
    loss = (A[row, col, t] - A[1 - row, col, t]) * (B[row, col, t] - B[row, 1 - col, t])
    score = np.where(pure, loss, -np.inf)
    count = np.bincount(point, minlength=n_points)
    chosen, unique = _best(point, score, n_points, atol)
    single = count == 1  # a unique equilibrium is selected whatever it is
    rows = np.flatnonzero(single[point])
    chosen[point[rows]] = rows
    unique |= single
    return chosen, unique
