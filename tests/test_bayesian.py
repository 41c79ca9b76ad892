"""Bayesian games (form "bayesian"): textbook equilibrium sets worked by hand, Gambit
on the ex-ante strategic form, the agent form's pure equilibria by brute force,
properties, model files, sweeps, thresholds and the command line."""

from __future__ import annotations

import json
import re
import warnings
from fractions import Fraction
from itertools import product
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bargain
from bargain import DegenerateGameWarning, NoEquilibriumWarning, Param
from bargain.cli import main
from bargain.errors import BudgetError, FormulaError, ModelError
from bargain.games import form_class
from bargain.games.bayesian import BayesianGame
from bargain.io import dumps_model, loads_model
from bargain.solvers import bayesian as kernels
from bargain.solvers.support import support_enumeration
from tests.oracles import gambit_mixed, profile_set

ROOT = Path(__file__).parents[1]
SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def behaviours(solution) -> list[tuple[float, ...]]:
    """A solution's equilibria as sorted, rounded tuples of every type's mixture."""
    return profile_set([b.ravel() for b in eq.behaviour] for eq in solution)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        return call(*args, **kwargs)


# -- textbook games ---------------------------------------------------------------------------


def battle_of_the_sexes() -> BayesianGame:
    """BoS when player 1 does not know whether player 2 wishes to meet it or to avoid it,
    each with probability 1/2 (Osborne 2004, section 9.2)."""
    return BayesianGame(
        ["P1", "P2"],
        types={"P1": ["one"], "P2": ["meet", "avoid"]},
        actions={"P1": ["B", "S"], "P2": ["B", "S"]},
        prior={("one", "meet"): 0.5, ("one", "avoid"): 0.5},
        payoffs={
            "one/meet": {"P1": [[2, 0], [0, 1]], "P2": [[1, 0], [0, 2]]},
            "one/avoid": {"P1": [[2, 0], [0, 1]], "P2": [[0, 2], [1, 0]]},
        },
    )


def test_bayesian_battle_of_the_sexes_has_three_equilibria_worked_by_hand():
    # x = P(P1 plays B); P2's types play B with y_meet, y_avoid. P1: B pays y_m + y_a,
    # S pays 1 - (y_m + y_a)/2, so P1 mixes iff y_m + y_a = 2/3. Type meet plays B iff
    # x >= 2/3 (x vs 2(1 - x)); type avoid plays B iff x <= 1/3 (1 - x vs 2x). Hence
    # (B; B, S), (x = 2/3; y_m = 2/3, y_a = 0) and (x = 1/3; y_m = 0, y_a = 2/3).
    solution = battle_of_the_sexes().solve()
    assert not solution.degenerate and solution.method == "support"
    expected = [
        ([1, 0], [1, 0, 0, 1]),
        ([2 / 3, 1 / 3], [2 / 3, 1 / 3, 0, 1]),
        ([1 / 3, 2 / 3], [0, 1, 2 / 3, 1 / 3]),
    ]
    assert behaviours(solution) == profile_set(expected)
    values = {tuple(np.round(eq.behaviour[0][0], 6)): eq for eq in solution}
    pure = values[(1.0, 0.0)]
    assert pure.is_pure and pure.as_dict() == {
        "P1": {"one": {"B": 1.0, "S": 0.0}},
        "P2": {"meet": {"B": 1.0, "S": 0.0}, "avoid": {"B": 0.0, "S": 1.0}},
    }
    # P1 earns 2 half the time; meet earns 1, avoid 2 (it plays S against B).
    np.testing.assert_allclose(pure.payoffs, [1, 1.5])
    assert pure.interim_payoffs() == {"P1": {"one": 1.0}, "P2": {"meet": 1.0, "avoid": 2.0}}
    mixed = values[(round(2 / 3, 6), round(1 / 3, 6))]
    assert mixed.support == {"P1": {"one": ("B", "S")}, "P2": {"meet": ("B", "S"), "avoid": ("S",)}}
    # P1 earns y_m + y_a = 2/3; meet is indifferent at x = 2/3 (1 * x), avoid earns 2x.
    np.testing.assert_allclose(mixed.payoffs, [2 / 3, (2 / 3 + 4 / 3) / 2])
    np.testing.assert_allclose(mixed.interim[1], [2 / 3, 4 / 3])
    assert "P2[meet]=(B 0.6667, S 0.3333)" in repr(mixed)


def entry(**defaults) -> BayesianGame:
    """Fudenberg and Tirole's (1991, section 6.1) entry game: the incumbent (high cost of
    building with probability p) builds or not; the entrant enters or not."""
    params = [
        Param("p", defaults.get("p", 0.6), 0, 1),
        Param("cost", defaults.get("cost", 1.5), 0, 3),
    ]
    incumbent = [["3 - cost", "5 - cost"], [2, 3]]
    entrant = [[-1, 0], [1, 0]]
    return BayesianGame(
        ["Incumbent", "Entrant"],
        types={"Incumbent": ["high", "low"], "Entrant": ["entrant"]},
        actions={"Incumbent": ["build", "not"], "Entrant": ["enter", "stay_out"]},
        prior={"high/entrant": "p", "low/entrant": "1 - p"},
        payoffs={
            "high/entrant": {"Incumbent": incumbent, "Entrant": entrant},
            "low/entrant": {"Incumbent": [[3, 5], [2, 3]], "Entrant": entrant},
        },
        params=params,
    )


@pytest.mark.parametrize("p", [0.1, 0.3, 0.45])
def test_entry_game_below_one_half_has_one_equilibrium(p):
    # The low type builds (dominant); the high type builds iff P(enter) <= 2 - cost.
    # Entering pays 1 - 2 P(build); with both types building the entrant stays out.
    # Keeping out needs P(build) = 1 - p + p x >= 1/2: always when x = 1, and an
    # equilibrium without the high type building needs 1 - p >= 1/2 and y = 0, where
    # the high type prefers to build: so one equilibrium for p < 1/2.
    (eq,) = entry().solve(p=p)
    assert eq.as_dict()["Incumbent"] == {
        "high": {"build": 1.0, "not": 0.0},
        "low": {"build": 1.0, "not": 0.0},
    }
    assert eq.as_dict()["Entrant"] == {"entrant": {"enter": 0.0, "stay_out": 1.0}}
    # Payoffs: high 5 - 1.5 = 3.5, low 5, the entrant 0.
    np.testing.assert_allclose(eq.payoffs, [3.5 * p + 5 * (1 - p), 0])


@pytest.mark.parametrize(("p", "cost"), [(0.6, 1.5), (0.75, 1.5), (0.9, 1.2), (0.7, 1.9)])
def test_entry_game_above_one_half_has_three_equilibria_worked_by_hand(p, cost):
    # For p > 1/2 two more: (not, build; enter) since P(build) = 1 - p < 1/2, and a mixed
    # one where the entrant is indifferent, 1 - p + p x = 1/2, so x = 1 - 1/(2p), and the
    # high type is indifferent, (3 - c) y + (5 - c)(1 - y) = 2y + 3(1 - y): y = 2 - c.
    solution = entry().solve(p=p, cost=cost)
    assert not solution.degenerate
    x, y = 1 - 1 / (2 * p), 2 - cost
    expected = [
        ([1, 0, 1, 0], [0, 1]),
        ([0, 1, 1, 0], [1, 0]),
        ([x, 1 - x, 1, 0], [y, 1 - y]),
    ]
    assert behaviours(solution) == profile_set(expected)
    mixed = next(eq for eq in solution if not eq.is_pure)
    high = (3 - cost) * y + (5 - cost) * (1 - y)
    low = 3 * y + 5 * (1 - y)
    np.testing.assert_allclose(mixed.interim[0], [high, low])
    np.testing.assert_allclose(mixed.payoffs, [p * high + (1 - p) * low, 0], atol=1e-12)


def test_entry_threshold_sweep_and_model():
    model = bargain.Model(entry(), {"entry_risk": "p_Entrant_entrant_enter"}, name="entry")
    found = bargain.threshold(model, "p", "n_equilibria", (0.2, 0.8))
    assert found.value == pytest.approx(0.5, abs=1e-6)
    assert (found.below, found.above) == (1, 3)
    result = bargain.sweep(model, {"p": [0.2, 0.4, 0.6, 0.8]}, progress=False)
    frame = result.to_frame()
    assert frame["n_equilibria"].tolist() == [1, 1, 3, 3]
    assert (
        frame["regime"].tolist()[:2] == ["Incumbent: high=build, low=build; Entrant: stay_out"] * 2
    )
    np.testing.assert_allclose(frame["entry_risk"][:2], [0, 0])
    long = result.to_frame(long=True)
    mixed = long[long["regime"] == "Incumbent: high=mixed, low=build; Entrant: mixed"]
    np.testing.assert_allclose(mixed["p_Incumbent_high_build"], [1 - 1 / 1.2, 1 - 1 / 1.6])
    np.testing.assert_allclose(mixed["entry_risk"], [0.5, 0.5])
    assert (long["regret"] <= 1e-12).all()


def test_cournot_duopoly_with_a_private_cost():
    # Demand 10 - Q; firm 1's unit cost 1, firm 2's 1 or 4 with probability 1/2 each.
    # Continuous best responses: q2(c) = (9 - q1)/2 or (6 - q1)/2, q1 = (9 - E q2)/2,
    # so q1 = 3.5, q2 = 2.75 (low cost) or 1.25 (high); on grids that hold these values
    # they are the equilibrium, with profits q^2: 12.25, 2.75^2 and 1.25^2.
    grid1, grid2 = (2.5, 3.5, 4), (1.25, 2, 2.75)
    payoffs = {
        f"one/{kind}": {
            "F1": [[(9 - q1 - q2) * q1 for q2 in grid2] for q1 in grid1],
            "F2": [[(10 - c - q1 - q2) * q2 for q2 in grid2] for q1 in grid1],
        }
        for kind, c in (("low", 1), ("high", 4))
    }
    game = BayesianGame(
        ["F1", "F2"],
        types={"F1": ["one"], "F2": ["low", "high"]},
        actions={"F1": ["q2.5", "q3.5", "q4"], "F2": ["q1.25", "q2", "q2.75"]},
        prior={"one/low": 0.5, "one/high": 0.5},
        payoffs=payoffs,
    )
    (eq,) = game.solve()
    assert eq.support == {"F1": {"one": ("q3.5",)}, "F2": {"low": ("q2.75",), "high": ("q1.25",)}}
    np.testing.assert_allclose(eq.interim[1], [2.75**2, 1.25**2])
    np.testing.assert_allclose(eq.payoffs, [12.25, (2.75**2 + 1.25**2) / 2])
    u = np.array([[payoffs[f"one/{k}"][p] for k in ("low", "high")] for p in ("F1", "F2")])
    assert behaviours([eq]) == gambit_behaviours(u[:, None], [[1, 1]])  # unique, by Gambit too


def test_complete_information_is_the_normal_form():
    rng = np.random.default_rng(11)
    for _ in range(5):
        A, B = rng.uniform(size=(2, 3, 4))
        game = BayesianGame(
            ["R", "C"],
            types={"R": ["r"], "C": ["c"]},
            actions={"R": ["a", "b", "c"], "C": ["w", "x", "y", "z"]},
            prior={"r/c": 1},
            payoffs={"r/c": {"R": A, "C": B}},
        )
        normal = bargain.NormalFormGame.from_arrays(A, B).solve()
        assert behaviours(game.solve()) == profile_set(eq.profile for eq in normal)


# -- Gambit on the ex-ante strategic form --------------------------------------------------------


def ex_ante_by_loops(u, weights):
    """The ex-ante form by its definition: a strategy maps own types to actions; each
    payoff is the weighted sum over type profiles (weights need not sum to 1)."""
    _, k1, k2, m, n = np.shape(u)
    plans1 = list(product(range(m), repeat=k1))
    plans2 = list(product(range(n), repeat=k2))
    forms = [
        [
            [
                sum(
                    weights[t1][t2] * u[i][t1][t2][s1[t1]][s2[t2]]
                    for t1 in range(k1)
                    for t2 in range(k2)
                )
                for s2 in plans2
            ]
            for s1 in plans1
        ]
        for i in range(2)
    ]
    return forms, plans1, plans2


def gambit_behaviours(u, weights, rational=False) -> list[tuple[float, ...]]:
    """Gambit's extreme equilibria of the ex-ante form, each as behaviour (Kuhn), distinct."""
    _, k1, k2, m, n = np.shape(u)
    (A, B), plans1, plans2 = ex_ante_by_loops(u, weights)
    out = []
    for x, y in gambit_mixed(np.array(A), np.array(B), rational=rational):
        bx = [[sum(q for q, s in zip(x, plans1) if s[t] == a) for a in range(m)] for t in range(k1)]
        by = [[sum(q for q, s in zip(y, plans2) if s[t] == b) for b in range(n)] for t in range(k2)]
        out.append((np.ravel(bx), np.ravel(by)))
    return sorted(set(profile_set(out)))


def numeric_game(u, prior, params=()) -> BayesianGame:
    """Players R and C: u (2, K1, K2, m, n) and prior (K1, K2) hold numbers or formulas."""
    _, k1, k2, m, n = np.shape(u)
    types = {"R": [f"r{i}" for i in range(k1)], "C": [f"c{j}" for j in range(k2)]}
    profiles = {(types["R"][i], types["C"][j]): (i, j) for i in range(k1) for j in range(k2)}
    return BayesianGame(
        ["R", "C"],
        types=types,
        actions={"R": [f"a{i}" for i in range(m)], "C": [f"b{j}" for j in range(n)]},
        prior={key: prior[i][j] for key, (i, j) in profiles.items()},
        payoffs={key: {"R": u[0][i][j], "C": u[1][i][j]} for key, (i, j) in profiles.items()},
        params=params,
    )


SHAPES = [(1, 2, 2, 2), (2, 2, 2, 2), (2, 1, 3, 2), (2, 2, 3, 2), (2, 2, 3, 3), (3, 2, 2, 2)]


@pytest.mark.parametrize(("k1", "k2", "m", "n"), SHAPES)
def test_equilibria_equal_gambits_of_the_ex_ante_form(k1, k2, m, n):
    rng = np.random.default_rng(100 * k1 + 10 * k2 + m + n)
    for _ in range(6 if k1 * k2 * m * n <= 16 else 3):
        u = rng.uniform(size=(2, k1, k2, m, n))
        prior = rng.uniform(0.1, 1, size=(k1, k2))
        prior /= prior.sum()
        forms, _, _ = ex_ante_by_loops(u, prior)
        np.testing.assert_allclose(
            kernels.ex_ante_form(u[..., None], prior[..., None])[..., 0], forms
        )
        game = numeric_game(u, prior)
        solution = game.solve()
        assert not solution.degenerate  # random payoffs: the agent form is nondegenerate
        assert behaviours(solution) == gambit_behaviours(u, prior)
        assert behaviours(quiet(game.solve, method="ex-ante")) == behaviours(solution)


@SETTINGS
@given(
    st.integers(1, 2),
    st.integers(1, 2),
    st.integers(2, 3),
    st.integers(2, 3),
    st.integers(0, 2**32 - 1),
)
def test_games_not_flagged_degenerate_have_gambits_exact_equilibrium_set(k1, k2, m, n, seed):
    # Integer payoffs tie often: a game not flagged must still have Gambit's exact set.
    rng = np.random.default_rng(seed)
    u = rng.integers(-3, 4, size=(2, k1, k2, m, n))
    weights = rng.integers(1, 4, size=(k1, k2))
    game = numeric_game(u, weights / weights.sum())
    solution = quiet(game.solve)
    assert_verified(game, solution)
    if not solution.degenerate:
        exact = [
            [[[[Fraction(int(v)) for v in row] for row in b] for b in a] for a in p] for p in u
        ]
        assert behaviours(solution) == gambit_behaviours(exact, weights.tolist(), rational=True)


def test_support_equals_ex_ante_on_random_games():
    rng = np.random.default_rng(5)
    for _ in range(30):
        k1, k2 = rng.integers(1, 3, size=2)
        m, n = rng.integers(2, 4, size=2)
        game = numeric_game(
            rng.uniform(size=(2, k1, k2, m, n)), rng.dirichlet(np.ones(k1 * k2)).reshape(k1, k2)
        )
        assert behaviours(quiet(game.solve, method="ex-ante")) == behaviours(game.solve())


# -- the agent form: pure equilibria of three players ----------------------------------------------


def interim_beliefs(prior: np.ndarray, i: int, k: int) -> dict[tuple[int, ...], float]:
    """Type k of player i's beliefs over type profiles (t with t_i = k), by Bayes' rule;
    for a type of probability 0, the others' marginal distribution."""
    profiles = [t for t in product(*map(range, prior.shape)) if t[i] == k]
    total = sum(prior[t] for t in profiles)
    if total > 0:
        return {t: prior[t] / total for t in profiles}
    others = lambda t: t[:i] + t[i + 1 :]  # noqa: E731
    return {
        t: sum(prior[s] for s in np.ndindex(prior.shape) if others(s) == others(t))
        for t in profiles
    }


def brute_force_pure(u, prior) -> set[tuple[int, ...]]:
    """Every pure profile of type-strategies where no type gains by another action,
    checked with plain loops over interim beliefs."""
    n_players = len(u)
    n_types = prior.shape
    n_actions = u.shape[1 + n_players :]
    plans = [list(product(range(m), repeat=k)) for m, k in zip(n_actions, n_types)]
    found = set()
    for profile in product(*plans):
        stable = True
        for i in range(n_players):
            for k in range(n_types[i]):
                beliefs = interim_beliefs(prior, i, k)

                def value(a, i=i, beliefs=beliefs, profile=profile):
                    out = 0.0
                    for t, weight in beliefs.items():
                        acts = [profile[j][t[j]] for j in range(n_players)]
                        acts[i] = a
                        out += weight * u[(i, *t, *acts)]
                    return out

                best = max(value(a) for a in range(n_actions[i]))
                stable &= value(profile[i][k]) >= best - 1e-12
        if stable:
            found.add(tuple(a for plan in profile for a in plan))
    return found


def three_player_game(u, prior) -> BayesianGame:
    players = ["A", "B", "C"]
    types = {p: [f"{p.lower()}{k}" for k in range(prior.shape[i])] for i, p in enumerate(players)}
    actions = {p: [f"x{a}" for a in range(u.shape[4 + i])] for i, p in enumerate(players)}
    keys = list(product(*types.values()))
    index = list(product(*map(range, prior.shape)))
    return BayesianGame(
        players,
        types=types,
        actions=actions,
        prior={k: float(prior[t]) for k, t in zip(keys, index)},
        payoffs={k: {p: u[(i, *t)] for i, p in enumerate(players)} for k, t in zip(keys, index)},
    )


@pytest.mark.parametrize("seed", range(6))
def test_pure_equilibria_of_three_players_equal_brute_force(seed):
    rng = np.random.default_rng(seed)
    n_types = tuple(rng.integers(1, 3, size=3))
    n_actions = tuple(rng.integers(2, 4, size=3))
    u = rng.uniform(size=(3, *n_types, *n_actions))
    prior = rng.dirichlet(np.ones(int(np.prod(n_types)))).reshape(n_types)
    if seed % 2:  # correlated types with a zero in the prior
        prior.flat[0] = 0
        prior /= prior.sum()
    game = three_player_game(u, prior)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoEquilibriumWarning)
        solution = game.solve()
    assert solution.method == "pure"
    ours = {tuple(int(np.argmax(row)) for b in eq.behaviour for row in b) for eq in solution}
    assert ours == brute_force_pure(u, prior)
    assert_verified(game, solution)


def test_three_players_need_method_pure():
    game = three_player_game(np.ones((3, 1, 1, 1, 2, 2, 2)), np.ones((1, 1, 1)))
    with pytest.raises(ModelError, match=r"method 'support' needs a two-player game; .*'pure'"):
        game.solve(method="support")


# -- properties -----------------------------------------------------------------------------------


def assert_verified(game: BayesianGame, solution) -> None:
    """No type gains by deviating, by an independent computation of interim payoffs."""
    values = solution.values
    bound = game.params.bind_batch({k: [v] for k, v in values.items()})
    prior, payoffs = (a[..., 0] for a in game.evaluate(bound))
    n_players = len(game.players)
    scale = max(1.0, float(np.abs(payoffs).max()))
    for eq in solution:
        for i in range(n_players):
            for k in range(game.n_types[i]):
                value = np.zeros(game.n_actions[i])
                for t, weight in interim_beliefs(prior, i, k).items():
                    u = payoffs[(i, *t)]
                    for j in reversed(range(n_players)):
                        if j != i:
                            u = np.tensordot(u, eq.behaviour[j][t[j]], axes=([j], [0]))
                    value += weight * u
                mix = eq.behaviour[i][k]
                assert (mix >= -1e-12).all() and abs(mix.sum() - 1) < 1e-9
                assert value.max() - mix @ value <= 1e-9 * scale


@st.composite
def parameterized(draw):
    """Two players with one or two types; payoffs are formulas in s, the prior in r."""
    k1, k2, m, n = (draw(st.integers(lo, hi)) for lo, hi in ((1, 2), (1, 2), (2, 3), (2, 3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    A = rng.integers(-3, 4, size=(2, k1, k2, m, n))
    B = rng.integers(-2, 3, size=(2, k1, k2, m, n))
    u = np.vectorize(lambda a, b: f"{a} + {b} * s")(A, B)
    low, high = (rng.dirichlet(np.ones(k1 * k2)).reshape(k1, k2) for _ in range(2))
    prior = np.vectorize(lambda a, b: f"{a!r} * r + {b!r} * (1 - r)")(low, high)
    return numeric_game(u, prior, params=[Param("s", 0, -2, 2), Param("r", 0.5, 0, 1)])


@SETTINGS
@given(
    parameterized(),
    st.lists(st.tuples(st.floats(-2, 2), st.sampled_from([0, 0.3, 1])), min_size=1, max_size=4),
)
def test_every_equilibrium_is_verified_and_a_batch_equals_its_points(game, points):
    s, r = (list(v) for v in zip(*points))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        batch = game.solve_batch({"s": s, "r": r})
        for i in range(len(points)):
            alone = game.solve(s=s[i], r=r[i])
            assert behaviours(batch[i]) == behaviours(alone)
            assert batch[i].degenerate == alone.degenerate
            assert len(alone) >= 1  # Lemke-Howson on the ex-ante form where support fails
            assert_verified(game, alone)
    for method in ("pure", "ex-ante"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateGameWarning)
            warnings.simplefilter("ignore", NoEquilibriumWarning)
            other = game.solve_batch({"s": s, "r": r}, method=method)
        for i in range(len(points)):
            assert_verified(game, other[i])
            if not batch[i].degenerate:
                assert set(behaviours(other[i])) <= set(behaviours(batch[i]))


# -- types of probability 0, degenerate games, budgets ------------------------------------------


@pytest.mark.parametrize("method", ["support", "ex-ante", "pure"])
def test_a_type_of_probability_zero_still_best_responds(method):
    # At p = 0 the high type does not occur; with its beliefs (the entrant's single type)
    # it builds against an entrant that stays out: one equilibrium, as just above 0.
    (eq,) = quiet(entry().solve, p=0, method=method)
    assert eq.support["Incumbent"] == {"high": ("build",), "low": ("build",)}
    np.testing.assert_allclose(eq.interim[0], [3.5, 5])  # the high type's payoff if it occurred
    assert eq.payoffs[0] == 5
    # At p = 1 the low type does not occur and builds (dominant) in all three equilibria.
    solution = entry().solve(p=1)
    assert len(solution) == 3 and not solution.degenerate
    assert all(eq.support["Incumbent"]["low"] == ("build",) for eq in solution)


def test_a_degenerate_point_is_flagged_and_warned():
    # At p = 1/2 the entrant is indifferent when the high type stays out: a component.
    with pytest.warns(DegenerateGameWarning, match="the game is degenerate"):
        solution = entry().solve(p=0.5)
    assert solution.degenerate and len(solution) >= 2
    assert_verified(entry(), solution)
    with pytest.warns(DegenerateGameWarning, match="1 of 3 games are degenerate"):
        batch = entry().solve_batch({"p": [0.3, 0.5, 0.7]})
    assert batch.degenerate.tolist() == [False, True, False]
    assert batch.columns()["degenerate"].sum() == batch.count[1]


def test_a_point_where_support_finds_nothing_is_solved_by_lemke_howson_on_the_ex_ante_form():
    # A degenerate bimatrix game (tests/test_reliability.py) where support enumeration
    # finds no equilibrium; with one type each it is a Bayesian game.
    A = np.array([[1, 1, 0, 2, 2], [2, 1, 1, 1, 1], [1, 1, 2, 0, 0]], dtype=float)
    B = np.array([[2, 1, 2, 0, 0], [0, 0, 2, 2, 1], [2, 0, 1, 2, 1]], dtype=float)
    assert len(support_enumeration(np.stack([A, B])[..., None]).point) == 0
    game = numeric_game(np.array([A, B])[:, None, None], [[1]])
    solution = quiet(game.solve)
    assert len(solution) >= 1 and solution.degenerate and solution.method == "lemke-howson"
    assert_verified(game, solution)
    gambit = set(profile_set(gambit_mixed(A, B)))
    assert set(behaviours(solution)) <= gambit


def test_budgets_are_checked_before_any_work():
    assert kernels.excess_counts(2, 3) == [9, 18, 15, 6, 1]
    assert kernels.support_pairs((2, 2), (2, 2)) == 16 + 16 + 1
    u = np.zeros((2, 6, 6, 4, 4))
    game = numeric_game(u, np.full((6, 6), 1 / 36))
    with pytest.raises(BudgetError, match=r"pairs of support profiles per point.*method='pure'"):
        game.solve()
    small = numeric_game(np.zeros((2, 3, 3, 3, 3)), np.full((3, 3), 1 / 9))
    with pytest.raises(BudgetError, match=r"ex-ante form has 27x27 strategies.*method='support'"):
        small.solve(method="ex-ante")


# -- measures and labels ------------------------------------------------------------------------


def test_measure_names_equal_the_columns_and_labels_are_idents():
    game = BayesianGame(
        ["U.S.", "Iran"],
        types={"U.S.": ["hard line", "soft"], "Iran": ["one"]},
        actions={"U.S.": ["press", "talk"], "Iran": ["a", "b"]},
        prior={"hard line/one": 0.5, "soft/one": 0.5},
        payoffs={
            "hard line/one": {"U.S.": [[1, 0], [0, 2]], "Iran": [[2, 0], [0, 1]]},
            "soft/one": {"U.S.": [[0, 1], [2, 0]], "Iran": [[2, 0], [0, 1]]},
        },
    )
    batch = game.solve_batch({})
    assert set(game.measure_names()) == {*batch.measure_columns(), "n_equilibria"}
    assert "u_U_S__hard_line" in game.measure_names()
    assert "p_U_S__soft_talk" in game.measure_names()
    assert form_class("bayesian") is BayesianGame


def test_measure_names_that_collide_are_refused():
    with pytest.raises(ModelError, match="measure name 'u_A_x' stands for both"):
        BayesianGame(
            ["A", "A_x"],
            types={"A": ["x"], "A_x": ["y"]},
            actions={"A": ["a"], "A_x": ["b"]},
            prior={"x/y": 1},
            payoffs={"x/y": {"A": [[0]], "A_x": [[0]]}},
        )


# -- model files ---------------------------------------------------------------------------------

ENTRY = """\
[model]
name = "entry"

[params.p]
default = 0.6
low = 0
high = 1

[game]
form = "bayesian"
players = ["Incumbent", "Entrant"]

[game.types]
Incumbent = ["high", "low"]
Entrant = ["entrant"]

[game.actions]
Incumbent = ["build", "not"]
Entrant = ["enter", "stay_out"]

[game.prior]
"high/entrant" = "p"
"low/entrant" = "1 - p"

[game.payoffs."high/entrant"]
Incumbent = [[1.5, 3.5], [2, 3]]
Entrant = [[-1, 0], [1, 0]]

[game.payoffs."low/entrant"]
Incumbent = [[3, 5], [2, 3]]
Entrant = [[-1, 0], [1, 0]]
"""


def test_model_file_round_trip():
    model = loads_model(ENTRY, "entry.toml")
    assert isinstance(model.game, BayesianGame)
    text = dumps_model(model)
    again = loads_model(text, "again.toml")
    assert again.fingerprint() == model.fingerprint() and dumps_model(again) == text
    assert '"high/entrant" = "p"' in text
    assert (
        behaviours(again.solve(p=0.7))
        == behaviours(model.solve(p=0.7))
        == behaviours(entry(cost=1.5).solve(p=0.7))
    )
    spec = model.game.spec(str)
    rebuilt = BayesianGame(
        spec["players"],
        spec["types"],
        spec["actions"],
        spec["prior"],
        spec["payoffs"],
        params=model.params,
    )
    assert rebuilt.spec(str) == spec


def test_payoffs_keyed_by_action_profile_equal_nested_arrays():
    keyed = ENTRY.replace(
        "Incumbent = [[3, 5], [2, 3]]",
        'Incumbent = { "build/enter" = 3, "build/stay_out" = 5, "not/enter" = 2, '
        '"not/stay_out" = 3 }',
    )
    assert loads_model(keyed, "k.toml").fingerprint() == loads_model(ENTRY, "e.toml").fingerprint()


BAD_FILES = [  # (text in ENTRY, its replacement, the start of the message)
    (
        '"low/entrant" = "1 - p"',
        '"low/entrant" = "0.9 - p"',
        "bad.toml: game.prior: the probabilities sum to 0.9, not 1, at p=0.6",
    ),
    (
        '"low/entrant" = "1 - p"',
        '"low/entrant" = "0.5 - p"',
        'bad.toml: game.prior."low/entrant": 0.5 - p = -0.1 at p=0.6: a probability '
        "cannot be negative (1 of 1 points)",
    ),
    (
        '"low/entrant" = "1 - p"\n',
        "",
        "bad.toml: game.prior: missing 1 type profile ('low/entrant'); every type profile "
        "needs an entry (0 is allowed)",
    ),
    (
        'Entrant = ["entrant"]',
        'Entrant = ["entrant", "other"]',
        "bad.toml: game.prior: missing 2 type profiles ('high/other', 'low/other')",
    ),
    (
        '[game.payoffs."low/entrant"]\nIncumbent = [[3, 5], [2, 3]]\nEntrant = [[-1, 0], [1, 0]]\n',
        "",
        "bad.toml: game.payoffs: missing 1 type profile ('low/entrant')",
    ),
    (
        '"high/entrant" = "p"',
        '"hihg/entrant" = "p"',
        """bad.toml: game.prior."hihg/entrant": unknown type 'hihg' of Incumbent """
        "(did you mean 'high'?); its types: high, low",
    ),
    (
        '"high/entrant" = "p"',
        '"high" = "p"',
        "bad.toml: game.prior.high: expected a type profile: one type per player "
        "(Incumbent, Entrant) joined by '/', got 1 part",
    ),
    (
        "Incumbent = [[3, 5], [2, 3]]",
        'Incumbent = { "build/enter" = 3, "build/stay" = 5, "not/enter" = 2, "not/stay_out" = 3 }',
        """bad.toml: game.payoffs."low/entrant".Incumbent."build/stay": unknown action """
        "'stay' of Entrant (did you mean 'stay_out'?)",
    ),
    (
        "Incumbent = [[3, 5], [2, 3]]",
        'Incumbent = { "build/enter" = 3, "not/enter" = 2, "not/stay_out" = 3 }',
        """bad.toml: game.payoffs."low/entrant".Incumbent: missing 1 action profile """
        "('build/stay_out')",
    ),
    (
        "Incumbent = [[3, 5], [2, 3]]",
        "Incumbent = [[3, 5]]",
        """bad.toml: game.payoffs."low/entrant".Incumbent: expected an array of 2 entries, """
        "one per action of Incumbent (build, not)",
    ),
    (
        "Incumbent = [[3, 5], [2, 3]]",
        'Incumbent = [[3, 5], [2, "3 + q"]]',
        """bad.toml: game.payoffs."low/entrant".Incumbent[1][1]: unknown name 'q'""",
    ),
    (
        "Incumbent = [[3, 5], [2, 3]]",
        'Incumbent = [[3, 5], [2, "1/(p - 0.6)"]]',
        """bad.toml: game.payoffs."low/entrant".Incumbent[1][1]: 1/(p - 0.6) is not finite """
        "at p=0.6",
    ),
    (
        'Incumbent = ["high", "low"]',
        'Incumbent = ["high", "lo/w"]',
        "bad.toml: game.types.Incumbent[1]: 'lo/w' contains '/'",
    ),
    (
        'Entrant = ["enter", "stay_out"]',
        'Entrant = ["enter", "stay_out"]\nEntrants = ["x"]',
        "bad.toml: game.actions.Entrants: unknown player",
    ),
    (
        'players = ["Incumbent", "Entrant"]',
        'players = ["Incumbent", "Entrant"]\nprio = 1',
        "bad.toml: game.prio: unknown key (did you mean 'prior'?)",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BAD_FILES)
def test_model_file_errors_name_the_file_and_the_key(old, new, message):
    assert old in ENTRY
    with pytest.raises((ModelError, FormulaError), match=re.escape(message)):
        loads_model(ENTRY.replace(old, new, 1), "bad.toml")


def test_a_negative_prior_in_a_sweep_names_the_entry_and_the_point():
    game = BayesianGame(
        ["A", "B"],
        types={"A": ["x", "y"], "B": ["z"]},
        actions={"A": ["a", "b"], "B": ["c", "d"]},
        prior={"x/z": "2*p", "y/z": "1 - 2*p"},
        payoffs={
            "x/z": {"A": [[1, 0], [0, 1]], "B": [[1, 0], [1, 0]]},
            "y/z": {"A": [[0, 2], [1, 0]], "B": [[1, 0], [1, 0]]},
        },
        params=[Param("p", 0.25, 0, 1)],
    )
    assert not game.solve().degenerate and len(game.solve()) == 1
    message = (
        r"prior\['y/z'\]: 1 - 2\*p = -0\.6 at p=0\.8: a probability cannot be negative \(1 of 3"
    )
    with pytest.raises(ModelError, match=message):
        game.solve_batch({"p": [0.2, 0.8, 0.5]})


def test_python_errors_name_the_argument():
    base = dict(
        players=["A", "B"],
        types={"A": ["x"], "B": ["y"]},
        actions={"A": ["a", "b"], "B": ["c"]},
        prior={"x/y": 1},
        payoffs={"x/y": {"A": [[1], [2]], "B": [[0], [0]]}},
    )
    with pytest.raises(ModelError, match=r"types: expected exactly the players \['A', 'B'\]"):
        BayesianGame(**{**base, "types": {"A": ["x"]}})
    with pytest.raises(ModelError, match=r"prior\['x/z'\]: unknown type 'z' of B"):
        BayesianGame(**{**base, "prior": {"x/z": 1}})
    with pytest.raises(
        ModelError, match=r"prior\[\('x', 'y'\)\]: the type profile 'x/y' is given twice"
    ):
        BayesianGame(**{**base, "prior": {"x/y": 1, ("x", "y"): 1}})
    with pytest.raises(ModelError, match=r"payoffs\['x/y'\]\['A'\]\[1\]: expected a list of 1"):
        BayesianGame(**{**base, "payoffs": {"x/y": {"A": [[1], 2], "B": [[0], [0]]}}})
    with pytest.raises(ModelError, match=r"payoffs\['x/y'\]\['A'\]\['a/d'\]: unknown action 'd'"):
        BayesianGame(**{**base, "payoffs": {"x/y": {"A": {"a/d": 1}, "B": [[0], [0]]}}})
    with pytest.raises(ModelError, match="unknown method 'mixed'"):
        BayesianGame(**base).solve(method="mixed")


# -- models, sweeps and the command line ----------------------------------------------------------


def test_the_example_model_through_model_sweep_threshold_and_cli(tmp_path):
    path = ROOT / "examples" / "bayesian_entry.toml"
    model = bargain.load_model(path)
    flip = bargain.threshold(model.with_measures({}), "p", "n_equilibria", (0.2, 0.8), loss=3)
    assert flip.value == pytest.approx(0.75, abs=1e-6)  # loss / (gain + loss)
    runner = CliRunner()
    done = runner.invoke(main, ["solve", str(path), "-p", "p=0.8", "--format", "json"])
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)["equilibria"]
    assert len(rows) == 3 and {row["n_equilibria"] for row in rows} == {3}
    mixed = next(row for row in rows if row["pure"] == 0)
    assert mixed["p_US_stretched_reinforce"] == pytest.approx(1 - 1 / 1.6)
    assert mixed["escalation"] == pytest.approx(0.5)
    done = runner.invoke(main, ["solve", str(path), "--method", "ex-ante"])
    assert done.exit_code == 0 and "3 equilibria" in done.output
    done = runner.invoke(
        main, ["sweep", str(path), "-g", "p=0.2,0.8", "--columns", "p,n_equilibria"]
    )
    assert done.exit_code == 0 and done.output.splitlines()[-2:] == ["0.2,1.0", "0.8,3.0"]
