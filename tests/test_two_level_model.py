"""A two-level game (models/two-level.toml): the Schelling conjecture holds and fails.

Schelling (1960) and Putnam (1988): a negotiator whose ratifier is tougher gets more.
With complete information the model gives it one for one, until the U.S. walks away.
With uncertainty about the ratifier (Iida 1993) a tougher ratifier raises the offer by
half as much and lowers the chance of ratification, so the relief Iran can expect falls
once the ratifier is tough enough: d(expected relief)/d(hardline) = (spread - hardline)
/ (4 spread) in the interior, derived by the toolkit and checked over sweeps here.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import bargain
from bargain.symbolic import derivative, derive
from tests.model_sweeps import frame

bio = pytest.importorskip("bargain.io")


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model("two-level")


def test_with_complete_information_a_tougher_ratifier_gets_iran_more_one_for_one(model):
    """spread = 0: the U.S. offers exactly the hard-liners' threshold, which is ratified,
    as long as the U.S. prefers that to the stand-off and Congress allows it."""
    hardline = np.round(np.linspace(0, 0.66, 34), 10)
    f = frame(model, {"hardline": hardline}, spread=0)
    np.testing.assert_allclose(f["offer"], hardline, atol=1e-6)
    assert (f["p_war"] == 0).all()
    beyond = frame(model, {"hardline": [0.75, 0.8, 0.9]}, spread=0)
    assert (beyond["p_war"] == 1).all()  # 1 - hardline < w_us: no deal the U.S. wants


def test_with_uncertainty_the_offer_rises_by_half_and_ratification_falls(model):
    """In the interior (a = hardline - spread >= 0 and no cap binding) the offer is
    (1 - w_us + a) / 2 and the probability that ratification fails is 1 - (offer - a) /
    (2 spread)."""
    hardline = np.linspace(0.2, 0.6, 21)
    f = frame(model, {"hardline": hardline})
    assert set(f["regime"]) == {"interior"}
    a = hardline - 0.2
    offer = (1 - 0.3 + a) / 2
    np.testing.assert_allclose(f["offer"], offer, atol=1e-6)
    np.testing.assert_allclose(f["p_war"], 1 - (offer - a) / 0.4, atol=1e-6)
    assert (np.diff(f["offer"]) > 0).all() and (np.diff(f["p_war"]) > 0).all()


def test_iidas_result_the_expected_relief_falls_once_the_ratifier_is_tough(model):
    """Over hardline at several spreads: Iran's expected relief rises while
    hardline < spread and falls after (in the interior)."""
    for spread in (0.1, 0.2, 0.3):
        hardline = np.linspace(0, 0.7, 71)
        f = frame(model, {"hardline": hardline}, spread=spread)
        inside = (f["regime"] == "interior").to_numpy()
        relief = f["expected_relief"].to_numpy()
        steps = np.diff(relief)
        both = inside[1:] & inside[:-1]
        rising = hardline[1:] <= spread + 1e-9
        assert (steps[both & rising] > -1e-9).all() and (steps[both & ~rising] < 1e-9).all()
        assert (both & ~rising).sum() > 5


def test_the_toolkit_derives_the_condition(model):
    """bargain derives the interior offer and the sign of d(expected_relief)/d(hardline):
    (spread - hardline) / (4 spread), positive iff hardline < spread."""
    d = derive(model, cache=False, budget=60)
    interior = d.regime("interior")
    h, s, w = sympy.symbols("hardline spread w_us")
    assert sympy.simplify(interior.values["offer"] - (1 - w + h - s) / 2) == 0
    (slope,) = [x for x in derivative(d, "expected_relief", "hardline") if x.regime == "interior"]
    # (the where() of the measure adds a branch on a surface of measure zero)
    rng = np.random.default_rng(71)
    for _ in range(20):
        at = {h: rng.uniform(0.2, 0.6), s: rng.uniform(0.05, 0.5), w: rng.uniform(0, 0.5)}
        assert float(slope.expr.subs(at)) == pytest.approx(float(((s - h) / (4 * s)).subs(at)))
    assert slope.sign.symbol == "±"


def test_a_binding_congress_gets_the_us_more_at_a_risk(model):
    """The U.S. side of the conjecture: a cap on relief that binds lowers the offer, so
    the U.S. keeps more of a ratified deal, but the deal fails ratification more often."""
    f = frame(model, {"congress": [0, 0.3, 0.5, 0.6]})
    assert list(f["regime"])[-1] == "corner: highest offer of the range"
    assert (np.diff(f["offer"]) <= 1e-9).all() and f["offer"].iloc[-1] < f["offer"].iloc[0]
    assert f["p_war"].iloc[-1] > f["p_war"].iloc[0]


def test_each_scenario_is_what_its_description_says(model):
    table = bargain.compare_scenarios(model, list(model.scenarios)).to_frame()
    row = table.set_index("scenario")
    base = frame(model, {"spread": [0.2]}).iloc[0]
    known = row.loc["complete_information"]
    assert known["offer"] == pytest.approx(0.4) and known["p_war"] == 0
    tough = row.loc["ascendant_hardliners"]
    assert tough["offer"] > base["offer"] and tough["p_war"] > base["p_war"]
    assert tough["expected_relief"] < base["expected_relief"]
    cap = row.loc["tight_congress"]
    assert cap["regime"] == "corner: highest offer of the range" and cap["offer"] == 0.4
    assert cap["p_war"] > base["p_war"]
    blocked = row.loc["tight_congress_known_threshold"]
    assert blocked["p_war"] == 1 and blocked["u_US"] == pytest.approx(0.3)
