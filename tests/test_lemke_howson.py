"""Lemke–Howson with the lexicographic minimum-ratio test.

Textbook games; Gambit (every profile is an extreme equilibrium) and nashpy
(the same path from the same label) as oracles on random games; degenerate
games, including two on which nashpy's ``lemke_howson`` never returns; scale
invariance; and the pivot budget.
"""

from __future__ import annotations

import warnings

import nashpy
import numpy as np
import pytest
from nashpy.linalg import tableau as nashpy_tableau

from bargain import DegenerateGameWarning, NormalFormGame
from bargain.solvers import METHODS, support_enumeration
from bargain.solvers.arrays import payoff_atol, regrets
from bargain.solvers.pivoting import lemke_howson, lemke_howson_paths
from tests.oracles import gambit_mixed

# Found offline: 12,000 games drawn by np.random.default_rng(2024) (sizes m, n
# in 3..6 by rng.integers(3, 7, size=2), then A, B = rng.integers(0, 3,
# size=(2, m, n))), nashpy 0.0.43's lemke_howson run from every label with a
# cap of 1,000 pivots; about one game in 300 hit the cap. These two, from the
# label given, had not returned after 30 s in a subprocess: its tableau entries
# overflow to inf and NaN after some twenty pivots, and the loop never ends.
NASHPY_CYCLES = [
    (
        [[1, 1, 2, 2, 2], [1, 2, 2, 1, 1], [2, 2, 2, 0, 0], [2, 1, 1, 1, 2], [1, 2, 0, 0, 2]],
        [[2, 1, 2, 1, 2], [0, 1, 0, 1, 2], [0, 0, 2, 0, 2], [2, 1, 0, 1, 2], [1, 1, 2, 2, 0]],
        6,
    ),
    (
        [[2, 0, 2, 2, 0, 2], [1, 2, 0, 1, 2, 1], [1, 2, 2, 0, 2, 0], [1, 2, 2, 2, 0, 2]],
        [[1, 2, 1, 1, 2, 2], [2, 0, 0, 2, 1, 2], [1, 2, 1, 1, 2, 0], [1, 0, 2, 2, 1, 2]],
        5,
    ),
]


def batch(games) -> np.ndarray:
    """Payoffs (2, m, n, N) from a list of (A, B)."""
    return np.stack([np.stack([np.asarray(A, float), np.asarray(B, float)]) for A, B in games], -1)


def profiles_of(result, t: int) -> list[np.ndarray]:
    """Game t's equilibria, each as one vector (x, y)."""
    x, y = result.profiles
    return [np.concatenate([x[e], y[e]]) for e in np.flatnonzero(result.point == t)]


def same_set(ours, theirs, atol: float = 1e-7) -> bool:
    """Whether two lists of profile vectors are the same set, up to ``atol``."""
    theirs = [np.concatenate([np.asarray(p, float).ravel() for p in prof]) for prof in theirs]
    ours = [np.concatenate([np.asarray(p, float).ravel() for p in prof]) for prof in ours]
    return subset(ours, theirs, atol) and subset(theirs, ours, atol)


def subset(ours, theirs, atol: float = 1e-7) -> bool:
    return all(any(np.abs(u - v).max() <= atol for v in theirs) for u in ours)


def assert_verified(payoffs: np.ndarray, result) -> None:
    """Every row is an equilibrium of its game: regret <= 1e-9 x the player's payoff range
    (plus rounding, :func:`payoff_atol`), probabilities >= 0 summing to 1, no row twice."""
    if not len(result.point):
        return
    games = np.moveaxis(payoffs, -1, 0)[result.point]  # (E, 2, m, n)
    x, y = result.profiles
    for mix in (x, y):
        assert (mix >= 0).all() and np.allclose(mix.sum(axis=1), 1, rtol=0, atol=1e-12)
    assert (regrets(games, (x, y)) <= payoff_atol(payoffs, 1e-9)[:, result.point].T).all()
    for t in np.unique(result.point):
        mine = np.concatenate([x, y], axis=1)[result.point == t]
        gaps = np.abs(mine[:, None] - mine[None]).max(axis=-1)
        assert (gaps > 1e-7).sum() == len(mine) * (len(mine) - 1)
    spread = np.ptp(games.reshape(len(games), 2, -1), axis=2)
    expected = np.einsum("ei,epij,ej->ep", x, games, y)
    np.testing.assert_allclose(result.payoffs, expected, rtol=1e-9, atol=1e-9 * spread.max())


def one_game(A, B, **kwargs):
    payoffs = batch([(A, B)])
    result, found = lemke_howson_paths(payoffs, **kwargs)
    assert_verified(payoffs, result)
    return profiles_of(result, 0), result, found[0]


# Textbook games ---------------------------------------------------------------


def test_matching_pennies_reaches_its_mixed_equilibrium_from_every_label():
    A = np.array([[1, -1], [-1, 1]])
    eqs, result, found = one_game(A, -A)
    assert found.all() and same_set(eqs, [([0.5, 0.5], [0.5, 0.5])])
    np.testing.assert_allclose(result.payoffs, [[0, 0]], atol=1e-12)
    assert not result.degenerate[0]


def test_battle_of_the_sexes_each_label_reaches_a_pure_equilibrium():
    A, B = [[3, 0], [0, 2]], [[2, 0], [0, 3]]
    for label in range(4):
        eqs, _, found = one_game(A, B, labels=[label])
        assert found.all() and len(eqs) == 1
        assert subset(eqs, [[1, 0, 1, 0], [0, 1, 0, 1]])
    # The mixed equilibrium has the other index: no path from the artificial one ends there.
    eqs, _, _ = one_game(A, B)
    assert same_set(eqs, [([1, 0], [1, 0]), ([0, 1], [0, 1])])


def test_coordination_game_label_k_reaches_the_diagonal_equilibrium_of_its_strategy():
    A = np.diag([3.0, 2.0, 1.0])
    for label in range(6):
        eqs, _, _ = one_game(A, A, labels=[label])
        k = label % 3
        assert same_set(eqs, [(np.eye(3)[k], np.eye(3)[k])])


def test_unique_pure_equilibrium_is_found_from_every_label():
    A = np.array([[3, 0], [5, 1]])  # prisoners' dilemma
    eqs, result, found = one_game(A, A.T)
    assert found.all() and same_set(eqs, [([0, 1], [0, 1])])
    np.testing.assert_allclose(result.payoffs, [[1, 1]])


def test_drop_in_for_support_enumeration():
    rng = np.random.default_rng(5)
    payoffs = rng.uniform(-5, 5, size=(2, 3, 4, 30))
    ours, every = lemke_howson(payoffs, 1e-9), support_enumeration(payoffs, 1e-9)
    assert not ours.degenerate.any() and not every.degenerate.any()
    for t in range(30):
        assert profiles_of(ours, t) and subset(profiles_of(ours, t), profiles_of(every, t))
    same = lemke_howson(payoffs, atol=payoff_atol(payoffs))
    assert np.array_equal(same.point, ours.point)
    # atol is each player's regret tolerance: none below 0 can pass.
    assert len(lemke_howson(payoffs, atol=np.full((2, 30), -1e-3)).point) == 0


def test_as_the_games_lemke_howson_method(monkeypatch):
    monkeypatch.setitem(METHODS, "lemke-howson", (lemke_howson, True))
    game = NormalFormGame.from_arrays([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    solution = game.solve(method="lemke-howson")
    assert same_set([eq.profile for eq in solution], [([1, 0], [1, 0]), ([0, 1], [0, 1])])
    A, B, _ = NASHPY_CYCLES[0]
    with pytest.warns(DegenerateGameWarning):
        assert len(NormalFormGame.from_arrays(A, B).solve(method="lemke-howson")) >= 1


# Random games against Gambit and nashpy ---------------------------------------

SIZES = [(2, 2), (2, 3), (3, 2), (3, 3), (3, 5), (4, 4), (5, 3), (4, 6), (5, 5), (6, 6)]


class NashpyCycles(Exception):
    """Raised to stop a nashpy path that runs past the cap."""


@pytest.fixture
def nashpy_capped(monkeypatch):
    """nashpy's lemke_howson, but raising NashpyCycles after 500 pivots of one tableau."""
    pivot = nashpy_tableau.TableauLex.pivot_and_drop_label

    def capped(self, column_index):
        self.pivots = getattr(self, "pivots", 0) + 1
        if self.pivots > 500:
            raise NashpyCycles
        return pivot(self, column_index)

    monkeypatch.setattr(nashpy_tableau.TableauLex, "pivot_and_drop_label", capped)

    def run(A, B, label):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                return nashpy.Game(A, B).lemke_howson(initial_dropped_label=label)
            except NashpyCycles:
                return None

    return run


def is_equilibrium(A, B, x, y) -> bool:
    if x.shape != (A.shape[0],) or y.shape != (A.shape[1],) or not np.isfinite([*x, *y]).all():
        return False
    return bool((regrets(np.stack([A, B])[None], (x[None], y[None])) <= 1e-9).all())


@pytest.mark.parametrize(("m", "n"), SIZES)
def test_random_games_against_gambit_and_nashpy(m, n, nashpy_capped):
    rng = np.random.default_rng(100 * m + n)
    games = [tuple(rng.uniform(size=(2, m, n))) for _ in range(20)]
    payoffs = batch(games)
    result, found = lemke_howson_paths(payoffs)
    assert found.all() and not result.degenerate.any()
    assert_verified(payoffs, result)
    per_label = [lemke_howson_paths(payoffs, labels=[k])[0] for k in range(m + n)]
    compared = 0
    for t, (A, B) in enumerate(games):
        ours = profiles_of(result, t)
        assert subset(ours, [np.concatenate(eq) for eq in gambit_mixed(A, B)], 1e-6), f"game {t}"
        theirs = [nashpy_capped(A, B, k) for k in range(m + n)]
        for k, end in enumerate(theirs):
            # nashpy may not terminate, and for m > n may return a non-equilibrium.
            if end is not None and is_equilibrium(A, B, *end):
                assert same_set(profiles_of(per_label[k], t), [end], 1e-6), f"game {t} label {k}"
                compared += 1
        if all(end is not None and is_equilibrium(A, B, *end) for end in theirs):
            assert same_set(ours, theirs, 1e-6), f"game {t}"
    assert compared >= 10 * (m + n)


# Degenerate games ---------------------------------------------------------------


@pytest.mark.parametrize("m", [3, 4, 5, 6])
def test_small_integer_games_always_end_at_an_extreme_equilibrium(m):
    rng = np.random.default_rng(m)
    for n in range(3, 7):
        payoffs = rng.integers(0, 3, size=(2, m, n, 60)).astype(float)
        result, found = lemke_howson_paths(payoffs)
        assert found.all(), "every path ends within the budget"
        assert result.degenerate.sum() > 50
        assert_verified(payoffs, result)
        for t in range(0, 60, 15):  # Gambit's exact extreme equilibria, for a few of them
            A, B = payoffs[..., t].astype(int)
            extreme = [np.concatenate(eq) for eq in gambit_mixed(A, B, rational=True)]
            assert subset(profiles_of(result, t), extreme, 1e-9), f"{m}x{n} game {t}"


@pytest.mark.parametrize(("A", "B", "label"), NASHPY_CYCLES)
def test_games_where_nashpy_cycles_are_solved(A, B, label):
    A, B = np.array(A), np.array(B)
    extreme = [np.concatenate(eq) for eq in gambit_mixed(A, B, rational=True)]
    eqs, result, found = one_game(A, B, labels=[label])
    assert found.all() and len(eqs) == 1 and subset(eqs, extreme, 1e-9)
    assert result.degenerate[0]
    eqs, _, found = one_game(A, B)
    assert found.all() and subset(eqs, extreme, 1e-9)


def test_constant_and_duplicate_strategies():
    rng = np.random.default_rng(9)
    payoffs = rng.integers(0, 4, size=(2, 4, 4, 40)).astype(float)
    payoffs[0, ..., :10] = 7.0  # the row player is indifferent
    payoffs[:, 1, :, 10:20] = payoffs[:, 0, :, 10:20]  # two identical rows
    payoffs[..., 20:30] = 0.0  # nobody cares
    result, found = lemke_howson_paths(payoffs)
    assert found.all()
    assert_verified(payoffs, result)


# Scale invariance ---------------------------------------------------------------

#: Per player: scales and offsets (times the player's payoff range).
TRANSFORMS = [
    ((1e-200, 1e200), (0, 0)),
    ((1e200, 1e-200), (1e6, -1e6)),
    ((1e-3, 1e150), (-1e6, 37.5)),
    ((1.0, 1.0), (1e6, 1e6)),
    ((1e-100, 1e-200), (-1e6, 0)),
    ((1e200, 1e200), (0, 1e6)),
]


def transformed(payoffs, scale, offset):
    """Each player's payoffs plus ``offset[p]`` times their range, times ``scale[p]``."""
    spread = np.ptp(payoffs.reshape(2, -1, payoffs.shape[-1]), axis=1)[:, None, None]
    return (payoffs + np.reshape(offset, (2, 1, 1, 1)) * spread) * np.reshape(scale, (2, 1, 1, 1))


def assert_same_equilibria(base, other, payoffs, atol):
    assert np.array_equal(base.point, other.point)
    for p in range(2):
        np.testing.assert_allclose(other.profiles[p], base.profiles[p], rtol=0, atol=atol)
    assert np.array_equal(base.degenerate, other.degenerate)
    assert_verified(payoffs, other)


def test_scale_and_offset_do_not_change_the_equilibria_of_random_games():
    rng = np.random.default_rng(11)
    for m in (3, 4, 5):
        games = rng.uniform(-1, 1, size=(2, m, m + 1, 20))
        base = lemke_howson(games)
        for scale, offset in TRANSFORMS:
            other = transformed(games, scale, offset)
            assert_same_equilibria(base, lemke_howson(other), other, atol=1e-7)


def test_exact_scale_and_offset_do_not_change_the_equilibria_of_degenerate_games():
    # Rounding the transformed payoffs perturbs a degenerate game, which may then
    # reach other (equally valid) extreme equilibria; exact transforms may not.
    rng = np.random.default_rng(12)
    games = rng.integers(0, 3, size=(2, 5, 5, 100)).astype(float)
    base = lemke_howson(games)
    for scale, offset in [((2.0**-660, 2.0**660), (1e6, -1e6)), ((2.0**600, 1.0), (0, 1e6))]:
        other = transformed(games, scale, offset)
        assert_same_equilibria(base, lemke_howson(other), other, atol=0)


def test_every_path_ends_on_rounded_rescalings_of_degenerate_games():
    # Rounding breaks the ties of these games at ~1e-10 of the range: rows nearly
    # tied with the leaving row, or entries nearly 0, must not go negative.
    games = np.random.default_rng(5).integers(0, 3, size=(2, 6, 6, 1000)).astype(float)
    other = transformed(games, (1e-200, 3e-7), (-1e6, 1e6))
    result, found = lemke_howson_paths(other)
    assert found.all()
    assert_verified(other, result)


# The budget ---------------------------------------------------------------------


def test_a_path_over_budget_is_reported_not_found():
    A, B, label = NASHPY_CYCLES[0]
    easy = ([[3, 0], [5, 1]], [[3, 5], [0, 1]])  # padded to 5x5 with strategies worth -9
    padded = [np.pad(np.array(M, float), ((0, 3), (0, 3)), constant_values=-9) for M in easy]
    payoffs = batch([(A, B), padded])
    budgets = range(1, 50)
    ends = [lemke_howson_paths(payoffs, labels=[label], max_pivots=b)[1][0, 0] for b in budgets]
    needs = budgets[ends.index(True)]
    assert needs > 2
    result, found = lemke_howson_paths(payoffs, labels=[label], max_pivots=needs - 1)
    assert found.tolist() == [[False], [True]] and result.point.tolist() == [1]
    result, found = lemke_howson_paths(payoffs, max_pivots=1)
    assert not found.any() and len(result.point) == 0 and result.payoffs.shape == (0, 2)
    assert len(lemke_howson(payoffs, max_pivots=1).point) == 0


def end_paths_at(monkeypatch, *ends) -> None:
    """Make path g of every game end at ``ends[g % len(ends)]`` = (x, y), with no tie."""
    from bargain.solvers import pivoting as module

    def follow(unit, game, label, rtol, budget):
        z = [np.concatenate(ends[g % len(ends)]) for g in range(len(game))]
        return np.array(z, dtype=float), np.zeros(len(game), dtype=bool)

    monkeypatch.setattr(module, "_follow", follow)


def test_profiles_that_fail_verification_are_dropped(monkeypatch):
    # (row 0, column 0), and (row 1, column 1) but for a probability -1e-6 < -PROB_TOL.
    end_paths_at(monkeypatch, ([1, 0], [1, 0]), ([-1e-6, 1], [0, 1]))
    A = np.array([[1, -1], [-1, 1]])
    result, found = lemke_howson_paths(batch([(A, -A)]), labels=[0, 1])
    assert not found.any() and len(result.point) == 0
    result, found = lemke_howson_paths(batch([(A, A)]), labels=[0, 1])
    assert found.tolist() == [[True, False]] and len(result.point) == 1


def test_supports_of_different_sizes_flag_the_game(monkeypatch):
    end_paths_at(monkeypatch, ([1, 0], [0.5, 0.5]))
    A = np.array([[1, 1], [0, 0]])
    result, found = lemke_howson_paths(batch([(A, A)]), labels=[0])
    assert found.all() and result.degenerate.tolist() == [True]


def test_bad_arguments():
    payoffs = np.zeros((2, 2, 3, 1))
    with pytest.raises(ValueError, match="shape"):
        lemke_howson(np.zeros((3, 2, 2, 1)))
    with pytest.raises(ValueError, match="labels"):
        lemke_howson(payoffs, labels=[5])
    with pytest.raises(ValueError, match="max_pivots"):
        lemke_howson(payoffs, max_pivots=0)
