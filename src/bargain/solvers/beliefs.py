"""Beliefs over a sender's types at which receiver actions are best responses, batched.

A belief is a point of the simplex of the sender's T types. After message m,
the receiver's action a is a best response to the belief mu iff

    sum_t mu_t (u_R[t, m, a] - u_R[t, m, b]) >= 0   for every other action b,

so the beliefs supporting a are a polytope: linear inequalities over the
simplex (Fudenberg and Tirole 1991, section 8.2). For two types it is an
interval of the first type's probability. A polytope is nonempty iff it has
a vertex, and its vertices are where k - 1 of its constraints (the
inequalities above and mu_t >= 0) hold with equality, k being the number of
types it may put weight on: enumerating them decides feasibility exactly and
gives the extreme beliefs of the set (Ziegler 1995, *Lectures on Polytopes*,
ch. 1). Every array keeps the batch in its trailing axes.
"""

from __future__ import annotations

from itertools import combinations
from typing import NamedTuple

import numpy as np

from .linalg import solve_small

#: Constraint rows are scaled to a largest coefficient of 1; a vertex may violate
#: one by this much (rounding of the elimination).
ROUNDING_SLACK = 1e-12


class Polytopes(NamedTuple):
    """Candidate vertices of belief polytopes and which of them are vertices.

    ``vertices`` (V, k, *batch): beliefs over the k types; ``valid`` (V, *batch):
    whether each candidate is a vertex of its polytope. A polytope is nonempty
    iff one of its candidates is valid.
    """

    vertices: np.ndarray
    valid: np.ndarray

    @property
    def nonempty(self) -> np.ndarray:
        """(*batch,) whether each polytope holds a belief."""
        return self.valid.any(axis=0)

    def witness(self) -> np.ndarray:
        """(k, *batch) a belief of each polytope: the mean of its vertices (NaN if empty)."""
        total = self.vertices[0] * self.valid[0]
        for vertex, valid in zip(self.vertices[1:], self.valid[1:]):
            total += vertex * valid
        with np.errstate(invalid="ignore", divide="ignore"):
            return total / self.valid.sum(axis=0)


def polytope_vertices(gains: np.ndarray, floor: np.ndarray) -> Polytopes:
    """Vertices of ``{mu in simplex(k): gains[j] . mu >= floor[j] for all j}``, batched.

    ``gains`` (J, k, *batch) holds one constraint per row, ``floor`` (J, *batch)
    its right-hand side. One type: the single belief, if it satisfies every
    constraint. Two types: the interval of the first type's probability, its
    ends as the two candidates. More: every choice of k - 1 tight constraints,
    each system solved by batched elimination.

    Examples
    --------
    >>> gains = np.array([[[2.0], [-1.0]]])  # 2 mu_0 - mu_1 >= 0: mu_0 >= 1/3
    >>> found = polytope_vertices(gains, np.zeros((1, 1)))
    >>> found.vertices[:, 0, 0].round(4).tolist(), found.valid[:, 0].tolist()
    ([0.3333, 1.0], [True, True])
    """
    k = gains.shape[1]
    batch = gains.shape[2:]
    if k == 1:
        valid = (gains[:, 0] >= floor).all(axis=0)
        return Polytopes(np.ones((1, 1, *batch)), valid[None])
    if k == 2:
        return _interval(gains, floor)
    return _enumerated(gains, floor)


def _interval(gains: np.ndarray, floor: np.ndarray) -> Polytopes:
    """Two types: ``x = mu_0`` in [0, 1] with ``(g_0 - g_1) x >= floor - g_1`` per row."""
    slope = gains[:, 0] - gains[:, 1]
    need = floor - gains[:, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = need / slope
    low = np.where(slope > 0, ratio, -np.inf).max(axis=0, initial=-np.inf)
    high = np.where(slope < 0, ratio, np.inf).min(axis=0, initial=np.inf)
    flat = ((slope == 0) & (need > 0)).any(axis=0)
    low, high = np.maximum(low, 0.0), np.minimum(high, 1.0)
    valid = (low <= high) & ~flat
    ends = np.stack([low, high])
    vertices = np.stack([ends, 1.0 - ends], axis=1)
    return Polytopes(vertices, np.broadcast_to(valid, ends.shape).copy())


def _enumerated(gains: np.ndarray, floor: np.ndarray) -> Polytopes:
    """Three or more types: the solution of each choice of k - 1 tight constraints."""
    n_rows, k = gains.shape[:2]
    batch = gains.shape[2:]
    scale = np.abs(gains).max(axis=1)
    scale = np.where(scale > 0, scale, 1.0)
    rows = np.concatenate([gains / scale[:, None], _identity(k, batch)])
    rhs = np.concatenate([floor / scale, np.zeros((k, *batch))])
    bases = list(combinations(range(n_rows + k), k - 1))
    vertices = np.empty((len(bases), k, *batch))
    valid = np.empty((len(bases), *batch), dtype=bool)
    ones = np.ones((1, k, *batch))
    for v, basis in enumerate(bases):
        system = np.concatenate([rows[list(basis)], ones])
        target = np.concatenate([rhs[list(basis)], np.ones((1, *batch))])
        mu, singular = solve_small(system, target, 1e-12)
        ok = ~singular & (mu >= -ROUNDING_SLACK).all(axis=0)
        mu = np.clip(mu, 0.0, None)
        mu /= np.where(ok, mu.sum(axis=0), 1.0)
        ok &= (np.einsum("jk...,k...->j...", rows, mu) >= rhs - ROUNDING_SLACK).all(axis=0)
        vertices[v], valid[v] = mu, ok
    return Polytopes(vertices, valid)


def _identity(k: int, batch: tuple[int, ...]) -> np.ndarray:
    """The rows of ``mu_t >= 0``: (k, k, *batch)."""
    return np.broadcast_to(np.eye(k).reshape(k, k, *(1,) * len(batch)), (k, k, *batch))


def response_beliefs(
    u_receiver: np.ndarray,
    atol: np.ndarray,
    groups: np.ndarray,
    types: tuple[int, ...] | None = None,
) -> Polytopes:
    """Beliefs on ``types`` at which every action of a group is a best response.

    ``u_receiver`` (T, M, A, N) are the receiver's payoffs per type, message
    and action; ``groups`` (G, g) lists groups of actions (one action per row
    for the set supporting it, two for the beliefs where both are best);
    ``types`` the types the beliefs may weigh (all by default). A best
    response may fall short of the best by ``atol / 2`` (N,), so that a
    belief of the set passes a check at ``atol``. Returns polytopes with
    batch axes (M, G, N): vertices (V, k, M, G, N).
    """
    types = tuple(range(u_receiver.shape[0])) if types is None else types
    u = u_receiver[list(types)]  # (k, M, A, N)
    actions = np.arange(u.shape[2])
    blocks = []
    for best in groups.T:  # (G,): one action of each group, compared with every other
        others = np.stack([actions[actions != a] for a in best])  # (G, A - 1)
        blocks.append(u[:, :, best, None] - u[:, :, others])  # (k, M, G, A - 1, N)
    gains = np.moveaxis(np.concatenate(blocks, axis=3), 3, 0)  # (g (A - 1), k, M, G, N)
    floor = np.broadcast_to(-0.5 * atol, (gains.shape[0], *gains.shape[2:]))
    return polytope_vertices(gains, floor)
