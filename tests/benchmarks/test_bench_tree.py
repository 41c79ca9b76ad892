"""Benchmark: the subgame-perfect equilibrium of a three-stage tree with a chance node.

The U.S. proposes an interim deal (sanctions relief) or keeps up pressure;
Iran accepts or rejects; having accepted, Iran complies or cheats, and cheating
is detected with probability ``detect`` (a chance node), which brings snapback,
else Iran keeps the gain. The payoffs are formulas of four parameters.

* bargain: one ``GameTree.solve_batch`` call over 100,000 random parameter
  points (formula evaluation, backward induction, reach probabilities and the
  result object included).
* recursion: a plain per-point recursive Python solver over the same tree
  (dicts, recursion, payoffs written by hand as Python functions), timed on a
  sample of the points.
* pygambit: the game is built once; per point its outcomes and chance
  probabilities are updated and ``pygambit.nash.logit_solve`` is run on the
  tree (agent form). Gambit has no dedicated subgame-perfect solver; the limit
  of the agent logit QRE is the sequential equilibrium, which is the unique SPE
  of a generic perfect-information game, and it is the method Gambit's
  documentation recommends for selecting one equilibrium of a tree. Timed on a
  small sample (it takes milliseconds per point).

Every peer's choices at all four nodes (on and off the path) and its expected
payoffs must equal bargain's on its sample. Per-point times and the ratios
appear in the session's table (conftest.py); in full mode it says whether
bargain is >= 100x faster than the recursion. No timing is asserted.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import numpy as np
import pytest

from bargain import GameTree, Param

pygambit = pytest.importorskip("pygambit")

CASE = "tree SPE"

PARAMS = [
    Param("relief", 0.5, low=0, high=1, description="sanctions relief offered"),
    Param("detect", 0.5, low=0, high=1, description="probability cheating is detected"),
    Param("gain", 0.5, low=0, high=1, description="Iran's gain from undetected cheating"),
    Param("snap", 0.5, low=0, high=1, description="cost of snapback"),
]

#: Terminal payoffs (US, Iran). A rejected offer costs Iran support abroad, so the
#: U.S. prefers it to the standoff; snapback after detected cheating is costly to both.
PAYOFFS = {
    "standoff": ("0.3", "0.1"),
    "breakdown": ("0.35", "0.1"),
    "deal": ("0.9 - relief", "relief"),
    "snapback": ("0.9 - 0.3*snap", "-0.5*snap"),
    "windfall": ("0.2 - relief - 0.5*gain", "relief + gain"),
}


def deal_tree() -> GameTree:
    tree = GameTree(["US", "Iran"], params=PARAMS)
    tree.decision("propose", "US", {"offer": "answer", "pressure": "standoff"})
    tree.decision("answer", "Iran", {"accept": "implement", "reject": "breakdown"})
    tree.decision("implement", "Iran", {"comply": "deal", "cheat": "inspection"})
    tree.chance(
        "inspection", {"caught": ("detect", "snapback"), "missed": ("1 - detect", "windfall")}
    )
    for node, (us, iran) in PAYOFFS.items():
        tree.terminal(node, {"US": us, "Iran": iran})
    return tree


DECISIONS = {
    "propose": ("offer", "pressure"),
    "answer": ("accept", "reject"),
    "implement": ("comply", "cheat"),
}


# -- the plain recursive solver: the same tree, by hand -----------------------------------

PLAYER = {"US": 0, "Iran": 1}
TREE: dict[str, tuple] = {
    "propose": ("decision", "US", {"offer": "answer", "pressure": "standoff"}),
    "answer": ("decision", "Iran", {"accept": "implement", "reject": "breakdown"}),
    "implement": ("decision", "Iran", {"comply": "deal", "cheat": "inspection"}),
    "inspection": ("chance", {"caught": "snapback", "missed": "windfall"}),
    "standoff": ("terminal",),
    "breakdown": ("terminal",),
    "deal": ("terminal",),
    "snapback": ("terminal",),
    "windfall": ("terminal",),
}
TERMINAL_PAYOFFS: dict[str, Callable[[dict], tuple[float, float]]] = {
    "standoff": lambda p: (0.3, 0.1),
    "breakdown": lambda p: (0.35, 0.1),
    "deal": lambda p: (0.9 - p["relief"], p["relief"]),
    "snapback": lambda p: (0.9 - 0.3 * p["snap"], -0.5 * p["snap"]),
    "windfall": lambda p: (0.2 - p["relief"] - 0.5 * p["gain"], p["relief"] + p["gain"]),
}
CHANCE_PROBS: dict[str, Callable[[dict], dict[str, float]]] = {
    "inspection": lambda p: {"caught": p["detect"], "missed": 1 - p["detect"]},
}


def recursive_value(node: str, point: dict, choices: dict) -> tuple[float, ...]:
    """Backward induction below ``node``; records each decision node's best move."""
    spec = TREE[node]
    if spec[0] == "terminal":
        return TERMINAL_PAYOFFS[node](point)
    if spec[0] == "chance":
        probs = CHANCE_PROBS[node](point)
        values = {b: recursive_value(c, point, choices) for b, c in spec[1].items()}
        return tuple(sum(probs[b] * v[i] for b, v in values.items()) for i in range(2))
    _, player, moves = spec
    best_move, best = None, None
    for move, child in moves.items():  # first best move on a tie, as bargain's "first"
        value = recursive_value(child, point, choices)
        if best is None or value[PLAYER[player]] > best[PLAYER[player]]:
            best_move, best = move, value
    choices[node] = best_move
    return best


def recursive_spe(point: dict) -> tuple[tuple[float, ...], dict[str, str]]:
    choices: dict[str, str] = {}
    return recursive_value("propose", point, choices), choices


# -- the pygambit peer ---------------------------------------------------------------------


class GambitDeal:
    """The tree built once in Gambit; ``solve(point)`` updates it and runs logit_solve."""

    def __init__(self) -> None:
        g = pygambit.Game.new_tree(players=["US", "Iran"], title="interim deal")
        g.append_move(g.root, "US", ["offer", "pressure"])
        answer = g.root.children["offer"]
        g.append_move(answer, "Iran", ["accept", "reject"])
        implement = answer.children["accept"]
        g.append_move(implement, "Iran", ["comply", "cheat"])
        inspection = implement.children["cheat"]
        g.append_move(inspection, g.players.chance, ["caught", "missed"])
        leaves = {
            "standoff": g.root.children["pressure"],
            "breakdown": answer.children["reject"],
            "deal": implement.children["comply"],
            "snapback": inspection.children["caught"],
            "windfall": inspection.children["missed"],
        }
        self.outcomes = {}
        for name, node in leaves.items():
            self.outcomes[name] = g.add_outcome(label=name, payoffs=[0, 0])
            g.set_outcome(node, self.outcomes[name])
        self.infosets = {
            "propose": g.root.infoset,
            "answer": answer.infoset,
            "implement": implement.infoset,
        }
        self.inspection = inspection.infoset
        self.game = g

    def solve(self, point: dict) -> tuple[tuple[float, ...], dict[str, str]]:
        for name, outcome in self.outcomes.items():
            us, iran = TERMINAL_PAYOFFS[name](point)
            outcome["US"], outcome["Iran"] = us, iran
        detect = Fraction(point["detect"])  # exact, so the probabilities sum to one
        self.game.set_chance_probs(self.inspection, [detect, 1 - detect])
        profile = pygambit.nash.logit_solve(self.game, use_strategic=False).equilibria[0]
        # The logit response favours the better move at every set, reached or not,
        # so the argmax is the SPE move even where the QRE path stopped early.
        choices = {}
        for node, infoset in self.infosets.items():
            actions = list(infoset.actions)
            probs = [float(profile[a]) for a in actions]
            choices[node] = actions[int(np.argmax(probs))].label
        return (float(profile.payoff("US")), float(profile.payoff("Iran"))), choices


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tree() -> GameTree:
    tree = deal_tree()
    tree.validate()  # compiles the formulas once, as the normal-form games do on creation
    return tree


@pytest.fixture(scope="module")
def points(sizes) -> dict[str, np.ndarray]:
    """Uniform random points over [0, 1]^4 (ties have probability zero)."""
    rng = np.random.default_rng(20260417)
    return {p.name: rng.uniform(0, 1, size=sizes.tree_points) for p in PARAMS}


@pytest.fixture(scope="module")
def reference(tree, points):
    """bargain's solution, untimed, for the peers' checks."""
    return tree.solve_batch(points)


def point_dicts(points: dict[str, np.ndarray], n: int) -> list[dict[str, float]]:
    """The first n points (a random sample) as plain Python dicts."""
    names = list(points)
    return [dict(zip(names, row)) for row in zip(*(points[k][:n].tolist() for k in names))]


def check_against_bargain(found: list, reference, n: int, atol: float) -> None:
    """The peer's choices at every decision node and payoffs equal bargain's."""
    assert (reference.count[:n] == 1).all()
    row = np.argsort(reference.point, kind="stable")[:n]  # one row per point
    for node, moves in DECISIONS.items():
        ours = np.array(moves)[reference.behaviour[node][row].argmax(axis=1)]
        theirs = np.array([choices[node] for _, choices in found])
        mismatch = np.flatnonzero(ours != theirs)
        assert mismatch.size == 0, (
            f"{node}: {mismatch.size} of {n} points differ, first {mismatch[0]}"
        )
    values = np.array([v for v, _ in found])
    np.testing.assert_allclose(values, reference.payoffs[row], rtol=0, atol=atol)


def outcome_classes(res) -> dict[str, int]:
    return {
        "pressure": int((res.reach_of(["standoff"]) > 0.5).sum()),
        "rejected": int((res.reach_of(["breakdown"]) > 0.5).sum()),
        "deal kept": int((res.reach_of(["deal"]) > 0.5).sum()),
        "deal cheated": int((res.reach_of(["snapback", "windfall"]) > 0.5).sum()),
    }


# -- benchmarks ----------------------------------------------------------------------------


@pytest.mark.benchmark(group=CASE)
def test_tree_bargain(measure, benchmark, tree, points, sizes):
    n = sizes.tree_points
    res = measure(CASE, "bargain", lambda: tree.solve_batch(points), n)
    assert len(res) == n and (res.count == 1).all()
    assert not res.ties.any() and not res.degenerate.any()
    np.testing.assert_allclose(res.reach.sum(axis=1), 1.0)
    classes = outcome_classes(res)
    benchmark.extra_info["classes"] = classes
    assert sum(classes.values()) == n
    assert all(classes.values()), classes  # every outcome is the SPE somewhere


@pytest.mark.benchmark(group=CASE)
def test_tree_recursion(measure, points, reference, sizes):
    n = sizes.recursion
    sample = point_dicts(points, n)
    found = measure(CASE, "recursion", lambda: [recursive_spe(p) for p in sample], n)
    check_against_bargain(found, reference, n, atol=1e-12)


@pytest.mark.benchmark(group=CASE)
def test_tree_pygambit(measure, points, reference, sizes):
    n = sizes.tree_pygambit
    sample = point_dicts(points, n)
    gambit = GambitDeal()
    found = measure(CASE, "pygambit", lambda: [gambit.solve(p) for p in sample], n)
    # The QRE path stops at a regret of 1e-8 (relative): a nearly indifferent
    # player keeps a weight of about 1e-8 / gap on the worse move, which moves
    # the other player's payoff by more than that; the choices are exact.
    check_against_bargain(found, reference, n, atol=1e-4)
