"""Exact extreme equilibria, maximal Nash subsets and components of bimatrix games.

Textbook degenerate games whose components are worked out by hand below;
seeded random games with payoffs in {0, 1, 2} or {-1, 0, 1}, 2x2 to 6x6 (nearly
all degenerate), whose extreme equilibria must equal Gambit's ``enummixed`` in
rational arithmetic on every game, each verified exactly here, with their Nash
subsets and components checked against brute force; nondegenerate random games
against support enumeration; the batched entry point against game by game; the
work budget.
"""

from __future__ import annotations

from fractions import Fraction as F
from itertools import combinations

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargain.errors import BudgetError
from bargain.solvers import support_enumeration
from bargain.solvers.exact import (
    ExactEquilibria,
    check_budget,
    exact_batch,
    exact_enumeration,
    solve_exact,
    vertex_bound,
    vertex_pairs,
)


def gambit_exact(A, B) -> set[tuple[tuple[F, ...], tuple[F, ...]]]:
    """Gambit's extreme equilibria of (A, B), ``enummixed`` in rational arithmetic."""
    game = gbt.Game.from_arrays(np.asarray(A, dtype=int), np.asarray(B, dtype=int))
    first, second = game.players
    result = gbt.nash.enummixed_solve(game, rational=True)
    return {
        (
            tuple(F(str(eq[s])) for s in first.strategies),
            tuple(F(str(eq[s])) for s in second.strategies),
        )
        for eq in result.equilibria
    }


def extreme(found: ExactEquilibria) -> set[tuple[tuple[F, ...], tuple[F, ...]]]:
    return {(found.x[i], found.y[j]) for i, j in found.pairs}


def gains(A, B, x, y) -> tuple[F, F]:
    """Each player's best gain from a pure deviation at (x, y), in exact arithmetic."""
    A = [[F(v) for v in row] for row in np.asarray(A).tolist()]
    B = [[F(v) for v in row] for row in np.asarray(B).tolist()]
    m, n = len(A), len(A[0])
    rows = [sum(A[i][j] * y[j] for j in range(n)) for i in range(m)]
    cols = [sum(B[i][j] * x[i] for i in range(m)) for j in range(n)]
    own_row = sum(x[i] * rows[i] for i in range(m))
    own_col = sum(y[j] * cols[j] for j in range(n))
    return max(rows) - own_row, max(cols) - own_col


def is_distribution(p) -> bool:
    return all(v >= 0 for v in p) and sum(p) == 1


def check_structure(A, B, found: ExactEquilibria) -> None:
    """Every extreme equilibrium exact; subsets maximal bicliques (brute force on small
    graphs) whose midpoints are equilibria; components the graph's connected parts."""
    edges = set(found.pairs)
    for (i, j), (u, v) in zip(found.pairs, found.values):
        x, y = found.x[i], found.y[j]
        assert is_distribution(x) and is_distribution(y)
        assert gains(A, B, x, y) == (0, 0)
        An, Bn = np.asarray(A, dtype=object), np.asarray(B, dtype=object)
        assert (u, v) == (np.dot(x, An.dot(y)), np.dot(x, Bn.dot(y)))
    assert all(r == 0 for r in found.regrets)
    # Subsets: bicliques, maximal, covering every edge; midpoints are equilibria.
    covered = set()
    for xs, ys in found.subsets:
        assert {(i, j) for i in xs for j in ys} <= edges
        covered |= {(i, j) for i in xs for j in ys}
        assert not any(all((k, j) in edges for j in ys) for k in range(len(found.x)) if k not in xs)
        assert not any(all((i, k) in edges for i in xs) for k in range(len(found.y)) if k not in ys)
        mid_x = tuple(sum(found.x[i][k] for i in xs) / len(xs) for k in range(len(found.x[0])))
        mid_y = tuple(sum(found.y[j][k] for j in ys) / len(ys) for k in range(len(found.y[0])))
        assert gains(A, B, mid_x, mid_y) == (0, 0)
    assert covered == edges
    if len(found.x) <= 8:
        assert set(found.subsets) == brute_bicliques(edges, len(found.x), len(found.y))
    # Components: the connected parts of the graph, each a union of subsets.
    assert sorted(s for c in found.components for s in c) == list(range(len(found.subsets)))
    parts = connected_parts(edges)
    assert len(parts) == len(found.components)
    for component in found.components:
        nodes = {("x", i) for s in component for i in found.subsets[s][0]}
        nodes |= {("y", j) for s in component for j in found.subsets[s][1]}
        assert nodes in parts


def brute_bicliques(edges, n_x: int, n_y: int) -> set:
    """Maximal bicliques by trying every nonempty set of x's."""
    out = set()
    for size in range(1, n_x + 1):
        for xs in combinations(range(n_x), size):
            ys = tuple(j for j in range(n_y) if all((i, j) in edges for i in xs))
            if not ys:
                continue
            closure = tuple(i for i in range(n_x) if all((i, j) in edges for j in ys))
            if closure == xs:
                out.add((xs, ys))
    return out


def connected_parts(edges) -> list[set]:
    """The node sets of the connected components of the bipartite graph, by search."""
    adjacent: dict = {}
    for i, j in edges:
        adjacent.setdefault(("x", i), set()).add(("y", j))
        adjacent.setdefault(("y", j), set()).add(("x", i))
    parts, seen = [], set()
    for start in adjacent:
        if start in seen:
            continue
        part, stack = set(), [start]
        while stack:
            node = stack.pop()
            if node not in part:
                part.add(node)
                stack.extend(adjacent[node] - part)
        seen |= part
        parts.append(part)
    return parts


# -- textbook games, worked by hand --------------------------------------------------


def test_dominant_row_and_indifferent_column_is_one_segment():
    """Top strictly dominates; against it the column player is indifferent, so every
    (Top, y) is an equilibrium: one segment, extreme points (T, L) and (T, R)."""
    A = B = [[1, 1], [0, 0]]
    found = solve_exact(A, B)
    assert extreme(found) == {((1, 0), (1, 0)), ((1, 0), (0, 1))}
    assert found.x == ((1, 0),) and found.y == ((0, 1), (1, 0))
    assert found.subsets == (((0,), (0, 1)),)
    assert found.components == ((0,),)
    assert found.values == ((1, 1), (1, 1))
    assert found.degenerate
    check_structure(A, B, found)


def test_von_stengel_degenerate_example():
    """Von Stengel (2002), section 6: A = [[3,3],[2,5],[0,6]], B = [[3,3],[2,6],[3,1]].

    Against x = (1, 0, 0) the column player gets (3, 3): indifferent. Top is a best
    response to y iff 3 >= 2 y1 + 5 y2 = 2 + 3 y2 and 3 >= 6 y2, i.e. y2 <= 1/3: the
    segment (Top) x conv{(1, 0), (2/3, 1/3)}, payoffs (3, 3), whose second end has
    supports of sizes 1 and 2. Apart from it, x = (0, 1/3, 2/3) makes the column
    player indifferent (8/3 each) and y = (1/3, 2/3) the middle and bottom rows
    (4 each, top 3): payoffs (4, 8/3). Two components.
    """
    A = [[3, 3], [2, 5], [0, 6]]
    B = [[3, 3], [2, 6], [3, 1]]
    found = solve_exact(A, B)
    top, mixed = (F(1), F(0), F(0)), (F(0), F(1, 3), F(2, 3))
    assert extreme(found) == {
        (top, (1, 0)),
        (top, (F(2, 3), F(1, 3))),
        (mixed, (F(1, 3), F(2, 3))),
    }
    assert sorted(found.values) == [(3, 3), (3, 3), (4, F(8, 3))]
    assert len(found.subsets) == 2 and len(found.components) == 2
    segment = next(s for s in found.subsets if len(s[1]) == 2)
    assert {found.y[j] for j in segment[1]} == {(1, 0), (F(2, 3), F(1, 3))}
    assert found.degenerate
    assert extreme(found) == gambit_exact(A, B)
    check_structure(A, B, found)


def test_two_subsets_meeting_at_a_vertex_form_a_nonconvex_component():
    """A = B = [[1, 1], [1, 0]]: Top earns 1 against any y and Bottom earns q (the
    weight of Left), so Bottom is a best response only at Left; likewise Right only
    against Top. The equilibria are {Top} x Delta and Delta x {Left}: two segments
    meeting at (Top, Left), one component that is not convex ((Bottom, Right), the
    midpoint's neighbourhood, is not an equilibrium)."""
    A = B = [[1, 1], [1, 0]]
    found = solve_exact(A, B)
    T = L = (F(1), F(0))
    Bo = R = (F(0), F(1))
    assert extreme(found) == {(T, L), (T, R), (Bo, L)}
    named = {
        (tuple(found.x[i] for i in xs), tuple(found.y[j] for j in ys)) for xs, ys in found.subsets
    }
    assert named == {((T,), (R, L)), ((Bo, T), (L,))}
    assert found.components == ((0, 1),)
    mid = (F(1, 2), F(1, 2))
    assert gains(A, B, mid, mid) != (0, 0)  # the convex hull is not all equilibria
    check_structure(A, B, found)


@pytest.mark.parametrize("shape", [(1, 1), (1, 3), (3, 3), (2, 4), (1, 70)])
def test_constant_game_is_one_subset_of_every_pure_pair(shape):
    """Every profile of a constant game is an equilibrium: one maximal Nash subset, the
    product of the two simplices, whose extreme points are the m x n pure profiles."""
    A = B = np.zeros(shape)
    found = solve_exact(A, B)
    m, n = shape
    assert len(found.pairs) == m * n
    assert found.subsets == ((tuple(range(m)), tuple(range(n))),)
    assert found.components == ((0,),)
    assert found.degenerate == (m * n > 1)
    check_structure(A, B, found)


def test_nondegenerate_textbook_games():
    """Matching pennies: one mixed equilibrium. Battle of the sexes (2, 1 / 0, 0 / 0, 0 /
    1, 2): two pure equilibria and x = (2/3, 1/3), y = (1/3, 2/3); three components."""
    found = solve_exact([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    half = (F(1, 2), F(1, 2))
    assert extreme(found) == {(half, half)} and not found.degenerate
    assert found.values == ((0, 0),)
    found = solve_exact([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    assert extreme(found) == {
        ((1, 0), (1, 0)),
        ((0, 1), (0, 1)),
        ((F(2, 3), F(1, 3)), (F(1, 3), F(2, 3))),
    }
    assert len(found.subsets) == len(found.components) == 3 and not found.degenerate


def test_float_payoffs_convert_exactly():
    """Halves and quarters are exact in binary: the same equilibria as the integers
    times 1/4, shifted; a float like 0.1 is its exact binary value."""
    A = np.array([[3, 3], [2, 5], [0, 6]])
    B = np.array([[3, 3], [2, 6], [3, 1]])
    ours = solve_exact(A / 4 - 0.5, B * 0.25)
    assert extreme(ours) == extreme(solve_exact(A, B))
    assert sorted(ours.values)[0] == (F(3, 4) - F(1, 2), F(3, 4))
    tenth = solve_exact([[0.1, 0.0], [0.0, 0.2]], [[0.2, 0.0], [0.0, 0.1]])
    (mixed,) = [p for p in extreme(tenth) if 0 < p[0][0] < 1]
    assert mixed[1][0] == F(0.2) / (F(0.1) + F(0.2))  # not 2/3: 0.1 is not 1/10


def test_snap_recovers_the_rationals_float_payoffs_stand_for():
    """A regime boundary computed in floats: 0.1 + 0.2 - 0.3 is 5.55e-17, not 0, so
    the exact game is nondegenerate with one pure equilibrium; snapped, the payoff is
    0, Bottom ties Top against Left, and the segment of equilibria appears. 1/3 in
    floats snaps to 1/3; a payoff far from a simple fraction stays as it is."""
    A = [[0.1 + 0.2 - 0.3, 1.0], [0.0, 0.0]]
    B = [[1.0, 0.0], [1.0, 0.0]]
    assert extreme(solve_exact(A, B)) == {((1, 0), (1, 0))}
    snapped = solve_exact(A, B, snap=True)
    assert extreme(snapped) == {((1, 0), (1, 0)), ((0, 1), (1, 0))}
    assert snapped.subsets == (((0, 1), (0,)),) and snapped.degenerate
    third = solve_exact([[1 / 3, 0], [0, 1]], [[1, 0], [0, 1]], snap=True)
    assert ((F(1, 2), F(1, 2)), (F(3, 4), F(1, 4))) in extreme(third)  # (1/3) q = 1 - q
    odd = np.pi / 7
    kept = solve_exact([[odd, 0], [0, 1]], [[1, 0], [0, 1]], snap=True)
    assert sorted(kept.values)[0][0] == F(odd) / (1 + F(odd))
    payoffs = np.array([A, B])[..., None]
    assert len(exact_enumeration(payoffs).point) == 2  # the METHODS kernel snaps


# -- random games: Gambit's extreme equilibria on every game --------------------------


@pytest.mark.parametrize(("size", "games"), [(2, 100), (3, 100), (4, 100), (5, 100), (6, 60)])
def test_random_small_integer_games_equal_gambit(size, games):
    """Games with payoffs in {0, 1, 2} (even k) or {-1, 0, 1}: the extreme equilibria
    equal Gambit's ``enummixed`` (rational) on every one, all verified. (Gambit takes
    about 90 ms per 6x6 game in rational arithmetic, this about 5 ms: 60 of those.)"""
    rng = np.random.default_rng(1600 + size)
    degenerate = 0
    for k in range(games):
        values = [0, 1, 2] if k % 2 == 0 else [-1, 0, 1]
        A, B = rng.choice(values, size=(2, size, size))
        found = solve_exact(A, B)
        assert extreme(found) == gambit_exact(A, B), (A.tolist(), B.tolist())
        check_structure(A, B, found)
        degenerate += found.degenerate
    assert degenerate >= games // 2  # the point: most of these games are degenerate


@pytest.mark.parametrize("shape", [(2, 5), (5, 2), (3, 6), (6, 4)])
def test_random_rectangular_games_equal_gambit(shape):
    rng = np.random.default_rng(sum(shape) * 7)
    for _ in range(30):
        A, B = rng.integers(-1, 2, size=(2, *shape))
        found = solve_exact(A, B)
        assert extreme(found) == gambit_exact(A, B), (A.tolist(), B.tolist())
        check_structure(A, B, found)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda m: st.integers(1, 4).flatmap(
            lambda n: st.tuples(
                *(st.lists(st.integers(-2, 2), min_size=n, max_size=n) for _ in range(2 * m))
            )
        )
    )
)
def test_every_extreme_equilibrium_verified_and_subsets_maximal(rows):
    A, B = rows[: len(rows) // 2], rows[len(rows) // 2 :]
    found = solve_exact(A, B)
    assert found.pairs  # every game has an equilibrium
    check_structure(A, B, found)


@pytest.mark.parametrize("size", [2, 3, 4, 5])
def test_nondegenerate_random_games_equal_support_enumeration(size):
    """Uniform random payoffs: nondegenerate, and the same equilibria as support
    enumeration, each its own component."""
    payoffs = np.random.default_rng(size).uniform(size=(2, size, size, 40))
    theirs = support_enumeration(payoffs)
    arrays, components = exact_batch(payoffs)
    assert not arrays.degenerate.any() and not theirs.degenerate.any()
    for t in range(payoffs.shape[-1]):
        ours_t = np.flatnonzero(arrays.point == t)
        theirs_t = np.flatnonzero(theirs.point == t)
        key = lambda res, rows: sorted(  # noqa: E731
            np.round(np.concatenate([res.profiles[0][e], res.profiles[1][e]]), 9).tolist()
            for e in rows
        )
        assert key(arrays, ours_t) == key(theirs, theirs_t)
    assert (components.n_components == np.bincount(arrays.point, minlength=40)).all()
    assert (components.n_subsets == components.n_components).all()


# -- the batched entry point ------------------------------------------------------------


def test_batch_equals_game_by_game():
    rng = np.random.default_rng(7)
    payoffs = rng.integers(0, 3, size=(2, 3, 4, 25)).astype(float)
    arrays, comp = exact_batch(payoffs)
    assert np.array_equal(arrays.point, np.sort(arrays.point))
    assert (arrays.regret == 0).all()
    for t in range(payoffs.shape[-1]):
        found = solve_exact(payoffs[0, ..., t], payoffs[1, ..., t])
        rows = np.flatnonzero(arrays.point == t)
        x, y = found.profiles
        np.testing.assert_array_equal(arrays.profiles[0][rows], x)
        np.testing.assert_array_equal(arrays.profiles[1][rows], y)
        np.testing.assert_array_equal(arrays.payoffs[rows], np.array(found.values, float))
        assert arrays.degenerate[t] == found.degenerate
        assert comp.n_components[t] == len(found.components)
        assert comp.component[rows].tolist() == found.component_of()
        subsets = np.flatnonzero(comp.subset_point == t)
        assert len(subsets) == len(found.subsets)
        for s, (xs, ys) in zip(subsets, found.subsets):
            members = comp.member_row[comp.member_subset == s] - rows[0]
            assert sorted(found.pairs[e] for e in members) == [(i, j) for i in xs for j in ys]
            assert (
                comp.subset_component[s]
                == comp.component[comp.member_row[comp.member_subset == s]][0]
            )
    assert np.array_equal(exact_enumeration(payoffs).point, arrays.point)


def test_empty_batch():
    arrays, comp = exact_batch(np.zeros((2, 2, 3, 0)))
    assert arrays.profiles[0].shape == (0, 2) and arrays.profiles[1].shape == (0, 3)
    assert len(comp.n_components) == 0 and len(comp.subset_point) == 0


def test_bad_input():
    with pytest.raises(ValueError, match="shape"):
        exact_batch(np.zeros((3, 2, 2, 1)))
    with pytest.raises(ValueError, match="finite"):
        solve_exact([[np.inf, 0], [0, 0]], [[0, 0], [0, 0]])
    with pytest.raises(ValueError, match="one shape"):
        solve_exact([[1, 0]], [[1, 0], [0, 1]])


# -- work estimate ------------------------------------------------------------------------


def test_upper_bound_theorem():
    """Polygons with k edges have k vertices, 3-polytopes with k facets at most 2k - 4,
    a d-simplex d + 1; the cube (6 facets) has 8."""
    assert [vertex_bound(2, k) for k in range(3, 8)] == [3, 4, 5, 6, 7]
    assert [vertex_bound(3, k) for k in range(4, 9)] == [2 * k - 4 for k in range(4, 9)]
    assert all(vertex_bound(d, d + 1) == d + 1 for d in range(1, 10))
    assert vertex_pairs(6, 6) == 112**2


def test_budget_names_the_methods_that_finish():
    assert check_budget(6, 6) == 12_544
    assert check_budget(10, 10) == 4004**2
    with pytest.raises(BudgetError, match=r"11x11 .*method='vertex'.*method='lemke-howson'"):
        check_budget(11, 11)
    with pytest.raises(BudgetError, match="budget of 63"):
        solve_exact(np.eye(3), np.eye(3), budget=63)
    with pytest.raises(BudgetError):
        exact_batch(np.zeros((2, 12, 12, 1)))
