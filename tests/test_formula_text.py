"""Printing sympy expressions as formula text: parse(to_text(e)) gives back e."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bargain.errors import FormulaError
from bargain.files import parse_toml
from bargain.formula import canonical, compile_formulas, parse, to_text
from bargain.io import list_models, load_model
from tests.test_formula import FORMULAS as FORMULA_CASES

NAMES = ("a", "b", "c")
RNG = np.random.default_rng(11)
# Multiples of 1/4 (and 0): sums and products are exact, so comparisons do not flip.
ENV = {name: RNG.integers(-12, 13, size=60) / 4 for name in NAMES}

TYPICAL = [
    "relief * (1 - breakout)",
    "-relief",
    "1 - relief",
    "-2 * relief + 0.1",
    "relief / 3 - cost / 2",
    "relief ** 2 - cost ** -1",
    "relief ** 0.5 + sqrt(cost) + 1 / sqrt(cost)",
    "abs(relief) ** (1/3)",
    "exp(-relief) * log(1 + cost)",
    "min(relief, cost, 1) - max(0, relief - cost)",
    "where(relief > 0.5, relief, 0)",
    "where(relief > 0.5 and cost <= 1, 1, where(relief < 0.1 or cost == 2, 2, 3))",
    "where(not (relief > 0.5 and cost < 1), relief, cost)",
    "where(relief != cost, 1, 0) * 2",
    "relief < cost < 1",
    "relief >= 0.25 or not (cost > 1 and relief < 2)",
    "2 * where(cost > where(relief > 0, 1, 2), 1, 0)",
    "where(cost == where(relief > 0, 1, 2), 1, 0)",
    "0.1 + 0.2",
    "1e-300 * relief + 1e300",
    "12345678901234567890 * relief",
    "7/3",
    "2.0 * relief",
    "1 < 2",
    "1 > 2",
]


def evaluate(expr: sympy.Basic, names=NAMES, env=ENV) -> np.ndarray:
    values = compile_formulas(expr, names)(*(env[n] for n in names))
    return np.broadcast_to(values, env[names[0]].shape)


@pytest.mark.parametrize("text", TYPICAL)
def test_typical_formulas_come_back_the_same(text):
    names = ["relief", "cost", "breakout"]
    expr = parse(text, names)
    assert parse(to_text(expr), names) == expr
    assert sympy.srepr(parse(to_text(expr), names)) == sympy.srepr(expr)


def test_spelling():
    x, y = sympy.symbols("x y")
    assert to_text(sympy.Min(x, y)) == "min(x, y)"
    assert to_text(sympy.Abs(x)) == "abs(x)"
    assert to_text(sympy.Eq(x, 1)) == "x == 1"
    assert to_text(sympy.Ne(x, 1)) == "x != 1"
    assert to_text(sympy.And(x > 1, y < 2)) == "x > 1 and y < 2"
    assert to_text(sympy.Not(sympy.Or(x > 1, y < 2))) == "not (x > 1 or y < 2)"
    assert to_text(sympy.Or(sympy.And(x > 1, y > 1), y < 0)) == "y < 0 or (x > 1 and y > 1)"
    assert to_text(sympy.Float(0.1) * x) == "0.1*x"
    assert to_text(sympy.Rational(1, 3) * x) == "x/3"
    assert to_text(sympy.sqrt(x)) == "sqrt(x)"
    assert to_text(sympy.true) == "0 == 0"
    assert to_text(parse("-u_Iran + u_US", ["u_US", "u_Iran"])) == "u_US - u_Iran"


def test_python_api_expressions_come_back_equal():
    x, y = sympy.symbols("x y")
    flat = sympy.Piecewise((1, x > 0), (2, y > 0), (3, True))
    assert to_text(flat) == "where(x > 0, 1, where(y > 0, 2, 3))"
    nested = parse(to_text(flat), ["x", "y"])
    env = {"x": ENV["a"], "y": ENV["b"]}
    np.testing.assert_array_equal(
        evaluate(nested, ("x", "y"), env), evaluate(flat, ("x", "y"), env)
    )
    # Irrational constants become floats, as parse makes them.
    assert to_text(sympy.E * x + sympy.pi) == f"{float(sympy.E)!r}*x + {float(sympy.pi)!r}"
    assert parse(to_text(sympy.sqrt(2) * x), ["x"]) == parse("sqrt(2) * x", ["x"])


def test_floats_are_exact():
    for value in (0.1, 1 / 3, 2.0, -2.5e-300, 1.5e299):
        expr = sympy.Float(value) * sympy.Symbol("x")
        back = parse(to_text(expr), ["x"])
        assert back == expr and float(back.args[0]) == value


@pytest.mark.parametrize(
    ("expr", "message"),
    [
        (sympy.sin(sympy.Symbol("x")), "sin is not part of the formula language"),
        (sympy.oo * sympy.Symbol("x"), "is not part of the formula language"),
        (sympy.I * sympy.Symbol("x"), "ImaginaryUnit is not part of"),
        (sympy.Float("inf") + sympy.Symbol("x"), "is not"),
        (sympy.Piecewise((1, sympy.Symbol("x") > 0)), "no value where no condition holds"),
        (sympy.Integral(sympy.Symbol("x")), "Integral is not part of"),
    ],
)
def test_what_the_language_cannot_write(expr, message):
    with pytest.raises(FormulaError, match=message):
        to_text(expr)


def test_real_and_imaginary_parts_of_real_parameters():
    # sympy turns Abs(exp(x)) into exp(re(x)); parameters are real, so re(x) is x.
    a, b = sympy.symbols("a b")
    expr = sympy.Abs(sympy.exp(a)) + sympy.Abs(sympy.exp(b**2))
    assert expr.has(sympy.re)
    assert to_text(expr) == "exp(a) + exp(b**2)"
    np.testing.assert_allclose(evaluate(canonical(expr)), evaluate(expr))
    assert to_text(parse("abs(exp(a))", NAMES)) == "abs(exp(a))"  # parse builds as written


def test_canonical_is_a_fixed_point_of_printing_and_parsing():
    a, b, c = sympy.symbols("a b c")
    expr = sympy.Abs(3 * sympy.Abs(b)) + a - c  # sympy builds 3*Abs(b) + a - c, one sum
    once = parse(to_text(expr), NAMES)
    assert once != expr
    assert canonical(expr) == once
    assert parse(to_text(once), NAMES) == once
    parsed = parse("abs(3 * abs(b)) + abs(abs(a))", NAMES)
    assert canonical(parsed) == parsed


# -- random formulas ------------------------------------------------------------------------

DYADIC = ("0", "1", "2", "3", "0.5", "0.25", "2.5", "7/4", "-1")
UNARY = (
    "-{}",
    "abs({})",
    "exp(min({}, 3))",
    "log(1 + abs({}))",
    "sqrt(abs({}))",
    "abs({}) ** 0.5",
    "({}) ** 2",
    "({}) ** 3",
    "1 / (1 + abs({}))",
    "abs({}) ** (1/3)",
    "abs(exp(min({}, 2)))",
)
COMPARE = ("<", "<=", ">", ">=", "==", "!=")


LEAVES = st.sampled_from(NAMES + DYADIC)
NUMBERS = st.deferred(
    lambda: (
        LEAVES
        | st.builds(lambda a, op, b: f"({a}) {op} ({b})", NUMBERS, st.sampled_from("+-*"), NUMBERS)
        | st.builds(lambda t, a: t.format(a), st.sampled_from(UNARY), NUMBERS)
        | st.builds(
            lambda f, xs: f"{f}({', '.join(xs)})",
            st.sampled_from(["min", "max"]),
            st.lists(NUMBERS, min_size=2, max_size=3),
        )
        | st.builds(lambda c, a, b: f"where({c}, {a}, {b})", CONDITIONS, NUMBERS, NUMBERS)
    )
)
CONDITIONS = st.deferred(
    lambda: (
        st.builds(lambda a, op, b: f"{a} {op} {b}", NUMBERS, st.sampled_from(COMPARE), NUMBERS)
        | st.builds(
            lambda a, o1, b, o2, c: f"{a} {o1} {b} {o2} {c}",
            NUMBERS,
            st.sampled_from(COMPARE),
            NUMBERS,
            st.sampled_from(COMPARE),
            NUMBERS,
        )
        | st.builds(lambda c: f"not ({c})", CONDITIONS)
        | st.builds(
            lambda a, op, b: f"({a}) {op} ({b})",
            CONDITIONS,
            st.sampled_from(["and", "or"]),
            CONDITIONS,
        )
    )
)
TEXTS = NUMBERS | CONDITIONS | FORMULA_CASES.map(lambda case: case[0])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_random_formulas_round_trip(text):
    try:
        expr = parse(text, NAMES)
    except FormulaError:
        assume(False)
    back = parse(to_text(expr), NAMES)
    fixed = canonical(expr)
    assert parse(to_text(fixed), NAMES) == fixed
    if back != expr:  # equal values, built differently by sympy
        np.testing.assert_allclose(evaluate(back), evaluate(expr), rtol=1e-12, equal_nan=True)
        np.testing.assert_allclose(evaluate(fixed), evaluate(expr), rtol=1e-12, equal_nan=True)


# -- the bundled models ---------------------------------------------------------------------


def _formula_texts(data: dict) -> list[str]:
    game = data["game"]
    texts = [*data.get("measures", {}).values()]
    for rows in game.get("payoffs", {}).values():
        texts += [v for v in np.ravel(np.asarray(rows, dtype=object)) if isinstance(v, str)]
    for node in game.get("nodes", []):
        texts += [v for v in node.get("payoffs", {}).values() if isinstance(v, str)]
        texts += [p for p, _ in node.get("branches", {}).values() if isinstance(p, str)]
    return texts


@pytest.mark.parametrize("info", list_models(), ids=lambda info: info.name)
def test_every_formula_of_the_bundled_models_comes_back_the_same(info):
    model = load_model(info.name)
    names = [*model.game.params.names, *model.measures.builtin, *model.measures.outcomes]
    texts = _formula_texts(parse_toml(info.path.read_text(encoding="utf-8"), str(info.path)))
    assert texts
    for text in texts:
        expr = parse(text, names)
        assert sympy.srepr(parse(to_text(expr), names)) == sympy.srepr(expr), text
