"""The flagship model files: models/escalation.toml and models/interim-deal.toml.

Each model loads, solves at its defaults and at every scenario, and sweeps; its
closed-form measures (the class of the 2x2 game, which pure profiles are
equilibria, the clash probability of the mixed equilibrium; the least relief
Iran accepts, the least relief that deters cheating, the most relief the U.S.
gives) are held against the solver's own equilibria, and the interim-deal tree
against an independent scalar backward induction written from the docs page.
"""

from __future__ import annotations

import math
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

import bargain
from bargain.spaces import point_list

bio = pytest.importorskip("bargain.io")

MODELS = Path(__file__).parents[1] / "models"
CLASSES = {1: "pd", 2: "chicken", 3: "stag_hunt", 4: "deadlock", 5: "harmony"}


@pytest.fixture(scope="module")
def escalation() -> bargain.Model:
    return bio.load_model(MODELS / "escalation.toml")


@pytest.fixture(scope="module")
def interim() -> bargain.Model:
    return bio.load_model(MODELS / "interim-deal.toml")


def sample(model: bargain.Model, n: int, seed: int, select: str | None = None):
    """A per-point (or, with select="all", per-equilibrium) table at a seeded
    Latin-hypercube sample over every parameter's declared range."""
    space = bargain.latin_hypercube(model.params, n, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        result = bargain.sweep(model, space, select=select, progress=False)
    frame = result.to_frame(long=select == "all")
    frame.attrs = {}  # pandas deep-copies attrs on every operation
    return frame


# -- both models -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["escalation", "interim-deal"])
def test_model_file_is_complete(name):
    model = bio.load_model(MODELS / f"{name}.toml")
    assert model.name == name
    assert model.title and model.description and model.citation
    for p in model.params:
        assert p.description, p.name
        assert p.low is not None and p.high is not None, p.name
        assert p.low <= p.default <= p.high, p.name
    assert len(model.scenarios) >= 5
    for key, preset in model.scenarios.items():
        assert preset["description"], key
        assert preset["values"], key
    spec = model.showcase
    assert set(spec) >= {"grid", "table", "measures", "threshold"}
    assert len(spec["grid"]) == 2
    known = set(model.measures.names) | {"regime", "equilibria"}
    assert spec["table"] in known
    assert set(spec["measures"]) <= known


@pytest.mark.parametrize("name", ["escalation", "interim-deal"])
def test_bundled_name_and_round_trip(name):
    model = bio.load_model(MODELS / f"{name}.toml")
    bundled = [getattr(info, "name", info) for info in bio.list_models()]
    assert name in bundled
    assert bio.load_model(name).fingerprint() == model.fingerprint()
    again = bio.loads_model(bio.dumps_model(model))
    assert again.fingerprint() == model.fingerprint()


@pytest.mark.parametrize("name", ["escalation", "interim-deal"])
def test_every_scenario_solves_and_sweeps(name):
    model = bio.load_model(MODELS / f"{name}.toml")
    grid = {k: np.linspace(a, b, 4) for k, (a, b, _) in model.showcase["grid"].items()}
    for scenario in [None, *model.scenarios]:
        solution = model.solve(scenario=scenario)
        assert len(solution) >= 1 if name == "escalation" else solution.path
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
            frame = bargain.sweep(model, grid, scenario=scenario, progress=False).to_frame()
        assert len(frame) == 16
        assert frame["n_equilibria"].min() >= 1
        user = list(model.measures.user)
        assert np.isfinite(frame[user].to_numpy(dtype=float)).all(), scenario
    table = bargain.compare_scenarios(model).to_frame()
    assert list(table["scenario"]) == list(model.scenarios)


@pytest.mark.parametrize("name", ["escalation", "interim-deal"])
def test_showcase_runs_fast(name, tmp_path):
    from bargain.showcase import showcase

    model = bio.load_model(MODELS / f"{name}.toml")
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        written = showcase(model, tmp_path)
    assert time.perf_counter() - start < 30
    names = {p.name for p in written}
    assert {"table.md", "table.tex", "thresholds.md", "regimes.png"} <= names
    assert "reason" in (tmp_path / "thresholds.md").read_text()


# -- escalation -----------------------------------------------------------------------------


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


def test_escalation_defaults_are_chicken(escalation):
    solution = escalation.solve()
    assert len(solution) == 3
    frame = bargain.sweep(escalation, point_list({"bite": [1.0]}), progress=False).to_frame()
    assert frame["game_class"][0] == 2 and frame["chicken"][0] == 1
    assert frame["p_clash_mixed"][0] == pytest.approx(1 / 3)
    mixed = [eq for eq in solution if max(eq.profile[0]) < 1]
    assert len(mixed) == 1
    assert mixed[0].profile[0][0] * mixed[0].profile[1][0] == pytest.approx(1 / 3)


ESCALATION_SCENARIOS = {
    # scenario: (game_class, us_class, iran_class, equilibria)
    "limited_clash": (1, 1, 1, "pressure/resist"),
    "election_year": (0, 1, 2, "pressure/restrain"),
    "hardliners_ascendant": (0, 2, 1, "engage/resist"),
    "both_committed": (1, 1, 1, "pressure/resist"),
    "interim_on_table": (5, 5, 5, "engage/restrain"),
    "trust_dilemma": (3, 3, 3, "engage/restrain | mixed | pressure/resist"),
    "no_common_ground": (4, 4, 4, "pressure/resist"),
}


def test_escalation_scenarios(escalation):
    assert set(escalation.scenarios) == set(ESCALATION_SCENARIOS)
    frame = bargain.compare_scenarios(escalation).to_frame().set_index("scenario")
    for scenario, (game, us, iran, equilibria) in ESCALATION_SCENARIOS.items():
        row = frame.loc[scenario]
        assert (row["game_class"], row["us_class"], row["iran_class"]) == (game, us, iran)
        assert row["equilibria"] == equilibria, scenario
        assert (row["p_clash_mixed"] > 0) == ("mixed" in equilibria)


def test_escalation_class_formulas_match_payoff_orderings(escalation):
    frame = sample(escalation, 3000, seed=11)
    bound = escalation.params.bind_batch({p: frame[p].to_numpy() for p in escalation.params.names})
    A, B = escalation.game.payoff_tensor(bound)  # rows pressure, engage; cols resist, restrain
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


def test_escalation_equilibrium_measures_match_solver(escalation):
    rows = sample(escalation, 3000, seed=12, select="all")
    rows = rows[~rows["degenerate"]]
    found = rows.groupby("point")["regime"].agg(lambda r: " | ".join(sorted(r)))
    first = rows.groupby("point").first()
    assert len(first) > 2500
    profiles = ("engage/resist", "engage/restrain", "pressure/resist", "pressure/restrain")
    # The pure equilibria are exactly the profiles the eq_* formulas name, plus the mixed one
    # where has_mixed says so.
    predicted = [
        " | ".join(
            sorted(
                [p for p in profiles if row["eq_" + p.replace("/", "_")] == 1]
                + (["mixed"] if row["has_mixed"] == 1 else [])
            )
        )
        for _, row in first[
            [f"eq_{p.replace('/', '_')}" for p in profiles] + ["has_mixed"]
        ].iterrows()
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
        assert chosen.sum() > 10, code
        assert set(found[chosen]) == {equilibria}, code
    # The closed-form clash probability is that of the solver's mixed equilibrium.
    mixed = rows[rows["regime"] == "mixed"].set_index("point")
    clash = mixed["p_US_pressure"] * mixed["p_Iran_resist"]
    np.testing.assert_allclose(first.loc[mixed.index, "p_clash_mixed"], clash, atol=1e-9)
    pure_only = first.index.difference(mixed.index)
    assert (first.loc[pure_only, "p_clash_mixed"] == 0).all()


def test_escalation_showcase_threshold_matches_formula(escalation):
    # Both escalate (pressure/resist is an equilibrium) iff clash * (1 - limited) is below
    # both bite + audience and nuclear + hardline.
    for clash in (2.0, 4.0, 8.0):
        t = bargain.threshold(escalation, "limited", "eq_pressure_resist", (0, 1), clash=clash)
        assert t.value == pytest.approx(1 - 1.5 / clash, abs=1e-5)


# -- interim deal ---------------------------------------------------------------------------


def oracle(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Subgame-perfect path of the interim-deal tree, by hand, from the docs page.

    Vectorized over points; pairs are (U.S., Iran) payoffs. Ties go to the first move
    listed in the model file (pressure, accept, comply, keep).
    """
    w = np.minimum(1.0, p["war_risk"] * 12 / p["breakout"])
    g = p["cheat"] * 12 / p["breakout"]
    hc = p["hardline"] * (1 - p["face"])
    r, q, d = p["relief"], p["deliver"], p["detect"]
    pressure = (-w * p["war_us"], -w * p["war_iran"] - (1 - w) * p["bite"])
    rebuffed = (pressure[0] - p["rebuff"], pressure[1])
    keep = (p["rollback"] - (1 + p["weak"]) * r, r - hc)
    withdraw = (p["rollback"] - p["repute"], -p["bite"] - hc)
    kept = keep[0] >= withdraw[0]
    comply = tuple(np.where(kept, a, b) for a, b in zip(keep, withdraw))
    snapback = (pressure[0], -w * p["war_iran"] - (1 - w) * (p["bite"] + p["snap_cost"]) - hc)
    missed = (-(1 + p["weak"]) * r - g, r - hc + g)
    cheat = tuple(d * a + (1 - d) * b for a, b in zip(snapback, missed))
    complies = comply[1] >= cheat[1]
    accepted = tuple(np.where(complies, a, b) for a, b in zip(comply, cheat))
    accepts = accepted[1] >= rebuffed[1]
    answered = tuple(np.where(accepts, a, b) for a, b in zip(accepted, rebuffed))
    propose = tuple(q * a + (1 - q) * b for a, b in zip(answered, rebuffed))
    proposes = propose[0] > pressure[0]
    margin = np.min(
        np.abs(
            [
                keep[0] - withdraw[0],
                comply[1] - cheat[1],
                accepted[1] - rebuffed[1],
                propose[0] - pressure[0],
            ]
        ),
        axis=0,
    )
    after = np.where(kept, "keep", "withdraw").astype(object)
    path = np.where(complies, "comply>" + after, "cheat")
    path = np.where(accepts, "accept>" + path, "reject")
    path = np.where(proposes, "propose>" + path, "pressure")
    deal = np.where(proposes & accepts, q, 0.0)
    war_if_intact = np.where(accepts, np.where(complies, 0.0, d * w), w)
    war = np.where(proposes, q * war_if_intact + (1 - q) * w, w)
    return {
        "regime": path,
        "u_US": np.where(proposes, propose[0], pressure[0]),
        "u_Iran": np.where(proposes, propose[1], pressure[1]),
        "deal": deal,
        "war": war,
        "margin": margin,
    }


def test_interim_defaults(interim):
    solution = interim.solve()
    assert [step[0] for step in solution.path][:2] == ["offer", "mediator"]
    assert solution.choices == {
        "offer": "propose",
        "answer": "accept",
        "implement": "comply",
        "honor": "keep",
    }
    frame = bargain.sweep(interim, point_list({"relief": [0.4]}), progress=False).to_frame()
    row = frame.iloc[0]
    assert row["regime"] == "propose>accept>comply>keep"
    assert row["deal"] == pytest.approx(0.8) and row["deal_kept"] == pytest.approx(0.8)
    assert row["war"] == pytest.approx(0.2 * 0.2)
    assert row["min_relief"] == pytest.approx(0.36)
    assert row["u_US"] == pytest.approx(0.8 * (1.6 - 1.5 * 0.4) + 0.2 * (-0.3 - 0.1))


def test_interim_tree_matches_independent_backward_induction(interim):
    frame = sample(interim, 4000, seed=21)
    expect = oracle({p: frame[p].to_numpy() for p in interim.params.names})
    clear = expect["margin"] > 1e-7
    assert clear.sum() > 3900
    np.testing.assert_array_equal(frame["regime"][clear], expect["regime"][clear])
    for key in ("u_US", "u_Iran", "deal", "war"):
        np.testing.assert_allclose(frame[key][clear], expect[key][clear], atol=1e-9, err_msg=key)
    assert set(frame["regime"]) >= {
        "pressure",
        "propose>accept>comply>keep",
        "propose>accept>cheat",
        "propose>accept>comply>withdraw",
    }


def test_min_relief_is_iran_acceptance_threshold(interim):
    f = sample(interim, 4000, seed=22)
    relief, weak, repute = f["relief"], f["weak"], f["repute"]
    us_keeps = (1 + weak) * relief < repute - 1e-9
    complies = f["p_implement_comply"] == 1
    away = (relief - f["min_relief"]).abs() > 1e-9
    mask = us_keeps & complies & away
    assert mask.sum() > 1500
    accepts = f["p_answer_accept"] == 1
    np.testing.assert_array_equal(accepts[mask], (relief >= f["min_relief"])[mask])
    # Compliance: Iran complies iff relief >= comply_relief (given the U.S. keeps it).
    mask = us_keeps & ((relief - f["comply_relief"]).abs() > 1e-9)
    np.testing.assert_array_equal(complies[mask], (relief >= f["comply_relief"])[mask])
    # The U.S. proposes a deal Iran accepts and keeps iff relief < max_relief.
    mask = us_keeps & complies & accepts & ((relief - f["max_relief"]).abs() > 1e-9)
    assert mask.sum() > 500
    np.testing.assert_array_equal(
        (f["p_offer_propose"] == 1)[mask], (relief < f["max_relief"])[mask]
    )


@pytest.mark.parametrize(
    "scenario", [None, "unified_coalition", "pakistan_mediates", "japan_mediates"]
)
@pytest.mark.parametrize("breakout", [1.0, 1.5, 2.5, 3.0, 6.0, 12.0, 24.0])
def test_least_relief_for_a_deal_matches_threshold(interim, scenario, breakout):
    values = {**interim.scenario(scenario), "breakout": breakout}
    frame = bargain.sweep(
        interim, point_list({k: [v] for k, v in values.items()}), progress=False
    ).to_frame()
    least = max(frame["min_relief"][0], frame["comply_relief"][0])
    assert least < min(1.0, frame["max_relief"][0])
    fixed = {k: v for k, v in values.items() if k != "relief"}
    if least == 0:
        ends = bargain.sweep(interim, {"relief": [0.0]}, fixed=fixed, progress=False)
        assert ends.to_frame()["deal"][0] > 0
        return
    t = bargain.threshold(interim, "relief", "deal", (0, 1), tol=1e-7, **fixed)
    assert t.value == pytest.approx(least, abs=1e-6)
    assert t.below == 0 and t.above > 0


INTERIM_SCENARIOS = {
    # scenario: (regime at relief 0.4 and breakout 3, probability of a deal)
    None: ("propose>accept>comply>keep", 0.8),
    "election_year": ("pressure", 0.0),
    "hardliners_ascendant": ("pressure", 0.0),
    "unified_coalition": ("propose>accept>comply>keep", 0.8),
    "france_mediates": ("propose>accept>comply>keep", 0.9),
    "pakistan_mediates": ("propose>accept>comply>keep", 0.6),
    "japan_mediates": ("propose>accept>comply>keep", 0.5),
    "war_averse_president": ("propose>accept>comply>keep", 0.8),
    "jcpoa_breakout": ("pressure", 0.0),
}


def test_interim_scenarios(interim):
    assert set(interim.scenarios) == {k for k in INTERIM_SCENARIOS if k}
    frame = bargain.compare_scenarios(interim).to_frame().set_index("scenario")
    default = bargain.sweep(interim, {"relief": [0.4]}, progress=False).to_frame().iloc[0]
    for scenario, (regime, deal) in INTERIM_SCENARIOS.items():
        row = default if scenario is None else frame.loc[scenario]
        assert row["regime"] == regime, scenario
        assert row["deal"] == pytest.approx(deal), scenario
        assert row["war"] == pytest.approx(row["war_if_breakdown"] * (1 - deal)), scenario
    # Election year: the U.S. cannot credibly keep even the least relief Iran accepts.
    row = frame.loc["election_year"]
    assert row["max_relief"] < row["min_relief"] and row["bargaining_range"] < 0
    # Hard-liners: the least relief rises one-for-one with the net capitulation cost.
    assert frame.loc["hardliners_ascendant", "min_relief"] - default["min_relief"] == pytest.approx(
        (2.0 - 1.25) * (1 - 0.2)
    )
    # A unified coalition lowers the relief Iran needs and what it gets from the deal.
    assert frame.loc["unified_coalition", "min_relief"] < default["min_relief"]
    assert frame.loc["unified_coalition", "u_Iran"] < default["u_Iran"]
    # Breakout back at 12 months: less urgency, Iran needs more relief.
    assert frame.loc["jcpoa_breakout", "min_relief"] > 0.6
    # Pakistan's cover makes a deal possible at lower relief than France's channel.
    assert frame.loc["pakistan_mediates", "min_relief"] < frame.loc["france_mediates", "min_relief"]


def test_intermediary_ranking_depends_on_hardliners(interim):
    names = ["france_mediates", "pakistan_mediates", "japan_mediates"]
    today = bargain.compare_scenarios(interim, names).to_frame().set_index("scenario")
    ascendant = (
        bargain.compare_scenarios(interim, names, fixed={"hardline": 2.0})
        .to_frame()
        .set_index("scenario")
    )
    assert today["deal"].idxmax() == "france_mediates"
    assert ascendant["deal"].idxmax() == "pakistan_mediates"
    assert ascendant.loc["france_mediates", "deal"] == 0


def test_war_averse_president_offers_into_cheating(interim):
    at = {"breakout": 1.0, "relief": 0.2}
    base = interim.solve(**at)
    averse = interim.solve(scenario="war_averse_president", **at)
    assert base.choices["offer"] == "pressure"
    assert averse.choices["offer"] == "propose" and averse.choices["implement"] == "cheat"


def test_least_relief_is_lowest_at_intermediate_breakout(interim):
    breakouts = [1, 1.5, 2, 3, 6, 12, 24]
    table = bargain.threshold_table(interim, "relief", "deal", (0, 1), over=("breakout", breakouts))
    least = table["threshold"].to_numpy()
    assert np.isfinite(least).all()
    low = int(np.argmin(least))
    assert 0 < low < len(breakouts) - 1  # commitment problem on the left, no urgency on the right
    assert np.all(np.diff(least[low:]) > 0)


def test_min_relief_rises_with_hardline_net_of_cover(interim):
    frame = bargain.sweep(
        interim, bargain.grid(hardline=[2.0, 2.5, 3.0], face=[0.0, 0.5]), progress=False
    ).to_frame()
    for face, group in frame.groupby("face"):
        slope = np.diff(group["min_relief"]) / np.diff(group["hardline"])
        assert slope == pytest.approx([1 - face] * 2)
    assert all(math.isfinite(v) for v in frame["bargaining_range"])
