"""Pieces of a closed form, by regime, and the cases of a derivation they make.

A closed form is a list of :class:`Regime` pieces: a regime label (as the
numeric solver labels its result), the conditions under which the solver
reports that piece, and the measures there. Several pieces may share a label:
the Nash solution is a "deal" whether or not a bound of the frontier binds, a
screening proposer may make one of several "interior" offers.
:func:`regime_cases` prunes the pieces on the parameters' bounds and makes one
case per label (:func:`bargain.algebra.make_case`), its measures ``Piecewise``
over the label's pieces.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import sympy
from sympy.core.relational import Relational

from bargain.algebra import (
    Case,
    box_of,
    decide_on,
    domain_conditions,
    make_case,
    step,
    tidy,
    tidy_condition,
)
from bargain.params import ParamSpace


@dataclass(frozen=True)
class Regime:
    """One piece of a closed form: its regime ``label``, the ``conditions`` (sympy
    relations) under which the solver reports it, and its measures ``values``."""

    label: str
    conditions: tuple[sympy.Basic, ...]
    values: Mapping[str, sympy.Basic] = field(default_factory=dict)


def evaluated(cond: sympy.Basic) -> sympy.Basic:
    """``cond`` with each relation whose two sides differ by a number replaced by its truth
    (sympy leaves ``x <= x`` unevaluated, as ``x`` might not be real)."""
    if isinstance(cond, Relational):
        gap = cond.lhs - cond.rhs
        return cond.func(gap, 0) if gap.is_number else cond
    if isinstance(cond, sympy.And | sympy.Or | sympy.Not):
        return cond.func(*(evaluated(a) for a in cond.args))
    return cond


#: Parts of the box interval arithmetic may cut it into to prune a piece (a quick look:
#: ``make_case`` settles the conditions that remain).
PRUNE_BOXES = 16


def _pruned(conditions: Iterable[sympy.Basic], box: dict) -> tuple[sympy.Basic, ...] | None:
    """The conditions not shown to hold on the whole box (by interval arithmetic); None
    where they are shown to fail together. Cheap: no witness points are searched."""
    kept: list[sympy.Basic] = []
    for cond in conditions:
        tidied = tidy_condition(evaluated(cond))
        verdict = decide_on(tidied, box, budget=PRUNE_BOXES)
        if verdict is False:
            return None
        if verdict is None and tidied not in kept:
            kept.append(tidied)
    if len(kept) > 1 and decide_on(sympy.And(*kept), box, budget=PRUNE_BOXES) is False:
        return None
    return tuple(kept)


def _tidied(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` in a shorter form where that keeps every condition of its domain (else as is)."""
    short = tidy(sympy.sympify(expr))
    return short if set(domain_conditions(expr)) <= set(domain_conditions(short)) else expr


def _merged(pieces: list[tuple[tuple[sympy.Basic, ...], Regime]]) -> dict[str, sympy.Basic]:
    """The measures of the pieces of one label, each tidied (:func:`_tidied`):
    ``Piecewise`` over the pieces' conditions where they differ, only the measures
    every piece has."""
    keys = [k for k in pieces[0][1].values if all(k in r.values for _, r in pieces)]
    out: dict[str, sympy.Basic] = {}
    for k in keys:
        exprs = [_tidied(r.values[k]) for _, r in pieces]
        if all(e == exprs[0] for e in exprs[1:]):
            out[k] = exprs[0]
            continue
        branches = [(e, sympy.And(*conds)) for e, (conds, _) in zip(exprs[:-1], pieces[:-1])]
        out[k] = sympy.Piecewise(*branches, (exprs[-1], True))
    return out


def regime_cases(
    regimes: Iterable[Regime],
    params: ParamSpace,
    *,
    requires: Iterable[sympy.Basic] = (),
    covering: Iterable[str] = (),
    implicit: Mapping[str, Mapping[str, sympy.Basic]] | None = None,
) -> tuple[Case, ...]:
    """One case per label of ``regimes``, settled on the bounds of ``params``.

    ``requires`` are the conditions under which the solver accepts the
    arguments at all (added to every case). A label's case holds where one of
    its pieces does, and its measures are ``Piecewise`` over the pieces (a
    measure equal on all of them stays a plain expression); the pieces of a
    label in ``covering`` hold together at every point, so that case's
    condition is ``requires`` alone. ``implicit`` maps a label to its measures
    defined by a first-order condition (see :class:`~bargain.algebra.Case`).
    Pieces are pruned by interval arithmetic on the bounds and their measures
    tidied one by one (a ``Piecewise`` of them is slow to simplify whole);
    labels keep the order of their first piece; a label none of whose pieces
    can hold has no case.
    """
    box = box_of(params)
    requires = tuple(tidy_condition(evaluated(c)) for c in requires)
    covering = set(covering)
    groups: dict[str, list[tuple[tuple[sympy.Basic, ...], Regime]]] = {}
    with step("pruning the pieces of the closed form"):
        for regime in regimes:
            kept = _pruned(map(evaluated, regime.conditions), box)
            if kept is not None:
                groups.setdefault(regime.label, []).append((kept, regime))
    cases: list[Case] = []
    for label, pieces in groups.items():
        if label in covering:
            conditions: list[sympy.Basic] = []
        elif len(pieces) == 1:
            conditions = list(pieces[0][0])
        else:
            conditions = [sympy.Or(*(sympy.And(*kept) for kept, _ in pieces))]
        with step(f"simplifying the measures of the regime {label}"):
            values = _merged(pieces)
        implicit_here = (implicit or {}).get(label)
        case = make_case(  # conditions and measures tidied here, piece by piece
            label,
            [*requires, *conditions],
            values,
            params,
            simplify=False,
            implicit=implicit_here,
        )
        if case is not None:
            cases.append(case)
    return tuple(cases)
