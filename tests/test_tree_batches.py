"""Batched tree solving: chunks, scratch memory, near ties and the gathered result."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from bargain import GameTree, ModelError, Param
from bargain.solvers import backward, workspace
from bargain.solvers.workspace import Workspace, carve
from bargain.tolerances import PAYOFF_RTOL, ROUNDING

from .benchmarks.test_bench_tree import PARAMS, deal_tree
from .test_tree import interim_deal


def same_batches(a, b) -> None:
    """Two TreeBatchSolutions agree row for row."""
    np.testing.assert_array_equal(a.point, b.point)
    np.testing.assert_array_equal(a.ties, b.ties)
    np.testing.assert_array_equal(a.degenerate, b.degenerate)
    np.testing.assert_array_equal(a.payoffs, b.payoffs)
    np.testing.assert_array_equal(a.reach, b.reach)
    assert a.behaviour.keys() == b.behaviour.keys()
    for node in a.behaviour:
        np.testing.assert_array_equal(a.behaviour[node], b.behaviour[node])


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 64])
def test_chunks_do_not_change_the_result(chunk_size):
    tree = interim_deal()
    rng = np.random.default_rng(3)
    points = {name: rng.uniform(0, 1, 200) for name in ("relief", "detect", "gain")}
    points["detect"][::9] = 0.25  # ties at every ninth point (see test_tree)
    points["gain"][::9] = 0.3
    points["relief"][::9] = 0.4
    for tie_break in ("first", "all"):
        whole = tree.solve_batch(points, tie_break=tie_break)
        chunked = tree.solve_batch(points, tie_break=tie_break, chunk_size=chunk_size)
        same_batches(whole, chunked)
    assert whole.ties[::9].all() and (whole.count[::9] == 2).all()  # 'all' added rows
    assert len(whole.point) == 200 + len(range(0, 200, 9))


def coordination_in_the_dark() -> GameTree:
    """B does not see A's move; matching pays x to both: three equilibria per point."""
    tree = GameTree(["A", "B"], params=[Param("x", 1, 0.1, 2)])
    tree.decision("a", "A", {"L": "bl", "R": "br"})
    tree.decision("bl", "B", {"l": "ll", "r": "lr"}, infoset="B")
    tree.decision("br", "B", {"l": "rl", "r": "rr"}, infoset="B")
    tree.terminal("ll", {"A": "x", "B": "x"})
    tree.terminal("lr", {"A": 0, "B": 0})
    tree.terminal("rl", {"A": 0, "B": 0})
    tree.terminal("rr", {"A": 1, "B": 1})
    return tree


@pytest.mark.parametrize("chunk_size", [1, 2, 5])
def test_chunks_with_several_equilibria_per_point(chunk_size):
    tree = coordination_in_the_dark()
    points = {"x": np.linspace(0.2, 1.8, 11)}
    whole = tree.solve_batch(points)
    assert (whole.count == 3).all()
    assert all(b.dtype == float for b in whole.behaviour.values())  # mixed at some rows
    same_batches(whole, tree.solve_batch(points, chunk_size=chunk_size))


def test_node_reach_is_the_probability_of_passing_through():
    tree = interim_deal()
    batch = tree.solve_batch({"detect": [0.5, 0.1], "relief": [0.4, 0.4]})
    np.testing.assert_allclose(batch.node_reach("offer"), [1, 1])
    np.testing.assert_allclose(batch.node_reach("comply"), [1, 0])
    # At detect = 0.1 the off-path inspection would be reached only after an offer.
    np.testing.assert_allclose(batch.node_reach("inspect"), [0, 0])
    np.testing.assert_allclose(batch.node_reach("standoff"), [0, 1])


def choice_tree(scale: float = 1.0) -> GameTree:
    """A picks between payoff ``x`` and ``scale`` (B, moving next, keeps it so rather than
    give A 0): A's payoffs range from 0 to about ``scale``, the scale of its ties."""
    tree = GameTree(["A", "B"], params=[Param("x", scale)])
    tree.decision("root", "A", {"x": "tx", "other": "b"})
    tree.decision("b", "B", {"stay": "t1", "leave": "t0"})
    tree.terminal("tx", {"A": "x", "B": 0})
    tree.terminal("t1", {"A": scale, "B": 0})
    tree.terminal("t0", {"A": 0, "B": -1})
    return tree


def tied(x: np.ndarray, scale: float) -> np.ndarray:
    """A's tie rule at the root: |x - scale| within the tolerance of A's payoff range."""
    low, high = np.minimum(np.minimum(x, scale), 0), np.maximum(x, scale)
    atol = PAYOFF_RTOL * (high - low) + ROUNDING * np.maximum(np.abs(low), np.abs(high))
    return np.abs(x - scale) <= atol


@pytest.mark.parametrize("scale", [1.0, 1e6])
def test_near_ties_are_decided_by_the_exact_rule(scale):
    """Ties are |x - scale| <= rtol * range + rounding point by point, whatever else is batched."""
    tree = choice_tree(scale)
    gaps = np.array([-3, -1.5, -0.99, -0.5, 0, 0.5, 0.99, 1.5, 3]) * PAYOFF_RTOL * scale
    x = scale + gaps
    for far in (np.array([]), np.array([-5.0, 7.0]) * scale):
        points = np.concatenate([x, far])
        batch = tree.solve_batch({"x": points})
        expected = tied(points, scale)
        np.testing.assert_array_equal(batch.ties, expected)
        # the first best move on a tie, else the better one
        takes_x = expected | (points > scale)
        np.testing.assert_array_equal(batch.behaviour["root"][:, 0] == 1, takes_x)
    for xi, tie in zip(x, tied(x, scale)):
        assert tree.solve(x=xi).ties == tie, xi  # alone, a point far from a tie is screened


def test_far_apart_points_skip_the_tie_rule(monkeypatch):
    tree = choice_tree()
    points = {"x": [0.0, 2.0, 0.5, 1.5]}
    taken = []
    fast = backward._State._far_apart

    def spy(self, *args):
        taken.append(fast(self, *args))
        return taken[-1]

    monkeypatch.setattr(backward._State, "_far_apart", spy)
    batch = tree.solve_batch(points)
    assert taken and all(taken)  # the fast path decided every node
    assert not batch.ties.any()
    assert batch.behaviour["root"][:, 0].tolist() == [0, 1, 0, 1]
    np.testing.assert_array_equal(batch.payoffs[:, 0], [1, 2, 1, 1.5])
    monkeypatch.setattr(backward._State, "_far_apart", lambda self, *args: False)
    slow = tree.solve_batch(points)  # the row-by-row rule gives the same answer
    np.testing.assert_array_equal(slow.behaviour["root"], batch.behaviour["root"])
    np.testing.assert_array_equal(slow.payoffs, batch.payoffs)


def test_workspace_reuses_its_buffers():
    work = Workspace()
    a = work.array("v", (2, 100))
    a[:] = 1
    b = work.array("v", (2, 50))
    assert np.shares_memory(a, b) and b.shape == (2, 50)
    assert not np.shares_memory(a, work.array("other", (2, 100)))
    bigger = work.array("v", (3, 100))
    assert bigger.shape == (3, 100) and not np.shares_memory(a, bigger)
    flags = work.array("v", (3, 100), bool)
    assert flags.dtype == bool


def test_each_thread_keeps_its_own_workspace():
    mine = Workspace.of_thread()
    assert Workspace.of_thread() is mine
    theirs = []
    thread = threading.Thread(target=lambda: theirs.append(Workspace.of_thread()))
    thread.start()
    thread.join()
    assert theirs[0] is not mine


def test_a_large_workspace_is_released(monkeypatch):
    monkeypatch.setattr(workspace, "KEEP_BYTES", 1000)
    work = Workspace()
    small = work.array("v", (10,))
    work.release()
    assert np.shares_memory(small, work.array("v", (10,)))
    large = work.array("w", (1000,))
    work.release()
    assert not np.shares_memory(large, work.array("w", (1000,)))


def test_carve_lays_arrays_out_in_one_block():
    arrays = carve({"a": ((3, 5), np.float64), "b": ((7,), np.bool_), "c": ((2, 2), np.int64)})
    assert [arrays[k].shape for k in "abc"] == [(3, 5), (7,), (2, 2)]
    assert [arrays[k].dtype for k in "abc"] == [np.float64, np.bool_, np.int64]
    assert arrays["a"].base is arrays["b"].base is arrays["c"].base
    for k in "abc":
        assert arrays[k].ctypes.data % workspace.ALIGN == 0
        arrays[k][...] = 1
    arrays["b"][...] = 0
    assert (arrays["a"] == 1).all() and (arrays["c"] == 1).all()  # no overlap


def test_huge_finite_payoffs_are_not_mistaken_for_overflow():
    """The finiteness check sums all values first; a sum that overflows is looked at closely."""
    tree = GameTree(["A"], params=[Param("x", 1e308)])
    tree.decision("root", "A", {"a": "ta", "b": "tb"})
    tree.terminal("ta", {"A": "x"})
    tree.terminal("tb", {"A": "x / 2"})
    assert tree.solve(x=1.5e308).payoffs == {"A": 1.5e308}
    broken = GameTree(["A"], params=[Param("x", 1.0)])
    broken.decision("root", "A", {"a": "ta", "b": "tb"})
    broken.terminal("ta", {"A": "x"})
    broken.terminal("tb", {"A": "log(x)"})
    with pytest.raises(ModelError, match="node 'tb': payoff of 'A' is not finite at x=0"):
        broken.solve(x=0.0)


@pytest.mark.parametrize(
    ("scale", "x"), [(1e6, 999999.999), (1e6, 1e6 + 0.0005), (0.3, 0.29999999899999996)]
)
def test_a_row_on_the_tie_boundary_gets_one_answer_in_any_chunk(scale, x):
    """Rows whose rounded threshold could go either way always take the row-by-row rule."""
    tree = choice_tree(scale)
    alone = tree.solve(x=x)
    for chunk_size in (None, 1):
        batch = tree.solve_batch({"x": [x, scale + 5 * scale]}, chunk_size=chunk_size)
        assert batch.ties[0] == alone.ties
        assert batch[0].choices == alone.choices
        assert not batch.ties[1]


def test_an_overflowing_expected_payoff_does_not_spoil_the_other_moves():
    """A chance node's mean may overflow; the move not taken must not turn values into NaN."""
    tree = GameTree(["A", "B"], params=[Param("x", 1.0)])
    tree.decision("root", "A", {"gamble": "lottery", "safe": "ts"})
    tree.chance("lottery", {"h": ("0.5", "th"), "t": ("0.5 + 9e-10", "tt")})
    tree.terminal("th", {"A": 0, "B": "x"})
    tree.terminal("tt", {"A": 0, "B": "x"})
    tree.terminal("ts", {"A": 1, "B": 2})
    with np.errstate(over="ignore"):
        solved = tree.solve(x=np.finfo(float).max)
    assert solved.choices == {"root": "safe"}
    assert solved.payoffs == {"A": 1.0, "B": 2.0}


def test_probabilities_a_hair_over_one_are_rejected():
    tree = GameTree(["A"])
    tree.chance("root", {"h": ("0.5", "a"), "t": ("0.500000001", "b")})
    tree.terminal("a", {"A": 0})
    tree.terminal("b", {"A": 1})
    with pytest.raises(ModelError, match=r"sum to 1\.000000001, not 1"):
        tree.solve()


def test_reach_and_path_use_the_declared_chance_probabilities():
    tree = GameTree(["A"])
    tree.chance("root", {"h": ("0.3", "a"), "t": ("0.7000000009", "d")})  # within tolerance
    tree.terminal("a", {"A": 0})
    tree.decision("d", "A", {"l": "b", "r": "c"})
    tree.terminal("b", {"A": 1})
    tree.terminal("c", {"A": 2})
    batch = tree.solve_batch({})
    assert batch.node_reach("root")[0] == 1.0
    assert batch.node_reach("d")[0] == 0.7000000009
    assert batch[0].path == (("root", {"h": 0.3, "t": 0.7000000009}), ("d", "r"))


def text_paths(batch) -> list[str]:
    """Each row's equilibrium path spelled out node by node, as the regimes are defined."""
    paths = []
    for r in range(len(batch.point)):
        steps = []
        for node in batch.preorder:
            spec = batch.compiled.nodes[node]
            if spec["kind"] != "decision" or batch.node_reach(node)[r] <= 1e-9:
                continue
            mix = np.nan_to_num(batch.behaviour[node][r])
            steps.append(list(spec["moves"])[mix.argmax()] if mix.max() >= 1 - 1e-9 else "mixed")
        paths.append(">".join(steps))
    return paths


@pytest.mark.parametrize("table", [1 << 20, 1])
@pytest.mark.parametrize("key", [1 << 62, 1])
def test_regimes_are_the_paths_and_their_codes_tell_them_apart(monkeypatch, table, key):
    """Coded regimes (a table of step combinations, a sort of their numbers, or rows
    compared) read as the paths spelled out, and equal codes mean equal paths."""
    from bargain.games.tree import solution

    monkeypatch.setattr(solution, "TABLE_SIZE", table)
    monkeypatch.setattr(solution, "MAX_KEY", key)
    rng = np.random.default_rng(3)
    tree = deal_tree()  # with a chance node: paths that stop early, go on, cheat
    points = {p.name: rng.uniform(p.low, p.high, 600) for p in PARAMS}
    batch = tree.solve_batch(points)
    labels, codes = batch.regimes()
    assert labels.tolist() == text_paths(batch)
    assert len(set(labels.tolist())) > 2
    for code in np.unique(codes):
        assert len(set(labels[codes == code])) == 1
    assert len(np.unique(codes)) == len(set(labels.tolist()))
