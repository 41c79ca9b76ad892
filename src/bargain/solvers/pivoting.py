"""Lemke–Howson paths with the lexicographic minimum-ratio test, batched.

C. E. Lemke and J. T. Howson (1964), "Equilibrium points of bimatrix games";
B. von Stengel (2007), "Equilibrium computation for two-player games in
strategic and extensive form", Algorithmic Game Theory, ch. 3: the algorithm as
complementary pivoting, and section 3.6, "Degenerate games", for the
lexicographic minimum-ratio test with which every path ends at an equilibrium.

Each player's payoffs are first mapped affinely onto [1, 2], which leaves the
equilibria unchanged. With A, B >= 1 the best-response polytopes are
P = {x >= 0 : B'x <= 1} and Q = {y >= 0 : Ay <= 1}, and one tableau over
z = (x, y) and the slacks w = (r, s) holds both:

    w + M z = 1,    M = [[0, A], [B', 0]],    z, w >= 0.

z_k and w_k carry label k (row strategies 0..m-1, then columns m..m+n-1). A
basis with z_k w_k = 0 for every k is completely labelled and, unless z = 0,
gives the equilibrium (x / 1'x, y / 1'y). The path from z = 0 that drops label
k lets z_k enter the basis; after each pivot the complement of the variable
that left enters, until the variable that leaves has label k.

The leaving row is the lexicographic minimum of (q_i, (B^-1)_i) / c_i over the
rows with c_i > 0, where q is the right-hand side, c the entering column and
B^-1 the tableau's slack columns: the minimum-ratio test of the system
perturbed to w + M z = 1 + (ε, ε², ...)'. Rows of B^-1 are distinct, so the
minimum is unique, no basis repeats and every path is finite.

The tableau is in floating point: an entry of the entering column within
``rtol`` of its largest counts as 0, rows tied with the leaving one are set to
0 rather than left a rounding error below it, and every profile is verified
against the input payoffs before it is returned. All paths of all games advance
together, one vectorised pivot per step; a path that ends leaves the batch. A
path still running after ``max_pivots`` pivots, which only rounding could
cause, is abandoned and reported as not found.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from bargain.tolerances import PAYOFF_RTOL, PROB_TOL

from .arrays import EquilibriumArrays, concat, payoff_atol, regrets, stack, verify
from .support import BLOCK_FLOATS

#: Two profiles of one game that differ by at most this in every probability
#: are the same equilibrium.
PROFILE_ATOL = 1e-7


def lemke_howson(
    payoffs: np.ndarray,
    rtol: float = PAYOFF_RTOL,
    atol: np.ndarray | None = None,
    *,
    labels: Sequence[int] | None = None,
    max_pivots: int | None = None,
) -> EquilibriumArrays:
    """Equilibria at the ends of the Lemke–Howson paths of N games, payoffs (2, m, n, N).

    One row per distinct equilibrium a game's paths reach, one path per label
    in ``labels`` (default all m + n, as nashpy's ``lemke_howson_enumeration``).
    ``atol`` (2, N) overrides each player's regret tolerance, as in
    :func:`~bargain.solvers.support.support_enumeration`. A game without rows
    found none within the budget; :func:`lemke_howson_paths` says which paths
    failed.
    """
    return lemke_howson_paths(payoffs, rtol, atol, labels=labels, max_pivots=max_pivots)[0]


def with_lemke_howson(
    found: EquilibriumArrays,
    payoffs: np.ndarray,
    atol: np.ndarray,
    scale: np.ndarray | None = None,
) -> tuple[EquilibriumArrays, np.ndarray]:
    """``found`` with the games it leaves empty solved by Lemke–Howson.

    ``found`` holds verified equilibria of the N two-player games ``payoffs``
    (2, m, n, N), from a method that can miss equilibria of degenerate games
    (support or vertex enumeration); a game where it found none is degenerate,
    and Lemke–Howson, which always finds an equilibrium, solves it (verified
    with ``atol``, regrets in the units ``scale`` gives, as :func:`verify`).
    Returns the joined rows and the games (N,) so solved.
    """
    n = payoffs.shape[-1]
    empty = np.flatnonzero(np.bincount(found.point, minlength=n) == 0)
    rescued = np.zeros(n, dtype=bool)
    if not len(empty):
        return found, rescued
    games, tol = payoffs[..., empty], atol[:, empty]
    more = verify(
        games, lemke_howson(games, atol=tol), tol, None if scale is None else scale[:, empty]
    )
    rescued[empty[np.unique(more.point)]] = True
    degenerate = found.degenerate.copy()
    degenerate[empty] = True
    joined = concat(
        [
            found._replace(degenerate=degenerate),
            more._replace(point=empty[more.point], degenerate=np.zeros(n, dtype=bool)),
        ]
    )
    return joined, rescued


def lemke_howson_paths(
    payoffs: np.ndarray,
    rtol: float = PAYOFF_RTOL,
    atol: np.ndarray | None = None,
    *,
    labels: Sequence[int] | None = None,
    max_pivots: int | None = None,
) -> tuple[EquilibriumArrays, np.ndarray]:
    """:func:`lemke_howson`'s equilibria and ``found`` (N, L), one column per label.

    ``found[t, l]`` says whether the path dropping ``labels[l]`` in game t
    reached a verified equilibrium within ``max_pivots`` pivots (default
    ``10 (m + n)² + 100``, far above the paths of small games: 1,540 for 6x6
    games, whose paths took at most 50 pivots in 240,000 tried, random or with
    payoffs in {0, 1, 2}); ``~found.any(axis=1)`` are the games where none did.
    A profile is verified when its probabilities are >= -PROB_TOL (those below
    0 are then set to 0) and each player's regret is at most its tolerance in
    that game, ``atol`` (2, N), by default ``rtol`` times the range (max - min)
    of its payoffs plus their rounding (:func:`~bargain.solvers.arrays.payoff_atol`).
    Ties in the tableau, where payoffs are mapped onto [1, 2], are within
    ``rtol``. ``degenerate[t]`` flags a tie in the plain minimum-ratio test on a
    path of game t, or an equilibrium whose two supports differ in size.
    """
    payoffs = np.asarray(payoffs, dtype=float)
    if payoffs.ndim != 4 or payoffs.shape[0] != 2:
        raise ValueError(f"Lemke–Howson needs payoffs of shape (2, m, n, N), got {payoffs.shape}")
    _, m, n, n_points = payoffs.shape
    starts = np.arange(m + n) if labels is None else np.asarray(labels, dtype=np.intp).ravel()
    if starts.size == 0 or starts.min() < 0 or starts.max() >= m + n:
        raise ValueError(f"labels must be in 0..{m + n - 1}, got {starts.tolist()}")
    budget = 10 * (m + n) ** 2 + 100 if max_pivots is None else max_pivots
    if budget < 1:
        raise ValueError(f"max_pivots must be at least 1, got {budget}")
    size = max(1, BLOCK_FLOATS // (len(starts) * (m + n) * (2 * (m + n) + 1)))
    parts = [
        _solve(
            payoffs[..., start : start + size],
            None if atol is None else np.asarray(atol, dtype=float)[:, start : start + size],
            starts,
            rtol,
            budget,
        )
        for start in range(0, max(n_points, 1), size)
    ]
    return stack([p[0] for p in parts]), np.concatenate([p[1] for p in parts])


def _solve(
    payoffs: np.ndarray, atol: np.ndarray | None, starts: np.ndarray, rtol: float, budget: int
) -> tuple[EquilibriumArrays, np.ndarray]:
    """The paths from every label in ``starts`` of a chunk of games, deduplicated."""
    _, m, n, n_points = payoffs.shape
    scaled, exponent, shifted, spread = _rescale(payoffs)
    tol = payoff_atol(scaled, rtol) if atol is None else np.ldexp(atol, -exponent)
    unit = 1.0 + shifted / np.where(spread > 0, spread, 1.0)[:, None, None]  # in [1, 2]
    game = np.repeat(np.arange(n_points), len(starts))
    z, tie = _follow(unit, game, np.tile(starts, n_points), rtol, budget)
    x, y, ok = _verify(z[:, :m], z[:, m:], shifted[..., game], tol[:, game].T)
    # A path's equilibrium is new unless an earlier path of its game found it.
    profile = np.where(ok[:, None], np.concatenate([x, y], axis=1), np.nan)
    profile = profile.reshape(n_points, len(starts), m + n)
    close = np.abs(profile[:, :, None] - profile[:, None]).max(axis=-1) <= PROFILE_ATOL
    earlier = np.tri(len(starts), k=-1, dtype=bool).T  # earlier[a, b]: path a before b
    found = ok.reshape(n_points, len(starts))
    keep = np.flatnonzero(found & ~(close & earlier).any(axis=1))
    x, y, point = x[keep], y[keep], game[keep]
    values = np.stack(
        [
            np.ldexp(np.einsum("ei,ije,ej->e", x, scaled[p][..., point], y), exponent[p, point])
            for p in range(2)
        ],
        axis=1,
    )
    unequal = (x > PROB_TOL).sum(axis=1) != (y > PROB_TOL).sum(axis=1)
    degenerate = tie.reshape(n_points, len(starts)).any(axis=1)
    degenerate[point[unequal]] = True
    return EquilibriumArrays(point, (x, y), values, degenerate), found


def _rescale(payoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each player's payoffs in each game divided by 2^e > max |payoff| and shifted to min 0.

    Returns ``scaled`` = payoffs / 2^e (exact, so no overflow or rounding), the
    exponents e (2, N), ``shifted`` = scaled - min(scaled) and its range
    max(scaled) - min(scaled), shape (2, N).
    """
    _, exponent = np.frexp(np.abs(payoffs).max(axis=(1, 2)))
    scaled = np.ldexp(payoffs, -exponent[:, None, None])
    shifted = scaled - scaled.min(axis=(1, 2))[:, None, None]
    return scaled, exponent, shifted, shifted.max(axis=(1, 2))


def _follow(
    unit: np.ndarray, game: np.ndarray, label: np.ndarray, rtol: float, budget: int
) -> tuple[np.ndarray, np.ndarray]:
    """Follow path g (game ``game[g]``, dropping ``label[g]``) for at most ``budget`` pivots.

    ``unit`` (2, m, n, N) holds payoffs in [1, 2]. Returns z = (x, y) at the end
    of each path, shape (G, m + n), NaN where it did not end, and whether its
    plain minimum-ratio test ever tied, (G,).
    """
    _, m, n, _ = unit.shape
    size = m + n
    tableau = np.zeros((len(game), size, 2 * size + 1))
    tableau[:, :m, m:size] = unit[0][..., game].transpose(2, 0, 1)  # r + A y = 1
    tableau[:, m:, :m] = unit[1][..., game].transpose(2, 1, 0)  # s + B'x = 1
    tableau[:, :, size:-1] = np.eye(size)
    tableau[:, :, -1] = 1.0
    basis = np.tile(np.arange(size, 2 * size), (len(game), 1))
    enter = label.copy()
    live = np.arange(len(game))
    z = np.full((len(game), size), np.nan)
    tie = np.zeros(len(game), dtype=bool)
    for _ in range(budget):
        column = tableau[np.arange(len(live)), :, enter]
        # Entries at the rounding level are 0: their rows must not move.
        column[np.abs(column) <= rtol * np.abs(column).max(axis=1, keepdims=True)] = 0.0
        leave, tied = _leaving_row(tableau, column, rtol)
        tie[live] |= tied.sum(axis=1) > 1
        movable = tied.any(axis=1)
        if not movable.all():  # no positive entry: only rounding can cause it
            live, tableau, basis, enter, column, leave, tied = (
                a[movable] for a in (live, tableau, basis, enter, column, leave, tied)
            )
        rows = np.arange(len(live))
        pivot_row = tableau[rows, leave] / column[rows, leave, None]
        tableau -= column[:, :, None] * pivot_row[:, None, :]
        tableau[rows, leave] = pivot_row
        tableau[rows, :, enter] = 0.0
        tableau[rows, leave, enter] = 1.0
        # Rows tied with the leaving one are now at 0, not below it by rounding.
        np.maximum(tableau[:, :, -1], 0.0, out=tableau[:, :, -1], where=tied)
        left = basis[rows, leave]
        basis[rows, leave] = enter
        enter = (left + size) % (2 * size)
        done = left % size == label[live]
        if done.any():
            solution = np.zeros((done.sum(), 2 * size))
            np.put_along_axis(solution, basis[done], tableau[done, :, -1], axis=1)
            z[live[done]] = solution[:, :size]
            live, tableau, basis, enter = live[~done], tableau[~done], basis[~done], enter[~done]
        if not len(live):
            break
    return z, tie


def _leaving_row(
    tableau: np.ndarray, column: np.ndarray, rtol: float
) -> tuple[np.ndarray, np.ndarray]:
    """Lexicographic minimum of (q_i, (B^-1)_i) / c_i over rows with c_i > 0, per path.

    Keys within rtol (relative) of the minimum count as tied. Returns the row
    and the rows tied in the plain test q_i / c_i, (G, m + n), none if no c_i > 0.
    """
    size = column.shape[1]
    positive = column > 0
    divisor = np.where(positive, column, 1.0)
    tied = _near_minimum(tableau[:, :, -1] / divisor, positive, rtol)
    best = tied.copy()
    rest = np.flatnonzero(tied.sum(axis=1) > 1)
    for k in range(size, 2 * size):
        if not len(rest):
            break
        best[rest] = _near_minimum(tableau[rest, :, k] / divisor[rest], best[rest], rtol)
        rest = rest[best[rest].sum(axis=1) > 1]
    return best.argmax(axis=1), tied


def _near_minimum(key: np.ndarray, among: np.ndarray, rtol: float) -> np.ndarray:
    """Rows among ``among`` whose key is within ``rtol * (1 + |min|)`` of the row minimum."""
    low = np.where(among, key, np.inf).min(axis=1, keepdims=True)
    return among & (key <= low + rtol * (1.0 + np.abs(low)))


def _verify(
    x: np.ndarray, y: np.ndarray, shifted: np.ndarray, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Normalised profiles and whether each is an equilibrium (NaN rows are not).

    ``shifted`` (2, m, n, G) are each path's payoffs, scaled and shifted to min
    0 (regrets do not change), ``atol`` (G, 2) each player's regret tolerance.
    A probability below -PROB_TOL fails the profile; those between it and 0 are
    set to 0 and the rest rescaled.
    """
    ok = np.isfinite(x).all(axis=1) & np.isfinite(y).all(axis=1)
    ok[ok] = (x[ok].sum(axis=1) > 0) & (y[ok].sum(axis=1) > 0)
    rows = np.flatnonzero(ok)
    x, y = (
        x[rows] / x[rows].sum(axis=1, keepdims=True),
        y[rows] / y[rows].sum(axis=1, keepdims=True),
    )
    signs = (x >= -PROB_TOL).all(axis=1) & (y >= -PROB_TOL).all(axis=1)
    x, y = np.maximum(x, 0.0), np.maximum(y, 0.0)
    x /= x.sum(axis=1, keepdims=True)
    y /= y.sum(axis=1, keepdims=True)
    regret = np.zeros((0, 2))  # regrets needs at least one row
    if len(rows):
        regret = regrets(shifted[..., rows].transpose(3, 0, 1, 2), (x, y))
    ok[rows] = signs & (regret <= atol[rows]).all(axis=1)
    full_x = np.full((len(ok), x.shape[1]), np.nan)
    full_y = np.full((len(ok), y.shape[1]), np.nan)
    full_x[rows], full_y[rows] = x, y
    return full_x, full_y, ok
