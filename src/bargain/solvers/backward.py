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

from collections import Counter
from collections.abc import Callable, Container, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import product
from typing import Any, NamedTuple

import numpy as np

from bargain.errors import BudgetError, warn
from bargain.tolerances import PAYOFF_RTOL

from .arrays import Tolerance, payoff_atol, tolerance, verify
from .pivoting import with_lemke_howson
from .pure import pure_equilibria
from .support import support_enumeration
from .workspace import Workspace, carve

TIE_BREAKS = ("first", "all", "raise")
#: Most rows (point, equilibrium) a chunk may grow to: ties under ``tie_break="all"`` and
#: subgames with several equilibria multiply the rows of a point.
MAX_ROWS = 1_000_000


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

    @cached_property
    def terminals(self) -> tuple[int, ...]:
        """Terminal nodes in index order."""
        return tuple(v for v, kind in enumerate(self.kind) if kind == "terminal")

    @cached_property
    def _infoset_sizes(self) -> Counter[int]:
        return Counter(self.infoset)

    def singleton(self, v: int) -> bool:
        """Whether decision node v is alone in its information set."""
        return self._infoset_sizes[self.infoset[v]] == 1


class TreeArrays(NamedTuple):
    """Subgame-perfect equilibria of a batch, one row per (point, equilibrium).

    Rows are sorted by point. ``point[r]`` is the parameter point of row r;
    ``behaviour[node]`` (moves, R)
    the probability of each move at a decision node (bool where the choice is
    pure by backward induction; NaN where the equilibrium
    leaves it unspecified: an information set its own player's plan never
    reaches); ``values`` (P, R) the expected payoffs; ``reach`` (terminals, R)
    the probability of ending at each terminal node (in index order);
    ``regret`` (R,) the largest gain a player could make by deviating at one of
    its decision nodes, or in a subgame with imperfect information (at most the
    tie tolerance: by the one-shot deviation principle the profile is then
    subgame perfect); ``ties`` and ``degenerate`` flag points. ``values`` and
    ``regret`` are in the units of the payoffs solved, times each player's own
    ``scale`` where :func:`subgame_perfect` was given one.
    """

    point: np.ndarray
    behaviour: dict[int, np.ndarray]
    values: np.ndarray
    reach: np.ndarray
    regret: np.ndarray
    ties: np.ndarray
    degenerate: np.ndarray


class TieFound(Exception):
    """The first tie met with ``tie_break="raise"``, by index, for the caller to describe."""

    def __init__(self, node: int, point: int, moves: list[int]) -> None:
        super().__init__(node, point, moves)
        self.node, self.point, self.moves = node, point, moves


def terminal_tolerance(payoffs: dict[int, np.ndarray], rtol: float = PAYOFF_RTOL) -> Tolerance:
    """Tie tolerances from the terminal payoffs ``payoffs[t]`` (P, N).

    Every node value is a mixture of terminal payoffs, so each player's range
    over the terminal nodes at a point is the scale of its comparisons there
    (:func:`bargain.solvers.arrays.tolerance`, affine invariant per player). A
    player of extreme magnitude gets a ``scale`` other than 1: the caller
    divides its terminal payoffs by it before solving.
    """
    values = iter(payoffs.values())
    first = next(values)
    low, high = first.copy(), first.copy()
    for value in values:
        np.minimum(low, value, out=low)
        np.maximum(high, value, out=high)
    return tolerance(low, high, rtol)


def subgame_perfect(
    tree: TreeStructure,
    probs: dict[int, np.ndarray],
    payoffs: dict[int, np.ndarray],
    n_points: int,
    tie_break: str = "first",
    atol: np.ndarray | None = None,
    work: Workspace | None = None,
    scale: np.ndarray | None = None,
) -> TreeArrays:
    """Every subgame-perfect equilibrium selected by ``tie_break``, batched.

    ``probs[c]`` (branches, N) holds the branch probabilities of chance node c
    and ``payoffs[t]`` (P, N) the finite payoffs of terminal node t at N points;
    ``atol`` (P, N) each player's tie tolerance (default: :func:`terminal_tolerance`).
    ``scale`` (P, N), if given, is what each player's payoffs were divided by
    (``terminal_tolerance(...).scale``): the values and the regret are then
    returned in the user's units, the regret as the maximum over players of each
    player's own gain ``(best - chosen) * scale[p]`` (exact: the scales are
    powers of two). The arrays returned may be views of ``work``: valid until it
    is used again.
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")
    if atol is None:
        atol = terminal_tolerance(payoffs).atol
    state = _State(n_points, atol, work or Workspace(), scale)
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
    values = state.value[tree.root]
    return TreeArrays(
        state.row_point(),
        state.behaviour,
        values if scale is None else values * state.rows(scale),
        _reach(tree, state, probs),
        state.regret,
        state.ties,
        state.degenerate,
    )


class Gathered:
    """Results of consecutive chunks of points, written into arrays over all rows.

    Each chunk is copied in while it is still in cache. The row arrays hold one
    row per point and grow (doubling) only when ties or subgames with several
    equilibria add rows, so the common case never concatenates.
    """

    def __init__(self, n_points: int) -> None:
        self.n_points = n_points
        self.rows = 0
        self.ties = np.zeros(n_points, dtype=bool)
        self.degenerate = np.zeros(n_points, dtype=bool)
        self._arrays: dict[Any, np.ndarray] = {}

    def add(self, part: TreeArrays, offset: int) -> None:
        """Append the rows of ``part``, whose points start at point ``offset``."""
        chunk = {
            "point": part.point,
            "values": part.values,
            "reach": part.reach,
            "regret": part.regret,
        }
        chunk.update((("behaviour", k), b) for k, b in part.behaviour.items())
        end = self.rows + len(part.point)
        if not self._arrays:
            self._arrays = _carve_rows(chunk, max(self.n_points, end))
        elif end > len(self._arrays["point"]):
            grown = _carve_rows(chunk, max(end, 2 * self.rows))
            for key, a in self._arrays.items():
                grown[key][..., : self.rows] = a[..., : self.rows]
            self._arrays = grown
        for key, a in chunk.items():
            self._arrays[key][..., self.rows : end] = a
        self._arrays["point"][self.rows : end] += offset
        points = slice(offset, offset + len(part.ties))
        self.ties[points] = part.ties
        self.degenerate[points] = part.degenerate
        self.rows = end

    def arrays(self) -> TreeArrays:
        """The rows gathered so far (views of one block: any of them keeps it all alive)."""
        rows = {key: a[..., : self.rows] for key, a in self._arrays.items()}
        return TreeArrays(
            rows["point"],
            {key[1]: b for key, b in rows.items() if isinstance(key, tuple)},
            rows["values"],
            rows["reach"],
            rows["regret"],
            self.ties,
            self.degenerate,
        )


def _carve_rows(like: dict[Any, np.ndarray], capacity: int) -> dict[Any, np.ndarray]:
    """Arrays shaped like ``like`` but with ``capacity`` rows (last axis), in one block."""
    return carve({key: ((*a.shape[:-1], capacity), a.dtype) for key, a in like.items()})


class _State:
    """Row-indexed arrays of the backward induction so far.

    Until a tie or a subgame with several equilibria splits a point, row r is
    point r (``point`` is None) and point arrays are used without a copy.
    Node values and choices are written into ``work``.
    """

    def __init__(
        self, n_points: int, atol: np.ndarray, work: Workspace, scale: np.ndarray | None
    ) -> None:
        self.n_points = n_points
        self.point: np.ndarray | None = None
        self.atol = atol  # (P, N) per point
        self.scale = scale  # (P, N) per point: the user's units of each player, or None
        self.widest = atol.max(axis=1)  # (P,) each player's largest tolerance
        self.work = work
        self.regret = work.array("regret", (n_points,))
        self.regret.fill(0.0)
        self.value: dict[int, np.ndarray] = {}
        self.behaviour: dict[int, np.ndarray] = {}
        self.mixed: set[int] = set()  # nodes whose behaviour may be NaN (unspecified)
        self.finite = True  # every node value so far is finite
        self.ties = np.zeros(n_points, dtype=bool)
        self.degenerate = np.zeros(n_points, dtype=bool)

    @property
    def n_rows(self) -> int:
        return self.n_points if self.point is None else len(self.point)

    def rows(self, per_point: np.ndarray) -> np.ndarray:
        """A point array (..., N) as a row array (..., R)."""
        return per_point if self.point is None else per_point[..., self.point]

    def row_point(self) -> np.ndarray:
        return np.arange(self.n_points) if self.point is None else self.point

    def expand(self, parent: np.ndarray) -> None:
        """Replace every row r by the rows derived from it (``parent[new] = r``)."""
        if len(parent) > MAX_ROWS:
            raise BudgetError(
                f"more than {MAX_ROWS:,} subgame-perfect equilibria at {self.n_points:,} points "
                "(ties under tie_break='all', or subgames with several equilibria, multiply "
                "them): use tie_break='first' (one per point, ties flagged) or fewer points"
            )
        self.point = self.row_point()[parent]
        self.regret = self.regret[parent]
        self.value = {k: v[:, parent] for k, v in self.value.items()}
        self.behaviour = {k: b[:, parent] for k, b in self.behaviour.items()}

    def decide(self, v: int, player: int, children: tuple[int, ...], tie_break: str) -> None:
        own = [self.value[c][player] for c in children]
        if len(own) == 2 and self._far_apart(own[0], own[1], self.widest[player]):
            picks = self.work.array(("behaviour", v), (2, len(own[0])), bool)
            np.greater(own[0], own[1], out=picks[0])
            np.logical_not(picks[0], out=picks[1])
            self._choose(v, children, picks)
            return
        top = own[0]
        if len(own) > 1:
            top = np.maximum(own[0], own[1], out=self.work.array("top", top.shape))
            for value in own[2:]:
                np.maximum(top, value, out=top)
        # A tie: within the player's tolerance at the point of the best value.
        threshold = np.subtract(
            top, self.rows(self.atol[player]), out=self.work.array("threshold", top.shape)
        )
        best = self.work.array("best", (len(own), len(top)), bool)
        for j, value in enumerate(own):
            np.greater_equal(value, threshold, out=best[j])
        tied = best[0] & best[1] if len(own) == 2 else best.sum(axis=0) > 1
        if tied.any():
            points = self.row_point()
            self.ties[points[tied]] = True
            if tie_break == "raise":
                r = int(np.flatnonzero(tied)[0])
                raise TieFound(v, int(points[r]), np.flatnonzero(best[:, r]).tolist())
            if tie_break == "all":  # one row per best move
                move, parent = np.nonzero(best)
                order = np.argsort(parent, kind="stable")
                top = top[parent[order]]
                self.expand(parent[order])
                self._choose(v, children, move[order] == np.arange(len(own))[:, None])
                self.note_gain(top - self.value[v][player], player)
                return
        # The first best move in declaration order (for booleans, ``b > a`` is ``b and not a``).
        picks = self.work.array(("behaviour", v), best.shape, bool)
        picks[0] = best[0]
        taken = best[0]
        for j in range(1, len(own)):
            np.greater(best[j], taken, out=picks[j])
            taken = taken | best[j]
        self._choose(v, children, picks)
        self.note_gain(np.subtract(top, self.value[v][player], out=threshold), player)

    def note_gain(self, gain: np.ndarray, player: int) -> None:
        """Note ``player``'s one-shot deviation gain (R,) (overwritten), in the user's units."""
        if self.scale is not None:
            np.multiply(gain, self.rows(self.scale[player]), out=gain)
        self.note_regret(gain)

    def note_regret(self, regret: np.ndarray) -> None:
        """Keep each row's largest deviation gain (R,) so far, given in the user's units."""
        np.maximum(self.regret, regret, out=self.regret)

    def _far_apart(self, a: np.ndarray, b: np.ndarray, widest: float) -> bool:
        """Whether no row is near a tie: every |a - b| exceeds twice the widest tolerance.

        ``widest`` is the player's largest tolerance over the chunk's points;
        the check costs reductions only. The factor 2 leaves the rows whose
        rounded threshold could go either way to ``decide``'s row-by-row rule,
        so a row gets the same answer whatever else is in its chunk.
        """
        gap = np.subtract(a, b, out=self.work.array("gap", a.shape))
        np.abs(gap, out=gap)
        return bool(gap.min() > 2 * widest)

    def _choose(self, v: int, children: tuple[int, ...], picks: np.ndarray) -> None:
        """Take the value of the picked child; ``picks[j]`` (R,) marks rows choosing move j.

        While every node value is finite, a 0/1-weighted sum takes it exactly,
        faster than ``np.where``; an infinite value (an expected payoff that
        overflowed) would turn ``inf * 0`` into NaN, so then ``np.where`` does.
        """
        if self.finite:
            value = self._weighted(v, children, picks)
        else:
            value = self.value[children[-1]]
            for j in reversed(range(len(children) - 1)):
                value = np.where(picks[j], self.value[children[j]], value)
        self.value[v] = value
        self.behaviour[v] = picks

    def chance(self, v: int, children: tuple[int, ...], probs: np.ndarray) -> None:
        """The probability-weighted mean of the children's values."""
        self.value[v] = self._weighted(v, children, self.rows(probs))
        self.check_finite(self.value[v])

    def check_finite(self, value: np.ndarray) -> None:
        """Note whether a computed node value may have overflowed (payoffs are finite).

        One sum per node: a finite sum proves every value finite; an infinite
        one (perhaps only the sum overflowing) conservatively counts as not.
        """
        with np.errstate(over="ignore", invalid="ignore"):
            self.finite = self.finite and bool(np.isfinite(value.sum()))

    def _weighted(self, v: int, children: tuple[int, ...], weights: np.ndarray) -> np.ndarray:
        """``sum_j weights[j] * value[children[j]]``, into the workspace."""
        first = self.value[children[0]]
        total = np.multiply(first, weights[0], out=self.work.array(("value", v), first.shape))
        term = self.work.array("term", first.shape)
        for j in range(1, len(children)):
            total += np.multiply(self.value[children[j]], weights[j], out=term)
        return total


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
    n_rows = state.n_rows
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
    atol = payoff_atol(sub)
    # Regrets in the user's units: each mover's gain times its own scale.
    scale = None if state.scale is None else state.rows(state.scale)[movers]
    if len(movers) == 2:  # every equilibrium; where support enumeration finds none, one
        found = verify(sub, support_enumeration(sub, atol=atol), atol, scale)
        eq, _ = with_lemke_howson(found, sub, atol, scale)
    else:
        if len(movers) > 2:
            warn(
                f"a subgame with imperfect information has {len(movers)} players: only its "
                "pure equilibria are computed"
            )
        eq = verify(sub, pure_equilibria(sub, atol=atol), atol, scale)
    state.degenerate[state.row_point()[np.flatnonzero(eq.degenerate)]] = True
    order = np.argsort(eq.point, kind="stable")
    rows = eq.point[order]
    mixes = {p: eq.profiles[i][order] for i, p in enumerate(movers)}
    full_values = tensor.reshape(tree.n_players, -1, n_rows)
    state.expand(rows)
    state.note_regret(eq.regret[order])
    # Expected payoffs of every player (movers' payoffs come from the kernel,
    # others' from the same mixture).
    weights = np.ones((len(rows), 1))
    for p in range(tree.n_players):
        mix = mixes.get(p, np.ones((len(rows), 1)))
        weights = (weights[:, :, None] * mix[:, None, :]).reshape(len(rows), -1)
    state.value[root] = np.einsum("pkr,rk->pr", full_values[:, :, rows], weights)
    state.check_finite(state.value[root])
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
    mix: Callable[[list[tuple[Any, Any]]], Any] | None = None,
) -> Any:
    """Expected payoffs at ``v`` when the movers follow the plans in ``chosen``.

    ``leaf(t)`` gives the payoffs at a terminal node or at a node in ``stop``
    (a solved subgame), ``chance(c)`` the branch probabilities of a chance
    node; numpy arrays and sympy expressions both work. A node whose
    information set ``chosen`` leaves open is excluded by its mover's own plan
    and contributes ``zero``. ``mix`` combines a chance node's (probability,
    value) pairs (default: the sum of the products).
    """
    if tree.kind[v] == "terminal" or v in stop:
        return leaf(v)
    if tree.kind[v] == "chance":
        parts = [
            (p, plan_value(tree, c, chosen, leaf, chance, stop, zero, mix))
            for p, c in zip(chance(v), tree.children[v])
        ]
        return mix(parts) if mix else sum((p * value for p, value in parts), start=zero)
    h = tree.infoset[v]
    if h not in chosen:
        return zero
    child = tree.children[v][chosen[h]]
    return plan_value(tree, child, chosen, leaf, chance, stop, zero, mix)


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
    """Probability of ending at each terminal node under the equilibrium, (terminals, R)."""
    n = state.n_rows
    out = state.work.array("reach", (len(tree.terminals), n))
    row = {t: k for k, t in enumerate(tree.terminals)}

    def weights(v: int) -> np.ndarray:
        if tree.kind[v] == "chance":
            return state.rows(probs[v])
        return np.nan_to_num(state.behaviour[v]) if v in state.mixed else state.behaviour[v]

    def into(v: int) -> np.ndarray:
        return out[row[v]] if v in row else state.work.array(("reach", v), (n,))

    propagate_reach(tree, weights, into)
    return out


def propagate_reach(
    tree: TreeStructure,
    weights: Callable[[int], np.ndarray],
    into: Callable[[int], np.ndarray],
) -> None:
    """Probability of reaching each node, parents first: ``reach(c) = reach(v) * weights(v)[j]``.

    ``weights(v)`` (moves, R) gives the probabilities of the moves at a
    decision or chance node v (0/1 where the choice is pure); ``into(v)`` the
    array (R,) that holds node v's reach.
    """
    into(tree.root).fill(1.0)
    for v in reversed(tree.order):
        if tree.kind[v] != "terminal":
            w = weights(v)
            for j, c in enumerate(tree.children[v]):
                np.multiply(into(v), w[j], out=into(c))
