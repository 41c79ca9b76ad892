"""Perfect Bayesian equilibria of signaling games, batched over N points.

A sender of type t (prior ``prior[t]``) sends a message m; the receiver sees m,
not t, and takes an action a; they get ``u_sender[t, m, a]`` and
``u_receiver[t, m, a]``. A perfect Bayesian equilibrium (PBE) is a sender
strategy, a receiver strategy and beliefs such that every type's messages
are best given the receiver's strategy, the receiver best-responds to its
belief after every message, and beliefs follow Bayes' rule after every
message sent with positive probability (Fudenberg and Tirole 1991, section
8.2). After a message no type sends, any belief will do: the equilibrium
holds for a set of beliefs, a polytope (:mod:`.beliefs`).

Enumerated here:

- every **pure** PBE: each sender strategy T -> M and receiver strategy
  M -> A, kept when on-path actions are best at the posteriors, each
  off-path action is best at some belief, and no type gains by another
  message (all pairs of strategies at once, per point);
- for **two types**, every **semi-separating** PBE of a generic game in which
  the receiver responds with pure actions off the path: one type sends a
  message m, the other mixes m with a message m' that reveals it, and the
  receiver mixes two actions after m so as to keep the mixing type
  indifferent; or both types mix the same two messages and the receiver
  mixes two actions after each. For two types these are all the equilibria
  in which the sender mixes, unless payoffs tie (then continua of them
  exist, and the points are flagged).

Every row is verified (:func:`complete`): no type gains from another
message, the receiver's regret at its belief after every message is at most
its tolerance. Arrays keep the batch in their last axis: ``prior`` (T, N),
payoffs (T, M, A, N), tolerances ``atol`` (2, N) for sender and receiver.
"""

from __future__ import annotations

from functools import partial
from itertools import combinations, product
from typing import NamedTuple

import numpy as np

from bargain.errors import BudgetError
from bargain.tolerances import PROB_TOL

from .beliefs import Polytopes, response_beliefs

#: Most pairs of pure strategies (sender strategies times receiver strategies) per point.
MAX_PROFILES = 1 << 22

#: The kinds of equilibria, as codes.
SEPARATING, POOLING, PARTIALLY_POOLING, SEMI_SEPARATING = range(4)


class SignalingArrays(NamedTuple):
    """PBE of N signaling games in long form: row r is an equilibrium of game ``point[r]``.

    ``sender`` (R, T, M) each type's probability of each message; ``receiver``
    (R, M, A) the probability of each action after each message; ``on_path``
    (R, M) messages sent with positive probability; ``beliefs`` (R, M, T) the
    posterior after on-path messages and, after off-path ones, a belief of the
    set supporting the receiver's action; ``values`` (R, T) each type's payoff;
    ``payoffs`` (R, 2) the sender's ex-ante and the receiver's expected payoff;
    ``kind`` (R,) a code (``SEPARATING``, ...); ``ties`` (R,) a player
    indifferent between what it plays and an alternative; ``regret`` (R, 2)
    the largest gain from deviating of the sender (any type) and of the
    receiver; ``outcome`` (R,) the equilibrium outcome, numbered from 0: rows of
    one point that play alike on the path (and differ in replies off it) share it.
    """

    point: np.ndarray
    sender: np.ndarray
    receiver: np.ndarray
    on_path: np.ndarray
    beliefs: np.ndarray
    values: np.ndarray
    payoffs: np.ndarray
    kind: np.ndarray
    ties: np.ndarray
    regret: np.ndarray
    outcome: np.ndarray


def signaling_equilibria(
    prior: np.ndarray,
    u_sender: np.ndarray,
    u_receiver: np.ndarray,
    atol: np.ndarray,
    *,
    mixed: bool = True,
) -> tuple[SignalingArrays, Polytopes]:
    """Every pure PBE of N games and, for two types with ``mixed``, the semi-separating ones.

    Returns the verified equilibria and the belief polytopes supporting each
    action after each message (batch axes (M, A, N), see
    :func:`~bargain.solvers.beliefs.response_beliefs`): the off-path beliefs
    of a row are the polytope of the action it takes there.

    Examples
    --------
    Beer-quiche (Cho and Kreps 1987): the weak type (prior 0.1) likes quiche,
    the strong one beer, both want to avoid a duel; the receiver wants to duel
    the weak type only. Both pooling equilibria, and no other:

    >>> prior = np.array([[0.1], [0.9]])
    >>> u_s = np.array([[[0, 2], [1, 3]], [[1, 3], [0, 2]]], float)[..., None]
    >>> u_r = np.array([[[1, 0], [1, 0]], [[0, 1], [0, 1]]], float)[..., None]
    >>> found, _ = signaling_equilibria(prior, u_s, u_r, np.full((2, 1), 1e-9))
    >>> found.sender.argmax(axis=2).tolist(), found.receiver.argmax(axis=2).tolist()
    ([[0, 0], [1, 1]], [[1, 0], [0, 1]])
    """
    n_types, n_actions = u_sender.shape[0], u_sender.shape[2]
    singles = np.arange(n_actions)[:, None]
    supports = response_beliefs(u_receiver, atol[1], singles)
    rational = supports.nonempty  # (M, A, N)
    point, sender, receiver, key = _pure(prior, u_sender, u_receiver, atol, rational)
    if mixed and n_types == 2 and n_actions > 1:
        more = _semi_separating(prior, u_sender, u_receiver, atol, rational)
        first = _outcomes_of_pure(u_sender.shape)  # the keys of the mixed ones follow
        point, sender, receiver, key = (
            np.concatenate([a, b], axis=-1)
            for a, b in zip((point, sender, receiver, key), (*more[:3], first + more[3]))
        )
    found = complete(prior, u_sender, u_receiver, atol, point, sender, receiver, key, supports)
    return found, supports


def _outcomes_of_pure(shape: tuple[int, ...]) -> int:
    """How many outcome keys pure rows may take: points x sender strategies x on-path replies."""
    n_types, n_messages, n_actions, n = shape
    return n * n_messages**n_types * (n_actions + 1) ** n_messages


def _pure(
    prior: np.ndarray,
    u_sender: np.ndarray,
    u_receiver: np.ndarray,
    atol: np.ndarray,
    rational: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every pure PBE: its point, the sender's (T, M, R) and receiver's (M, A, R)
    behaviour (rows last), and its outcome's key: the point, the sender strategy and
    the replies to on-path messages (rows equal in these differ off the path only)."""
    n_types, n_messages, n_actions, n = u_sender.shape
    n_profiles = n_messages**n_types * n_actions**n_messages
    if n_profiles > MAX_PROFILES:
        raise BudgetError(
            f"a signaling game with {n_types} types, {n_messages} messages and {n_actions} "
            f"actions has {n_profiles:,} pairs of pure strategies per point, above the budget "
            f"of {MAX_PROFILES:,}: use fewer messages or actions"
        )
    senders = np.array(list(product(range(n_messages), repeat=n_types)))  # (S, T)
    receivers = np.array(list(product(range(n_actions), repeat=n_messages)))  # (Q, M)
    # The receiver after each message of each sender strategy: Bayes' rule where sent.
    sends = senders[:, :, None] == np.arange(n_messages)  # (S, T, M)
    weight = sends[..., None] * prior[None, :, None, :]  # (S, T, M, N)
    mass = _total(weight, 1)  # (S, M, N)
    expected = np.einsum("stmn,tman->sman", weight, u_receiver)  # unnormalized
    best = expected >= _best(expected, 2)[:, :, None] - (atol[1] * mass)[:, :, None]
    allowed = np.where((mass > PROB_TOL)[:, :, None], best, rational[None])  # (S, M, A, N)
    # Each type's best messages against each receiver strategy.
    flat = u_sender.reshape(n_types, n_messages * n_actions, n)
    value = np.take(flat, np.arange(n_messages) * n_actions + receivers, axis=1)  # (T, Q, M, N)
    best_message = value >= _best(value, 2)[:, :, None] - atol[0]
    ok = np.ones((len(senders), len(receivers), n), dtype=bool)  # (S, Q, N)
    for t in range(n_types):
        ok &= np.swapaxes(best_message[t], 0, 1)[senders[:, t]]
    for m in range(n_messages):
        ok &= allowed[:, m][:, receivers[:, m]]
    # Rows in the order of (point, sender strategy, receiver strategy).
    point, s, q = np.nonzero(ok.transpose(2, 0, 1))
    sender = (senders[s].T[:, None] == np.arange(n_messages)[:, None]).astype(float)
    receiver = (receivers[q].T[:, None] == np.arange(n_actions)[:, None]).astype(float)
    sent = mass[s, :, point] > PROB_TOL  # (R, M)
    digits = (n_actions + 1) ** np.arange(n_messages)[::-1]  # the first message leads, as in q
    replies = (sent * (receivers[q] + 1) * digits).sum(axis=1)
    key = (point * len(senders) + s) * (n_actions + 1) ** n_messages + replies  # sorted
    return point, sender, receiver, key


def _semi_separating(
    prior: np.ndarray,
    u_sender: np.ndarray,
    u_receiver: np.ndarray,
    atol: np.ndarray,
    rational: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Two types: the equilibria in which one type, or both, mix two messages, as
    (point, sender (T, M, R), receiver (M, A, R), candidate), in order of the
    candidate: rows of one candidate (one point) play alike on the path and differ
    in their replies off it."""
    n_messages, n_actions = u_sender.shape[1:3]
    pairs = np.array(list(combinations(range(n_actions), 2)))  # (P, 2)
    # The belief q = P(type 1 | m) at which the receiver is indifferent between a
    # and b after m, where both are best: (M, P, N).
    d = u_receiver[:, :, pairs[:, 0]] - u_receiver[:, :, pairs[:, 1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        q = d[0] / (d[0] - d[1])
        at = (1 - q)[:, :, None] * u_receiver[0][:, None] + q[:, :, None] * u_receiver[1][:, None]
    first = np.take_along_axis(at, pairs[None, :, :1, None], axis=2)[:, :, 0]
    breaks = (d[0] * d[1] < 0) & (first >= at.max(axis=2) - atol[1])
    parts = []
    for m, m2 in product(range(n_messages), repeat=2):
        if m != m2:
            parts.append(_one_mixes(m, m2, q, breaks, pairs, prior, u_sender, u_receiver, atol))
    for m, m2 in combinations(range(n_messages), 2):
        parts.append(_both_mix(m, m2, q, breaks, pairs, prior, u_sender))
    out, count = [], 0
    for m, m2, (point, sender, receiver, values) in parts:
        off = [o for o in range(n_messages) if o not in (m, m2)]
        found = _off_path(off, point, sender, receiver, values, u_sender, atol, rational)
        out.append((*found[:3], found[3] + count))
        count += len(point)
    point, sender, receiver, candidate = (np.concatenate(x, axis=-1) for x in zip(*out))
    order = np.argsort(candidate, kind="stable")
    return point[order], sender[..., order], receiver[..., order], candidate[order]


Candidates = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _one_mixes(
    m: int,
    m2: int,
    q: np.ndarray,
    breaks: np.ndarray,
    pairs: np.ndarray,
    prior: np.ndarray,
    u_sender: np.ndarray,
    u_receiver: np.ndarray,
    atol: np.ndarray,
) -> tuple[int, int, Candidates]:
    """One type sends m; the other mixes m with m', which reveals it; the receiver mixes
    the pair of actions after m that keeps the mixing type indifferent."""
    n_messages, n_actions = u_sender.shape[1:3]
    p, point = np.nonzero(breaks[m])
    q, pi0, pi1 = q[m, p, point], prior[0, point], prior[1, point]
    j = (q < pi1).astype(int)  # the type that mixes: its posterior after m is below its prior
    i = 1 - j
    with np.errstate(divide="ignore", invalid="ignore"):
        s = np.where(j == 1, q * pi0 / (pi1 * (1 - q)), pi1 * (1 - q) / (pi0 * q))
    keep = (s > PROB_TOL) & (s < 1 - PROB_TOL)
    p, point, s, i, j = p[keep], point[keep], s[keep], i[keep], j[keep]
    a, b = pairs[p, 0], pairs[p, 1]
    # The receiver's reply c to m' (a best response to the revealed type), for each c.
    reply = u_receiver[j, m2, :, point]  # (H, A)
    best = reply >= reply.max(axis=1, keepdims=True) - atol[1, point, None]
    own = u_sender[j, m2, :, point]  # (H, A): the mixing type's payoff from m' and c
    ua, ub = u_sender[j, m, a, point], u_sender[j, m, b, point]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (own - ub[:, None]) / (ua - ub)[:, None]
        other = lam * u_sender[i, m, a, point, None] + (1 - lam) * u_sender[i, m, b, point, None]
    stays = u_sender[i, m2, :, point] <= other + atol[0, point, None]
    ok = best & (lam > PROB_TOL) & (lam < 1 - PROB_TOL) & stays
    h, c = np.nonzero(ok)
    n_rows = len(h)
    rows = np.arange(n_rows)
    sender = np.zeros((n_rows, 2, n_messages))
    sender[rows, i[h], m] = 1.0
    sender[rows, j[h], m] = s[h]
    sender[rows, j[h], m2] = 1 - s[h]
    receiver = np.zeros((n_rows, n_messages, n_actions))
    receiver[rows, m, a[h]] = lam[h, c]
    receiver[rows, m, b[h]] = 1 - lam[h, c]
    receiver[rows, m2, c] = 1.0
    values = np.empty((n_rows, 2))
    values[rows, i[h]] = other[h, c]
    values[rows, j[h]] = own[h, c]
    return m, m2, (point[h], sender, receiver, values)


def _both_mix(
    m: int,
    m2: int,
    q: np.ndarray,
    breaks: np.ndarray,
    pairs: np.ndarray,
    prior: np.ndarray,
    u_sender: np.ndarray,
) -> tuple[int, int, Candidates]:
    """Both types mix m and m'; the receiver mixes a pair of actions after each, so that
    both types are indifferent (two linear equations in the two mixtures)."""
    n_messages, n_actions = u_sender.shape[1:3]
    p, p2, point = np.nonzero(breaks[m][:, None] & breaks[m2][None])
    q1, q2, pi0, pi1 = q[m, p, point], q[m2, p2, point], prior[0, point], prior[1, point]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = (pi1 - q2) / (q1 - q2)  # the probability of m
        s1, s0 = share * q1 / pi1, share * (1 - q1) / pi0  # each type's probability of m
    mixes = [(x > PROB_TOL) & (x < 1 - PROB_TOL) for x in (share, s0, s1)]
    keep = np.logical_and.reduce(mixes)
    p, p2, point, s0, s1 = p[keep], p2[keep], point[keep], s0[keep], s1[keep]
    (a, b), (a2, b2) = pairs[p].T, pairs[p2].T
    # lam (a after m) and lam2 (a2 after m') solve, for t = 0, 1:
    # lam x_t + y_t = lam2 z_t + w_t, the type's payoff from m and from m'.
    x = u_sender[:, m, a, point] - u_sender[:, m, b, point]  # (2, K)
    y = u_sender[:, m, b, point]
    z = u_sender[:, m2, a2, point] - u_sender[:, m2, b2, point]
    w = u_sender[:, m2, b2, point]
    det = x[1] * z[0] - x[0] * z[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = (z[0] * (w[1] - y[1]) - z[1] * (w[0] - y[0])) / det
        lam2 = (x[0] * (w[1] - y[1]) - x[1] * (w[0] - y[0])) / det
    ok = (lam > PROB_TOL) & (lam < 1 - PROB_TOL) & (lam2 > PROB_TOL) & (lam2 < 1 - PROB_TOL)
    k = np.flatnonzero(ok)
    rows = np.arange(len(k))
    sender = np.zeros((len(k), 2, n_messages))
    sender[:, 0, m], sender[:, 0, m2] = s0[k], 1 - s0[k]
    sender[:, 1, m], sender[:, 1, m2] = s1[k], 1 - s1[k]
    receiver = np.zeros((len(k), n_messages, n_actions))
    receiver[rows, m, a[k]], receiver[rows, m, b[k]] = lam[k], 1 - lam[k]
    receiver[rows, m2, a2[k]], receiver[rows, m2, b2[k]] = lam2[k], 1 - lam2[k]
    values = (lam[k] * x[:, k] + y[:, k]).T
    return m, m2, (point[k], sender, receiver, values)


def _off_path(
    off: list[int],
    point: np.ndarray,
    sender: np.ndarray,
    receiver: np.ndarray,
    values: np.ndarray,
    u_sender: np.ndarray,
    atol: np.ndarray,
    rational: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The K candidates completed by every pure reply to the messages ``off`` that is
    best at some belief and deters every type (one row per combination of such
    replies), as (point, sender (T, M, R), receiver (M, A, R), candidate)."""
    candidate = np.arange(len(point))
    if not off:
        return point, np.moveaxis(sender, 0, -1), np.moveaxis(receiver, 0, -1), candidate
    n_actions = u_sender.shape[2]
    deters = [
        rational[o][:, point].T
        & (u_sender[:, o][..., point] <= values.T[:, None] + atol[0, point]).all(axis=0).T
        for o in off
    ]  # each (K, A)
    parts = []
    for replies in product(range(n_actions), repeat=len(off)):
        k = np.flatnonzero(np.logical_and.reduce([d[:, r] for d, r in zip(deters, replies)]))
        chosen = receiver[k].copy()
        chosen[:, off, list(replies)] = 1.0
        parts.append(
            (point[k], np.moveaxis(sender[k], 0, -1), np.moveaxis(chosen, 0, -1), candidate[k])
        )
    return tuple(np.concatenate(x, axis=-1) for x in zip(*parts))  # type: ignore[return-value]


def complete(
    prior: np.ndarray,
    u_sender: np.ndarray,
    u_receiver: np.ndarray,
    atol: np.ndarray,
    point: np.ndarray,
    sender: np.ndarray,
    receiver: np.ndarray,
    key: np.ndarray,
    supports: Polytopes,
) -> SignalingArrays:
    """The rows that are PBE, with their beliefs, payoffs, kinds, ties, regrets and outcomes.

    ``sender`` (T, M, R) and ``receiver`` (M, A, R) hold each row's behaviour,
    rows last; ``key`` (R,) is equal for rows of one outcome (one point, alike on
    the path), and outcomes are numbered in its order. Beliefs follow Bayes' rule
    after on-path messages; after an off-path one the belief is the mean of the
    vertices of the polytope supporting the (pure) reply (``supports``, batch
    axes (M, A, N)). A row is kept when each type's regret (its best message's
    payoff minus its own) is at most the sender's tolerance and the receiver's
    regret at its belief after every message is at most the receiver's.
    """
    n_messages = u_sender.shape[1]
    tol_s, tol_r = atol[0, point], atol[1, point]
    pi = prior[:, point]  # (T, R)
    mass = _total(pi[:, None] * sender, 0)  # (M, R)
    on_path = mass > PROB_TOL
    with np.errstate(divide="ignore", invalid="ignore"):
        posterior = pi * sender.transpose(1, 0, 2) / mass[:, None]  # (M, T, R)
    reply = _argbest(receiver, 1)  # (M, R): the action, off the path
    witness = supports.witness()  # (T, M, A, N)
    guess = np.stack([witness[:, m, reply[m], point] for m in range(n_messages)])
    beliefs = np.where(on_path[:, None], posterior, guess)  # (M, T, R)
    us, ur = (np.take(u.reshape(-1, u.shape[-1]), point, axis=1) for u in (u_sender, u_receiver))
    us, ur = us.reshape(*u_sender.shape[:3], -1), ur.reshape(*u_receiver.shape[:3], -1)
    value = _total(receiver * us, 2)  # (T, M, R): each type's payoff from each message
    values = _total(sender * value, 1)  # (T, R)
    best_value = _best(value, 1)
    sender_regret = _best(best_value - values, 0)
    expected = _total(beliefs.transpose(1, 0, 2)[:, :, None] * ur, 0)  # (M, A, R)
    best_reply = _best(expected, 1)  # (M, R)
    earned = _total(receiver * expected, 1)  # (M, R): the receiver's, at its beliefs
    receiver_regret = _best(best_reply - earned, 0)
    ok = (sender_regret <= tol_s) & (receiver_regret <= tol_r)  # False where beliefs are NaN
    unused = (sender <= PROB_TOL) & (value >= best_value[:, None] - tol_s)
    idle = (receiver <= PROB_TOL) & (expected >= best_reply[:, None] - tol_r)
    ties = _any(_any(unused, 0), 0) | _any(_any(idle, 1) & on_path, 0)
    payoffs = np.stack([_total(pi * values, 0), _total(mass * earned, 0)])
    regret = np.maximum(np.stack([sender_regret, receiver_regret]), 0.0)
    rows = np.flatnonzero(ok)
    sender = sender[..., rows]
    outcome = _numbered(key[rows])
    return SignalingArrays(
        point[rows],
        np.moveaxis(sender, -1, 0),
        np.moveaxis(receiver[..., rows], -1, 0),
        np.moveaxis(on_path[:, rows], -1, 0),
        np.moveaxis(beliefs[..., rows], -1, 0),
        np.moveaxis(values[:, rows], -1, 0),
        np.moveaxis(payoffs[:, rows], -1, 0),
        _kinds(sender),
        ties[rows],
        np.moveaxis(regret[:, rows], -1, 0),
        outcome,
    )


def _numbered(key: np.ndarray) -> np.ndarray:
    """Dense numbers 0, 1, ... equal where keys are equal, in the order of the keys."""
    if len(key) and (key[1:] >= key[:-1]).all():
        return np.concatenate([[0], np.cumsum(key[1:] != key[:-1])])
    return np.unique(key, return_inverse=True)[1].reshape(-1)


def _fold(ufunc: np.ufunc, x: np.ndarray, axis: int) -> np.ndarray:
    """``ufunc`` folded over a short axis of ``x``, slice by slice (numpy reduces short
    axes slowly)."""
    parts = np.moveaxis(x, axis, 0)
    out = parts[0].copy()
    for part in parts[1:]:
        ufunc(out, part, out=out)
    return out


#: The sum, the maximum, whether any and whether every entry is true, over a short axis.
_total, _best, _any, _all = (
    partial(_fold, ufunc) for ufunc in (np.add, np.maximum, np.logical_or, np.logical_and)
)


def _kinds(sender: np.ndarray) -> np.ndarray:
    """Each row's kind, from its behaviour (T, M, R): separating, pooling, partially
    pooling (pure) or semi-separating."""
    n_types, n_messages = sender.shape[:2]
    pure = _all(_best(sender, 1) >= 1 - PROB_TOL, 0)
    message = _argbest(sender, 1)  # (T, R)
    used = sum(_any(message == m, 0).astype(int) for m in range(n_messages))
    kind = np.full(sender.shape[-1], PARTIALLY_POOLING, dtype=np.int8)
    kind[used == n_types] = SEPARATING
    kind[used == 1] = POOLING
    kind[~pure] = SEMI_SEPARATING
    return kind


def _argbest(x: np.ndarray, axis: int) -> np.ndarray:
    """The index of the largest entry along a short axis (the first of ties), slice by slice."""
    parts = np.moveaxis(x, axis, 0)
    best, index = parts[0].copy(), np.zeros(parts.shape[1:], dtype=np.intp)
    for k, part in enumerate(parts[1:], 1):
        better = part > best
        index[better] = k
        np.maximum(best, part, out=best)
    return index


def stack(chunks: list[SignalingArrays], sizes: list[int]) -> SignalingArrays:
    """Join the results of consecutive chunks of ``sizes`` points each."""
    offsets = np.cumsum([0, *sizes[:-1]])
    point = np.concatenate([c.point + o for c, o in zip(chunks, offsets)])
    counts = np.cumsum([0, *(int(c.outcome.max(initial=-1)) + 1 for c in chunks[:-1])])
    outcome = np.concatenate([c.outcome + o for c, o in zip(chunks, counts)])
    fields = (np.concatenate(f) for f in list(zip(*chunks))[1:-1])
    return SignalingArrays(point, *fields, outcome)
