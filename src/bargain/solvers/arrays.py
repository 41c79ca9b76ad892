"""The columnar form every solver returns: one row per equilibrium found.

Kernels take payoff tensors with the batch in the last axis, shape
(P, s_1, ..., s_P, N): ``payoffs[p, i_1, ..., i_P, t]`` is player p's payoff
in game t. Reductions over strategies then run over contiguous memory.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.tolerances import PAYOFF_RTOL, PROB_SUM_ATOL, RESOLUTION_LIMIT, ROUNDING

#: Payoff magnitudes outside [1 / EXTREME, EXTREME] are rescaled before solving,
#: so that differences and expected payoffs neither overflow nor underflow.
EXTREME = 1e100


class EquilibriumArrays(NamedTuple):
    """Equilibria of a batch of N games, long form.

    ``point[e]`` is the game of equilibrium ``e``; ``profiles[p][e]`` is player
    p's mixed strategy; ``payoffs[e, p]`` the expected payoff; ``degenerate[t]``
    flags game t; ``regret[e]`` (once verified, see :func:`verify`) the largest
    gain any player could make by deviating. Rows come in the kernel's order
    (sorting a million rows by point costs more than solving them);
    :func:`by_point` groups them when needed.
    """

    point: np.ndarray
    profiles: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    degenerate: np.ndarray
    regret: np.ndarray | None = None


def payoff_atol(payoffs: np.ndarray, rtol: float = PAYOFF_RTOL) -> np.ndarray:
    """Each player's tolerance in each game, (P, N): ``rtol * range + ROUNDING * magnitude``.

    ``range`` is the player's largest minus smallest payoff in the game and
    ``magnitude`` its largest absolute payoff: the tolerance moves with the
    player's own units and offset (affine invariance), plus what float64 cannot
    resolve at that magnitude.
    """
    low, high = _extremes(payoffs)
    span, magnitude = _span(low, high), np.maximum(np.abs(low), np.abs(high))
    return rtol * span + ROUNDING * magnitude


def _extremes(payoffs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    flat = payoffs.reshape(payoffs.shape[0], -1, payoffs.shape[-1])
    return flat.min(axis=1), flat.max(axis=1)


def _span(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``high - low``, at most the largest float (a range of 1e308 minus -1e308)."""
    with np.errstate(over="ignore"):
        return np.minimum(high - low, np.finfo(float).max)


class Tolerance(NamedTuple):
    """Each player's tolerance at each point, (P, N) arrays, from its payoff extremes.

    ``scale`` divides the payoffs of a player of extreme magnitude (a power of
    two; 1 elsewhere);
    ``span`` and ``atol`` are the range and the tolerance of the divided payoffs;
    ``unresolved`` (N,) flags points float64 cannot resolve; ``user_span`` is the
    range in the user's units.
    """

    scale: np.ndarray
    span: np.ndarray
    atol: np.ndarray
    unresolved: np.ndarray

    @property
    def user_span(self) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.minimum(self.span * self.scale, np.finfo(float).max)


def tolerance(low: np.ndarray, high: np.ndarray, rtol: float = PAYOFF_RTOL) -> Tolerance:
    """Tolerances from each player's lowest and highest payoff at each point, (P, N).

    A player whose payoffs at a point are of extreme magnitude (beyond
    :data:`EXTREME` or below its inverse) is to be divided by ``scale``, the
    power of two just below its largest absolute payoff there: this leaves the
    equilibria unchanged, keeps differences and expected payoffs from
    overflowing or underflowing, and is undone exactly.
    ``atol`` is :func:`payoff_atol`'s rule applied to the divided payoffs;
    ``unresolved`` flags points where some player's payoffs differ by less than
    float64 resolves at their magnitude
    (:data:`~bargain.tolerances.RESOLUTION_LIMIT`).
    """
    magnitude = np.maximum(-low, high)  # max(|low|, |high|), as low <= high
    scale = np.ones_like(magnitude)
    if magnitude.size and (magnitude.max() > EXTREME or magnitude.min() < 1 / EXTREME):
        extreme = (magnitude > EXTREME) | ((magnitude > 0) & (magnitude < 1 / EXTREME))
        if extreme.any():  # rare: scale those players
            scale[extreme] = np.ldexp(1.0, np.frexp(magnitude[extreme])[1] - 1)
            low, high, magnitude = low / scale, high / scale, magnitude / scale
    span = high - low  # no overflow: every magnitude is at most EXTREME now
    rounding = ROUNDING * magnitude
    unresolved = np.zeros(span.shape[1:], dtype=bool)
    if (rounding > RESOLUTION_LIMIT * span).any():  # rare: a constant player, or worse
        unresolved = ((span > 0) & (rounding > RESOLUTION_LIMIT * span)).any(axis=0)
    atol = np.multiply(span, rtol)
    atol += rounding
    return Tolerance(scale, span, atol, unresolved)


class Scaled(NamedTuple):
    """A payoff tensor ready for a kernel, with its :class:`Tolerance` (see :func:`scaled`)."""

    payoffs: np.ndarray
    tolerance: Tolerance


def scaled(payoffs: np.ndarray, rtol: float = PAYOFF_RTOL) -> Scaled:
    """Payoffs (P, ..., N) a kernel can solve safely, with each player's tolerance.

    Each player of extreme magnitude at a point is divided by its ``scale``
    (see :func:`tolerance`); the equilibria do not change.
    """
    tol = tolerance(*_extremes(payoffs), rtol)
    if (tol.scale != 1).any():
        shape = (tol.scale.shape[0],) + (1,) * (payoffs.ndim - 2) + (tol.scale.shape[1],)
        payoffs = payoffs / tol.scale.reshape(shape)
    return Scaled(payoffs, tol)


def verify(
    payoffs: np.ndarray,
    found: EquilibriumArrays,
    atol: np.ndarray,
    scale: np.ndarray | None = None,
) -> EquilibriumArrays:
    """The rows of ``found`` that are equilibria of ``payoffs``, with their ``regret``.

    A row is kept when every player's regret (gain from its best pure
    deviation) is at most that player's tolerance ``atol`` (P, N) in the row's
    game and its profile is a probability distribution; ``regret`` is the
    largest regret over the players, in the units of ``payoffs`` times
    ``scale`` (P, N) if given (the user's units of a :func:`scaled` tensor).
    """
    if not len(found.point):
        return found._replace(regret=np.zeros(0))
    gains = _gains(payoffs, found)  # (P, E)
    ok = np.ones(len(found.point), dtype=bool)
    for p, mix in enumerate(found.profiles):  # short axes one by one: fewer tiny reductions
        ok &= gains[p] <= atol[p, found.point]
        total = mix[:, 0].copy()
        for k in range(1, mix.shape[1]):
            total += mix[:, k]
        ok &= np.abs(total - 1) <= PROB_SUM_ATOL
        if mix.min() < -PROB_SUM_ATOL:
            ok &= (mix >= -PROB_SUM_ATOL).all(axis=1)
    if scale is not None:
        gains = gains * scale[:, found.point]
    regret = np.maximum(gains.max(axis=0), 0.0)
    if ok.all():
        return found._replace(regret=regret)
    return EquilibriumArrays(
        found.point[ok],
        tuple(mix[ok] for mix in found.profiles),
        found.payoffs[ok],
        found.degenerate,
        regret[ok],
    )


def no_equilibria(payoffs: np.ndarray) -> EquilibriumArrays:
    """No equilibria of the N games ``payoffs`` (P, s_1, ..., s_P, N): a start to join to."""
    n = payoffs.shape[-1]
    profiles = tuple(np.zeros((0, s)) for s in payoffs.shape[1:-1])
    return EquilibriumArrays(
        np.zeros(0, dtype=np.intp), profiles, np.zeros((0, payoffs.shape[0])), np.zeros(n, bool)
    )


def concat(parts: list[EquilibriumArrays]) -> EquilibriumArrays:
    """Join results over the same N games (for example pure and mixed equilibria)."""
    return EquilibriumArrays(
        np.concatenate([p.point for p in parts]),
        tuple(np.concatenate(ps) for ps in zip(*(p.profiles for p in parts))),
        np.concatenate([p.payoffs for p in parts]),
        np.logical_or.reduce([p.degenerate for p in parts]),
        _regrets(parts),
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
        _regrets(chunks),
    )


def _regrets(parts: list[EquilibriumArrays]) -> np.ndarray | None:
    """The parts' regrets joined, if every part has been verified."""
    if any(p.regret is None for p in parts):
        return None
    return np.concatenate([p.regret for p in parts])


def _gains(payoffs: np.ndarray, found: EquilibriumArrays) -> np.ndarray:
    """Each row's deviation gains (P, E), pure rows the quick way.

    At a pure profile a player's gain is its best payoff against the others'
    strategies minus its own: one table of those gaps over all profiles and
    points, looked up at each pure row. Rows that mix go through
    :func:`deviation_gains`.
    """
    n_players, shape = payoffs.shape[0], payoffs.shape[1:]
    index = np.zeros(len(found.point), dtype=np.intp)  # flat (profile, point) index
    pure = np.ones(len(found.point), dtype=bool)
    for p, mix in enumerate(found.profiles):
        index *= shape[p]
        hit = mix[:, 0] == 1.0
        for k in range(1, mix.shape[1]):
            one = mix[:, k] == 1.0
            index += k * one
            hit |= one
        pure &= hit
    index = index * shape[-1] + found.point
    gains = np.empty((n_players, len(found.point)))
    for p in range(n_players):
        u = payoffs[p]
        gains[p] = (u.max(axis=p, keepdims=True) - u).reshape(-1)[index]
    mixed = np.flatnonzero(~pure)
    if len(mixed):
        profiles = tuple(mix[mixed] for mix in found.profiles)
        gains[:, mixed] = deviation_gains(payoffs[..., found.point[mixed]], profiles)
    return gains


def regrets(payoffs: np.ndarray, profiles: tuple[np.ndarray, ...]) -> np.ndarray:
    """Each player's gain from its best pure deviation, shape (E, P).

    ``payoffs`` has shape (E, P, s_1, ..., s_P), one game per profile (rows
    first, unlike the kernels). A profile is a Nash equilibrium iff every
    regret is <= 0 (up to rounding).
    """
    return deviation_gains(np.moveaxis(payoffs, 0, -1), profiles).T


def deviation_gains(payoffs: np.ndarray, profiles: tuple[np.ndarray, ...]) -> np.ndarray:
    """Each player's gain from its best pure deviation, shape (P, E), batch last.

    ``payoffs`` (P, s_1, ..., s_P, E) holds one game per row of ``profiles``
    (``profiles[p]`` (E, s_p)): player p's payoff from each own strategy
    against the others' mixtures, contracted axis by axis (the last first, so
    the others keep their place), minus its payoff from its own mixture.
    """
    n_players, n_rows = payoffs.shape[0], payoffs.shape[-1]
    out = np.empty((n_players, n_rows))
    for p in range(n_players):
        u = payoffs[p]
        for q in reversed(range(n_players)):
            if q != p:
                u = _weighted_sum(np.moveaxis(u, q, 0), profiles[q])
        best = u[0].copy()
        for row in u[1:]:  # strategies one by one: a reduction over a short axis is slow
            np.maximum(best, row, out=best)
        out[p] = best - _weighted_sum(u, profiles[p])
    return out


def _weighted_sum(u: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``sum_k u[k] * weights[:, k]``: ``u`` (s, ..., E), ``weights`` (E, s)."""
    columns = np.ascontiguousarray(weights.T)  # each weight row contiguous, like u's rows
    total = u[0] * columns[0]
    term = np.empty_like(total)
    for k in range(1, len(u)):
        total += np.multiply(u[k], columns[k], out=term)
    return total


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
