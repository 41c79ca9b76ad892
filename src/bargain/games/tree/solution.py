"""Subgame-perfect equilibria of game trees as users see them."""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from bargain.checks import count_text
from bargain.errors import ModelError
from bargain.solvers.backward import TreeArrays, propagate_reach
from bargain.tolerances import PROB_TOL
from bargain.vocabulary import ident

from ..labels import Labels
from ..solution import Columns, EquilibriumBatch, EquilibriumSet
from .compiled import CompiledTree

Choice = str | dict[str, float] | None


@dataclass(frozen=True)
class SubgamePerfect:
    """One subgame-perfect equilibrium.

    ``choices`` maps every decision node, on and off the path, to its move
    label, or to ``{label: probability}`` when mixed, or to None where the
    equilibrium leaves it open (a set its own player's plan never reaches);
    ``reach`` maps terminal nodes to the probability of ending there;
    ``payoffs`` the expected payoff per player; ``path`` the nodes reached
    with positive probability in order of play, each with its move (or the
    distribution over moves at a chance node or a mixed choice).
    """

    choices: dict[Hashable, Choice]
    reach: dict[Hashable, float]
    payoffs: dict[str, float]
    path: tuple[tuple[Hashable, Choice], ...]

    def __str__(self) -> str:
        steps = " -> ".join(f"{node}: {_show(choice)}" for node, choice in self.path)
        values = ", ".join(f"{p} {v:.4g}" for p, v in self.payoffs.items())
        return f"{steps} | payoffs {values}"


class TreeSolution(EquilibriumSet[SubgamePerfect]):
    """The subgame-perfect equilibria found at one point; attributes of the first.

    With ``tie_break="all"`` or a proper subgame with several Nash equilibria
    there may be several; ``choices``, ``reach``, ``payoffs`` and ``path`` are
    those of ``self[0]``.
    """

    @property
    def choices(self) -> dict[Hashable, Choice]:
        return self._first.choices

    @property
    def reach(self) -> dict[Hashable, float]:
        return self._first.reach

    @property
    def payoffs(self) -> dict[str, float]:
        return self._first.payoffs

    @property
    def path(self) -> tuple[tuple[Hashable, Choice], ...]:
        return self._first.path

    @property
    def _first(self) -> SubgamePerfect:
        if not self.equilibria:
            raise ModelError(
                "no subgame-perfect equilibrium at this point (a subgame of three or more "
                "players has no pure equilibrium): there is no path or payoff to show"
            )
        return self.equilibria[0]

    def __repr__(self) -> str:
        flags = "".join(f", {f}" for f in ("ties", "degenerate") if getattr(self, f))
        count = count_text(len(self), "subgame-perfect equilibrium", "subgame-perfect equilibria")
        lines = [f"TreeSolution({count}{flags})"]
        return "\n".join(lines + [f"  {eq}" for eq in self.equilibria])


class TreeBatchSolution(EquilibriumBatch):
    """Subgame-perfect equilibria at N points in columnar form.

    Rows are (point, equilibrium) pairs sorted by point: ``point`` (R,), ``payoffs`` (R, P),
    ``reach`` (R, terminals) over ``terminals``, ``behaviour[node]`` (R, moves);
    per point ``count``, ``ties`` and ``degenerate`` (N,). ``batch[i]`` is the
    :class:`TreeSolution` of point i.
    """

    method = "backward induction"
    #: The type of ``batch[i]``.
    solution_type: type[EquilibriumSet] = TreeSolution

    def __init__(
        self,
        compiled: CompiledTree,
        arrays: TreeArrays,
        points: Mapping[str, np.ndarray],
        payoff_range: np.ndarray,
    ) -> None:
        self.players = compiled.players
        #: (N, P) each player's range of terminal payoffs at each point.
        self.payoff_range = payoff_range
        self.compiled = compiled
        self.points = dict(points)
        self.point = arrays.point
        self.ties = arrays.ties
        self.degenerate = arrays.degenerate
        self.payoffs = arrays.values.T
        #: (R,) the largest gain from deviating at one decision node (or in a subgame).
        self.regret = arrays.regret
        structure = compiled.structure
        self.terminals = [compiled.ids[t] for t in structure.terminals]
        self.reach = arrays.reach.T
        #: Node ids in order of play (preorder from the root).
        self.preorder = [compiled.ids[v] for v in structure.subtree(structure.root)]
        self._behaviour = arrays.behaviour

    @cached_property
    def _node_reach(self) -> np.ndarray:
        """Probability (nodes, R) of reaching each node, from the choices and the chance
        probabilities (evaluated again at the points: the solver keeps terminal reach only)."""
        return node_reaches(self.compiled, self.points, len(self), self.point, self.behaviour)

    @cached_property
    def behaviour(self) -> dict[Hashable, np.ndarray]:
        """Move probabilities (R, moves) at every decision node."""
        ids = self.compiled.ids
        return {ids[v]: b.T.astype(float) for v, b in self._behaviour.items()}

    def node_reach(self, node: Hashable) -> np.ndarray:
        """Probability (R,) that play reaches ``node`` (any node, not only terminals)."""
        return self._node_reach[self.compiled.index[node]]

    def reach_of(self, nodes: Iterable[Hashable]) -> np.ndarray:
        """Probability (R,) of ending at any of the given terminal nodes."""
        wanted = list(nodes)
        unknown = [n for n in wanted if n not in self.terminals]
        if unknown:
            raise KeyError(f"not terminal nodes: {unknown}; terminals: {self.terminals}")
        return self.reach[:, [self.terminals.index(n) for n in wanted]].sum(axis=1)

    def outcome(self, members: Iterable[Hashable]) -> np.ndarray:
        return self.reach_of(members)

    def measure_columns(self) -> Columns:
        columns: Columns = {}
        for k, player in enumerate(self.players):
            columns[f"u_{ident(player)}"] = self.payoffs[:, k]
        for k, t in enumerate(self.terminals):
            columns[f"reach_{ident(t)}"] = self.reach[:, k]
        for node, spec in self.compiled.nodes.items():
            if spec["kind"] == "decision":
                for j, move in enumerate(spec["moves"]):
                    columns[f"p_{ident(node)}_{ident(move)}"] = self.behaviour[node][:, j]
        columns["regret"] = self.regret
        return columns

    def regimes(self) -> tuple[Labels, np.ndarray]:
        """The equilibrium path of each row as text, e.g. ``propose>accept>keep``, and codes.

        Each decision node reached (in preorder) adds its move, or "mixed"; each
        distinct path is written once, from the rows' steps as small integers.
        """
        chosen, reach = self.regime_behaviour()
        steps, words = [], []
        for node in self.preorder:
            spec = self.compiled.nodes[node]
            if spec["kind"] != "decision":
                continue
            behaviour = np.nan_to_num(chosen[node])
            best, first = behaviour[:, 0].copy(), np.zeros(len(behaviour), dtype=np.int64)
            for j in range(1, behaviour.shape[1]):  # column by column: short axes reduce slowly
                first[behaviour[:, j] > best] = j
                np.maximum(best, behaviour[:, j], out=best)
            step = np.where(best >= 1 - PROB_TOL, first + 1, behaviour.shape[1] + 1)
            step[reach[self.compiled.index[node]] <= PROB_TOL] = 0  # not reached: no step
            steps.append(step)
            words.append(["", *spec["moves"], "mixed"])
        if not steps:
            codes = np.zeros(len(self.point), dtype=np.int32)
            return Labels.of(codes, np.array([""], dtype=object)), codes
        kinds, inverse = _distinct(steps, [len(w) for w in words])
        texts = [">".join(w[s] for w, s in zip(words, kind) if s) for kind in kinds]
        names, merged = np.unique(np.asarray(texts, dtype=object), return_inverse=True)
        codes = merged.reshape(-1)[inverse]  # paths that read alike share a code
        return Labels.of(codes, names), codes

    def regime_behaviour(self) -> tuple[dict[Hashable, np.ndarray], np.ndarray]:
        """The move probabilities (R, moves) per decision node that the regime labels
        read, and the reach (nodes, R) of every node under them: the equilibrium's own."""
        return self.behaviour, self._node_reach

    def equilibrium_of(self, r: int, **fields: Any) -> Any:
        """Row r's equilibrium in the batch's own type, from its ``choices``, ``reach``,
        ``payoffs`` and ``path``."""
        return SubgamePerfect(**fields)

    def _point_solution(self, i: int) -> EquilibriumSet:
        rows = self.rows(i)
        return self.solution_type(
            [self._equilibrium(r) for r in rows],
            values=self.point_values(i),
            ties=self.ties[i],
            degenerate=self.degenerate[i],
            method=self.method,
            batch=self,
            rows=rows,
        )

    def _equilibrium(self, r: int) -> Any:
        compiled = self.compiled
        choices = {}
        for node, spec in compiled.nodes.items():
            if spec["kind"] == "decision":
                choices[node] = _choice(list(spec["moves"]), self.behaviour[node][r])
        path = []
        for v in compiled.structure.subtree(compiled.structure.root):
            node = compiled.ids[v]
            spec = compiled.nodes[node]
            if spec["kind"] == "terminal" or self._node_reach[v, r] <= PROB_TOL:
                continue
            if spec["kind"] == "decision":
                path.append((node, choices[node]))
            else:
                probs = {
                    label: float(self._node_reach[c, r] / self._node_reach[v, r])
                    for label, c in zip(spec["moves"], compiled.structure.children[v])
                }
                path.append((node, {k: p for k, p in probs.items() if p > PROB_TOL}))
        return self.equilibrium_of(
            r,
            choices=choices,
            reach={t: float(self.reach[r, k]) for k, t in enumerate(self.terminals)},
            payoffs={p: float(self.payoffs[r, k]) for k, p in enumerate(self.players)},
            path=tuple(path),
        )

    def __repr__(self) -> str:
        return (
            f"TreeBatchSolution({count_text(len(self), 'point')}, "
            f"{count_text(len(self.point), 'equilibrium', 'equilibria')}, "
            f"{int(self.ties.sum())} with ties, {int(self.degenerate.sum())} degenerate)"
        )


def node_reaches(
    compiled: CompiledTree,
    points: Mapping[str, np.ndarray],
    n: int,
    point: np.ndarray,
    behaviour: Mapping[Hashable, np.ndarray],
) -> np.ndarray:
    """Probability (nodes, R) of reaching each node when rows play ``behaviour[node]``
    (R, moves; NaN for a set its player never reaches, read as 0), chance at the rows'
    points (``point`` (R,) indexes the N points ``points``)."""
    structure = compiled.structure
    probs = compiled.evaluate(points, n)[0] if compiled.chance_nodes else {}
    reach = np.empty((len(structure.kind), len(point)))

    def weights(v: int) -> np.ndarray:
        if structure.kind[v] == "chance":
            return probs[v][:, point]
        return np.nan_to_num(behaviour[compiled.ids[v]].T)

    propagate_reach(structure, weights, reach.__getitem__)
    return reach


def _choice(labels: list[str], probs: np.ndarray) -> Choice:
    if np.isnan(probs).any():
        return None
    if probs.max() >= 1 - PROB_TOL:
        return labels[int(np.argmax(probs))]
    return {label: float(p) for label, p in zip(labels, probs) if p > PROB_TOL}


def _show(choice: Any) -> str:
    if isinstance(choice, dict):
        return "{" + ", ".join(f"{k} {v:.3g}" for k, v in choice.items()) + "}"
    return str(choice)


#: Step combinations numbered through a table (no sort) up to this many.
TABLE_SIZE = 1 << 20
#: Step combinations read as one integer up to this many (beyond: rows compared).
MAX_KEY = 1 << 62


def _distinct(steps: list[np.ndarray], radices: list[int]) -> tuple[list[tuple], np.ndarray]:
    """The distinct rows of the step columns (each below its radix) and each row's index
    among them: the steps read as one mixed-radix number where it fits (:data:`MAX_KEY`)."""
    size = math.prod(radices)
    if size >= MAX_KEY:
        kinds, inverse = np.unique(np.stack(steps, axis=1), axis=0, return_inverse=True)
        return [tuple(k) for k in kinds], inverse.reshape(-1)
    key = steps[0].astype(np.int64)
    for step, radix in zip(steps[1:], radices[1:]):
        key = key * radix + step
    if size <= TABLE_SIZE:
        seen = np.zeros(size, dtype=bool)
        seen[key] = True
        flat = np.flatnonzero(seen)
        index = np.zeros(size, dtype=np.int64)
        index[flat] = np.arange(len(flat))
        inverse = index[key]
    else:
        flat, inverse = np.unique(key, return_inverse=True)
    kinds = []
    for number in flat.tolist():
        digits = []
        for radix in reversed(radices):
            number, digit = divmod(number, radix)
            digits.append(digit)
        kinds.append(tuple(reversed(digits)))
    return kinds, inverse.reshape(-1)
