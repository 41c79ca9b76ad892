"""The Nash bargaining solution and its generalized (asymmetric) form."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy
from numpy.typing import ArrayLike

from . import validation as check
from .frontier import U1, Frontier, as_frontier, bisect, matching_root
from .result import BargainingResult

D1, D2, ALPHA = sympy.symbols("d1 d2 alpha")


def nash_solution(
    frontier: Frontier | str | sympy.Expr | Sequence,
    disagreement: tuple[ArrayLike, ArrayLike] = (0, 0),
    power: ArrayLike = 0.5,
    *,
    domain: tuple[float, float] | None = None,
    symbolic: bool = True,
) -> BargainingResult:
    """The (generalized) Nash bargaining solution on a frontier ``u2 = f(u1)``.

    The point of the bargaining set that maximizes the Nash product

    .. math:: (u_1 - d_1)^{\\alpha} (u_2 - d_2)^{1 - \\alpha}
              \\quad \\text{s.t. } u_2 = f(u_1),\\ u \\ge d,

    with ``alpha = power`` player 1's bargaining power: Nash (1950) for
    ``alpha = 1/2``; Harsanyi and Selten (1972) and Kalai (1977) for the
    asymmetric solution. On a smooth frontier it solves the first-order
    condition ``alpha (f(u1) - d2) + (1 - alpha) f'(u1) (u1 - d1) = 0``; on the
    linear frontier ``u1 + u2 = pi`` it is ``u1 = d1 + alpha (pi - d1 - d2)``.

    Parameters
    ----------
    frontier : Frontier, str, sympy.Expr or sequence of (u1, u2)
        A formula of ``u1`` giving ``u2`` (e.g. ``"sqrt(1 - u1)"``), or points
        whose upper concave hull is the frontier (see :class:`Frontier`).
    disagreement : pair of float or array
        ``(d1, d2)``; some frontier point must be strictly above it.
    power : float or array
        Player 1's bargaining power ``alpha`` in [0, 1].
    domain : (float, float), optional
        ``(lo, hi)`` of ``u1`` for a formula frontier (default: from 0 to where
        ``f`` reaches 0).
    symbolic : bool
        Whether to look for a closed form with sympy (the numeric solution is
        always computed: bisection on the first-order condition to machine
        precision for formulas, exact on each segment for points).

    Returns
    -------
    BargainingResult
        ``shares`` are the utilities ``(u1, u2)``. ``closed_form`` is the root
        of the first-order condition in ``d1, d2, alpha`` (those left at their
        default substituted) that equals the numeric solution at every point,
        or ``None`` (for points, or if sympy finds no such root).

    Raises
    ------
    ParamError
        If no frontier point is strictly above the disagreement point.

    Examples
    --------
    >>> r = nash_solution("sqrt(1 - u1)")
    >>> r.shares.round(6).tolist(), r.closed_form
    ([0.666667, 0.57735], (2/3, sqrt(3)/3))
    >>> nash_solution("1 - u1", disagreement=(0.2, 0.1), power=[0.5, 0.8]).shares.round(6)
    array([[0.55, 0.76],
           [0.45, 0.24]])
    >>> nash_solution([(0, 1), (0.8, 0.6), (1, 0)]).shares.tolist()
    [0.8, 0.6]
    """
    default_d = check.is_default(disagreement, (0, 0))
    default_power = check.is_default(power, 0.5)
    f = as_frontier(frontier, domain)
    arrays = dict(zip(("d1", "d2"), check.pair(disagreement, "disagreement", ("d1", "d2"))))
    arrays["alpha"] = check.real(power, "power", 0, 1)
    params = check.broadcast(arrays)
    d1, d2, alpha = (np.array(v) for v in params.values())
    left, right = f.bargaining_range(d1, d2)
    if f.vertices is None:
        u1 = _smooth(f, d1, d2, alpha, left, right)
        u2 = f(u1)
    else:
        u1, u2 = _piecewise_linear(f, d1, d2, alpha, left, right)
    closed = None
    if symbolic and f.expr is not None:
        d = (0, 0) if default_d else (D1, D2)
        a = sympy.Rational(1, 2) if default_power else ALPHA
        foc = a * (f.expr - d[1]) + (1 - a) * sympy.diff(f.expr, U1) * (U1 - d[0])
        root = matching_root(foc, u1, params)
        closed = None if root is None else (root, f.expr.subs(U1, root))
    deal = np.ones(u1.shape, dtype=bool)
    return BargainingResult("nash", ("1", "2"), np.stack([u1, u2]), deal, closed, params)


def _smooth(f: Frontier, d1, d2, alpha, left, right) -> np.ndarray:
    """Bisection on the first-order condition, decreasing in ``u1`` on a concave frontier."""

    def foc(x: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            slope = np.where((alpha < 1) & (x > d1), (1 - alpha) * f.slope(x) * (x - d1), 0)
            return alpha * (f(x) - d2) + slope

    lo, _ = bisect(lambda x: foc(x) > 0, left, right)
    return np.where(foc(right) > 0, right, lo)


def _log_product(u1, u2, d1, d2, alpha) -> np.ndarray:
    """``alpha log(u1 - d1) + (1 - alpha) log(u2 - d2)``, with ``0 log 0 = 0``."""
    with np.errstate(all="ignore"):
        a = np.where(alpha > 0, alpha * np.log(np.maximum(u1 - d1, 0)), 0)
        b = np.where(alpha < 1, (1 - alpha) * np.log(np.maximum(u2 - d2, 0)), 0)
    return a + b


def _piecewise_linear(f: Frontier, d1, d2, alpha, left, right):
    """Exact maximum of the Nash product: the best stationary point of each segment."""
    best_u1, best_u2 = left, f(left)
    best = _log_product(best_u1, best_u2, d1, d2, alpha)
    for (a1, a2), (b1, b2) in zip(f.vertices[:-1], f.vertices[1:]):
        s = (b2 - a2) / (b1 - a1)
        lo, hi = np.maximum(a1, left), np.minimum(b1, right)
        u1 = np.clip(alpha * (a1 - (a2 - d2) / s) + (1 - alpha) * d1, lo, hi)
        u2 = a2 + s * (u1 - a1)
        value = np.where(lo <= hi, _log_product(u1, u2, d1, d2, alpha), -np.inf)
        better = value > best
        best_u1, best_u2 = np.where(better, u1, best_u1), np.where(better, u2, best_u2)
        best = np.where(better, value, best)
    return best_u1, best_u2
