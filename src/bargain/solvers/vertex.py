"""All equilibria of nondegenerate bimatrix games by vertex enumeration.

With each player's payoffs mapped affinely onto [1, 2] (the equilibria do not
change), the best-response polytopes of the game (A, B)

    P = {x in R^m : x >= 0, B'x <= 1},    Q = {y in R^n : A y <= 1, y >= 0}

are bounded. A point carries label i (a row, 0..m-1) where x_i = 0 or
(Ay)_i = 1, and label m + j (a column) where (B'x)_j = 1 or y_j = 0. The
equilibria are the completely labelled pairs (x, y) other than (0, 0),
normalised; in a nondegenerate game they are pairs of vertices, every vertex of
P has exactly m labels and every vertex of Q exactly n, so the labels of y are
the complement of those of x (B. von Stengel 2002, "Computing equilibria for
two-person games", Handbook of Game Theory 3, ch. 45, section 2; von Stengel
2007, Algorithmic Game Theory ch. 3, Algorithm 3.5).

The polytope of the player with fewer strategies, P say (the game is
transposed otherwise), is enumerated by Qhull (scipy.spatial.ConvexHull;
Barber, Dobkin and Huhdanpaa 1996) through polarity: a polytope
{z : g_k'z <= 1} with 0 in its interior has as vertices the points -a / b of
the facets {p : a'p + b = 0} of the convex hull of the g_k, and the g_k on a
facet are the vertex's tight constraints (its labels). P is moved so that an
interior point c = t 1 is the origin. The partner of a vertex x with support I
and tight columns J is the only point of Q with the complementary labels, the
solution of A[I, J] y_J = 1 with y = 0 off J; it is a vertex of Q, so the pair
is an equilibrium, when y >= 0 and A y <= 1. The partners of all vertices of
all games of a chunk are solved at once, grouped by support size
(:func:`~bargain.solvers.linalg.solve_small`); enumerating Q as well would
double the work for the same pairs.

Ties are checked with each player's tolerance: a vertex of P with more labels
than m, a partner system that is singular yet consistent, or a partner with a
zero probability on J or a second best row that ties, marks the game
degenerate (its equilibria may form components, and extreme equilibria may be
missed); its rows are the pairs found, without duplicates.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.errors import BudgetError
from bargain.tolerances import PAYOFF_RTOL, PROB_TOL

from .arrays import EquilibriumArrays, payoff_atol, stack
from .linalg import consistent, solve_small
from .polytopes import vertex_bound
from .support import BLOCK_FLOATS

#: Most vertices the enumerated best-response polytope may have by the upper bound
#: theorem (:func:`vertex_work`): 24,752 for a 12x12 game, 341,088 for 15x15,
#: 980,628 for 16x16 and 2,163,150 for 17x17. Random games have far fewer (about
#: 4,000 at 12x12), and the time grows with them (Qhull's output).
MAX_VERTICES = 1_000_000
#: Label sets are bit sets in one uint64.
MAX_LABELS = 64


def vertex_work(m: int, n: int) -> int:
    """Vertices the method may visit in an m x n game: the bound for the smaller polytope."""
    return vertex_bound(min(m, n), m + n)


def vertex_enumeration(
    payoffs: np.ndarray, rtol: float = PAYOFF_RTOL, atol: np.ndarray | None = None
) -> EquilibriumArrays:
    """All equilibria of N nondegenerate bimatrix games, payoffs of shape (2, m, n, N).

    ``atol`` (2, N), each player's tolerance in each game, overrides the one
    derived from ``rtol`` (:func:`~bargain.solvers.arrays.payoff_atol`); payoffs
    within it of each other tie. ``degenerate[t]`` flags a game with a tie (see
    the module docstring), where equilibria may be missed. Raises
    :class:`~bargain.errors.BudgetError` when :func:`vertex_work` exceeds
    :data:`MAX_VERTICES`.
    """
    payoffs = np.asarray(payoffs, dtype=float)
    if payoffs.ndim != 4 or payoffs.shape[0] != 2:
        raise ValueError(
            f"vertex enumeration needs payoffs of shape (2, m, n, N), got {payoffs.shape}"
        )
    _, m, n, n_points = payoffs.shape
    work = vertex_work(m, n)
    if work > MAX_VERTICES or m + n > MAX_LABELS:
        raise BudgetError(
            f"vertex enumeration of a {m}x{n} game may visit {work:,} vertices per point "
            f"(upper bound theorem), above its budget of {MAX_VERTICES:,} (and at most "
            f"{MAX_LABELS} strategies in all): use method='lemke-howson' (an equilibrium "
            "from each starting label, not all of them)"
        )
    if n_points == 0:
        rows = np.zeros(0, dtype=np.intp)
        return EquilibriumArrays(
            rows, (np.zeros((0, m)), np.zeros((0, n))), np.zeros((0, 2)), np.zeros(0, dtype=bool)
        )
    if atol is None:
        atol = payoff_atol(payoffs, rtol)
    if m > n:  # enumerate the smaller polytope: solve the transposed game
        found = vertex_enumeration(payoffs[::-1].transpose(0, 2, 1, 3), atol=atol[::-1])
        return found._replace(profiles=found.profiles[::-1], payoffs=found.payoffs[:, ::-1])
    size = max(1, BLOCK_FLOATS // (work * (m + n)))  # games at once
    return stack(
        [
            _chunk(payoffs[..., s : s + size], np.asarray(atol)[:, s : s + size])
            for s in range(0, n_points, size)
        ]
    )


class Vertices(NamedTuple):
    """The vertices of P other than 0 in each game of a chunk, long form.

    ``game[v]`` is vertex v's game, ``coords[v]`` its point, ``labels[v]`` the
    bit set of the m tight constraints Qhull reports, and ``degenerate`` (N,)
    flags games with a vertex of more than m labels or where Qhull failed.
    """

    game: np.ndarray
    coords: np.ndarray
    labels: np.ndarray
    degenerate: np.ndarray


def _chunk(payoffs: np.ndarray, atol: np.ndarray) -> EquilibriumArrays:
    """The equilibria of the games of one chunk, payoffs (2, m, n, N), atol (2, N)."""
    m, n_points = payoffs.shape[1], payoffs.shape[-1]
    unit, span = _unit(payoffs)
    # A tolerance on [1, 2]-mapped payoffs: atol over the player's range.
    unit_tol = atol / np.where(span > 0, span, np.inf)
    p = _vertices(unit[1], unit_tol[1])
    y, ok, tie = _partners(p, unit[0], unit_tol[0])
    x = np.where(_bits(p.labels, m), 0.0, p.coords)
    x, y, point = x[ok], y[ok], p.game[ok]
    x /= x.sum(axis=1, keepdims=True)
    y /= y.sum(axis=1, keepdims=True)
    degenerate = p.degenerate | (np.bincount(p.game[tie], minlength=n_points) > 0)
    keep = _distinct(point, x, y, degenerate)
    x, y, point = x[keep], y[keep], point[keep]
    values = np.stack(
        [np.einsum("ei,ije,ej->e", x, payoffs[k][..., point], y) for k in range(2)], axis=1
    )
    return EquilibriumArrays(point, (x, y), values, degenerate)


def _unit(payoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each player's payoffs mapped affinely onto [1, 2] in each game, and their ranges (2, N).

    A player with constant payoffs gets all 1."""
    flat = payoffs.reshape(2, -1, payoffs.shape[-1])
    low, span = flat.min(axis=1), np.ptp(flat, axis=1)
    safe = np.where(span > 0, span, 1.0)
    return 1 + (payoffs - low[:, None, None]) / safe[:, None, None], span


def _bits(labels: np.ndarray, count: int, first: int = 0) -> np.ndarray:
    """Whether each label set holds labels ``first .. first + count - 1``, (V, count) bool."""
    octets = labels.astype("<u8").view(np.uint8).reshape(-1, 8)
    return np.unpackbits(octets, axis=1, bitorder="little")[:, first : first + count].view(bool)


def _vertices(B: np.ndarray, tol: np.ndarray) -> Vertices:
    """The vertices other than 0 of P = {x >= 0, B'x <= 1} in each game, B (m, n, N).

    Labels 0..m-1 are x >= 0, m..m+n-1 are B'x <= 1; ``tol`` (N,) is the tie
    tolerance on the [1, 2]-mapped payoffs B.
    """
    from scipy.spatial import ConvexHull, QhullError

    m, n, n_points = B.shape
    bit = np.left_shift(np.uint64(1), np.arange(m + n, dtype=np.uint64))
    origin = bit[:m].sum()
    t = 1 / (2 * B.sum(axis=0).max(axis=0))  # c = t 1 has B'c <= 1/2
    games, coords, labels = [], [], []
    degenerate = np.zeros(n_points, dtype=bool)
    for g in range(n_points):
        rows = B[..., g].T  # the constraints B'x <= 1, one row each
        polar = np.concatenate([-np.eye(m) / t[g], rows / (1 - t[g] * rows.sum(axis=1))[:, None]])
        try:
            hull = ConvexHull(polar)
        except QhullError:
            degenerate[g] = True
            continue
        x = t[g] - hull.equations[:, :m] / hull.equations[:, m:]
        # A label binds when its probability, or its payoff gap, is within tolerance.
        total = x.sum(axis=1, keepdims=True)
        tight = (x <= PROB_TOL * total).sum(axis=1) + (1 - x @ B[..., g] <= tol[g] * total).sum(
            axis=1
        )
        degenerate[g] = (tight > m).any()
        simplex = np.bitwise_or.reduce(bit[hull.simplices], axis=1)
        keep = simplex != origin
        games.append(np.full(keep.sum(), g))
        coords.append(x[keep])
        labels.append(simplex[keep])
    return Vertices(
        np.concatenate(games) if games else np.zeros(0, dtype=np.intp),
        np.concatenate(coords) if coords else np.zeros((0, m)),
        np.concatenate(labels) if labels else np.zeros(0, dtype=np.uint64),
        degenerate,
    )


def _partners(p: Vertices, A: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each vertex's partner in Q = {y >= 0, A y <= 1}, A (m, n, N) in [1, 2].

    Returns y (V, n), unnormalised; ``ok`` (V,), whether (x, y) is an
    equilibrium; ``tie`` (V,), whether its system is singular yet consistent
    or a valid partner ties (a zero weight on J, a row off I that binds).
    ``tol`` (N,) is the tie tolerance on A.
    """
    m, n = A.shape[:2]
    n_vertices = len(p.game)
    support = ~_bits(p.labels, m)  # I: rows x uses
    tight = _bits(p.labels, n, m)  # J: columns that best respond to x
    size = support.sum(axis=1)
    y = np.zeros((n_vertices, n))
    ok = np.zeros(n_vertices, dtype=bool)
    tie = np.zeros(n_vertices, dtype=bool)
    zero = np.zeros(n_vertices, dtype=bool)  # a weight on J that ties 0
    for k in np.unique(size):
        v = np.flatnonzero(size == k)
        rows = np.nonzero(support[v])[1].reshape(-1, k)
        cols = np.nonzero(tight[v])[1].reshape(-1, k)
        game = p.game[v]
        M = A[rows[:, :, None], cols[:, None, :], game[:, None, None]]  # (V_k, k, k)
        weights, singular = solve_small(M.transpose(1, 2, 0), np.ones((k, len(v))), tol[game])
        weights = weights.T
        if singular.any():
            s = np.flatnonzero(singular)
            tie[v[s]] = consistent(M[s], np.ones((len(s), k)), tol[game[s]])
        total = weights.sum(axis=1)
        ok[v] = ~singular & (weights >= -PROB_TOL * total[:, None]).all(axis=1)
        zero[v] = (weights <= PROB_TOL * total[:, None]).any(axis=1)
        y[v[:, None], cols] = weights
    # Rows off I must not earn more than 1 against y (those of I earn 1 by construction).
    c = np.flatnonzero(ok)
    slack = 1 - np.einsum("ijc,cj->ci", A[..., p.game[c]], y[c])
    total = y[c].sum(axis=1, keepdims=True)
    off = ~support[c]
    ok[c] = ~(off & (slack < -tol[p.game[c], None] * total)).any(axis=1)
    binds = (off & (slack <= tol[p.game[c], None] * total)).any(axis=1)
    tie[c] |= ok[c] & (zero[c] | binds)
    return y, ok, tie


def _distinct(point: np.ndarray, x: np.ndarray, y: np.ndarray, degenerate: np.ndarray):
    """Rows to keep: all in nondegenerate games, one per profile (to 1e-9) in the others,
    whose vertices Qhull may report once per simplex of a triangulated facet."""
    keep = ~degenerate[point]
    if keep.all():
        return keep
    rows = np.flatnonzero(~keep)
    key = np.column_stack([point[rows], np.round(x[rows], 9), np.round(y[rows], 9)])
    keep[rows[np.unique(key, axis=0, return_index=True)[1]]] = True
    return keep
