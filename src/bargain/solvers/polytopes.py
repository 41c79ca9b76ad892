"""How many vertices a polytope can have: the work estimate of vertex enumeration."""

from __future__ import annotations

from math import comb


def vertex_bound(dimension: int, facets: int) -> int:
    """The most vertices a polytope of this dimension with this many facets can have
    (McMullen's upper bound theorem, attained by cyclic polytopes).

    >>> vertex_bound(2, 4), vertex_bound(6, 12)
    (4, 112)
    """
    d, k = dimension, facets
    if k <= d:
        return 1 if k == d else 0
    return comb(k - (d + 1) // 2, d // 2) + comb(k - d // 2 - 1, (d + 1) // 2 - 1)
