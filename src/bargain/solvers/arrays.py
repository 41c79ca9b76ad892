"""The columnar form every solver returns: one row per equilibrium found.

Kernels take payoff tensors with the batch in the last axis, shape
(P, s_1, ..., s_P, N): ``payoffs[p, i_1, ..., i_P, t]`` is player p's payoff
in game t. Reductions over strategies then run over contiguous memory.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.tolerances import PAYOFF_RTOL


class EquilibriumArrays(NamedTuple):
    """Equilibria of a batch of N games, long form.

    ``point[e]`` is the game of equilibrium ``e``; ``profiles[p][e]`` is player
    p's mixed strategy; ``payoffs[e, p]`` the expected payoff; ``degenerate[t]``
    flags game t. Rows come in the kernel's order (sorting a million rows by
    point costs more than solving them); ``np.argsort(point, kind="stable")``
    groups them when needed.
    """

    point: np.ndarray
    profiles: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    degenerate: np.ndarray


def payoff_atol(payoffs: np.ndarray, rtol: float = PAYOFF_RTOL) -> np.ndarray:
    """Absolute tolerance per game: ``rtol * max(1, max |payoff|)``, shape (N,)."""
    n = payoffs.shape[-1]
    return rtol * np.maximum(1.0, np.abs(payoffs).reshape(-1, n).max(axis=0, initial=0.0))


def concat(parts: list[EquilibriumArrays]) -> EquilibriumArrays:
    """Join results over the same N games (for example pure and mixed equilibria)."""
    return EquilibriumArrays(
        np.concatenate([p.point for p in parts]),
        tuple(np.concatenate(ps) for ps in zip(*(p.profiles for p in parts))),
        np.concatenate([p.payoffs for p in parts]),
        np.logical_or.reduce([p.degenerate for p in parts]),
    )


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


def by_point(point: np.ndarray, n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Rows grouped by point: ``order[starts[i]:starts[i + 1]]`` are the rows of point i.

    ``order`` is a stable sort of the rows by ``point``, ``starts`` (N + 1,) the
    first position of each point in it.

    Examples
    --------
    >>> order, starts = by_point(np.array([1, 0, 1]), 3)
    >>> order.tolist(), starts.tolist()
    ([1, 0, 2], [0, 1, 3, 3])
    """
    order = np.argsort(point, kind="stable")
    starts = np.concatenate([[0], np.cumsum(np.bincount(point, minlength=n_points))])
    return order, starts
