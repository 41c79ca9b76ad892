"""At what level of relief does an interim deal hold, and how does that depend on Iran's
breakout time?

Uses the bundled ``interim-deal`` model in the setting where a deal is possible (its
scenario ``coalition_and_credible_relief``: a unified coalition and relief the U.S. can
credibly keep). For each breakout time the script finds, with the solver, the least
relief at which the equilibrium is a deal that holds (``bargain.threshold_table``) and
sets it beside the model's closed-form constraints: the least relief Iran accepts
(``r_accept``) and complies with (``r_comply``), the most relief the U.S. proposes
(``r_propose``) and keeps (``r_keep``), and the relief the two sides would bargain for
(``terms``, from ``interim-terms``).

As breakout shrinks Iran's leverage grows: the least relief it accepts rises, and so do
the terms it can bargain for, while the most relief the U.S. can credibly keep does not
move. The gap between the bargained terms and that commitment (``commitment_gap``)
rises: the commitment problem of shifting power (Powell 2006).

Run: python examples/relief_threshold.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

import bargain
from bargain.tables import to_markdown

BREAKOUTS = [1.5, 2, 3, 4, 6, 9, 12]
SCENARIO = "coalition_and_credible_relief"
BOUNDS = ["r_accept", "r_comply", "r_propose", "r_keep", "commitment_gap"]


def relief_thresholds(model: bargain.Model):
    """The least relief for a deal that holds at each breakout time, with the bounds."""
    fixed = model.scenario(SCENARIO)
    bounds = bargain.sweep(
        model, {"breakout": BREAKOUTS}, measures=BOUNDS, fixed=fixed, progress=False
    ).to_frame()
    least = []
    for breakout, top in zip(BREAKOUTS, np.minimum(bounds["r_propose"], bounds["r_keep"])):
        # The deal holds on an interval of relief: search its lower edge below its top.
        found = bargain.threshold(
            model, "relief", "deal_kept", (0, top - 1e-3), tol=1e-4, **fixed, breakout=breakout
        )
        least.append(found.value if found else np.nan)
    table = pd.DataFrame({"breakout": BREAKOUTS, "least relief for a deal that holds": least})
    for name in [*BOUNDS, "terms"]:  # terms: the linked value, a column of every sweep
        table[name] = bounds[name].to_numpy()
    table = table.round(3)
    table.attrs["note"] = bounds.attrs.get("note", "")
    return table


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    model = bargain.load_model("interim-deal")
    table = relief_thresholds(model)
    print(f"Least relief (share of the package) for a deal that holds (scenario {SCENARIO}):")
    print(table.to_string(index=False))
    by = table.set_index("breakout")
    print(
        f"\nFrom 12 months to 2, the least relief Iran accepts rises from "
        f"{by.loc[12, 'r_accept']:.2f} to {by.loc[2, 'r_accept']:.2f} and the bargained relief "
        f"from {by.loc[12, 'terms']:.2f} to {by.loc[2, 'terms']:.2f}, while the most the U.S. "
        f"can credibly keep stays at {by.loc[12, 'r_keep']:.2f}."
    )
    path = out / "relief_threshold.md"
    path.write_text(to_markdown(table) + "\n", encoding="utf-8")
    print(f"wrote {path}")
