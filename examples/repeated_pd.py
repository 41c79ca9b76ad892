"""When does the shadow of the future sustain restraint? A repeated Prisoner's Dilemma.

The model ``models/canonical/repeated-prisoners-dilemma.toml``: each year the United
States engages or pressures and Iran restrains or resists, a Prisoner's Dilemma
with payoffs T > R > P > S, repeated without end with a common discount factor
delta. The script asks the repeated-game form, not a hand derivation:

1. the critical discount factor of each named profile in closed form (grim
   trigger's is (T - R)/(T - P));
2. which profiles are subgame perfect as delta grows (a sweep);
3. where cooperation under grim trigger starts, found by bisection and
   checked against the closed form, for a larger temptation too;
4. the feasible and individually rational payoffs of the stage game.

Run: python examples/repeated_pd.py
"""

from __future__ import annotations

import math
from pathlib import Path

import bargain
from bargain.formula import to_text

MODEL = Path(__file__).parents[1] / "models" / "canonical" / "repeated-prisoners-dilemma.toml"


def main() -> None:
    model = bargain.load_model(MODEL)
    game = model.game
    print("Critical discount factors (closed form, from the model):")
    for profile in ("grim", "punish", "tft", "defect"):
        print(f"  {profile:7s} delta >= {to_text(game.critical_delta(profile))}")

    result = bargain.sweep(model, {"delta": bargain.linspace(0.1, 0.9, 9)}, progress=False)
    columns = ["delta", "regime", "spe_grim", "spe_punish", "spe_tft", "u_US", "u_Iran"]
    print("\nThe most cooperative subgame-perfect profile as delta grows:")
    print(result.to_frame()[columns].to_string(index=False))

    closed = game.critical_delta("grim")
    for T in (5.0, 6.0):
        found = bargain.threshold(model, "delta", "spe_grim", (0, 0.99), tol=1e-9, T=T)
        exact = float(closed.subs({"T": T, "R": 3, "P": 1}))
        assert math.isclose(found.value, exact, abs_tol=1e-8)
        print(f"\nT = {T:g}: grim trigger sustains cooperation iff delta >= {found.value:.6f}")
        print(f"  closed form (T - R)/(T - P) = {exact:.6f}")

    payoffs = game.payoff_set()
    print("\nFeasible payoffs (hull vertices):", payoffs.feasible.tolist())
    print("Pure minmax values:", payoffs.minmax.tolist())
    print("Feasible and individually rational:", payoffs.rational.round(3).tolist())


if __name__ == "__main__":
    main()
