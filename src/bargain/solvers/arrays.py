"""The columnar form every solver returns: one row per equilibrium found.

Kernels take payoff tensors with the batch in the last axis, shape
(P, s_1, ..., s_P, N): ``payoffs[p, i_1, ..., i_P, t]`` is player p's payoff
in game t. Reductions over strategies then run over contiguous memory.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Default payoff tolerance, relative to the largest absolute payoff of a game (at least 1).
PAYOFF_RTOL = 1e-9
#: A probability within this of zero counts as zero.
PROB_TOL = 1e-10


class EquilibriumArrays(NamedTuple):
    """Equilibria of a batch of N games, long form.

    ``point[e]`` is the game of equilibrium ``e``; ``profiles[p][e]`` is player
    p's mixed strategy; ``payoffs[e, p]`` the expected payoff; ``degenerate[t]``
    flags game t. Rows are grouped by point, in increasing point order.
    """

    point: np.ndarray
    profiles: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    degenerate: np.ndarray


def payoff_atol(payoffs: np.ndarray, rtol: float = PAYOFF_RTOL) -> np.ndarray:
    """Absolute tolerance per game: ``rtol * max(1, max |payoff|)``, shape (N,)."""
    n = payoffs.shape[-1]
    return rtol * np.maximum(1.0, np.abs(payoffs).reshape(-1, n).max(axis=0, initial=0.0))


def concat(parts: list[EquilibriumArrays], n_points: int) -> EquilibriumArrays:
    """Merge results over the same N games, each grouped by point, into one."""
    parts = [p for p in parts if len(p.point)] or parts[:1]
    degenerate = np.logical_or.reduce([p.degenerate for p in parts])
    if len(parts) == 1:
        return parts[0]._replace(degenerate=degenerate)
    point = np.concatenate([p.point for p in parts])
    order = np.argsort(point, kind="stable")
    table = np.concatenate([np.hstack([*p.profiles, p.payoffs]) for p in parts])[order]
    cuts = np.cumsum([m.shape[1] for m in parts[0].profiles])
    *profiles, values = np.split(table, cuts, axis=1)
    return EquilibriumArrays(point[order], tuple(profiles), values, degenerate)


def stack(chunks: list[EquilibriumArrays]) -> EquilibriumArrays:
    """Join results of consecutive chunks of points into one."""
    if len(chunks) == 1:
        return chunks[0]
    offsets = np.cumsum([0] + [len(c.degenerate) for c in chunks[:-1]])
    return EquilibriumArrays(
        np.concatenate([c.point + o for c, o in zip(chunks, offsets)]),
        tuple(np.concatenate(ps) for ps in zip(*(c.profiles for c in chunks))),
        np.concatenate([c.payoffs for c in chunks]),
        np.concatenate([c.degenerate for c in chunks]),
    )


def regrets(payoffs: np.ndarray, profiles: tuple[np.ndarray, ...]) -> np.ndarray:
    """Each player's gain from its best pure deviation, shape (E, P).

    ``payoffs`` has shape (E, P, s_1, ..., s_P), one game per profile (rows
    first, unlike the kernels). A profile is a Nash equilibrium iff every
    regret is <= 0 (up to rounding).
    """
    n_rows, n_players = payoffs.shape[:2]
    out = np.empty((n_rows, n_players))
    for p in range(n_players):
        u = payoffs[:, p]
        for q in reversed(range(n_players)):  # last axis first, so lower axes keep their place
            if q != p:
                mix = profiles[q].reshape((n_rows,) + (1,) * (u.ndim - 2) + (-1,))
                u = (np.moveaxis(u, 1 + q, -1) * mix).sum(axis=-1)
        out[:, p] = u.max(axis=1) - (u * profiles[p]).sum(axis=1)
    return out
