"""Sympy expressions back to formula text, the inverse of :func:`bargain.formula.parse`.

:func:`to_text` prints an expression in bargain's formula language, so that a
model built in Python can be written to a model file: ``parse(to_text(e), names)``
gives back an expression equal to ``e``, as a rule the very same one (see
:func:`canonical` for the exceptions). Floats are printed with Python's ``repr``
(exact for 53-bit floats), rationals as ``p/q``, ``Piecewise`` as nested
``where(cond, a, b)``, ``Min``/``Max``/``Abs`` as ``min``/``max``/``abs``.
"""

from __future__ import annotations

import math

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanFalse, BooleanTrue
from sympy.printing.str import StrPrinter

from bargain.errors import FormulaError

from .parser import free_names, parse

#: Print-and-parse rounds :func:`canonical` tries (one is enough in practice).
_MAX_ROUNDS = 4

# The sympy types a formula can be made of; anything else cannot be written as text.
_ALLOWED = (
    sympy.Symbol,
    sympy.Rational,
    sympy.Float,
    sympy.NumberSymbol,
    sympy.Add,
    sympy.Mul,
    sympy.Pow,
    sympy.Abs,
    sympy.Min,
    sympy.Max,
    sympy.exp,
    sympy.log,
    sympy.ITE,
    sympy.Piecewise,
    sympy.functions.elementary.piecewise.ExprCondPair,
    sympy.And,
    sympy.Or,
    sympy.Not,
    Relational,
    BooleanTrue,
    BooleanFalse,
)


class _Printer(StrPrinter):
    """Sympy's str printer with the spelling of bargain's formula language."""

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        # Positive terms first: "u_US - u_Iran" rather than "-u_Iran + u_US".
        terms = sorted(self._as_ordered_terms(expr, order), key=_negative)
        return super()._print_Add(sympy.Add(*terms, evaluate=False), order="none")

    def _print_Float(self, expr: sympy.Float) -> str:
        return repr(float(expr))

    def _print_NumberSymbol(self, expr: sympy.NumberSymbol) -> str:
        return repr(float(expr))

    _print_Exp1 = _print_Pi = _print_NumberSymbol

    def _print_BooleanTrue(self, expr: BooleanTrue) -> str:
        return "0 == 0"

    def _print_BooleanFalse(self, expr: BooleanFalse) -> str:
        return "0 != 0"

    def _print_Relational(self, expr: Relational) -> str:
        return f"{self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)}"

    def _condition(self, expr: sympy.Basic) -> str:
        text = self._print(expr)
        return f"({text})" if isinstance(expr, sympy.And | sympy.Or | sympy.Not) else text

    def _print_And(self, expr: sympy.And) -> str:
        return " and ".join(self._condition(arg) for arg in expr.args)

    def _print_Or(self, expr: sympy.Or) -> str:
        return " or ".join(self._condition(arg) for arg in expr.args)

    def _print_Not(self, expr: sympy.Not) -> str:
        return f"not ({self._print(expr.args[0])})"

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        *pieces, (value, last) = expr.args
        if last is not sympy.true:
            raise FormulaError(
                f"cannot write {expr} as a formula: it has no value where no condition holds"
            )
        out = self._print(value)
        for value, cond in reversed(pieces):
            out = f"where({self._print(cond)}, {self._print(value)}, {out})"
        return out

    def _call(self, name: str, expr: sympy.Basic) -> str:
        return f"{name}({', '.join(self._print(arg) for arg in expr.args)})"

    def _print_Abs(self, expr: sympy.Abs) -> str:
        return self._call("abs", expr)

    def _print_Min(self, expr: sympy.Min) -> str:
        return self._call("min", expr)

    def _print_Max(self, expr: sympy.Max) -> str:
        return self._call("max", expr)

    def _print_exp(self, expr: sympy.exp) -> str:
        return self._call("exp", expr)

    def _print_log(self, expr: sympy.log) -> str:
        return self._call("log", expr)

    def _print_ITE(self, expr: sympy.ITE) -> str:
        # parse turns a comparison with a where(...) inside a condition into
        # ITE(c, x op a, x op b): write the comparison back.
        cond, a, b = expr.args
        c = self._print(cond)
        if isinstance(a, Relational) and type(a) is type(b):
            if a.lhs == b.lhs:
                where = f"where({c}, {self._print(a.rhs)}, {self._print(b.rhs)})"
                return f"{self._print(a.lhs)} {a.rel_op} {where}"
            if a.rhs == b.rhs:
                where = f"where({c}, {self._print(a.lhs)}, {self._print(b.lhs)})"
                return f"{where} {a.rel_op} {self._print(a.rhs)}"
        return f"({c} and {self._condition(a)}) or (not ({c}) and {self._condition(b)})"


def _negative(term: sympy.Expr) -> bool:
    return term.could_extract_minus_sign()


_PRINTER = _Printer()


def to_text(expr: sympy.Basic) -> str:
    """Print ``expr`` as a formula that :func:`bargain.formula.parse` reads back.

    Parameters
    ----------
    expr : sympy.Basic
        An expression or condition made of numbers, symbols, ``+ - * / **``,
        comparisons, ``And``/``Or``/``Not``, ``Abs``, ``Min``, ``Max``,
        ``exp``, ``log``, ``sqrt`` and ``Piecewise`` with a final ``True``
        piece (what :func:`~bargain.formula.parse` builds).

    Raises
    ------
    FormulaError
        If ``expr`` holds something the formula language cannot write (other
        functions, infinities, complex numbers, a partial ``Piecewise``).

    Examples
    --------
    >>> from bargain.formula import parse
    >>> to_text(parse("where(relief > 0.5 and not (cost <= 1), max(relief, 1/3), -cost)",
    ...               ["relief", "cost"]))
    'where(relief > 0.5 and cost > 1, max(1/3, relief), -cost)'
    >>> e = parse("sqrt(x) * exp(-x) / (1 + abs(x))**2", ["x"])
    >>> to_text(e)
    'sqrt(x)*exp(-x)/(abs(x) + 1)**2'
    >>> parse(to_text(e), ["x"]) == e
    True
    """
    # Parameters are real, but sympy's symbols are complex: parse makes exp(re(x)) of
    # abs(exp(x)) and exp(re(x)**2 - im(x)**2) of abs(exp(x**2)).
    expr = expr.replace(sympy.re, lambda x: x).replace(sympy.im, lambda x: sympy.S.Zero)
    for node in sympy.preorder_traversal(expr):
        if not isinstance(node, _ALLOWED):
            raise FormulaError(
                f"cannot write {expr} as a formula: {type(node).__name__} "
                "is not part of the formula language"
            )
        if isinstance(node, sympy.Float) and not math.isfinite(float(node)):
            raise FormulaError(f"cannot write {expr} as a formula: {node} is not finite")
    return _PRINTER.doprint(expr)


def canonical(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` in the form that :func:`to_text` and ``parse`` give back unchanged.

    Sympy rewrites some expressions as it builds them (``abs(3*abs(b))`` becomes
    ``3*Abs(Abs(b))``), so parsing the printed text can give an equal but
    differently built expression; printing and parsing again reaches a form that
    stays the same, which is what model files store.

    Examples
    --------
    >>> from bargain.formula import parse
    >>> e = parse("abs(3 * abs(b))", ["b"])
    >>> e, canonical(e)
    (3*Abs(Abs(b)), 3*Abs(b))
    """
    for _ in range(_MAX_ROUNDS):
        again = parse(to_text(expr), free_names(expr))
        if again == expr:
            break
        expr = again
    return expr
