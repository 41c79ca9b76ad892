"""models/escalation.toml (version 2): the U.S.-Iran stand-off as a 2x2 crisis game.

Held here, each in the direction the corrected model claims:

- the audience cost is paid only for backing down after the public threat (engage while
  Iran resists), never in mutual restraint, and can only move the U.S. toward commitment;
- sanctions are not a transfer to the U.S.; they move Iran toward restraint under pressure
  only with a coalition (more bite helps iff unity > capture);
- the selected equilibrium's clash probability and the mixed one's are both reported,
  each labelled, and agree with the solver's own equilibria and selection;
- the closed-form measures (classes, eq_*, has_mixed, p_clash_mixed) agree with the
  solver on a seeded Latin-hypercube sample, the defaults with numbers worked by hand,
  and every scenario with its description.
"""

from __future__ import annotations

import itertools
import re
import warnings
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import bargain
from bargain.files import bibtex_keys
from tests.oracles import gambit_mixed, profile_set

bio = pytest.importorskip("bargain.io")

MODEL = Path(__file__).parents[1] / "models" / "escalation.toml"
CLASSES = {1: "pd", 2: "chicken", 3: "stag_hunt", 4: "deadlock", 5: "harmony"}
PROFILES = ("engage/resist", "engage/restrain", "pressure/resist", "pressure/restrain")
PRESSURE, ENGAGE, RESIST, RESTRAIN = 0, 1, 0, 1  # rows (U.S.) and columns (Iran)


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model(MODEL)


def quiet(call, *args, **kwargs):
    """Run a solve or sweep without the warnings of points on tie surfaces."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        return call(*args, **kwargs)


def sample(model: bargain.Model, n: int, seed: int, select: str | None = None):
    """A per-point (or, with select="all", per-equilibrium) table at a seeded
    Latin-hypercube sample over every parameter's declared range."""
    space = bargain.latin_hypercube(model.params, n, seed=seed)
    frame = quiet(bargain.sweep, model, space, select=select, progress=False)
    frame = frame.to_frame(long=select == "all")
    frame.attrs = {}  # pandas deep-copies attrs on every operation
    return frame


def tensors(model: bargain.Model, values: dict[str, np.ndarray]):
    """The U.S. and Iran payoff tensors (row, column, point) at the given points."""
    A, B = model.game.payoff_tensor(model.params.bind_batch(values))
    return A, B


def swept(model: bargain.Model, name: str, grid: np.ndarray, n: int, seed: int):
    """Random base points (n) crossed with a sweep of one parameter: arrays of shape
    (n, len(grid)) flattened row by row, and the shape to fold them back."""
    base = bargain.latin_hypercube(model.params, n, seed=seed).points()
    values = {p: np.repeat(np.asarray(base[p], float), len(grid)) for p in model.params.names}
    values[name] = np.tile(grid, n)
    return values, (n, len(grid))


def evaluate(model, values, select=None):
    return quiet(model.evaluate, values, select)["points"]


def classify(T, R, P, S):
    """Textbook ordinal classes (Snyder and Diesing 1977), 0 if none."""
    if T > R > P > S:
        return 1
    if T > R > S > P:
        return 2
    if R > T > P > S:
        return 3
    if T > P > R > S:
        return 4
    if R > T and S > P:
        return 5
    return 0


# -- the file -------------------------------------------------------------------------------


def test_file_carries_version_sources_and_labelled_measures(model):
    assert model.version == "2.0.0"
    keys = bibtex_keys(model.bibtex)
    required = {"fearon1994", "snyder1977", "rapoport1966", "jervis1978", "schelling1960"}
    assert required | {"harsanyi1988"} <= set(keys)
    for entry_key in keys:  # each source is cited by its first author's name
        surname = re.match(r"[a-z]+", entry_key).group(0)
        assert surname in model.citation.lower(), entry_key
    names = set(model.params.names)
    assert {"bite", "nuclear", "clash", "limited", "audience", "hardline", "accord"} <= names
    assert {"unity", "capture", "contain", "impose"} <= names
    for p in ("unity", "capture"):
        assert (model.params[p].low, model.params[p].high) == (0, 1)
    assert "p_clash" not in model.measures.user  # replaced by the two labelled measures
    spec = model.showcase
    assert {"p_clash_selected", "p_clash_mixed", "n_equilibria"} <= set(spec["measures"])
    assert len(model.scenarios) >= 5
    assert {"unified_coalition", "going_alone"} <= set(model.scenarios)
    again = bio.loads_model(bio.dumps_model(model))
    assert (again.version, again.bibtex) == (model.version, model.bibtex)
    assert again.fingerprint() == model.fingerprint()


# -- the defaults, by hand ----------------------------------------------------------------------


def test_defaults_worked_by_hand(model):
    # k = 4 * (1 - 0.5) = 2; V = 1.5 - 0.5 * (1 - 0.2) = 1.1.
    A, B = tensors(model, {"bite": np.array([1.0])})
    us = [[1.1 - 1 - 2, 1.1], [-1 - 1.5, 0.5]]  # clash, Iran backs down; U.S. backs down, accord
    iran = [[1 - 1.2 * 1 - 2, -1.5 * 1 - 1.25], [1, 0.5]]
    np.testing.assert_allclose(A[..., 0], us)
    np.testing.assert_allclose(B[..., 0], iran)
    # X, Y, Z: U.S. 0.6, -0.6, 2.4; Iran 0.5, -0.55, 2.7: both Prisoner's Dilemmas.
    row = evaluate(model, {"bite": np.array([1.0])})
    assert (row["us_class"][0], row["iran_class"][0], row["game_class"][0]) == (1, 1, 1)
    assert row["equilibria"][0] == "pressure/resist" and row["n_equilibria"][0] == 1
    assert row["p_clash_selected"][0] == 1 and row["p_clash_mixed"][0] == 0
    assert row["has_mixed"][0] == 0
    assert (row["u_US"][0], row["u_Iran"][0]) == pytest.approx((-1.9, -2.2))
    # Mutual restraint is better for both than the clash: the interim path is left untaken.
    assert A[ENGAGE, RESTRAIN, 0] > A[PRESSURE, RESIST, 0]
    assert B[ENGAGE, RESTRAIN, 0] > B[PRESSURE, RESIST, 0]


# -- 1. the audience cost ---------------------------------------------------------------------

AUDIENCE = np.linspace(0, 3, 31)


def test_audience_cost_is_paid_only_for_backing_down_after_the_threat(model):
    values, shape = swept(model, "audience", AUDIENCE, 200, seed=21)
    A, B = tensors(model, values)
    A = A.reshape(2, 2, *shape)
    step = np.diff(A, axis=-1)  # change per step of audience, at each base point
    assert np.all(step[ENGAGE, RESIST] == pytest.approx(-(AUDIENCE[1] - AUDIENCE[0])))
    for cell in [(ENGAGE, RESTRAIN), (PRESSURE, RESIST), (PRESSURE, RESTRAIN)]:
        assert np.abs(step[cell]).max() < 1e-12, cell  # mutual restraint included
    assert np.ptp(B.reshape(2, 2, *shape), axis=-1).max() < 1e-12  # Iran's payoffs: none


def test_a_higher_audience_cost_only_commits_the_us(model):
    values, shape = swept(model, "audience", AUDIENCE, 200, seed=22)
    A, _ = tensors(model, values)
    A = A.reshape(2, 2, *shape)
    gain = A[PRESSURE] - A[ENGAGE]  # gain from pressure against each Iranian move
    assert np.all(np.diff(gain[RESIST], axis=-1) > 0)  # strictly, against resistance
    assert np.abs(np.diff(gain[RESTRAIN], axis=-1)).max() < 1e-12
    table = evaluate(model, values)
    us = table["us_class"].reshape(shape)
    moves = {(a, b) for row in us for a, b in itertools.pairwise(row) if a != b and a and b}
    assert moves <= {(2, 1), (2, 4), (5, 3)}  # Chicken to PD or Deadlock, Harmony to Stag Hunt
    assert (2, 1) in moves and (5, 3) in moves
    for name, direction in [("eq_pressure_resist", 1), ("eq_engage_resist", -1)]:
        column = table[name].reshape(shape)
        assert np.all(direction * np.diff(column, axis=-1) >= 0), name


def test_audience_cost_turns_us_chicken_into_a_prisoners_dilemma_at_k_minus_v(model):
    # At the defaults Y_US = k - V - audience = 0.9 - audience (Iran is committed, Y_IR < 0):
    # below 0.9 the U.S. backs down (Chicken), above it the clash is the equilibrium (PD).
    t = bargain.threshold(model, "audience", "eq_pressure_resist", (0, 3))
    assert t.value == pytest.approx(0.9, abs=1e-5)
    row = evaluate(model, {"audience": np.array([0.5, 1.5])})
    assert list(row["us_class"]) == [2, 1]
    assert list(row["equilibria"]) == ["engage/resist", "pressure/resist"]


def test_in_the_mixed_equilibrium_a_higher_audience_cost_makes_iran_resist_more(model):
    # P(resist) = X_US / (X_US + Y_US) keeps the U.S. indifferent: as audience lowers Y_US,
    # it rises where the U.S. plays Chicken (X, Y > 0) and falls where it plays Stag Hunt
    # (X, Y < 0); P(pressure) keeps Iran indifferent and does not move.
    values, shape = swept(model, "audience", AUDIENCE, 400, seed=23)
    rows = evaluate(model, values, "all")
    mixed = rows["regime"] == "mixed"
    p_resist, p_pressure = np.full((2, shape[0] * shape[1]), np.nan)
    p_resist[rows["point"][mixed]] = rows["p_Iran_resist"][mixed]
    p_pressure[rows["point"][mixed]] = rows["p_US_pressure"][mixed]
    p_resist, p_pressure = p_resist.reshape(shape), p_pressure.reshape(shape)
    us = evaluate(model, values)["us_class"].reshape(shape)
    for code, sign in [(2, 1), (3, -1)]:
        steps = (us[:, 1:] == code) & (us[:, :-1] == code)  # a step within the class ...
        steps &= ~np.isnan(p_resist[:, 1:] + p_resist[:, :-1])  # ... with a mixed equilibrium
        assert steps.sum() > 50, code
        assert np.all(sign * np.diff(p_resist, axis=-1)[steps] > 0), code
        assert np.abs(np.diff(p_pressure, axis=-1)[steps]).max() < 1e-9, code


# -- 2. sanctions, hard-liners and the coalition ------------------------------------------------

BITE = np.linspace(0, 3, 31)


def test_bite_costs_iran_and_is_not_a_transfer_to_the_us(model):
    values, shape = swept(model, "bite", BITE, 200, seed=31)
    A, B = tensors(model, values)
    A, B = A.reshape(2, 2, *shape), B.reshape(2, 2, *shape)
    assert np.ptp(A, axis=-1).max() < 1e-12  # no U.S. payoff moves with the bite
    assert np.all(np.diff(B[PRESSURE], axis=-1) < 0)  # under pressure Iran loses, whatever it does
    assert np.ptp(B[ENGAGE], axis=-1).max() < 1e-12


def test_pressure_moves_iran_only_with_a_coalition(model):
    """More bite makes restraint under pressure more attractive iff unity > capture:
    Y_IR = k + (unity - capture) * bite - nuclear - hardline."""
    values, shape = swept(model, "bite", BITE, 400, seed=32)
    _, B = tensors(model, values)
    incentive = (B[PRESSURE, RESTRAIN] - B[PRESSURE, RESIST]).reshape(shape)  # Y_IR from payoffs
    slope = np.diff(incentive, axis=-1) / (BITE[1] - BITE[0])
    unity, capture = (values[p].reshape(shape)[:, 0] for p in ("unity", "capture"))
    np.testing.assert_allclose(slope, np.repeat((unity - capture)[:, None], len(BITE) - 1, 1))
    coalition = unity > capture
    assert 100 < coalition.sum() < 300
    # The equilibrium in which Iran restrains under pressure appears as the bite rises only
    # with a coalition, and disappears as it rises only without one.
    eq = evaluate(model, values)["eq_pressure_restrain"].reshape(shape)
    change = np.diff(eq, axis=-1)
    assert np.all(change[coalition] >= 0) and np.all(change[~coalition] <= 0)
    assert change[coalition].max() == 1 and change[~coalition].min() == -1


def test_unity_moves_both_sides_toward_pressure_restrain(model):
    """Unity raises the U.S. value of pressure (X_US up, Y_US down) and Iran's incentive to
    restrain under pressure (Y_IR up): pressure/restrain can only appear as it rises."""
    grid = np.linspace(0, 1, 21)
    values, shape = swept(model, "unity", grid, 300, seed=33)
    A, B = tensors(model, values)
    A, B = A.reshape(2, 2, *shape), B.reshape(2, 2, *shape)
    assert np.all(np.diff(A[PRESSURE, RESTRAIN] - A[ENGAGE, RESTRAIN], axis=-1) >= 0)
    assert np.all(np.diff(A[PRESSURE, RESIST] - A[ENGAGE, RESIST], axis=-1) >= 0)
    assert np.all(np.diff(B[PRESSURE, RESTRAIN] - B[PRESSURE, RESIST], axis=-1) >= 0)
    eq = evaluate(model, values)["eq_pressure_restrain"].reshape(shape)
    assert np.all(np.diff(eq, axis=-1) >= 0) and eq.sum() > 0


@pytest.mark.parametrize("bite", [1.0, 2.0, 3.0])
def test_showcase_threshold_is_the_unity_that_moves_iran(model, bite):
    # At the other defaults X_US = 1.5 - 0.5 * (1 - unity) - 0.5 > 0, so Iran restrains under
    # pressure iff Y_IR > 0, i.e. unity > capture + (nuclear + hardline - k) / bite.
    spec = model.showcase["threshold"]
    assert (spec["param"], spec["over"]) == ("unity", "bite")
    assert spec["measure"] == "eq_pressure_restrain"
    t = bargain.threshold(model, "unity", "eq_pressure_restrain", (0, 1), bite=bite)
    assert t.value == pytest.approx(0.5 + (1 + 1.25 - 2) / bite, abs=1e-5)


# -- 3. the closed forms against the solver ------------------------------------------------------


def test_class_formulas_match_payoff_orderings(model):
    frame = sample(model, 3000, seed=11)
    A, B = tensors(model, {p: frame[p].to_numpy() for p in model.params.names})
    us = [classify(*v) for v in zip(A[0, 1], A[1, 1], A[0, 0], A[1, 0])]
    iran = [classify(*v) for v in zip(B[1, 0], B[1, 1], B[0, 0], B[0, 1])]
    assert 0 not in us and 0 not in iran  # every strict game falls in one of the five
    np.testing.assert_array_equal(frame["us_class"], us)
    np.testing.assert_array_equal(frame["iran_class"], iran)
    same = np.asarray(us) == np.asarray(iran)
    np.testing.assert_array_equal(frame["game_class"], np.where(same, us, 0))
    for code, name in CLASSES.items():
        np.testing.assert_array_equal(frame[name], (frame["game_class"] == code).astype(float))
    assert set(frame["game_class"]) == {0, 1, 2, 3, 4, 5}  # the ranges reach every class


def test_equilibrium_measures_match_solver(model):
    rows = sample(model, 3000, seed=12, select="all")
    rows = rows[~rows["degenerate"]]
    found = rows.groupby("point")["regime"].agg(lambda r: " | ".join(sorted(r)))
    first = rows.groupby("point").first()
    assert len(first) > 2500
    # The pure equilibria are exactly the profiles the eq_* formulas name, plus the mixed one
    # where has_mixed says so.
    flags = first[[f"eq_{p.replace('/', '_')}" for p in PROFILES] + ["has_mixed"]].to_numpy()
    predicted = [
        " | ".join(sorted([p for p, f in zip(PROFILES, row) if f == 1] + ["mixed"] * int(row[-1])))
        for row in flags
    ]
    np.testing.assert_array_equal(found.to_numpy(), predicted)
    # Each symmetric class has its textbook equilibrium set.
    expected = {
        1: "pressure/resist",
        2: "engage/resist | mixed | pressure/restrain",
        3: "engage/restrain | mixed | pressure/resist",
        4: "pressure/resist",
        5: "engage/restrain",
    }
    for code, equilibria in expected.items():
        chosen = (first["game_class"] == code).to_numpy()
        # Joint Deadlock is rare in the box: V > accord + nuclear + k for the U.S. but
        # nuclear > accord + (1 + unity) * bite + k for Iran.
        assert chosen.sum() >= (3 if code == 4 else 10), code
        assert set(found[chosen]) == {equilibria}, code
    assert (found == "mixed").sum() > 10  # U.S. Stag Hunt vs Iranian Chicken: best replies cycle
    # The closed-form clash probability is that of the solver's mixed equilibrium.
    mixed = rows[rows["regime"] == "mixed"].set_index("point")
    clash = mixed["p_US_pressure"] * mixed["p_Iran_resist"]
    np.testing.assert_allclose(first.loc[mixed.index, "p_clash_mixed"], clash, atol=1e-9)
    np.testing.assert_allclose(mixed["p_clash_selected"], clash, atol=1e-12)
    pure_only = first.index.difference(mixed.index)
    assert (first.loc[pure_only, "p_clash_mixed"] == 0).all()


def test_selected_clash_probability_is_that_of_the_risk_dominant_equilibrium(model):
    """p_clash_selected, per point, against a selection written here from the payoffs:
    the unique equilibrium, or of two strict pure ones the larger product of deviation
    losses (Harsanyi and Selten 1988)."""
    frame = sample(model, 3000, seed=13)
    frame = frame[~frame["degenerate"].astype(bool)]
    A, B = tensors(model, {p: frame[p].to_numpy() for p in model.params.names})
    expected = []
    for i, (n, mixed) in enumerate(zip(frame["n_equilibria"], frame["p_clash_mixed"])):
        if n == 1 and frame["has_mixed"].iloc[i] == 1:
            expected.append(mixed)  # the mixed equilibrium alone
            continue
        best, clash = -np.inf, np.nan
        for r in (0, 1):
            for c in (0, 1):
                loss_us = A[r, c, i] - A[1 - r, c, i]
                loss_iran = B[r, c, i] - B[r, 1 - c, i]
                if loss_us > 0 and loss_iran > 0 and loss_us * loss_iran > best:
                    best, clash = loss_us * loss_iran, float((r, c) == (PRESSURE, RESIST))
        expected.append(clash)
    np.testing.assert_allclose(frame["p_clash_selected"], expected)
    several = (frame["n_equilibria"] == 3).to_numpy()
    assert several.sum() > 100
    # Where there are three equilibria the two measures differ: a pure one is selected.
    assert set(frame["p_clash_selected"][several]) <= {0.0, 1.0}
    assert (frame["p_clash_mixed"][several] > 0).all()


# -- 4. scenarios -------------------------------------------------------------------------------

SCENARIOS = {
    # scenario: (game_class, us_class, iran_class, equilibria, p_clash_selected, p_clash_mixed)
    "unified_coalition": (0, 1, 2, "pressure/restrain", 0, 0),
    "going_alone": (1, 1, 1, "pressure/resist", 1, 0),
    "both_ingredients": (0, 3, 5, "engage/restrain", 0, 0),
    "interim_on_table": (3, 3, 3, "engage/restrain | mixed | pressure/resist", 0, 21 / 41),
    "war_feared": (2, 2, 2, "engage/resist | mixed | pressure/restrain", 0, 15 / 124),
    "no_public_threat": (0, 2, 1, "engage/resist", 0, 0),
    "pragmatists_in_charge": (0, 1, 2, "pressure/restrain", 0, 0),
}
SELECTED = {  # the equilibrium a per-point table reports (risk-dominant)
    "interim_on_table": "engage/restrain",
    "war_feared": "pressure/restrain",
}


def test_scenarios_are_what_their_descriptions_say(model):
    assert set(model.scenarios) == set(SCENARIOS)
    frame = bargain.compare_scenarios(model).to_frame().set_index("scenario")
    for name, (game, us, iran, equilibria, selected, mixed) in SCENARIOS.items():
        row = frame.loc[name]
        assert (row["game_class"], row["us_class"], row["iran_class"]) == (game, us, iran), name
        assert row["equilibria"] == equilibria, name
        assert row["regime"] == SELECTED.get(name, equilibria), name
        assert row["p_clash_selected"] == selected, name
        assert row["p_clash_mixed"] == pytest.approx(mixed), name
        description = model.scenarios[name]["description"]
        for param, value in model.scenarios[name]["values"].items():
            assert re.search(rf"\b{param} {value:g}\b", description), (name, param)


def test_scenario_mechanisms(model):
    def incentive(scenario: str | None) -> float:  # Iran's Y_IR: restrain vs resist under pressure
        values = {p: np.array([v]) for p, v in model.scenario(scenario).items()}
        _, B = tensors(model, values)
        return float(B[PRESSURE, RESTRAIN, 0] - B[PRESSURE, RESIST, 0])

    # 2020: -0.55; a coalition lifts it above 0; tripling the bite alone lowers it.
    assert incentive(None) == pytest.approx(-0.55)
    assert incentive("unified_coalition") == pytest.approx(0.15)
    assert incentive("going_alone") == pytest.approx(2 - 1.5 - 2.25)
    # The same tripled bite with the 2013 coalition would make Iran restrain.
    row = evaluate(model, {"bite": np.array([3.0]), "unity": np.array([0.9])})
    assert row["equilibria"][0] == "pressure/restrain"
    # both_ingredients: restraint is Iran's dominant move.
    values = {p: np.array([v]) for p, v in model.scenario("both_ingredients").items()}
    _, B = tensors(model, values)
    assert (B[:, RESTRAIN, 0] > B[:, RESIST, 0]).all()


@pytest.mark.parametrize("scenario", ["interim_on_table", "war_feared", None])
def test_scenario_equilibria_match_gambit(model, scenario):
    values = {p: np.array([v]) for p, v in model.scenario(scenario).items()}
    A, B = tensors(model, values)
    A, B = ([[Fraction(x).limit_denominator(1000) for x in r] for r in M[..., 0]] for M in (A, B))
    expected = gambit_mixed(A, B, rational=True)
    found = [eq.profile for eq in quiet(model.solve, scenario=scenario)]
    assert profile_set(found) == profile_set(expected)


def test_both_clash_probabilities_are_shown_each_labelled(model, tmp_path):
    from bargain.showcase import showcase

    quiet(showcase, model, tmp_path)
    text = (tmp_path / "table.md").read_text()
    assert "p_clash_selected" in text and "p_clash_mixed" in text and "n_equilibria" in text
    assert "equilibrium selection: risk-dominant" in text
    thresholds = (tmp_path / "thresholds.md").read_text()
    assert "unity" in thresholds and "0.583" in thresholds  # 0.5 + 0.25 / 3 at bite = 3
