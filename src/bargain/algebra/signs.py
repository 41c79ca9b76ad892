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

import sympy
from sympy.core.relational import Relational

from .cases import sides
from .conditions import decide_on, settle, witnesses
from .intervals import Box

SignName = Literal[
    "positive", "negative", "zero", "nonnegative", "nonpositive", "depends", "undecided"
]

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


def sign_of(expr: sympy.Expr, box: Box, within: sympy.Basic | None = None) -> Sign:
    """The sign of ``expr`` where ``within`` holds inside ``box`` (see the module)."""
    region = None if within is None or within is sympy.true else within
    if expr.is_zero or (expr.free_symbols == set() and expr == 0):
        return Sign("zero")
    for cond, name in ((expr > 0, "positive"), (expr < 0, "negative")):
        if decide_on(cond, box, region) is True:
            return Sign(name)
    for cond, name in ((expr >= 0, "nonnegative"), (expr <= 0, "nonpositive")):
        if decide_on(cond, box, region) is True:
            return Sign("zero" if decide_on(sympy.Eq(expr, 0), box, region) else name)
    above, _ = witnesses(expr > 0, box, region)
    below, _ = witnesses(expr < 0, box, region)
    if above is not None and below is not None:
        settled = settle(expr > 0, box)
        where = settled.expr if not isinstance(settled, bool) else expr > 0
        return Sign("depends", sides(where) if isinstance(where, Relational) else where)
    return Sign("undecided", expr > 0)
