"""Closed forms of the bargaining protocols (``BargainingGame.derive``): the textbook
formulas (Rubinstein's shares and their comparative statics, the Nash and
Kalai–Smorodinsky solutions on a linear frontier, Baron–Ferejohn, breakdown risk,
outside options, Ståhl's finite horizon) worked by hand, and every case held
against the numeric solver at seeded random points: inside its conditions the
solver reports its label with the same measures, and at every point of the box
the cases that hold are exactly the regimes the solver reports.

:func:`check_against_numeric` is shared with ``test_derive_screening``.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy

from bargain.algebra import Derivation, box_of, settle, truth_at
from bargain.errors import ModelError
from bargain.games.bargaining import BargainingGame
from bargain.games.form import GameForm
from bargain.params import Param

S = sympy.Symbol
RTOL, ATOL = 1e-9, 1e-12


# -- the numeric check, shared with test_derive_screening --------------------------------------


def _points(game: GameForm, rng: np.random.Generator, n: int) -> list[dict]:
    """n random points of the box, as exact rationals (the floats the solver gets)."""
    box = box_of(game.params)
    lows = np.array([box[S(name)][0] for name in game.params.names])
    highs = np.array([box[S(name)][1] for name in game.params.names])
    draws = lows + (highs - lows) * rng.random((n, len(lows)))
    return [
        {S(name): sympy.Rational(float(x)) for name, x in zip(game.params.names, row)}
        for row in draws
    ]


def _inside(case, game: GameForm, pool: list[dict], n: int) -> list[dict]:
    """Up to n points of the pool where the case's conditions hold: found in floats,
    then decided exactly (``truth_at``)."""
    symbols = [S(name) for name in game.params.names]
    test = sympy.lambdify(symbols, case.where, "numpy")
    columns = [np.array([float(p[s]) for p in pool]) for s in symbols]
    with np.errstate(all="ignore"):
        hits = np.flatnonzero(np.broadcast_to(test(*columns), (len(pool),)))
    exact = (pool[i] for i in hits if truth_at(case.where, pool[i]))
    return list(itertools.islice(exact, n))


def _value(expr: sympy.Basic, point: dict) -> float:
    return float(sympy.sympify(expr).xreplace(point).evalf(30))


def _agrees(case, row: int, columns: dict, point: dict) -> bool:
    """The case's measures equal the numeric row's (to RTOL)."""
    return all(
        np.isclose(columns[k][row], _value(v, point), rtol=RTOL, atol=ATOL)
        for k, v in case.values.items()
    )


def check_against_numeric(
    game: GameForm, derivation: Derivation, seed: int = 0, n_box: int = 40, n_case: int = 5
) -> None:
    """The derivation against ``game.solve_batch`` at seeded random points.

    - Every case: at up to ``n_case`` points of the box where its conditions
      hold (rejection sampling among 4000 random points, decided exactly by
      ``truth_at``) the solver reports a row with its label and measures.
      Each case must get a point.
    - At ``n_box`` other points of the box: every row the solver reports is
      matched by a case that holds there (label and measures), and every case
      that holds there labels a row (outside its conditions a case's regime is
      not reported, unless another case with that label holds); for exclusive
      derivations exactly one case holds.
    """
    rng = np.random.default_rng(seed)
    pool = _points(game, rng, 4000)
    names = game.params.names

    def solve(points: list[dict]):
        batch = game.solve_batch({k: [float(p[S(k)]) for p in points] for k in names})
        return batch, batch.regimes()[0], batch.measure_columns()

    for case in derivation.cases:
        inside = _inside(case, game, pool, n_case)
        assert inside, f"no random point meets the conditions of {case.label}: {case.where}"
        batch, labels, columns = solve(inside)
        for i, point in enumerate(inside):
            rows = np.flatnonzero(batch.point == i)
            assert any(
                labels[r] == case.label and _agrees(case, r, columns, point) for r in rows
            ), (case.label, point, [labels[r] for r in rows], dict(case.values))
    box_points = _points(game, rng, n_box)
    batch, labels, columns = solve(box_points)
    for i, point in enumerate(box_points):
        holding = [c for c in derivation.cases if truth_at(c.where, point)]
        if derivation.exclusive:
            assert len(holding) == 1, (point, [c.label for c in holding])
        rows = np.flatnonzero(batch.point == i)
        for r in rows:
            assert any(c.label == labels[r] and _agrees(c, r, columns, point) for c in holding), (
                point,
                labels[r],
                [c.label for c in holding],
            )
        reported = {labels[r] for r in rows}
        assert {c.label for c in holding} <= reported, (point, reported)


def check_boundary(game: GameForm, derivation: Derivation, point: dict, label: str) -> None:
    """At a point on a boundary between regimes (numbers exact in binary, so the solver's
    floats sit on it too), the cases holding are those of the solver's tie rule: the
    regime ``label`` alone, as the solver reports."""
    exact = {S(k): sympy.Rational(v) for k, v in point.items()}
    holding = [c.label for c in derivation.cases if truth_at(c.where, exact)]
    assert holding == [label], holding
    batch = game.solve_batch({k: [v] for k, v in point.items()})
    assert list(batch.regimes()[0]) == [label]


# -- models -----------------------------------------------------------------------------------


def rubinstein() -> BargainingGame:
    return BargainingGame(
        "alternating_offers",
        ["A", "B"],
        {"delta1": "delta1", "delta2": "delta2"},
        params=[Param("delta1", 0.9, 0.05, 0.95), Param("delta2", 0.9, 0.05, 0.95)],
    )


def breakdown() -> BargainingGame:
    """Breakdown risk and disagreement payoffs large enough that there may be no deal."""
    return BargainingGame(
        "alternating_offers",
        ["US", "Iran"],
        {
            "delta1": "delta1",
            "delta2": "delta2",
            "breakdown": "p",
            "disagreement": ["d1", "d2"],
            "pie": "pie",
        },
        params=[
            Param("delta1", 0.95, 0.5, 1),
            Param("delta2", 0.9, 0.5, 1),
            Param("p", 0.1, 0.05, 1),
            Param("d1", 0.2, 0, 1),
            Param("d2", 0.1, 0, 1),
            Param("pie", 1, 0.5, 1.5),
        ],
    )


def nash(frontier="1 - u1", low: float = 0.0, **arguments) -> BargainingGame:
    return BargainingGame(
        "nash_solution",
        ["A", "B"],
        {"frontier": frontier, "disagreement": ["d1", "d2"], "power": "alpha", **arguments},
        params=[
            Param("d1", 0.2, low, 0.4),
            Param("d2", 0.1, low, 0.4),
            Param("alpha", 0.5, 0, 1),
        ],
    )


def case_of(derivation: Derivation, label: str):
    (case,) = [c for c in derivation.cases if c.label == label]
    return case


# -- textbook results -------------------------------------------------------------------------


def test_rubinstein_shares_and_their_comparative_statics():
    game = rubinstein()
    derivation = game.derive()
    assert [c.label for c in derivation.cases] == ["deal"] and derivation.exclusive
    (case,) = derivation.cases
    assert case.conditions == ()  # a deal everywhere in the bounds
    d1, d2 = S("delta1"), S("delta2")
    u_a, u_b = case.values["u_A"], case.values["u_B"]
    assert sympy.simplify(u_a - (1 - d2) / (1 - d1 * d2)) == 0
    assert sympy.simplify(u_b - d2 * (1 - d1) / (1 - d1 * d2)) == 0
    assert u_a.xreplace({d1: sympy.Rational(9, 10), d2: sympy.Rational(9, 10)}) == sympy.Rational(
        10, 19
    )  # 0.1 / 0.19
    # a share rises with its own player's patience: sympy finds the derivatives and the
    # bounds decide their sign
    box = box_of(game.params)
    own_a, own_b = sympy.diff(u_a, d1), sympy.diff(u_b, d2)
    assert sympy.simplify(own_a - d2 * (1 - d2) / (1 - d1 * d2) ** 2) == 0
    assert sympy.simplify(own_b - (1 - d1) / (1 - d1 * d2) ** 2) == 0
    assert settle(own_a > 0, box) is True
    assert settle(own_b > 0, box) is True
    other = sympy.factor(sympy.diff(u_a, d2))  # -(1 - delta1) / (1 - delta1 delta2)**2
    assert settle(other < 0, box) is True  # and falls with the other's
    check_against_numeric(game, derivation)


def test_nash_solution_on_a_linear_frontier():
    d1, d2, alpha = S("d1"), S("d2"), S("alpha")
    game = nash()
    (case,) = game.derive().cases
    assert case.label == "deal" and case.conditions == ()
    # u1 = d1 + alpha (1 - d1 - d2) on u1 + u2 = 1: with d = (0.2, 0.1), 0.55 and 0.76
    assert sympy.simplify(case.values["u_A"] - (d1 + alpha * (1 - d1 - d2))) == 0
    assert sympy.simplify(case.values["u_B"] - (1 - d1 - alpha * (1 - d1 - d2))) == 0
    at = {d1: sympy.Rational(1, 5), d2: sympy.Rational(1, 10)}
    assert case.values["u_A"].xreplace({**at, alpha: sympy.Rational(1, 2)}) == sympy.Rational(
        11, 20
    )
    assert case.values["u_A"].xreplace({**at, alpha: sympy.Rational(4, 5)}) == sympy.Rational(
        19, 25
    )
    # u2 = 2 - 2 u1 as a formula or two points: u1 = (1 - alpha) d1 + alpha (2 - d2) / 2
    expected = (1 - alpha) * d1 + alpha * (2 - d2) / 2
    for frontier in ("2 - 2*u1", [[0, 2], [1, 0]]):
        (case,) = nash(frontier).derive().cases
        assert sympy.simplify(case.values["u_A"] - expected) == 0
    check_against_numeric(game, game.derive())


def test_nash_solution_where_a_bound_of_the_frontier_binds():
    """With d1 < 0 the Nash product's maximum may lie left of the frontier's domain
    (u1 >= 0): the solution is then its end, a piece of the one case."""
    game = nash(low=-1.0)
    (case,) = game.derive().cases
    u_a = case.values["u_A"]
    assert isinstance(u_a, sympy.Piecewise)
    d1, d2, alpha = S("d1"), S("d2"), S("alpha")
    left = {d1: -1, d2: sympy.Rational(1, 5), alpha: sympy.Rational(1, 10)}  # u1* = -0.82
    assert u_a.xreplace(left) == 0
    inside = {d1: sympy.Rational(-1, 5), d2: sympy.Rational(1, 5), alpha: sympy.Rational(1, 2)}
    assert u_a.xreplace(inside) == sympy.Rational(3, 10)
    check_against_numeric(game, game.derive(), seed=1)


def test_kalai_smorodinsky_on_a_linear_frontier():
    """On u1 + u2 = 1 the ideal point is (1 - d2, 1 - d1) and KS splits the surplus
    equally: u1 = d1 + (1 - d1 - d2) / 2 (the symmetric Nash solution)."""
    game = BargainingGame(
        "kalai_smorodinsky",
        ["A", "B"],
        {"frontier": "1 - u1", "disagreement": ["d1", "d2"]},
        params=[Param("d1", 0.2, 0, 0.4), Param("d2", 0.1, 0, 0.4)],
    )
    (case,) = game.derive().cases
    d1, d2 = S("d1"), S("d2")
    assert sympy.simplify(case.values["u_A"] - (d1 + (1 - d1 - d2) / 2)) == 0
    check_against_numeric(game, game.derive())
    # on 2 - 3 u1 with negative disagreement payoffs the ideal point meets the domain's ends
    wide = BargainingGame(
        "kalai_smorodinsky",
        ["A", "B"],
        {"frontier": "2 - 3*u1", "disagreement": ["d1", "d2"]},
        params=[Param("d1", 0.2, -1, 0.4), Param("d2", 0.1, -1, 0.4)],
    )
    derivation = wide.derive()
    assert isinstance(derivation.cases[0].values["u_A"], sympy.Piecewise)
    check_against_numeric(wide, derivation, seed=2)


def test_ultimatum_deal_and_no_deal():
    game = BargainingGame(
        "ultimatum",
        ["A", "B"],
        {"disagreement": ["d1", "d2"]},
        params=[Param("d1", 0.2, 0, 1), Param("d2", 0.1, 0, 1)],
    )
    derivation = game.derive()
    deal, none = case_of(derivation, "deal"), case_of(derivation, "no deal")
    d1, d2 = S("d1"), S("d2")
    assert deal.values == {"u_A": 1 - d2, "u_B": d2, "deal": 1}
    assert none.values == {"u_A": d1, "u_B": d2, "deal": 0}
    # a proposer indifferent between the deal and none makes the deal (pie = d1 + d2)
    boundary = {d1: sympy.Rational(1, 2), d2: sympy.Rational(1, 2)}
    assert truth_at(deal.where, boundary) and not truth_at(none.where, boundary)
    assert game.solve(d1=0.5, d2=0.5).deal
    check_against_numeric(game, derivation)


def test_breakdown_risk_deal_and_no_deal():
    """Rubinstein with breakdown risk (Binmore, Rubinstein and Wolinsky 1986): a deal
    where pie (1 - a1)(1 - a2) >= p d1 (1 - a2) + p d2 (1 - a1), else the values of
    never agreeing p d_i / (1 - a_i); with delta_i = 1, x1 = d1 + (pie - d1 - d2)/(2 - p)."""
    game = breakdown()
    derivation = game.derive()
    assert [c.label for c in derivation.cases] == ["deal", "no deal"]
    deal = case_of(derivation, "deal")
    p, d1, d2, pie = S("p"), S("d1"), S("d2"), S("pie")
    one = {S("delta1"): 1, S("delta2"): 1}
    brw = d1 + (pie - d1 - d2) / (2 - p)
    assert sympy.simplify(deal.values["u_US"].xreplace(one) - brw) == 0
    none = case_of(derivation, "no deal")
    a1 = (1 - p) * S("delta1")
    assert sympy.simplify(none.values["u_US"] - p * d1 / (1 - a1)) == 0
    check_against_numeric(game, derivation)
    # pie = d1 + d2 with delta_i = 1: the sides are equal, and an indifferent proposer deals
    edge = {"delta1": 1.0, "delta2": 1.0, "p": 0.5, "d1": 0.5, "d2": 0.5, "pie": 1.0}
    check_boundary(game, derivation, edge, "deal")


def test_outside_options_three_pieces():
    """The outside option principle: x1 = min(pie - w2, max((1 - a2) pie + a2 w1, x1*))
    (p = 0), one case whose shares are Piecewise over which option binds."""
    game = BargainingGame(
        "alternating_offers",
        ["A", "B"],
        {"delta1": "delta", "delta2": "delta", "outside_options": ["w1", "w2"]},
        params=[Param("delta", 0.9, 0.5, 0.95), Param("w1", 0, 0, 0.5), Param("w2", 0, 0, 0.5)],
    )
    (case,) = game.derive().cases
    u_a = case.values["u_A"]
    assert isinstance(u_a, sympy.Piecewise) and len(u_a.args) == 3
    delta, w1, w2 = S("delta"), S("w1"), S("w2")
    nine = sympy.Rational(9, 10)
    # with delta = 0.9 a responder's continuation value is 0.9 * 10/19 = 0.4737:
    # w2 = 0.3 changes nothing, w2 = 0.5 binds (x1 = 1 - w2), w1 = 0.6 binds for 1
    assert u_a.xreplace({delta: nine, w1: 0, w2: sympy.Rational(3, 10)}) == sympy.Rational(10, 19)
    assert u_a.xreplace({delta: nine, w1: 0, w2: sympy.Rational(1, 2)}) == sympy.Rational(1, 2)
    assert u_a.xreplace({delta: nine, w1: sympy.Rational(3, 5), w2: 0}) == sympy.Rational(16, 25)
    assert u_a.xreplace({delta: nine, w1: 0, w2: 0}) == sympy.Rational(10, 19)
    check_against_numeric(game, game.derive())


def test_finite_horizon():
    """Ståhl: T = 3 with delta for both gives x1 = 1 - delta + delta**2 (0.91 at 0.9)."""
    game = BargainingGame(
        "alternating_offers",
        ["A", "B"],
        {"delta1": "delta", "delta2": "delta", "horizon": 3},
        params=[Param("delta", 0.9, 0, 1)],
    )
    (case,) = game.derive().cases
    delta = S("delta")
    assert sympy.expand(case.values["u_A"] - (1 - delta + delta**2)) == 0
    check_against_numeric(game, game.derive())
    even = BargainingGame(
        "alternating_offers",
        ["A", "B"],
        {"delta1": "delta1", "delta2": "delta2", "horizon": 4, "breakdown": "p"},
        params=[Param("delta1", 0.9, 0, 1), Param("delta2", 0.8, 0, 1), Param("p", 0.1, 0, 1)],
    )
    check_against_numeric(even, even.derive())


def test_baron_ferejohn():
    """Equal recognition: the proposer keeps 1 - delta (q - 1)/n (0.7 for n = 3,
    delta = 0.9), each partner gets delta / n."""
    game = BargainingGame(
        "baron_ferejohn",
        ["A", "B", "C"],
        {"n": 3, "delta": "delta"},
        params=[Param("delta", 0.9, 0, 1)],
    )
    (case,) = game.derive().cases
    delta = S("delta")
    assert case.values["u_proposer"] == 1 - delta / 3
    assert case.values["u_partner"] == delta / 3
    unanimity = BargainingGame(
        "baron_ferejohn",
        ["A", "B", "C", "D", "E"],
        {"n": 5, "delta": "delta", "quota": 5, "pie": "pie"},
        params=[Param("delta", 0.9, 0, 0.99), Param("pie", 2, 1, 3)],
    )
    (case,) = unanimity.derive().cases
    assert sympy.simplify(case.values["u_proposer"] - S("pie") * (1 - 4 * delta / 5)) == 0
    check_against_numeric(game, game.derive())
    check_against_numeric(unanimity, unanimity.derive())


# -- limits and errors ------------------------------------------------------------------------


def test_what_is_not_derivable_says_what_is():
    curved = BargainingGame(
        "nash_solution",
        ["A", "B"],
        {"frontier": "sqrt(1 - u1)", "power": "alpha"},
        params=[Param("alpha", 0.5, 0, 1)],
    )
    with pytest.raises(ModelError, match="linear frontier"):
        curved.derive()
    polygon = BargainingGame(
        "kalai_smorodinsky", ["A", "B"], {"frontier": [[0, 1], [0.8, 0.6], [1, 0]]}
    )
    with pytest.raises(ModelError, match="3 vertices"):
        polygon.derive()
    unequal = BargainingGame(
        "baron_ferejohn",
        ["A", "B", "C"],
        {"n": 3, "delta": 0.9, "recognition": ["r", 0.3, "0.7 - r"]},
        params=[Param("r", 0.2, 0, 0.4)],
    )
    with pytest.raises(ModelError, match="equal recognition"):
        unequal.derive()
    delayed = BargainingGame(
        "alternating_offers",
        ["A", "B"],
        {"delta1": 0.9, "delta2": 0.9, "horizon": 3, "disagreement": ["d", "d"]},
        params=[Param("d", 0.2, 0, 1)],
    )
    with pytest.raises(ModelError, match="pie >= d1 \\+ d2"):
        delayed.derive()
    options = BargainingGame(
        "alternating_offers",
        ["A", "B"],
        {"delta1": 0.9, "delta2": 0.9, "horizon": 3, "outside_options": [0, "w"]},
        params=[Param("w", 0.2, 0, 0.5)],
    )
    with pytest.raises(ModelError, match="finite horizon and outside options"):
        options.derive()


def test_a_bad_option_gives_the_solvers_message():
    game = rubinstein()
    with pytest.raises(ModelError) as solving:
        game.solve_batch({}, grid=4)
    with pytest.raises(ModelError) as deriving:
        game.derive(grid=4)
    assert str(deriving.value) == str(solving.value)
    assert "\n" not in str(deriving.value)
