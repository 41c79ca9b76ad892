"""A game tree (:class:`~bargain.games.GameTree`) and one of its subgame-perfect
equilibria as a :class:`~.shape.TreeShape`."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np

from bargain.formula import compile_formulas
from bargain.games import GameTree, SubgamePerfect

from .shape import NATURE, Branch, Node, TreeShape


def tree_shape(
    game: GameTree, equilibrium: SubgamePerfect | None, values: Mapping[str, float], what: str
) -> TreeShape:
    """The tree at the point ``values`` (every parameter of the game), with the choices
    of ``equilibrium`` (None: no equilibrium to highlight), described by ``what``."""
    spec = game.nodes
    order = _preorder(spec, game.root)
    index = {node: i for i, node in enumerate(order)}
    probs, payoffs = _evaluate(game, order, values)
    nodes, branches = [], []
    for node in order:
        kind = spec[node]["kind"]
        player = spec[node].get("player", NATURE if kind == "chance" else "")
        nodes.append(Node(kind, str(node), player, payoffs.get(node, ())))
        choice = equilibrium.choices.get(node) if equilibrium else None
        for label, child in spec[node].get("moves", {}).items():
            if kind == "chance":
                p: float | None = probs[node][label]
            else:
                p = _probability(choice, label)
            branches.append(Branch(index[node], index[child], label, p))
    sets: dict[Hashable, list[int]] = {}
    for node in order:
        if spec[node]["kind"] == "decision" and spec[node]["infoset"] is not None:
            sets.setdefault(spec[node]["infoset"], []).append(index[node])
    infosets = tuple(tuple(members) for members in sets.values() if len(members) > 1)
    return TreeShape(game.players, tuple(nodes), tuple(branches), infosets, what)


def _probability(choice: Any, label: str) -> float | None:
    """The probability of a move under an equilibrium's choice at its node."""
    if choice is None:
        return None
    if isinstance(choice, dict):
        return float(choice.get(label, 0.0))
    return 1.0 if choice == label else 0.0


def _preorder(spec: Mapping[Hashable, dict[str, Any]], root: Hashable) -> list[Hashable]:
    """The node ids in order of play: depth first, moves in their order."""
    order, stack = [], [root]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(reversed(list(spec[node].get("moves", {}).values())))
    return order


def _evaluate(
    game: GameTree, order: list[Hashable], values: Mapping[str, float]
) -> tuple[dict[Hashable, dict[str, float]], dict[Hashable, tuple[float, ...]]]:
    """Nature's probabilities at each chance node and the payoffs at each terminal, at the
    point, computed by the same compiled formulas as the solver's."""
    spec = game.nodes
    exprs, where = [], []
    for node in order:
        if spec[node]["kind"] == "chance":
            for label, expr in spec[node]["probs"].items():
                exprs.append(expr)
                where.append((node, label))
        elif spec[node]["kind"] == "terminal":
            for player in game.players:
                exprs.append(spec[node]["payoffs"][player])
                where.append((node, player))
    numbers = compile_formulas(exprs, game.params)(*(values[n] for n in game.params.names))
    probs: dict[Hashable, dict[str, float]] = {}
    payoffs: dict[Hashable, tuple[float, ...]] = {}
    for (node, key), value in zip(where, np.atleast_1d(numbers).tolist()):
        if spec[node]["kind"] == "chance":
            probs.setdefault(node, {})[key] = value
        else:
            payoffs[node] = (*payoffs.get(node, ()), value)
    return probs, payoffs
