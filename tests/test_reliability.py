"""Regressions from two red-team passes: never silently wrong, never lost, never hung.

Each test reproduces a failure found on an earlier version through the real
entry point (the Python API, or the command line in a subprocess) and checks
that it now ends in correct output or a one-line message.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bargain import (
    BargainError,
    BudgetError,
    DegenerateGameWarning,
    GameTree,
    Model,
    ModelError,
    NoEquilibriumWarning,
    NormalFormGame,
    Param,
    bargaining,
    grid,
    linspace,
    load_model,
    sweep,
)
from bargain.io import loads_model
from bargain.solvers import support_enumeration
from bargain.sweeps import runner
from tests.oracles import gambit_mixed, profile_set
from tests.test_model_file import BARGAINING, NORMAL, TREE

BARGAIN = shutil.which("bargain", path=str(Path(sys.executable).parent))
ROOT = Path(__file__).parents[1]

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


# -- verified means verified: tolerances invariant to each player's units ----------------------

METHODS = ["support", "vertex", "lemke-howson", "pure"]


def equilibria(A: np.ndarray, B: np.ndarray, method: str = "support") -> set[tuple]:
    """The profiles found, rounded, as a set (degeneracy and no-equilibrium warnings silenced)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        warnings.simplefilter("ignore", NoEquilibriumWarning)
        solution = NormalFormGame.from_arrays(A, B).solve(method=method)
    for eq in solution:
        assert np.isfinite(eq.payoffs).all()
    return {tuple(np.round(np.concatenate(eq.profile), 7)) for eq in solution}


def affine(rng: np.random.Generator, M: np.ndarray) -> np.ndarray:
    """``M`` in other units: times 1e-200 .. 1e200, plus up to 1e6 times its range."""
    scale = 10.0 ** rng.choice([-200, -100, -10, 0, 10, 100, 200])
    offset = rng.uniform(-1, 1) * 10.0 ** rng.integers(0, 7) * np.ptp(M)
    return (M + offset) * scale


@pytest.mark.parametrize("method", METHODS)
def test_the_equilibria_do_not_depend_on_each_players_units(method, rng):
    for _ in range(25 if method == "support" else 8):
        m, n = rng.integers(2, 5, size=2)
        A, B = rng.normal(size=(2, m, n))
        expected = equilibria(A, B, method)
        assert expected or method == "pure"
        for _ in range(4):
            assert equilibria(affine(rng, A), affine(rng, B), method) == expected


def test_a_large_offset_reports_no_false_equilibria(rng):
    A, B = rng.integers(0, 3, size=(2, 4, 4)).astype(float) + rng.normal(0, 0.1, (2, 4, 4))
    assert equilibria(A + 1e9, B + 1e9) == equilibria(A, B)


def test_one_players_huge_payoffs_do_not_loosen_the_others_tolerance():
    # Column: -1 vs -0.5 in row 1 and 1 vs 0.5 in row 2 are strict preferences,
    # whatever the row player's units; the row player is indifferent in column 2, so
    # the game is degenerate: its equilibria are column 2 against any row mixture with
    # p(top) >= 1/2 (column 2 pays 0.5 - p against 1 - 2p), a segment whose extreme
    # points the exact method reports.
    A, B = np.array([[1e9, 0], [-1e9, 0]]), np.array([[-1, -0.5], [1, 0.5]])
    found = equilibria(A, B)
    assert found == equilibria(A / 1e9, B) == {(1.0, 0.0, 0.0, 1.0), (0.5, 0.5, 0.0, 1.0)}


def test_tiny_and_huge_games_keep_their_equilibria():
    prisoners = np.array([[3, 0], [5, 1]]), np.array([[3, 5], [0, 1]])
    assert equilibria(*(M * 1e-10 for M in prisoners)) == {(0.0, 1.0, 0.0, 1.0)}
    pennies = np.array([[1.0, -1.0], [-1.0, 1.0]])
    (found,) = equilibria(pennies * 1.7e308, -pennies * 1.7e308)
    np.testing.assert_allclose(found, [0.5, 0.5, 0.5, 0.5])
    solution = NormalFormGame.from_arrays(pennies * 1.7e308, -pennies * 1.7e308).solve()
    assert np.isfinite(solution[0].payoffs).all()


def test_regret_is_reported_and_within_the_tolerance(rng):
    A, B = rng.normal(size=(2, 4, 4)) * 1e6 + 3e8
    game = NormalFormGame.from_arrays(A, B)
    solution = game.solve_batch({})
    frame = solution.to_frame()
    assert (frame["regret"] >= 0).all()
    assert (frame["regret"] <= 1e-9 * max(np.ptp(A), np.ptp(B)) + 1e-6).all()
    # the column is each equilibrium's own largest deviation gain, computed independently
    for eq, regret in zip(solution[0], frame["regret"]):
        x, y = eq.profile
        gains = max((A @ y).max() - x @ A @ y, (x @ B).max() - x @ B @ y, 0.0)
        assert regret == pytest.approx(gains, rel=1e-6, abs=1e-6)
    assert frame["regret"].max() > 0  # mixed equilibria at payoffs of 3e8 carry rounding
    model = Model(game)
    assert "regret" in model.measures.names


def test_a_trees_equilibria_report_their_regret(rng):
    model = load_model("interim-deal")
    frame = sweep(model, grid(relief=linspace(0, 1, 11)), progress=False).to_frame()
    assert (frame["regret"] >= 0).all() and (frame["regret"] <= 1e-9).all()
    A, B = rng.normal(size=(2, 3, 3))
    solved = simultaneous(A, B).solve_batch({})  # an imperfect-information subgame
    assert 0 <= solved.regret.max() <= 1e-9 * max(np.ptp(A), np.ptp(B))


def test_payoffs_float64_cannot_resolve_are_refused():
    game = NormalFormGame(
        ["a", "b"],
        [["x", "y"], ["x", "y"]],
        {"a": [["1e12", "1e12 + d"], ["1e12 + 2*d", "1e12"]], "b": [[0, 1], [1, 0]]},
        params=[Param("d", 1e-3, 0, 1e7)],
    )
    with pytest.raises(
        ModelError, match=r"^payoffs of 'a' at d=0\.001 lie between .* float64 cannot"
    ):
        game.solve()
    with pytest.raises(ModelError, match="cannot resolve a range of 2 at magnitude 1e"):
        game.solve(d=1.0)  # an ulp at 1e12 is 1.2e-4: the range is known to 1e-4 only
    assert len(game.solve(d=1e7)) == 3  # a range of 2e7 is resolved: a coordination game


def tree_of(values: dict[str, float]) -> GameTree:
    tree = GameTree(["A"])
    tree.decision("root", "A", {k: k for k in values})
    for node, value in values.items():
        tree.terminal(node, {"A": value})
    return tree


def test_tree_ties_do_not_depend_on_the_units():
    for scale in (1e-12, 1.0, 1e12, 1.7e308):
        solved = tree_of({"low": 0.5 * scale, "high": 0.75 * scale, "zero": 0.0}).solve()
        assert solved.choices["root"] == "high" and not solved.ties
    # a gap of 1e-10 of the range is a real preference, at any offset up to 1e6 ranges
    for offset in (0.0, 1e3, 1e6):
        solved = tree_of({"a": offset + 1.0, "b": offset + 1.0 + 1e-6, "c": offset}).solve()
        assert solved.choices["root"] == "b" and not solved.ties
    # a range beyond float64 (1e308 minus -1e308): rescaled exactly, never all tied
    solved = tree_of({"bad": -1e308, "good": 1e308, "mid": 0.0}).solve_batch({})
    assert solved[0].choices["root"] == "good" and not solved.ties.any()
    assert solved[0].payoffs == {"A": 1e308} and solved.regret.tolist() == [0.0]


def selection_tree(offset: float) -> GameTree:
    """B is indifferent at the root's two equilibria... A chooses; B prefers R by 1e-4 and
    the off-path move Z sets each player's range to about 1."""
    tree = GameTree(["A", "B"])
    tree.decision("r", "A", {"L": "x", "R": "y", "Z": "z"})
    tree.terminal("x", {"A": offset, "B": offset})
    tree.terminal("y", {"A": offset, "B": offset + 1e-4})
    tree.terminal("z", {"A": offset - 1.0, "B": offset + 1.0})
    return tree


@pytest.mark.parametrize("rule", ["payoff-dominant", "max-joint"])
def test_selection_on_trees_does_not_depend_on_an_offset(rule):
    for offset in (0.0, 1e6):
        model = Model(selection_tree(offset), tie_break="all", select=rule)
        points = model.evaluate({})["points"]
        assert points["n_equilibria"][0] == 2
        assert points["regime"][0] == "R" and points["selected_unique"][0], (offset, rule)


def test_a_parameter_may_share_an_options_name():
    tree = GameTree(["A"], params=[Param("tie_break", 0.0)])
    tree.decision("r", "A", {"a": "ta", "b": "tb"})
    tree.terminal("ta", {"A": "tie_break"})
    tree.terminal("tb", {"A": 0.5})
    assert tree.solve().choices == {"r": "b"}  # the parameter at its default, 0
    assert tree.solve(tie_break=1.0).choices == {"r": "a"}


# -- bounded memory: sweeps streamed to a file; results too large refused up front -----------


def escalation_space(side: int = 40):
    return grid(bite=linspace(0, 3, side), clash=linspace(0.1, 5, side))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_streamed_sweep_writes_what_the_result_holds(tmp_path, suffix):
    model = load_model("escalation")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        kept = sweep(model, escalation_space(), progress=False).to_frame()
        file = sweep(
            model,
            escalation_space(),
            progress=False,
            output=tmp_path / f"s{suffix}",
            chunk_size=300,
        )
    assert len(file) == len(kept) == 1600 and file.note() == kept.attrs["note"]
    read = file.to_frame()
    assert list(read.columns) == list(kept.columns)
    for column in kept:
        if not pd.api.types.is_numeric_dtype(kept[column]):
            assert (
                kept[column].fillna("").astype(str).tolist()
                == read[column].fillna("").astype(str).tolist()
            ), column
        else:
            np.testing.assert_array_equal(
                read[column].to_numpy(float), kept[column].to_numpy(float)
            )


def test_streaming_resumes_from_a_checkpoint(tmp_path):
    model, out, ckpt = load_model("escalation"), tmp_path / "s.csv", tmp_path / "ckpt"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        first = sweep(
            model, escalation_space(), progress=False, output=out, chunk_size=100, checkpoint=ckpt
        )
        text = out.read_text()
        out.unlink()
        again = sweep(
            model, escalation_space(), progress=False, output=out, chunk_size=100, checkpoint=ckpt
        )
    assert len(again) == len(first) and out.read_text() == text


def test_a_result_too_large_for_memory_is_refused_before_computing(monkeypatch):
    monkeypatch.setattr("bargain.checks.available_memory", lambda: 10_000_000)
    space = grid(bite=linspace(0, 3, 1000), clash=linspace(0.1, 5, 1000))
    with pytest.raises(BargainError, match=r"a result of 1,000,000 points in memory needs about"):
        sweep(load_model("escalation"), space, progress=False)


def test_a_killed_streaming_sweep_leaves_the_previous_file_whole(tmp_path):
    out = tmp_path / "big.csv"
    out.write_text("the previous, complete table\n")
    args = ["sweep", "escalation", "-g", "bite=0:3:2000", "-g", "clash=0.1:5:1000", "-o", str(out)]
    process = subprocess.Popen([BARGAIN, *args], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".big.csv.*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the temporary file exists: the sweep is writing
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert out.read_text() == "the previous, complete table\n"


def kill_once(marker: Path):
    """A chunk's points that kill their worker process the first time chunk 1 is computed."""
    original = runner._Job.points

    def points(self, chunk, size):
        if chunk == 1 and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        return original(self, chunk, size)

    return points


def test_a_killed_worker_is_replaced_and_the_sweep_completes(tmp_path, monkeypatch):
    monkeypatch.setattr(runner._Job, "points", kill_once(tmp_path / "killed"))
    model, space = load_model("interim-deal"), grid(relief=linspace(0, 1, 40))
    pooled = sweep(model, space, executor="processes", workers=2, chunk_size=5, progress=False)
    assert (tmp_path / "killed").exists()
    alone = sweep(model, space, chunk_size=5, progress=False)
    assert pooled.to_frame().equals(alone.to_frame())


# -- budgets: every enumeration and iteration stops with a message -----------------------------


def test_support_enumeration_of_a_huge_game_is_refused_with_its_budget():
    game = NormalFormGame.from_arrays(*np.random.default_rng(1).normal(size=(2, 14, 14)))
    with pytest.raises(BudgetError, match=r"40,116,599 pairs of supports .* method='lemke-howson'"):
        game.solve(method="support")
    assert game.solve().method == "vertex"  # what method="auto" chooses for it


def test_a_big_numeric_game_builds_at_once():
    start = time.process_time()
    game = NormalFormGame.from_arrays(*np.zeros((2, 1000, 1000)))
    assert game.shape == (1000, 1000) and game.is_numeric
    assert time.process_time() - start < 30  # it took minutes when every payoff was sympy


def indifferent(levels: int) -> GameTree:
    """A player indifferent at every node of a binary tree: 2**levels pure SPE."""
    tree = GameTree(["A"])
    for node in range(1, 2**levels):
        tree.decision(node, "A", {"a": 2 * node, "b": 2 * node + 1})
    for leaf in range(2**levels, 2 ** (levels + 1)):
        tree.terminal(leaf, {"A": 0})
    return tree


def test_tie_break_all_has_a_budget(monkeypatch):
    monkeypatch.setattr("bargain.solvers.backward.MAX_ROWS", 100)
    assert len(indifferent(2).solve(tie_break="all")) == 2 ** (2**2 - 1)
    with pytest.raises(BudgetError, match="more than 100 subgame-perfect equilibria"):
        indifferent(3).solve(tie_break="all")
    assert indifferent(3).solve().ties  # the default tie-break needs no budget


def test_a_long_finite_horizon_is_refused_with_its_budget():
    with pytest.raises(BudgetError, match=r"horizon = 1,000,000,000 periods is above the budget"):
        bargaining.alternating_offers(0.9, 0.9, horizon=10**9)


# -- no empty point: a method that always finds an equilibrium takes over ----------------------

#: Small-integer 3x5 games in which support enumeration over supports of equal size finds
#: no equilibrium at all (found by a seeded search of 20,000 random games).
EMPTY = [
    (
        [[1, 1, 0, 2, 2], [2, 1, 1, 1, 1], [1, 1, 2, 0, 0]],
        [[2, 1, 2, 0, 0], [0, 0, 2, 2, 1], [2, 0, 1, 2, 1]],
    ),
    (
        [[0, 0, 2, 2, 0], [1, 2, 2, 0, 2], [1, 1, 1, 2, 2]],
        [[0, 2, 1, 0, 0], [0, 0, 1, 2, 1], [1, 1, 2, 0, 1]],
    ),
]


@pytest.mark.parametrize("method", ["support", "vertex"])
@pytest.mark.parametrize(("A", "B"), EMPTY)
def test_a_point_where_the_method_finds_nothing_is_solved_by_lemke_howson(
    A, B, method, monkeypatch
):
    """Without the exact method (no pycddlib, or a game beyond its budget) Lemke–Howson
    rescues the point; with it the point gets every extreme equilibrium, as Gambit's."""
    import bargain.games.normal.game as normal_game

    A, B = np.array(A, dtype=float), np.array(B, dtype=float)
    assert len(support_enumeration(np.stack([A, B])[..., None]).point) == 0  # the failure
    gambit = set(profile_set(gambit_mixed(A, B)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        exact = NormalFormGame.from_arrays(A, B).solve(method=method)
        monkeypatch.setattr(normal_game, "exact_ready", lambda m, n: False)
        solution = NormalFormGame.from_arrays(A, B).solve(method=method)
    assert exact.method == "exact" and set(profile_set(eq.profile for eq in exact)) == gambit
    assert len(solution) >= 1 and solution.degenerate
    assert solution.method == ("lemke-howson" if method == "support" else method)
    assert set(profile_set(eq.profile for eq in solution)) <= gambit  # Gambit knows each


def simultaneous(A: np.ndarray, B: np.ndarray) -> GameTree:
    """A bimatrix game as a tree: the column player does not see the row."""
    tree = GameTree(["row", "col"])
    tree.decision("root", "row", {f"r{i}": f"c{i}" for i in range(len(A))})
    for i, (a, b) in enumerate(zip(A, B)):
        moves = {f"k{j}": f"t{i}{j}" for j in range(len(a))}
        tree.decision(f"c{i}", "col", moves, infoset="col")
        for j in range(len(a)):
            tree.terminal(f"t{i}{j}", {"row": float(a[j]), "col": float(b[j])})
    return tree


def test_a_degenerate_subgame_still_gives_a_subgame_perfect_equilibrium():
    A, B = (np.array(M, dtype=float) for M in EMPTY[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        solved = simultaneous(A, B).solve()
    assert len(solved) >= 1 and solved.degenerate and solved.path
    x = [
        solved.choices["root"].get(f"r{i}", 0.0)
        if isinstance(solved.choices["root"], dict)
        else float(solved.choices["root"] == f"r{i}")
        for i in range(3)
    ]
    y = solved.choices["c0"]
    y = [y.get(f"k{j}", 0.0) if isinstance(y, dict) else float(y == f"k{j}") for j in range(5)]
    assert set(profile_set([(x, y)])) <= set(profile_set(gambit_mixed(A, B)))


def three_player_pennies() -> NormalFormGame:
    """Each player wants to match the next one: no pure equilibrium."""
    payoffs = {p: np.zeros((2, 2, 2)) for p in ("a", "b", "c")}
    for i, j, k in np.ndindex(2, 2, 2):
        payoffs["a"][i, j, k] = i == j
        payoffs["b"][i, j, k] = j != k
        payoffs["c"][i, j, k] = k == i
    return NormalFormGame(["a", "b", "c"], [["x", "y"]] * 3, payoffs)


def test_a_point_without_a_pure_equilibrium_is_reported_not_dropped():
    model = Model(three_player_pennies()).with_options(method="pure")
    with pytest.warns(NoEquilibriumWarning, match="no pure equilibrium"):
        table = model.evaluate({}, "all")
    assert table["points"]["n_equilibria"].tolist() == [0.0]
    assert table["rows"]["regime"].tolist() == [None]  # the point keeps its row
    # method "auto" solves such a point by the logit limit: its unique (mixed) equilibrium
    table = Model(three_player_pennies()).evaluate({}, "all")
    assert table["points"]["n_equilibria"].tolist() == [1.0]
    assert table["rows"]["p_a_x"] == pytest.approx([0.5]) and table["rows"]["regret"] < 1e-9


# -- messages: every failure ends in one line with the file, key or option; exit status 2 -----


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([BARGAIN, *args], capture_output=True, text=True, timeout=120, cwd=cwd)


def one_line(done: subprocess.CompletedProcess, *expected: str) -> str:
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bargain: error: "), done.stderr
    for text in expected:
        assert text in lines[0], lines[0]
    assert "np.float64" not in lines[0] and "Traceback" not in done.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["sweep", "escalation", "-g", "bite=1,2", "-g", "bite=3"], "bite is swept twice"),
        (["solve", "escalation", "-p", "bite=1", "-p", "bite=2"], "bite is given twice"),
        (["solve", "escalation", "-O", "method=pure", "-O", "method=support"], "given twice"),
        (["sweep", "escalation", "-g", "bite=1,2", "-o", "/proc/version"], "/proc/version: cannot"),
        (["sweep", "escalation", "-g", "bite=1,2", "--columns", "nope"], "unknown column 'nope'"),
        (["solve", "interim-deal", "--method", "pure"], "game trees take no method"),
        (["sweep", "escalation", "-g", "bite=0:3:1000000000000"], "needs about"),
        (["solve", "escalation", "-O", "method=magic"], "unknown method 'magic'"),
    ],
)
def test_command_line_mistakes_are_one_line(args, expected):
    one_line(cli(*args), expected)


def test_a_model_path_that_is_a_pipe_is_refused(tmp_path):
    fifo = tmp_path / "model.toml"
    os.mkfifo(fifo)
    one_line(cli("show", str(fifo)), "model.toml: cannot read the file: not a regular file")


def test_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (ROOT / "models" / "escalation.toml").read_bytes())
    assert cli("solve", str(path)).returncode == 0


def test_an_integer_id_written_as_a_string_says_so():
    text = """\
[model]
name = "ids"

[game]
form = "tree"
players = ["A"]
nodes = [
    { id = 0, kind = "decision", player = "A", moves = { x = "1", y = 2 } },
    { id = 1, kind = "terminal", payoffs = { A = 1 } },
    { id = 2, kind = "terminal", payoffs = { A = 0 } },
]
"""
    with pytest.raises(ModelError, match=r"unknown node id '1': the node's id is an integer, 1"):
        loads_model(text, "ids.toml")


def test_a_protocol_without_formula_arguments_solves_at_every_point(tmp_path):
    text = """\
[model]
name = "nash"

[params.x]
default = 0.5
low = 0
high = 1

[game]
form = "bargaining"
protocol = "nash_solution"
players = ["US", "Iran"]
arguments = { frontier = "sqrt(1 - u1)" }
"""
    model = loads_model(text, "nash.toml")
    np.testing.assert_allclose(model.solve().shares, [2 / 3, np.sqrt(1 / 3)])
    frame = sweep(model, {"x": [0.1, 0.9]}, progress=False).to_frame()
    np.testing.assert_allclose(frame["u_US"], [2 / 3, 2 / 3])


def test_warnings_on_the_command_line_are_one_line(tmp_path):
    model = tmp_path / "m.toml"
    text = (ROOT / "models" / "escalation.toml").read_text(encoding="utf-8")
    model.write_text(text.replace("[measures]", '[measures]\nodd = "1 / (bite - 1)"', 1))
    done = cli("sweep", str(model), "-g", "bite=0:2:3")
    assert done.returncode == 0
    warned = done.stderr.strip().splitlines()
    assert warned and all(line.startswith("bargain: warning: ") for line in warned), warned
    assert "measure 'odd' is not finite" in done.stderr


# -- fuzz: every model-file text ends in a model or a bargain error ----------------------------

TOKENS = [
    "0", "-1", "1e309", "nan", "inf", "true", '""', '"x"', '"1 - relief"', '"relief ** 99999"',
    '"where(relief > 0, 1, 2)"', '"__import__(\\"os\\")"', "[]", "[1, 2]", '["a", "a"]', "{}",
    '{ a = 1 }', '"\\u00e9"', "'''\\n'''", '"max(relief, relief, relief)"', "3.5", '"1/0"',
]  # fmt: skip


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["NORMAL", "TREE", "BARGAINING"]),
    st.lists(
        st.tuples(
            st.integers(0, 200),
            st.sampled_from(["drop", "twice", "value"]),
            st.sampled_from(TOKENS),
        ),
        min_size=1,
        max_size=4,
    ),
)
def test_any_mutation_of_a_model_file_ends_in_a_model_or_a_bargain_error(base, mutations):
    lines = {"NORMAL": NORMAL, "TREE": TREE, "BARGAINING": BARGAINING}[base].splitlines()
    for at, how, token in mutations:
        i = at % len(lines)
        if how == "drop":
            del lines[i]
        elif how == "twice":
            lines.insert(i, lines[i])
        elif "=" in lines[i]:
            lines[i] = lines[i].split("=", 1)[0] + "= " + token
        if not lines:
            lines = ["x = 1"]
    try:
        loads_model("\n".join(lines), "fuzz.toml")
    except BargainError as error:
        assert str(error).startswith("fuzz.toml"), error
