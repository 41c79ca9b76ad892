"""Pareto frontiers of two-player bargaining sets: a formula ``u2 = f(u1)`` or points.

A bargaining set is convex and comprehensive (free disposal), so its Pareto
frontier is the graph of a non-increasing concave function ``f`` on an interval
``[lo, hi]`` of ``u1``. Given as a formula of ``u1`` (parsed safely, never
evaluated), the frontier is checked to be non-increasing and concave on a grid;
given as points, it is the non-increasing part of their upper concave hull,
linear between vertices.
"""

from __future__ import annotations

import functools
import reprlib
from collections.abc import Callable, Sequence

import numpy as np
import sympy
from numpy.typing import ArrayLike

from bargain.checks import number_text
from bargain.errors import FormulaError, ModelError, ParamError
from bargain.formula import compile_formulas, parse

from . import validation as check

U1 = sympy.Symbol("u1")
GRID = 1025  # points at which a formula frontier's shape is checked
_SOLVE_ERRORS = (NotImplementedError, ValueError, TypeError, ArithmeticError, sympy.PolynomialError)


class Frontier:
    """The Pareto frontier ``u2 = f(u1)`` of a bargaining set, for ``u1`` in ``[lo, hi]``.

    Build one with :meth:`from_formula` or :meth:`from_points`; the solution
    functions also accept the formula text or the points directly.

    Attributes
    ----------
    expr : sympy.Expr or None
        ``f`` as a sympy expression of the symbol ``u1`` (formula frontiers).
    vertices : ndarray of shape (k, 2) or None
        The vertices, ``u1`` increasing and ``u2`` decreasing (point frontiers).
    lo, hi : float
        The domain of ``u1``.

    Examples
    --------
    >>> f = Frontier.from_formula("sqrt(1 - u1)")
    >>> f
    Frontier('sqrt(1 - u1)', domain=(0, 1))
    >>> f([0, 0.75]).tolist()
    [1.0, 0.5]
    >>> Frontier.from_points([(0, 1), (0.5, 0.5), (0.8, 0.6), (1, 0)]).vertices.tolist()
    [[0.0, 1.0], [0.8, 0.6], [1.0, 0.0]]
    """

    def __init__(
        self,
        lo: float,
        hi: float,
        expr: sympy.Expr | None = None,
        vertices: np.ndarray | None = None,
    ) -> None:
        self.lo, self.hi, self.expr, self.vertices = float(lo), float(hi), expr, vertices
        if expr is not None:
            fn = compile_formulas([expr, sympy.diff(expr, U1)], ["u1"])
            self._f: Callable[[np.ndarray], np.ndarray] = lambda x: fn(x)[0]
            self._slope: Callable[[np.ndarray], np.ndarray] = lambda x: fn(x)[1]
        else:
            xs, ys = vertices.T
            self._f = lambda x: np.interp(x, xs, ys)

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_formula(
        cls, formula: str | sympy.Expr, domain: tuple[float, float] | None = None
    ) -> Frontier:
        """A frontier ``u2 = f(u1)`` from a formula of ``u1``.

        ``domain=None`` takes ``lo = 0`` and ``hi`` where ``f`` falls to 0 (or
        where it stops being defined); pass ``domain=(lo, hi)`` otherwise.

        Raises
        ------
        FormulaError
            If the formula is invalid or uses names other than ``u1``.
        ModelError
            If ``f`` is not finite, non-increasing and concave on the domain.
        """
        if isinstance(formula, str):
            expr = parse(formula, ["u1"], where="frontier")
        elif isinstance(formula, sympy.Expr):
            names = {s.name for s in formula.free_symbols}
            if names - {"u1"}:
                raise FormulaError(
                    f"frontier: the formula may use only u1, got {', '.join(sorted(names))}"
                )
            expr = formula.xreplace({s: U1 for s in formula.free_symbols})
        else:
            raise FormulaError(f"frontier: expected a formula of u1, got {reprlib.repr(formula)}")
        if not isinstance(expr, sympy.Expr):
            raise FormulaError(f"frontier: {formula!r} is a condition, not a formula of u1")
        frontier = cls(0.0, 1.0, expr=expr)
        if domain is None:
            frontier.lo, frontier.hi = 0.0, frontier._default_hi()
        else:
            lo, hi = check.pair(domain, "frontier domain", ("lo", "hi"))
            if lo.ndim or hi.ndim or not lo < hi:
                raise ModelError(f"frontier domain must be two numbers lo < hi, got {domain!r}")
            frontier.lo, frontier.hi = float(lo), float(hi)
        frontier._check_shape()
        return frontier

    @classmethod
    def from_points(cls, points: ArrayLike) -> Frontier:
        """The frontier through points ``(u1, u2)``: the non-increasing part of their
        upper concave hull, linear between vertices.

        Raises
        ------
        ModelError
            If ``points`` is not a non-empty array of finite pairs.
        """
        try:
            pts = np.asarray(points, dtype=np.float64)
        except (TypeError, ValueError):
            pts = None
        if pts is None or pts.ndim != 2 or pts.shape[1] != 2 or not len(pts):
            raise ModelError(
                f"frontier points must be a sequence of (u1, u2) pairs, got {reprlib.repr(points)}"
            )
        if not np.isfinite(pts).all():
            raise ModelError("frontier points must be finite")
        hull: list[np.ndarray] = []  # upper hull, u1 increasing (Andrew's monotone chain)
        for pt in np.unique(pts, axis=0):
            while len(hull) >= 2 and _turn(hull[-2], hull[-1], pt) >= 0:
                hull.pop()
            hull.append(pt)
        top = max(range(len(hull)), key=lambda i: (hull[i][1], hull[i][0]))
        vertices = np.array(hull[top:])
        return cls(vertices[0, 0], vertices[-1, 0], vertices=vertices)

    def _default_hi(self) -> float:
        """Where ``f`` falls to 0 (or ends), searching 1, 2, 4, ... from ``lo = 0``."""
        f0 = float(self._f(np.float64(0)))
        if not f0 > 0:
            raise ModelError(
                f"frontier {self.name}: f(0) = {f0} is not positive; pass domain=(lo, hi)"
            )
        left, right = 0.0, 1.0
        while self._f(np.float64(right)) > 0:
            left, right = right, 2 * right
            if right > 2.0**40:
                raise ModelError(
                    f"frontier {self.name} stays positive up to u1 = 2**40; pass domain=(lo, hi)"
                )
        left, right = bisect(lambda x: self._f(x) > 0, np.float64(left), np.float64(right))
        return float(right if np.isfinite(self._f(right)) else left)

    def _check_shape(self) -> None:
        xs = np.linspace(self.lo, self.hi, GRID)
        ys = self._f(xs)
        bad = ~np.isfinite(ys)
        if bad.any():
            raise ModelError(
                f"frontier {self.name} is not finite at u1 = {xs[bad][0]:.6g}; "
                "pass a domain where it is"
            )
        tol = 1e-9 * max(1.0, float(np.abs(ys).max()))
        rises = np.diff(ys) > tol
        if rises.any():
            raise ModelError(
                f"frontier {self.name} must be non-increasing (a Pareto frontier); "
                f"it rises near u1 = {xs[1:][rises][0]:.6g}"
            )
        convex = ys[:-2] - 2 * ys[1:-1] + ys[2:] > tol
        if convex.any():
            raise ModelError(
                f"frontier {self.name} must be concave (a convex bargaining set, Nash 1950); "
                f"it is convex near u1 = {xs[1:-1][convex][0]:.6g}"
            )

    # -- evaluation -----------------------------------------------------------------------

    def __call__(self, u1: ArrayLike) -> np.ndarray:
        """``u2 = f(u1)``, vectorized (meaningful for ``u1`` in ``[lo, hi]``)."""
        return self._f(np.asarray(u1, dtype=np.float64))

    def slope(self, u1: np.ndarray) -> np.ndarray:
        """``f'(u1)`` of a formula frontier."""
        return self._slope(u1)

    def bargaining_range(self, d1: np.ndarray, d2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``[left, right]``: the ``u1`` of frontier points weakly above ``(d1, d2)``.

        Raises
        ------
        ParamError
            Where no point of the frontier is strictly above ``(d1, d2)``.
        """
        left = np.maximum(d1, self.lo)
        if self.vertices is not None:
            xs, ys = self.vertices[::-1].T  # u2 increasing
            right = np.where(d2 <= ys[0], self.hi, np.interp(d2, ys, xs))
        else:
            below = self._f(np.full(d2.shape, self.hi)) < d2
            lo = np.full(d2.shape, self.lo)
            hi = np.full(d2.shape, self.hi)
            right = np.where(below, bisect(lambda x: self._f(x) >= d2, lo, hi)[0], hi)
        gain = (d1 < self.hi) & (self._f(np.minimum(left, self.hi)) > d2)
        if not gain.all():
            index, at = check.locate(~gain)
            raise ParamError(
                f"no gain from agreement: frontier {self.name} never rises above the "
                f"disagreement point (d1, d2) = ({number_text(d1[index])}, "
                f"{number_text(d2[index])}){at}"
            )
        return left, right

    @property
    def name(self) -> str:
        """The formula text, or the vertices, for messages."""
        if self.expr is not None:
            return f"'{self.expr}'"
        return f"through {self.vertices.tolist()}"

    def __repr__(self) -> str:
        if self.expr is not None:
            return (
                f"Frontier('{self.expr}', domain=({number_text(self.lo)}, {number_text(self.hi)}))"
            )
        return f"Frontier(points={self.vertices.tolist()})"


def _turn(o: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """Cross product of ``a - o`` and ``b - o``: positive for a left turn at ``a``."""
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def as_frontier(frontier: Frontier | str | sympy.Expr | Sequence, domain=None) -> Frontier:
    """A :class:`Frontier` from a frontier, a formula of ``u1`` or ``(u1, u2)`` points."""
    if isinstance(frontier, Frontier):
        if domain is not None:
            raise ModelError("domain applies to a formula frontier, not to a Frontier object")
        return frontier
    if isinstance(frontier, (str, sympy.Expr)):
        try:
            return _cached_formula(frontier, None if domain is None else tuple(domain))
        except TypeError:  # an unhashable domain: let from_formula report it
            return Frontier.from_formula(frontier, domain)
    if domain is not None:
        raise ModelError("domain applies to a formula frontier, not to points")
    return Frontier.from_points(frontier)


@functools.lru_cache(maxsize=64)
def _cached_formula(formula: str | sympy.Expr, domain: tuple | None) -> Frontier:
    return Frontier.from_formula(formula, domain)


def bisect(
    predicate: Callable[[np.ndarray], np.ndarray], lo: np.ndarray, hi: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Shrink ``[lo, hi]`` to adjacent floats around where ``predicate`` turns False.

    ``predicate`` must be True at ``lo``, False at ``hi`` and monotone between;
    vectorized over arrays. Returns the final ``(lo, hi)``.
    """
    lo, hi = np.array(lo, dtype=np.float64), np.array(hi, dtype=np.float64)
    for _ in range(2200):  # enough to split any float interval to adjacent floats
        mid = lo + (hi - lo) / 2
        done = (mid <= lo) | (mid >= hi)
        if done.all():
            break
        ok = predicate(mid)
        lo = np.where(ok & ~done, mid, lo)
        hi = np.where(~ok & ~done, mid, hi)
    return lo, hi


def matching_root(
    equation: sympy.Expr,
    numeric: np.ndarray,
    params: dict[str, np.ndarray],
) -> sympy.Expr | None:
    """The root in ``u1`` of ``equation`` equal to ``numeric`` at every point, if sympy finds one.

    The numeric match is the check: sympy's own (slow) check of the roots is skipped.
    """
    try:
        roots = sympy.solve(equation, U1, check=False, simplify=False)
    except _SOLVE_ERRORS:
        return None
    names = list(params)
    for root in roots:
        if root.has(sympy.I) or {s.name for s in root.free_symbols} - set(names):
            continue
        values = compile_formulas(root, names)(*params.values())
        if np.allclose(values, numeric, rtol=1e-8, atol=1e-10):
            return root
    return None
