"""Bayesian Nash equilibria of games with finite types, batched.

A Bayesian game (Harsanyi 1967-68) has players i with finite type sets T_i and
action sets A_i, a common prior pi over type profiles and payoffs u_i(a | t).
A behaviour strategy gives each type t_i a mixture x_i(. | t_i). Type t_i's
interim payoff from action a, given its beliefs pi(t_-i | t_i), is

    U_i(a | t_i) = sum_{t_-i} pi(t_-i | t_i) sum_{a_-i} u_i(a, a_-i | t) prod_j x_j(a_j | t_j),

and the profile is a Bayesian Nash equilibrium when every type plays only
actions that maximise it (Osborne 2004, *An Introduction to Game Theory*,
ch. 9; Fudenberg and Tirole 1991, *Game Theory*, ch. 6): each (player, type)
is an agent of the agent form. A type of prior probability 0 has no beliefs
by Bayes' rule; it is given the others' marginal distribution pi(t_-i), its
beliefs whatever its probability when types are independent, so that it still
best-responds and a sweep of the prior up to 0 or 1 stays continuous.

Kernels (arrays only, the batch in the last axis):

- :func:`agent_pure`: every pure equilibrium, any number of players;
- :func:`type_agent_support`: every equilibrium of a nondegenerate
  two-player game, by support enumeration over the supports of each type;
- :func:`ex_ante_equilibria`: the ex-ante strategic form (a strategy maps
  own types to actions, payoffs are prior-weighted; :func:`ex_ante_form`)
  solved by the normal-form kernels, each equilibrium projected to behaviour;
- :func:`verify`: each type's regret, the interim and ex-ante payoffs.

Payoffs have shape (P, K_1, ..., K_P, m_1, ..., m_P, N) (``payoffs[i, t, a, n]``
is u_i(a | t) in game n), the prior (K_1, ..., K_P, N); a behaviour is one
array (E, K_p, m_p) per player, E rows of equilibria.
"""

from __future__ import annotations

from itertools import combinations, product
from math import comb, prod
from typing import NamedTuple

import numpy as np

from bargain.errors import BudgetError
from bargain.tolerances import PROB_SUM_ATOL, PROB_TOL

from . import arrays
from .linalg import consistent, solve_small
from .pivoting import PROFILE_ATOL, lemke_howson, with_lemke_howson
from .support import BLOCK_FLOATS, MAX_SUPPORT_PAIRS, support_enumeration

#: Most pure profiles of type-strategies (prod_i m_i ** K_i) :func:`agent_pure` examines.
MAX_PURE_PROFILES = 1 << 22


class BayesianArrays(NamedTuple):
    """Equilibria of N Bayesian games in long form.

    ``point[e]`` is the game of row e, ``behaviour[p][e, k, a]`` the probability
    that type k of player p plays action a, ``degenerate[n]`` flags game n.
    Once verified (:func:`verify`): ``payoffs`` (E, P) each player's ex-ante
    payoff, ``interim[p]`` (E, K_p) each type's expected payoff given its type
    (under the beliefs :func:`beliefs` gives a type of probability 0),
    ``regret`` (E,) the largest gain any type could make by deviating.
    """

    point: np.ndarray
    behaviour: tuple[np.ndarray, ...]
    degenerate: np.ndarray
    payoffs: np.ndarray | None = None
    interim: tuple[np.ndarray, ...] | None = None
    regret: np.ndarray | None = None


def concat(parts: list[BayesianArrays]) -> BayesianArrays:
    """Join results over the same N games (equilibria of different supports)."""
    return _join(
        parts, [p.point for p in parts], np.logical_or.reduce([p.degenerate for p in parts])
    )


def stack(chunks: list[BayesianArrays]) -> BayesianArrays:
    """Join results of consecutive chunks of points into one."""
    if len(chunks) == 1:
        return chunks[0]
    offsets = np.cumsum([0] + [len(c.degenerate) for c in chunks[:-1]])
    points = [c.point + o for c, o in zip(chunks, offsets)]
    return _join(chunks, points, np.concatenate([c.degenerate for c in chunks]))


def _join(parts: list[BayesianArrays], points: list[np.ndarray], degenerate: np.ndarray):
    verified = all(p.regret is not None for p in parts)
    return BayesianArrays(
        np.concatenate(points),
        tuple(np.concatenate(b) for b in zip(*(p.behaviour for p in parts))),
        degenerate,
        np.concatenate([p.payoffs for p in parts]) if verified else None,
        tuple(np.concatenate(v) for v in zip(*(p.interim for p in parts))) if verified else None,
        np.concatenate([p.regret for p in parts]) if verified else None,
    )


# -- beliefs and interim payoffs --------------------------------------------------------------


def beliefs(prior: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Each player's beliefs pi(t_-i | t_i) (K_1, ..., K_P, N) and marginal pi_i (K_i, N).

    A type of marginal probability 0 gets the others' marginal pi(t_-i).
    """
    n_players = prior.ndim - 1
    conditional, marginals = [], []
    for i in range(n_players):
        others = tuple(j for j in range(n_players) if j != i)
        marginal = prior.sum(axis=others)  # (K_i, N)
        shape = [1] * n_players + [prior.shape[-1]]
        shape[i] = prior.shape[i]
        positive = marginal.reshape(shape) > 0
        safe = np.where(positive, marginal.reshape(shape), 1.0)
        conditional.append(np.where(positive, prior / safe, prior.sum(axis=i, keepdims=True)))
        marginals.append(marginal)
    return conditional, marginals


def interim_payoffs(
    payoffs: np.ndarray, prior: np.ndarray, behaviour: tuple[np.ndarray, ...], point: np.ndarray
) -> list[np.ndarray]:
    """Each type's interim payoff of each action, (E, K_p, m_p) per player.

    ``behaviour[p]`` (E, K_p, m_p) is row e's behaviour in game ``point[e]``;
    U_p(a | t_p) = sum_{t_-p} pi(t_-p | t_p) sum_{a_-p} u_p(a, a_-p | t) prod x_j(a_j | t_j).
    """
    n_players = payoffs.shape[0]
    n_types = payoffs.shape[1 : 1 + n_players]
    conditional, _ = beliefs(prior)
    out = [np.zeros((len(point), k, b.shape[2])) for k, b in zip(n_types, behaviour)]
    for t in product(*map(range, n_types)):
        for p in range(n_players):
            weight = conditional[p][t][point]  # (E,)
            if not weight.any():
                continue
            u = payoffs[(p, *t)][..., point]  # (m_1, ..., m_P, E)
            for q in reversed(range(n_players)):  # the last first: the others keep their axes
                if q != p:
                    u = np.einsum("k...e,ek->...e", np.moveaxis(u, q, 0), behaviour[q][:, t[q]])
            out[p][:, t[p]] += (u * weight).T
    return out


def verify(
    payoffs: np.ndarray,
    prior: np.ndarray,
    found: BayesianArrays,
    atol: np.ndarray,
    scale: np.ndarray | None = None,
) -> BayesianArrays:
    """The rows of ``found`` that are Bayesian equilibria, with their payoffs and regret.

    A row is kept when every type's regret (its best interim payoff minus that
    of its mixture) is at most its player's tolerance ``atol`` (P, N) and each
    type's mixture is a probability distribution. Payoffs and regrets are in
    the units of ``payoffs`` times ``scale`` (P, N) if given.
    """
    point = found.point
    values = interim_payoffs(payoffs, prior, found.behaviour, point)
    _, marginals = beliefs(prior)
    ok = np.ones(len(point), dtype=bool)
    regret = np.zeros(len(point))
    ex_ante = np.zeros((len(point), len(values)))
    interim = []
    for p, (mix, u) in enumerate(zip(found.behaviour, values)):
        own = (mix * u).sum(axis=2)  # (E, K_p)
        gain = u.max(axis=2) - own
        ok &= (gain <= atol[p, point][:, None]).all(axis=1)
        ok &= (np.abs(mix.sum(axis=2) - 1) <= PROB_SUM_ATOL).all(axis=1)
        ok &= (mix >= -PROB_SUM_ATOL).all(axis=(1, 2))
        factor = scale[p, point] if scale is not None else 1.0
        weight = marginals[p][:, point].T  # (E, K_p)
        ex_ante[:, p] = (weight * own).sum(axis=1) * factor
        interim.append(own * np.asarray(factor)[..., None])
        regret = np.maximum(regret, gain.max(axis=1, initial=0.0) * factor)
    return BayesianArrays(
        point[ok],
        tuple(b[ok] for b in found.behaviour),
        found.degenerate,
        ex_ante[ok],
        tuple(v[ok] for v in interim),
        np.maximum(regret[ok], 0.0),
    )


def distinct(found: BayesianArrays, atol: float = PROFILE_ATOL) -> BayesianArrays:
    """``found`` without rows whose behaviour is within ``atol`` of an earlier row of
    the same game (every probability)."""
    if len(found.point) < 2:
        return found
    flat = np.concatenate([b.reshape(len(b), -1) for b in found.behaviour], axis=1)
    order, starts = arrays.by_point(found.point, len(found.degenerate))
    point, flat = found.point[order], flat[order]
    keep = np.ones(len(order), dtype=bool)
    for k in range(1, int(np.diff(starts).max())):
        same = (point[k:] == point[:-k]) & (np.abs(flat[k:] - flat[:-k]) <= atol).all(axis=1)
        keep[k:] &= ~same
    rows = np.sort(order[keep])
    return found._replace(
        point=found.point[rows], behaviour=tuple(b[rows] for b in found.behaviour)
    )


# -- pure equilibria of the agent form --------------------------------------------------------


def agent_pure(payoffs: np.ndarray, prior: np.ndarray, atol: np.ndarray) -> BayesianArrays:
    """Every pure Bayesian equilibrium of N games, any number of players.

    Each (player, type) is an agent maximising its interim payoff (Harsanyi's
    agent form); a profile of type-strategies is an equilibrium iff every
    agent's action is within ``atol`` (P, N) of its best. A game is flagged
    degenerate when some agent has several best responses to some pure
    profile of the others (a payoff tie).
    """
    n_players = payoffs.shape[0]
    n_types = payoffs.shape[1 : 1 + n_players]
    n_actions = payoffs.shape[1 + n_players : 1 + 2 * n_players]
    profiles = prod(m**k for m, k in zip(n_actions, n_types))
    if profiles > MAX_PURE_PROFILES:
        raise BudgetError(
            f"pure Bayesian equilibria: {profiles:,} profiles of type-strategies per point, "
            f"above the budget of {MAX_PURE_PROFILES:,}; use fewer types or actions"
        )
    n = payoffs.shape[-1]
    size = max(1, BLOCK_FLOATS // profiles)
    return stack(
        [
            _pure_block(payoffs[..., s : s + size], prior[..., s : s + size], atol[:, s : s + size])
            for s in range(0, n, size)
        ]
    )


def _layout(n_types: tuple[int, ...], n_actions: tuple[int, ...]) -> tuple[list[int], tuple]:
    """The axes of type-strategy profiles: one per (player, type), holding its action.

    Returns the first axis of each player and the sizes of all axes.
    """
    first = [int(s) for s in np.cumsum([0, *n_types[:-1]])]
    sizes = tuple(m for m, k in zip(n_actions, n_types) for _ in range(k))
    return first, sizes


def _placed(u: np.ndarray, first: list[int], t: tuple[int, ...], n_axes: int) -> np.ndarray:
    """u(a | t) (m_1, ..., m_P, N) with player j's action on the axis of its type t_j."""
    shape = [1] * n_axes + [u.shape[-1]]
    for j, tj in enumerate(t):
        shape[first[j] + tj] = u.shape[j]
    return u.reshape(shape)


def _pure_block(payoffs: np.ndarray, prior: np.ndarray, atol: np.ndarray) -> BayesianArrays:
    n_players, n = payoffs.shape[0], payoffs.shape[-1]
    n_types = payoffs.shape[1 : 1 + n_players]
    n_actions = payoffs.shape[1 + n_players : 1 + 2 * n_players]
    first, sizes = _layout(n_types, n_actions)
    conditional, _ = beliefs(prior)
    is_eq = np.ones((*sizes, n), dtype=bool)
    ties = np.zeros(n, dtype=bool)
    for i in range(n_players):
        for k in range(n_types[i]):
            axis = first[i] + k
            own = [j for j in range(len(sizes)) if first[i] <= j < first[i] + n_types[i]]
            shape = [1 if (j in own and j != axis) else s for j, s in enumerate(sizes)]
            value = np.zeros((*shape, n))  # agent (i, k)'s interim payoff per profile
            choices = [range(kj) if j != i else [k] for j, kj in enumerate(n_types)]
            for t in product(*choices):
                weight = conditional[i][t]
                if weight.any():
                    value += weight * _placed(payoffs[(i, *t)], first, t, len(sizes))
            best = value >= value.max(axis=axis, keepdims=True) - atol[i]
            ties |= (best.sum(axis=axis) > 1).reshape(-1, n).any(axis=0)
            is_eq &= best
    profile, point = np.divmod(np.flatnonzero(is_eq), n)
    chosen = np.unravel_index(profile, sizes)
    behaviour = []
    for i in range(n_players):
        mix = np.zeros((len(point), n_types[i], n_actions[i]))
        for k in range(n_types[i]):
            mix[np.arange(len(point)), k, chosen[first[i] + k]] = 1.0
        behaviour.append(mix)
    return BayesianArrays(point, tuple(behaviour), ties)


# -- the ex-ante strategic form ---------------------------------------------------------------


def ex_ante_form(payoffs: np.ndarray, prior: np.ndarray) -> np.ndarray:
    """The ex-ante strategic form, (P, m_1**K_1, ..., m_P**K_P, N).

    Player i's strategy is a map from its types to actions, numbered in C
    order (the action of its first type varies slowest); its payoff is
    sum_t pi(t) u_i(s_1(t_1), ..., s_P(t_P) | t) (Harsanyi 1967-68).
    """
    n_players, n = payoffs.shape[0], payoffs.shape[-1]
    n_types = payoffs.shape[1 : 1 + n_players]
    n_actions = payoffs.shape[1 + n_players : 1 + 2 * n_players]
    first, sizes = _layout(n_types, n_actions)
    out = np.zeros((n_players, *sizes, n))
    for t in product(*map(range, n_types)):
        for i in range(n_players):
            out[i] += prior[t] * _placed(payoffs[(i, *t)], first, t, len(sizes))
    return out.reshape(n_players, *(m**k for m, k in zip(n_actions, n_types)), n)


def behaviour_of(mixture: np.ndarray, n_types: int, n_actions: int) -> np.ndarray:
    """The behaviour (E, K, m) a mixture over type-strategies (E, m**K) induces:
    x(a | t) is the probability of the strategies that play a at t (Kuhn 1953).

    Examples
    --------
    >>> behaviour_of(np.array([[0.5, 0.0, 0.0, 0.5]]), 2, 2).tolist()  # (a, a), (b, b)
    [[[0.5, 0.5], [0.5, 0.5]]]
    """
    grid = mixture.reshape(len(mixture), *([n_actions] * n_types))
    out = np.empty((len(mixture), n_types, n_actions))
    for k in range(n_types):
        others = tuple(1 + j for j in range(n_types) if j != k)
        out[:, k] = grid.sum(axis=others) if others else grid
    return out


def ex_ante_equilibria(
    payoffs: np.ndarray, prior: np.ndarray, atol: np.ndarray, *, complete: bool = True
) -> tuple[BayesianArrays, np.ndarray]:
    """Equilibria of two-player games through their ex-ante strategic form.

    With ``complete``, support enumeration of the ex-ante form, then
    Lemke–Howson where it finds nothing; otherwise Lemke–Howson only (one
    equilibrium from each starting label, at least one per game). Each
    equilibrium is projected to behaviour (:func:`behaviour_of`), a type of
    probability 0 (whose action the ex-ante form leaves free) is given its
    best response under ``atol`` (P, N), and duplicates are removed. The
    ex-ante form is degenerate whenever two types of a player mix, and its
    support enumeration then may miss equilibria: the flag says so. Returns
    the equilibria and the games (N,) solved by Lemke–Howson.
    """
    _, k1, k2, m, n, n_points = payoffs.shape
    s1, s2 = m**k1, n**k2
    if complete:
        pairs = sum(comb(s1, k) * comb(s2, k) for k in range(1, min(s1, s2) + 1))
        if pairs > MAX_SUPPORT_PAIRS:
            raise BudgetError(
                f"the ex-ante form has {s1}x{s2} strategies: its support enumeration examines "
                f"{pairs:,} pairs of supports per point, above the budget of "
                f"{MAX_SUPPORT_PAIRS:,}; use method='support' (supports per type)"
            )
    size = max(1, BLOCK_FLOATS // (2 * s1 * s2))
    chunks, rescued = [], []
    for start in range(0, n_points, size):
        part = slice(start, start + size)
        games, weights = payoffs[..., part], prior[..., part]
        form = ex_ante_form(games, weights)
        found, more = _ex_ante_block(form, arrays.payoff_atol(form), complete)
        rescued.append(more)
        behaviour = (behaviour_of(found.profiles[0], k1, m), behaviour_of(found.profiles[1], k2, n))
        projected = BayesianArrays(found.point, behaviour, found.degenerate)
        chunks.append(distinct(_best_responding(games, weights, projected, atol[:, part])))
    return stack(chunks), np.concatenate(rescued)


def _best_responding(
    payoffs: np.ndarray, prior: np.ndarray, found: BayesianArrays, atol: np.ndarray
) -> BayesianArrays:
    """``found`` with each type of probability 0 playing its best response, the first
    of several (the game then flagged degenerate). No one's payoff depends on
    such a type's action, so the others' best responses stay as they are."""
    _, marginals = beliefs(prior)
    zero = [(marginal[:, found.point] <= 0).T for marginal in marginals]  # (E, K_p) each
    if not any(z.any() for z in zero):
        return found
    values = interim_payoffs(payoffs, prior, found.behaviour, found.point)
    degenerate = found.degenerate.copy()
    behaviour = []
    for p, (mix, u, z) in enumerate(zip(found.behaviour, values, zero)):
        best = u >= u.max(axis=2, keepdims=True) - atol[p, found.point][:, None, None]
        first = np.eye(u.shape[2])[best.argmax(axis=2)]  # (E, K_p, m_p)
        behaviour.append(np.where(z[..., None], first, mix))
        degenerate[found.point[(z & (best.sum(axis=2) > 1)).any(axis=1)]] = True
    return found._replace(behaviour=tuple(behaviour), degenerate=degenerate)


def _ex_ante_block(
    form: np.ndarray, atol: np.ndarray, complete: bool
) -> tuple[arrays.EquilibriumArrays, np.ndarray]:
    """Verified equilibria of ex-ante forms, and the games Lemke–Howson solved."""
    if complete:
        found = arrays.verify(form, support_enumeration(form, atol=atol), atol)
        return with_lemke_howson(found, form, atol)
    found = arrays.verify(form, lemke_howson(form, atol=atol), atol)
    return found, np.isin(np.arange(form.shape[-1]), found.point)


# -- support enumeration over the types' supports ---------------------------------------------


class Supports(NamedTuple):
    """Profiles of supports of one player (one support per type), arrays by profile.

    ``mask`` (S, K, m) the actions of each type's support; ``first`` and
    ``last`` (S, K) its first and last action. With d = sum_k (|support_k| - 1):
    ``row_type``, ``row_action``, ``row_first`` (S, d) the indifference
    equations the profile imposes (type k: action a earns what its first
    action earns); ``col_type``, ``col_action``, ``col_last`` (S, d) the free
    probabilities when the profile is the opponent's (every action of a
    support but the last, which takes the rest); ``col_onehot`` (S, d, K)
    which type each free probability belongs to.
    """

    mask: np.ndarray
    first: np.ndarray
    last: np.ndarray
    row_type: np.ndarray
    row_action: np.ndarray
    row_first: np.ndarray
    col_type: np.ndarray
    col_action: np.ndarray
    col_last: np.ndarray
    col_onehot: np.ndarray

    def take(self, rows: slice) -> Supports:
        """The profiles ``rows``."""
        return Supports(*(field[rows] for field in self))

    @classmethod
    def of(cls, profiles: list[tuple[tuple[int, ...], ...]], n_types: int, n_actions: int):
        """The arrays of a list of profiles, all with the same excess d."""
        s = len(profiles)
        mask = np.zeros((s, n_types, n_actions), dtype=bool)
        first = np.array([[sup[0] for sup in prof] for prof in profiles], dtype=np.intp)
        last = np.array([[sup[-1] for sup in prof] for prof in profiles], dtype=np.intp)
        rows, cols = [], []
        for i, prof in enumerate(profiles):
            for k, sup in enumerate(prof):
                mask[i, k, list(sup)] = True
            rows.append([(k, a, sup[0]) for k, sup in enumerate(prof) for a in sup[1:]])
            cols.append([(k, b, sup[-1]) for k, sup in enumerate(prof) for b in sup[:-1]])
        row, col = np.array(rows, dtype=np.intp), np.array(cols, dtype=np.intp)
        d = row.shape[1]
        row, col = row.reshape(s, d, 3), col.reshape(s, d, 3)
        onehot = (col[:, :, 0, None] == np.arange(n_types)).astype(float)
        return cls(mask, first, last, *row.transpose(2, 0, 1), *col.transpose(2, 0, 1), onehot)


def excess_counts(n_types: int, n_actions: int) -> list[int]:
    """How many support profiles have each excess d = sum_k (|S_k| - 1), d = 0, 1, ...

    The coefficients of (sum_s C(m, s) z^(s-1)) ** K.

    Examples
    --------
    >>> excess_counts(2, 2)  # both pure (4), one type mixing (4), both mixing (1)
    [4, 4, 1]
    """
    per_type = [comb(n_actions, s) for s in range(1, n_actions + 1)]
    counts = [1]
    for _ in range(n_types):
        out = [0] * (len(counts) + len(per_type) - 1)
        for i, a in enumerate(counts):
            for j, b in enumerate(per_type):
                out[i + j] += a * b
        counts = out
    return counts


def support_pairs(n_types: tuple[int, ...], n_actions: tuple[int, ...]) -> int:
    """Pairs of support profiles of equal excess: the systems :func:`type_agent_support`
    solves per point."""
    first, second = (excess_counts(k, m) for k, m in zip(n_types, n_actions))
    return sum(a * b for a, b in zip(first, second))


def check_support_budget(n_types: tuple[int, ...], n_actions: tuple[int, ...]) -> None:
    """Raise a BudgetError if :func:`type_agent_support` would examine more than
    ``MAX_SUPPORT_PAIRS`` pairs of support profiles per point."""
    pairs = support_pairs(n_types, n_actions)
    if pairs > MAX_SUPPORT_PAIRS:
        (k1, k2), (m, n) = n_types, n_actions
        raise BudgetError(
            f"support enumeration of a Bayesian game with {k1} and {k2} types of {m} and {n} "
            f"actions examines {pairs:,} pairs of support profiles per point, above its "
            f"budget of {MAX_SUPPORT_PAIRS:,}: use method='pure' (pure equilibria only)"
        )


def _profiles(n_types: int, n_actions: int, most: int) -> list[list[tuple[tuple[int, ...], ...]]]:
    """Support profiles (one non-empty support per type) by excess, up to ``most``."""
    subsets = [c for s in range(1, n_actions + 1) for c in combinations(range(n_actions), s)]
    out: list[list[tuple[tuple[int, ...], ...]]] = [[] for _ in range(most + 1)]

    def extend(prefix: tuple[tuple[int, ...], ...], excess: int) -> None:
        if len(prefix) == n_types:
            out[excess].append(prefix)
            return
        for sup in subsets:
            if excess + len(sup) - 1 <= most:
                extend((*prefix, sup), excess + len(sup) - 1)

    extend((), 0)
    return out


def type_agent_support(payoffs: np.ndarray, prior: np.ndarray, atol: np.ndarray) -> BayesianArrays:
    """Every Bayesian equilibrium of N nondegenerate two-player games, payoffs
    (2, K_1, K_2, m, n, N), prior (K_1, K_2, N), ``atol`` (2, N) per player.

    Supports are chosen per type: S_t for each type t of player 1, R_s for
    each type s of player 2. Player 2's behaviour y must make every type of
    player 1 indifferent over its support,

        sum_s pi(s | t) sum_b u_1(a, b | t, s) y_s(b) = v_t  (a in S_t),
        sum_{b in R_s} y_s(b) = 1,

    and symmetrically for x. Eliminating v_t and the last probability of each
    R_s leaves d_1 = sum_t (|S_t| - 1) equations in d_2 = sum_s (|R_s| - 1)
    unknowns: a square system exactly when d_1 = d_2, which in a
    nondegenerate game every equilibrium satisfies (as in von Stengel 2007,
    Algorithm 3.4, for supports of equal size). Every pair of support
    profiles of equal excess is solved for all games at once; a solution is
    kept when its probabilities are positive and no type gains by an action
    outside its support. Pure profiles (d = 0) come from :func:`agent_pure`.
    A game is flagged degenerate as in :func:`~bargain.solvers.support.support_enumeration`:
    payoff ties, a solution with extra best responses or a zero probability,
    or a singular system that has solutions.
    """
    _, k1, k2, m, n, n_points = payoffs.shape
    check_support_budget((k1, k2), (m, n))
    parts = [agent_pure(payoffs, prior, atol)]
    most = min(k1 * (m - 1), k2 * (n - 1))
    if most == 0:
        return parts[0]
    first_player, second_player = _profiles(k1, m, most), _profiles(k2, n, most)
    own, other = _conditional(payoffs, prior)
    for d in range(1, most + 1):
        if not first_player[d] or not second_player[d]:
            continue
        rows, cols = Supports.of(first_player[d], k1, m), Supports.of(second_player[d], k2, n)
        per = 2 * (d * d + 3 * d + k1 * m + k2 * n + 4) * len(cols.last)  # floats / row profile
        size = max(1, BLOCK_FLOATS // (len(rows.last) * per))  # games at once
        block = max(1, BLOCK_FLOATS // per)  # row profiles at once, in a large game
        chunks = []
        for start in range(0, n_points, size):
            part = slice(start, start + size)
            chunks.append(
                concat(
                    [
                        _mixed(
                            own[..., part],
                            other[..., part],
                            rows.take(slice(r, r + block)),
                            cols,
                            atol[:, part],
                        )
                        for r in range(0, len(rows.last), block)
                    ]
                )
            )
        parts.append(stack(chunks))
    return concat(parts)


def _conditional(payoffs: np.ndarray, prior: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each player's payoffs weighted by its beliefs, own type and action first:
    player 1's (K_1, m, K_2, n, N) and player 2's (K_2, n, K_1, m, N)."""
    (first, second), _ = beliefs(prior)
    u1 = payoffs[0].transpose(0, 2, 1, 3, 4) * first[:, None, :, None, :]
    u2 = payoffs[1].transpose(1, 3, 0, 2, 4) * second.transpose(1, 0, 2)[:, None, :, None, :]
    return u1, u2


def _mixed(
    own: np.ndarray, other: np.ndarray, rows: Supports, cols: Supports, atol: np.ndarray
) -> BayesianArrays:
    """Equilibria whose support profiles are among ``rows`` (player 1) and ``cols``
    (player 2), all of one excess d >= 1."""
    m, n = own.shape[1], other.shape[1]
    y, y_ok, y_degenerate = _indifference(own, rows, cols, atol[0])  # y: (d, P, Q, N)
    x, x_ok, x_degenerate = _indifference(other, cols, rows, atol[1])  # x: (d, Q, P, N)
    p, q, t = np.nonzero(y_ok & x_ok.transpose(1, 0, 2))
    return BayesianArrays(
        t,
        (_mixture(rows, x[:, q, p, t], p, m), _mixture(cols, y[:, p, q, t], q, n)),
        y_degenerate | x_degenerate,
    )


def _mixture(sup: Supports, head: np.ndarray, index: np.ndarray, n_actions: int) -> np.ndarray:
    """Behaviours (E, K, m) of support profiles ``index`` from their free probabilities
    ``head`` (d, E)."""
    e = np.arange(len(index))
    out = np.zeros((len(index), sup.last.shape[1], n_actions))
    out[e[:, None], np.arange(sup.last.shape[1]), sup.last[index]] = 1.0
    for c in range(head.shape[0]):
        kind = sup.col_type[index, c]
        out[e, kind, sup.col_action[index, c]] += head[c]
        out[e, kind, sup.col_last[index, c]] -= head[c]
    return out


def _indifference(
    C: np.ndarray, own: Supports, other: Supports, atol: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The opponent's behaviours that make each own type indifferent over its support.

    ``C`` (K, m, L, n, N) is the player's payoff weighted by its beliefs (own
    type and action, the opponent's type and action); ``own`` (P profiles)
    and ``other`` (Q profiles) have the same excess d. Returns the free
    probabilities (d, P, Q, N), ``ok`` (P, Q, N): positive, no own type gains
    outside its support, system regular; and a per-game degeneracy flag (N,).
    """
    _, _, n_others, _, n_points = C.shape
    # With each opponent type's last action taking the rest, a type's payoff is
    # base + sum_c delta[c] * y_c over the free probabilities y_c.
    base = C[:, :, np.arange(n_others), other.last].sum(axis=3)  # (K, m, Q, N)
    delta = C[:, :, other.col_type, other.col_action] - C[:, :, other.col_type, other.col_last]
    # delta: (K, m, Q, d, N). Indifference of (type, action) with the type's first action:
    kind, action, start = own.row_type, own.row_action, own.row_first  # (P, d)
    G = (delta[kind, action] - delta[kind, start]).transpose(1, 3, 0, 2, 4)  # (d, d, P, Q, N)
    h = (base[kind, start] - base[kind, action]).transpose(1, 0, 2, 3)  # (d, P, Q, N)
    head, singular = solve_small(G, h, tol=atol)
    value = np.repeat(base[:, :, None], len(own.last), axis=2)  # (K, m, P, Q, N)
    for c in range(head.shape[0]):
        value += delta[:, :, None, :, c] * head[c]
    best = np.take_along_axis(value, own.first.T[:, None, :, None, None], axis=1)
    inside = own.mask.transpose(1, 2, 0)[..., None, None]  # (K, m, P, 1, 1)
    best_ok = (value <= best + atol).all(axis=(0, 1))
    tied = ((value >= best - atol) & ~inside).any(axis=(0, 1))
    rest = 1 - np.einsum("qcl,cpqn->lpqn", other.col_onehot, head)  # each type's last action
    exact = (head > PROB_TOL).all(axis=0) & (rest > PROB_TOL).all(axis=0)
    weak = (head >= -PROB_TOL).all(axis=0) & (rest >= -PROB_TOL).all(axis=0)
    ok = exact & best_ok & ~singular
    suspicious = ~singular & weak & best_ok & (~exact | tied)
    degenerate = suspicious.reshape(-1, n_points).any(axis=0)
    if singular.any():
        i, j, t = np.nonzero(singular)
        flat_G = G[:, :, i, j, t].transpose(2, 0, 1)
        flat_h = h[:, i, j, t].T
        degenerate[t[consistent(flat_G, flat_h, atol[t])]] = True
    return head, ok, degenerate
