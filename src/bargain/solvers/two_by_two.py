"""All Nash equilibria of 2x2 bimatrix games in closed form, batched, verified as found.

Write the row player's gain from its first strategy against column j as
``a_j = A[0, j] - A[1, j]`` and the column player's gain from its first
strategy against row i as ``b_i = B[i, 0] - B[i, 1]``. Against a pure
strategy, strategy 0 is a best response iff its regret ``max(0, -gain)`` is at
most the player's tolerance, strategy 1 iff ``max(0, gain)`` is: the pure
profile (i, j) is an equilibrium iff both are best responses, which is the
verification of the profile itself (its regret is the larger of the two). A
player's gain within its tolerance of zero is a payoff tie: the game is
degenerate there (von Stengel 2007, Definition 3.2; in a 2x2 game a tie is the
only way to be degenerate).

The only equilibrium that mixes makes each player indifferent (Algorithm 3.4
with supports of size 2): ``y_0 = a_1 / (a_1 - a_0)`` and ``x_0 = b_1 / (b_1 -
b_0)``, an equilibrium iff both lie strictly inside (0, 1), that is iff
``a_0, a_1`` have opposite signs and so do ``b_0, b_1``. Without a tie a gain
is more than the tolerance (at least 1e-9 times the range) away from 0 and at
most the range from it, so these probabilities are at least ~1e-9 from 0 and 1,
ten times ``PROB_TOL``: the signs decide, and support enumeration's other
degeneracy tests (a nonnegative solution with a zero probability, a singular
consistent system) can only fire where a player ties. So the indifference
conditions are solved only where the signs change or a tie blurs them, with
support enumeration's tests (probabilities above ``PROB_TOL``, a nonsingular
system). A mixed row is verified by each player's best pure deviation: with
``d = a_0 y_0 + a_1 y_1`` the row player's gain from its first strategy over
its second against y, its regret is ``max(d x_1, -d x_0)`` (likewise for the
column player).

Rows come as support enumeration gives them: per block of points the pure
profiles in C order (0, 0), (0, 1), (1, 0), (1, 1), each by point, then the
mixed equilibria by point.
"""

from __future__ import annotations

import numpy as np

from bargain.tolerances import PROB_TOL

from .arrays import EquilibriumArrays, stack
from .workspace import Workspace

#: Games solved at once: the scratch arrays of a block stay in cache.
BLOCK = 1 << 15
#: The pure profiles (row, column) in C order.
PROFILES = ((0, 0), (0, 1), (1, 0), (1, 1))


def two_by_two(
    payoffs: np.ndarray, atol: np.ndarray, scale: np.ndarray | None = None
) -> EquilibriumArrays:
    """All equilibria of N 2x2 games, payoffs (2, 2, 2, N), verified, with their regret.

    ``atol`` (2, N) is each player's tolerance in each game; ``regret`` is in
    the units of ``payoffs`` times ``scale`` (2, N) if given (the user's units of a
    :func:`~bargain.solvers.arrays.scaled` tensor), as :func:`~bargain.solvers.arrays.verify`.
    """
    n = payoffs.shape[-1]
    if n <= BLOCK:
        return _block(payoffs, atol, scale)
    return stack(
        [
            _block(
                payoffs[..., s : s + BLOCK],
                atol[:, s : s + BLOCK],
                None if scale is None else scale[:, s : s + BLOCK],
            )
            for s in range(0, n, BLOCK)
        ]
    )


def _block(payoffs: np.ndarray, atol: np.ndarray, scale: np.ndarray | None) -> EquilibriumArrays:
    n = payoffs.shape[-1]
    space = Workspace.of_thread()
    # gain[p, o]: player p's gain from its strategy 0 against the opponent's strategy o.
    gain = space.array(("2x2", "gain"), (2, 2, n))
    np.subtract(payoffs[0, 0], payoffs[0, 1], out=gain[0])
    np.subtract(payoffs[1, :, 0], payoffs[1, :, 1], out=gain[1])
    # best[s, p, o]: strategy s of player p is a best response to the opponent's o.
    best = space.array(("2x2", "best"), (2, 2, 2, n), bool)
    below = space.array(("2x2", "-atol"), (2, 1, n))
    np.negative(atol[:, None], out=below)
    np.greater_equal(gain, below, out=best[0])
    np.less_equal(gain, atol[:, None], out=best[1])
    # Profile (i, j): row i best against column j, column j best against row i.
    pure = space.array(("2x2", "pure"), (2, 2, n), bool)
    np.logical_and(best[:, 0], best[:, 1].transpose(1, 0, 2), out=pure)
    tied = space.array(("2x2", "tied"), (2, 2, n), bool)
    np.logical_and(best[0], best[1], out=tied)
    degenerate = tied.reshape(4, n).any(axis=0)
    # Mixing is possible where each player's gains change sign, or a tie blurs the signs.
    turns = space.array(("2x2", "turns"), (2, n), bool)
    np.not_equal(best[0, :, 0], best[0, :, 1], out=turns)
    np.logical_and(turns[0], turns[1], out=turns[0])
    np.logical_or(turns[0], degenerate, out=turns[0])
    mixed, y, x, mixed_values, mixed_regret = _mixed(payoffs, gain, atol, scale, turns[0])

    found = np.flatnonzero(pure)  # (profile, point) flat, profiles in C order
    ends = np.searchsorted(found, n * np.arange(1, 5))  # where each profile's rows end
    rows = ends[-1] + len(mixed)
    point = np.empty(rows, dtype=np.intp)
    profiles = (np.empty((rows, 2)), np.empty((rows, 2)))
    values = np.empty((rows, 2))
    regret = np.zeros(rows)
    pure_rows = slice(0, ends[-1])
    for mix in profiles:
        mix[pure_rows] = 0.0
    for cell, ((i, j), start, end) in enumerate(zip(PROFILES, [0, *ends[:-1]], ends)):
        np.subtract(found[start:end], cell * n, out=point[start:end])
        profiles[0][start:end, i] = 1.0
        profiles[1][start:end, j] = 1.0
    for p in range(2):
        values[pure_rows, p] = np.take(payoffs[p].reshape(-1), found)
    tie = np.flatnonzero(degenerate[point[pure_rows]])
    if len(tie):
        regret[tie] = _tie_regret(gain, found[tie] // n, point[tie], scale)
    point[ends[-1] :], values[ends[-1] :], regret[ends[-1] :] = mixed, mixed_values, mixed_regret
    profiles[0][ends[-1] :], profiles[1][ends[-1] :] = x, y
    return EquilibriumArrays(point, profiles, values, degenerate, regret)


def _tie_regret(
    gain: np.ndarray, cell: np.ndarray, point: np.ndarray, scale: np.ndarray | None
) -> np.ndarray:
    """The regret of pure profiles (``cell`` = 2 i + j) at points with a tie: strategy 0's
    is ``max(0, -gain)``, strategy 1's ``max(0, gain)`` (0 where nothing ties)."""
    i, j = cell >> 1, cell & 1
    row = np.maximum(gain[0, j, point] * (2 * i - 1), 0.0)
    col = np.maximum(gain[1, i, point] * (2 * j - 1), 0.0)
    if scale is not None:
        row, col = row * scale[0, point], col * scale[1, point]
    return np.maximum(row, col)


def _mixed(
    payoffs: np.ndarray,
    gain: np.ndarray,
    atol: np.ndarray,
    scale: np.ndarray | None,
    candidates: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The mixed equilibria at the ``candidates`` (N,) points, verified: their points,
    y and x (K, 2), payoffs (K, 2) and regret (K,)."""
    point = np.flatnonzero(candidates)
    g = np.compress(candidates, gain, axis=-1)  # (2, 2, K)
    tol = np.compress(candidates, atol, axis=-1)
    # Indifference: p_0 g_0 + (1 - p_0) g_1 = 0, so p_0 = g_1 / (g_1 - g_0): (y_0, x_0).
    system = g[:, 1] - g[:, 0]
    singular = np.abs(system) <= tol
    first = g[:, 1] / np.where(singular, 1.0, system)
    second = 1.0 - first
    ok = (first > PROB_TOL) & (second > PROB_TOL) & ~singular
    # Verified: the gain d = g_0 p_0 + g_1 p_1 of strategy 0 over 1 against the opponent's
    # mixture is a player's regret times the weight of its worse strategy (each mixture
    # sums to 1 by construction).
    d = g[:, 0] * first
    d += g[:, 1] * second
    regret = np.maximum(d * second[::-1], -d * first[::-1])
    ok &= regret <= tol
    # Each player's payoff from its strategy 0 against the mixture that makes it indifferent.
    values = np.empty_like(first)
    for p, own in enumerate((payoffs[0, 0], payoffs[1, :, 0])):
        own = np.compress(candidates, own, axis=-1)
        np.multiply(own[0], first[p], out=values[p])
        values[p] += own[1] * second[p]
    if scale is not None:
        regret *= np.compress(candidates, scale, axis=-1)
    keep = ok[0] & ok[1]
    if not keep.all():
        point, first, second, values, regret = (
            np.compress(keep, a, axis=-1) for a in (point, first, second, values, regret)
        )
    y = np.stack([first[0], second[0]], axis=1)
    x = np.stack([first[1], second[1]], axis=1)
    return point, y, x, values.T, np.maximum(regret.max(axis=0), 0.0)
