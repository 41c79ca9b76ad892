"""Equilibrium sets against independent implementations: Gambit and QuantEcon.

Random games with continuous payoffs are nondegenerate with probability one,
so each has a finite equilibrium set that every correct method must reproduce.
"""

from __future__ import annotations

import warnings

import numpy as np
import pygambit as gbt
import pytest
import quantecon.game_theory as qe

from bargain import NoEquilibriumWarning, NormalFormGame
from bargain.solvers import support_enumeration
from tests.oracles import gambit_mixed, profile_set


def quantecon_mixed(A: np.ndarray, B: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    return qe.support_enumeration(qe.NormalFormGame((qe.Player(A), qe.Player(B.T))))


def random_games(seed: int, m: int, n: int, count: int):
    rng = np.random.default_rng(seed)
    return [(rng.uniform(size=(m, n)), rng.uniform(size=(m, n))) for _ in range(count)]


SIZES = [(2, 2), (2, 3), (3, 2), (3, 3), (4, 4), (3, 5), (5, 5), (6, 6), (7, 7), (8, 8)]


@pytest.mark.parametrize(("m", "n"), SIZES)
def test_equilibrium_sets_match_gambit(m, n):
    games = random_games(1000 * m + n, m, n, 12 if m * n <= 25 else 3)
    payoffs = np.stack([np.stack(g) for g in games], axis=-1)  # (2, m, n, N)
    batch = support_enumeration(payoffs)
    assert not batch.degenerate.any()
    for t, (A, B) in enumerate(games):
        ours = [(x, y) for p, x, y in zip(batch.point, *batch.profiles) if p == t]
        assert profile_set(ours) == profile_set(gambit_mixed(A, B)), f"game {t}"


def test_issue_example_8x8_where_nashpy_misses_equilibria():
    rng = np.random.default_rng(0)
    for _ in range(3):
        A, B = rng.uniform(size=(8, 8)), rng.uniform(size=(8, 8))
    sol = NormalFormGame.from_arrays(A, B).solve()
    reference = profile_set(gambit_mixed(A, B))
    assert len(reference) == 3
    assert profile_set(eq.profile for eq in sol) == reference
    assert profile_set(quantecon_mixed(A, B)) == reference


@pytest.mark.parametrize(("m", "n"), [(2, 2), (3, 3), (4, 3), (5, 5)])
def test_equilibrium_sets_match_quantecon(m, n):
    for A, B in random_games(7 + m * n, m, n, 10):
        sol = NormalFormGame.from_arrays(A, B).solve()
        assert profile_set(eq.profile for eq in sol) == profile_set(quantecon_mixed(A, B))
        for eq in sol:
            x, y = eq.profile
            assert eq.payoffs == pytest.approx([x @ A @ y, x @ B @ y])


def test_pure_equilibria_of_three_player_games_match_gambit():
    rng = np.random.default_rng(3)
    for _ in range(10):
        arrays = rng.integers(0, 1000, size=(3, 2, 3, 2)).astype(float)
        arrays += rng.uniform(size=arrays.shape) * 1e-3  # break ties
        game = gbt.Game.from_arrays(*arrays)
        reference = []
        for eq in gbt.nash.enumpure_solve(game).equilibria:
            reference.append([[float(eq[s]) for s in p.strategies] for p in game.players])
        with warnings.catch_warnings():  # some have no pure equilibrium: the set is then empty
            warnings.simplefilter("ignore", NoEquilibriumWarning)
            ours = NormalFormGame.from_arrays(*arrays).solve(method="pure")
        assert profile_set(eq.profile for eq in ours) == profile_set(reference)
