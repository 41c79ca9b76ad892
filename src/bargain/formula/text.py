"""Sympy expressions back to formula text, the inverse of :func:`bargain.formula.parse`.

:func:`to_text` prints an expression in bargain's formula language, so that a
model built in Python can be written to a model file. A parsed formula prints
as written, up to spaces, parentheses and the order of the operands of ``+``
and ``*``: ``parse(to_text(e), names)`` is ``e`` itself. An expression built
with sympy prints as an equal formula, whose parsed form :func:`canonical`
gives. Floats are printed with Python's ``repr`` (exact for 53-bit floats),
rationals as ``p/q``, ``Piecewise`` as nested ``where(cond, a, b)``,
``Min``/``Max``/``Abs`` as ``min``/``max``/``abs``.
"""

from __future__ import annotations

import math

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanFalse, BooleanTrue
from sympy.printing.str import StrPrinter

from bargain.errors import FormulaError

from .parser import free_names, negative, parse_printed

#: Print-and-parse rounds :func:`canonical` tries (one is enough in practice).
_MAX_ROUNDS = 4
# Python's operator precedence, from + to a number or a call.
_ADD, _MUL, _UNARY, _POW, _ATOM = range(1, 6)

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
    """Sympy's str printer with the spelling and the structure of bargain's formulas.

    ``+``, ``*`` and ``**`` print the tree as parse builds it (parentheses where
    Python's precedence needs them), so that the text parses back to the same tree.
    """

    def _paren(self, expr: sympy.Basic, below: int) -> str:
        """``expr``, in parentheses if its precedence is below ``below``."""
        text = self._print(expr)
        return f"({text})" if _precedence(expr) < below else text

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        terms = expr.args
        if not all(map(negative, terms)):  # else as written: -a - b is not -b - a
            # "u_US - u_Iran" rather than "-u_Iran + u_US"; a sum first: "a + b + c"; numbers last.
            terms = sorted(terms, key=lambda t: (negative(t), not t.is_Add, _is_constant(t)))
        out = self._paren(terms[0], _ADD)
        for term in terms[1:]:
            if negative(term):
                out += f" - {self._paren(_minus(term), _MUL)}"
            else:
                out += f" + {self._paren(term, _MUL)}"
        return out

    def _print_Mul(self, expr: sympy.Mul) -> str:
        form = _mul_form(expr)
        if form == "n-ary":  # built by sympy, not by parse: as sympy prints it
            return super()._print_Mul(expr)
        (c, y) = expr.args
        if form == "division":
            top, bottom = (y, c.base) if _reciprocal(c) and not _reciprocal(y) else (c, y.base)
            return f"{self._paren(top, _MUL)}/{self._paren(bottom, _UNARY)}"
        if form == "minus":
            return f"-{self._paren(y, _UNARY)}"
        if form == "over":
            return f"{self._paren(y, _MUL)}/{'' if c.p == 1 else '-'}{c.q}"
        if y.is_Mul and _precedence(c) == _ATOM:
            c, y = y, c  # a product first: "a*b*c", "-a*b" rather than "c*(a*b)", "b*-a"
        return f"{self._paren(c, _MUL)}*{self._paren(y, _UNARY)}"

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        base, exp = expr.args
        if exp is sympy.S.Half:
            return f"sqrt({self._print(base)})"
        return f"{self._paren(base, _ATOM)}**{self._paren(exp, _UNARY)}"

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
        return f"({text})" if isinstance(expr, sympy.And | sympy.Or) else text

    def _print_And(self, expr: sympy.And) -> str:
        return " and ".join(map(self._chain, _chains(expr.args)))

    def _chain(self, chain: list[sympy.Basic]) -> str:
        """A condition, or comparisons joined into a chain such as ``a < b <= c``."""
        first, *rest = chain
        if not rest:
            return self._condition(first)
        return " ".join(
            [self._print(first.lhs), *(f"{r.rel_op} {self._print(r.rhs)}" for r in chain)]
        )

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
        # sympy's Piecewise() turns a comparison with a Piecewise inside a condition into
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


def _reciprocal(expr: sympy.Basic) -> bool:
    """True for ``x**-1``, which parse builds for a division."""
    return expr.is_Pow and expr.exp is sympy.S.NegativeOne


def _mul_form(expr: sympy.Mul) -> str:
    """How a product prints: ``a/b``, ``-a``, ``a/3`` or ``a/-3``, ``2/3*a`` or ``a*b``."""
    if len(expr.args) != 2:
        return "n-ary"
    c = expr.args[0]
    if any(map(_reciprocal, expr.args)):
        return "division"
    if c is sympy.S.NegativeOne:
        return "minus"
    if c.is_Rational and not c.is_Integer:
        return "over" if abs(c.p) == 1 else "fraction"
    return "product"


def _precedence(expr: sympy.Basic) -> int:
    """Python's precedence of ``expr`` as the printer writes it."""
    if expr.is_Add:
        return _ADD
    if expr.is_Mul:
        return _UNARY if _mul_form(expr) == "minus" else _MUL
    if expr.is_Pow:
        return _ATOM if expr.exp is sympy.S.Half else _POW
    if expr.is_Rational and not expr.is_Integer:
        return _MUL
    return _UNARY if expr.is_Number and expr.is_negative else _ATOM


def _minus(term: sympy.Expr) -> sympy.Expr:
    """``-term`` of a negative term, as parse builds it, so that ``a - (-term)`` is ``a + term``."""
    if term.is_Number:
        return -term
    c, *rest = term.args
    if c is not sympy.S.NegativeOne or _reciprocal(rest[0]):
        return sympy.Mul._from_args((-c, *rest))  # 1/x rather than x**-1
    return rest[0] if len(rest) == 1 else sympy.Mul._from_args(rest)


def _is_constant(term: sympy.Basic) -> bool:
    return term.is_Number or term.is_NumberSymbol


def _chains(conditions: tuple[sympy.Basic, ...]) -> list[list[sympy.Basic]]:
    """The conditions of an ``and``, comparisons that share an operand joined in chains:
    ``[a < b, b < c]`` for ``a < b < c``, which parse reads as ``a < b and b < c``."""
    left: dict[sympy.Basic, list[Relational]] = {}
    right: dict[sympy.Basic, list[Relational]] = {}
    for c in conditions:
        if isinstance(c, Relational):
            left.setdefault(c.lhs, []).append(c)
            right.setdefault(c.rhs, []).append(c)
    free = dict.fromkeys(conditions)

    def take(candidates: list[Relational]) -> Relational | None:
        link = next((c for c in candidates if c in free), None)
        free.pop(link, None)
        return link

    out = []
    for c in conditions:
        if c not in free:
            continue  # already in a chain
        del free[c]
        chain = [c]
        if isinstance(c, Relational):
            while (link := take(left.get(chain[-1].rhs, []))) is not None:
                chain.append(link)
            while (link := take(right.get(chain[0].lhs, []))) is not None:
                chain.insert(0, link)
        out.append(chain)
    return out


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
    'where(relief > 0.5 and not (cost <= 1), max(1/3, relief), -cost)'
    >>> e = parse("sqrt(x) * exp(-x) / (1 + abs(x))**2", ["x"])
    >>> to_text(e)
    'sqrt(x)*exp(-x)/(abs(x) + 1)**2'
    >>> parse(to_text(e), ["x"]) == e
    True
    """
    # Parameters are real, but sympy's symbols are complex: sympy makes exp(re(x)) of
    # Abs(exp(x)) and exp(re(x)**2 - im(x)**2) of Abs(exp(x**2)).
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

    A parsed formula is in that form already. An expression built with sympy may
    not be: sympy makes one sum of the three terms of ``a - b - 2*c``, which
    prints as ``a - b - 2*c`` and parses back as ``(a - b) - 2*c``. Printing and
    parsing again reaches a form that stays the same, which is what model files store.

    Examples
    --------
    >>> import sympy
    >>> a, b, c = sympy.symbols("a b c")
    >>> e = a - b - 2 * c
    >>> e.args, canonical(e).args
    ((a, -b, -2*c), (-2*c, a - b))
    """
    for _ in range(_MAX_ROUNDS):
        again = parse_printed(to_text(expr), free_names(expr))
        if again == expr:
            break
        expr = again
    return expr
