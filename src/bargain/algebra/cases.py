"""Regimes in closed form: where each holds and what the equilibrium is there.

A game form's derivation (``GameForm.derive``) is a :class:`Derivation`: a
list of :class:`Case` objects, each a regime (an equilibrium, or the
subgame-perfect path) with the conditions on the parameters under which it is
one and its built-in measures as sympy expressions of the parameters.

:func:`make_case` settles every condition on the declared bounds
(:func:`bargain.algebra.conditions.settle`): a condition that always holds is
dropped, a case with one that never holds (or whose conditions cannot hold
together) is no case at all. Expressions keep their domain: before anything is
simplified, the denominators, square roots and logarithms in them are recorded
as domain conditions (``x/x`` becomes 1 only where ``x != 0``).
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import sympy
from sympy.core.relational import Relational

from bargain.params import ParamSpace

from .budget import step
from .conditions import Condition, decide_on, settle, witnesses
from .intervals import Box, box_of


def domain_conditions(expr: sympy.Basic) -> list[sympy.Basic]:
    """Where ``expr`` is defined: nonzero denominators, square roots of x >= 0, logs of x > 0."""
    found: list[sympy.Basic] = []
    for sub in sympy.preorder_traversal(expr):
        if sub.is_Pow and sub.exp.is_number:
            if sub.exp.is_negative:
                found.append(sympy.Ne(sub.base, 0))
            if not sub.exp.is_integer:
                found.append(sympy.Ge(sub.base, 0))
        elif isinstance(sub, sympy.log):
            found.append(sympy.Gt(sub.args[0], 0))
    return [c for c in dict.fromkeys(found) if c.free_symbols]


@functools.lru_cache(maxsize=4096)
def tidy(expr: sympy.Basic) -> sympy.Basic:
    """A shorter equal form of ``expr`` (only where its domain conditions hold)."""
    if not isinstance(expr, sympy.Expr) or expr.is_Atom:
        return expr
    if isinstance(expr, sympy.Piecewise):  # piece by piece: cancel on the whole is slow
        return sympy.Piecewise(*((tidy(e), c) for e, c in expr.args), evaluate=False)
    candidates = [expr, evaluated(expr)]
    with contextlib.suppress(sympy.PolynomialError, NotImplementedError, TypeError):
        candidates.append(sympy.factor_terms(sympy.cancel(expr)))
    return min(candidates, key=sympy.count_ops)


def evaluated(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` rebuilt bottom-up with sympy's automatic evaluation (``0*x`` and ``x - x``
    vanish, like terms combine): only for expressions whose domain is already recorded."""
    if expr.is_Atom or not expr.args:
        return expr
    return expr.func(*(evaluated(a) for a in expr.args))


def sides(rel: Relational) -> Relational:
    """``a - b > 0`` as ``a > b``: the terms with a minus sign moved to the right."""
    gap = rel.lhs - rel.rhs
    terms = sympy.Add.make_args(gap)
    right = [-t for t in terms if t.could_extract_minus_sign()]
    left = [t for t in terms if not t.could_extract_minus_sign()]
    if not left:
        return rel.func(0, sympy.Add(*right)).reversed
    return rel.func(sympy.Add(*left), sympy.Add(*right))


def tidy_condition(cond: sympy.Basic) -> sympy.Basic:
    """A relation in its shortest form: as written, or its two sides tidied and
    rearranged by :func:`sides`; ``And``/``Or``/``Not`` recursively."""
    if isinstance(cond, Relational):
        tidied = cond.func(tidy(cond.lhs - cond.rhs), 0)
        if not isinstance(tidied, Relational):  # a number compared with 0: true or false
            return tidied
        plain = cond.func(evaluated(cond.lhs), evaluated(cond.rhs))
        candidates = [sides(tidied), plain] if isinstance(plain, Relational) else [sides(tidied)]
        return min(candidates, key=sympy.count_ops)
    if isinstance(cond, sympy.And | sympy.Or | sympy.Not):
        return cond.func(*(tidy_condition(a) for a in cond.args))
    return cond


@dataclass(frozen=True)
class Case:
    """One regime in closed form.

    ``label`` is the regime as the numeric solver labels it; ``conditions``
    those that may fail inside the bounds (each with its status); ``values``
    the form's built-in measures (``u_<player>``, probabilities, ...) as
    expressions; ``domain`` where they are defined; ``feasible`` is ``"shown"``
    when a point of the box meets every condition, else ``"undecided"``.
    ``implicit`` holds the measures defined by a first-order condition (an
    interior optimum): name -> ``F`` with ``F = 0`` at the optimum, written
    with ``Symbol(name)`` for the measure; their comparative statics come from
    the implicit-function theorem (``dx/dp = -F_p / F_x``), and ``values`` may
    also hold the closed form where one was found.
    """

    label: str
    conditions: tuple[Condition, ...]
    values: Mapping[str, sympy.Basic]
    domain: tuple[Condition, ...] = ()
    feasible: Literal["shown", "undecided"] = "shown"
    implicit: Mapping[str, sympy.Basic] = field(default_factory=dict)

    @property
    def where(self) -> sympy.Basic:
        """The conjunction of the case's conditions (``true`` if it holds everywhere)."""
        return sympy.And(*(c.expr for c in self.conditions))

    @property
    def undecided(self) -> tuple[Condition, ...]:
        """The conditions not settled on the bounds."""
        return tuple(c for c in self.conditions if c.status == "undecided")


@dataclass(frozen=True)
class Derivation:
    """A game form's closed forms: its regimes, over a parameter space.

    ``exclusive`` is True when at most one case holds at each point (the cases
    split the box, as backward induction with a tie rule does), False when
    several equilibria may coexist (a normal form's); ``subject`` names what a
    case is, for messages and headings; ``members`` maps each member of an
    outcome set (a terminal node) to the value holding its probability, so
    that an outcome set's probability is the sum of its members'.
    """

    form: str
    params: ParamSpace
    cases: tuple[Case, ...]
    exclusive: bool
    subject: str = "equilibrium"
    members: Mapping[Hashable, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def case(self, label: str) -> Case:
        """The case of a regime label (KeyError if there is none)."""
        for c in self.cases:
            if c.label == label:
                return c
        raise KeyError(label)


def make_case(
    label: str,
    conditions: Iterable[sympy.Basic],
    values: Mapping[str, sympy.Basic],
    params: ParamSpace | Box,
    *,
    simplify: bool = True,
    implicit: Mapping[str, sympy.Basic] | None = None,
) -> Case | None:
    """The case of ``label`` with its conditions settled on the bounds; None if it cannot hold."""
    box = box_of(params) if isinstance(params, ParamSpace) else params
    raw = list(conditions)
    with step(f"finding the domain of the regime {label}"):
        domain_raw = [d for e in [*values.values(), *raw] for d in domain_conditions(e)]
    domain: list[Condition] = []
    for d in dict.fromkeys(domain_raw):
        settled = settle(d, box)
        if settled is False:
            return None
        if settled is not True and settled not in domain:
            domain.append(settled)
    kept: list[Condition] = []
    with step(f"settling the conditions of the regime {label}"):
        for cond in raw:
            settled = settle(tidy_condition(cond) if simplify else cond, box)
            if settled is False:
                return None
            if settled is not True and settled not in kept:
                kept.append(settled)
        together = sympy.And(*(c.expr for c in kept))
        yes, _ = witnesses(together, box) if kept else ({}, None)
        if yes is None and len(kept) > 1 and decide_on(together, box) is False:
            return None
    with step(f"simplifying the measures of the regime {label}"):
        tidy_values = {k: tidy(v) if simplify else v for k, v in values.items()}
    return Case(
        label,
        tuple(kept),
        tidy_values,
        tuple(domain),
        "shown" if yes is not None else "undecided",
        dict(implicit or {}),
    )
