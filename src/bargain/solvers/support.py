"""All Nash equilibria of two-player games by support enumeration, batched.

For supports I (rows) and J (columns) of equal size k, the opponent's mixture
must make each player indifferent over its own support:

    A[I, J] y = v 1,  1'y = 1,  y > 0;    x' B[I, J] = u 1',  1'x = 1,  x > 0,

and no strategy outside the support may earn more (von Stengel 2007,
"Equilibrium computation for two-player games in strategic and extensive
form", Algorithmic Game Theory, ch. 3, Algorithm 3.4). This enumerates every
equilibrium of a nondegenerate game. Degeneracy (von Stengel's Definition 3.2:
a mixed strategy with more pure best responses than the size of its support)
is detected from the same linear systems, so a degenerate game, whose
equilibria may form components missed by equal-size supports, is flagged.

Every system of every support pair is solved for all games of the batch at
once by vectorised elimination (:mod:`bargain.solvers.linalg`).
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import numpy as np

from bargain.errors import BudgetError
from bargain.tolerances import PAYOFF_RTOL, PROB_TOL

from .arrays import EquilibriumArrays, concat, payoff_atol, stack
from .linalg import consistent, solve_small
from .pure import pure_equilibria

#: Upper bound on floats held by one block of the kernel, to keep memory bounded.
BLOCK_FLOATS = 1 << 22
#: Most pairs of supports examined per game: a 12x12 game has 2,704,155, a 13x13 one
#: 10,400,599, and the time grows with them (about 25 s for 12x12 on one core).
MAX_SUPPORT_PAIRS = 3_000_000


def support_pairs(m: int, n: int) -> int:
    """The pairs of supports of equal size support enumeration examines in an m x n game."""
    return sum(comb(m, k) * comb(n, k) for k in range(1, min(m, n) + 1))


def support_enumeration(
    payoffs: np.ndarray, rtol: float = PAYOFF_RTOL, atol: np.ndarray | None = None
) -> EquilibriumArrays:
    """All equilibria of N bimatrix games, payoffs of shape (2, m, n, N).

    ``atol`` (2, N), each player's tolerance in each game, overrides the one
    derived from ``rtol`` (:func:`~bargain.solvers.arrays.payoff_atol`).
    """
    n_players, m, n, n_points = payoffs.shape
    if n_players != 2:
        raise ValueError(f"support enumeration needs a two-player game, got {n_players} players")
    pairs = support_pairs(m, n)
    if pairs > MAX_SUPPORT_PAIRS:
        raise BudgetError(
            f"support enumeration of a {m}x{n} game examines {pairs:,} pairs of supports per "
            f"point, above its budget of {MAX_SUPPORT_PAIRS:,}: use method='vertex' (every "
            "equilibrium, by vertex enumeration) or method='lemke-howson' (an equilibrium "
            "from each starting label, not all of them)"
        )
    if atol is None:
        atol = payoff_atol(payoffs, rtol)
    parts = [pure_equilibria(payoffs, atol=atol)]
    for k in range(2, min(m, n) + 1):
        rows = np.array(list(combinations(range(m), k)))
        per_row = comb(n, k) * k * max(m, n)  # floats per game and row support
        size = max(1, BLOCK_FLOATS // (len(rows) * per_row))  # games at once
        block = max(1, BLOCK_FLOATS // per_row)  # row supports at once, in a large game
        chunks = []
        for start in range(0, n_points, size):
            games, tol = payoffs[..., start : start + size], atol[:, start : start + size]
            chunks.append(
                concat(
                    [_mixed(games, k, tol, rows[r : r + block]) for r in range(0, len(rows), block)]
                )
            )
        parts.append(stack(chunks))
    return concat(parts)


def _mixed(payoffs: np.ndarray, k: int, atol: np.ndarray, rows: np.ndarray) -> EquilibriumArrays:
    """Equilibria whose supports both have size k >= 2, the row player's among ``rows``
    (pI, k); ``atol`` (2, N) per player."""
    _, m, n, n_points = payoffs.shape
    cols = np.array(list(combinations(range(n), k)))
    # y makes player 1 indifferent over I; x makes player 2 indifferent over J.
    y, v, y_ok, y_degenerate = _indifference(payoffs[0], rows, cols, atol[0])
    x, u, x_ok, x_degenerate = _indifference(payoffs[1].transpose(1, 0, 2), cols, rows, atol[1])
    found = np.flatnonzero(y_ok & x_ok.transpose(1, 0, 2))  # flat over (pI, pJ, N)
    a, b, point = np.unravel_index(found, y_ok.shape)
    across = (b * len(rows) + a) * n_points + point  # the same pairs in x's (pJ, pI, N) order
    x_vals = np.take(x.reshape(k, -1), across, axis=1)
    y_vals = np.take(y.reshape(k, -1), found, axis=1)
    e = np.arange(len(found))
    x_full = np.zeros((len(found), m))
    y_full = np.zeros((len(found), n))
    for c in range(k):
        x_full[e, rows[a, c]] = x_vals[c]
        y_full[e, cols[b, c]] = y_vals[c]
    values = np.stack([np.take(v, found), np.take(u, across)], axis=1)
    return EquilibriumArrays(point, (x_full, y_full), values, y_degenerate | x_degenerate)


def _indifference(
    A: np.ndarray, own: np.ndarray, other: np.ndarray, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Opponent mixtures on each support J making the own strategies I indifferent.

    ``A`` (m, n, N) is the player's payoff, rows its own strategies; ``own``
    (pI, k) and ``other`` (pJ, k) list the supports. Returns the mixtures y
    (k, pI, pJ, N), the common payoff v (pI, pJ, N), ``ok`` (y > 0, no row
    outside I better than v, system regular) and a per-game degeneracy flag (N,).
    """
    k = own.shape[1]
    n_points = A.shape[-1]
    a_cols = A[:, other]  # (m, pJ, k, N)
    a_own = a_cols[own]  # (pI, k, pJ, k, N)
    # Indifference: (A[i_r, J] - A[i_0, J]) @ y = 0 for r = 1..k-1. Substitute
    # y_k = 1 - (y_1 + ... + y_{k-1}) and solve G @ head = h.
    diff = a_own[:, 1:] - a_own[:, :1]  # (pI, k-1, pJ, k, N)
    G = (diff[:, :, :, :-1] - diff[:, :, :, -1:]).transpose(1, 3, 0, 2, 4)
    h = -diff[:, :, :, -1].transpose(1, 0, 2, 3)
    head, singular = solve_small(G, h, tol=atol)  # (k-1, pI, pJ, N)
    y = np.empty((k, *head.shape[1:]))
    y[:-1] = head
    np.subtract(1.0, head[0], out=y[-1])
    for c in range(1, k - 1):
        y[-1] -= head[c]
    v = a_own[:, 0, :, 0] * y[0]  # (pI, pJ, N): the payoff of I's first row against y
    for c in range(1, k):
        v += a_own[:, 0, :, c] * y[c]
    exact = (y > PROB_TOL).all(axis=0)
    weak = (y >= -PROB_TOL).all(axis=0)
    # Rows of I earn v by construction; a best response outside I makes y
    # degenerate, a better one rules the pair out.
    best_ok, tied = _outside_rows(a_cols, own, y, v, atol)
    ok = exact & best_ok & ~singular
    suspicious = ~singular & weak & best_ok & (~exact | tied)
    degenerate = suspicious.reshape(-1, n_points).any(axis=0)
    if singular.any():
        i, j, t = np.nonzero(singular)
        flat_G = G[:, :, i, j, t].transpose(2, 0, 1)
        flat_h = h[:, i, j, t].T
        degenerate[t[consistent(flat_G, flat_h, atol[t])]] = True
    return y, v, ok, degenerate


def _outside_rows(
    a_cols: np.ndarray, own: np.ndarray, y: np.ndarray, v: np.ndarray, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether every row outside I earns at most v against y, and whether one ties v."""
    m = a_cols.shape[0]
    if own.shape[1] == m:
        return np.ones(v.shape, dtype=bool), np.zeros(v.shape, dtype=bool)
    outside = np.array([[i for i in range(m) if i not in rows] for rows in own])
    a_out = a_cols[outside]  # (pI, m-k, pJ, k, N)
    values = a_out[:, :, :, 0] * y[0][:, None]
    for c in range(1, y.shape[0]):
        values += a_out[:, :, :, c] * y[c][:, None]
    return (values <= v[:, None] + atol).all(axis=1), (values >= v[:, None] - atol).any(axis=1)
