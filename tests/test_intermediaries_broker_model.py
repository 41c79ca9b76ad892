"""The bundled model ``models/intermediaries-broker.toml``: the U.S., Iran and a broker.

Three players move at once: the U.S. offers limited relief or holds, Iran offers a
limited rollback or holds, the broker carries the offers or stays out. Both offers
make the deal: v_US - c_US for the U.S., v_IR - hardline (1 - face z) for Iran with
z = 1 when the broker carries; an offer refused exposes its maker, e (1 - discretion z);
the broker gets w_M from any deal, p_M more from a deal it carried, and pays k_M to
carry.

**Closed forms.** The stand-off (hold, hold, stay out) is a Nash equilibrium everywhere
(an offer made alone gains nothing), a strict one where every exposure cost and the
broker's cost are positive; the brokered deal (offer, offer, carry) is one iff
v_US >= c_US, v_IR >= hardline (1 - face) and p_M >= k_M; the deal without the broker
iff v_US >= c_US, v_IR >= hardline and p_M <= k_M. Where both adversaries mix (the U.S.
offers with x, Iran with y) and the broker carries with z, each adversary is
indifferent: y (v_US - c_US) = (1 - y) e_US (1 - discretion z) and
x (v_IR - hardline (1 - face z)) = (1 - x) e_IR (1 - discretion z); the broker mixes
only where x y p_M = k_M, and otherwise carries iff x y p_M > k_M.
w_M moves nobody: the broker gets it whether or not it carried (only the prestige of
carrying a deal moves it).

The tests hold these claims over random points and sweeps, the quantal response
equilibrium's comparative statics, its limits (uniform play at lam = 0, the logit limit
as lam grows), the scenarios' descriptions, and the command line.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import bargain
from bargain.cli import main

bio = pytest.importorskip("bargain.io")
pytest.importorskip("pygambit")


#: The scenarios whose logit limit is the brokered deal (None: the defaults); the others
#: select the stand-off.
DEAL_SELECTED = [None, "oman_2013"]
STANDOFF_SELECTED = ["france_2019", "japan_2019", "no_broker_cover"]
DEAL, STANDOFF = (1.0, 1.0, 1.0), (0.0, 0.0, 0.0)


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bio.load_model("intermediaries-broker")


def solved(model, points, select="all", **options) -> pd.DataFrame:
    """The model's measures at ``points`` (name -> values; defaults for the rest) with
    these solve options: one row per point and equilibrium (``select="all"``)."""
    points = {k: np.atleast_1d(np.asarray(v, dtype=float)) for k, v in points.items()}
    if not points:
        points = {"face": np.array([model.params["face"].default])}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        table = model.with_options(**options).evaluate(points, select)
    return pd.DataFrame(table["points" if select != "all" else "rows"])


def offers(row) -> tuple[float, float, float]:
    """(x, y, z): the probabilities that the U.S. offers, Iran offers, the broker carries."""
    return (row["p_US_offer"], row["p_Iran_offer"], row["p_Broker_carry"])


def test_a_three_player_game_whose_qre_the_file_asks_for(model):
    assert model.game.players == ("US", "Iran", "Broker")
    assert model.options == {"method": "qre", "lam": 4}
    (row,) = solved(model, {}).to_dict("records")
    assert row["regret"] > 0.01  # a QRE, not a Nash equilibrium: every move has some chance
    assert 0 < row["p_deal"] < 1


def test_pure_equilibria_match_the_closed_forms_at_random_points(model):
    rng = np.random.default_rng(7)
    n = 300
    v = {p.name: rng.uniform(p.low, p.high, n) for p in model.params}
    table = solved(model, v, method="pure")
    found = {
        (int(t), *map(round, offers(r))) for t, r in zip(table["point"], table.to_dict("records"))
    }
    us_gains = v["v_US"] > v["c_US"]
    brokered = us_gains & (v["v_IR"] > v["hardline"] * (1 - v["face"])) & (v["p_M"] > v["k_M"])
    alone = us_gains & (v["v_IR"] > v["hardline"]) & (v["p_M"] < v["k_M"])
    assert brokered.any() and alone.any() and (~brokered & ~alone).any()
    for t in range(n):
        assert (t, 0, 0, 0) in found  # the stand-off, at every point
        assert ((t, 1, 1, 1) in found) == brokered[t]
        assert ((t, 1, 1, 0) in found) == alone[t]
    # the file's closed-form measures say the same, point by point
    frame = solved(model, v, select="unique")
    strict = (v["e_US"] > 0) & (v["e_IR"] > 0) & (v["k_M"] > 0)
    assert np.array_equal(frame["standoff_is_strict"].to_numpy() == 1, strict)
    assert np.array_equal(frame["brokered_deal_is_nash"].to_numpy() == 1, brokered)


@pytest.mark.parametrize(
    "values, standoff_strict, brokered, alone",
    [
        ({"p_M": 0.1, "k_M": 0.1}, True, True, True),  # the broker indifferent: both deals
        ({"e_US": 0.0}, False, True, False),  # an offer alone costs the U.S. nothing
        ({"k_M": 0.0}, False, True, False),
        ({"c_US": 1.0}, True, True, False),  # the deal leaves the U.S. indifferent
        ({"hardline": 2.0, "face": 0.5}, True, True, False),  # Iran indifferent
        ({"hardline": 2.01, "face": 0.5}, True, False, False),
    ],
)
def test_the_closed_forms_on_their_boundaries(model, values, standoff_strict, brokered, alone):
    """Where a player is indifferent the profile is still a (weak) Nash equilibrium: the
    closed forms use >=, and the stand-off is an equilibrium everywhere."""
    table = solved(model, values, method="pure")
    found = {tuple(map(round, offers(r))) for r in table.to_dict("records")}
    assert STANDOFF in found
    assert (DEAL in found) == brokered and ((1, 1, 0) in found) == alone
    frame = solved(model, values, select="unique")
    assert frame["standoff_is_strict"].iloc[0] == standoff_strict
    assert frame["brokered_deal_is_nash"].iloc[0] == brokered


@pytest.mark.parametrize(
    "scenario", [None, "france_2019", "oman_2013", "japan_2019", "no_broker_cover"]
)
def test_every_nash_equilibrium_by_two_gambit_methods_and_the_indifference_equations(
    model, scenario
):
    values = model.scenario(scenario)
    found = {
        method: sorted(
            tuple(np.round(offers(r), 7))
            for r in solved(model, {k: [v] for k, v in values.items()}, method=method).to_dict(
                "records"
            )
        )
        for method in ("enumpoly", "gnm")
    }
    assert found["enumpoly"] == found["gnm"] and len(found["enumpoly"]) == 3
    v = {**model.params.defaults, **values}
    mixed = [e for e in found["enumpoly"] if 0 < e[0] < 1]
    (x, y, z) = mixed[0]
    # each player indifferent where it mixes (see the module docstring)
    exposed_us = v["e_US"] * (1 - v["discretion"] * z)
    exposed_ir = v["e_IR"] * (1 - v["discretion"] * z)
    assert y * (v["v_US"] - v["c_US"]) == pytest.approx((1 - y) * exposed_us, abs=1e-6)
    deal_ir = v["v_IR"] - v["hardline"] * (1 - v["face"] * z)
    assert x * deal_ir == pytest.approx((1 - x) * exposed_ir, abs=1e-6)
    if 0 < z < 1:
        assert x * y * v["p_M"] == pytest.approx(v["k_M"], abs=1e-6)
    else:  # the broker's best reply is pure: carrying pays iff x y p_M > k_M
        assert (z == 1) == (x * y * v["p_M"] > v["k_M"])
    assert STANDOFF in found["enumpoly"]


@pytest.mark.parametrize(
    "param, direction",
    [
        ("discretion", 1),
        ("face", 1),
        ("p_M", 1),
        ("v_US", 1),
        ("v_IR", 1),
        ("c_US", -1),
        ("hardline", -1),
        ("e_US", -1),
        ("e_IR", -1),
        ("k_M", -1),
        ("w_M", 0),
    ],
)
def test_comparative_statics_of_the_quantal_response_deal(model, param, direction):
    """p_deal at lam = 4 as one parameter rises over its range, the others at defaults:
    the broker's discretion, cover and prestige help; exposure and costs hurt; its
    stake in any deal (w_M) moves nobody, since it gets it whether or not it carried."""
    p = model.params[param]
    frame = bargain.sweep(model, {param: np.linspace(p.low, p.high, 21)}, progress=False)
    deal = frame.to_frame()["p_deal"].to_numpy()
    steps = np.diff(deal)
    if direction == 0:
        assert np.ptp(deal) < 1e-9
    else:
        assert (direction * steps >= -1e-9).all() and direction * (deal[-1] - deal[0]) > 0.1


def test_lam_from_uniform_play_to_the_logit_limit(model):
    (uniform,) = model.with_options(lam=0).solve()
    assert all(np.allclose(p, 0.5) for p in uniform.profile)
    (limit,) = model.with_options(method="logit").solve()
    assert tuple(float(p[0]) for p in limit.profile) == DEAL
    branch = model.game.qre_branch(lam=[1, 10, 100, 1000])
    gap = np.maximum(abs(branch["p_US_offer"] - 1), abs(branch["p_Iran_offer"] - 1)).to_numpy()
    assert gap[-1] < 1e-3 and (np.diff(gap) <= 1e-12).all() and gap[0] > 0.1


@pytest.mark.parametrize("scenario", DEAL_SELECTED + STANDOFF_SELECTED)
def test_the_logit_limit_selects_among_the_nash_equilibria(model, scenario):
    values = model.scenario(scenario)
    chosen = offers(solved(model, values, select="logit", method="enumpoly").iloc[0])
    assert chosen == (DEAL if scenario in DEAL_SELECTED else STANDOFF)
    if scenario == "japan_2019":  # the broker stays out of every equilibrium
        every = solved(model, values, method="enumpoly")
        assert (every["p_Broker_carry"] == 0).all() and len(every) == 3


def test_the_scenarios_as_described(model):
    deal = {s: model.solve(scenario=s)[0] for s in [None, *model.scenarios]}
    p_deal = {s: float(eq.profile[0][0] * eq.profile[1][0]) for s, eq in deal.items()}
    assert p_deal["oman_2013"] == pytest.approx(0.7, abs=0.02)
    for s in ("france_2019", "no_broker_cover"):
        assert p_deal[s] < 0.01
    assert p_deal[None] > 0.7
    # France: both pure profiles are equilibria, like the defaults
    france = solved(
        model, {k: [v] for k, v in model.scenario("france_2019").items()}, method="pure"
    )
    assert sorted(offers(r) for r in france.to_dict("records")) == [STANDOFF, DEAL]


def test_heterogeneous_noise_per_player(model):
    """A sharper U.S. and a noisier Iran (Signorino 1999): the QRE solves each
    player's logit equation at its own lam."""
    lam = {"US": 8.0, "Iran": 2.0, "Broker": 4.0}
    (eq,) = model.with_options(lam=lam).solve()
    x, y, z = (p[0] for p in eq.profile)
    v = model.params.defaults
    exposed = 1 - v["discretion"] * z
    gains = {  # each player's expected gain from offering (carrying) over holding (staying out)
        "US": y * (v["v_US"] - v["c_US"]) - (1 - y) * v["e_US"] * exposed,
        "Iran": x * (v["v_IR"] - v["hardline"] * (1 - v["face"] * z))
        - (1 - x) * v["e_IR"] * exposed,
        "Broker": x * y * v["p_M"] - v["k_M"],  # w_M cancels: it gets it either way
    }
    for player, p in zip(("US", "Iran", "Broker"), (x, y, z)):
        assert p == pytest.approx(1 / (1 + np.exp(-lam[player] * gains[player])), abs=1e-9)


def test_the_command_line_solves_it_for_nash_and_quantal_response():
    def run(*args: str) -> list[dict]:
        result = CliRunner().invoke(main, ["solve", "intermediaries-broker", *args])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)["equilibria"]

    qre = run("--format", "json")
    assert len(qre) == 1 and 0.7 < qre[0]["p_deal"] < 0.8
    nash = run("--method", "enumpoly", "--format", "json")
    assert sorted(row["p_deal"] for row in nash) == pytest.approx([0, 0.614 * 0.543, 1], abs=1e-3)
