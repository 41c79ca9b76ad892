"""Regimes of a sweep and thresholds found by bisection, against closed forms."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bargain import BargainError, DegenerateGameWarning, ParamError
from bargain.model import Model
from bargain.spaces import grid, linspace
from bargain.sweeps import sweep
from bargain.tables import regimes
from bargain.thresholds import Threshold, threshold, threshold_table
from tests.test_normal_form import escalation
from tests.test_tree import interim_deal

DEAL = "propose>accept>keep"


def deal_model() -> Model:
    return Model(interim_deal(), outcomes={"deal": ["kept", "cheated", "snapback"]}, name="deal")


def detect_needed(relief: float, gain: float) -> float:
    """Iran keeps the deal iff relief >= detect * -0.5 + (1 - detect) * (relief + gain).

    That is detect >= gain / (0.5 + relief + gain); it accepts iff relief >= 0.1
    (breakdown pays 0.1), and the U.S. proposes iff 1 - relief >= 0.2 (standoff).
    Ties go to the first move: keep, accept, propose.
    """
    return gain / (0.5 + relief + gain)


def test_regimes_of_the_interim_deal():
    result = sweep(deal_model(), grid(relief=linspace(0, 1, 21), detect=linspace(0, 1, 21)))
    table = regimes(result)
    assert list(table.index) == [DEAL, "pressure"]
    assert list(table.columns) == [
        "points",
        "share",
        "relief_min",
        "relief_max",
        "detect_min",
        "detect_max",
    ]
    relief, detect = np.meshgrid(linspace(0, 1, 21), linspace(0, 1, 21), indexing="ij")
    deal = (relief >= 0.1) & (relief <= 0.8) & (detect >= detect_needed(relief, 0.3) - 1e-12)
    assert table.loc[DEAL, "points"] == deal.sum() and table["points"].sum() == 441
    assert table.loc[DEAL, "share"] == round(deal.mean(), 3)
    assert table.loc[DEAL, ["relief_min", "relief_max"]].tolist() == pytest.approx([0.1, 0.8])
    assert table.loc[DEAL, "detect_min"] == pytest.approx(0.2)  # relief 0.8: 0.3 / 1.6
    assert table.loc["pressure", ["relief_min", "relief_max"]].tolist() == [0, 1]
    assert "Model deal" in table.attrs["note"]


def test_regimes_tell_several_equilibria_from_none():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        result = sweep(Model(escalation()), {"bite": linspace(0.05, 2.95, 30)}, fixed={"clash": 4})
    # clash > 2: engage/resist alone for bite < 1; two pure and a mixed one for 1 < bite < 4.
    table = regimes(result)
    assert table.loc["engage/resist", "bite_max"] == pytest.approx(0.95)
    assert table.loc["several equilibria", "bite_min"] == pytest.approx(1.05)
    assert "none" not in table.index and "no equilibrium" not in table.index
    table = regimes(result, "equilibria")
    assert table.loc["engage/resist | mixed | pressure/restrain", "points"] == 20
    with pytest.raises(BargainError, match="did you mean 'regime'"):
        regimes(result, "regim")


@pytest.mark.parametrize(("relief", "gain"), [(0.4, 0.3), (0.15, 0.9), (0.7, 0.05)])
def test_threshold_of_detection_equals_the_closed_form(relief, gain):
    found = threshold(deal_model(), "detect", "regime", (0, 1), relief=relief, gain=gain)
    assert isinstance(found, Threshold)
    assert found.value == pytest.approx(detect_needed(relief, gain), abs=1e-6)
    assert found.high - found.low <= 1e-6 and found.low < found.value < found.high
    assert (found.below, found.above) == ("pressure", DEAL)
    assert float(found) == found.value


def test_threshold_on_a_numeric_measure_and_a_level():
    model = deal_model()
    low = threshold(model, "relief", "deal", (0, 0.5), detect=0.5)
    assert low.value == pytest.approx(0.1, abs=1e-6) and (low.below, low.above) == (0, 1)
    assert str(low).startswith("deal: 0 below relief = 0.1, 1 above (flip between 0.0999")
    high = threshold(model, "relief", "deal", (1, 0.5), level=0.5, detect=0.5, tol=1e-8)
    # Within the solvers' tolerance for ties (which go to the first move, propose).
    assert high.value == pytest.approx(0.8, abs=1e-8) and high.high - high.low <= 1e-8
    assert str(high).startswith("deal > 0.5 iff relief < 0.8 (flip between 0.8")


def test_threshold_in_the_escalation_game():
    model = Model(escalation())
    # Mixed equilibrium: the U.S. pressures with probability bite / clash.
    found = threshold(model, "bite", "p_US_pressure", (0.01, 0.99), level=0.5, clash=1.5)
    assert found.value == pytest.approx(0.75, abs=1e-6)
    # For clash < 1 Iran resists pressure once bite > clash.
    found = threshold(model, "bite", "regime", (0.01, 2), clash=0.5, select="max-joint")
    assert found.value == pytest.approx(0.5, abs=1e-6)
    assert (found.below, found.above) == ("mixed", "pressure/resist")


def test_threshold_table_against_the_closed_form():
    reliefs = [0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.9]
    table = threshold_table(
        deal_model(), "detect", "deal", (0, 1), over=("relief", reliefs), gain=0.3, tol=1e-7
    )
    assert list(table.columns) == ["relief", "threshold", "low", "high", "below", "above", "reason"]
    expected = [np.nan if not 0.1 <= r <= 0.8 else detect_needed(r, 0.3) for r in reliefs]
    np.testing.assert_allclose(table["threshold"], expected, atol=1e-7)
    assert table["reason"][0] == "deal = 0 at both ends (detect = 0 and 1)"
    assert (table["reason"][1:6] == "").all() and table["reason"][6].startswith("deal = 0")
    assert "for each value of relief" in table.attrs["note"]
    assert "gain = 0.3" in table.attrs["note"]


def test_threshold_errors():
    model = deal_model()
    with pytest.raises(BargainError, match=r"'pressure' at both ends \(relief = 0\.9 and 1\)"):
        threshold(model, "relief", "regime", (0.9, 1))
    with pytest.raises(BargainError, match=r"differs inside, at relief = 0\.1.*narrow the"):
        threshold(model, "relief", "regime", (0, 1))
    with pytest.raises(BargainError, match=r"deal <= 0.5 at both ends"):
        threshold(model, "relief", "deal", (0.9, 1), level=0.5)
    with pytest.raises(BargainError, match=r"unknown measure 'dael' \(did you mean 'deal'\?\)"):
        threshold(model, "relief", "dael", (0, 0.5))
    with pytest.raises(ParamError, match=r"unknown parameter 'relif' \(did you mean 'relief'\?\)"):
        threshold(model, "relif", "deal", (0, 0.5))
    with pytest.raises(ParamError, match=r"bracket \[-0\.5, 0\.5\] of 'relief' is outside"):
        threshold(model, "relief", "deal", (-0.5, 0.5))
    with pytest.raises(ParamError, match="empty"):
        threshold(model, "relief", "deal", (0.5, 0.5))
    with pytest.raises(ParamError, match="cannot also be fixed"):
        threshold(model, "relief", "deal", (0, 0.5), relief=0.2)
    with pytest.raises(ParamError, match="'gain' = 2 is outside"):
        threshold(model, "relief", "deal", (0, 0.5), gain=2)
    with pytest.raises(BargainError, match="'regime' is a label"):
        threshold(model, "relief", "regime", (0, 0.5), level=0.5)
    with pytest.raises(BargainError, match="not a step: pass level="):
        threshold(Model(escalation()), "bite", "u_Iran", (0.01, 0.99))
    with pytest.raises(BargainError, match="tol must be a positive number"):
        threshold(model, "relief", "deal", (0, 0.5), tol=0)
    with pytest.raises(ValueError, match="select must be one of"):
        threshold(model, "relief", "deal", (0, 0.5), select="all")
    with pytest.raises(ParamError, match="'gain' = 3 is outside"):
        threshold_table(model, "relief", "deal", (0, 0.5), over=("gain", [0.1, 3]))
