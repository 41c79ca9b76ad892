"""What offer maximises A's expected payoff when it does not know B's cost of war, and
what probability of war does it accept?

Fearon's (1995) risk-return trade-off with the model of ``offer_screening.toml`` (beside
this script): A offers B a share x of the disputed good; B, whose cost of war cB only it
knows (uniform on [cB_low, cB_high]), accepts iff x is at least its war payoff
1 - p - cB. The closed form, with cB_low = 0: A offers x* = 1 - p - (cB_high - cA) / 2
and risks war with probability (cB_high - cA) / (2 cB_high) while its own cost of war
cA is below B's highest cost; above it, A buys peace with every type. The script sweeps
A's cost of war, under uncertainty and under complete information (B's cost known to be
its mean), and prints both tables and the cost at which the risk of war vanishes.

Run: python examples/offer_screening.py
"""

from __future__ import annotations

from pathlib import Path

import bargain
from bargain.io import load_model

COSTS = bargain.linspace(0, 0.4, 9)
COLUMNS = ["cA", "offer", "p_war", "u_A", "u_B", "share_A", "regime"]

if __name__ == "__main__":
    model = load_model(Path(__file__).with_suffix(".toml"))
    uncertain = bargain.sweep(model, {"cA": COSTS}, progress=False)
    print("B's cost of war uniform on [0, 0.3]; p = 0.5\n")
    print(uncertain.to_markdown(COLUMNS, floatfmt=".4g"))
    known = bargain.sweep(
        model, {"cA": COSTS}, fixed={"cB_low": 0.15, "cB_high": 0.15}, progress=False
    )
    print("\nComplete information: B's cost of war known to be 0.15\n")
    print(known.to_markdown(COLUMNS, floatfmt=".4g"))
    flip = bargain.threshold(model, "cA", "p_war", (0, 0.4), level=1e-9)
    print(f"\n{flip}")
