"""Whether a condition on the parameters can hold somewhere in their box, shown, not sampled.

With one parameter the set where a condition (relations under ``And``, ``Or``
and ``Not``) holds is solved exactly, relation by relation, and joined;
otherwise interval arithmetic over the box can show that it holds nowhere
(:func:`bargain.algebra.decide_on`).
"""

from __future__ import annotations

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

from bargain.algebra import Box, decide_on


def _interval(box: Box, s: sympy.Symbol) -> sympy.Interval:
    low, high = box.get(s, (-float("inf"), float("inf")))
    return sympy.Interval(
        sympy.Rational(low) if low > -float("inf") else -sympy.oo,
        sympy.Rational(high) if high < float("inf") else sympy.oo,
    )


def solution_set(cond: sympy.Basic, s: sympy.Symbol, domain: sympy.Set) -> sympy.Set | None:
    """The subset of ``domain`` where ``cond``, a condition on ``s`` alone, holds (None where
    sympy cannot solve a relation of it)."""
    if isinstance(cond, BooleanAtom):
        return domain if cond else sympy.S.EmptySet
    if isinstance(cond, Relational):
        try:
            found = sympy.solveset(cond, s, domain)
        except (NotImplementedError, TypeError, ValueError):
            return None
        return (
            found
            if isinstance(found, sympy.Interval | sympy.Union | sympy.FiniteSet)
            or (found is sympy.S.EmptySet)
            else None
        )
    parts = [solution_set(a, s, domain) for a in cond.args]
    if any(p is None for p in parts):
        return None
    try:  # sympy cannot always order the ends (log(3) - log(2) against log(3/2))
        if isinstance(cond, sympy.And):
            return sympy.Intersection(*parts)
        if isinstance(cond, sympy.Or):
            return sympy.Union(*parts)
        if isinstance(cond, sympy.Not):
            return sympy.Complement(domain, parts[0])
    except TypeError:
        return None
    return None


def _exactly(cond: sympy.Basic, box: Box) -> bool | None:
    """Whether a condition on one parameter holds somewhere in its bounds, solved exactly."""
    (s,) = cond.free_symbols
    where = solution_set(cond, s, _interval(box, s))
    return None if where is None or where.is_empty is None else not where.is_empty


def possible(cond: sympy.Basic, box: Box) -> bool | None:
    """True if ``cond`` holds at some point of the box, False if at none, None if not shown.

    True is only ever shown exactly, for one parameter. A conjunction fails
    everywhere if the part of it on any one parameter does.
    """
    if isinstance(cond, BooleanAtom):
        return bool(cond)
    if len(cond.free_symbols) == 1:
        verdict = _exactly(cond, box)
        if verdict is not None:
            return verdict
    elif isinstance(cond, sympy.And):
        for s in cond.free_symbols:
            alone = [a for a in cond.args if a.free_symbols == {s}]
            if alone and _exactly(sympy.And(*alone), box) is False:
                return False
    return False if decide_on(cond, box) is False else None
