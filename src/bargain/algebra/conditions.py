"""Deciding a condition on the parameters over their declared bounds, never by sampling.

A condition (a sympy relation, or ``And``/``Or``/``Not`` of relations) is
decided over the box of parameter bounds in three ways, each a proof:

- with one free parameter, sympy's ``solveset`` gives the exact set where it
  holds: empty (it never holds), the whole range (it always holds), or a
  proper part, printed as the simplified condition;
- otherwise interval arithmetic (:mod:`.intervals`) over the box, halved up to
  ``MAX_BOXES`` times: the condition holds (or fails) if it does on every part;
- a condition that is neither is shown to *depend* on the parameters by two
  points of the box where it holds and where it fails (found by screening
  candidate points in floating point, then each confirmed exactly).

A condition none of these settles is kept and marked ``undecided``: it is never
dropped on the evidence of sampled points.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

from bargain.formula import compile_formulas

from .intervals import Box, Boxes, boxes_of, enclose, split

#: How many times a box is halved, at most, before a condition is called undecided.
MAX_BOXES = 256
#: Candidate points screened for witnesses, on a grid of 2**LEVELS steps per side;
#: at most CONFIRM candidates per verdict are checked exactly; an unbounded side
#: is searched within +-FAR.
CANDIDATES, LEVELS, CONFIRM, FAR = 512, 10, 8, 10**6

Status = Literal["depends", "undecided"]


@dataclass(frozen=True)
class Condition:
    """A condition that holds in part of the parameter box.

    ``status`` is ``"depends"`` when two points of the box prove that it holds
    at one and fails at the other, ``"undecided"`` when that was not shown.
    """

    expr: sympy.Basic
    status: Status = "depends"


_TRUE, _FALSE, _UNKNOWN = 1, 0, -1


def _relation(rel: Relational, boxes: Boxes) -> np.ndarray:
    low, high = enclose(rel.lhs - rel.rhs, boxes)
    op = rel.rel_op
    if op in (">", ">="):
        holds = low > 0 if op == ">" else low >= 0
        fails = high <= 0 if op == ">" else high < 0
    elif op in ("<", "<="):
        holds = high < 0 if op == "<" else high <= 0
        fails = low >= 0 if op == "<" else low > 0
    elif op == "==":
        holds = (low == 0) & (high == 0)
        fails = (low > 0) | (high < 0)
    else:  # !=
        holds = (low > 0) | (high < 0)
        fails = (low == 0) & (high == 0)
    return np.where(holds, _TRUE, np.where(fails, _FALSE, _UNKNOWN))


def on_boxes(cond: sympy.Basic, boxes: Boxes, n: int) -> np.ndarray:
    """The condition on each box by one interval evaluation: 1 holds, 0 fails, -1 unknown."""
    if isinstance(cond, BooleanAtom):
        return np.full(n, _TRUE if cond else _FALSE)
    if isinstance(cond, Relational):
        return _relation(cond, boxes)
    parts = np.stack([on_boxes(a, boxes, n) for a in cond.args])
    if isinstance(cond, sympy.And):
        return np.where(
            (parts == _FALSE).any(0), _FALSE, np.where((parts == _TRUE).all(0), _TRUE, _UNKNOWN)
        )
    if isinstance(cond, sympy.Or):
        return np.where(
            (parts == _TRUE).any(0), _TRUE, np.where((parts == _FALSE).all(0), _FALSE, _UNKNOWN)
        )
    if isinstance(cond, sympy.Not):
        return np.where(parts[0] == _UNKNOWN, _UNKNOWN, 1 - parts[0])
    return np.full(n, _UNKNOWN)


def _on_box(cond: sympy.Basic, box: Box) -> bool | None:
    """The condition's truth on one box by one interval evaluation, or None."""
    code = on_boxes(cond, boxes_of(box), 1)[0]
    return None if code == _UNKNOWN else bool(code)


def decide_on(
    cond: sympy.Basic, box: Box, within: sympy.Basic | None = None, budget: int = MAX_BOXES
) -> bool | None:
    """True if ``cond`` holds everywhere in ``box``, False if nowhere, None if not shown.

    With ``within``, only the part of the box where ``within`` may hold counts:
    sub-boxes where it is shown to fail are left out. The box is halved level by
    level (all undecided parts at once) until ``budget`` halvings are spent.
    """
    symbols = sorted(
        cond.free_symbols | (within.free_symbols if within is not None else set()),
        key=lambda s: s.name,
    )
    boxes: Boxes = boxes_of(box)
    verdicts: set[int] = set()
    spent = 0
    while True:
        n = len(next(iter(boxes.values()))[0]) if boxes else 1
        live = np.ones(n, bool) if within is None else on_boxes(within, boxes, n) != _FALSE
        codes = on_boxes(cond, boxes, n)[live]
        verdicts |= set(np.unique(codes[codes != _UNKNOWN]).tolist())
        if len(verdicts) > 1:
            return None
        open_ = np.zeros(n, bool)
        open_[np.flatnonzero(live)[codes == _UNKNOWN]] = True
        if not open_.any():
            return bool(verdicts.pop()) if verdicts else None
        if spent + int(open_.sum()) > budget:
            return None
        halves = split(boxes, open_, symbols)
        if halves is None:
            return None
        spent += int(open_.sum())
        boxes = halves


def _points(box: Box, symbols: list[sympy.Symbol], n: int = CANDIDATES) -> np.ndarray:
    """``n`` rational points of the box (as an array of numerators over ``2**LEVELS``):
    its corners and centre first, then a scrambled Halton sequence on a dyadic grid."""
    from scipy.stats import qmc

    d = len(symbols)
    unit = [np.full(d, 0.5), np.zeros(d), np.ones(d)]
    if d:
        unit.append(qmc.Halton(d, seed=0).random(n))
    steps = np.rint(np.vstack(unit) * 2**LEVELS)
    return steps[:n]


def _bounds(box: Box, s: sympy.Symbol) -> tuple[sympy.Rational, sympy.Rational]:
    low, high = box.get(s, (-float("inf"), float("inf")))
    lo = sympy.Rational(low) if low > -float("inf") else sympy.Integer(-FAR)
    hi = sympy.Rational(high) if high < float("inf") else sympy.Integer(FAR)
    return lo, hi


def truth_at(cond: sympy.Basic, point: dict) -> bool | None:
    """The condition's truth at an exact point (None where it is undefined there)."""
    try:
        value = cond.xreplace(point)
    except (ZeroDivisionError, TypeError, ValueError):
        return None
    return bool(value) if isinstance(value, BooleanAtom) else None


def _screen(parts: list[sympy.Basic], box: Box) -> tuple[np.ndarray, Any]:
    """The parts evaluated in floating point at the candidate points (a row each), and a
    function giving candidate ``i`` as an exact point."""
    free = set().union(*(p.free_symbols for p in parts))
    symbols = sorted(free, key=lambda s: s.name)
    steps = _points(box, symbols)
    bounds = [_bounds(box, s) for s in symbols]
    columns = [
        float(lo) + (float(hi) - float(lo)) * steps[:, j] / 2**LEVELS
        for j, (lo, hi) in enumerate(bounds)
    ]
    with np.errstate(all="ignore"):
        values = compile_formulas(parts, [s.name for s in symbols])(*columns)
    values = np.broadcast_to(np.atleast_2d(values), (len(parts), len(steps)))

    def exact(i: int) -> dict:
        return {
            s: lo + (hi - lo) * sympy.Rational(int(steps[i, j]), 2**LEVELS)
            for j, (s, (lo, hi)) in enumerate(zip(symbols, bounds, strict=True))
        }

    return values, exact


def _confirmed(
    rows: np.ndarray, exact: Any, cond: sympy.Basic, within: sympy.Basic | None
) -> dict | None:
    for i in rows[:CONFIRM]:
        point = exact(int(i))
        if truth_at(cond, point) is True and (within is None or truth_at(within, point) is True):
            return point
    return None


def witnesses(
    cond: sympy.Basic, box: Box, within: sympy.Basic | None = None
) -> tuple[dict | None, dict | None]:
    """A point of the box where ``cond`` holds and one where it fails (None if not found),
    both where ``within`` holds if it is given.

    Candidates are screened in floating point, and each witness returned is
    confirmed by exact evaluation at its rational coordinates.
    """
    values, exact = _screen([cond] if within is None else [cond, within], box)
    inside = values[1] > 0.5 if within is not None else np.ones(values.shape[1], dtype=bool)
    holds = values[0] > 0.5
    yes = _confirmed(np.flatnonzero(inside & holds), exact, cond, within)
    no = _confirmed(np.flatnonzero(inside & ~holds), exact, sympy.Not(cond), within)
    return yes, no


def sign_witnesses(
    expr: sympy.Basic, box: Box, within: sympy.Basic | None = None
) -> tuple[dict | None, dict | None]:
    """A point of the box where ``expr > 0`` and one where ``expr < 0`` (None if not
    found), where ``within`` holds if it is given; screened once, confirmed exactly."""
    values, exact = _screen([expr] if within is None else [expr, within], box)
    inside = values[1] > 0.5 if within is not None else np.ones(values.shape[1], dtype=bool)
    above = _confirmed(np.flatnonzero(inside & (values[0] > 0)), exact, expr > 0, within)
    below = _confirmed(np.flatnonzero(inside & (values[0] < 0)), exact, expr < 0, within)
    return above, below


def _solution_set(cond: sympy.Basic, s: sympy.Symbol, domain: sympy.Set) -> sympy.Set:
    """Where a one-parameter condition holds in ``domain``: relations by ``solveset``,
    ``and``/``or``/``not`` as intersections, unions and complements of their sets."""
    if isinstance(cond, sympy.And):
        return sympy.Intersection(*(_solution_set(a, s, domain) for a in cond.args))
    if isinstance(cond, sympy.Or):
        return sympy.Union(*(_solution_set(a, s, domain) for a in cond.args))
    if isinstance(cond, sympy.Not):
        return sympy.Complement(domain, _solution_set(cond.args[0], s, domain))
    if isinstance(cond, BooleanAtom):
        return domain if cond else sympy.S.EmptySet
    return sympy.solveset(cond, s, domain)


def _univariate(cond: sympy.Basic, box: Box) -> sympy.Basic | None:
    """The exact set where a one-parameter condition holds, as a condition (None if unsolved)."""
    (s,) = cond.free_symbols
    low, high = box.get(s, (-float("inf"), float("inf")))
    domain = sympy.Interval(
        sympy.Rational(low) if low > -float("inf") else -sympy.oo,
        sympy.Rational(high) if high < float("inf") else sympy.oo,
    )
    try:
        where = _solution_set(cond, s, domain)
    except (NotImplementedError, TypeError, ValueError):
        return None
    solved = (sympy.Interval, sympy.Union, sympy.FiniteSet)
    if not isinstance(where, solved) and where is not sympy.S.EmptySet:
        return None
    if where == domain:
        return sympy.true
    if where is sympy.S.EmptySet:
        return sympy.false
    exact = where.as_relational(s).replace(  # -oo < x and x < oo: true of any real x
        lambda e: isinstance(e, Relational) and (e.lhs.is_infinite or e.rhs.is_infinite),
        lambda e: sympy.true,
    )
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
    yes, no = witnesses(cond, box)
    if yes is not None and no is not None:  # two exact points prove it depends
        return Condition(cond, "depends")
    verdict = decide_on(cond, box)
    return Condition(cond, "undecided") if verdict is None else verdict
