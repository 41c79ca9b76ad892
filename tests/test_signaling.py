"""Signaling games: PBE sets of textbook games, belief sets, refinements and the protocol.

Equilibrium sets are checked against numbers worked by hand (beer-quiche, a
job-market game, cheap talk, a three-type game with a polytope of beliefs),
against Gambit (every PBE a Nash equilibrium of the extensive form; the pure
Nash equilibria sequentially rational at some beliefs are exactly the pure
PBE; the equilibria in which a type mixes are exactly the semi-separating
ones) and against plain-Python definitions of Bayes' rule, regrets, the
Intuitive Criterion and D1 (scipy's linear programs where a belief or a
mixture must be found).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import warnings
from fractions import Fraction
from itertools import pairwise, product
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

import bargain
from bargain import BudgetError, FormulaError, ModelError, Param
from bargain.errors import DegenerateGameWarning, NoEquilibriumWarning
from bargain.games import form_class
from bargain.games.signaling import SignalingGame
from bargain.io import dumps_model, loads_model
from bargain.solvers.beliefs import polytope_vertices
from bargain.solvers.signaling import SEMI_SEPARATING, signaling_equilibria

ROOT = Path(__file__).parents[1]
GESTURE = ROOT / "examples" / "gesture_signal.toml"
TOL = 1e-9


def quiet(fn, *args, **kwargs):
    """Call with bargain's warnings silenced (ties, empty points)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        warnings.simplefilter("ignore", NoEquilibriumWarning)
        return fn(*args, **kwargs)


# -- games ----------------------------------------------------------------------------------


def beer_quiche() -> SignalingGame:
    """Cho and Kreps (1987): a weak type likes quiche, a strong one beer (+1 for the liked
    breakfast); both get +2 when not dueled; B gets 1 for dueling the weak type or for
    leaving the strong one alone, else 0."""
    wants = {"duel": 0, "not": 2}

    def table(liked: str, weak: bool) -> dict:
        return {
            m: {a: (wants[a] + (m == liked), int((a == "duel") == weak)) for a in wants}
            for m in ("beer", "quiche")
        }

    return SignalingGame(
        "A",
        "B",
        {"weak": "p", "strong": "1 - p"},
        ["beer", "quiche"],
        ["duel", "not"],
        {"weak": table("quiche", True), "strong": table("beer", False)},
        params=[Param("p", 0.1, 0, 1)],
    )


def job_market() -> SignalingGame:
    """Spence (1973), discrete: ability 1 (low) or 2 (high, prior p); education costs k
    to the low type and k/2 to the high one; the employer pays a wage of 1, 1.5 or 2
    and loses the squared gap between the wage and the ability."""
    wages = {"w1": 1.0, "w15": 1.5, "w2": 2.0}
    payoffs = {}
    for t, (ability, cost) in {"low": (1, "k"), "high": (2, "k/2")}.items():
        payoffs[t] = {
            m: {
                a: (f"{w} - {cost}" if m == "edu" else w, -((w - ability) ** 2))
                for a, w in wages.items()
            }
            for m in ("none", "edu")
        }
    return SignalingGame(
        "worker",
        "firm",
        {"low": "1 - p", "high": "p"},
        ["none", "edu"],
        list(wages),
        payoffs,
        params=[Param("p", 0.2, 0, 1), Param("k", 1.5, 0, 4)],
    )


def cheap_talk() -> SignalingGame:
    """Two states (0 and 1, equally likely), costless messages, actions 0, 0.5 and 1;
    the receiver loses the squared distance to the state, the sender the squared
    distance to the state plus its bias b (Crawford and Sobel 1982, two states)."""
    actions = {"left": 0.0, "centre": 0.5, "right": 1.0}
    payoffs = {
        t: {
            m: {a: (f"-({x} - {theta} - b)**2", -((x - theta) ** 2)) for a, x in actions.items()}
            for m in ("say_low", "say_high")
        }
        for t, theta in {"L": 0, "H": 1}.items()
    }
    return SignalingGame(
        "expert",
        "policymaker",
        {"L": 0.5, "H": 0.5},
        ["say_low", "say_high"],
        list(actions),
        payoffs,
        params=[Param("b", 0.1, 0, 1)],
    )


def random_arrays(rng: np.random.Generator, n_types: int, n_messages: int, n_actions: int):
    prior = rng.dirichlet(np.ones(n_types))
    shape = (n_types, n_messages, n_actions)
    return prior, rng.normal(size=shape), rng.normal(size=shape)


def regimes(solution) -> list[str]:
    return sorted(eq.regime for eq in solution)


# -- beer-quiche ----------------------------------------------------------------------------


def test_beer_quiche_has_exactly_the_two_pooling_equilibria():
    by_regime = {eq.regime: eq for eq in beer_quiche().solve()}
    assert sorted(by_regime) == ["pooling on beer", "pooling on quiche"]
    beer, quiche = by_regime["pooling on beer"], by_regime["pooling on quiche"]
    assert beer.sender == {"weak": {"beer": 1, "quiche": 0}, "strong": {"beer": 1, "quiche": 0}}
    assert beer.receiver == {"beer": {"duel": 0, "not": 1}}  # the prior: 0.9 strong
    assert beer.beliefs == {"beer": pytest.approx({"weak": 0.1, "strong": 0.9})}
    # By hand: the weak type gets 2 (beer, no duel), the strong 3; A expects
    # 0.1 * 2 + 0.9 * 3 = 2.9; B leaves the strong type alone: 0.9.
    assert beer.values == pytest.approx({"weak": 2, "strong": 3})
    assert beer.payoffs == pytest.approx({"A": 2.9, "B": 0.9})
    assert quiche.values == pytest.approx({"weak": 3, "strong": 2})
    assert quiche.payoffs == pytest.approx({"A": 2.1, "B": 0.9})
    assert beer.kind == quiche.kind == "pooling" and not beer.ties


def test_per_point_tables_count_every_pbe_whatever_is_selected():
    """Two pools and no selection: blank measures, but n_pbe (a property of the point) is
    2; refined by the Intuitive Criterion, the beer pool is the unique survivor."""
    points = {"p": [0.1, 0.3]}
    table = bargain.Model(beer_quiche()).evaluate(points)["points"]
    assert table["n_pbe"].tolist() == [2, 2] and table["n_equilibria"].tolist() == [2, 2]
    assert np.isnan(table["u_A"]).all() and not table["selected_unique"].any()
    refined = bargain.Model(beer_quiche(), refine="intuitive").evaluate(points)["points"]
    assert refined["n_pbe"].tolist() == [2, 2] and refined["n_equilibria"].tolist() == [1, 1]
    assert refined["regime"].tolist() == ["pooling on beer"] * 2


def test_beer_quiche_off_path_beliefs_are_intervals_worked_by_hand():
    by_regime = {eq.regime: eq for eq in beer_quiche().solve()}
    # After quiche in the beer pool, B must duel (else the weak type, 2 in
    # equilibrium, takes quiche for 3). Duel is best iff mu*1 >= (1 - mu)*1 with
    # mu = P(weak): mu >= 1/2. The same holds after beer in the quiche pool.
    (after_quiche,) = by_regime["pooling on beer"].off_path["quiche"]
    (after_beer,) = by_regime["pooling on quiche"].off_path["beer"]
    for belief_set in (after_quiche, after_beer):
        assert belief_set.action == "duel"
        assert belief_set.interval("weak") == pytest.approx((0.5, 1.0))
        assert belief_set.interval("strong") == pytest.approx((0.0, 0.5))
        assert str(belief_set) == "P(weak) >= 0.5"
        assert belief_set.inequalities() == ["P(weak) - P(strong) >= 0  (duel over not)"]
        assert belief_set.contains({"weak": 0.6, "strong": 0.4})
        assert not belief_set.contains([0.4, 0.6])
    data = by_regime["pooling on beer"].as_dict()
    assert data["off_path"]["quiche"][0]["intervals"]["weak"] == pytest.approx([0.5, 1.0])
    json.dumps(data)  # plain data


def test_intuitive_criterion_removes_the_quiche_pool_and_says_why():
    solution = beer_quiche().solve()
    verdicts = {eq.regime: (eq.intuitive, eq.d1) for eq in solution}
    assert verdicts == {"pooling on beer": (True, True), "pooling on quiche": (False, False)}
    quiche = next(eq for eq in solution if eq.regime == "pooling on quiche")
    # Beer is equilibrium-dominated for the weak type (2 < 3); the strong type gets
    # 2 in the quiche pool and 3 from beer when B, believing it strong, does not duel.
    assert quiche.why["intuitive"] == (
        "fails: strong would send beer: it gets 2 in equilibrium and at least 3 from beer "
        "whatever B replies to beliefs on {strong} (beer is equilibrium-dominated for {weak})"
    )
    assert quiche.why["d1"].startswith("fails: after beer D1 deletes {weak}")
    for refine in ("intuitive", "d1"):
        refined = beer_quiche().solve(refine=refine)
        assert regimes(refined) == ["pooling on beer"] and refined.n_pbe == 2
    frame = beer_quiche().solve_batch({"p": [0.1]}).to_frame()
    assert frame["intuitive"].tolist() == [1.0, 0.0] and frame["n_pbe"].tolist() == [2, 2]


def test_beer_quiche_when_weak_is_likely_is_semi_separating_with_hand_numbers():
    # P(weak) = 0.6: no pool survives (B duels at the prior). The strong type drinks
    # beer; the weak one takes beer with probability s so that P(weak | beer) = 1/2:
    # 0.6 s / (0.6 s + 0.4) = 1/2, s = 2/3; B duels a beer drinker with probability
    # 1/2, so that the weak type gets 2 * 1/2 = 1 from beer, as from quiche (duel).
    (eq,) = beer_quiche().solve(p=0.6)
    assert eq.regime == eq.kind == "semi-separating"
    assert eq.sender["weak"] == pytest.approx({"beer": 2 / 3, "quiche": 1 / 3})
    assert eq.sender["strong"] == {"beer": 1, "quiche": 0}
    assert eq.receiver["beer"] == pytest.approx({"duel": 0.5, "not": 0.5})
    assert eq.receiver["quiche"] == {"duel": 1, "not": 0}
    assert eq.beliefs["beer"] == pytest.approx({"weak": 0.5, "strong": 0.5})
    assert eq.values == pytest.approx({"weak": 1, "strong": 2})
    # A: 0.6 * 1 + 0.4 * 2; B: beer (probability 0.8) at belief 1/2 earns 1/2,
    # quiche (0.2) reveals the weak type, dueled: 1.
    assert eq.payoffs == pytest.approx({"A": 1.4, "B": 0.6})
    assert eq.off_path == {} and eq.why["intuitive"] == "survives: every message is sent"
    with pytest.warns(NoEquilibriumWarning, match="no pure PBE"):
        pure = beer_quiche().solve(p=0.6, mixed="none")
    assert len(pure) == 0 and pure.n_pbe == 0


# -- job market -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("p", "k", "expected"),
    [
        # Separating (low: none, high: edu) needs the low type not to mimic, 1 >= 2 - k,
        # and the high type to invest, 2 - k/2 >= 1: 1 <= k <= 2. Pooling on none holds
        # with education answered by wage 1. Pooling on edu needs the prior wage 2
        # (p > 3/4) and 2 - k >= 1 for the low type: k <= 1.
        (0.2, 0.5, ["pooling on none"]),
        (0.2, 1.5, ["pooling on none", "separating"]),
        (0.2, 2.5, ["pooling on none"]),
        (0.8, 0.4, ["pooling on edu", "pooling on none"]),
        (0.8, 1.5, ["pooling on none", "separating"]),
        (0.8, 2.5, ["pooling on none"]),
    ],
)
def test_job_market_pure_equilibria_by_hand(p, k, expected):
    solution = job_market().solve(p=p, k=k, mixed="none")
    assert regimes(solution) == expected
    separating = [eq for eq in solution if eq.kind == "separating"]
    for eq in separating:
        assert eq.sender["low"]["none"] == eq.sender["high"]["edu"] == 1
        assert eq.receiver == {
            "none": {"w1": 1, "w15": 0, "w2": 0},
            "edu": {"w1": 0, "w15": 0, "w2": 1},
        }
        assert eq.values == pytest.approx({"low": 1, "high": 2 - k / 2})


def test_job_market_sweep_separation_exists_exactly_between_the_costs():
    game = job_market()
    k = np.linspace(0.05, 3.95, 40)  # avoids the ties at k = 1 and k = 2
    model = bargain.Model(game, mixed="none", select="all")
    frame = quiet(bargain.sweep, model, {"k": k}, fixed={"p": 0.2}, progress=False).to_frame()
    separating = frame.groupby("k")["separating"].max()
    np.testing.assert_array_equal(separating.to_numpy() == 1, (k > 1) & (k < 2))
    # Below k = 1 the low type mixes (a semi-separating equilibrium) beside the pool on
    # no education; D1 keeps the former, the Intuitive Criterion both. Between 1 and 2
    # either keeps separation alone (the high type would pay for education, the low
    # one never); above 2 nobody pays, and the pool survives.
    intuitive = bargain.Model(game, refine="intuitive")
    assert regimes(quiet(intuitive.solve, p=0.2, k=0.8)) == ["pooling on none", "semi-separating"]
    d1 = bargain.Model(game, refine="d1")
    for value, regime in ((0.8, "semi-separating"), (1.5, "separating"), (2.5, "pooling on none")):
        for model in (intuitive, d1) if value > 1 else (d1,):
            assert regimes(quiet(model.solve, p=0.2, k=value)) == [regime]
    for bracket, flip in (((0.6, 1.5), 1.0), ((1.5, 2.5), 2.0)):
        found = quiet(bargain.threshold, d1, "k", "regime", bracket, p=0.2)
        assert found.value == pytest.approx(flip, abs=1e-5)
    assert (found.below, found.above) == ("separating", "pooling on none")


# -- cheap talk -----------------------------------------------------------------------------


def test_cheap_talk_babbling_and_informative_equilibria():
    game = cheap_talk()
    with pytest.warns(DegenerateGameWarning, match="costless messages"):
        small = game.solve(b=0.1)
    # Informative iff the low state does not claim high: -b^2 >= -(1 - b)^2, b <= 1/2,
    # under either labelling of the messages; babbling: both pool, the policymaker
    # chooses the centre at the prior and after the unused message (the only reply
    # both types prefer not to trigger: each is exactly indifferent to it).
    assert regimes(small) == ["pooling on say_high", "pooling on say_low"] + ["separating"] * 2
    assert small.ties and small.degenerate
    for eq in small:
        if eq.kind == "separating":
            low, high = (next(m for m, p in eq.sender[t].items() if p == 1) for t in "LH")
            assert eq.receiver[low]["left"] == eq.receiver[high]["right"] == 1
            assert eq.payoffs["policymaker"] == pytest.approx(0)
        else:
            (used,) = eq.receiver
            assert eq.receiver[used]["centre"] == 1
            (replies,) = eq.off_path.values()
            assert [s.action for s in replies] == ["centre"]
            assert eq.payoffs["policymaker"] == pytest.approx(-0.25)
    large = quiet(game.solve, b=0.6)
    assert "separating" not in regimes(large)
    assert {"pooling on say_low", "pooling on say_high"} <= set(regimes(large))


# -- three types: partial pooling and a polytope of beliefs ---------------------------------


def three_types() -> SignalingGame:
    """The sender does not care what the receiver does: types a and b find m1 cheap,
    type c finds m2 cheap, and m3 is dear for all; the receiver wants to name the type
    (1 if right, 0 if wrong)."""
    cost = {"a": (0, 1, 2), "b": (0, 1, 2), "c": (1, 0, 2)}
    payoffs = {
        t: {
            m: {x: (-cost[t][j], int(x == t.upper())) for x in "ABC"}
            for j, m in enumerate(("m1", "m2", "m3"))
        }
        for t in "abc"
    }
    prior = {"a": 0.5, "b": 0.3, "c": 0.2}
    return SignalingGame("S", "R", prior, ["m1", "m2", "m3"], ["A", "B", "C"], payoffs)


def test_three_types_partial_pooling_and_its_belief_polytopes():
    (eq,) = three_types().solve()
    assert eq.kind == eq.regime == "partially pooling"
    assert eq.beliefs["m1"] == pytest.approx({"a": 0.625, "b": 0.375, "c": 0})
    assert eq.receiver == {"m1": {"A": 1, "B": 0, "C": 0}, "m2": {"A": 0, "B": 0, "C": 1}}
    # Nobody sends m3 whatever R does, so every reply supports the equilibrium; naming
    # A is best where P(a) >= P(b) and P(a) >= P(c): the polytope with vertices
    # (1, 0, 0), (1/2, 1/2, 0), (1/2, 0, 1/2) and (1/3, 1/3, 1/3).
    sets = {s.action: s for s in eq.off_path["m3"]}
    assert sorted(sets) == ["A", "B", "C"]
    vertices = sorted(map(tuple, np.round(sets["A"].vertices, 9)))
    third = round(1 / 3, 9)
    assert vertices == [(third, third, third), (0.5, 0.0, 0.5), (0.5, 0.5, 0.0), (1.0, 0.0, 0.0)]
    assert sets["A"].inequalities() == [
        "P(a) - P(b) >= 0  (A over B)",
        "P(a) - P(c) >= 0  (A over C)",
    ]
    assert str(sets["A"]) == "P(a) - P(b) >= 0 and P(a) - P(c) >= 0"
    assert sets["A"].interval("a") == pytest.approx((1 / 3, 1))
    assert eq.intuitive and eq.d1  # m3 is equilibrium-dominated for every type


def test_polytope_vertices_match_linear_programs(rng):
    """Feasibility and each type's extreme probabilities against scipy's simplex."""
    for _ in range(150):
        n_rows, k = int(rng.integers(1, 5)), int(rng.integers(2, 5))
        gains, floor = rng.normal(size=(n_rows, k, 1)), rng.normal(scale=0.2, size=(n_rows, 1))
        found = polytope_vertices(gains, floor)
        bounds = [(0, None)] * k
        constraints = {"A_ub": -gains[..., 0], "b_ub": -floor[:, 0], "A_eq": np.ones((1, k))}
        feasible = linprog(np.zeros(k), **constraints, b_eq=[1], bounds=bounds).status == 0
        assert found.nonempty[0] == feasible
        if feasible:
            vertices = found.vertices[:, :, 0][found.valid[:, 0]]
            for t in range(k):
                for sign in (1, -1):
                    best = linprog(sign * np.eye(k)[t], **constraints, b_eq=[1], bounds=bounds)
                    extreme = vertices[:, t].min() if sign == 1 else vertices[:, t].max()
                    assert extreme == pytest.approx(best.x[t], abs=1e-7)


# -- Gambit ---------------------------------------------------------------------------------


def gambit_game(prior, u_sender, u_receiver):
    """The extensive form: chance draws the type, the sender moves knowing it, the
    receiver moves knowing only the message (one information set per message)."""
    gbt = pytest.importorskip("pygambit")
    n_types, n_messages, n_actions = u_sender.shape
    game = gbt.Game.new_tree(players=["S", "R"])
    game.append_move(game.root, game.players.chance, [f"t{t}" for t in range(n_types)])
    exact = [Fraction(float(p)).limit_denominator(10**9) for p in prior[:-1]]
    game.set_chance_probs(game.root.infoset, [*exact, 1 - sum(exact)])
    types = list(game.root.children)
    for node in types:
        game.append_move(node, "S", [f"m{m}" for m in range(n_messages)])
    for m in range(n_messages):
        first = types[0].children[f"m{m}"]
        game.append_move(first, "R", [f"a{a}" for a in range(n_actions)])
        for node in types[1:]:
            game.append_infoset(node.children[f"m{m}"], first.infoset)
    for t, m, a in product(range(n_types), range(n_messages), range(n_actions)):
        leaf = types[t].children[f"m{m}"].children[f"a{a}"]
        outcome = game.add_outcome(f"o{t}{m}{a}", [u_sender[t, m, a], u_receiver[t, m, a]])
        game.set_outcome(leaf, outcome)
    return game


def behaviour(game, sender, receiver):
    profile = game.mixed_behavior_profile(rational=False)
    for infosets, probabilities in (
        (game.players["S"].infosets, sender),
        (game.players["R"].infosets, receiver),
    ):
        for infoset, row in zip(infosets, probabilities):
            for action, p in zip(infoset.actions, row):
                profile[action] = float(p)
    return profile


def gambit_prior(prior):
    """The prior as Gambit holds it (rational, summing to one exactly)."""
    exact = [float(Fraction(float(p)).limit_denominator(10**9)) for p in prior[:-1]]
    return np.array([*exact, 1 - sum(exact)])


def rationalizable(u_receiver, m, a) -> bool:
    """Whether action a is a best response after m to some belief (a linear program)."""
    n_types, _, n_actions = u_receiver.shape
    gains = np.array([u_receiver[:, m, a] - u_receiver[:, m, b] for b in range(n_actions)])
    found = linprog(
        np.zeros(n_types),
        A_ub=-gains,
        b_ub=np.full(n_actions, TOL),
        A_eq=np.ones((1, n_types)),
        b_eq=[1],
        bounds=[(0, None)] * n_types,
    )
    return found.status == 0


def test_every_pbe_is_a_nash_equilibrium_of_the_extensive_form(rng):
    for _ in range(30):
        shape = tuple(int(x) for x in rng.integers(2, 4, size=3))
        prior, u_s, u_r = random_arrays(rng, *shape)
        prior = gambit_prior(prior)
        found, _ = signaling_equilibria(prior[:, None], u_s[..., None], u_r[..., None], ATOL)
        game = gambit_game(prior, u_s, u_r)
        for sender, receiver in zip(found.sender, found.receiver):
            assert behaviour(game, sender, receiver).max_regret() <= 1e-9


ATOL = np.full((2, 1), TOL)


def test_pure_nash_equilibria_rational_off_the_path_are_the_pure_pbe(rng):
    gbt = pytest.importorskip("pygambit")
    for _ in range(25):
        shape = tuple(int(x) for x in rng.integers(2, 4, size=3))
        prior, u_s, u_r = random_arrays(rng, *shape)
        prior = gambit_prior(prior)
        found, _ = signaling_equilibria(prior[:, None], u_s[..., None], u_r[..., None], ATOL)
        pure = found.kind != SEMI_SEPARATING
        ours = {
            (tuple(s.argmax(axis=1)), tuple(r.argmax(axis=1)))
            for s, r in zip(found.sender[pure], found.receiver[pure])
        }
        game = gambit_game(prior, u_s, u_r)
        theirs = set()
        for equilibrium in gbt.nash.enumpure_solve(game).equilibria:
            plan = equilibrium.as_behavior()
            sender = np.array(
                [[float(plan[x]) for x in i.actions] for i in game.players["S"].infosets]
            )
            receiver = np.array(
                [[float(plan[x]) for x in i.actions] for i in game.players["R"].infosets]
            )
            sent = set(sender.argmax(axis=1))
            replies = receiver.argmax(axis=1)
            if all(rationalizable(u_r, m, replies[m]) for m in range(shape[1]) if m not in sent):
                theirs.add((tuple(sender.argmax(axis=1)), tuple(replies)))
        assert ours == theirs


def test_equilibria_where_a_type_mixes_are_the_semi_separating_ones(rng):
    """Two types, two messages: every Nash equilibrium sends both messages, so it is a
    PBE; Gambit's extreme equilibria in which a type mixes (behaviour strategies)
    must be exactly ours."""
    gbt = pytest.importorskip("pygambit")
    count = 0
    for _ in range(40):
        prior, u_s, u_r = random_arrays(rng, 2, 2, int(rng.integers(2, 4)))
        prior = gambit_prior(prior)
        found, _ = signaling_equilibria(prior[:, None], u_s[..., None], u_r[..., None], ATOL)
        mixed = found.kind == SEMI_SEPARATING
        ours = {
            tuple(np.round(np.concatenate([s.ravel(), r.ravel()]), 6))
            for s, r in zip(found.sender[mixed], found.receiver[mixed])
        }
        game = gambit_game(prior, u_s, u_r)
        theirs = set()
        for equilibrium in gbt.nash.enummixed_solve(game, rational=False).equilibria:
            plan = equilibrium.as_behavior()
            rows = [
                [[float(plan[x]) for x in i.actions] for i in game.players[p].infosets]
                for p in ("S", "R")
            ]
            sender, receiver = np.array(rows[0]), np.array(rows[1])
            if ((sender > 1e-9) & (sender < 1 - 1e-9)).any():
                theirs.add(tuple(np.round(np.concatenate([sender.ravel(), receiver.ravel()]), 6)))
        assert ours == theirs
        count += len(ours)
    assert count >= 5  # the comparison covered some semi-separating equilibria


# -- independent definitions ----------------------------------------------------------------


def plain_check(prior, u_s, u_r, sender, receiver, beliefs) -> tuple[float, float]:
    """Each player's largest regret, by the definitions (Python loops)."""
    n_types, n_messages, n_actions = u_s.shape
    sender_regret = 0.0
    for t in range(n_types):
        value = [
            sum(receiver[m, a] * u_s[t, m, a] for a in range(n_actions)) for m in range(n_messages)
        ]
        own = sum(sender[t, m] * value[m] for m in range(n_messages))
        sender_regret = max(sender_regret, max(value) - own)
    receiver_regret = 0.0
    for m in range(n_messages):
        mass = sum(prior[t] * sender[t, m] for t in range(n_types))
        if mass > 1e-10:
            belief = [prior[t] * sender[t, m] / mass for t in range(n_types)]
            assert belief == pytest.approx(list(beliefs[m]), abs=1e-9)  # Bayes' rule
        else:
            belief = list(beliefs[m])
            assert min(belief) >= -1e-12 and sum(belief) == pytest.approx(1)
        payoff = [sum(belief[t] * u_r[t, m, a] for t in range(n_types)) for a in range(n_actions)]
        own = sum(receiver[m, a] * payoff[a] for a in range(n_actions))
        receiver_regret = max(receiver_regret, max(payoff) - own)
    return sender_regret, receiver_regret


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(1, 3)),
    seed=st.integers(0, 2**32 - 1),
    integers=st.booleans(),
)
def test_every_returned_equilibrium_is_verified(shape, seed, integers):
    rng = np.random.default_rng(seed)
    prior, u_s, u_r = random_arrays(rng, *shape)
    if integers:  # ties on purpose
        u_s, u_r = rng.integers(-2, 3, size=(2, *shape)).astype(float)
    found, _ = signaling_equilibria(prior[:, None], u_s[..., None], u_r[..., None], ATOL)
    for r in range(len(found.point)):
        regret = plain_check(prior, u_s, u_r, found.sender[r], found.receiver[r], found.beliefs[r])
        assert max(regret) <= 1e-8
        assert found.regret[r] == pytest.approx(regret, abs=1e-12)


def test_batch_equals_point_by_point(rng):
    game = job_market()
    points = {"p": rng.uniform(0, 1, 40), "k": rng.uniform(0, 4, 40)}
    batch = quiet(game.solve_batch, points, chunk_size=7)
    for i in range(40):
        one = quiet(game.solve, p=points["p"][i], k=points["k"][i])
        assert [eq.regime for eq in batch[i]] == [eq.regime for eq in one]
        assert [eq.payoffs for eq in batch[i]] == [eq.payoffs for eq in one]
        assert [eq.sender for eq in batch[i]] == [eq.sender for eq in one]
        assert [str(eq.off_path) for eq in batch[i]] == [str(eq.off_path) for eq in one]
        assert [(eq.intuitive, eq.d1) for eq in batch[i]] == [(eq.intuitive, eq.d1) for eq in one]


def test_equilibria_and_verdicts_do_not_depend_on_units(rng):
    """A positive affine change of a player's payoffs changes no equilibrium or verdict;
    neither do payoffs of extreme magnitude (rescaled for the kernels)."""
    for _ in range(20):
        shape = tuple(int(x) for x in rng.integers(2, 4, size=3))
        prior, u_s, u_r = random_arrays(rng, *shape)
        base = quiet(SignalingGame.from_arrays(prior, u_s, u_r).solve)
        for scale, shift in ((3.0, -7.0), (1e200, 0.0), (1e-200, 0.0)):
            moved = SignalingGame.from_arrays(prior, scale * u_s + shift, u_r / scale)
            other = quiet(moved.solve)
            assert [(e.regime, e.intuitive, e.d1) for e in other] == [
                (e.regime, e.intuitive, e.d1) for e in base
            ]
            assert [e.values for e in other] == [
                pytest.approx({t: scale * v + shift for t, v in e.values.items()}) for e in base
            ]


def intuitive_by_definition(prior, u_s, u_r, values, sent) -> bool:
    """Cho and Kreps (1987, p. 202), with best responses found by linear programs."""
    n_types, n_messages, n_actions = u_s.shape

    def replies(m, types):
        out = []
        for a in range(n_actions):
            gains = np.array([u_r[types, m, a] - u_r[types, m, b] for b in range(n_actions)])
            lp = linprog(
                np.zeros(len(types)),
                A_ub=-gains,
                b_ub=np.full(n_actions, TOL / 2),
                A_eq=np.ones((1, len(types))),
                b_eq=[1],
                bounds=[(0, None)] * len(types),
            )
            if lp.status == 0:
                out.append(a)
        return out

    for m in set(range(n_messages)) - sent:
        best = replies(m, list(range(n_types)))
        kept = [t for t in range(n_types) if values[t] <= max(u_s[t, m, best]) + TOL]
        if not kept:
            continue
        worst = replies(m, kept)
        if any(values[t] < min(u_s[t, m, worst]) - TOL for t in range(n_types)):
            return False
    return True


def d1_by_definition(prior, u_s, u_r, values, sent, supporting) -> bool:
    """Cho and Kreps (1987, section V) for two types: the mixed best responses are
    mixtures over the best-response set at each belief; a linear program finds the
    worst case for one type among those under which another weakly gains."""
    n_types, n_messages, n_actions = u_s.shape
    assert n_types == 2
    for m in set(range(n_messages)) - sent:
        sets = best_response_sets(u_r[:, m])
        deleted = {t for t in range(2) if deletes(u_s[:, m], values, sets, 1 - t, t)}
        kept = [t for t in range(2) if t not in deleted] or [0, 1]
        ok = False
        for a in supporting[m]:
            gains = np.array([u_r[kept, m, a] - u_r[kept, m, b] for b in range(n_actions)])
            lp = linprog(
                np.zeros(len(kept)),
                A_ub=-gains,
                b_ub=np.full(n_actions, TOL / 2),
                A_eq=np.ones((1, len(kept))),
                b_eq=[1],
                bounds=[(0, None)] * len(kept),
            )
            ok |= lp.status == 0
        if not ok:
            return False
    return True


def best_response_sets(u_r) -> set[tuple[int, ...]]:
    """Two types: the receiver's best-response sets after a message (payoffs (2, A)), at
    each belief where two actions tie and between those beliefs."""
    beliefs = {0.0, 1.0}
    for a, b in product(range(u_r.shape[1]), repeat=2):
        d0, d1 = u_r[0, a] - u_r[0, b], u_r[1, a] - u_r[1, b]
        if d0 * d1 < 0:
            beliefs.add(d1 / (d1 - d0))  # P(type 0) where a and b tie
    points = sorted(beliefs)
    sets = set()
    for q in sorted({*points, *((x + y) / 2 for x, y in pairwise(points))}):
        payoff = q * u_r[0] + (1 - q) * u_r[1]
        sets.add(tuple(np.flatnonzero(payoff >= payoff.max() - TOL)))
    return sets


def deletes(u_s, values, sets, t2, t) -> bool:
    """Whether t2 strictly gains from the message (payoffs (2, A)) under every mixture of
    a best-response set under which t weakly gains: the least t2 gains is positive."""
    for actions in sets:
        idx = list(actions)
        lp = linprog(
            u_s[t2, idx],
            A_ub=-u_s[t, idx][None],
            b_ub=[-values[t] + TOL],
            A_eq=np.ones((1, len(idx))),
            b_eq=[1],
            bounds=[(0, None)] * len(idx),
        )
        if lp.status == 0 and lp.fun <= values[t2] + TOL:
            return False
    return True


def test_refinements_match_their_definitions(rng):
    checked = {"intuitive": 0, "d1": 0}
    for trial in range(120):
        n_types = 2 if trial % 3 else 3
        shape = (n_types, int(rng.integers(2, 4)), int(rng.integers(2, 4)))
        prior, u_s, u_r = random_arrays(rng, *shape)
        game = SignalingGame.from_arrays(prior, u_s, u_r)
        batch = quiet(game.solve_batch, {})
        for r, eq in enumerate(batch[0]):
            sent = set(np.flatnonzero(batch.on_path[r]))
            values = batch.values[r]
            assert eq.intuitive == intuitive_by_definition(prior, u_s, u_r, values, sent)
            checked["intuitive"] += not eq.intuitive
            if n_types == 2:
                supporting = {
                    game.messages.index(m): [game.actions.index(s.action) for s in sets]
                    for m, sets in eq.off_path.items()
                }
                assert eq.d1 == d1_by_definition(prior, u_s, u_r, values, sent, supporting)
                checked["d1"] += not eq.d1
    assert min(checked.values()) >= 3  # failures were found and checked too


# -- the protocol: models, sweeps, thresholds, files, the command line -----------------------


def test_gesture_sweep_by_hand():
    """Separation needs the conciliatory type to pay (1 - c >= 0) and the hard-line one
    not to mimic (1 - c - h <= 0): 1 - h <= c <= 1. Below, D1 keeps the semi-separating
    equilibrium (the hard-liner mixes); above, nobody makes the gesture."""
    model = loads_model(GESTURE.read_text(), GESTURE.name)
    assert model.options == {"refine": "intuitive"}
    c = np.array([0.2, 0.5, 0.8, 0.9, 1.2, 1.5])
    frame = quiet(bargain.sweep, model, {"c": c}, progress=False).to_frame()
    assert (
        frame["regime"].fillna("").tolist()
        == ["", "", "separating", "separating"] + ["pooling on none"] * 2
    )
    assert frame["equilibria"].iloc[0] == "pooling on none | semi-separating"  # multiple: shown
    np.testing.assert_array_equal(frame["credible"], [np.nan, np.nan, 1, 1, 0, 0])
    d1 = quiet(bargain.sweep, model.with_options(refine="d1"), {"c": c}, progress=False)
    assert d1.to_frame()["regime"].tolist()[:2] == ["semi-separating"] * 2
    for h in (0.3, 0.5):
        found = quiet(
            bargain.threshold, model.with_options(refine="d1"), "c", "regime", (0.1, 0.9), h=h
        )
        assert found.value == pytest.approx(1 - h, abs=1e-5)
        assert (found.below, found.above) == ("semi-separating", "separating")


def test_measures_are_the_batch_columns():
    game = loads_model(GESTURE.read_text(), GESTURE.name).game
    batch = quiet(game.solve_batch, {"c": [0.5, 0.8]})
    columns = set(batch.columns()) - {"point", "regime", "degenerate", "ties"}
    assert columns == set(game.measure_names())
    assert game.measure_names()[:4] == ["u_Iran", "u_US", "u_Iran_conciliatory", "u_Iran_hardline"]
    frame = batch.to_frame()
    separating = frame[frame["regime"] == "separating"].iloc[0]
    assert separating["p_gesture"] == pytest.approx(0.4)  # the conciliatory type's prior
    assert separating["p_engage"] == pytest.approx(0.4)
    assert separating["p_conciliatory_given_gesture"] == pytest.approx(1)
    assert np.isnan(frame["p_conciliatory_given_gesture"].iloc[0])  # off the path


def test_model_file_round_trip_and_key_paths():
    text = GESTURE.read_text()
    model = loads_model(text, "gesture.toml")
    written = dumps_model(model)
    again = loads_model(written, "again.toml")
    assert again.fingerprint() == model.fingerprint() and dumps_model(again) == written
    assert '[[game.types]]\nname = "conciliatory"\nprior = "p"\n' in written
    assert 'gesture = { engage = ["1 - c - h", "-x"], pressure = ["-c - h", 0] }' in written
    assert isinstance(model.game, form_class("signaling"))
    cases = [
        (
            '"1 - c - h", "-x"',
            '"1 - c - q", "-x"',
            FormulaError,
            r"types\[1\]\.gesture\.engage\[0\]: unknown name 'q'",
        ),
        (
            '["-c", 0]',
            '["-c"]',
            ModelError,
            r"types\[0\]\.gesture\.pressure: expected \[payoff of Iran, payoff of US\]",
        ),
        (
            "none = { engage = [1, 1], pressure = [0, 0] }",
            "",
            ModelError,
            r"game\.types\[0\]: missing required key 'none'",
        ),
        (
            'prior = "1 - p"',
            'prior = "1 - p"\nnoun = 1',
            ModelError,
            r"game\.types\[1\]\.noun: unknown key",
        ),
        (
            'name = "hardline"',
            'name = "conciliatory"',
            ModelError,
            r"types\[1\]\.name: type name 'conciliatory' is listed twice",
        ),
        (
            'messages = ["gesture", "none"]',
            'messages = ["gesture", "prior"]',
            ModelError,
            r"game\.messages\[1\]: 'prior' is reserved",
        ),
        (
            'prior = "1 - p"',
            'prior = "0.9 - p"',
            ModelError,
            r"gesture\.toml: game\.types: the types' prior probabilities sum to 0\.9 at p=0\.4",
        ),
        (
            'actions = ["engage", "pressure"]',
            'actions = ["engage", "none"]',
            ModelError,
            r"game\.actions\[1\]: 'none' also names a message",
        ),
        (
            'refine = "intuitive"',
            'refine = "strict"',
            ModelError,
            r"solver\.refine: unknown value 'strict'",
        ),
    ]
    for old, new, error, message in cases:
        assert old in text
        with pytest.raises(error, match=message):
            loads_model(text.replace(old, new, 1), "gesture.toml")


def test_options_and_errors():
    game = beer_quiche()
    with pytest.raises(ModelError, match="unknown refine 'cho-kreps'"):
        game.solve(refine="cho-kreps")
    normal = bargain.NormalFormGame(["a", "b"], [["x"], ["y"]], {"a": [[0]], "b": [[0]]})
    with pytest.raises(ModelError, match=r"only .*signaling games.* take this option"):
        bargain.Model(normal, refine="d1")
    with pytest.raises(ModelError, match=r"prior\['weak'\] = -p is -0\.5 at p=0\.5"):
        SignalingGame(
            "A",
            "B",
            {"weak": "-p", "strong": "1 + p"},
            ["x", "y"],
            ["z"],
            {t: {m: {"z": (0, 0)} for m in "xy"} for t in ("weak", "strong")},
            params=[Param("p", 0.5)],
        ).solve()
    with pytest.raises(ModelError, match="at least two messages"):
        SignalingGame.from_arrays([0.5, 0.5], np.zeros((2, 1, 2)), np.zeros((2, 1, 2)))
    with pytest.raises(BudgetError, match="pairs of pure strategies per point"):
        SignalingGame.from_arrays(
            np.full(4, 0.25), np.zeros((4, 8, 8)), np.zeros((4, 8, 8))
        ).solve()


def test_points_without_a_surviving_equilibrium_warn_and_keep_the_count():
    u_s = [[[3, 1, 1], [0, 2, 2]], [[0, 4, 4], [0, 1, 3]], [[2, 1, 4], [1, 2, 0]]]
    u_r = [[[2, 0, 4], [3, 4, 3]], [[2, 0, 0], [3, 0, 3]], [[3, 1, 4], [3, 2, 4]]]
    game = SignalingGame.from_arrays([0.4, 0.25, 0.35], u_s, u_r)
    (eq,) = game.solve()
    assert eq.regime == "pooling on m1" and not eq.intuitive
    with pytest.warns(NoEquilibriumWarning, match="no PBE survives the Intuitive Criterion"):
        refined = game.solve(refine="intuitive")
    assert len(refined) == 0 and refined.n_pbe == 1


def test_command_line(tmp_path):
    exe = shutil.which("bargain", path=str(Path(sys.executable).parent))
    assert exe

    def run(*args: str) -> str:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    solved = json.loads(run("solve", str(GESTURE), "-p", "c=0.8", "--format", "json"))
    (eq,) = solved["equilibria"]
    assert eq["regime"] == "separating" and eq["n_pbe"] == 2 and eq["u_US"] == pytest.approx(0.4)
    swept = run("sweep", str(GESTURE), "-g", "c=0.5:1.5:3", "--columns", "c,regime,n_equilibria")
    assert swept.splitlines() == [  # a plain CSV table: the header, then the points
        "c,regime,n_equilibria",
        "0.5,,2.0",
        "1.0,,2.0",
        "1.5,pooling on none,1.0",
    ]
