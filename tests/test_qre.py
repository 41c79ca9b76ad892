"""Logit QRE kernels: closed forms, the fixed-point equations, and pygambit on seeded games."""

from __future__ import annotations

import numpy as np
import pytest

from bargain.errors import ModelError
from bargain.solvers.arrays import deviation_gains, payoff_atol
from bargain.solvers.continuation import Budget
from bargain.solvers.qre import (
    logit_branch,
    logit_qre,
    logit_response,
    pair_payoffs,
    strategy_payoffs,
)
from bargain.solvers.qre_limit import logit_limit

pygambit = pytest.importorskip("pygambit")


def fixed_point_gap(payoffs: np.ndarray, profiles: list[np.ndarray], lam: np.ndarray) -> float:
    """max |p - logit(lam u(p))| over players and points: profiles (N, s_i), lam (P, N)."""
    mixes = [np.ascontiguousarray(p.T) for p in profiles]
    u = strategy_payoffs(payoffs, mixes, pair_payoffs(payoffs, mixes))
    return max(np.abs(logit_response(lam[i], u[i]) - mixes[i]).max() for i in range(len(u)))


def gambit_qre(tensor: np.ndarray, lams: list[float]) -> list[list[np.ndarray]]:
    game = pygambit.Game.from_arrays(*tensor)
    return [
        [np.array([float(q.profile[s]) for s in pl.strategies]) for pl in game.players]
        for q in pygambit.qre.logit_solve_lambda(game, lam=lams)
    ]


def test_zero_lam_is_uniform_play():
    payoffs = np.random.default_rng(0).uniform(size=(3, 2, 3, 4, 5))
    found = logit_qre(payoffs, 0.0)
    assert found.reached.all()
    for p, s in zip(found.profiles, (2, 3, 4)):
        np.testing.assert_allclose(p[:, 0], 1 / s)


def test_dominant_strategies_give_the_logistic_closed_form():
    # a prisoner's dilemma whose gains from defecting are d1 = 1 and d2 = 2 whatever the other does
    A = np.array([[3.0, 0.0], [4.0, 1.0]])  # rows: cooperate, defect
    B = np.array([[3.0, 5.0], [0.0, 2.0]])
    payoffs = np.stack([A, B])[..., None]
    lams = np.array([0.5, 1.0, 3.0, 10.0])
    found = logit_branch(payoffs, lams)
    assert found.reached.all()
    np.testing.assert_allclose(found.profiles[0][0, :, 1], 1 / (1 + np.exp(-lams)), atol=1e-10)
    np.testing.assert_allclose(found.profiles[1][0, :, 1], 1 / (1 + np.exp(-2 * lams)), atol=1e-10)
    limit = logit_limit(payoffs, payoff_atol(payoffs))  # dominance solvable: the pure NE
    assert limit.found.all()
    np.testing.assert_array_equal(limit.profiles[0][0], [0.0, 1.0])
    np.testing.assert_array_equal(limit.profiles[1][0], [0.0, 1.0])


def test_matching_pennies_stays_at_its_mixed_equilibrium_and_the_limit_is_exact():
    A = np.array([[1.0, -1.0], [-1.0, 1.0]])
    payoffs = np.stack([A, -A])[..., None]
    found = logit_branch(payoffs, np.array([0.1, 1.0, 10.0, 100.0]))
    np.testing.assert_allclose(found.profiles[0][0], 0.5, atol=1e-12)
    # an asymmetric version: its unique equilibrium is mixed, row (1/2, 1/2), column (1/3, 2/3)
    A = np.array([[2.0, 0.0], [0.0, 1.0]])
    B = np.array([[0.0, 1.0], [1.0, 0.0]])
    payoffs = np.stack([A, B])[..., None]
    limit = logit_limit(payoffs, payoff_atol(payoffs))
    assert limit.found.all()
    np.testing.assert_allclose(limit.profiles[0][0], [0.5, 0.5], atol=1e-12)
    np.testing.assert_allclose(limit.profiles[1][0], [1 / 3, 2 / 3], atol=1e-12)


@pytest.mark.parametrize("shape", [(2, 3, 4), (3, 3, 3, 3)])
def test_qre_at_lam_matches_pygambit(shape):
    payoffs = np.random.default_rng(11).uniform(size=(*shape, 8))
    lams = [0.5, 4.0]
    found = logit_branch(payoffs, np.array(lams))
    assert found.reached.all() and found.exhausted is None
    for t in range(payoffs.shape[-1]):
        for k, theirs in enumerate(gambit_qre(payoffs[..., t], lams)):
            for i, p in enumerate(theirs):
                np.testing.assert_allclose(found.profiles[i][t, k], p, atol=1e-6)


def test_branch_matches_pygambit_at_its_lam_values():
    payoffs = np.random.default_rng(5).uniform(size=(3, 3, 3, 3, 3))
    for t in range(payoffs.shape[-1]):
        game = pygambit.Game.from_arrays(*payoffs[..., t])
        branch = pygambit.qre.logit_solve_branch(game)
        lams = np.array([q.lam for q in branch])
        turn = np.flatnonzero(np.diff(lams) <= 0)
        upto = (turn[0] + 1) if len(turn) else len(lams)  # where Gambit's lam increases
        chosen = np.unique(lams[1:upto][:: max(1, upto // 12)])
        ours = logit_branch(payoffs[..., t : t + 1], chosen)
        assert ours.reached.all()
        for k, lam in enumerate(chosen):
            q = branch[int(np.flatnonzero(lams == lam)[0])]
            for i, player in enumerate(game.players):
                theirs = [float(q.profile[s]) for s in player.strategies]
                np.testing.assert_allclose(ours.profiles[i][0, k], theirs, atol=1e-6)


@pytest.mark.parametrize("shape", [(2, 3, 3), (3, 3, 3, 3)])
def test_logit_limit_matches_pygambit_and_is_a_nash_equilibrium(shape):
    payoffs = np.random.default_rng(3).uniform(size=(*shape, 12))
    atol = payoff_atol(payoffs)
    limit = logit_limit(payoffs, atol)
    assert limit.found.all()
    gains = deviation_gains(payoffs, limit.profiles)
    assert (gains <= atol).all()
    for t in range(payoffs.shape[-1]):
        game = pygambit.Game.from_arrays(*payoffs[..., t])
        theirs = pygambit.nash.logit_solve(game).equilibria[0]
        for i, player in enumerate(game.players):
            p = [float(theirs[s]) for s in player.strategies]
            # Gambit stops its branch at a regret of 1e-8: its limit is that close
            np.testing.assert_allclose(limit.profiles[i][t], p, atol=2e-5)


def test_heterogeneous_lam_solves_the_fixed_point_equations():
    payoffs = np.random.default_rng(7).uniform(size=(3, 3, 3, 3, 6))
    lam = np.array([1.0, 8.0, 3.0])
    found = logit_qre(payoffs, lam)
    assert found.reached.all()
    profiles = [p[:, 0] for p in found.profiles]
    assert fixed_point_gap(payoffs, profiles, np.repeat(lam[:, None], 6, axis=1)) < 1e-9
    # and it differs from the QRE at any one common lam
    common = logit_qre(payoffs, 3.0)
    assert (
        max(np.abs(a[:, 0] - b[:, 0]).max() for a, b in zip(found.profiles, common.profiles)) > 1e-3
    )


def test_batch_equals_point_by_point():
    payoffs = np.random.default_rng(9).uniform(size=(3, 3, 3, 3, 12))
    batch = logit_qre(payoffs, 20.0)
    for t in range(payoffs.shape[-1]):
        one = logit_qre(payoffs[..., t : t + 1], 20.0)
        for a, b in zip(batch.profiles, one.profiles):
            np.testing.assert_allclose(a[t], b[0], atol=1e-9)


def test_an_exhausted_budget_is_reported_not_a_hang():
    payoffs = np.random.default_rng(1).uniform(size=(3, 3, 3, 3, 4))
    found = logit_qre(payoffs, 50.0, Budget(max_steps=2))
    assert found.exhausted == "max_steps=2 steps"
    assert not found.reached.any()
    assert np.isnan(found.profiles[0]).all()


def test_bad_input_is_named():
    payoffs = np.zeros((2, 2, 2, 1))
    with pytest.raises(ModelError, match="lam: expected finite values >= 0"):
        logit_qre(payoffs, -1.0)
    with pytest.raises(ModelError, match=r"lam: expected a number, one per player \(2,\)"):
        logit_qre(payoffs, [1.0, 2.0, 3.0])
    with pytest.raises(ModelError, match="max_steps: expected a positive integer"):
        Budget(max_steps=0)
    with pytest.raises(ModelError, match="seconds: expected a positive number"):
        Budget(seconds=-1)
