"""The named strategy profiles of a repeated game: automata and their equilibrium conditions.

Each profile is built on a cooperative action profile ``c = (c1, c2)`` and a
punishment profile ``p = (p1, p2)``; for player i (opponent j) write

- ``R = u_i(c)``, ``P = u_i(p)``;
- ``T`` the best stage payoff of an action other than ``c_i`` against ``c_j``
  (the best deviation from cooperation), ``D`` that of an action other than
  ``p_i`` against ``p_j`` (from punishment);
- for tit-for-tat, ``Tp = u_i(p_i, c_j)``, ``S = u_i(c_i, p_j)`` and ``Pn``, the
  best stage payoff of an action other than ``c_i`` against ``p_j``.

In a 2x2 stage game ``T = Tp = u_i(p_i, c_j)``, ``D = S`` and ``Pn = P``.
The one-shot deviation principle, state by state, gives these conditions
(each of the form ``a x >= b``, x the discount factor ``delta`` unless said):

- ``grim`` (cooperate until anyone deviates, then ``p`` forever):
  cooperation ``(T - P) delta >= T - R``; punishment ``D <= P`` (``p`` a stage
  equilibrium). Hence, where ``T > R > P``: ``delta >= (T - R) / (T - P)``.
- ``punish`` (``k``-period punishment: after a deviation play ``p`` for ``k``
  periods, restarted by any deviation, then cooperate again): cooperation
  ``(R - P) (delta + ... + delta**k) >= T - R``; punishment
  ``(R - P) delta**k >= D - P``, from the first punishment period, which binds
  where ``R >= P``. For ``k = 1``: ``delta >= (T - R) / (R - P)`` and
  ``delta >= (D - P) / (R - P)`` (exact for any payoffs). For ``k >= 2`` and a
  player with ``R < P`` the conditions of the later punishment periods bind
  and are not intervals: there the critical discount factor is undefined (NaN),
  while subgame perfection is still checked exactly.
- ``tft`` (tit-for-tat: ``c_i`` first, then ``c_i`` iff the opponent played
  ``c_j`` last period, else ``p_i``), in the four states of who cooperated
  last: ``(R - S) delta >= Tp - R`` (both cooperated), ``(Tp - P) delta >= P - S``
  (only the opponent cooperated), ``Tp - R >= (R - S) delta`` (only i
  cooperated), ``P - S >= (Tp - P) delta`` (neither), and ``T <= Tp``,
  ``Pn <= P`` (``p_i`` the best non-cooperative reply). So tit-for-tat is
  subgame perfect only at ``delta = (T - R)/(R - S) = (P - S)/(T - P)`` in a
  Prisoner's Dilemma (Kalai, Samet and Stanford 1988; Mailath and Samuelson
  2006, ch. 2).
- ``defect`` (``p`` forever): ``D <= P``.

Each profile's conditions hold on an interval of discount factors
``[low, high]`` (``low`` the critical discount factor).

The same code builds the conditions from numpy arrays (the batch) and from
sympy expressions (the closed forms): only ``maximum`` differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from bargain.solvers.repeated import linear_bounds, root_of_sum

#: The named profiles, most cooperative first.
PROFILES = ("grim", "punish", "tft", "defect")

#: What each profile is, for messages and tables.
DESCRIPTIONS = {
    "grim": "grim trigger",
    "punish": "k-period punishment",
    "tft": "tit-for-tat",
    "defect": "always defect",
}


class Condition(NamedTuple):
    """``a x >= b``, x the discount factor (``kind="delta"``), ``delta + ... + delta**k``
    (``"sum"``) or ``delta**k`` (``"power"``), for ``player`` in ``state``."""

    a: Any
    b: Any
    kind: str
    player: int
    state: str


class Automaton(NamedTuple):
    """A profile as an automaton: ``actions`` (S, 2), ``transition`` (S, m1, m2), state
    ``names``; play starts in state 0."""

    actions: np.ndarray
    transition: np.ndarray
    names: tuple[str, ...]


def automaton(
    profile: str, shape: tuple[int, int], cooperate: Sequence[int], punish: Sequence[int], k: int
) -> Automaton:
    """The automaton of a named profile for a stage game of ``shape`` (see the module)."""
    c, p = tuple(cooperate), tuple(punish)
    m1, m2 = shape
    if profile == "defect":
        return Automaton(np.array([p]), np.zeros((1, m1, m2), dtype=np.intp), ("punishment",))
    if profile == "grim":
        transition = np.ones((2, m1, m2), dtype=np.intp)
        transition[0, c[0], c[1]] = 0
        return Automaton(np.array([c, p]), transition, ("cooperation", "punishment"))
    if profile == "punish":
        transition = np.ones((k + 1, m1, m2), dtype=np.intp)  # any deviation: punishment starts
        transition[0, c[0], c[1]] = 0
        for j in range(1, k + 1):
            transition[j, p[0], p[1]] = (j + 1) % (k + 1)
        names = ("cooperation", *(f"punishment {j} of {k}" for j in range(1, k + 1)))
        return Automaton(np.array([c, *[p] * k]), transition, names)
    if profile == "tft":
        # state 2 d1 + d2: d_i = 1 if player i did not cooperate last period
        strayed = (np.arange(m1)[:, None] != c[0]) * 2 + (np.arange(m2)[None, :] != c[1])
        transition = np.broadcast_to(strayed, (4, m1, m2)).astype(np.intp)
        actions = np.array(
            [[p[0] if d2 else c[0], p[1] if d1 else c[1]] for d1 in (0, 1) for d2 in (0, 1)]
        )
        names = ("both cooperated", "only 2 cooperated", "only 1 cooperated", "neither cooperated")
        return Automaton(actions, transition, names)
    raise ValueError(f"unknown profile {profile!r}")


def stage_terms(
    own: Sequence[Any], cooperate: Sequence[int], punish: Sequence[int], maximum: Callable
) -> list[dict[str, Any]]:
    """Per player, the stage payoffs the conditions use (``R``, ``P``, ``T``, ``D``, ``Tp``,
    ``S``, ``Pn``; see the module).

    ``own[i]`` is player i's payoff table with its own action first, indexable
    as ``own[i][a_i][a_j]``; ``maximum(list)`` the largest of several payoffs.
    """
    out = []
    for i in (0, 1):
        u, ci, pi, cj, pj = own[i], cooperate[i], punish[i], cooperate[1 - i], punish[1 - i]
        uncooperative = [a for a in range(len(u)) if a != ci]
        unpunishing = [a for a in range(len(u)) if a != pi]
        out.append(
            {
                "R": u[ci][cj],
                "P": u[pi][pj],
                "T": maximum([u[a][cj] for a in uncooperative]),
                "D": maximum([u[a][pj] for a in unpunishing]),
                "Tp": u[pi][cj],
                "S": u[ci][pj],
                "Pn": maximum([u[a][pj] for a in uncooperative]),
            }
        )
    return out


def conditions(profile: str, terms: Sequence[dict[str, Any]], zero: Any = 0) -> list[Condition]:
    """The one-shot deviation conditions of a profile, per player and state (see the module).

    ``zero`` is the zero of the payoffs' type (an array of zeros for a batch).
    """
    out = []
    for i, q in enumerate(terms):
        R, P, T, D = q["R"], q["P"], q["T"], q["D"]
        if profile == "grim":
            out += [
                Condition(T - P, T - R, "delta", i, "cooperation"),
                Condition(zero, D - P, "delta", i, "punishment"),
            ]
        elif profile == "punish":
            out += [
                Condition(R - P, T - R, "sum", i, "cooperation"),
                Condition(R - P, D - P, "power", i, "punishment"),
            ]
        elif profile == "defect":
            out.append(Condition(zero, D - P, "delta", i, "punishment"))
        elif profile == "tft":
            Tp, S, Pn = q["Tp"], q["S"], q["Pn"]
            out += [
                Condition(R - S, Tp - R, "delta", i, "both cooperated"),
                Condition(Tp - P, P - S, "delta", i, "only the opponent cooperated"),
                Condition(S - R, R - Tp, "delta", i, "only this player cooperated"),
                Condition(P - Tp, S - P, "delta", i, "neither cooperated"),
                Condition(zero, T - Tp, "delta", i, "best reply to cooperation"),
                Condition(zero, Pn - P, "delta", i, "best reply to punishment"),
            ]
        else:
            raise ValueError(f"unknown profile {profile!r}")
    return out


def interval(found: Sequence[Condition], k: int, atol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The discount factors ``[low, high]`` (N,) where every condition holds, batched.

    ``atol`` (2, N) is each player's payoff tolerance. ``low`` is at least 0
    and may be 1 or more (no discount factor below 1 will do); ``low > high``
    where none will; NaN where the conditions do not make an interval (a
    punishment of ``k >= 2`` periods that some player prefers to cooperation).
    Conditions on ``delta + ... + delta**k`` and ``delta**k`` are mapped back
    through those increasing functions.
    """
    low, high = np.zeros(atol.shape[-1]), np.full(atol.shape[-1], np.inf)
    for cond in found:
        lo, hi = linear_bounds(cond.a, cond.b, atol[cond.player])
        if cond.kind == "sum":
            lo, hi = root_of_sum(lo, k), np.where(hi < 0, -np.inf, root_of_sum(hi, k))
        elif cond.kind == "power":
            with np.errstate(invalid="ignore"):
                lo = np.maximum(lo, 0.0) ** (1.0 / k)
                hi = np.where(hi < 0, -np.inf, np.maximum(hi, 0.0) ** (1.0 / k))
            if k > 1:
                lo = np.where(cond.a < -atol[cond.player], np.nan, lo)
        low, high = np.maximum(low, lo), np.minimum(high, hi)
    return low, high
