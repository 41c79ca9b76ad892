"""Agent quantal response equilibria of game trees (``concept="qre"``).

* Perfect information: logit backward induction written out by hand (closed
  form) at small and large lam, one lam per player too; the limit lam -> inf is
  the subgame-perfect equilibrium over a sweep of points and on random trees.
* Information sets and chance: Gambit's agent logit QRE
  (``pygambit.qre.logit_solve_lambda`` on the extensive game, which follows the
  behaviour-strategy branch) at the same lam values, to 1e-6, on seeded random
  trees, including games whose principal branch turns back in lam; a lam per
  player against Gambit's common lam on the game with payoffs scaled per player.
* The batch equals point-by-point solves; bad input; budgets (per point: a point
  the budget leaves unreached has no row and a warning, the others keep theirs);
  regret in the user's units per player when one player's payoffs are extreme.
"""

from __future__ import annotations

import warnings
from fractions import Fraction
from itertools import product

import numpy as np
import pygambit as gbt
import pytest

from bargain import GameTree, Param
from bargain.errors import BargainWarning, ModelError
from bargain.games.tree.compiled import CompiledTree
from bargain.solvers.agent_qre import agent_qre
from bargain.solvers.continuation import Budget
from bargain.vocabulary import ident
from tests.test_tree_cross_check import (
    PLAYERS,
    Spec,
    entry_game,
    hidden_move_game,
    random_tree,
    to_bargain,
    to_gambit,
)

TOL = 1e-6


# -- games ------------------------------------------------------------------------------------


def two_stage() -> GameTree:
    """A stays out, or enters; Nature then picks B's market (prob ``p``), where B fights
    or accommodates. Payoffs use the parameter ``c``."""
    tree = GameTree(["A", "B"], params=[Param("p", 0.3, 0, 1), Param("c", 0.5, -2, 2)])
    tree.decision("root", "A", {"out": "o", "in": "market"})
    tree.chance("market", {"small": ("p", "b1"), "large": ("1 - p", "b2")})
    tree.decision("b1", "B", {"fight": "f1", "share": "s1"})
    tree.decision("b2", "B", {"fight": "f2", "share": "s2"})
    tree.terminal("o", {"A": 0, "B": 2})
    tree.terminal("f1", {"A": -1, "B": "c"})
    tree.terminal("s1", {"A": 1, "B": 1})
    tree.terminal("f2", {"A": "-2 * c", "B": 0.5})
    tree.terminal("s2", {"A": 2, "B": "1 - c"})
    return tree


def logistic(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


def two_stage_closed_form(p, c, lam_a, lam_b) -> dict[str, np.ndarray]:
    """Logit backward induction on :func:`two_stage`, by hand."""
    fight1 = logistic(lam_b * (c - 1))  # fight (c) against share (1)
    fight2 = logistic(lam_b * (0.5 - (1 - c)))
    a1 = fight1 * -1 + (1 - fight1) * 1
    a2 = fight2 * (-2 * c) + (1 - fight2) * 2
    enter_value = p * a1 + (1 - p) * a2
    enter = logistic(lam_a * (enter_value - 0))
    b_in = p * (fight1 * c + (1 - fight1)) + (1 - p) * (fight2 * 0.5 + (1 - fight2) * (1 - c))
    regret = np.maximum.reduce(
        [
            np.maximum(enter_value, 0) - (enter * enter_value),
            np.maximum(c, 1) - (fight1 * c + (1 - fight1)),
            np.maximum(0.5, 1 - c) - (fight2 * 0.5 + (1 - fight2) * (1 - c)),
        ]
    )
    return {
        "p_root_in": enter,
        "p_b1_fight": fight1,
        "p_b2_fight": fight2,
        "u_A": enter * enter_value,
        "u_B": (1 - enter) * 2 + enter * b_in,
        "reach_o": 1 - enter,
        "reach_f1": enter * p * fight1,
        "reach_s2": enter * (1 - p) * (1 - fight2),
        "regret": regret,
    }


def simultaneous(rng: np.random.Generator, n: int = 3, m: int = 3) -> Spec:
    """An n x m simultaneous-move game as a tree: B does not see A's move."""
    spec: Spec = {"root": ("decision", "A", {f"a{i}": f"r{i}" for i in range(n)}, None)}
    for i in range(n):
        spec[f"r{i}"] = ("decision", "B", {f"b{j}": f"t{i}{j}" for j in range(m)}, "B")
    for i, j in product(range(n), range(m)):
        spec[f"t{i}{j}"] = ("terminal", {p: float(rng.uniform(-1, 1)) for p in ("A", "B")})
    return spec


def signaling(rng: np.random.Generator) -> Spec:
    """Nature draws the sender's type (three types); the sender sends one of two
    messages; the receiver, seeing the message only, picks one of three actions."""
    weights = rng.integers(1, 10, size=3)
    total = int(weights.sum())
    spec: Spec = {
        "nature": (
            "chance",
            {f"k{k}": (Fraction(int(w), total), f"s{k}") for k, w in enumerate(weights)},
        )
    }
    for k in range(3):
        spec[f"s{k}"] = ("decision", "S", {f"m{i}": f"s{k}m{i}" for i in range(2)}, None)
        for i in range(2):
            moves = {f"x{j}": f"s{k}m{i}x{j}" for j in range(3)}
            spec[f"s{k}m{i}"] = ("decision", "R", moves, f"R after m{i}")
            for j in range(3):
                spec[f"s{k}m{i}x{j}"] = (
                    "terminal",
                    {p: float(rng.uniform(-1, 1)) for p in ("S", "R")},
                )
    return spec


def three_players(rng: np.random.Generator) -> Spec:
    """A acts; B, not seeing A's move, acts; Nature then decides whether C moves (C
    sees B's move but not A's) or the game ends."""
    spec: Spec = {"a": ("decision", "A", {"a0": "b0", "a1": "b1"}, None)}
    for i in range(2):
        spec[f"b{i}"] = ("decision", "B", {f"y{j}": f"n{i}{j}" for j in range(2)}, "B")
        for j in range(2):
            stop = Fraction(int(rng.integers(1, 5)), 5)
            spec[f"n{i}{j}"] = ("chance", {"go": (1 - stop, f"c{i}{j}"), "end": (stop, f"e{i}{j}")})
            spec[f"c{i}{j}"] = (
                "decision",
                "C",
                {f"z{k}": f"t{i}{j}{k}" for k in range(3)},
                f"C after y{j}",
            )
            for leaf in (f"e{i}{j}", *(f"t{i}{j}{k}" for k in range(3))):
                spec[leaf] = ("terminal", {p: float(rng.uniform(-1, 1)) for p in "ABC"})
    return spec


def gambit_behaviour(spec: Spec, players, lams, weights=None) -> dict[str, np.ndarray]:
    """Gambit's agent QRE at each lam: node -> (K, moves). ``weights`` multiplies each
    player's payoffs (a lam per player as a common lam)."""
    if weights:
        spec = {
            node: (kind, {p: v * weights[p] for p, v in rest[0].items()})
            if kind == "terminal"
            else (kind, *rest)
            for node, (kind, *rest) in spec.items()
        }
    game, gnodes = to_gambit(spec, players)
    found = gbt.qre.logit_solve_lambda(game, lam=[float(x) for x in lams])
    assert len(found) == len(lams)
    actions = list(game.actions)  # the profile's vector is in this order
    out = {}
    for node, (kind, *_) in spec.items():
        if kind == "decision":
            position = [actions.index(a) for a in gnodes[node].infoset.actions]
            out[node] = np.array([[float(q[i]) for i in position] for q in found])
    for k, q in enumerate(found):
        assert float(q.lam) == pytest.approx(lams[k], rel=1e-6)
    return out


def p_columns(spec: Spec, frame, node: str) -> np.ndarray:
    return frame[[f"p_{ident(node)}_{ident(m)}" for m in spec[node][2]]].to_numpy()


# -- perfect information --------------------------------------------------------------------


@pytest.mark.parametrize("lam", [0.3, 4.0, 60.0, {"A": 0.5, "B": 25.0}])
def test_perfect_information_is_logit_backward_induction(lam):
    tree = two_stage()
    p, c = np.linspace(0.05, 0.95, 7), np.linspace(-1.5, 1.8, 7)
    frame = tree.solve_batch({"p": p, "c": c}, concept="qre", lam=lam).to_frame()
    lam_a, lam_b = (lam["A"], lam["B"]) if isinstance(lam, dict) else (lam, lam)
    expected = two_stage_closed_form(p, c, lam_a, lam_b)
    for name, value in expected.items():
        np.testing.assert_allclose(frame[name], value, rtol=1e-12, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(frame["p_b1_fight"] + frame["p_b1_share"], 1, atol=1e-14)
    assert (frame["regret"] > 0).all() if lam_b < 10 else (frame["regret"] >= 0).all()
    assert (frame["fallback"] == 0).all()
    assert (frame["n_equilibria"] == 1).all()


def test_limit_is_the_subgame_perfect_equilibrium_over_a_sweep():
    tree = two_stage()
    rng = np.random.default_rng(7)
    points = {"p": rng.uniform(0.01, 0.99, 300), "c": rng.uniform(-2, 2, 300)}
    spe = tree.solve_batch(points).to_frame()
    assert not spe["ties"].any()
    qre = tree.solve_batch(points, concept="qre", lam=1e9).to_frame()
    measures = [n for n in tree.measure_names() if n not in ("regret", "n_equilibria")]
    np.testing.assert_allclose(qre[measures], spe[measures].astype(float), atol=TOL)
    assert (qre["regime"] == spe["regime"]).all()
    assert len(set(spe["regime"])) > 1  # the sweep crosses regimes


@pytest.mark.parametrize(("seed", "n_players", "depth"), [(11, 2, 3), (12, 3, 3), (13, 3, 4)])
def test_limit_is_the_spe_of_random_perfect_information_trees(seed, n_players, depth):
    players = PLAYERS[:n_players]
    tree = to_bargain(random_tree(np.random.default_rng(seed), players, depth), players)
    spe, qre = tree.solve(), tree.solve(concept="qre", lam=1e9)
    assert len(spe) == 1 and not spe.ties
    assert qre.choices == spe.choices
    assert qre.payoffs == pytest.approx(spe.payoffs, abs=TOL)


# -- information sets and chance: against Gambit ------------------------------------------

LAMS = [0.2, 1.0, 3.0, 8.0, 25.0]

GAMES = [
    *((f"entry-{seed}", entry_game, seed, ("E", "I")) for seed in (1, 2)),
    *((f"hidden-{seed}", hidden_move_game, seed, ("E", "I")) for seed in (3, 4)),
    *((f"signaling-{seed}", signaling, seed, ("S", "R")) for seed in (5, 6)),
    ("simultaneous-8", simultaneous, 8, ("A", "B")),
    *((f"three-players-{seed}", three_players, seed, ("A", "B", "C")) for seed in (10, 11)),
]


@pytest.mark.parametrize(("name", "make", "seed", "players"), GAMES, ids=[g[0] for g in GAMES])
def test_branch_matches_gambits_agent_qre(name, make, seed, players):
    spec = make(np.random.default_rng(seed))
    tree = to_bargain(spec, players)
    branch = tree.qre_branch(lam=LAMS)
    assert list(branch["lam"]) == LAMS and (branch["fallback"] == 0).all()
    expected = gambit_behaviour(spec, players, LAMS)
    for node, probs in expected.items():
        np.testing.assert_allclose(p_columns(spec, branch, node), probs, atol=TOL, err_msg=node)
    one = tree.solve(concept="qre", lam=LAMS[2]).to_frame()
    for node, probs in expected.items():
        np.testing.assert_allclose(p_columns(spec, one, node)[0], probs[2], atol=TOL)
    assert (branch["regret"] > 0).all()
    assert branch[[c for c in branch if c.startswith("reach_")]].sum(axis=1).to_numpy() == (
        pytest.approx(1.0)
    )


def test_turning_branch_falls_back_to_arc_length_and_matches_gambit():
    """This 3 x 3 game's branch turns back near lam 39.5 (down to about 11.8, then up
    again): three QREs at lam 20 or 30, and Gambit's branch reaches 45 past both folds.
    Short of the fold the point stays on the shared grid (``fallback`` 0)."""
    spec = simultaneous(np.random.default_rng(228))
    tree = to_bargain(spec, ("A", "B"))
    lams = [5.0, 20.0, 30.0, 45.0]
    with pytest.warns(BargainWarning, match="1 of 1 points fell back to per-point arc-length"):
        branch = tree.qre_branch(lam=lams)
    assert list(branch["lam"]) == lams and (branch["fallback"] == 1).all()
    expected = gambit_behaviour(spec, ("A", "B"), lams)
    for node, probs in expected.items():
        np.testing.assert_allclose(p_columns(spec, branch, node), probs, atol=TOL, err_msg=node)
    with warnings.catch_warnings():
        warnings.simplefilter("error", BargainWarning)
        short = tree.qre_branch(lam=lams[:3])
    assert (short["fallback"] == 0).all()
    np.testing.assert_allclose(p_columns(spec, short, "root"), expected["root"][:3], atol=TOL)
    with pytest.warns(BargainWarning, match="fell back"):
        one = tree.solve(concept="qre", lam=45.0)
    assert one.fallback
    np.testing.assert_allclose(p_columns(spec, one.to_frame(), "root")[0], expected["root"][3])


def test_a_lam_per_player_is_gambits_common_lam_on_scaled_payoffs():
    spec = signaling(np.random.default_rng(9))
    tree = to_bargain(spec, ("S", "R"))
    weights = {"S": 0.5, "R": 2.0}
    lams = [1.0, 4.0, 12.0]
    branch = tree.qre_branch(lam=lams, weights=weights)
    assert list(branch["lam"]) == lams and branch.attrs["weights"] == weights
    expected = gambit_behaviour(spec, ("S", "R"), lams, weights)
    for node, probs in expected.items():
        np.testing.assert_allclose(p_columns(spec, branch, node), probs, atol=TOL, err_msg=node)
    one = tree.solve(concept="qre", lam={"S": 6.0, "R": 24.0}).to_frame()
    np.testing.assert_allclose(p_columns(spec, one, "s0")[0], expected["s0"][2], atol=TOL)


# -- batches, options, budgets -------------------------------------------------------------


def parameterized_entry() -> GameTree:
    """:func:`entry_game` with the chance of a boom ``q`` and one payoff ``w``."""
    spec = entry_game(np.random.default_rng(3))
    rebuilt = GameTree(["E", "I"], params=[Param("q", 0.5, 0, 1), Param("w", 0.0, -1, 1)])
    for node, (kind, *rest) in spec.items():
        if kind == "decision":
            rebuilt.decision(node, rest[0], rest[1], infoset=rest[2])
        elif kind == "chance":
            rebuilt.chance(node, {"boom": ("q", "enter-boom"), "bust": ("1 - q", "enter-bust")})
        else:
            payoffs = dict(rest[0])
            if node == "boom-00":
                payoffs["I"] = "w"
            rebuilt.terminal(node, payoffs)
    return rebuilt


def test_batch_equals_point_by_point():
    tree = parameterized_entry()
    # q = 0 or 1: chance excludes one market, and its information sets, entirely
    points = {"q": np.array([0.0, 0.3, 0.5, 0.7, 1.0, 0.6]), "w": np.linspace(-1, 1, 6)}
    batch = tree.solve_batch(points, concept="qre", lam=6.0)
    frame = batch.to_frame()
    chunked = tree.solve_batch(points, concept="qre", lam=6.0, chunk_size=4).to_frame()
    measures = [n for n in tree.measure_names(concept="qre") if n != "n_equilibria"]
    # chunks share another grid of lam: equal within the solve's tolerance (QRE_TOL)
    np.testing.assert_allclose(chunked[measures], frame[measures], rtol=0, atol=1e-9)
    for i in range(6):
        one = tree.solve(concept="qre", lam=6.0, q=points["q"][i], w=points["w"][i]).to_frame()
        np.testing.assert_allclose(one[measures].iloc[0], frame[measures].iloc[i], atol=1e-9)
        assert one["regime"][0] == frame["regime"][i]
    assert batch[2].lam == {"E": 6.0, "I": 6.0}


def test_trees_without_choices_or_without_stakes():
    lottery = GameTree(["A", "B"])
    lottery.chance("c", {"h": (0.25, "x"), "t": (0.75, "y")})
    lottery.terminal("x", {"A": 1, "B": 0})
    lottery.terminal("y", {"A": 0, "B": 1})
    result = lottery.solve(concept="qre", lam=3.0)
    assert result.reach == {"x": 0.25, "y": 0.75}
    assert result.payoffs == pytest.approx({"A": 0.25, "B": 0.75})
    spec = simultaneous(np.random.default_rng(0))
    spec = {
        n: ("terminal", {"A": 1.0, "B": 2.0}) if s[0] == "terminal" else s for n, s in spec.items()
    }
    frame = to_bargain(spec, ("A", "B")).solve(concept="qre", lam=50.0).to_frame()
    p = frame[[c for c in frame if c.startswith("p_")]].to_numpy()
    np.testing.assert_allclose(p, 1 / 3, atol=1e-12)
    assert frame["regret"][0] == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"lam": 2.0}, "applies to concept='qre', not 'spe'"),
        ({"concept": "qre"}, "needs the option lam"),
        ({"concept": "qre", "lam": -1}, "expected a finite number lam >= 0"),
        ({"concept": "qre", "lam": "large"}, "expected a number lam >= 0"),
        ({"concept": "qre", "lam": {"A": 1.0}}, "expected a value for every player; missing B"),
        ({"concept": "qre", "lam": {"A": 1.0, "B": 1.0, "C": 1.0}}, "unknown player 'C'"),
        ({"concept": "qre", "lam": 1.0, "tie_break": "all"}, "applies to concept='spe'"),
        ({"concept": "qre", "lam": 1.0, "max_steps": 0}, "expected a positive integer"),
        ({"concept": "qre", "lam": 1.0, "max_steps": 2.0}, "expected a positive integer"),
        ({"concept": "qre", "lam": 1.0, "seconds": -1}, "expected a positive finite number"),
    ],
)
def test_bad_options(options, message):
    with pytest.raises(ModelError, match=message):
        two_stage().solve(**options)


@pytest.mark.parametrize(
    ("lam", "weights", "message"),
    [
        ([1.0, 0.5], 1.0, "expected increasing values"),
        ([], 1.0, "at least one value"),
        (3.0, 1.0, "expected a sequence of numbers"),
        ([1.0, 1.0, 2.0], 1.0, r"expected increasing values .*got 1 then 1"),
        ([1.0, -2.0], 1.0, "expected a finite number lam >= 0"),
        ([1.0, 2.0], {"A": 1.0}, r"weights=\.\.\.\): expected a value for .*missing B"),
        ([1.0, 2.0], -1.0, "expected a finite number lam >= 0"),
    ],
)
def test_bad_branch(lam, weights, message):
    with pytest.raises(ModelError, match=message):
        two_stage().qre_branch(lam=lam, weights=weights)


def test_no_closed_forms_or_drawings_for_qre():
    tree = two_stage()
    with pytest.raises(ModelError, match="not concept='qre'"):
        tree.derive(concept="qre", lam=1.0)
    qre = tree.solve(concept="qre", lam=1.0)
    with pytest.raises(ModelError, match="quantal response"):
        tree.extensive_form(qre[0], {"p": 0.3, "c": 0.5})


def scaled_turning_tree() -> GameTree:
    """The game whose branch turns (seed 228) with every payoff times ``s``: lam 45 at
    s = 1 lies past the fold, at s = 0.1 or 0.5 before it."""
    spec = simultaneous(np.random.default_rng(228))
    tree = GameTree(["A", "B"], params=[Param("s", 1.0, 0, 2)])
    for node, (kind, *rest) in spec.items():
        if kind == "decision":
            tree.decision(node, rest[0], rest[1], infoset=rest[2])
        else:
            tree.terminal(node, {p: f"s * {v!r}" for p, v in rest[0].items()})
    return tree


def test_a_point_out_of_budget_loses_its_row_only():
    """max_steps=40 takes the shared grid to lam 45 but not the arc-length path of the
    point past the fold: that point has no row, the others keep theirs, one warning."""
    tree = scaled_turning_tree()
    points = {"s": [0.1, 1.0, 0.5]}
    with pytest.warns(BargainWarning) as caught:
        short = tree.solve_batch(points, concept="qre", lam=45.0, max_steps=40)
    budget = [str(w.message) for w in caught if "budget ran out" in str(w.message)]
    assert budget == [
        "the path-following budget ran out (max_steps=40 steps): 1 of 3 points have no QRE "
        "(see 'n_equilibria'); raise max_steps or seconds"
    ]
    assert list(short.count) == [1, 0, 1] and list(short.fallback) == [False, True, False]
    with pytest.warns(BargainWarning, match="1 of 3 points fell back"):
        full = tree.solve_batch(points, concept="qre", lam=45.0, max_steps=np.int64(2_000))
    assert list(full.count) == [1, 1, 1]
    measures = [n for n in tree.measure_names(concept="qre") if n != "n_equilibria"]
    np.testing.assert_allclose(
        short.to_frame()[measures], full.to_frame()[measures].iloc[[0, 2]], atol=1e-9
    )
    np.testing.assert_allclose(
        p_columns(simultaneous(np.random.default_rng(228)), full.to_frame(), "root")[1],
        gambit_behaviour(simultaneous(np.random.default_rng(228)), ("A", "B"), [45.0])["root"][0],
        atol=TOL,
    )


def test_budgets_are_reported():
    spec = simultaneous(np.random.default_rng(228))
    tree = to_bargain(spec, ("A", "B"))
    with pytest.warns(BargainWarning, match=r"ran out \(max_steps=5 steps\): 1 of 1 points"):
        assert len(tree.solve(concept="qre", lam=45.0, max_steps=5)) == 0
    with pytest.warns(BargainWarning, match=r"ran out \(seconds=1e-09 s\): 1 of 1 points"):
        assert len(tree.solve(concept="qre", lam=45.0, seconds=1e-9)) == 0
    with pytest.warns(BargainWarning, match=r"max_steps=5 steps\): 1 of 1 points have no full"):
        branch = tree.qre_branch(lam=[0.0, 5.0, 45.0], max_steps=5)
    assert list(branch["lam"]) == [0.0, 5.0]  # the values reached keep their rows
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)
        assert tree.solve(concept="qre", lam=45.0, max_steps=2_000).fallback


def test_regret_is_each_players_own_in_user_units():
    """B chooses between payoffs 1 and 0 while A's are 1e200 and 2e200: the kernel sees
    A's payoffs divided by 1e200, and the regret is B's, 1 - logistic(lam), not A's scale."""
    for big in (1.0, 1e200):
        tree = GameTree(["A", "B"])
        tree.decision("root", "B", {"l": "x", "r": "y"})
        tree.terminal("x", {"A": big, "B": 1})
        tree.terminal("y", {"A": 2 * big, "B": 0})
        frame = tree.solve_batch({}, concept="qre", lam={"A": 1.0, "B": 1.0}).to_frame()
        assert frame["p_root_l"][0] == pytest.approx(logistic(1.0), rel=1e-12)
        assert frame["regret"][0] == pytest.approx(1 - logistic(1.0), rel=1e-12)
        assert frame["u_A"][0] == pytest.approx(big * (2 - logistic(1.0)), rel=1e-12)
    spec = simultaneous(np.random.default_rng(8))
    for big in (1.0, 1e200):  # with information sets: the path follower's regret
        scaled = {
            n: ("terminal", {"A": big * r[0]["A"], "B": r[0]["B"]}) if k == "terminal" else (k, *r)
            for n, (k, *r) in spec.items()
        }
        lam = {"A": 3.0 / big, "B": 3.0}
        frame = to_bargain(scaled, ("A", "B")).solve(concept="qre", lam=lam).to_frame()
        q = np.array([[spec[f"t{i}{j}"][1]["B"] for j in range(3)] for i in range(3)])
        p_a = p_columns(spec, frame, "root")[0]
        p_b = p_columns(spec, frame, "r0")[0]
        u_b = p_a @ q  # B's payoff of each move given A's behaviour
        regret_b = u_b.max() - p_b @ u_b
        qa = np.array([[spec[f"t{i}{j}"][1]["A"] for j in range(3)] for i in range(3)]) @ p_b
        regret_a = big * (qa.max() - p_a @ qa)
        assert frame["regret"][0] == pytest.approx(max(regret_a, regret_b), rel=1e-9)


def test_kernel_on_raw_arrays():
    """The kernel alone: K values of lam on one ray at N points, regret per player."""
    tree = parameterized_entry()
    compiled = CompiledTree(tree.nodes, tree.players, tree.params)
    bound = tree.params.bind_batch({"q": [0.2, 0.8], "w": [0.5, -0.5]})
    probs, payoffs = compiled.evaluate(bound, 2)
    found = agent_qre(compiled.structure, probs, payoffs, np.array([1.0, 4.0]), np.ones((2, 2)))
    assert found.values.shape == (2, 2, 2) and found.regret.shape == (2, 2, 2)
    assert found.reached.all() and not found.fallback.any() and found.exhausted is None
    assert found.steps > 0
    expected = tree.solve_batch(bound, concept="qre", lam=4.0)
    np.testing.assert_allclose(found.values[1], expected.payoffs.T, atol=1e-12)
    np.testing.assert_allclose(found.regret[1].max(axis=0), expected.regret, atol=1e-12)
    with pytest.raises(ValueError, match="stops must increase"):
        agent_qre(compiled.structure, probs, payoffs, np.array([4.0, 1.0]), np.ones((2, 2)))
    out = agent_qre(
        compiled.structure, probs, payoffs, np.array([1.0, 40.0]), np.ones((2, 2)), Budget(2)
    )
    assert out.exhausted == "max_steps=2 steps" and not out.reached[1].any()
    assert np.isnan(out.values[1]).all() and np.isnan(out.regret[1]).all()


def test_fallback_is_a_per_point_measure_of_qre_tables():
    """``fallback`` is a point measure of ``concept="qre"`` (none of "spe"): a model's
    per-point table and a sweep's frame carry it, 1 exactly at the point whose path
    turns back (s = 1: lam 45 lies past the fold) and 0 where it stays on the grid."""
    from bargain import Model
    from bargain.sweeps import sweep

    tree = scaled_turning_tree()
    assert tree.point_measures(concept="qre", lam=45.0) == ("fallback",)
    assert tree.point_measures() == () and "fallback" not in tree.measure_names()
    model = Model(tree, concept="qre", lam=45.0, max_steps=2_000)
    points = {"s": np.array([0.1, 1.0, 0.5])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)
        solution = tree.solve_batch(points, concept="qre", lam=45.0, max_steps=2_000)
        table = model.evaluate(points, "unique")["points"]
        frame = sweep(model, {"s": [0.1, 1.0, 0.5]}).to_frame()
    expected = solution.fallback.astype(float).tolist()
    assert expected == [0.0, 1.0, 0.0]
    assert table["fallback"].tolist() == expected
    assert frame.sort_values("s")["fallback"].tolist() == [0.0, 0.0, 1.0]


def test_method_on_a_tree_points_to_concept():
    """A tree given ``method`` (as a normal form takes it) says what trees take instead,
    not the list of every option."""
    from bargain import Model

    tree = two_stage()
    message = (
        r"^option 'method': game trees take no method: they are solved by concept "
        r"\(spe, pbe, or qre for the agent QRE\)"
    )
    for call in (
        lambda: tree.solve(method="qre"),
        lambda: tree.solve_batch({}, method="qre"),
        lambda: Model(tree).with_options(method="qre").solve(),
    ):
        with pytest.raises(ModelError, match=message + "$"):
            call()
    with pytest.raises(ModelError, match=r"option 'metod': unknown option \(did you mean"):
        tree.solve_batch({}, metod="qre")  # other unknown options keep the full answer
