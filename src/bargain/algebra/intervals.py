"""Interval enclosures of expressions over a box of parameter bounds.

:func:`enclose` bounds the values an expression takes when every parameter
ranges over its declared bounds, by interval arithmetic with outward rounding
(``mpmath.iv``): the true range always lies inside the enclosure, which may be
wider (each occurrence of a parameter ranges independently). :func:`split`
halves a box along its widest side, so that enclosures over the halves are
tighter. An operation the walker does not know encloses to ``(-inf, inf)``.
"""

from __future__ import annotations

from collections.abc import Mapping

import mpmath
import sympy

from bargain.params import ParamSpace

iv = mpmath.iv

#: A box: each parameter's symbol and its bounds (infinite where unbounded).
Box = Mapping[sympy.Symbol, tuple[float, float]]

_WHOLE = iv.mpf(["-inf", "inf"])


def box_of(params: ParamSpace) -> dict[sympy.Symbol, tuple[float, float]]:
    """The box of a parameter space's declared bounds."""
    return {
        sympy.Symbol(p.name): (
            -float("inf") if p.low is None else p.low,
            float("inf") if p.high is None else p.high,
        )
        for p in params
    }


def _number(x: sympy.Basic) -> mpmath.ctx_iv.ivmpf:
    if x.is_Rational:
        return iv.mpf(int(x.p)) / iv.mpf(int(x.q))
    if x.is_Float:
        return iv.mpf(mpmath.mpf(x._mpf_))
    if x is sympy.pi:
        return iv.pi
    if x is sympy.E:
        return iv.e
    return _WHOLE


def _power(base: mpmath.ctx_iv.ivmpf, exp: sympy.Basic) -> mpmath.ctx_iv.ivmpf:
    if exp.is_Integer:
        n = int(exp)
        if n >= 0:
            return base**n
        if base.a > 0 or base.b < 0:
            return iv.mpf(1) / base**-n
        return _WHOLE
    if exp.is_Rational and exp > 0 and base.a >= 0:
        return iv.exp(iv.log(base) * _number(exp)) if base.a > 0 else _hull_power(base, exp)
    return _WHOLE


def _hull_power(base: mpmath.ctx_iv.ivmpf, exp: sympy.Basic) -> mpmath.ctx_iv.ivmpf:
    """``base**exp`` for a positive rational exponent and a base from 0 (monotone)."""
    top = iv.exp(iv.log(iv.mpf(base.b)) * _number(exp)) if base.b > 0 else iv.mpf(0)
    return iv.mpf([0, top.b])


def _lattice(values: list[mpmath.ctx_iv.ivmpf], pick: str) -> mpmath.ctx_iv.ivmpf:
    lows = [v.a for v in values]
    highs = [v.b for v in values]
    if pick == "min":
        return iv.mpf([min(lows).a, min(highs).b])
    return iv.mpf([max(lows).a, max(highs).b])


def _hull(values: list[mpmath.ctx_iv.ivmpf]) -> mpmath.ctx_iv.ivmpf:
    return iv.mpf([min(v.a for v in values).a, max(v.b for v in values).b])


def enclose(expr: sympy.Basic, box: Box) -> mpmath.ctx_iv.ivmpf:
    """An interval holding every value of ``expr`` over ``box`` (``(-inf, inf)`` if unknown)."""
    if expr.is_Number or expr.is_NumberSymbol:
        return _number(expr)
    if expr.is_Symbol:
        low, high = box.get(expr, (-float("inf"), float("inf")))
        return iv.mpf([low, high])
    args = [enclose(a, box) for a in expr.args] if not expr.is_Pow else None
    if expr.is_Add:
        return sum(args[1:], args[0])
    if expr.is_Mul:
        out = args[0]
        for a in args[1:]:
            out = out * a
        return out
    if expr.is_Pow:
        return _power(enclose(expr.base, box), expr.exp)
    if isinstance(expr, sympy.Min):
        return _lattice(args, "min")
    if isinstance(expr, sympy.Max):
        return _lattice(args, "max")
    if isinstance(expr, sympy.Abs):
        (a,) = args
        if a.a >= 0:
            return a
        if a.b <= 0:
            return -a
        return iv.mpf([0, max(-a.a, a.b).b])
    if isinstance(expr, sympy.exp):
        return iv.exp(args[0])
    if isinstance(expr, sympy.log):
        return iv.log(args[0]) if args[0].a > 0 else _WHOLE
    if isinstance(expr, sympy.Piecewise):
        return _hull([enclose(e, box) for e, _ in expr.args])
    return _WHOLE


def split(box: Box, symbols: set[sympy.Symbol]) -> tuple[dict, dict] | None:
    """The two halves of ``box`` across its widest finite side among ``symbols``."""
    sides = [(high - low, s) for s, (low, high) in box.items() if s in symbols]
    sides = [(w, s) for w, s in sides if 0 < w < float("inf")]
    if not sides:
        return None
    _, s = max(sides, key=lambda ws: (ws[0], ws[1].name))
    low, high = box[s]
    mid = (low + high) / 2
    return {**box, s: (low, mid)}, {**box, s: (mid, high)}
