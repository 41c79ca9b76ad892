"""Benchmarks: exact extreme equilibria of degenerate games, bargain against Gambit.

Random 4x4 and 6x6 bimatrix games with payoffs in {0, 1, 2} (nearly all
degenerate). bargain's :func:`~bargain.solvers.exact.exact_batch` (vertex
enumeration by cddlib in GMP rationals, labels, maximal Nash subsets and
components) against Gambit's ``enummixed_solve(rational=True)`` (extreme
equilibria only), one Python-loop iteration per game with game construction
for Gambit. Each run checks that the two find the same extreme equilibria, as
rationals, on every game. Per-game times and ratios are printed at the end of
the session (see conftest.py).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from bargain.solvers.exact import exact_batch

pygambit = pytest.importorskip("pygambit")
pytest.importorskip("cdd")

#: Games per case: (CI, full). Gambit's rational enumeration takes about 90 ms per
#: 6x6 game, so the full sample stays at a few hundred.
GAMES = {4: (20, 400), 6: (10, 200)}


def pygambit_exact(A: np.ndarray, B: np.ndarray) -> set:
    game = pygambit.Game.from_arrays(A, B)
    first, second = game.players
    return {
        (
            tuple(Fraction(str(eq[s])) for s in first.strategies),
            tuple(Fraction(str(eq[s])) for s in second.strategies),
        )
        for eq in pygambit.nash.enummixed_solve(game, rational=True).equilibria
    }


@pytest.fixture(scope="module", params=[4, 6], ids=["4x4", "6x6"])
def degenerate_games(request, sizes) -> tuple[int, np.ndarray]:
    """Payoffs (2, k, k, N) in {0, 1, 2}, integers for Gambit's rational payoffs."""
    k = request.param
    n = GAMES[k][sizes.full]
    return k, np.random.default_rng(16 + k).integers(0, 3, size=(2, k, k, n))


@pytest.fixture(scope="module")
def extreme_sets(degenerate_games) -> list[set]:
    """bargain's extreme equilibria of each game, as floats (untimed)."""
    _, payoffs = degenerate_games
    arrays, _ = exact_batch(payoffs)
    return [
        {
            (tuple(arrays.profiles[0][e]), tuple(arrays.profiles[1][e]))
            for e in np.flatnonzero(arrays.point == t)
        }
        for t in range(payoffs.shape[-1])
    ]


@pytest.mark.benchmark(group="exact")
def test_exact_degenerate_bargain(measure, degenerate_games):
    k, payoffs = degenerate_games
    n = payoffs.shape[-1]
    arrays, components = measure(f"exact {k}x{k}", "bargain", lambda: exact_batch(payoffs), n)
    assert arrays.degenerate.mean() > 0.5
    assert (components.n_components >= 1).all()
    assert (arrays.regret == 0).all()


@pytest.mark.benchmark(group="exact")
def test_exact_degenerate_pygambit(measure, degenerate_games, extreme_sets):
    """Gambit's extreme equilibria equal bargain's on every game (floats of rationals)."""
    k, payoffs = degenerate_games
    n = payoffs.shape[-1]
    theirs = measure(
        f"exact {k}x{k}",
        "pygambit",
        lambda: [pygambit_exact(payoffs[0, ..., t], payoffs[1, ..., t]) for t in range(n)],
        n,
    )
    for t in range(n):
        floats = {(tuple(map(float, x)), tuple(map(float, y))) for x, y in theirs[t]}
        assert floats == extreme_sets[t], f"game {t}"
