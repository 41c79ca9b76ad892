"""Batched maximisation over an interval, thresholds and quadrature, at N points at once.

The numeric path of the screening form (general distributions of the
responder's reservation value, deal payoffs of any shape) needs, at every
point, the best offer on an interval. Functions take a vectorised ``f`` that
maps offers of shape (K, N), one column per point, to values of the same
shape: the batch is in the last axis, as in every kernel.

- :func:`maximize`: the best local maxima on a grid of offers, each refined by
  nested grids, the best kept, ties within a tolerance all reported, and each
  maximum checked against nearby offers;
- :func:`best_rows`: the best of candidate offers per point, with ties;
- :func:`first_true`: the first offer at which a monotone condition holds
  (batched bisection to adjacent floats);
- :func:`integrate`: adaptive Gauss–Legendre quadrature, panels split until
  two estimates agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

#: Offers on the grid of :func:`maximize`.
GRID = 256
#: Local maxima of the grid refined per point.
PEAKS = 4
#: Offers per level of the nested grids that refine each maximum.
ZOOM = 8
#: The nested grids narrow each bracket to this share of the interval.
XTOL = 1e-12
#: Optimal offers closer than this share of the interval are one offer.
SEPARATION = 1e-6
#: Steps (shares of the interval) at which a maximum is compared with nearby offers.
CHECKS = (1e-8, 1e-6, 1e-4, 1e-2)
#: Gauss–Legendre nodes per panel, the panels :func:`integrate` starts with, and the
#: narrowest panel it splits (a share of the interval).
NODES, PANELS, MIN_WIDTH = 5, 16, 1e-13


class Maxima(NamedTuple):
    """Optimal offers, one row per (point, maximiser), rows in point order.

    ``ties`` (N,) flags points with several maximisers; ``gap`` (N,) is how much
    the best nearby offer (at the steps :data:`CHECKS`) beats the reported
    maximum, 0 where none does by more than the tolerance (the maximum is
    certified), and ``beaten_at`` (N,) that offer (NaN where certified).
    """

    point: np.ndarray
    x: np.ndarray
    value: np.ndarray
    ties: np.ndarray
    gap: np.ndarray
    beaten_at: np.ndarray


Function = Callable[[np.ndarray, np.ndarray | None], np.ndarray]


def maximize(
    f: Function,
    lo: np.ndarray,
    hi: np.ndarray,
    atol: np.ndarray,
    *,
    grid: int = GRID,
    peaks: int = PEAKS,
) -> Maxima:
    """The maximisers of ``f`` on ``[lo, hi]`` at N points (``lo <= hi``, all (N,)).

    1. ``f`` at ``grid`` evenly spaced offers, ends included;
    2. the ``peaks`` best local maxima of the grid (a plateau counts at its
       right end), each refined by nested grids in the bracket of its two
       neighbours: :data:`ZOOM` offers inside the bracket, the best one's
       neighbours the next bracket, to :data:`XTOL` of the interval. The best
       offer evaluated is kept, and a jump of ``f`` next to the maximum (an
       atom of the reservation value) stays in the bracket, so the maximum is
       found on its higher side to within the last bracket's width;
    3. the refined maxima within ``atol`` (N,) of the best, each distinct
       offer once (closer than :data:`SEPARATION` of the interval: one);
    4. each checked against the offers at the steps :data:`CHECKS` on both
       sides (see :class:`Maxima`).

    A feature of ``f`` narrower than the grid's spacing can be missed; a smooth
    maximum is located to about ``sqrt(machine epsilon)`` of its curvature
    scale, where float64 cannot tell the values apart.
    """
    if grid < 3:
        raise ValueError(f"grid must be at least 3 offers, got {grid}")
    span = hi - lo
    steps = np.linspace(0.0, 1.0, grid)[:, None]
    xs = lo + span * steps
    xs[-1] = hi
    values = f(xs, None)
    rising = np.ones_like(values, dtype=bool)
    rising[1:] = values[1:] >= values[:-1]
    falling = np.ones_like(values, dtype=bool)
    falling[:-1] = values[:-1] > values[1:]
    score = np.where(rising & falling, values, -np.inf)
    k = min(peaks, grid)
    top = np.argpartition(-score, k - 1, axis=0)[:k]
    found = np.isfinite(np.take_along_axis(score, top, axis=0))
    a = np.take_along_axis(xs, np.maximum(top - 1, 0), axis=0)
    b = np.take_along_axis(xs, np.minimum(top + 1, grid - 1), axis=0)
    best_x = np.take_along_axis(xs, top, axis=0)
    best_v = np.take_along_axis(values, top, axis=0)
    best_x, best_v = _zoom(f, a, b, best_x, best_v, 2 / (grid - 1))
    best_v = np.where(found, best_v, -np.inf)
    point, x, value, ties = best_rows(best_x, best_v, atol, SEPARATION * span)
    gap, beaten_at = _check(f, point, x, value, lo, hi, atol)
    return Maxima(point, x, value, ties, gap, beaten_at)


def _zoom(f, a, b, best_x, best_v, width):
    """Nested grids in [a, b] (K, N): the best of ``ZOOM`` offers inside the bracket, then
    the bracket of its two neighbours, until it is narrower than ``XTOL``. The best offer
    evaluated is kept; a jump up of ``f`` stays in the bracket (its left neighbour is
    below it), unlike in golden-section search."""
    levels = math.ceil(math.log(XTOL / width) / math.log(2 / (ZOOM + 1)))
    steps = np.arange(ZOOM + 2)[:, None, None] / (ZOOM + 1)  # both ends, ZOOM offers between
    for _ in range(levels):
        xs = a + (b - a) * steps
        xs[-1] = b
        inner = f(xs[1:-1].reshape(-1, a.shape[-1]), None).reshape(ZOOM, *a.shape)
        k = np.argmax(inner, axis=0)  # the best inner offer ...
        v = np.take_along_axis(inner, k[None], axis=0)[0]
        x = np.take_along_axis(xs, k[None] + 1, axis=0)[0]
        better = v > best_v
        best_x, best_v = np.where(better, x, best_x), np.where(better, v, best_v)
        a = np.take_along_axis(xs, k[None], axis=0)[0]  # ... and its neighbours
        b = np.take_along_axis(xs, k[None] + 2, axis=0)[0]
    return best_x, best_v


def best_rows(
    x: np.ndarray, value: np.ndarray, atol: np.ndarray, separation: np.ndarray | float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The best candidates (K, N) per point as rows ``(point, x, value)``, and ties (N,).

    Candidates within ``atol`` (N,) of the best value are all optimal; of
    several within ``separation`` of each other (or equal; NaN offers count as
    one) the best is kept. Invalid candidates have the value ``-inf``.
    """
    best = value.max(axis=0)
    win = value >= best - atol
    order = np.argsort(-np.where(win, value, -np.inf), axis=0, kind="stable")
    xs, win = np.take_along_axis(x, order, axis=0), np.take_along_axis(win, order, axis=0)
    values = np.take_along_axis(value, order, axis=0)
    keep = win.copy()
    for i in range(1, len(xs)):  # the few candidates: pairwise
        same = (np.abs(xs[:i] - xs[i]) <= separation) | (np.isnan(xs[:i]) & np.isnan(xs[i]))
        keep[i] &= ~(keep[:i] & same).any(axis=0)
    slot, point = np.nonzero(keep.T)[::-1]
    ties = np.bincount(point, minlength=x.shape[1]) > 1
    return point, xs[slot, point], values[slot, point], ties


def _check(f, point, x, value, lo, hi, atol):
    """How much nearby offers beat each point's maxima (0 where none does by > atol)."""
    n, rows = len(lo), np.arange(len(point))
    span = (hi - lo)[point]
    offsets = np.array([s * sign for s in CHECKS for sign in (-1, 1)])[:, None]
    near = np.clip(x + offsets * span, lo[point], hi[point])
    excess = f(near, point) - value
    excess = np.where(np.isnan(excess), np.inf, excess)  # a NaN nearby is not certified
    worst = np.argmax(excess, axis=0)
    excess = excess[worst, rows]
    bad = excess > atol[point]
    gap = np.zeros(n)
    beaten_at = np.full(n, np.nan)
    np.maximum.at(gap, point[bad], excess[bad])
    beaten_at[point[bad]] = near[worst, rows][bad]
    return gap, beaten_at


def first_true(
    holds: Function, lo: np.ndarray, hi: np.ndarray, iterations: int = 1100
) -> tuple[np.ndarray, np.ndarray]:
    """The first offer from ``lo`` towards ``hi`` (either may be larger) at which
    ``holds`` is true, for a condition false then true along the way, at N points.

    Returns ``(x, found)``: ``x`` is ``lo`` where ``holds(lo)``, else the float
    next to the switch on its true side (bisection until the bracket's ends are
    adjacent floats); ``found`` is False where ``holds(hi)`` is false too.
    """
    start, end = holds(lo[None], None)[0], holds(hi[None], None)[0]
    a, b = lo.astype(float), hi.astype(float)  # holds(a) false, holds(b) true
    active = ~start & end
    for _ in range(iterations):
        if not active.any():
            break
        mid = a + (b - a) / 2
        active &= (mid != a) & (mid != b)
        if not active.any():
            break
        true = holds(mid[None], None)[0]
        b = np.where(active & true, mid, b)
        a = np.where(active & ~true, mid, a)
    return np.where(start, lo, b), start | end


def integrate(
    f: Function, lo: np.ndarray, hi: np.ndarray, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``int_lo^hi f`` of a monotone ``f`` (a CDF) at N points: adaptive Gauss–Legendre.

    Each point starts with :data:`PANELS` panels. A panel is accepted when its
    estimate with :data:`NODES` nodes agrees with the sum over its two halves
    within its share of ``atol`` (N,) and ``f`` changes between the panel's ends
    no more than 1.5 times as much as between its outer nodes (beyond ``atol``
    per unit length: a jump hidden between an end and the nodes otherwise
    escapes both estimates), or when it is narrower than :data:`MIN_WIDTH` of
    the interval; it is split otherwise. A jump of ``f`` (an atom of the
    distribution) thus ends in a panel of negligible width. Returns the
    estimate and the sum of the accepted panels' differences.
    """
    nodes, weights = np.polynomial.legendre.leggauss(NODES)
    n = len(lo)
    length = np.where(hi > lo, hi - lo, 1.0)
    steps = np.arange(PANELS + 1) / PANELS
    edges = lo + (hi - lo) * steps[:, None]  # (PANELS + 1, N)
    a, b = edges[:-1].T.ravel(), edges[1:].T.ravel()
    owner = np.repeat(np.arange(n), PANELS)
    value, error = np.zeros(n), np.zeros(n)
    while len(a):
        mid = a + (b - a) / 2
        ends = np.stack([a, a, mid]), np.stack([b, mid, b])  # the panel and its halves
        half = (ends[1] - ends[0]) / 2
        x = ends[0][:, None] + half[:, None] * (nodes[None, :, None] + 1)  # (3, NODES, P)
        fx = f(np.concatenate([x.reshape(3 * NODES, -1), a[None], b[None]]), owner)
        inner, (fa, fb) = fx[:-2].reshape(3, NODES, -1), fx[-2:]
        whole, left, right = (weights[:, None] * inner).sum(axis=1) * half
        fine = left + right
        gap = np.abs(fine - whole)
        share = (b - a) / length[owner]
        smooth = np.abs(fb - fa) <= 1.5 * np.ptp(inner[0], axis=0) + atol[owner] / length[owner]
        done = (gap <= atol[owner] * share) & smooth
        done |= (share <= MIN_WIDTH) | (mid == a) | (mid == b)
        value += np.bincount(owner[done], fine[done], minlength=n)
        error += np.bincount(owner[done], gap[done], minlength=n)
        keep = ~done
        a, b = np.concatenate([a[keep], mid[keep]]), np.concatenate([mid[keep], b[keep]])
        owner = np.concatenate([owner[keep], owner[keep]])
    return value, error
