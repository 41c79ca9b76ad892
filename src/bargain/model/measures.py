"""Measures: named quantities of each equilibrium, as columns over rows.

Every equilibrium row of a solved batch gets its game form's built-in
columns (``game.measure_names()``), and users add their own as formulas over
the parameters and these columns:

normal form
    ``u_<player>`` expected payoff, ``p_<player>_<strategy>`` probability,
    ``pure`` (1 for a pure equilibrium), ``regret`` (the largest gain from a
    deviation: at most the tolerance), ``n_equilibria`` at the point;
    label ``regime``: the pure profile ("pressure/resist") or "mixed".
game tree
    ``u_<player>``, ``reach_<terminal>``, ``p_<node>_<move>`` behaviour
    probability, one column per named outcome set (the probability of ending
    in it), ``regret``, ``n_equilibria``; label ``regime``: the equilibrium path.
bargaining protocol
    ``u_<label>`` share, ``deal`` (1 if the players agree at once),
    ``n_equilibria``; label ``regime``: "deal" or "no deal".

The other forms (Bayesian games, screening offers, signaling games,
mediation) name theirs in ``measure_names`` and their docs pages; measures
that are properties of the point (``n_pbe``) are the form's
``point_measures``.

Labels that are not identifiers are made so (``U.S.`` becomes ``U_S_``).
"""

from __future__ import annotations

import warnings
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import sympy

from bargain import formula
from bargain.errors import DegenerateGameWarning, ModelError, warn
from bargain.games import EquilibriumBatch, GameForm
from bargain.games.solution import Columns


class Measures:
    """The built-in and user measures of a game, compiled once.

    Parameters
    ----------
    game : a game of any form.
    measures : user measures, name -> formula (string or sympy) over the
        parameters and the built-in columns.
    outcomes : name -> members of the game's outcome sets (terminal nodes of
        a tree); each becomes a column holding the probability of ending in it.
    options : the solve options (checked), which may decide the built-in measures.
    """

    def __init__(
        self,
        game: GameForm,
        measures: Mapping[str, Any] | None = None,
        outcomes: Mapping[str, Iterable[Hashable]] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        self.game = game
        options = dict(options or {})
        self.builtin = game.measure_names(**options)
        if len(set(self.builtin)) != len(self.builtin):
            raise ModelError(f"labels give clashing measure names: {sorted(self.builtin)}")
        self.outcomes = game.check_outcomes(outcomes or {})
        taken = set(game.params.names)
        for name in [*self.builtin, *self.outcomes]:
            if name in taken:
                raise ModelError(f"measure name {name!r} is used twice (a parameter or a measure)")
            taken.add(name)
        known = (*game.params.names, *self.builtin, *self.outcomes)
        self.user: dict[str, sympy.Basic] = {}
        for name, expr in (measures or {}).items():
            if not name.isidentifier() or name in taken:
                raise ModelError(
                    f"measures.{name}: expected a new identifier (not a parameter or "
                    f"built-in measure)"
                )
            self.user[name] = _user_measure(expr, known, f"measures.{name}")
            taken.add(name)
        given = {*game.params.names, *game.point_measures(**options)}
        #: Measures of the point itself: the form's, and user measures of the parameters
        #: and those only. Per-point tables give them whichever equilibrium is chosen.
        self.per_point = [
            *game.point_measures(**options),
            *(n for n, e in self.user.items() if formula.free_names(e) <= given),
        ]
        used = set().union(*map(formula.free_names, self.user.values())) if self.user else set()
        self._inputs = tuple(n for n in known if n in used)
        self._function = (
            formula.compile_formulas(list(self.user.values()), self._inputs) if self.user else None
        )

    @property
    def names(self) -> tuple[str, ...]:
        """Every numeric measure column, built-in first."""
        return (*self.builtin, *self.outcomes, *self.user)

    def solve(
        self, points: Mapping[str, np.ndarray], **options: Any
    ) -> tuple[EquilibriumBatch, Columns]:
        """Solve at bound points; return the solution and the row columns.

        Row columns: ``point`` (row -> point index), every measure, and the
        label columns ``regime``; per-point flags ``degenerate`` and ``ties``
        are broadcast to rows.
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateGameWarning)
            solution = self.game.solve_batch(points, **options)
        return solution, self.columns(solution, points)

    def columns(self, solution: EquilibriumBatch, points: Mapping[str, np.ndarray]) -> Columns:
        """The row columns of a solved batch at its bound ``points``: ``point``, every
        measure, the label column ``regime`` and the per-point flags ``degenerate`` and
        ``ties`` broadcast to rows."""
        columns = solution.columns()
        for name, members in self.outcomes.items():
            columns[name] = solution.outcome(members)
        if self._function is not None:
            point = columns["point"]
            values = self._function(  # a measure's columns, or a parameter at each row
                *(columns[n] if n in columns else points[n][point] for n in self._inputs)
            )
            for name, row in zip(self.user, np.atleast_2d(values)):
                columns[name] = np.broadcast_to(row, columns["point"].shape).astype(float)
                bad = int(np.count_nonzero(~np.isfinite(columns[name])))
                if bad:  # e.g. a division by zero: say so rather than tabulate NaN silently
                    total = len(columns[name])
                    warn(f"measure {name!r} is not finite for {bad} of {total} equilibria")
        return columns


def _user_measure(expr: Any, known: tuple[str, ...], where: str) -> sympy.Basic:
    """A user measure: a formula string (parsed) or a sympy expression of known names."""
    if isinstance(expr, str):
        return formula.parse(expr, known, where=where)
    if isinstance(expr, sympy.Basic):
        unknown = formula.free_names(expr) - set(known)
        if unknown:
            raise ModelError(f"{where}: unknown names {sorted(unknown)}")
        return expr
    raise ModelError(f"{where}: expected a formula, got {expr!r}")
