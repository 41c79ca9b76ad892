"""Every extreme equilibrium of a bimatrix game, its maximal Nash subsets and components,
in exact rational arithmetic.

With both players' payoffs shifted to be positive (the equilibria do not change),
the best-response polytopes are

    P = {x in R^m : x >= 0, B'x <= 1},    Q = {y in R^n : Ay <= 1, y >= 0}.

A point of P has label i if x_i = 0 and label m + j if (B'x)_j = 1; a point of Q
has label m + j if y_j = 0 and label i if (Ay)_i = 1. A pair of vertices
(x, y) != (0, 0) that carries every label 0..m+n-1 is an extreme equilibrium
(x / 1'x, y / 1'y), and every extreme point of the set of equilibria is one, in
degenerate games too (B. von Stengel 2002, "Computing equilibria for two-person
games", Handbook of Game Theory 3, ch. 45, sections 3 and 6). The vertices are
enumerated by cddlib's double description method in GMP rationals (pycddlib's
``cdd.gmp``), the labels are compared exactly.

The extreme equilibria form a bipartite graph, x ~ y when (x, y) is one. A
biclique X x Y of it spans a Nash subset conv(X) x conv(Y) (every pair in it is
an equilibrium); the maximal bicliques are the **maximal Nash subsets**, and
maximal Nash subsets that intersect join into the **components**, the connected
sets of equilibria, which need not be convex (D. Avis, G. D. Rosenberg,
R. Savani and B. von Stengel 2010, "Enumeration of Nash equilibria for
two-player games", Economic Theory 42, 9-37). Two bicliques that share an x
lie in a third that meets both, so the components are the connected components
of the graph. The maximal bicliques are found here as the closed sets of the
graph: the Y-sides are the nonempty intersections of neighbourhoods N(x), built
by intersecting each new N(x) with those found so far (the graphs of the games
this is meant for have a few dozen nodes; Avis et al. give a depth-first clique
algorithm for large ones).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from math import lcm
from operator import mul
from typing import Any, NamedTuple

import numpy as np

from bargain.errors import BudgetError
from bargain.tolerances import PAYOFF_RTOL, ROUNDING

from .arrays import EquilibriumArrays
from .polytopes import vertex_bound

#: Most pairs of vertices (x, y) an exact enumeration may meet per game, by the upper
#: bound theorem (:func:`vertex_pairs`): 12,544 for a 6x6 game, 435,600 for 8x8,
#: 16,032,016 for 10x10 (5 ms, 30 ms and 50 ms per game with payoffs in {0, 1, 2},
#: 0.5 s for a uniform random 10x10 game), 54 million for 11x11.
MAX_VERTEX_PAIRS = 20_000_000
#: Vertices of P compared with all of Q's at once (bounds the memory of the test).
PAIR_BLOCK = 1024
#: Snapped payoffs (``snap=True``) are fractions with at most this denominator.
MAX_DENOMINATOR = 10**6
#: Most maximal Nash subsets enumerated per game.
MAX_SUBSETS = 10_000

Vector = tuple[Fraction, ...]


def vertex_pairs(m: int, n: int) -> int:
    """The most pairs of vertices of P (dimension m) and Q (dimension n), each with m + n
    facets at most, that an m x n game makes :func:`solve_exact` compare."""
    return vertex_bound(m, m + n) * vertex_bound(n, m + n)


def check_budget(m: int, n: int, budget: int = MAX_VERTEX_PAIRS) -> int:
    """The work estimate of an m x n game (:func:`vertex_pairs`); a ``BudgetError`` above
    ``budget`` naming the methods that would finish."""
    pairs = vertex_pairs(m, n)
    if pairs > budget:
        raise BudgetError(
            f"exact enumeration of a {m}x{n} game may compare up to {pairs:,} pairs of "
            f"vertices of the best-response polytopes (upper bound theorem), above its budget "
            f"of {budget:,}: use method='vertex' (every equilibrium of a nondegenerate game, "
            "in floating point) or method='lemke-howson' (an equilibrium from each starting "
            "label)"
        )
    return pairs


@dataclass(frozen=True, eq=False)
class ExactEquilibria:
    """The extreme equilibria of one bimatrix game and how they join.

    ``x[i]``, ``y[j]``: the extreme strategies of each player that take part in an
    equilibrium, as exact probabilities. ``pairs[e] = (i, j)``: the extreme
    equilibria (x[i], y[j]), with their payoffs ``values[e]`` (to the row player,
    to the column player) and ``regrets[e]``, the larger of the players' gains from a
    pure deviation, computed exactly: 0. ``subsets[s] = (xs, ys)``: the
    maximal Nash subsets conv{x[i] : i in xs} x conv{y[j] : j in ys}.
    ``components[c]``: the subsets of each component. ``degenerate``: some mixed
    strategy has more pure best responses than its support has strategies (von
    Stengel 2002, Definition 3.2).
    """

    x: tuple[Vector, ...]
    y: tuple[Vector, ...]
    pairs: tuple[tuple[int, int], ...]
    values: tuple[tuple[Fraction, Fraction], ...]
    regrets: tuple[Fraction, ...]
    subsets: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]
    components: tuple[tuple[int, ...], ...]
    degenerate: bool

    @cached_property
    def profiles(self) -> tuple[np.ndarray, np.ndarray]:
        """The extreme equilibria as floats: x (E, m) and y (E, n)."""
        m, n = len(self.x[0]), len(self.y[0])
        xs = np.array([[float(p) for p in self.x[i]] for i, _ in self.pairs]).reshape(-1, m)
        ys = np.array([[float(p) for p in self.y[j]] for _, j in self.pairs]).reshape(-1, n)
        return xs, ys

    def component_of(self) -> list[int]:
        """The component of each extreme equilibrium."""
        of_x = {
            i: c for c, subs in enumerate(self.components) for s in subs for i in self.subsets[s][0]
        }
        return [of_x[i] for i, _ in self.pairs]

    def __repr__(self) -> str:
        return (
            f"ExactEquilibria({len(self.pairs)} extreme, {len(self.subsets)} maximal Nash "
            f"subsets, {len(self.components)} components"
            + (", degenerate)" if self.degenerate else ")")
        )


def solve_exact(
    A: Any, B: Any, budget: int = MAX_VERTEX_PAIRS, *, snap: bool = False
) -> ExactEquilibria:
    """Extreme equilibria, maximal Nash subsets and components of the game (A, B).

    ``A`` and ``B`` (m, n) hold the row and column player's payoffs: integers,
    ``Fraction``s or floats, each converted exactly or, with ``snap``, to the
    simplest fraction within float64's rounding of each player's largest payoff
    (a payoff computed as 0.1 + 0.2 - 0.3 is 0): the game a float tensor stands
    for. Raises ``BudgetError`` when :func:`vertex_pairs` exceeds ``budget``.
    """
    a, b = _rational(A, snap), _rational(B, snap)
    m, n = len(a), len(a[0])
    if len(b) != m or any(len(row) != n for row in a + b):
        raise ValueError("solve_exact: A and B must be m x n arrays of one shape")
    check_budget(m, n, budget)
    # P's constraints B'x <= 1 (one per column j), Q's Ay <= 1 (one per row i).
    p_rows = _integral([[b[i][j] for i in range(m)] for j in range(n)])
    q_rows = _integral(a)
    p_vertices, q_vertices = _vertices(p_rows), _vertices(q_rows)
    full = (1 << (m + n)) - 1
    p_labels = [_labels(v, p_rows, own=0, other=m) for v in p_vertices]
    q_labels = [_labels(v, q_rows, own=m, other=0) for v in q_vertices]
    degenerate = any(bin(k).count("1") > m for k in p_labels) or any(
        bin(k).count("1") > n for k in q_labels
    )
    origin = (p_vertices.index(((0,) * m, 1)), q_vertices.index(((0,) * n, 1)))
    edges = _completely_labelled(p_labels, q_labels, full, origin)
    x_of = {i: _normalised(p_vertices[i][0]) for i, _ in edges}
    y_of = {j: _normalised(q_vertices[j][0]) for _, j in edges}
    x, y = tuple(sorted(set(x_of.values()))), tuple(sorted(set(y_of.values())))
    x_index = {v: k for k, v in enumerate(x)}
    y_index = {v: k for k, v in enumerate(y)}
    pairs = tuple(sorted((x_index[x_of[i]], y_index[y_of[j]]) for i, j in edges))
    # Each pure strategy's payoff against each extreme strategy of the other player.
    rows = [[_dot(a_i, yj) for a_i in a] for yj in y]
    cols = [[_dot(b_j, xi) for b_j in zip(*b)] for xi in x]
    values = tuple((_dot(x[i], rows[j]), _dot(y[j], cols[i])) for i, j in pairs)
    regrets = tuple(
        max(max(rows[j]) - u, max(cols[i]) - v) for (i, j), (u, v) in zip(pairs, values)
    )
    subsets = _maximal_bicliques(pairs, len(x))
    components = _components(subsets, len(x), len(y))
    return ExactEquilibria(x, y, pairs, values, regrets, subsets, components, degenerate)


class Components(NamedTuple):
    """How the rows of an :class:`EquilibriumArrays` of N games join, long form.

    ``component[e]``: the component of row e, numbered from 0 within its game;
    ``n_components`` (N,). Maximal Nash subsets: ``subset_point`` (S,) the game of
    each, ``subset_component`` (S,) its component; ``member_subset`` and
    ``member_row`` (K,) pair each subset with the rows (extreme equilibria) it
    contains: subset s is the product of the convex hulls of its rows' x's and
    y's.
    """

    component: np.ndarray
    n_components: np.ndarray
    subset_point: np.ndarray
    subset_component: np.ndarray
    member_subset: np.ndarray
    member_row: np.ndarray

    @property
    def n_subsets(self) -> np.ndarray:
        """(N,) the number of maximal Nash subsets of each game."""
        return np.bincount(self.subset_point, minlength=len(self.n_components))


def exact_batch(
    payoffs: np.ndarray, budget: int = MAX_VERTEX_PAIRS, *, snap: bool = False
) -> tuple[EquilibriumArrays, Components]:
    """:func:`solve_exact` over N games, payoffs (2, m, n, N), game by game (``snap``
    as there).

    Returns the extreme equilibria (rows grouped by game, ``regret`` the exact
    regret as a float, so 0; ``degenerate`` the exact flag) and their
    :class:`Components`. The work estimate is checked once, before any game.
    """
    payoffs = np.asarray(payoffs, dtype=float)
    if payoffs.ndim != 4 or payoffs.shape[0] != 2:
        raise ValueError(
            f"exact enumeration needs payoffs of shape (2, m, n, N), got {payoffs.shape}"
        )
    _, m, n, n_points = payoffs.shape
    check_budget(m, n, budget)
    point, xs, ys, values, component, regrets = [], [], [], [], [], []
    n_components = np.zeros(n_points, dtype=np.intp)
    degenerate = np.zeros(n_points, dtype=bool)
    subset_point, subset_component, member_subset, member_row = [], [], [], []
    for t in range(n_points):
        A, B = payoffs[0, ..., t], payoffs[1, ..., t]
        found = solve_exact(A, B, budget, snap=snap)
        first = len(point)
        x, y = found.profiles
        point += [t] * len(found.pairs)
        xs.append(x)
        ys.append(y)
        values += [(float(u), float(v)) for u, v in found.values]
        component += found.component_of()
        regrets += [float(r) for r in found.regrets]
        n_components[t] = len(found.components)
        degenerate[t] = found.degenerate
        of_subset = {s: c for c, subs in enumerate(found.components) for s in subs}
        for s, (sx, sy) in enumerate(found.subsets):
            member_subset += [len(subset_point)] * (len(sx) * len(sy))
            member_row += [first + e for e, (i, j) in enumerate(found.pairs) if i in sx and j in sy]
            subset_point.append(t)
            subset_component.append(of_subset[s])
    arrays = EquilibriumArrays(
        np.array(point, dtype=np.intp),
        (np.concatenate(xs or [np.zeros((0, m))]), np.concatenate(ys or [np.zeros((0, n))])),
        np.array(values, dtype=float).reshape(-1, 2),
        degenerate,
        np.array(regrets, dtype=float),
    )
    components = Components(
        np.array(component, dtype=np.intp),
        n_components,
        np.array(subset_point, dtype=np.intp),
        np.array(subset_component, dtype=np.intp),
        np.array(member_subset, dtype=np.intp),
        np.array(member_row, dtype=np.intp),
    )
    return arrays, components


def exact_enumeration(
    payoffs: np.ndarray, rtol: float = PAYOFF_RTOL, atol: np.ndarray | None = None
) -> EquilibriumArrays:
    """Every extreme equilibrium of N games (2, m, n, N), payoffs snapped to the
    rationals they stand for (:func:`solve_exact`), as a method of
    :data:`bargain.solvers.METHODS`: ``rtol`` and ``atol`` are accepted for its
    signature and not used (the arithmetic is exact)."""
    return exact_batch(payoffs, snap=True)[0]


# -- polytopes ---------------------------------------------------------------------------


def _rational(M: Any, snap: bool = False) -> list[list[Fraction]]:
    """A matrix as lists of exact rationals: a float converts to its exact value or,
    with ``snap``, to the simplest fraction (denominator at most
    :data:`MAX_DENOMINATOR`) within what float64 cannot resolve at the matrix's
    magnitude (``ROUNDING`` times its largest absolute entry): 0.1 + 0.2 - 0.3
    becomes 0 and 1 / 3 becomes 1/3."""
    rows = M.tolist() if isinstance(M, np.ndarray) else [list(row) for row in M]
    flat = [v for row in rows for v in row]
    if any(isinstance(v, float) and not np.isfinite(v) for v in flat):
        raise ValueError(f"exact enumeration needs finite payoffs, got {flat}")
    if not snap:
        return [[Fraction(v) for v in row] for row in rows]
    allowance = Fraction(ROUNDING) * max(abs(Fraction(v)) for v in flat)
    return [[_snapped(Fraction(v), allowance) for v in row] for row in rows]


def _snapped(value: Fraction, allowance: Fraction) -> Fraction:
    simple = value.limit_denominator(MAX_DENOMINATOR)
    return simple if abs(simple - value) <= allowance else value


def _integral(M: list[list[Fraction]]) -> list[list[int]]:
    """``M`` plus a constant making its least entry 1, times the least common multiple
    of the denominators: positive integers. The shift leaves the equilibria unchanged,
    the factor scales the polytope {z >= 0 : M z <= 1} and keeps its labels."""
    shift = 1 - min(min(row) for row in M)
    shifted = [[v + shift for v in row] for row in M]
    scale = lcm(*(v.denominator for row in shifted for v in row))
    return [[int(v * scale) for v in row] for row in shifted]


def exact_available() -> bool:
    """Whether pycddlib, which the exact method needs, is installed (the ``exact`` extra)."""
    try:
        import cdd.gmp  # noqa: F401
    except ImportError:
        return False
    return True


def _vertices(M: list[list[int]]) -> list[tuple[tuple[int, ...], int]]:
    """The vertices of {z >= 0 : M z <= 1}, M > 0 (a bounded polytope), by cddlib in
    exact arithmetic, each as integers and a common denominator (z = num / den)."""
    try:
        import cdd
        import cdd.gmp
    except ImportError:
        raise ImportError(
            'exact equilibria need pycddlib: pip install "bargain-games[exact]" (it builds '
            "against cddlib and GMP: apt-get install libcdd-dev libgmp-dev)"
        ) from None

    d = len(M[0])
    inequalities = [[0] + [int(c == i) for c in range(d)] for i in range(d)]
    inequalities += [[1] + [-v for v in row] for row in M]  # 1 - M z >= 0
    matrix = cdd.gmp.matrix_from_array(inequalities, rep_type=cdd.RepType.INEQUALITY)
    generators = cdd.gmp.copy_generators(cdd.gmp.polyhedron_from_matrix(matrix))
    out = []
    for row in generators.array:  # bounded: each row is [1, vertex]
        den = lcm(*(v.denominator for v in row[1:]))
        out.append((tuple(int(v * den) for v in row[1:]), den))
    return out


def _labels(
    vertex: tuple[tuple[int, ...], int], rows: list[list[int]], own: int, other: int
) -> int:
    """The labels of a vertex as a bit mask: ``own + k`` where z_k = 0, ``other + r`` where
    row r of the constraints M z <= 1 is tight."""
    num, den = vertex
    mask = 0
    for k, value in enumerate(num):
        if value == 0:
            mask |= 1 << (own + k)
    for r, row in enumerate(rows):
        if sum(map(mul, row, num)) == den:
            mask |= 1 << (other + r)
    return mask


def _completely_labelled(
    p_labels: list[int], q_labels: list[int], full: int, origin: tuple[int, int]
) -> list[tuple[int, int]]:
    """The pairs (i, j) of vertices whose labels together are ``full``, except ``origin``,
    the pair of zero vertices (the only completely labelled pair with a zero vertex)."""
    kind = np.int64 if full.bit_length() < 63 else object  # Python ints past 62 labels
    p, q = np.array(p_labels, dtype=kind), np.array(q_labels, dtype=kind)
    pairs = []
    for start in range(0, len(p), PAIR_BLOCK):
        i, j = np.nonzero((p[start : start + PAIR_BLOCK, None] | q[None, :]) == full)
        pairs += [(int(a), int(b)) for a, b in zip(i + start, j) if (a, b) != origin]
    return pairs


def _normalised(num: tuple[int, ...]) -> Vector:
    total = sum(num)
    return tuple(Fraction(v, total) for v in num)


def _dot(u: Any, v: Any) -> Fraction:
    return sum(map(mul, u, v), Fraction(0))


# -- cliques -----------------------------------------------------------------------------


def _maximal_bicliques(
    pairs: tuple[tuple[int, int], ...], n_x: int
) -> tuple[tuple[tuple[int, ...], tuple[int, ...]], ...]:
    """Every maximal biclique (xs, ys) of the graph with edges ``pairs``.

    The ys-sides are the closed sets: the nonempty intersections of neighbourhoods
    N(x), as bit masks; each gives the biclique (N(ys), ys).
    """
    neighbours = [0] * n_x
    for i, j in pairs:
        neighbours[i] |= 1 << j
    closed: set[int] = set()
    for mask in neighbours:
        closed |= {mask} | {c & mask for c in closed if c & mask}
        if len(closed) > MAX_SUBSETS:
            raise BudgetError(
                f"the game has more than {MAX_SUBSETS:,} maximal Nash subsets: use "
                "method='vertex' for its extreme equilibria alone"
            )
    subsets = []
    for ys in closed:
        xs = tuple(i for i, mask in enumerate(neighbours) if mask & ys == ys)
        subsets.append((xs, tuple(j for j in range(ys.bit_length()) if ys >> j & 1)))
    return tuple(sorted(subsets))


def _components(
    subsets: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...], n_x: int, n_y: int
) -> tuple[tuple[int, ...], ...]:
    """Subsets joined when they share an extreme x or y (union–find over the nodes)."""
    parent = list(range(n_x + n_y))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for xs, ys in subsets:
        nodes = [*xs, *(n_x + j for j in ys)]
        for k in nodes[1:]:
            parent[root(k)] = root(nodes[0])
    groups: dict[int, list[int]] = {}
    for s, (xs, _) in enumerate(subsets):
        groups.setdefault(root(xs[0]), []).append(s)
    return tuple(tuple(g) for g in sorted(groups.values()))
