"""Closed forms of the screening form (``ScreeningGame.derive``): Fearon's offer under
uniform uncertainty worked by hand, its comparative statics by the implicit-function
theorem on the first-order condition equal to the derivatives of the closed form,
the corners and the convex case, finite types, and every case held against the
numeric solver at seeded random points (see ``test_derive_bargaining``)."""

from __future__ import annotations

import pytest
import sympy

from bargain.bargaining.screening import REGIMES
from bargain.errors import ModelError
from bargain.games.screening import ScreeningGame
from bargain.params import Param
from tests.test_derive_bargaining import check_against_numeric, check_boundary

S = sympy.Symbol
INTERIOR, NO_WAR, CERTAIN_WAR, LOWEST, HIGHEST = REGIMES


def fearon(**params: tuple[float, float, float]) -> ScreeningGame:
    """A offers B a share x of 1; war gives A p - cA and B 1 - p - cB, cB uniform on
    [0, cbar] (B's reservation value uniform on [1 - p - cbar, 1 - p])."""
    bounds = {"p": (0.5, 0.2, 0.8), "cA": (0.1, 0, 0.3), "cbar": (0.3, 0.05, 0.5)} | params
    return ScreeningGame(
        ["A", "B"],
        {"uniform": ["1 - p - cbar", "1 - p"]},
        "p - cA",
        params=[Param(k, *v) for k, v in bounds.items()],
    )


def cases(derivation, label):
    return [c for c in derivation.cases if c.label == label]


def test_fearon_offer_worked_by_hand():
    """A maximises U(x) = F(x) (1 - x) + (1 - F(x)) (p - cA) with
    F(x) = (x - (1 - p - cbar)) / cbar: U'(x) = 0 gives
    1 - x - (x - 1 + p + cbar) - (p - cA) = 0, i.e. x* = 1 - p - (cbar - cA)/2, and war
    comes with probability 1 - F(x*) = (cbar - cA) / (2 cbar). Interior iff
    cA < cbar (else B's best war payoff 1 - p is offered: no risk of war) and
    x* >= 0 (else the lowest offer)."""
    game = fearon()
    derivation = game.derive()
    assert derivation.exclusive
    assert [c.label for c in derivation.cases] == [LOWEST, NO_WAR, INTERIOR]
    (interior,) = cases(derivation, INTERIOR)
    p, c_a, cbar = S("p"), S("cA"), S("cbar")
    offer = 1 - p - (cbar - c_a) / 2
    assert sympy.simplify(interior.values["offer"] - offer) == 0
    assert sympy.simplify(interior.values["p_war"] - (cbar - c_a) / (2 * cbar)) == 0
    assert sympy.simplify(interior.values["deal"] - (cbar + c_a) / (2 * cbar)) == 0
    # A's payoff: p + (cbar - cA)**2 / (4 cbar): its share of the peace plus a risk premium
    assert sympy.simplify(interior.values["u_A"] - (p + (cbar - c_a) ** 2 / (4 * cbar))) == 0
    at = {p: sympy.Rational(1, 2), c_a: sympy.Rational(1, 10), cbar: sympy.Rational(3, 10)}
    assert interior.values["offer"].xreplace(at) == sympy.Rational(2, 5)
    assert interior.values["p_war"].xreplace(at) == sympy.Rational(1, 3)
    # where the interior holds: cA < cbar and x* in the offer range [0, 1]
    assert sympy.simplify(interior.where.xreplace(at)) is sympy.true
    assert not interior.where.xreplace({**at, c_a: sympy.Rational(3, 10)})
    (peace,) = cases(derivation, NO_WAR)
    assert peace.values["offer"] == 1 - p and peace.values["p_war"] == 0
    assert peace.values["u_A"] == p
    check_against_numeric(game, derivation)
    # cA = cbar: the first-order condition's root is B's best war payoff 1 - p, which the
    # solver offers (no risk of war, not an interior offer)
    check_boundary(game, derivation, {"p": 0.5, "cA": 0.25, "cbar": 0.25}, NO_WAR)
    # x* = 0, the lowest offer: the interior case holds on its edge
    check_boundary(game, derivation, {"p": 0.75, "cA": 0.0, "cbar": 0.5}, INTERIOR)


def test_the_offer_by_the_implicit_function_theorem():
    """dx*/dθ = -F_θ / F_x on the first-order condition F = 0, at the closed form,
    equals the derivative of the closed form, for every parameter."""
    game = fearon()
    (interior,) = cases(game.derive(), INTERIOR)
    foc = interior.implicit["offer"]
    x = S("offer")
    closed = interior.values["offer"]
    assert sympy.simplify(foc.xreplace({x: closed})) == 0
    for name in ("p", "cA", "cbar"):
        theta = S(name)
        ift = (-sympy.diff(foc, theta) / sympy.diff(foc, x)).xreplace({x: closed})
        assert sympy.simplify(ift - sympy.diff(closed, theta)) == 0, name
    assert sympy.diff(closed, S("cA")) == sympy.Rational(1, 2)  # a costlier war: a better offer


def interdependent() -> ScreeningGame:
    """B's private value v uniform on [a, a + wid]; A's war payoff w0 + k v (k < -2
    makes A's payoff convex); x is A's demand (B gets 1 - x, so B's payoff falls in x);
    the offer range [lo, 1] may bind."""
    return ScreeningGame(
        ["A", "B"],
        {"uniform": ["a", "a + wid"]},
        {"A": "w0 + k*v"},
        deal={"A": "x", "B": "1 - x"},
        offer=["lo", "1"],
        params=[
            Param("a", 0.2, 0, 0.5),
            Param("wid", 0.3, 0.05, 0.5),
            Param("w0", 0.3, 0, 1),
            Param("k", 0, -4, 1),
            Param("lo", 0.1, 0, 0.6),
        ],
    )


def test_interdependent_values_convex_case_and_bounds():
    game = interdependent()
    derivation = game.derive()
    assert not derivation.exclusive  # where A's payoff is convex, the two ends may tie
    labels = {c.label for c in derivation.cases}
    # B's payoff falls in x: the offer range binds at A's lowest demand x = lo
    assert labels == {INTERIOR, NO_WAR, CERTAIN_WAR, LOWEST}
    (interior,) = cases(derivation, INTERIOR)
    a, wid, w0, k, x = S("a"), S("wid"), S("w0"), S("k"), S("offer")
    # B's payoff r = 1 - x; the first-order condition in r gives r = (1 + a - w0) / (2 + k)
    assert sympy.simplify(interior.values["offer"] - (1 - (1 + a - w0) / (2 + k))) == 0
    foc, closed = interior.implicit["offer"], interior.values["offer"]
    for theta in (a, wid, w0, k):
        ift = (-sympy.diff(foc, theta) / sympy.diff(foc, x)).xreplace({x: closed})
        assert sympy.simplify(ift - sympy.diff(closed, theta)) == 0, theta
    check_against_numeric(game, derivation, n_case=4)


def two_types() -> ScreeningGame:
    """Reservation 1/5 with probability q, 3/5 otherwise; war worth 1/10 to A."""
    return ScreeningGame(
        ["A", "B"],
        {"types": ["1/5", "3/5"], "probabilities": ["q", "1 - q"]},
        "1/10",
        params=[Param("q", 0.5, 0, 1)],
    )


def test_two_types_screen_iff_q_above_three_sevenths():
    """Offering 0.2 pays 0.1 + 0.7 q, offering 0.6 pays 0.4: A screens iff q >= 3/7
    (at q = 3/7 both offers are optimal and both cases hold)."""
    game = two_types()
    derivation = game.derive()
    (screen,) = cases(derivation, INTERIOR)
    (peace,) = cases(derivation, NO_WAR)
    q = S("q")
    assert sympy.simplify(screen.values["u_A"] - (sympy.Rational(1, 10) + 7 * q / 10)) == 0
    assert sympy.simplify(screen.values["p_war"] - (1 - q)) == 0
    assert sympy.simplify(screen.values["offer"] - sympy.Rational(1, 5)) == 0
    assert sympy.simplify(peace.values["u_A"] - sympy.Rational(2, 5)) == 0
    tie = {q: sympy.Rational(3, 7)}
    assert screen.where.xreplace(tie) and peace.where.xreplace(tie)
    assert len(game.solve_batch({"q": [3 / 7]}).point) == 2  # two rows at the tie
    assert not screen.where.xreplace({q: sympy.Rational(2, 5)})
    check_against_numeric(game, derivation)


def test_types_whose_order_depends_on_the_parameters():
    """Two types with values v1, v2 in [0, 1]: each order of the values (and of the
    offer range's ends) gives its cases; a lowest offer above the smallest value binds."""
    game = ScreeningGame(
        ["A", "B"],
        {"types": ["v1", "v2"], "probabilities": ["q", "1 - q"]},
        "w",
        offer=["lo", "1"],
        params=[
            Param("v1", 0.2, 0, 1),
            Param("v2", 0.6, 0, 1),
            Param("q", 0.5, 0, 1),
            Param("w", 0.1, 0, 0.5),
            Param("lo", 0.1, 0, 0.3),
        ],
    )
    derivation = game.derive()
    labels = [c.label for c in derivation.cases]
    assert {INTERIOR, NO_WAR, LOWEST} <= set(labels)
    check_against_numeric(game, derivation, n_case=3)


def test_one_type_is_complete_information():
    """a = b: the responder is one type; the proposer offers its reservation value a
    where the deal beats war (1 - a >= w), else certain war."""
    game = ScreeningGame(
        ["A", "B"],
        {"uniform": ["a", "a"]},
        "w",
        params=[Param("a", 0.4, 0, 1), Param("w", 0.3, 0, 1)],
    )
    derivation = game.derive()
    (peace,) = cases(derivation, NO_WAR)
    assert peace.values["offer"] == S("a")
    (war,) = cases(derivation, CERTAIN_WAR)
    assert "offer" not in war.values and war.values["u_A"] == S("w")
    check_against_numeric(game, derivation)


def test_what_is_not_derivable_says_what_is():
    cdf = ScreeningGame(
        ["A", "B"],
        {"cdf": "v**2", "support": [0, 1]},
        "0.2",
    )
    with pytest.raises(ModelError, match="affine in x with a uniform or finite"):
        cdf.derive()
    concave = ScreeningGame(
        ["A", "B"], {"uniform": [0.1, 0.5]}, "0.2", deal={"A": "1 - x", "B": "sqrt(x)"}
    )
    with pytest.raises(ModelError, match="not affine in x"):
        concave.derive()
    turning = ScreeningGame(
        ["A", "B"],
        {"uniform": [0.1, 0.5]},
        "0.2",
        deal={"A": "s*(1 - x)", "B": "s*x"},
        params=[Param("s", 1, -1, 1)],
    )
    with pytest.raises(ModelError, match="may change sign"):
        turning.derive()


def test_a_bad_option_gives_the_solvers_message():
    game = fearon()
    with pytest.raises(ModelError) as solving:
        game.solve_batch({}, grid=2)
    with pytest.raises(ModelError) as deriving:
        game.derive(grid=2)
    assert str(deriving.value) == str(solving.value)
    game.derive(grid=64)  # a valid option changes nothing
