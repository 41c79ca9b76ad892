"""The interim deal, rebuilt (models/interim-deal.toml and models/interim-terms.toml).

Each claim of docs/models/interim-deal.md and docs/models/interim-terms.md is a test
here: the tree against an independent backward induction written from the docs page,
the closed-form constraints against the solver's choices, the links against the
escalation game and the bargaining protocol solved directly, the referee's defects in
their corrected direction, and the 2020 baseline over a stated region.
"""

from __future__ import annotations

import numpy as np
import pytest

import bargain
from bargain import bargaining
from bargain.spaces import point_list
from tests.model_sweeps import frame, sample

bio = pytest.importorskip("bargain.io")

#: Breakout times from the 2015 deal's 12 months down to 2 months.
SHRINKING = [12.0, 10.0, 8.0, 6.0, 5.0, 4.0, 3.5, 3.0, 2.5, 2.0]


@pytest.fixture(scope="module")
def deal() -> bargain.Model:
    return bio.load_model("interim-deal")


@pytest.fixture(scope="module")
def terms() -> bargain.Model:
    return bio.load_model("interim-terms")


def leverage(f) -> np.ndarray:
    """A: Iran's leverage, what rollback and an end to attacks cost it."""
    L = lambda b: f["latency"] / (f["latency"] + b)  # noqa: E731
    return f["nuclear"] * np.maximum(0, L(f["breakout"]) - L(12.0)) + f["attacks"]


def war_if_clash(f) -> np.ndarray:
    return np.minimum(1, f["war_risk"] * 12 / f["breakout"])


# -- the tree, by hand -----------------------------------------------------------------------


def oracle(f) -> dict[str, np.ndarray]:
    """The subgame-perfect path of the interim-deal tree, from the docs page.

    Vectorized; pairs are (U.S., Iran). The stand-off values are the linked columns
    (checked against the escalation game in their own test). Ties go to the first move
    listed in the file (pressure, reject, comply, keep).
    """
    names = ["relief", "deliver", "detect", "contain", "impose", "unity", "capture", "bite"]
    names += ["hardline", "face", "weak", "repute", "snap_cost", "reversal", "rebuff"]
    names += ["nuclear", "latency", "breakout", "attacks", "standoff_us", "standoff_iran"]
    p = {k: f[k].to_numpy(dtype=float) for k in names}
    A = leverage(p)
    V = p["contain"] - p["impose"] * (1 - p["unity"])
    cb = (1 + p["capture"]) * p["bite"]
    hc = p["hardline"] * (1 - p["face"])
    r, q, d = p["relief"], p["deliver"], p["detect"]
    standoff = (p["standoff_us"], p["standoff_iran"])
    rebuffed = (standoff[0] - p["rebuff"], standoff[1])
    keep = ((1 - r) * V - p["weak"] * r, -(1 - r) * cb - hc)
    withdraw = (V - p["repute"], -cb - hc)
    kept = keep[0] >= withdraw[0]
    comply = tuple(np.where(kept, a, b) for a, b in zip(keep, withdraw))
    snapback = (standoff[0], standoff[1] - hc - p["snap_cost"])
    missed = (keep[0] - p["reversal"] * A, keep[1] + p["reversal"] * A)
    cheat = tuple(d * a + (1 - d) * b for a, b in zip(snapback, missed))
    complies = comply[1] >= cheat[1]
    accepted = tuple(np.where(complies, a, b) for a, b in zip(comply, cheat))
    accepts = accepted[1] > rebuffed[1]
    answered = tuple(np.where(accepts, a, b) for a, b in zip(accepted, rebuffed))
    propose = tuple(q * a + (1 - q) * b for a, b in zip(answered, rebuffed))
    proposes = propose[0] > standoff[0]
    gaps = [keep[0] - withdraw[0], comply[1] - cheat[1], accepted[1] - rebuffed[1]]
    margin = np.min(np.abs([*gaps, propose[0] - standoff[0]]), axis=0)
    after = np.where(kept, "keep", "withdraw").astype(object)
    path = np.where(complies, "comply>" + after, "cheat")
    path = np.where(accepts, "accept>" + path, "reject")
    path = np.where(proposes, "propose>" + path, "pressure")
    return {
        "regime": path,
        "u_US": np.where(proposes, propose[0], standoff[0]),
        "u_Iran": np.where(proposes, propose[1], standoff[1]),
        "deal": np.where(proposes & accepts, q, 0.0),
        "margin": margin,
    }


def test_tree_matches_independent_backward_induction(deal):
    f = sample(deal, 3000, seed=31)
    expect = oracle(f)
    clear = expect["margin"] > 1e-7
    assert clear.sum() > 2900
    np.testing.assert_array_equal(f["regime"][clear], expect["regime"][clear])
    for key in ("u_US", "u_Iran", "deal"):
        np.testing.assert_allclose(f[key][clear], expect[key][clear], atol=1e-9, err_msg=key)
    assert set(f["regime"]) >= {
        "pressure",
        "propose>accept>comply>keep",
        "propose>accept>cheat",
        "propose>accept>comply>withdraw",
    }


def test_standoff_is_the_escalation_equilibrium_at_the_mapped_point(deal):
    """The link: every breakdown returns to the escalation game's selected equilibrium."""
    f = sample(deal, 300, seed=32)
    escalation = bio.load_model("escalation")
    mapped = {
        "bite": f["bite"],
        "nuclear": leverage(f),
        "clash": f["war_cost"],
        "limited": 1 - war_if_clash(f),
        **{k: f[k] for k in ("hardline", "unity", "capture", "contain", "impose")},
    }
    e = frame(escalation, point_list({k: np.asarray(v, dtype=float) for k, v in mapped.items()}))
    np.testing.assert_allclose(f["standoff_us"], e["u_US"], atol=1e-12)
    np.testing.assert_allclose(f["standoff_iran"], e["u_Iran"], atol=1e-12)
    np.testing.assert_allclose(f["clash_risk"], e["p_clash_selected"], atol=1e-12)


def test_worked_numbers_at_the_2020_defaults(deal):
    """By hand: A = 2 (3/6.5 - 3/15) + 0.1, w = 0.02 * 12 / 3.5, the stand-off is the
    escalation game's pressure/resist clash, and no relief gives a deal that holds."""
    row = frame(deal, {"relief": [0.5]}).iloc[0]
    A = 2 * (3 / 6.5 - 3 / 15) + 0.1
    w = 0.02 * 12 / 3.5
    standoff_iran = A - 1.2 - 4 * w  # nuclear - (1 + unity) bite - clash (1 - limited)
    standoff_us = 1.5 - 0.5 * 0.8 - A - 4 * w  # contain - impose (1 - unity) - nuclear - k
    assert row["standoff_iran"] == pytest.approx(standoff_iran)
    assert row["standoff_us"] == pytest.approx(standoff_us)
    assert row["clash_risk"] == 1 and row["war"] == pytest.approx(w)
    assert row["r_accept"] == pytest.approx((standoff_iran + 1.5 + 0.5) / 1.5)
    assert row["r_keep"] == pytest.approx(0.25 / 1.6)
    assert row["r_propose"] == pytest.approx((1.1 - standoff_us - 0.1 / 9) / 1.6)
    assert row["regime"] == "pressure" and row["deal"] == 0 and row["durable_width"] < 0


# -- the closed-form constraints -------------------------------------------------------------


def test_a_kept_deal_is_exactly_relief_in_the_durable_range(deal):
    f = sample(deal, 3000, seed=33, unity=(0.4, 1), repute=(0.3, 3))
    low = np.maximum(f["r_accept"], f["r_comply"])
    high = np.minimum(np.minimum(f["r_keep"], f["r_propose"]), 1)
    inside = (f["relief"] > low + 1e-9) & (f["relief"] < high - 1e-9)
    outside = (f["relief"] < low - 1e-9) | (f["relief"] > high + 1e-9)
    assert inside.sum() > 50 and outside.sum() > 1000
    assert (f["deal_kept"][inside] == f["deliver"][inside]).all()
    assert (f["deal_kept"][outside] == 0).all()
    np.testing.assert_allclose(f["durable_width"], high - low, atol=1e-12)


def test_terms_durable_means_a_kept_deal_at_the_bargained_relief(deal):
    f = sample(deal, 400, seed=34, unity=(0.5, 1), repute=(0.5, 3))
    points = {k: f[k].to_numpy(dtype=float) for k in deal.params.names}
    relief = np.minimum(f["terms"].to_numpy(dtype=float), 1)  # above 1: no package is enough
    at_terms = frame(deal, point_list({**points, "relief": relief}))
    durable = f["terms_durable"] == 1
    assert 20 < durable.sum() < len(f) - 20
    np.testing.assert_array_equal(at_terms["deal_kept"][durable], f["deliver"][durable])
    clear = (np.abs(f["durable_width"]) > 1e-6) & (f["agreed"] == 1)
    assert (at_terms["deal_kept"][clear & ~durable] == 0).all()


# -- the referee's defects, in their corrected direction ---------------------------------


def test_rollback_is_not_free_no_kept_deal_at_zero_relief_even_without_capitulation_cost(deal):
    """With hardline = 0 a kept deal at zero relief is worth exactly the escalation game's
    pressure/restrain cell to Iran, which its stand-off payoff never falls below: Iran
    never accepts zero relief to comply. Any deal it accepts there, it accepts to cheat."""
    f = sample(deal, 3000, seed=35, relief=(0, 0), hardline=(0, 0))
    assert (f["deal_kept"] == 0).all()
    assert (f["r_accept"] > 0).mean() > 0.5
    np.testing.assert_allclose(f["cheating"], f["deal"], atol=1e-12)
    # ... and at the 2020 values, over every breakout time, no deal at all.
    row = frame(deal, {"breakout": [1, 1.5, 2, 3, 3.5, 4, 6, 9, 12, 18, 24]}, relief=0, hardline=0)
    assert (row["deal"] == 0).all() and (row["r_accept"] > 0).all()


def _over_breakout(model, **fixed):
    return frame(model, {"breakout": SHRINKING}, **fixed)


@pytest.mark.parametrize(
    "scenario", [None, "unified_coalition", "coalition_hardliners", "coalition_election_year"]
)
def test_iran_bargaining_position_does_not_weaken_as_breakout_shrinks(terms, scenario):
    """From 12 months down to 2: Iran's threat point, its outside option and the relief it
    bargains for all rise (the old model had Iran's payoff fall)."""
    f = _over_breakout(terms, **terms.scenario(scenario))
    for column in ("threat_iran", "option_iran", "u_Iran"):
        assert (np.diff(f[column]) >= -1e-12).all(), column
    assert f["u_Iran"].iloc[-1] > f["u_Iran"].iloc[0]


def test_hardline_veto_shifts_the_terms_in_iran_favour(terms):
    """Putnam's and Schelling's conjecture, at the 2020 values: a costlier capitulation at
    home raises Iran's threat point and the relief it bargains for."""
    f = frame(terms, {"hardline": [0.25, 0.5, 0.75, 1.0, 1.25]}, unity=0.9)
    assert (np.diff(f["threat_iran"]) > 0).all() and (np.diff(f["u_Iran"]) > 0).all()


def test_commitment_problem_grows_as_breakout_shrinks(deal):
    """Powell (2006), two-stage form: the relief Iran can command rises as breakout
    shrinks; the most relief the U.S. can credibly keep (r_keep) does not move, so the
    gap between them rises, and with credible relief it turns from negative to positive."""
    for scenario in [None, *(k for k in deal.scenarios if "breakout" not in deal.scenario(k))]:
        f = _over_breakout(deal, **deal.scenario(scenario))
        assert np.ptp(f["r_keep"]) == 0, scenario
        assert (np.diff(f["commitment_gap"]) >= 0).all(), scenario
        assert f["commitment_gap"].iloc[-1] > f["commitment_gap"].iloc[0], scenario
    f = _over_breakout(deal, **deal.scenario("credible_relief"))
    assert f["commitment_gap"].iloc[0] < 0 < f["commitment_gap"].iloc[-1]


def test_terms_are_the_alternating_offers_protocol_at_the_stand_off(terms):
    """The terms are bargained: the bundled model gives exactly the protocol's share at
    the disagreement point and options computed by hand from the stand-off."""
    row = frame(terms, {"breakout": [3.5]}, unity=0.9).iloc[0]
    V, cb, hc = 1.5 - 0.5 * 0.1, 1.5, 0.5
    L = lambda b: 3 / (3 + b)  # noqa: E731
    r_us = min(1, max(0, (V - row["standoff_us"]) / (V + 0.5)))
    r_ir = max(0, (row["standoff_iran"] + cb + hc) / cb)
    shift = 2 * (L(3.5 * 0.86) - L(3.5))
    option = max(0, r_ir + shift / cb)
    expect = bargaining.alternating_offers(
        1,
        1,
        horizon=1000,
        breakdown=0.05 * 12 / 3.5,
        disagreement=(1 - r_us, r_ir),
        outside_options=(1 - r_us, option),
    )
    assert row["deal"] == 1 and bool(expect.deal)
    assert row["u_Iran"] == pytest.approx(float(expect.shares[1]), abs=1e-12)
    assert r_ir < row["u_Iran"] < r_us


# -- the 2020 baseline -------------------------------------------------------------------

#: The region around the 2020 values over which the case's forecast is claimed
#: (docs/models/interim-deal.md, "The 2020 baseline").
REGION_2020 = {
    "relief": (0, 1),
    "breakout": (3.1, 4.6),
    "nuclear": (1.5, 2.5),
    "war_risk": (0.01, 0.025),
    "unity": (0, 0.25),
    "capture": (0.3, 0.7),
    "hardline": (0.4, 1),
    "face": (0, 0.3),
    "weak": (0.3, 1),
    "repute": (0, 0.35),
    "detect": (0.6, 0.85),
    "deliver": (0.6, 1),
}


def test_2020_baseline_no_interim_deal_and_a_simmering_standoff(deal):
    """The case's forecast over the stated region: no interim deal at any relief, and a
    stand-off that clashes every year and boils over into war with probability
    0.02-0.10 a year (w = war_risk * 12 / breakout)."""
    f = sample(deal, 3000, seed=2020, **REGION_2020)
    assert (f["deal"] == 0).all() and (f["terms_durable"] == 0).all()
    assert (f["clash"] == 1).all()
    assert f["war"].min() > 0.02 and f["war"].max() < 0.1
    np.testing.assert_allclose(f["war"], war_if_clash(f), atol=1e-12)
    # With weaker hard-liners and inspections the only deals are ones Iran accepts in
    # order to cheat: still no deal that holds.
    f = sample(deal, 3000, seed=2021, **{**REGION_2020, "hardline": (0, 1), "detect": (0.4, 0.8)})
    assert (f["deal"] > 0).any()
    assert (f["deal_kept"] == 0).all() and (f["terms_durable"] == 0).all()
    np.testing.assert_allclose(f["cheating"], f["deal"], atol=1e-12)


def test_what_would_have_to_change(deal):
    """The scenarios: the two ingredients of 2013 (SCENARIO.md) are each necessary. A
    unified coalition alone makes the sides agree on terms the U.S. cannot credibly
    keep; credible relief alone leaves Iran asking more than the U.S. gives; together
    they give a deal that holds on the bargained terms."""
    table = bargain.compare_scenarios(deal, list(deal.scenarios)).to_frame().set_index("scenario")
    coalition = table.loc["unified_coalition"]
    assert coalition["agreed"] == 1 and coalition["commitment_gap"] > 0
    assert coalition["terms_durable"] == 0
    credible = table.loc["credible_relief"]
    assert credible["agreed"] == 0 and credible["r_accept"] > credible["r_propose"]
    for name in ("coalition_and_credible_relief", "like_2013"):
        assert table.loc[name, "terms_durable"] == 1 and table.loc[name, "durable_width"] > 0
        row = table.loc[name]
        at = frame(deal, {"relief": [row["terms"]]}, **deal.scenario(name)).iloc[0]
        assert at["regime"] == "propose>accept>comply>keep", name
        assert at["deal_kept"] == pytest.approx(at["deliver"]), name
    for name in ("election_year", "hardliners_ascendant", "intermediary_cover", "jcpoa_breakout"):
        assert table.loc[name, "terms_durable"] == 0 and table.loc[name, "durable_width"] < 0
    assert table.loc["hardliners_ascendant", "terms"] > 1  # no package is enough
    cover = table.loc["intermediary_cover"]
    assert cover["r_accept"] < table.loc["credible_relief", "r_accept"]


def test_each_bargaining_scenario_says_what_the_protocol_gives(terms):
    """The interim-terms scenarios, as their descriptions state them."""
    table = bargain.compare_scenarios(terms, list(terms.scenarios)).to_frame()
    row = table.set_index("scenario")
    base = row.loc["unified_coalition"]
    assert base["deal"] == 1 and base["u_Iran"] == pytest.approx(0.37, abs=0.005)
    assert base["threat_iran"] < base["threat_us"]
    hard = row.loc["coalition_hardliners"]
    assert hard["deal"] == 1 and hard["threat_iran"] > base["threat_iran"]
    assert hard["u_Iran"] == pytest.approx(0.45, abs=0.005)
    vote = row.loc["coalition_election_year"]
    assert vote["deal"] == 1 and vote["threat_us"] < base["threat_us"]
    assert vote["u_Iran"] == pytest.approx(vote["option_iran"])
    assert vote["u_Iran"] < base["u_Iran"]
    race = row.loc["coalition_faster_race"]
    assert race["deal"] == 1 and race["option_iran"] > base["option_iran"]
    assert race["u_Iran"] == pytest.approx(0.42, abs=0.005)
    jcpoa = row.loc["jcpoa_breakout"]
    assert jcpoa["deal"] == 0 and jcpoa["range_width"] < 0


def test_no_package_is_enough_means_no_agreement(terms):
    """Iran's threat point is not capped at the whole package: where it exceeds 1 the
    sides do not agree (a cap would invent an agreement at r = 1)."""
    f = frame(terms, {"breakout": [1, 1.5, 2]}, hardline=1.5)
    assert (f["threat_iran"] > 1).all() and (f["deal"] == 0).all()
