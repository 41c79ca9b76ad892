"""A game tree as drawn: a game's extensive form with how each part is shown.

A :class:`TreeShape` is what both writers (:mod:`.tikz`, :mod:`.figure`)
draw: the :class:`~bargain.games.ExtensiveForm` a game gives at the point
(the nodes in order of play, the root first; each branch with the
probability the equilibrium or Nature gives it; the information sets of two
or more nodes) and the text naming the equilibrium. Which branches are
highlighted follows from those probabilities: a branch is on the equilibrium
path if play reaches its node and takes it with positive probability; a
choice the equilibrium makes at a node play does not reach is drawn apart
(:meth:`TreeShape.style`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Literal

import numpy as np

from bargain.games import Branch, ExtensiveForm, Node
from bargain.tables.numbers import NOISE, Format, default_spec
from bargain.tolerances import PROB_TOL

#: How a branch is drawn: on the equilibrium path, an equilibrium choice off the path,
#: or neither.
Style = Literal["path", "off-path choice", "plain"]


@dataclass(frozen=True)
class TreeShape:
    """A tree to draw: the game's extensive form at the point (``tree``) and what the
    highlighted equilibrium is (``equilibrium``, "subgame-perfect equilibrium 1 of 2")."""

    tree: ExtensiveForm
    equilibrium: str

    @property
    def players(self) -> tuple[str, ...]:
        """The players, in the order of the payoffs."""
        return self.tree.players

    @property
    def nodes(self) -> tuple[Node, ...]:
        """The nodes in order of play, the root first."""
        return self.tree.nodes

    @property
    def branches(self) -> tuple[Branch, ...]:
        """Each move, with the probability Nature or the equilibrium gives it."""
        return self.tree.branches

    @property
    def infosets(self) -> tuple[tuple[int, ...], ...]:
        """The nodes of each information set of two or more."""
        return self.tree.infosets

    @cached_property
    def children(self) -> tuple[tuple[int, ...], ...]:
        """Each node's children, in the order of its moves."""
        kids: list[list[int]] = [[] for _ in self.nodes]
        for b in self.branches:
            kids[b.parent].append(b.child)
        return tuple(map(tuple, kids))

    @cached_property
    def parents(self) -> tuple[int | None, ...]:
        """Each node's parent (None for the root)."""
        parent: list[int | None] = [None] * len(self.nodes)
        for b in self.branches:
            parent[b.child] = b.parent
        return tuple(parent)

    @cached_property
    def reach(self) -> np.ndarray:
        """The probability that play reaches each node (the root is node 0)."""
        reach = np.zeros(len(self.nodes))
        reach[0] = 1.0
        for b in self.branches:  # parents come before their children
            reach[b.child] = reach[b.parent] * (b.probability or 0.0)
        return reach

    def style(self, branch: Branch) -> Style:
        """How ``branch`` is drawn (see the module's docstring)."""
        played = (branch.probability or 0.0) > PROB_TOL
        if played and self.reach[branch.parent] > PROB_TOL:
            return "path"
        if played and self.nodes[branch.parent].kind == "decision":
            return "off-path choice"
        return "plain"

    def shows_probability(self, branch: Branch) -> bool:
        """Whether the branch carries its probability: Nature's always, a player's
        where the equilibrium mixes."""
        p = branch.probability
        if self.nodes[branch.parent].kind == "chance":
            return True
        return p is not None and PROB_TOL < p < 1 - PROB_TOL

    @cached_property
    def payoff_texts(self) -> dict[int, tuple[str, ...]]:
        """Each terminal's payoffs as text, one format for all (consistent digits)."""
        terminals = [i for i, n in enumerate(self.nodes) if n.kind == "terminal"]
        texts = number_texts([v for i in terminals for v in self.nodes[i].payoffs])
        k = len(self.players)
        return {i: tuple(texts[j * k : (j + 1) * k]) for j, i in enumerate(terminals)}

    @cached_property
    def probability_texts(self) -> dict[int, str]:
        """The probability shown on each branch that shows one, by branch index."""
        shown = [i for i, b in enumerate(self.branches) if self.shows_probability(b)]
        texts = number_texts([self.branches[i].probability or 0.0 for i in shown])
        return dict(zip(shown, texts))


def number_texts(values: list[float]) -> list[str]:
    """Numbers as text in one format, as tables show a column: the same decimals, enough
    for three significant digits, float noise (relative to the largest) as 0."""
    array = np.asarray(values, dtype=float)
    zero = NOISE * float(np.max(np.abs(array), initial=0.0))
    cleaned = np.where(np.abs(array) <= zero, 0.0, array)
    form = Format(default_spec(cleaned[np.isfinite(cleaned)]), zero)
    return [form.text(v) or "" for v in cleaned]
