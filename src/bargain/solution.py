"""Equilibria as users see them: one :class:`Solution` per game, or a batch."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .solvers.arrays import PROB_TOL, EquilibriumArrays


@dataclass(frozen=True, eq=False)
class Equilibrium:
    """A Nash equilibrium: one probability vector per player and the expected payoffs."""

    profile: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]

    @property
    def support(self) -> tuple[tuple[str, ...], ...]:
        """The strategies each player plays with positive probability."""
        return tuple(
            tuple(label for label, p in zip(labels, mix) if p > PROB_TOL)
            for labels, mix in zip(self.strategies, self.profile)
        )

    @property
    def is_pure(self) -> bool:
        """Whether every player plays a single strategy."""
        return all(len(s) == 1 for s in self.support)

    def as_dict(self) -> dict[str, dict[str, float]]:
        """``{player: {strategy: probability}}`` over every strategy."""
        return {
            player: {label: float(p) for label, p in zip(labels, mix)}
            for player, labels, mix in zip(self.players, self.strategies, self.profile)
        }

    def __repr__(self) -> str:
        parts = []
        for player, labels, mix in zip(self.players, self.strategies, self.profile):
            played = ", ".join(
                label if self.is_pure else f"{label} {p:.4g}"
                for label, p in zip(labels, mix)
                if p > PROB_TOL
            )
            parts.append(f"{player}: {played}")
        values = ", ".join(f"{v:.4g}" for v in np.round(self.payoffs, 12) + 0.0)
        return f"Equilibrium({'; '.join(parts)} | payoffs {values})"


class Solution(Sequence[Equilibrium]):
    """All equilibria found for one game, with the flags of the solve."""

    def __init__(
        self,
        equilibria: Sequence[Equilibrium],
        *,
        degenerate: bool,
        method: str,
        values: Mapping[str, float],
    ) -> None:
        self.equilibria = tuple(equilibria)
        self.degenerate = bool(degenerate)
        self.method = method
        self.values = dict(values)

    def __getitem__(self, index):  # type: ignore[override]
        return self.equilibria[index]

    def __len__(self) -> int:
        return len(self.equilibria)

    def __repr__(self) -> str:
        flags = ", degenerate" if self.degenerate else ""
        lines = [f"Solution({len(self)} equilibria, method={self.method!r}{flags})"]
        lines += [f"  {eq!r}" for eq in self.equilibria]
        return "\n".join(lines)


class BatchSolution(Sequence[Solution]):
    """Equilibria of N games in columnar form; ``batch[i]`` is the :class:`Solution` of point i.

    Columns: ``point`` (E,) the point of each equilibrium, ``profiles`` one (E, s_p)
    array per player, ``payoffs`` (E, P); per point: ``count`` (N,) the number of
    equilibria and ``degenerate`` (N,); ``points`` the parameter values. Rows are
    in solver order; ``rows(i)`` lists those of point i.
    """

    def __init__(
        self,
        arrays: EquilibriumArrays,
        *,
        players: Sequence[str],
        strategies: Sequence[Sequence[str]],
        points: Mapping[str, np.ndarray],
        method: str,
    ) -> None:
        self.arrays = arrays
        self.players = tuple(players)
        self.strategies = tuple(tuple(s) for s in strategies)
        self.points = dict(points)
        self.method = method
        self.count = np.bincount(arrays.point, minlength=len(arrays.degenerate))
        self._order: np.ndarray | None = None

    @property
    def point(self) -> np.ndarray:
        return self.arrays.point

    @property
    def profiles(self) -> tuple[np.ndarray, ...]:
        return self.arrays.profiles

    @property
    def payoffs(self) -> np.ndarray:
        return self.arrays.payoffs

    @property
    def degenerate(self) -> np.ndarray:
        return self.arrays.degenerate

    def rows(self, index: int) -> np.ndarray:
        """Indices of the equilibrium rows of point ``index``."""
        if self._order is None:
            self._order = np.argsort(self.point, kind="stable")
            self._starts = np.concatenate([[0], np.cumsum(self.count)])
        return self._order[self._starts[index] : self._starts[index + 1]]

    def __len__(self) -> int:
        return len(self.arrays.degenerate)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"point {index} out of range for a batch of {n}")
        i = index % n
        equilibria = [
            Equilibrium(
                tuple(prof[e] for prof in self.profiles),
                self.payoffs[e],
                self.players,
                self.strategies,
            )
            for e in self.rows(i)
        ]
        values = {name: float(v[i]) for name, v in self.points.items()}
        return Solution(
            equilibria, degenerate=self.degenerate[i], method=self.method, values=values
        )

    def __iter__(self) -> Iterator[Solution]:
        return (self[i] for i in range(len(self)))

    def __repr__(self) -> str:
        return (
            f"BatchSolution({len(self)} points, {len(self.point)} equilibria, "
            f"{int(self.degenerate.sum())} degenerate, method={self.method!r})"
        )
