"""Critical discount factors in closed form: the profiles' conditions solved for ``delta``.

The conditions are those of :mod:`.profiles`, built from the stage payoffs'
sympy expressions; every case distinction (which deviation is best, the sign
of a coefficient) is settled on the parameters' bounds
(:func:`bargain.algebra.settle`) where it can be, so that a Prisoner's Dilemma
with bounds ``T > R > P`` gives grim trigger's ``(T - R)/(T - P)``, and kept as
a ``Piecewise`` where it cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy

from bargain.algebra import Box, settle, tidy
from bargain.errors import ModelError

from .profiles import Condition, conditions, stage_terms


def _holds(cond: sympy.Basic, box: Box) -> bool | None:
    """Whether a condition holds on the whole box (True), nowhere (False), or depends."""
    settled = settle(cond, box)
    return settled if isinstance(settled, bool) else None


def largest(exprs: Sequence[sympy.Expr], box: Box) -> sympy.Expr:
    """``Max`` of the expressions, without those another is shown to bound on the box."""
    kept: list[sympy.Expr] = []
    for e in exprs:
        if any(_holds(sympy.Ge(f, e), box) for f in kept):
            continue
        kept = [f for f in kept if not _holds(sympy.Ge(e, f), box)]
        kept.append(e)
    return kept[0] if len(kept) == 1 else sympy.Max(*kept)


def cases(pieces: Sequence[tuple[sympy.Expr, sympy.Basic]], box: Box) -> sympy.Expr:
    """A ``Piecewise`` of the pieces whose conditions may hold, up to one that always does."""
    kept = []
    for expr, cond in pieces:
        verdict = _holds(cond, box)
        if verdict is False:
            continue
        kept.append((expr, sympy.true if verdict else cond))
        if verdict:
            break
    if len(kept) == 1 and kept[0][1] is sympy.true:
        return kept[0][0]
    return sympy.Piecewise(*kept, (sympy.oo, True))


def _lower(cond: Condition, k: int, box: Box) -> sympy.Expr:
    """The least ``delta >= 0`` from which the condition holds (``oo``: none)."""
    a, b = cond.a, cond.b
    y = b / a if a != 0 else sympy.oo
    if cond.kind == "power":
        y = largest([sympy.Integer(0), y], box) ** sympy.Rational(1, k)
    elif cond.kind == "sum" and k == 2:
        y = (sympy.sqrt(1 + 4 * largest([sympy.Integer(0), y], box)) - 1) / 2
    elif cond.kind == "sum" and k > 2:
        raise ModelError(
            f"the critical discount factor of a {k}-period punishment has no closed form in "
            f"bargain (a root of a polynomial of degree {k}); its value per point is "
            "the measure delta_punish"
        )
    if cond.kind == "power" and k > 1 and not _holds(sympy.Ge(a, 0), box):
        raise ModelError(
            f"the critical discount factor of a {k}-period punishment has a closed form where "
            "each player prefers cooperation to the punishment (R >= P), which the parameters' "
            f"bounds do not ensure for player {cond.player + 1}; its value per point is the "
            "measure delta_punish (NaN where the conditions make no interval)"
        )
    return cases(
        [
            (y, sympy.Gt(a, 0)),
            (sympy.Integer(0), sympy.Lt(a, 0)),
            (sympy.Integer(0), sympy.Le(b, 0)),
        ],
        box,
    )


def critical_delta(
    profile: str,
    payoffs: Sequence[Sequence[Sequence[sympy.Expr]]],
    cooperate: Sequence[int],
    punish: Sequence[int],
    k: int,
    box: Box,
) -> sympy.Expr:
    """The least discount factor at which ``profile`` passes every one-shot deviation
    check whose condition is a lower bound, as an expression of the parameters.

    ``payoffs[i][a1][a2]`` are the stage payoffs. ``oo`` where no discount
    factor will do; a value of 1 or more means none below 1 will.
    """
    own = [payoffs[0], [list(r) for r in zip(*payoffs[1])]]
    terms = stage_terms(own, cooperate, punish, lambda xs: largest(xs, box))
    lows = [_lower(c, k, box) for c in conditions(profile, terms, sympy.Integer(0))]
    return tidy(largest([sympy.Integer(0), *lows], box))
