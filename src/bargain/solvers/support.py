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
from .two_by_two import two_by_two

#: Upper bound on floats held by one block of the kernel, to keep memory bounded.
BLOCK_FLOATS = 1 << 22
#: Floats of a block of small games: its arrays stay in cache (2 MB per core here).
CACHE_FLOATS = 1 << 18
#: Fewest games of a cache-sized block: below, numpy's per-call cost dominates.
MIN_GAMES = 256
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
    derived from ``rtol`` (:func:`~bargain.solvers.arrays.payoff_atol`). 2x2 games
    are solved in closed form (:func:`~bargain.solvers.two_by_two.two_by_two`), their
    rows verified already.
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
    if (m, n) == (2, 2):
        return two_by_two(payoffs, payoff_atol(payoffs, rtol) if atol is None else atol)
    if atol is None:
        atol = payoff_atol(payoffs, rtol)
    parts = [pure_equilibria(payoffs, atol=atol)]
    for k in range(2, min(m, n) + 1):
        rows = np.array(list(combinations(range(m), k)))
        per_row = comb(n, k) * k * max(m, n)  # floats per game and row support
        size = CACHE_FLOATS // (len(rows) * per_row)  # games at once, their arrays in cache
        if size < MIN_GAMES:  # a larger game: as many as memory allows
            size = max(1, BLOCK_FLOATS // (len(rows) * per_row))
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
    y, y_ok, y_degenerate = _indifference(payoffs[0], rows, cols, atol[0])
    x, x_ok, x_degenerate = _indifference(payoffs[1].transpose(1, 0, 2), cols, rows, atol[1])
    found = np.flatnonzero(y_ok & x_ok.transpose(1, 0, 2))  # flat over (pI, pJ, N)
    a, b, point = np.unravel_index(found, y_ok.shape)
    across = (b * len(rows) + a) * n_points + point  # the same pairs in x's (pJ, pI, N) order
    x_vals = np.take(x.reshape(k, -1), across, axis=1)
    y_vals = np.take(y.reshape(k, -1), found, axis=1)
    e = np.arange(len(found))
    x_full = np.zeros((len(found), m))
    y_full = np.zeros((len(found), n))
    values = np.zeros((len(found), 2))
    for c in range(k):
        x_full[e, rows[a, c]] = x_vals[c]
        y_full[e, cols[b, c]] = y_vals[c]
        # Each player's payoff from the first strategy of its support.
        values[:, 0] += payoffs[0, rows[a, 0], cols[b, c], point] * y_vals[c]
        values[:, 1] += payoffs[1, rows[a, c], cols[b, 0], point] * x_vals[c]
    return EquilibriumArrays(point, (x_full, y_full), values, y_degenerate | x_degenerate)


def _indifference(
    A: np.ndarray, own: np.ndarray, other: np.ndarray, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Opponent mixtures on each support J making the own strategies I indifferent.

    ``A`` (m, n, N) is the player's payoff, rows its own strategies; ``own``
    (pI, k) and ``other`` (pJ, k) list the supports. Returns the mixtures y
    (k, pI, pJ, N), ``ok`` (y > 0, no row outside I better, system regular) and a
    per-game degeneracy flag (N,).
    """
    m, k, n_points = A.shape[0], own.shape[1], A.shape[-1]
    # gain[p, r, q, c]: what row rest[p, r] earns more than I's first row against column
    # other[q, c]; the rest of I first, then the rows outside I.
    rest = np.array([[*rows[1:], *sorted({*range(m)} - {*rows})] for rows in own.tolist()])
    a_cols = A[:, other]  # (m, pJ, k, N)
    gain = a_cols[rest]  # (pI, m - 1, pJ, k, N)
    gain -= a_cols[own[:, 0]][:, None]
    inside, outside = gain[:, : k - 1], gain[:, k - 1 :]
    # Indifference: inside @ y = 0. Substitute y_k = 1 - (y_1 + ... + y_{k-1}) and
    # solve G @ head = h.
    G = (inside[:, :, :, :-1] - inside[:, :, :, -1:]).transpose(1, 3, 0, 2, 4)
    h = -inside[:, :, :, -1].transpose(1, 0, 2, 3)
    head, singular = solve_small(G, h, tol=atol)  # (k-1, pI, pJ, N)
    y = np.empty((k, *head.shape[1:]))
    y[:-1] = head
    np.subtract(1.0, head[0], out=y[-1])
    for c in range(1, k - 1):
        y[-1] -= head[c]
    exact = (y > PROB_TOL).all(axis=0)
    weak = (y >= -PROB_TOL).all(axis=0)
    # A best response outside I makes y degenerate, a better one rules the pair out.
    best_ok, tied = _outside_rows(outside, y, atol)
    ok = exact & best_ok & ~singular
    suspicious = ~singular & weak & best_ok & (~exact | tied)
    degenerate = suspicious.reshape(-1, n_points).any(axis=0)
    if singular.any():
        i, j, t = np.nonzero(singular)
        flat_G = G[:, :, i, j, t].transpose(2, 0, 1)
        flat_h = h[:, i, j, t].T
        degenerate[t[consistent(flat_G, flat_h, atol[t])]] = True
    return y, ok, degenerate


def _outside_rows(
    outside: np.ndarray, y: np.ndarray, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Whether no row outside I gains more than ``atol`` over I's rows against y, and
    whether one gains within it (a best response): ``outside`` (pI, m - k, pJ, k, N)."""
    if not outside.shape[1]:
        return np.ones(y.shape[1:], dtype=bool), np.zeros(y.shape[1:], dtype=bool)
    gain = outside[:, :, :, 0] * y[0][:, None]
    for c in range(1, y.shape[0]):
        gain += outside[:, :, :, c] * y[c][:, None]
    return (gain <= atol).all(axis=1), (gain >= -atol).any(axis=1)
