"""A game tree at one point with the choices of one subgame-perfect equilibrium, as an
:class:`~bargain.games.extensive.ExtensiveForm` (:meth:`GameTree.extensive_form
<bargain.games.tree.GameTree.extensive_form>`)."""

from __future__ import annotations

from collections.abc import Mapping

from ..extensive import NATURE, Branch, ExtensiveForm, Node
from .compiled import CompiledTree
from .solution import Choice, SubgamePerfect

#: What the equilibria of a tree are.
CONCEPT = "subgame-perfect equilibrium"


def tree_form(
    compiled: CompiledTree, equilibrium: SubgamePerfect | None, values: Mapping[str, float]
) -> ExtensiveForm:
    """The tree at the point ``values`` with the choices of ``equilibrium`` (None: none),
    Nature's probabilities and the payoffs computed by the solver's compiled formulas."""
    ids, structure = compiled.ids, compiled.structure
    bound = compiled.params.bind_batch(dict(values))
    probs, payoffs = compiled.evaluate(bound, 1)
    order = _preorder(structure.children)
    index = {v: i for i, v in enumerate(order)}
    nodes, branches = [], []
    for v in order:
        spec = compiled.nodes[ids[v]]
        kind = spec["kind"]
        player = spec.get("player", NATURE if kind == "chance" else "")
        paid = tuple(payoffs[v][:, 0].tolist()) if kind == "terminal" else ()
        nodes.append(Node(kind, str(ids[v]), player, paid))
        choice = equilibrium.choices.get(ids[v]) if equilibrium is not None else None
        for k, (label, child) in enumerate(zip(spec.get("moves", {}), structure.children[v])):
            p = float(probs[v][k, 0]) if kind == "chance" else _probability(choice, label)
            branches.append(Branch(index[v], index[child], label, p))
    sets: dict[int, list[int]] = {}
    for v in order:
        if structure.infoset[v] >= 0:
            sets.setdefault(structure.infoset[v], []).append(index[v])
    infosets = tuple(tuple(members) for members in sets.values() if len(members) > 1)
    return ExtensiveForm(compiled.players, tuple(nodes), tuple(branches), infosets, CONCEPT)


def _probability(choice: Choice, label: str) -> float | None:
    """The probability of a move under an equilibrium's choice at its node."""
    if choice is None:
        return None
    if isinstance(choice, dict):
        return float(choice.get(label, 0.0))
    return 1.0 if choice == label else 0.0


def _preorder(children: tuple[tuple[int, ...], ...]) -> list[int]:
    """The nodes in order of play: depth first from the root (node 0), moves in order."""
    order, stack = [], [0]
    while stack:
        v = stack.pop()
        order.append(v)
        stack.extend(reversed(children[v]))
    return order
