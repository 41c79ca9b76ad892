"""Equilibrium rows of consecutive chunks of points, joined as they are found.

Joining chunks at the end (:func:`~bargain.solvers.arrays.stack`) keeps every
chunk's arrays alive until then: hundreds of arrays of a few hundred kB, each
faulted in page by page (a page fault costs microseconds in a virtual machine,
more than the arithmetic on the page), and then copied once more. A collector
copies each chunk's rows, while they are in cache, into arrays sized for the
whole batch: large arrays, which numpy maps in huge pages, each page touched once.
"""

from __future__ import annotations

import numpy as np

from .arrays import EquilibriumArrays


class RowCollector:
    """Rows of the chunks of a batch of N games, added in order of their first point.

    ``rows_per_point`` guesses the rows to expect; the arrays double when it is passed.
    """

    def __init__(
        self, n_points: int, strategies: tuple[int, ...], rows_per_point: float = 2.0
    ) -> None:
        capacity = max(16, int(n_points * rows_per_point))
        self._point = np.empty(capacity, dtype=np.intp)
        self._profiles = [np.empty((capacity, s)) for s in strategies]
        self._payoffs = np.empty((capacity, len(strategies)))
        self._regret: np.ndarray | None = np.empty(capacity)
        self._degenerate = np.zeros(n_points, dtype=bool)
        self._rows = 0

    def add(self, part: EquilibriumArrays, start: int) -> None:
        """Append the rows of the chunk whose first point is ``start``."""
        end = self._rows + len(part.point)
        if end > len(self._point):
            self._grow(end)
        new = slice(self._rows, end)
        np.add(part.point, start, out=self._point[new])
        for mine, theirs in zip(self._profiles, part.profiles):
            mine[new] = theirs
        self._payoffs[new] = part.payoffs
        if part.regret is None:
            self._regret = None
        elif self._regret is not None:
            self._regret[new] = part.regret
        self._degenerate[start : start + len(part.degenerate)] = part.degenerate
        self._rows = end

    def result(self) -> EquilibriumArrays:
        """The rows added, in order (views of the collector's arrays)."""
        rows = slice(0, self._rows)
        return EquilibriumArrays(
            self._point[rows],
            tuple(p[rows] for p in self._profiles),
            self._payoffs[rows],
            self._degenerate,
            None if self._regret is None else self._regret[rows],
        )

    def _grow(self, needed: int) -> None:
        capacity = max(needed, 2 * len(self._point))

        def grown(array: np.ndarray) -> np.ndarray:
            out = np.empty((capacity, *array.shape[1:]), dtype=array.dtype)
            out[: self._rows] = array[: self._rows]
            return out

        self._point = grown(self._point)
        self._profiles = [grown(p) for p in self._profiles]
        self._payoffs = grown(self._payoffs)
        if self._regret is not None:
            self._regret = grown(self._regret)
