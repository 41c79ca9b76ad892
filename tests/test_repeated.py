"""Repeated games: named profiles, their subgame perfection and critical discount factors.

Checked against textbook results (the Prisoner's Dilemma, Chicken, the Stag
Hunt), against the closed forms, and against an independent brute force: the
strategies written as Python players that watch the play, every history up to
two periods enumerated, every one-shot deviation simulated period by period.
"""

from __future__ import annotations

import copy
import math
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import sympy

import bargain
from bargain import Param
from bargain.errors import ModelError, NoEquilibriumWarning
from bargain.games import form_class
from bargain.games.repeated import PROFILES, RepeatedGame, payoff_set
from bargain.io import dumps_model, loads_model

EXAMPLE = Path(__file__).parents[1] / "models" / "canonical" / "repeated-prisoners-dilemma.toml"
DELTA = Param("delta", 0.5, low=0, high=0.99)


def game_of(a: np.ndarray, b: np.ndarray, **kwargs) -> RepeatedGame:
    """A numeric repeated game with payoff tables ``a`` (row player) and ``b``."""
    m1, m2 = np.shape(a)
    strategies = {"X": [f"x{i}" for i in range(m1)], "Y": [f"y{j}" for j in range(m2)]}
    payoffs = {"X": np.asarray(a, dtype=float).tolist(), "Y": np.asarray(b, dtype=float).tolist()}
    return RepeatedGame(["X", "Y"], strategies, payoffs, params=[DELTA], **kwargs)


def pd(T: float, R: float, P: float, S: float, **kwargs) -> RepeatedGame:
    """A symmetric Prisoner's Dilemma, cooperate first."""
    return game_of([[R, S], [T, P]], [[R, T], [S, P]], **kwargs)


def spe_at(game: RepeatedGame, deltas) -> dict[str, np.ndarray]:
    batch = game.solve_batch({"delta": deltas})
    return {p: batch.spe[j] for j, p in enumerate(PROFILES)}


# -- an independent brute force ---------------------------------------------------------------


class Player:
    """The profiles as a referee watching the play: what they prescribe after each period."""

    def __init__(self, profile: str, c: tuple, p: tuple, k: int) -> None:
        self.profile, self.c, self.p, self.k = profile, c, p, k
        self.deviated = False  # grim: has anyone ever left cooperation
        self.remaining = 0  # k-period punishment: punishment periods still to come
        self.last = None  # tit-for-tat: the last action pair

    def act(self) -> tuple:
        if self.profile == "defect" or (self.profile == "grim" and self.deviated):
            return self.p
        if self.profile == "punish" and self.remaining:
            return self.p
        if self.profile == "tft" and self.last is not None:
            x, y = self.last
            return (
                self.c[0] if y == self.c[1] else self.p[0],
                self.c[1] if x == self.c[0] else self.p[1],
            )
        return self.c

    def see(self, pair: tuple) -> None:
        expected = self.act()
        self.deviated = self.deviated or pair != self.c
        self.remaining = self.k if pair != expected else max(self.remaining - 1, 0)
        self.last = pair


def brute_force(a, b, profile, delta, c=(0, 0), p=(1, 1), k=1):
    """Largest one-shot deviation gain after any history of up to two periods, and the
    payoffs from the start, by simulation (truncated where delta**t < 1e-14)."""
    u = [np.asarray(a, float), np.asarray(b, float)]
    horizon = math.ceil(math.log(1e-14) / math.log(delta))

    def value(referee: Player, i: int) -> float:
        referee, total = copy.copy(referee), 0.0
        for t in range(horizon):
            pair = referee.act()
            total += (1 - delta) * delta**t * u[i][pair]
            referee.see(pair)
        return total

    pairs = [(x, y) for x in range(u[0].shape[0]) for y in range(u[0].shape[1])]
    histories = [()] + [(h,) for h in pairs] + [(h, g) for h in pairs for g in pairs]
    worst = 0.0
    for history in histories:
        referee = Player(profile, c, p, k)
        for pair in history:
            referee.see(pair)
        prescribed = referee.act()
        for i in (0, 1):
            options = []
            for action in range(u[i].shape[i]):
                pair = (action, prescribed[1]) if i == 0 else (prescribed[0], action)
                after = copy.copy(referee)
                after.see(pair)
                options.append((1 - delta) * u[i][pair] + delta * value(after, i))
            worst = max(worst, max(options) - options[prescribed[i]])
    start = Player(profile, c, p, k)
    return worst, (value(start, 0), value(start, 1))


# -- textbook games ---------------------------------------------------------------------------


def test_textbook_prisoners_dilemma():
    game = pd(5, 3, 1, 0)
    deltas = np.array([0.0, 0.3, 0.49, 0.5, 0.51, 0.7, 0.95])
    spe = spe_at(game, deltas)
    np.testing.assert_array_equal(spe["grim"], deltas >= 0.5)  # (T - R)/(T - P) = 1/2
    assert spe["defect"].all()
    assert not spe["tft"].any()  # (T - R)/(R - S) = 2/3 differs from (P - S)/(T - P) = 1/4
    assert not spe["punish"].any()  # one period: (T - R)/(R - P) = 1, never below 1
    assert game.critical_delta("grim") == sympy.Rational(1, 2)
    assert game.critical_delta("punish") == 1
    assert game.critical_delta("tft") == sympy.Rational(2, 3)
    assert game.critical_delta("defect") == 0
    batch = game.solve_batch({"delta": deltas})
    np.testing.assert_allclose(batch.delta[PROFILES.index("grim")], 0.5)
    frame = batch.to_frame()
    assert frame["regime"].tolist() == ["defect"] * 3 + ["grim"] * 4
    np.testing.assert_allclose(frame["u_X"], [1, 1, 1, 3, 3, 3, 3])
    np.testing.assert_allclose(frame["u_Y_defect"], 1)
    np.testing.assert_allclose(frame["u_X_grim"], 3)  # cooperation on the path
    # tit-for-tat after a defection alternates (T, S): from the start it cooperates
    np.testing.assert_allclose(frame["u_X_tft"], 3)


def test_two_period_punishment_in_the_prisoners_dilemma():
    game = pd(5, 3, 1, 0, punishment=2)
    golden = (math.sqrt(5) - 1) / 2  # delta + delta**2 = (T - R)/(R - P) = 1
    assert float(game.critical_delta("punish")) == pytest.approx(golden)
    deltas = np.array([0.6, golden - 1e-6, golden + 1e-6, 0.8])
    np.testing.assert_array_equal(spe_at(game, deltas)["punish"], [False, False, True, True])
    assert game.solve(delta=0.7).checks["punish"].delta == pytest.approx(golden)


def test_tit_for_tat_is_subgame_perfect_only_on_a_knife_edge():
    # (T - R)/(R - S) = (4 - 3)/3 = 1/3 = (P - S)/(T - P) = 1/3
    game = pd(4, 3, 1, 0)
    spe = spe_at(game, np.array([0.3, 1 / 3, 0.36, 0.9]))["tft"]
    np.testing.assert_array_equal(spe, [False, True, False, False])
    (check,) = [game.solve(delta=1 / 3).checks["tft"]]
    assert check.delta == pytest.approx(1 / 3) and check.delta_max == pytest.approx(1 / 3)
    assert game.critical_delta("tft") == sympy.Rational(1, 3)
    worst, _ = brute_force([[3, 0], [4, 1]], [[3, 4], [0, 1]], "tft", 1 / 3)
    assert worst < 1e-9
    assert brute_force([[3, 0], [4, 1]], [[3, 4], [0, 1]], "tft", 0.36)[0] > 1e-3


def test_symbolic_prisoners_dilemma_states_the_condition():
    model = loads_model(EXAMPLE.read_text(), "repeated_pd.toml")
    T, R, P, S = sympy.symbols("T R P S")
    game = model.game
    assert sympy.simplify(game.critical_delta("grim") - (T - R) / (T - P)) == 0
    assert (
        sympy.simplify(game.critical_delta("tft") - sympy.Max((T - R) / (R - S), (P - S) / (T - P)))
        == 0
    )
    assert game.critical_delta("defect") == 0
    two = sympy.sqrt(1 + 4 * (T - R) / (R - P)) / 2 - sympy.Rational(1, 2)
    assert sympy.simplify(game.critical_delta("punish") - two) == 0


def test_chicken_needs_a_carrot_and_stick():
    # swerve/straight: mutual straight (the punishment) is no stage equilibrium
    a, b = [[3, 1], [4, 0]], [[3, 4], [1, 0]]
    game = game_of(a, b)
    with pytest.warns(NoEquilibriumWarning):
        batch = game.solve_batch({"delta": [0.2, 1 / 3, 0.5]})
    spe = {p: batch.spe[j] for j, p in enumerate(PROFILES)}
    assert not spe["grim"].any() and not spe["defect"].any()
    # one period of (straight, straight): delta >= (T - R)/(R - P) = 1/3 and (D - P)/(R - P) = 1/3
    np.testing.assert_array_equal(spe["punish"], [False, True, True])
    assert game.critical_delta("punish") == sympy.Rational(1, 3)
    assert (
        batch.count.tolist() == [0, 1, 1] and batch.to_frame()["regime"].tolist() == ["punish"] * 2
    )
    assert math.isnan(game.solve_batch({"delta": [0.5]}).delta[0, 0])  # grim: never


def test_stag_hunt_cooperation_needs_no_patience():
    a, b = [[4, 0], [3, 3]], [[4, 3], [0, 3]]
    game = game_of(a, b)
    spe = spe_at(game, np.array([0.0, 0.5]))
    assert spe["grim"].all() and spe["defect"].all()
    assert game.critical_delta("grim") == 0


def test_three_by_three_with_designated_profiles():
    a = [[3, 0, 0], [5, 1, 0], [0, 0, -1]]
    b = [[3, 5, 0], [0, 1, 0], [0, 0, -1]]
    game = game_of(a, b, cooperate=["x0", "y0"], punish=["x1", "y1"])
    spe = spe_at(game, np.array([0.4, 0.6]))
    np.testing.assert_array_equal(spe["grim"], [False, True])
    with pytest.raises(ModelError, match="needs the cooperate profile"):
        game_of(a, b)


# -- against the brute force and the closed forms ---------------------------------------------


def random_games(seed: int, count: int, size=(2, 2), integers=False, dilemmas=False):
    """Seeded random stage games: normal payoffs, small integers (ties), or Prisoner's
    Dilemmas (each player's S < P < R < T drawn at random)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        if dilemmas:
            (s1, p1, r1, t1), (s2, p2, r2, t2) = np.sort(rng.normal(size=(2, 4)), axis=1)
            yield np.array([[[r1, s1], [t1, p1]], [[r2, t2], [s2, p2]]])
        elif integers:
            yield rng.integers(0, 4, size=(2, *size)).astype(float)
        else:
            yield rng.normal(size=(2, *size))


@pytest.mark.filterwarnings("ignore::bargain.errors.NoEquilibriumWarning")  # random games
@pytest.mark.parametrize(
    ("seed", "size", "integers", "k"),
    [(1, (2, 2), False, 1), (2, (2, 2), True, 1), (3, (2, 2), False, 2), (4, (3, 2), True, 1)],
)
def test_one_shot_deviation_against_brute_force(seed, size, integers, k):
    rng = np.random.default_rng(seed + 100)
    games = [*random_games(seed, 6, size, integers)]
    if size == (2, 2):
        games += random_games(seed, 3, dilemmas=True)
    for stage in games:
        game = game_of(*stage, cooperate=["x0", "y0"], punish=["x1", "y1"], punishment=k)
        deltas = rng.uniform(0.05, 0.9, size=3)
        batch = game.solve_batch({"delta": deltas})
        for t, delta in enumerate(deltas):
            for j, profile in enumerate(PROFILES):
                worst, values = brute_force(*stage, profile, delta, k=k)
                np.testing.assert_allclose(batch.values[j, :, t], values, atol=1e-9)
                if worst > 1e-7:
                    assert not batch.spe[j, t], (profile, stage, delta)
                elif worst < 1e-10:
                    assert batch.spe[j, t], (profile, stage, delta)


@pytest.mark.filterwarnings("ignore::bargain.errors.NoEquilibriumWarning")  # random games
@pytest.mark.parametrize(("integers", "dilemmas"), [(False, False), (True, False), (False, True)])
def test_critical_deltas_match_the_one_shot_deviation_check(integers, dilemmas):
    deltas = np.linspace(0, 0.99, 100)
    for stage in random_games(
        7 + integers + 2 * dilemmas, 25, integers=integers, dilemmas=dilemmas
    ):
        for k in (1, 2):
            game = game_of(*stage, punishment=k)
            batch = game.solve_batch({"delta": deltas})
            for j, profile in enumerate(PROFILES):
                low, high = batch.delta[j], batch.delta_max[j]
                if np.isnan(low[0]):  # no interval: never SPE but perhaps at delta = 0, ...
                    prefers_punishment = (stage[:, 1, 1] > stage[:, 0, 0]).any()
                    if not (profile == "punish" and k == 2 and prefers_punishment):  # ... or this
                        assert not batch.spe[j][1:].any(), profile
                    continue
                inside = (deltas >= low - 1e-9) & (deltas <= high + 1e-9)
                near = np.minimum(np.abs(deltas - low), np.abs(deltas - high)) < 1e-6
                np.testing.assert_array_equal(batch.spe[j][~near], inside[~near], err_msg=profile)
                closed = float(game.critical_delta(profile))
                assert closed == pytest.approx(low[0], rel=1e-9, abs=1e-12), profile


def test_generated_knife_edge_prisoners_dilemmas():
    rng = np.random.default_rng(11)
    for _ in range(5):
        S, R = rng.uniform(0, 1), rng.uniform(2, 3)
        T = rng.uniform(R + 0.1, R + 2)
        delta = (T - R) / (R - S)
        if delta >= 0.95:
            continue
        P = (S + delta * T) / (1 + delta)  # (P - S)/(T - P) = delta
        game = pd(T, R, P, S)
        spe = spe_at(game, np.array([delta, delta - 0.02, delta + 0.02]))["tft"]
        np.testing.assert_array_equal(spe, [True, False, False])
        assert brute_force([[R, S], [T, P]], [[R, T], [S, P]], "tft", delta)[0] < 1e-9


def test_batch_equals_point_by_point():
    stage = next(random_games(5, 1))
    game = game_of(*stage, punishment=2)
    deltas = np.linspace(0.05, 0.95, 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NoEquilibriumWarning)
        batch = game.solve_batch({"delta": deltas})
        for t, delta in enumerate(deltas):
            one = game.solve(delta=delta)
            for j, profile in enumerate(PROFILES):
                check = one.checks[profile]
                assert check.spe == batch.spe[j, t]
                assert check.payoffs == pytest.approx(tuple(batch.values[j, :, t]))


# -- the payoff set ---------------------------------------------------------------------------


def test_feasible_and_individually_rational_payoffs():
    found = pd(5, 3, 1, 0).payoff_set()
    assert sorted(map(tuple, found.feasible)) == [(0, 5), (1, 1), (3, 3), (5, 0)]
    np.testing.assert_allclose(found.minmax, [1, 1])
    expected = {(1, 1), (13 / 3, 1), (3, 3), (1, 13 / 3)}  # the hull cut at u >= 1
    assert {tuple(np.round(v, 9)) for v in found.rational} == {
        tuple(np.round(v, 9)) for v in expected
    }
    chicken = payoff_set(np.array([[[3, 1], [4, 0]], [[3, 4], [1, 0]]]))
    np.testing.assert_allclose(chicken.minmax, [1, 1])


# -- the protocol: models, sweeps, thresholds, model files -------------------------------------


def test_registered_and_model_file_round_trip():
    assert form_class("repeated") is RepeatedGame
    model = loads_model(EXAMPLE.read_text(), "repeated_pd.toml")
    text = dumps_model(model)
    again = loads_model(text, "again.toml")
    assert again.fingerprint() == model.fingerprint() and dumps_model(again) == text
    assert 'form = "repeated"' in text and "punishment = 2" in text
    assert again.game.cooperate == (0, 0) and again.game.punish == (1, 1)


def test_sweep_and_threshold_find_the_closed_form():
    model = loads_model(EXAMPLE.read_text(), "repeated_pd.toml")
    result = bargain.sweep(model, {"delta": bargain.linspace(0.1, 0.9, 9)}, progress=False)
    frame = result.to_frame()
    assert frame["sustained"].tolist() == [0] * 4 + [1] * 5
    np.testing.assert_allclose(frame["delta_grim"], 0.5)
    found = bargain.threshold(model, "delta", "spe_grim", (0, 0.99), tol=1e-9)
    assert found.value == pytest.approx(0.5, abs=1e-8)
    closed = model.game.critical_delta("grim")
    for T, P in [(4.5, 0.5), (6, 1.5)]:
        at = bargain.threshold(model, "delta", "spe_grim", (0, 0.99), tol=1e-9, T=T, P=P)
        exact = float(closed.subs({"T": T, "R": 3, "P": P}))
        assert at.value == pytest.approx(exact, abs=1e-8)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("punishment = 2", "punishment = 0"), r"game\.punishment: expected a positive number"),
        (
            ('cooperate = ["engage", "restrain"]', 'cooperate = ["engage", "restrain", "x"]'),
            "one action per player",
        ),
        (
            ('cooperate = ["engage", "restrain"]', 'cooperate = ["engag", "restrain"]'),
            "did you mean 'engage'",
        ),
        (
            ('punish = ["pressure", "resist"]', 'punish = ["engage", "resist"]'),
            "other than its cooperative",
        ),
        (('delta = "delta"', 'delta = "1 + delta"'), "must be in \\[0, 1\\)"),
        (('US = [["R", "S"], ["T", "P"]]', 'US = [["R", "S"]]'), r"game\.stage\.payoffs\.US"),
    ],
)
def test_bad_files_name_the_key(change, message):
    text = EXAMPLE.read_text().replace(*change)
    with pytest.raises(ModelError, match=message):
        loads_model(text, "bad.toml")


def test_python_errors():
    with pytest.raises(ModelError, match="two players"):
        RepeatedGame(
            ["A", "B", "C"], [["a", "b"]] * 3, {p: np.zeros((2, 2, 2)).tolist() for p in "ABC"}, 0.5
        )
    with pytest.raises(ModelError, match="unknown profile 'grimm'"):
        pd(5, 3, 1, 0).critical_delta("grimm")
    with pytest.raises(ModelError, match="R >= P"):
        game_of([[0, 1], [0, 2]], [[0, 0], [1, 2]], punishment=2).critical_delta("punish")
    with pytest.raises(ModelError, match="no closed form"):
        pd(5, 3, 1, 0, punishment=3).critical_delta("punish")
    with pytest.raises(ModelError, match="takes no options"):
        pd(5, 3, 1, 0).solve_batch({}, method="x")


def test_tit_for_tat_nash_condition_of_the_literature():
    """Axelrod's condition delta >= max((T - R)/(R - S), (T - R)/(T - P)) makes tit-for-tat a
    Nash (not subgame-perfect) equilibrium: checked by value iteration of the best reply to
    tit-for-tat, whose state is the deviator's own last action."""
    T, R, P, S = 5, 3, 1, 0
    u = np.array([[R, S], [T, P]], dtype=float)  # own action, opponent's action
    bound = max((T - R) / (R - S), (T - R) / (T - P))
    for delta in [0.3, 0.6, bound - 0.01, bound + 0.01, 0.9]:
        value = np.zeros(2)  # by my last action: tit-for-tat now plays it
        for _ in range(3000):
            value = np.max((1 - delta) * u.T + delta * value[None, :], axis=1)
        # from the start tit-for-tat cooperates (state 0); conforming earns R
        assert (value[0] <= R + 1e-9) == (delta >= bound), delta
    assert not spe_at(pd(T, R, P, S), np.array([0.9]))["tft"][0]


def test_command_line():
    exe = shutil.which("bargain", path=str(Path(sys.executable).parent))
    done = subprocess.run(
        [exe, "sweep", str(EXAMPLE), "-g", "delta=0.1:0.9:5", "--columns", "delta,regime,spe_grim"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "delta,regime,spe_grim"
    assert [line.split(",")[1:] for line in lines[1:]] == [["defect", "0.0"]] * 2 + [
        ["grim", "1.0"]
    ] * 3
