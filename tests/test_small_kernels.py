"""The closed-form kernels of small games: 2x2 games (``solvers.two_by_two``), 3x3 games
through support enumeration's closed-form small systems, and the row collector.

Checked against textbook games, the generic support enumeration (a 2x2 game as a 2x3
game with a strictly dominated column), vertex enumeration, QuantEcon and nashpy.
"""

from __future__ import annotations

import nashpy
import numpy as np
import pytest
import quantecon.game_theory as qe

from bargain import NormalFormGame, Param
from bargain.solvers import support_enumeration, vertex_enumeration
from bargain.solvers.arrays import EquilibriumArrays, payoff_atol, scaled, stack
from bargain.solvers.collect import RowCollector
from bargain.solvers.linalg import solve_small
from bargain.solvers.two_by_two import two_by_two
from tests.oracles import profile_set


def batch(games) -> np.ndarray:
    """Payoffs (2, m, n, N) of a list of (A, B)."""
    return np.stack([np.stack([np.asarray(A, float), np.asarray(B, float)]) for A, B in games], -1)


def per_point(found: EquilibriumArrays, n: int) -> list[list[tuple[float, ...]]]:
    """Each point's equilibria as a canonical profile set."""
    return [
        profile_set((x, y) for p, x, y in zip(found.point, *found.profiles) if p == t)
        for t in range(n)
    ]


def quantecon_set(A: np.ndarray, B: np.ndarray) -> list[tuple[float, ...]]:
    return profile_set(qe.support_enumeration(qe.NormalFormGame((qe.Player(A), qe.Player(B.T)))))


def nashpy_set(A: np.ndarray, B: np.ndarray) -> list[tuple[float, ...]]:
    return profile_set(nashpy.Game(A, B).support_enumeration())


def closed_form(payoffs: np.ndarray) -> EquilibriumArrays:
    return two_by_two(payoffs, payoff_atol(payoffs))


# -- textbook 2x2 games ----------------------------------------------------------------

TEXTBOOK = {
    "matching pennies": ([[1, -1], [-1, 1]], [[-1, 1], [1, -1]], [([0.5, 0.5], [0.5, 0.5])]),
    "chicken": (
        [[0, -1], [1, -10]],
        [[0, 1], [-1, -10]],
        [([1, 0], [0, 1]), ([0, 1], [1, 0]), ([0.9, 0.1], [0.9, 0.1])],
    ),
    "prisoner's dilemma": ([[3, 0], [5, 1]], [[3, 5], [0, 1]], [([0, 1], [0, 1])]),
    "stag hunt": (
        [[4, 0], [3, 3]],
        [[4, 3], [0, 3]],
        [([1, 0], [1, 0]), ([0, 1], [0, 1]), ([0.75, 0.25], [0.75, 0.25])],
    ),
    "battle of the sexes": (
        [[3, 0], [0, 2]],
        [[2, 0], [0, 3]],
        [([1, 0], [1, 0]), ([0, 1], [0, 1]), ([0.6, 0.4], [0.4, 0.6])],
    ),
}


@pytest.mark.parametrize("name", list(TEXTBOOK))
def test_textbook_games(name):
    A, B, expected = TEXTBOOK[name]
    found = closed_form(batch([(A, B)]))
    assert per_point(found, 1) == [profile_set(expected)]
    assert not found.degenerate.any()
    assert np.all(found.regret == 0) or found.regret.max() < 1e-12
    # payoffs are the expected payoffs of each profile
    for x, y, u in zip(*found.profiles, found.payoffs):
        assert np.allclose(u, [x @ np.asarray(A) @ y, x @ np.asarray(B) @ y])
    solution = NormalFormGame.from_arrays(A, B).solve()
    assert profile_set(eq.profile for eq in solution) == profile_set(expected)


def test_pure_rows_come_in_profile_order_then_mixed():
    A, B, _ = TEXTBOOK["battle of the sexes"]
    found = closed_form(batch([(A, B)] * 3))
    x, y = found.profiles
    pure = (x.max(axis=1) == 1) & (y.max(axis=1) == 1)
    cells = np.where(pure, 2 * x.argmax(axis=1) + y.argmax(axis=1), -1)
    assert cells.tolist() == [0, 0, 0, 3, 3, 3, -1, -1, -1]
    assert found.point.tolist() == [0, 1, 2] * 3


def test_a_game_with_ties_is_degenerate_and_its_rows_verified():
    # the row player is indifferent against the first column
    A, B = np.array([[2.0, 0.0], [2.0, 1.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    found = closed_form(batch([(A, B), TEXTBOOK["chicken"][:2]]))
    assert found.degenerate.tolist() == [True, False]
    assert per_point(found, 2)[0] == profile_set([([1, 0], [1, 0]), ([0, 1], [0, 1])])
    assert (found.regret[found.point == 0] == 0).all()
    # a tie within the tolerance: the pure profile is kept, its regret reported
    A = np.array([[2.0, 0.0], [2.0 + 1e-12, 1.0]])
    found = closed_form(batch([(A, B)]))
    assert found.degenerate.tolist() == [True]
    assert per_point(found, 1)[0] == profile_set([([1, 0], [1, 0]), ([0, 1], [0, 1])])
    assert found.regret.max() == pytest.approx(1e-12, rel=1e-3)
    # the game form solves such a point exactly: the segment of row mixtures against column 0
    with pytest.warns(match="degenerate"):
        solution = NormalFormGame.from_arrays([[2, 0], [2, 1]], B).solve()
    assert solution.degenerate


def test_a_constant_player_is_degenerate_everywhere():
    A = np.zeros((2, 2))
    B = np.array([[1.0, 0.0], [0.0, 1.0]])
    found = closed_form(batch([(A, B)]))
    assert found.degenerate.all()
    assert per_point(found, 1)[0] == profile_set([([1, 0], [1, 0]), ([0, 1], [0, 1])])


# -- random games against the generic kernel and independent peers ---------------------


def random_games(seed: int, m: int, n: int, count: int, integers: int = 0):
    """Uniform random games, or with payoffs in 0..integers - 1 (ties: degenerate games)."""
    rng = np.random.default_rng(seed)
    if integers:
        return [tuple(rng.integers(0, integers, (2, m, n)).astype(float)) for _ in range(count)]
    return [tuple(rng.uniform(size=(2, m, n))) for _ in range(count)]


def test_random_2x2_games_match_the_generic_kernel_vertex_enumeration_and_peers():
    games = random_games(17, 2, 2, 300)
    payoffs = batch(games)
    found = closed_form(payoffs)
    assert not found.degenerate.any()
    ours = per_point(found, len(games))
    # the generic support enumeration, on each game with a strictly dominated third column
    worse = payoffs[1].min(axis=(0, 1)) - 1.0
    padded = np.concatenate(
        [
            np.concatenate([payoffs[0], payoffs[0][:, :1]], axis=1)[None],
            np.concatenate([payoffs[1], np.broadcast_to(worse, (2, 1, len(games)))], axis=1)[None],
        ]
    )
    generic = support_enumeration(padded)
    generic_sets = [
        profile_set((x, y[:2]) for p, x, y in zip(generic.point, *generic.profiles) if p == t)
        for t in range(len(games))
    ]
    assert ours == generic_sets
    assert ours == per_point(vertex_enumeration(payoffs), len(games))
    for t, (A, B) in enumerate(games[:100]):
        assert ours[t] == quantecon_set(A, B) == nashpy_set(A, B), f"game {t}"
    # every class of 2x2 game occurs: one, three equilibria; pure only, mixed only
    counts = np.bincount(found.point, minlength=len(games))
    assert set(counts) == {1, 3}


def test_random_integer_2x2_games_flag_ties_and_agree_elsewhere():
    games = random_games(5, 2, 2, 400, integers=3)
    payoffs = batch(games)
    found = closed_form(payoffs)
    atol = payoff_atol(payoffs)
    gain_rows = np.abs(payoffs[0, 0] - payoffs[0, 1]) <= atol[0]  # (2, N): a row player tie
    gain_cols = np.abs(payoffs[1, :, 0] - payoffs[1, :, 1]) <= atol[1]
    assert found.degenerate.tolist() == (gain_rows.any(0) | gain_cols.any(0)).tolist()
    assert 0 < found.degenerate.mean() < 1
    ours = per_point(found, len(games))
    for t, (A, B) in enumerate(games):
        if not found.degenerate[t]:
            assert ours[t] == quantecon_set(A, B), f"game {t}"
    # every row is an equilibrium: its regret against each pure deviation is at most rounding
    assert (found.regret <= 1e-12).all()


@pytest.mark.parametrize("integers", [0, 12])
def test_random_3x3_games_match_vertex_enumeration_and_peers(integers):
    games = random_games(23, 3, 3, 200, integers)
    payoffs = batch(games)
    found = support_enumeration(payoffs)
    ours = per_point(found, len(games))
    theirs = per_point(vertex_enumeration(payoffs), len(games))
    checked = 0
    for t, (A, B) in enumerate(games):
        if found.degenerate[t]:
            continue
        assert ours[t] == theirs[t] == quantecon_set(A, B), f"game {t}"
        if t < 60 and not integers:  # nashpy misses some equilibria of integer games
            assert ours[t] == nashpy_set(A, B), f"game {t}"
        checked += 1
    assert checked > 50
    assert found.degenerate.any() == bool(integers)


# -- batch, invariance, magnitudes --------------------------------------------------------


@pytest.mark.parametrize("shape", [(2, 2), (3, 3)])
def test_a_batch_is_its_points_one_by_one(shape):
    games = random_games(3, *shape, 40) + random_games(4, *shape, 40, integers=3)
    payoffs = batch(games)
    whole = support_enumeration(payoffs)
    for t in range(len(games)):
        alone = support_enumeration(payoffs[..., t : t + 1])
        rows = whole.point == t
        assert profile_set(zip(*(p[rows] for p in whole.profiles))) == profile_set(
            zip(*alone.profiles)
        )
        assert whole.degenerate[t] == alone.degenerate[0]
        assert np.allclose(np.sort(whole.payoffs[rows], axis=0), np.sort(alone.payoffs, axis=0))


@pytest.mark.parametrize("shape", [(2, 2), (3, 3)])
def test_affine_changes_of_each_players_payoffs_change_nothing_but_payoffs(shape):
    games = random_games(8, *shape, 60) + random_games(9, *shape, 60, integers=3)
    payoffs = batch(games)
    scale = np.array([3.5, 0.01])[:, None, None, None]
    shift = np.array([-100.0, 7.0])[:, None, None, None]
    before, after = support_enumeration(payoffs), support_enumeration(payoffs * scale + shift)
    assert per_point(before, len(games)) == per_point(after, len(games))
    assert before.degenerate.tolist() == after.degenerate.tolist()

    def ordered(found: EquilibriumArrays) -> np.ndarray:
        keys = np.round(np.concatenate([found.point[:, None], *found.profiles], axis=1), 9)
        return found.payoffs[np.lexsort(keys.T[::-1])]

    moved = ordered(before) * scale[:, 0, 0, 0] + shift[:, 0, 0, 0]
    assert np.allclose(moved, ordered(after))


@pytest.mark.parametrize("shape", [(2, 2), (3, 3)])
@pytest.mark.parametrize("magnitude", [1e150, 1e-150])
def test_extreme_magnitudes_go_through_scaled(shape, magnitude):
    games = random_games(11, *shape, 50) + random_games(12, *shape, 20, integers=3)
    payoffs = batch(games)
    reference = support_enumeration(payoffs)
    ready = scaled(payoffs * magnitude)
    assert (ready.tolerance.scale != 1).any()
    found = support_enumeration(ready.payoffs, atol=ready.tolerance.atol)
    assert per_point(found, len(games)) == per_point(reference, len(games))
    assert found.degenerate.tolist() == reference.degenerate.tolist()
    if shape == (2, 2):  # the closed form's own regrets come in the user's units
        tol = ready.tolerance
        direct = two_by_two(ready.payoffs, tol.atol, tol.scale)
        assert per_point(direct, len(games)) == per_point(reference, len(games))
        assert (direct.regret <= tol.atol.max() * tol.scale.max()).all()
    # the game form undoes the scale of the equilibrium payoffs
    A, B = games[0]
    solution = NormalFormGame.from_arrays(A * magnitude, B * magnitude).solve()
    plain = NormalFormGame.from_arrays(A, B).solve()
    assert profile_set(eq.profile for eq in solution) == profile_set(eq.profile for eq in plain)
    assert np.allclose(
        sorted(eq.payoffs[0] / magnitude for eq in solution), sorted(eq.payoffs[0] for eq in plain)
    )


def test_a_formula_game_over_a_grid_is_solved_in_chunks_like_one_by_one():
    game = NormalFormGame(
        ["row", "col"],
        [["a", "b"], ["c", "d"]],
        {"row": [["1 - 2*t", "2 + t"], ["0.5*t", "1 - t"]], "col": [["t", "1"], ["1", "t"]]},
        params=[Param("t", 0.5, low=0, high=3)],
    )
    points = {"t": np.linspace(0.03, 2.93, 59)}  # off the boundaries t = 0.4 and t = 1
    chunked = game.solve_batch(points, chunk_size=7)
    whole = game.solve_batch(points)
    assert chunked.count.tolist() == whole.count.tolist()
    for i in range(0, 59, 6):
        one = game.solve(t=points["t"][i])
        assert profile_set(eq.profile for eq in chunked[i]) == profile_set(eq.profile for eq in one)
        alone = game.solve_batch({"t": points["t"][i : i + 1]})
        assert np.allclose(whole.payoff_range[i], alone.payoff_range[0])


# -- the small linear systems and the row collector -----------------------------------------


def test_two_unknowns_match_numpy_and_flag_singular_systems():
    rng = np.random.default_rng(0)
    M = rng.normal(size=(2, 2, 500))
    b = rng.normal(size=(2, 500))
    M[:, :, 0] = [[1.0, 2.0], [2.0, 4.0]]  # singular
    M[:, :, 1] = [[0.0, 1.0], [1.0, 0.0]]  # needs the row swap
    x, singular = solve_small(M, b, tol=1e-12)
    assert singular.tolist()[:2] == [True, False]
    assert not singular[1:].any()
    expected = np.linalg.solve(M[:, :, 1:].transpose(2, 0, 1), b[:, 1:].T[..., None])[..., 0]
    assert np.allclose(x[:, 1:].T, expected)


def test_the_row_collector_joins_chunks_as_stack_does():
    chunks = [support_enumeration(batch(random_games(s, 3, 3, 30))) for s in range(5)]
    rows = RowCollector(150, (3, 3), rows_per_point=0.1)  # grows several times
    for start, chunk in zip(range(0, 150, 30), chunks):
        rows.add(chunk, start)
    joined, stacked = rows.result(), stack(chunks)
    for mine, theirs in zip(joined, stacked):
        if isinstance(mine, tuple):
            for a, b in zip(mine, theirs):
                np.testing.assert_array_equal(a, b)
        else:
            np.testing.assert_array_equal(mine, theirs)
