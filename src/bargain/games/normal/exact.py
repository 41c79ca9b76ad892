"""Degenerate points of a two-player game solved exactly: every extreme equilibrium,
the maximal Nash subsets and the components, in rational arithmetic
(:mod:`bargain.solvers.exact`; Avis, Rosenberg, Savani and von Stengel 2010).

Support and vertex enumeration find the equilibria of nondegenerate games; at a
point they flag degenerate (payoff ties, a continuum of equilibria) the exact
method replaces their rows, when ``pycddlib`` is installed (the ``exact`` extra)
and the game is within its budget. Each payoff is read as the simplest fraction
within float64's rounding (``snap``): the game the formulas stand for.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bargain.solvers.arrays import EquilibriumArrays, concat, verify
from bargain.solvers.exact import (
    MAX_VERTEX_PAIRS,
    ExactEquilibria,
    exact_available,
    solve_exact,
    vertex_pairs,
)

#: The extra that brings exact arithmetic.
INSTALL = 'pip install "bargain-games[exact]"'


@dataclass(frozen=True)
class NashSubset:
    """A maximal Nash subset: every pair of a mixture of the ``row`` strategies and a
    mixture of the ``column`` strategies (extreme strategies, floats) is an equilibrium."""

    row: tuple[np.ndarray, ...]
    column: tuple[np.ndarray, ...]

    @property
    def is_point(self) -> bool:
        """Whether the subset is one equilibrium (not a continuum)."""
        return len(self.row) == 1 and len(self.column) == 1

    def __repr__(self) -> str:
        def hull(points: tuple[np.ndarray, ...]) -> str:
            texts = ["(" + ", ".join(f"{p:.4g}" for p in v) + ")" for v in points]
            return texts[0] if len(texts) == 1 else "conv{" + ", ".join(texts) + "}"

        return f"NashSubset({hull(self.row)} x {hull(self.column)})"


def exact_ready(m: int, n: int) -> bool:
    """Whether degenerate m x n points can be solved exactly here (extra and budget)."""
    return vertex_pairs(m, n) <= MAX_VERTEX_PAIRS and exact_available()


def solve_exactly(
    payoffs: np.ndarray,
    found: EquilibriumArrays,
    which: np.ndarray,
    atol: np.ndarray,
    scale: np.ndarray | None,
) -> tuple[EquilibriumArrays, dict[int, ExactEquilibria]]:
    """``found`` (equilibria of the games ``payoffs`` (2, m, n, N)) with the points
    ``which`` solved exactly instead: their extreme equilibria, verified in floating point
    as every row is (a point whose exact rows do not all verify keeps its rows), and the
    exact result of each such point."""
    results = {int(t): solve_exact(*payoffs[..., t], snap=True) for t in which}
    if not results:
        return found, {}
    points = np.concatenate([np.full(len(r.pairs), t) for t, r in results.items()])
    xs, ys = zip(*(r.profiles for r in results.values()))
    values = np.array([[float(u), float(v)] for r in results.values() for u, v in r.values])
    rows = EquilibriumArrays(
        points, (np.concatenate(xs), np.concatenate(ys)), values.reshape(-1, 2), found.degenerate
    )
    checked = verify(payoffs, rows, atol, scale)
    n = payoffs.shape[-1]
    lost = np.bincount(points, minlength=n) != np.bincount(checked.point, minlength=n)
    results = {t: r for t, r in results.items() if not lost[t]}
    exact = np.zeros(n, dtype=bool)
    exact[list(results)] = True
    degenerate = found.degenerate.copy()
    for t, r in results.items():
        degenerate[t] = r.degenerate
    kept = ~exact[found.point]
    new = exact[checked.point]
    joined = concat(
        [
            _rows(found, kept)._replace(degenerate=degenerate),
            _rows(checked, new)._replace(degenerate=np.zeros(n, dtype=bool)),
        ]
    )
    return joined, results


def _rows(arrays: EquilibriumArrays, keep: np.ndarray) -> EquilibriumArrays:
    """The rows ``keep`` of ``arrays``."""
    return EquilibriumArrays(
        arrays.point[keep],
        tuple(p[keep] for p in arrays.profiles),
        arrays.payoffs[keep],
        arrays.degenerate,
        None if arrays.regret is None else arrays.regret[keep],
    )


def nash_subsets(result: ExactEquilibria) -> list[NashSubset]:
    """The maximal Nash subsets of an exact result, in floats."""

    def floats(v: tuple) -> np.ndarray:
        return np.array([float(p) for p in v])

    return [
        NashSubset(tuple(floats(result.x[i]) for i in xs), tuple(floats(result.y[j]) for j in ys))
        for xs, ys in result.subsets
    ]


__all__ = ["INSTALL", "NashSubset", "exact_ready", "nash_subsets", "solve_exactly"]
