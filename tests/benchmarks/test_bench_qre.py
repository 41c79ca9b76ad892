"""Benchmarks: logit QRE of a parameterized three-player 3x3x3 game, bargain against Gambit.

bargain solves every point of a batch in one ``solve_batch`` call (formula
evaluation, the shared-grid path following with per-point arclength fallback,
expected payoffs and regret included); pygambit solves a sample of the same
numeric games one Python-loop iteration per game, game construction included.
Three cases, per game:

* ``3x3x3 QRE``: the QRE at lam = 10 (``method="qre"``) against
  ``pygambit.qre.logit_solve_lambda``; the profiles must agree within 1e-6.
* ``3x3x3 branch``: the principal branch at bargain's default grid
  (``qre_branch``: 52 values of lam up to 1000 / payoff range) against
  ``pygambit.qre.logit_solve_branch`` (the whole branch, to a regret of 1e-8).
* ``3x3x3 limit``: the logit limit (``method="logit"``, a verified Nash
  equilibrium) against ``pygambit.nash.logit_solve``; within 2e-5 (Gambit stops
  its branch at a regret of 1e-8).

* ``tree QRE``: the agent QRE at lam = 6 of a two-player game tree with a chance
  node, information sets and a nested perfect-information subgame (the entry game
  of tests/test_tree_qre.py, its chance of a boom and one payoff as parameters),
  against ``pygambit.qre.logit_solve_lambda`` on the extensive game; within 1e-6.

Target (issue 18): the QRE at lam = 10 at least 10x faster than pygambit per game.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest

from bargain import NormalFormGame, Param
from bargain.errors import BargainWarning

pygambit = pytest.importorskip("pygambit")

from tests.test_tree_cross_check import entry_game, to_gambit  # noqa: E402
from tests.test_tree_qre import p_columns, parameterized_entry  # noqa: E402

#: Points solved by bargain and games in the pygambit sample: full and CI runs.
POINTS = {True: 1000, False: 100}
SAMPLE = {True: 100, False: 10}
BRANCH_POINTS = {True: 200, False: 20}
LAM = 10.0


def three_player_game() -> NormalFormGame:
    """A 3x3x3 game whose 81 payoffs are c0 + c1 x - c2 y, the c's seeded uniforms."""
    rng = np.random.default_rng(0)
    coefficients = rng.uniform(size=(3, 3, 3, 3, 3))
    players = ["a", "b", "c"]
    payoffs = {}
    for i, player in enumerate(players):
        cells = np.empty((3, 3, 3), dtype=object)
        for index in np.ndindex(3, 3, 3):
            c0, c1, c2 = coefficients[(i, *index)]
            cells[index] = f"{c0:.6f} + {c1:.6f}*x - {c2:.6f}*y"
        payoffs[player] = cells.tolist()
    return NormalFormGame(
        players,
        [["s1", "s2", "s3"]] * 3,
        payoffs,
        params=[Param("x", 0.5, low=0, high=1), Param("y", 0.5, low=0, high=1)],
    )


@pytest.fixture(scope="module")
def game() -> NormalFormGame:
    return three_player_game()


@pytest.fixture(scope="module")
def points(sizes) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)
    n = POINTS[sizes.full]
    return {"x": rng.uniform(size=n), "y": rng.uniform(size=n)}


@pytest.fixture(scope="module")
def tensors(game, points) -> np.ndarray:
    return game.payoff_tensor(game.params.bind_batch(points))


def gambit_profile(profile, game) -> list[np.ndarray]:
    return [np.array([float(profile[s]) for s in p.strategies]) for p in game.players]


def quiet(fn):
    """``fn`` with bargain's fallback warnings silenced (they are counted, not errors)."""

    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BargainWarning)
            return fn()

    return run


@pytest.mark.benchmark(group="3x3x3 QRE")
def test_qre_bargain(measure, benchmark, game, points, sizes):
    n = POINTS[sizes.full]
    res = measure(
        "3x3x3 QRE",
        "bargain",
        quiet(lambda: game.solve_batch(points, method="qre", lam=LAM)),
        n,
    )
    assert res.count.tolist() == [1] * n
    assert (res.to_frame()["regret"] > 0).all()
    benchmark.extra_info["fallback"] = int(res.fallback.sum())


@pytest.mark.benchmark(group="3x3x3 QRE")
def test_qre_pygambit(measure, game, points, tensors, sizes):
    n = SAMPLE[sizes.full]

    def solve():
        out = []
        for t in range(n):
            g = pygambit.Game.from_arrays(*tensors[..., t])
            (q,) = pygambit.qre.logit_solve_lambda(g, lam=[LAM])
            out.append(gambit_profile(q.profile, g))
        return out

    theirs = measure("3x3x3 QRE", "pygambit", solve, n)
    sample = {k: v[:n] for k, v in points.items()}
    ours = quiet(lambda: game.solve_batch(sample, method="qre", lam=LAM))()
    for t in range(n):
        for mine, other in zip(ours[t][0].profile, theirs[t]):
            np.testing.assert_allclose(mine, other, atol=1e-6)


@pytest.mark.benchmark(group="3x3x3 branch")
def test_branch_bargain(measure, game, points, sizes):
    n = BRANCH_POINTS[sizes.full]
    some = {k: v[:n] for k, v in points.items()}
    frame = measure("3x3x3 branch", "bargain", quiet(lambda: game.qre_branch(points=some)), n)
    assert len(frame) == 52 * n  # every point reached every value of lam


@pytest.mark.benchmark(group="3x3x3 branch")
def test_branch_pygambit(measure, tensors, sizes):
    n = SAMPLE[sizes.full]

    def solve():
        return [
            pygambit.qre.logit_solve_branch(pygambit.Game.from_arrays(*tensors[..., t]))
            for t in range(n)
        ]

    branches = measure("3x3x3 branch", "pygambit", solve, n)
    assert all(len(b) > 1 for b in branches)


@pytest.mark.benchmark(group="3x3x3 limit")
def test_limit_bargain(measure, game, points, sizes):
    n = POINTS[sizes.full]
    res = measure(
        "3x3x3 limit", "bargain", quiet(lambda: game.solve_batch(points, method="logit")), n
    )
    assert res.count.tolist() == [1] * n  # every point's limit found and verified
    assert (res.to_frame()["regret"] < 1e-9).all()


@pytest.mark.benchmark(group="3x3x3 limit")
def test_limit_pygambit(measure, game, points, tensors, sizes):
    n = SAMPLE[sizes.full]

    def solve():
        out = []
        for t in range(n):
            g = pygambit.Game.from_arrays(*tensors[..., t])
            out.append(gambit_profile(pygambit.nash.logit_solve(g).equilibria[0], g))
        return out

    theirs = measure("3x3x3 limit", "pygambit", solve, n)
    sample = {k: v[:n] for k, v in points.items()}
    ours = quiet(lambda: game.solve_batch(sample, method="logit"))()
    for t in range(n):
        for mine, other in zip(ours[t][0].profile, theirs[t]):
            np.testing.assert_allclose(mine, other, atol=2e-5)


# -- the agent QRE of a game tree with chance and information sets ----------------------------

TREE_LAM = 6.0


@pytest.fixture(scope="module")
def tree_points(sizes) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(2)
    n = POINTS[sizes.full]
    return {"q": rng.uniform(0.1, 0.9, n), "w": rng.uniform(-1, 1, n)}


def entry_spec_at(q: float, w: float):
    """The parameterized entry game's spec (tests.test_tree_qre.parameterized_entry) at a
    point, for Gambit: the chance of a boom ``q`` (exactly the float) and one payoff ``w``."""
    spec = entry_game(np.random.default_rng(3))
    spec["market"] = (
        "chance",
        {"boom": (Fraction(q), "enter-boom"), "bust": (1 - Fraction(q), "enter-bust")},
    )
    spec["boom-00"] = ("terminal", {**spec["boom-00"][1], "I": w})
    return spec


@pytest.mark.benchmark(group="tree QRE")
def test_tree_qre_bargain(measure, tree_points, sizes):
    tree = parameterized_entry()
    n = POINTS[sizes.full]
    res = measure(
        "tree QRE",
        "bargain",
        quiet(lambda: tree.solve_batch(tree_points, concept="qre", lam=TREE_LAM)),
        n,
    )
    assert res.count.tolist() == [1] * n


@pytest.mark.benchmark(group="tree QRE")
def test_tree_qre_pygambit(measure, tree_points, sizes):
    n = SAMPLE[sizes.full]

    def solve():
        out = []
        for t in range(n):
            spec = entry_spec_at(tree_points["q"][t], tree_points["w"][t])
            g, nodes = to_gambit(spec, ("E", "I"))
            (q,) = pygambit.qre.logit_solve_lambda(g, lam=[TREE_LAM])
            actions = list(g.actions)
            out.append(
                {
                    node: np.array(
                        [float(q[actions.index(a)]) for a in nodes[node].infoset.actions]
                    )
                    for node, (kind, *_) in spec.items()
                    if kind == "decision"
                }
            )
        return out

    theirs = measure("tree QRE", "pygambit", solve, n)
    tree = parameterized_entry()
    sample = {k: v[:n] for k, v in tree_points.items()}
    frame = quiet(lambda: tree.solve_batch(sample, concept="qre", lam=TREE_LAM))().to_frame()
    spec = entry_spec_at(0.5, 0.0)  # the structure: which nodes decide
    for node, (kind, *_) in spec.items():
        if kind == "decision":
            ours = p_columns(spec, frame, node)
            np.testing.assert_allclose(ours, np.array([t[node] for t in theirs]), atol=1e-6)
