"""The logit limit: the Nash equilibrium the principal logit QRE branch converges to.

As lam grows, the principal branch of a generic game converges to one Nash
equilibrium (McKelvey and Palfrey 1995, Theorem 2; Turocy 2005), a selection
among the game's equilibria. :func:`logit_limit` follows the branch
(:mod:`bargain.solvers.qre`) over :data:`LIMIT_STOPS` of lam times the
point's payoff range; at each stop where the support of the QRE (the
strategies played with at least
:data:`~bargain.tolerances.LOGIT_SUPPORT_RTOL` of the player's most likely
one) is the one of the previous stop, it polishes the QRE into an
exact equilibrium on that support (:func:`polish`: Newton's method on the
indifference equations, with minimum-norm steps where a player's indifference
leaves its mixture undetermined) and keeps it once two stops in a row give the same
equilibrium, the QRE approaching it (:data:`SHRINK`) and near it on its whole
support (:data:`INSIDE`), and it is an equilibrium
within the players' tolerances (:func:`bargain.solvers.arrays.verify`). A point whose
branch reaches the last stop without that is flagged.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.tolerances import LOGIT_SAME_ATOL, LOGIT_SUPPORT_RTOL

from .arrays import EquilibriumArrays, verify
from .continuation import Budget, trace
from .qre import LogitHomotopy, pair_payoffs, strategy_payoffs

#: lam times the point's largest payoff range at which polishing is tried.
LIMIT_STOPS = 10.0 ** np.arange(1.0, 8.01, 1.0 / 3.0)
#: A polished equilibrium is kept when the one of the previous stop was the same
#: (within :data:`~bargain.tolerances.LOGIT_SAME_ATOL`) and the QRE's distance to it
#: shrank by at least this factor from one stop to the next: the branch approaches its
#: limit at a rate 1 / lam or faster, and the stops are 10 ** (1/3) apart, so the
#: distance of the QRE to its limit shrinks by about 2.15 from stop to stop.
SHRINK = 1.5
#: ... and when every strategy of the support has at least this share of its polished
#: probability in the QRE.
INSIDE = 0.5
#: Newton iterations of the polish.
POLISH_ITERATIONS = 30
#: The polish has converged when its Newton step is negligible and the largest residual
#: of the indifference equations (in the kernel's payoff units, of order 1) is below this.
RESIDUAL_ATOL = 1e-9
#: Relative cut-off of the singular values of the polish's Newton matrix
#: (:func:`min_norm_step`).
PINV_RCOND = 1e-10


class LimitArrays(NamedTuple):
    """The logit limits of N games: ``profiles[i]`` (N, s_i) (NaN where not found),
    ``found`` (N,), ``fallback`` (N,) the points whose path needed arclength
    continuation, ``exhausted`` the budget that ran out (or None)."""

    profiles: tuple[np.ndarray, ...]
    found: np.ndarray
    fallback: np.ndarray
    exhausted: str | None


def polish(
    payoffs: np.ndarray, profiles: tuple[np.ndarray, ...], support: np.ndarray
) -> tuple[tuple[np.ndarray, ...], np.ndarray]:
    """Equilibria on given supports near ``profiles`` (n, s_i) of the games ``payoffs``.

    Solves, for each player i with support S_i (``support`` (n, M), players'
    strategies in order), sum_{j in S_i} x_ij = 1 and u_ij(x) = v_i for j in
    S_i by Newton's method, games of one support pattern at once. Returns the
    profiles (zero off the support) and whether Newton converged to
    nonnegative probabilities (the caller verifies the equilibrium).
    """
    n = payoffs.shape[-1]
    shape = payoffs.shape[1:-1]
    offsets = np.concatenate([[0], np.cumsum(shape)]).astype(int)
    out = tuple(np.full((n, s), np.nan) for s in shape)
    ok = np.zeros(n, dtype=bool)
    patterns, group = np.unique(support, axis=0, return_inverse=True)
    for g, pattern in enumerate(patterns):
        rows = np.flatnonzero(group.reshape(-1) == g)
        masks = [pattern[o : o + s] for o, s in zip(offsets, shape)]
        x, good = _polish_group(payoffs[..., rows], [p[rows] for p in profiles], masks, shape)
        for i in range(len(shape)):
            out[i][rows] = x[i]
        ok[rows] = good
    return out, ok


def _polish_group(
    U: np.ndarray,
    profiles: list[np.ndarray],
    masks: list[np.ndarray],
    shape: tuple[int, ...],
) -> tuple[list[np.ndarray], np.ndarray]:
    g = U.shape[-1]
    index = [np.flatnonzero(m) for m in masks]
    sizes = [len(ix) for ix in index]
    start = np.concatenate([[0], np.cumsum([a + 1 for a in sizes])]).astype(int)
    size = int(start[-1])
    z = np.zeros((g, size))
    for i, ix in enumerate(index):
        x = profiles[i][:, ix]
        z[:, start[i] : start[i] + sizes[i]] = x / x.sum(axis=1, keepdims=True)
    # each player's value starts at its expected payoff on the support, so that the
    # minimum-norm step leaves a mixture the equations do not determine where it is
    mixes = [
        _mix(z[:, start[i] : start[i] + sizes[i]], ix, s)
        for i, (ix, s) in enumerate(zip(index, shape))
    ]
    u = strategy_payoffs(U, mixes, pair_payoffs(U, mixes))
    for i, ix in enumerate(index):
        x = z[:, start[i] : start[i] + sizes[i]]
        z[:, start[i] + sizes[i]] = (x * u[i][ix].T).sum(axis=1)
    converged = np.zeros(g, dtype=bool)
    for _ in range(POLISH_ITERATIONS):
        mixes = [
            _mix(z[:, start[i] : start[i] + sizes[i]], ix, s)
            for i, (ix, s) in enumerate(zip(index, shape))
        ]
        pairs = pair_payoffs(U, mixes)
        u = strategy_payoffs(U, mixes, pairs)
        F = np.empty((g, size))
        A = np.zeros((g, size, size))
        for i, ix in enumerate(index):
            r, a = start[i], sizes[i]
            F[:, r] = z[:, r : r + a].sum(axis=1) - 1
            A[:, r, r : r + a] = 1.0
            F[:, r + 1 : r + 1 + a] = u[i][ix].T - z[:, r + a : r + a + 1]
            A[:, r + 1 : r + 1 + a, r + a] = -1.0
            for k, kx in enumerate(index):
                if k != i:
                    D = pairs[i, k][np.ix_(ix, kx)]  # (a_i, a_k, g)
                    A[:, r + 1 : r + 1 + a, start[k] : start[k] + sizes[k]] = np.moveaxis(D, -1, 0)
        step = min_norm_step(A, -F)
        finite = np.isfinite(step).all(axis=1)
        z[finite] += step[finite]
        # a small step solves the equations only where they are consistent: the
        # residual must vanish too (a least-squares step of an inconsistent system
        # settles where the residual is smallest, not zero)
        converged = (
            finite
            & (np.abs(step).max(axis=1, initial=0.0) <= 1e-13 * (1 + np.abs(z).max(axis=1)))
            & (np.abs(F).max(axis=1, initial=0.0) <= RESIDUAL_ATOL)
        )
        if converged.all() or not finite.any():
            break
    out = []
    good = converged.copy()
    for i, ix in enumerate(index):
        x = z[:, start[i] : start[i] + sizes[i]]
        good &= (x >= -1e-12).all(axis=1)
        full = np.zeros((g, shape[i]))
        full[:, ix] = np.maximum(x, 0.0)
        with np.errstate(invalid="ignore", divide="ignore"):  # a failed polish: NaN
            full /= full.sum(axis=1, keepdims=True)
        out.append(full)
    return out, good


def _mix(x: np.ndarray, support: np.ndarray, size: int) -> np.ndarray:
    """A player's mixtures (size, g) from their values ``x`` (g, a) on ``support`` (a,)."""
    full = np.zeros((size, len(x)))
    full[support] = x.T
    return full


def min_norm_step(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The minimum-norm least-squares x of A[i] x[i] = b[i] for a stack (A (n, m, m),
    b (n, m)): x = A+ b with the Moore-Penrose pseudo-inverse A+ (singular values below
    :data:`PINV_RCOND` times the largest are dropped); NaN where A[i] is not finite.

    A player indifferent among strategies it plays (all payoffs tied, a duplicate
    strategy, an equilibrium component) makes the Newton matrix of :func:`polish`
    singular: its mixture is not determined by the indifference equations. The
    minimum-norm (Gauss-Newton) step then moves the QRE's profile as little as the
    equations allow, so the polish converges to the equilibrium of the component
    nearest to it.
    """
    out = np.full_like(b, np.nan)
    good = np.isfinite(A).all(axis=(1, 2)) & np.isfinite(b).all(axis=1)
    if good.any():
        pinv = np.linalg.pinv(A[good], rcond=PINV_RCOND)
        out[good] = (pinv @ b[good][..., None])[..., 0]
    return out


def logit_limit(payoffs: np.ndarray, atol: np.ndarray, budget: Budget | None = None) -> LimitArrays:
    """The logit limit of N games ``payoffs`` (P, s_1, ..., s_P, N), each a Nash
    equilibrium within the players' tolerances ``atol`` (P, N); see the module docstring."""
    n_players, n = payoffs.shape[0], payoffs.shape[-1]
    flat = payoffs.reshape(n_players, -1, n)
    span = (flat.max(axis=1) - flat.min(axis=1)).max(axis=0)
    weights = np.repeat((1.0 / np.where(span > 0, span, 1.0))[None], n_players, axis=0)
    system = LogitHomotopy(payoffs, weights)
    shape = payoffs.shape[1:-1]
    m = system.size
    previous = np.zeros((n, m), dtype=bool)
    seen = np.zeros(n, dtype=bool)
    last = np.full((n, m), np.nan)  # the previous stop's polished equilibrium
    distance = np.full(n, np.nan)  # and the QRE's distance to it
    profiles = tuple(np.full((n, s), np.nan) for s in shape)
    found = np.zeros(n, dtype=bool)

    def on_stop(k: int, y: np.ndarray, which: np.ndarray) -> np.ndarray:
        probs = system.probabilities(y)
        support = np.concatenate(
            [p >= LOGIT_SUPPORT_RTOL * p.max(axis=1, keepdims=True) for p in probs], axis=1
        )
        same = seen[which] & (support == previous[which]).all(axis=1)
        previous[which], seen[which] = support, True
        finished = np.zeros(len(which), dtype=bool)
        tried = np.flatnonzero(same)
        if not len(tried):
            return finished
        games = payoffs[..., which[tried]]
        x, ok = polish(games, tuple(p[tried] for p in probs), support[tried])
        flat = np.concatenate(x, axis=1)
        qre = np.concatenate([p[tried] for p in probs], axis=1)
        gap = np.abs(flat - qre).max(axis=1)
        points = which[tried]
        with np.errstate(invalid="ignore"):
            settled = (np.abs(flat - last[points]).max(axis=1) <= LOGIT_SAME_ATOL) & (
                (gap * SHRINK <= distance[points]) | (gap <= LOGIT_SAME_ATOL)
            )
            # the QRE near the equilibrium on its whole support: a strategy whose QRE
            # probability is still far below its equilibrium one may be on its way out
            # (a nearby equilibrium of a smaller support is the limit)
            settled &= (qre >= INSIDE * flat).all(axis=1)
        last[points] = np.where(ok[:, None], flat, np.nan)
        distance[points] = np.where(ok, gap, np.nan)
        good = np.flatnonzero(ok & settled)
        candidates = EquilibriumArrays(
            good,
            tuple(xi[good] for xi in x),
            np.zeros((len(good), n_players)),
            np.zeros(len(tried), dtype=bool),
        )
        kept = verify(games, candidates, atol[:, points]).point
        points = which[tried[kept]]
        for i in range(n_players):
            profiles[i][points] = x[i][kept]
        found[points] = True
        finished[tried[kept]] = True
        return finished

    traced = trace(system, system.start(), LIMIT_STOPS, budget, on_stop)
    return LimitArrays(profiles, found, traced.fallback, traced.exhausted)
