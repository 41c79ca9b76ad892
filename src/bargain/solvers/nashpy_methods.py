"""Vertex enumeration, delegated to nashpy point by point.

Nashpy (Knight and Campbell 2018) is an independent implementation of vertex
enumeration of the best-response polytopes (Avis et al. 2010). Each profile it
returns is verified here and duplicates are dropped; the degeneracy flag comes
from :func:`~bargain.solvers.support.support_enumeration`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from bargain.tolerances import PAYOFF_RTOL, PROB_SUM_ATOL, PROB_TOL

from .arrays import EquilibriumArrays, payoff_atol, regrets
from .support import support_enumeration


def _pointwise(
    algorithm: Callable[[Any], Iterable[tuple[np.ndarray, np.ndarray]]],
) -> Callable[..., EquilibriumArrays]:
    """A batched method from one that takes a ``nashpy.Game`` (imported on first use)."""

    def solve(
        payoffs: np.ndarray, rtol: float = PAYOFF_RTOL, atol: np.ndarray | None = None
    ) -> EquilibriumArrays:
        import nashpy

        if payoffs.shape[0] != 2:
            raise ValueError("nashpy methods need a two-player game")
        if atol is None:
            atol = payoff_atol(payoffs, rtol)
        rows: list[tuple[int, np.ndarray, np.ndarray]] = []
        for t in range(payoffs.shape[-1]):
            A, B = payoffs[0, ..., t], payoffs[1, ..., t]
            seen: set[bytes] = set()
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                try:
                    found = list(algorithm(nashpy.Game(_unit(A), _unit(B))))
                except Exception:  # nashpy fails on some degenerate games (a constant one)
                    found = []  # the game gets no equilibrium from it: the fallback solves it
            for x, y in found:
                if not _is_equilibrium(A, B, x, y, atol[:, t]):
                    continue
                key = np.round(np.concatenate([x, y]), 9).tobytes()
                if key not in seen:
                    seen.add(key)
                    rows.append((t, x, y))
        m, n = payoffs.shape[1:3]
        x = np.array([r[1] for r in rows]).reshape(-1, m)
        y = np.array([r[2] for r in rows]).reshape(-1, n)
        point = np.array([r[0] for r in rows], dtype=np.intp)
        values = (
            np.stack(
                [
                    np.einsum("ei,eij,ej->e", x, payoffs[p][..., point].transpose(2, 0, 1), y)
                    for p in range(2)
                ],
                axis=1,
            )
            if rows
            else np.zeros((0, 2))
        )
        degenerate = support_enumeration(payoffs, atol=atol).degenerate
        return EquilibriumArrays(point, (x, y), values, degenerate)

    return solve


def _unit(M: np.ndarray) -> np.ndarray:
    """``M`` mapped affinely onto [0, 1] (equilibria do not change): nashpy's own
    tolerances are absolute, so it is given payoffs of a known scale."""
    span = np.ptp(M)
    return (M - M.min()) / span if span > 0 else np.zeros_like(M)


def _is_equilibrium(
    A: np.ndarray, B: np.ndarray, x: np.ndarray, y: np.ndarray, atol: np.ndarray
) -> bool:
    ok = all(
        np.all(np.isfinite(s)) and np.all(s >= -PROB_TOL) and abs(s.sum() - 1) <= PROB_SUM_ATOL
        for s in (x, y)
    )
    return ok and bool((regrets(np.stack([A, B])[None], (x[None], y[None]))[0] <= atol).all())


nashpy_vertex_enumeration = _pointwise(lambda game: game.vertex_enumeration())
