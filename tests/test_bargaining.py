"""Bargaining protocols: closed forms from the cited papers with worked numbers,
closed form against numeric solution, the infinite game against long finite games,
the Binmore–Rubinstein–Wolinsky limit, and batches against points."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from bargain import bargaining
from bargain.errors import BargainError, FormulaError, ModelError, ParamError

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
unit = st.floats(0, 1)
share = st.floats(0, 0.45)


def close(a, b, tol=1e-12):
    return np.allclose(a, b, rtol=0, atol=tol)


# -- ultimatum ---------------------------------------------------------------------------


def test_ultimatum_worked_example():
    r = bargaining.ultimatum(pie=1.0, disagreement=(0.2, 0.3))
    assert close(r.shares, [0.7, 0.3]) and r.deal
    r = bargaining.ultimatum(pie=1.0, disagreement=(0.8, 0.3))
    assert close(r.shares, [0.8, 0.3]) and not r.deal
    assert bargaining.ultimatum().closed_form == (1, 0)
    assert bargaining.ultimatum(pie=2.0).closed_form == (sympy.Symbol("pie"), 0)


def test_ultimatum_is_the_one_period_game(rng):
    pie, d1, d2 = rng.uniform(0.5, 2, 50), rng.uniform(0, 1, 50), rng.uniform(0, 1, 50)
    u = bargaining.ultimatum(pie=pie, disagreement=(d1, d2))
    a = bargaining.alternating_offers(0.5, 0.7, horizon=1, disagreement=(d1, d2), pie=pie)
    assert close(u.shares, a.shares) and (u.deal == a.deal).all()
    assert close(u.closed_form_values(), u.shares)
    assert u.deal.sum() not in (0, 50)  # both regimes covered


# -- Rubinstein and the finite horizon ---------------------------------------------------


def test_rubinstein_worked_examples():
    r = bargaining.alternating_offers([0.9, 0.9, 0.5], [0.9, 0.8, 0])
    assert close(r.shares[0], [10 / 19, 0.2 / 0.28, 1.0])
    assert close(r.shares.sum(axis=0), 1) and r.deal.all()
    delta1, delta2 = sympy.symbols("delta1 delta2")
    x1, x2 = r.closed_form
    assert sympy.simplify(x1 - (1 - delta2) / (1 - delta1 * delta2)) == 0
    assert sympy.simplify(x1 + x2 - 1) == 0


def test_finite_horizon_worked_examples():
    # Ståhl: T = 1 ultimatum, T = 2 player 1 offers delta2, T = 3: 1 - delta2 (1 - delta1).
    r = bargaining.alternating_offers(0.9, 0.9, horizon=[1, 2, 3, 4])
    assert close(r.shares[0], [1, 0.1, 0.91, 0.1 + 0.9 * 0.9 * 0.1])
    # Without discounting the proposer in the last period takes everything.
    r = bargaining.alternating_offers(1, 1, horizon=[5, 6])
    assert close(r.shares, [[1, 0], [0, 1]])


def test_finite_horizon_closed_form_matches_backward_induction(rng):
    n = 400
    delta1, delta2 = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    p = np.where(rng.random(n) < 0.3, 0, rng.uniform(0, 1, n))
    d1, d2 = rng.uniform(0, 0.6, n), rng.uniform(0, 0.6, n)
    horizon = rng.integers(1, 80, n)
    r = bargaining.alternating_offers(
        delta1, delta2, horizon=horizon, breakdown=p, disagreement=(d1, d2), pie=1.3
    )
    assert r.deal.all() and close(r.closed_form_values(), r.shares, 1e-9)


def test_finite_horizon_closed_form_is_nan_outside_its_region():
    r = bargaining.alternating_offers(0.5, 0.5, horizon=3, disagreement=(0.7, 0.6))
    assert np.isnan(r.closed_form_values()).all()


def test_finite_horizon_converges_to_rubinstein():
    horizons = np.array([1, 2, 10, 11, 100, 101, 1000, 10_000])
    r = bargaining.alternating_offers(0.9, 0.8, horizon=horizons)
    limit = 0.2 / 0.28
    gap = np.abs(r.shares[0] - limit)
    assert (gap <= 0.72 ** ((horizons - 1) // 2) + 1e-15).all()
    assert gap[-1] < 1e-15 and (np.diff(gap[::2]) < 0).all()


def test_infinite_game_is_the_limit_of_finite_games(rng):
    """Stationary formulas (breakdown, disagreement, outside options) against exact
    backward induction of a long finite game, in deal and no-deal regions."""
    n = 150
    delta1, delta2 = rng.uniform(0, 0.95, n), rng.uniform(0, 0.95, n)
    p = np.where(rng.random(n) < 0.2, 0, rng.uniform(0, 1, n))
    d1, d2 = rng.uniform(0, 0.7, n), rng.uniform(0, 0.7, n)
    kwargs = dict(breakdown=p, disagreement=(d1, d2))
    horizon = 600 + np.arange(n) % 2  # q <= 0.95**2: within 1e-13 of the limit
    inf = bargaining.alternating_offers(delta1, delta2, **kwargs)
    fin = bargaining.alternating_offers(delta1, delta2, horizon=horizon, **kwargs)
    assert close(inf.shares, fin.shares, 1e-9) and (inf.deal == fin.deal).all()
    assert 0 < inf.deal.sum() < n
    assert close(inf.closed_form_values(), inf.shares, 1e-9)
    # Outside options where the infinite game is solved.
    w1, w2 = rng.uniform(-0.2, 0.6, n), rng.uniform(-0.2, 0.6, n)
    ok = (w1 + w2 <= 1) & ((p == 0) | (d1 + d2 <= 1))
    kwargs = dict(breakdown=p[ok], disagreement=(d1[ok], d2[ok]), outside_options=(w1[ok], w2[ok]))
    inf = bargaining.alternating_offers(delta1[ok], delta2[ok], **kwargs)
    fin = bargaining.alternating_offers(delta1[ok], delta2[ok], horizon=horizon[ok], **kwargs)
    assert close(inf.shares, fin.shares, 1e-9) and inf.deal.all() and fin.deal.all()
    assert close(inf.closed_form_values(), inf.shares, 1e-9)


# -- breakdown risk ----------------------------------------------------------------------


def test_breakdown_risk_worked_example():
    # delta = 1 (Muthoo 1999, ch. 4): x1 = d1 + (pie - d1 - d2) / (2 - p).
    r = bargaining.alternating_offers(1, 1, breakdown=0.5, disagreement=(0.3, 0.1))
    assert close(r.shares, [0.7, 0.3])
    p, d1, d2 = sympy.symbols("p d1 d2")
    x1 = r.closed_form[0].args[0][0]  # the agreement branch
    assert sympy.simplify(x1.subs({"delta1": 1, "delta2": 1}) - (d1 + (1 - d1 - d2) / (2 - p))) == 0
    # p = 1 is the ultimatum game; no deal when the sure breakdown payoffs exceed the pie.
    r = bargaining.alternating_offers(0.9, 0.9, breakdown=1, disagreement=([0.2, 0.6], 0.5))
    assert close(r.shares, [[0.5, 0.6], [0.5, 0.5]]) and r.deal.tolist() == [True, False]


@pytest.mark.parametrize(
    ("hazard", "rates", "d"),
    [(1.0, (0.0, 0.0), (0.2, 0.1)), (0.0, (0.1, 0.3), (0.0, 0.0)), (2.0, (0.5, 1.0), (0.3, 0.1))],
)
def test_binmore_rubinstein_wolinsky_limit_is_nash(hazard, rates, d):
    """As the time between offers shrinks, alternating offers with breakdown hazard
    ``lambda`` and discount rates ``r_i`` tend to the asymmetric Nash solution with
    disagreement point ``lambda d_i / (lambda + r_i)`` and powers proportional to
    ``1 / (lambda + r_i)`` (Binmore, Rubinstein and Wolinsky 1986)."""
    (r1, r2), (d1, d2) = rates, d
    dt = np.array([1e-2, 1e-3, 1e-4, 1e-5, 1e-6])
    game = bargaining.alternating_offers(
        np.exp(-r1 * dt), np.exp(-r2 * dt), breakdown=1 - np.exp(-hazard * dt), disagreement=d
    )
    point = (hazard * d1 / (hazard + r1), hazard * d2 / (hazard + r2))
    power = (hazard + r2) / (2 * hazard + r1 + r2)
    nash = bargaining.nash_solution("1 - u1", disagreement=point, power=power)
    gap = np.abs(game.shares - nash.shares[:, None]).max(axis=0)
    assert (np.diff(gap) < 0).all() and gap[-1] < 1e-5
    assert (gap <= 2 * (hazard + r1 + r2) * dt).all()


# -- outside options ---------------------------------------------------------------------


def test_outside_option_principle_regimes():
    rub = 10 / 19  # delta = 0.9: a proposer's Rubinstein share; a responder gets 0.9 * rub
    cases = {
        (0.0, 0.0): rub,  # no options
        (0.47, 0.47): rub,  # options below 0.9 * rub = 0.4737 do not matter
        (0.0, 0.6): 0.4,  # player 2's option binds: x1 = 1 - w2
        (0.6, 0.0): 0.1 + 0.9 * 0.6,  # player 1's binds: x1 = 1 - delta2 (1 - w1)
        (0.48, 0.5): 0.5,  # both bind
    }
    w1, w2 = np.array(list(cases)).T
    r = bargaining.alternating_offers(0.9, 0.9, outside_options=(w1, w2))
    assert close(r.shares[0], list(cases.values())) and r.deal.all()
    assert close(r.closed_form_values(), r.shares)
    assert sympy.Symbol("w2") in r.closed_form[0].free_symbols


@SETTINGS
@given(st.floats(0, 0.99), st.floats(0, 0.99), unit, unit)
def test_outside_options_matter_only_when_binding(delta1, delta2, s1, s2):
    """Options no better than what a responder gets by rejecting (delta_i times its
    Rubinstein share as proposer) leave the Rubinstein shares unchanged."""
    base = bargaining.alternating_offers(delta1, delta2)
    m1 = (1 - delta2) / (1 - delta1 * delta2)
    m2 = (1 - delta1) / (1 - delta1 * delta2)
    w = (s1 * delta1 * m1, s2 * delta2 * m2)
    with_options = bargaining.alternating_offers(delta1, delta2, outside_options=w)
    assert close(base.shares, with_options.shares, 1e-12)


def test_outside_options_beyond_the_bargaining_range():
    with pytest.raises(ParamError, match=r"w1 \+ w2 = 1.2 > pie = 1 at index 1.*finite horizon"):
        bargaining.alternating_offers(0.9, 0.9, outside_options=([0.5, 0.7], 0.5))
    r = bargaining.alternating_offers(0.9, 0.9, horizon=500, outside_options=(0.7, 0.5))
    assert close(r.shares, [0.7, 0.5]) and not r.deal and r.closed_form is None


# -- Nash and Kalai–Smorodinsky ----------------------------------------------------------


def test_nash_on_known_frontiers():
    r = bargaining.nash_solution("1 - u1")
    assert close(r.shares, [0.5, 0.5]) and r.closed_form == (sympy.Rational(1, 2),) * 2
    r = bargaining.nash_solution("1 - u1", disagreement=(0.2, 0.1), power=[0.5, 0.8, 0, 1])
    assert close(r.shares[0], [0.55, 0.76, 0.2, 0.9])
    r = bargaining.nash_solution("sqrt(1 - u1)")
    assert close(r.shares, [2 / 3, math.sqrt(1 / 3)])
    assert r.closed_form == (sympy.Rational(2, 3), sympy.sqrt(3) / 3)
    r = bargaining.nash_solution([(0, 1), (1, 0)], disagreement=(0.2, 0.1), power=0.8)
    assert close(r.shares, [0.76, 0.24]) and r.closed_form is None


def test_nash_closed_form_matches_numeric(rng):
    d1, d2, alpha = rng.uniform(0, 0.3, 20), rng.uniform(0, 0.3, 20), rng.uniform(0.05, 0.95, 20)
    r = bargaining.nash_solution("sqrt(1 - u1)", disagreement=(d1, d2), power=alpha)
    assert r.closed_form is not None and close(r.closed_form_values(), r.shares, 1e-9)
    assert sympy.Symbol("alpha") in r.closed_form[0].free_symbols


def test_nash_maximizes_the_nash_product(rng):
    """Against a brute-force grid, for a formula frontier and for a polygon frontier."""
    d1, d2, alpha = rng.uniform(0, 0.4, 8), rng.uniform(0, 0.3, 8), rng.uniform(0.05, 0.95, 8)
    grid = np.linspace(0, 1, 200_001)
    vertices = np.c_[grid[::20_000], np.sqrt(1 - grid[::20_000] ** 2)]
    formula = bargaining.nash_solution("sqrt(1 - u1**2)", (d1, d2), alpha, symbolic=False)
    polygon = bargaining.nash_solution(vertices, (d1, d2), alpha)
    for result, frontier in (
        (formula, np.sqrt(1 - grid**2)),
        (polygon, np.interp(grid, *vertices.T)),
    ):
        with np.errstate(invalid="ignore", divide="ignore"):
            product = (grid - d1[:, None]) ** alpha[:, None] * (frontier - d2[:, None]) ** (
                1 - alpha[:, None]
            )
        best = grid[np.nanargmax(np.where(grid >= d1[:, None], product, np.nan), axis=1)]
        assert close(result.shares[0], best, 1e-5)


def test_kalai_smorodinsky_differs_from_nash():
    golden = (math.sqrt(5) - 1) / 2
    r = bargaining.kalai_smorodinsky("sqrt(1 - u1)")
    assert close(r.shares, [golden, golden])
    assert r.closed_form == (sympy.sqrt(5) / 2 - sympy.Rational(1, 2),) * 2
    points = [(0, 1), (0.8, 0.6), (1, 0)]
    assert close(bargaining.kalai_smorodinsky(points).shares, [2 / 3, 2 / 3])
    assert close(bargaining.nash_solution(points).shares, [0.8, 0.6])
    # On a linear frontier with d = 0 both solutions agree.
    assert close(bargaining.kalai_smorodinsky("2 - 2*u1").shares, [0.5, 1])
    assert close(bargaining.nash_solution("2 - 2*u1").shares, [0.5, 1])


def test_kalai_smorodinsky_is_on_the_line_to_the_ideal_point(rng):
    d1, d2 = rng.uniform(-0.5, 0.5, 30), rng.uniform(-0.5, 0.5, 30)
    r = bargaining.kalai_smorodinsky("1 - u1**2", disagreement=(d1, d2))
    u1, u2 = r.shares
    ideal1, ideal2 = np.sqrt(1 - np.maximum(d2, 0)), 1 - np.maximum(d1, 0) ** 2
    assert close(u2, 1 - u1**2) and close((u1 - d1) * (ideal2 - d2), (u2 - d2) * (ideal1 - d1))
    r = bargaining.kalai_smorodinsky("1 - u1**2", disagreement=(np.abs(d1), np.abs(d2)))
    assert r.closed_form is not None and close(r.closed_form_values(), r.shares, 1e-9)


def test_frontier_from_points_is_the_upper_concave_hull():
    f = bargaining.Frontier.from_points(
        [(0.2, 0.2), (0, 1), (0.5, 0.5), (0.8, 0.6), (1, 0), (1, 0.1)]
    )
    assert f.vertices.tolist() == [[0, 1], [0.8, 0.6], [1, 0.1]]
    single = bargaining.nash_solution([(0.5, 0.5), (0.2, 0.2)])
    assert close(single.shares, [0.5, 0.5])


def test_frontier_errors():
    with pytest.raises(ParamError, match=r"no gain from agreement.*\(0.6, 0.5\) at index 1"):
        bargaining.nash_solution("1 - u1", disagreement=([0.1, 0.6], 0.5))
    with pytest.raises(ParamError, match="no gain"):
        bargaining.kalai_smorodinsky([(0, 1), (1, 0)], disagreement=(0.5, 0.5))
    with pytest.raises(ModelError, match="concave"):
        bargaining.nash_solution("(1 - u1)**2")
    with pytest.raises(ModelError, match="non-increasing"):
        bargaining.nash_solution("u1", domain=(0, 1))
    with pytest.raises(FormulaError, match="unknown name 'x'"):
        bargaining.nash_solution("1 - x")
    with pytest.raises(FormulaError):
        bargaining.nash_solution("__import__('os')")
    with pytest.raises(ModelError, match="pairs"):
        bargaining.nash_solution([1, 2, 3])
    with pytest.raises(ParamError, match=r"power must be in \[0, 1\], got 1.5"):
        bargaining.nash_solution("1 - u1", power=1.5)


# -- Baron–Ferejohn ----------------------------------------------------------------------


def test_baron_ferejohn_worked_examples():
    r = bargaining.baron_ferejohn(3, 0.9)  # 1 - 0.9 * 2 / 6 = 0.7; 0.9 / 3 = 0.3
    assert close(r.shares, [0.7, 0.3]) and close(r.values, 1 / 3)
    r = bargaining.baron_ferejohn(5, [0.5, 1.0])
    assert close(r.shares, [[0.8, 0.6], [0.1, 0.2]])
    delta, n = sympy.symbols("delta n")
    for size in (3, 5, 7, 9):  # Baron and Ferejohn (1989): 1 - delta (n - 1) / (2 n)
        proposer = r.closed_form[0].subs(n, size)
        assert sympy.simplify(proposer - (1 - delta * (size - 1) / (2 * size))) == 0


def test_baron_ferejohn_closed_form_matches_numeric(rng):
    for n in (2, 3, 4, 6, 9):
        for quota in (None, 1, n):
            delta = rng.uniform(0, 0.99, 10)
            r = bargaining.baron_ferejohn(n, delta, quota=quota, pie=2.0)
            assert close(r.closed_form_values(), r.shares, 1e-12)
            assert close(r.values, 2 / n)


def test_baron_ferejohn_unequal_recognition_known_cases():
    # Unanimity: nobody can be left out, so v = r (for delta < 1).
    r = bargaining.baron_ferejohn(3, 0.8, recognition=[0.2, 0.3, 0.5], quota=3)
    assert close(r.values, [0.2, 0.3, 0.5])
    # Dictatorship (quota 1) and delta = 0: the proposer keeps everything, v = r.
    for kwargs in ({"quota": 1, "delta": 0.7}, {"delta": 0.0}):
        r = bargaining.baron_ferejohn(n=3, recognition=[0.2, 0.3, 0.5], **kwargs)
        assert close(r.values, [0.2, 0.3, 0.5]) and close(r.shares, 1)
    # delta = 1: every value is 1 / n when r_i <= 1 / (n - q + 1) (Kawamori 2005) ...
    r = bargaining.baron_ferejohn(3, 1.0, recognition=[0.2, 0.3, 0.5])
    assert close(r.values, 1 / 3) and close(r.shares, 2 / 3)
    # ... but not when one player is recognized much more often.
    r = bargaining.baron_ferejohn(3, 1.0, recognition=[0.1, 0.1, 0.8])
    assert r.values[2] > 0.5 and close(r.values.sum(), 1)


def _sspe_violation(v, r, delta, q):
    """Least total violation (payoff units) of the stationary equilibrium conditions by
    any randomization of proposers over their cheapest partners: an LP independent of
    the solver's grouping of players."""
    n = len(v)
    pairs = [(k, j) for k in range(n) for j in range(n) if k != j]
    col = {pair: i for i, pair in enumerate(pairs)}
    m = len(pairs)
    cost = np.array([np.sort(np.delete(v, k))[: q - 1].sum() for k in range(n)])
    a_eq, b_eq, bounds = [], [], [(0, 1)] * m + [(0, None)] * n
    for k in range(n):
        row = np.zeros(m + n)
        row[[col[k, j] for j in range(n) if j != k]] = 1
        a_eq.append(row)
        b_eq.append(q - 1)
        marginal = np.sort(np.delete(v, k))[q - 2] if q > 1 else -np.inf
        for j in range(n):
            if j != k and v[j] > marginal + 1e-11:
                bounds[col[k, j]] = (0, 0)
            elif j != k and v[j] < marginal - 1e-11:
                bounds[col[k, j]] = (1, 1)
    a_ub, b_ub = [], []
    for j in range(n):
        row = np.zeros(m + n)
        for k in range(n):
            if k != j:
                row[col[k, j]] = delta * v[j] * r[k]
        row[m + j] = -1
        rhs = v[j] - r[j] * (1 - delta * cost[j])
        a_ub += [row, -row - 2 * np.eye(m + n)[m + j]]
        b_ub += [rhs, -rhs]
    res = linprog(
        np.r_[np.zeros(m), np.ones(n)], np.array(a_ub), b_ub, np.array(a_eq), b_eq, bounds
    )
    passing = np.maximum(delta * v - (1 - delta * cost), 0).sum()
    return (res.fun if res.status == 0 else np.inf) + passing


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_baron_ferejohn_unequal_recognition_is_a_stationary_equilibrium(data):
    n = data.draw(st.integers(2, 5))
    quota = data.draw(st.integers(1, n))
    weights = np.array(data.draw(st.lists(st.integers(0, 4), min_size=n, max_size=n)), float)
    if not weights.any():
        weights[:] = 1
    recognition = weights / weights.sum()
    delta = data.draw(st.floats(0, 0.95) | st.just(1.0))
    if delta == 1 and (quota == n or not recognition.all()):
        with pytest.raises(ParamError, match="not unique"):
            bargaining.baron_ferejohn(n, delta, recognition, quota=quota)
        return
    r = bargaining.baron_ferejohn(n, delta, recognition, quota=quota)
    assert close(r.values.sum(), 1)
    assert _sspe_violation(r.values, recognition, delta, quota) < 1e-7  # HiGHS tolerance
    cheapest = np.array([np.sort(np.delete(r.values, k))[: quota - 1].sum() for k in range(n)])
    assert close(r.shares, 1 - delta * cheapest)


# -- batches equal points ----------------------------------------------------------------


def _pointwise(fn, arrays, **fixed):
    """Stack ``fn`` called on each point of the 1-D ``arrays`` (a dict of lists)."""
    size = len(next(iter(arrays.values())))
    return np.stack(
        [fn(**{k: v[i] for k, v in arrays.items()}, **fixed).shares for i in range(size)], -1
    )


@SETTINGS
@given(
    st.lists(
        st.tuples(st.floats(0, 0.99), st.floats(0, 0.99), unit, share, share),
        min_size=1,
        max_size=5,
    ),
    st.integers(1, 30),
)
def test_alternating_offers_batch_equals_points(rows, horizon):
    delta1, delta2, p, d1, d2 = (np.array(c) for c in zip(*rows))
    horizons = horizon + np.arange(len(rows))

    def call(delta1, delta2, p, d1, d2, horizon=None):
        return bargaining.alternating_offers(
            delta1, delta2, horizon, breakdown=p, disagreement=(d1, d2)
        )

    arrays = {"delta1": delta1, "delta2": delta2, "p": p, "d1": d1, "d2": d2}
    batch = call(**arrays)
    assert batch.shares.shape == (2, len(rows))
    assert np.array_equal(batch.shares, _pointwise(call, arrays))
    batch = call(**arrays, horizon=horizons)
    assert np.array_equal(batch.shares, _pointwise(call, arrays | {"horizon": horizons}))


@settings(SETTINGS, max_examples=12)
@given(st.lists(st.tuples(share, share, unit), min_size=1, max_size=4))
def test_axiomatic_and_ultimatum_batches_equal_points(rows):
    d1, d2, alpha = (np.array(c) for c in zip(*rows))
    for frontier in ("sqrt(1 - u1)", [(0, 1), (0.8, 0.6), (1, 0)]):

        def nash(d1, d2, alpha, frontier=frontier):
            return bargaining.nash_solution(frontier, (d1, d2), alpha, symbolic=False)

        def ks(d1, d2, frontier=frontier):
            return bargaining.kalai_smorodinsky(frontier, (d1, d2), symbolic=False)

        arrays = {"d1": d1, "d2": d2}
        assert np.array_equal(
            nash(d1, d2, alpha).shares, _pointwise(nash, arrays | {"alpha": alpha})
        )
        assert np.array_equal(ks(d1, d2).shares, _pointwise(ks, arrays))

    def ultimatum(d1, d2):
        return bargaining.ultimatum(disagreement=(d1, d2))

    assert np.array_equal(ultimatum(d1, d2).shares, _pointwise(ultimatum, {"d1": d1, "d2": d2}))


@SETTINGS
@given(
    st.lists(
        st.tuples(st.floats(0, 0.99), st.floats(0.05, 1), st.floats(0.05, 1)),
        min_size=1,
        max_size=5,
    )
)
def test_baron_ferejohn_batch_equals_points(rows):
    delta, a, b = (np.array(c) for c in zip(*rows))
    recognition = np.stack([a, b, np.full_like(a, 0.3)]) / (a + b + 0.3)

    def call(delta, recognition):
        return bargaining.baron_ferejohn(3, delta, recognition)

    batch = call(delta, recognition)
    points = np.stack([call(delta[i], recognition[:, i]).values for i in range(len(rows))], -1)
    assert np.allclose(batch.values, points, rtol=0, atol=1e-15)
    assert np.allclose(
        batch.shares,
        _pointwise(call, {"delta": delta, "recognition": recognition.T}),
        rtol=0,
        atol=1e-15,
    )


# -- results and errors ------------------------------------------------------------------


def test_result_as_table():
    r = bargaining.alternating_offers([0.9, 0.8], 0.9, breakdown=0.1)
    frame = pd.DataFrame(r.as_dict())
    assert list(frame.columns) == [
        "pie",
        "delta1",
        "delta2",
        "p",
        "d1",
        "d2",
        "share_1",
        "share_2",
        "deal",
    ]
    assert frame.shape == (2, 9) and frame["delta1"].tolist() == [0.9, 0.8]
    single = bargaining.baron_ferejohn(3, 0.9, recognition=[0.2, 0.3, 0.5]).as_dict()
    assert pd.DataFrame(single).shape == (1, len(single)) and "value_3" in single
    assert "shares 1: 0.5263" in repr(bargaining.alternating_offers(0.9, 0.9))
    assert "at 2 points" in repr(r)
    with pytest.raises(ValueError, match="read-only"):
        r.shares[0, 0] = 1
    with pytest.raises(BargainError, match="no closed form"):
        bargaining.nash_solution([(0, 1), (1, 0)]).closed_form_values()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: bargaining.alternating_offers(1.2, 0.9), r"delta1 must be in \[0, 1\], got 1.2"),
        (lambda: bargaining.alternating_offers([0.9, -1], 0.9), "got -1 at index 1"),
        (lambda: bargaining.alternating_offers(0.9, 0.9, breakdown=2), "breakdown must be in"),
        (
            lambda: bargaining.alternating_offers(0.9, 0.9, horizon=2.5),
            "horizon must be an integer",
        ),
        (
            lambda: bargaining.alternating_offers(0.9, 0.9, horizon=0),
            "horizon must be an integer >= 1",
        ),
        (
            lambda: bargaining.alternating_offers(0.9, 0.9, disagreement=(-0.1, 0)),
            "d1 must be >= 0",
        ),
        (lambda: bargaining.alternating_offers(0.9, 0.9, disagreement=0), "must be a pair"),
        (lambda: bargaining.alternating_offers([0.9, 0.8], [0.1, 0.2, 0.3]), "cannot be broadcast"),
        (lambda: bargaining.alternating_offers(1, 1), "every split is an equilibrium"),
        (lambda: bargaining.alternating_offers(0.9, float("nan")), "must be finite"),
        (lambda: bargaining.alternating_offers("0.9", 0.9), "must be a real number"),
        (lambda: bargaining.ultimatum(pie=0), r"pie must be > 0"),
        (lambda: bargaining.baron_ferejohn(3, 0.9, [0.5, 0.5, 0.5]), "sum to 1, got 1.5"),
        (lambda: bargaining.baron_ferejohn(3, 0.9, [0.5, 0.5]), "n = 3 probabilities"),
        (lambda: bargaining.baron_ferejohn(3, 1.0, [0.5, 0.5, 0]), "not unique"),
        (
            lambda: bargaining.baron_ferejohn(3, 0.9, quota=4),
            r"quota must be an integer in \[1, 3\]",
        ),
        (lambda: bargaining.baron_ferejohn(1, 0.9), "n must be an integer >= 2"),
    ],
)
def test_bad_input_errors(call, message):
    with pytest.raises(ParamError, match=message):
        call()
