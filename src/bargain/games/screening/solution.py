"""Optimal screening offers as users see them: one row per (point, optimal offer)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import sympy

from bargain.bargaining.screening import REGIMES
from bargain.tolerances import PROB_TOL
from bargain.vocabulary import ident

from ..solution import Columns, EquilibriumBatch, EquilibriumSet
from .compiled import CompiledScreening


@dataclass(frozen=True)
class ScreeningOffer:
    """The proposer's optimal offer at one point and what it brings.

    ``offer`` is NaN where every offer that all types reject is optimal (certain
    war, a continuum of offers); ``payoffs`` and ``shares`` (payoffs over the
    pie) are expected values by player.
    """

    offer: float
    p_war: float
    payoffs: dict[str, float]
    shares: dict[str, float]
    regime: str

    def as_dict(self) -> dict[str, Any]:
        """The offer's measures by name (``offer``, ``p_war``, ``deal``, ``u_<player>``, ...)."""
        out: dict[str, Any] = {"offer": self.offer, "p_war": self.p_war, "deal": 1 - self.p_war}
        out |= {f"u_{ident(k)}": v for k, v in self.payoffs.items()}
        out |= {f"share_{ident(k)}": v for k, v in self.shares.items()}
        return {**out, "regime": self.regime}

    def __str__(self) -> str:
        payoffs = ", ".join(f"{k} {v:.4g}" for k, v in self.payoffs.items())
        return f"offer {self.offer:.6g}: P(war) {self.p_war:.4g}, {payoffs} ({self.regime})"


class ScreeningSolution(EquilibriumSet[ScreeningOffer]):
    """The optimal offer(s) at one point; ``closed_form`` is the game's (or None)."""

    def __init__(
        self,
        offers: Iterable[ScreeningOffer],
        closed_form: dict[str, sympy.Expr] | None,
        **flags: Any,
    ) -> None:
        super().__init__(offers, **flags)
        self.closed_form = closed_form

    def as_dict(self) -> dict[str, list[Any]]:
        """Columns, one entry per optimal offer (see :meth:`ScreeningOffer.as_dict`)."""
        rows = [offer.as_dict() for offer in self]
        return {k: [row[k] for row in rows] for k in rows[0]} if rows else {}

    def __repr__(self) -> str:
        offers = "; ".join(map(str, self)) or "none"
        return f"ScreeningSolution({offers}{', tied' if self.ties else ''})"


class Rows(NamedTuple):
    """Optimal offers as rows in point order (``payoffs`` (R, 2)), and per-point ties."""

    point: np.ndarray
    offer: np.ndarray
    p_war: np.ndarray
    payoffs: np.ndarray
    regime: np.ndarray
    ties: np.ndarray
    method: str

    @classmethod
    def concatenate(cls, parts: list[Rows]) -> Rows:
        """The rows of consecutive chunks of points as one."""
        if len(parts) == 1:
            return parts[0]
        offsets = np.cumsum([0, *(len(p.ties) for p in parts[:-1])])
        return cls(
            np.concatenate([p.point + o for p, o in zip(parts, offsets)]),
            *(np.concatenate([getattr(p, f) for p in parts]) for f in cls._fields[1:-1]),
            parts[0].method,
        )


class ScreeningBatch(EquilibriumBatch):
    """Optimal offers at N points: one row per (point, optimal offer).

    ``offer``, ``p_war`` and ``regime`` (codes into
    :data:`~bargain.bargaining.screening.REGIMES`) are per row, ``pie`` per point;
    ``compiled`` is the game's :class:`~.compiled.CompiledScreening`.
    """

    def __init__(
        self,
        compiled: CompiledScreening,
        points: dict[str, np.ndarray],
        rows: Rows,
        pie: np.ndarray,
        ranges: Callable[[], np.ndarray],
    ) -> None:
        self.compiled = compiled
        self.players = compiled.players
        self.points = points
        self.method = rows.method
        self.point, self.offer, self.p_war = rows.point, rows.offer, rows.p_war
        self.regime, self.payoffs, self.ties = rows.regime, rows.payoffs, rows.ties
        self.degenerate = np.zeros(len(rows.ties), dtype=bool)
        self.pie = pie
        self._ranges = ranges

    @cached_property
    def payoff_range(self) -> np.ndarray:
        """(N, 2): each player's payoff range over deals on the offer range and war."""
        return self._ranges()

    def measure_columns(self) -> Columns:
        pie = self.pie if len(self.point) == len(self.pie) else self.pie[self.point]
        proposer, responder = (ident(p) for p in self.players)
        u = self.payoffs
        return {
            "offer": self.offer,
            "p_war": self.p_war,
            "deal": 1.0 - self.p_war,
            f"u_{proposer}": u[:, 0],
            f"u_{responder}": u[:, 1],
            f"share_{proposer}": u[:, 0] / pie,
            f"share_{responder}": u[:, 1] / pie,
        }

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's case of the solution (``interior``, ``corner: ...``) and its code."""
        return np.asarray(REGIMES, dtype=object)[self.regime], self.regime.astype(np.int64)

    def _point_solution(self, i: int) -> ScreeningSolution:
        rows = self.rows(i)
        pie = float(self.pie[i])
        offers = []
        for r in rows:
            payoffs = dict(zip(self.players, map(float, self.payoffs[r])))
            shares = {k: v / pie for k, v in payoffs.items()}
            regime = REGIMES[self.regime[r]]
            offers.append(
                ScreeningOffer(float(self.offer[r]), float(self.p_war[r]), payoffs, shares, regime)
            )
        return ScreeningSolution(
            offers,
            self.compiled.closed_form,
            values=self.point_values(i),
            ties=bool(self.ties[i]),
            method=self.method,
            batch=self,
            rows=rows,
        )

    def __repr__(self) -> str:
        war = int(np.count_nonzero(self.p_war > PROB_TOL))
        return (
            f"ScreeningBatch({self.method!r}, {len(self)} points, {len(self.point)} optimal "
            f"offers, {war} with a risk of war)"
        )
