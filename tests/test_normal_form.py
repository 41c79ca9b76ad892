"""Textbook games with known equilibria, the game API and its errors."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import bargain
from bargain import DegenerateGameWarning, ModelError, NormalFormGame, Param, ParamError
from tests.oracles import profile_set


def solve(A, B, method="support"):
    return NormalFormGame.from_arrays(A, B).solve(method=method)


def expect(solution, *profiles):
    got = profile_set([eq.profile for eq in solution])
    assert got == profile_set(profiles)


def test_prisoners_dilemma_has_only_mutual_defection():
    A = np.array([[3, 0], [5, 1]])
    sol = solve(A, A.T)
    expect(sol, ([0, 1], [0, 1]))
    assert sol[0].is_pure and np.allclose(sol[0].payoffs, [1, 1])
    assert not sol.degenerate


def test_battle_of_the_sexes_has_two_pure_and_one_mixed():
    sol = solve([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    expect(sol, ([1, 0], [1, 0]), ([0, 1], [0, 1]), ([0.6, 0.4], [0.4, 0.6]))
    mixed = next(eq for eq in sol if not eq.is_pure)
    assert np.allclose(mixed.payoffs, [1.2, 1.2])


def test_matching_pennies_has_a_unique_mixed_equilibrium():
    A = np.array([[1, -1], [-1, 1]])
    sol = solve(A, -A)
    expect(sol, ([0.5, 0.5], [0.5, 0.5]))
    assert np.allclose(sol[0].payoffs, 0)


def test_chicken():
    A = np.array([[0, -1], [1, -10]])
    sol = solve(A, A.T)
    expect(sol, ([1, 0], [0, 1]), ([0, 1], [1, 0]), ([0.9, 0.1], [0.9, 0.1]))
    assert np.allclose(next(eq for eq in sol if not eq.is_pure).payoffs, [-0.1, -0.1])


def test_stag_hunt():
    A = np.array([[4, 0], [3, 3]])
    sol = solve(A, A.T)
    expect(sol, ([1, 0], [1, 0]), ([0, 1], [0, 1]), ([0.75, 0.25], [0.75, 0.25]))


def test_rock_paper_scissors_full_support():
    A = np.array([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])
    expect(solve(A, -A), ([1 / 3] * 3, [1 / 3] * 3))


def volunteers_dilemma() -> NormalFormGame:
    """Three players; the good (worth 2) is provided if anyone volunteers (cost 1)."""
    payoff = np.zeros((3, 2, 2, 2))
    for profile in np.ndindex(2, 2, 2):
        provided = 0 in profile  # strategy 0 = volunteer
        for i in range(3):
            payoff[(i, *profile)] = 2 * provided - (profile[i] == 0)
    labels = ["volunteer", "ignore"]
    return NormalFormGame(["A", "B", "C"], [labels] * 3, dict(zip("ABC", payoff.tolist())))


def test_three_player_pure_equilibria():
    game = volunteers_dilemma()
    sol = game.solve()
    assert sol.method == "pure" and not sol.degenerate
    pure = sorted(tuple(int(np.argmax(p)) for p in eq.profile) for eq in sol)
    assert pure == [(0, 1, 1), (1, 0, 1), (1, 1, 0)]
    for eq in sol:
        volunteer = next(i for i, p in enumerate(eq.profile) if p[0] == 1)
        assert eq.payoffs[volunteer] == 1 and sorted(eq.payoffs) == [1, 2, 2]


def test_equilibrium_accessors():
    sol = solve([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    mixed = next(eq for eq in sol if not eq.is_pure)
    assert mixed.support == (("s1", "s2"), ("s1", "s2"))
    assert mixed.as_dict() == {
        "P1": {"s1": pytest.approx(0.6), "s2": pytest.approx(0.4)},
        "P2": {"s1": pytest.approx(0.4), "s2": pytest.approx(0.6)},
    }
    assert "P1: s1 0.6" in repr(mixed)


def escalation() -> NormalFormGame:
    return NormalFormGame(
        ["US", "Iran"],
        {"US": ["pressure", "engage"], "Iran": ["resist", "restrain"]},
        {
            "US": [["-clash", "bite"], ["-2", "1"]],
            "Iran": [["-clash", "-bite"], [1, "1 - bite"]],
        },
        params=[Param("bite", 0.5, low=0, high=3), Param("clash", 1.0, low=0.1, high=5)],
    )


def test_parameterized_game_at_and_solve_agree():
    game = escalation()
    numeric = game.at(bite=2.0)
    assert numeric.is_numeric and not game.is_numeric
    A = [[-1, 2], [-2, 1]]
    np.testing.assert_allclose(numeric.payoff_tensor({})[0, ..., 0], A)
    assert profile_set(e.profile for e in numeric.solve()) == profile_set(
        e.profile for e in game.solve(bite=2.0)
    )
    assert game.solve(bite=2.0).values == {"bite": 2.0, "clash": 1.0}


def test_sympy_payoffs_are_accepted():
    bite = sympy.Symbol("bite")
    game = NormalFormGame(
        ["a", "b"],
        [["x", "y"], ["x", "y"]],
        {"a": [[bite, 0], [0, 1]], "b": [[1, 0], [0, 2 * bite]]},
        params=[Param("bite", 1.0)],
    )
    assert len(game.solve(bite=3.0)) == 3


def test_degenerate_game_is_flagged_and_warns():
    A = np.array([[1, 1], [0, 0]])
    game = NormalFormGame.from_arrays(A, A)
    with pytest.warns(DegenerateGameWarning, match="degenerate"):
        sol = game.solve()
    assert sol.degenerate
    expect(sol, ([1, 0], [1, 0]), ([1, 0], [0, 1]))


def test_batch_flags_degenerate_points_only():
    game = escalation()
    with pytest.warns(DegenerateGameWarning, match="1 of 3 games"):
        batch = game.solve_batch({"bite": [0.5, 1.0, 2.0]})
    assert batch.degenerate.tolist() == [False, True, False]
    assert len(batch) == 3 and batch.count.sum() == len(batch.point)


def test_unknown_method_and_wrong_player_count():
    with pytest.raises(ValueError, match="unknown method 'magic'"):
        escalation().solve(method="magic")
    with pytest.raises(ValueError, match="two-player"):
        volunteers_dilemma().solve(method="support")


@pytest.mark.parametrize(
    ("payoffs", "message"),
    [
        ({"US": [[1, 2], [3, 4]]}, r"missing \['Iran'\]"),
        ({"US": [[1, 2], [3, 4]], "Iran": [[1, 2]], "UK": 1}, r"unknown \['UK'\]"),
        ({"US": [[1, 2], [3, 4]], "Iran": [[1, 2], [3]]}, r"\['Iran'\]\[1\]: expected a list of 2"),
        ({"US": [[1, 2], [3, 4]], "Iran": [[1, 2], [3, [4]]]}, r"\[1\]\[1\]: expected a single"),
        ({"US": [[1, 2], [3, 4]], "Iran": [[1, 2], [3, None]]}, r"got NoneType"),
        ({"US": [[1, 2], [3, 4]], "Iran": [[1, 2], [3, float("nan")]]}, r"finite"),
        ({"US": [[1, 2], [3, 4]], "Iran": [[1, 2], [3, "relif"]]}, r"did you mean 'relief'"),
    ],
)
def test_bad_payoffs_name_the_entry(payoffs, message):
    with pytest.raises(bargain.BargainError, match=message):
        NormalFormGame(
            ["US", "Iran"], [["a", "b"], ["c", "d"]], payoffs, params=[Param("relief", 0.5)]
        )


def test_bad_strategies():
    with pytest.raises(ModelError, match="duplicate labels"):
        NormalFormGame(["a", "b"], [["x", "x"], ["y"]], {"a": [[1], [2]], "b": [[1], [2]]})
    with pytest.raises(ModelError, match="at least one label"):
        NormalFormGame(["a", "b"], [[], ["y"]], {"a": [], "b": []})
    with pytest.raises(ModelError, match="undeclared parameters"):
        NormalFormGame(["a"], [["x"]], {"a": [sympy.Symbol("q")]})


def test_non_finite_payoff_at_a_point_is_reported():
    game = NormalFormGame(
        ["a", "b"], [["x"], ["y"]], {"a": [["log(r)"]], "b": [[1]]}, params=[Param("r", 1.0)]
    )
    message = r"payoffs\['a'\]\[0\]\[0\] = log\(r\) is not finite at r=0"
    with pytest.raises(ModelError, match=message):
        game.solve_batch({"r": [1.0, 0.0]})


def test_out_of_bounds_points_are_rejected_before_solving():
    with pytest.raises(ParamError, match="bite"):
        escalation().solve_batch({"bite": [0.5, 7.0]})


def test_chunking_does_not_change_the_result():
    game = escalation()
    grid = {"bite": np.linspace(0.05, 2.95, 101)}
    whole = game.solve_batch(grid)
    chunked = game.solve_batch(grid, chunk_size=7)
    np.testing.assert_array_equal(whole.count, chunked.count)
    for i in range(len(whole)):
        assert profile_set(e.profile for e in whole[i]) == profile_set(
            e.profile for e in chunked[i]
        )


@pytest.mark.parametrize("method", ["vertex", "lemke-howson"])
def test_nashpy_methods(method):
    sol = solve([[3, 0], [0, 2]], [[2, 0], [0, 3]], method=method)
    found = profile_set(eq.profile for eq in sol)
    full = profile_set([([1, 0], [1, 0]), ([0, 1], [0, 1]), ([0.6, 0.4], [0.4, 0.6])])
    assert set(found) <= set(full)
    if method == "vertex":
        assert found == full
