"""Subgame-perfect equilibrium of game trees, batched over parameter points.

Backward induction (Kuhn 1953; Selten 1965): a decision node takes the value
of the child that is best for its player, a chance node the probability-
weighted mean of its children, bottom-up from the terminal nodes. Node values
are arrays over *rows*; a row is one parameter point together with one
selection among equilibria, so a tie reported with ``tie_break="all"`` or a
proper subgame with several equilibria splits a row in several, each an SPE.

Where information sets make a region of the tree imperfect, the smallest
proper subgame containing it is solved through its reduced normal form by a
normal-form kernel (support enumeration for two players), each of its
equilibria becomes a row, and the mixed plans are turned into behaviour
strategies (Kuhn 1953). Proper subgames below it are solved first and stand
in for their roots by their equilibrium values.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import Any, NamedTuple

import numpy as np

from ..errors import BargainWarning
from .arrays import PAYOFF_RTOL
from .pure import pure_equilibria
from .support import support_enumeration

TIE_BREAKS = ("first", "all", "raise")


@dataclass(frozen=True)
class TreeStructure:
    """A validated game tree with integer node indices.

    ``order`` lists the nodes children-first (post-order from the root);
    ``kind[i]`` is "decision", "chance" or "terminal"; ``children[i]`` the child
    indices in declaration order; ``player[i]`` the mover of a decision node
    (-1 otherwise); ``infoset[i]`` its information-set index (-1 otherwise).
    """

    kind: tuple[str, ...]
    children: tuple[tuple[int, ...], ...]
    player: tuple[int, ...]
    infoset: tuple[int, ...]
    order: tuple[int, ...]
    n_players: int

    @property
    def root(self) -> int:
        return self.order[-1]

    def subtree(self, node: int) -> list[int]:
        """The nodes below and including ``node``, parents first."""
        out, stack = [], [node]
        while stack:
            v = stack.pop()
            out.append(v)
            stack.extend(reversed(self.children[v]))
        return out

    @cached_property
    def subgame_roots(self) -> frozenset[int]:
        """Roots of proper subgames: nodes whose subtree no information set leaves.

        In preorder a subtree is the interval [pre(v), pre(v) + size(v)); v is a
        root iff every information set met in its subtree lies in that interval.
        One children-first pass carries each subtree's extreme member positions.
        """
        pre = {v: i for i, v in enumerate(self.subtree(self.root))}
        first: dict[int, int] = {}
        last: dict[int, int] = {}
        for v, h in enumerate(self.infoset):
            if h >= 0:
                first[h] = min(first.get(h, pre[v]), pre[v])
                last[h] = max(last.get(h, pre[v]), pre[v])
        low, high, size = {}, {}, {}
        roots = set()
        for v in self.order:  # children first
            h = self.infoset[v]
            kids = self.children[v]
            low[v] = min([first[h] if h >= 0 else pre[v], *(low[c] for c in kids)])
            high[v] = max([last[h] if h >= 0 else pre[v], *(high[c] for c in kids)])
            size[v] = 1 + sum(size[c] for c in self.children[v])
            if low[v] >= pre[v] and high[v] < pre[v] + size[v]:
                roots.add(v)
        return frozenset(roots)

    def singleton(self, v: int) -> bool:
        """Whether decision node v is alone in its information set."""
        return self.infoset.count(self.infoset[v]) == 1


class TreeArrays(NamedTuple):
    """Subgame-perfect equilibria of a batch, one row per (point, equilibrium).

    Rows are sorted by point. ``point[r]`` is the parameter point of row r;
    ``behaviour[node]`` (moves, R)
    the probability of each move at a decision node (bool where the choice is
    pure by backward induction; NaN where the equilibrium
    leaves it unspecified: an information set its own player's plan never
    reaches); ``values`` (P, R) the expected payoffs; ``reach`` (nodes, R) the
    probability of reaching each node; ``ties`` and ``degenerate`` flag points.
    """

    point: np.ndarray
    behaviour: dict[int, np.ndarray]
    values: np.ndarray
    reach: np.ndarray
    ties: np.ndarray
    degenerate: np.ndarray


class TieFound(Exception):
    """The first tie met with ``tie_break="raise"``, by index, for the caller to describe."""

    def __init__(self, node: int, point: int, moves: list[int]) -> None:
        super().__init__(node, point, moves)
        self.node, self.point, self.moves = node, point, moves


def subgame_perfect(
    tree: TreeStructure,
    probs: dict[int, np.ndarray],
    payoffs: dict[int, np.ndarray],
    n_points: int,
    tie_break: str = "first",
    rtol: float = PAYOFF_RTOL,
) -> TreeArrays:
    """Every subgame-perfect equilibrium selected by ``tie_break``, batched.

    ``probs[c]`` (branches, N) holds the branch probabilities of chance node c
    and ``payoffs[t]`` (P, N) the payoffs of terminal node t at N points.
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")
    state = _State(n_points, rtol)
    roots = tree.subgame_roots
    resolved: set[int] = set()
    for v in tree.order:
        kind = tree.kind[v]
        if kind == "terminal":
            state.value[v] = state.rows(payoffs[v])
            resolved.add(v)
        elif v not in roots:
            continue  # inside an imperfect region: solved with its subgame
        elif all(c in resolved for c in tree.children[v]) and (
            kind == "chance" or tree.singleton(v)
        ):
            if kind == "chance":
                state.chance(v, tree.children[v], probs[v])
            else:
                state.decide(v, tree.player[v], tree.children[v], tie_break)
            resolved.add(v)
        else:
            _solve_region(tree, v, resolved, probs, state)
            resolved.add(v)
    reach = _reach(tree, state, probs)
    return TreeArrays(
        state.row_point(),
        state.behaviour,
        state.value[tree.root],
        reach,
        state.ties,
        state.degenerate,
    )


def stack_trees(chunks: list[TreeArrays]) -> TreeArrays:
    """Join the results of consecutive chunks of points."""
    if len(chunks) == 1:
        return chunks[0]
    offsets = np.cumsum([0] + [len(c.ties) for c in chunks[:-1]])
    return TreeArrays(
        np.concatenate([c.point + o for c, o in zip(chunks, offsets)]),
        {k: np.concatenate([c.behaviour[k] for c in chunks], axis=1) for k in chunks[0].behaviour},
        np.concatenate([c.values for c in chunks], axis=1),
        np.concatenate([c.reach for c in chunks], axis=1),
        np.concatenate([c.ties for c in chunks]),
        np.concatenate([c.degenerate for c in chunks]),
    )


class _State:
    """Row-indexed arrays of the backward induction so far.

    Until a tie or a subgame with several equilibria splits a point, row r is
    point r (``point`` is None) and point arrays are used without a copy.
    """

    def __init__(self, n_points: int, rtol: float) -> None:
        self.n_points = n_points
        self.point: np.ndarray | None = None
        self.rtol = rtol
        self.value: dict[int, np.ndarray] = {}
        self.behaviour: dict[int, np.ndarray] = {}
        self.mixed: set[int] = set()  # nodes whose behaviour may be NaN (unspecified)
        self.ties = np.zeros(n_points, dtype=bool)
        self.degenerate = np.zeros(n_points, dtype=bool)

    def rows(self, per_point: np.ndarray) -> np.ndarray:
        """A point array (..., N) as a row array (..., R)."""
        return per_point if self.point is None else per_point[..., self.point]

    def row_point(self) -> np.ndarray:
        return np.arange(self.n_points) if self.point is None else self.point

    def expand(self, parent: np.ndarray) -> None:
        """Replace every row r by the rows derived from it (``parent[new] = r``)."""
        self.point = self.row_point()[parent]
        self.value = {k: v[:, parent] for k, v in self.value.items()}
        self.behaviour = {k: b[:, parent] for k, b in self.behaviour.items()}

    def chance(self, v: int, children: tuple[int, ...], probs: np.ndarray) -> None:
        p = self.rows(probs)
        total = p[0] * self.value[children[0]]
        for j in range(1, len(children)):
            total += p[j] * self.value[children[j]]
        self.value[v] = total

    def decide(self, v: int, player: int, children: tuple[int, ...], tie_break: str) -> None:
        own = [self.value[c][player] for c in children]
        top = own[0]
        for value in own[1:]:
            top = np.maximum(top, value)
        # A tie: within rtol of the best value, relative to its size (at least 1).
        top = top - self.rtol * np.maximum(1.0, np.abs(top))
        best = [value >= top for value in own]
        tied = best[0] & best[1] if len(best) == 2 else np.sum(best, axis=0) > 1
        if tied.any():
            points = self.row_point()
            self.ties[points[tied]] = True
            if tie_break == "raise":
                r = int(np.flatnonzero(tied)[0])
                moves = [j for j, flags in enumerate(best) if flags[r]]
                raise TieFound(v, int(points[r]), moves)
            if tie_break == "all":  # one row per best move
                move, parent = np.nonzero(np.stack(best))
                order = np.argsort(parent, kind="stable")
                self.expand(parent[order])
                self._choose(v, children, [move[order] == j for j in range(len(children))])
                return
        # The first best move in declaration order.
        pick, taken = [best[0]], best[0]
        for flags in best[1:]:
            pick.append(flags & ~taken)
            taken = taken | flags
        self._choose(v, children, pick)

    def _choose(self, v: int, children: tuple[int, ...], pick: list[np.ndarray]) -> None:
        """Take the value of the picked child; ``pick[j]`` (R,) marks rows choosing move j."""
        value = self.value[children[-1]]
        for j in reversed(range(len(children) - 1)):
            value = np.where(pick[j], self.value[children[j]], value)
        self.value[v] = value
        self.behaviour[v] = np.stack(pick)


def _solve_region(
    tree: TreeStructure,
    root: int,
    resolved: set[int],
    probs: dict[int, np.ndarray],
    state: _State,
) -> None:
    """Solve the imperfect-information subgame at ``root`` via its reduced normal form."""
    plans = reduced_plans(tree, root, resolved)
    movers = [p for p in range(tree.n_players) if plans[p]]
    shape = tuple(len(plans[p]) if plans[p] else 1 for p in range(tree.n_players))
    n_rows = len(state.row_point())
    tensor = np.empty((tree.n_players, *shape, n_rows))
    for index in product(*(range(s) for s in shape)):
        chosen = {}
        for p in movers:
            chosen.update(plans[p][index[p]])
        tensor[(slice(None), *index)] = plan_value(
            tree,
            root,
            chosen,
            leaf=lambda t: state.value[t],
            chance=lambda c: state.rows(probs[c]),
            stop=resolved,
        )
    # Players without a move in the region have one trivial plan: solve over the movers.
    sub = tensor[[*movers]].reshape(len(movers), *(shape[p] for p in movers), n_rows)
    if len(movers) == 2:
        eq = support_enumeration(sub)
    else:
        if len(movers) > 2:
            warnings.warn(
                f"a subgame with imperfect information has {len(movers)} players: only its "
                "pure equilibria are computed",
                BargainWarning,
                stacklevel=4,
            )
        eq = pure_equilibria(sub)
    state.degenerate[state.row_point()[np.flatnonzero(eq.degenerate)]] = True
    order = np.argsort(eq.point, kind="stable")
    rows = eq.point[order]
    mixes = {p: eq.profiles[i][order] for i, p in enumerate(movers)}
    full_values = tensor.reshape(tree.n_players, -1, n_rows)
    state.expand(rows)
    # Expected payoffs of every player (movers' payoffs come from the kernel,
    # others' from the same mixture).
    weights = np.ones((len(rows), 1))
    for p in range(tree.n_players):
        mix = mixes.get(p, np.ones((len(rows), 1)))
        weights = (weights[:, :, None] * mix[:, None, :]).reshape(len(rows), -1)
    state.value[root] = np.einsum("pkr,rk->pr", full_values[:, :, rows], weights)
    for h_nodes, p, moves in _region_infosets(tree, root, resolved):
        behaviour = _behaviour(plans[p], mixes[p], tree.infoset[h_nodes[0]], moves)
        for node in h_nodes:
            state.behaviour[node] = behaviour
            state.mixed.add(node)


def _region(tree: TreeStructure, root: int, resolved: set[int]) -> list[int]:
    """Nodes of the subgame at ``root`` not inside an already solved subgame."""
    out, stack = [], [root]
    while stack:
        v = stack.pop()
        out.append(v)
        stack.extend(c for c in reversed(tree.children[v]) if c not in resolved)
    return out


def _region_infosets(
    tree: TreeStructure, root: int, resolved: set[int]
) -> list[tuple[list[int], int, int]]:
    """(nodes, player, number of moves) of each information set in the region."""
    sets: dict[int, list[int]] = {}
    for v in _region(tree, root, resolved):
        if tree.kind[v] == "decision":
            sets.setdefault(tree.infoset[v], []).append(v)
    return [(nodes, tree.player[nodes[0]], len(tree.children[nodes[0]])) for nodes in sets.values()]


def reduced_plans(
    tree: TreeStructure, root: int, resolved: set[int] = frozenset()
) -> list[list[dict[int, int]]]:
    """Per player, the reduced plans of the subgame at ``root``: {infoset: move}.

    A reduced plan names a move only at the information sets its own earlier
    moves do not exclude (the reduced normal form; Osborne and Rubinstein 1994,
    Definition 94.1). Players without a move get an empty list.
    """
    out = []
    for p in range(tree.n_players):
        out.append(
            _plans_of(tree, root, p, resolved, {}) if _moves_in(tree, root, p, resolved) else []
        )
    return out


def _moves_in(tree: TreeStructure, root: int, player: int, resolved: set[int]) -> bool:
    return any(
        tree.kind[v] == "decision" and tree.player[v] == player
        for v in _region(tree, root, resolved)
    )


def _plans_of(
    tree: TreeStructure, root: int, player: int, resolved: set[int], partial: dict[int, int]
) -> list[dict[int, int]]:
    """Extend ``partial`` at the first reachable information set it leaves open."""
    open_set = _first_open(tree, root, player, resolved, partial)
    if open_set is None:
        return [dict(partial)]
    h, n_moves = open_set
    plans = []
    for move in range(n_moves):
        plans.extend(_plans_of(tree, root, player, resolved, {**partial, h: move}))
    return plans


def _first_open(
    tree: TreeStructure, root: int, player: int, resolved: set[int], partial: dict[int, int]
) -> tuple[int, int] | None:
    """The first (preorder) information set of ``player`` reachable under ``partial``."""
    stack = [root]
    while stack:
        v = stack.pop()
        if v in resolved or tree.kind[v] == "terminal":
            continue
        if tree.kind[v] == "decision" and tree.player[v] == player:
            h = tree.infoset[v]
            if h not in partial:
                return h, len(tree.children[v])
            stack.append(tree.children[v][partial[h]])
        else:
            stack.extend(reversed(tree.children[v]))
    return None


def plan_value(
    tree: TreeStructure,
    v: int,
    chosen: dict[int, int],
    leaf: Callable[[int], Any],
    chance: Callable[[int], Sequence[Any]],
    stop: Container[int] = (),
    zero: Any = 0,
) -> Any:
    """Expected payoffs at ``v`` when the movers follow the plans in ``chosen``.

    ``leaf(t)`` gives the payoffs at a terminal node or at a node in ``stop``
    (a solved subgame), ``chance(c)`` the branch probabilities of a chance
    node; numpy arrays and sympy expressions both work. A node whose
    information set ``chosen`` leaves open is excluded by its mover's own plan
    and contributes ``zero``.
    """
    if tree.kind[v] == "terminal" or v in stop:
        return leaf(v)
    if tree.kind[v] == "chance":
        return sum(
            (
                p * plan_value(tree, c, chosen, leaf, chance, stop, zero)
                for p, c in zip(chance(v), tree.children[v])
            ),
            start=zero,
        )
    h = tree.infoset[v]
    if h not in chosen:
        return zero
    return plan_value(tree, tree.children[v][chosen[h]], chosen, leaf, chance, stop, zero)


def _behaviour(plans: list[dict[int, int]], mix: np.ndarray, h: int, n_moves: int) -> np.ndarray:
    """Kuhn's behaviour strategy at information set h from a mixed plan (R, plans)."""
    out = np.zeros((n_moves, len(mix)))
    for k, plan in enumerate(plans):
        if h in plan:
            out[plan[h]] += mix[:, k]
    total = out.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, out / np.where(total > 0, total, 1.0), np.nan)


def _reach(tree: TreeStructure, state: _State, probs: dict[int, np.ndarray]) -> np.ndarray:
    """Probability of reaching every node under the equilibrium, (nodes, R)."""
    reach = np.empty((len(tree.kind), len(state.row_point())))
    reach[tree.root] = 1.0
    for v in reversed(tree.order):  # parents first
        if tree.kind[v] == "chance":
            weights = state.rows(probs[v])
        elif tree.kind[v] == "decision":
            weights = state.behaviour[v]
            if v in state.mixed:
                weights = np.nan_to_num(weights)
        else:
            continue
        for j, c in enumerate(tree.children[v]):
            np.multiply(reach[v], weights[j], out=reach[c])
    return reach
