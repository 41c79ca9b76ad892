"""Nash equilibria of normal-form games as users see them: one :class:`Solution` per
point, or a :class:`BatchSolution` over many."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import product

import numpy as np

from bargain.checks import count_text
from bargain.solvers.arrays import EquilibriumArrays
from bargain.tolerances import PROB_TOL
from bargain.vocabulary import ident

from ..solution import Columns, EquilibriumBatch, EquilibriumSet


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


class Solution(EquilibriumSet[Equilibrium]):
    """All equilibria found for one game, with the flags of the solve."""

    def __repr__(self) -> str:
        flags = ", degenerate" if self.degenerate else ""
        count = count_text(len(self), "equilibrium", "equilibria")
        lines = [f"Solution({count}, method={self.method!r}{flags})"]
        lines += [f"  {eq!r}" for eq in self.equilibria]
        return "\n".join(lines)


class BatchSolution(EquilibriumBatch):
    """Equilibria of N games in columnar form; ``batch[i]`` is the :class:`Solution` of point i.

    Columns: ``point`` (E,) the point of each equilibrium, ``profiles`` one (E, s_p)
    array per player, ``payoffs`` (E, P); per point: ``count`` (N,) the number of
    equilibria and ``degenerate`` (N,); ``points`` the parameter values. Rows are
    in solver order; ``rows(i)`` lists those of point i. ``payoff_tensor(points)``
    gives the games' payoffs again where risk dominance is defined (2x2 games).
    """

    def __init__(
        self,
        arrays: EquilibriumArrays,
        *,
        players: Sequence[str],
        strategies: Sequence[Sequence[str]],
        points: dict[str, np.ndarray],
        method: str,
        rescued: np.ndarray | None = None,
        payoff_range: np.ndarray | None = None,
        payoff_tensor: Callable[[Mapping[str, np.ndarray]], np.ndarray] | None = None,
    ) -> None:
        self.arrays = arrays
        self.players = tuple(players)
        self.strategies = tuple(tuple(s) for s in strategies)
        self.points = points
        self.payoff_tensor = payoff_tensor
        #: (N,) the points ``method`` found nothing at, solved by Lemke–Howson instead.
        self.rescued = rescued if rescued is not None else np.zeros(len(self.degenerate), bool)
        if payoff_range is not None:
            self.payoff_range = payoff_range
        self.method = method
        self.point = arrays.point
        self.profiles = arrays.profiles
        self.payoffs = arrays.payoffs
        self.degenerate = arrays.degenerate
        self.ties = np.zeros(len(arrays.degenerate), dtype=bool)

    @cached_property
    def methods(self) -> np.ndarray:
        """(N,) the method that solved each point: ``method``, or ``"lemke-howson"``
        where ``method`` found nothing."""
        return np.where(self.rescued, "lemke-howson", self.method).astype(object)

    @cached_property
    def _pure(self) -> tuple[np.ndarray, np.ndarray]:
        """Whether each row is a pure equilibrium, and the flat index of its profile."""
        pure = np.ones(len(self.point), dtype=bool)
        profile = np.zeros(len(self.point), dtype=np.int64)
        for labels, mix in zip(self.strategies, self.profiles):
            pure &= mix.max(axis=1) >= 1 - PROB_TOL
            profile = profile * len(labels) + mix.argmax(axis=1)
        return pure, profile

    def measure_columns(self) -> Columns:
        columns: Columns = {}
        for k, player in enumerate(self.players):
            columns[f"u_{ident(player)}"] = self.payoffs[:, k]
        for player, labels, mix in zip(self.players, self.strategies, self.profiles):
            for j, s in enumerate(labels):
                columns[f"p_{ident(player)}_{ident(s)}"] = mix[:, j]
        columns["pure"] = self._pure[0].astype(float)
        if self.arrays.regret is not None:
            columns["regret"] = self.arrays.regret
        return columns

    @cached_property
    def regime_names(self) -> np.ndarray:
        """ "mixed", then every pure profile ("pressure/resist") in C order."""
        profiles = ["/".join(p) for p in product(*self.strategies)]
        return np.asarray(["mixed", *profiles], dtype=object)

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        """The pure profile of each row ("pressure/resist") or "mixed"."""
        pure, profile = self._pure
        code = np.where(pure, profile + 1, 0)
        return self.regime_names[code], code

    def risk_dominance(self) -> np.ndarray:
        """Nash product of the losses from deviating from each pure row (-inf if mixed).

        Of two strict pure equilibria of a 2x2 game, the larger product risk-
        dominates (Harsanyi and Selten 1988, p. 87).
        """
        if self.payoff_tensor is None or tuple(map(len, self.strategies)) != (2, 2):
            return super().risk_dominance()
        payoffs = self.payoff_tensor(self.points)
        pure = self._pure[0]
        row, col = self.profiles[0].argmax(axis=1), self.profiles[1].argmax(axis=1)
        A, B, t = payoffs[0], payoffs[1], self.point
        loss = (A[row, col, t] - A[1 - row, col, t]) * (B[row, col, t] - B[row, 1 - col, t])
        return np.where(pure, loss, -np.inf)

    def _point_solution(self, i: int) -> Solution:
        rows = self.rows(i)
        equilibria = [
            Equilibrium(
                tuple(prof[e] for prof in self.profiles),
                self.payoffs[e],
                self.players,
                self.strategies,
            )
            for e in rows
        ]
        return Solution(
            equilibria,
            values=self.point_values(i),
            degenerate=self.degenerate[i],
            method=self.methods[i],
            batch=self,
            rows=rows,
        )

    def __repr__(self) -> str:
        return (
            f"BatchSolution({count_text(len(self), 'point')}, "
            f"{count_text(len(self.point), 'equilibrium', 'equilibria')}, "
            f"{int(self.degenerate.sum())} degenerate, method={self.method!r})"
        )
