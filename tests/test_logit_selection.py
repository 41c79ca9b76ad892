"""select="logit" where the logit limit lies inside a component of equilibria.

In a two-player game with payoff ties the limit can be a point of a component whose
extreme equilibria are the rows (a player tied everywhere mixes uniformly in the limit
while the rows give its pure strategies). The per-point table then reports the limit
itself. Checked against pygambit's ``logit_solve`` and extreme equilibria
(``enummixed_solve``), payoffs and regret computed here by brute force, and membership
of the limit in one of the point's maximal Nash subsets (nonnegative least squares).
"""

from __future__ import annotations

import itertools
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import nnls

from bargain import Model, NormalFormGame, Param
from bargain.errors import BargainWarning
from bargain.sweeps import sweep
from bargain.tolerances import LOGIT_SELECT_ATOL

pygambit = pytest.importorskip("pygambit")
pytest.importorskip("cdd")  # degenerate points are solved exactly (their components)

#: Two-player games whose logit limit is none of their extreme equilibria.
TIED = {
    "column player tied everywhere": [[[3, 0], [0, 1]], [[1, 1], [1, 1]]],
    "row dominant, column tied": [[[2, 2], [0, 0]], [[1, 1], [0, 5]]],
    "an equilibrium component": [[[1, 0], [1, 2]], [[1, 0], [1, 0]]],
    "duplicate strategies": [[[3, 0], [3, 0], [0, 1]], [[3, 0], [3, 0], [0, 1]]],
    "all payoffs tied": np.ones((2, 2, 3)).tolist(),
}


def game_of(tensor: np.ndarray) -> NormalFormGame:
    """The game of ``tensor`` (2, m, n), with a parameter ``unused`` to sweep."""
    players = ["R", "C"]
    strategies = {p: [f"s{j + 1}" for j in range(k)] for p, k in zip(players, tensor.shape[1:])}
    payoffs = {p: tensor[i].tolist() for i, p in enumerate(players)}
    return NormalFormGame(players, strategies, payoffs, params=[Param("unused", 0.0)])


def gambit_game(tensor: np.ndarray):
    fractions = [[[Fraction(v).limit_denominator(10**6) for v in r] for r in p] for p in tensor]
    return pygambit.Game.from_arrays(*(np.array(p, dtype=object) for p in fractions))


def gambit_limit(tensor: np.ndarray) -> list[np.ndarray]:
    game = pygambit.Game.from_arrays(*tensor)
    eq = pygambit.nash.logit_solve(game).equilibria[0]
    return [np.array([float(eq[s]) for s in pl.strategies]) for pl in game.players]


def gambit_extremes(tensor: np.ndarray) -> list[np.ndarray]:
    """pygambit's extreme equilibria, each flattened (row player's, then column's)."""
    game = gambit_game(tensor)
    found = pygambit.nash.enummixed_solve(game, rational=True).equilibria
    return [np.array([float(eq[s]) for pl in game.players for s in pl.strategies]) for eq in found]


def values_of(tensor: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each player's payoff of each own strategy against the other's mixture, summed cell
    by cell (independent of the kernels)."""
    m, n = tensor.shape[1:]
    rows, cols = np.zeros(m), np.zeros(n)
    for i, j in itertools.product(range(m), range(n)):
        rows[i] += y[j] * tensor[0, i, j]
        cols[j] += x[i] * tensor[1, i, j]
    return rows, cols


def in_hull(point: np.ndarray, vertices: tuple[np.ndarray, ...]) -> bool:
    """Whether ``point`` is a convex combination of ``vertices`` (within 1e-7)."""
    A = np.vstack([np.array(vertices).T, np.ones(len(vertices))])
    _, residual = nnls(A, np.append(point, 1.0))
    return residual < 1e-7


def frame_profile(frame, game: NormalFormGame, row: int = 0) -> list[np.ndarray]:
    """The profile in row ``row`` of a sweep's frame."""
    return [
        frame.loc[row, [f"p_{p}_{s}" for s in labels]].to_numpy(float)
        for p, labels in zip(game.players, game.strategies)
    ]


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)  # degenerate games
        return call(*args, **kwargs)


@pytest.mark.parametrize("name", TIED)
def test_the_limit_inside_a_component_is_selected_with_its_measures(name):
    tensor = np.array(TIED[name], dtype=float)
    game = game_of(tensor)
    model = Model(game, {"joint": "u_R + u_C", "weighted": "p_C_s1 * n_equilibria + n_components"})
    batch = quiet(game.solve_batch, {"unused": [0.0]})
    (solution,) = batch
    assert batch.methods.tolist() == ["exact"]
    # the rows are the extreme equilibria, pygambit's, and none of them is the limit
    mine = sorted(np.concatenate(eq.profile).round(9).tolist() for eq in solution)
    theirs = sorted(p.round(9).tolist() for p in gambit_extremes(tensor))
    assert mine == theirs
    assert batch.logit_distance().min() > LOGIT_SELECT_ATOL

    table = quiet(model.evaluate, {"unused": [0.0]}, "logit")
    points, rows = table["points"], table["rows"]
    labels = dict(zip(game.players, game.strategies))
    x = np.array([points[f"p_R_{s}"][0] for s in labels["R"]])
    y = np.array([points[f"p_C_{s}"][0] for s in labels["C"]])
    gx, gy = gambit_limit(tensor)
    np.testing.assert_allclose(x, gx, atol=1e-6)
    np.testing.assert_allclose(y, gy, atol=1e-6)
    # a Nash equilibrium, its payoffs and regret as reported
    rows_value, cols_value = values_of(tensor, x, y)
    u = np.array([x @ rows_value, y @ cols_value])
    assert max(rows_value.max() - u[0], cols_value.max() - u[1]) < 1e-9
    np.testing.assert_allclose([points["u_R"][0], points["u_C"][0]], u, atol=1e-9)
    assert points["regret"][0] < 1e-9
    # in one of the point's maximal Nash subsets, so in a component of the rows
    assert any(in_hull(x, s.row) and in_hull(y, s.column) for s in solution.nash_subsets)
    # reported with the user's measures; the point's counts are unchanged
    assert points["selected_unique"][0]
    assert points["n_equilibria"][0] == len(solution)
    assert points["n_components"][0] == len(solution.components)
    np.testing.assert_allclose(points["joint"][0], u.sum(), atol=1e-9)
    weighted = y[0] * len(solution) + len(solution.components)
    np.testing.assert_allclose(points["weighted"][0], weighted, atol=1e-9)
    pure = all(np.isclose(p.max(), 1.0) for p in (x, y))
    assert points["pure"][0] == float(pure)
    assert points["regime"][0] == ("mixed" if not pure else points["regime"][0])
    assert points["regime"].codes is not None  # still a coded label column
    # the long table is the rows, without the limit
    assert len(rows["point"]) == len(solution)
    assert (
        points["equilibria"][0]
        == quiet(model.evaluate, {"unused": [0.0]})["points"]["equilibria"][0]
    )


def test_generic_games_select_the_row_that_is_the_limit():
    """Seeded random 3x3 games: no limit is offered, and the row selected is the one
    equal to pygambit's limit."""
    rng = np.random.default_rng(20261201)
    for _ in range(6):
        tensor = rng.normal(size=(2, 3, 3)).round(3)
        game = game_of(tensor)
        batch = game.solve_batch({"unused": [0.0]})
        assert not batch.degenerate.any()
        assert batch.logit_limits(np.arange(1)) is None
        frame = sweep(game, {"unused": [0.0]}, select="logit").to_frame()
        assert frame["selected_unique"].all()
        chosen = frame_profile(frame, game)
        for mine, theirs in zip(chosen, gambit_limit(tensor)):
            np.testing.assert_allclose(mine, theirs, atol=1e-6)
        row = np.argmin(batch.logit_distance())
        for mine, prof in zip(chosen, batch.profiles):  # the row itself, value for value
            np.testing.assert_array_equal(mine, prof[row])


def test_a_sweep_over_tied_and_generic_points():
    """The column player is tied at t = 0 and not elsewhere: the sweep selects the limit
    at t = 0 (C mixes 1/2-1/2) and the limit's row elsewhere."""
    game = NormalFormGame(
        ["R", "C"],
        {"R": ["a", "b"], "C": ["a", "b"]},
        {"R": [[3, 0], [0, 1]], "C": [["t", 0], [0, "2 * t"]]},
        params=[Param("t", 1.0, low=-1, high=2)],
    )
    grid = {"t": [-0.5, 0.0, 0.5, 1.0]}
    result = quiet(sweep, game, grid, select="logit")
    frame, long = result.to_frame(), result.to_frame(long=True)
    unique = quiet(sweep, game, grid).to_frame(long=True)
    assert long.equals(unique)  # the long table does not depend on the rule
    assert frame["selected_unique"].all()
    for k, t in enumerate(grid["t"]):
        tensor = np.array([[[3, 0], [0, 1]], [[t, 0], [0, 2 * t]]])
        chosen = frame_profile(frame, game, k)
        for mine, theirs in zip(chosen, gambit_limit(tensor)):
            np.testing.assert_allclose(mine, theirs, atol=1e-6)
        at = long[long["point"] == k]
        listed = [np.allclose(r, np.concatenate(chosen)) for r in at.filter(like="p_").values]
        assert any(listed) == (t != 0.0)  # only the tied point's limit is no row
        assert frame.loc[k, "n_equilibria"] == len(at)
    assert frame.loc[1, "regime"] == "mixed"
    assert frame.loc[1, "equilibria"] == "a/a | b/b | mixed"
    # rules other than logit are untouched at the tied point
    joint = quiet(sweep, game, grid, select="max-joint").to_frame()
    assert joint.loc[1, ["regime", "u_R", "u_C", "selected_unique"]].tolist() == ["a/a", 3, 0, True]


def test_no_limit_is_taken_where_the_components_are_unknown():
    """method='pure' lists pure equilibria only, not the components: the mixed limit of a
    tied point is then not selected (as before)."""
    tensor = np.array(TIED["column player tied everywhere"], dtype=float)
    game = game_of(tensor)
    batch = quiet(game.solve_batch, {"unused": [0.0]}, method="pure")
    assert batch.exact == {} and batch.logit_limits(np.arange(1)) is None
    frame = quiet(sweep, Model(game, method="pure"), {"unused": [0.0]}, select="logit").to_frame()
    assert frame.loc[0, "n_equilibria"] == 2
    assert np.isnan(frame.loc[0, "u_R"]) and not frame.loc[0, "selected_unique"]
    assert frame.loc[0, "regime"] is None or frame["regime"].isna().all()
