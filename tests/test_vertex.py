"""Vertex enumeration of the best-response polytopes (``solvers/vertex.py``).

Textbook games with their known equilibrium sets (matching pennies, the battle
of the sexes, Shapley's game, the 6x6 coordination game with 63 equilibria,
von Stengel's 6x6 game with 75); seeded random nondegenerate games 2x2..15x15
against support enumeration, Gambit's ``enummixed_solve`` and QuantEcon's
``vertex_enumeration`` (sets of profiles within 1e-9), and Lemke–Howson beyond
their reach; degenerate games flagged; every unflagged small-integer game
complete against Gambit; the work budget.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest

from bargain.errors import BudgetError
from bargain.solvers import lemke_howson, support_enumeration
from bargain.solvers.arrays import payoff_atol, verify
from bargain.solvers.vertex import MAX_VERTICES, vertex_bound, vertex_enumeration, vertex_work
from tests.oracles import gambit_mixed, profile_set

qe = pytest.importorskip("quantecon.game_theory")

#: Von Stengel (1999), "New maximal numbers of equilibria in bimatrix games",
#: Discrete Comput. Geom. 21, the 6x6 game with 75 equilibria (from von Stengel
#: 1997), as in Gambit's catalog (journals/dcg/vonstengel1999/6x6_game_with_75_eq.nfg):
#: (A[i, j], B[i, j]) for each column j and row i, rows fastest.
STENGEL_75 = [
    9504, 72336, -111771, -461736, 397584, 1227336, 171204, -1718376, 1303104, 1303104,
    737154, -453420, -660, 48081, 31680, -300036, -113850, 774576, -45936, -1039236,
    -453420, 737154, -227040, -227040, 19976, 29216, -130944, -178761, 451176, 451176,
    208626, -586476, 1227336, 397584, 774576, -113850, -20526, 14124, 168124, -84436,
    -586476, 208626, -263076, -263076, -1718376, 171204, -1039236, -45936, 1776, 1776,
    -8514, -8976, 29216, 19976, 14124, -20526, 72336, 9504, 48081, -660,
    -8976, -8514, 52764, 52764, -178761, -130944, -84436, 168124, -461736, -111771,
    -300036, 31680,
]  # fmt: skip


def batch(*games) -> np.ndarray:
    """Payoffs (2, m, n, N) from games (A, B) of one size."""
    return np.stack([np.array([A, B], dtype=float) for A, B in games], axis=-1)


def equilibria(found, t: int = 0) -> list[tuple[float, ...]]:
    """Game t's equilibria as a canonical set (profiles rounded to 9 decimals)."""
    rows = np.flatnonzero(found.point == t)
    return profile_set([(found.profiles[0][e], found.profiles[1][e]) for e in rows], 9)


def quantecon(A: np.ndarray, B: np.ndarray) -> list[tuple[float, ...]]:
    game = qe.NormalFormGame((qe.Player(A), qe.Player(B.T)))
    return profile_set(qe.vertex_enumeration(game), 9)


def checked(payoffs: np.ndarray):
    """Vertex enumeration of ``payoffs``, asserting that every row is verified."""
    found = vertex_enumeration(payoffs)
    kept = verify(payoffs, found, payoff_atol(payoffs))
    assert len(kept.point) == len(found.point), "a returned profile is not an equilibrium"
    assert (kept.regret <= payoff_atol(payoffs)[:, kept.point].max(axis=0)).all()
    return found


# -- textbook games -------------------------------------------------------------------


def test_matching_pennies():
    A = [[1, -1], [-1, 1]]
    found = checked(batch((A, np.negative(A))))
    assert equilibria(found) == profile_set([([0.5, 0.5], [0.5, 0.5])], 9)
    assert not found.degenerate.any()
    np.testing.assert_allclose(found.payoffs, [[0.0, 0.0]], atol=1e-12)


def test_battle_of_the_sexes():
    # Row is indifferent when 2 y1 = y2, column when x1 = 2 x2: y = (1/3, 2/3), x = (2/3, 1/3).
    found = checked(batch(([[2, 0], [0, 1]], [[1, 0], [0, 2]])))
    assert equilibria(found) == profile_set(
        [([1, 0], [1, 0]), ([0, 1], [0, 1]), ([2 / 3, 1 / 3], [1 / 3, 2 / 3])], 9
    )
    assert not found.degenerate.any()
    order = np.argsort(found.payoffs[:, 0])
    np.testing.assert_allclose(found.payoffs[order], [[2 / 3, 2 / 3], [1, 2], [2, 1]])


def test_shapley_game_has_only_the_uniform_equilibrium():
    # Shapley (1964): each player's best response cycles; no pure or two-strategy equilibrium.
    A = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    B = [[0, 1, 0], [0, 0, 1], [1, 0, 0]]
    found = checked(batch((A, B)))
    assert equilibria(found) == profile_set([([1 / 3] * 3, [1 / 3] * 3)], 9)
    assert not found.degenerate.any()


def test_coordination_game_has_an_equilibrium_per_support():
    """A = B = I (6x6): x = y = uniform on S for each of the 2^6 - 1 nonempty S."""
    n = 6
    found = checked(batch((np.eye(n), np.eye(n))))
    expected = []
    for k in range(1, n + 1):
        for support in combinations(range(n), k):
            mix = np.zeros(n)
            mix[list(support)] = 1 / k
            expected.append((mix, mix))
    assert len(found.point) == 63
    assert equilibria(found) == profile_set(expected, 9)
    assert not found.degenerate.any()


def test_von_stengel_game_with_75_equilibria():
    pay = np.array(STENGEL_75, dtype=float).reshape(6, 6, 2)  # (column, row, player)
    A, B = pay[..., 0].T, pay[..., 1].T
    found = checked(batch((A, B)))
    assert len(found.point) == 75 and not found.degenerate.any()
    ours = equilibria(found)
    assert ours == profile_set(gambit_mixed(A, B), 9)
    # Two of the pure equilibria and one mixed one, as Gambit's own tests list them.
    for x, y in [
        ([0, 1, 0, 0, 0, 0], [0, 0, 0, 0, 0, 1]),
        ([0, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0, 0]),
        ([20 / 23, 3 / 23, 0, 0, 0, 0], [4 / 19, 15 / 19, 0, 0, 0, 0]),
    ]:
        assert profile_set([(x, y)], 9)[0] in ours


# -- random nondegenerate games ------------------------------------------------------------


@pytest.mark.parametrize("size", [(2, 2), (3, 3), (2, 5), (5, 2), (4, 4), (3, 6), (5, 5), (6, 6)])
def test_random_games_equal_support_enumeration(size):
    payoffs = np.random.default_rng(sum(size)).normal(size=(2, *size, 300))
    found = checked(payoffs)
    reference = support_enumeration(payoffs)
    assert not found.degenerate.any() and not reference.degenerate.any()
    assert len(found.point) == len(reference.point)
    for t in range(payoffs.shape[-1]):
        assert equilibria(found, t) == equilibria(reference, t)
    counts = np.bincount(found.point, minlength=payoffs.shape[-1])
    assert (counts % 2 == 1).all()  # a nondegenerate game has an odd number of equilibria


@pytest.mark.parametrize("m, n", [(m, m) for m in range(2, 13)] + [(4, 9), (9, 4), (7, 11)])
def test_random_games_equal_quantecon(m, n):
    payoffs = np.random.default_rng(100 * m + n).uniform(size=(2, m, n, 3))
    found = checked(payoffs)
    assert not found.degenerate.any()
    for t in range(payoffs.shape[-1]):
        assert equilibria(found, t) == quantecon(payoffs[0, ..., t], payoffs[1, ..., t])


@pytest.mark.parametrize("m, n, games", [(3, 3, 20), (5, 7, 10), (8, 8, 4), (10, 10, 1)])
def test_random_games_equal_gambit(m, n, games):
    payoffs = np.random.default_rng(7 * m + n).uniform(-5, 5, size=(2, m, n, games))
    found = checked(payoffs)
    assert not found.degenerate.any()
    for t in range(games):
        A, B = payoffs[0, ..., t], payoffs[1, ..., t]
        assert equilibria(found, t) == profile_set(gambit_mixed(A, B), 9)


@pytest.mark.parametrize("m", [13, 15])
def test_large_games_hold_every_lemke_howson_equilibrium(m):
    """Beyond the oracles' reach: every Lemke–Howson end (all 2m labels) is among ours."""
    payoffs = np.random.default_rng(m).uniform(size=(2, m, m, 1))
    found = checked(payoffs)
    assert not found.degenerate.any()
    assert len(found.point) % 2 == 1
    ours = set(equilibria(found))
    assert set(equilibria(lemke_howson(payoffs))) <= ours


def test_batch_equals_point_by_point_and_is_affine_invariant():
    rng = np.random.default_rng(5)
    payoffs = rng.uniform(size=(2, 4, 6, 40))
    together = vertex_enumeration(payoffs)
    scaled = vertex_enumeration(payoffs * np.array([1e6, 3e-4])[:, None, None, None] - 7.0)
    for t in range(payoffs.shape[-1]):
        alone = vertex_enumeration(payoffs[..., t : t + 1])
        assert equilibria(alone) == equilibria(together, t) == equilibria(scaled, t)
        np.testing.assert_allclose(
            alone.payoffs, together.payoffs[together.point == t], rtol=1e-12, atol=1e-12
        )


def test_empty_batch():
    found = vertex_enumeration(np.zeros((2, 3, 3, 0)))
    assert len(found.point) == 0 and found.degenerate.shape == (0,)


# -- degenerate games -----------------------------------------------------------------------


def test_degenerate_games_are_flagged():
    games = [
        # von Stengel (2002), section 6: the row player's first row has two best replies.
        ([[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]),
        ([[1, 1, 0], [0, 0, 1], [1, 0, 1]], [[1, 1, 0], [0, 0, 1], [0, 1, 1]]),
        (np.ones((3, 3)), np.ones((3, 3))),  # constant payoffs: everything is an equilibrium
    ]
    found = [vertex_enumeration(batch(game)) for game in games]
    assert all(f.degenerate.all() for f in found)
    # What is found is still an equilibrium, once.
    for game, f in zip(games, found):
        assert len(verify(batch(game), f, payoff_atol(batch(game))).point) == len(f.point)
        assert len(set(equilibria(f))) == len(f.point)


def test_unflagged_small_integer_games_are_complete():
    """Games with payoffs in {0, 1, 2, 3} are often degenerate; those not flagged must
    have exactly Gambit's extreme equilibria."""
    rng = np.random.default_rng(11)
    unflagged = 0
    for m, n in [(2, 2), (2, 3), (3, 3), (3, 4), (4, 4)]:
        payoffs = rng.integers(0, 4, size=(2, m, n, 60)).astype(float)
        found = checked(payoffs)
        for t in np.flatnonzero(~found.degenerate):
            A, B = payoffs[0, ..., t], payoffs[1, ..., t]
            assert equilibria(found, t) == profile_set(gambit_mixed(A, B), 9), (A, B)
            unflagged += 1
        assert found.degenerate.any()
    assert unflagged > 50


# -- the budget -------------------------------------------------------------------------------


def test_upper_bound_theorem():
    assert vertex_bound(2, 5) == 5  # a pentagon
    assert vertex_bound(3, 6) == 8  # a cube
    assert vertex_bound(3, 7) == 10  # the dual of the cyclic 3-polytope with 7 vertices
    assert vertex_work(12, 12) == 24_752
    assert vertex_work(4, 20) == vertex_work(20, 4) == vertex_bound(4, 24)


def test_budget_names_the_method_that_finishes():
    assert vertex_work(16, 16) <= MAX_VERTICES < vertex_work(17, 17)
    with pytest.raises(BudgetError, match="lemke-howson"):
        vertex_enumeration(np.zeros((2, 17, 17, 1)))


def test_bad_shape():
    with pytest.raises(ValueError, match="shape"):
        vertex_enumeration(np.zeros((3, 2, 2, 1)))
