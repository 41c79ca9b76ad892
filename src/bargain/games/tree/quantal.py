"""Agent quantal response equilibria of game trees as users see them (``concept="qre"``).

At every information set the player's behaviour is the logit response, with
precision lam, to the expected payoffs of its moves given the others' behaviour
and its beliefs by Bayes' rule (McKelvey and Palfrey 1998); the kernel is
:mod:`bargain.solvers.agent_qre`. A point has one row: the QRE on the principal
branch, which starts from uniform play at lam = 0.
"""

from __future__ import annotations

import math
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import TYPE_CHECKING, Any

import numpy as np

from bargain.checks import count_text, describe, listing
from bargain.errors import BargainWarning, BudgetError, ModelError, warn
from bargain.params import batch_size, point_text
from bargain.solvers.agent_qre import MAX_STEPS, AgentQre, Agents, PathBudgetError, agent_qre
from bargain.solvers.backward import TreeArrays, terminal_tolerance

from ..solution import EquilibriumSet
from .compiled import CompiledTree
from .solution import Choice, TreeBatchSolution, node_reaches

if TYPE_CHECKING:
    import pandas as pd

#: Points per chunk at most; fewer for large trees, so that a chunk's node values and
#: their sensitivities to every move hold at most ``CHUNK_FLOATS`` floats.
CHUNK_POINTS, CHUNK_FLOATS = 1 << 14, 1 << 22


# -- options ----------------------------------------------------------------------------------


def lam_option(value: Any, where: str) -> float | dict[str, float]:
    """The ``lam`` option: a non-negative number, or a mapping player -> number."""
    if isinstance(value, Mapping):
        if not value:
            raise ModelError(f"{where}: expected a number or a mapping player -> number, got {{}}")
        return {str(k): _precision(v, f"{where}[{k!r}]") for k, v in value.items()}
    return _precision(value, where)


def steps_option(value: Any, where: str) -> int:
    """The ``max_steps`` option: a positive integer."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ModelError(f"{where}: expected a positive integer, got {describe(value)}")
    return value


def seconds_option(value: Any, where: str) -> float:
    """The ``seconds`` option: a positive number of seconds."""
    if isinstance(value, bool) or not isinstance(value, Real) or not value > 0:
        raise ModelError(f"{where}: expected a positive number of seconds, got {describe(value)}")
    return float(value)


def _precision(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ModelError(f"{where}: expected a number lam >= 0, got {describe(value)}")
    if not math.isfinite(value) or value < 0:
        raise ModelError(f"{where}: expected a finite number lam >= 0, got {value}")
    return float(value)


def lam_vector(
    lam: float | Mapping[str, float] | None, players: Sequence[str], where: str = "option 'lam'"
) -> np.ndarray:
    """lam (P,) of each player from the option: one number for all, or one per player."""
    if lam is None:
        raise ModelError(
            "concept='qre' needs the option lam: the logit precision, a number >= 0 "
            "(0: uniform play; large: near a Nash equilibrium) or a mapping player -> number"
        )
    if not isinstance(lam, Mapping):
        return np.full(len(players), float(lam))
    unknown = [k for k in lam if k not in players]
    missing = [p for p in players if p not in lam]
    if unknown or missing:
        problem = f"unknown players {unknown}" if unknown else f"no value for {missing}"
        raise ModelError(f"{where}: {problem}; players: {listing(list(players))}")
    return np.array([lam[p] for p in players])


def branch_lam(lam: Any, weights: Any, players: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A branch's values of lam (K,), checked (non-decreasing, >= 0), and each player's
    weight (P,) from a number or a mapping player -> number: lam_p = lam * weights_p."""
    where = "qre_branch(weights=...)"
    return _grid(lam, "qre_branch(lam=...)"), lam_vector(lam_option(weights, where), players, where)


def _grid(values: Any, where: str) -> np.ndarray:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Sequence | np.ndarray):
        raise ModelError(f"{where}: expected a sequence of numbers, got {describe(values)}")
    grid = np.array([_precision(v, f"{where}[{i}]") for i, v in enumerate(values)])
    if not len(grid):
        raise ModelError(f"{where}: expected at least one value of lam")
    if (np.diff(grid) < 0).any():
        i = int(np.flatnonzero(np.diff(grid) < 0)[0])
        raise ModelError(
            f"{where}: values must not decrease (a branch is followed from lam = 0 up), "
            f"got {grid[i]:g} then {grid[i + 1]:g}"
        )
    return grid


# -- solving ----------------------------------------------------------------------------------


def quantal_arrays(
    compiled: CompiledTree,
    bound: Mapping[str, np.ndarray],
    knots: np.ndarray,
    max_steps: int = MAX_STEPS,
    seconds: float | None = None,
    chunk_size: int | None = None,
) -> tuple[AgentQre, np.ndarray]:
    """The agent QREs at the K values ``knots`` (K, P) and N points, in the user's units,
    and each player's range of terminal payoffs (N, P); solved in chunks of points.

    Payoffs of extreme magnitude are divided by their scale for the kernel and lam
    multiplied by it (the same QRE), then the payoffs and the regret are scaled back.
    """
    structure = compiled.structure
    n = batch_size(bound)
    agents = Agents.of(structure)
    per_point = len(structure.kind) * structure.n_players * len(knots)
    if not agents.perfect:
        per_point *= agents.n_moves + 1
    size = chunk_size or max(1, min(CHUNK_POINTS, CHUNK_FLOATS // per_point))
    start_time = time.monotonic()
    parts, spans = [], []
    for start in range(0, n, size):
        part = {k: v[start : start + size] for k, v in bound.items()}
        m = min(size, n - start)
        probs, payoffs = compiled.evaluate(part, m)
        tol = terminal_tolerance(payoffs)
        if tol.unresolved.any():
            raise compiled.unresolved_error(payoffs, tol.unresolved, part)
        payoffs = {t: value / tol.scale for t, value in payoffs.items()}
        lam = knots[:, :, None] * tol.scale[None]
        left = None if seconds is None else seconds - (time.monotonic() - start_time)
        try:
            chunk = agent_qre(structure, probs, payoffs, lam, max_steps, left)
        except PathBudgetError as exc:
            reason = exc.reason  # in the user's words: the kernel saw the time left
            if exc.budget == "max_seconds":
                reason = f"its budget of seconds={seconds:g} ran out"
            reached = ", ".join(f"{p} {x:.6g}" for p, x in zip(compiled.players, exc.lam))
            raise BudgetError(
                f"agent QRE (concept='qre') at {point_text(part, exc.point)}: path following "
                f"stopped at lam {reached}: {reason}; raise the budget (max_steps, seconds) "
                "or ask for a smaller lam"
            ) from None
        parts.append(
            chunk._replace(
                values=chunk.values * tol.scale[None],
                regret=chunk.regret * tol.scale.max(axis=0)[None],
            )
        )
        spans.append(tol.user_span)
    joined = AgentQre(
        {v: np.concatenate([p.behaviour[v] for p in parts], axis=-1) for v in parts[0].behaviour},
        *(np.concatenate([getattr(p, f) for p in parts], axis=-1) for f in AgentQre._fields[1:]),
    )
    return joined, np.concatenate(spans, axis=1).T


def quantal_batch(
    compiled: CompiledTree,
    bound: Mapping[str, np.ndarray],
    lam: np.ndarray,
    **budget: Any,
) -> QuantalBatchSolution:
    """The agent QRE at each of N points for lam (P,): one row per point."""
    found, span = quantal_arrays(compiled, bound, lam[None], **budget)
    n = batch_size(bound)
    arrays = TreeArrays(
        np.arange(n),
        {v: b[0] for v, b in found.behaviour.items()},
        found.values[0],
        found.reach[0],
        found.regret[0],
        np.zeros(n, dtype=bool),
        np.zeros(n, dtype=bool),
    )
    batch = QuantalBatchSolution(
        compiled, arrays, bound, span, np.tile(lam, (n, 1)), found.turned[0]
    )
    batch.warn_turned()
    return batch


def quantal_branch(
    compiled: CompiledTree,
    bound: Mapping[str, np.ndarray],
    grid: np.ndarray,
    weights: np.ndarray,
    **budget: Any,
) -> pd.DataFrame:
    """The principal branch at one point over the values ``knots`` (K, P), lam times
    each player's weight: one row per value, with ``lam`` (the values of ``grid``), the
    measures of ``concept="qre"`` rows and ``regime``."""
    import pandas as pd

    knots = grid[:, None] * weights[None, :]
    found, span = quantal_arrays(compiled, bound, knots, **budget)
    k = len(knots)
    arrays = TreeArrays(
        np.arange(k),
        {v: b[:, :, 0].T for v, b in found.behaviour.items()},
        found.values[:, :, 0].T,
        found.reach[:, :, 0].T,
        found.regret[:, 0],
        np.zeros(k, dtype=bool),
        np.zeros(k, dtype=bool),
    )
    points = {name: np.repeat(v, k) for name, v in bound.items()}
    batch = QuantalBatchSolution(
        compiled, arrays, points, np.repeat(span, k, axis=0), knots, found.turned[:, 0]
    )
    batch.warn_turned()
    frame = batch.to_frame().drop(columns=["point", *points, "n_equilibria", "degenerate", "ties"])
    out = pd.concat([pd.DataFrame({"lam": grid}), frame], axis=1)
    out.attrs["values"] = {name: float(v[0]) for name, v in bound.items()}
    out.attrs["weights"] = dict(zip(compiled.players, weights.tolist()))
    return out


# -- the solution -----------------------------------------------------------------------------


@dataclass(frozen=True)
class QuantalResponse:
    """One agent quantal response equilibrium.

    ``choices`` maps every decision node to ``{move: probability}`` (a move's
    label where it has probability 1 within ``PROB_TOL``); ``reach`` the
    probability of ending at each terminal node; ``payoffs`` the expected
    payoffs; ``path`` the nodes reached with positive probability in order of play
    with their choices; ``lam`` each player's precision; ``turned`` whether the
    principal branch turned back in lam on its way (other QREs exist then).
    """

    choices: dict[Hashable, Choice]
    reach: dict[Hashable, float]
    payoffs: dict[str, float]
    path: tuple[tuple[Hashable, Choice], ...]
    lam: dict[str, float]
    turned: bool

    def __str__(self) -> str:
        lam = ", ".join(f"{p} {v:g}" for p, v in self.lam.items())
        values = ", ".join(f"{p} {v:.4g}" for p, v in self.payoffs.items())
        return f"lam {lam} | payoffs {values}"


class QuantalSolution(EquilibriumSet[QuantalResponse]):
    """The agent QRE at one point (one equilibrium); its attributes are the QRE's."""

    @property
    def choices(self) -> dict[Hashable, Choice]:
        return self.equilibria[0].choices

    @property
    def reach(self) -> dict[Hashable, float]:
        return self.equilibria[0].reach

    @property
    def payoffs(self) -> dict[str, float]:
        return self.equilibria[0].payoffs

    @property
    def path(self) -> tuple[tuple[Hashable, Choice], ...]:
        return self.equilibria[0].path

    @property
    def lam(self) -> dict[str, float]:
        return self.equilibria[0].lam

    @property
    def turned(self) -> bool:
        return self.equilibria[0].turned

    def __repr__(self) -> str:
        flag = ", turned" if self.turned else ""
        return f"QuantalSolution(agent logit QRE{flag})\n  {self.equilibria[0]}"


class QuantalBatchSolution(TreeBatchSolution):
    """Agent QREs at N points, one row each, in the columns of :class:`TreeBatchSolution`;
    ``lam`` (R, P) each row's precision per player and ``turned`` (N,) whether the
    principal branch turned back in lam before it (measure ``turned``, 0 or 1).

    A row's regime is its modal path: the most probable move at each decision node
    that the most probable moves (and every chance branch) reach.
    """

    method = "agent logit QRE"
    solution_type = QuantalSolution

    def __init__(
        self,
        compiled: CompiledTree,
        arrays: TreeArrays,
        points: Mapping[str, np.ndarray],
        payoff_range: np.ndarray,
        lam: np.ndarray,
        turned: np.ndarray,
    ) -> None:
        super().__init__(compiled, arrays, points, payoff_range)
        self.lam = lam
        self.turned = turned

    def equilibrium_of(self, r: int, **fields: Any) -> QuantalResponse:
        lam = {p: float(x) for p, x in zip(self.players, self.lam[r])}
        return QuantalResponse(**fields, lam=lam, turned=bool(self.turned[self.point[r]]))

    def measure_columns(self) -> dict[str, np.ndarray]:
        columns = super().measure_columns()
        columns["turned"] = self.turned[self.point].astype(float)
        return columns

    def regime_behaviour(self) -> tuple[dict[Hashable, np.ndarray], np.ndarray]:
        """Each row's modal moves (R, moves) as 0/1, and the nodes' reach under them."""
        modal = {}
        for node, b in self.behaviour.items():
            one = np.zeros_like(b)
            one[np.arange(len(b)), np.argmax(b, axis=1)] = 1.0
            modal[node] = one
        return modal, node_reaches(self.compiled, self.points, len(self), self.point, modal)

    def warn_turned(self) -> None:
        """Warn where the principal branch turned back in lam (it was followed by arc length)."""
        count = int(np.count_nonzero(self.turned))
        if count:
            where = "the point" if len(self.turned) == 1 else f"{count} of {len(self.turned)}"
            warn(
                f"agent QRE: at {where} the principal branch turns back in lam before the lam "
                "asked for, so other QREs exist there; it was followed by arc length and the "
                "QRE reported is the branch's (see 'turned')",
                BargainWarning,
            )

    def __repr__(self) -> str:
        return (
            f"QuantalBatchSolution({count_text(len(self), 'point')}, agent logit QRE, "
            f"{int(self.turned.sum())} turned)"
        )
