"""Mediation (cheap talk through an intermediary): Kydd's (2003) credibility result worked
by hand, the reduction to a signaling game, and the protocol.

The model of ``examples/mediator_bias.toml`` (every test below that does not say
otherwise): Iran is resolute (prior p) or irresolute; the mediator reads it
(accuracy a) and says "resolute" or "irresolute"; the United States makes a modest
demand (share x_M = 0.4) or a large one (x_L = 0.8). A resolute Iran fights a large
demand (war: the US prevails with probability q = 0.6; costs c_US = 0.3, 0.1 to a
resolute Iran); an irresolute Iran accepts it, but for a risk e = 0.2 of war. The
mediator values a division giving the US the share x at v(x) = b x + (1 - b)(1 - x)
= (1 - b) + (2b - 1) x and pays c_M = 0.15 in a war.

**The United States.** Knowing Iran resolute it prefers the modest demand
(0.4 > q - c_US = 0.3); knowing it irresolute, the large one
((1 - e) x_L + e (q - c_US) = 0.7 > 0.4). At a belief mu = P(resolute) the large
demand is best iff 0.3 mu + 0.7 (1 - mu) >= 0.4: mu <= mu* = 3/4.

**A truthful mediator (a = 1).** After "resolute" the US is sure and demands little,
after "irresolute" it demands much. The mediator tells the truth iff

- reading irresolute, it prefers the large demand:
  (1 - e) v(x_L) + e (v(q) - c_M) >= v(x_M), i.e. (2b - 1) D >= e c_M with
  D = (1 - e) x_L + e q - x_M = 0.36: b >= 1/2 + e c_M / (2 D) = 13/24;
- reading resolute, it prefers the modest one: v(x_M) >= v(q) - c_M, i.e.
  (2b - 1)(q - x_M) <= c_M: b <= 1/2 + c_M / (2 (q - x_M)) = 7/8.

So an informative equilibrium exists iff 13/24 <= b <= 7/8. The even-handed mediator
(b = 1/2: v is constant, it only wants to avoid war) is not believed: reading an
irresolute Iran it still counsels restraint, to avoid the risk e of war. Only a
mediator leaning toward the United States is believed when it counsels restraint
(Kydd 2003); one leaning too far (it gains from the American share of a war more
than the war costs it) is not believed when it says Iran is irresolute.

**A noisy mediator (a < 1, p = 1/2).** Its posteriors are mu_w = P(resolute | reads
irresolute) = 1 - a and mu_r = a. With belief mu its gain from the large demand is
(2b - 1)[(1 - mu) D + mu (q - x_M)] - c_M [(1 - mu) e + mu], so truth-telling needs
B(mu_w) <= b <= B(mu_r) with B(mu) = 1/2 + c_M ((1 - mu) e + mu) / (2 ((1 - mu) D +
mu (q - x_M))), increasing in mu, and the US must obey: mu_w <= 3/4 <= mu_r, i.e.
a >= 3/4. Less accuracy raises mu_w and lowers mu_r: the credible interval shrinks
from both ends and vanishes below a = 3/4.
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
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bargain
from bargain import FormulaError, ModelError, Param
from bargain.errors import DegenerateGameWarning, NoEquilibriumWarning
from bargain.games import form_class
from bargain.games.mediation import MediationGame
from bargain.games.signaling import SignalingGame
from bargain.io import dumps_model, loads_model

ROOT = Path(__file__).parents[1]
FILE = ROOT / "examples" / "mediator_bias.toml"
TOL = 1e-8
LOW, HIGH = 13 / 24, 7 / 8


def quiet(fn, *args, **kwargs):
    """Call with bargain's warnings silenced (ties at the edges, empty points)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        warnings.simplefilter("ignore", NoEquilibriumWarning)
        return fn(*args, **kwargs)


def model() -> bargain.Model:
    return loads_model(FILE.read_text(), FILE.name)


def game() -> MediationGame:
    return model().game


DEFAULTS = {
    "p": 0.5,
    "e": 0.2,
    "q": 0.6,
    "x_modest": 0.4,
    "x_large": 0.8,
    "c_US": 0.3,
    "c_M": 0.15,
}


def edge(mu, v=DEFAULTS):
    """B(mu): the bias at which a mediator who believes Iran resolute with probability
    mu is indifferent between the two demands (module docstring)."""
    gain = (1 - v["e"]) * v["x_large"] + v["e"] * v["q"] - v["x_modest"]
    top = v["c_M"] * ((1 - mu) * v["e"] + mu)
    return 0.5 + top / (2 * ((1 - mu) * gain + mu * (v["q"] - v["x_modest"])))


def credible(b, a, v=DEFAULTS):
    """Whether a truthful equilibrium exists, by hand, and the distance to its nearest edge."""
    p = v["p"]
    mu_w = p * (1 - a) / (p * (1 - a) + (1 - p) * a)
    mu_r = p * a / (p * a + (1 - p) * (1 - a))
    war = v["q"] - v["c_US"]
    large = (1 - v["e"]) * v["x_large"] + v["e"] * war
    threshold = (large - v["x_modest"]) / (large - war)  # mu*: the US indifferent
    margins = np.stack(
        np.broadcast_arrays(
            b - edge(mu_w, v), edge(mu_r, v) - b, threshold - mu_w, mu_r - threshold
        )
    )
    return (margins >= 0).all(axis=0), np.abs(margins).min(axis=0)


# -- Kydd (2003): who is believed -----------------------------------------------------------


def test_an_informative_equilibrium_exists_exactly_on_the_bias_interval():
    b = np.linspace(0, 1, 401)
    batch = quiet(game().solve_batch, {"b": b})
    exists, margin = credible(b, 1.0)
    clear = margin > 1e-6
    assert clear.sum() > 390 and exists[b < LOW].sum() == 0 and exists[b > HIGH].sum() == 0
    np.testing.assert_array_equal(batch.informative_exists[clear], exists[clear])
    # Babbling is an equilibrium everywhere, and there is nothing else off the interval.
    babbling = np.bincount(batch.point, weights=batch.code == 0, minlength=len(b))
    assert (babbling == 1).all()
    np.testing.assert_array_equal(batch.n_pbe[clear], 1 + exists[clear])
    # Below 1/2 (the mediator on Iran's side) and at 1/2 (even-handed) never believed.
    assert not batch.informative_exists[b <= 0.5].any()


def test_the_two_outcomes_by_hand():
    solution = game().solve(b=0.7, keep="all")
    assert [eq.regime for eq in solution] == ["babbling", "informative"]
    assert solution.n_pbe == 2 and solution.informative_exists and not solution.ties
    babbling, truthful = solution
    # Babbling: the prior 1/2 <= 3/4, so the US demands much whatever it hears:
    # US 0.5 * 0.3 + 0.5 * 0.7 = 0.5; Iran 0.5 (1 - q - 0.1) + 0.5 (0.8 * 0.2 + 0.2 (-0.1)) = 0.22.
    assert babbling.action_probabilities == pytest.approx({"modest": 0, "large": 1})
    assert babbling.payoffs["US"] == pytest.approx(0.5)
    assert babbling.payoffs["Iran"] == pytest.approx(0.22)
    assert not babbling.informative and babbling.n_variants == 2  # pooling on either message
    (message,) = babbling.receiver
    assert babbling.beliefs[message] == pytest.approx({"resolute": 0.5, "irresolute": 0.5})
    # Truthful: the US demands little exactly when Iran is resolute: US 0.5 * 0.4 + 0.5 * 0.7,
    # Iran 0.5 * 0.6 + 0.5 * 0.14; the mediator, v(x) = 0.3 + 0.4 x at b = 0.7:
    # 0.5 v(0.4) + 0.5 (0.8 v(0.8) + 0.2 (v(0.6) - 0.15)) = 0.517.
    assert truthful.mediator == {
        "reads_resolute": {"resolute": 1, "irresolute": 0},
        "reads_irresolute": {"resolute": 0, "irresolute": 1},
    }
    assert truthful.receiver == {
        "resolute": {"modest": 1, "large": 0},
        "irresolute": {"modest": 0, "large": 1},
    }
    assert truthful.beliefs["resolute"] == pytest.approx({"resolute": 1, "irresolute": 0})
    assert truthful.outcome["resolute"] == pytest.approx({"modest": 1, "large": 0})
    assert truthful.payoffs == pytest.approx({"Iran": 0.37, "mediator": 0.517, "US": 0.55})
    assert truthful.values == pytest.approx({"resolute": 0.6, "irresolute": 0.14})
    assert truthful.off_path == {} and truthful.intuitive and truthful.d1
    assert truthful.n_variants == 2  # "resolute" may mean either reading
    data = truthful.as_dict()
    json.dumps(data)
    assert data["beliefs"]["irresolute"]["irresolute"] == pytest.approx(1)
    # The war measure: P(resolute) P(large | resolute) + e P(irresolute) P(large | irresolute).
    frame = quiet(
        bargain.sweep, model().with_options(keep="all"), {"b": [0.7]}, select="all", progress=False
    ).to_frame()
    assert frame["war"].tolist() == pytest.approx([0.6, 0.1])


def test_randomized_parameters_match_the_hand_interval(rng):
    """The same region over random parameters (the hand conditions assume q > x_M, a
    modest demand the US prefers against a resolute Iran and a large one otherwise)."""
    n = 600
    x_modest = rng.uniform(0.2, 0.5, n)
    q = x_modest + rng.uniform(0.05, 0.4, n)
    v = {
        "p": rng.uniform(0.1, 0.9, n),
        "e": rng.uniform(0.01, 0.5, n),
        "q": q,
        "x_modest": x_modest,
        "x_large": rng.uniform(x_modest + 0.2, 1.0),
        "c_US": q - x_modest + rng.uniform(0.02, 0.4, n),
        "c_M": rng.uniform(0.01, 0.4, n),
        "a": rng.uniform(0.5, 1.0, n),
        "b": rng.uniform(0.0, 1.0, n),
    }
    war = v["q"] - v["c_US"]
    keep = (1 - v["e"]) * v["x_large"] + v["e"] * war > v["x_modest"] + 0.02
    v = {k: x[keep] for k, x in v.items()}
    batch = quiet(game().solve_batch, v)
    exists, margin = credible(v["b"], v["a"], v)
    clear = margin > 1e-6
    assert exists[clear].sum() > 20 and (~exists[clear]).sum() > 100
    np.testing.assert_array_equal(batch.informative_exists[clear], exists[clear])
    # With any risk of war from a large demand, an even-handed mediator is never believed.
    assert not batch.informative_exists[v["b"] <= 0.5].any()


def test_a_noisier_mediator_is_believed_on_a_smaller_interval():
    b = np.linspace(0.3, 1, 141)
    accuracies = [1.0, 0.95, 0.9, 0.8, 0.76, 0.74, 0.6]
    batch = quiet(game().solve_batch, {"b": np.tile(b, 7), "a": np.repeat(accuracies, len(b))})
    found = batch.informative_exists.reshape(len(accuracies), len(b))
    for row, a in zip(found, accuracies):
        exists, margin = credible(b, a)
        clear = margin > 1e-6
        np.testing.assert_array_equal(row[clear], exists[clear])
    # Nested: each less accurate mediator is believed on a subset; none below a = 3/4.
    for more, less in pairwise(found):
        assert (more | ~less).all()
    assert found[0].sum() > found[2].sum() > found[3].sum() > found[4].sum() > 0
    assert not found[5:].any()
    # Both edges move inward: B(1 - a) rises, B(a) falls (a = 0.9: 0.5610 and 0.8194).
    noisy = model().with_options(keep="receiver-best")
    low = quiet(bargain.threshold, noisy, "b", "informative_exists", (0.3, 0.7), a=0.9)
    high = quiet(bargain.threshold, noisy, "b", "informative_exists", (0.7, 1.0), a=0.9)
    assert low.value == pytest.approx(edge(0.1), abs=1e-6) and low.value > LOW
    assert high.value == pytest.approx(edge(0.9), abs=1e-6) and high.value < HIGH
    assert (low.below, low.above, high.below, high.above) == (0, 1, 1, 0)


def test_direct_cheap_talk_by_iran_is_never_credible(rng):
    """Without a mediator Iran speaks for itself, and each type strictly prefers the modest
    demand: resolute, 1 - x_M > 1 - q - c_res (it accepts rather than fight, x_M < q);
    irresolute, 1 - x_M exceeds (1 - e)(1 - x_L) + e (1 - q - c_irr), a mixture of two
    smaller numbers (x_M < x_L, x_M < q). If two messages sent in equilibrium led to
    different probabilities of the modest demand, every type would send only the one with
    the higher: so all messages sent lead to the same, and no PBE is informative. Both as
    a signaling game with Iran as the sender and as a mediator that is Iran's mouthpiece."""
    base = game()
    n = 80
    x_modest = rng.uniform(0.1, 0.5, n)
    points = {
        "b": rng.uniform(0, 1, n),
        "p": rng.uniform(0.05, 0.95, n),
        "e": rng.uniform(0, 0.6, n),
        "x_modest": x_modest,
        "x_large": rng.uniform(x_modest + 0.05, 1.0),
        "q": rng.uniform(x_modest + 0.01, 1.0),
        "c_US": rng.uniform(0, 0.6, n),
        "c_resolute": rng.uniform(0, 0.5, n),
        "c_irresolute": rng.uniform(0, 0.8, n),
    }
    cells = {
        t: {a: {p: base.payoffs[t][a][p] for p in ("Iran", "US")} for a in base.actions}
        for t in base.types
    }
    mouthpiece = MediationGame(
        "Iran",
        "mouthpiece",
        "US",
        dict(zip(base.types, base.prior)),
        base.messages,
        base.actions,
        cells,
        mediator_payoff="u_Iran",
        params=base.params,
    )
    batch = quiet(mouthpiece.solve_batch, points)
    assert not batch.informative_exists.any() and (batch.code == 0).all()
    arrays = base.arrays(base.params.bind_batch(points))
    informative = 0
    for i in range(n):
        u_iran, u_us = arrays.payoffs[0, ..., i], arrays.payoffs[2, ..., i]
        assert (u_iran[:, 0] > u_iran[:, 1]).all()  # both types want the modest demand
        by_message = np.repeat(np.stack([u_iran, u_us])[:, :, None], 2, axis=2)
        direct = SignalingGame.from_arrays(arrays.prior[:, i], *by_message)
        for eq in quiet(direct.solve):
            replies = {tuple(np.round(list(r.values()), 9)) for r in eq.receiver.values()}
            informative += len(replies) > 1
    assert informative == 0


def test_crawford_sobel_two_states_through_the_expert_as_mediator():
    """Crawford and Sobel (1982) with two equally likely states 0 and 1 and actions 0, 1/2,
    1: the policymaker loses the squared distance to the state, the expert the squared
    distance to the state plus its bias b. Truth-telling needs the low state not to
    claim high, -b^2 >= -(1 - b)^2: b <= 1/2. A partially informative equilibrium: the
    low state says "low" with probability 1/3, the high state always, so that after "low"
    P(low) = 1/4, where the centre and the right tie for the policymaker (loss 1/4 each);
    it mixes them, centre with probability lam = (1 - 2b) / (3/4 - b), keeping the low
    state indifferent (-b^2 from being read as low); lam is in (0, 1) iff 1/4 < b < 1/2."""
    actions = {"left": 0.0, "centre": 0.5, "right": 1.0}
    payoffs = {
        t: {
            a: {
                "world": 0,
                "expert": f"-({x} - {theta} - b)**2",
                "policymaker": -((x - theta) ** 2),
            }
            for a, x in actions.items()
        }
        for t, theta in {"low": 0, "high": 1}.items()
    }
    expert = MediationGame(
        "world",
        "expert",
        "policymaker",
        {"low": 0.5, "high": 0.5},
        ["say_low", "say_high"],
        list(actions),
        payoffs,
        params=[Param("b", 0.1, 0, 1)],
    )
    regimes = {b: [eq.regime for eq in quiet(expert.solve, b=b)] for b in (0.1, 0.3, 0.45, 0.6)}
    assert regimes == {
        0.1: ["babbling", "informative"],
        0.3: ["babbling", "informative", "partially informative"],
        0.45: ["babbling", "informative", "partially informative"],
        0.6: ["babbling"],
    }
    for b in (0.3, 0.45):
        (partial,) = [eq for eq in quiet(expert.solve, b=b) if eq.regime != "babbling"][1:]
        assert partial.mediator["low"] == pytest.approx({"say_low": 1 / 3, "say_high": 2 / 3})
        assert partial.beliefs["say_low"] == pytest.approx({"low": 0.25, "high": 0.75})
        lam = (1 - 2 * b) / (0.75 - b)
        assert partial.receiver["say_low"] == pytest.approx(
            {"left": 0, "centre": lam, "right": 1 - lam}
        )
        # "low" is heard with probability 2/3 and leaves a loss of 1/4; "high" none.
        assert partial.payoffs["policymaker"] == pytest.approx(-2 / 3 * 1 / 4)


# -- the reduction --------------------------------------------------------------------------


def test_the_reduction_equals_the_signaling_game_built_by_hand(rng):
    """The mediator's signaling game written out: its types are its readings, with prior
    p a + (1 - p)(1 - a) and so on, and payoffs the posterior means of the file's formulas."""
    base = game()
    p, a = sympy.Symbol("p"), sympy.Symbol("a")
    likely = {"resolute": (a, 1 - a), "irresolute": (1 - a, a)}
    prior = dict(zip(base.types, (p, 1 - p)))
    signal_prior, payoffs = {}, {}
    for s, signal in enumerate(base.signals):
        joint = {t: prior[t] * likely[t][s] for t in base.types}
        total = sum(joint.values())
        signal_prior[signal] = total
        payoffs[signal] = {
            m: {
                x: tuple(
                    sum(joint[t] / total * base.payoffs[t][x][player] for t in base.types)
                    for player in ("mediator", "US")
                )
                for x in base.actions
            }
            for m in base.messages
        }
    by_hand = SignalingGame(
        "mediator", "US", signal_prior, base.messages, base.actions, payoffs, base.params
    )
    n = 60
    points = {
        "b": rng.uniform(0, 1, n),
        "a": rng.uniform(0.55, 1, n),
        "p": rng.uniform(0.05, 0.95, n),
    }
    ours = quiet(base.solve_batch, points).signaling
    theirs = quiet(by_hand.solve_batch, points)
    np.testing.assert_array_equal(ours.point, theirs.point)
    for name in ("sender", "receiver", "on_path", "kind"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
    for name in ("beliefs", "payoffs", "values"):
        np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), atol=1e-12)


def expected_by_hand(prior, likelihood, payoffs):
    """Plain Python: the signal prior and each player's expected payoff given a signal."""
    n_types, n_signals = likelihood.shape
    rho = [sum(prior[t] * likelihood[t, s] for t in range(n_types)) for s in range(n_signals)]
    post = [
        [prior[t] * likelihood[t, s] / rho[s] for t in range(n_types)] for s in range(n_signals)
    ]
    u = [
        [
            [
                sum(post[s][t] * payoffs[p, t, a] for t in range(n_types))
                for a in range(payoffs.shape[2])
            ]
            for s in range(n_signals)
        ]
        for p in range(3)
    ]
    return np.array(rho), np.array(post), np.array(u)


def random_game(rng, n_types, n_signals, n_actions, exact=False, integers=False):
    prior = rng.dirichlet(np.ones(n_types))
    likelihood = None if exact else rng.dirichlet(np.ones(n_signals), size=n_types)
    payoffs = rng.normal(size=(3, n_types, n_actions))
    if integers:  # ties on purpose
        payoffs = rng.integers(-2, 3, size=payoffs.shape).astype(float)
    return prior, likelihood, payoffs


def test_random_reductions_equal_the_signaling_games_by_hand(rng):
    for _ in range(25):
        shape = tuple(int(x) for x in rng.integers(2, 4, size=3))
        n_messages = int(rng.integers(2, 4))
        prior, likelihood, payoffs = random_game(rng, *shape)
        rho, _, u = expected_by_hand(prior, likelihood, payoffs)
        mediation = MediationGame.from_arrays(prior, payoffs, likelihood, messages=n_messages)
        by_hand = SignalingGame.from_arrays(
            rho, *(np.repeat(u[p][:, None], n_messages, axis=1) for p in (1, 2))
        )
        ours = quiet(mediation.solve_batch, {}).signaling
        theirs = quiet(by_hand.solve_batch, {})
        for name in ("sender", "receiver"):
            np.testing.assert_allclose(getattr(ours, name), getattr(theirs, name), atol=1e-9)
        np.testing.assert_allclose(ours.payoffs, theirs.payoffs, atol=1e-9)


# -- Gambit ---------------------------------------------------------------------------------


def exact_distribution(p):
    values = [Fraction(float(x)).limit_denominator(10**9) for x in p[:-1]]
    return [*values, 1 - sum(values)]


def gambit_game(prior, likelihood, payoffs, n_messages):
    """Chance draws the type, then the signal; the mediator moves knowing the signal, the
    receiver knowing the message; the informed party has payoffs and no move."""
    gbt = pytest.importorskip("pygambit")
    n_types, n_signals = likelihood.shape
    game = gbt.Game.new_tree(players=["I", "M", "R"])
    game.append_move(game.root, game.players.chance, [f"t{t}" for t in range(n_types)])
    game.set_chance_probs(game.root.infoset, exact_distribution(prior))
    types = list(game.root.children)
    for t, node in enumerate(types):
        game.append_move(node, game.players.chance, [f"s{s}" for s in range(n_signals)])
        game.set_chance_probs(node.infoset, exact_distribution(likelihood[t]))
    first_signal, first_message = {}, {}
    for t, s in product(range(n_types), range(n_signals)):
        node = types[t].children[f"s{s}"]
        if s in first_signal:
            game.append_infoset(node, first_signal[s].infoset)
        else:
            game.append_move(node, "M", [f"m{m}" for m in range(n_messages)])
            first_signal[s] = node
    for t, s, m in product(range(n_types), range(n_signals), range(n_messages)):
        node = types[t].children[f"s{s}"].children[f"m{m}"]
        if m in first_message:
            game.append_infoset(node, first_message[m].infoset)
        else:
            game.append_move(node, "R", [f"a{a}" for a in range(payoffs.shape[2])])
            first_message[m] = node
        for a in range(payoffs.shape[2]):
            outcome = game.add_outcome(f"o{t}{s}{m}{a}", [float(x) for x in payoffs[:, t, a]])
            game.set_outcome(node.children[f"a{a}"], outcome)
    return game


def test_every_equilibrium_is_a_nash_equilibrium_of_the_three_player_tree(rng):
    checked = 0
    for _ in range(30):
        n_types, n_signals, n_actions, n_messages = (int(x) for x in rng.integers(2, 4, size=4))
        prior, likelihood, payoffs = random_game(rng, n_types, n_signals, n_actions)
        if checked < 5:  # a mediator with the receiver's interests: often informative
            payoffs[1] = payoffs[2] + rng.normal(scale=0.1, size=payoffs[2].shape)
        prior = np.array([float(x) for x in exact_distribution(prior)])
        likelihood = np.array([[float(x) for x in exact_distribution(r)] for r in likelihood])
        mediation = MediationGame.from_arrays(prior, payoffs, likelihood, messages=n_messages)
        tree = gambit_game(prior, likelihood, payoffs, n_messages)
        for eq in quiet(mediation.solve):
            profile = tree.mixed_behavior_profile(rational=False)
            for s, infoset in enumerate(tree.players["M"].infosets):
                for m, action in enumerate(infoset.actions):
                    profile[action] = eq.mediator[f"s{s + 1}"][f"m{m + 1}"]
            for m, infoset in enumerate(tree.players["R"].infosets):
                message = f"m{m + 1}"
                reply = eq.receiver.get(message)
                if reply is None:  # off the path: each supporting reply holds it up
                    reply = {
                        x: float(x == eq.off_path[message][0].action) for x in mediation.actions
                    }
                for a, action in enumerate(infoset.actions):
                    profile[action] = reply[f"a{a + 1}"]
            assert profile.max_regret() <= 1e-9
            gambit = [float(profile.payoff(player)) for player in tree.players]
            assert gambit == pytest.approx(list(eq.payoffs.values()), abs=1e-9)
            checked += eq.informative
    assert checked >= 3  # informative equilibria were among those checked


# -- every equilibrium verified, batches ------------------------------------------------------


def verify(game_, prior, likelihood, payoffs, eq) -> None:
    """Check an equilibrium by the definitions, at the level of the informed party's types."""
    n_types = len(prior)
    likelihood = np.eye(n_types) if likelihood is None else likelihood
    signals, messages, actions = game_.signals, game_.messages, game_.actions
    scale = np.ptp(payoffs.reshape(3, -1), axis=1) + 1.0

    def reply(m):
        row = eq.receiver.get(m) or {x: float(x == eq.off_path[m][0].action) for x in actions}
        return np.array([row[x] for x in actions])

    def posterior(s):
        joint = prior * likelihood[:, s]
        return joint / joint.sum() if joint.sum() > 0 else likelihood[:, s] / likelihood[:, s].sum()

    # The mediator: no reading gains from another message; off-path replies deter every reading.
    for s, signal in enumerate(signals):
        post = posterior(s)
        value = {m: post @ payoffs[1] @ reply(m) for m in messages}
        own = sum(eq.mediator[signal][m] * value[m] for m in messages)
        assert max(value.values()) <= own + TOL * scale[1]
        for sets in eq.off_path.values():
            for belief_set in sets:
                a = actions.index(belief_set.action)
                assert post @ payoffs[1][:, a] <= own + TOL * scale[1]
    # The receiver: Bayes' rule over types on the path, a best response there.
    sent = {
        m: np.array(
            [
                sum(
                    prior[t] * likelihood[t, s] * eq.mediator[signals[s]][m]
                    for s in range(len(signals))
                )
                for t in range(n_types)
            ]
        )
        for m in messages
    }
    for m in messages:
        mass = sent[m].sum()
        if mass > 1e-10:
            belief = sent[m] / mass
            assert [eq.beliefs[m][t] for t in game_.types] == pytest.approx(list(belief), abs=1e-9)
            gains = belief @ payoffs[2]
            assert gains.max() <= gains @ reply(m) + TOL * scale[2]
        else:
            assert m in eq.off_path and m not in eq.beliefs
    # Payoffs and the outcome by the definitions.
    given_type = np.array(
        [
            sum(
                likelihood[t, s] * eq.mediator[signals[s]][m] * reply(m)
                for s in range(len(signals))
                for m in messages
            )
            for t in range(n_types)
        ]
    )
    for t, kind in enumerate(game_.types):
        assert list(eq.outcome[kind].values()) == pytest.approx(list(given_type[t]), abs=1e-9)
    expected = [prior @ (given_type * payoffs[p]).sum(axis=1) for p in range(3)]
    assert list(eq.payoffs.values()) == pytest.approx(expected, abs=1e-9)
    occurs = [s for s in range(len(signals)) if prior @ likelihood[:, s] > 1e-10]
    by_signal = np.array(
        [sum(eq.mediator[signals[s]][m] * reply(m) for m in messages) for s in occurs]
    )
    assert eq.informative == bool(np.ptp(by_signal, axis=0).max() > 1e-9)
    certain = bool((np.abs(by_signal - np.round(by_signal)) <= 1e-9).all())
    expected_regime = "informative" if certain else "partially informative"
    assert eq.regime == (expected_regime if eq.informative else "babbling")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shape=st.tuples(st.integers(2, 3), st.integers(2, 3), st.integers(1, 3), st.integers(2, 3)),
    exact=st.booleans(),
    integers=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_every_returned_equilibrium_is_verified(shape, exact, integers, seed):
    n_types, n_signals, n_actions, n_messages = shape
    rng = np.random.default_rng(seed)
    prior, likelihood, payoffs = random_game(rng, n_types, n_signals, n_actions, exact, integers)
    mediation = MediationGame.from_arrays(prior, payoffs, likelihood, messages=n_messages)
    solution = quiet(mediation.solve)
    assert len(solution) >= 1 and solution.n_pbe == len(solution)
    assert any(not eq.informative for eq in solution)  # babbling always
    for eq in solution:
        verify(mediation, prior, likelihood, payoffs, eq)
        assert eq.regret <= 1e-8 * (1 + np.abs(payoffs).max())


def test_batch_equals_point_by_point(rng):
    base = game()
    n = 30
    points = {"b": rng.uniform(0, 1, n), "a": rng.uniform(0.5, 1, n), "p": rng.uniform(0, 1, n)}
    batch = quiet(base.solve_batch, points, chunk_size=7)
    for i in range(n):
        one = quiet(base.solve, **{k: v[i] for k, v in points.items()})
        assert [eq.regime for eq in batch[i]] == [eq.regime for eq in one]
        assert [eq.payoffs for eq in batch[i]] == [eq.payoffs for eq in one]
        assert [eq.mediator for eq in batch[i]] == [eq.mediator for eq in one]
        assert [eq.receiver for eq in batch[i]] == [eq.receiver for eq in one]
        assert [str(eq.off_path) for eq in batch[i]] == [str(eq.off_path) for eq in one]
        assert batch[i].n_pbe == one.n_pbe and batch[i].ties == one.ties


def test_receiver_best_keeps_the_most_useful_outcome():
    base = game()
    b = np.array([0.3, 0.6, 0.7, 0.95])
    every = quiet(base.solve_batch, {"b": b})
    best = quiet(base.solve_batch, {"b": b}, keep="receiver-best")
    assert best.count.tolist() == [1, 1, 1, 1] and every.count.tolist() == [1, 2, 2, 1]
    np.testing.assert_array_equal(best.n_pbe, every.n_pbe)
    np.testing.assert_array_equal(best.informative_exists, every.informative_exists)
    top = np.full(4, -np.inf)
    np.maximum.at(top, every.point, every.payoffs[:, 2])
    np.testing.assert_allclose(best.payoffs[:, 2], top)
    assert [eq.regime for s in best for eq in s] == [
        "babbling",
        "informative",
        "informative",
        "babbling",
    ]


def test_ties_at_the_edge_of_credibility_are_flagged():
    with pytest.warns(DegenerateGameWarning, match="edge of its credibility"):
        edge_solution = game().solve(b=LOW)
    assert edge_solution.ties and edge_solution.degenerate
    assert [eq.regime for eq in edge_solution] == ["babbling", "informative"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        inside = game().solve(b=0.7)  # cheap talk's indifference between messages is no tie
    assert not inside.ties


def test_refinements_leave_cheap_talk_outcomes_alone(rng):
    """An unused word can be read as a used one m: the reply to m is a best response to a
    belief on the signals that send m (for which the unused word is not equilibrium-
    dominated) and deters every signal, so some PBE of each outcome passes both tests."""
    for _ in range(40):
        shape = tuple(int(x) for x in rng.integers(2, 4, size=3))
        prior, likelihood, payoffs = random_game(rng, *shape)
        mediation = MediationGame.from_arrays(prior, payoffs, likelihood, messages=3)
        assert all(eq.intuitive and eq.d1 for eq in quiet(mediation.solve))
    for refine in ("intuitive", "d1"):
        solution = game().solve(b=0.7, refine=refine, keep="all")
        assert [eq.regime for eq in solution] == ["babbling", "informative"]
        assert all(eq.intuitive and eq.d1 for eq in solution)
        assert solution[0].why["intuitive"] == "survives"


# -- the protocol ---------------------------------------------------------------------------


def test_measures_are_the_batch_columns():
    base = game()
    batch = quiet(base.solve_batch, {"b": [0.3, 0.7]})
    columns = set(batch.columns()) - {"point", "regime", "regime_code", "degenerate", "ties"}
    assert columns == set(base.measure_names())
    assert base.point_measures() == ("informative_exists", "n_pbe")
    assert base.measure_names()[:5] == [
        "u_Iran",
        "u_mediator",
        "u_US",
        "u_Iran_resolute",
        "u_Iran_irresolute",
    ]
    frame = batch.to_frame()
    truthful = frame[frame["regime"] == "informative"].iloc[0]
    assert truthful["p_large"] == pytest.approx(0.5)
    assert truthful["p_large_if_resolute"] == 0 and truthful["p_large_if_irresolute"] == 1
    assert truthful["p_resolute_given_resolute"] == pytest.approx(1)
    assert truthful["informative"] == truthful["informative_exists"] == 1
    pooled = frame[(frame["b"] == 0.3)].iloc[0]
    assert pooled["informative_exists"] == 0 and pooled["n_pbe"] == 1
    assert np.isnan(pooled["p_resolute_given_irresolute"])  # off the path
    assert pooled["p_resolute_given_resolute"] == pytest.approx(0.5)


def test_model_sweep_threshold_and_scenarios():
    m = model()
    assert isinstance(m.game, form_class("mediation")) and m.options == {"keep": "receiver-best"}
    frame = quiet(bargain.sweep, m, {"b": [0.3, 0.5, 0.6, 0.8, 0.9]}, progress=False).to_frame()
    assert frame["regime"].tolist() == ["babbling"] * 2 + ["informative"] * 2 + ["babbling"]
    assert frame["war"].tolist() == pytest.approx([0.6, 0.6, 0.1, 0.1, 0.6])
    assert frame["n_pbe"].tolist() == [1, 1, 2, 2, 1]
    every = quiet(bargain.sweep, m.with_options(keep="all"), {"b": [0.3, 0.6]}, progress=False)
    table = every.to_frame()
    assert table["equilibria"].tolist() == ["babbling", "babbling | informative"]
    assert np.isnan(table["war"].iloc[1])  # several equilibria: no silent choice
    # Properties of the point are given whatever is selected, and on every row.
    assert table["informative_exists"].tolist() == [0, 1] and table["n_pbe"].tolist() == [1, 2]
    rows = quiet(
        bargain.sweep, m.with_options(keep="all"), {"b": [0.6]}, select="all", progress=False
    ).to_frame()
    assert rows["informative_exists"].tolist() == [1, 1]
    for bracket, flip in (((0.3, 0.7), LOW), ((0.7, 1.0), HIGH)):
        found = quiet(bargain.threshold, m, "b", "regime", bracket)
        assert found.value == pytest.approx(flip, abs=1e-6)
    assert (found.below, found.above) == ("informative", "babbling")
    credible_ = {
        name: bool(quiet(m.solve, name)[0].informative) for name in ("france", "japan", "pakistan")
    }
    assert credible_ == {"france": True, "japan": False, "pakistan": False}


def test_mediator_payoff_as_a_formula_of_the_others():
    """u_mediator = b u_US + (1 - b) u_Iran: telling the truth about an irresolute Iran
    needs b (0.7 - 0.4) >= (1 - b)(0.6 - 0.14), b >= 0.46 / 0.76 = 23/38; about a resolute
    one, b (0.4 - 0.3) + (1 - b)(0.6 - 0.3) >= 0, always. War costs are in the parties'
    payoffs here, so the even-handed mediator again prefers restraint."""
    base = game()
    cells = {
        t: {a: {p: base.payoffs[t][a][p] for p in ("Iran", "US")} for a in base.actions}
        for t in base.types
    }
    mixed = MediationGame(
        "Iran",
        "broker",
        "US",
        dict(zip(base.types, base.prior)),
        base.messages,
        base.actions,
        cells,
        mediator_payoff="b*u_US + (1 - b)*u_Iran",
        params=base.params,
    )
    model_ = bargain.Model(mixed, keep="receiver-best", name="broker")
    found = quiet(bargain.threshold, model_, "b", "informative_exists", (0.3, 1.0))
    assert found.value == pytest.approx(23 / 38, abs=1e-6)
    assert found.above == 1
    written = dumps_model(model_)
    assert 'mediator_payoff = "b*u_US + u_Iran*(1 - b)"' in written
    again = loads_model(written, "broker.toml")
    assert again.fingerprint() == model_.fingerprint() and dumps_model(again) == written
    bad = written.replace('"b*u_US + u_Iran*(1 - b)"', '"b*u_USA + u_Iran*(1 - b)"')
    with pytest.raises(
        FormulaError, match=r"broker\.toml: game\.mediator_payoff: unknown name 'u_USA'"
    ):
        loads_model(bad, "broker.toml")
    with pytest.raises(
        ModelError, match=r"types\[0\]\.modest\.broker: unknown player; expected: Iran, US"
    ):
        loads_model(
            written.replace("modest = { Iran", "modest = { broker = 1, Iran", 1), "broker.toml"
        )


def test_model_file_round_trip_and_key_paths():
    text = FILE.read_text()
    m = loads_model(text, FILE.name)
    written = dumps_model(m)
    again = loads_model(written, "again.toml")
    assert again.fingerprint() == m.fingerprint() and dumps_model(again) == written
    assert 'likelihood = { reads_resolute = "a", reads_irresolute = "1 - a" }' in written
    cases = [
        (
            'reads_resolute = "a"',
            'reads_resolute = "0.9*a"',
            ModelError,
            r"mediator_bias\.toml: game\.types: likelihood\['resolute'\]: the likelihoods "
            r"P\(signal \| resolute\) sum to 0\.9 at b=0\.5, a=1,",
        ),
        (
            'reads_irresolute = "1 - a" }',
            'reads_irresolute = "0.9 - a" }',
            ModelError,
            r"game\.types: likelihood\['resolute'\]\['reads_irresolute'\] is -0\.1 at b=0\.5, "
            r"a=1, .*: expected a probability",
        ),
        (
            'reads_irresolute = "1 - a" }',
            'reads_iresolute = "1 - a" }',
            ModelError,
            r"game\.types\[0\]\.likelihood\.reads_iresolute: unknown signal \(did you mean "
            r"'reads_irresolute'\?\)",
        ),
        (
            'likelihood = { reads_resolute = "a", reads_irresolute = "1 - a" }\n',
            "",
            ModelError,
            r"game\.types\[0\]: missing required key 'likelihood'",
        ),
        (
            'signals = ["reads_resolute", "reads_irresolute"]\n',
            "",
            ModelError,
            r"game\.types\[0\]\.likelihood: likelihoods need game\.signals",
        ),
        (
            'US = "x_modest" }',
            'USA = "x_modest" }',
            ModelError,
            r"game\.types\[0\]\.modest\.USA: unknown player",
        ),
        (
            'large = { Iran = "1 - q - c_resolute"',
            'larg = { Iran = "1 - q - c_resolute"',
            ModelError,
            r"game\.types\[0\]\.larg: unknown key \(did you mean 'large'\?\)",
        ),
        (
            'US = "(1 - e)*x_large + e*(q - c_US)"',
            'US = "(1 - e)*x_large + e*(q - cost)"',
            FormulaError,
            r"game\.types\[1\]\.large\.US: unknown name 'cost'",
        ),
        (
            'actions = ["modest", "large"]',
            'actions = ["modest", "resolute"]',
            ModelError,
            r"game\.actions\[1\]: 'resolute' also names a message",
        ),
        (
            'actions = ["modest", "large"]',
            'actions = ["modest", "prior"]',
            ModelError,
            r"game\.actions\[1\]: 'prior' is reserved",
        ),
        (
            'prior = "1 - p"',
            'prior = "0.9 - p"',
            ModelError,
            r"game\.types: prior: the types' prior probabilities sum to 0\.9 at",
        ),
        (
            'signals = ["reads_resolute"',
            'signal = ["reads_resolute"',
            ModelError,
            r"game\.signal: unknown key \(did you mean 'signals'\?\)",
        ),
        (
            'keep = "receiver-best"',
            'keep = "best"',
            ModelError,
            r"solver\.keep: unknown value 'best'; expected 'all', 'receiver-best'",
        ),
        (
            'name = "irresolute"',
            'name = "resolute"',
            ModelError,
            r"types\[1\]\.name: type name 'resolute' is listed twice",
        ),
    ]
    for old, new, error, message in cases:
        assert old in text, old
        with pytest.raises(error, match=message):
            loads_model(text.replace(old, new, 1), FILE.name)


def test_python_errors():
    base = game()
    cells = {t: {a: dict(base.payoffs[t][a]) for a in base.actions} for t in base.types}
    prior = dict(zip(base.types, base.prior))
    args = ("Iran", "mediator", "US", prior, base.messages, base.actions, cells)
    with pytest.raises(
        ModelError, match=r"likelihood: expected exactly the types .*unknown \['resolut'\]"
    ):
        MediationGame(
            *args,
            likelihood={"resolut": {"r": 1, "w": 0}, "irresolute": {"r": 0, "w": 1}},
            params=base.params,
        )
    with pytest.raises(
        ModelError, match=r"likelihood\['irresolute'\]: expected exactly the signals"
    ):
        MediationGame(
            *args,
            likelihood={"resolute": {"r": 1, "w": 0}, "irresolute": {"r": 1}},
            params=base.params,
        )
    noisy = MediationGame(
        *args,
        likelihood={"resolute": {"r": "a", "w": "1 - a"}, "irresolute": {"r": "1 - a", "w": "a"}},
        params=base.params,
    )
    with pytest.raises(ModelError, match=r"likelihood\['resolute'\]\['w'\] is -0\.2 at .*a=1\.2"):
        noisy.arrays({**base.params.bind_batch({}), "a": np.array([1.2])})
    with pytest.raises(ModelError, match=r"payoffs\['resolute'\]: expected exactly the actions"):
        MediationGame(
            *args[:6],
            {**cells, "resolute": {"modest": cells["resolute"]["modest"]}},
            params=base.params,
        )
    with pytest.raises(ModelError, match="at least two messages"):
        MediationGame(*args[:4], ["only"], *args[5:], params=base.params)
    with pytest.raises(ModelError, match="unknown keep 'best'"):
        base.solve(keep="best")
    normal = bargain.NormalFormGame(["a", "b"], [["x"], ["y"]], {"a": [[0]], "b": [[0]]})
    with pytest.raises(ModelError, match="only mediation games take this option"):
        bargain.Model(normal, keep="all")
    zeros = {t: {a: {"Iran": 0, "US": 0} for a in base.actions} for t in base.types}
    flat = ("Iran", "mediator", "US", {t: 0.5 for t in base.types}, base.messages, base.actions)
    with pytest.raises(ModelError, match="mediator_payoff: parameter 'u_US' has the name"):
        MediationGame(*flat, zeros, mediator_payoff="u_US", params=[Param("u_US", 0)])
    with pytest.raises(ModelError, match=r"mediator_payoff = .* is not finite for type 'resolute'"):
        MediationGame(*flat, zeros, mediator_payoff="1/u_US").solve()


def test_command_line(tmp_path):
    exe = shutil.which("bargain", path=str(Path(sys.executable).parent))
    assert exe

    def run(*args: str) -> str:
        done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    solved = json.loads(run("solve", str(FILE), "-p", "b=0.7", "--format", "json"))
    (eq,) = solved["equilibria"]
    assert eq["regime"] == "informative" and eq["n_pbe"] == 2 and eq["war"] == pytest.approx(0.1)
    swept = run("sweep", str(FILE), "-g", "b=0:1:5", "--columns", "b,regime,n_pbe,war")
    assert swept.splitlines() == [  # a plain CSV table: the header, then the points
        "b,regime,n_pbe,war",
        "0.0,babbling,1.0,0.6",
        "0.25,babbling,1.0,0.6",
        "0.5,babbling,1.0,0.6",
        "0.75,informative,2.0,0.1",
        "1.0,babbling,1.0,0.6",
    ]
