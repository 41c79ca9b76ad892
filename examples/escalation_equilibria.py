"""When is the U.S.-Iran stand-off a stable clash, and when a game of chance?

Maximum pressure vs maximum resistance as a 2x2 game whose payoffs depend on
two parameters: how hard sanctions bite (``bite``) and what an open clash
costs both sides (``clash``). The script prints every Nash equilibrium at a few
parameter points and then sweeps a grid to count the points of each regime.

Run: python examples/escalation_equilibria.py
"""

from __future__ import annotations

import warnings

import numpy as np

import bargain

game = bargain.NormalFormGame(
    players=["US", "Iran"],
    strategies={"US": ["pressure", "engage"], "Iran": ["resist", "restrain"]},
    payoffs={
        # US: a clash costs `clash`; pressure that Iran absorbs pays `bite`.
        "US": [["-clash", "bite"], ["-2", "1"]],
        # Iran: resisting engagement pays 1; restraint under pressure costs `bite`.
        "Iran": [["-clash", "-bite"], ["1", "1 - bite"]],
    },
    params=[
        bargain.Param("bite", 0.5, low=0, high=3, description="economic bite of sanctions"),
        bargain.Param("clash", 1.0, low=0.1, high=5, description="cost of an open clash"),
    ],
)


def describe(solution: bargain.Solution) -> str:
    return "\n".join(f"    {eq}" for eq in solution)


if __name__ == "__main__":
    for values in (
        {"bite": 0.5, "clash": 1.0},
        {"bite": 2.5, "clash": 1.0},
        {"bite": 2.5, "clash": 4.0},
    ):
        solution = game.solve(**values)
        print(f"at {values}: {len(solution)} equilibria")
        print(describe(solution))

    bite, clash = np.meshgrid(np.linspace(0, 3, 301), np.linspace(0.1, 5, 301))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)  # boundary ties
        batch = game.solve_batch({"bite": bite.ravel(), "clash": clash.ravel()})
    pure = (batch.profiles[0].max(axis=1) == 1) & (batch.profiles[1].max(axis=1) == 1)
    n_pure = np.bincount(batch.point[pure], minlength=len(batch))
    print(
        f"\nswept {len(batch):,} points: "
        f"{np.mean(batch.count == 1):.0%} have a unique equilibrium, "
        f"{np.mean(batch.count == 3):.0%} have three, "
        f"{np.mean(n_pure == 0):.0%} only a mixed one, "
        f"{batch.degenerate.sum()} lie on a boundary (degenerate)"
    )
