"""Agent logit quantal response equilibrium of game trees, batched over parameter points.

McKelvey and Palfrey (1998): every information set h is an agent of its player
p who plays the logit response to the expected payoffs of its moves, given the
others' behaviour and its beliefs at h by Bayes' rule::

    sigma_h(a) = exp(lam_p Q_h(a)) / sum_b exp(lam_p Q_h(b)),
    Q_h(a)     = sum_{x in h} mu(x) V_p(x.a),   mu(x) = rho(x) / sum_{x' in h} rho(x'),

with rho the probability of reaching a node and V_p the expected payoff below a
node. Every information set is reached with positive probability while the
chance probabilities are positive, so the beliefs are defined (where chance
excludes a whole set they are uniform).

With perfect information the equilibrium is unique and one backward pass per
lam computes it (:func:`logit_backward`). With information sets the
equilibrium on the principal branch is followed from lam = 0, where play is
uniform, to each lam asked for (Turocy 2005 for the method): the unknowns are
the log-probabilities y of all moves, lam_p = t * w_p, and

    H_h0 = sum_a exp(y_ha) - 1,    H_ha = y_ha - y_h0 - lam_p (Q_h(a) - Q_h(0))  (a >= 1)

vanish at a QRE (:class:`AgentHomotopy`). The path follower is
:func:`bargain.solvers.continuation.trace`, as for the normal form's logit QRE:
one shared grid in t, a Newton corrector per point, and pseudo-arclength
continuation for a point whose path turns back in t or whose corrector fails
(it is flagged ``fallback``). A point counts as solved when every agent's
behaviour is within :data:`~bargain.tolerances.QRE_TOL` of its logit response
(plus what float64 resolves at that lam) and sums to 1 as closely.

Arrays carry the batch in the last axis; ``probs[c]`` (branches, N) and
``payoffs[t]`` (P, N) as :func:`bargain.solvers.backward.subgame_perfect` takes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bargain.tolerances import QRE_TOL, ROUNDING

from .backward import TreeStructure, propagate_reach
from .continuation import Budget, trace


class AgentQre(NamedTuple):
    """Agent QREs at K values of lam and N points.

    ``behaviour[node]`` (K, moves, N) the move probabilities at each decision
    node (equal at the nodes of one information set); ``values`` (K, P, N) the
    expected payoffs; ``reach`` (K, terminals, N) the probability of ending at each
    terminal node (index order); ``regret`` (K, P, N) the largest gain of any agent
    of each player from its best move over its behaviour, given its beliefs
    (positive at finite lam); all NaN where not ``reached`` (K, N). ``fallback`` (N,)
    the points whose path left the shared grid for arclength continuation (it turns
    back in lam, so other QREs exist on the way, or its corrector failed there);
    ``exhausted`` the budget that ran out (None: none did); ``steps`` the steps taken.
    """

    behaviour: dict[int, np.ndarray]
    values: np.ndarray
    reach: np.ndarray
    regret: np.ndarray
    reached: np.ndarray
    fallback: np.ndarray
    exhausted: str | None
    steps: int


@dataclass(frozen=True)
class Agents:
    """The information sets of a tree as agents, and the moves as one vector.

    ``sets[h]`` the decision nodes of set h, ``owner[h]`` its player,
    ``first[h]`` the index of its first move among all ``n_moves``, so that move a
    of set h is ``first[h] + a``; ``of_node[v]`` the set of decision node v;
    ``above[v, m]`` is 1 where the path to node v takes move m.
    """

    sets: tuple[tuple[int, ...], ...]
    owner: tuple[int, ...]
    first: tuple[int, ...]
    n_moves: int
    of_node: dict[int, int]
    above: np.ndarray

    @classmethod
    def of(cls, tree: TreeStructure) -> Agents:
        members: dict[int, list[int]] = {}
        for v in tree.subtree(tree.root):
            if tree.kind[v] == "decision":
                members.setdefault(tree.infoset[v], []).append(v)
        sets = tuple(tuple(nodes) for _, nodes in sorted(members.items()))
        first, total = [], 0
        for nodes in sets:
            first.append(total)
            total += len(tree.children[nodes[0]])
        of_node = {v: h for h, nodes in enumerate(sets) for v in nodes}
        above = np.zeros((len(tree.kind), total))
        for v in reversed(tree.order):  # parents first
            for a, c in enumerate(tree.children[v]):
                above[c] = above[v]
                if v in of_node:
                    above[c, first[of_node[v]] + a] = 1.0
        return cls(
            sets, tuple(tree.player[n[0]] for n in sets), tuple(first), total, of_node, above
        )

    @property
    def perfect(self) -> bool:
        """Whether every information set is one node (perfect information)."""
        return all(len(nodes) == 1 for nodes in self.sets)

    def moves(self, h: int) -> range:
        end = self.first[h + 1] if h + 1 < len(self.sets) else self.n_moves
        return range(self.first[h], end)

    def uniform(self, n: int) -> np.ndarray:
        """Log-probabilities (M, n) of uniform play: the QRE at lam = 0."""
        y = np.empty((self.n_moves, n))
        for h in range(len(self.sets)):
            moves = self.moves(h)
            y[moves.start : moves.stop] = -np.log(len(moves))
        return y


def logit_backward(
    tree: TreeStructure,
    probs: dict[int, np.ndarray],
    payoffs: dict[int, np.ndarray],
    lam: np.ndarray,
) -> dict[int, np.ndarray]:
    """The agent QRE of a perfect-information tree at N points, ``lam`` (P, N): the
    behaviour (moves, N) at each decision node, by one backward pass. A node of
    player p plays ``softmax(lam_p * V_p(children))``; its value is the mixture."""
    value: dict[int, np.ndarray] = {}
    behaviour = {}
    for v in tree.order:
        kids = tree.children[v]
        if tree.kind[v] == "terminal":
            value[v] = payoffs[v]
        elif tree.kind[v] == "chance":
            value[v] = sum(p * value[c] for p, c in zip(probs[v], kids))
        else:
            q = np.stack([value[c][tree.player[v]] for c in kids])
            z = lam[tree.player[v]] * (q - q.max(axis=0))
            w = np.exp(z)
            behaviour[v] = w / w.sum(axis=0)
            value[v] = sum(b * value[c] for b, c in zip(behaviour[v], kids))
        for c in kids:
            del value[c]
    return behaviour


def agent_qre(
    tree: TreeStructure,
    probs: dict[int, np.ndarray],
    payoffs: dict[int, np.ndarray],
    stops: np.ndarray,
    weights: np.ndarray,
    budget: Budget | None = None,
) -> AgentQre:
    """The agent logit QRE on the principal branch of N points at K values of lam:
    player p's lam is ``stops[k] * weights[p]``, ``stops`` (K,) increasing and >= 0,
    ``weights`` (P, N) >= 0. With information sets the path from lam = 0 is followed
    by :func:`~bargain.solvers.continuation.trace` within ``budget`` (steps and
    seconds of the whole call): values it leaves unreached are NaN, and ``exhausted``
    says which budget ran out. With perfect information no path is needed."""
    stops = np.asarray(stops, dtype=float)
    weights = np.asarray(weights, dtype=float)
    k, (n_players, n) = len(stops), weights.shape
    if stops.ndim != 1 or not np.isfinite(stops).all() or (stops < 0).any():
        raise ValueError("stops must be finite values >= 0")
    if (np.diff(stops) <= 0).any():
        raise ValueError("stops must increase")
    if not np.isfinite(weights).all() or (weights < 0).any():
        raise ValueError("weights must be finite values >= 0")
    agents = Agents.of(tree)
    flat = {c: np.tile(p, k) for c, p in probs.items()}
    pay = {t: np.tile(u, k) for t, u in payoffs.items()}
    if agents.perfect:
        lam = (stops[:, None, None] * weights[None]).transpose(1, 0, 2).reshape(n_players, -1)
        behaviour = logit_backward(tree, flat, pay, lam)
        y = np.empty((0, k * n))
        with np.errstate(divide="ignore"):  # a probability that underflows is exp(-inf)
            y = np.log(np.concatenate([y, *(behaviour[nodes[0]] for nodes in agents.sets)]))
        none = np.zeros(n, dtype=bool)
        return _result(tree, agents, y, flat, pay, np.ones((k, n), bool), none, None, 0)
    system = AgentHomotopy(tree, agents, probs, payoffs, weights)
    traced = trace(system, agents.uniform(n).T, stops, budget)
    y = traced.y.transpose(2, 1, 0).reshape(agents.n_moves, k * n)  # (M, K*N)
    return _result(
        tree,
        agents,
        y,
        flat,
        pay,
        traced.reached.T,
        traced.fallback,
        traced.exhausted,
        traced.steps,
    )


def _result(
    tree: TreeStructure,
    agents: Agents,
    y: np.ndarray,
    probs: dict[int, np.ndarray],
    payoffs: dict[int, np.ndarray],
    reached: np.ndarray,
    fallback: np.ndarray,
    exhausted: str | None,
    steps: int,
) -> AgentQre:
    """The measures of the behaviour of log-probabilities ``y`` (M, K*N), normalised per
    set, as arrays (K, ..., N); NaN where not ``reached`` (K, N)."""
    k = len(reached)
    y = np.where(reached.reshape(-1), np.maximum(y, -1e300), -np.log(2))  # 0 * y stays 0
    sigma = np.exp(y)
    for h in range(len(agents.sets)):
        moves = slice(agents.moves(h).start, agents.moves(h).stop)
        sigma[moves] /= sigma[moves].sum(axis=0)
    behaviour = {}
    for h, nodes in enumerate(agents.sets):
        moves = agents.moves(h)
        for v in nodes:
            behaviour[v] = sigma[moves.start : moves.stop]
    columns = sigma.shape[1]
    log_chance = _log_chance(tree, probs, columns)
    q, values = _action_values(tree, agents, sigma, y, probs, payoffs, log_chance)
    regret = np.zeros((tree.n_players, columns))
    for h, p in enumerate(agents.owner):
        moves = slice(agents.moves(h).start, agents.moves(h).stop)
        gain = q[moves].max(axis=0) - (sigma[moves] * q[moves]).sum(axis=0)
        np.maximum(regret[p], gain, out=regret[p])
    reach = np.empty((len(tree.kind), columns))

    def weights(v: int) -> np.ndarray:
        return probs[v] if tree.kind[v] == "chance" else behaviour[v]

    propagate_reach(tree, weights, reach.__getitem__)
    n = columns // k
    missing = ~reached

    def split(a: np.ndarray) -> np.ndarray:  # (..., K*N) -> (K, ..., N), NaN where missing
        out = np.moveaxis(a.reshape(*a.shape[:-1], k, n), -2, 0)
        return np.where(missing.reshape(k, *([1] * (a.ndim - 1)), n), np.nan, out)

    return AgentQre(
        {v: split(b) for v, b in behaviour.items()},
        split(values),
        split(reach[list(tree.terminals)]),
        split(regret),
        reached,
        fallback,
        exhausted,
        steps,
    )


def _log_chance(tree: TreeStructure, probs: dict[int, np.ndarray], n: int) -> np.ndarray:
    """log of the product of chance probabilities on the path to each node, (nodes, n)."""
    out = np.empty((len(tree.kind), n))
    out[tree.root] = 0.0
    with np.errstate(divide="ignore"):
        for v in reversed(tree.order):
            for j, c in enumerate(tree.children[v]):
                out[c] = out[v] + np.log(probs[v][j]) if tree.kind[v] == "chance" else out[v]
    return out


def _beliefs(agents: Agents, y: np.ndarray, log_chance: np.ndarray) -> np.ndarray:
    """mu (nodes, n) at each decision node: its reach over its set's, by Bayes' rule.

    Computed from log reach (the moves above plus chance) shifted by the set's
    largest, so that no reach underflows to 0/0. Where chance excludes a whole
    set, any beliefs are consistent: the set then weighs its nodes by the players'
    moves alone (as if chance were even), which keeps mu a smooth function of y.
    """
    mu = np.zeros((agents.above.shape[0], y.shape[1]))
    for nodes in agents.sets:
        members = list(nodes)
        if len(members) == 1:
            mu[members[0]] = 1.0
            continue
        chance = log_chance[members]
        chance = np.where(np.isfinite(chance.max(axis=0)), chance, 0.0)
        logs = agents.above[members] @ y + chance
        w = np.exp(logs - logs.max(axis=0))
        mu[members] = w / w.sum(axis=0)
    return mu


def _action_values(
    tree: TreeStructure,
    agents: Agents,
    sigma: np.ndarray,
    y: np.ndarray,
    probs: dict[int, np.ndarray],
    payoffs: dict[int, np.ndarray],
    log_chance: np.ndarray,
    jacobian: bool = False,
) -> tuple[np.ndarray, ...]:
    """Q (M, n), each move's expected payoff to its agent given its beliefs; the root's
    values (P, n); with ``jacobian`` also dQ/dy (M, M, n).

    One backward pass. Below node v the sensitivities S(v)[:, m] = dV(v)/dy_m follow
    ``S(v) = sum_b sigma_b S(v.b) + sigma_m V(v.b)`` at move m = b of v's set;
    and ``dQ_m/dy = sum_x mu(x) [(above[x] - sum_x' mu(x') above[x']) V_p(x.m) + S_p(x.m)]``.
    """
    n = sigma.shape[1]
    mu = _beliefs(agents, y, log_chance)
    q = np.zeros((agents.n_moves, n))
    dq = np.zeros((agents.n_moves, agents.n_moves, n)) if jacobian else None
    mean_above = {}
    if jacobian:
        for h, nodes in enumerate(agents.sets):
            mean_above[h] = agents.above[list(nodes)].T @ mu[list(nodes)]  # (M, n)
    value: dict[int, np.ndarray] = {}
    sens: dict[int, np.ndarray | None] = {}
    for v in tree.order:
        kids = tree.children[v]
        if tree.kind[v] == "terminal":
            value[v], sens[v] = payoffs[v], None
            continue
        if tree.kind[v] == "chance":
            value[v] = sum(p * value[c] for p, c in zip(probs[v], kids))
            if jacobian:
                sens[v] = _mix([(p, sens[c]) for p, c in zip(probs[v], kids)])
        else:
            h, p = agents.of_node[v], tree.player[v]
            first = agents.first[h]
            weights = sigma[first : first + len(kids)]
            value[v] = sum(w * value[c] for w, c in zip(weights, kids))
            for b, c in enumerate(kids):
                q[first + b] += mu[v] * value[c][p]
            if jacobian:
                below = _mix([(w, sens[c]) for w, c in zip(weights, kids)])
                if below is None:
                    below = np.zeros((tree.n_players, agents.n_moves, n))
                for b, c in enumerate(kids):
                    below[:, first + b] += weights[b] * value[c]
                    term = (agents.above[v][:, None] - mean_above[h]) * value[c][p]
                    if sens[c] is not None:
                        term += sens[c][p]
                    dq[first + b] += mu[v] * term
                sens[v] = below
        for c in kids:
            del value[c]
            sens.pop(c, None)
    return (q, value[tree.root], dq) if jacobian else (q, value[tree.root])


def _mix(parts: list[tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray | None:
    """``sum w * s`` over the parts whose s is not None (None: all zero)."""
    out = None
    for w, s in parts:
        if s is not None:
            out = w * s if out is None else out + w * s
    return out


class AgentHomotopy:
    """The agent QRE system of N points in log-probabilities (see the module docstring),
    a :class:`~bargain.solvers.continuation.Homotopy`: lam_p = t * weights[p]."""

    def __init__(
        self,
        tree: TreeStructure,
        agents: Agents,
        probs: dict[int, np.ndarray],
        payoffs: dict[int, np.ndarray],
        weights: np.ndarray,
        tol: float = QRE_TOL,
    ) -> None:
        self.tree, self.agents, self.probs, self.payoffs = tree, agents, probs, payoffs
        self.weights, self.tol = weights, tol
        self.log_chance = _log_chance(tree, probs, weights.shape[1])
        terminal = np.stack([payoffs[t] for t in tree.terminals])  # (T, P, N)
        #: each player's payoff range (P, N) and largest absolute payoff (its rounding).
        self.span = terminal.max(axis=0) - terminal.min(axis=0)
        self.magnitude = np.abs(terminal).max(axis=0)

    def t_scale(self, which: np.ndarray) -> np.ndarray:
        """1 / max_p (w_p * range_p): t per unit of lam times payoff range."""
        rate = (self.weights[:, which] * self.span[:, which]).max(axis=0)
        return 1.0 / np.where(rate > 0, rate, 1.0)

    def evaluate(
        self, y: np.ndarray, t: np.ndarray, which: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """H (n, M), dH/dy (n, M, M), dH/dt (n, M) and the score (n,): the largest gap
        between an agent's behaviour and its logit response, or of its sum from 1, over
        the tolerance (at most 1: solved)."""
        agents = self.agents
        y = y.T  # (M, n)
        slope = self.weights[:, which]
        lam = t * slope
        with np.errstate(over="ignore"):
            sigma = np.exp(y)
        probs = {c: p[:, which] for c, p in self.probs.items()}
        payoffs = {v: u[:, which] for v, u in self.payoffs.items()}
        with np.errstate(all="ignore"):
            q, _, dq = _action_values(
                self.tree, agents, sigma, y, probs, payoffs, self.log_chance[:, which], True
            )
        m, n = y.shape
        h_value = np.empty((m, n))
        h_t = np.zeros((m, n))
        jac = np.zeros((m, m, n))
        err = np.zeros(n)
        for h, p in enumerate(agents.owner):
            moves = agents.moves(h)
            f, end = moves.start, moves.stop
            h_value[f] = sigma[f:end].sum(axis=0) - 1
            jac[f, f:end] = sigma[f:end]
            with np.errstate(all="ignore"):
                z = lam[p] * (q[f:end] - q[f:end].max(axis=0))
                logit = np.exp(z) / np.exp(z).sum(axis=0)
                gap = np.abs(sigma[f:end] - logit).max(axis=0)
            err = np.fmax(err, np.abs(h_value[f]))
            err = np.maximum(err, np.where(np.isfinite(gap), gap, np.inf))
            for r in range(f + 1, end):
                diff = q[r] - q[f]
                h_value[r] = y[r] - y[f] - lam[p] * diff
                h_t[r] = -slope[p] * diff
                jac[r] = -lam[p] * (dq[r] - dq[f])
                jac[r, r] += 1.0
                jac[r, f] -= 1.0
        rounding = 8 * ROUNDING * (lam * self.magnitude[:, which]).max(axis=0)
        finite = np.isfinite(h_value).all(axis=0) & np.isfinite(jac).all(axis=(0, 1))
        score = np.where(finite, err / (self.tol + rounding), np.inf)
        return h_value.T, np.moveaxis(jac, -1, 0), h_t.T, score
