"""Regressions from two red-team passes: never silently wrong, never lost, never hung.

Each test reproduces a failure found on an earlier version through the real
entry point (the Python API, or the command line in a subprocess) and checks
that it now ends in correct output or a one-line message.
"""

from __future__ import annotations

import pytest

from bargain import GameTree, ModelError
from bargain.io import loads_model

# -- perfect recall ---------------------------------------------------------------------------


def forgetful() -> GameTree:
    """A moves L or R; after B's move, A cannot tell which move it made itself."""
    tree = GameTree(["A", "B"])
    tree.decision("root", "A", {"L": "b1", "R": "b2"})
    tree.decision("b1", "B", {"l": "a1", "r": "out1"})
    tree.decision("b2", "B", {"l": "a2", "r": "out2"})
    tree.decision("a1", "A", {"x": "t1", "y": "t2"}, infoset="later")
    tree.decision("a2", "A", {"x": "t3", "y": "t4"}, infoset="later")
    payoffs = {"t1": (3, 0), "t2": (0, 1), "t3": (0, 1), "t4": (3, 0), "out1": (1, 1)}
    payoffs |= {"out2": (1, 1)}
    for node, (a, b) in payoffs.items():
        tree.terminal(node, {"A": a, "B": b})
    return tree


def test_a_tree_without_perfect_recall_is_refused_naming_player_and_set():
    with pytest.raises(ModelError) as error:
        forgetful().solve()
    message = str(error.value)
    assert message.startswith("information set 'later' of 'A' lacks perfect recall")
    assert "'L' at node 'root'" in message and "'R' at node 'root'" in message
    assert "\n" not in message


def test_forgetting_an_earlier_own_set_is_imperfect_recall_too():
    tree = GameTree(["A"])
    tree.decision("root", "A", {"go": "first", "skip": "joined"})
    tree.decision("first", "A", {"a": "joined2", "b": "end0"})
    tree.decision("joined", "A", {"x": "end1", "y": "end2"}, infoset="h")
    tree.decision("joined2", "A", {"x": "end3", "y": "end4"}, infoset="h")
    for i in range(5):
        tree.terminal(f"end{i}", {"A": i})
    with pytest.raises(ModelError, match="information set 'h' of 'A' lacks perfect recall"):
        tree.validate()


def test_not_seeing_the_other_players_move_is_allowed():
    tree = GameTree(["A", "B"])
    tree.decision("root", "A", {"H": "b1", "T": "b2"})
    tree.decision("b1", "B", {"h": "o1", "t": "o2"}, infoset="guess")
    tree.decision("b2", "B", {"h": "o3", "t": "o4"}, infoset="guess")
    for node, a in zip(["o1", "o2", "o3", "o4"], [1, -1, -1, 1]):
        tree.terminal(node, {"A": a, "B": -a})
    solved = tree.solve()
    assert solved.payoffs == pytest.approx({"A": 0.0, "B": 0.0})
    assert solved.choices["b1"] == pytest.approx({"h": 0.5, "t": 0.5})


def test_a_model_file_without_perfect_recall_names_the_file():
    text = """\
[model]
name = "forget"

[game]
form = "tree"
players = ["A"]
nodes = [
    { id = "root", kind = "decision", player = "A", moves = { L = "a1", R = "a2" } },
    { id = "a1", kind = "decision", player = "A", moves = { x = "t1", y = "t2" }, infoset = "h" },
    { id = "a2", kind = "decision", player = "A", moves = { x = "t3", y = "t4" }, infoset = "h" },
    { id = "t1", kind = "terminal", payoffs = { A = 1 } },
    { id = "t2", kind = "terminal", payoffs = { A = 0 } },
    { id = "t3", kind = "terminal", payoffs = { A = 0 } },
    { id = "t4", kind = "terminal", payoffs = { A = 1 } },
]
"""
    with pytest.raises(ModelError, match=r"^f\.toml: game\.nodes: information set 'h' of 'A'"):
        loads_model(text, "f.toml")
