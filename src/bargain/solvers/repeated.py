"""Strategy profiles of infinitely repeated two-player games, as finite automata.

A profile is an automaton: states ``S``, the action profile ``actions[s]``
played in state ``s`` and the state ``transition[s, a1, a2]`` after the
action profile ``(a1, a2)`` (Mailath and Samuelson 2006, ch. 2). Its
average discounted values solve ``V = (1 - delta) u(a(s)) + delta V(next)``.
By the one-shot deviation principle, a profile is a subgame-perfect
equilibrium iff in no state a player gains by deviating once and then
conforming (Mailath and Samuelson 2006, ch. 2), which is what
:func:`one_shot_gains` measures. Stage payoffs are ``(2, m1, m2, N)``, the
batch in the last axis; nothing here knows labels or formulas.

:func:`linear_bounds` and :func:`root_of_sum` turn conditions on ``delta``
into intervals, batched, for the critical discount factors.
"""

from __future__ import annotations

import numpy as np


def automaton_values(
    stage: np.ndarray, actions: np.ndarray, transition: np.ndarray, delta: np.ndarray
) -> np.ndarray:
    """Average discounted values ``(2, S, N)`` of following the automaton from each state.

    ``stage`` (2, m1, m2, N); ``actions`` (S, 2) integer; ``transition``
    (S, m1, m2) integer; ``delta`` (N,) in [0, 1).
    """
    n_states = len(actions)
    played = stage[:, actions[:, 0], actions[:, 1], :]  # (2, S, N)
    follow = transition[np.arange(n_states), actions[:, 0], actions[:, 1]]  # (S,)
    step = np.zeros((n_states, n_states))
    step[np.arange(n_states), follow] = 1.0
    system = np.eye(n_states) - delta[:, None, None] * step  # (N, S, S)
    right = ((1.0 - delta) * played).transpose(2, 1, 0)  # (N, S, 2)
    return np.linalg.solve(system, right).transpose(2, 1, 0)


def one_shot_gains(
    stage: np.ndarray, actions: np.ndarray, transition: np.ndarray, delta: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each player's largest gain ``(2, S, N)`` from a one-shot deviation in each state,
    and the values ``(2, S, N)`` (:func:`automaton_values`).

    The gain of player i in state s is ``max_a (1 - delta) u_i(a, a_-i(s)) +
    delta V_i(next(s, a, a_-i(s))) - V_i(s)``, at least 0 (the prescribed action).
    """
    values = automaton_values(stage, actions, transition, delta)
    n_states = len(actions)
    gains = np.empty_like(values)
    for s in range(n_states):
        a1, a2 = actions[s]
        # player 0 deviates to each row a, player 1 to each column b
        row = (1.0 - delta) * stage[0, :, a2, :] + delta * values[0, transition[s, :, a2], :]
        col = (1.0 - delta) * stage[1, a1, :, :] + delta * values[1, transition[s, a1, :], :]
        gains[0, s] = row.max(axis=0) - values[0, s]
        gains[1, s] = col.max(axis=0) - values[1, s]
    return gains, values


def linear_bounds(a: np.ndarray, b: np.ndarray, atol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The interval ``[low, high]`` of x where ``a x >= b`` (elementwise, batched).

    ``|a| <= atol`` counts as ``a = 0``: the condition then holds for every x
    if ``b <= atol`` and for none otherwise (``low = inf``, ``high = -inf``).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = b / a
    zero = np.abs(a) <= atol
    holds = b <= atol
    low = np.where(zero, np.where(holds, -np.inf, np.inf), np.where(a > 0, ratio, -np.inf))
    high = np.where(zero, np.where(holds, np.inf, -np.inf), np.where(a < 0, ratio, np.inf))
    return low, high


def root_of_sum(y: np.ndarray, k: int, steps: int = 64) -> np.ndarray:
    """The x >= 0 with ``x + x**2 + ... + x**k = y`` (batched bisection; 0 where y <= 0,
    inf where y is inf). The sum increases from 0 without bound, so the root is unique."""
    y = np.asarray(y, dtype=float)
    if k == 1:
        return np.where(y > 0, y, 0.0)
    finite = np.isfinite(y)
    target = np.where(finite, np.maximum(y, 0.0), 0.0)
    low = np.zeros_like(target)
    high = np.maximum(1.0, target)
    for _ in range(steps):
        mid = 0.5 * (low + high)
        total = sum(mid**t for t in range(1, k + 1))
        below = total < target
        low = np.where(below, mid, low)
        high = np.where(below, high, mid)
    return np.where(finite, high, np.where(y > 0, np.inf, 0.0))
