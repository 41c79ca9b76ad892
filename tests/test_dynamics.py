"""Learning dynamics (bargain.dynamics.learn): the same trajectories as nashpy run
directly with the same seed, the known limits (a strict dominant-strategy equilibrium,
matching pennies, the ESS of Hawk-Dove), regret matching checked from its own plays,
bad input, and the ``bargain learn`` command."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from itertools import islice
from pathlib import Path

import nashpy
import numpy as np
import pytest
from click.testing import CliRunner

from bargain import NormalFormGame, load_model
from bargain.cli import main
from bargain.dynamics import MAX_STEPS, learn, learning_summary
from bargain.errors import BudgetError, ModelError, ParamError

MATCHING_PENNIES = NormalFormGame.from_arrays([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
#: Hawk-Dove with V = 2, C = 4: symmetric, its ESS plays hawk with probability V / C.
HAWK_DOVE = NormalFormGame.from_arrays(
    [[-1, 2], [0, 1]], [[-1, 0], [2, 1]], players=["A", "B"], strategies=[["hawk", "dove"]] * 2
)


def random_game(seed: int, shape: tuple[int, int] = (3, 4)) -> tuple[np.ndarray, np.ndarray]:
    """A generic game: fictitious play's ties (all of round 1's) are broken by the seed."""
    rng = np.random.default_rng(seed)
    return rng.uniform(-4, 4, shape), rng.uniform(-4, 4, shape)


def counts(frame, game: NormalFormGame) -> np.ndarray:
    names = [f"n_{p}_{s}" for p, ss in zip(game.players, game.strategies) for s in ss]
    return frame[names].to_numpy()


def shares(frame, game: NormalFormGame) -> np.ndarray:
    names = [f"p_{p}_{s}" for p, ss in zip(game.players, game.strategies) for s in ss]
    return frame[names].to_numpy()


# -- the same trajectories as nashpy ------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fictitious_play_is_nashpys_with_the_same_seed(seed):
    A, B = random_game(seed)
    game = NormalFormGame.from_arrays(A, B)
    frame = learn(game, "fictitious-play", steps=300, seed=seed + 10)
    np.random.seed(seed + 10)
    expected = [np.concatenate(c) for c in islice(nashpy.Game(A, B).fictitious_play(300), 1, None)]
    assert np.array_equal(counts(frame, game), np.array(expected))
    assert frame["step"].tolist() == list(range(1, 301))
    assert np.allclose(shares(frame, game), np.array(expected) / frame[["step"]].to_numpy())


def test_stochastic_fictitious_play_is_nashpys_with_the_same_seed():
    A, B = random_game(5)
    game = NormalFormGame.from_arrays(A, B)
    frame = learn(game, "stochastic-fictitious-play", steps=200, seed=3, etha=0.5, epsilon_bar=0.2)
    np.random.seed(3)
    rounds = nashpy.Game(A, B).stochastic_fictitious_play(200, etha=0.5, epsilon_bar=0.2)
    expected = [np.concatenate(c) for c, _ in islice(rounds, 1, None)]
    assert np.array_equal(counts(frame, game), np.array(expected))


def test_replicator_dynamics_are_nashpys_one_population_for_a_symmetric_game():
    frame = learn(HAWK_DOVE, "replicator", steps=50, horizon=5, start={"A": [0.8, 0.2]})
    assert frame.attrs["populations"] == 1
    time = np.linspace(0, 5, 51)
    expected = nashpy.Game(*HAWK_DOVE.numeric).replicator_dynamics(
        y0=np.array([0.8, 0.2]), timepoints=time
    )
    assert np.allclose(frame["time"], time)
    # bargain integrates with positive payoffs (the same dynamics on the simplex)
    assert np.allclose(frame[["p_A_hawk", "p_A_dove"]].to_numpy(), expected, atol=1e-6)
    assert np.allclose(frame[["p_B_hawk", "p_B_dove"]].to_numpy(), expected, atol=1e-6)


def test_replicator_dynamics_are_nashpys_two_populations_otherwise():
    A, B = random_game(4, (3, 2))
    game = NormalFormGame.from_arrays(A, B)
    frame = learn(game, "replicator", steps=40, horizon=2, start={"P2": [0.3, 0.7]})
    assert frame.attrs["populations"] == 2
    x, y = nashpy.Game(A, B).asymmetric_replicator_dynamics(
        x0=np.full(3, 1 / 3), y0=np.array([0.3, 0.7]), timepoints=np.linspace(0, 2, 41)
    )
    assert np.allclose(shares(frame, game), np.hstack([x, y]), atol=1e-6)
    assert "n_P1_s1" not in frame and frame.attrs["seed"] is None


def test_replicator_shares_stay_on_the_simplex_where_payoffs_are_negative():
    """In Chicken with war feared, the U.S. ends at pressure and Iran at restraint, whose
    payoff is negative: integrated as given (nashpy's odeint, these time points), the sum
    of Iran's shares falls to 0 after t = 16; shifted payoffs keep it at 1."""
    model = load_model("escalation")
    frame = learn(model, "replicator", steps=1000, horizon=40, scenario="war_feared")
    for player in ("US", "Iran"):
        total = frame.filter(like=f"p_{player}_").sum(axis=1)
        assert np.allclose(total, 1, atol=1e-6)
    assert frame.attrs["nearest_equilibrium"] == "pressure/restrain"
    assert frame.attrs["at_equilibrium"]


def test_a_seeded_run_is_reproducible_and_leaves_numpys_global_state_alone():
    A, B = random_game(8)
    game = NormalFormGame.from_arrays(A, B)
    np.random.seed(123)
    untouched = np.random.random()
    np.random.seed(123)
    one = learn(game, "stochastic-fictitious-play", steps=100, seed=4, etha=1.0)
    assert np.random.random() == untouched
    two = learn(game, "stochastic-fictitious-play", steps=100, seed=4, etha=1.0)
    other = learn(game, "stochastic-fictitious-play", steps=100, seed=5, etha=1.0)
    assert one.equals(two) and not one.equals(other)
    assert learn(game, "regret-matching", steps=100, seed=4).equals(
        learn(game, "regret-matching", steps=100, seed=4)
    )


# -- known behaviour ----------------------------------------------------------------------------


@pytest.mark.parametrize("dynamics", ["fictitious-play", "regret-matching", "replicator"])
def test_play_settles_at_the_escalation_models_strict_dominant_equilibrium(dynamics):
    """At the defaults the escalation model is a Prisoner's Dilemma: the clash
    (pressure, resist) is the unique, strict equilibrium, and every dynamics reaches it."""
    frame = learn(load_model("escalation"), dynamics, steps=1000)
    a = frame.attrs
    assert a["nearest_equilibrium"] == "pressure/resist"
    assert a["settled"] and a["at_equilibrium"] and a["distance"] < 0.01
    last = frame.iloc[-1]
    assert last["p_US_pressure"] > 0.99 and last["p_Iran_resist"] > 0.99
    assert a["model"] == "escalation" and a["cite"] and "escalation 2.0.0" in a["note"]
    assert a["values"]["limited"] == 0.5


@pytest.mark.parametrize("dynamics", ["fictitious-play", "regret-matching"])
def test_frequencies_approach_one_half_in_matching_pennies(dynamics):
    frame = learn(MATCHING_PENNIES, dynamics, steps=2000, seed=1)
    last = frame.iloc[-1]
    assert abs(last["p_P1_s1"] - 0.5) < 0.03 and abs(last["p_P2_s1"] - 0.5) < 0.03
    assert frame.attrs["nearest_equilibrium"] == "mixed"
    # the distance to the equilibrium shrinks: late rounds are closer than early ones
    assert frame["distance"].iloc[-200:].max() < frame["distance"].iloc[10:200].max()


@pytest.mark.parametrize("start", [[0.9, 0.1], [0.1, 0.9]])
def test_replicator_dynamics_reach_the_ess_of_hawk_dove(start):
    frame = learn(HAWK_DOVE, "replicator", steps=200, horizon=30, start={"B": start})
    last = frame.iloc[-1]
    assert last["p_A_hawk"] == pytest.approx(0.5, abs=1e-3) == last["p_B_hawk"]
    assert frame.attrs["nearest_equilibrium"] == "mixed" and frame.attrs["settled"]
    # two populations leave the mixed equilibrium (a saddle) for a pure one
    two = learn(HAWK_DOVE, "asymmetric-replicator", steps=200, horizon=30, start={"B": start})
    assert two.attrs["nearest_equilibrium"] in ("hawk/dove", "dove/hawk")
    assert two.attrs["at_equilibrium"]


def test_regret_matching_from_its_own_plays():
    """Each round's plays, read off the counts, give the average regrets independently;
    they match the ``regret`` column and vanish as Hart and Mas-Colell (2000) prove."""
    A, B = random_game(11)
    game = NormalFormGame.from_arrays(A, B)
    frame = learn(game, "regret-matching", steps=3000, seed=2)
    played = np.diff(np.vstack([np.zeros(7), counts(frame, game)]), axis=0)
    i, j = played[:, :3].argmax(axis=1), played[:, 3:].argmax(axis=1)
    assert (played.sum(axis=1) == 2).all()
    regret_row = np.cumsum(A[:, j].T - A[i, j][:, None], axis=0)
    regret_col = np.cumsum(B[i, :] - B[i, j][:, None], axis=0)
    worst = np.maximum(regret_row.max(axis=1), regret_col.max(axis=1)).clip(0)
    assert np.allclose(frame["regret"], worst / frame["step"])
    span = max(np.ptp(A), np.ptp(B))
    assert frame["regret"].iloc[-1] < 3 * span * np.sqrt(4 / 3000)


def test_the_distance_is_to_the_nearest_of_the_games_equilibria():
    A, B = random_game(3, (3, 3))
    game = NormalFormGame.from_arrays(A, B)
    frame = learn(game, "fictitious-play", steps=400, seed=0)
    profiles = [np.concatenate(eq.profile) for eq in game.solve()]
    direct = [min(np.abs(row - p).max() for p in profiles) for row in shares(frame, game)]
    assert np.allclose(frame["distance"], direct)


def test_the_summary_says_what_happened():
    frame = learn(load_model("escalation"), steps=300, scenario="unified_coalition")
    text = learning_summary(frame)
    assert "scenario unified_coalition" in text and "unity = 0.9" in text
    assert "nearest Nash equilibrium: pressure/restrain" in text
    assert "settled: yes" in text and "at a Nash equilibrium: yes" in text
    cycling = learning_summary(learn(MATCHING_PENNIES, steps=300, tol=0.001))
    assert "settled: no" in cycling


# -- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"dynamics": "fictitous-play"}, ModelError, "did you mean 'fictitious-play'"),
        ({"steps": 0}, ParamError, "steps must be an integer >= 1"),
        ({"steps": MAX_STEPS + 1}, BudgetError, "the limit is 100,000 steps"),
        ({"seed": -1}, ParamError, "seed must be an integer >= 0"),
        ({"tol": 0}, ParamError, "tol must be positive"),
        ({"start": {"US": [1, 0]}}, ModelError, "only the replicator dynamics"),
        ({"dynamics": "replicator", "start": {"UK": [1, 0]}}, ModelError, "'UK' is not a player"),
        ({"dynamics": "replicator", "start": {"US": [1]}}, ModelError, "expected 2 probabilities"),
        ({"dynamics": "replicator", "start": {"US": [0.7, 0.7]}}, ModelError, "summing to 1"),
        ({"dynamics": "replicator", "horizon": 0}, ParamError, "horizon must be positive"),
        ({"dynamics": "stochastic-fictitious-play", "etha": 0}, ParamError, "etha > 0"),
        ({"dynamics": "stochastic-fictitious-play", "etha": 1e-3}, ModelError, "overflow"),
        ({"bitee": 2}, ParamError, "bitee"),
        ({"scenario": "peace"}, ModelError, "unknown scenario 'peace'"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, error, message):
    with pytest.raises(error, match=message):
        learn(load_model("escalation"), **kwargs)


def test_games_that_are_not_two_player_strategic_forms_are_refused():
    with pytest.raises(ModelError, match=r"two-player game in strategic form.*GameTree"):
        learn(load_model("interim-deal"))
    three = NormalFormGame.from_arrays(*np.zeros((3, 2, 2, 2)))
    with pytest.raises(ModelError, match="two-player game in strategic form"):
        learn(three)
    big = NormalFormGame.from_arrays(np.zeros((100, 100)), np.zeros((100, 100)))
    with pytest.raises(BudgetError, match="a 100x100 game allows 10,000"):
        learn(big, steps=20_000)
    with pytest.raises(ModelError, match="players' starts must be equal"):
        learn(HAWK_DOVE, "replicator", start={"A": [1, 0], "B": [0, 1]})


# -- the command --------------------------------------------------------------------------------


def test_bargain_learn(tmp_path):
    out = tmp_path / "run.csv"
    args = ["learn", "escalation", "--steps", "200", "-p", "unity=0.9", "-o", str(out)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "nearest Nash equilibrium: pressure/restrain" in result.stdout
    assert "settled: yes" in result.stdout
    import pandas as pd

    frame = pd.read_csv(out)
    assert len(frame) == 200 and "p_Iran_restrain" in frame
    about = json.loads(Path(f"{out}.meta.json").read_text())
    assert about["dynamics"] == "fictitious-play" and about["values"]["unity"] == 0.9
    result = CliRunner().invoke(
        main,
        [
            "learn",
            "escalation",
            "--dynamics",
            "replicator",
            "--start",
            "US=0.5,0.5",
            "--steps",
            "20",
        ],
    )
    assert result.exit_code == 0 and "t = 10" in result.stdout
    for bad, says in [
        (["--steps", "1000000"], "the limit is 100,000 steps"),
        (["--dynamics", "replicate"], "did you mean 'replicator'"),
        (["--dynamics", "replicator", "--start", "US=a,b"], "expected numbers separated"),
        (["--scenario", "nope"], "unknown scenario"),
    ]:
        result = CliRunner().invoke(main, ["learn", "escalation", *bad])
        assert result.exit_code == 2 and says in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_bargain_learn_as_a_program():
    exe = shutil.which("bargain", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed with the package"
    done = subprocess.run(
        [exe, "learn", "escalation", "--dynamics", "regret-matching", "--steps", "100"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "regret-matching in model escalation" in done.stdout


def test_a_qre_model_is_measured_against_nash_equilibria_not_its_qre():
    """A model whose [solver] asks for the QRE: the distance is still to the nearest
    Nash equilibrium (the QRE at lam = 0.5 is interior, the game's only Nash
    equilibrium is its dominant-strategy profile s2/s2)."""
    from bargain.dynamics import nash_model
    from bargain.io import loads_model

    text = """
[model]
name = "dilemma"
[game]
form = "normal"
players = ["P1", "P2"]
strategies = { P1 = ["s1", "s2"], P2 = ["s1", "s2"] }
payoffs = { P1 = [[3, 0], [5, 1]], P2 = [[3, 5], [0, 1]] }
[solver]
method = "qre"
lam = 0.5
max_steps = 500
"""
    model = loads_model(text, "dilemma.toml")
    assert model.options == {"method": "qre", "lam": 0.5, "max_steps": 500}
    assert nash_model(model).options == {}
    (qre,) = model.solve()
    assert np.abs(np.concatenate(qre.profile) - [0, 1, 0, 1]).max() > 0.1
    frame = learn(model, "fictitious-play", steps=200)
    (nash,) = model.game.solve()
    direct = [np.abs(row - np.concatenate(nash.profile)).max() for row in shares(frame, model.game)]
    assert np.allclose(frame["distance"], direct)
    assert frame.attrs["nearest_equilibrium"] == "s2/s2" and frame.attrs["at_equilibrium"]
