"""Benchmarks: all equilibria of random 8x8, 10x10 and 12x12 bimatrix games.

bargain's vertex enumeration (``solvers/vertex.py``, one call over the batch)
against QuantEcon's ``vertex_enumeration`` and Gambit's ``enummixed_solve``
(one Python-loop iteration per game, game construction included), in the same
run, per game. QuantEcon solves the same games as bargain; Gambit, about a
hundred times slower at 10x10, a sample of them. Each peer's equilibria must
equal bargain's, game by game, as sets of profiles within 1e-9.

Target (issue 16): at least as fast as QuantEcon per game at 10x10 and 12x12,
the ratio quantecon / bargain >= 1 in the summary table.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from bargain.solvers.vertex import vertex_enumeration
from tests.oracles import gambit_mixed, profile_set

qe = pytest.importorskip("quantecon.game_theory")

#: Square sizes and games per size: (bargain and QuantEcon, Gambit), full and CI runs.
GAMES = {8: ((400, 40), (20, 2)), 10: ((200, 6), (8, 1)), 12: ((40, 2), (3, 0))}


def quantecon_all(A: np.ndarray, B: np.ndarray) -> list:
    return qe.vertex_enumeration(qe.NormalFormGame((qe.Player(A), qe.Player(B.T))))


def pygambit_all(A: np.ndarray, B: np.ndarray) -> list:
    return gambit_mixed(A, B)


PEERS: dict[str, Callable[[np.ndarray, np.ndarray], list]] = {
    "quantecon": quantecon_all,
    "pygambit": pygambit_all,
}


def games_of(size: int, full: bool) -> np.ndarray:
    """Uniform random size x size games, (2, size, size, N)."""
    count = GAMES[size][0 if full else 1][0]
    return np.random.default_rng(size).uniform(size=(2, size, size, count))


@pytest.fixture(scope="module")
def quantecon_warm() -> None:
    """Compile QuantEcon's numba kernels before anything is timed."""
    rng = np.random.default_rng(0)
    quantecon_all(rng.uniform(size=(3, 3)), rng.uniform(size=(3, 3)))


@pytest.fixture(scope="module")
def solved(sizes) -> dict[int, tuple[np.ndarray, list[list[tuple[float, ...]]]]]:
    """bargain's equilibrium sets per game, computed once for the peers' checks."""
    out = {}
    for size in GAMES:
        payoffs = games_of(size, sizes.full)
        found = vertex_enumeration(payoffs)
        x, y = found.profiles
        sets = [
            profile_set([(x[e], y[e]) for e in np.flatnonzero(found.point == t)], 9)
            for t in range(payoffs.shape[-1])
        ]
        out[size] = (payoffs, sets)
    return out


@pytest.mark.parametrize("size", list(GAMES))
def test_vertex_bargain(measure, sizes, size):
    payoffs = games_of(size, sizes.full)
    n = payoffs.shape[-1]
    found = measure(f"{size}x{size} vertex", "bargain", lambda: vertex_enumeration(payoffs), n)
    assert not found.degenerate.any()
    counts = np.bincount(found.point, minlength=n)
    assert (counts % 2 == 1).all()  # nondegenerate games have an odd number of equilibria


@pytest.mark.parametrize("peer", list(PEERS))
@pytest.mark.parametrize("size", list(GAMES))
def test_vertex_peer(measure, quantecon_warm, solved, sizes, size, peer):
    payoffs, expected = solved[size]
    n = payoffs.shape[-1] if peer == "quantecon" else GAMES[size][0 if sizes.full else 1][1]
    if n == 0:
        pytest.skip(f"{peer} is not run on {size}x{size} games in CI (seconds per game)")
    games = [(payoffs[0, ..., t].copy(), payoffs[1, ..., t].copy()) for t in range(n)]
    solve = PEERS[peer]
    found = measure(f"{size}x{size} vertex", peer, lambda: [solve(A, B) for A, B in games], n)
    for t, equilibria in enumerate(found):
        assert profile_set(equilibria, 9) == expected[t], f"{peer} vs bargain, game {t}"
