"""The Kalai–Smorodinsky bargaining solution."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy
from numpy.typing import ArrayLike

from . import validation as check
from .frontier import U1, Frontier, as_frontier, bisect, matching_root
from .result import BargainingResult

D1, D2 = sympy.symbols("d1 d2")


def kalai_smorodinsky(
    frontier: Frontier | str | sympy.Expr | Sequence,
    disagreement: tuple[ArrayLike, ArrayLike] = (0, 0),
    *,
    domain: tuple[float, float] | None = None,
    symbolic: bool = True,
) -> BargainingResult:
    """The Kalai–Smorodinsky solution on a frontier ``u2 = f(u1)``.

    The frontier point on the segment from the disagreement point ``d`` to the
    ideal point ``I``, where ``I_i`` is the most player ``i`` can get in the
    bargaining set given ``u >= d`` (Kalai and Smorodinsky 1975):

    .. math:: \\frac{u_1 - d_1}{I_1 - d_1} = \\frac{u_2 - d_2}{I_2 - d_2}, \\quad
              u_2 = f(u_1), \\quad I_1 = \\max\\{u_1 : f(u_1) \\ge d_2\\},\\
              I_2 = f(\\max(d_1, lo)).

    It equals the Nash solution on linear frontiers with ``d = 0`` but not in
    general: on ``u2 = sqrt(1 - u1)`` it gives ``u1 = u2 = (sqrt(5) - 1) / 2``
    where Nash gives ``u1 = 2/3``.

    Parameters
    ----------
    frontier : Frontier, str, sympy.Expr or sequence of (u1, u2)
        As for :func:`nash_solution`.
    disagreement : pair of float or array
        ``(d1, d2)``; some frontier point must be strictly above it.
    domain : (float, float), optional
        ``(lo, hi)`` of ``u1`` for a formula frontier.
    symbolic : bool
        Whether to look for a closed form with sympy.

    Returns
    -------
    BargainingResult
        ``shares`` are the utilities ``(u1, u2)``; ``closed_form`` in ``d1, d2``
        (substituted when left at the default) or ``None``.

    Raises
    ------
    ParamError
        If no frontier point is strictly above the disagreement point.

    Examples
    --------
    >>> r = kalai_smorodinsky("sqrt(1 - u1)")
    >>> r.shares.round(6).tolist(), r.closed_form
    ([0.618034, 0.618034], (-1/2 + sqrt(5)/2, -1/2 + sqrt(5)/2))
    >>> kalai_smorodinsky([(0, 1), (0.8, 0.6), (1, 0)]).shares.round(6).tolist()
    [0.666667, 0.666667]
    """
    default_d = check.is_default(disagreement, (0, 0))
    f = as_frontier(frontier, domain)
    params = check.broadcast(
        dict(zip(("d1", "d2"), check.pair(disagreement, "disagreement", ("d1", "d2"))))
    )
    d1, d2 = (np.array(v) for v in params.values())
    left, right = f.bargaining_range(d1, d2)
    ideal1, ideal2 = right, f(left)
    slope = (ideal2 - d2) / (ideal1 - d1)
    if f.vertices is None:
        u1, _ = bisect(lambda x: f(x) - d2 - slope * (x - d1) >= 0, left, right)
        u2 = f(u1)
    else:
        u1, u2 = _piecewise_linear(f, d1, d2, slope, left, right)
    closed = None
    if symbolic and f.expr is not None:
        closed = _closed_form(f, default_d, u1, right, d1, params)
    deal = np.ones(u1.shape, dtype=bool)
    return BargainingResult(
        "kalai_smorodinsky", ("1", "2"), np.stack([u1, u2]), deal, closed, params
    )


def _piecewise_linear(f: Frontier, d1, d2, slope, left, right):
    """Exact intersection of the line from ``d`` to the ideal point with the segments."""
    best_u1, best_u2 = left, f(left)
    miss = np.abs(best_u2 - d2 - slope * (best_u1 - d1))
    for (a1, a2), (b1, b2) in zip(f.vertices[:-1], f.vertices[1:]):
        s = (b2 - a2) / (b1 - a1)
        u1 = np.clip((a2 - s * a1 - d2 + slope * d1) / (slope - s), a1, b1)
        u1 = np.clip(u1, left, right)
        u2 = a2 + s * (u1 - a1)
        gap = np.abs(u2 - d2 - slope * (u1 - d1))
        better = gap < miss
        best_u1, best_u2 = np.where(better, u1, best_u1), np.where(better, u2, best_u2)
        miss = np.where(better, gap, miss)
    return best_u1, best_u2


def _closed_form(f: Frontier, default_d: bool, u1, ideal1, d1, params):
    """Solve the line condition symbolically, with the ideal point's own closed form."""
    d = (sympy.Integer(0), sympy.Integer(0)) if default_d else (D1, D2)
    i1 = matching_root(f.expr - d[1], ideal1, params)
    if i1 is None:
        return None
    if np.all(d1 >= f.lo):
        i2 = f.expr.subs(U1, d[0])
    elif np.all(d1 <= f.lo):
        i2 = f.expr.subs(U1, f.lo)
    else:
        return None
    root = matching_root((f.expr - d[1]) * (i1 - d[0]) - (i2 - d[1]) * (U1 - d[0]), u1, params)
    return None if root is None else (root, d[1] + (i2 - d[1]) * (root - d[0]) / (i1 - d[0]))
