"""Logit QRE and the logit limit through NormalFormGame, models, sweeps and selection.

Checked against pygambit on seeded games, the logit fixed-point equations computed
here independently (brute-force expected payoffs), and known results (the logit
limit of a 2x2 coordination game is its risk-dominant equilibrium).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from bargain import NormalFormGame, Param
from bargain.errors import BargainWarning, ModelError, NoEquilibriumWarning
from bargain.io import dumps_model, loads_model
from bargain.spaces import point_list
from bargain.sweeps import sweep

pygambit = pytest.importorskip("pygambit")


def strategy_values(tensor: np.ndarray, profile: list[np.ndarray]) -> list[np.ndarray]:
    """Each player's payoff of each own strategy against the others' mixtures, by
    summing over every pure profile (independent of the kernels' contractions)."""
    shape = tensor.shape[1:]
    out = [np.zeros(s) for s in shape]
    for cell in itertools.product(*map(range, shape)):
        for i in range(len(shape)):
            weight = np.prod([profile[k][c] for k, c in enumerate(cell) if k != i])
            out[i][cell[i]] += weight * tensor[(i, *cell)]
    return out


def logit_gap(tensor: np.ndarray, profile: list[np.ndarray], lam: np.ndarray) -> float:
    """max |p_ij - exp(lam_i u_ij) / sum_k exp(lam_i u_ik)|: 0 at a logit QRE."""
    gaps = []
    for i, u in enumerate(strategy_values(tensor, profile)):
        e = np.exp(lam[i] * (u - u.max()))
        gaps.append(np.abs(profile[i] - e / e.sum()).max())
    return max(gaps)


def gambit_qre(tensor: np.ndarray, lam: float) -> list[np.ndarray]:
    game = pygambit.Game.from_arrays(*tensor)
    (q,) = pygambit.qre.logit_solve_lambda(game, lam=[lam])
    return [np.array([float(q.profile[s]) for s in pl.strategies]) for pl in game.players]


def gambit_limit(tensor: np.ndarray) -> list[np.ndarray]:
    game = pygambit.Game.from_arrays(*tensor)
    eq = pygambit.nash.logit_solve(game).equilibria[0]
    return [np.array([float(eq[s]) for s in pl.strategies]) for pl in game.players]


def parameterized() -> NormalFormGame:
    """A 3x2 game whose payoffs move with ``a`` and ``b``."""
    return NormalFormGame(
        ["Row", "Col"],
        {"Row": ["top", "mid", "low"], "Col": ["left", "right"]},
        {
            "Row": [["a", 0], [1, "b"], [0.5, "a * b"]],
            "Col": [[0, "1 - a"], ["b", 0], [1, 0.25]],
        },
        params=[Param("a", 0.5, low=0, high=2), Param("b", 1.0, low=0, high=2)],
    )


def profile_of(eq) -> list[np.ndarray]:
    return [np.asarray(p) for p in eq.profile]


def test_qre_of_a_three_player_game_matches_pygambit_with_payoffs_and_regret():
    tensor = np.random.default_rng(21).uniform(-1, 3, size=(3, 3, 3, 3))
    game = NormalFormGame.from_arrays(*tensor)
    (eq,) = solution = game.solve(method="qre", lam=2.5)
    assert solution.method == "qre" and len(solution) == 1
    for mine, theirs in zip(eq.profile, gambit_qre(tensor, 2.5)):
        np.testing.assert_allclose(mine, theirs, atol=1e-6)
    values = strategy_values(tensor, profile_of(eq))
    np.testing.assert_allclose(eq.payoffs, [v @ p for v, p in zip(values, eq.profile)], rtol=1e-12)
    regret = max(v.max() - v @ p for v, p in zip(values, eq.profile))
    frame = solution.to_frame()
    assert frame["regret"].iloc[0] == pytest.approx(regret, rel=1e-9) and regret > 1e-3
    modal = "/".join(f"s{int(np.argmax(mix)) + 1}" for mix in eq.profile)
    assert frame["pure"].iloc[0] == 0.0 and frame["regime"].iloc[0] == modal


def test_solve_batch_equals_point_by_point():
    game = parameterized()
    points = {"a": np.linspace(0, 2, 7), "b": np.linspace(2, 0, 7)}
    batch = game.solve_batch(points, method="qre", lam=6.0)
    assert batch.count.tolist() == [1] * 7 and not batch.fallback.any()
    for t in range(7):
        (one,) = game.solve(method="qre", lam=6.0, a=points["a"][t], b=points["b"][t])
        (row,) = batch[t]
        for mine, theirs in zip(row.profile, one.profile):
            np.testing.assert_allclose(mine, theirs, atol=1e-9)
        tensor = game.at(a=points["a"][t], b=points["b"][t]).numeric
        assert logit_gap(tensor, profile_of(row), np.full(2, 6.0)) < 1e-9


@pytest.mark.parametrize("factor", [1000.0, 2.0**400])
def test_lam_is_in_payoff_units(factor):
    """Payoffs times c at lam / c give the same QRE, payoffs and regret times c; 2**400
    goes through the rescaling of extreme payoffs (lam times each player's scale)."""
    tensor = np.random.default_rng(4).uniform(size=(3, 2, 3, 2))
    small = NormalFormGame.from_arrays(*tensor).solve(method="qre", lam=7.0)
    large = NormalFormGame.from_arrays(*(tensor * factor)).solve(method="qre", lam=7.0 / factor)
    for mine, theirs in zip(large[0].profile, small[0].profile):
        np.testing.assert_allclose(mine, theirs, atol=1e-9)
    np.testing.assert_allclose(large[0].payoffs / factor, small[0].payoffs, rtol=1e-9)
    regret = large.to_frame()["regret"].iloc[0] / factor
    assert regret == pytest.approx(small.to_frame()["regret"].iloc[0], rel=1e-6)


def test_heterogeneous_lam_solves_each_players_logit_equations():
    tensor = np.random.default_rng(8).uniform(size=(3, 3, 2, 3))
    game = NormalFormGame.from_arrays(*tensor, players=["x", "y", "z"])
    lam = {"x": 0.5, "y": 9.0, "z": 3.0}
    (eq,) = game.solve(method="qre", lam=lam)
    assert logit_gap(tensor, profile_of(eq), np.array([0.5, 9.0, 3.0])) < 1e-9
    (common,) = game.solve(method="qre", lam=3.0)
    assert max(np.abs(a - b).max() for a, b in zip(eq.profile, common.profile)) > 1e-3
    assert game.solve(method="qre", lam=0).to_frame()["p_y_s1"].iloc[0] == pytest.approx(1 / 2)


def test_bad_options_are_named():
    game = parameterized()
    cases = [
        ({"method": "qre", "lam": -1}, r"option 'lam': expected a finite number lam >= 0"),
        ({"method": "qre", "lam": "big"}, r"option 'lam': expected a number lam >= 0"),
        ({"method": "qre", "lam": {}}, r"option 'lam': .* got an empty mapping"),
        ({"method": "qre", "lam": {"Rwo": 1, "Col": 2}}, r"lam: unknown player 'Rwo' \(did you"),
        ({"method": "qre", "lam": {"Row": 1}}, r"lam: expected a value for every player; .* Col"),
        (
            {"method": "qre", "lam": {"Row": 1, "Col": -2}},
            r"lam'\['Col'\]: expected a finite number lam >= 0",
        ),
        ({"method": "qre"}, r"method='qre' needs lam"),
        (
            {"method": "support", "lam": 2},
            r"^lam: lam needs method='qre' \(only method='qre' takes lam, the logit QRE's "
            r"precision\), not method='support': drop lam, or use method='qre'$",
        ),
        ({"method": "logit", "lam": 2}, r"^lam: lam needs method='qre' .*, not method='logit'"),
        (
            {"lam": 2},
            r"^lam: lam needs method='qre' \(only method='qre' takes lam, the logit QRE's "
            r"precision\): add method='qre', or drop lam$",
        ),
        ({"method": "auto", "lam": 2}, r"^lam: lam needs method='qre' .*: add method='qre'"),
        ({"method": "support", "max_steps": 9}, r"max_steps: only methods 'qre' and 'logit'"),
        ({"seconds": 1.0}, r"seconds: only methods 'qre' and 'logit' .* Gambit's enumpoly"),
        ({"method": "gnm", "max_steps": 10}, r"max_steps: only methods 'qre' and 'logit'"),
        ({"method": "qre", "lam": 1, "max_steps": 0}, r"max_steps': expected a positive integer"),
        ({"method": "logit", "seconds": -1}, r"seconds': expected a positive finite number"),
        ({"method": "logit", "max_steps": True}, r"max_steps': expected a positive integer"),
    ]
    for options, message in cases:
        with pytest.raises(ModelError, match=message):
            game.solve_batch({}, **options)
    with pytest.raises(ModelError, match=r"lam: expected increasing finite values >= 0"):
        game.qre_branch([1.0, 0.5])
    with pytest.raises(ModelError, match=r"weights: unknown player 'Cl'"):
        game.qre_branch(weights={"Row": 1, "Cl": 2})


def test_an_exhausted_budget_warns_and_leaves_points_without_a_row():
    tensor = np.random.default_rng(2).uniform(size=(3, 3, 3, 3))
    game = NormalFormGame.from_arrays(*tensor)
    with pytest.warns(BargainWarning, match=r"budget ran out \(max_steps=2 steps\): 1 of 1"):
        solution = game.solve(method="qre", lam=40.0, max_steps=2)
    assert len(solution) == 0
    with pytest.warns(BargainWarning, match=r"budget ran out \(max_steps=2 steps\)"):
        assert len(game.solve(method="logit", max_steps=2)) == 0
    with pytest.warns(BargainWarning, match=r"budget ran out \(seconds=1e-09 s\): 1 of 1"):
        batch = game.solve_batch({}, method="qre", lam=40.0, seconds=1e-9)
    assert len(batch.point) == 0


def test_logit_limit_matches_pygambit_and_is_verified():
    rng = np.random.default_rng(13)
    for shape in [(2, 4, 4), (3, 2, 3, 2)]:
        tensor = rng.uniform(size=shape)
        (eq,) = solution = NormalFormGame.from_arrays(*tensor).solve(method="logit")
        assert solution.method == "logit"
        assert solution.to_frame()["regret"].iloc[0] < 1e-9
        for mine, theirs in zip(eq.profile, gambit_limit(tensor)):
            np.testing.assert_allclose(mine, theirs, atol=2e-5)


def jordan_game() -> NormalFormGame:
    """Jordan's game: 1 matches 2, 2 matches 3, 3 mismatches 1; its only equilibrium is
    everyone mixing 1/2. A bonus ``m`` for 3's first strategy makes it dominant from
    m > 1 on, and the game then has a pure equilibrium."""
    cells = list(itertools.product(range(2), repeat=3))
    payoffs = {
        "one": np.zeros((2, 2, 2)).tolist(),
        "two": np.zeros((2, 2, 2)).tolist(),
        "three": np.zeros((2, 2, 2), dtype=object).tolist(),
    }
    for a, b, c in cells:
        payoffs["one"][a][b][c] = float(a == b)
        payoffs["two"][a][b][c] = float(b == c)
        payoffs["three"][a][b][c] = f"{float(c != a)} + m * {float(c == 0)}"
    return NormalFormGame(
        ["one", "two", "three"],
        [["h", "t"]] * 3,
        payoffs,
        params=[Param("m", 0.0, low=0, high=3)],
    )


def test_auto_solves_three_player_points_without_a_pure_equilibrium_by_the_logit_limit():
    game = jordan_game()
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoEquilibriumWarning)
        batch = game.solve_batch({"m": [0.0, 0.5, 2.0]})
    assert batch.methods.tolist() == ["logit", "logit", "pure"]
    assert batch.rescued.tolist() == [True, True, False]
    assert "and the logit limit where there is none" in batch.choice
    frame = batch.to_frame().sort_values("point").reset_index(drop=True)
    assert frame["n_equilibria"].tolist() == [1.0, 1.0, 1.0]
    assert (frame["regret"] < 1e-9).all()
    np.testing.assert_allclose(frame.loc[0, ["p_one_h", "p_two_h", "p_three_h"]], 0.5, atol=1e-12)
    tensor = game.at(m=0.5).numeric
    for mine, theirs in zip(batch[1][0].profile, gambit_limit(tensor)):
        np.testing.assert_allclose(mine, theirs, atol=2e-5)
    with pytest.warns(NoEquilibriumWarning, match="no pure equilibrium"):
        assert len(game.solve(method="pure", m=0.5)) == 0  # "pure" as asked stays pure
    with pytest.raises(ModelError, match="max_steps: only methods"):
        game.solve(method="pure", max_steps=10)
    assert len(game.solve(max_steps=10_000)) == 1  # "auto" takes the rescue's budget


def test_a_fold_falls_back_to_arclength_and_returns_the_first_crossing():
    """Point 13 of this seeded batch: Gambit's branch turns back in lam below 10."""
    tensor = np.random.default_rng(0).uniform(size=(3, 3, 3, 3, 500))[..., 13]
    branch = pygambit.qre.logit_solve_branch(pygambit.Game.from_arrays(*tensor))
    lams = np.array([q.lam for q in branch])
    assert (np.diff(lams[lams <= 10.0]) < 0).any()
    game = NormalFormGame.from_arrays(*tensor)
    with pytest.warns(BargainWarning, match=r"1 of 1 points fell back to per-point arc-length"):
        solution = game.solve_batch({}, method="qre", lam=10.0)
    assert solution.fallback.tolist() == [True]
    (eq,) = solution[0]
    assert logit_gap(tensor, profile_of(eq), np.full(3, 10.0)) < 1e-9
    for mine, theirs in zip(eq.profile, gambit_qre(tensor, 10.0)):
        np.testing.assert_allclose(mine, theirs, atol=1e-6)


def test_branch_matches_pygambit_at_common_lam_values():
    tensor = np.random.default_rng(5).uniform(size=(3, 3, 3, 3))
    game = NormalFormGame.from_arrays(*tensor, players=["a", "b", "c"])
    lams = [0.0, 0.5, 2.0, 4.0]
    frame = game.qre_branch(lams)
    assert frame["lam"].tolist() == lams and frame["point"].tolist() == [0] * 4
    assert not frame["fallback"].any()
    for k, lam in enumerate(lams):
        theirs = gambit_qre(tensor, lam) if lam > 0 else [np.full(3, 1 / 3)] * 3
        for player, p in zip("abc", theirs):
            mine = frame.loc[k, [f"p_{player}_s{j + 1}" for j in range(3)]].to_numpy(float)
            np.testing.assert_allclose(mine, p, atol=1e-6)
        values = strategy_values(tensor, theirs)
        expected = [v @ q for v, q in zip(values, theirs)]
        np.testing.assert_allclose(frame.loc[k, ["u_a", "u_b", "u_c"]], expected, atol=1e-6)
    # the default grid: lam times the point's largest payoff range from 0 to 1000
    game = parameterized()
    default = game.qre_branch(points={"a": [0.5, 2.0]})
    span = [max(np.ptp(t) for t in game.at(a=a).numeric) for a in (0.5, 2.0)]
    for t in (0, 1):
        lam = default.loc[default["point"] == t, "lam"].to_numpy()
        assert lam[0] == 0.0 and lam[-1] == pytest.approx(1000.0 / span[t])
    # heterogeneous noise: player i's lam is lam * weights[i]
    weighted = game.qre_branch([3.0], weights={"Row": 2.0, "Col": 0.5}, a=1.5)
    (eq,) = game.solve(method="qre", lam={"Row": 6.0, "Col": 1.5}, a=1.5)
    np.testing.assert_allclose(
        weighted.loc[0, ["p_Row_top", "p_Row_mid", "p_Row_low"]], eq.profile[0]
    )


def symmetric_coordination() -> NormalFormGame:
    """A symmetric 2x2 coordination game: (a, a) pays x, (b, b) pays 1, a against b y."""
    return NormalFormGame(
        ["R", "C"],
        {"R": ["a", "b"], "C": ["a", "b"]},
        {"R": [["x", 0], ["y", 1]], "C": [["x", "y"], [0, 1]]},
        params=[Param("x", 2.0, low=0, high=5), Param("y", 0.0, low=-1, high=1)],
    )


MODEL = """\
[model]
name = "coordination"
title = "Coordination"
description = "Two players coordinate on a or b."
citation = "Someone (2020)."

[params.x]
default = 2
low = 0
high = 5

[params.y]
default = 0
low = -1
high = 1

[game]
form = "normal"
players = ["R", "C"]

[game.strategies]
R = ["a", "b"]
C = ["a", "b"]

[game.payoffs]
R = [["x", 0], ["y", 1]]
C = [["x", "y"], [0, 1]]

[solver]
"""


def test_select_logit_is_risk_dominance_in_symmetric_2x2_coordination_games():
    """In a symmetric 2x2 game the logit limit is the risk-dominant equilibrium."""
    rng = np.random.default_rng(3)
    points = point_list({"x": rng.uniform(0.2, 3.0, 60), "y": rng.uniform(-0.9, 0.5, 60)})
    model = loads_model(MODEL + 'select = "logit"\n', "coordination.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)
        logit = sweep(model, points).to_frame()
        risk = sweep(symmetric_coordination(), points, select="risk-dominant").to_frame()
    assert (logit["equilibria"] == "a/a | b/b | mixed").all()
    assert logit["regime"].tolist() == risk["regime"].tolist()
    assert logit["selected_unique"].all()
    assert set(logit["regime"]) == {"a/a", "b/b"}


def test_qre_in_a_model_file_and_a_sweep_equals_solve_batch():
    model = loads_model(MODEL + 'method = "qre"\nlam = 4\n', "coordination.toml")
    assert model.options == {"method": "qre", "lam": 4.0}
    grid = {"x": [0.5, 1.5, 2.5], "y": [-0.5, 0.0]}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)  # a path through a pitchfork
        frame = sweep(model, grid).to_frame()
    assert frame["n_equilibria"].tolist() == [1.0] * 6
    game = symmetric_coordination()
    for _, row in frame.iterrows():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", BargainWarning)
            (eq,) = game.solve(method="qre", lam=4, x=row["x"], y=row["y"])
        assert row["p_R_a"] == pytest.approx(eq.profile[0][0], abs=1e-9)
    # a QRE is no Nash equilibrium, except where uniform play is one (x = 0.5, y = -0.5)
    uniform = (frame["x"] == 0.5) & (frame["y"] == -0.5)
    assert (frame.loc[~uniform, "regret"] > 1e-6).all()
    assert frame.loc[uniform, "regret"].item() < 1e-12
    hetero = loads_model(MODEL + 'method = "qre"\nlam = { R = 1, C = 8 }\n', "c.toml")
    assert hetero.options["lam"] == {"R": 1.0, "C": 8.0}
    again = loads_model(dumps_model(hetero), "again.toml")  # a model file round trip
    assert again.options == hetero.options and again.fingerprint() == hetero.fingerprint()
    with pytest.raises(ModelError, match=r"solver.lam: expected a finite number lam >= 0"):
        loads_model(MODEL + 'method = "qre"\nlam = -4\n', "bad.toml")


def test_an_s_shaped_fold_is_followed_to_the_logit_limit():
    """A game whose branch folds twice in quick succession near lam * range = 35: the
    arclength stage once jumped back down the branch there (the orientation check of
    ``continuation`` now refuses such a step) and lost the limit."""
    rng = np.random.default_rng(0)
    coefficients = np.round(rng.uniform(size=(3, 3, 3, 3, 3)), 6)
    x, y = rng.uniform(size=1000)[587], rng.uniform(size=1000)[587]
    tensor = coefficients[..., 0] + coefficients[..., 1] * x - coefficients[..., 2] * y
    with pytest.warns(BargainWarning, match="fell back"):
        (eq,) = NormalFormGame.from_arrays(*tensor).solve(method="logit")
    for mine, theirs in zip(eq.profile, gambit_limit(tensor)):
        np.testing.assert_allclose(mine, theirs, atol=2e-5)


def test_bayesian_qre_is_the_qre_of_its_ex_ante_form_projected_to_behaviour():
    from bargain import BayesianGame
    from bargain.solvers.bayesian import behaviour_of, ex_ante_form

    game = BayesianGame(
        ["P1", "P2"],
        types={"P1": ["one"], "P2": ["meet", "avoid"]},
        actions={"P1": ["B", "S"], "P2": ["B", "S"]},
        prior={"one/meet": "q", "one/avoid": "1 - q"},
        payoffs={
            "one/meet": {"P1": [[2, 0], [0, 1]], "P2": [[1, 0], [0, 2]]},
            "one/avoid": {"P1": [[2, 0], [0, 1]], "P2": [[0, 2], [1, 0]]},
        },
        params=[Param("q", 0.5, low=0, high=1)],
    )
    lam = {"P1": 2.0, "P2": 5.0}
    solution = game.solve_batch({"q": [0.3, 0.5, 0.8]}, method="qre", lam=lam)
    frame = solution.to_frame().sort_values("point").reset_index(drop=True)
    assert frame["n_equilibria"].tolist() == [1.0] * 3 and (frame["regret"] > 1e-3).all()
    for t, q in enumerate([0.3, 0.5, 0.8]):
        prior, payoffs = game.evaluate(game.params.bind_batch({"q": [q]}))
        form = ex_ante_form(payoffs, prior)[..., 0]
        (eq,) = NormalFormGame.from_arrays(*form, players=["P1", "P2"]).solve(method="qre", lam=lam)
        assert logit_gap(form, profile_of(eq), np.array([2.0, 5.0])) < 1e-9
        row = behaviour_of(eq.profile[0][None], 1, 2)[0, 0]
        np.testing.assert_allclose(frame.loc[t, ["p_P1_one_B", "p_P1_one_S"]], row, atol=1e-9)
        two = behaviour_of(eq.profile[1][None], 2, 2)[0]
        mine = frame.loc[t, ["p_P2_meet_B", "p_P2_meet_S", "p_P2_avoid_B", "p_P2_avoid_S"]]
        np.testing.assert_allclose(mine.to_numpy(float), two.reshape(-1), atol=1e-9)
        np.testing.assert_allclose(frame.loc[t, ["u_P1", "u_P2"]], eq.payoffs, atol=1e-9)
    with pytest.raises(ModelError, match="lam: only method='qre' takes lam, got method='ex-ante'"):
        game.solve(method="ex-ante", lam=2.0)
    with pytest.raises(ModelError, match="method='qre' needs lam"):
        game.solve(method="qre")
    # a form without a logit limit says so
    with pytest.raises(ModelError, match="select='logit' is defined for normal-form games"):
        sweep(game, {"q": [0.5]}, select="logit")


def pennies_with_a_bystander(third: int) -> np.ndarray:
    """P1 and P2 play matching pennies (P1's stakes grow with P3's strategy c); P3, with
    ``third`` strategies, gets 1 from its first two and 0 from the others: it is
    indifferent among all of them if ``third`` is 2, between two of three if 3."""
    tensor = np.zeros((3, 2, 2, third))
    for a, b, c in itertools.product(range(2), range(2), range(third)):
        match = 1.0 if a == b else -1.0
        tensor[:, a, b, c] = [match * (1 + 0.1 * c), -match, 1.0 if c < 2 else 0.0]
    return tensor


INDIFFERENT = {
    "all payoffs tied": np.ones((2, 2, 3)),
    "column player tied everywhere": np.array([[[3, 0], [0, 1]], [[1, 1], [1, 1]]]),
    "row dominant, column tied": np.array([[[2, 2], [0, 0]], [[1, 1], [0, 5]]]),
    "an equilibrium component": np.array([[[1, 0], [1, 2]], [[1, 0], [1, 0]]]),
    "duplicate strategies": np.array([[[3, 0], [3, 0], [0, 1]], [[3, 0], [3, 0], [0, 1]]]),
    "a fully indifferent third player": pennies_with_a_bystander(2),
    "a third player indifferent between 2 of 3": pennies_with_a_bystander(3),
}


def regret_of(tensor: np.ndarray, profile: list[np.ndarray]) -> float:
    values = strategy_values(tensor, profile)
    return max(v.max() - v @ p for v, p in zip(values, profile))


@pytest.mark.parametrize("name", INDIFFERENT)
def test_the_logit_limit_of_players_indifferent_among_their_strategies(name):
    """A player indifferent among strategies it plays leaves the polish's Newton matrix
    singular; the limit is still found, equals pygambit's and is an equilibrium, under
    method='logit', method='auto' and select='logit' (the row of a game of 3 players,
    whose rows are logit limits under 'auto'; in a game of 2 the limit itself, a point of a
    component whose extreme equilibria are the rows)."""
    tensor = INDIFFERENT[name].astype(float)
    game = NormalFormGame.from_arrays(*tensor)
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoEquilibriumWarning)
        warnings.simplefilter("ignore", BargainWarning)  # degenerate games
        (limit,) = game.solve(method="logit")
        auto = game.solve_batch({})
    assert regret_of(tensor, profile_of(limit)) < 1e-9
    for mine, theirs in zip(limit.profile, gambit_limit(tensor)):
        np.testing.assert_allclose(mine, theirs, atol=1e-6)
    assert auto.count.tolist() == [len(auto[0])] and len(auto[0]) >= 1
    assert all(regret_of(tensor, profile_of(eq)) < 1e-9 for eq in auto[0])
    distance = auto.logit_distance()
    assert np.isfinite(distance).all()  # the limit of the point was found
    if len(game.players) == 3:  # 'auto' rescued the point by its logit limit
        assert distance.min() == 0.0
    # two players: the limit is a point of a component of the rows (see test_logit_selection)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)
        swept = NormalFormGame(
            game.players,
            game.strategies,
            {p: tensor[i].tolist() for i, p in enumerate(game.players)},
            params=[Param("unused", 0.0)],
        )
        frame = sweep(swept, {"unused": [0.0]}, select="logit").to_frame()
    assert frame["selected_unique"].all()
    chosen = [
        frame[[c for c in frame if c.startswith(f"p_{p}_")]].to_numpy()[0] for p in game.players
    ]
    for mine, theirs in zip(chosen, limit.profile):
        np.testing.assert_allclose(mine, theirs, atol=1e-9)


def test_bayesian_qre_gives_each_type_precision_lam_times_its_prior():
    """x(a | t_i) = logit(lam_i * pi_i(t_i) * V_i(a | t_i)), V_i the interim expected
    payoff computed here by brute force from the QRE's behaviour and the prior."""
    from bargain import BayesianGame

    rng = np.random.default_rng(12)
    types = {"P1": ["h", "l"], "P2": ["x", "y", "z"]}
    actions = {"P1": ["a", "b", "c"], "P2": ["d", "e"]}
    prior = rng.dirichlet(np.ones(6)).reshape(2, 3)
    payoffs = rng.uniform(-1, 2, size=(2, 2, 3, 3, 2))  # (player, t1, t2, a1, a2)
    game = BayesianGame(
        ["P1", "P2"],
        types,
        actions,
        {
            f"{t1}/{t2}": prior[i, j]
            for i, t1 in enumerate(types["P1"])
            for j, t2 in enumerate(types["P2"])
        },
        {
            f"{t1}/{t2}": {p: payoffs[k, i, j].tolist() for k, p in enumerate(["P1", "P2"])}
            for i, t1 in enumerate(types["P1"])
            for j, t2 in enumerate(types["P2"])
        },
    )
    lam = np.array([3.0, 7.0])
    frame = game.solve_batch({}, method="qre", lam={"P1": 3.0, "P2": 7.0}).to_frame()
    x1 = np.array([[frame[f"p_P1_{t}_{a}"].iloc[0] for a in actions["P1"]] for t in types["P1"]])
    x2 = np.array([[frame[f"p_P2_{t}_{a}"].iloc[0] for a in actions["P2"]] for t in types["P2"]])
    # V_1(a | t1) = sum_t2 p(t2 | t1) sum_a2 x2(a2 | t2) u_1(a, a2 | t1, t2), pi_1 = row sums
    pi1, pi2 = prior.sum(axis=1), prior.sum(axis=0)
    v1 = np.einsum("ij,ijab,jb->ia", prior, payoffs[0], x2) / pi1[:, None]
    v2 = np.einsum("ij,ijab,ia->jb", prior, payoffs[1], x1) / pi2[:, None]
    for x, v, pi, precision in [(x1, v1, pi1, lam[0]), (x2, v2, pi2, lam[1])]:
        e = np.exp(precision * pi[:, None] * (v - v.max(axis=1, keepdims=True)))
        np.testing.assert_allclose(x, e / e.sum(axis=1, keepdims=True), atol=1e-9)
        # not the type-agent QRE (precision lam for every type)
        agent = np.exp(precision * (v - v.max(axis=1, keepdims=True)))
        assert np.abs(x - agent / agent.sum(axis=1, keepdims=True)).max() > 1e-2

    # the reviewer's example: a dominant action worth 1 more at types of prior 0.9, 0.1
    dominant = BayesianGame(
        ["P1", "P2"],
        types={"P1": ["one"], "P2": ["common", "rare"]},
        actions={"P1": ["B", "S"], "P2": ["B", "S"]},
        prior={"one/common": 0.9, "one/rare": 0.1},
        payoffs={
            t: {"P1": [[0, 0], [0, 0]], "P2": [[1, 0], [1, 0]]} for t in ("one/common", "one/rare")
        },
    )
    frame = dominant.solve_batch({}, method="qre", lam=5.0).to_frame()
    assert frame["p_P2_common_B"].iloc[0] == pytest.approx(1 / (1 + np.exp(-4.5)), abs=1e-9)
    assert frame["p_P2_rare_B"].iloc[0] == pytest.approx(1 / (1 + np.exp(-0.5)), abs=1e-9)


def test_bayesian_qre_refuses_an_ex_ante_form_too_large_before_any_work():
    from bargain import BayesianGame
    from bargain.errors import BudgetError

    types = [f"t{k}" for k in range(8)]  # 3 ** 8 = 6,561 strategies of player 2
    game = BayesianGame(
        ["P1", "P2"],
        types={"P1": ["one"], "P2": types},
        actions={"P1": ["a", "b", "c"], "P2": ["a", "b", "c"]},
        prior={f"one/{t}": 1 / 8 for t in types},
        payoffs={f"one/{t}": {"P1": np.eye(3).tolist(), "P2": np.eye(3).tolist()} for t in types},
    )
    with pytest.raises(BudgetError, match=r"3x6,561 strategies \(6,564 in all.*method='pure'"):
        game.solve_batch({}, method="qre", lam=1.0)


def test_qre_options_accept_any_integral_and_refuse_booleans():
    from bargain.games.qre_options import lam_per_player, max_steps_option, seconds_option

    game = parameterized()
    steps = np.int64(5000)
    solution = game.solve(method="logit", max_steps=steps, seconds=np.float32(30))
    assert len(solution) == 1
    assert max_steps_option(np.int64(5), "max_steps") == 5
    assert type(max_steps_option(np.uint8(7), "max_steps")) is int
    for bad in (True, np.True_, 2.0, 0):
        with pytest.raises(ModelError, match="max_steps: expected a positive integer"):
            max_steps_option(bad, "max_steps")
    with pytest.raises(ModelError, match="seconds: expected a positive finite number"):
        seconds_option(float("inf"), "seconds")
    with pytest.raises(ModelError, match=r"lam: expected a number .* \(Row, Col\), got an empty"):
        lam_per_player({}, ["Row", "Col"])
    np.testing.assert_array_equal(lam_per_player(np.int64(2), ["Row", "Col"]), [2.0, 2.0])


# -- QRE rows in per-point tables: regime, fallback, select="logit" (issue 18) ---------------


def modal_label(game: NormalFormGame, profile) -> str:
    """Each player's most likely strategy (the first of those tied), joined by "/"."""
    return "/".join(
        labels[int(np.flatnonzero(mix == mix.max())[0])]
        for labels, mix in zip(game.strategies, profile)
    )


def test_a_qre_rows_regime_is_its_modal_profile_with_codes():
    """A QRE row's regime is its most likely profile (not "mixed"), coded like pure
    profiles; at lam = 0 (uniform play) ties go to each player's first strategy; the logit
    limit's rows are Nash equilibria and a mixed one stays "mixed"."""
    from bargain.games.labels import coded

    tensor = np.random.default_rng(12).uniform(-1, 1, size=(3, 3, 2, 4, 2))
    game = NormalFormGame(
        ["x", "y", "z"],
        [["a", "b", "c"], ["d", "e"], ["f", "g", "h", "i"]],
        {
            p: [
                [
                    [f"{v:.6f} + {w:.6f} * t" for v, w in zip(row_v, row_w)]
                    for row_v, row_w in zip(mat_v, mat_w)
                ]
                for mat_v, mat_w in zip(tensor[k, ..., 0], tensor[k, ..., 1])
            ]
            for k, p in enumerate(["x", "y", "z"])
        },
        params=[Param("t", 0.0, low=-3, high=3)],
    )
    points = {"t": np.linspace(-3, 3, 9)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)
        batch = game.solve_batch(points, method="qre", lam=3.0)
    columns = batch.columns()
    rows = range(len(batch.point))
    expected = [modal_label(game, tuple(p[r] for p in batch.profiles)) for r in rows]
    assert list(columns["regime"]) == expected
    assert len(set(expected)) > 1  # the modal profile moves with t
    codes, names = coded(columns["regime"])
    assert [names[c] for c in codes] == expected
    np.testing.assert_array_equal(codes, columns["regime_code"])
    uniform = game.solve(method="qre", lam=0.0, t=0.5).to_frame()
    assert uniform["regime"].tolist() == ["a/d/f"]
    pennies = NormalFormGame.from_arrays([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    assert pennies.solve(method="logit").to_frame()["regime"].tolist() == ["mixed"]
    assert pennies.solve(method="qre", lam=1.0).to_frame()["regime"].tolist() == ["s1/s1"]


@pytest.fixture(scope="module")
def broker():
    from bargain.io import load_model

    return load_model("intermediaries-broker")


def test_select_logit_refuses_qre_rows(broker):
    """select="logit" chooses among Nash equilibria: on QRE rows (the broker model's file
    asks for method="qre") it is refused in one line, not answered with empty columns."""
    message = (
        "select='logit' chooses among Nash equilibria; method='qre' gives one QRE per point: "
        "use method='logit' (the limit) or a Nash method such as 'enumpoly'"
    )
    points = {"discretion": np.array([0.3, 0.9])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)
        with pytest.raises(ModelError) as caught:
            broker.evaluate(points, "logit")
        assert str(caught.value) == message
        with pytest.raises(ModelError, match=r"^select='logit' chooses among Nash equilibria;"):
            sweep(broker, {"discretion": [0.3, 0.9]}, select="logit")
        limit = broker.with_options(method="logit").evaluate(points, "logit")["points"]
    assert limit["selected_unique"].all() and np.isfinite(limit["p_deal"]).all()


def test_fallback_is_a_per_point_column_of_qre_tables_at_the_brokers_fold(broker):
    """At lam = 4 the broker model's logit path folds for discretion near 0.59-0.60: the
    per-point column ``fallback`` of Model.evaluate and of a sweep's frame is 1 exactly
    where the solution's flag is, and the regime (the modal profile) flips there from the
    stand-off to the brokered deal."""
    grid = np.round(np.linspace(0.57, 0.62, 11), 6)
    points = {"discretion": grid}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BargainWarning)
        solution = broker.game.solve_batch(points, **broker.options)
        table = broker.evaluate(points, "unique")["points"]
        frame = sweep(broker, {"discretion": grid}).to_frame().sort_values("discretion")
    flags = solution.fallback.astype(float)
    assert 0 < flags.sum() < len(grid)  # the fold is inside the grid, not all of it
    assert table["fallback"].tolist() == flags.tolist()
    assert frame["fallback"].tolist() == flags.tolist()
    assert "fallback" in broker.measures.per_point
    regimes = list(table["regime"])
    assert set(regimes) == {"hold/hold/stay_out", "offer/offer/carry"}
    flip = regimes.index("offer/offer/carry")
    assert regimes == ["hold/hold/stay_out"] * flip + ["offer/offer/carry"] * (len(grid) - flip)
    assert flags[flip - 1] == 1.0 and flags[flip] == 1.0  # the flip lies in the fold's span
    for t, regime in enumerate(regimes):
        assert regime == modal_label(broker.game, tuple(p[t] for p in solution.profiles))


def test_fallback_is_a_measure_of_the_quantal_methods_only():
    game = parameterized()
    assert "fallback" in game.measure_names(method="qre", lam=1.0)
    assert game.point_measures(method="logit") == ("n_components", "fallback")
    assert "fallback" not in game.measure_names() and game.point_measures() == ("n_components",)
    assert "fallback" not in game.solve_batch({}).columns()
    frame = game.solve_batch({"a": [0.5, 1.5]}, method="qre", lam=2.0).to_frame()
    assert frame["fallback"].tolist() == [0.0, 0.0]
