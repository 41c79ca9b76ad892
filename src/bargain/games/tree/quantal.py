"""Agent quantal response equilibria of game trees as users see them (``concept="qre"``).

At every information set the player's behaviour is the logit response, with
precision lam, to the expected payoffs of its moves given the others' behaviour
and its beliefs by Bayes' rule (McKelvey and Palfrey 1998); the kernel is
:mod:`bargain.solvers.agent_qre`. A point has one row: the QRE on the principal
branch, which starts from uniform play at lam = 0. The options are checked by
:mod:`bargain.games.qre_options`, and the budget follows the normal form's policy
(:mod:`bargain.games.normal.quantal`): a point the path-following budget leaves
short of its lam has no row, and one warning names the budget and the count.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from bargain.checks import count_text, describe
from bargain.errors import BargainWarning, ModelError, warn
from bargain.params import batch_size
from bargain.solvers.agent_qre import AgentQre, Agents, agent_qre
from bargain.solvers.backward import TreeArrays, TreeStructure, terminal_tolerance

from ..qre_budget import Deadline, warn_paths
from ..qre_options import lam_per_player, lam_value
from ..solution import EquilibriumSet
from .compiled import CompiledTree
from .solution import Choice, TreeBatchSolution, node_reaches

if TYPE_CHECKING:
    import pandas as pd

#: Points per chunk at most; fewer for large trees, so that a chunk's node values and
#: their sensitivities to every move hold at most ``CHUNK_FLOATS`` floats.
CHUNK_POINTS, CHUNK_FLOATS = 1 << 14, 1 << 22


# -- options ----------------------------------------------------------------------------------


def branch_lam(lam: Any, weights: Any, players: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A branch's values of lam (K,), checked (increasing, >= 0), and each player's
    weight (P,) from a number or a mapping player -> number: lam_p = lam * weights_p."""
    where = "qre_branch(lam=...)"
    if isinstance(lam, str | bytes | Mapping) or not isinstance(lam, Sequence | np.ndarray):
        raise ModelError(f"{where}: expected a sequence of numbers, got {describe(lam)}")
    grid = np.array([lam_value(v, f"{where}[{i}]") for i, v in enumerate(lam)])
    if not len(grid):
        raise ModelError(f"{where}: expected at least one value of lam")
    if (np.diff(grid) <= 0).any():
        i = int(np.flatnonzero(np.diff(grid) <= 0)[0])
        raise ModelError(
            f"{where}: expected increasing values (a branch is followed from lam = 0 up), "
            f"got {grid[i]:g} then {grid[i + 1]:g}"
        )
    return grid, lam_per_player(weights, players, "qre_branch(weights=...)")


# -- solving ----------------------------------------------------------------------------------


class QuantalArrays(NamedTuple):
    """The agent QREs of N points at K values of lam, in the user's units (``found``,
    NaN where not reached), each player's range of terminal payoffs ``span`` (N, P),
    and the budget that ran out (None: none did)."""

    found: AgentQre
    span: np.ndarray
    exhausted: str | None


def quantal_arrays(
    compiled: CompiledTree,
    bound: Mapping[str, np.ndarray],
    grid: np.ndarray,
    weights: np.ndarray,
    deadline: Deadline,
    chunk_size: int | None = None,
) -> QuantalArrays:
    """The agent QREs at lam = ``grid[k] * weights`` (K values, ``weights`` (P,)) and N
    points, solved in chunks of points within the budget of ``deadline``.

    Payoffs of extreme magnitude are divided by their player's scale for the kernel
    and that player's lam multiplied by it (the same QRE), then the payoffs and each
    player's regret are scaled back by the player's own scale.
    """
    structure = compiled.structure
    n = batch_size(bound)
    agents = Agents.of(structure)
    per_point = len(structure.kind) * structure.n_players * len(grid)
    if not agents.perfect:
        per_point *= agents.n_moves + 1
    size = chunk_size or max(1, min(CHUNK_POINTS, CHUNK_FLOATS // per_point))
    parts, spans, exhausted = [], [], None
    for start in range(0, n, size):
        part = {k: v[start : start + size] for k, v in bound.items()}
        m = min(size, n - start)
        probs, payoffs = compiled.evaluate(part, m)
        tol = terminal_tolerance(payoffs)
        if tol.unresolved.any():
            raise compiled.unresolved_error(payoffs, tol.unresolved, part)
        payoffs = {t: value / tol.scale for t, value in payoffs.items()}
        budget = None if agents.perfect else deadline.budget()
        if budget is None and not agents.perfect:  # the time ran out before this chunk
            chunk = _unreached(structure, len(grid), m)
            exhausted = exhausted or deadline.spent
        else:
            chunk = agent_qre(structure, probs, payoffs, grid, weights[:, None] * tol.scale, budget)
            exhausted = exhausted or chunk.exhausted
        parts.append(
            chunk._replace(
                values=chunk.values * tol.scale[None],
                regret=np.max(chunk.regret * tol.scale[None], axis=1),
            )
        )
        spans.append(tol.user_span)
    joined = AgentQre(
        {v: np.concatenate([p.behaviour[v] for p in parts], axis=-1) for v in parts[0].behaviour},
        *(np.concatenate([getattr(p, f) for p in parts], axis=-1) for f in AgentQre._fields[1:6]),
        exhausted,
        sum(p.steps for p in parts),
    )
    return QuantalArrays(joined, np.concatenate(spans, axis=1).T, exhausted)


def _unreached(tree: TreeStructure, k: int, n: int) -> AgentQre:
    """The kernel's arrays for n points of which none reached any of the K values."""
    nan = np.full
    return AgentQre(
        {
            v: nan((k, len(tree.children[v]), n), np.nan)
            for v in range(len(tree.kind))
            if tree.kind[v] == "decision"
        },
        nan((k, tree.n_players, n), np.nan),
        nan((k, len(tree.terminals), n), np.nan),
        nan((k, tree.n_players, n), np.nan),
        np.zeros((k, n), dtype=bool),
        np.zeros(n, dtype=bool),
        None,
        0,
    )


def quantal_batch(
    compiled: CompiledTree,
    bound: Mapping[str, np.ndarray],
    lam: np.ndarray,
    deadline: Deadline,
    chunk_size: int | None = None,
) -> QuantalBatchSolution:
    """The agent QRE at each of N points for lam (P,): one row per point reached (a
    point the budget leaves unreached has none, and a warning says how many)."""
    solved = quantal_arrays(compiled, bound, np.ones(1), lam, deadline, chunk_size)
    found = solved.found
    point = np.flatnonzero(found.reached[0])
    arrays = TreeArrays(
        point,
        {v: b[0][:, point] for v, b in found.behaviour.items()},
        found.values[0][:, point],
        found.reach[0][:, point],
        found.regret[0][point],
        np.zeros(batch_size(bound), dtype=bool),
        np.zeros(batch_size(bound), dtype=bool),
    )
    batch = QuantalBatchSolution(
        compiled, arrays, bound, solved.span, np.tile(lam, (len(point), 1)), found.fallback
    )
    warn_paths(found.fallback, ~found.reached[0], solved.exhausted, "QRE")
    if solved.exhausted is None:
        batch.warn_empty("its agent QRE path could not be followed to lam")
    return batch


def quantal_branch(
    compiled: CompiledTree,
    bound: Mapping[str, np.ndarray],
    grid: np.ndarray,
    weights: np.ndarray,
    deadline: Deadline,
    chunk_size: int | None = None,
) -> pd.DataFrame:
    """The principal branch at one point at lam = ``grid`` (K,) times each player's
    weight (P,): one row per value reached, with ``lam`` (the values of ``grid``), the
    measures of ``concept="qre"`` rows and ``regime``."""
    import pandas as pd

    solved = quantal_arrays(compiled, bound, grid, weights, deadline, chunk_size)
    found = solved.found
    k = np.flatnonzero(found.reached[:, 0])
    arrays = TreeArrays(
        np.arange(len(k)),
        {v: b[k, :, 0].T for v, b in found.behaviour.items()},
        found.values[k, :, 0].T,
        found.reach[k, :, 0].T,
        found.regret[k, 0],
        np.zeros(len(k), dtype=bool),
        np.zeros(len(k), dtype=bool),
    )
    points = {name: np.repeat(v, len(k)) for name, v in bound.items()}
    knots = grid[k, None] * weights[None, :]
    fallback = np.repeat(found.fallback, len(k))
    span = np.repeat(solved.span, len(k), axis=0)
    batch = QuantalBatchSolution(compiled, arrays, points, span, knots, fallback)
    missed = ~found.reached.all(axis=0)
    warn_paths(found.fallback, missed, solved.exhausted, "full branch")
    if solved.exhausted is None and missed.any():
        warn(
            "the point has no full branch: its agent QRE path could not be followed to "
            "every lam (see 'lam')",
            BargainWarning,
        )
    frame = batch.to_frame().drop(columns=["point", *points, "n_equilibria", "degenerate", "ties"])
    out = pd.concat([pd.DataFrame({"lam": grid[k]}), frame], axis=1)
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
    with their choices; ``lam`` each player's precision; ``fallback`` whether the
    point's path left the shared grid of lam for arclength continuation (it turns back
    in lam, so other QREs exist on the way, or its corrector failed there).
    """

    choices: dict[Hashable, Choice]
    reach: dict[Hashable, float]
    payoffs: dict[str, float]
    path: tuple[tuple[Hashable, Choice], ...]
    lam: dict[str, float]
    fallback: bool

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
    def fallback(self) -> bool:
        return self.equilibria[0].fallback

    def __repr__(self) -> str:
        flag = ", fallback" if self.fallback else ""
        return f"QuantalSolution(agent logit QRE{flag})\n  {self.equilibria[0]}"


class QuantalBatchSolution(TreeBatchSolution):
    """Agent QREs at N points, one row each, in the columns of :class:`TreeBatchSolution`;
    ``lam`` (R, P) each row's precision per player and ``fallback`` (N,) whether the
    point's path left the shared grid of lam for arclength continuation (measure
    ``fallback``, 0 or 1). A point the path-following budget left unreached has no row.

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
        fallback: np.ndarray,
    ) -> None:
        super().__init__(compiled, arrays, points, payoff_range)
        self.lam = lam
        self.fallback = fallback

    def equilibrium_of(self, r: int, **fields: Any) -> QuantalResponse:
        lam = {p: float(x) for p, x in zip(self.players, self.lam[r])}
        return QuantalResponse(**fields, lam=lam, fallback=bool(self.fallback[self.point[r]]))

    def measure_columns(self) -> dict[str, np.ndarray]:
        columns = super().measure_columns()
        columns["fallback"] = self.fallback[self.point].astype(float)
        return columns

    def regime_behaviour(self) -> tuple[dict[Hashable, np.ndarray], np.ndarray]:
        """Each row's modal moves (R, moves) as 0/1, and the nodes' reach under them."""
        modal = {}
        for node, b in self.behaviour.items():
            one = np.zeros_like(b)
            one[np.arange(len(b)), np.argmax(b, axis=1)] = 1.0
            modal[node] = one
        return modal, node_reaches(self.compiled, self.points, len(self), self.point, modal)

    def __repr__(self) -> str:
        return (
            f"QuantalBatchSolution({count_text(len(self), 'point')}, agent logit QRE, "
            f"{int(self.fallback.sum())} fallback)"
        )
