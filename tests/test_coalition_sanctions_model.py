"""The threat and imposition of sanctions (models/coalition-sanctions.toml).

Each claim of docs/models/coalition-sanctions.md is a test here: the tree against an
independent backward induction written from the docs page, the condition under which
the threat works in closed form, and the propositions over sweeps: unity makes the
threat work, hard-liners who profit from sanctions undo it, sanctions that end in a
concession and threats the U.S. backs down from never happen with complete
information (Lacy and Niou 2004), and snapback keeps compliance honest.
"""

from __future__ import annotations

import numpy as np
import pytest

import bargain
from tests.model_sweeps import frame, sample

bio = pytest.importorskip("bargain.io")


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model("coalition-sanctions")


def oracle(f) -> dict[str, np.ndarray]:
    """Backward induction from the docs page; ties go to the first move listed."""
    p = {k: f[k].to_numpy(dtype=float) for k in f.columns if k in MODEL_PARAMS}
    T = p["bite"] * (p["alone"] + (1 - p["alone"]) * p["unity"])
    S = p["impose"] * (1 - p["unity"])
    E = (1 - p["capture"]) * T
    V = p["contain"] - S
    hc = p["hardline"]
    endure = (V, -E)
    concede = (p["stake"] + p["lag"] * V, -p["stake"] - hc - p["lag"] * T)
    endures = endure[1] >= concede[1]
    sanctioned = tuple(np.where(endures, a, b) for a, b in zip(endure, concede))
    backed = (-p["audience"], np.zeros_like(T))
    backs = backed[0] >= sanctioned[0]
    defied = tuple(np.where(backs, a, b) for a, b in zip(backed, sanctioned))
    kept = (p["stake"], -p["stake"] - hc)
    d = p["detect"]
    renege = (d * V, d * (-E - p["snap_cost"] - hc) + (1 - d) * -hc)
    keeps = kept[1] >= renege[1]
    complied = tuple(np.where(keeps, a, b) for a, b in zip(kept, renege))
    defies = defied[1] >= complied[1]
    answered = tuple(np.where(defies, a, b) for a, b in zip(defied, complied))
    quiet = answered[0] <= 0
    after_defy = np.where(
        backs, "back_down", np.where(endures, "sanction>endure", "sanction>concede")
    )
    path = np.where(
        defies, "defy>" + after_defy.astype(object), np.where(keeps, "comply>keep", "comply>renege")
    )
    path = np.where(quiet, "quiet", "threaten>" + path)
    margin = np.min(
        np.abs(
            [
                endure[1] - concede[1],
                backed[0] - sanctioned[0],
                kept[1] - renege[1],
                defied[1] - complied[1],
                answered[0],
            ]
        ),
        axis=0,
    )
    return {"regime": path, "margin": margin, "u_US": np.where(quiet, 0, answered[0])}


MODEL_PARAMS = ["stake", "bite", "alone", "unity", "contain", "impose"]
MODEL_PARAMS += ["audience", "capture", "hardline", "lag", "detect", "snap_cost"]


def test_the_parameters_are_the_ones_the_oracle_reads(model):
    assert sorted(model.params.names) == sorted(MODEL_PARAMS)


def test_tree_matches_independent_backward_induction(model):
    f = sample(model, 3000, seed=41)
    expect = oracle(f)
    clear = expect["margin"] > 1e-7
    assert clear.sum() > 2900
    np.testing.assert_array_equal(f["regime"][clear], expect["regime"][clear])
    np.testing.assert_allclose(f["u_US"][clear], expect["u_US"][clear], atol=1e-12)
    assert set(f["regime"]) >= {
        "quiet",
        "threaten>comply>keep",
        "threaten>comply>renege",
        "threaten>defy>sanction>endure",
    }


def test_worked_numbers_at_the_defaults(model):
    """2019-2020: T = 2 (0.6 + 0.4 * 0.2) = 1.36, E = 0.7 T = 0.952 < stake + hardline = 1.3,
    S = 0.8 * 0.8 = 0.64 < contain = 0.7: the U.S. threatens and imposes, Iran endures."""
    row = frame(model, {"lag": [0.5]}).iloc[0]
    assert row["target_cost"] == pytest.approx(1.36) and row["endure_cost"] == pytest.approx(0.952)
    assert row["sender_cost"] == pytest.approx(0.64)
    assert row["regime"] == "threaten>defy>sanction>endure"
    assert (row["u_US"], row["u_Iran"]) == pytest.approx((0.7 - 0.64, -0.952))
    assert row["imposed"] == 1 and row["rollback"] == 0


def test_pressure_moves_iran_only_with_a_coalition(model):
    """Over unity from 0 to 1 (the other parameters at their defaults), the threat works
    iff Iran's cost of enduring reaches its cost of giving in and keeping to it beats
    quietly reneging; it works at full unity and never at the 2019-2020 unity (0.2)."""
    unity = np.linspace(0, 1, 101)
    f = frame(model, {"unity": unity})
    works = f["threat_works"].to_numpy()
    assert (np.diff(works) >= 0).all() and works[-1] == 1 and works[20] == 0
    E = f["endure_cost"].to_numpy()
    d, snap, hc, stake = 0.6, 0.3, 0.3, 1.0
    keeps = -stake - hc >= d * (-E - snap - hc) + (1 - d) * -hc
    expect = (stake + hc <= E) & keeps
    np.testing.assert_array_equal(works == 1, expect)


def test_hardliners_who_profit_from_sanctions_undo_the_threat(model):
    """Sanctions that strengthen the hard-liners (capture) never make the threat work:
    over capture at full unity the threat stops working, and does not come back."""
    f = frame(model, {"capture": np.linspace(0, 1, 51)}, unity=1)
    works = f["threat_works"].to_numpy()
    assert works[0] == 1 and works[-1] == 0 and (np.diff(works) <= 0).all()


def test_no_concession_under_sanctions_and_no_backing_down_with_complete_information(model):
    """Lacy and Niou (2004): with complete information a target that would give in under
    sanctions gives in at the threat (sanctions cost it something first, lag > 0), and
    the sender never threatens what it would not carry out."""
    f = sample(model, 3000, seed=42)
    positive_lag = f["lag"] > 1e-9
    assert (f["concession"][positive_lag] == 0).all()
    assert (f["back_down"] == 0).all()


def test_snapback_keeps_compliance_honest(model):
    """Over the probability of detection, with a coalition unified enough that Iran
    complies: below a threshold it complies and reneges, above it keeps to compliance."""
    f = frame(model, {"detect": np.linspace(0.05, 1, 39)}, unity=0.9)
    regimes = list(f["regime"])
    assert regimes[0] == "threaten>comply>renege" and regimes[-1] == "threaten>comply>keep"
    kept = (f["threat_works"] == 1).to_numpy()
    assert (np.diff(kept.astype(int)) >= 0).all()


def test_each_scenario_is_what_its_description_says(model):
    table = bargain.compare_scenarios(model, list(model.scenarios)).to_frame().set_index("scenario")
    assert table.loc["going_alone", "regime"] == "quiet"
    assert table.loc["going_alone", "sender_cost"] > 0.7  # more than sanctions are worth (contain)
    assert table.loc["unified_coalition", "regime"] == "threaten>comply>keep"
    assert table.loc["coalition_weak_inspections", "regime"] == "threaten>comply>renege"
    assert table.loc["hardliners_profit", "regime"] == "threaten>defy>sanction>endure"
