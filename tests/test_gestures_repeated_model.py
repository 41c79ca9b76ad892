"""Reciprocal gestures in a repeated game (models/gestures-repeated.toml).

The repeated-game reading of the gestures model: each year a Prisoner's Dilemma of
gestures; grim trigger sustains reciprocal gestures iff delta >= (T - R) / (T - P) for
each side, i.e. delta >= cost / benefit for the U.S. and (cost + face) / benefit for
Iran. The critical discount factor comes from the repeated-game form, and is checked
here against that formula and over sweeps.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import bargain
from tests.model_sweeps import frame, sample

bio = pytest.importorskip("bargain.io")


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model("gestures-repeated")


def test_the_form_derives_the_critical_discount_factor(model):
    """critical_delta("grim") is max((T - R)/(T - P)) over the two players."""
    cost, face, benefit = sympy.symbols("cost face benefit")
    derived = model.game.critical_delta("grim")
    rng = np.random.default_rng(91)
    for _ in range(20):
        at = {cost: rng.uniform(0, 0.9), face: rng.uniform(0, 0.5), benefit: rng.uniform(0.5, 2)}
        assert float(derived.subs(at)) == pytest.approx(float(((cost + face) / benefit).subs(at)))


def test_gestures_are_sustained_iff_delta_reaches_the_critical_value(model):
    f = sample(model, 2000, seed=92)
    critical = (f["cost"] + f["face"]) / f["benefit"]
    clear = (f["delta"] - critical).abs() > 1e-9
    np.testing.assert_array_equal((f["sustained"] == 1)[clear], (f["delta"] >= critical)[clear])
    np.testing.assert_allclose(f["delta_needed"], critical, atol=1e-9)
    assert (f["sustained"] == 1).sum() > 100 and (f["sustained"] == 0).sum() > 100


def test_the_hard_liners_face_cost_raises_the_patience_needed(model):
    f = frame(model, {"face": np.linspace(0, 0.5, 11)})
    assert (np.diff(f["delta_needed"]) > 0).all()
    edge = bargain.threshold(model, "delta", "sustained", (0, 0.99), face=0.5)
    assert edge.value == pytest.approx(0.9, abs=1e-6)


def test_each_scenario_is_what_its_description_says(model):
    row = bargain.compare_scenarios(model, list(model.scenarios)).to_frame().set_index("scenario")
    assert row.loc["patient_sides", "sustained"] == 1
    assert row.loc["election_cycle", "sustained"] == 0
    assert row.loc["hardliners_lose_face", "delta_needed"] == pytest.approx(0.9)
    assert row.loc["cheap_gestures", "delta_needed"] == pytest.approx(0.2)
    assert row.loc["cheap_gestures", "sustained"] == 1
