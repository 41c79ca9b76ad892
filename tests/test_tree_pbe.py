"""Game trees of the sender–receiver shape solved for perfect Bayesian equilibrium.

A chance move draws the sender's type, the sender's nodes are one information
set each, the receiver's nodes after one message form one information set:
``concept="pbe"`` reads the tree as a signaling game and gives its PBE, with
the tree's terminal nodes (reach, outcome sets). Other shapes are refused in
one line that says what to use instead.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import bargain
from bargain import GameTree, ModelError, Param
from bargain.errors import DegenerateGameWarning
from bargain.games.signaling import SignalingGame
from bargain.io import dumps_model, loads_model

WANTS = {"duel": 0, "not": 2}
LIKES = {"weak": "quiche", "strong": "beer"}


def beer_quiche_tree() -> GameTree:
    """Cho and Kreps (1987) as a tree: +1 for the liked breakfast, +2 if not dueled; B
    gets 1 for dueling the weak type or sparing the strong one."""
    tree = GameTree(["A", "B"], params=[Param("p", 0.1, 0, 1)])
    tree.chance("nature", {"weak": ("p", "weak"), "strong": ("1 - p", "strong")})
    for kind in ("weak", "strong"):
        tree.decision(kind, "A", {m: f"{kind} {m}" for m in ("beer", "quiche")})
        for m in ("beer", "quiche"):
            tree.decision(f"{kind} {m}", "B", {a: f"{kind} {m} {a}" for a in WANTS}, f"B {m}")
            for a, base in WANTS.items():
                payoffs = {
                    "A": base + (m == LIKES[kind]),
                    "B": int((a == "duel") == (kind == "weak")),
                }
                tree.terminal(f"{kind} {m} {a}", payoffs)
    return tree


def beer_quiche_game() -> SignalingGame:
    table = {
        kind: {
            m: {
                a: (base + (m == LIKES[kind]), int((a == "duel") == (kind == "weak")))
                for a, base in WANTS.items()
            }
            for m in ("beer", "quiche")
        }
        for kind in ("weak", "strong")
    }
    return SignalingGame(
        "A",
        "B",
        {"weak": "p", "strong": "1 - p"},
        ["beer", "quiche"],
        list(WANTS),
        table,
        params=[Param("p", 0.1, 0, 1)],
    )


def test_the_tree_has_the_signaling_games_equilibria():
    points = {"p": np.linspace(0.02, 0.98, 25)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        tree = beer_quiche_tree().solve_batch(points, concept="pbe")
        game = beer_quiche_game().solve_batch(points)
    assert tree.point.tolist() == game.point.tolist()
    assert tree.regimes()[0].tolist() == game.regimes()[0].tolist()
    np.testing.assert_allclose(tree.payoffs, game.payoffs)
    ours, theirs = tree.columns(), game.columns()
    for name, column in theirs.items():
        if column.dtype != object:
            np.testing.assert_allclose(ours[name], column, err_msg=name)


def test_beer_quiche_by_hand_from_the_tree():
    """p = 0.1: the two pools of beer–quiche, each held up by a duel after the other
    breakfast iff P(weak) >= 1/2; only the beer pool passes the Intuitive Criterion."""
    solution = beer_quiche_tree().solve(concept="pbe")
    by_regime = {eq.regime: eq for eq in solution}
    assert sorted(by_regime) == ["pooling on beer", "pooling on quiche"]
    (belief,) = by_regime["pooling on beer"].off_path["quiche"]
    assert belief.interval("weak") == pytest.approx((0.5, 1.0))
    assert by_regime["pooling on beer"].intuitive and not by_regime["pooling on quiche"].intuitive
    refined = beer_quiche_tree().solve(concept="pbe", refine="intuitive")
    assert [eq.regime for eq in refined] == ["pooling on beer"]


def test_reach_and_outcome_sets_are_the_trees():
    """In the beer pool at p = 0.1 play ends at 'weak beer not' (0.1) and 'strong beer
    not' (0.9); a duel never happens. Above p = 1/2 the weak type mixes and B duels."""
    duels = [f"{k} {m} duel" for k in ("weak", "strong") for m in ("beer", "quiche")]
    model = bargain.Model(
        beer_quiche_tree(), concept="pbe", refine="intuitive", outcomes={"duel": duels}
    )
    table = model.evaluate({"p": [0.1, 0.8]})["points"]
    assert table["reach_weak_beer_not"][0] == pytest.approx(0.1)
    assert table["reach_strong_beer_not"][0] == pytest.approx(0.9)
    assert table["duel"][0] == 0 and table["duel"][1] > 0
    rows = model.evaluate({"p": np.linspace(0.05, 0.95, 7)}, "all")["rows"]
    reach = np.stack([rows[c] for c in rows if c.startswith("reach_")], axis=1)
    np.testing.assert_allclose(reach.sum(axis=1), 1.0)
    assert "n_pbe" in model.measures.per_point


def test_subgame_perfection_is_still_the_default():
    solution = beer_quiche_tree().solve()
    assert solution.path[1:] == (
        ("weak", "beer"),
        ("weak beer", "not"),
        ("strong", "beer"),
        ("strong beer", "not"),
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"concept": "pbe", "tie_break": "all"}, "option 'tie_break': applies to concept='spe'"),
        ({"refine": "d1"}, "option 'refine': applies to concept='pbe', not 'spe'"),
        ({"concept": "bayes"}, "unknown concept 'bayes'"),
    ],
)
def test_options_belong_to_their_concept(options, message):
    with pytest.raises(ModelError, match=message):
        beer_quiche_tree().solve(**options)


def shape(edit: str) -> GameTree:
    """Beer–quiche with one thing changed so the tree is not of the sender–receiver shape."""
    tree = GameTree(["A", "B"], params=[Param("p", 0.1, 0, 1)])
    if edit == "root":
        tree.decision("start", "A", {"go": "nature"})
    tree.chance("nature", {"weak": ("p", "weak"), "strong": ("1 - p", "strong")})
    for kind in ("weak", "strong"):
        sender_set = "A" if edit == "sender knows nothing" else None
        tree.decision(kind, "A", {m: f"{kind} {m}" for m in ("beer", "quiche")}, sender_set)
        for m in ("beer", "quiche"):
            infoset = f"B {kind} {m}" if edit == "receiver sees the type" else f"B {m}"
            moves = {a: f"{kind} {m} {a}" for a in WANTS}
            if edit == "second stage" and kind == "weak" and m == "beer":
                moves["duel"] = "again"
            tree.decision(f"{kind} {m}", "B", moves, infoset)
            for child in moves.values():
                if child != "again":
                    tree.terminal(child, {"A": 1, "B": 0})
    if edit == "second stage":
        tree.decision("again", "A", {"x": "end"})
        tree.terminal("end", {"A": 0, "B": 0})
    return tree


@pytest.mark.parametrize(
    ("edit", "why"),
    [
        ("root", "the root 'start' is not a chance node"),
        ("sender knows nothing", "share an information set: it must know its type"),
        ("receiver sees the type", "are not one information set (it would see the type)"),
        ("second stage", "node 'again' after action 'duel' is not a terminal node"),
    ],
)
def test_other_shapes_are_refused_in_one_line(edit, why):
    with pytest.raises(ModelError) as caught:
        shape(edit).solve(concept="pbe")
    message = str(caught.value)
    assert why in message and "\n" not in message
    assert message.startswith("concept='pbe' solves trees of the sender–receiver shape")
    assert "Use concept='spe'" in message


def test_a_model_file_asks_for_pbe():
    model = bargain.Model(beer_quiche_tree(), concept="pbe", refine="intuitive", name="bq")
    text = dumps_model(model)
    assert 'concept = "pbe"' in text
    again = loads_model(text, "bq.toml")
    assert again.options == {"concept": "pbe", "refine": "intuitive"}
    assert again.fingerprint() == model.fingerprint()
    assert again.evaluate({"p": [0.1]})["points"]["regime"].tolist() == ["pooling on beer"]
