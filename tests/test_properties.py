"""Property tests: every equilibrium is verified, nothing is silently missed,
and a batch equals its points solved one by one."""

from __future__ import annotations

import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from bargain import DegenerateGameWarning, ModelError, NormalFormGame, Param
from bargain.solvers import pure_equilibria, support_enumeration
from bargain.solvers.arrays import regrets
from tests.oracles import gambit_mixed, profile_set

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def small_integer_games(draw, players=2, max_size=4):
    """Integer payoffs in a small range: ties and degenerate games are common."""
    shape = tuple(draw(st.integers(1 if players > 2 else 2, max_size)) for _ in range(players))
    return draw(arrays(np.float64, (players, *shape), elements=st.integers(-3, 3)))


def verify(payoffs: np.ndarray, result) -> None:
    """No player gains more than 1e-9 (relative) by deviating from any returned profile."""
    if len(result.point):
        rows = np.moveaxis(payoffs, -1, 0)[result.point]
        scale = np.maximum(1, np.abs(rows).reshape(len(rows), -1).max(axis=1))
        assert (regrets(rows, result.profiles) <= 1e-9 * scale[:, None]).all()
        for mix in result.profiles:
            assert (mix >= 0).all() and np.allclose(mix.sum(axis=1), 1)


@SETTINGS
@given(small_integer_games())
def test_support_enumeration_returns_only_equilibria(game):
    verify(game[..., None], support_enumeration(game[..., None]))


@SETTINGS
@given(small_integer_games(players=3, max_size=3))
def test_pure_equilibria_are_equilibria(game):
    verify(game[..., None], pure_equilibria(game[..., None]))


@SETTINGS
@given(small_integer_games(max_size=4))
def test_games_not_flagged_degenerate_have_gambits_full_equilibrium_set(game):
    result = support_enumeration(game[..., None])
    if not result.degenerate[0]:
        expected = gambit_mixed(*game.astype(int), rational=True)
        assert profile_set(zip(*result.profiles)) == profile_set(expected)


@st.composite
def parameterized_games(draw):
    """A 2x2 or 3x3 game whose payoffs are affine in two parameters, and points."""
    m = draw(st.integers(2, 3))
    coef = draw(arrays(np.float64, (3, 2, m, m), elements=st.floats(-2, 2, width=32)))
    formulas = [
        [
            [f"{float(c0[i, j])} + {float(c1[i, j])}*a + {float(c2[i, j])}*b" for j in range(m)]
            for i in range(m)
        ]
        for c0, c1, c2 in zip(*coef)
    ]
    n = draw(st.integers(1, 12))
    points = {name: draw(arrays(np.float64, n, elements=st.floats(0, 1))) for name in ("a", "b")}
    return formulas, points


@SETTINGS
@given(parameterized_games())
def test_batch_equals_point_by_point(case):
    formulas, points = case
    labels = [f"s{i}" for i in range(len(formulas[0]))]
    game = NormalFormGame(
        ["row", "col"],
        [labels, labels],
        {"row": formulas[0], "col": formulas[1]},
        params=[Param("a", 0.5, 0, 1), Param("b", 0.5, 0, 1)],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        try:
            batch = game.solve_batch(points)
        except ModelError as error:  # payoffs float64 cannot resolve: refused, never solved
            assert "cannot resolve" in str(error)
            refused = 0
            for a, b in zip(points["a"], points["b"]):
                try:
                    game.solve(a=a, b=b)
                except ModelError:
                    refused += 1
            assert refused >= 1
            return
        for i in range(len(batch)):
            single = game.solve(a=points["a"][i], b=points["b"][i])
            assert single.degenerate == batch[i].degenerate
            assert profile_set(e.profile for e in single) == profile_set(
                e.profile for e in batch[i]
            )
            for eq in single:
                assert np.isfinite(eq.payoffs).all()
