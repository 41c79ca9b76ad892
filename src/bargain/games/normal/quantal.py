"""Logit QRE and the logit limit of normal-form games, in the user's units.

The kernels (:mod:`bargain.solvers.qre`, :mod:`bargain.solvers.qre_limit`) work
on the payoffs :func:`bargain.solvers.arrays.scaled` returns, where a player of
extreme magnitude is divided by its ``scale``; lam is given in the user's
payoff units, so the kernels get lam * scale (lam u = (lam scale)(u / scale)).
Rows come back as :class:`~bargain.solvers.arrays.EquilibriumArrays` with
expected payoffs and regret in the user's units: a QRE's regret (its largest
gain from a pure deviation) is positive and reported, not filtered.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.solvers.arrays import EquilibriumArrays, Scaled, deviation_gains
from bargain.solvers.qre import expected_payoffs, logit_branch, logit_qre
from bargain.solvers.qre_limit import logit_limit

from ..qre_budget import Deadline

#: The methods of this module: the QRE at a given lam, and the logit limit.
QUANTAL = ("qre", "logit")


class QuantalRows(NamedTuple):
    """A chunk's rows (regret set), ``fallback`` (n,) the points that left the shared
    grid for arclength continuation, ``missed`` (n,) the points without a row, and the
    budget that ran out (or None)."""

    found: EquilibriumArrays
    fallback: np.ndarray
    missed: np.ndarray
    exhausted: str | None


def _rows(
    payoffs: np.ndarray, scale: np.ndarray, point: np.ndarray, profiles: tuple[np.ndarray, ...]
) -> EquilibriumArrays:
    """Rows at ``point`` of the scaled games, payoffs in the user's units (regret unset)."""
    n = payoffs.shape[-1]
    games = payoffs[..., point]
    values = expected_payoffs(games, profiles) * scale[:, point].T
    return EquilibriumArrays(point, profiles, values, np.zeros(n, dtype=bool))


def _nothing(ready: Scaled, exhausted: str) -> QuantalRows:
    n = ready.payoffs.shape[-1]
    point = np.zeros(0, dtype=np.intp)
    profiles = tuple(np.zeros((0, s)) for s in ready.payoffs.shape[1:-1])
    found = _rows(ready.payoffs, ready.tolerance.scale, point, profiles)
    return QuantalRows(
        found._replace(regret=np.zeros(0)),
        np.zeros(n, dtype=bool),
        np.ones(n, dtype=bool),
        exhausted,
    )


def qre_rows(ready: Scaled, lam: np.ndarray, deadline: Deadline) -> QuantalRows:
    """The logit QRE on the principal branch at ``lam`` (P,) in the user's units, one
    row per point reached, its regret max_i (max_j u_ij - u_i) in the user's units."""
    budget = deadline.budget()
    if budget is None:
        return _nothing(ready, deadline.spent)
    payoffs, scale = ready.payoffs, ready.tolerance.scale
    found = logit_qre(payoffs, lam[:, None] * scale, budget)
    reached = found.reached[:, 0]
    point = np.flatnonzero(reached)
    profiles = tuple(p[point, 0] for p in found.profiles)
    rows = _rows(payoffs, scale, point, profiles)
    gains = deviation_gains(payoffs[..., point], profiles) * scale[:, point]
    regret = np.maximum(gains.max(axis=0, initial=0.0), 0.0)
    return QuantalRows(rows._replace(regret=regret), found.fallback, ~reached, found.exhausted)


def limit_rows(ready: Scaled, deadline: Deadline) -> QuantalRows:
    """The logit limit of each point, a verified Nash equilibrium (one row per point
    where it was found)."""
    budget = deadline.budget()
    if budget is None:
        return _nothing(ready, deadline.spent)
    payoffs, tol = ready.payoffs, ready.tolerance
    limit = logit_limit(payoffs, tol.atol, budget)
    point = np.flatnonzero(limit.found)
    profiles = tuple(p[point] for p in limit.profiles)
    rows = _rows(payoffs, tol.scale, point, profiles)
    # logit_limit verified each limit on these (kernel-unit) payoffs with these atol;
    # only the regret, in the user's units, is left to compute
    gains = deviation_gains(payoffs[..., point], profiles) * tol.scale[:, point]
    regret = np.maximum(gains.max(axis=0, initial=0.0), 0.0)
    return QuantalRows(rows._replace(regret=regret), limit.fallback, ~limit.found, limit.exhausted)


#: The default grid of :meth:`~bargain.games.normal.NormalFormGame.qre_branch`: lam
#: times the point's largest payoff range (lam = 0, then 0.01 to 1000, 10 a decade).
BRANCH_GRID = np.concatenate([[0.0], np.geomspace(0.01, 1000.0, 51)])


class BranchArrays(NamedTuple):
    """The principal branch of n games at K stops: ``lam`` (n, K) in the user's units
    (player i's is ``lam * weights[i]``), ``profiles[i]`` (n, K, s_i), expected
    ``payoffs`` (n, K, P) in the user's units (NaN where not ``reached`` (n, K)),
    ``fallback`` (n,) and the budget that ran out (or None)."""

    lam: np.ndarray
    profiles: tuple[np.ndarray, ...]
    payoffs: np.ndarray
    reached: np.ndarray
    fallback: np.ndarray
    exhausted: str | None


def branch_arrays(
    ready: Scaled, stops: np.ndarray, weights: np.ndarray, relative: bool, deadline: Deadline
) -> BranchArrays:
    """The branch at lam = ``stops`` (K,) in the user's units, or, if ``relative``, at
    ``stops`` divided by each point's largest payoff range; player i's lam times
    ``weights[i]``."""
    payoffs, tol = ready.payoffs, ready.tolerance
    n, K = payoffs.shape[-1], len(stops)
    w = weights[:, None] * tol.scale
    lam = np.repeat(stops[None], n, axis=0)
    if relative:
        span = tol.user_span.max(axis=0)
        span = np.where(span > 0, span, 1.0)
        w, lam = w / span, lam / span[:, None]
    budget = deadline.budget()
    if budget is None:
        shape = payoffs.shape[1:-1]
        return BranchArrays(
            lam,
            tuple(np.full((n, K, s), np.nan) for s in shape),
            np.full((n, K, len(shape)), np.nan),
            np.zeros((n, K), dtype=bool),
            np.zeros(n, dtype=bool),
            deadline.spent,
        )
    found = logit_branch(payoffs, stops, w, budget)
    games = np.repeat(np.arange(n), K)
    flat = tuple(p.reshape(n * K, -1) for p in found.profiles)
    with np.errstate(invalid="ignore"):
        values = expected_payoffs(payoffs[..., games], flat) * tol.scale[:, games].T
    return BranchArrays(
        lam,
        found.profiles,
        values.reshape(n, K, -1),
        found.reached,
        found.fallback,
        found.exhausted,
    )
