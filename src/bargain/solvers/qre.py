"""Logit quantal response equilibria of normal-form games, batched (batch last).

In a logit QRE (McKelvey and Palfrey 1995) each player i plays each strategy j
with probability

    p_ij = exp(lam_i u_ij(p)) / sum_k exp(lam_i u_ik(p)),

u_ij(p) its expected payoff from j against the others' mixtures. lam = 0 is
uniform play; as lam grows the principal branch, the solutions connected to
lam = 0, converges to a Nash equilibrium (the logit limit). The branch is
followed as a homotopy (Turocy 2005, "A dynamic homotopy interpretation of the
logistic quantal response equilibrium correspondence", GEB 51) in log
probabilities y_ij = log p_ij, with lam_i = t w_i:

    sum_j exp(y_ij) - 1 = 0,    y_ij - y_i1 - lam_i (u_ij - u_i1) = 0  (j > 1),

by :func:`bargain.solvers.continuation.trace` (one shared grid in t, a Newton
corrector per point, pseudo-arclength where a path turns). A point counts as
solved when ``max |p_ij - logit_ij(p)|`` and every ``|sum_j p_ij - 1|`` are at
most :data:`~bargain.tolerances.QRE_TOL` plus what float64 resolves at that lam (``lam * |u| *
8 eps``). Payoffs (P, s_1, ..., s_P, N); ``weights`` w (P, N).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.errors import ModelError
from bargain.tolerances import QRE_TOL, ROUNDING

from .continuation import Budget, trace


def pair_payoffs(payoffs: np.ndarray, mixes: list[np.ndarray]) -> dict[tuple[int, int], np.ndarray]:
    """Player i's expected payoff when i plays j and k plays l, the others mixing:
    ``out[i, k]`` (s_i, s_k, n) for every ordered pair i != k; ``mixes[q]`` (s_q, n)."""
    n_players = payoffs.shape[0]
    batch = n_players
    out = {}
    for i in range(n_players):
        for k in range(n_players):
            if k == i:
                continue
            operands: list = [payoffs[i], [*range(n_players), batch]]
            for q in range(n_players):
                if q not in (i, k):
                    operands += [mixes[q], [q, batch]]
            out[i, k] = np.einsum(*operands, [i, k, batch])
    return out


def strategy_payoffs(
    payoffs: np.ndarray, mixes: list[np.ndarray], pairs: dict[tuple[int, int], np.ndarray]
) -> list[np.ndarray]:
    """Each player's expected payoff of each own strategy, (s_i, n) per player."""
    n_players = payoffs.shape[0]
    if n_players == 1:
        return [payoffs[0]]
    out = []
    for i in range(n_players):
        k = 1 if i == 0 else 0
        out.append(np.einsum("jln,ln->jn", pairs[i, k], mixes[k]))
    return out


def expected_payoffs(payoffs: np.ndarray, profiles: tuple[np.ndarray, ...]) -> np.ndarray:
    """Each player's expected payoff sum_j p_ij u_ij(p), (n, P), at the profiles
    ``profiles[i]`` (n, s_i) of the n games ``payoffs`` (P, s_1, ..., s_P, n)."""
    mixes = [np.ascontiguousarray(p.T) for p in profiles]
    u = strategy_payoffs(payoffs, mixes, pair_payoffs(payoffs, mixes))
    return np.stack([(ui * mix).sum(axis=0) for ui, mix in zip(u, mixes)], axis=1)


def logit_response(lam: np.ndarray, u: np.ndarray) -> np.ndarray:
    """The logit choice probabilities exp(lam u_j) / sum_k exp(lam u_k), (s, n) from
    ``lam`` (n,) and ``u`` (s, n), computed without overflow."""
    with np.errstate(all="ignore"):
        z = lam * (u - u.max(axis=0))
        e = np.exp(z)
        return e / e.sum(axis=0)


class LogitHomotopy:
    """The logit QRE system of N games in log probabilities (see the module docstring),
    for :func:`~bargain.solvers.continuation.trace`: lam_i = t * weights[i]."""

    def __init__(self, payoffs: np.ndarray, weights: np.ndarray, tol: float = QRE_TOL) -> None:
        self.payoffs = payoffs
        self.weights = weights
        self.tol = tol
        self.shape = payoffs.shape[1:-1]
        self.offsets = np.concatenate([[0], np.cumsum(self.shape)]).astype(int)
        flat = np.abs(payoffs.reshape(payoffs.shape[0], -1, payoffs.shape[-1]))
        #: each player's largest absolute payoff (P, N): the rounding of lam * u.
        self.magnitude = flat.max(axis=1)
        #: each player's payoff range (P, N).
        spans = payoffs.reshape(flat.shape)
        self.span = spans.max(axis=1) - spans.min(axis=1)

    @property
    def size(self) -> int:
        """The number of unknowns M = sum_i s_i."""
        return int(self.offsets[-1])

    def start(self) -> np.ndarray:
        """Uniform play, the QRE at lam = 0: y (N, M)."""
        n = self.payoffs.shape[-1]
        return np.concatenate([np.full((n, s), -np.log(s)) for s in self.shape], axis=1)

    def probabilities(self, y: np.ndarray) -> tuple[np.ndarray, ...]:
        """Each player's mixture (n, s_i) from log probabilities y (n, M)."""
        with np.errstate(over="ignore"):
            p = np.exp(y)
        return tuple(p[:, o : o + s] for o, s in zip(self.offsets, self.shape))

    def t_scale(self, which: np.ndarray) -> np.ndarray:
        """1 / max_i (w_i * range_i): t per unit of lam times payoff range."""
        rate = (self.weights[:, which] * self.span[:, which]).max(axis=0)
        return 1.0 / np.where(rate > 0, rate, 1.0)

    def evaluate(
        self, y: np.ndarray, t: np.ndarray, which: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        n, m = y.shape
        everyone = n == self.payoffs.shape[-1] and (which == np.arange(n)).all()
        U = self.payoffs if everyone else self.payoffs[..., which]
        weights = self.weights[:, which]
        lam = weights * t  # (P, n)
        probs = self.probabilities(y)
        mixes = [np.ascontiguousarray(p.T) for p in probs]
        pairs = pair_payoffs(U, mixes)
        u = strategy_payoffs(U, mixes, pairs)
        H = np.empty((n, m))
        J = np.zeros((n, m, m))
        Ht = np.zeros((n, m))
        err = np.zeros(n)
        for i, (o, s) in enumerate(zip(self.offsets, self.shape)):
            p = probs[i]
            H[:, o] = p.sum(axis=1) - 1
            J[:, o, o : o + s] = p
            err = np.maximum(err, np.abs(H[:, o]))
            with np.errstate(invalid="ignore"):
                gap = np.abs(p.T - logit_response(lam[i], u[i])).max(axis=0)
            err = np.maximum(err, np.where(np.isfinite(gap), gap, np.inf))
            if s == 1:
                continue
            du = (u[i][1:] - u[i][0]).T  # (n, s - 1)
            H[:, o + 1 : o + s] = y[:, o + 1 : o + s] - y[:, o : o + 1] - lam[i][:, None] * du
            Ht[:, o + 1 : o + s] = -weights[i][:, None] * du
            rows = np.arange(o + 1, o + s)
            J[:, rows, rows] = 1.0
            J[:, o + 1 : o + s, o] = -1.0
            for k, (ok, sk) in enumerate(zip(self.offsets, self.shape)):
                if k != i:
                    D = pairs[i, k]  # (s_i, s_k, n)
                    dD = np.moveaxis(D[1:] - D[0], -1, 0)  # (n, s_i - 1, s_k)
                    J[:, o + 1 : o + s, ok : ok + sk] = (
                        -lam[i][:, None, None] * dD * probs[k][:, None, :]
                    )
        allowance = self.tol + 8 * ROUNDING * (np.abs(lam) * self.magnitude[:, which]).max(axis=0)
        score = np.where(np.isfinite(H).all(axis=1), err / allowance, np.inf)
        return H, J, Ht, score


class QreArrays(NamedTuple):
    """QREs of N games at K values of lam: ``profiles[i]`` (N, K, s_i) (NaN where not
    reached), ``reached`` (N, K), ``fallback`` (N,) the points whose path left the shared
    grid for arclength continuation, ``exhausted`` the budget that ran out (or None)."""

    profiles: tuple[np.ndarray, ...]
    reached: np.ndarray
    fallback: np.ndarray
    exhausted: str | None


def check_weights(weights: np.ndarray, payoffs: np.ndarray) -> np.ndarray:
    """lam or weights as a (P, N) float array: from a number, (P,) or (P, N)."""
    n_players, n = payoffs.shape[0], payoffs.shape[-1]
    w = np.asarray(weights, dtype=float)
    if w.ndim == 0:
        w = np.full(n_players, float(w))
    if w.ndim == 1:
        w = np.repeat(w[:, None], n, axis=1)
    if w.shape != (n_players, n):
        raise ModelError(
            f"lam: expected a number, one per player ({n_players},) or ({n_players}, {n}), "
            f"got shape {w.shape}"
        )
    if not np.isfinite(w).all() or (w < 0).any():
        raise ModelError("lam: expected finite values >= 0 (lam = 0 is uniform play)")
    return w


def logit_branch(
    payoffs: np.ndarray,
    lams: np.ndarray,
    weights: np.ndarray | float = 1.0,
    budget: Budget | None = None,
    tol: float = QRE_TOL,
) -> QreArrays:
    """The principal branch of N games at the increasing values ``lams`` (K,):
    player i's lam is ``lams[k] * weights[i]`` (weights: a number, (P,) or (P, N))."""
    system = LogitHomotopy(payoffs, check_weights(weights, payoffs), tol)
    traced = trace(system, system.start(), np.asarray(lams, dtype=float), budget)
    n, K = traced.reached.shape
    flat = traced.y.reshape(n * K, -1)
    profiles = tuple(p.reshape(n, K, -1) for p in system.probabilities(flat))
    return QreArrays(profiles, traced.reached, traced.fallback, traced.exhausted)


def logit_qre(
    payoffs: np.ndarray,
    lam: np.ndarray | float,
    budget: Budget | None = None,
    tol: float = QRE_TOL,
) -> QreArrays:
    """The QRE on the principal branch of N games at ``lam`` (a number, (P,) or (P, N)):
    the path from uniform play to lam, K = 1."""
    return logit_branch(payoffs, np.array([1.0]), check_weights(lam, payoffs), budget, tol)
