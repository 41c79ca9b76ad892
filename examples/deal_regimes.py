"""At what level of relief does an interim deal hold, and how does that depend on inspections?

A sequential interim-deal game: the U.S. proposes relief for rollback (or keeps
pressure), Iran accepts or rejects, then keeps the deal or cheats; cheating is
caught with probability ``detect`` and answered by snapback. The script sweeps
relief x detection, writes a LaTeX table and a regime map for a paper, and
prints the detection threshold above which a deal holds at each level of relief.

Run: python examples/deal_regimes.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import bargain

tree = bargain.GameTree(
    ["US", "Iran"],
    params=[
        bargain.Param("relief", 0.4, 0, 1, "sanctions relief offered"),
        bargain.Param("detect", 0.5, 0, 1, "probability that cheating is detected"),
        bargain.Param("gain", 0.3, 0, 1, "Iran's gain from undetected cheating"),
    ],
)
tree.decision("offer", "US", {"propose": "answer", "pressure": "standoff"})
tree.decision("answer", "Iran", {"accept": "comply", "reject": "breakdown"})
tree.decision("comply", "Iran", {"keep": "kept", "cheat": "inspect"})
tree.chance("inspect", {"caught": ("detect", "snapback"), "missed": ("1 - detect", "cheated")})
tree.terminal("kept", {"US": "1 - relief", "Iran": "relief"})
tree.terminal("snapback", {"US": -0.2, "Iran": -0.5})
tree.terminal("cheated", {"US": "-relief", "Iran": "relief + gain"})
tree.terminal("breakdown", {"US": 0.1, "Iran": 0.1})
tree.terminal("standoff", {"US": 0.2, "Iran": 0.1})

model = bargain.Model(
    tree,
    {"surplus": "u_US + u_Iran"},
    outcomes={"deal": ["kept", "cheated", "snapback"], "war": ["snapback"]},
    name="interim-deal-example",
    title="Interim deal with inspections",
)

if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    result = bargain.sweep(
        model,
        bargain.grid(relief=bargain.linspace(0, 1, 11), detect=bargain.linspace(0, 1, 11)),
        progress=False,
    )
    latex = result.to_latex(
        pivot=("relief", "detect", "regime"),
        caption="Equilibrium path by relief (rows) and detection probability (columns).",
        label="tab:deal-regimes",
    )
    (out / "deal_regimes.tex").write_text(latex)
    result.regime_map("relief", "detect", path=out / "deal_regimes.png")
    print(result.regimes().to_string())
    table = bargain.threshold_table(
        model, "detect", "deal", (0, 1), over=("relief", [0.2, 0.4, 0.6])
    )
    print(table[["relief", "threshold", "reason"]].to_string(index=False))
    print(f"wrote {out / 'deal_regimes.tex'} and {out / 'deal_regimes.png'}")
