"""Closed forms of game trees (``GameTree.derive``) against the numeric backward induction.

Every case of a derivation is checked at seeded random points of the parameter
box where its conditions hold: the numeric solver reports the case's label and
every value agrees. Exactly one case holds at each random point (the cases
split the box), so outside a case the solver reports another case's label.
Small hand trees are checked against conditions and values worked by hand,
on exact rational grids that include the ties, where the tie rule decides.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest
import sympy

import bargain
from bargain import GameTree, ModelError, Param, TieError
from bargain.algebra import truth_at
from bargain.formula import compile_formulas
from bargain.vocabulary import ident

NOT_DERIVED = {"regret", "n_equilibria"}


def uniform(params, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {p.name: rng.uniform(p.low, p.high, n) for p in params}


def holding(derivation, points: dict[str, np.ndarray]) -> np.ndarray:
    """(cases, N): where each case's conditions hold (and its domain), in floating point."""
    names = derivation.params.names
    rows = []
    for case in derivation.cases:
        where = sympy.And(case.where, *(d.expr for d in case.domain))
        rows.append(compile_formulas(where, names)(*(points[n] for n in names)) == 1)
    return np.array(rows).reshape(len(derivation.cases), -1)


def check_agreement(game, derivation, points: dict[str, np.ndarray]) -> np.ndarray:
    """At every point exactly one case holds, and the solver agrees with it; returns
    which case holds at each point."""
    inside = holding(derivation, points)
    assert (inside.sum(axis=0) == 1).all(), "the cases do not split the box"
    which = inside.argmax(axis=0)
    batch = game.solve_batch(points)
    assert (batch.count == 1).all()
    labels, _ = batch.regimes()
    columns = batch.measure_columns()
    names = derivation.params.names
    for k, case in enumerate(derivation.cases):
        rows = np.flatnonzero(which == k)
        if not len(rows):
            continue
        assert set(labels[rows]) == {case.label}
        sub = [points[n][rows] for n in names]
        for name, expr in case.values.items():
            want = np.broadcast_to(compile_formulas(expr, names)(*sub), rows.shape)
            np.testing.assert_allclose(columns[name][rows], want, rtol=1e-9, atol=1e-12)
        # Outside the case, the solver reports the label of the case that holds there.
        outside = np.flatnonzero(which != k)
        others = {derivation.cases[j].label for j in which[outside]}
        assert set(labels[outside]) == others
        if case.label not in others:
            assert case.label not in set(labels[outside])
    return which


# -- the bundled model ---------------------------------------------------------------------


#: The interim-deal tree before issue 13: self-contained (no linked values), with chance
#: nodes whose probabilities are min() formulas; a realistic case for the derivation.
INTERIM_V1 = Path(__file__).parent / "data" / "interim-deal-1.toml"


@pytest.fixture(scope="module")
def interim():
    game = bargain.load_model(INTERIM_V1).game
    return game, game.derive()


def test_interim_deal_derives_one_case_per_regime(interim):
    game, derived = interim
    assert derived.form == "tree" and derived.exclusive
    assert derived.subject == "subgame-perfect equilibrium"
    assert derived.members == {t: f"reach_{ident(t)}" for t in game.outcome_members()}
    names = set(game.measure_names()) - NOT_DERIVED
    for case in derived.cases:
        assert set(case.values) == names
        assert case.feasible == "shown" and not case.undecided
    labels = {case.label for case in derived.cases}
    assert labels == {
        "pressure",
        "propose>accept>comply>keep",
        "propose>accept>comply>withdraw",
        "propose>accept>cheat",
    }
    # Each combination of moves is its own case: no two share every choice.
    choices = [tuple(v for k, v in c.values.items() if k.startswith("p_")) for c in derived.cases]
    assert len(set(choices)) == len(choices)


def test_interim_deal_cases_agree_with_the_solver_and_split_the_box(interim):
    game, derived = interim
    points = uniform(game.params, 4000, seed=12)
    which = check_agreement(game, derived, points)
    # Every case met: the cases with few random points get points of their own.
    pool = uniform(game.params, 200_000, seed=13)
    inside = holding(derived, pool)
    for k, case in enumerate(derived.cases):
        rows = np.flatnonzero(inside[k])[:40]
        assert len(rows), f"no random point inside {case.label} {case.where}"
        check_agreement(game, derived, {n: v[rows] for n, v in pool.items()})
    assert len(set(which)) >= 6


def test_interim_deal_deal_case_in_closed_form(interim):
    """The deal that holds: Iran accepts and complies, the U.S. proposes and keeps."""
    _, derived = interim
    s = sympy.symbols("relief breakout deliver weak repute rollback rebuff")
    relief, breakout, deliver, weak, repute, rollback, rebuff = s
    war_risk, war_us = sympy.symbols("war_risk war_us")
    w = sympy.Min(1, 12 * war_risk / breakout)
    (case,) = [c for c in derived.cases if c.label == "propose>accept>comply>keep"]
    u_us = deliver * (rollback - (1 + weak) * relief) + (1 - deliver) * (-rebuff - w * war_us)
    assert sympy.simplify(case.values["u_US"] - u_us) == 0
    assert sympy.simplify(case.values["reach_kept"] - deliver) == 0
    assert case.values["p_honor_keep"] == 1 and case.values["p_offer_propose"] == 1
    # The U.S. keeps the relief iff it costs no more than withdrawing it (keep is listed
    # first, so it wins the tie relief = 1/2 at weak = repute = 1).
    keep = sympy.Ge(repute, (1 + weak) * relief)
    (kept,) = [c.expr for c in case.conditions if c.expr.free_symbols <= {relief, weak, repute}]
    for r in (sympy.Rational(1, 4), sympy.Rational(1, 2), sympy.Rational(3, 4)):
        at = {relief: r, weak: 1, repute: 1}
        assert truth_at(kept, at) == truth_at(keep, at)


# -- hand trees ----------------------------------------------------------------------------


def entry_deterrence() -> GameTree:
    """The entrant stays out (0; the incumbent 2) or enters; the incumbent fights
    (-1; 1 - k) or accommodates (d; d)."""
    tree = GameTree(["Entrant", "Incumbent"], [Param("d", 0.5, -1, 1), Param("k", 1.0, 0, 2)])
    tree.decision("enter", "Entrant", {"out": "stay_out", "in": "respond"})
    tree.decision("respond", "Incumbent", {"fight": "war", "accommodate": "share"})
    tree.terminal("stay_out", {"Entrant": 0, "Incumbent": 2})
    tree.terminal("war", {"Entrant": -1, "Incumbent": "1 - k"})
    tree.terminal("share", {"Entrant": "d", "Incumbent": "d"})
    return tree


def grid(**axes: tuple[int, int]) -> list[dict[sympy.Symbol, sympy.Rational]]:
    """Exact points at steps of 1/8 over integer ranges (the ties included)."""
    levels = {
        sympy.Symbol(n): [sympy.Rational(i, 8) for i in range(8 * lo, 8 * hi + 1)]
        for n, (lo, hi) in axes.items()
    }
    return [dict(zip(levels, p)) for p in itertools.product(*levels.values())]


def test_entry_deterrence_conditions_and_values():
    d, k = sympy.symbols("d k")
    derived = entry_deterrence().derive()
    expected = {
        # fight is listed first: it wins the tie 1 - k = d; then entry loses (-1 < 0).
        ("out", 1): (sympy.Ge(1 - k, d), {"u_Entrant": 0, "u_Incumbent": 2}),
        # accommodation, and entry only if it pays strictly (out is listed first).
        ("out", 0): (sympy.And(d > 1 - k, d <= 0), {"u_Entrant": 0, "u_Incumbent": 2}),
        ("in>accommodate", 0): (sympy.And(d > 1 - k, d > 0), {"u_Entrant": d, "u_Incumbent": d}),
    }
    found = {(c.label, c.values["p_respond_fight"]): c for c in derived.cases}
    assert set(found) == set(expected)
    points = grid(d=(-1, 1), k=(0, 2))
    for key, (where, values) in expected.items():
        case = found[key]
        for name, value in values.items():
            assert sympy.simplify(case.values[name] - value) == 0
        assert [truth_at(case.where, p) for p in points] == [truth_at(where, p) for p in points]
    # The solver agrees on the whole grid, ties included (d + k = 1, d = 0).
    game = entry_deterrence()
    batch = game.solve_batch({s.name: [float(p[s]) for p in points] for s in (d, k)})
    labels, _ = batch.regimes()
    for i, p in enumerate(points):
        (case,) = [c for c in derived.cases if truth_at(c.where, p)]
        assert labels[i] == case.label
        assert batch.behaviour["respond"][i, 0] == float(case.values["p_respond_fight"])


def test_tie_break_raise_leaves_the_ties_out():
    d, k = sympy.symbols("d k")
    derived = entry_deterrence().derive(tie_break="raise")
    tie = {d: sympy.Rational(1, 4), k: sympy.Rational(3, 4)}
    assert not any(truth_at(c.where, tie) for c in derived.cases)
    with pytest.raises(TieError):
        entry_deterrence().solve(d=0.25, k=0.75, tie_break="raise")
    off = {d: sympy.Rational(1, 2), k: sympy.Rational(3, 4)}
    assert sum(bool(truth_at(c.where, off)) for c in derived.cases) == 1
    check_agreement(entry_deterrence(), derived, uniform(entry_deterrence().params, 500, 3))


def test_random_points_of_a_hand_tree():
    game = entry_deterrence()
    check_agreement(game, game.derive(), uniform(game.params, 2000, seed=5))


def ultimatum() -> GameTree:
    """Two-stage ultimatum: the proposer offers a fair split (1/2) or a low share s; the
    responder accepts, or rejects at a cost of spite c to the proposer (0 to itself)."""
    tree = GameTree(["P", "R"], [Param("s", 0.2, 0, 1), Param("c", 0.0, 0, 1)])
    tree.decision("offer", "P", {"fair": "fair_answer", "low": "low_answer"})
    tree.decision("fair_answer", "R", {"accept": "fair_deal", "reject": "fair_no"})
    tree.decision("low_answer", "R", {"accept": "low_deal", "reject": "low_no"})
    tree.terminal("fair_deal", {"P": "1/2", "R": "1/2"})
    tree.terminal("fair_no", {"P": "-c", "R": 0})
    tree.terminal("low_deal", {"P": "1 - s", "R": "s"})
    tree.terminal("low_no", {"P": "-c", "R": 0})
    return tree


def test_ultimatum_in_closed_form():
    s = sympy.Symbol("s")
    derived = ultimatum().derive()
    by_label = {}
    for case in derived.cases:
        by_label.setdefault(case.label, []).append(case)
    # A share of 0 is rejected (reject is listed second: accept wins the tie at 0).
    assert set(by_label) == {"low>accept", "fair>accept"}
    (low,) = by_label["low>accept"]
    (fair,) = by_label["fair>accept"]
    assert sympy.simplify(low.values["u_P"] - (1 - s)) == 0
    assert sympy.simplify(low.values["reach_low_deal"] - 1) == 0
    assert sympy.simplify(fair.values["u_R"] - sympy.Rational(1, 2)) == 0
    points = grid(s=(0, 1), c=(0, 1))
    # low iff 1 - s > 1/2 (fair is listed first and wins the tie s = 1/2)
    assert [truth_at(low.where, p) for p in points] == [p[s] < sympy.Rational(1, 2) for p in points]
    check_agreement(ultimatum(), derived, uniform(ultimatum().params, 1000, seed=8))


def chance_above_a_choice(prob: str) -> GameTree:
    """Nature reaches A's choice with probability ``prob``; the label shows A's move only
    where that probability is positive."""
    game = GameTree(["A"], [Param("q", 0.3, 0, 1)])
    game.chance("nature", {"up": (prob, "a"), "down": (f"1 - ({prob})", "b")})
    game.decision("a", "A", {"x": "ax", "y": "ay"})
    game.decision("b", "A", {"x": "bx", "y": "by"})
    game.terminal("ax", {"A": "q"})
    game.terminal("ay", {"A": "1/2"})
    game.terminal("bx", {"A": 1})
    game.terminal("by", {"A": 0})
    return game


@pytest.mark.parametrize("prob", ["q", "max(0, 2 * q - 1)"])
def test_labels_follow_the_chance_probabilities(prob):
    game = chance_above_a_choice(prob)
    derived = game.derive()
    q = sympy.Symbol("q")
    exact = [sympy.Rational(i, 8) for i in range(9)]
    batch = game.solve_batch({"q": [float(x) for x in exact]})
    labels, _ = batch.regimes()
    for i, x in enumerate(exact):
        held = [c for c in derived.cases if truth_at(c.where, {q: x})]
        assert len(held) == 1, (x, [c.label for c in held])
        assert held[0].label == labels[i]
        for name, expr in held[0].values.items():
            got = batch.measure_columns()[name][i]
            assert float(expr.subs(q, x)) == pytest.approx(got, abs=1e-12)
    check_agreement(game, derived, uniform(game.params, 1000, seed=4))


def random_tree(seed: int) -> GameTree:
    """A seeded tree of up to three levels: decisions of three players, a chance node
    whose branch probability ``a`` may be 0, payoffs affine in ``a`` and ``b`` with small
    integer coefficients (so equal payoffs and exact ties occur)."""
    rng = np.random.default_rng(seed)
    players = ["P1", "P2", "P3"]
    tree = GameTree(players, [Param("a", 0.5, 0, 1), Param("b", 0.0, -1, 1)])
    count = itertools.count()

    def payoff() -> str:
        c = rng.integers(-2, 3, size=3)
        return f"{c[0]} + {c[1]} * a + {c[2]} * b"

    def node(depth: int) -> str:
        name = f"n{next(count)}"
        kind = rng.choice(["decision", "decision", "chance", "terminal"]) if depth else "terminal"
        if kind == "terminal" or (depth == 3 and kind == "chance"):
            tree.terminal(name, {p: payoff() for p in players})
        elif kind == "chance":
            tree.chance(name, {"up": ("a", node(depth - 1)), "down": ("1 - a", node(depth - 1))})
        else:
            moves = {f"m{j}": node(depth - 1) for j in range(2)}
            tree.decision(name, players[rng.integers(3)], moves)
        return name

    tree.nodes.clear()
    while not any(spec["kind"] == "decision" for spec in tree.nodes.values()):
        tree.nodes.clear()
        node(3)
    # the root was added last: rebuild parents first
    nodes = dict(reversed(list(tree.nodes.items())))
    rebuilt = GameTree(players, tree.params)
    for name, spec in nodes.items():
        if spec["kind"] == "terminal":
            rebuilt.terminal(name, spec["payoffs"])
        elif spec["kind"] == "chance":
            rebuilt.chance(name, {k: (spec["probs"][k], c) for k, c in spec["moves"].items()})
        else:
            rebuilt.decision(name, spec["player"], spec["moves"])
    return rebuilt


@pytest.mark.parametrize("seed", range(5))
def test_seeded_random_trees_agree_with_the_solver(seed):
    game = random_tree(seed)
    derived = game.derive()
    check_agreement(game, derived, uniform(game.params, 1000, seed=seed))
    # Exactly one case at exact points, ties and a = 0 included; the solver agrees.
    a, b = sympy.symbols("a b")
    points = grid(a=(0, 1), b=(-1, 1))[::7]
    batch = game.solve_batch({s.name: [float(p[s]) for p in points] for s in (a, b)})
    labels, _ = batch.regimes()
    for i, p in enumerate(points):
        held = [c for c in derived.cases if truth_at(c.where, p)]
        assert len(held) == 1 and held[0].label == labels[i], p


def test_domain_is_kept():
    game = GameTree(["A"], [Param("x", 0.5, 0, 1)])
    game.decision("a", "A", {"keep": "k", "drop": "d"})
    game.terminal("k", {"A": "x / x"})
    game.terminal("d", {"A": "1/2"})
    (case,) = game.derive().cases
    assert case.values["u_A"] == 1
    x = sympy.Symbol("x")
    assert truth_at(sympy.And(*(d.expr for d in case.domain)), {x: 0}) is False


# -- what is not derived -------------------------------------------------------------------


def test_bad_options_get_the_solvers_message():
    game = entry_deterrence()
    for bad in ({"bogus": 1}, {"tie_break": "never"}):
        with pytest.raises(ModelError) as solving:
            game.solve_batch({}, **bad)
        with pytest.raises(ModelError) as deriving:
            game.derive(**bad)
        assert str(deriving.value) == str(solving.value)
    with pytest.raises(ModelError) as refine:
        game.derive(refine="d1")
    assert "concept='pbe'" in str(refine.value)


@pytest.mark.parametrize("options", [{"tie_break": "all"}, {"concept": "pbe"}])
def test_options_without_closed_forms(options):
    with pytest.raises(ModelError, match="closed forms are for tie_break") as err:
        entry_deterrence().derive(**options)
    assert "\n" not in str(err.value)


def test_imperfect_information_is_refused():
    game = GameTree(["A", "B"])
    game.decision("a", "A", {"l": "b1", "r": "b2"})
    game.decision("b1", "B", {"u": "t1", "d": "t2"}, infoset="B")
    game.decision("b2", "B", {"u": "t3", "d": "t4"}, infoset="B")
    for t in ("t1", "t2", "t3", "t4"):
        game.terminal(t, {"A": 1, "B": 0})
    with pytest.raises(ModelError, match="closed forms cover perfect-information trees"):
        game.derive()
