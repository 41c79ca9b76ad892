"""Deciding a condition on the parameters over their declared bounds, never by sampling.

A condition (a sympy relation, or ``And``/``Or``/``Not`` of relations) is
decided over the box of parameter bounds in three ways, each a proof:

- with one free parameter, sympy's ``solveset`` gives the exact set where it
  holds: empty (it never holds), the whole range (it always holds), or a
  proper part, printed as the simplified condition;
- otherwise interval arithmetic (:mod:`.intervals`) over the box, halved up to
  ``MAX_BOXES`` times: the condition holds (or fails) if it does on every part;
- a condition that is neither is shown to *depend* on the parameters by two
  points of the box, evaluated exactly, where it holds and where it fails.

A condition none of these settles is kept and marked ``undecided``: it is never
dropped on the evidence of sampled points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

from .intervals import Box, enclose, split

#: How many parts a box is cut into, at most, before a condition is called undecided.
MAX_BOXES = 64

Status = Literal["depends", "undecided"]


@dataclass(frozen=True)
class Condition:
    """A condition that holds in part of the parameter box.

    ``status`` is ``"depends"`` when two points of the box prove that it holds
    at one and fails at the other, ``"undecided"`` when that was not shown.
    """

    expr: sympy.Basic
    status: Status = "depends"


def _relation(rel: Relational, box: Box) -> bool | None:
    gap = enclose(rel.lhs - rel.rhs, box)
    low, high = gap.a, gap.b
    op = rel.rel_op
    if op in (">", ">="):
        holds = low > 0 if op == ">" else low >= 0
        fails = high <= 0 if op == ">" else high < 0
    elif op in ("<", "<="):
        holds = high < 0 if op == "<" else high <= 0
        fails = low >= 0 if op == "<" else low > 0
    elif op == "==":
        holds = low == 0 and high == 0
        fails = low > 0 or high < 0
    else:  # !=
        holds = low > 0 or high < 0
        fails = low == 0 and high == 0
    return True if holds else False if fails else None


def _on_box(cond: sympy.Basic, box: Box) -> bool | None:
    """The condition's truth on the whole box by one interval evaluation, or None."""
    if isinstance(cond, BooleanAtom):
        return bool(cond)
    if isinstance(cond, Relational):
        return _relation(cond, box)
    parts = [_on_box(a, box) for a in cond.args]
    if isinstance(cond, sympy.And):
        return False if False in parts else True if all(parts) else None
    if isinstance(cond, sympy.Or):
        return True if True in parts else False if all(p is False for p in parts) else None
    if isinstance(cond, sympy.Not):
        return None if parts[0] is None else not parts[0]
    return None


def decide_on(
    cond: sympy.Basic, box: Box, within: sympy.Basic | None = None, budget: int = MAX_BOXES
) -> bool | None:
    """True if ``cond`` holds everywhere in ``box``, False if nowhere, None if not shown.

    With ``within``, only the part of the box where ``within`` may hold counts:
    sub-boxes where it is shown to fail are left out.
    """
    symbols = cond.free_symbols | (within.free_symbols if within is not None else set())
    boxes = [dict(box)]
    verdicts: set[bool] = set()
    while boxes:
        part = boxes.pop()
        if within is not None and _on_box(within, part) is False:
            continue
        verdict = _on_box(cond, part)
        if verdict is not None:
            verdicts.add(verdict)
            if len(verdicts) > 1:
                return None
            continue
        halves = split(part, symbols) if len(boxes) + len(verdicts) < budget else None
        if halves is None:
            return None
        boxes.extend(halves)
    return verdicts.pop() if verdicts else None


def _points(box: Box, symbols: list[sympy.Symbol]) -> list[dict]:
    """Exact rational points of the box: its centre, corners and quarter points."""

    def levels(low: float, high: float) -> list[sympy.Rational]:
        lo = sympy.Rational(low) if low > -float("inf") else sympy.Integer(-(10**6))
        hi = sympy.Rational(high) if high < float("inf") else sympy.Integer(10**6)
        return sorted({lo + (hi - lo) * sympy.Rational(k, 4) for k in range(5)})

    grids = [levels(*box[s]) if s in box else [sympy.Integer(0)] for s in symbols]
    points = itertools.product(*grids)
    return [dict(zip(symbols, p, strict=True)) for p in itertools.islice(points, 3125)]


def truth_at(cond: sympy.Basic, point: dict) -> bool | None:
    """The condition's truth at an exact point (None where it is undefined there)."""
    try:
        value = cond.xreplace(point)
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    return bool(value) if isinstance(value, BooleanAtom) else None


def witnesses(
    cond: sympy.Basic, box: Box, within: sympy.Basic | None = None
) -> tuple[dict | None, dict | None]:
    """A point of the box where ``cond`` holds and one where it fails (None if not found),
    both where ``within`` holds if it is given."""
    free = cond.free_symbols | (within.free_symbols if within is not None else set())
    symbols = sorted(free, key=lambda s: s.name)
    found: dict[bool, dict | None] = {True: None, False: None}
    for point in _points(box, symbols):
        if within is not None and truth_at(within, point) is not True:
            continue
        verdict = truth_at(cond, point)
        if verdict is not None and found[verdict] is None:
            found[verdict] = point
            if found[not verdict] is not None:
                break
    return found[True], found[False]


def _univariate(cond: sympy.Basic, box: Box) -> sympy.Basic | None:
    """The exact set where a one-parameter condition holds, as a condition (None if unsolved)."""
    (s,) = cond.free_symbols
    low, high = box.get(s, (-float("inf"), float("inf")))
    domain = sympy.Interval(
        sympy.Rational(low) if low > -float("inf") else -sympy.oo,
        sympy.Rational(high) if high < float("inf") else sympy.oo,
    )
    try:
        where = sympy.solveset(cond, s, domain)
    except (NotImplementedError, TypeError, ValueError):
        return None
    solved = (sympy.Interval, sympy.Union, sympy.FiniteSet)
    if not isinstance(where, solved) and where is not sympy.S.EmptySet:
        return None
    if where == domain:
        return sympy.true
    if where is sympy.S.EmptySet:
        return sympy.false
    exact = where.as_relational(s)
    if isinstance(exact, sympy.And):  # drop the bounds themselves
        exact = sympy.And(*(a for a in exact.args if _on_box(a, box) is not True))
    return exact.replace(
        lambda e: isinstance(e, Relational) and e.lhs.is_number, lambda e: e.reversed
    )


def settle(cond: sympy.Basic, box: Box) -> Condition | bool:
    """``cond`` over the box: True (always holds), False (never), or the Condition kept."""
    if isinstance(cond, BooleanAtom):
        return bool(cond)
    if len(cond.free_symbols) == 1:
        exact = _univariate(cond, box)
        if exact is not None:
            return bool(exact) if isinstance(exact, BooleanAtom) else Condition(exact)
    verdict = decide_on(cond, box)
    if verdict is not None:
        return verdict
    yes, no = witnesses(cond, box)
    return Condition(cond, "depends" if yes is not None and no is not None else "undecided")
