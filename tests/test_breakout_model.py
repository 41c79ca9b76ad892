"""Bargaining under shifting power (models/breakout.toml; Powell 2006).

Powell's result in the model's two-period form: war happens iff the discounted shift in
power exceeds what the rising side can give today beyond the declining side's war
value, delta * shift > 1 - p_us + c_us; without a shift there is no war (Fearon 1995's
complete-information bargaining range is never empty); the rising side's own cost of
war cannot buy peace. Each claim is checked over a sweep, and the war condition the
toolkit derives from the tree is held equal to the formula.
"""

from __future__ import annotations

import numpy as np
import pytest

import bargain
from bargain.formula import compile_formulas
from bargain.symbolic import derive
from tests.model_sweeps import frame, sample

bio = pytest.importorskip("bargain.io")


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model("breakout")


def test_war_iff_powells_condition(model):
    """Over the whole box: a preventive strike is the equilibrium iff
    delta * shift > 1 - p_us + c_us (the measure powell_margin > 0)."""
    f = sample(model, 4000, seed=61)
    clear = f["powell_margin"].abs() > 1e-9
    war = f["preventive_war"] == 1
    np.testing.assert_array_equal(war[clear], (f["powell_margin"] > 0)[clear])
    assert war.sum() > 100 and (~war).sum() > 100


def test_the_derived_war_condition_is_powells(model):
    """The conditions bargain derives from the tree for the regimes that end in a strike
    hold exactly where powell_margin > 0 (at seeded points of the box)."""
    d = derive(model, cache=False, budget=120)
    strike = [r.where for r in d.regimes if r.label.endswith(">strike")]
    assert strike
    names = list(model.params.names)
    points = {p.name: np.random.default_rng(62).uniform(p.low, p.high, 3000) for p in model.params}
    each = compile_formulas(strike, names)(*(points[n] for n in names))
    holds = np.any(np.atleast_2d(np.asarray(each, dtype=bool)), axis=0)
    margin = frame(model, bargain.spaces.point_list(points))["powell_margin"].to_numpy()
    clear = np.abs(margin) > 1e-9
    np.testing.assert_array_equal(holds[clear], (margin > 0)[clear])


def test_no_shift_no_war(model):
    """Without a shift in power (no expansion, or leverage that does not move the odds)
    the complete-information bargaining range is never empty: no war anywhere."""
    for fixed in ({"pace": 0.0}, {"weight": 0.0}):
        params = [p for p in model.params if p.name not in fixed]
        space = bargain.latin_hypercube(bargain.ParamSpace(params), 1000, seed=63)
        assert (frame(model, space, **fixed)["preventive_war"] == 0).all()


def test_the_rising_side_cannot_buy_its_way_out(model):
    """However much war would cost Iran, it cannot give more than the whole period's
    stakes: its cost of war never changes whether a preventive strike happens."""
    f = frame(model, {"c_iran": np.linspace(0, 1, 11)}, pace=0.5)
    assert (f["preventive_war"] == 1).all()


def test_a_faster_shift_and_a_longer_shadow_of_the_future_mean_war(model):
    """Over pace (3.5-month breakout) and over delta (fast expansion) the strike appears
    once, and stays."""
    by_pace = frame(model, {"pace": np.linspace(0, 0.9, 46)})["preventive_war"].to_numpy()
    assert by_pace[0] == 0 and by_pace[-1] == 1 and (np.diff(by_pace) >= 0).all()
    by_delta = frame(model, {"delta": np.linspace(0, 1, 51)}, pace=0.5)["preventive_war"]
    assert by_delta.iloc[0] == 0 and by_delta.iloc[-1] == 1
    assert (np.diff(by_delta.to_numpy()) >= 0).all()


def test_worked_numbers_and_the_2020_default(model):
    """At 2020 values (breakout 3.5, pace 0.14): shift = 1.5 (3/6.01 - 3/6.5), no war.
    With pace 0.5: shift = 1.5 (3/4.75 - 3/6.5) = 0.255, delta shift = 0.229 > 0.15."""
    row = frame(model, {"pace": [0.14, 0.5]})
    assert row["shift"].iloc[0] == pytest.approx(1.5 * (3 / (3 + 3.5 * 0.86) - 3 / 6.5))
    assert row["preventive_war"].iloc[0] == 0
    shift = 1.5 * (3 / 4.75 - 3 / 6.5)
    assert row["shift"].iloc[1] == pytest.approx(shift)
    assert row["powell_margin"].iloc[1] == pytest.approx(0.9 * shift - 0.15)
    assert row["preventive_war"].iloc[1] == 1
    assert row["u_US"].iloc[1] == pytest.approx(1.9 * 0.85)


def test_each_scenario_is_what_its_description_says(model):
    table = bargain.compare_scenarios(model, list(model.scenarios)).to_frame().set_index("scenario")
    assert table.loc["fast_expansion", "preventive_war"] == 1
    for name in ("fast_but_costly_war", "fast_but_impatient", "fast_far_from_threshold"):
        assert table.loc[name, "preventive_war"] == 0, name
    assert table.loc["fast_far_from_threshold", "shift"] < table.loc["fast_expansion", "shift"]
