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
uniform, to each lam asked for (:func:`agent_qre`; Turocy 2005 for the
method): the unknowns are the log-probabilities y of all moves, and

    H_h0 = sum_a exp(y_ha) - 1,    H_ha = y_ha - y_h0 - lam_p (Q_h(a) - Q_h(0))  (a >= 1)

vanish at a QRE. Every point keeps its own step; the points march together
along lam (a predictor along the tangent dy/dt = -H_y^-1 H_t, then a Newton
corrector with the exact Jacobian). A point whose path turns back in lam (the
sign of det H_y changes) or whose corrector keeps failing is followed by
pseudo-arc-length continuation instead (Allgower and Georg 1990, ch. 2), on
its own, and flagged. At each point lam moves along one ray from 0,
``lam = t * direction``, the path parameter t measured as lam times the payoff
range (the largest over players), so that a unit of t moves log-probabilities
by about 1 whatever the payoffs' units.

Arrays carry the batch in the last axis; ``probs[c]`` (branches, N) and
``payoffs[t]`` (P, N) as :func:`bargain.solvers.backward.subgame_perfect` takes them.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from bargain.errors import BudgetError

from .backward import TreeStructure, propagate_reach

#: A QRE is accepted where every equation holds within this, times 1 + the largest
#: lam_p times player p's payoff range (the size of the terms of H): log-probabilities,
#: so probabilities are correct to about this relative error.
RESIDUAL_TOL = 1e-10
#: Newton iterations of one corrector step at most.
NEWTON_ITERATIONS = 8
#: Predictor steps per point at most (accepted or not), the default budget.
MAX_STEPS = 20_000
#: The first step, in units of lam times the payoff range (the largest over players).
FIRST_STEP = 0.2
#: Steps below this (same units) mean the march cannot go on: the point is followed by
#: arc length instead.
MIN_STEP = 1e-7
#: The largest change of log-probabilities the corrector may make in its first iteration.
MAX_CORRECTION = 1.0
#: Steps at most this long (units of t: lam times payoff range), or this share of t.
MAX_STEP, MAX_STEP_SHARE = 1.0, 0.25
#: An arc-length corrector may move the predicted point by at most this share of the step.
MAX_DRIFT = 0.5
#: Cosine between successive tangents at least (arc length): sharper turns are retried
#: with a shorter step.
MIN_COSINE = 0.9


class AgentQre(NamedTuple):
    """Agent QREs at K values of lam and N points.

    ``behaviour[node]`` (K, moves, N) the move probabilities at each decision
    node (equal at the nodes of one information set); ``values`` (K, P, N) the
    expected payoffs; ``reach`` (K, terminals, N) the probability of ending at each
    terminal node (index order); ``regret`` (K, N) the largest gain of an agent
    from its best move over its behaviour, given its beliefs (positive at finite
    lam); ``turned`` (K, N) whether the branch turned back in lam before reaching
    that lam (then other QREs exist on the way); ``steps`` (N,) predictor steps taken.
    """

    behaviour: dict[int, np.ndarray]
    values: np.ndarray
    reach: np.ndarray
    regret: np.ndarray
    turned: np.ndarray
    steps: np.ndarray


class PathBudgetError(BudgetError):
    """The path of a point stopped before its last lam: its budget (steps or seconds)
    ran out, or its step shrank below :data:`MIN_STEP` (it cannot be followed)."""

    def __init__(self, point: int, lam: np.ndarray, budget: str, reason: str) -> None:
        super().__init__(
            f"agent QRE path following stopped at lam {np.round(lam, 6).tolist()} "
            f"(point {point}): {reason}"
        )
        #: The point (index in the batch), the lam (P,) its path had reached, the budget
        #: concerned (``max_steps``, ``max_seconds`` or ``step``) and why it stopped.
        self.point, self.lam, self.budget, self.reason = point, lam, budget, reason


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
    lam: np.ndarray,
    max_steps: int = MAX_STEPS,
    max_seconds: float | None = None,
) -> AgentQre:
    """The agent logit QRE on the principal branch at K values of lam, N points.

    ``lam`` (K, P, N): lam of each player at each point, non-negative and
    non-decreasing along K; with information sets the K values of a point lie on
    one ray from 0 (``lam[k] = s_k * lam[-1]``), which the path follows in order.
    ``max_steps`` bounds the predictor steps of each point's path, ``max_seconds``
    the whole computation: a :class:`PathBudgetError` says which point ran out, and
    at which lam. With perfect information no path is needed.
    """
    lam = np.asarray(lam, dtype=float)
    k, n_players, n = lam.shape
    if not np.isfinite(lam).all() or (lam < 0).any() or (np.diff(lam, axis=0) < 0).any():
        raise ValueError("lam must be finite, non-negative and non-decreasing along its knots")
    agents = Agents.of(tree)
    flat = {c: np.tile(p, k) for c, p in probs.items()}
    pay = {t: np.tile(u, k) for t, u in payoffs.items()}
    if agents.perfect:
        columns = lam.transpose(1, 0, 2).reshape(n_players, k * n)
        behaviour = logit_backward(tree, flat, pay, columns)
        y = np.empty((0, k * n))
        with np.errstate(divide="ignore"):  # a probability that underflows is exp(-inf)
            y = np.log(np.concatenate([y, *(behaviour[nodes[0]] for nodes in agents.sets)]))
        return _result(tree, agents, y, flat, pay, k, np.zeros((k, n), bool), np.zeros(n, int))
    path = _Path(tree, agents, probs, payoffs, lam, max_steps, max_seconds)
    path.march()
    path.follow_turned()
    y = path.knots.transpose(1, 0, 2).reshape(agents.n_moves, k * n)
    return _result(tree, agents, y, flat, pay, k, path.turned, path.steps)


def _result(
    tree: TreeStructure,
    agents: Agents,
    y: np.ndarray,
    probs: dict[int, np.ndarray],
    payoffs: dict[int, np.ndarray],
    k: int,
    turned: np.ndarray,
    steps: np.ndarray,
) -> AgentQre:
    """The measures of the behaviour of log-probabilities ``y`` (M, K*N), normalised per
    set, as arrays (K, ..., N)."""
    y = np.maximum(y, -1e300)  # finite: 0 * y stays 0 in the beliefs' sums
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
    regret = np.zeros(columns)
    for h in range(len(agents.sets)):
        moves = slice(agents.moves(h).start, agents.moves(h).stop)
        gain = q[moves].max(axis=0) - (sigma[moves] * q[moves]).sum(axis=0)
        np.maximum(regret, gain, out=regret)
    reach = np.empty((len(tree.kind), columns))

    def weights(v: int) -> np.ndarray:
        return probs[v] if tree.kind[v] == "chance" else behaviour[v]

    propagate_reach(tree, weights, reach.__getitem__)
    n = columns // k

    def split(a: np.ndarray) -> np.ndarray:  # (..., K*N) -> (K, ..., N)
        return np.moveaxis(a.reshape(*a.shape[:-1], k, n), -2, 0)

    return AgentQre(
        {v: split(b) for v, b in behaviour.items()},
        split(values),
        split(reach[list(tree.terminals)]),
        split(regret),
        turned,
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


class _Path:
    """The principal branches of N points: the march along lam, then arc length for the
    points whose branch turns. ``knots`` (K, M, N) receives each knot's log-probabilities."""

    def __init__(
        self,
        tree: TreeStructure,
        agents: Agents,
        probs: dict[int, np.ndarray],
        payoffs: dict[int, np.ndarray],
        lam: np.ndarray,
        max_steps: int,
        max_seconds: float | None,
    ) -> None:
        if max_steps < 1:
            raise ValueError(f"max_steps must be at least 1, got {max_steps}")
        self.tree, self.agents, self.probs, self.payoffs = tree, agents, probs, payoffs
        k, _, n = lam.shape
        self.log_chance = _log_chance(tree, probs, n)
        terminal = np.stack([payoffs[t] for t in tree.terminals])  # (T, P, N)
        span = terminal.max(axis=0) - terminal.min(axis=0)
        span[span == 0] = 1.0  # a player indifferent everywhere: its lam does not matter
        #: Each knot's kappa = max_p lam_p * span_p (K, N): the path parameter t is kappa,
        #: lam = t * direction, so that a unit of t changes log-probabilities by about 1.
        self.kappa = (lam * span).max(axis=1)
        final = np.where(self.kappa[-1] > 0, self.kappa[-1], 1.0)
        self.direction = lam[-1] / final
        if not np.allclose(lam, self.kappa[:, None] * self.direction, rtol=1e-9, atol=0):
            raise ValueError("the values of lam at each point must lie on one ray from 0")
        self.tol = RESIDUAL_TOL * (1 + self.kappa[-1])
        self.max_steps = max_steps
        self.deadline = None if max_seconds is None else time.monotonic() + max_seconds
        self.max_seconds = max_seconds
        self.knots = np.empty((k, agents.n_moves, n))
        self.done = np.zeros((k, n), dtype=bool)
        self.turned = np.zeros((k, n), dtype=bool)
        self.steps = np.zeros(n, dtype=np.int64)
        self.y = agents.uniform(n)
        self.t = np.zeros(n)
        self.before = np.vstack([self.y, self.t])  # (y, t) one accepted step earlier
        self.marching = np.ones(n, dtype=bool)

    # -- the equations ----------------------------------------------------------------------

    def equations(
        self, y: np.ndarray, t: np.ndarray, idx: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """H (M, n), H_y (n, M, M) and H_t (M, n) at log-probabilities y, parameter t."""
        agents = self.agents
        slope = self.direction[:, idx]
        lam = t * slope
        sigma = np.exp(y)
        probs = {c: p[:, idx] for c, p in self.probs.items()}
        payoffs = {v: u[:, idx] for v, u in self.payoffs.items()}
        q, _, dq = _action_values(
            self.tree, agents, sigma, y, probs, payoffs, self.log_chance[:, idx], jacobian=True
        )
        m, n = y.shape
        h_value = np.empty((m, n))
        h_t = np.zeros((m, n))
        jac = np.zeros((m, m, n))
        for h, p in enumerate(agents.owner):
            moves = agents.moves(h)
            f = moves.start
            h_value[f] = sigma[moves.start : moves.stop].sum(axis=0) - 1
            jac[f, moves.start : moves.stop] = sigma[moves.start : moves.stop]
            for r in range(f + 1, moves.stop):
                gap = q[r] - q[f]
                h_value[r] = y[r] - y[f] - lam[p] * gap
                h_t[r] = -slope[p] * gap
                jac[r] = -lam[p] * (dq[r] - dq[f])
                jac[r, r] += 1.0
                jac[r, f] -= 1.0
        return h_value, np.moveaxis(jac, -1, 0), h_t

    def budget(self, idx: np.ndarray) -> None:
        """Count a step of each point in idx; raise when one runs out of steps or time."""
        self.steps[idx] += 1
        over = idx[self.steps[idx] > self.max_steps]
        if over.size:
            self.stop(
                int(over[0]), "max_steps", f"its budget of max_steps={self.max_steps:,} ran out"
            )
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.stop(int(idx[0]), "max_seconds", f"its budget of {self.max_seconds:g} s ran out")

    def stop(self, point: int, budget: str, reason: str) -> None:
        """Raise the :class:`PathBudgetError` of a point, at the lam it reached."""
        raise PathBudgetError(point, self.t[point] * self.direction[:, point], budget, reason)

    # -- the march along lam ----------------------------------------------------------------

    def march(self) -> None:
        """Every point along lam, knot after knot, with its own step, while it can."""
        n = self.y.shape[1]
        everyone = np.arange(n)
        _, jac, h_t = self.equations(self.y, self.t, everyone)
        self.jac, self.h_t = jac, h_t
        self.sign = np.linalg.slogdet(jac)[0]
        step = np.full(n, FIRST_STEP)
        for j, knot in enumerate(self.kappa):
            while True:
                idx = np.flatnonzero(self.marching & (self.t < knot))
                if not idx.size:
                    break
                self.budget(idx)
                dy = _solve(self.jac[idx], -self.h_t[:, idx])
                room = knot[idx] - self.t[idx]
                h = np.minimum(np.minimum(step[idx], _largest_step(self.t[idx])), room)
                t_new = np.where(h >= room, knot[idx], self.t[idx] + h)
                y_new, ok, jac, h_t = self.correct(self.y[:, idx] + h * dy, t_new, idx)
                sign = np.linalg.slogdet(jac)[0]
                turns = ok & (sign != self.sign[idx])
                ok &= ~turns & np.isfinite(dy).all(axis=0)
                good = idx[ok]
                self.before[:, good] = np.vstack([self.y[:, good], self.t[good]])
                self.y[:, good], self.t[good] = y_new[:, ok], t_new[ok]
                self.jac[good], self.h_t[:, good] = jac[ok], h_t[:, ok]
                step[good] *= 1.5
                step[idx[~ok]] *= 0.5
                stuck = idx[turns | (~ok & (step[idx] < MIN_STEP))]
                self.marching[stuck] = False
            at_knot = np.flatnonzero(self.marching)
            self.knots[j][:, at_knot] = self.y[:, at_knot]
            self.done[j, at_knot] = True

    def correct(
        self, y: np.ndarray, t: np.ndarray, idx: np.ndarray, iterations: int = NEWTON_ITERATIONS
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Newton's method on y at fixed t (n,) for points idx: the solutions, which
        converged, and H_y and H_t there. A point fails where its first correction
        exceeds :data:`MAX_CORRECTION` or its residual does not halve at each iteration."""
        y = y.copy()
        n = len(idx)
        ok = np.zeros(n, dtype=bool)
        alive = np.ones(n, dtype=bool)
        jac = np.empty((n, self.agents.n_moves, self.agents.n_moves))
        h_t = np.empty_like(y)
        last = np.full(n, np.inf)
        for i in range(iterations + 1):
            live = np.flatnonzero(alive)
            if not live.size:
                break
            h, j, ht = self.equations(y[:, live], t[live], idx[live])
            jac[live], h_t[:, live] = j, ht
            residual = np.abs(h).max(axis=0)
            converged = residual <= self.tol[idx[live]]
            stalled = ~np.isfinite(residual) | (residual > 0.5 * last[live])
            ok[live[converged]] = True
            last[live] = residual
            go = ~converged & ~stalled
            alive[live[~go]] = False
            if i == iterations or not go.any():
                break
            delta = _solve(j[go], -h[:, go])
            size = np.abs(delta).max(axis=0)
            jump = ~np.isfinite(size) | (size > MAX_CORRECTION if i == 0 else False)
            moving = live[go]
            alive[moving[jump]] = False
            y[:, moving[~jump]] += delta[:, ~jump]
        return y, ok, jac, h_t

    # -- arc length, for the points whose branch turns --------------------------------------

    def follow_turned(self) -> None:
        """Pseudo-arc-length continuation in (y, t) for the points the march left,
        from their last point on, recording each knot the first time t reaches it."""
        idx = np.flatnonzero(~self.marching)
        if not idx.size:
            return
        m = self.agents.n_moves
        z = np.vstack([self.y[:, idx], self.t[idx]])
        # The tangent: the null vector of [H_y, H_t] (by SVD, sound at a fold too),
        # oriented along the last step of the march.
        rows = np.concatenate([self.jac[idx], self.h_t[:, idx].T[:, :, None]], axis=2)
        tangent = np.linalg.svd(rows)[2][:, -1, :].T
        tangent *= np.where(((z - self.before[:, idx]) * tangent).sum(axis=0) < 0, -1.0, 1.0)
        step = np.full(len(idx), 0.1)
        back = np.zeros(len(idx), dtype=bool)  # t went down somewhere: the branch turned
        live = np.arange(len(idx))
        while live.size:
            self.budget(idx[live])
            step[live] = np.minimum(step[live], _largest_step(z[m, live]))
            guess = z[:, live] + step[live] * tangent[:, live]
            z_new, ok, tangent_new = self.arc_correct(guess, tangent[:, live], idx[live])
            ok &= (tangent_new * tangent[:, live]).sum(axis=0) >= MIN_COSINE
            ok &= np.linalg.norm(z_new - guess, axis=0) <= MAX_DRIFT * step[live]
            for s in np.flatnonzero(ok):
                ok[s] = self.record(idx[live[s]], z[:, live[s]], z_new[:, s], back[live[s]])
            good = live[ok]
            back[good] |= z_new[m, ok] < z[m, good]
            z[:, good], tangent[:, good] = z_new[:, ok], tangent_new[:, ok]
            self.t[idx[good]] = z[m, good]  # where the path is, for the budget's message
            step[good] *= 1.5
            step[live[~ok]] *= 0.5
            if (step[live] < MIN_STEP).any():
                point = idx[live[np.argmax(step[live] < MIN_STEP)]]
                self.stop(point, "step", f"its step fell below {MIN_STEP:g}: no way on")
            live = np.flatnonzero(~self.done[:, idx].all(axis=0))

    def record(self, point: int, old: np.ndarray, new: np.ndarray, back: bool) -> bool:
        """Record the knots t passes upward from ``old`` to ``new`` (y, t), each by Newton's
        method at the knot from the secant; False if one fails (the step is then retried)."""
        m = self.agents.n_moves
        for j in np.flatnonzero(~self.done[:, point]):
            knot = self.kappa[j, point]
            if j and self.done[j - 1, point] and knot == self.kappa[j - 1, point]:
                self.knots[j][:, point] = self.knots[j - 1][:, point]
                self.done[j, point], self.turned[j, point] = True, self.turned[j - 1, point]
                continue
            if not old[m] < knot <= new[m]:
                break
            start = old[:m] + (knot - old[m]) / (new[m] - old[m]) * (new[:m] - old[:m])
            y, good, _, _ = self.correct(
                start[:, None], np.array([knot]), np.array([point]), 4 * NEWTON_ITERATIONS
            )
            if not good[0]:
                return False
            self.knots[j][:, point] = y[:, 0]
            self.done[j, point] = True
            self.turned[j, point] = back
        return True

    def arc_correct(
        self, z: np.ndarray, tangent: np.ndarray, idx: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Newton's method on (y, t) with corrections orthogonal to ``tangent`` (M + 1, n):
        the new points, which converged, and the unit tangents there, oriented along
        the old ones (the last row of the augmented Jacobian is the old tangent)."""
        m = self.agents.n_moves
        z = z.copy()
        n = len(idx)
        jac = np.empty((n, m + 1, m + 1))
        jac[:, m] = tangent.T
        last = np.full(n, np.inf)
        ok = np.zeros(n, dtype=bool)
        usable = np.ones(n, dtype=bool)
        for i in range(NEWTON_ITERATIONS + 1):
            h, j, ht = self.equations(z[:m], z[m], idx)
            jac[:, :m, :m], jac[:, :m, m] = j, ht.T
            residual = np.abs(h).max(axis=0)
            ok |= usable & (residual <= self.tol[idx])
            usable &= ok | (np.isfinite(residual) & ~(residual > 0.5 * last))
            last = residual
            if i == NEWTON_ITERATIONS or not (usable & ~ok).any():
                break
            delta = _solve(jac, -np.vstack([h, np.zeros(n)]))
            size = np.abs(delta[:m]).max(axis=0)
            if i == 0:
                usable &= ok | (np.isfinite(size) & (size <= MAX_CORRECTION))
            moving = usable & ~ok
            z[:, moving] += delta[:, moving]
        unit = np.zeros((m + 1, n))
        unit[m] = 1.0
        tangent_new = _solve(jac, unit)
        tangent_new /= np.linalg.norm(tangent_new, axis=0)
        ok &= np.isfinite(tangent_new).all(axis=0) & (z[m] >= 0)
        return z, ok, tangent_new


def _largest_step(t: np.ndarray) -> np.ndarray:
    """The longest step allowed at path parameter t: :data:`MAX_STEP`, or a share
    :data:`MAX_STEP_SHARE` of t where that is longer (log-probabilities move less as
    lam grows)."""
    return np.maximum(MAX_STEP, MAX_STEP_SHARE * t)


def _solve(matrices: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """x (m, n) with ``matrices[i] @ x[:, i] = rhs[:, i]``; NaN columns where singular."""
    try:
        return np.linalg.solve(matrices, rhs.T[..., None])[..., 0].T
    except np.linalg.LinAlgError:
        out = np.full(rhs.shape, np.nan)
        for i in range(len(matrices)):
            with contextlib.suppress(np.linalg.LinAlgError):
                out[:, i] = np.linalg.solve(matrices[i], rhs[:, i])
        return out
