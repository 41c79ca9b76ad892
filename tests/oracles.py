"""Helpers shared by the tests: canonical equilibrium sets and the Gambit oracle."""

from __future__ import annotations

import numpy as np
import pygambit as gbt


def profile_set(profiles, decimals: int = 7) -> list[tuple[float, ...]]:
    """A sorted, rounded, hashable form of a collection of (x, y, ...) profiles."""
    return sorted(
        tuple(np.round(np.concatenate([np.asarray(p, float) for p in prof]), decimals) + 0.0)
        for prof in profiles
    )


def gambit_mixed(A, B, rational: bool = False) -> list[tuple[list[float], list[float]]]:
    """Gambit's extreme equilibria of the bimatrix game (A, B) by ``enummixed``."""
    game = gbt.Game.from_arrays(A, B)
    first, second = game.players
    result = gbt.nash.enummixed_solve(game, rational=rational)
    return [
        ([float(eq[s]) for s in first.strategies], [float(eq[s]) for s in second.strategies])
        for eq in result.equilibria
    ]
