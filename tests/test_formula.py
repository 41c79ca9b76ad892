"""Tests of bargain.formula: the safe formula parser and the vectorized compiler."""

from __future__ import annotations

import contextlib
import functools
import time

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from bargain.errors import FormulaError
from bargain.formula import MAX_DEPTH, MAX_LENGTH, compile_formulas, free_names, parse, parser
from bargain.params import Param, ParamSpace

NAMES = ("a", "b", "c")
RNG = np.random.default_rng(7)
# Multiples of 1/4: sums and products of a few of them are exact in float64.
ENV = {name: RNG.integers(-12, 13, size=40) / 4 for name in NAMES}


def evaluate(text: str, names=NAMES, env=ENV) -> np.ndarray:
    return compile_formulas(parse(text, names), names)(*(env[n] for n in names))


def rejected(text: str, names=NAMES, where=None) -> str:
    with pytest.raises(FormulaError) as info:
        parse(text, names, where)
    return str(info.value)


# -- accepted constructs --------------------------------------------------------------------

a, b, c = (ENV[n] for n in NAMES)
with np.errstate(all="ignore"):
    ACCEPTED = [
        ("3", np.full_like(a, 3.0)),
        ("0.25", np.full_like(a, 0.25)),
        ("1e-3 + 0x10", np.full_like(a, 16.001)),
        ("a", a),
        ("a + b - c", a + b - c),
        ("a * b / (1 + c * c)", a * b / (1 + c * c)),
        ("-a + +b", -a + b),
        ("a ** 2 + 2 ** b", a**2 + 2.0**b),
        ("abs(a) ** 0.5", np.abs(a) ** 0.5),
        ("a ** -1", np.where(a == 0, np.inf, 1 / np.where(a == 0, 1, a))),
        ("-2 ** 2", np.full_like(a, -4.0)),
        ("min(a, b)", np.minimum(a, b)),
        ("max(a, b, c, 0.5)", np.maximum(np.maximum(np.maximum(a, b), c), 0.5)),
        ("abs(a - b)", np.abs(a - b)),
        ("exp(a)", np.exp(a)),
        ("log(1 + abs(a))", np.log(1 + np.abs(a))),
        ("sqrt(abs(b))", np.sqrt(np.abs(b))),
        ("where(a > b, a - b, 0)", np.where(a > b, a - b, 0.0)),
        ("where(a > 0, log(a), -1)", np.where(a > 0, np.log(np.abs(a)), -1.0)),
        ("where(a < 0, 1, where(a == 0, 2, 3))", np.where(a < 0, 1.0, np.where(a == 0, 2.0, 3.0))),
        ("a < b", (a < b) * 1.0),
        ("a <= b", (a <= b) * 1.0),
        ("a > b", (a > b) * 1.0),
        ("a >= b", (a >= b) * 1.0),
        ("a == b", (a == b) * 1.0),
        ("a != b", (a != b) * 1.0),
        ("a < b <= c", ((a < b) & (b <= c)) * 1.0),
        ("a > 0 and b > 0 or not c > 0", (((a > 0) & (b > 0)) | ~(c > 0)) * 1.0),
        ("not (a > 0 and b > 0)", (~((a > 0) & (b > 0))) * 1.0),
        ("where(a > 0 or b > 0, 1, 0) * c", np.where((a > 0) | (b > 0), 1.0, 0.0) * c),
        ("1 < 2", np.ones_like(a)),
        ("(a\n + b)", a + b),
        ("  a * 2  ", a * 2),
    ]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED, ids=[t for t, _ in ACCEPTED])
def test_accepted_constructs_evaluate_like_numpy(text, expected):
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(evaluate(text), expected, rtol=1e-12, atol=1e-12)


def test_parse_builds_plain_sympy_objects():
    assert parse("3", NAMES) == sympy.Integer(3) and isinstance(parse("3", NAMES), sympy.Integer)
    assert isinstance(parse("0.5", NAMES), sympy.Float) and parse("0.5", NAMES) == 0.5
    assert parse("a", NAMES) == sympy.Symbol("a")
    assert parse("a", NAMES).assumptions0 == sympy.Symbol("a").assumptions0
    x, y = sympy.symbols("a b")
    assert parse("a < b < 2", NAMES) == sympy.And(x < y, y < 2)
    assert parse("where(a > b, a, b)", NAMES) == sympy.Piecewise((x, x > y), (y, True))
    assert parse("min(a, b, 1)", NAMES) == sympy.Min(x, y, 1)
    assert isinstance(parse("a > 0.5", NAMES), sympy.core.relational.Relational)


def test_parse_accepts_param_space_and_free_names():
    space = ParamSpace([Param("relief", 0.5, 0, 1), Param("breakout", 0.1)])
    expr = parse("relief * breakout + 1", space)
    assert free_names(expr) == {"relief", "breakout"}
    assert free_names(parse("2", space)) == set()
    assert "known names: breakout, relief" in rejected("relief * brekout", space)


# -- rejected constructs --------------------------------------------------------------------

FORBIDDEN = [
    ("__import__('os').system('ls')", "attribute access is not allowed"),
    ("().__class__.__bases__[0]", "indexing is not allowed"),
    ("relief.real", "attribute access is not allowed"),
    ("x[0]", "indexing is not allowed"),
    ("a[0:1]", "indexing is not allowed"),
    ("lambda: 1", "lambda is not allowed"),
    ("[i for i in y]", "a comprehension is not allowed"),
    ("{i for i in y}", "a comprehension is not allowed"),
    ("{i: 1 for i in y}", "a comprehension is not allowed"),
    ("sum(i for i in a)", "unknown function 'sum'"),
    ("(i for i in a)", "a generator expression is not allowed"),
    ('"s"', "string 's' is not allowed"),
    ("b'x'", "bytes b'x' is not allowed"),
    ("f'{a}'", "an f-string is not allowed"),
    ("1j", "complex number 1j is not allowed"),
    ("...", "constant Ellipsis is not allowed"),
    ("True", "boolean True is not allowed"),
    ("False + 1", "boolean False is not allowed"),
    ("None", "constant None is not allowed"),
    ("[a, b]", "a list is not allowed"),
    ("(a, b)", "a tuple is not allowed"),
    ("{a: b}", "a dict is not allowed"),
    ("{a}", "a set is not allowed"),
    ("min(*a)", "unpacking with * is not allowed"),
    ("(x := 1)", "assignment with := is not allowed"),
    ("await a", "this kind of expression is not allowed"),
    ("(yield)", "this kind of expression is not allowed"),
    ("a if b else c", "a conditional expression 'a if c else b' is not allowed"),
    ("open('f')", "unknown function 'open'"),
    ("eval('1')", "unknown function 'eval'"),
    ("exec('1')", "unknown function 'exec'"),
    ("_x", "name '_x' starting with '_'"),
    ("__builtins__", "name '__builtins__' starting with '_'"),
    ("undeclared", "unknown name 'undeclared'"),
    ("a // 2", "operator '//' is not allowed"),
    ("a % 2", "operator '%' is not allowed"),
    ("a @ b", "operator '@' is not allowed"),
    ("a ^ 2", "operator '^' is not allowed"),
    ("a & b", "operator '&' is not allowed"),
    ("a | b", "operator '|' is not allowed"),
    ("a << 1", "operator '<<' is not allowed"),
    ("a >> 1", "operator '>>' is not allowed"),
    ("~a", "operator '~' is not allowed"),
    ("a is b", "operator 'is' is not allowed"),
    ("a is not b", "operator 'is not' is not allowed"),
    ("a in b", "operator 'in' is not allowed"),
    ("a not in b", "operator 'not in' is not allowed"),
    ("a(1)", "call of parameter 'a' as a function"),
    ("(a + b)(1)", "call of something that is not a function"),
    ("min(a, b, key=c)", "keyword arguments are not allowed"),
    ("max(a, **b)", "keyword arguments are not allowed"),
    ("min(a)", "wrong number of arguments (1) to min()"),
    ("max()", "wrong number of arguments (0) to max()"),
    ("abs(a, b)", "wrong number of arguments (2) to abs()"),
    ("exp()", "wrong number of arguments (0) to exp()"),
    ("where(a > 0, 1)", "wrong number of arguments (2) to where()"),
    ("min", "function 'min' without arguments"),
    ("where(a, 1, 2)", "a number is used as a condition"),
    ("a > 0 and b", "a number is used as a condition"),
    ("not a", "a number is used as a condition"),
    ("(a > b) * 2", "a condition is used as a number"),
    ("-(a > b)", "a condition is used as a number"),
    ("(a > b) < c", "a condition is used as a number"),
    ("min(a > b, c)", "a condition is used as a number"),
    ("where(a > 0, b > 0, 1)", "a condition is used as a number"),
    ("10**10**10", "constant too large: this power would have about 10000000000 digits"),
    ("9**9**9", "constant too large"),
    ("(-10.0)**1000", "constant too large"),
    ("0.1**400", "constant too large"),
    ("((a ** 80 + 1) ** 1.5) ** 0.5", "fractional power of an expression of degree"),
    ("sqrt((a ** 500 + b) ** 3)", "fractional power of an expression of degree"),
    ("10**300 * 10**300", "constant too large"),
    ("1e400", "not a finite real number"),
    ("exp(1000.0)", "constant too large"),
    ("1" * 5000, "integer string conversion"),
    ("a / 0", "division by zero"),
    ("0 ** -1", "division by zero"),
    ("a ** 10000", "exponent 10000 too large for a non-constant base"),
    ("sqrt(2) ** (10**10)", "constant too large"),
    ("exp(10**300)", "constant too large"),
    ("exp(-1e10) ** 0.5", "constant too large"),
    ("exp(-(300**10) * log(1000))", "constant too large"),
    ("(a + 1) ** (10**10 / 3)", "too large for a non-constant base"),
    ("log(0)", "not a finite real number"),
    ("sqrt(-1)", "not a finite real number"),
    ("(-8) ** (1/3)", "not a finite real number"),
    ("a +", "invalid syntax"),
    ("(a + b", "invalid syntax: '(' was never closed"),
    ("a b", "invalid syntax"),
    ("a = 1", "invalid syntax"),
    ("import os", "invalid syntax"),
    ("a\0", "null bytes"),
    ("", "empty text instead of a formula"),
    ("   ", "empty text instead of a formula"),
    ("(" * 1000 + "a" + ")" * 1000, "too many nested parentheses"),
    ("abs(" * 150 + "a" + ")" * 150, f"formula is nested too deeply (limit {MAX_DEPTH} levels)"),
    ("+".join(["a"] * 500), "formula is nested too deeply"),
    ("-" * 9000 + "a", "cannot handle this formula (MemoryError)"),
    ("a" * 20_000, f"formula is 20000 characters long; the limit is {MAX_LENGTH}"),
]


@pytest.mark.parametrize(("text", "message"), FORBIDDEN, ids=[t[:40] for t, _ in FORBIDDEN])
def test_forbidden_constructs_are_rejected(text, message):
    start = time.perf_counter()
    text_message = rejected(text, names=(*NAMES, "relief", "x", "y"))
    assert time.perf_counter() - start < 1.0
    assert message in text_message


@pytest.mark.parametrize("error", [TypeError, ValueError, RecursionError, MemoryError])
def test_errors_inside_sympy_become_formula_errors(monkeypatch, error):
    def fail(*args):
        raise error("inside sympy")

    monkeypatch.setitem(parser._FUNCTIONS, "abs", (fail, "abs(x)", 1, 1))
    message = rejected("abs(a)", where="m.toml: k")
    assert message.startswith(
        f"m.toml: k: cannot handle this formula ({error.__name__}: inside sympy) in formula"
    )


def test_rejects_non_string():
    with pytest.raises(FormulaError, match=r"^m\.toml: k: formula must be a string, got 3$"):
        parse(3, NAMES, where="m.toml: k")  # type: ignore[arg-type]


def test_unknown_name_message_matches_the_documented_example():
    message = rejected(
        "relief * brekout", ["relief", "breakout"], "models/x.toml: game.payoffs.US[0][1]"
    )
    assert message == (
        "models/x.toml: game.payoffs.US[0][1]: unknown name 'brekout' in formula "
        "'relief * brekout' (did you mean 'breakout'?)\n"
        "    relief * brekout\n"
        "             ^^^^^^^\n"
        "known names: breakout, relief"
    )


def test_construct_message_has_caret_hint_allowed_and_known_names():
    lines = rejected("a + b ^ 2", where="m.toml: k").splitlines()
    assert lines[0] == "m.toml: k: operator '^' is not allowed in formula 'a + b ^ 2'"
    assert lines[1:3] == ["    a + b ^ 2", "          ^"]
    assert lines[3] == "hint: use ** for powers"
    assert lines[4].startswith("allowed: numbers, the known names, + - * / **")
    assert lines[5] == "known names: a, b, c"


@pytest.mark.parametrize(
    ("text", "caret", "hint"),
    [
        ("a if b > 0 else c", "    ^^^^^^^^^^^^^^^^^", "hint: use where(c, a, b)"),
        ("(a > b) * 2", "     ^^^^^", "hint: use where(cond, 1, 0)"),
        ("(a) // (b)", "        ^^", "hint: there is no floor division"),
        ("a.real + 1", "    ^^^^^^", ""),
        ("opn(a)", "    ^^^", "the functions are abs, exp, log, max, min, sqrt, where"),
        ("é + a", "    ^", ""),
        ("a + é.x", "        ^^^", ""),
        ("a +", "       ^", ""),
        ("a b", "      ^", ""),
    ],
)
def test_caret_points_at_the_offending_part(text, caret, hint):
    message = rejected(text)
    assert caret in message.splitlines()
    assert hint in message


def test_multiline_caret_shows_the_offending_line():
    lines = rejected("(a +\n b ^ 2)").splitlines()
    assert lines[1:3] == ["     b ^ 2)", "       ^"]


def test_suggestions():
    assert "(did you mean 'breakout'?)" in rejected("brekout", ["breakout"])
    assert "(did you mean 'sqrt'?)" in rejected("sqr(a)")
    assert "did you mean" not in rejected("zzz")
    assert "known names: (none)" in rejected("a", ())


def test_huge_power_is_refused_quickly():
    start = time.perf_counter()
    for text in ("10**10**10", "9**9**9**9", "2**2**2**2**2**2", "(10**300)**(10**300)"):
        assert "constant too large" in rejected(text)
    assert time.perf_counter() - start < 0.5


def test_irrational_constants_become_floats():
    assert parse("sqrt(2)", NAMES) == sympy.Float(2**0.5)
    assert parse("sqrt(2) * a", NAMES) == sympy.Float(2**0.5) * sympy.Symbol("a")
    start = time.perf_counter()  # sympy's exact rules loop forever on this one
    assert free_names(parse("sqrt(2 ** (7 / 30) * a * 1.5)", NAMES)) == {"a"}
    assert time.perf_counter() - start < 1.0


def test_large_but_allowed_constants():
    assert parse("10**300", NAMES) == sympy.Integer(10) ** 300
    assert parse("(-1)**(10**300)", NAMES) == 1
    assert parse("a ** 1000", NAMES) == sympy.Symbol("a") ** 1000
    assert parse("1.5e-400", NAMES).is_zero


# -- compile --------------------------------------------------------------------------------


def test_compile_single_and_sequence_shapes():
    x, y = sympy.symbols("x y")
    single = compile_formulas(x * y, ["x", "y"])
    assert single(np.ones((2, 1)), np.arange(3.0)).shape == (2, 3)
    assert np.ndim(single(2, 3)) == 0 and single(2, 3) == 6.0
    many = compile_formulas([x * y, sympy.Integer(7), x > y, sympy.true], ["x", "y"])
    out = many(np.arange(4.0), 2.0)
    assert out.shape == (4, 4) and out.dtype == np.float64
    np.testing.assert_array_equal(out, [[0, 2, 4, 6], [7] * 4, [0, 0, 0, 1], [1] * 4])
    assert compile_formulas([], ["x"])(np.arange(3.0)).shape == (0, 3)
    assert compile_formulas(sympy.Integer(2), [])().shape == ()


def test_compile_broadcasts_min_max_and_logic_across_shapes():
    names = ("a", "b", "c")
    fn = compile_formulas(
        [parse(t, names) for t in ("min(a, b, c)", "max(a, b)", "a > 0 and b > 0 or c > 0")],
        names,
    )
    x, y, z = np.arange(-2.0, 2.0)[:, None, None], np.linspace(-1, 1, 3)[:, None], np.array(0.5)
    out = fn(x, y, z)
    assert out.shape == (3, 4, 3, 1)
    np.testing.assert_array_equal(out[0], np.minimum(np.minimum(x, y), z) + 0 * x * y)
    np.testing.assert_array_equal(out[1], np.maximum(x, y))
    np.testing.assert_array_equal(out[2], np.broadcast_to(((x > 0) & (y > 0)) | (z > 0), (4, 3, 1)))


def test_compile_is_exact_for_float_literals_and_matches_names_by_name():
    assert evaluate("0.30000000000000004 * a", env={n: np.ones(1) for n in NAMES})[0] == (
        0.30000000000000004
    )
    positive = sympy.Symbol("a", positive=True)
    fn = compile_formulas(positive * 2 + sympy.Symbol("b"), ["b", "a"])
    assert fn(1.0, 10.0) == 21.0
    assert fn.names == ("b", "a") and fn.exprs == (positive * 2 + sympy.Symbol("b"),)
    assert repr(fn) == "<CompiledFormula 2*a + b of (b, a)>"
    assert (
        repr(compile_formulas([positive, positive], ["a"])) == "<CompiledFormula 2 formulas of (a)>"
    )


def test_compile_accepts_param_space_and_unusual_names():
    space = ParamSpace([Param("numpy", 1.0), Param("select", 2.0), Param("nan", 3.0)])
    fn = compile_formulas(parse("where(numpy > 0, select, nan) + min(numpy, nan)", space), space)
    assert fn(1.0, 2.0, 3.0) == 3.0


def test_compile_errors():
    x = sympy.Symbol("x")
    with pytest.raises(FormulaError, match="formulas use undeclared names y, z; known names: x"):
        compile_formulas([x + sympy.Symbol("y"), sympy.Symbol("z")], ["x"])
    with pytest.raises(FormulaError, match="duplicate names"):
        compile_formulas(x, ["x", "x"])
    with pytest.raises(TypeError, match="expected sympy expressions"):
        compile_formulas(["x"], ["x"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"expected 1 arrays \(x\), got 2"):
        compile_formulas(x, ["x"])(1.0, 2.0)


def test_compile_big_integers_as_floats():
    np.testing.assert_array_equal(evaluate("where(a > 0, 10**100, 1)"), np.where(a > 0, 1e100, 1))


def test_compile_nan_and_inf_without_warnings():
    fn = compile_formulas(parse("log(a) + 1 / a", ["a"]), ["a"])
    with np.errstate(all="raise"):
        out = fn(np.array([-1.0, 0.0, 1.0]))
    assert np.isnan(out[0]) and np.isnan(out[1]) and out[2] == 1.0


# -- property tests -------------------------------------------------------------------------

# Strategies yield (text, reference) pairs; the reference is a function of the environment
# built from numpy operations alongside the text (never by evaluating the text).

CONSTANTS = ("0", "1", "2", "3", "0.5", "0.25")
COMPARISONS = {
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
    "==": np.equal,
    "!=": np.not_equal,
}
ARITHMETIC = {"+": np.add, "-": np.subtract, "*": np.multiply}


def _leaf(token):
    if token in NAMES:
        return token, lambda env: env[token]
    return token, lambda env: float(token)


LEAVES = st.sampled_from(NAMES + CONSTANTS).map(_leaf)


def _binary(args):
    (lt, lf), op, (rt, rf) = args
    return f"({lt} {op} {rt})", lambda env: ARITHMETIC[op](lf(env), rf(env))


def _compare(args):
    (lt, lf), op, (rt, rf), more = args
    text, parts = f"{lt} {op} {rt}", [(op, lf, rf)]
    if more:  # a chained comparison  l op r op2 r2
        op2, (t2, f2) = more
        text += f" {op2} {t2}"
        parts.append((op2, rf, f2))
    return f"({text})", lambda env: functools.reduce(
        np.logical_and, [COMPARISONS[o](f(env), g(env)) for o, f, g in parts]
    )


def _logic(args):
    (lt, lf), op, (rt, rf) = args
    func = np.logical_and if op == "and" else np.logical_or
    return f"({lt} {op} {rt})", lambda env: func(lf(env), rf(env))


def _conditions(numbers):
    """Comparisons of ``numbers``, possibly chained, negated or joined by and/or."""
    ops = st.sampled_from(sorted(COMPARISONS))
    compare = st.tuples(numbers, ops, numbers, st.none() | st.tuples(ops, numbers)).map(_compare)
    single = compare | compare.map(lambda t: (f"(not {t[0]})", lambda env: ~t[1](env)))
    return single | st.tuples(single, st.sampled_from(["and", "or"]), single).map(_logic)


def _where(args):
    (ct, cf), (at, af), (bt, bf) = args
    return f"where({ct}, {at}, {bt})", lambda env: np.where(cf(env), af(env), bf(env))


def _minmax(args):
    name, items = args
    func = np.minimum if name == "min" else np.maximum

    def ref(env):
        out = items[0][1](env)
        for _, f in items[1:]:
            out = func(out, f(env))
        return out

    return f"{name}({', '.join(t for t, _ in items)})", ref


def _exact(children):
    """Operations that are exact on multiples of 1/4, so comparisons never flip."""
    return st.one_of(
        st.tuples(children, st.sampled_from(sorted(ARITHMETIC)), children).map(_binary),
        children.map(lambda t: (f"(-{t[0]})", lambda env: -t[1](env))),
        children.map(lambda t: (f"abs({t[0]})", lambda env: np.abs(t[1](env)))),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=3)).map(
            _minmax
        ),
        st.tuples(_conditions(children), children, children).map(_where),
    )


EXACT = st.recursive(LEAVES, _exact, max_leaves=8)
INEXACT_OPS = {  # text template, reference
    "div": ("({0} / (1 + abs({1})))", lambda x, y: x / (1 + np.abs(y))),
    "sqrt": ("sqrt(abs({0}))", lambda x, y: np.sqrt(np.abs(x))),
    "log": ("log(1 + abs({0}))", lambda x, y: np.log(1 + np.abs(x))),
    "exp": ("exp(min({0}, 3))", lambda x, y: np.exp(np.minimum(x, 3))),
    "root": ("(abs({0}) ** 0.5)", lambda x, y: np.abs(x) ** 0.5),
    "square": ("(min(max({0}, -3), 3) ** 2)", lambda x, y: np.clip(x, -3, 3) ** 2),
    "add": ("({0} + {1})", np.add),
    "mul": ("({0} * {1})", np.multiply),
}


def _inexact(children):
    def apply(args):
        key, (xt, xf), (yt, yf) = args
        template, ref = INEXACT_OPS[key]
        return template.format(xt, yt), lambda env: ref(xf(env), yf(env))

    return st.tuples(st.sampled_from(sorted(INEXACT_OPS)), children, children).map(apply)


FORMULAS = st.one_of(
    EXACT,
    st.recursive(EXACT, _inexact, max_leaves=4),
    _conditions(EXACT),
)


@settings(max_examples=60, deadline=None)
@given(FORMULAS)
def test_random_formulas_compile_to_their_reference(case):
    text, reference = case
    got = evaluate(text)
    expected = np.broadcast_to(np.asarray(reference(ENV), dtype=float), got.shape)
    np.testing.assert_allclose(got, expected, rtol=1e-9, atol=1e-9)


BAD = [
    "a.real",
    "a[0]",
    "__import__('os')",
    "(lambda: 1)",
    "[i for i in a]",
    "'s'",
    "(a if b else c)",
    "(a // 2)",
    "(a % 2)",
    "(a ^ 2)",
    "(a @ b)",
    "(~a)",
    "open('f')",
    "eval('1')",
    "_x",
    "undeclared",
    "True",
    "None",
    "(1, 2)",
    "{1}",
    "{1: 2}",
    "f'{a}'",
    "(y := 1)",
    "(a is b)",
    "(a in b)",
    "min(a, key=b)",
    "a(1)",
    "b'x'",
    "1j",
    "...",
    "10**10**10",
    "(a / 0)",
    "(a > b) * 1",
    "where(a, 1, 2)",
    "(a ** 5000)",
    "log(0)",
    "getattr(a, 'x')",
    "globals()",
    "min(*a)",
    "(not a)",
]
TEMPLATES = [
    "{bad} + {ok}",
    "{ok} * {bad}",
    "min({ok}, {bad})",
    "where({ok} > 0, {bad}, {ok})",
    "abs({bad})",
    "-({bad})",
    "{ok} < {bad}",
]


@settings(max_examples=80, deadline=None)
@given(ok=EXACT, bad=st.sampled_from(BAD), template=st.sampled_from(TEMPLATES))
def test_forbidden_constructs_inside_valid_formulas_are_rejected(ok, bad, template):
    text = template.format(ok=ok[0], bad=bad)
    message = rejected(text)
    assert repr(text) in message and "known names: a, b, c" in message


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abcxy_019.+-*/%()<>=!,[]'\" \n", max_size=30) | st.text(max_size=20))
def test_arbitrary_text_parses_or_raises_formula_error(text):
    with contextlib.suppress(FormulaError):
        parse(text, NAMES)
