"""Benchmarks: all Nash equilibria of normal-form games, bargain against its peers.

* 2x2 grid: an escalation game whose 8 payoffs are formulas of two parameters,
  solved by bargain over a 1000 x 1000 grid in one ``solve_batch`` call
  (formula evaluation, chunked solver and result object included). Peers solve
  the same numeric games, one Python-loop iteration per game with game
  construction, on a random sample of the grid points.
* 3x3 random: uniform random bimatrix games, bargain's batched kernel against
  QuantEcon per game on a sample of the same games.

Each peer run also checks that its equilibrium counts equal bargain's on its
sample. Per-game times and ratios are printed at the end of the session (see
conftest.py); run ``pytest tests/benchmarks --benchmark-only`` for full sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

import bargain
from bargain.solvers import support_enumeration

qe = pytest.importorskip("quantecon.game_theory")
pygambit = pytest.importorskip("pygambit")
nashpy = pytest.importorskip("nashpy")


def escalation_game() -> bargain.NormalFormGame:
    """West escalates (sanctions) or restrains; Rival resists or yields.

    ``s`` is the sanction bite, ``c`` the cost of a clash. West's gain from
    escalating is ``1.2 - 2c - 0.5s`` against resistance and ``1 + s + 0.5c > 0``
    against yielding; Rival's gain from resisting is ``1 - c - 2s`` against
    escalation and ``2s + 0.3c - 1`` against restraint. Over [0, 1]^2 the game
    has a unique pure equilibrium (a dominant strategy), two pure and one mixed
    (chicken) or only a mixed one (a best-response cycle). Grid cell midpoints
    never lie on these boundaries, so no game of the grid is degenerate.
    """
    return bargain.NormalFormGame(
        ["West", "Rival"],
        {"West": ["escalate", "restrain"], "Rival": ["resist", "yield"]},
        {
            "West": [["1 - 2*c", "2 + s"], ["0.5*s - 0.2", "1 - 0.5*c"]],
            "Rival": [["0.5 - c - s", "s - 0.5"], ["2*s - 0.5*c", "1 - 0.8*c"]],
        },
        params=[
            bargain.Param("s", 0.5, low=0, high=1, description="sanction bite"),
            bargain.Param("c", 0.5, low=0, high=1, description="clash cost"),
        ],
    )


# -- peers: one game per call, game construction included ------------------------


def quantecon_all(A: np.ndarray, B: np.ndarray) -> list:
    return qe.support_enumeration(qe.NormalFormGame((qe.Player(A), qe.Player(B.T))))


def pygambit_all(A: np.ndarray, B: np.ndarray) -> list:
    game = pygambit.Game.from_arrays(A, B)
    return pygambit.nash.enummixed_solve(game, rational=False).equilibria


def nashpy_all(A: np.ndarray, B: np.ndarray) -> list:
    return list(nashpy.Game(A, B).support_enumeration())


PEERS: dict[str, Callable[[np.ndarray, np.ndarray], list]] = {
    "quantecon": quantecon_all,
    "pygambit": pygambit_all,
    "nashpy": nashpy_all,
}


@dataclass(frozen=True)
class Sample:
    """Numeric games (A, B) of a sample and bargain's equilibrium count for each."""

    games: list[tuple[np.ndarray, np.ndarray]]
    counts: np.ndarray


def numeric_games(tensor: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(A, B) per game from a payoff tensor of shape (2, m, n, N)."""
    return [
        (np.ascontiguousarray(tensor[0, ..., t]), np.ascontiguousarray(tensor[1, ..., t]))
        for t in range(tensor.shape[-1])
    ]


def run_peer(measure, case: str, peer: str, sample: Sample, n: int) -> None:
    games = sample.games[:n]
    solve = PEERS[peer]
    found = measure(case, peer, lambda: [solve(A, B) for A, B in games], n)
    counts = np.array([len(eqs) for eqs in found])
    np.testing.assert_array_equal(counts, sample.counts[:n], err_msg=f"{peer} vs bargain")


# -- fixtures -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def quantecon_warm() -> None:
    """Compile QuantEcon's numba kernels before anything is timed."""
    rng = np.random.default_rng(0)
    for shape in [(2, 2), (3, 3)]:
        quantecon_all(rng.uniform(size=shape), rng.uniform(size=shape))


@pytest.fixture(scope="module")
def game() -> bargain.NormalFormGame:
    return escalation_game()


@pytest.fixture(scope="module")
def grid(sizes) -> dict[str, np.ndarray]:
    """Cell midpoints of a grid_side x grid_side grid over [0, 1]^2."""
    axis = (np.arange(sizes.grid_side) + 0.5) / sizes.grid_side
    s, c = np.meshgrid(axis, axis)
    return {"s": s.ravel(), "c": c.ravel()}


@pytest.fixture(scope="module")
def grid_sample(game, grid, sizes) -> Sample:
    """A random sample of grid points as numeric games, the largest peer sample."""
    n = max(sizes.quantecon, sizes.pygambit, sizes.nashpy)
    index = np.random.default_rng(1).choice(sizes.grid_points, size=n, replace=False)
    points = {name: values[index] for name, values in grid.items()}
    tensor = game.payoff_tensor(game.params.bind_batch(points))
    return Sample(numeric_games(tensor), game.solve_batch(points).count)


@pytest.fixture(scope="module")
def random_3x3(sizes) -> np.ndarray:
    """Uniform random 3x3 bimatrix games, shape (2, 3, 3, N)."""
    return np.random.default_rng(2).uniform(size=(2, 3, 3, sizes.random_games))


@pytest.fixture(scope="module")
def random_sample(random_3x3, sizes) -> Sample:
    payoffs = random_3x3[..., : sizes.quantecon]
    counts = np.bincount(support_enumeration(payoffs).point, minlength=sizes.quantecon)
    return Sample(numeric_games(payoffs), counts)


# -- 2x2 game with formula payoffs over a parameter grid ------------------------------


def equilibrium_classes(res: bargain.BatchSolution) -> dict[str, int]:
    x, y = res.profiles
    pure = (x.max(axis=1) > 1 - 1e-9) & (y.max(axis=1) > 1 - 1e-9)
    n_pure = np.bincount(res.point, weights=pure, minlength=len(res))
    return {
        "unique pure": int(((res.count == 1) & (n_pure == 1)).sum()),
        "two pure + mixed": int(((res.count == 3) & (n_pure == 2)).sum()),
        "only mixed": int(((res.count == 1) & (n_pure == 0)).sum()),
    }


@pytest.mark.benchmark(group="2x2 grid")
def test_2x2_grid_bargain(measure, benchmark, game, grid, sizes):
    res = measure("2x2 grid", "bargain", lambda: game.solve_batch(grid), sizes.grid_points)
    assert len(res) == sizes.grid_points
    assert not res.degenerate.any()
    classes = equilibrium_classes(res)
    benchmark.extra_info["classes"] = classes
    assert sum(classes.values()) == sizes.grid_points
    assert all(classes.values()), classes  # the game changes class across the grid


@pytest.mark.benchmark(group="2x2 grid")
@pytest.mark.parametrize("peer", list(PEERS))
def test_2x2_grid_peer(measure, quantecon_warm, grid_sample, sizes, peer):
    run_peer(measure, "2x2 grid", peer, grid_sample, getattr(sizes, peer))


# -- random 3x3 games ------------------------------------------------------------------


@pytest.mark.benchmark(group="3x3 random")
def test_3x3_random_bargain(measure, random_3x3, sizes):
    res = measure(
        "3x3 random", "bargain", lambda: support_enumeration(random_3x3), sizes.random_games
    )
    counts = np.bincount(res.point, minlength=sizes.random_games)
    assert not res.degenerate.any()
    assert (counts % 2 == 1).all()  # a nondegenerate game has an odd number of equilibria
    assert counts.max() > 1


@pytest.mark.benchmark(group="3x3 random")
def test_3x3_random_quantecon(measure, quantecon_warm, random_sample, sizes):
    run_peer(measure, "3x3 random", "quantecon", random_sample, sizes.quantecon)
