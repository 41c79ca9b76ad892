"""A validated game tree: integer structure for the kernel plus its compiled formulas.

:class:`CompiledTree` is built once per tree (and again after a change): it
numbers the nodes, checks that they form a tree whose information sets are
sound, hands :mod:`bargain.solvers.backward` a :class:`TreeStructure`, and
evaluates chance probabilities and terminal payoffs at a batch of points.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import sympy

from bargain import formula
from bargain.errors import ModelError, did_you_mean
from bargain.params import ParamSpace, point_text
from bargain.solvers.backward import TreeStructure
from bargain.solvers.workspace import Workspace
from bargain.tolerances import PROB_SUM_ATOL

from ..resolution import unresolved_error


class CompiledTree:
    """A validated tree: integer structure plus compiled formulas."""

    def __init__(
        self, nodes: Mapping[Hashable, dict[str, Any]], players: tuple[str, ...], params: ParamSpace
    ) -> None:
        self.nodes, self.players, self.params = nodes, players, params
        self.ids = list(nodes)
        if not self.ids:
            raise ModelError("the tree has no nodes")
        self.index = {node: i for i, node in enumerate(self.ids)}
        children = self._children()
        infoset = self._infosets(children)
        kinds = [nodes[n]["kind"] for n in self.ids]
        number = {p: k for k, p in enumerate(players)}
        self.structure = TreeStructure(
            kind=tuple(kinds),
            children=tuple(children),
            player=tuple(
                number[nodes[n]["player"]] if kind == "decision" else -1
                for n, kind in zip(self.ids, kinds)
            ),
            infoset=tuple(infoset),
            order=_post_order(children),
            n_players=len(players),
        )
        self._check_perfect_recall()
        self.chance_nodes = [i for i, kind in enumerate(kinds) if kind == "chance"]
        self._function = formula.compile_formulas(self._formulas(), params.names)

    def _children(self) -> list[tuple[int, ...]]:
        """Each node's children by index; a ModelError unless the nodes form one tree."""
        nodes, ids, index = self.nodes, self.ids, self.index
        children: list[tuple[int, ...]] = []
        parent: dict[int, int] = {}
        for i, node in enumerate(ids):
            kids = []
            for label, child in nodes[node].get("moves", {}).items():
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
        return children

    def _infosets(self, children: list[tuple[int, ...]]) -> list[int]:
        """Each decision node's information-set index (-1 for other nodes), checked."""
        infoset_ids: dict[Hashable, int] = {}
        infoset = []
        for node in self.ids:
            spec = self.nodes[node]
            if spec["kind"] != "decision":
                infoset.append(-1)
                continue
            label = spec["infoset"] if spec["infoset"] is not None else ("node", node)
            infoset.append(infoset_ids.setdefault(label, len(infoset_ids)))
        self.infoset_labels = {h: label for label, h in infoset_ids.items()}
        self._check_infosets(self.nodes, self.ids, infoset, children)
        return infoset

    def _formulas(self) -> list[sympy.Basic]:
        """Chance probabilities, then terminal payoffs, in node order: one row each."""
        nodes, ids = self.nodes, self.ids
        exprs = [e for i in self.chance_nodes for e in nodes[ids[i]]["probs"].values()]
        exprs += [e for i in self.structure.terminals for e in nodes[ids[i]]["payoffs"].values()]
        return exprs

    @staticmethod
    def _check_infosets(
        nodes: Mapping[Hashable, dict[str, Any]],
        ids: list,
        infoset: list[int],
        children: list[tuple[int, ...]],
    ) -> None:
        members: dict[int, list[int]] = {}
        for i, h in enumerate(infoset):
            if h >= 0:
                members.setdefault(h, []).append(i)
        for nodes_in in members.values():
            if len(nodes_in) < 2:
                continue
            first = nodes[ids[nodes_in[0]]]
            label = first["infoset"]
            for i in nodes_in[1:]:
                spec = nodes[ids[i]]
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

    def _check_perfect_recall(self) -> None:
        """Refuse a tree without perfect recall, naming the player and the information set.

        A player's experience at a node is the sequence of its own (information
        set, move) pairs on the path from the root; the game has perfect recall
        iff the nodes of every information set share their player's experience
        (Kuhn 1953; Osborne and Rubinstein 1994, Definition 203.3). Mixed plans
        become behaviour strategies by Kuhn's theorem only then. One pass from
        the root; each experience is a number (interned), so deep trees stay linear.
        """
        tree = self.structure
        if all(tree.singleton(v) for v in range(len(tree.kind)) if tree.kind[v] == "decision"):
            return
        steps: dict[tuple[int, int, int], int] = {}  # (previous experience, set, move) -> id
        first: dict[int, tuple[int, int]] = {}  # set -> (first node met, its experience)
        stack = [(tree.root, (0,) * tree.n_players)]
        while stack:
            v, experience = stack.pop()
            h, p = tree.infoset[v], tree.player[v]
            if h >= 0:
                u, seen = first.setdefault(h, (v, experience[p]))
                if seen != experience[p]:
                    raise self._recall_error(h, p, (u, seen), (v, experience[p]), steps)
            for k, c in enumerate(tree.children[v]):
                if h >= 0:
                    own = steps.setdefault((experience[p], h, k), len(steps) + 1)
                    stack.append((c, (*experience[:p], own, *experience[p + 1 :])))
                else:
                    stack.append((c, experience))

    def _recall_error(
        self,
        h: int,
        p: int,
        one: tuple[int, int],
        other: tuple[int, int],
        steps: Mapping[tuple[int, int, int], int],
    ) -> ModelError:
        back = {step: key for key, step in steps.items()}
        member = {h: v for v, h in enumerate(self.structure.infoset) if h >= 0}

        def past(experience: int) -> str:
            moves = []
            while experience:
                experience, h, k = back[experience]
                node = self.ids[member[h]]
                spec = self.nodes[node]
                where = (
                    f"node {node!r}"
                    if spec["infoset"] is None
                    else f"information set {spec['infoset']!r}"
                )
                moves.append(f"{list(spec['moves'])[k]!r} at {where}")
            return ", then ".join(reversed(moves)) or "no move of its own"

        player = self.players[p]
        (u, a), (v, b) = one, other
        return ModelError(
            f"information set {self.infoset_labels[h]!r} of {player!r} lacks perfect recall: "
            f"{player} reaches node {self.ids[u]!r} after {past(a)} but node {self.ids[v]!r} "
            f"after {past(b)}; equilibria in behaviour strategies need perfect recall "
            "(Kuhn's theorem): give the nodes separate information sets"
        )

    def evaluate(
        self, bound: Mapping[str, np.ndarray], n: int, work: Workspace | None = None
    ) -> tuple[dict[int, np.ndarray], dict[int, np.ndarray]]:
        """Chance probabilities and terminal payoffs at N points, checked.

        The arrays are views of ``work`` (if given): valid until it is used again.
        """
        values = (work or Workspace()).array("formulas", (len(self._function.exprs), n))
        self._function(*(bound[name] for name in self.params.names), out=values)
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
                    f"node {self.ids[t]!r}: payoff of {self.players[p]!r} is not finite "
                    f"at {point_text(bound, point)}"
                )
        return probs, payoffs

    def unresolved_error(
        self,
        payoffs: Mapping[int, np.ndarray],
        unresolved: np.ndarray,
        bound: Mapping[str, np.ndarray],
    ) -> ModelError:
        """The message for points whose payoffs float64 cannot resolve (see
        :func:`~bargain.solvers.backward.terminal_tolerance`)."""
        t = int(np.flatnonzero(unresolved)[0])
        values = np.array([payoffs[v][:, t] for v in self.structure.terminals])  # (T, P)
        count = int(unresolved.sum())
        return unresolved_error(values, self.players, point_text(bound, t), count)

    def _check_probs(
        self, c: int, probs: np.ndarray, bound: Mapping[str, np.ndarray], finite: bool
    ) -> None:
        tol = PROB_SUM_ATOL
        if finite and probs.min() >= -tol and _within(probs.sum(axis=0) - 1, tol):
            return
        node = self.ids[c]
        bad = (probs < -PROB_SUM_ATOL).any(axis=0)
        if not finite:
            bad |= ~np.isfinite(probs).all(axis=0)
        if bad.any():
            point = int(np.flatnonzero(bad)[0])
            shown = dict(zip(self.nodes[node]["probs"], probs[:, point].round(12).tolist()))
            raise ModelError(
                f"node {node!r}: chance probabilities {shown} are not all in [0, 1] "
                f"at {point_text(bound, point)} ({int(bad.sum())} of {bad.size} points)"
            )
        total = probs.sum(axis=0)
        off = np.abs(total - 1) > PROB_SUM_ATOL
        if off.any():
            point = int(np.flatnonzero(off)[0])
            raise ModelError(
                f"node {node!r}: chance probabilities sum to {total[point]:.12g}, not 1, "
                f"at {point_text(bound, point)} ({int(off.sum())} of {off.size} points)"
            )

    def symbolic_payoff(self, t: int) -> sympy.Matrix:
        spec = self.nodes[self.ids[t]]["payoffs"]
        return sympy.Matrix([spec[p] for p in self.players])

    def symbolic_probs(self, c: int) -> list[sympy.Expr]:
        return list(self.nodes[self.ids[c]]["probs"].values())

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
                parts.append(list(self.nodes[self.ids[node]]["moves"])[plan[h]])
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
