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

from .arrays import PAYOFF_RTOL, PROB_TOL, EquilibriumArrays, concat, payoff_atol, stack
from .linalg import consistent, solve_small
from .pure import pure_equilibria

#: Upper bound on floats held by one block of the kernel, to keep memory bounded.
BLOCK_FLOATS = 1 << 22


def support_enumeration(payoffs: np.ndarray, rtol: float = PAYOFF_RTOL) -> EquilibriumArrays:
    """All equilibria of N bimatrix games, payoffs of shape (2, m, n, N)."""
    n_players, m, n, n_points = payoffs.shape
    if n_players != 2:
        raise ValueError(f"support enumeration needs a two-player game, got {n_players} players")
    atol = payoff_atol(payoffs, rtol)
    parts = [pure_equilibria(payoffs, atol=atol)]
    for k in range(2, min(m, n) + 1):
        size = max(1, BLOCK_FLOATS // (comb(m, k) * comb(n, k) * k * max(m, n)))
        parts.append(
            stack(
                [
                    _mixed(payoffs[..., start : start + size], k, atol[start : start + size])
                    for start in range(0, n_points, size)
                ]
            )
        )
    return concat(parts, n_points)


def _mixed(payoffs: np.ndarray, k: int, atol: np.ndarray) -> EquilibriumArrays:
    """Equilibria whose supports both have size k >= 2."""
    _, m, n, _ = payoffs.shape
    rows = np.array(list(combinations(range(m), k)))
    cols = np.array(list(combinations(range(n), k)))
    # y makes player 1 indifferent over I; x makes player 2 indifferent over J.
    y, v, y_ok, y_degenerate = _indifference(payoffs[0], rows, cols, atol)
    x, u, x_ok, x_degenerate = _indifference(payoffs[1].transpose(1, 0, 2), cols, rows, atol)
    a, b, point = np.nonzero(y_ok & x_ok.transpose(1, 0, 2))
    order = np.argsort(point, kind="stable")
    a, b, point = a[order], b[order], point[order]
    e = np.arange(len(point))[:, None]
    x_full = np.zeros((len(point), m))
    y_full = np.zeros((len(point), n))
    x_full[e, rows[a]] = x[:, b, a, point].T
    y_full[e, cols[b]] = y[:, a, b, point].T
    values = np.stack([v[a, b, point], u[b, a, point]], axis=1)
    return EquilibriumArrays(point, (x_full, y_full), values, y_degenerate | x_degenerate)


def _indifference(
    A: np.ndarray, own: np.ndarray, other: np.ndarray, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Opponent mixtures on each support J making the own strategies I indifferent.

    ``A`` (m, n, N) is the player's payoff, rows its own strategies; ``own``
    (pI, k) and ``other`` (pJ, k) list the supports. Returns the mixtures y
    (k, pI, pJ, N), the common payoff v (pI, pJ, N), ``ok`` (y > 0, I best
    responses to y, system regular) and a per-game degeneracy flag (N,).
    """
    k = own.shape[1]
    n_points = A.shape[-1]
    a_cols = A[:, other]  # (m, pJ, k, N)
    a_sub = a_cols[own]  # (pI, k rows, pJ, k cols, N)
    diff = a_sub[:, 1:] - a_sub[:, :1]  # indifference: diff @ y = 0
    # Substitute y_k = 1 - (y_1 + ... + y_{k-1}) and solve G @ head = h.
    G = (diff[:, :, :, :-1] - diff[:, :, :, -1:]).transpose(1, 3, 0, 2, 4)
    h = -diff[:, :, :, -1].transpose(1, 0, 2, 3)
    head, singular = solve_small(G, h)  # (k-1, pI, pJ, N)
    y = np.concatenate([head, 1.0 - head.sum(axis=0, keepdims=True)])
    v = (a_sub[:, 0].transpose(2, 0, 1, 3) * y).sum(axis=0)
    row_values = (a_cols.transpose(2, 0, 1, 3)[:, :, None] * y[:, None]).sum(axis=0)
    best_ok = (row_values <= v + atol).all(axis=0)
    n_best = (row_values >= v - atol).sum(axis=0, dtype=np.int16)
    exact = (y > PROB_TOL).all(axis=0)
    weak = (y >= -PROB_TOL).all(axis=0)
    ok = exact & best_ok & ~singular
    suspicious = ~singular & weak & best_ok & (~exact | (n_best > k))
    degenerate = suspicious.reshape(-1, n_points).any(axis=0)
    if singular.any():
        i, j, t = np.nonzero(singular)
        flat_G = G[:, :, i, j, t].transpose(2, 0, 1)
        flat_h = h[:, i, j, t].T
        degenerate[t[consistent(flat_G, flat_h, atol=1e-9)]] = True
    return y, v, ok, degenerate
