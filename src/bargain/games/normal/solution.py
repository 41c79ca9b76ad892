"""Nash equilibria of normal-form games as users see them: one :class:`Solution` per
point, or a :class:`BatchSolution` over many."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import product

import numpy as np

from bargain.checks import count_text
from bargain.errors import DegenerateGameWarning, ModelError, warn
from bargain.solvers import COMPLETE, FALLBACK
from bargain.solvers.arrays import EquilibriumArrays, scaled
from bargain.solvers.exact import ExactEquilibria, exact_available
from bargain.tolerances import PROB_TOL
from bargain.vocabulary import ident

from ..labels import Labels
from ..qre_budget import Deadline, warn_paths
from ..solution import Columns, EquilibriumBatch, EquilibriumSet
from .exact import INSTALL, NashSubset, nash_subsets
from .quantal import QUANTAL, limit_rows


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
    """All equilibria found for one game, with the flags of the solve.

    Where the game was solved exactly (``method`` "exact": a degenerate two-player game,
    or ``method="exact"``), the equilibria are its extreme equilibria, ``nash_subsets``
    its maximal Nash subsets (each a product of two polytopes whose every point is an
    equilibrium) and ``components`` the subsets of each component (connected unions of
    subsets; Avis, Rosenberg, Savani and von Stengel 2010). Elsewhere each equilibrium
    is its own subset and component when the method finds every equilibrium, and both
    are None otherwise (a degenerate point solved otherwise; ``method="pure"`` or
    ``"lemke-howson"``).
    """

    exact: ExactEquilibria | None = None

    @property
    def nash_subsets(self) -> list[NashSubset] | None:
        """The maximal Nash subsets (see the class docstring)."""
        if self.exact is not None:
            return nash_subsets(self.exact)
        if self.degenerate or self.method not in COMPLETE:
            return None
        return [NashSubset((eq.profile[0],), (eq.profile[1],)) for eq in self.equilibria]

    @property
    def components(self) -> list[tuple[int, ...]] | None:
        """The indices in :attr:`nash_subsets` of each component's subsets."""
        if self.exact is not None:
            return [tuple(c) for c in self.exact.components]
        if self.degenerate or self.method not in COMPLETE:
            return None
        return [(k,) for k in range(len(self))]

    def __repr__(self) -> str:
        flags = ", degenerate" if self.degenerate else ""
        count = count_text(len(self), "equilibrium", "equilibria")
        if self.exact is not None:
            count = count_text(len(self), "extreme equilibrium", "extreme equilibria")
            count += f", {count_text(len(self.exact.components), 'component')}"
        lines = [f"Solution({count}, method={self.method!r}{flags})"]
        lines += [f"  {eq!r}" for eq in self.equilibria]
        subsets = self.nash_subsets or []
        if self.exact is not None and any(not s.is_point for s in subsets):
            for c, members in enumerate(self.components or []):
                lines += [
                    f"  component {c + 1}: "
                    + " and ".join(f"{subsets[k]!r}"[len("NashSubset") :] for k in members)
                    + (" (a continuum)" if any(not subsets[k].is_point for k in members) else "")
                ]
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
        exact: Mapping[int, ExactEquilibria] | None = None,
        choice: str = "",
        rescue_method: str = FALLBACK,
        fallback: np.ndarray | None = None,
        lam: np.ndarray | None = None,
        chunk_size: int | None = None,
    ) -> None:
        self.arrays = arrays
        #: How the method was chosen: "auto chose vertex: a 10x10 game: ...".
        self.choice = choice
        #: The exact results of the points solved exactly, by point.
        self.exact = dict(exact or {})
        self.players = tuple(players)
        self.strategies = tuple(tuple(s) for s in strategies)
        self.points = points
        self.payoff_tensor = payoff_tensor
        n = len(arrays.degenerate)
        #: (N,) the points ``method`` found nothing at, solved by ``rescue_method`` instead
        #: (Lemke–Howson for two players, the logit limit for more under "auto").
        self.rescued = rescued if rescued is not None else np.zeros(n, dtype=bool)
        self.rescue_method = rescue_method
        #: (N,) the points whose logit path left the shared grid for arc-length
        #: continuation (methods "qre" and "logit", and the logit rescue).
        self.fallback = fallback if fallback is not None else np.zeros(n, dtype=bool)
        #: (P,) each player's lam (method "qre"), else None.
        self.lam = lam
        self.chunk_size = chunk_size or max(1, n)
        self._limits: EquilibriumArrays | None = None
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
        """(N,) the method that solved each point: ``method``, or ``rescue_method``
        (``"lemke-howson"``, or ``"logit"`` for games of three or more players under
        "auto") where ``method`` found nothing."""
        methods = np.where(self.rescued, self.rescue_method, self.method).astype(object)
        methods[list(self.exact)] = "exact"
        return methods

    @cached_property
    def n_components(self) -> np.ndarray:
        """(N,) the components of each point: exact where solved exactly, the number of
        equilibria at a nondegenerate point solved by a method that finds them all, NaN
        elsewhere (a degenerate point solved otherwise; pure equilibria or Lemke–Howson's,
        which need not be all)."""
        complete = ~self.degenerate & ~self.rescued if self.method in COMPLETE else False
        out = np.where(complete, self.count.astype(float), np.nan)
        for t, r in self.exact.items():
            out[t] = len(r.components)
        return out

    def warn_degenerate(self, why: str) -> None:
        """Say what was done at degenerate points: solved exactly, or verified only."""
        exact = np.zeros(len(self), dtype=bool)
        exact[list(self.exact)] = True
        if (self.degenerate & exact).any():
            count = int(np.count_nonzero(self.degenerate & exact))
            where = "the game is" if len(self) == 1 else f"{count} of {len(self)} games are"
            warn(
                f"{where} degenerate ({why}): {'its' if len(self) == 1 else 'their'} extreme "
                "equilibria, maximal Nash subsets and components were computed exactly (see "
                "'n_components')",
                DegenerateGameWarning,
            )
        rest = self.degenerate & ~exact
        if rest.any():
            count = int(np.count_nonzero(rest))
            where = "the game is" if len(self) == 1 else f"{count} of {len(self)} games are"
            hint = "" if exact_available() else f"; {INSTALL} computes them exactly"
            warn(
                f"{where} degenerate ({why}) and not solved exactly: every equilibrium "
                f"reported is verified, but there may be more (see 'degenerate'){hint}",
                DegenerateGameWarning,
            )

    @cached_property
    def _pure(self) -> tuple[np.ndarray, np.ndarray]:
        """Whether each row is a pure equilibrium, and the flat index of its profile."""
        pure = np.ones(len(self.point), dtype=bool)
        profile = np.zeros(len(self.point), dtype=np.int64)
        for labels, mix in zip(self.strategies, self.profiles):
            # column by column: a reduction over a short contiguous axis is slow in numpy
            best, first = mix[:, 0].copy(), np.zeros(len(mix), dtype=np.int64)
            for j in range(1, mix.shape[1]):
                better = mix[:, j] > best
                np.maximum(best, mix[:, j], out=best)
                first[better] = j
            pure &= best >= 1 - PROB_TOL
            profile = profile * len(labels) + first
        return pure, profile

    def measure_columns(self) -> Columns:
        columns: Columns = {}
        for k, player in enumerate(self.players):
            columns[f"u_{ident(player)}"] = self.payoffs[:, k]
        for player, labels, mix in zip(self.players, self.strategies, self.profiles):
            for j, s in enumerate(labels):
                columns[f"p_{ident(player)}_{ident(s)}"] = mix[:, j]
        columns["pure"] = self._pure[0].astype(float)
        columns["n_components"] = self.n_components[self.point]
        if self.arrays.regret is not None:
            columns["regret"] = self.arrays.regret
        if self.method in QUANTAL:
            columns["fallback"] = self.fallback[self.point].astype(float)
        return columns

    @cached_property
    def regime_names(self) -> np.ndarray:
        """ "mixed", then every pure profile ("pressure/resist") in C order."""
        profiles = ["/".join(p) for p in product(*self.strategies)]
        return np.asarray(["mixed", *profiles], dtype=object)

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        """The pure profile of each row ("pressure/resist") or "mixed"; a QRE's row
        (method "qre") its modal profile: each player's most likely strategy (the first
        listed of those tied), not an equilibrium."""
        pure, profile = self._pure
        code = profile + 1 if self.method == "qre" else np.where(pure, profile + 1, 0)
        return Labels.of(code, self.regime_names), code

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

    def logit_distance(self) -> np.ndarray:
        """(R,) each row's largest probability difference from the logit limit of its
        point (the Nash equilibrium the principal logit QRE branch converges to,
        :func:`bargain.solvers.qre_limit.logit_limit`), inf where none was found.

        ``select="logit"`` picks the row within
        :data:`~bargain.tolerances.LOGIT_SELECT_ATOL` of it.
        """
        if self.method == "logit":  # the rows are the limits
            return np.zeros(len(self.point))
        if self.method == "qre":
            raise ModelError(
                "select='logit' chooses among Nash equilibria; method='qre' gives one QRE per "
                "point: use method='logit' (the limit) or a Nash method such as 'enumpoly'"
            )
        if self.payoff_tensor is None:
            return super().logit_distance()
        limits = self._logit_limits().profiles
        out = np.zeros(len(self.point))
        for mine, limit in zip(self.profiles, limits):
            np.maximum(out, np.abs(mine - limit[self.point]).max(axis=1, initial=0.0), out=out)
        return np.where(np.isnan(out), np.inf, out)

    def logit_limits(self, where: np.ndarray) -> BatchSolution | None:
        """The logit limit of each of the points ``where`` solved exactly (one row per
        point where it was found; none elsewhere): a verified equilibrium, so a point of
        one of the components whose extreme equilibria are the point's rows, though in a
        degenerate game possibly none of them (a player indifferent between two strategies
        mixes them equally in the limit). The rows' ``n_equilibria`` and ``n_components``
        are the points' in this solution.
        """
        n = len(self)
        take = np.zeros(n, dtype=bool)
        take[np.asarray(where, dtype=np.intp)] = True
        solved = np.zeros(n, dtype=bool)
        solved[list(self.exact)] = True
        take &= solved
        if self.method == "logit" or self.payoff_tensor is None or not take.any():
            return None
        limits = self._logit_limits()
        rows = np.flatnonzero(take & ~np.isnan(limits.payoffs[:, 0]))
        arrays = EquilibriumArrays(
            rows,
            tuple(mix[rows] for mix in limits.profiles),
            limits.payoffs[rows],
            self.degenerate,
            limits.regret[rows],
        )
        out = BatchSolution(
            arrays,
            players=self.players,
            strategies=self.strategies,
            points=self.points,
            method="logit",
            payoff_range=self.payoff_range,
            payoff_tensor=self.payoff_tensor,
            chunk_size=self.chunk_size,
        )
        # the points' counts are this solution's, not those of the rows of their limits
        out.count, out.n_components = self.count, self.n_components
        return out

    def _logit_limits(self) -> EquilibriumArrays:
        """Each point's logit limit, row i that of point i (profiles, payoffs in the user's
        units and regret NaN where not found), computed once."""
        if self._limits is not None:
            return self._limits
        n = len(self)
        profiles = tuple(np.full((n, len(s)), np.nan) for s in self.strategies)
        payoffs = np.full((n, len(self.players)), np.nan)
        regret = np.full(n, np.nan)
        exhausted = None
        deadline = Deadline(None, None)
        for start in range(0, n, self.chunk_size):
            part = {k: v[start : start + self.chunk_size] for k, v in self.points.items()}
            found = limit_rows(scaled(self.payoff_tensor(part)), deadline)
            at = start + found.found.point
            for limit, mix in zip(profiles, found.found.profiles):
                limit[at] = mix
            payoffs[at] = found.found.payoffs
            regret[at] = found.found.regret
            exhausted = exhausted or found.exhausted
        missed = np.isnan(payoffs[:, 0])
        warn_paths(np.zeros(n, dtype=bool), missed, exhausted, "logit limit")
        self._limits = EquilibriumArrays(
            np.arange(n), profiles, payoffs, np.zeros(n, dtype=bool), regret
        )
        return self._limits

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
        solution = Solution(
            equilibria,
            values=self.point_values(i),
            degenerate=self.degenerate[i],
            method=self.methods[i],
            batch=self,
            rows=rows,
        )
        solution.exact = self.exact.get(i)
        return solution

    def __repr__(self) -> str:
        return (
            f"BatchSolution({count_text(len(self), 'point')}, "
            f"{count_text(len(self.point), 'equilibrium', 'equilibria')}, "
            f"{int(self.degenerate.sum())} degenerate, method={self.method!r})"
        )
