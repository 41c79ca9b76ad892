"""A game form defined outside bargain: one decision maker picks the best alternative.

It exists to prove the game protocol: nothing in ``src/`` knows it, yet it
registers itself (and, for a subprocess, is found through an entry point of
the ``bargain.forms`` group) and runs through models, sweeps, thresholds,
model files and the command line.

The decision maker's payoff from each alternative is a formula of the
parameters; the equilibrium is every best alternative (``ties="all"``) or
the first of them (``ties="first"``, the default).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

from bargain import formula
from bargain.games import (
    EquilibriumBatch,
    EquilibriumSet,
    GameForm,
    Option,
    SpecReader,
    register_form,
)
from bargain.params import ParamSpace


class ChoiceBatch(EquilibriumBatch):
    """The best alternatives at N points: one row per (point, best alternative)."""

    method = "argmax"

    def __init__(self, game: ChoiceGame, values: np.ndarray, points: dict, ties: str) -> None:
        best = values >= values.max(axis=0) - 1e-12
        if ties == "first":
            best &= np.cumsum(best, axis=0) == 1
        choice, point = np.nonzero(best.T)[::-1]
        order = np.argsort(point, kind="stable")
        self.game, self.points = game, points
        self.players = (game.player,)
        self.point, self.choice = point[order], choice[order]
        self.payoffs = values[self.choice, self.point][:, None]
        self.ties = best.sum(axis=0) > 1
        self.degenerate = np.zeros(values.shape[1], dtype=bool)

    def measure_columns(self) -> dict[str, np.ndarray]:
        names = self.game.alternatives
        chose = {f"chose_{a}": (self.choice == j).astype(float) for j, a in enumerate(names)}
        return {f"u_{self.game.player}": self.payoffs[:, 0], **chose}

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        names = np.asarray(self.game.alternatives, dtype=object)
        return names[self.choice], self.choice

    def _point_solution(self, i: int) -> EquilibriumSet:
        rows = self.rows(i)
        picked = [self.game.alternatives[self.choice[r]] for r in rows]
        return EquilibriumSet(
            picked, values=self.point_values(i), ties=self.ties[i], batch=self, rows=rows
        )


@register_form
class ChoiceGame(GameForm):
    """A decision maker choosing among alternatives whose payoffs are formulas."""

    form = "choice"
    noun = "choice problems"
    options = MappingProxyType({"ties": Option("first", ("first", "all"))})

    def __init__(self, player: str, alternatives: Mapping[str, Any], params: ParamSpace) -> None:
        self.player, self.params, self.players = player, params, (player,)
        self.alternatives = tuple(alternatives)
        self.payoffs = [
            formula.as_expr(v, params, f"alternatives.{k}") for k, v in alternatives.items()
        ]
        self._function = formula.compile_formulas(self.payoffs, params.names)

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> ChoiceBatch:
        ties = self.check_options(options).get("ties", "first")
        bound = self.params.bind_batch(points)
        n = len(next(iter(bound.values()))) if bound else 1
        values = np.broadcast_to(self._function(*bound.values()), (len(self.payoffs), n))
        return ChoiceBatch(self, values, bound, ties)

    def measure_names(self, **options: Any) -> list[str]:
        chose = [f"chose_{a}" for a in self.alternatives]
        return [f"u_{self.player}", *chose, "n_equilibria"]

    def spec(self, render: Callable[[sympy.Basic], Any], name: Any = None) -> dict[str, Any]:
        alternatives = dict(zip(self.alternatives, map(render, self.payoffs)))
        return {"form": self.form, "player": self.player, "alternatives": alternatives}

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> ChoiceGame:
        table = reader.table(table, "game", ["form", "player", "alternatives"])
        player = reader.string(table["player"], "game.player")
        given = reader.table(table["alternatives"], "game.alternatives", optional=None)
        alternatives = {
            k: reader.formula(v, f"game.alternatives.{k}", params) for k, v in given.items()
        }
        return cls(player, alternatives, params)

    def __repr__(self) -> str:
        return f"ChoiceGame({self.player!r}, {list(self.alternatives)})"
