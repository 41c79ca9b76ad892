"""Refinements of signaling equilibria: which beliefs after an off-path message are reasonable.

Both tests look at each message m no type sends in the equilibrium, given
each type's equilibrium payoff u*(t), and take the receiver's replies to be
its best responses to some belief (mixtures of them for D1).

**Intuitive Criterion** (Cho and Kreps 1987, p. 202). Let J be the types for
which m is *equilibrium-dominated*: u*(t) exceeds what t gets from m under
every best response to any belief. The equilibrium fails if some type t'
gets more than u*(t') from m under every best response to beliefs on the
types outside J. (If m is dominated for every type, m breaks nothing.)

**D1** (Cho and Kreps 1987, section V; the "divinity" family of Banks and
Sobel 1987). Type t is deleted after m if another type t' strictly gains
from m under every mixed best response under which t weakly gains. The
equilibrium passes if its reply to m is a best response to some belief on the
types not deleted (all types, if every one is deleted): its off-path beliefs
can put no weight on deleted types. The mixed best responses under which a
type weakly gains form a union of polytopes whose vertices are pure best
responses and points on segments between two actions that are best at one
belief, where the type's gain is zero; the test looks at exactly those.

Types are bits of an integer (type t is ``1 << t``): ``supports[S, m, a, N]``
says whether action a is a best response after m to some belief on the types
of S (:func:`belief_supports`).
"""

from __future__ import annotations

from itertools import combinations
from typing import NamedTuple

import numpy as np

from .beliefs import response_beliefs


class Verdicts(NamedTuple):
    """Which off-path messages break each equilibrium, and why.

    ``breaks`` (R, M): whether the message breaks the equilibrium (never for
    an on-path message); ``deviator`` (R, M): a type that would send it
    (Intuitive Criterion; -1 otherwise); ``types`` (R, M): the types, as bits,
    the beliefs after it may weigh (Intuitive Criterion: those for which it is
    not equilibrium-dominated; D1: those not deleted).
    """

    breaks: np.ndarray
    deviator: np.ndarray
    types: np.ndarray

    @property
    def passes(self) -> np.ndarray:
        """(R,) whether no message breaks the equilibrium."""
        return ~self.breaks.any(axis=1)


def belief_supports(u_receiver: np.ndarray, atol: np.ndarray) -> np.ndarray:
    """(2^T, M, A, N): whether action a is a best response after m to a belief on S.

    Index S is a set of types as bits; row 0 (no type) is all False.
    """
    n_types, n_messages, n_actions, n = u_receiver.shape
    out = np.zeros((1 << n_types, n_messages, n_actions, n), dtype=bool)
    singles = np.arange(n_actions)[:, None]
    for s in range(1, 1 << n_types):
        types = tuple(t for t in range(n_types) if s >> t & 1)
        out[s] = response_beliefs(u_receiver, atol, singles, types).nonempty
    return out


def joint_supports(u_receiver: np.ndarray, atol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The pairs of actions (P, 2), and (M, P, N) whether both are best at one belief."""
    pairs = np.array(list(combinations(range(u_receiver.shape[2]), 2)), dtype=int).reshape(-1, 2)
    if not len(pairs):
        return pairs, np.zeros((u_receiver.shape[1], 0, u_receiver.shape[3]), dtype=bool)
    return pairs, response_beliefs(u_receiver, atol, pairs).nonempty


def intuitive_criterion(
    values: np.ndarray,
    on_path: np.ndarray,
    point: np.ndarray,
    u_sender: np.ndarray,
    supports: np.ndarray,
    atol: np.ndarray,
) -> Verdicts:
    """The Intuitive Criterion for each row.

    ``values`` (R, T) each type's equilibrium payoff, ``on_path`` (R, M),
    ``point`` (R,), ``u_sender`` (T, M, A, N), ``supports`` from
    :func:`belief_supports`, ``atol`` (N,) the sender's tolerance: gains and
    losses within it do not count.
    """
    n_types, n_messages = u_sender.shape[:2]
    full = (1 << n_types) - 1
    bits = 1 << np.arange(n_types)
    verdicts = _undecided(len(point), n_messages)
    for m in range(n_messages):
        rows = np.flatnonzero(~on_path[:, m])
        at, tol = point[rows], atol[point[rows]]
        gain = u_sender[:, m][..., at] - values[rows].T[:, None]  # (T, A, K)
        best = np.where(supports[full, m][:, at], gain, -np.inf).max(axis=1)
        dominated = best < -tol  # (T, K)
        kept = full - (dominated * bits[:, None]).sum(axis=0)
        replies = supports[:, m][kept, :, at].T  # (A, K): best at a belief on kept
        worst = np.where(replies, gain, np.inf).min(axis=1)
        deviates = worst > tol  # (T, K)
        breaks = (kept > 0) & deviates.any(axis=0)
        verdicts.breaks[rows, m] = breaks
        verdicts.deviator[rows, m] = np.where(breaks, deviates.argmax(axis=0), -1)
        verdicts.types[rows, m] = kept
    return verdicts


def d1_criterion(
    values: np.ndarray,
    on_path: np.ndarray,
    replies: np.ndarray,
    point: np.ndarray,
    u_sender: np.ndarray,
    supports: np.ndarray,
    joint: tuple[np.ndarray, np.ndarray],
    atol: np.ndarray,
) -> Verdicts:
    """D1 for each row; arguments as :func:`intuitive_criterion`, plus ``replies`` (R, M)
    each row's (pure) action after each off-path message and ``joint`` from
    :func:`joint_supports`."""
    n_types, n_messages = u_sender.shape[:2]
    full = (1 << n_types) - 1
    bits = 1 << np.arange(n_types)
    pairs, together = joint
    others = ~np.eye(n_types, dtype=bool)[:, :, None]
    verdicts = _undecided(len(point), n_messages)
    for m in range(n_messages):
        rows = np.flatnonzero(~on_path[:, m])
        at, tol = point[rows], atol[point[rows]]
        gain = u_sender[:, m][..., at] - values[rows].T[:, None]  # (T, A, K)
        best = supports[full, m][:, at]  # (A, K)
        weak, strict = best & (gain >= -tol), gain > tol
        # counter[t, t2]: a best response under which t weakly gains and t2 does not
        # strictly gain; without one, t2 deletes t.
        counter = np.zeros((n_types, n_types, len(rows)), dtype=bool)
        for a in range(gain.shape[1]):
            counter |= weak[:, None, a] & ~strict[None, :, a]
        for (a, b), both in zip(pairs, together[m]):
            ga, gb = gain[:, a], gain[:, b]  # (T, K)
            crosses = both[at] & (ga * gb < 0)
            with np.errstate(divide="ignore", invalid="ignore"):
                lam = gb / (gb - ga)  # the weight on a at which t's gain is zero
                there = lam[:, None] * ga[None] + (1 - lam[:, None]) * gb[None]  # (T, T2, K)
            counter |= crosses[:, None] & (there <= tol)
        deleted = (~counter & others).any(axis=1)  # (T, K)
        kept = full - (deleted * bits[:, None]).sum(axis=0)
        kept = np.where(kept == 0, full, kept)
        verdicts.breaks[rows, m] = ~supports[:, m][kept, replies[rows, m], at]
        verdicts.types[rows, m] = kept
    return verdicts


def _undecided(n_rows: int, n_messages: int) -> Verdicts:
    shape = (n_rows, n_messages)
    return Verdicts(np.zeros(shape, dtype=bool), np.full(shape, -1), np.zeros(shape, dtype=int))


def by_outcome(verdicts: Verdicts, outcome: np.ndarray, first: np.ndarray) -> Verdicts:
    """The verdicts of equilibrium outcomes, from those of their PBE (rows).

    ``outcome`` (R,) numbers each row's outcome (rows of an outcome play alike on
    the path and combine, message by message, every reply off it that the
    kernel found), ``first`` (G,) is a row of each. A message breaks an outcome
    when it breaks every one of its rows: no supporting reply passes there.
    The types and deviators, which do not depend on the replies, are the first row's.
    """
    n_outcomes = len(first)
    size = np.bincount(outcome, minlength=n_outcomes)
    breaks = np.stack(
        [np.bincount(outcome, weights=b, minlength=n_outcomes) == size for b in verdicts.breaks.T],
        axis=1,
    )
    return Verdicts(breaks, verdicts.deviator[first], verdicts.types[first])
