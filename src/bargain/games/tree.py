"""Parameterized game trees: decision, chance and terminal nodes.

Nodes are added by id; the first node added is the root. Chance
probabilities and terminal payoffs are formulas of the declared parameters,
compiled once, so a batch of N points becomes arrays of N values per node and
the subgame-perfect equilibrium is found for all of them by one backward
induction (:mod:`bargain.solvers.backward`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np
import sympy

from .. import formula
from ..errors import ModelError, TieError, did_you_mean
from ..params import Param, ParamSpace
from ..solvers.arrays import PAYOFF_RTOL
from ..solvers.backward import (
    Gathered,
    TieFound,
    TreeStructure,
    plan_value,
    reduced_plans,
    subgame_perfect,
)
from ..solvers.workspace import Workspace
from ..tree_solution import TreeBatchSolution, TreeSolution
from .normal import NormalFormGame

#: Points per chunk, so that the node arrays of a chunk stay in cache ...
CHUNK_POINTS = 1 << 14
#: ... and, for trees of over 128 nodes, fewer: the values of all nodes of a chunk
#: hold at most this many floats per player (a workspace of about 16 MB per player).
CHUNK_FLOATS = 1 << 21
#: Tolerance for chance probabilities: each >= -PROB_ATOL, their sum within PROB_ATOL of 1.
PROB_ATOL = 1e-9


class GameTree:
    """A game in extensive form whose probabilities and payoffs may be formulas.

    Examples
    --------
    The U.S. offers relief for rollback or keeps up pressure; Iran accepts or
    rejects the offer:

    >>> tree = GameTree(["US", "Iran"], params=[Param("relief", 0.4, 0, 1)])
    >>> tree.decision("offer", "US", {"propose": "answer", "pressure": "standoff"})
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "breakdown"})
    >>> tree.terminal("deal", {"US": "1 - relief", "Iran": "relief"})
    >>> tree.terminal("breakdown", {"US": 0.1, "Iran": 0.1})
    >>> tree.terminal("standoff", {"US": 0.2, "Iran": 0.1})
    >>> result = tree.solve(relief=0.4)
    >>> result.path
    (('offer', 'propose'), ('answer', 'accept'))
    >>> result.payoffs
    {'US': 0.6, 'Iran': 0.4}
    """

    def __init__(self, players: Sequence[str], params: Iterable[Param] | ParamSpace = ()) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = tuple(players)
        if not self.players or len(set(self.players)) != len(self.players):
            raise ModelError(f"players: expected distinct player names, got {list(players)}")
        for p in self.players:
            if not isinstance(p, str) or not p:
                raise ModelError(f"players: names must be non-empty strings, got {p!r}")
        self.nodes: dict[Hashable, dict[str, Any]] = {}
        self._compiled: _Compiled | None = None

    # -- building -----------------------------------------------------------

    def decision(
        self,
        id: Hashable,
        player: str,
        moves: Mapping[str, Hashable],
        infoset: Hashable | None = None,
    ) -> None:
        """Add a decision node of ``player`` with moves (label -> child id)."""
        where = self._new(id, "decision")
        if player not in self.players:
            raise ModelError(
                f"{where}: unknown player {player!r}{did_you_mean(str(player), self.players)}; "
                f"players: {', '.join(self.players)}"
            )
        if not isinstance(moves, Mapping) or not moves:
            raise ModelError(f"{where}: expected at least one move (a mapping label -> child id)")
        for label in moves:
            if not isinstance(label, str) or not label:
                raise ModelError(f"{where}: move labels must be non-empty strings, got {label!r}")
        self.nodes[id] = {
            "kind": "decision",
            "player": player,
            "moves": dict(moves),
            "infoset": infoset,
        }

    def chance(self, id: Hashable, branches: Mapping[str, tuple[Any, Hashable]]) -> None:
        """Add a chance node: branches label -> (probability formula, child id)."""
        where = self._new(id, "chance")
        if not isinstance(branches, Mapping) or not branches:
            raise ModelError(f"{where}: expected at least one branch (label -> (prob, child))")
        probs, moves = {}, {}
        for label, branch in branches.items():
            if not isinstance(branch, tuple | list) or len(branch) != 2:
                raise ModelError(
                    f"{where}: branch {label!r}: expected (probability, child id), got {branch!r}"
                )
            probs[label] = formula.as_expr(branch[0], self.params, f"{where}.branches[{label!r}]")
            moves[label] = branch[1]
        self.nodes[id] = {"kind": "chance", "moves": moves, "probs": probs}

    def terminal(self, id: Hashable, payoffs: Mapping[str, Any]) -> None:
        """Add a terminal node with one payoff (number or formula) per player."""
        where = self._new(id, "terminal")
        if not isinstance(payoffs, Mapping):
            raise ModelError(f"{where}: expected a mapping player -> payoff")
        missing = [p for p in self.players if p not in payoffs]
        extra = [p for p in payoffs if p not in self.players]
        if missing or extra:
            raise ModelError(
                f"{where}: expected one payoff per player {list(self.players)}; "
                + ", ".join(
                    part
                    for part in (
                        f"missing {missing}" if missing else "",
                        f"unknown {extra}" if extra else "",
                    )
                    if part
                )
            )
        exprs = {
            p: formula.as_expr(payoffs[p], self.params, f"{where}.payoffs[{p!r}]")
            for p in self.players
        }
        self.nodes[id] = {"kind": "terminal", "payoffs": exprs}

    def _new(self, id: Hashable, kind: str) -> str:
        where = f"node {id!r}"
        if not isinstance(id, str | int) or isinstance(id, bool):
            raise ModelError(f"{where}: node ids must be strings or integers")
        if id in self.nodes:
            raise ModelError(
                f"{where}: duplicate node id (already a {self.nodes[id]['kind']} node)"
            )
        self._compiled = None
        return where

    # -- structure ----------------------------------------------------------

    @property
    def root(self) -> Hashable:
        if not self.nodes:
            raise ModelError("the tree has no nodes")
        return next(iter(self.nodes))

    def validate(self) -> None:
        """Check the tree; raise ModelError naming the node at fault."""
        self._compile()

    def _compile(self) -> _Compiled:
        if self._compiled is None:
            self._compiled = _Compiled(self)
        return self._compiled

    # -- solving ------------------------------------------------------------

    def solve(self, tie_break: str = "first", **values: float) -> TreeSolution:
        """The subgame-perfect equilibrium at one point (``solve_batch`` of one)."""
        return self.solve_batch({k: [v] for k, v in values.items()}, tie_break=tie_break)[0]

    def solve_batch(
        self,
        points: Mapping[str, Any],
        tie_break: str = "first",
        *,
        chunk_size: int | None = None,
        rtol: float = PAYOFF_RTOL,
    ) -> TreeBatchSolution:
        """Subgame-perfect equilibria at N points, ``points`` a mapping name -> N values.

        ``tie_break``: "first" takes the first best move in declaration order,
        "all" reports every pure SPE (a point may then have several rows),
        "raise" raises on a tie. Ties are flagged per point either way. Points
        are solved in chunks of ``chunk_size``, so memory stays bounded.
        """
        compiled = self._compile()
        bound = self.params.bind_batch(points)
        n = len(next(iter(bound.values()))) if bound else 1
        size = chunk_size or min(CHUNK_POINTS, max(1, CHUNK_FLOATS // len(compiled.ids)))
        gathered, work = Gathered(n), Workspace.of_thread()
        try:
            for start in range(0, n, size):
                part = {k: v[start : start + size] for k, v in bound.items()}
                m = min(size, n - start)
                probs, payoffs = compiled.evaluate(part, m, work)
                try:
                    chunk = subgame_perfect(
                        compiled.structure, probs, payoffs, m, tie_break, rtol, work
                    )
                except TieFound as exc:
                    raise self._tie_error(compiled, exc, part) from None
                gathered.add(chunk, start)
        finally:
            work.release()
        return TreeBatchSolution(self, compiled, gathered.arrays(), bound)

    def _tie_error(
        self, compiled: _Compiled, exc: TieFound, part: Mapping[str, np.ndarray]
    ) -> TieError:
        node = compiled.ids[exc.node]
        moves = [list(self.nodes[node]["moves"])[j] for j in exc.moves]
        return TieError(
            f"node {node!r}: {self.nodes[node]['player']} is indifferent between moves "
            f"{moves} at {_at(part, exc.point)} (tie_break='raise')"
        )

    def to_normal_form(self) -> NormalFormGame:
        """The reduced normal form: one strategy per reduced plan, expected payoffs.

        Plans are labelled by their moves in order of the player's information
        sets, ``*`` where the player's own earlier moves exclude the set.
        """
        compiled = self._compile()
        tree = compiled.structure
        plans = reduced_plans(tree, tree.root)
        plans = [p or [{}] for p in plans]
        labels = [[compiled.plan_label(p, plan) for plan in plans[p]] for p in range(len(plans))]
        payoffs = np.empty((len(self.players), *map(len, plans)), dtype=object)
        zero = sympy.Matrix.zeros(len(self.players), 1)
        for index in product(*(range(len(p)) for p in plans)):
            chosen: dict[int, int] = {}
            for p, k in enumerate(index):
                chosen.update(plans[p][k])
            value = plan_value(
                tree,
                tree.root,
                chosen,
                leaf=compiled.symbolic_payoff,
                chance=compiled.symbolic_probs,
                zero=zero,
            )
            for p in range(len(self.players)):
                payoffs[(p, *index)] = sympy.expand(value[p])
        return NormalFormGame(
            self.players,
            labels,
            {player: payoffs[i].tolist() for i, player in enumerate(self.players)},
            params=self.params,
        )

    def __repr__(self) -> str:
        kinds = [n["kind"] for n in self.nodes.values()]
        counts = ", ".join(f"{kinds.count(k)} {k}" for k in ("decision", "chance", "terminal"))
        return f"GameTree(players={list(self.players)}, {counts})"


class _Compiled:
    """A validated tree: integer structure plus compiled formulas."""

    def __init__(self, game: GameTree) -> None:
        nodes = game.nodes
        ids = list(nodes)
        if not ids:
            raise ModelError("the tree has no nodes")
        index = {node: i for i, node in enumerate(ids)}
        children: list[tuple[int, ...]] = []
        parent: dict[int, int] = {}
        for i, node in enumerate(ids):
            spec = nodes[node]
            kids = []
            for label, child in spec.get("moves", {}).items():
                if child not in index:
                    raise ModelError(
                        f"node {node!r}: move {label!r} leads to unknown node {child!r}"
                        f"{did_you_mean(str(child), map(str, ids))}"
                    )
                c = index[child]
                if c in parent or c == 0:
                    other = ids[parent[c]] if c in parent else None
                    raise ModelError(
                        f"node {node!r}: move {label!r} leads to {child!r}, which is "
                        + (f"already the child of {other!r}" if other is not None else "the root")
                        + " (a tree has one path to each node; is there a cycle?)"
                    )
                parent[c] = i
                kids.append(c)
            children.append(tuple(kids))
        unreachable = [ids[i] for i in range(1, len(ids)) if i not in parent]
        if unreachable:
            raise ModelError(f"nodes {unreachable} cannot be reached from the root {ids[0]!r}")
        order = _post_order(children)
        players = {p: k for k, p in enumerate(game.players)}
        player = tuple(
            players[nodes[n]["player"]] if nodes[n]["kind"] == "decision" else -1 for n in ids
        )
        infoset_ids: dict[Hashable, int] = {}
        infoset = []
        for node in ids:
            spec = nodes[node]
            if spec["kind"] != "decision":
                infoset.append(-1)
                continue
            label = spec["infoset"] if spec["infoset"] is not None else ("node", node)
            infoset.append(infoset_ids.setdefault(label, len(infoset_ids)))
        self.infoset_labels = {h: label for label, h in infoset_ids.items()}
        self._check_infosets(game, ids, infoset, children)
        self.ids = ids
        self.index = index
        self.game = game
        self.structure = TreeStructure(
            kind=tuple(nodes[n]["kind"] for n in ids),
            children=tuple(children),
            player=player,
            infoset=tuple(infoset),
            order=order,
            n_players=len(game.players),
        )
        self.chance_nodes = [i for i, n in enumerate(ids) if nodes[n]["kind"] == "chance"]
        exprs = [e for i in self.chance_nodes for e in nodes[ids[i]]["probs"].values()]
        exprs += [e for i in self.structure.terminals for e in nodes[ids[i]]["payoffs"].values()]
        self._function = formula.compile(exprs, game.params.names)

    @staticmethod
    def _check_infosets(
        game: GameTree, ids: list, infoset: list[int], children: list[tuple[int, ...]]
    ) -> None:
        members: dict[int, list[int]] = {}
        for i, h in enumerate(infoset):
            if h >= 0:
                members.setdefault(h, []).append(i)
        for nodes_in in members.values():
            if len(nodes_in) < 2:
                continue
            first = game.nodes[ids[nodes_in[0]]]
            label = first["infoset"]
            for i in nodes_in[1:]:
                spec = game.nodes[ids[i]]
                if spec["player"] != first["player"]:
                    raise ModelError(
                        f"information set {label!r} mixes players: node {ids[nodes_in[0]]!r} "
                        f"belongs to {first['player']!r}, node {ids[i]!r} to {spec['player']!r}"
                    )
                if list(spec["moves"]) != list(first["moves"]):
                    raise ModelError(
                        f"information set {label!r}: node {ids[i]!r} has moves "
                        f"{list(spec['moves'])}, node {ids[nodes_in[0]]!r} has "
                        f"{list(first['moves'])}; nodes of one set need the same moves"
                    )
            below: set[int] = set()
            for i in nodes_in:
                stack = list(children[i])
                while stack:
                    v = stack.pop()
                    below.add(v)
                    stack.extend(children[v])
            repeated = [ids[i] for i in nodes_in if i in below]
            if repeated:
                raise ModelError(
                    f"information set {label!r}: node {repeated[0]!r} follows another node "
                    "of the same set (absent-mindedness is not supported)"
                )

    def evaluate(
        self, bound: Mapping[str, np.ndarray], n: int, work: Workspace | None = None
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
        """Chance probabilities and terminal payoffs at N points, checked.

        The arrays are views of ``work`` (if given): valid until it is used again.
        """
        values = (work or Workspace()).array("formulas", (len(self._function.exprs), n))
        self._function(*(bound[name] for name in self.game.params.names), out=values)
        # A finite sum means every value is finite (a NaN or inf would propagate);
        # an infinite one may be an overflow of large finite values: look closer.
        with np.errstate(over="ignore"):
            finite = bool(np.isfinite(values.sum())) or bool(np.isfinite(values).all())
        probs, payoffs, row = {}, {}, 0
        for c in self.chance_nodes:
            k = len(self.structure.children[c])
            probs[c] = values[row : row + k]
            row += k
            self._check_probs(c, probs[c], bound, finite)
        for t in self.structure.terminals:
            payoffs[t] = values[row : row + self.structure.n_players]
            row += self.structure.n_players
            if not finite and not np.isfinite(payoffs[t]).all():
                p, point = (int(i[0]) for i in np.nonzero(~np.isfinite(payoffs[t])))
                raise ModelError(
                    f"node {self.ids[t]!r}: payoff of {self.game.players[p]!r} is not finite "
                    f"at {_at(bound, point)}"
                )
        return probs, payoffs

    def _check_probs(
        self, c: int, probs: np.ndarray, bound: Mapping[str, np.ndarray], finite: bool
    ) -> None:
        if finite and probs.min() >= -PROB_ATOL and _within(probs.sum(axis=0) - 1, PROB_ATOL):
            return
        node = self.ids[c]
        bad = (probs < -PROB_ATOL).any(axis=0)
        if not finite:
            bad |= ~np.isfinite(probs).all(axis=0)
        if bad.any():
            point = int(np.flatnonzero(bad)[0])
            shown = dict(zip(self.game.nodes[node]["probs"], probs[:, point].round(12)))
            raise ModelError(
                f"node {node!r}: chance probabilities {shown} are not all in [0, 1] "
                f"at {_at(bound, point)} ({int(bad.sum())} of {bad.size} points)"
            )
        total = probs.sum(axis=0)
        off = np.abs(total - 1) > PROB_ATOL
        if off.any():
            point = int(np.flatnonzero(off)[0])
            raise ModelError(
                f"node {node!r}: chance probabilities sum to {total[point]:.12g}, not 1, "
                f"at {_at(bound, point)} ({int(off.sum())} of {off.size} points)"
            )

    def symbolic_payoff(self, t: int) -> sympy.Matrix:
        spec = self.game.nodes[self.ids[t]]["payoffs"]
        return sympy.Matrix([spec[p] for p in self.game.players])

    def symbolic_probs(self, c: int) -> list[sympy.Expr]:
        return list(self.game.nodes[self.ids[c]]["probs"].values())

    def plan_label(self, player: int, plan: dict[int, int]) -> str:
        """Moves of a reduced plan in the order of the player's information sets."""
        sets = sorted(
            {
                h
                for i, h in enumerate(self.structure.infoset)
                if h >= 0 and self.structure.player[i] == player
            }
        )
        if not sets:
            return "(none)"
        parts = []
        for h in sets:
            if h in plan:
                node = next(i for i, x in enumerate(self.structure.infoset) if x == h)
                parts.append(list(self.game.nodes[self.ids[node]]["moves"])[plan[h]])
            else:
                parts.append("*")
        return "/".join(parts)


def _post_order(children: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Nodes children-first from the root 0 (iterative, no recursion limit)."""
    order, stack = [], [(0, False)]
    while stack:
        v, expanded = stack.pop()
        if expanded:
            order.append(v)
        else:
            stack.append((v, True))
            stack.extend((c, False) for c in reversed(children[v]))
    return tuple(order)


def _within(values: np.ndarray, atol: float) -> bool:
    """Whether every ``abs(value) <= atol``, by two reductions (the same rounding as abs)."""
    return bool(values.min() >= -atol and values.max() <= atol)


def _at(bound: Mapping[str, np.ndarray], point: int) -> str:
    return ", ".join(f"{k}={float(v[point]):g}" for k, v in bound.items()) or "the defaults"
