"""Does pressure move Iran without a coalition? The escalation game, batched.

Solves the game of the bundled ``escalation`` model (maximum pressure vs maximum
resistance, a 2x2 game) at a few points, then over a 301 x 301 grid of the sanctions'
bite and the coalition's unity in one batched call, and counts where Iran restrains
under pressure. In the model, more bite makes restraint under pressure more attractive
only if unity exceeds ``capture``, the share of the bite that strengthens Iran's
hard-liners (0.5 by default). At the other defaults Iran resists a threat without bite
(the expected cost of a clash is below the value of its advances plus the hard-liners'
cost of yielding), so no amount of bite moves it unless unity exceeds capture.

Run: python examples/escalation_equilibria.py
"""

from __future__ import annotations

import warnings

import numpy as np

import bargain

game = bargain.load_model("escalation").game


def describe(solution: bargain.Solution) -> str:
    return "\n".join(f"    {eq}" for eq in solution)


if __name__ == "__main__":
    for values in (
        {},  # the 2019-2020 defaults: bite 1, unity 0.2
        {"bite": 3.0, "unity": 0.0},  # tripled bite, alone
        {"bite": 3.0, "unity": 0.9},  # tripled bite, a 2012-2013-like coalition
    ):
        solution = game.solve(**values)
        print(f"at {values or 'the defaults'}: {len(solution)} equilibria")
        print(describe(solution))

    bite, unity = np.meshgrid(np.linspace(0, 3, 301), np.linspace(0, 1, 301))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)  # boundary ties
        batch = game.solve_batch({"bite": bite.ravel(), "unity": unity.ravel()})
    us_pressure = batch.profiles[0][:, 0] == 1
    iran_restrain = batch.profiles[1][:, 1] == 1
    moved = np.zeros(len(batch), bool)
    moved[batch.point[us_pressure & iran_restrain]] = True  # Iran restrains under pressure
    alone = unity.ravel() <= 0.5  # unity <= capture
    print(
        f"\nswept {len(batch):,} points: Iran restrains under pressure at "
        f"{moved[~alone].mean():.0%} of the points with unity > capture and at "
        f"{moved[alone].mean():.0%} of those with unity <= capture; "
        f"{batch.degenerate.sum()} lie on a boundary (degenerate)"
    )
