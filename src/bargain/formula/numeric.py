"""Compiling parsed formulas once into one vectorized numpy function."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter

from bargain.errors import FormulaError
from bargain.params import ParamSpace

from .parser import free_names, known_names

if TYPE_CHECKING:
    from numpy.typing import ArrayLike


class _Printer(NumPyPrinter):
    """NumPy printer: exact floats, pairwise min/max/and/or, nested ``where``.

    Pairwise reductions broadcast arguments of different shapes, which
    ``numpy.amin`` or ``logical_and.reduce`` on a tuple of arrays do not.
    """

    def _print_Float(self, expr: sympy.Float) -> str:
        return repr(float(expr))

    def _print_Integer(self, expr: sympy.Integer) -> str:
        # Integers beyond float precision would become numpy object arrays.
        return str(expr.p) if abs(expr.p) < 2**53 else repr(float(expr))

    def _reduce(self, func: str, args: Sequence[sympy.Basic]) -> str:
        func = self._module_format(f"numpy.{func}")
        out = self._print(args[0])
        for arg in args[1:]:
            out = f"{func}({out}, {self._print(arg)})"
        return out

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
        dummies = {name: sympy.Dummy(name) for name in names}
        body = [e.xreplace({s: dummies[s.name] for s in e.free_symbols}) for e in exprs]
        printer = _Printer(
            {
                "fully_qualified_modules": False,
                "inline": True,
                "allow_unknown_functions": True,
                "user_functions": {},
            }
        )
        self._fn = sympy.lambdify(
            list(dummies.values()), body, modules="numpy", printer=printer, cse=True
        )

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        """Pickle the expressions, not the generated function: it is rebuilt on load."""
        return (CompiledFormula, (self.exprs, self.names, self._single))

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


def compile_formulas(
    exprs: sympy.Basic | Sequence[sympy.Basic], names: Iterable[str] | ParamSpace
) -> CompiledFormula:
    """Compile expressions once into a vectorized function of arrays for ``names``.

    Symbols are matched to ``names`` by name (assumptions are ignored).

    Raises
    ------
    FormulaError
        If an expression uses a name not in ``names``, or names repeat.
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
    except (SyntaxError, RecursionError, MemoryError) as exc:
        shown = "; ".join(str(e)[:80] for e in exprs[:3])
        raise FormulaError(
            f"formulas too complex to compile ({type(exc).__name__}): {shown}; simplify them, "
            "e.g. compare numbers rather than whole where(...) expressions"
        ) from None
