"""The normal form with exact equilibria: degenerate points get every extreme equilibrium,
their maximal Nash subsets and components; ``method="auto"`` chooses by size."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import bargain
from bargain import DegenerateGameWarning, Model, NormalFormGame, Param, sweep
from bargain.errors import BudgetError
from tests.oracles import gambit_mixed, profile_set

pytest.importorskip("cdd")


def solve(A, B, **options):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        return NormalFormGame.from_arrays(np.array(A, float), np.array(B, float)).solve(**options)


def test_a_degenerate_game_reports_its_continuum():
    """von Stengel (2002), Figure 2.5: the top row against any mix of the columns with
    weight at least 2/3 on the left is a segment of equilibria; a mixed one stands apart."""
    A, B = [[3, 3], [2, 5], [0, 6]], [[3, 3], [2, 6], [3, 1]]
    with pytest.warns(DegenerateGameWarning, match="computed exactly"):
        NormalFormGame.from_arrays(np.array(A), np.array(B)).solve()
    solution = solve(A, B)
    assert solution.method == "exact" and solution.degenerate and len(solution) == 3
    subsets = solution.nash_subsets
    assert sorted(s.is_point for s in subsets) == [False, True]
    segment = next(s for s in subsets if not s.is_point)
    np.testing.assert_allclose(segment.row, [[1, 0, 0]])
    np.testing.assert_allclose(sorted(map(tuple, segment.column)), [(2 / 3, 1 / 3), (1, 0)])
    assert sorted(map(len, solution.components)) == [1, 1]
    assert "(a continuum)" in repr(solution) and "2 components" in repr(solution)


def test_two_segments_meeting_make_one_component():
    A = [[1, 1], [1, 0]]
    solution = solve(A, A)
    assert len(solution.nash_subsets) == 2 and solution.components == [(0, 1)]


def test_nondegenerate_points_are_their_own_components_and_sweeps_count_them():
    game = NormalFormGame(
        ["row", "col"],
        {"row": ["up", "down"], "col": ["left", "right"]},
        {"row": [["1", "1"], ["t", "0"]], "col": [["1", "1"], ["1", "0"]]},
        params=[Param("t", 0.5, -1, 2)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        frame = sweep(Model(game), {"t": [0.5, 1.0, 1.5]}, select="all").to_frame()
        solution = game.solve(t=0.5)
    # t = 0.5: up is dominant, the column indifferent: one segment (up, any column).
    # t = 1: that segment and (any row, left) meet at (up, left): one component.
    # t = 1.5: (down, left) is strict and stands apart from (up, left weight <= 2/3).
    assert frame.groupby("t")["n_components"].first().tolist() == [1.0, 1.0, 2.0]
    assert solution.components is not None
    at_one = game.solve_batch({"t": [1.0]})
    assert at_one.methods[0] == "exact" and at_one.n_components[0] == 1


@pytest.mark.parametrize("size", [2, 3, 4, 5, 6])
def test_degenerate_small_integer_games_equal_gambit_through_the_normal_form(size):
    """Through the user's entry point: every extreme equilibrium Gambit's enummixed finds,
    on seeded random games with payoffs in {0, 1, 2} (most of them degenerate)."""
    rng = np.random.default_rng(100 + size)
    degenerate = 0
    for _ in range(40 if size < 6 else 15):
        A, B = rng.integers(0, 3, size=(2, size, size)).astype(float)
        solution = solve(A, B)
        degenerate += solution.degenerate
        found = set(profile_set(eq.profile for eq in solution))
        assert found == set(profile_set(gambit_mixed(A, B))), (A, B)
    assert degenerate > 0


def test_method_exact_solves_every_point_and_has_a_budget():
    solution = solve([[3, 0], [0, 2]], [[2, 0], [0, 3]], method="exact")
    assert solution.method == "exact" and len(solution) == 3 and not solution.degenerate
    with pytest.raises(BudgetError, match="method='vertex'"):
        solve(np.ones((12, 12)), np.ones((12, 12)), method="exact")


def test_auto_chooses_by_size_and_says_so():
    rng = np.random.default_rng(7)
    for k, expected in ((3, "support"), (8, "vertex"), (18, "lemke-howson")):
        A, B = rng.normal(size=(2, k, k))
        batch = NormalFormGame.from_arrays(A, B).solve_batch({})
        assert batch.method == expected and batch.choice.startswith(f"auto chose {expected}")
        assert f"{k}x{k}" in batch.choice
    explicit = NormalFormGame.from_arrays(A[:3, :3], B[:3, :3]).solve_batch({}, method="vertex")
    assert explicit.choice == "method='vertex', as asked"


def test_without_the_exact_extra_the_warning_says_how_to_get_it(monkeypatch):
    import bargain.games.normal.game as normal_game
    import bargain.games.normal.solution as normal_solution

    monkeypatch.setattr(normal_game, "exact_ready", lambda m, n: False)
    monkeypatch.setattr(normal_solution, "exact_available", lambda: False)
    A = np.array([[1.0, 1.0], [1.0, 0.0]])
    with pytest.warns(DegenerateGameWarning, match=r"bargain-games\[exact\]"):
        solution = NormalFormGame.from_arrays(A, A).solve()
    assert solution.method != "exact" and solution.components is None


def test_the_escalation_model_counts_components_over_a_sweep():
    model = bargain.load_model("escalation")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        frame = sweep(model, {"bite": np.linspace(0, 3, 13)}, select="all").to_frame()
    assert frame["n_components"].notna().all() and (frame["n_components"] >= 1).all()


def test_components_are_not_counted_where_the_method_may_miss_equilibria():
    """Pure equilibria and Lemke-Howson's need not be all of them: no component count."""
    battle = [[2, 0], [0, 1]], [[1, 0], [0, 2]]  # two pure equilibria and a mixed one
    for method in ("pure", "lemke-howson"):
        solution = solve(*battle, method=method)
        assert solution.components is None and solution.nash_subsets is None
        batch = NormalFormGame.from_arrays(*map(np.array, battle)).solve_batch({}, method=method)
        assert np.isnan(batch.n_components).all()
    assert solve(*battle, method="support").components == [(0,), (1,), (2,)]
