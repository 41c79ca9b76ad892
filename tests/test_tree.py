"""Game trees: building, validation, subgame-perfect equilibrium, normal form."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

from bargain import FormulaError, GameTree, ModelError, Param, TieError


def interim_deal() -> GameTree:
    """Proposal, answer, compliance with a chance of detection."""
    tree = GameTree(
        ["US", "Iran"],
        params=[
            Param("relief", 0.4, 0, 1),
            Param("detect", 0.5, 0, 1),
            Param("gain", 0.3, 0, 1),
        ],
    )
    tree.decision("offer", "US", {"propose": "answer", "pressure": "standoff"})
    tree.decision("answer", "Iran", {"accept": "comply", "reject": "breakdown"})
    tree.decision("comply", "Iran", {"keep": "kept", "cheat": "inspect"})
    tree.chance("inspect", {"caught": ("detect", "snapback"), "missed": ("1 - detect", "cheated")})
    tree.terminal("kept", {"US": "1 - relief", "Iran": "relief"})
    tree.terminal("snapback", {"US": -0.2, "Iran": -0.5})
    tree.terminal("cheated", {"US": "-relief", "Iran": "relief + gain"})
    tree.terminal("breakdown", {"US": 0.1, "Iran": 0.1})
    tree.terminal("standoff", {"US": 0.2, "Iran": 0.1})
    return tree


def test_deal_when_cheating_is_likely_caught():
    result = interim_deal().solve(detect=0.5)
    # Cheating pays Iran 0.5 * -0.5 + 0.5 * 0.7 = 0.1 < 0.4 from keeping the deal.
    assert result.choices == {"offer": "propose", "answer": "accept", "comply": "keep"}
    assert result.path == (("offer", "propose"), ("answer", "accept"), ("comply", "keep"))
    assert result.reach["kept"] == 1 and sum(result.reach.values()) == pytest.approx(1)
    assert result.payoffs == pytest.approx({"US": 0.6, "Iran": 0.4})
    assert not result.ties and len(result) == 1


def test_pressure_when_cheating_goes_undetected():
    result = interim_deal().solve(detect=0.1)
    # Iran would cheat (0.1 * -0.5 + 0.9 * 0.7 = 0.58 > 0.4): the U.S. keeps pressure,
    # and the off-path choices are still reported.
    assert result.choices == {"offer": "pressure", "answer": "accept", "comply": "cheat"}
    assert result.path == (("offer", "pressure"),)
    assert result.reach["standoff"] == 1
    assert result.payoffs == pytest.approx({"US": 0.2, "Iran": 0.1})


def test_chance_node_on_the_path_reports_its_branches():
    game = GameTree(["A"], params=[Param("q", 0.3, 0, 1)])
    game.chance("nature", {"up": ("q", "a"), "down": ("1 - q", "b")})
    game.decision("a", "A", {"x": "ax", "y": "ay"})
    game.terminal("ax", {"A": 1})
    game.terminal("ay", {"A": 0})
    game.terminal("b", {"A": "q"})
    solved = game.solve(q=0.3)
    assert solved.path[0] == ("nature", pytest.approx({"up": 0.3, "down": 0.7}))
    assert solved.path[1] == ("a", "x")
    assert solved.payoffs["A"] == pytest.approx(0.3 + 0.7 * 0.3)


def test_batch_equals_point_by_point():
    tree = interim_deal()
    rng = np.random.default_rng(1)
    points = {name: rng.uniform(0, 1, 50) for name in ("relief", "detect", "gain")}
    batch = tree.solve_batch(points)
    assert len(batch) == 50 and (batch.count == 1).all()
    for i in range(50):
        single = tree.solve(**{k: v[i] for k, v in points.items()})
        assert single.choices == batch[i].choices
        assert single.payoffs == pytest.approx(batch[i].payoffs)
        assert single.reach == pytest.approx(batch[i].reach)
    deal = batch.reach_of(["kept", "snapback", "cheated"])
    assert deal.shape == (50,) and set(np.unique(deal)) <= {0.0, 0.5, 1.0} | set(points["detect"])


def tie_tree() -> GameTree:
    tree = GameTree(["A", "B"])
    tree.decision("root", "A", {"left": "b", "right": "out"})
    tree.decision("b", "B", {"a": "t1", "b": "t2"})
    tree.terminal("t1", {"A": 1, "B": 0})
    tree.terminal("t2", {"A": 0, "B": 0})
    tree.terminal("out", {"A": 0.5, "B": 1})
    return tree


def test_ties_are_flagged_and_broken_as_asked():
    first = tie_tree().solve()
    assert first.ties and len(first) == 1
    assert first.choices == {"root": "left", "b": "a"}
    every = tie_tree().solve(tie_break="all")
    assert len(every) == 2
    assert [eq.choices for eq in every] == [
        {"root": "left", "b": "a"},
        {"root": "right", "b": "b"},
    ]
    with pytest.raises(TieError, match=r"node 'b': B is indifferent between moves \['a', 'b'\]"):
        tie_tree().solve(tie_break="raise")
    with pytest.raises(ValueError, match="tie_break"):
        tie_tree().solve(tie_break="random")


def test_ties_flagged_per_point_in_a_batch():
    batch = interim_deal().solve_batch({"detect": [0.0, 0.25, 0.5]})
    # At detect = 0.25 cheating pays 0.25 * -0.5 + 0.75 * 0.7 = 0.4, exactly the deal.
    assert batch.ties.tolist() == [False, True, False]


def hidden_move_game() -> GameTree:
    """Matching pennies where B does not see A's coin."""
    tree = GameTree(["A", "B"])
    tree.decision("a", "A", {"H": "bh", "T": "bt"})
    tree.decision("bh", "B", {"h": "hh", "t": "ht"}, infoset="B guesses")
    tree.decision("bt", "B", {"h": "th", "t": "tt"}, infoset="B guesses")
    for node, (a, b) in {"hh": (1, -1), "ht": (-1, 1), "th": (-1, 1), "tt": (1, -1)}.items():
        tree.terminal(node, {"A": a, "B": b})
    return tree


def test_information_set_is_solved_through_the_normal_form():
    result = hidden_move_game().solve()
    assert result.choices["a"] == pytest.approx({"H": 0.5, "T": 0.5})
    assert result.choices["bh"] == result.choices["bt"] == pytest.approx({"h": 0.5, "t": 0.5})
    assert result.payoffs == pytest.approx({"A": 0, "B": 0})
    assert result.reach == pytest.approx({"hh": 0.25, "ht": 0.25, "th": 0.25, "tt": 0.25})


def test_every_equilibrium_of_an_imperfect_subgame_is_a_spe():
    """Entry, then a simultaneous coordination game with three equilibria."""
    tree = GameTree(["E", "I"], params=[Param("outside", 0.5, -5, 5)])
    tree.decision("entry", "E", {"in": "e", "out": "stay"})
    tree.terminal("stay", {"E": "outside", "I": 2})
    tree.decision("e", "E", {"big": "i_big", "small": "i_small"})
    tree.decision("i_big", "I", {"fight": "bf", "share": "bs"}, infoset="I")
    tree.decision("i_small", "I", {"fight": "sf", "share": "ss"}, infoset="I")
    payoffs = {"bf": (3, 1), "bs": (0, 0), "sf": (0, 0), "ss": (1, 3)}
    for node, (e, i) in payoffs.items():
        tree.terminal(node, {"E": e, "I": i})
    result = tree.solve(outside=0.5)
    assert len(result) == 3
    subgame_values = sorted(round(eq.payoffs["E"], 9) for eq in result)
    # Pure (big, fight) 3; pure (small, share) 1; mixed: E gets 3/4. E enters
    # except in the mixed equilibrium where 3/4 > 1/2 too.
    assert subgame_values == [0.75, 1.0, 3.0]
    assert all(eq.choices["entry"] == "in" for eq in result)
    outside = tree.solve(outside=2.0)
    assert sorted(eq.choices["entry"] for eq in outside) == ["in", "out", "out"]


def test_to_normal_form_labels_reduced_plans_and_keeps_formulas():
    nf = interim_deal().to_normal_form()
    assert nf.strategies == (
        ("propose", "pressure"),
        ("accept/keep", "accept/cheat", "reject/*"),
    )
    relief, detect, gain = sympy.symbols("relief detect gain")
    iran_cheat = nf.payoffs[1, 0, 1]
    assert sympy.simplify(iran_cheat - (detect * -0.5 + (1 - detect) * (relief + gain))) == 0
    assert nf.payoffs[0, 1, 2] == sympy.Float(0.2)


def test_hidden_move_normal_form_is_the_simultaneous_game():
    nf = hidden_move_game().to_normal_form()
    assert nf.strategies == (("H", "T"), ("h", "t"))
    sol = nf.solve()
    assert len(sol) == 1 and sol[0].profile[0] == pytest.approx([0.5, 0.5])


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda t: t.decision("r", "A", {"x": "nowhere"}), r"move 'x' leads to unknown node"),
        (lambda t: t.decision("r", "A", {}), "at least one move"),
        (lambda t: t.decision("r", "Z", {"x": "t"}), "unknown player 'Z'"),
        (lambda t: t.decision("r", "A", {"x": "r"}), "leads to 'r', which is the root"),
        (
            lambda t: (
                t.decision("r", "A", {"x": "t", "y": "t"}),
                t.terminal("t", {"A": 1, "B": 0}),
            ),
            "already the child of 'r'",
        ),
        (
            lambda t: (
                t.decision("r", "A", {"x": "t"}),
                t.terminal("t", {"A": 1, "B": 0}),
                t.terminal("lost", {"A": 1, "B": 0}),
            ),
            r"nodes \['lost'\] cannot be reached",
        ),
        (
            lambda t: (t.decision("r", "A", {"x": "t"}), t.terminal("t", {"A": 1})),
            r"missing \['B'\]",
        ),
        (lambda t: t.chance("r", {"x": 0.5}), r"expected \(probability, child id\)"),
    ],
)
def test_structural_errors_name_the_node(build, message):
    tree = GameTree(["A", "B"])
    with pytest.raises(ModelError, match=message):
        build(tree)
        tree.validate()


def test_duplicate_ids_and_bad_infosets():
    tree = GameTree(["A", "B"])
    tree.terminal("t", {"A": 0, "B": 0})
    with pytest.raises(ModelError, match="duplicate node id"):
        tree.terminal("t", {"A": 0, "B": 0})
    mixed = GameTree(["A", "B"])
    mixed.decision("r", "A", {"x": "a", "y": "b"})
    mixed.decision("a", "B", {"u": "t1"}, infoset="h")
    mixed.decision("b", "A", {"u": "t2"}, infoset="h")
    mixed.terminal("t1", {"A": 0, "B": 0})
    mixed.terminal("t2", {"A": 0, "B": 0})
    with pytest.raises(ModelError, match="information set 'h' mixes players"):
        mixed.validate()
    labels = GameTree(["A", "B"])
    labels.decision("r", "A", {"x": "a", "y": "b"})
    labels.decision("a", "B", {"u": "t1"}, infoset="h")
    labels.decision("b", "B", {"v": "t2"}, infoset="h")
    labels.terminal("t1", {"A": 0, "B": 0})
    labels.terminal("t2", {"A": 0, "B": 0})
    with pytest.raises(ModelError, match="need the same moves"):
        labels.validate()


def test_chance_probabilities_are_checked_at_each_point():
    tree = GameTree(["A"], params=[Param("q", 0.3, -1, 2)])
    tree.chance("n", {"up": ("q", "u"), "down": ("0.5", "d")})
    tree.terminal("u", {"A": 1})
    tree.terminal("d", {"A": 0})
    with pytest.raises(
        ModelError, match=r"node 'n': chance probabilities sum to 0.8, not 1, at q=0.3"
    ):
        tree.solve()
    assert tree.solve(q=0.5).payoffs["A"] == pytest.approx(0.5)
    with pytest.raises(ModelError, match=r"not all in \[0, 1\] at q=-0.5 \(1 of 2 points\)"):
        tree.solve_batch({"q": [0.5, -0.5]})


def test_formula_errors_name_the_node():
    tree = GameTree(["A"], params=[Param("relief", 0.3)])
    with pytest.raises(FormulaError, match=r"node 'x'.payoffs\['A'\].*did you mean 'relief'"):
        tree.terminal("x", {"A": "relif * 2"})
