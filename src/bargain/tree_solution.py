"""Subgame-perfect equilibria of game trees as users see them."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from .solvers.arrays import PROB_TOL
from .solvers.backward import TreeArrays, propagate_reach

if TYPE_CHECKING:
    from .games.tree import GameTree, _Compiled

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


class TreeSolution(Sequence[SubgamePerfect]):
    """The subgame-perfect equilibria found at one point; attributes of the first.

    With ``tie_break="all"`` or a proper subgame with several Nash equilibria
    there may be several; ``choices``, ``reach``, ``payoffs`` and ``path`` are
    those of ``self[0]``.
    """

    def __init__(
        self,
        equilibria: Sequence[SubgamePerfect],
        *,
        ties: bool,
        degenerate: bool,
        values: Mapping[str, float],
    ) -> None:
        self.equilibria = tuple(equilibria)
        self.ties = bool(ties)
        self.degenerate = bool(degenerate)
        self.values = dict(values)

    @property
    def choices(self) -> dict[Hashable, Choice]:
        return self.equilibria[0].choices

    @property
    def reach(self) -> dict[Hashable, float]:
        return self.equilibria[0].reach

    @property
    def payoffs(self) -> dict[str, float]:
        return self.equilibria[0].payoffs

    @property
    def path(self) -> tuple[tuple[Hashable, Choice], ...]:
        return self.equilibria[0].path

    def __getitem__(self, index):  # type: ignore[override]
        return self.equilibria[index]

    def __len__(self) -> int:
        return len(self.equilibria)

    def __repr__(self) -> str:
        flags = "".join(f", {f}" for f in ("ties", "degenerate") if getattr(self, f))
        lines = [f"TreeSolution({len(self)} subgame-perfect equilibria{flags})"]
        return "\n".join(lines + [f"  {eq}" for eq in self.equilibria])


class TreeBatchSolution(Sequence[TreeSolution]):
    """Subgame-perfect equilibria at N points in columnar form.

    Rows are (point, equilibrium) pairs sorted by point: ``point`` (R,), ``payoffs`` (R, P),
    ``reach`` (R, terminals) over ``terminals``, ``behaviour[node]`` (R, moves);
    per point ``count``, ``ties`` and ``degenerate`` (N,). ``batch[i]`` is the
    :class:`TreeSolution` of point i.
    """

    def __init__(
        self,
        game: GameTree,
        compiled: _Compiled,
        arrays: TreeArrays,
        points: Mapping[str, np.ndarray],
    ) -> None:
        self.game = game
        self._compiled = compiled
        self.points = dict(points)
        self.point = arrays.point
        self.ties = arrays.ties
        self.degenerate = arrays.degenerate
        self.payoffs = arrays.values.T
        structure = compiled.structure
        self.terminals = [compiled.ids[t] for t in structure.terminals]
        self.reach = arrays.reach.T
        #: Node ids in order of play (preorder from the root).
        self.preorder = [compiled.ids[v] for v in structure.subtree(structure.root)]
        self._behaviour = arrays.behaviour

    @cached_property
    def count(self) -> np.ndarray:
        """Number of equilibria (rows) at each point, (N,)."""
        return np.bincount(self.point, minlength=len(self.ties))

    @cached_property
    def _starts(self) -> np.ndarray:
        """First row of each point (rows come sorted by point), (N + 1,)."""
        return np.concatenate([[0], np.cumsum(self.count)])

    @cached_property
    def _node_reach(self) -> np.ndarray:
        """Probability (nodes, R) of reaching each node, from the choices and the chance
        probabilities (evaluated again at the points: the solver keeps terminal reach only)."""
        structure = self._compiled.structure
        chance = bool(self._compiled.chance_nodes)
        probs = self._compiled.evaluate(self.points, len(self))[0] if chance else {}
        reach = np.empty((len(structure.kind), len(self.point)))

        def weights(v: int) -> np.ndarray:
            if structure.kind[v] == "chance":
                return probs[v][:, self.point]
            return np.nan_to_num(self._behaviour[v])  # NaN: a set its player never reaches

        propagate_reach(structure, weights, reach.__getitem__)
        return reach

    @cached_property
    def behaviour(self) -> dict[Hashable, np.ndarray]:
        """Move probabilities (R, moves) at every decision node."""
        ids = self._compiled.ids
        return {ids[v]: b.T.astype(float) for v, b in self._behaviour.items()}

    def node_reach(self, node: Hashable) -> np.ndarray:
        """Probability (R,) that play reaches ``node`` (any node, not only terminals)."""
        return self._node_reach[self._compiled.index[node]]

    def reach_of(self, nodes: Iterable[Hashable]) -> np.ndarray:
        """Probability (R,) of ending at any of the given terminal nodes."""
        wanted = list(nodes)
        unknown = [n for n in wanted if n not in self.terminals]
        if unknown:
            raise KeyError(f"not terminal nodes: {unknown}; terminals: {self.terminals}")
        return self.reach[:, [self.terminals.index(n) for n in wanted]].sum(axis=1)

    def __len__(self) -> int:
        return len(self.ties)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"point {index} out of range for a batch of {n}")
        i = index % n
        rows = range(self._starts[i], self._starts[i + 1])
        return TreeSolution(
            [self._equilibrium(r) for r in rows],
            ties=self.ties[i],
            degenerate=self.degenerate[i],
            values={k: float(v[i]) for k, v in self.points.items()},
        )

    def __iter__(self) -> Iterator[TreeSolution]:
        return (self[i] for i in range(len(self)))

    def _equilibrium(self, r: int) -> SubgamePerfect:
        game, compiled = self.game, self._compiled
        choices = {}
        for node, spec in game.nodes.items():
            if spec["kind"] == "decision":
                choices[node] = _choice(list(spec["moves"]), self.behaviour[node][r])
        path = []
        for v in compiled.structure.subtree(compiled.structure.root):
            node = compiled.ids[v]
            spec = game.nodes[node]
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
        return SubgamePerfect(
            choices=choices,
            reach={t: float(self.reach[r, k]) for k, t in enumerate(self.terminals)},
            payoffs={p: float(self.payoffs[r, k]) for k, p in enumerate(game.players)},
            path=tuple(path),
        )

    def __repr__(self) -> str:
        return (
            f"TreeBatchSolution({len(self)} points, {len(self.point)} equilibria, "
            f"{int(self.ties.sum())} with ties, {int(self.degenerate.sum())} degenerate)"
        )


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
