"""bargain.algebra: enclosures, conditions settled on the bounds, signs, domains, budgets."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from bargain.algebra import (
    Condition,
    DerivationTimeout,
    box_of,
    boxes_of,
    decide_on,
    domain_conditions,
    enclose,
    make_case,
    settle,
    sign_of,
    step,
    time_budget,
    truth_at,
    witnesses,
)
from bargain.formula import parse
from bargain.params import Param, ParamSpace

a, b, c = sympy.symbols("a b c")
SPACE = ParamSpace([Param("a", 0.5, 0, 1), Param("b", 1, 0, 3), Param("c", 0, -1, 2)])
BOX = box_of(SPACE)


def test_box_of_bounds_and_unbounded():
    space = ParamSpace([Param("a", 0.5, 0, 1), Param("z", 0)])
    assert box_of(space) == {a: (0.0, 1.0), sympy.Symbol("z"): (-math.inf, math.inf)}


FORMULAS = [
    "a * b - c",
    "a / (1 + b)",
    "min(1, b * 12 / (1 + a)) * c",
    "max(a, c) - abs(c - b)",
    "exp(a) * log(1 + b)",
    "sqrt(b) - a ** 2",
    "where(a > 0.5, b, c)",
    "(a - c) ** 3 / (2 + b)",
]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(FORMULAS),
    st.floats(0, 1),
    st.floats(0, 3),
    st.floats(-1, 2),
)
def test_enclosure_holds_every_value(text, x, y, z):
    """The true value at any point of the box lies inside the enclosure."""
    expr = parse(text, ["a", "b", "c"])
    value = float(expr.evalf(subs={a: x, b: y, c: z}))
    (low,), (high,) = enclose(expr, boxes_of(BOX))
    assert low <= value <= high


def test_unknown_operations_enclose_to_everything():
    (low,), (high,) = enclose(sympy.sin(a), boxes_of(BOX))
    assert low == -math.inf and high == math.inf


def test_enclosures_round_outward():
    """0.1 + 0.2 is not 0.3 in floating point: the enclosure holds the exact sum."""
    (low,), (high,) = enclose(
        sympy.Rational(1, 10) + sympy.Rational(2, 10) + a, boxes_of({a: (0, 0)})
    )
    assert low < 0.3 < high or low <= 0.3 <= high


def test_settle_one_parameter_exactly():
    assert settle(a > -1, BOX) is True
    assert settle(a > 2, BOX) is False
    kept = settle(a > sympy.Rational(1, 2), BOX)
    assert isinstance(kept, Condition) and kept.status == "depends"
    # the bound a <= 1 itself is not repeated in the condition
    assert kept.expr == (a > sympy.Rational(1, 2))
    # a symbol without bounds (a linked value) gets no -oo < x in its condition
    x = sympy.Symbol("x")
    unbounded = settle(sympy.Lt(x * (x - 1), 0) | sympy.Lt(x, -2), BOX)
    assert isinstance(unbounded, Condition)
    assert not any(side.is_infinite for rel in unbounded.expr.atoms(sympy.Rel) for side in rel.args)


def test_settle_several_parameters_by_intervals():
    assert settle(a + b >= 0, BOX) is True
    assert settle(a * b - c > 5, BOX) is False
    kept = settle(a * b > c, BOX)
    assert isinstance(kept, Condition) and kept.status == "depends"


def test_never_dropped_on_sampled_evidence():
    """A condition true at every grid point but false on a sliver stays (depends or undecided)."""
    cond = (a - sympy.Rational(1, 3)) ** 2 + (b - sympy.Rational(1, 7)) ** 2 > sympy.Rational(
        1, 10**8
    )
    settled = settle(cond, BOX)
    assert isinstance(settled, Condition)
    assert settled.status == "undecided"


def test_decide_within_a_region():
    assert decide_on(a - b > 0, BOX) is None
    assert decide_on(a - b > 0, BOX, within=b < a - sympy.Rational(1, 10)) is True


def test_witnesses_are_exact_points():
    yes, no = witnesses(a * b > c, BOX)
    assert truth_at(a * b > c, yes) is True and truth_at(a * b > c, no) is False


def test_domain_kept_before_simplifying():
    x_over_x = parse("a / a + b", ["a", "b"])
    assert sympy.Ne(a, 0) in domain_conditions(x_over_x)
    case = make_case("r", [b > 1], {"v": x_over_x}, SPACE)
    assert case.values["v"] == b + 1  # simplified ...
    assert [d.expr for d in case.domain] == [a > 0]  # ... where it holds (a in [0, 1])


def test_make_case_drops_what_always_holds_and_refuses_the_impossible():
    case = make_case("r", [a >= 0, a * b > c], {"v": a}, SPACE)
    assert [str(k.expr) for k in case.conditions] == ["a*b > c"]
    assert case.feasible == "shown"
    assert make_case("r", [a > 2], {"v": a}, SPACE) is None
    # each condition possible, not together
    assert make_case("r", [a > sympy.Rational(3, 4), a < sympy.Rational(1, 4)], {}, SPACE) is None


def test_signs():
    d1, d2 = sympy.symbols("d1 d2")
    space = box_of(ParamSpace([Param("d1", 0.9, 0, 0.99), Param("d2", 0.9, 0, 0.99)]))
    share = (1 - d2) / (1 - d1 * d2)  # Rubinstein (1982): the first mover's share
    assert sign_of(sympy.diff(share, d2), space).name == "negative"
    assert sign_of(sympy.diff(share, d1), space).name == "nonnegative"  # 0 at d2 = 0
    assert sign_of(sympy.Integer(0), space).name == "zero"
    depends = sign_of(d1 - d2, space)
    assert depends.name == "depends" and depends.positive_where == (d1 > d2)
    assert sign_of(d1 - d2, space, d1 > d2 + sympy.Rational(1, 10)).name == "positive"


def test_time_budget_names_the_step():
    with (
        pytest.raises(DerivationTimeout, match="while counting forever"),
        time_budget(0.2),
        step("counting forever"),
    ):
        end = time.monotonic() + 10
        while time.monotonic() < end:
            pass


def test_time_budget_stops_a_long_sympy_call():
    """sympy work of several seconds is stopped at the budget, with the step named (a
    loop of growing factorisations, about 5 s here, not one hard call: sympy may give up
    on a hard call before any budget ends)."""
    x = sympy.Symbol("x")
    start = time.monotonic()
    with (
        pytest.raises(DerivationTimeout, match="simplifying"),
        time_budget(0.5),
        step("simplifying"),
    ):
        for k in range(30, 70):
            sympy.factor(sympy.expand((x + k) ** k - (x - 1) ** k))
    assert 0.5 <= time.monotonic() - start < 5


def test_no_budget_no_alarm():
    with time_budget(None):
        assert np.isfinite(1.0)


def test_nested_budgets_stop_the_inner_and_keep_the_outer(monkeypatch):
    """A factorisation that runs long is given up after FACTOR_SECONDS (the sign is read
    without it); an outer derivation budget still runs, with the time it had left."""
    import time

    import sympy

    from bargain.algebra import budget, signs

    def endless(expr):
        while True:
            time.sleep(0.001)

    monkeypatch.setattr(signs, "FACTOR_SECONDS", 0.05)
    monkeypatch.setattr(signs.sympy, "factor", endless)
    x = sympy.Symbol("x")
    assert signs._factored(x**2 - 1) == []
    start = time.monotonic()
    with pytest.raises(budget.DerivationTimeout) as outer_timeout, budget.time_budget(0.3) as outer:
        assert signs._factored(x**2 - 1) == []  # the inner budget, not the outer
        while True:
            time.sleep(0.001)
    assert outer_timeout.value.budget is outer
    assert 0.25 < time.monotonic() - start < 2
    with pytest.raises(budget.DerivationTimeout) as first, budget.time_budget(0.05) as short:
        signs._factored(x**2 - 1)  # the outer budget ends first: its timeout goes up
    assert first.value.budget is short
