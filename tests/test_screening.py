"""Screening offers (Fearon 1995): numbers worked by hand, the closed forms against the
batch, the numeric path against the closed forms and scipy, finite types against brute
force, the qualitative results as properties over sweeps, every optimal offer verified,
errors that name the file and the key, and the game protocol (Model, sweep, threshold,
model files, the command line)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import sympy
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize_scalar

import bargain
from bargain.bargaining.screening import (
    CERTAIN_WAR,
    INTERIOR,
    NO_WAR,
    REGIMES,
    screening_types,
    screening_uniform,
)
from bargain.cli import main
from bargain.errors import BargainError, FormulaError, ModelError, ParamError
from bargain.formula import compile_formulas
from bargain.games import form_class
from bargain.games.screening import ScreeningGame
from bargain.io import dumps_model, loads_model
from bargain.params import Param
from bargain.solvers.screening import maximize

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FEARON = """\
[model]
name = "fearon"

[params.p]
default = 0.5
low = 0
high = 1

[params.cA]
default = 0.1
low = 0
high = 1

[params.cB_low]
default = 0
low = 0
high = 1

[params.cB_high]
default = 0.3
low = 0
high = 1

[game]
form = "screening"
players = ["A", "B"]
war = { A = "p - cA", B = "v" }
reservation = { uniform = ["1 - p - cB_high", "1 - p - cB_low"] }
"""

PARAMS = [Param("p", 0.5, 0, 1), Param("cA", 0.1, 0, 1), Param("cbar", 0.3, 0, 1)]
UNIFORM = {"uniform": ["1 - p - cbar", "1 - p"]}


def fearon(**kwargs) -> ScreeningGame:
    """B's cost of war uniform on [0, cbar]: v = 1 - p - cB uniform on [1 - p - cbar, 1 - p]."""
    return ScreeningGame(
        ["A", "B"],
        kwargs.pop("reservation", UNIFORM),
        "p - cA",
        **kwargs,
        params=kwargs.pop("params", PARAMS),
    )


def random_points(rng, n=400):
    return {
        "p": rng.uniform(0, 1, n),
        "cA": rng.uniform(0, 0.6, n),
        "cbar": rng.uniform(0.01, 0.6, n),
    }


def close(a, b, tol=1e-12):
    return np.allclose(a, b, rtol=0, atol=tol, equal_nan=True)


# -- brute force: the proposer's payoff of every offer ------------------------------------


def brute_force(game: ScreeningGame, values: dict, offers: np.ndarray):
    """The proposer's expected payoff at each offer, computed directly from the model's
    payoffs at one point: types one by one, a uniform law by its CDF, a CDF by its formula."""
    names = game.params.names
    point = [values[k] for k in names]
    deal = compile_formulas([game.deal[game.proposer], game.deal[game.responder]], ("x", *names))
    proposer, r = np.broadcast_arrays(*deal(offers, *point))
    war = compile_formulas(game.war, ("v", *names))
    if game.law == "types":
        vs = compile_formulas(list(game.reservation["types"]), names)(*point)
        qs = compile_formulas(list(game.reservation["probabilities"]), names)(*point)
        u = np.zeros_like(offers)
        for v, q in zip(np.ravel(vs), np.ravel(qs)):
            u += q * np.where(v <= r, proposer, war(v, *point))
        return u
    key = "uniform" if game.law == "uniform" else "support"
    a, b = (float(e) for e in compile_formulas(list(game.reservation[key]), names)(*point))
    if game.law == "uniform":  # E[w(v) 1{v > r}]: w is affine in v, the trapezoid is exact
        accept = np.clip((r - a) / (b - a), 0, 1)
        m = np.clip(r, a, b)
        tail = (b - m) / (b - a) * (war(m, *point) + war(b, *point)) / 2
        return accept * proposer + tail
    cdf = compile_formulas(game.reservation["cdf"], ("v", *names))
    accept = np.where(r < a, 0, np.where(r >= b, 1, cdf(np.clip(r, a, b), *point)))
    return accept * proposer + (1 - accept) * war(0.0, *point)


def verify(game: ScreeningGame, batch, offers: np.ndarray, tol: float = 1e-9) -> None:
    """Every optimal offer is optimal: no offer on the fine grid ``offers`` (nor the
    reported one) pays the proposer more than its reported payoff; a NaN offer (certain
    war) pays what every offer all types reject pays."""
    for i in range(len(batch)):
        values = batch.point_values(i)
        best = brute_force(game, values, offers).max()
        for r in batch.rows(i):
            u = batch.payoffs[r, 0]
            assert u >= best - tol, (values, batch.offer[r], u, best)
            if not math.isnan(batch.offer[r]):
                at = brute_force(game, values, np.array([batch.offer[r]]))[0]
                assert abs(at - u) <= tol, (values, batch.offer[r], at, u)


# -- worked numbers ------------------------------------------------------------------------


def test_fearon_uniform_cost_worked_numbers():
    """p = 0.5, cA = 0.1, B's cost cB uniform on [0, 0.3]: B's reservation value (its war
    payoff) v = 1 - p - cB is uniform on [0.2, 0.5]. A offering x gets

        U(x) = (x - 0.2)/0.3 * (1 - x) + (0.5 - x)/0.3 * (p - cA),

    U'(x) = 0 gives (1 - x) - (x - 0.2) - 0.4 = 0: x* = 0.4 = 1 - p - (cbar - cA)/2,
    inside [0.2, 0.5]. P(war) = (0.5 - 0.4)/0.3 = 1/3; U_A = 2/3 * 0.6 + 1/3 * 0.4 = 8/15;
    U_B = 2/3 * 0.4 + 1/3 * E[v | v > 0.4] = 4/15 + 0.45/3 = 5/12.
    """
    (best,) = fearon().solve()
    assert best.offer == pytest.approx(0.4, abs=1e-14)
    assert best.p_war == pytest.approx(1 / 3, abs=1e-14)
    assert best.payoffs == pytest.approx({"A": 8 / 15, "B": 5 / 12}, abs=1e-14)
    assert best.shares == best.payoffs and best.regime == "interior"
    # Fearon's own notation: x is A's demand, B gets 1 - x; the same outcome at x = 0.6.
    (demand,) = fearon(deal={"A": "x", "B": "1 - x"}).solve()
    assert demand.offer == pytest.approx(0.6, abs=1e-14)
    assert demand.payoffs == pytest.approx(best.payoffs, abs=1e-14)
    # A demand of at least 0.65: the range binds, B's war payoff below 0.35 accepts.
    (bound,) = fearon(deal={"A": "x", "B": "1 - x"}, offer=["0.65", 1]).solve()
    assert bound.offer == 0.65 and bound.p_war == pytest.approx(0.5, abs=1e-14)
    assert bound.regime == "corner: lowest offer of the range"
    # The closed form's first-order condition is the textbook offer.
    p, ca, cbar = sympy.symbols("p cA cbar")
    stationary = fearon().closed_form["stationary"]
    assert sympy.simplify(stationary - (1 - p - (cbar - ca) / 2)) == 0


def test_pie_and_units_worked_numbers():
    """A pie of 2, A's deal payoff 2 (2 - x) (twice B's units): U(x) = (x - 0.2)/0.3 *
    2 (2 - x) + (0.5 - x)/0.3 * 0.4; U'(x) = 0: 2 (2 - x) - 2 (x - 0.2) - 0.4 = 0, x* = 0.9
    > 0.5: every type accepts x = 0.5, U_A = 3, share 3/2 of the pie."""
    game = fearon(deal={"A": "2*(2 - x)", "B": "x"}, pie=2)
    (best,) = game.solve()
    assert best.offer == pytest.approx(0.5) and best.p_war == 0
    assert best.payoffs["A"] == pytest.approx(3.0) and best.shares["A"] == pytest.approx(1.5)
    assert best.regime == REGIMES[NO_WAR]


def test_private_probability_of_winning_worked_numbers():
    """Interdependent values: B knows p, uniform on [0.4, 0.6] for A; cA = cB = 0.05.
    v = 1 - p - cB is uniform on [0.35, 0.55] and A's war payoff p - cA = 0.9 - v:

        U(x) = (x - 0.35)/0.2 (1 - x) + int_x^0.55 (0.9 - v) dv / 0.2,
        U'(x) = ((1 - x) - (x - 0.35) - (0.9 - x)) / 0.2 = (0.45 - x) / 0.2,

    x* = 0.45 (= low end + cA + cB); P(war) = 0.5; U_A = 0.5 * 0.55 + 5 * 0.04 = 0.475;
    U_B = 0.5 * 0.45 + 0.5 * 0.5 = 0.475."""
    params = [Param("p_low", 0.4), Param("p_high", 0.6), Param("cA", 0.05), Param("cB", 0.05)]
    reservation = {"uniform": ["1 - p_high - cB", "1 - p_low - cB"]}
    game = ScreeningGame(["A", "B"], reservation, "1 - cB - v - cA", params=params)
    (best,) = game.solve()
    assert best.offer == pytest.approx(0.45, abs=1e-14)
    assert best.p_war == pytest.approx(0.5, abs=1e-14)
    assert best.payoffs == pytest.approx({"A": 0.475, "B": 0.475}, abs=1e-14)


def test_two_types_worked_numbers():
    """v = 0.2 with probability q, 0.6 otherwise; A's war payoff 0.1. Offering 0.2 pays
    q (1 - 0.2) + (1 - q) 0.1 = 0.1 + 0.7 q, offering 0.6 pays 0.4: A screens iff q > 3/7,
    and at q = 3/7 both offers are optimal (two rows, flagged)."""
    game = ScreeningGame(
        ["A", "B"],
        {"types": [0.2, 0.6], "probabilities": ["q", "1 - q"]},
        0.1,
        params=[Param("q", 0.5, 0, 1)],
    )
    batch = game.solve_batch({"q": [0.8, 0.4, 3 / 7]})
    frame = batch.to_frame()
    assert frame["point"].tolist() == [0, 1, 2, 2]
    assert close(frame["offer"], [0.2, 0.6, 0.2, 0.6])
    assert close(frame["p_war"], [0.2, 0, 4 / 7, 0])
    assert close(frame["u_A"], [0.66, 0.4, 0.4, 0.4])
    assert close(frame["u_B"], [0.8 * 0.2 + 0.2 * 0.6, 0.6, 3 / 7 * 0.2 + 4 / 7 * 0.6, 0.6])
    assert batch.ties.tolist() == [False, False, True]
    assert frame["regime"].tolist()[:2] == [REGIMES[INTERIOR], REGIMES[NO_WAR]]


def test_protocol_functions_worked_numbers():
    r = screening_uniform(0.2, 0.5, 0.4)
    assert close(r.offer, [0.4]) and close(r.p_war, [1 / 3]) and r.shape == ()
    assert close(r.payoffs.ravel(), [8 / 15, 5 / 12])
    # w = 0.8: every type would be worth war (r_s = 0.2 = a), but the range starts above a.
    r = screening_uniform(0.2, 0.5, [0.4, 0.1, 0.8], bounds=(0.25, 0.45))
    assert close(r.offer, [0.4, 0.45, 0.25]) and not r.ties.any()
    assert close(r.p_war, [1 / 3, 1 / 6, 5 / 6])
    assert [REGIMES[c] for c in r.regime] == [
        "interior",
        "corner: highest offer of the range",
        "corner: lowest offer of the range",
    ]
    r = screening_uniform(0.2, 0.5, 0.8, bounds=(0.1, 0.45))
    assert np.isnan(r.offer).all() and r.ties and r.regime.tolist() == [CERTAIN_WAR]
    r = screening_types([0.2, 0.6], [3 / 7, 4 / 7], 0.1)
    assert close(r.offer, [0.2, 0.6]) and r.ties.tolist() is True
    with pytest.raises(ParamError, match=r"low must be <= high, got 0.5 > 0.2 at index 1"):
        screening_uniform([0.1, 0.5], 0.2)
    with pytest.raises(ParamError, match=r"probabilities must sum to 1, got 0\.9"):
        screening_types([0.2, 0.6], [0.5, 0.4])
    with pytest.raises(BargainError, match="no closed form"):
        screening_types([0.1 * j for j in range(8)], [1 / 8] * 8).closed_form_values()


# -- closed forms against the batch --------------------------------------------------------

GAMES = {
    "fearon": {},
    "demand": {"deal": {"A": "x", "B": "1 - x"}},
    "units": {"deal": {"A": "3 - 2*x", "B": "0.5*x + 0.1"}, "offer": ["0.1", "0.9"]},
    "narrow": {"offer": ["0.3", "0.45"]},
    "pie": {"pie": "1 + cA", "deal": {"A": "1 + cA - x", "B": "x"}},
}


@pytest.mark.parametrize("name", GAMES)
def test_uniform_closed_form_matches_the_batch(name, rng):
    game = fearon(**GAMES[name])
    points = random_points(rng)
    batch = game.solve_batch(points)
    assert batch.method == "uniform closed form" and len(batch.point) == len(batch)
    closed = game.closed_form
    fn = compile_formulas(list(closed.values()), game.params.names)
    values = dict(zip(closed, fn(*(points[k] for k in game.params.names))))
    columns = batch.columns()
    assert close(values["offer"], columns["offer"], 1e-10)
    for k in ("p_war", "u_A", "u_B"):
        assert close(values[k], columns[k], 1e-10), k
    # Regimes agree away from their boundaries (where the closed form's rounding differs).
    inside = (columns["p_war"] > 1e-9) & (columns["p_war"] < 1 - 1e-9)
    assert (values["regime"][inside] == batch.regime[inside]).all()
    assert len(set(batch.regime.tolist())) >= 2  # more than one case covered


def test_types_closed_form_matches_the_batch(rng):
    params = [Param("q", 0.5, 0, 1), Param("s", 0.5, 0, 1), Param("w", 0.1, -1, 1)]
    reservation = {"types": ["0.1 + s/2", "0.3", "0.8*s"], "probabilities": ["q/2", "q/2", "1 - q"]}
    game = ScreeningGame(["A", "B"], reservation, "w + v/4", params=params, offer=[0, "0.9"])
    points = {
        "q": rng.uniform(0, 1, 300),
        "s": rng.uniform(0, 1, 300),
        "w": rng.uniform(-1, 1, 300),
    }
    batch = game.solve_batch(points)
    assert batch.method == "types closed form"
    closed = game.closed_form
    values = dict(
        zip(
            closed,
            compile_formulas(list(closed.values()), game.params.names)(
                *(points[k] for k in game.params.names)
            ),
        )
    )
    single = ~batch.ties
    rows = np.flatnonzero(single[batch.point])
    columns = batch.columns()
    for k in ("offer", "p_war", "u_A", "u_B"):
        assert close(values[k][batch.point[rows]], columns[k][rows], 1e-12), k
    assert (values["regime"][batch.point[rows]] == batch.regime[rows]).all()


def test_convex_case_and_one_type_in_the_uniform_closed_form():
    """k <= -2 (U convex on [a, b]): the better end; a = b: one type (complete information)."""
    r = screening_uniform(
        [0.2, 0.2, 0.3, 0.3],
        [0.5, 0.5, 0.3, 0.3],
        [0.8, 2.0, 0.5, 0.8],
        war_slope=[-3, -3, 0, 0],
        bounds=(0, 1),
    )
    # 1: the end b pays 0.5 > war's 0.8 - 3 * 0.35; 2: war pays 2 - 1.05 = 0.95 > 0.5;
    # 3: one type at 0.3, peace pays 0.7 > 0.5; 4: war pays 0.8 > 0.7.
    assert close(r.offer, [0.5, np.nan, 0.3, np.nan])
    assert close(r.p_war, [0, 1, 0, 1]) and r.ties.tolist() == [False, True, False, True]
    values = r.closed_form_values()
    assert close(values["offer"], r.offer) and close(values["proposer"], r.payoffs[0])


# -- the numeric path ----------------------------------------------------------------------


def test_cdf_path_matches_the_uniform_closed_form(rng):
    cdf = {"cdf": "(v - (1 - p - cbar)) / cbar", "support": ["1 - p - cbar", "1 - p"]}
    numeric, exact = fearon(reservation=cdf), fearon()
    assert numeric.closed_form is None
    points = random_points(rng, 200)
    a, b = numeric.solve_batch(points), exact.solve_batch(points)
    assert a.method.startswith("numeric") and (a.point == b.point).all()
    # A smooth maximum is found to about sqrt(machine epsilon): the offer, and B's payoff
    # (first order in the offer, by quadrature of the CDF), to 1e-7; A's to 1e-12.
    assert close(a.offer, b.offer, 1e-7) and close(a.payoffs[:, 1], b.payoffs[:, 1], 1e-7)
    assert close(a.payoffs[:, 0], b.payoffs[:, 0], 1e-12)
    interior = b.regime == INTERIOR
    assert (a.regime[interior] == INTERIOR).all() and interior.sum() > 50


def test_numeric_uniform_path_matches_the_closed_form(rng):
    """Deal payoffs that are not affine in x as written (|1 - x| = 1 - x on the range)
    take the numeric path with the uniform law's exact CDF."""
    game = fearon(deal={"A": "sqrt((1 - x)**2)", "B": "x"})
    points = random_points(rng, 200)
    a, b = game.solve_batch(points), fearon().solve_batch(points)
    assert a.method.startswith("numeric") and game.closed_form is None
    assert close(a.offer, b.offer, 1e-7) and close(a.payoffs[:, 1], b.payoffs[:, 1], 1e-7)
    assert close(a.payoffs[:, 0], b.payoffs[:, 0], 1e-12)


def test_cdf_path_matches_scipy(rng):
    """A CDF with density 2(v - a)/(b - a)^2 (more resolved types likelier): per point,
    scipy's bounded Brent method on the same objective finds no better offer."""
    params = [*PARAMS, Param("k", 2, 0.5, 4)]
    cdf = {"cdf": "((v - (1 - p - cbar)) / cbar)**k", "support": ["1 - p - cbar", "1 - p"]}
    game = ScreeningGame(["A", "B"], cdf, "p - cA", params=params)
    points = {**random_points(rng, 40), "k": rng.uniform(0.5, 4, 40)}
    batch = game.solve_batch(points)
    for i in range(len(batch)):
        values = batch.point_values(i)

        def loss(x, values=values):
            return -brute_force(game, values, np.array([x]))[0]

        found = minimize_scalar(loss, bounds=(0, 1), method="bounded", options={"xatol": 1e-12})
        (r,) = batch.rows(i)
        assert batch.payoffs[r, 0] >= -found.fun - 1e-12
        assert abs(batch.payoffs[r, 0] + loss(batch.offer[r])) <= 1e-12
        assert abs(batch.offer[r] - found.x) <= 1e-5
    verify(game, batch, np.linspace(0, 1, 2001))


def test_numeric_path_atoms_ties_and_certain_war():
    """A CDF with two atoms (the two types above as a formula): the same offers, the tie
    at q = 3/7 as two rows; a war that pays more than any deal: certain war, offer NaN."""
    params = [Param("q", 0.5, 0, 1), Param("w", 0.1, -1, 1)]
    cdf = {"cdf": "where(v < 0.2, 0, where(v < 0.6, q, 1))", "support": [0, 1]}
    game = ScreeningGame(["A", "B"], cdf, "w", params=params)
    batch = game.solve_batch({"q": [0.8, 0.4, 3 / 7, 0.5], "w": [0.1, 0.1, 0.1, 0.95]})
    frame = batch.to_frame()
    assert frame["point"].tolist() == [0, 1, 2, 2, 3]
    assert close(frame["offer"], [0.2, 0.6, 0.2, 0.6, np.nan], 1e-11)
    assert close(frame["u_A"], [0.66, 0.4, 0.4, 0.4, 0.95], 1e-11)
    assert batch.ties.tolist() == [False, False, True, True]
    assert frame["regime"].iloc[-1] == REGIMES[CERTAIN_WAR]
    assert close(
        frame["u_B"], [0.28, 0.6, 3 / 7 * 0.2 + 4 / 7 * 0.6, 0.6, 0.5 * 0.2 + 0.5 * 0.6], 1e-9
    )


def test_finite_types_with_a_risk_averse_responder():
    """B values a share x as sqrt(x): type v accepts x >= v^2. q = 0.8: offering 0.04 pays
    0.8 * 0.96 + 0.2 * 0.1 = 0.788, offering 0.36 pays 0.64: A screens."""
    game = ScreeningGame(
        ["A", "B"],
        {"types": [0.2, 0.6], "probabilities": ["q", "1 - q"]},
        0.1,
        deal={"A": "1 - x", "B": "sqrt(x)"},
        params=[Param("q", 0.5, 0, 1)],
    )
    batch = game.solve_batch({"q": [0.8, 0.2]})
    assert batch.method == "types: thresholds by bisection"
    assert close(batch.offer, [0.04, 0.36], 1e-15)
    assert close(batch.payoffs[:, 0], [0.788, 0.64], 1e-15)
    verify(game, batch, np.r_[np.linspace(0, 1, 5001), 0.04, 0.36])


def test_finite_types_against_brute_force(rng):
    for trial in range(25):
        n = int(rng.integers(1, 5))
        values = np.round(rng.uniform(-0.2, 1.2, n), 3)
        weights = rng.uniform(0, 1, n) * (rng.random(n) > 0.2)
        weights = weights / weights.sum() if weights.sum() else np.full(n, 1 / n)
        war = f"{rng.uniform(-0.5, 0.8):.3f} + {rng.uniform(-0.5, 0.5):.3f}*v"
        game = ScreeningGame(
            ["A", "B"],
            {"types": list(values), "probabilities": list(weights)},
            war,
            offer=[float(np.round(rng.uniform(-0.3, 0.3), 3)), 1],
        )
        batch = game.solve_batch({})
        grid = np.r_[np.linspace(-0.3, 1, 13_001), values]
        grid = grid[(grid >= float(game.offer[0])) & (grid <= 1)]
        verify(game, batch, grid, 1e-12)
        best = brute_force(game, {}, grid)
        winners = grid[best >= best.max() - 1e-12]
        offers = batch.offer[~np.isnan(batch.offer)]
        assert set(np.round(offers, 9)) <= set(np.round(winners, 9)), trial


def test_maximize_reports_ties_and_refuses_what_it_cannot_certify():
    def two_peaks(x, cols):
        return -np.minimum((x - 0.25) ** 2, (x - 0.75) ** 2)

    found = maximize(two_peaks, np.zeros(1), np.ones(1), np.full(1, 1e-12))
    assert close(found.x, [0.25, 0.75], 1e-9) and found.ties.all() and (found.gap == 0).all()

    def spike(x, cols):  # a spike between two grid offers, 1e-2 from the maximum
        return -((x - 0.3) ** 2) + 10.0 * (np.abs(x - 0.31) < 1e-9)

    found = maximize(spike, np.zeros(1), np.ones(1), np.full(1, 1e-12))
    assert found.gap[0] > 9 and found.beaten_at[0] == pytest.approx(0.31)


# -- the qualitative results ---------------------------------------------------------------


def test_complete_information_has_peace_whenever_war_is_costly():
    """One type (a degenerate law: uniform with low = high, or a single type): the
    bargaining range [1 - p - cB, 1 - p + cA] is non-empty whenever cA + cB > 0, and A
    offers B its war payoff (or 0, the lowest offer), so war never happens. Where war
    costs nothing, A is indifferent between that deal and war (two rows, flagged); where
    war pays (negative costs), there is no bargaining range and war is certain."""
    params = [Param("p", 0.5, 0, 1), Param("cA", 0.1, -1, 1), Param("cB", 0.1, -1, 1)]
    axes = (np.linspace(0, 1, 11), np.linspace(0, 0.5, 6), np.linspace(0, 0.5, 6))
    p, ca, cb = (g.ravel() for g in np.meshgrid(*axes))
    costly = ca + cb > 0
    p, ca, cb = p[costly], ca[costly], cb[costly]
    one_type = {"types": ["1 - p - cB"], "probabilities": [1]}
    for reservation in ({"uniform": ["1 - p - cB"] * 2}, one_type):
        game = ScreeningGame(["A", "B"], reservation, "p - cA", params=params)
        batch = game.solve_batch({"p": p, "cA": ca, "cB": cb})
        assert len(batch.point) == len(p) and (batch.p_war == 0).all()
        assert close(batch.offer, np.maximum(1 - p - cb, 0))
        assert (batch.payoffs[:, 0] >= p - ca).all() and (batch.payoffs[:, 1] >= 1 - p - cb).all()
        costless = game.solve_batch({"p": [0.5], "cA": [0.0], "cB": [0.0]}).to_frame()
        assert close(costless["offer"], [0.5, np.nan]) and costless["ties"].all()
        assert close(costless["u_A"], [0.5, 0.5]) and close(costless["p_war"], [0, 1])
        war = game.solve_batch({"p": [0.5], "cA": [-0.2], "cB": [-0.1]})
        assert war.p_war.tolist() == [1.0] and np.isnan(war.offer[0]) and war.ties[0]


def test_private_information_trades_peace_for_a_better_deal():
    """B's cost uniform on [0, cbar]: A risks war, P(war) = (cbar - cA) / (2 cbar) > 0,
    for every cA < cbar, and more the cheaper war is for A; its expected payoff beats the
    safe offer that every type accepts (1 - b = p)."""
    game = fearon()
    ca = np.linspace(0, 0.5, 51)
    for p, cbar in ((0.5, 0.3), (0.3, 0.2), (0.7, 0.25)):
        batch = game.solve_batch({"cA": ca, "p": p, "cbar": cbar})
        risky = ca < cbar - 1e-12
        assert (batch.p_war[risky] > 0).all() and (batch.p_war[~risky] == 0).all()
        assert close(batch.p_war[risky], ((cbar - ca) / (2 * cbar))[risky])
        assert (np.diff(batch.p_war) <= 1e-15).all()  # falls as A's cost of war rises
        assert (batch.payoffs[risky, 0] > p + 1e-12).all()
        assert close(batch.payoffs[~risky, 0], p)


# -- every optimal offer verified; a batch is its points -----------------------------------

coefficient = st.floats(-1, 1).map(lambda x: round(x, 3))


@SETTINGS
@given(
    st.sampled_from(["uniform", "types", "cdf"]),
    st.floats(0, 1),
    st.floats(0, 0.6),
    st.floats(0.01, 0.6),
    st.sampled_from([("1 - x", "x"), ("x", "1 - x"), ("2 - 2*x", "x"), ("1 - x", "sqrt(x)")]),
)
def test_every_optimal_offer_is_verified_and_batches_equal_points(law, p, ca, cbar, deal):
    reservation = {
        "uniform": UNIFORM,
        "types": {
            "types": ["1 - p - cbar", "1 - p - cbar/2", "1 - p"],
            "probabilities": [0.3, 0.3, 0.4],
        },
        "cdf": {"cdf": "sqrt((v - (1 - p - cbar)) / cbar)", "support": ["1 - p - cbar", "1 - p"]},
    }[law]
    game = fearon(reservation=reservation, deal=dict(zip("AB", deal)))
    points = {"p": [p, 0.5, p], "cA": [ca, 0.1, 0.3], "cbar": [cbar, 0.3, cbar]}
    batch = game.solve_batch(points)
    offers = np.linspace(0, 1, 2001)
    extra = batch.offer[~np.isnan(batch.offer)]
    verify(game, batch, np.r_[offers, extra], 1e-9)
    frame = batch.to_frame()
    for i in range(3):
        one = game.solve(**{k: v[i] for k, v in points.items()}).to_frame()
        mine = frame[frame["point"] == i].drop(columns=["point"]).reset_index(drop=True)
        assert np.allclose(one["offer"], mine["offer"], equal_nan=True, atol=1e-12)
        assert np.allclose(one["u_A"], mine["u_A"], atol=1e-12)


def test_the_type_made_indifferent_accepts_the_offer_as_a_float():
    """p = cbar = 0.4294...: the middle type's v = 1 - 1.5 p, and the offer x = 1 - v
    that makes it indifferent rounds to one where 1 - x is a unit in the last place
    below v; the offer reported is the nearest float that it does accept. (It ties
    with the offer only the lowest type accepts.)"""
    p = 0.42945087299876505
    reservation = {
        "types": ["1 - p - cbar", "1 - p - cbar/2", "1 - p"],
        "probabilities": [0.3, 0.3, 0.4],
    }
    game = fearon(reservation=reservation, deal={"A": "x", "B": "1 - x"})
    values = {"p": p, "cA": 0.0, "cbar": p}
    batch = game.solve_batch({k: [v] for k, v in values.items()})
    assert batch.ties[0] and len(batch.offer) == 2  # (A loses nothing by war: cA = 0)
    assert 1 - batch.offer.min() >= 1 - p - p / 2  # the middle type accepts the generous one
    at = brute_force(game, values, batch.offer)
    np.testing.assert_allclose(at, batch.payoffs[:, 0], rtol=0, atol=1e-15)


def test_chunks_and_grid_option_give_the_same_offers(rng):
    cdf = {"cdf": "((v - (1 - p - cbar)) / cbar)**2", "support": ["1 - p - cbar", "1 - p"]}
    game = fearon(reservation=cdf)
    points = random_points(rng, 60)
    a = game.solve_batch(points)
    b = game.solve_batch(points, chunk_size=7, grid=101)
    assert close(a.offer, b.offer, 1e-7) and close(a.payoffs[:, 1], b.payoffs[:, 1], 1e-7)
    assert close(a.payoffs[:, 0], b.payoffs[:, 0], 1e-12)
    with pytest.raises(ModelError, match="expected a whole number of offers >= 3"):
        game.solve_batch({}, grid=2)


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'uniform = ["1 - p - cB_high", "1 - p - cB_low"]',
            'uniform = ["1 - p - cB_low", "1 - p - cB_high"]',
            r"bad.toml: game.reservation.uniform: at point 0 \(p=0.5, cA=0.1, cB_low=0, "
            r"cB_high=0.3\) the support is inverted: low 0.5, high 0.2",
        ),
        (
            'reservation = { uniform = ["1 - p - cB_high", "1 - p - cB_low"] }',
            'reservation = { cdf = "1 - v", support = [0, 1] }',
            r"bad.toml: game.reservation.cdf: at point 0 \(.*\) the CDF decreases from 1 at v = 0 ",
        ),
        (
            'reservation = { uniform = ["1 - p - cB_high", "1 - p - cB_low"] }',
            'reservation = { cdf = "sin(v)", support = [0, 1] }',
            r"bad.toml: game.reservation.cdf: unknown function 'sin'",
        ),
        (
            'reservation = { uniform = ["1 - p - cB_high", "1 - p - cB_low"] }',
            'reservation = { cdf = "2*v", support = [0, 1] }',
            r"bad.toml: game.reservation.cdf: at point 0 \(.*\) the CDF is 1.0\d* at v = 0.5\d*: "
            r"expected a value in \[0, 1\]",
        ),
        (
            'reservation = { uniform = ["1 - p - cB_high", "1 - p - cB_low"] }',
            'reservation = { cdf = "where(v < 0.5, 2*v, 1.5 - v)", support = [0, 1] }',
            r"bad.toml: game.reservation.cdf: at point 0 \(.*\) the CDF decreases from 0.99\d* "
            r"at v = 0.50\d*",
        ),
        (
            'reservation = { uniform = ["1 - p - cB_high", "1 - p - cB_low"] }',
            "reservation = { types = [0.1, 0.4], probabilities = [0.5, 0.6] }",
            r"bad.toml: game.reservation.probabilities: at point 0 \(.*\) the probabilities "
            "sum to 1.1, expected 1",
        ),
        (
            'players = ["A", "B"]',
            'players = ["A", "B"]\noffer = ["0.6", "cA"]',
            r"bad.toml: game.offer: at point 0 \(.*\) the offer range is empty: low 0.6 > high 0.1",
        ),
        (
            'war = { A = "p - cA", B = "v" }',
            'war = { A = "p - cA", B = "1 - p - v" }',
            r"bad.toml: game.war.B: the responder's war payoff is its reservation value v",
        ),
        (
            'war = { A = "p - cA", B = "v" }',
            'war = { A = "p - cA*v*v" }',
            r"bad.toml: game.war.A: with a uniform reservation value the proposer's war payoff "
            r"must be affine in v",
        ),
        (
            'players = ["A", "B"]',
            'players = ["A", "B"]\ndeal = { A = "1 + x", B = "x" }',
            r"bad.toml: game.deal: at point 0 \(.*\) the deal payoffs do not conflict",
        ),
        (
            'players = ["A", "B"]',
            'players = ["A", "B"]\ndeal = { A = "1 - x", B = "(x - 0.5)**2" }',
            r"bad.toml: game.deal.B: at point 0 \(.*\) the responder's deal payoff is not "
            "strictly monotone",
        ),
        (
            'reservation = { uniform = ["1 - p - cB_high", "1 - p - cB_low"] }',
            "reservation = { uniform = [0, 1], probabilities = [1] }",
            r"bad.toml: game.reservation: a uniform law takes uniform; unknown \['probabilities'\]",
        ),
    ],
)
def test_errors_name_the_file_and_the_key(old, new, message):
    text = FEARON.replace(old, new)
    assert text != FEARON
    with pytest.raises((ModelError, FormulaError), match=message):
        loads_model(text, "bad.toml")


def test_errors_at_a_point_of_a_sweep_name_the_point():
    model = loads_model(FEARON, "fearon.toml")
    with pytest.raises(
        ModelError,
        match=(
            r"fearon.toml: game.reservation.uniform: at point 2 \(p=0.5, cA=0.1, cB_low=0.4, "
            r"cB_high=0.3\) the support is inverted"
        ),
    ):
        bargain.sweep(model, {"cB_low": [0, 0.2, 0.4]}, progress=False)


def test_the_maximiser_that_cannot_certify_says_so():
    """A deal payoff with a spike narrower than the grid, 0.01 above the optimal offer 0.4:
    the nested grids cannot see it, the check against nearby offers does."""
    game_args = {"deal": {"A": "1 - x + 10*where(abs(x - 0.41) < 1e-7, 1, 0)", "B": "x"}}
    with pytest.raises(
        ModelError,
        match=(
            r"game\.reservation\.uniform: at point 0 \(p=0.5, cA=0.1, cbar=0.3\) the maximiser "
            r"cannot certify the optimal offer: the offer 0\.41\d* beats the best found, 0\.4\d*"
        ),
    ):
        fearon(**game_args)


def test_construction_errors():
    with pytest.raises(ModelError, match=r"params\.v: the screening form names"):
        ScreeningGame(["A", "B"], {"uniform": [0, 1]}, 0, params=[Param("v", 0)])
    with pytest.raises(ModelError, match=r"game\.players: expected the proposer and the responder"):
        ScreeningGame(["A", "B", "C"], {"uniform": [0, 1]}, 0)
    with pytest.raises(ModelError, match="must be free of v"):
        ScreeningGame(["A", "B"], {"cdf": "v", "support": [0, 1]}, "v/2")
    with pytest.raises(ModelError, match="expected one of uniform"):
        ScreeningGame(["A", "B"], {"normal": [0, 1]}, 0)
    with pytest.raises(ModelError, match="expected one of uniform"):
        ScreeningGame(["A", "B"], [0, 1], 0)
    with pytest.raises(ModelError, match="one probability per type"):
        ScreeningGame(["A", "B"], {"types": [0.1, 0.2], "probabilities": [1]}, 0)
    with pytest.raises(FormulaError, match="unknown name 'v'"):
        ScreeningGame(["A", "B"], {"uniform": [0, "v"]}, 0)
    with pytest.raises(ModelError, match=r"game\.war: expected the proposer's war payoff"):
        ScreeningGame(["A", "B"], {"uniform": [0, 1]}, {"B": "v"})


# -- the protocol: Model, sweep, threshold, model files, command line ----------------------


def test_model_sweep_and_threshold():
    model = loads_model(FEARON, "fearon.toml")
    assert isinstance(model.game, form_class("screening"))
    result = bargain.sweep(model, bargain.grid(cA=bargain.linspace(0, 0.4, 5)), progress=False)
    frame = result.to_frame()
    assert close(frame["offer"], [0.35, 0.4, 0.45, 0.5, 0.5])
    assert close(frame["p_war"], [0.5, 1 / 3, 1 / 6, 0, 0], 1e-12)
    assert frame["regime"].tolist()[:2] == ["interior", "interior"]
    assert frame["regime"].iloc[-1] == REGIMES[NO_WAR]
    flip = bargain.threshold(model, "cA", "p_war", (0, 0.5), level=1e-9)
    assert flip.value == pytest.approx(0.3, abs=1e-6)
    by_regime = bargain.threshold(model, "cA", "regime", (0, 0.5))
    assert by_regime.value == pytest.approx(0.3, abs=1e-6) and by_regime.below == "interior"
    with_measure = bargain.Model(model.game, {"premium": "1 - offer - (p - cA)"}, grid=101)
    premium = bargain.sweep(with_measure, {"cA": [0.1]}, progress=False).to_frame()["premium"]
    assert premium.tolist() == pytest.approx([0.2])
    assert set(model.game.measure_names()) == {
        *model.game.solve_batch({}).measure_columns(),
        "n_equilibria",
    }


def test_model_file_round_trip():
    for old, new in [
        ("", ""),
        (
            'players = ["A", "B"]',
            'players = ["A", "B"]\npie = 2\noffer = [0, "2*p"]\ndeal = { A = "2 - x", B = "x" }',
        ),
        (
            'uniform = ["1 - p - cB_high", "1 - p - cB_low"]',
            'types = ["1 - p - cB_high", "1 - p - cB_low"], probabilities = [0.25, 0.75]',
        ),
        (
            'uniform = ["1 - p - cB_high", "1 - p - cB_low"]',
            'cdf = "(v - (1 - p - cB_high))/(cB_high - cB_low)", '
            'support = ["1 - p - cB_high", "1 - p - cB_low"]',
        ),
    ]:
        text = FEARON.replace(old, new) if old else FEARON
        if "cdf" in new:
            text = text.replace('war = { A = "p - cA", B = "v" }', 'war = { A = "p - cA" }')
        model = loads_model(text, "fearon.toml")
        written = dumps_model(model)
        again = loads_model(written, "again.toml")
        assert again.fingerprint() == model.fingerprint() and dumps_model(again) == written
        assert (again.solve().to_frame()["u_A"] == model.solve().to_frame()["u_A"]).all()
    assert "[game.reservation]" in written and "cdf = " in written and "pie" not in written


def test_solution_objects():
    game = fearon()
    solution = game.solve()
    (best,) = solution
    assert repr(solution).startswith("ScreeningSolution(offer 0.4: P(war) 0.3333")
    assert solution.closed_form is game.closed_form
    assert solution.as_dict()["offer"] == [best.offer]
    assert best.as_dict()["deal"] == pytest.approx(2 / 3)
    batch = fearon(offer=[0.2, 0.6]).solve_batch({"cA": [0.1, 0.4]})
    assert "2 points" in repr(batch) and "1 with a risk of war" in repr(batch)
    # A: deals 0.4 to 0.8, war p - cA; B: deals 0.2 to 0.6, war v in [0.2, 0.5].
    assert close(batch.payoff_range, [[0.4, 0.4], [0.7, 0.4]])
    assert "uniform reservation value" in repr(game)


def test_command_line(tmp_path):
    path = tmp_path / "fearon.toml"
    path.write_text(FEARON)
    runner = CliRunner()
    done = runner.invoke(main, ["solve", str(path), "--format", "json"])
    assert done.exit_code == 0, done.output
    (row,) = json.loads(done.stdout)["equilibria"]
    assert row["offer"] == pytest.approx(0.4) and row["regime"] == "interior"
    done = runner.invoke(
        main, ["sweep", str(path), "-g", "cA=0:0.4:3", "--columns", "cA,offer,p_war"]
    )
    assert done.exit_code == 0, done.output
    rows = [list(map(float, line.split(","))) for line in done.stdout.splitlines()[1:4]]
    assert np.allclose(rows, [[0, 0.35, 0.5], [0.2, 0.45, 1 / 6], [0.4, 0.5, 0]])
    done = runner.invoke(
        main, ["threshold", str(path), "cA", "--measure", "regime", "--between", "0", "0.5"]
    )
    assert done.exit_code == 0 and "0.3" in done.stdout
    done = runner.invoke(main, ["solve", str(path), "-O", "tie_break=all"])
    assert done.exit_code == 2 and "ScreeningGame takes grid" in done.stderr
