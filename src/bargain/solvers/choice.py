"""The method ``method="auto"`` chooses for a game of a given size, and why.

Measured on random square games (per game, batched; ``tests/benchmarks``):
support enumeration wins while it examines few pairs of supports (up to 5x5), the
batched vertex enumeration from 6x6 until its work estimate passes its budget
(16x16), Lemke–Howson from each starting label beyond (an equilibrium per label,
not all of them). Games of three or more players get their pure equilibria.
Degenerate points then go to the exact method where it is installed and within
its budget (:mod:`bargain.games.normal.exact`).
"""

from __future__ import annotations

from .support import support_pairs
from .vertex import MAX_VERTICES, vertex_work

#: Support enumeration is chosen up to this many pairs of supports (a 5x5 game: 251).
AUTO_SUPPORT_PAIRS = 500


def choose(shape: tuple[int, ...]) -> tuple[str, str]:
    """The method for a game of strategy counts ``shape``, and the reason, in words.

    Examples
    --------
    >>> choose((2, 2))[0], choose((10, 10))[0], choose((20, 20))[0], choose((2, 2, 2))[0]
    ('support', 'vertex', 'lemke-howson', 'pure')
    """
    if len(shape) != 2:
        return "pure", f"a {len(shape)}-player game: its pure equilibria"
    m, n = shape
    pairs = support_pairs(m, n)
    if pairs <= AUTO_SUPPORT_PAIRS:
        return "support", f"a {m}x{n} game: support enumeration ({pairs:,} pairs of supports)"
    work = vertex_work(m, n)
    if work <= MAX_VERTICES:
        return "vertex", f"a {m}x{n} game: vertex enumeration (at most {work:,} vertices)"
    return "lemke-howson", (
        f"a {m}x{n} game: Lemke–Howson from each starting label (all equilibria would need "
        f"up to {work:,} vertices, above the budget of {MAX_VERTICES:,})"
    )
