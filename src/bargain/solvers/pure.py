"""All pure-strategy Nash equilibria of n-player games, batched.

A pure profile is an equilibrium iff every player's strategy is a best response
to the others' (Nash 1951); the check is one maximum per player over its own
axis of the payoff tensor, for all games of the batch at once.
"""

from __future__ import annotations

import numpy as np

from bargain.tolerances import PAYOFF_RTOL

from .arrays import EquilibriumArrays, payoff_atol


def pure_equilibria(
    payoffs: np.ndarray, rtol: float = PAYOFF_RTOL, atol: np.ndarray | None = None
) -> EquilibriumArrays:
    """All pure Nash equilibria of N games, payoffs of shape (P, s_1, ..., s_P, N).

    A game is flagged degenerate when some player has several best responses to
    a pure profile of the others (a payoff tie). ``atol`` (P, N), each player's
    tolerance in each game, overrides the one derived from ``rtol``
    (:func:`~bargain.solvers.arrays.payoff_atol`).
    """
    n_players, n = payoffs.shape[0], payoffs.shape[-1]
    if atol is None:
        atol = payoff_atol(payoffs, rtol)
    is_eq = np.ones(payoffs.shape[1:], dtype=bool)
    ties = np.zeros(n, dtype=bool)
    for p in range(n_players):
        u = payoffs[p]
        best = u >= u.max(axis=p, keepdims=True) - atol[p]
        is_eq &= best
        ties |= (best.sum(axis=p, dtype=np.int8) > 1).reshape(-1, n).any(axis=0)
    found = np.flatnonzero(is_eq)
    profile, point = np.divmod(found, n)
    own = np.unravel_index(profile, is_eq.shape[:-1])
    profiles = []
    for p in range(n_players):
        mix = np.zeros((len(point), payoffs.shape[1 + p]))
        for j in range(mix.shape[1]):
            mix[:, j] = own[p] == j
        profiles.append(mix)
    values = np.take(payoffs.reshape(n_players, -1), found, axis=1).T
    return EquilibriumArrays(point, tuple(profiles), values, ties)
