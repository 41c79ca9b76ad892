"""Humanitarian gestures as costly signals of reassurance (models/gestures.toml).

Kydd (2000, 2005): a gesture reassures when a trustworthy Iran is willing to pay for it
and an untrustworthy one is not, exploit - face <= cost <= deal; a cheaper gesture is
mimicked, a dearer one is never made, and a U.S. that already trusts Iran enough needs
none. Each claim is checked over a sweep against the solver's whole PBE set.
"""

from __future__ import annotations

import numpy as np
import pytest

import bargain
from tests.model_sweeps import frame

bio = pytest.importorskip("bargain.io")


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model("gestures")


def test_a_gesture_reassures_iff_kydds_condition_holds(model):
    """Where the U.S. would not engage on its prior (p < mu*), a separating equilibrium
    surviving D1 exists iff exploit - face < cost < deal (away from the edges)."""
    space = bargain.latin_hypercube(model.params, 1500, seed=51)
    rows = frame(model, space, select="all")
    points = frame(model, space)
    reassuring = (rows["separating"] == 1) & (rows["d1"] == 1)
    exists = reassuring.groupby(rows["point"]).any().reindex(range(len(points)), fill_value=False)
    low = points["exploit"] - points["face"]
    margin = np.minimum(np.abs(points["cost"] - low), np.abs(points["cost"] - points["deal"]))
    distrust = points["p"] < points["mu_star"] - 1e-6
    clear = distrust & (margin > 1e-6)
    inside = (points["cost"] > low) & (points["cost"] < points["deal"])
    assert clear.sum() > 500 and inside[clear].sum() > 50 and (~inside[clear]).sum() > 50
    np.testing.assert_array_equal(exists[clear].to_numpy(), inside[clear].to_numpy())
    np.testing.assert_array_equal(points["credible_window"][clear] == 1, inside[clear])


def test_the_reassuring_gesture_is_made_by_the_trustworthy_only_and_wins_engagement(model):
    """Worked numbers at the defaults (p = 0.4, deal 1, cost 0.8): the U.S. engages
    exactly the trustworthy share, u_US = p gain_us = 0.4, u_Iran = p (deal - cost) = 0.08."""
    row = frame(model, {"cost": [0.8]}).iloc[0]
    assert row["regime"] == "separating" and row["reassures"] == 1
    assert row["p_trustworthy_given_gesture"] == 1 and row["p_trustworthy_given_none"] == 0
    assert (row["p_engage"], row["u_US"], row["u_Iran"]) == pytest.approx((0.4, 0.4, 0.08))


def test_a_cheap_gesture_is_mimicked_and_a_dear_one_never_made(model):
    """Over the gesture's cost at the defaults: below exploit - face = 0.6 no separating
    equilibrium exists (the untrustworthy type would mimic); above deal = 1 only pooling
    on no gesture remains."""
    cost = np.linspace(0, 1.5, 31)
    rows = frame(model, {"cost": cost}, select="all")
    separating = rows.groupby("cost")["separating"].max()
    assert (separating[separating.index < 0.6 - 1e-9] == 0).all()
    assert (separating[(separating.index > 0.6 + 1e-9) & (separating.index < 1 - 1e-9)] == 1).all()
    dear = rows[rows["cost"] > 1 + 1e-9]
    assert set(dear["regime"]) == {"pooling on none"}


def test_hard_liners_face_cost_is_what_makes_a_gesture_credible(model):
    """An untrustworthy Iran values engagement more than a trustworthy one
    (exploit 1.2 > deal 1): without the hard-liners' face cost no gesture separates."""
    f = frame(model, {"cost": np.linspace(0, 1.5, 31)}, select="all", face=0)
    assert (f["separating"] == 0).all()
    threshold = bargain.threshold(model, "face", "reassures", (0, 1.5), cost=0.8)
    assert threshold.value == pytest.approx(1.2 - 0.8, abs=1e-6)  # exploit - face = cost


def test_a_trusting_washington_needs_no_gesture(model):
    """Above mu* = exploit_us / (gain_us + exploit_us) the U.S. engages on its prior: pooling
    on no gesture is an equilibrium surviving D1 at every cost."""
    rows = frame(model, {"cost": np.linspace(0, 1.5, 16)}, select="all", p=0.7)
    pooled = rows[(rows["regime"] == "pooling on none") & (rows["d1"] == 1)]
    assert sorted(set(pooled["cost"])) == sorted(set(rows["cost"]))
    assert (pooled["p_engage"] == 1).all()


def test_each_scenario_is_what_its_description_says(model):
    table = bargain.compare_scenarios(model, list(model.scenarios)).to_frame()
    row = table.set_index("scenario")
    assert row.loc["medical_channel", "reassures"] == 0
    assert row.loc["medical_channel", "credible_window"] == 0
    assert row.loc["prisoner_exchange", "regime"] == "separating"
    assert row.loc["prisoner_exchange", "reassures"] == 1
    assert row.loc["hardliners_indifferent", "reassures"] == 0
    trusting = row.loc["trusting_washington"]
    assert trusting["regime"] == "pooling on none" and trusting["p_engage"] == 1
    assert trusting["n_pbe"] >= 2
