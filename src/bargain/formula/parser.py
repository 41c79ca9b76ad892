"""Parsing formula text to sympy by a whitelist of Python's AST, never ``eval``.

:func:`parse` walks the syntax tree, accepts only numbers, declared names, the
operators and the functions of :mod:`bargain.vocabulary`, and builds sympy
objects directly, with located error messages (a caret under the problem).

A formula is built as written, so that it keeps its meaning and its domain:
sympy computes the parts made of numbers only (which must be finite reals) and
evaluates nothing else, so ``x/x`` stays ``x/x``, undefined at 0, rather than
becoming 1. The only rewritings change no value anywhere: the two operands of
``+`` (unless both are negative) and ``*`` are put in sympy's order, ``-`` of a
product with a number changes the number's sign, ``1/2`` is a fraction, and
``and``/``or`` join nested conditions and drop repeated ones.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any, ClassVar

import mpmath
import sympy
from sympy.core.operations import LatticeOp, ShortCircuit
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.logic.boolalg import BooleanAtom

from bargain.errors import FormulaError, ModelError, did_you_mean
from bargain.params import ParamSpace
from bargain.vocabulary import FUNCTIONS

# -- building sympy objects as written ----------------------------------------------------

_ORDER = functools.cmp_to_key(sympy.Basic.compare)  # sympy's order of the terms of a sum


def _numbers(*values: sympy.Basic) -> bool:
    """True if every value is a number or true/false: only then may sympy compute."""
    return all(isinstance(v, sympy.Number | BooleanAtom) for v in values)


def _pair(cls: Any, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """``a + b`` or ``a * b`` unevaluated, the operands in sympy's order."""
    return cls._from_args(sorted((a, b), key=_ORDER))


def negate(x: sympy.Expr) -> sympy.Expr:
    """``-x`` as written, except that a number, or the number of ``c*y``, changes sign."""
    if x.is_Number:
        return -x
    if x.is_Mul and len(x.args) == 2 and x.args[0].is_Number:
        c, y = -x.args[0], x.args[1]
        return y if c is sympy.S.One else sympy.Mul._from_args((c, y))
    return sympy.Mul._from_args((sympy.S.NegativeOne, x))


def negative(x: sympy.Basic) -> bool:
    """True for a negative number, or a product whose number is negative (printed ``-...``)."""
    first = x.args[0] if x.is_Mul else x
    return bool(first.is_Number and first.is_negative)


def _add(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if _numbers(a, b):
        return a + b
    # The first term of -a - b prints with its minus: which one it is stays as written.
    return sympy.Add._from_args((a, b)) if negative(a) and negative(b) else _pair(sympy.Add, a, b)


def _multiply(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if _numbers(a, b):
        return a * b
    if a is sympy.S.NegativeOne or b is sympy.S.NegativeOne:
        return negate(b if a is sympy.S.NegativeOne else a)
    return _pair(sympy.Mul, a, b)


def _divide(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    if _numbers(a, b):
        return a / b
    # 1/b is exact for a whole number or a fraction; a float divisor stays a division.
    return _multiply(a, b**-1 if b.is_Rational else sympy.Pow(b, -1, evaluate=False))


def _power(a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    return a**b if _numbers(a, b) else sympy.Pow(a, b, evaluate=False)


def _function(func: Any) -> Callable[..., sympy.Basic]:
    """A builder of ``func``: computed for numbers, otherwise as written."""

    def build(*args: sympy.Basic) -> sympy.Basic:
        return func(*args) if _numbers(*args) else func(*args, evaluate=False)

    return build


_not = _function(sympy.Not)  # not (x < 1) stays: sympy's x >= 1 is false at NaN, where it holds


def _sqrt(x: sympy.Expr) -> sympy.Expr:
    return sympy.sqrt(x) if _numbers(x) else sympy.Pow(x, sympy.S.Half, evaluate=False)


def _where(cond: sympy.Basic, a: sympy.Expr, b: sympy.Expr) -> sympy.Expr:
    """``where(cond, a, b)``: a Piecewise as written, or ``a`` or ``b`` for a constant ``cond``."""
    if isinstance(cond, BooleanAtom):
        return a if cond else b
    # Piecewise() would fold a where() inside cond into 2**n pieces for n of them.
    pairs = (sympy.Tuple.__new__(ExprCondPair, a, cond), sympy.Tuple.__new__(ExprCondPair, b, True))
    return sympy.Basic.__new__(sympy.Piecewise, *pairs)


def _lattice(cls: Any, args: Iterable[sympy.Basic]) -> sympy.Basic:
    """``And`` or ``Or`` of conditions, nested ones joined, constants and repeats dropped.

    sympy's own constructor also rewrites the comparisons with evaluated arithmetic
    (in which ``x/x`` is 1) to look for contradictions; here only equal ones merge.
    """
    try:
        argset = frozenset(LatticeOp._new_args_filter(args, cls))
    except ShortCircuit:
        return cls.zero
    if len(argset) < 2:
        return next(iter(argset), cls.identity)
    out = sympy.Basic.__new__(cls, *sympy.ordered(argset))
    out._argset = argset
    return out


def _relation(cls: Any) -> Callable[[sympy.Expr, sympy.Expr], sympy.Basic]:
    return lambda a, b: cls(a, b) if _numbers(a, b) else cls(a, b, evaluate=False)


# name: (builder, signature, least and most arguments)
_FUNCTIONS: dict[str, tuple[Callable[..., sympy.Basic], str, int, int | None]] = {
    "abs": (_function(sympy.Abs), "abs(x)", 1, 1),
    "exp": (_function(sympy.exp), "exp(x)", 1, 1),
    "log": (_function(sympy.log), "log(x)", 1, 1),
    "sqrt": (_sqrt, "sqrt(x)", 1, 1),
    "min": (_function(sympy.Min), "min(a, b, ...)", 2, None),
    "max": (_function(sympy.Max), "max(a, b, ...)", 2, None),
    "where": (_where, "where(cond, a, b)", 3, 3),
}

MAX_LENGTH = 10_000
MAX_DEPTH = 100
# Parts (numbers, names, operations) of a formula, the middle operands of a chained comparison
# counted twice, as parse builds a < b < c as a < b and b < c. Parsing, printing and compiling
# take time in proportion to them (about 0.1 ms each); MAX_LENGTH characters rarely hold as
# many, but chains nested in where() double them at every level.
MAX_PARTS = 10_000
MAX_LOG10 = 300  # constants must stay within about 1e300
MAX_POWER = 1000  # largest rational exponent of a non-constant base
MAX_ROOT_DEGREE = 100  # largest degree of a non-constant base with a fractional exponent

_ALLOWED = (
    "allowed: numbers, the known names, + - * / **, comparisons < <= > >= == !=, "
    "and/or/not, and the functions abs, exp, log, sqrt, min, max, where(cond, a, b)"
)
_ARITHMETIC = {
    ast.Add: _add,
    ast.Sub: lambda a, b: _add(a, negate(b)),
    ast.Mult: _multiply,
    ast.Div: _divide,
    ast.Pow: _power,
}
_COMPARE = {
    ast.Lt: _relation(sympy.Lt),
    ast.LtE: _relation(sympy.Le),
    ast.Gt: _relation(sympy.Gt),
    ast.GtE: _relation(sympy.Ge),
    ast.Eq: _relation(sympy.Eq),
    ast.NotEq: _relation(sympy.Ne),
}
# Forbidden operators: their spelling and a hint.
_OPERATORS = {
    ast.FloorDiv: ("//", "there is no floor division"),
    ast.Mod: ("%", "there is no modulo"),
    ast.MatMult: ("@", "there is no matrix product"),
    ast.BitXor: ("^", "use ** for powers"),
    ast.BitAnd: ("&", "use 'and' to combine conditions"),
    ast.BitOr: ("|", "use 'or' to combine conditions"),
    ast.LShift: ("<<", "there are no bit shifts"),
    ast.RShift: (">>", "there are no bit shifts"),
    ast.Is: ("is", "compare numbers with == or !="),
    ast.IsNot: ("is not", "compare numbers with == or !="),
    ast.In: ("in", "compare numbers with == or !="),
    ast.NotIn: ("not in", "compare numbers with == or !="),
}
# Forbidden constructs: description and hint.
_CONSTRUCTS = {
    ast.Attribute: ("attribute access", ""),
    ast.Subscript: ("indexing", ""),
    ast.Lambda: ("lambda", ""),
    ast.ListComp: ("a comprehension", ""),
    ast.SetComp: ("a comprehension", ""),
    ast.DictComp: ("a comprehension", ""),
    ast.GeneratorExp: ("a generator expression", ""),
    ast.JoinedStr: ("an f-string", ""),
    ast.List: ("a list", ""),
    ast.Tuple: ("a tuple", ""),
    ast.Dict: ("a dict", ""),
    ast.Set: ("a set", ""),
    ast.Starred: ("unpacking with *", ""),
    ast.NamedExpr: ("assignment with :=", ""),
    ast.IfExp: ("a conditional expression 'a if c else b'", "use where(c, a, b)"),
}


def _digits(value: sympy.Expr) -> float:
    """Decimal size of a real constant: log10 of its magnitude, or of the larger part of a
    fraction (which must stay small for exact arithmetic)."""
    if value.is_Rational:
        return math.log10(max(abs(value.p), value.q))
    return float(mpmath.log10(abs(mpmath.mpf(value.evalf(15)))))


def _short(text: str) -> str:
    """``text`` quoted on one line, cut to its start if long."""
    return repr(text if len(text) <= 60 else text[:57] + "...")


class _Parser:
    """Whitelist walker from a Python AST to sympy, with located error messages.

    ``limits=False`` reads text printed from an accepted formula (see
    :func:`parse_printed`): its length and size were checked on the user's text.
    """

    def __init__(
        self, text: str, known: frozenset[str], where: str | None, limits: bool = True
    ) -> None:
        self.text = text
        self.known = known
        self.prefix = f"{where}: " if where else ""
        self.lines = text.split("\n")
        self.limits = limits
        self.degrees: dict[sympy.Basic, float] = {}

    def parse(self) -> sympy.Basic:
        if self.limits and len(self.text) > MAX_LENGTH:
            raise FormulaError(
                f"{self.prefix}formula is {len(self.text)} characters long; "
                f"the limit is {MAX_LENGTH}"
            )
        if not self.text:
            raise self.error("empty text instead of a formula")
        try:
            tree = ast.parse(self.text, mode="eval").body
            parts = self.measure(tree, 0)
            if self.limits and parts > MAX_PARTS:
                raise FormulaError(
                    f"{self.prefix}formula {_short(self.text)} has {parts} parts (numbers, names "
                    "and operations, the middle of a chained comparison twice); the limit is "
                    f"{MAX_PARTS}: split it into several shorter formulas, e.g. measures"
                )
            return self.visit(tree)
        except FormulaError:
            raise
        except SyntaxError as exc:
            lineno = min(exc.lineno or 1, len(self.lines))
            start = exc.offset - 1 if exc.offset else len(self.lines[lineno - 1])
            span = (lineno, start, exc.end_lineno or lineno, (exc.end_offset or 1) - 1)
            problem = exc.msg if exc.msg.startswith("invalid") else f"invalid syntax: {exc.msg}"
            raise self.error(problem, span) from None
        except (TypeError, ValueError, RecursionError, MemoryError) as exc:
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            raise self.error(f"cannot handle this formula ({detail})") from None

    def measure(self, node: ast.AST, depth: int) -> int:
        """Parts of ``node`` as parse builds them (see MAX_PARTS), checking its nesting."""
        parts = 0
        if isinstance(node, ast.expr):
            if depth > MAX_DEPTH:
                raise self.error(
                    f"formula is nested too deeply (limit {MAX_DEPTH} levels)", self.span(node)
                )
            depth += 1
            parts = 1
        twice = {id(n) for n in node.comparators[:-1]} if isinstance(node, ast.Compare) else ()
        for child in ast.iter_child_nodes(node):
            parts += self.measure(child, depth) * (2 if id(child) in twice else 1)
        return parts

    # -- messages -----------------------------------------------------------------------

    def error(
        self,
        problem: str,
        span: tuple[int, int, int, int] | None = None,
        *,
        suggestion: str = "",
        hint: str = "",
        allowed: bool = True,
    ) -> FormulaError:
        """Build a FormulaError quoting the formula, with a caret line under ``span``."""
        lines = [f"{self.prefix}{problem} in formula {self.text!r}{suggestion}"]
        if span:
            lineno, start, end_lineno, end = span
            line = self.lines[lineno - 1].replace("\t", " ")
            end = end if end_lineno == lineno else len(line)
            lines += [f"    {line}", f"    {' ' * start}{'^' * max(end - start, 1)}"]
        if hint:
            lines.append(f"hint: {hint}")
        if allowed:
            lines.append(_ALLOWED)
        lines.append(f"known names: {', '.join(sorted(self.known)) or '(none)'}")
        return FormulaError("\n".join(lines))

    def _char(self, lineno: int, byte_offset: int) -> int:
        """Character column of a UTF-8 byte offset (as the ast module reports)."""
        return len(self.lines[lineno - 1].encode()[:byte_offset].decode(errors="ignore"))

    def span(self, node: ast.AST) -> tuple[int, int, int, int]:
        return (
            node.lineno,
            self._char(node.lineno, node.col_offset),
            node.end_lineno,
            self._char(node.end_lineno, node.end_col_offset),
        )

    def between(self, left: ast.AST, right: ast.AST, node: ast.AST) -> tuple[int, int, int, int]:
        """Span of the operator between two operands, or of ``node`` if on several lines."""
        _, _, lineno, start = self.span(left)
        right_lineno, end, _, _ = self.span(right)
        if lineno != right_lineno:
            return self.span(node)
        gap = self.lines[lineno - 1][start:end]
        start += len(gap) - len(gap.lstrip(" \t()"))
        end -= len(gap) - len(gap.rstrip(" \t()"))
        return (lineno, start, lineno, end)

    # -- walking ------------------------------------------------------------------------

    def visit(self, node: ast.AST) -> sympy.Basic:
        handler = self._handlers.get(type(node))
        if handler is None:
            what, hint = _CONSTRUCTS.get(type(node), ("this kind of expression", ""))
            raise self.error(f"{what} is not allowed", self.span(node), hint=hint)
        return handler(self, node)

    def operand(self, node: ast.AST) -> sympy.Expr:
        """Visit a node that must be a number, not a condition."""
        value = self.visit(node)
        if not isinstance(value, sympy.Expr):
            raise self.error(
                "a condition is used as a number",
                self.span(node),
                hint="use where(cond, 1, 0) to turn a condition into a number",
            )
        return value

    def condition(self, node: ast.AST) -> sympy.Basic:
        """Visit a node that must be a condition, not a number."""
        value = self.visit(node)
        if isinstance(value, sympy.Expr):
            raise self.error(
                "a number is used as a condition",
                self.span(node),
                hint="write a comparison such as x > 0",
            )
        return value

    def constant(self, node: ast.AST, value: sympy.Basic) -> sympy.Basic:
        """``value`` of a part made of numbers: a fraction or a float, finite and real,
        not too large; true or false for a condition."""
        if isinstance(value, BooleanAtom):
            return value
        # Irrational constants become floats: sympy's exact rules for them can be very slow.
        if not (value.is_Rational or value.is_Float):
            value = value.evalf()
        if not (value.is_Rational or (value.is_Float and value.is_finite)):
            raise self.error(
                "this part is not a finite real number",
                self.span(node),
                hint="e.g. a negative number to a fractional power, log(0) or 1/0",
            )
        if _digits(value) > MAX_LOG10:
            raise self.error(
                f"constant too large (more than about {MAX_LOG10} digits)", self.span(node)
            )
        # A float as numpy holds it (1e-300/1e300 is 0), so that it prints and reads back.
        return value if value.is_Rational else sympy.Float(float(value))

    def build(
        self, node: ast.AST, func: Callable[..., sympy.Basic], *args: sympy.Basic
    ) -> sympy.Basic:
        """``func(*args)``, checked as a constant if ``args`` are all numbers."""
        value = func(*args)
        return self.constant(node, value) if _numbers(*args) else value

    def _constant(self, node: ast.Constant) -> sympy.Basic:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = {bool: "boolean", str: "string", bytes: "bytes", complex: "complex number"}
            hint = "conditions are comparisons such as x > 0" if isinstance(value, bool) else ""
            raise self.error(
                f"{kind.get(type(value), 'constant')} {value!r} is not allowed",
                self.span(node),
                hint=hint,
            )
        return self.constant(
            node, sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)
        )

    def _name(self, node: ast.Name) -> sympy.Basic:
        name = node.id
        if name.startswith("_"):
            raise self.error(
                f"name '{name}' starting with '_'",
                self.span(node),
                hint="names must not start with '_'",
            )
        if name in self.known:
            return sympy.Symbol(name)
        if name in FUNCTIONS:
            raise self.error(
                f"function '{name}' without arguments",
                self.span(node),
                hint=f"call it as {_FUNCTIONS[name][1]}",
            )
        raise self.error(
            f"unknown name '{name}'",
            self.span(node),
            suggestion=did_you_mean(name, self.known),
            allowed=False,
        )

    def _binop(self, node: ast.BinOp) -> sympy.Basic:
        op = type(node.op)
        if op in _OPERATORS:
            symbol, hint = _OPERATORS[op]
            raise self.error(
                f"operator '{symbol}' is not allowed",
                self.between(node.left, node.right, node),
                hint=hint,
            )
        left, right = self.operand(node.left), self.operand(node.right)
        if op is ast.Div and right.is_Number and right.is_zero:
            raise self.error("division by zero", self.span(node.right))
        if op is ast.Pow:
            self._check_power(node, left, right)
        return self.build(node, _ARITHMETIC[op], left, right)

    def _degree(self, expr: sympy.Basic) -> float:
        """An upper bound of the polynomial degree of ``expr`` in its symbols."""
        if expr not in self.degrees:
            if expr.is_Symbol:
                degree = 1.0
            elif expr.is_Pow and expr.exp.is_Number:
                degree = abs(float(expr.exp)) * self._degree(expr.base)
            else:
                degrees = [self._degree(arg) for arg in expr.args]
                degree = sum(degrees) if expr.is_Mul else max(degrees, default=0.0)
            self.degrees[expr] = degree
        return self.degrees[expr]

    def _check_power(self, node: ast.AST, base: sympy.Expr, exp: sympy.Expr) -> None:
        """Refuse powers that would be huge constants, or too slow for sympy to expand."""
        if exp.is_Number and (base.is_Number or base is sympy.E):
            if base.is_zero:
                if exp.is_negative:
                    raise self.error("division by zero (0 to a negative power)", self.span(node))
                return
            digits = abs(float(exp) * _digits(base))
            if digits > MAX_LOG10:
                raise self.error(
                    f"constant too large: this power would have about {digits:.0f} digits "
                    f"(limit about {MAX_LOG10})",
                    self.span(node),
                )
        elif exp.is_Rational and abs(exp) > MAX_POWER:
            raise self.error(
                f"exponent {exp} too large for a non-constant base (limit {MAX_POWER})",
                self.span(node),
            )
        elif not exp.is_Integer and self._degree(base) > MAX_ROOT_DEGREE:
            raise self.error(
                f"fractional power of an expression of degree about {self._degree(base):.0f} "
                f"(limit {MAX_ROOT_DEGREE})",
                self.span(node),
            )

    def _unaryop(self, node: ast.UnaryOp) -> sympy.Basic:
        if isinstance(node.op, ast.Not):
            return self.build(node, _not, self.condition(node.operand))
        if isinstance(node.op, ast.Invert):
            raise self.error(
                "operator '~' is not allowed",
                self.span(node),
                hint="use 'not' to negate a condition",
            )
        value = self.operand(node.operand)
        return negate(value) if isinstance(node.op, ast.USub) else value

    def _boolop(self, node: ast.BoolOp) -> sympy.Basic:
        values = [self.condition(value) for value in node.values]
        return _lattice(sympy.And if isinstance(node.op, ast.And) else sympy.Or, values)

    def _compare(self, node: ast.Compare) -> sympy.Basic:
        nodes = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            if type(op) in _OPERATORS:
                symbol, hint = _OPERATORS[type(op)]
                raise self.error(
                    f"operator '{symbol}' is not allowed",
                    self.between(nodes[i], nodes[i + 1], node),
                    hint=hint,
                )
        values = [self.operand(n) for n in nodes]
        relations = [_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:])]
        return _lattice(sympy.And, relations)

    def _call(self, node: ast.Call) -> sympy.Basic:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCTIONS:
            suggestion = ""
            if name is None:
                self.visit(node.func)  # raises for attributes, lambdas, ...
                problem = "call of something that is not a function"
            elif name in self.known:
                problem = f"call of parameter '{name}' as a function"
            else:
                problem = f"unknown function '{name}'"
                suggestion = did_you_mean(name, FUNCTIONS)
            raise self.error(
                problem,
                self.span(node.func),
                suggestion=suggestion,
                hint=f"the functions are {', '.join(FUNCTIONS)}",
            )
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.visit(arg)  # raises: unpacking is not allowed
        if node.keywords:
            raise self.error("keyword arguments are not allowed", self.span(node.keywords[0]))
        func, signature, least, most = _FUNCTIONS[name]
        n = len(node.args)
        if n < least or (most is not None and n > most):
            raise self.error(
                f"wrong number of arguments ({n}) to {name}()",
                self.span(node),
                hint=f"use {signature}",
            )
        if name == "where":
            cond = self.condition(node.args[0])
            a, b = (self.operand(arg) for arg in node.args[1:])
            return func(cond, a, b)
        args = [self.operand(arg) for arg in node.args]
        if name == "exp":
            self._check_power(node, sympy.E, args[0])
        elif name == "sqrt":
            self._check_power(node, args[0], sympy.S.Half)
        return self.build(node, func, *args)

    _handlers: ClassVar[dict[type, Callable[..., sympy.Basic]]] = {
        ast.Constant: _constant,
        ast.Name: _name,
        ast.BinOp: _binop,
        ast.UnaryOp: _unaryop,
        ast.BoolOp: _boolop,
        ast.Compare: _compare,
        ast.Call: _call,
    }


def known_names(names: Iterable[str] | ParamSpace) -> tuple[str, ...]:
    """The names a formula may use: given directly, or a parameter space's names."""
    return names.names if isinstance(names, ParamSpace) else tuple(names)


def parse(text: str, names: Iterable[str] | ParamSpace, where: str | None = None) -> sympy.Basic:
    """Parse a formula into a sympy expression, or a sympy Boolean for a condition.

    Parameters
    ----------
    text : str
        The formula, e.g. ``"relief * (1 - breakout)"``.
    names : iterable of str or ParamSpace
        The names the formula may use.
    where : str, optional
        Context (file and key) prefixed to error messages.

    Raises
    ------
    FormulaError
        If the text is not a valid formula; the message points at the problem.
    """
    if not isinstance(text, str):
        raise FormulaError(f"{where + ': ' if where else ''}formula must be a string, got {text!r}")
    return _Parser(text.strip(), frozenset(known_names(names)), where).parse()


def parse_printed(text: str, names: Iterable[str]) -> sympy.Basic:
    """Parse text printed from a parsed formula: as :func:`parse`, without the limits of
    length and size, which were checked on the text the user wrote."""
    return _Parser(text, frozenset(names), None, limits=False).parse()


def as_expr(value: Any, names: Iterable[str] | ParamSpace, where: str) -> sympy.Basic:
    """A payoff, probability or argument as sympy: a formula string (parsed safely),
    a sympy expression of the declared ``names``, or a finite number.

    ``where`` (e.g. ``payoffs['US'][0][1]``) prefixes error messages.
    """
    known = known_names(names)
    if isinstance(value, str):
        return parse(value, known, where=where)
    if isinstance(value, sympy.Basic):
        unknown = free_names(value) - set(known)
        if unknown:
            raise ModelError(
                f"{where}: expression {value} uses undeclared parameters {sorted(unknown)}; "
                f"declared: {', '.join(known) or 'none'}"
            )
        return value
    if isinstance(value, Real) and not isinstance(value, bool):
        number = float(value)
        if not math.isfinite(number):
            raise ModelError(f"{where}: expected a finite number, got {value}")
        return sympy.Integer(int(number)) if number.is_integer() else sympy.Float(number)
    raise ModelError(
        f"{where}: expected a number, a formula string or a sympy expression, "
        f"got {type(value).__name__} {value!r}"
    )


def free_names(expr: sympy.Basic) -> set[str]:
    """Names of the free symbols of ``expr``."""
    return {s.name for s in expr.free_symbols}
