"""Interval enclosures of expressions over boxes of parameter bounds, many boxes at once.

:func:`enclose` bounds the values an expression takes when every parameter
ranges over its side of a box, for a whole array of boxes in one walk of the
expression (numpy arrays of lower and upper ends): the true range always lies
inside the enclosure, which may be wider (each occurrence of a parameter ranges
independently). Every operation rounds outward by one unit in the last place,
so floating-point rounding never narrows an enclosure. An operation the walker
does not know encloses to ``(-inf, inf)``. :func:`split` halves boxes along
their widest side, so that enclosures over the halves are tighter.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy

from bargain.params import ParamSpace

#: A box: each parameter's symbol and its bounds (infinite where unbounded).
Box = Mapping[sympy.Symbol, tuple[float, float]]
#: Many boxes: each symbol's lower and upper ends, arrays of one length.
Boxes = Mapping[sympy.Symbol, tuple[np.ndarray, np.ndarray]]
Interval = tuple[np.ndarray, np.ndarray]

_INF = np.inf


def box_of(params: ParamSpace) -> dict[sympy.Symbol, tuple[float, float]]:
    """The box of a parameter space's declared bounds."""
    return {
        sympy.Symbol(p.name): (
            -_INF if p.low is None else p.low,
            _INF if p.high is None else p.high,
        )
        for p in params
    }


def boxes_of(box: Box) -> dict[sympy.Symbol, tuple[np.ndarray, np.ndarray]]:
    """One box as an array of one box."""
    return {s: (np.array([lo], float), np.array([hi], float)) for s, (lo, hi) in box.items()}


def _out(lo: np.ndarray, hi: np.ndarray) -> Interval:
    """Widen by one unit in the last place each way, except exact zeros; NaN (0 * inf,
    inf - inf) becomes everything.

    A zero is exact: a sum of two floats rounds to 0 only if it is 0 (gradual
    underflow), and :func:`_mul` widens a product that underflows before it gets here.
    """
    lo = np.where(np.isnan(lo), -_INF, np.where(lo == 0, 0.0, np.nextafter(lo, -_INF)))
    hi = np.where(np.isnan(hi), _INF, np.where(hi == 0, 0.0, np.nextafter(hi, _INF)))
    return lo, hi


def _whole(n: int) -> Interval:
    return np.full(n, -_INF), np.full(n, _INF)


def _number(x: sympy.Basic, n: int) -> Interval:
    value = float(x)
    exact = sympy.Rational(value) == x if x.is_Rational else sympy.Float(value, 53) == x
    lo, hi = np.full(n, value), np.full(n, value)
    return (lo, hi) if exact else _out(lo, hi)


def _mul(a: Interval, b: Interval) -> Interval:
    with np.errstate(invalid="ignore"):
        products = np.stack([a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]])
    # 0 * inf is 0 when the other factor is exactly zero
    zero = ((a[0] == 0) & (a[1] == 0)) | ((b[0] == 0) & (b[1] == 0))
    products = np.where(np.isnan(products) & zero, 0.0, products)
    low, high = products.min(axis=0), products.max(axis=0)
    factors = np.stack([a[0], a[0], a[1], a[1]]), np.stack([b[0], b[1], b[0], b[1]])
    underflow = ((products == 0) & (factors[0] != 0) & (factors[1] != 0)).any(axis=0)
    tiny = np.nextafter(0.0, 1.0)
    low, high = (
        np.where(underflow, np.minimum(low, -tiny), low),
        np.where(underflow, np.maximum(high, tiny), high),
    )
    return _out(low, high)


def _reciprocal(a: Interval) -> Interval:
    lo, hi = a
    safe = (lo > 0) | (hi < 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_lo, r_hi = _out(1 / hi, 1 / lo)
    return np.where(safe, r_lo, -_INF), np.where(safe, r_hi, _INF)


def _power(a: Interval, exp: sympy.Basic) -> Interval:
    lo, hi = a
    n = len(lo)
    if exp.is_Integer:
        k = int(exp)
        if k == 0:
            return np.ones(n), np.ones(n)
        if k < 0:
            return _reciprocal(_power(a, sympy.Integer(-k)))
        with np.errstate(over="ignore", invalid="ignore"):
            p_lo, p_hi = lo**k, hi**k
        if k % 2:
            return _out(p_lo, p_hi)
        low = np.where(lo >= 0, p_lo, np.where(hi <= 0, p_hi, 0.0))
        high = np.where(lo >= 0, p_hi, np.where(hi <= 0, p_lo, np.maximum(p_lo, p_hi)))
        return _out(low, high)
    if exp.is_Rational and exp > 0:
        e = float(exp)
        with np.errstate(invalid="ignore", over="ignore"):
            p_lo, p_hi = _out(np.maximum(lo, 0) ** e, hi**e)
        ok = lo >= 0
        return np.where(ok, np.maximum(p_lo, 0), -_INF), np.where(ok, p_hi, _INF)
    if exp.is_Rational and exp < 0:
        return _reciprocal(_power(a, -exp))
    return _whole(n)


def enclose(expr: sympy.Basic, boxes: Boxes) -> Interval:
    """Lower and upper ends enclosing ``expr`` over each box (``(-inf, inf)`` if unknown)."""
    n = len(next(iter(boxes.values()))[0]) if boxes else 1
    return _enclose(expr, boxes, n)


def _enclose(expr: sympy.Basic, boxes: Boxes, n: int) -> Interval:
    if expr.is_Number:
        return _number(expr, n) if expr.is_finite else _whole(n)
    if expr.is_NumberSymbol:
        return _out(np.full(n, float(expr)), np.full(n, float(expr)))
    if expr.is_Symbol:
        return boxes[expr] if expr in boxes else _whole(n)
    if expr.is_Pow:
        return _power(_enclose(expr.base, boxes, n), expr.exp)
    args = [_enclose(a, boxes, n) for a in expr.args]
    if expr.is_Add:
        out = args[0]
        for a in args[1:]:  # two terms at a time: each zero is exact
            out = _out(out[0] + a[0], out[1] + a[1])
        return out
    if expr.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = _mul(out, a)
        return out
    if isinstance(expr, sympy.Min):
        return np.min([a[0] for a in args], axis=0), np.min([a[1] for a in args], axis=0)
    if isinstance(expr, sympy.Max):
        return np.max([a[0] for a in args], axis=0), np.max([a[1] for a in args], axis=0)
    if isinstance(expr, sympy.Abs):
        ((lo, hi),) = args
        low = np.where(lo >= 0, lo, np.where(hi <= 0, -hi, 0.0))
        return low, np.maximum(np.abs(lo), np.abs(hi))
    if isinstance(expr, sympy.exp):
        ((lo, hi),) = args
        with np.errstate(over="ignore"):
            e_lo, e_hi = _out(np.exp(lo), np.exp(hi))
        return np.maximum(e_lo, 0), e_hi
    if isinstance(expr, sympy.log):
        ((lo, hi),) = args
        with np.errstate(divide="ignore", invalid="ignore"):
            l_lo, l_hi = _out(np.log(lo), np.log(hi))
        return np.where(lo > 0, l_lo, -_INF), np.where(hi > 0, l_hi, _INF)
    if isinstance(expr, sympy.Piecewise):
        parts = [_enclose(e, boxes, n) for e, _ in expr.args]
        return np.min([p[0] for p in parts], axis=0), np.max([p[1] for p in parts], axis=0)
    return _whole(n)


def split(boxes: Boxes, which: np.ndarray, symbols: list[sympy.Symbol]) -> Boxes | None:
    """The boxes ``which`` halved across each one's widest finite side among ``symbols``
    (both halves, in one array); None if none of them has such a side."""
    if not symbols or not which.any():
        return None
    widths = np.stack([boxes[s][1][which] - boxes[s][0][which] for s in symbols])
    widths = np.where(np.isfinite(widths), widths, 0.0)
    side = widths.argmax(axis=0)
    if not (widths.max(axis=0) > 0).any():
        return None
    out = {}
    for j, s in enumerate(symbols):
        lo, hi = boxes[s][0][which], boxes[s][1][which]
        with np.errstate(invalid="ignore"):  # inf + -inf on sides not halved
            mid = np.where(side == j, (lo + hi) / 2, np.nan)
        first_hi = np.where(side == j, mid, hi)
        second_lo = np.where(side == j, mid, lo)
        out[s] = (np.concatenate([lo, second_lo]), np.concatenate([first_hi, hi]))
    for s, (lo, hi) in boxes.items():
        if s not in out:
            out[s] = (
                np.concatenate([lo[which], lo[which]]),
                np.concatenate([hi[which], hi[which]]),
            )
    return out
