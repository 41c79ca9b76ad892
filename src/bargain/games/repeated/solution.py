"""Solutions of repeated games: the named profiles checked at each point."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bargain.vocabulary import ident

from ..solution import Columns, EquilibriumBatch, EquilibriumSet
from .profiles import PROFILES


@dataclass(frozen=True)
class ProfileCheck:
    """One named profile at one point: whether it is subgame perfect, its critical
    discount factors ``delta`` (least) and ``delta_max`` (largest; both NaN where no
    interval of discount factors will do) and its average discounted ``payoffs``."""

    profile: str
    spe: bool
    delta: float
    delta_max: float
    payoffs: tuple[float, ...]

    def __str__(self) -> str:
        verdict = "SPE" if self.spe else "not SPE"
        payoffs = ", ".join(f"{u:.4g}" for u in self.payoffs)
        return f"{self.profile}: {verdict} (critical delta {self.delta:.4g}; payoffs {payoffs})"


class RepeatedSolution(EquilibriumSet[ProfileCheck]):
    """The selected equilibrium at one point (the most cooperative named profile that is
    subgame perfect; empty if none), and ``checks``, every named profile checked."""

    def __init__(
        self, equilibria: list[ProfileCheck], checks: dict[str, ProfileCheck], **flags: Any
    ):
        super().__init__(equilibria, **flags)
        self.checks = checks

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Per profile: ``spe``, ``delta``, ``delta_max`` and ``payoffs``."""
        return {
            name: {"spe": c.spe, "delta": c.delta, "delta_max": c.delta_max, "payoffs": c.payoffs}
            for name, c in self.checks.items()
        }

    def __repr__(self) -> str:
        checks = "; ".join(map(str, self.checks.values()))
        return f"RepeatedSolution({checks})"


class RepeatedBatch(EquilibriumBatch):
    """The named profiles at N points; one row per point whose most cooperative subgame-
    perfect named profile (in the order of ``PROFILES``) is its equilibrium.

    ``spe``, ``delta``, ``delta_max`` are (profiles, N); ``values`` (profiles, 2, N)
    the average discounted payoffs; ``gains`` the largest one-shot deviation
    gain per profile (profiles, N).
    """

    method = "one-shot deviation"

    def __init__(
        self,
        players: tuple[str, ...],
        points: dict[str, np.ndarray],
        delta_value: np.ndarray,
        spe: np.ndarray,
        delta: np.ndarray,
        delta_max: np.ndarray,
        values: np.ndarray,
        gains: np.ndarray,
        span: np.ndarray,
    ) -> None:
        self.players, self.points = players, points
        self.discount = delta_value
        self.spe, self.delta, self.delta_max = spe, delta, delta_max
        self.values, self.gains = values, gains
        n = spe.shape[1]
        self.choice = np.argmax(spe, axis=0)  # the first SPE profile
        self.point = np.flatnonzero(spe.any(axis=0))
        self.payoffs = values[self.choice[self.point], :, self.point]
        self.degenerate = np.zeros(n, dtype=bool)
        self.ties = np.zeros(n, dtype=bool)
        self._span = span

    @property
    def payoff_range(self) -> np.ndarray:
        """(N, 2) each player's range of stage payoffs."""
        return self._span.T

    def measure_columns(self) -> Columns:
        rows = self.point
        names = [ident(p) for p in self.players]
        columns = {f"u_{name}": self.payoffs[:, i] for i, name in enumerate(names)}
        for j, profile in enumerate(PROFILES):
            columns[f"spe_{profile}"] = self.spe[j, rows].astype(float)
            columns[f"delta_{profile}"] = self.delta[j, rows]
            columns[f"delta_max_{profile}"] = self.delta_max[j, rows]
            for i, name in enumerate(names):
                columns[f"u_{name}_{profile}"] = self.values[j, i, rows]
        return columns

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        """The selected profile's name per row, and its index in ``PROFILES``."""
        codes = self.choice[self.point]
        return np.asarray(PROFILES, dtype=object)[codes], codes

    def _point_solution(self, i: int) -> RepeatedSolution:
        checks = {
            name: ProfileCheck(
                name,
                bool(self.spe[j, i]),
                float(self.delta[j, i]),
                float(self.delta_max[j, i]),
                tuple(float(v) for v in self.values[j, :, i]),
            )
            for j, name in enumerate(PROFILES)
        }
        chosen = [checks[PROFILES[self.choice[i]]]] if self.spe[:, i].any() else []
        return RepeatedSolution(
            chosen,
            checks,
            values=self.point_values(i),
            method=self.method,
            batch=self,
            rows=self.rows(i),
        )

    def __repr__(self) -> str:
        counts = ", ".join(f"{p} {int(s.sum())}" for p, s in zip(PROFILES, self.spe))
        return f"RepeatedBatch({len(self)} points; SPE at: {counts})"
