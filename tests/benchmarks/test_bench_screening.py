"""Benchmark: the optimal screening offer with a uniform reservation value (Fearon 1995).

State A offers B a share x of the disputed good; B, whose cost of war cB is uniform on
[0, cbar], accepts iff x >= 1 - p - cB, its war payoff. Three parameters vary at
random: p, A's cost of war cA and cbar.

* bargain: one ``ScreeningGame.solve_batch`` call over 1,000,000 points (formula
  evaluation, the closed form with its corners, both expected payoffs and the result
  object included).
* scipy: per point, ``scipy.optimize.minimize_scalar`` (bounded Brent) maximises A's
  expected payoff, a plain Python function of the offer, on [max(0, a), b] with
  [a, b] = [1 - p - cbar, 1 - p] the support of B's war payoff: the objective is flat
  below a (every type rejects), where Brent's method stalls, and falls above b.
  Timed on a sample of the points.

The reference's offers and A's payoffs must equal bargain's on its sample. The target
is a throughput of at least 5 million points per second (0.2 µs per point in the
session's table, where the reference's per-point figure stands beside bargain's and
the ratio); no timing is asserted.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from bargain import Param
from bargain.games.screening import ScreeningGame

CASE = "screening"
#: The per-point reference's label in the session's table.
PEER = "scipy"
#: Points solved by bargain, and sampled for the reference: full run, CI run.
POINTS = {True: 1_000_000, False: 20_000}
SAMPLE = {True: 2_000, False: 50}


@pytest.fixture(scope="module")
def game() -> ScreeningGame:
    params = [Param("p", 0.5, 0, 1), Param("cA", 0.1, 0, 1), Param("cbar", 0.3, 0, 1)]
    return ScreeningGame(
        ["A", "B"], {"uniform": ["1 - p - cbar", "1 - p"]}, "p - cA", params=params
    )


@pytest.fixture(scope="module")
def points(sizes) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(20261130)
    n = POINTS[sizes.full]
    return {
        "p": rng.uniform(0, 1, n),
        "cA": rng.uniform(0, 0.5, n),
        "cbar": rng.uniform(0.01, 0.5, n),
    }


def scipy_offer(p: float, ca: float, cbar: float) -> tuple[float, float]:
    """A's optimal offer and expected payoff at one point, by bounded Brent."""
    a, b = 1 - p - cbar, 1 - p

    def loss(x: float) -> float:
        accept = min(max((x - a) / (b - a), 0.0), 1.0)
        return -(accept * (1 - x) + (1 - accept) * (p - ca))

    bounds = (max(0.0, a), b)
    found = minimize_scalar(loss, bounds=bounds, method="bounded", options={"xatol": 1e-10})
    return found.x, -found.fun


@pytest.mark.benchmark(group=CASE)
def test_screening_bargain(measure, benchmark, game, points, sizes):
    n = POINTS[sizes.full]
    batch = measure(CASE, "bargain", lambda: game.solve_batch(points), n)
    assert len(batch) == n and len(batch.point) == n and not batch.ties.any()
    regimes = np.bincount(batch.regime, minlength=5)
    benchmark.extra_info["regimes"] = regimes.tolist()
    assert regimes[0] and regimes[1] and regimes[3]  # interior, no war, lowest offer
    assert ((batch.p_war >= 0) & (batch.p_war <= 1)).all()
    assert benchmark.extra_info["us_per_game"] > 0


@pytest.mark.benchmark(group=CASE)
def test_screening_scipy(measure, game, points, sizes):
    k = SAMPLE[sizes.full]
    sample = [(points["p"][i], points["cA"][i], points["cbar"][i]) for i in range(k)]
    found = measure(CASE, PEER, lambda: [scipy_offer(*point) for point in sample], k)
    reference = game.solve_batch({name: v[:k] for name, v in points.items()})
    offers, values = np.array(found).T
    # Brent's bounded search stops within about sqrt(machine epsilon) of the maximum
    # (at a kink, the all-accept corner, its payoff is first order in that): never
    # better than bargain's.
    np.testing.assert_allclose(offers, reference.offer, rtol=0, atol=1e-6)
    np.testing.assert_allclose(values, reference.payoffs[:, 0], rtol=0, atol=1e-6)
    assert (values <= reference.payoffs[:, 0] + 1e-12).all()
