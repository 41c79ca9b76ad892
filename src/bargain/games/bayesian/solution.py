"""Bayesian equilibria: behaviour per type, over a batch of points (see :mod:`.game`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from bargain.checks import count_text
from bargain.solvers import bayesian as kernels
from bargain.tolerances import PROB_TOL
from bargain.vocabulary import ident

from ..solution import Columns, EquilibriumBatch, EquilibriumSet


@dataclass(frozen=True, eq=False)
class BayesianEquilibrium:
    """A Bayesian Nash equilibrium: each type's mixture over actions, and its payoffs.

    ``behaviour[p]`` (K_p, m_p) holds player p's mixture for each of its
    types; ``payoffs`` (P,) each player's ex-ante expected payoff;
    ``interim[p]`` (K_p,) each type's expected payoff given its type;
    ``regret`` the largest gain any type could
    make by deviating.
    """

    behaviour: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    interim: tuple[np.ndarray, ...]
    regret: float
    players: tuple[str, ...]
    types: tuple[tuple[str, ...], ...]
    actions: tuple[tuple[str, ...], ...]

    def as_dict(self) -> dict[str, dict[str, dict[str, float]]]:
        """``{player: {type: {action: probability}}}`` over every action."""
        return {
            player: {
                kind: {a: float(p) for a, p in zip(acts, mix)} for kind, mix in zip(kinds, beh)
            }
            for player, kinds, acts, beh in zip(
                self.players, self.types, self.actions, self.behaviour
            )
        }

    def interim_payoffs(self) -> dict[str, dict[str, float]]:
        """``{player: {type: expected payoff given the type}}``."""
        return {
            player: {kind: float(v) for kind, v in zip(kinds, values)}
            for player, kinds, values in zip(self.players, self.types, self.interim)
        }

    @property
    def support(self) -> dict[str, dict[str, tuple[str, ...]]]:
        """``{player: {type: the actions it plays with positive probability}}``."""
        return {
            player: {
                kind: tuple(a for a, p in zip(acts, mix) if p > PROB_TOL)
                for kind, mix in zip(kinds, beh)
            }
            for player, kinds, acts, beh in zip(
                self.players, self.types, self.actions, self.behaviour
            )
        }

    @property
    def is_pure(self) -> bool:
        """Whether every type plays a single action."""
        return all((b.max(axis=1) >= 1 - PROB_TOL).all() for b in self.behaviour)

    def __repr__(self) -> str:
        parts = []
        for player, kinds, acts, beh in zip(self.players, self.types, self.actions, self.behaviour):
            for kind, mix in zip(kinds, beh):
                who = player if len(kinds) == 1 else f"{player}[{kind}]"
                played = [(a, p) for a, p in zip(acts, mix) if p > PROB_TOL]
                text = (
                    played[0][0]
                    if len(played) == 1
                    else "(" + ", ".join(f"{a} {p:.4g}" for a, p in played) + ")"
                )
                parts.append(f"{who}={text}")
        values = ", ".join(
            f"{p} {v:.4g}" for p, v in zip(self.players, np.round(self.payoffs, 12) + 0.0)
        )
        return f"BayesianEquilibrium({', '.join(parts)} | payoffs {values})"


class BayesianSolution(EquilibriumSet[BayesianEquilibrium]):
    """The Bayesian equilibria found at one point, with the flags of the solve."""

    def __repr__(self) -> str:
        flags = ", degenerate" if self.degenerate else ""
        count = count_text(len(self), "equilibrium", "equilibria")
        lines = [f"BayesianSolution({count}, method={self.method!r}{flags})"]
        lines += [f"  {eq!r}" for eq in self.equilibria]
        return "\n".join(lines)


class BayesianBatch(EquilibriumBatch):
    """Bayesian equilibria at N points, one row per (point, equilibrium).

    ``behaviour[p]`` (R, K_p, m_p) each row's mixtures of player p's types,
    ``interim[p]`` (R, K_p) their expected payoffs, ``payoffs`` (R, P) the
    ex-ante payoffs, ``regret`` (R,); per point ``count``, ``degenerate``
    and ``methods``. ``batch[i]`` is the :class:`BayesianSolution` of point i.
    ``labels`` are the game's players, each player's types and each player's actions.
    """

    def __init__(
        self,
        arrays: kernels.BayesianArrays,
        labels: tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[tuple[str, ...], ...]],
        points: dict[str, np.ndarray],
        method: str,
        rescued: np.ndarray,
        payoff_range: np.ndarray,
    ) -> None:
        self.players, self.types, self.actions = labels
        self.points = points
        self.method = method
        #: (N,) the points where ``method`` found nothing, solved by Lemke–Howson instead.
        self.rescued = rescued
        self.payoff_range = payoff_range
        self.point = arrays.point
        self.behaviour = arrays.behaviour
        self.interim = arrays.interim
        self.payoffs = arrays.payoffs
        self.regret = arrays.regret
        self.degenerate = arrays.degenerate
        self.ties = np.zeros(len(arrays.degenerate), dtype=bool)

    @cached_property
    def methods(self) -> np.ndarray:
        """(N,) the method that solved each point: ``method``, or ``"lemke-howson"`` (on
        the ex-ante form) where ``method`` found nothing."""
        return np.where(self.rescued, "lemke-howson", self.method).astype(object)

    @cached_property
    def _digits(self) -> list[np.ndarray]:
        """Per (player, type) agent, in order: 0 where it mixes, else its action + 1."""
        out = []
        for mix in self.behaviour:
            pure = mix.max(axis=2) >= 1 - PROB_TOL  # (R, K_p)
            out += list(np.where(pure, mix.argmax(axis=2) + 1, 0).T)
        return out

    def measure_columns(self) -> Columns:
        columns: Columns = {}
        for k, player in enumerate(self.players):
            columns[f"u_{ident(player)}"] = self.payoffs[:, k]
        for player, kinds, values in zip(self.players, self.types, self.interim):
            for j, kind in enumerate(kinds):
                columns[f"u_{ident(player)}_{ident(kind)}"] = values[:, j]
        for player, kinds, acts, mix in zip(self.players, self.types, self.actions, self.behaviour):
            for j, kind in enumerate(kinds):
                for a, action in enumerate(acts):
                    columns[f"p_{ident(player)}_{ident(kind)}_{ident(action)}"] = mix[:, j, a]
        pure = np.ones(len(self.point), dtype=bool)
        for digit in self._digits:
            pure &= digit > 0
        columns["pure"] = pure.astype(float)
        columns["regret"] = self.regret
        return columns

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's actions by type, "mixed" for a type that mixes:
        ``"Rival: resolute=fight, conciliatory=mixed; West: concede"``."""
        radix = [len(acts) + 1 for acts, kinds in zip(self.actions, self.types) for _ in kinds]
        code = np.zeros(len(self.point), dtype=np.int64)
        for digit, base in zip(self._digits, radix):
            code = code * base + digit
        unique, inverse = np.unique(code, return_inverse=True)
        names = np.empty(len(unique), dtype=object)
        names[:] = [self._label(int(c), radix) for c in unique]
        return names[inverse], code

    def _label(self, code: int, radix: list[int]) -> str:
        digits = []
        for base in reversed(radix):
            code, digit = divmod(code, base)
            digits.append(digit)
        digits.reverse()
        parts, i = [], 0
        for player, kinds, acts in zip(self.players, self.types, self.actions):
            played = ["mixed" if d == 0 else acts[d - 1] for d in digits[i : i + len(kinds)]]
            i += len(kinds)
            if len(kinds) == 1:
                parts.append(f"{player}: {played[0]}")
            else:
                parts.append(f"{player}: " + ", ".join(f"{k}={a}" for k, a in zip(kinds, played)))
        return "; ".join(parts)

    def _point_solution(self, i: int) -> BayesianSolution:
        rows = self.rows(i)
        equilibria = [
            BayesianEquilibrium(
                tuple(b[e] for b in self.behaviour),
                self.payoffs[e],
                tuple(v[e] for v in self.interim),
                float(self.regret[e]),
                self.players,
                self.types,
                self.actions,
            )
            for e in rows
        ]
        return BayesianSolution(
            equilibria,
            values=self.point_values(i),
            degenerate=self.degenerate[i],
            method=self.methods[i],
            batch=self,
            rows=rows,
        )

    def __repr__(self) -> str:
        return (
            f"BayesianBatch({count_text(len(self), 'point')}, "
            f"{count_text(len(self.point), 'equilibrium', 'equilibria')}, "
            f"{int(self.degenerate.sum())} degenerate, method={self.method!r})"
        )
