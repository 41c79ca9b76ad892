"""A game in extensive form at one point, with one equilibrium's choices: what a game tree
is drawn from (:meth:`~bargain.games.GameForm.extensive_form`, ``bargain draw``).

Form-independent plain data: the nodes in order of play (the root first), the
branches with the probability Nature or the equilibrium gives each, and the
information sets of two or more nodes. A game tree gives its own nodes; a
signaling game its tree (Nature picks the type, the type a message, the
receiver acts at one information set per message).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: The kinds of node, as the game trees of :mod:`bargain.games.tree` name them.
Kind = Literal["decision", "chance", "terminal"]
#: The player of chance nodes.
NATURE = "Nature"


@dataclass(frozen=True)
class Node:
    """A node: its kind, its id in the game (as text), who moves (:data:`NATURE` at a
    chance node, nobody at a terminal), its payoffs (terminals, in the players' order)."""

    kind: Kind
    name: str
    player: str = ""
    payoffs: tuple[float, ...] = ()


@dataclass(frozen=True)
class Branch:
    """A move from node ``parent`` to node ``child`` (indices into the nodes);
    ``probability`` is Nature's at a chance node, the equilibrium's at a decision node
    (None where it leaves the node's choice open: a set its player's own earlier moves
    exclude, or no equilibrium given)."""

    parent: int
    child: int
    label: str
    probability: float | None


@dataclass(frozen=True)
class ExtensiveForm:
    """A game tree at one point with one equilibrium's choices: the ``players`` in the
    order of the payoffs, ``nodes`` in order of play (the root first, every parent before
    its children), ``branches`` in the order of each node's moves, ``infosets`` (the
    nodes of each information set of two or more) and the ``concept`` of the equilibrium
    ("subgame-perfect equilibrium")."""

    players: tuple[str, ...]
    nodes: tuple[Node, ...]
    branches: tuple[Branch, ...]
    infosets: tuple[tuple[int, ...], ...]
    concept: str
