"""At what level of relief does an interim deal become possible, and how does that depend on
Iran's breakout time?

Uses the bundled ``interim-deal`` model. For each breakout time the script finds, with the
solver, the least relief at which the equilibrium includes a deal (``bargain.threshold_table``)
and sets it beside the model's closed-form bounds: the least relief Iran accepts
(``min_relief``), the least relief that makes compliance pay better than cheating
(``comply_relief``) and the most relief the U.S. will propose and keep (``max_relief``).

Iran needs less relief the shorter its breakout time, because breakdown is more likely to
end in war; but below about two months cheating becomes so valuable that only more relief
(more to lose if caught) keeps Iran honest: the commitment problem of shifting power
(Fearon 1995; Powell 2006). The least relief for a deal is lowest at an intermediate
breakout time.

Run: python examples/relief_threshold.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import bargain
from bargain.tables import to_markdown

BREAKOUTS = [1, 1.5, 2, 3, 4, 6, 9, 12, 18, 24]


def relief_thresholds(model: bargain.Model):
    """The least relief for a deal at each breakout time, with the closed-form bounds."""
    table = bargain.threshold_table(
        model, "relief", "deal", (0, 1), over=("breakout", BREAKOUTS), tol=1e-4
    )
    bounds = bargain.sweep(
        model,
        {"breakout": BREAKOUTS},
        measures=["min_relief", "comply_relief", "max_relief", "war_if_breakdown"],
        progress=False,
    ).to_frame()
    note = table.attrs.get("note", "")
    table = table[["breakout", "threshold"]].rename(
        columns={"threshold": "least relief for a deal"}
    )
    for name in ("min_relief", "comply_relief", "max_relief", "war_if_breakdown"):
        table[name] = bounds[name].to_numpy()
    table = table.round(3)
    table.attrs["note"] = note
    return table


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    model = bargain.load_model("interim-deal")
    table = relief_thresholds(model)
    print("Least relief (share of the package) at which the U.S. proposes and Iran accepts:")
    print(table.to_string(index=False))
    best = table.loc[table["least relief for a deal"].idxmin()]
    print(
        f"\nA deal is cheapest at a breakout time of {best['breakout']:g} months "
        f"(relief {best['least relief for a deal']:.2f}); at 12 months Iran needs "
        f"{table.set_index('breakout').loc[12, 'least relief for a deal']:.2f}."
    )
    path = out / "relief_threshold.md"
    path.write_text(to_markdown(table) + "\n", encoding="utf-8")
    print(f"wrote {path}")
