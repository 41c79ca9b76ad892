"""Compiling parsed formulas once into one vectorized numpy function."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.core.operations import AssocOp, LatticeOp
from sympy.functions.elementary.piecewise import ExprCondPair
from sympy.printing.codeprinter import PrintMethodNotImplementedError
from sympy.printing.numpy import NumPyPrinter

from bargain.errors import FormulaError
from bargain.params import ParamSpace

from .parser import free_names, known_names

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

# Python's operator precedence, from + to a number or a call.
_ADD, _MUL, _UNARY, _POW, _ATOM = range(1, 6)
# Parentheses a part of the generated code may hold before it becomes a variable of its own:
# Python refuses more than 200 nested ones, e.g. of max() in max() that pair their arguments.
_PARENS = 50


class _Printer(NumPyPrinter):
    """NumPy printer of the tree as built: ``x/x`` computes x/x, never 1.

    Each name prints as the generated argument of its position, so a parameter
    named ``where`` or ``numpy`` cannot shadow a function. ``+ - * / **`` follow
    the tree with Python's precedence, floats are exact, and ``min``/``max``/
    ``and``/``or`` are balanced trees of pairwise numpy calls (which broadcast
    arrays of different shapes, and keep the nesting shallow). A part with more
    than ``_PARENS`` parentheses is computed first, into a variable of its own.
    """

    def __init__(self, arguments: dict[str, str]) -> None:
        super().__init__({"fully_qualified_modules": True, "inline": True})
        self.arguments = arguments
        self.lines: list[str] = []  # assignments of the parts with many parentheses

    def _print(self, expr: sympy.Basic, **kwargs: Any) -> str:
        text = super()._print(expr, **kwargs)
        if text.count("(") <= _PARENS:
            return text
        name = f"_t{len(self.lines)}"
        self.lines.append(f"{name} = {text}")
        return name

    def _print_Symbol(self, expr: sympy.Symbol) -> str:
        return self.arguments[expr.name]

    _print_Dummy = _print_Symbol

    def _paren(self, expr: sympy.Basic, below: int) -> str:
        text = self._print(expr)
        return f"({text})" if _precedence(expr) < below else text

    def _print_Add(self, expr: sympy.Add, order: str | None = None) -> str:
        first, *rest = expr.args
        return " + ".join([self._paren(first, _ADD), *(self._paren(t, _MUL) for t in rest)])

    def _print_Mul(self, expr: sympy.Mul) -> str:
        top, bottom = _fraction(expr)
        out = " * ".join(
            self._paren(f, _MUL if i == 0 else _UNARY) for i, f in enumerate(top or [sympy.S.One])
        )
        return out + "".join(f" / {self._paren(d, _UNARY)}" for d in bottom)

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        # numpy's power of an array and of a single number can differ in the last digit:
        # x**0.5, x**-0.5 and x**-1 of fractions are computed by sqrt and division.
        base, exp = expr.args
        sqrt = self._module_format("numpy.sqrt")
        if exp is sympy.S.Half:
            return f"{sqrt}({self._print(base)})"
        if exp == -sympy.S.Half:
            return f"1 / {sqrt}({self._print(base)})"
        if exp is sympy.S.NegativeOne:
            return f"1 / {self._paren(base, _UNARY)}"
        return f"{self._paren(base, _ATOM)}**{self._paren(exp, _UNARY)}"

    def _print_Float(self, expr: sympy.Float) -> str:
        value = float(expr)
        return repr(value) if math.isfinite(value) else f"float({str(value)!r})"

    def _print_Rational(self, expr: sympy.Rational) -> str:
        return repr(expr.p / expr.q)  # Python divides integers exactly rounded

    def _print_Integer(self, expr: sympy.Integer) -> str:
        # Integers beyond float precision would become numpy object arrays.
        return str(expr.p) if abs(expr.p) < 2**53 else repr(float(expr))

    def _reduce(self, func: str, args: Sequence[sympy.Basic]) -> str:
        if len(args) == 1:
            return self._print(args[0])
        half = len(args) // 2
        left, right = self._reduce(func, args[:half]), self._reduce(func, args[half:])
        return f"{self._module_format(f'numpy.{func}')}({left}, {right})"

    def _print_Min(self, expr: sympy.Min) -> str:
        return self._reduce("minimum", expr.args)

    def _print_Max(self, expr: sympy.Max) -> str:
        return self._reduce("maximum", expr.args)

    def _print_And(self, expr: sympy.And) -> str:
        return self._reduce("logical_and", expr.args)

    def _print_Or(self, expr: sympy.Or) -> str:
        return self._reduce("logical_or", expr.args)

    def _print_Piecewise(self, expr: sympy.Piecewise) -> str:
        where = self._module_format("numpy.where")
        out = self._print(sympy.nan)
        for value, cond in reversed(expr.args):
            out = (
                self._print(value)
                if cond is sympy.true
                else f"{where}({self._print(cond)}, {self._print(value)}, {out})"
            )
        return out


def _fraction(expr: sympy.Mul) -> tuple[list[sympy.Basic], list[sympy.Basic]]:
    """Factors and divisors of a product: ``x**-1`` and ``1/q`` divide, as written."""
    top, bottom = [], []
    for f in expr.args:
        if f.is_Pow and f.exp is sympy.S.NegativeOne:
            bottom.append(f.base)
        elif f.is_Rational and abs(f.p) == 1 and f.q != 1:
            top += [sympy.S.NegativeOne] if f.p < 0 else []
            bottom.append(sympy.Integer(f.q))
        else:
            top.append(f)
    return top, bottom


def _precedence(expr: sympy.Basic) -> int:
    """Python's precedence of ``expr`` as the printer writes it."""
    if expr.is_Add:
        return _ADD
    if expr.is_Mul:
        return _MUL
    if expr.is_Pow:
        if expr.exp is sympy.S.Half:
            return _ATOM
        return _MUL if expr.exp is sympy.S.NegativeOne or expr.exp == -sympy.S.Half else _POW
    return _UNARY if expr.is_Number and expr.is_negative else _ATOM


def _tree(expr: sympy.Basic) -> Any:
    """``expr`` as nested (type, arguments) pairs, which pickle without sympy's evaluation."""
    return expr if expr.is_Atom else (type(expr), tuple(map(_tree, expr.args)))


def _grow(tree: Any) -> sympy.Basic:
    """The expression of :func:`_tree`, built as it was, unevaluated."""
    if not isinstance(tree, tuple):
        return tree
    cls, args = tree[0], tuple(map(_grow, tree[1]))
    if issubclass(cls, LatticeOp):
        out = sympy.Basic.__new__(cls, *args)
        out._argset = frozenset(args)
        return out
    if issubclass(cls, AssocOp):
        return cls._from_args(args)
    if issubclass(cls, sympy.Piecewise | ExprCondPair):
        return sympy.Basic.__new__(cls, *args)
    with sympy.evaluate(False):
        return cls(*args)


class CompiledFormula:
    """Formulas compiled to one vectorized numpy function.

    Call with one array per name (in the order of ``names``); the arrays are
    broadcast together. A single compiled expression returns an array of the
    broadcast shape; a sequence of ``k`` expressions returns shape ``(k, *shape)``.
    Values are float64 (conditions give 0 or 1); numpy floating-point warnings
    are suppressed, invalid results are ``nan`` or ``inf``.
    """

    __slots__ = ("_fn", "_single", "exprs", "names")

    def __init__(
        self, exprs: tuple[sympy.Basic, ...], names: tuple[str, ...], single: bool
    ) -> None:
        self.exprs = exprs
        self.names = names
        self._single = single
        arguments = {name: f"_{i}" for i, name in enumerate(names)}
        printer = _Printer(arguments)
        body = "".join(f"{printer.doprint(e)}, " for e in exprs)
        # The source holds numbers, operators, numpy functions, the arguments _0, _1, ... and
        # variables _t0, _t1, ...: the printer writes no name, function or text of the formulas.
        lines = "".join(f"    {line}\n" for line in [*printer.lines, f"return ({body})"])
        source = f"def formulas({', '.join(arguments.values())}):\n{lines}"
        namespace = {"numpy": np}
        exec(compile(source, "<bargain formulas>", "exec"), namespace)
        self._fn = namespace["formulas"]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        """Pickle the expressions as built (sympy's pickles rebuild them evaluated, x/x as 1),
        not the generated function: it is rebuilt on load."""
        return (_unpickle, (tuple(map(_tree, self.exprs)), self.names, self._single))

    def __call__(self, *arrays: ArrayLike, out: np.ndarray | None = None) -> np.ndarray:
        """Evaluate at the arrays; ``out`` (one row per expression) is filled if given."""
        if len(arrays) != len(self.names):
            raise TypeError(
                f"expected {len(self.names)} arrays ({', '.join(self.names)}), got {len(arrays)}"
            )
        args = [np.asarray(a, dtype=np.float64) for a in arrays]
        if out is None:
            out = np.empty((len(self.exprs), *np.broadcast_shapes(*(a.shape for a in args))))
        with np.errstate(all="ignore"):
            for i, value in enumerate(self._fn(*args)):
                out[i] = value
        return out[0] if self._single else out

    def __repr__(self) -> str:
        what = str(self.exprs[0]) if self._single else f"{len(self.exprs)} formulas"
        return f"<CompiledFormula {what} of ({', '.join(self.names)})>"


def _unpickle(trees: tuple[Any, ...], names: tuple[str, ...], single: bool) -> CompiledFormula:
    return CompiledFormula(tuple(map(_grow, trees)), names, single)


def compile_formulas(
    exprs: sympy.Basic | Sequence[sympy.Basic], names: Iterable[str] | ParamSpace
) -> CompiledFormula:
    """Compile expressions once into a vectorized function of arrays for ``names``.

    Symbols are matched to ``names`` by name (assumptions are ignored). The
    expressions are computed as built: sympy does not rewrite them first.

    Raises
    ------
    FormulaError
        If an expression uses a name not in ``names`` or something numpy cannot
        compute, or names repeat.
    """
    names = known_names(names)
    if len(set(names)) != len(names):
        raise FormulaError(f"duplicate names in {names}")
    single = isinstance(exprs, sympy.Basic)
    exprs = (exprs,) if single else tuple(exprs)
    for e in exprs:
        if not isinstance(e, sympy.Basic):
            raise TypeError(f"expected sympy expressions, got {e!r}")
    unknown = set().union(*map(free_names, exprs)) - set(names)
    if unknown:
        raise FormulaError(
            f"formulas use undeclared names {', '.join(sorted(unknown))}; "
            f"known names: {', '.join(sorted(names)) or '(none)'}"
        )
    try:
        return CompiledFormula(exprs, names, single)
    except (SyntaxError, RecursionError, MemoryError, PrintMethodNotImplementedError) as exc:
        shown = "; ".join(str(e)[:80] for e in exprs[:3])
        raise FormulaError(
            f"formulas cannot be compiled ({type(exc).__name__}): {shown}; simplify them"
        ) from None
