"""Formulas mean what they say, parse in bounded work, and errors quote what the user wrote.

- A formula is built as written: sympy computes the parts made of numbers only,
  so a formula keeps its value and its domain (``x/x`` is undefined at 0, not 1);
  a constant that is not a finite real is still refused.
- Printing and parsing give back the very same tree, so ``canonical`` leaves a
  parsed formula as it is and never checks, or quotes, a text nobody wrote.
- Work is bounded by the structure of the formula, not by a clock: a formula
  either compiles or is refused with a one-line message naming the limit.
- Fuzzing: any text ends in a sympy object or a FormulaError, nothing else.
"""

from __future__ import annotations

import ast
import json
import pickle
import re
import subprocess
import sys
import textwrap
import warnings
from functools import reduce
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bargain.errors import FormulaError
from bargain.formula import (
    MAX_LENGTH,
    MAX_PARTS,
    canonical,
    compile_formulas,
    free_names,
    parse,
    to_text,
)
from bargain.model.toml_reader import loads_model

NAMES = ("x", "y")
X = np.array([-1.0, 0.0, 2.0])
NAN, INF = np.nan, np.inf


def at_x(text: str) -> np.ndarray:
    """The formula of x at x = -1, 0, 2."""
    return compile_formulas(parse(text, ["x"]), ["x"])(X)


def rejected(text: str, names=NAMES, where=None) -> str:
    with pytest.raises(FormulaError) as info:
        parse(text, names, where)
    return str(info.value)


# -- meaning and domain ---------------------------------------------------------------------

DOMAIN = [  # formula of x, its values at x = -1, 0, 2 (nan where undefined)
    ("x/x", [1, NAN, 1]),
    ("sqrt(x)**2", [NAN, 0, 2]),
    ("exp(log(x))", [NAN, 0, 2]),
    ("x**0.5 * x**0.5", [NAN, 0, 2]),
    ("1/(x - x)", [INF, INF, INF]),
    ("(x - x)/(x - x)", [NAN, NAN, NAN]),
    ("abs(x)/x", [-1, NAN, 1]),
    ("log(x) - log(x)", [NAN, NAN, 0]),
    ("log(min(x, -1))", [NAN, NAN, NAN]),
    ("where(x > 0, 1, -8) ** (1/3)", [NAN, NAN, 1]),
    ("(3**600 * sqrt(x)) ** 1000", [NAN, 0, INF]),
    ("max(x/x, 0)", [1, NAN, 1]),
    ("where(not (x/x < 1), 1, 0)", [1, 1, 1]),  # not (nan < 1) holds; nan >= 1 does not
    ("where(x/x == x/x, 1, 0)", [1, 0, 1]),
    ("where(x/x != 1, 1, 0)", [0, 1, 0]),
]


@pytest.mark.parametrize(("text", "expected"), DOMAIN, ids=[t for t, _ in DOMAIN])
def test_a_formula_keeps_its_value_and_domain(text, expected):
    expr = parse(text, ["x"])
    assert free_names(expr) == {"x"}  # nothing simplified away
    assert parse(to_text(expr), ["x"]) == expr and canonical(expr) == expr
    np.testing.assert_allclose(at_x(text), expected, rtol=1e-12, equal_nan=True)


def test_parse_builds_as_written():
    x = sympy.Symbol("x")
    assert parse("x/x", NAMES) != 1 and parse("x - x", NAMES) != 0
    assert parse("x/x", NAMES) == sympy.Mul(x, 1 / x, evaluate=False)
    assert parse("sqrt(x)**2", NAMES).args == (sympy.sqrt(x), 2)
    assert parse("exp(log(x))", NAMES).args == (sympy.log(x),)


CONSTANTS = [  # parts made of numbers only are computed, and must be finite reals
    ("log(-1)", "this part is not a finite real number"),
    ("sqrt(-1)", "this part is not a finite real number"),
    ("x + log(0)", "this part is not a finite real number"),
    ("(-8) ** (1/3) * x", "this part is not a finite real number"),
    ("x + 1e400", "this part is not a finite real number"),
    ("1/0", "division by zero"),
    ("x / 0", "division by zero"),
    ("where(x > 0, 1/0, x)", "division by zero"),
    ("x * 0**-1", "division by zero (0 to a negative power)"),
    ("exp(1000.0) * x", "constant too large"),
]


@pytest.mark.parametrize(("text", "message"), CONSTANTS, ids=[t for t, _ in CONSTANTS])
def test_a_constant_that_is_not_a_finite_real_is_refused(text, message):
    assert message in rejected(text).splitlines()[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [("x**-1 * y**-1", 1 / 8), ("1/3/x", 1 / 12), ("y / x**-0.5", 4.0), ("sqrt(x)**-1", 0.5)],
)
def test_reciprocals_compile(text, value):
    assert compile_formulas(parse(text, NAMES), NAMES)(4.0, 2.0) == value


def test_deep_formulas_compile():
    # max() pairs its arguments: 60 levels of max of 9 made 240 nested parentheses in numpy
    # code, more than Python reads, while the formula is 60 levels deep.
    text = "max(" * 60 + "x" + ", x, y, 1, 2, 3, 4, 5, 6)" * 60
    assert compile_formulas(parse(text, NAMES), NAMES)(1.0, 7.0) == 7.0
    text = "where(" * 50 + "x > 0" + ", 1, 0) > 0" * 49 + ", 2, 3)"
    assert compile_formulas(parse(text, NAMES), NAMES)(1.0, 7.0) == 2.0


def test_compiled_names_never_shadow_numpy():
    names = ["minimum", "maximum", "where", "logical_and", "pi", "e", "numpy", "nan", "float"]
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    text = (
        "where(minimum > 0 and maximum > 0, max(minimum, maximum), 0) + pi*e"
        " + logical_and*where + min(numpy, nan) + float"
    )
    assert compile_formulas(parse(text, names), names)(*values) == 2 + 5 * 6 + 4 * 3 + 7 + 9
    a, b = sympy.symbols("_0 _1")  # names like the generated arguments, swapped
    assert compile_formulas(a - b, ["_1", "_0"])(1.0, 10.0) == 9.0


def test_compile_refuses_what_numpy_cannot_compute():
    x = sympy.Symbol("x")
    for func in ("f", "__import__('os').system"):
        with pytest.raises(FormulaError, match="cannot be compiled"):
            compile_formulas(sympy.Function(func)(x), ["x"])


def test_compiled_formulas_pickle_as_built():
    fn = compile_formulas([parse(t, ["x"]) for t, _ in DOMAIN], ["x"])
    back = pickle.loads(pickle.dumps(fn))
    assert back.exprs == fn.exprs and back.names == fn.names
    np.testing.assert_array_equal(back(X), fn(X))


MODEL = """\
[model]
name = "crisis"

[params.bite]
default = 1.0

[game]
form = "normal"
players = ["US", "Iran"]

[game.strategies]
US = ["pressure", "engage"]
Iran = ["resist", "restrain"]

[game.payoffs]
US = [["bite - 4", "bite"], [-1, "1 - bite"]]
Iran = [[-4, "-bite"], [1, 0]]

[measures]
"""


def test_model_file_measures_keep_their_meaning():
    model = loads_model(MODEL + 'ratio = "bite/bite"\nsame = "where(bite/bite == 1, 1, 0)"\n')
    with pytest.warns(UserWarning, match="measure 'ratio' is not finite"):
        points = model.evaluate({"bite": np.array([0.0, 2.0])})["points"]
    np.testing.assert_array_equal(points["ratio"], [NAN, 1])
    np.testing.assert_array_equal(points["same"], [0, 1])


# -- printing back --------------------------------------------------------------------------

SPELLING = [  # formula, as printed
    ("x - y", "x - y"),
    ("-y + x", "x - y"),
    ("x + -2*y", "x - 2*y"),
    ("x/3", "x/3"),
    ("-(x/3)", "x/-3"),
    ("x/0.1", "x/0.1"),
    ("2*x*y", "2*x*y"),
    ("x*y*2", "x*y*2"),
    ("-(x*y)", "-(x*y)"),
    ("--x", "x"),
    ("1/x", "1/x"),
    ("x**-1", "x**-1"),
    ("x**-1 * y**-1", "x**-1/y"),
    ("(x**2)**600", "(x**2)**600"),
    ("x * (1e-300 * 1e-300)", "0.0*x"),  # a float as numpy holds it
    ("sqrt(x)**2", "sqrt(x)**2"),
    ("abs(3*abs(y))", "abs(3*abs(y))"),
    ("x < y < 1", "x < y < 1"),
    ("y < 1 and x < y", "x < y < 1"),
    ("not (x < 1) or y > 0", "y > 0 or not (x < 1)"),
]


@pytest.mark.parametrize(("text", "printed"), SPELLING, ids=[t for t, _ in SPELLING])
def test_printing_keeps_the_formula_as_written(text, printed):
    expr = parse(text, NAMES)
    assert to_text(expr) == printed
    assert sympy.srepr(parse(printed, NAMES)) == sympy.srepr(expr)
    assert parse(printed, NAMES) == expr and canonical(expr) == expr


def test_canonical_does_not_check_a_text_nobody_wrote():
    # sympy made (x**2)**600 into x**1200, beyond the exponent limit: the second parse in
    # canonical refused it, quoting 'x**1200', without the file or the key.
    expr = parse("(x**2)**600", NAMES, where="m.toml: measures.k")
    assert canonical(expr) == expr
    model = loads_model(MODEL + 'k = "(bite**2)**600"\n', "m.toml")
    assert to_text(model.measures.user["k"]) == "(bite**2)**600"
    # Printed numbers can be longer than written ones: past MAX_LENGTH, canonical still works.
    text = "max(" + ", ".join(f"9**99*x + {i}" for i in range(600)) + ")"
    expr = parse(text, NAMES)
    assert len(text) <= MAX_LENGTH < len(to_text(expr)) and canonical(expr) == expr


def test_errors_quote_the_formula_as_written_with_its_place():
    line = rejected("(x**2)**600 + x**1001", where="m.toml: measures.k").splitlines()[0]
    assert line == (
        "m.toml: measures.k: exponent 1001 too large for a non-constant base (limit 1000) "
        "in formula '(x**2)**600 + x**1001'"
    )
    with pytest.raises(FormulaError, match=r"^m\.toml: measures\.k: exponent 1001 .* '\(bite"):
        loads_model(MODEL + 'k = "(bite**2)**600 + bite**1001"\n', "m.toml")


# -- bounded work ---------------------------------------------------------------------------


def parts(text: str) -> int:
    """Expression nodes of ``text``, those in the middle of a chained comparison twice."""

    def count(node: ast.AST) -> int:
        n = isinstance(node, ast.expr) + sum(map(count, ast.iter_child_nodes(node)))
        return n + sum(map(count, node.comparators[:-1])) if isinstance(node, ast.Compare) else n

    return count(ast.parse(text.strip(), mode="eval").body)


def depth(text: str) -> int:
    """Nesting of the expression nodes of ``text``."""

    def nesting(node: ast.AST) -> int:
        inner = max(map(nesting, ast.iter_child_nodes(node)), default=0)
        return isinstance(node, ast.expr) + inner

    return nesting(ast.parse(text.strip(), mode="eval").body)


def nested_chains(levels: int) -> str:
    """``where(0 < ... < 1, x, y)`` nested ``levels`` times: the parts double at every level."""
    text = "x"
    for _ in range(levels):
        text = f"where(0 < {text} < 1, x, y)"
    return text


def test_parts_count_the_middle_of_a_chain_twice():
    assert parts("x < y") == 3 and parts("x < y < 1") == 5 and parts("max(x, y)") == 4
    for depth in range(5):
        assert parts(nested_chains(depth + 1)) == 2 * parts(nested_chains(depth)) + 7


def test_parts_beyond_the_limit_are_refused_in_one_line():
    base = nested_chains(10)  # 211 characters, 8185 parts
    pad = MAX_PARTS - parts(base) - 2  # max(base, x, x, ...): 2 parts and one per x
    at_limit = f"max({base}, {', '.join(['x'] * pad)})"
    assert parts(at_limit) == MAX_PARTS and len(at_limit) < MAX_LENGTH
    assert isinstance(parse(at_limit, NAMES), sympy.Max)
    message = rejected(at_limit.replace("max(", "max(x, ", 1), where="m.toml: measures.k")
    assert message == (
        f"m.toml: measures.k: formula 'max(x, {base[:50]}...' has {MAX_PARTS + 1} parts "
        "(numbers, names and operations, the middle of a chained comparison twice); the limit "
        f"is {MAX_PARTS}: split it into several shorter formulas, e.g. measures"
    )
    deep, count = nested_chains(40), 1
    for _ in range(40):
        count = 2 * count + 7
    assert len(deep) < MAX_LENGTH and f"has {count} parts" in rejected(deep)  # about 2**43


WHERE_SUM = " + ".join(f"where({v} > {i}, {i + 1}, -{i + 3})" for i, v in zip(range(10), "xy" * 5))
RED_TEAM = {  # formulas under MAX_LENGTH that took minutes or hung, with numpy references
    "sum of 10 where": (WHERE_SUM, lambda x, y: sum(_terms(x, y))),
    "where of a sum of 10 where": (
        f"where({WHERE_SUM} > 0, 1, 0)",
        lambda x, y: np.where(sum(_terms(x, y)) > 0, 1.0, 0.0),
    ),
    "max of 200 where": (
        "max(" + ", ".join(f"where(x > {i}, x, y - {i})" for i in range(200)) + ")",
        lambda x, y: reduce(np.maximum, [np.where(x > i, x, y - i) for i in range(200)]),
    ),
    "max of 200 sums": (
        "max(" + ", ".join(f"x*{i} + y" for i in range(200)) + ")",
        lambda x, y: reduce(np.maximum, [x * i + y for i in range(200)]),
    ),
}


def _terms(x, y):
    return [np.where((x, y)[i % 2] > i, i + 1.0, -i - 3.0) for i in range(10)]


def _run(script: str, *args: str) -> subprocess.CompletedProcess:
    """Run Python code in a fresh process, under a generous timeout against hangs."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )


def test_red_team_formulas_compile_to_their_values():
    script = """
        import json, sys
        import numpy as np
        from bargain.formula import canonical, compile_formulas, parse
        out = {}
        for name, text in json.loads(sys.argv[1]).items():
            expr = parse(text, ["x", "y"])
            assert canonical(expr) == expr
            grid = np.meshgrid(np.arange(-3.0, 13.0), np.arange(-3.0, 13.0))
            out[name] = compile_formulas(expr, ["x", "y"])(*grid).tolist()
        print(json.dumps(out))
    """
    texts = {name: text for name, (text, _) in RED_TEAM.items()}
    assert len(texts["where of a sum of 10 where"]) < 250
    got = json.loads(_run(script, json.dumps(texts)).stdout)
    grid = np.meshgrid(np.arange(-3.0, 13.0), np.arange(-3.0, 13.0))
    for name, (_, reference) in RED_TEAM.items():
        np.testing.assert_array_equal(got[name], reference(*grid), err_msg=name)


def _balanced(items: list[str], op: str) -> str:
    while len(items) > 1:
        items = [f"({f' {op} '.join(items[i : i + 2])})" for i in range(0, len(items), 2)]
    return items[0]


AT_THE_LIMIT = {  # shapes that fill MAX_LENGTH: they compile, or are refused for their size
    "max of many": "max(" + ", ".join(f"x*{i}" for i in range(1100)) + ")",
    "sum of where": _balanced([f"where(x > {i}, {i}, -y)" for i in range(350)], "+"),
    "product of sums": _balanced([f"(x + {i})" for i in range(700)], "*"),
    "where in conditions": "where(" * 49 + "x > 0" + ", 1, y) > 0" * 48 + ", 2, 3)",
    "long chain": " < ".join(f"x*{i}" for i in range(1200)),
    "chains in where": nested_chains(40),
}


def test_formulas_at_the_length_limit_compile_or_are_refused():
    script = """
        import json, sys
        import numpy as np
        from bargain.errors import FormulaError
        from bargain.formula import canonical, compile_formulas, parse
        out = {}
        for name, text in json.loads(sys.argv[1]).items():
            try:
                expr = parse(text, ["x", "y"])
            except FormulaError as exc:
                out[name] = str(exc)
                continue
            assert canonical(expr) == expr
            compile_formulas(expr, ["x", "y"])(np.arange(9.0), 1.0)
            out[name] = "compiled"
        print(json.dumps(out))
    """
    assert all(len(text) <= MAX_LENGTH for text in AT_THE_LIMIT.values())
    got = json.loads(_run(script, json.dumps(AT_THE_LIMIT)).stdout)
    assert {k: v for k, v in got.items() if v != "compiled"}.keys() == {"chains in where"}
    assert "parts" in got["chains in where"] and "\n" not in got["chains in where"]


def test_red_team_measures_in_a_model_file_solve(tmp_path):
    names = {name: name.replace(" ", "_") for name in RED_TEAM}
    bite = {
        name: re.sub(r"\by\b", "2", re.sub(r"\bx\b", "bite", text))
        for name, (text, _) in RED_TEAM.items()
    }
    body = "".join(f'{names[name]} = "{bite[name]}"\n' for name in RED_TEAM)
    (tmp_path / "m.toml").write_text(MODEL + body, encoding="utf-8")
    cli = Path(sys.executable).with_name("bargain")
    result = subprocess.run(
        [cli, "solve", tmp_path / "m.toml", "-p", "bite=5"],
        capture_output=True,
        text=True,
        timeout=600,  # generous: some of these measures hung bargain solve
        check=True,
    )
    shown = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines() if line}
    for name, (_, reference) in RED_TEAM.items():
        assert float(shown[names[name]]) == reference(np.array(5.0), np.array(2.0)), name


# -- fuzzing --------------------------------------------------------------------------------


def ends_well(text: str) -> sympy.Basic | None:
    """Parse ``text``: a sympy object that prints back to itself and compiles, or None
    for a FormulaError whose first line quotes the text with its place."""
    try:
        expr = parse(text, NAMES, where="fuzz")
    except FormulaError as exc:
        first = str(exc).splitlines()[0]
        assert first.startswith("fuzz: ")
        assert f"in formula {text.strip()!r}" in first or "the limit is" in first
        return None
    assert isinstance(expr, sympy.Basic)
    printed = to_text(expr)
    assert parse(printed, NAMES) == expr and canonical(expr) == expr
    # so that the printed text passes the checks of depth and parts if the user's text did
    assert depth(printed) <= depth(text) and parts(printed) <= parts(text)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's warnings are silenced by the function
        values = compile_formulas(expr, NAMES)(X, X[::-1])
    assert values.dtype == np.float64 and values.shape == X.shape
    return expr


TOKENS = [
    *"xy0129", "0.5", "1e308", "10**300", "where(", "min(", "max(", "abs(", "exp(", "log(",
    "sqrt(", "(", ")", ",", "+", "-", "*", "/", "**", "<", "<=", "==", "!=", " and ", " or ",
    " not ", " ", "z", "_x", "[", "'",
]  # fmt: skip


# Formulas of every construct and awkward numbers (huge, tiny, fractions, zero divisors).
ANY_FORMULA = st.recursive(
    st.sampled_from(["x", "y", "0", "1", "-2", "0.5", "(1/3)", "(-2/3)", "1e300", "10**20"]),
    lambda c: st.one_of(
        st.tuples(c, st.sampled_from(["+", "-", "*", "/", "**"]), c).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        ),
        st.tuples(st.sampled_from(["-", "+", "--", "abs", "exp", "log", "sqrt"]), c).map(
            lambda t: f"{t[0]}({t[1]})"
        ),
        st.tuples(st.sampled_from(["min", "max"]), st.lists(c, min_size=2, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
        st.tuples(c, st.sampled_from(["<", "<=", "==", "!="]), c, c, c).map(
            lambda t: f"where({t[0]} {t[1]} {t[2]} < {t[3]} or not {t[0]} > 1, {t[3]}, {t[4]})"
        ),
    ),
    max_leaves=16,  # a budget of nodes, not of time
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join) | st.text(max_size=40) | ANY_FORMULA
)
def test_any_text_ends_in_sympy_or_a_formula_error(text):
    ends_well(text)


# Well-formed formulas over x and y, each with the numpy function that computes it as written
# (numbers are multiples of 1/4, exact in floats, so constant parts computed by sympy agree).
LEAVES = st.sampled_from(["x", "y", "0", "1", "2", "0.5", "-0.25"]).map(
    lambda t: (t, (lambda x, y: x) if t == "x" else (lambda x, y: y) if t == "y" else _const(t))
)


def _const(text):
    return lambda x, y: np.full_like(x, float(text))


BINARY = {"+": np.add, "-": np.subtract, "*": np.multiply}
COMPARE = {"<": np.less, "<=": np.less_equal, "==": np.equal, "!=": np.not_equal}
UNARY = {  # with a name inside, so that sympy computes no inexact constant
    "sqrt({} + x)": lambda a, x, y: np.sqrt(a + x),
    "log({} - y)": lambda a, x, y: np.log(a - y),
    "exp(min({}, x))": lambda a, x, y: np.exp(np.minimum(a, x)),
    "({}) / x": lambda a, x, y: a / x,
    "y / ({} + x)": lambda a, x, y: y / (a + x),  # not a constant: sympy has no -0.0
    "abs({})": lambda a, x, y: np.abs(a),
    "-({})": lambda a, x, y: -a,
    "({}) ** 2": lambda a, x, y: a**2,
    "(x * ({})) ** 0.5": lambda a, x, y: (x * a) ** 0.5,
}


def _formulas(children):
    binary = st.tuples(children, st.sampled_from(sorted(BINARY)), children).map(
        lambda t: (f"({t[0][0]} {t[1]} {t[2][0]})", _binary(BINARY[t[1]], t[0][1], t[2][1]))
    )
    unary = st.tuples(st.sampled_from(sorted(UNARY)), children).map(
        lambda t: (t[0].format(t[1][0]), _unary(UNARY[t[0]], t[1][1]))
    )
    minmax = st.tuples(st.sampled_from(["min", "max"]), st.lists(children, min_size=2, max_size=3))
    where = st.tuples(children, st.sampled_from(sorted(COMPARE)), children, children, children)
    return (
        binary
        | unary
        | minmax.map(
            lambda t: (
                f"{t[0]}({', '.join(c[0] for c in t[1])})",
                _reduce(np.minimum if t[0] == "min" else np.maximum, [c[1] for c in t[1]]),
            )
        )
        | where.map(
            lambda t: (
                f"where({t[0][0]} {t[1]} {t[2][0]} and not ({t[0][0]} > 1), {t[3][0]}, {t[4][0]})",
                _where(COMPARE[t[1]], *(c[1] for c in (t[0], t[2], t[3], t[4]))),
            )
        )
    )


def _binary(op, f, g):
    return lambda x, y: op(f(x, y), g(x, y))


def _unary(op, f):
    return lambda x, y: op(f(x, y), x, y)


def _reduce(op, fs):
    return lambda x, y: reduce(op, [f(x, y) for f in fs])


def _where(compare, a, b, then, other):
    def ref(x, y):
        left = a(x, y)
        cond = np.logical_and(compare(left, b(x, y)), np.logical_not(left > 1))
        return np.where(cond, then(x, y), other(x, y))

    return ref


WELL_FORMED = st.recursive(LEAVES, _formulas, max_leaves=12)  # a budget of nodes, not of time
GRID = np.meshgrid(np.arange(-2.0, 2.5, 0.5), np.arange(-2.0, 2.5, 0.5))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(WELL_FORMED)
def test_well_formed_formulas_compute_what_they_say(case):
    text, reference = case
    expr = ends_well(text)
    if expr is None:  # a constant that is not a finite real, e.g. 0 / x with x a number
        return
    with np.errstate(all="ignore"):
        expected = np.broadcast_to(reference(*GRID), GRID[0].shape)
    got = compile_formulas(expr, NAMES)(*GRID)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0, equal_nan=True)
