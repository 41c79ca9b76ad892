"""Indifference conditions solved symbolically: the opponent's mixture that makes a player
indifferent over its support, and the conditions under which that is an equilibrium.

A player's pure strategies (its *rows*) fall into groups, one per type of the
player (a normal-form player has one type); the opponent's strategies (its
*columns*) into groups, one per type of the opponent. ``payoff[r, c]`` is the
player's payoff from row r against column c, weighted by the probability of
the type pair in a Bayesian game. Given a support S_t of rows for each own
type t and a support R_s of columns for each opponent type s, the opponent's
mixture y over the columns of the supports must make every own type
indifferent over its support and be a distribution per opponent type:

    sum_c payoff[r, c] y_c = v_t   (r in S_t),      sum_{c in R_s} y_c = 1,

a square linear system M z = e in z = (y, v) when sum_t (|S_t| - 1) equals
sum_s (|R_s| - 1) (supports of equal size in a normal form). By Cramer's rule
z_i = det(M_i) / det(M), with M_i the matrix M whose column i is e:
y_c = c_c / D and v_t = w_t / D with D = det M, and the normalisation of type
s makes the c_c of R_s sum to D.

The candidate is an equilibrium (von Stengel 2007, Algorithm 3.4, solved
symbolically) where

- every probability of the supports is positive: the c_c of each R_s are
  nonzero and of one sign (their sum D then has it too), written
  ``c_first * c_c > 0`` without a denominator; strict, as the numeric
  solver's (a probability of 0 means another support);
- no row r of type t outside S_t earns more than v_t: the gain
  g_r / D with g_r = payoff[r, R] c - w_t, written ``g_r * D <= 0`` (the same
  where D != 0); weak, as the solver's tolerance makes a tie a best response;
- D != 0: a domain condition, kept because the values divide by D.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import NamedTuple

import sympy
from sympy.polys.constructor import construct_domain
from sympy.polys.domains import EX
from sympy.polys.matrices import DomainMatrix
from sympy.polys.rings import PolyElement


class Side(NamedTuple):
    """One player's side of a candidate: the opponent's mixture over all its columns
    (0 outside the supports), the player's value per type, the raw conditions (positive
    probabilities of the opponent, no better row of the player) and the determinant."""

    mixture: tuple[sympy.Expr, ...]
    values: tuple[sympy.Expr, ...]
    conditions: tuple[sympy.Basic, ...]
    det: sympy.Expr


def factored(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` factored where sympy can (a polynomial), else as it is."""
    if not isinstance(expr, sympy.Expr) or not expr.free_symbols:
        return expr
    with contextlib.suppress(sympy.PolynomialError, NotImplementedError, TypeError):
        return sympy.factor(expr)
    return expr


def ratio(numerator: sympy.Expr, det: sympy.Expr) -> sympy.Expr:
    """``numerator / det``, the division kept in the tree so that its domain is recorded."""
    if not det.free_symbols:
        return numerator / det
    if det.could_extract_minus_sign():
        numerator, det = -numerator, -det
    return sympy.Mul(numerator, sympy.Pow(det, -1, evaluate=False), evaluate=False)


class Payoffs:
    """A player's payoff matrix in the exact domain of its entries: polynomials (or
    fractions) of the parameters, and of square roots or ``where`` terms taken as
    variables, where determinants are fast and exact; sympy expressions (the domain
    ``EX``) when the entries have no exact domain (a float).

    Entries are expanded, so ``x/x`` is 1 here: the callers keep the payoffs'
    domain (:func:`.derive.payoff_domain`).
    """

    def __init__(self, matrix: sympy.Matrix) -> None:
        exprs = [sympy.expand(e) for e in matrix]
        domain, elements = construct_domain(exprs)
        if not domain.is_Exact:
            domain, elements = EX, [EX.from_sympy(e) for e in exprs]
        self.domain = domain
        self.rows, self.cols = matrix.shape
        self.entries = [elements[r * self.cols : (r + 1) * self.cols] for r in range(self.rows)]

    def det(self, rows: list[list]) -> object:
        """The determinant of a square matrix of elements of the domain."""
        return DomainMatrix(rows, (len(rows), len(rows)), self.domain).det()

    def expr(self, element: object) -> sympy.Expr:
        """An element of the domain as a sympy expression, factored."""
        K = self.domain
        if K.is_PolynomialRing:
            return _product(element)
        if K.is_FractionField:
            return _product(element.numer) / _product(element.denom)
        return factored(K.to_sympy(element))


def _product(poly: PolyElement) -> sympy.Expr:
    """A polynomial as the product of its irreducible factors."""
    coeff, factors = poly.factor_list()
    return sympy.Mul(poly.ring.domain.to_sympy(coeff), *(f.as_expr() ** k for f, k in factors))


def indifference(
    payoff: Payoffs,
    own_rows: Sequence[Sequence[int]],
    supports: Sequence[Sequence[int]],
    other_supports: Sequence[Sequence[int]],
) -> Side:
    """Solve the indifference system (see the module) and state its conditions.

    ``own_rows[t]`` are all rows of own type t, ``supports[t]`` those in its
    support, ``other_supports[s]`` the columns in the support of opponent type s;
    ``supports`` and ``other_supports`` must have equal excess (the system is square).
    """
    K, P = payoff.domain, payoff.entries
    columns = [c for group in other_supports for c in group]
    size = len(columns) + len(supports)
    if sum(map(len, supports)) + len(other_supports) != size:
        raise ValueError("the supports are not of equal excess: the system is not square")
    M = []
    for t, support in enumerate(supports):
        for r in support:
            M.append(
                [P[r][c] for c in columns]
                + [-K.one if u == t else K.zero for u in range(len(supports))]
            )
    first = 0
    for group in other_supports:
        M.append([K.one if first <= i < first + len(group) else K.zero for i in range(size)])
        first += len(group)
    e = [K.zero] * (size - len(other_supports)) + [K.one] * len(other_supports)
    det = payoff.det(M)
    cramer = [
        payoff.det([[*row[:i], e[j], *row[i + 1 :]] for j, row in enumerate(M)])
        for i in range(size)
    ]
    c, w = cramer[: len(columns)], cramer[len(columns) :]
    D = payoff.expr(det)
    conditions: list[sympy.Basic] = []
    first = 0
    for group in other_supports:
        head = payoff.expr(c[first])
        conditions += [
            sympy.Gt(head * payoff.expr(cj), 0) for cj in c[first + 1 : first + len(group)]
        ]
        first += len(group)
    for t, (rows, support) in enumerate(zip(own_rows, supports)):
        for r in rows:
            if r not in support:
                gain = sum((P[r][col] * cj for col, cj in zip(columns, c)), -w[t])
                conditions.append(sympy.Le(payoff.expr(gain) * D, 0))
    mixture = [sympy.S.Zero] * payoff.cols
    for col, cj in zip(columns, c):
        mixture[col] = ratio(payoff.expr(cj), D)
    values = tuple(ratio(payoff.expr(wt), D) for wt in w)
    return Side(tuple(mixture), values, tuple(conditions), D)
