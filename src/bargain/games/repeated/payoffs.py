"""The feasible and individually rational payoffs of a two-player stage game.

The feasible payoffs are the convex hull of the stage game's pure payoff
pairs; a player's (pure) minmax value is the least payoff the opponent can
hold it to with a pure action, ``min_b max_a u_i(a, b)``; the folk theorem
(Fudenberg and Maskin 1986) says every feasible payoff pair strictly above
both minmax values is an average discounted equilibrium payoff for a
discount factor close enough to 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PayoffSet:
    """``feasible`` (V, 2): the hull's vertices counterclockwise; ``minmax`` (2,): the pure
    minmax values; ``rational`` (W, 2): the vertices of the feasible payoffs at least the
    minmax values (empty if there are none)."""

    feasible: np.ndarray
    minmax: np.ndarray
    rational: np.ndarray


def convex_hull(points: np.ndarray) -> np.ndarray:
    """The vertices (V, 2) of the convex hull of 2-D points, counterclockwise (Andrew's
    monotone chain); collinear points are dropped."""
    pts = np.unique(np.asarray(points, dtype=float), axis=0)
    if len(pts) <= 2:
        return pts

    def half(ordered: np.ndarray) -> list[np.ndarray]:
        chain: list[np.ndarray] = []
        for p in ordered:
            while len(chain) >= 2 and _cross(chain[-2], chain[-1], p) <= 0:
                chain.pop()
            chain.append(p)
        return chain

    lower, upper = half(pts), half(pts[::-1])
    return np.array(lower[:-1] + upper[:-1])


def _cross(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    return float((a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]))


def _clip(polygon: np.ndarray, axis: int, level: float) -> np.ndarray:
    """The part of a convex polygon where coordinate ``axis`` is at least ``level``
    (Sutherland–Hodgman, one half-plane)."""
    out = []
    n = len(polygon)
    for j in range(n):
        p, q = polygon[j], polygon[(j + 1) % n]
        inside_p, inside_q = p[axis] >= level, q[axis] >= level
        if inside_p:
            out.append(p)
        if inside_p != inside_q:
            t = (level - p[axis]) / (q[axis] - p[axis])
            out.append(p + t * (q - p))
    return np.array(out).reshape(-1, 2)


def payoff_set(stage: np.ndarray) -> PayoffSet:
    """The feasible and individually rational payoffs of a stage game ``(2, m1, m2)``."""
    stage = np.asarray(stage, dtype=float)
    pairs = stage.reshape(2, -1).T
    feasible = convex_hull(pairs)
    minmax = np.array([stage[0].max(axis=0).min(), stage[1].max(axis=1).min()])
    rational = feasible
    for axis in (0, 1):
        rational = _clip(rational, axis, minmax[axis]) if len(rational) else rational
    rational = convex_hull(rational) if len(rational) else rational
    return PayoffSet(feasible, minmax, rational)
