"""Closed-form equilibria of two-player normal-form games, one per pair of supports.

For supports I (the row player's) and J (the column player's) of equal size k,
the column player's mixture y on J makes the row player indifferent over I,
``A[I, J] y = v 1`` with ``1'y = 1``, and the row player's mixture x on I the
column player over J; :mod:`.indifference` solves both systems by Cramer's
rule (y = c / D, v = w / D) and states the conditions under which the pair is
an equilibrium: positive probabilities (strict), no better strategy outside
a support (weak), and D != 0 as a domain condition (von Stengel 2007,
Algorithm 3.4, solved symbolically).

These are the tests of the numeric support enumeration
(:mod:`bargain.solvers.support`), which solves the same systems, requires
probabilities above ``PROB_TOL`` and allows deviations within the payoff
tolerance: on a boundary (a tie, or a probability reaching 0) the two agree
up to those tolerances. For k = 1 the pair is a pure profile, D = 1 and the
conditions are the best-response inequalities of :mod:`bargain.solvers.pure`.

Degenerate games get no more than that: where D = 0 (a singular system) or a
tie makes the game degenerate, equilibria may form continua or need supports
of unequal size; the derivation holds none of them, as the numeric support
enumeration finds none of them (at a point where it finds nothing,
Lemke–Howson answers numerically, and no case matches its rows).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from itertools import combinations
from typing import NamedTuple

import numpy as np
import sympy

from bargain.algebra import (
    Box,
    Case,
    Condition,
    Derivation,
    box_of,
    domain_conditions,
    make_case,
    settle,
    step,
)
from bargain.errors import ModelError
from bargain.params import ParamSpace
from bargain.vocabulary import ident

from .feasibility import possible
from .indifference import Payoffs, indifference

#: The solve methods whose equilibria the cases are: every equilibrium of a
#: nondegenerate game ("support", "vertex"), or the pure ones ("pure").
DERIVABLE = ("support", "vertex", "pure")

#: What a derivation of a normal form leaves out, for the Derivation's notes.
NOTES = (
    "one case per pair of supports of equal size whose indifference systems are regular "
    "(determinant != 0); equilibria of degenerate games with supports of unequal size or "
    "in continua are not derived",
    'several supports of a game larger than 2x2 may give cases labelled "mixed", as the '
    "numeric solver labels every mixed equilibrium",
)


class Candidate(NamedTuple):
    """The equilibrium of a pair of supports: both mixtures (over every strategy), both
    payoffs, the raw conditions under which it is one and the determinants it divides by."""

    mixtures: tuple[tuple[sympy.Expr, ...], tuple[sympy.Expr, ...]]
    payoffs: tuple[sympy.Expr, sympy.Expr]
    conditions: tuple[sympy.Basic, ...]
    determinants: tuple[sympy.Expr, sympy.Expr]


def candidate(A: Payoffs, B: Payoffs, rows: Sequence[int], cols: Sequence[int]) -> Candidate:
    """The equilibrium candidate of the supports ``rows`` and ``cols``; ``A`` is the row
    player's payoffs, ``B`` the column player's with its own strategies as rows."""
    row = indifference(A, [range(A.rows)], [rows], [cols])
    col = indifference(B, [range(B.rows)], [cols], [rows])
    return Candidate(
        (col.mixture, row.mixture),
        (row.values[0], col.values[0]),
        (*row.conditions, *col.conditions),
        (row.det, col.det),
    )


def support_pairs(m: int, n: int, pure_only: bool = False) -> Iterator[tuple[tuple[int, ...], ...]]:
    """Pairs of supports of equal size (pure profiles first), as the numeric enumeration."""
    for k in range(1, 2 if pure_only else min(m, n) + 1):
        for rows in combinations(range(m), k):
            for cols in combinations(range(n), k):
                yield rows, cols


def decimal(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` with every float as the fraction its decimals write (0.1 is 1/10), so that
    closed forms are exact; the numeric solver's binary floats differ by a rounding."""
    return sympy.nsimplify(expr, rational=True) if expr.atoms(sympy.Float) else expr


def payoff_domain(payoffs: Sequence[sympy.Basic], params: ParamSpace) -> tuple[Condition, ...]:
    """Where every payoff is defined (the numeric solver refuses a point where one is not),
    settled on the bounds; ModelError if some payoff is defined nowhere in them."""
    box = box_of(params)
    found = []
    for cond in dict.fromkeys(d for p in payoffs for d in domain_conditions(p)):
        settled = settle(cond, box)
        if settled is False:
            raise ModelError(
                f"a payoff is undefined everywhere in the parameter bounds: {cond} fails"
            )
        if settled is not True:
            found.append(settled)
    return tuple(found)


def within(case: Case, domain: Sequence[Condition], box: Box) -> Case | None:
    """``case`` with the game's ``domain`` added to its own (its values may have lost it
    when sympy computed with them: ``x/x`` times 2 is 2) and without the conditions the
    domain implies; None if its conditions are shown to fail everywhere in the domain
    (:func:`.feasibility.possible`)."""
    if not domain:
        return case
    given = [d.expr for d in domain]
    if case.conditions and possible(sympy.And(case.where, *given), box) is False:
        return None
    kept = tuple(
        c
        for c in case.conditions
        if possible(sympy.And(*given, sympy.Not(c.expr)), box) is not False
    )
    extra = tuple(d for d in domain if d not in case.domain)
    return dataclasses.replace(case, conditions=kept, domain=case.domain + extra)


def bimatrix_cases(
    A: sympy.Matrix,
    B: sympy.Matrix,
    strategies: tuple[Sequence[str], Sequence[str]],
    names: tuple[str, str],
    params: ParamSpace,
    domain: Sequence[Condition] = (),
    pure_only: bool = False,
) -> tuple[Case, ...]:
    """The cases of a bimatrix game (A, B) with these strategy labels, one per pair of
    supports that can be an equilibrium inside the bounds and the game's ``domain``.

    ``names`` are the players' names in measure names (``u_<name>``,
    ``p_<name>_<strategy>``); labels are as the numeric batch's ``regimes()``:
    ``"<row>/<column>"`` for a pure profile, ``"mixed"`` otherwise.
    """
    box = box_of(params)
    row_payoffs, col_payoffs = Payoffs(A), Payoffs(B.T)
    cases = []
    for rows, cols in support_pairs(A.rows, A.cols, pure_only):
        pure = len(rows) == 1
        label = f"{strategies[0][rows[0]]}/{strategies[1][cols[0]]}" if pure else "mixed"
        supports = f"{{{', '.join(strategies[0][i] for i in rows)}}} x " + (
            f"{{{', '.join(strategies[1][j] for j in cols)}}}"
        )
        with step(f"solving the indifference conditions of the supports {supports}"):
            found = candidate(row_payoffs, col_payoffs, rows, cols)
        if any(det == 0 for det in found.determinants):
            continue  # singular everywhere: the numeric enumeration skips it too
        values = {f"u_{ident(p)}": u for p, u in zip(names, found.payoffs)}
        for p, labels, mixture in zip(names, strategies, found.mixtures):
            values |= {f"p_{ident(p)}_{ident(s)}": q for s, q in zip(labels, mixture)}
        values["pure"] = sympy.Integer(int(pure))
        case = make_case(label, found.conditions, values, params)
        case = case and within(case, domain, box)
        if case is not None:
            cases.append(case)
    return tuple(cases)


def derive_normal(
    payoffs: np.ndarray,
    strategies: Sequence[Sequence[str]],
    players: Sequence[str],
    params: ParamSpace,
    method: str | None,
) -> Derivation:
    """The :class:`Derivation` of a normal-form game for a solve with ``method``;
    ``payoffs`` (P, s_1, ..., s_P) holds sympy expressions."""
    if len(players) != 2:
        raise ModelError(
            f"closed forms are derived for two-player normal-form games; this one has "
            f"{len(players)} players (solve it numerically)"
        )
    method = method or "support"
    if method not in DERIVABLE:
        raise ModelError(
            f"method {method!r}: closed forms follow the equilibria support enumeration "
            "finds (every one of a nondegenerate game); Lemke–Howson finds those its paths "
            "reach, which has no closed form: derive with method "
            + " or ".join(map(repr, DERIVABLE))
        )
    A, B = (sympy.Matrix(p.tolist()) for p in payoffs)
    domain = payoff_domain([*A, *B], params)
    A, B = A.applyfunc(decimal), B.applyfunc(decimal)
    cases = bimatrix_cases(
        A,
        B,
        (strategies[0], strategies[1]),
        (players[0], players[1]),
        params,
        domain,
        pure_only=method == "pure",
    )
    return Derivation("normal", params, cases, exclusive=False, notes=NOTES)
