"""Parsing formula text to sympy by a whitelist of Python's AST, never ``eval``.

:func:`parse` walks the syntax tree, accepts only numbers, declared names, the
operators and the functions of :mod:`bargain.vocabulary`, and builds sympy
objects directly, with located error messages (a caret under the problem).
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Iterable
from numbers import Real
from typing import Any, ClassVar

import mpmath
import sympy

from bargain.errors import FormulaError, ModelError, did_you_mean
from bargain.params import ParamSpace
from bargain.vocabulary import FUNCTIONS

# name: (sympy function, signature, least and most arguments)
_FUNCTIONS: dict[str, tuple[Any, str, int, int | None]] = {
    "abs": (sympy.Abs, "abs(x)", 1, 1),
    "exp": (sympy.exp, "exp(x)", 1, 1),
    "log": (sympy.log, "log(x)", 1, 1),
    "sqrt": (sympy.sqrt, "sqrt(x)", 1, 1),
    "min": (sympy.Min, "min(a, b, ...)", 2, None),
    "max": (sympy.Max, "max(a, b, ...)", 2, None),
    "where": (sympy.Piecewise, "where(cond, a, b)", 3, 3),
}

MAX_LENGTH = 10_000
MAX_DEPTH = 100
MAX_LOG10 = 300  # constants must stay within about 1e300
MAX_POWER = 1000  # largest rational exponent of a non-constant base
MAX_ROOT_DEGREE = 100  # largest degree of a non-constant base with a fractional exponent

_NOT_FINITE_REAL = (sympy.I, sympy.zoo, sympy.nan, sympy.oo, -sympy.oo)
_ALLOWED = (
    "allowed: numbers, the known names, + - * / **, comparisons < <= > >= == !=, "
    "and/or/not, and the functions abs, exp, log, sqrt, min, max, where(cond, a, b)"
)
_ARITHMETIC = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_COMPARE = {
    ast.Lt: sympy.Lt,
    ast.LtE: sympy.Le,
    ast.Gt: sympy.Gt,
    ast.GtE: sympy.Ge,
    ast.Eq: sympy.Eq,
    ast.NotEq: sympy.Ne,
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


def _has_complex_constant(expr: sympy.Expr) -> bool:
    """True if ``expr`` contains i, infinities, nan or a negative constant to a fractional power."""
    return expr.has(*_NOT_FINITE_REAL) or any(
        p.base.is_negative and not p.exp.is_integer for p in expr.atoms(sympy.Pow)
    )


def _digits(value: sympy.Expr) -> float:
    """Decimal size of a real constant: log10 of its magnitude, or of the larger part of a
    fraction (which must stay small for exact arithmetic)."""
    if value.is_Rational:
        return math.log10(max(abs(value.p), value.q))
    return float(mpmath.log10(abs(mpmath.mpf(value.evalf(15)))))


def _degree(expr: sympy.Basic) -> float:
    """An upper bound of the polynomial degree of ``expr`` in its symbols."""
    if expr.is_Symbol:
        return 1
    if expr.is_Pow and expr.exp.is_Number:
        return abs(float(expr.exp)) * _degree(expr.base)
    degrees = [_degree(arg) for arg in expr.args]
    return sum(degrees) if expr.is_Mul else max(degrees, default=0)


class _Parser:
    """Whitelist walker from a Python AST to sympy, with located error messages."""

    def __init__(self, text: str, known: frozenset[str], where: str | None) -> None:
        self.text = text
        self.known = known
        self.prefix = f"{where}: " if where else ""
        self.lines = text.split("\n")

    def parse(self) -> sympy.Basic:
        if len(self.text) > MAX_LENGTH:
            raise FormulaError(
                f"{self.prefix}formula is {len(self.text)} characters long; "
                f"the limit is {MAX_LENGTH}"
            )
        if not self.text:
            raise self.error("empty text instead of a formula")
        try:
            return self.visit(ast.parse(self.text, mode="eval").body, 0)
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

    def visit(self, node: ast.AST, depth: int) -> sympy.Basic:
        if depth > MAX_DEPTH:
            raise self.error(
                f"formula is nested too deeply (limit {MAX_DEPTH} levels)", self.span(node)
            )
        handler = self._handlers.get(type(node))
        if handler is None:
            what, hint = _CONSTRUCTS.get(type(node), ("this kind of expression", ""))
            raise self.error(f"{what} is not allowed", self.span(node), hint=hint)
        return handler(self, node, depth + 1)

    def operand(self, node: ast.AST, depth: int) -> sympy.Expr:
        """Visit a node that must be a number, not a condition."""
        value = self.visit(node, depth)
        if not isinstance(value, sympy.Expr):
            raise self.error(
                "a condition is used as a number",
                self.span(node),
                hint="use where(cond, 1, 0) to turn a condition into a number",
            )
        return value

    def condition(self, node: ast.AST, depth: int) -> sympy.Basic:
        """Visit a node that must be a condition, not a number."""
        value = self.visit(node, depth)
        if isinstance(value, sympy.Expr):
            raise self.error(
                "a number is used as a condition",
                self.span(node),
                hint="write a comparison such as x > 0",
            )
        return value

    def number(self, node: ast.AST, value: sympy.Basic) -> sympy.Basic:
        """Return ``value``, refusing parts that are not finite reals and huge constants."""
        if not isinstance(value, sympy.Expr):
            return value
        if (
            value.is_extended_real is False
            or (value.is_number and not value.is_real)
            or _has_complex_constant(value)
        ):
            raise self.error(
                "this part is not a finite real number",
                self.span(node),
                hint="e.g. a negative number to a fractional power, log(0) or 1/0",
            )
        # Irrational constants become floats: sympy's exact rules for them can be very slow.
        if value.is_number and not value.is_Rational:
            value = value.evalf()
        value = value.xreplace({p: p.evalf() for p in value.atoms(sympy.Pow) if p.is_number})
        if any(_digits(c) > MAX_LOG10 for c in value.atoms(sympy.Number)):
            raise self.error(
                f"constant too large (more than about {MAX_LOG10} digits)", self.span(node)
            )
        return value

    def _constant(self, node: ast.Constant, depth: int) -> sympy.Basic:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = {bool: "boolean", str: "string", bytes: "bytes", complex: "complex number"}
            hint = "conditions are comparisons such as x > 0" if isinstance(value, bool) else ""
            raise self.error(
                f"{kind.get(type(value), 'constant')} {value!r} is not allowed",
                self.span(node),
                hint=hint,
            )
        return self.number(
            node, sympy.Integer(value) if isinstance(value, int) else sympy.Float(value)
        )

    def _name(self, node: ast.Name, depth: int) -> sympy.Basic:
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

    def _binop(self, node: ast.BinOp, depth: int) -> sympy.Basic:
        op = type(node.op)
        if op in _OPERATORS:
            symbol, hint = _OPERATORS[op]
            raise self.error(
                f"operator '{symbol}' is not allowed",
                self.between(node.left, node.right, node),
                hint=hint,
            )
        left, right = self.operand(node.left, depth), self.operand(node.right, depth)
        if op is ast.Div and right.is_zero:
            raise self.error("division by zero", self.span(node.right))
        if op is ast.Pow:
            self._check_power(node, left, right)
        return self.number(node, _ARITHMETIC[op](left, right))

    def _check_power(self, node: ast.AST, base: sympy.Expr, exp: sympy.Expr) -> None:
        """Refuse powers that would be huge constants or too slow for sympy to simplify."""
        if base.is_number and exp.is_number:
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
        elif not exp.is_integer and _degree(base) > MAX_ROOT_DEGREE:
            raise self.error(
                f"fractional power of an expression of degree about {_degree(base):.0f} "
                f"(limit {MAX_ROOT_DEGREE})",
                self.span(node),
            )

    def _unaryop(self, node: ast.UnaryOp, depth: int) -> sympy.Basic:
        if isinstance(node.op, ast.Not):
            return sympy.Not(self.condition(node.operand, depth))
        if isinstance(node.op, ast.Invert):
            raise self.error(
                "operator '~' is not allowed",
                self.span(node),
                hint="use 'not' to negate a condition",
            )
        value = self.operand(node.operand, depth)
        return self.number(node, -value if isinstance(node.op, ast.USub) else value)

    def _boolop(self, node: ast.BoolOp, depth: int) -> sympy.Basic:
        values = [self.condition(value, depth) for value in node.values]
        return (sympy.And if isinstance(node.op, ast.And) else sympy.Or)(*values)

    def _compare(self, node: ast.Compare, depth: int) -> sympy.Basic:
        nodes = [node.left, *node.comparators]
        for i, op in enumerate(node.ops):
            if type(op) in _OPERATORS:
                symbol, hint = _OPERATORS[type(op)]
                raise self.error(
                    f"operator '{symbol}' is not allowed",
                    self.between(nodes[i], nodes[i + 1], node),
                    hint=hint,
                )
        values = [self.operand(n, depth) for n in nodes]
        return sympy.And(
            *(_COMPARE[type(op)](a, b) for op, a, b in zip(node.ops, values, values[1:]))
        )

    def _call(self, node: ast.Call, depth: int) -> sympy.Basic:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name not in _FUNCTIONS:
            suggestion = ""
            if name is None:
                self.visit(node.func, depth)  # raises for attributes, lambdas, ...
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
                self.visit(arg, depth)  # raises: unpacking is not allowed
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
            cond = self.condition(node.args[0], depth)
            a, b = (self.operand(arg, depth) for arg in node.args[1:])
            return self.number(node, func((a, cond), (b, True)))
        args = [self.operand(arg, depth) for arg in node.args]
        if name == "exp":
            self._check_power(node, sympy.E, args[0])
        elif name == "sqrt":
            self._check_power(node, args[0], sympy.S.Half)
        return self.number(node, func(*args))

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
