"""Where each node of a tree goes: leaves evenly spaced, each parent centred above its children.

The layout is computed once and drawn by both writers, in units of one leaf
spacing across and one level down: the leaves sit at x = 0, 1, 2, ... in
order of play (depth first, moves in order), a parent midway between its
first and last child, and a node at depth d at y = -d.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import NamedTuple

import numpy as np


class Layout(NamedTuple):
    """Node positions (``x``, ``y``) and the size of the tree (``width``: leaf spacings
    across, ``depth``: levels below the root)."""

    x: np.ndarray
    y: np.ndarray

    @property
    def width(self) -> float:
        return float(self.x.max() - self.x.min())

    @property
    def depth(self) -> float:
        return float(-self.y.min())

    def links(self, members: Iterable[int]) -> list[tuple[int, int, bool]]:
        """The lines that join the nodes of an information set: each node to its right-hand
        neighbour in the set, and whether other nodes lie between them on their row (the
        line then arcs over them)."""
        ordered = sorted(members, key=lambda v: (-self.y[v], self.x[v]))
        return [(a, b, self._between(a, b)) for a, b in pairwise(ordered)]

    def _between(self, a: int, b: int) -> bool:
        if self.y[a] != self.y[b]:
            return False
        low, high = sorted((self.x[a], self.x[b]))
        row = self.y == self.y[a]
        return bool(((self.x > low) & (self.x < high) & row).any())


def tidy(children: Sequence[Sequence[int]], root: int = 0) -> Layout:
    """The layout of the tree given by each node's children (see the module's docstring).

    Examples
    --------
    >>> layout = tidy([(1, 2), (), (3, 4), (), ()])
    >>> layout.x.tolist(), layout.y.tolist()
    ([0.75, 0.0, 1.5, 1.0, 2.0], [0.0, -1.0, -1.0, -2.0, -2.0])
    """
    n = len(children)
    x, y = np.zeros(n), np.zeros(n)
    leaves = 0
    stack = [(root, False)]
    while stack:  # depth first, without recursion: children are placed before parents
        v, placed = stack.pop()
        kids = children[v]
        if placed:
            x[v] = (x[kids[0]] + x[kids[-1]]) / 2
        elif not kids:
            x[v], leaves = leaves, leaves + 1
        else:
            stack.append((v, True))
            for c in reversed(kids):
                y[c] = y[v] - 1
                stack.append((c, False))
    return Layout(x, y)
