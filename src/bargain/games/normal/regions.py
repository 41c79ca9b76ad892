"""The case split of a normal form's derivation: which equilibria exist in which region.

The cases of a two-player game (:mod:`.derive`) may hold together. The region
of a set S of cases is where every case of S holds and every other fails:

    And(where(c) for c in S) & And(~where(c) for c not in S);

:func:`regions` lists the sets whose region is not empty in the box.

Deciding that needs more than settling each condition: the region of a mixed
equilibrium alone in Chicken is empty because of how the conditions of
different cases hang together, which interval arithmetic over the box does
not see. Every condition of a case is a relation ``g op 0``; factoring ``g``
makes it a function of the signs of a few expressions, the *atoms* (for a 2x2
game, each player's two payoff differences between its strategies, one per
strategy of the opponent). A region is then a union of sign patterns of the
atoms, and it is

- empty where every pattern of it is shown impossible in the box
  (:func:`.feasibility.possible` on the pattern's conjunction: solved exactly
  on one parameter, by interval arithmetic otherwise; searched atom by atom
  so that an impossible start prunes its extensions), and
- shown non-empty where a pattern of it is shown possible: exactly on one
  parameter, or at an exact rational point of the box (sampled points are
  only ever used as such witnesses);

a region neither is kept as ``"undecided"``, never dropped. A region whose
patterns all set some atom to 0 lies on a tie surface (lower-dimensional: a
degenerate game there); ``interior`` states the rest as a disjunction of
strict signs of the atoms, simplified with the impossible patterns as
don't-cares, equal to ``where`` at every point where no atom is 0.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import product
from typing import Literal

import sympy
from sympy.core.relational import Relational
from sympy.logic.boolalg import BooleanAtom

from bargain.algebra import Box, Derivation, box_of, decide_on
from bargain.errors import ModelError

from .feasibility import possible

#: Most atoms a case split takes: it examines up to 3 ** MAX_ATOMS sign patterns.
MAX_ATOMS = 8
#: Exact rational points of the box tried as witnesses of sign patterns.
WITNESS_POINTS = 400


@dataclass(frozen=True)
class Region:
    """Where the equilibria ``labels``, and no others, exist.

    ``where`` is that condition exactly (the cases of ``labels`` hold, the
    others fail); ``interior`` the same off the tie surfaces, as strict signs of
    the atoms (``false`` when ``tie``: the region lies where some atom is 0, in
    degenerate games);
    ``status`` is ``"shown"`` when an exact point of the box lies in the region,
    ``"undecided"`` when none was found and none could be ruled out.
    """

    labels: tuple[str, ...]
    where: sympy.Basic
    interior: sympy.Basic
    status: Literal["shown", "undecided"]
    tie: bool

    def __repr__(self) -> str:
        flags = ", tie" if self.tie else ""
        return f"Region({' + '.join(self.labels) or 'none'}: {self.interior}; {self.status}{flags})"


class _Relation:
    """A relation ``g op 0`` as a function of the signs of the atoms: sign(g) is the sign
    of its constant times the product of its factors' signs to their multiplicities."""

    def __init__(self, rel: Relational, atoms: dict[sympy.Basic, int]) -> None:
        self.op = rel.rel_op
        gap = _exact(rel.lhs - rel.rhs)
        numerator, denominator = sympy.fraction(sympy.together(gap))
        self.sign = 1
        self.factors: list[tuple[int, int]] = []  # (atom index, multiplicity)
        self.divisors: list[int] = []  # atoms in the denominator: the relation needs them != 0
        for part, divides in ((numerator, False), (denominator, True)):
            coeff, factors = _factor(part)
            self.sign *= int(sympy.sign(coeff))
            for f, m in factors:
                index = atoms.setdefault(f, len(atoms))
                self.factors.append((index, m))
                if divides:
                    self.divisors.append(index)

    def truth(self, signs: Sequence[int]) -> bool | None:
        """The relation's truth under these signs of the atoms (None: undefined there)."""
        if any(signs[i] == 0 for i in self.divisors):
            return None
        s = self.sign
        for i, m in self.factors:
            s *= signs[i] ** m
        return {
            ">": s > 0,
            ">=": s >= 0,
            "<": s < 0,
            "<=": s <= 0,
            "==": s == 0,
            "!=": s != 0,
        }[self.op]


def _exact(expr: sympy.Basic) -> sympy.Basic:
    """``expr`` with every float as the exact rational it stands for, so that equal
    factors are found equal."""
    floats = expr.atoms(sympy.Float)
    return expr.xreplace({f: sympy.Rational(f) for f in floats}) if floats else expr


def _factor(expr: sympy.Expr) -> tuple[sympy.Expr, list[tuple[sympy.Expr, int]]]:
    """The constant and the non-constant factors of ``expr`` (itself if sympy cannot)."""
    if not expr.free_symbols:
        return expr, []
    with contextlib.suppress(sympy.PolynomialError, NotImplementedError, TypeError):
        coeff, factors = sympy.factor_list(expr)
        return coeff, [(f, int(m)) for f, m in factors]
    return sympy.S.One, [(expr, 1)]


class _Logic:
    """A condition (relations under And/Or/Not) evaluated on sign patterns."""

    def __init__(self, cond: sympy.Basic, atoms: dict[sympy.Basic, int]) -> None:
        self.cond = cond
        self.kind = type(cond)
        if isinstance(cond, BooleanAtom):
            self.value = bool(cond)
        elif isinstance(cond, Relational):
            self.relation = _Relation(cond, atoms)
        elif isinstance(cond, sympy.And | sympy.Or | sympy.Not):
            self.parts = [_Logic(a, atoms) for a in cond.args]
        else:
            raise ModelError(f"the case split cannot read the condition {cond}")

    def truth(self, signs: Sequence[int]) -> bool | None:
        if isinstance(self.cond, BooleanAtom):
            return self.value
        if isinstance(self.cond, Relational):
            return self.relation.truth(signs)
        parts = [p.truth(signs) for p in self.parts]
        if isinstance(self.cond, sympy.Not):
            return None if parts[0] is None else not parts[0]
        if isinstance(self.cond, sympy.And):
            return False if False in parts else None if None in parts else True
        return True if True in parts else None if None in parts else False


def _sign_relation(atom: sympy.Basic, sign: int) -> sympy.Basic:
    return {1: sympy.Gt, -1: sympy.Lt, 0: sympy.Eq}[sign](atom, 0)


def _patterns(
    atoms: list[sympy.Basic], box: Box, seen: set[tuple[int, ...]]
) -> Iterator[tuple[tuple[int, ...], bool]]:
    """Every sign pattern of the atoms not shown impossible in the box, with whether it is
    shown possible, depth first: an impossible start prunes every pattern that extends
    it; a start of a pattern in ``seen`` (met at a point of the box) is possible."""
    starts = {p[:k] for p in seen for k in range(len(p) + 1)}

    def grow(
        prefix: tuple[int, ...], relations: list[sympy.Basic], shown: bool
    ) -> Iterator[tuple[tuple[int, ...], bool]]:
        if len(prefix) == len(atoms):
            yield prefix, shown or prefix in seen
            return
        for sign in (1, -1, 0):
            longer = (*prefix, sign)
            together = [*relations, _sign_relation(atoms[len(prefix)], sign)]
            verdict = True if longer in starts else possible(sympy.And(*together), box)
            if verdict is not False:
                yield from grow(longer, together, verdict is True)

    yield from grow((), [], False)


def _sample(box: Box, symbols: list[sympy.Symbol], n: int, seed: int = 0) -> list[dict]:
    """Exact rational points of the box: half on the grid of its quarter points (where ties
    are likely), half anywhere; unbounded sides are sampled within 100 of a bound or 0."""
    rng = random.Random(seed)

    def side(low: float, high: float) -> tuple[float, float]:
        if low == -float("inf") and high == float("inf"):
            return -100.0, 100.0
        if low == -float("inf"):
            return high - 100.0, high
        if high == float("inf"):
            return low, low + 100.0
        return low, high

    ranges = [side(*box.get(s, (-float("inf"), float("inf")))) for s in symbols]
    points = []
    for k in range(n):
        values = []
        for low, high in ranges:
            t = rng.randrange(5) / 4 if k % 2 == 0 else rng.random()
            values.append(
                sympy.Rational(low)
                + (sympy.Rational(high) - sympy.Rational(low)) * sympy.Rational(t)
            )
        points.append(dict(zip(symbols, values)))
    return points


def _witnessed(atoms: list[sympy.Basic], box: Box) -> set[tuple[int, ...]]:
    """The sign patterns of the atoms met at exact sample points of the box.

    Each atom is evaluated in exact rational arithmetic (``Fraction``); one
    that leaves it (a function such as ``exp``) is evaluated by sympy.
    """
    symbols = sorted(set().union(*(a.free_symbols for a in atoms)), key=lambda s: s.name)
    functions = [sympy.lambdify(symbols, a, modules="math") for a in atoms]
    found = set()
    for point in _sample(box, symbols, WITNESS_POINTS):
        exact = [Fraction(int(v.p), int(v.q)) for v in point.values()]
        signs = []
        for atom, function in zip(atoms, functions):
            value = None
            with contextlib.suppress(ArithmeticError, TypeError, ValueError):
                value = function(*exact)
            sign = _sign(value) if isinstance(value, Fraction | int) else _sign(atom, point)
            if sign is None:
                break
            signs.append(sign)
        else:
            found.add(tuple(signs))
    return found


def _sign(value: Fraction | int | sympy.Basic, point: dict | None = None) -> int | None:
    """The sign of a rational, or of a sympy expression at an exact point as sympy decides
    it (None if it cannot: the point is then no witness)."""
    if point is None:
        return (value > 0) - (value < 0)
    number = value.xreplace(point)
    for sign, known in ((1, number.is_positive), (-1, number.is_negative), (0, number.is_zero)):
        if known:
            return sign
    return None


def regions(derivation: Derivation, max_atoms: int = MAX_ATOMS) -> tuple[Region, ...]:
    """The regions of the box by the set of equilibria that exists there (see the module).

    Meant for 2x2 games (4 atoms, fewer when payoff differences coincide);
    ModelError when the conditions have more than ``max_atoms`` atoms.
    Regions come off the tie surfaces first, each set's labels in case order.
    """
    box = box_of(derivation.params)
    atoms: dict[sympy.Basic, int] = {}
    logic = [_Logic(case.where, atoms) for case in derivation.cases]
    if len(atoms) > max_atoms:
        raise ModelError(
            f"the case split of this game reads its conditions as the signs of {len(atoms)} "
            f"expressions, more than {max_atoms} (3 ** {max_atoms} sign patterns): it is "
            "meant for 2x2 games"
        )
    order = list(atoms)
    seen = _witnessed(order, box)
    by_set: dict[tuple[bool, ...], list[tuple[int, ...]]] = {}
    for pattern, shown in _patterns(order, box, seen):
        holds = tuple(bool(part.truth(pattern)) for part in logic)
        by_set.setdefault(holds, []).append(pattern)
        if shown:
            seen.add(pattern)
    strict = set(product((1, -1), repeat=len(order)))
    impossible = strict - {p for patterns in by_set.values() for p in patterns}
    found = []
    for holds, patterns in by_set.items():
        where = sympy.And(
            *(c.where if h else sympy.Not(c.where) for c, h in zip(derivation.cases, holds))
        )
        shown = any(p in seen for p in patterns)
        if not shown and decide_on(where, box) is False:
            continue
        opened = [p for p in patterns if 0 not in p]
        region = Region(
            tuple(c.label for c, h in zip(derivation.cases, holds) if h),
            where,
            _interior(order, opened, impossible),
            "shown" if shown else "undecided",
            not opened,
        )
        found.append(((region.tie, -sum(holds), [not h for h in holds]), region))
    return tuple(region for _, region in sorted(found, key=lambda kr: kr[0]))


def _interior(
    atoms: list[sympy.Basic],
    patterns: list[tuple[int, ...]],
    impossible: set[tuple[int, ...]],
) -> sympy.Basic:
    """The strict sign patterns as a short disjunction of signs of the atoms."""
    if not patterns:
        return sympy.false
    proxies = sympy.symbols(f"b0:{len(atoms)}")

    def bits(p: tuple[int, ...]) -> list[int]:
        return [int(s > 0) for s in p]

    dnf = sympy.SOPform(proxies, [bits(p) for p in patterns], [bits(p) for p in impossible])
    signs = {sympy.Not(b): sympy.Lt(a, 0) for b, a in zip(proxies, atoms)}
    signs |= {b: sympy.Gt(a, 0) for b, a in zip(proxies, atoms)}
    return dnf.xreplace(signs)
