"""Which intermediary works best: France, Pakistan or Japan?

The bundled ``interim-deal`` model describes an intermediary by two numbers: the
probability that it delivers a proposal intact (``deliver``) and the face-saving cover it
gives Tehran (``face``, the share of the hard-liners' capitulation cost it removes; a
broker closer to Iran offers more, Kydd 2003). The model's scenarios ``france_mediates``,
``pakistan_mediates`` and ``japan_mediates`` set these (illustrative values, see
docs/models/interim-deal.md). The script compares them side by side with
``bargain.compare_scenarios``, at today's hard-liners and with the hard-liners ascendant,
at the default offer (40 % of the relief package, breakout 3 months).

A reliable channel maximizes the chance that an acceptable offer gets through; cover
lowers the relief Iran needs. Which matters more depends on how strong the hard-liners are.

Run: python examples/intermediaries.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

import bargain
from bargain.tables import to_markdown

MEDIATORS = ["france_mediates", "pakistan_mediates", "japan_mediates"]
COLUMNS = ["scenario", "deliver", "face", "min_relief", "deal", "war", "u_US", "u_Iran"]


def compare(model: bargain.Model) -> pd.DataFrame:
    """The mediator scenarios at today's and at ascendant hard-liners."""
    ascendant = model.scenario("hardliners_ascendant")["hardline"]
    frames = []
    for label, fixed in (("today", {}), ("ascendant", {"hardline": ascendant})):
        frame = bargain.compare_scenarios(model, MEDIATORS, fixed=fixed).to_frame()[COLUMNS]
        frame.insert(1, "hard-liners", label)
        frames.append(frame)
    table = pd.concat(frames, ignore_index=True)
    table["scenario"] = table["scenario"].str.replace("_mediates", "")
    return table.rename(columns={"scenario": "intermediary"}).round(3)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    model = bargain.load_model("interim-deal")
    table = compare(model)
    print("Interim deal through each intermediary (relief 0.4, breakout 3 months):")
    print(table.to_string(index=False))
    for label in ("today", "ascendant"):
        rows = table[table["hard-liners"] == label]
        best = rows.loc[rows["deal"].idxmax()]
        print(
            f"hard-liners {label}: best intermediary {best['intermediary']} "
            f"(deal with probability {best['deal']:.2f}, war {best['war']:.2f})"
        )
    table.attrs["note"] = (
        "bargain.compare_scenarios on the interim-deal model, other parameters at their "
        f"defaults; 'ascendant' sets hardline = "
        f"{model.scenario('hardliners_ascendant')['hardline']:g}; bargain {bargain.__version__}."
    )
    path = out / "intermediaries.md"
    path.write_text(to_markdown(table) + "\n", encoding="utf-8")
    print(f"wrote {path}")
