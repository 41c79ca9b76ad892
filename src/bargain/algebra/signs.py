"""The sign of an expression over the part of the parameter box where a regime holds.

:func:`sign_of` is what a comparative-statics table prints for a derivative:
``positive``, ``negative``, ``zero``, ``nonnegative`` or ``nonpositive`` when
it is shown on the whole region (sympy, or interval arithmetic over the box cut
into parts, leaving out the parts where the regime is shown not to hold);
``depends`` with the condition under which it is positive when two exact
points of the region show both signs; ``undecided`` otherwise (never decided on
sampled evidence).
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np
import sympy
from sympy.core.relational import Relational

from .budget import DerivationTimeout, time_budget
from .cases import sides
from .conditions import MAX_BOXES, Condition, on_boxes, settle, sign_witnesses
from .intervals import Box, boxes_of, enclose, split

SignName = Literal[
    "positive", "negative", "zero", "nonnegative", "nonpositive", "depends", "undecided"
]

#: Below this many operations an expression's box is cut four times finer.
SMALL = 60

#: Seconds sympy may take to factor one expression before its sign is read without it.
FACTOR_SECONDS = 2.0

#: How each sign prints in a table.
SYMBOLS = {
    "positive": "+",
    "negative": "−",
    "zero": "0",
    "nonnegative": "≥ 0",
    "nonpositive": "≤ 0",
    "depends": "±",
    "undecided": "?",
}


class Sign(NamedTuple):
    """A sign, and for ``depends`` the condition under which the expression is positive."""

    name: SignName
    positive_where: sympy.Basic | None = None

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.name]


def sign_of(
    expr: sympy.Expr, box: Box, within: sympy.Basic | None = None, *, witness: bool = True
) -> Sign:
    """The sign of ``expr`` where ``within`` holds inside ``box`` (see the module);
    ``witness=False`` skips the search for points that show it depends (``undecided``)."""
    region = None if within is None or within is sympy.true else within
    if expr.is_zero or (expr.free_symbols == set() and expr == 0):
        return Sign("zero")
    # small expressions afford finer cuts of the box (a region's edge needs them)
    size = sympy.count_ops(expr) + (sympy.count_ops(region) if region is not None else 0)
    cuts = 4 * MAX_BOXES if size < SMALL else MAX_BOXES
    forms = [expr]
    if size < SMALL:  # factoring is cheap for small expressions, nearly always
        forms += _factored(expr)
    for form in forms:
        shown = _sign_on_boxes(form, box, region, cuts)
        if shown is not None:
            return Sign(shown)
    if not witness:
        return Sign("undecided", _positive_where(expr))
    above, below = sign_witnesses(expr, box, region)
    positive = _positive_where(expr)
    if above is not None and below is not None:
        settled = settle(positive, box) if size < SMALL else None
        where = settled.expr if isinstance(settled, Condition) else positive
        return Sign("depends", sides(where) if isinstance(where, Relational) else where)
    return Sign("undecided", positive)


def _factored(expr: sympy.Expr) -> list[sympy.Expr]:
    """``expr`` as a product of factors (whose signs enclose it tightly), if that differs
    and sympy finds it within :data:`FACTOR_SECONDS` (multivariate factoring can run for
    minutes on a small expression); else nothing."""
    try:
        with time_budget(FACTOR_SECONDS) as mine:
            factored = sympy.factor(expr)
    except (sympy.PolynomialError, NotImplementedError, TypeError):
        return []
    except DerivationTimeout as timeout:
        if timeout.budget is not mine:
            raise
        return []
    return [factored] if factored != expr else []


def _positive_where(expr: sympy.Basic) -> sympy.Basic:
    """``expr > 0`` with a ``Piecewise`` opened: the pieces that can be positive, each
    with the condition under which it is the value."""
    if not isinstance(expr, sympy.Piecewise):
        return expr > 0
    terms, before = [], []
    for piece, cond in expr.args:
        here = sympy.And(cond, *(sympy.Not(c) for c in before))
        before.append(cond)
        if piece.is_zero or (piece.is_number and piece <= 0):
            continue
        terms.append(sympy.And(here, piece > 0))
    return sympy.Or(*terms)


def _sign_on_boxes(
    expr: sympy.Basic, box: Box, region: sympy.Basic | None, cuts: int
) -> SignName | None:
    """The sign of ``expr`` shown by interval arithmetic on the box (where ``region`` may
    hold), halving the parts whose enclosure straddles 0 until ``cuts`` are spent."""
    symbols = sorted(
        expr.free_symbols | (region.free_symbols if region is not None else set()),
        key=lambda s: s.name,
    )
    boxes = boxes_of(box)
    lows, highs, spent = [], [], 0
    while True:
        n = len(next(iter(boxes.values()))[0]) if boxes else 1
        low, high = enclose(expr, boxes)
        if region is not None:
            live = on_boxes(region, boxes, n) != 0
            low, high = low[live], high[live]
            keep = np.flatnonzero(live)
        else:
            keep = np.arange(n)
        straddle = (low < 0) & (high > 0)
        lows.append(low[~straddle])
        highs.append(high[~straddle])
        if (np.concatenate(lows) > 0).any() and (np.concatenate(highs) < 0).any():
            return None
        which = np.zeros(n, bool)
        which[keep[straddle]] = True
        if not which.any():
            break
        if spent + int(which.sum()) > cuts:
            return None
        halves = split(boxes, which, symbols)
        if halves is None:
            return None
        spent += int(which.sum())
        boxes = halves
    low, high = np.concatenate(lows), np.concatenate(highs)
    if low.size == 0:
        return None
    if (low > 0).all():
        return "positive"
    if (high < 0).all():
        return "negative"
    if ((low == 0) & (high == 0)).all():
        return "zero"
    if (low >= 0).all():
        return "nonnegative"
    if (high <= 0).all():
        return "nonpositive"
    return None
