"""Benchmark: every pure PBE of a two-type, two-message, three-action signaling game.

Iran is conciliatory (prior ``p``) or hard-line; it makes a gesture, costing
``c`` (plus ``h`` for a hard-line government), or none; the United States
engages, probes or keeps up pressure. Engagement pays Iran 1, probing 0.4;
the United States gains from engaging a conciliatory Iran and loses ``x``
from engaging a hard-line one. Parameters are drawn at random, so points
have one, two or three PBE of every kind.

* bargain: one ``SignalingGame.solve_batch(points, mixed="none")`` call over
  100,000 points (formula evaluation, the belief polytopes, the enumeration,
  the verification of every PBE, outcomes and the result object included);
  ``mixed="none"`` because the peer enumerates pure PBE. A second case times
  the default solve (semi-separating PBE too) with both refinements' verdicts.
* enumeration: a plain per-point Python enumeration (payoffs written as Python
  functions, loops over sender and receiver pure strategies, Bayes' rule on
  the path, an interval of beliefs off it), timed on a sample of the points.

The peer's PBE set must equal bargain's at every sampled point. Per-point
times and ratios appear in the session's table (conftest.py); no timing is
asserted. The target is >= 50x per point.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

from bargain import Param
from bargain.errors import DegenerateGameWarning
from bargain.games.signaling import SignalingGame

CASE = "signaling"
#: Points solved by bargain and points timed for the peer, (full, CI).
POINTS = {True: 100_000, False: 2_000}
PEER_POINTS = {True: 2_000, False: 200}

PARAMS = [
    Param("p", 0.5, 0, 1, "prior probability that Iran is conciliatory"),
    Param("c", 0.5, 0, 1.5, "cost of the gesture"),
    Param("h", 0.5, 0, 1, "hard-liners' extra cost of a gesture"),
    Param("x", 1.0, 0, 2, "U.S. loss from engaging a hard-line Iran"),
]
TYPES, MESSAGES, ACTIONS = (
    ("conciliatory", "hardline"),
    ("gesture", "none"),
    (
        "engage",
        "probe",
        "pressure",
    ),
)
#: What each action is worth to Iran, and to the United States per type.
IRAN = {"engage": 1.0, "probe": 0.4, "pressure": 0.0}
US = {
    "conciliatory": {"engage": "1", "probe": "0.5", "pressure": "0"},
    "hardline": {"engage": "-x", "probe": "-0.3*x", "pressure": "0.2"},
}
COST = {"conciliatory": "c", "hardline": "c + h"}


def gesture_game() -> SignalingGame:
    payoffs = {
        t: {
            m: {
                a: (f"{IRAN[a]} - ({COST[t]})" if m == "gesture" else IRAN[a], US[t][a])
                for a in ACTIONS
            }
            for m in MESSAGES
        }
        for t in TYPES
    }
    return SignalingGame(
        "Iran", "US", {"conciliatory": "p", "hardline": "1 - p"}, MESSAGES, ACTIONS, payoffs, PARAMS
    )


# -- the plain per-point enumeration ---------------------------------------------------------


def python_payoffs(point: dict) -> tuple[list, list, list]:
    """The prior and both players' payoffs [type][message][action] at a point."""
    p, c, h, x = point["p"], point["c"], point["h"], point["x"]
    cost = (c, c + h)
    us = (
        {"engage": 1.0, "probe": 0.5, "pressure": 0.0},
        {"engage": -x, "probe": -0.3 * x, "pressure": 0.2},
    )
    u_s = [
        [[IRAN[a] - (cost[t] if m == 0 else 0.0) for a in ACTIONS] for m in range(2)]
        for t in range(2)
    ]
    u_r = [[[us[t][a] for a in ACTIONS] for _ in range(2)] for t in range(2)]
    return [p, 1 - p], u_s, u_r


def supported(u_r_m: list, a: int, tol: float) -> bool:
    """Whether action a is best after the message at some P(first type) in [0, 1]."""
    low, high = 0.0, 1.0
    for b in range(len(u_r_m[0])):
        if b != a:
            g0, g1 = u_r_m[0][a] - u_r_m[0][b], u_r_m[1][a] - u_r_m[1][b]
            slope, need = g0 - g1, -tol / 2 - g1
            if slope > 0:
                low = max(low, need / slope)
            elif slope < 0:
                high = min(high, need / slope)
            elif need > 0:
                return False
    return low <= high


def python_pbe(point: dict) -> set[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Every pure PBE (sender strategy, receiver strategy) at one point."""
    prior, u_s, u_r = python_payoffs(point)
    n_types, n_messages, n_actions = 2, 2, 3
    flat = [v for player in (u_s, u_r) for row in player for r in row for v in r]
    tol_s = 1e-9 * (max(flat[:12]) - min(flat[:12])) + 8 * 2**-52 * max(map(abs, flat[:12]))
    tol_r = 1e-9 * (max(flat[12:]) - min(flat[12:])) + 8 * 2**-52 * max(map(abs, flat[12:]))
    found = set()
    for sender in itertools.product(range(n_messages), repeat=n_types):
        for receiver in itertools.product(range(n_actions), repeat=n_messages):
            ok = True
            for m in range(n_messages):
                weight = [prior[t] if sender[t] == m else 0.0 for t in range(n_types)]
                mass = sum(weight)
                if mass > 1e-10:
                    payoff = [
                        sum(weight[t] * u_r[t][m][a] for t in range(n_types)) / mass
                        for a in range(n_actions)
                    ]
                    ok = payoff[receiver[m]] >= max(payoff) - tol_r
                else:
                    ok = supported([u_r[t][m] for t in range(n_types)], receiver[m], tol_r)
                if not ok:
                    break
            for t in range(n_types):
                if ok:
                    value = [u_s[t][m][receiver[m]] for m in range(n_messages)]
                    ok = value[sender[t]] >= max(value) - tol_s
            if ok:
                found.add((sender, receiver))
    return found


# -- fixtures --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def game() -> SignalingGame:
    return gesture_game()


@pytest.fixture(scope="module")
def points(sizes) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261130)
    n = POINTS[sizes.full]
    return {p.name: rng.uniform(p.low, p.high, size=n) for p in PARAMS}


def pbe_sets(batch, indices) -> list[set]:
    """bargain's pure PBE (strategy profiles) at the given points."""
    found = batch.pbe.found
    sets: list[set] = [set() for _ in indices]
    where = {int(i): k for k, i in enumerate(indices)}
    for r in np.flatnonzero(np.isin(found.point, indices)):
        profile = (tuple(found.sender[r].argmax(axis=1)), tuple(found.receiver[r].argmax(axis=1)))
        sets[where[int(found.point[r])]].add(profile)
    return sets


def test_bargain_pure_pbe(measure, game, points):
    n = len(points["p"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        batch = measure(CASE, "bargain", lambda: game.solve_batch(points, mixed="none"), n)
    assert len(batch) == n
    assert (batch.n_pbe >= 1).mean() > 0.95  # a pure PBE at almost every point
    assert 1.5 < len(batch.pbe.found.point) / n < 4


def test_python_enumeration_finds_the_same_sets(measure, game, points, sizes):
    sample = np.arange(PEER_POINTS[sizes.full])
    rows = [{k: float(v[i]) for k, v in points.items()} for i in sample]
    theirs = measure(CASE, "enumeration", lambda: [python_pbe(row) for row in rows], len(rows))
    sub = {k: v[sample] for k, v in points.items()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        ours = pbe_sets(game.solve_batch(sub, mixed="none"), sample)
    assert ours == theirs
    assert sum(map(len, theirs)) > len(sample)  # several PBE per point on average


def test_bargain_all_pbe_with_verdicts(measure, game, points):
    """The default solve (semi-separating PBE too) and the columns with both verdicts."""
    n = len(points["p"])

    def solve():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateGameWarning)
            batch = game.solve_batch(points)
            return batch, batch.columns()

    batch, columns = measure(f"{CASE} +mixed+refine", "bargain", solve, n)
    assert columns["intuitive"].shape == batch.point.shape
    assert (batch.kind == 3).any()  # semi-separating equilibria were found
