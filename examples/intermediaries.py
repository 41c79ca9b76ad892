"""Which intermediary is believed: France, Japan, Pakistan, or Tehran's own word?

The bundled ``intermediaries`` model (docs/models/intermediaries.md) treats the
intermediary as an informational actor: it reads Iran's resolve with accuracy ``a`` and
tells Washington whether Iran would fight a maximalist demand (cheap talk), and it weighs
the U.S. share of the stakes by its bias ``b``. Washington proposes the modest interim
deal only if it believes the warning. The script

1. compares the four scenarios with ``bargain.compare_scenarios`` (the most informative
   equilibrium of each; babbling always exists too);
2. says why each third party is or is not believed: its bias against the credible window
   [b_low, b_high] and its accuracy against a_min (closed forms the tests check against
   the equilibria);
3. swaps one attribute at a time to show what would make Japan or Pakistan credible;
4. finds the window's edges with ``bargain.threshold`` at several accuracies (Kydd 2003:
   only an intermediary leaning toward Washington, but not too far, is believed, and
   noise shrinks the window).

Run: python examples/intermediaries.py [output-folder]
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import pandas as pd

import bargain
from bargain.tables import to_markdown

SCENARIOS = ["france", "japan", "pakistan", "direct_talks"]
COLUMNS = ["scenario", "b", "a", "face", "regime", "n_pbe", "deal", "war", "u_US", "u_Iran"]


def compare(model: bargain.Model) -> pd.DataFrame:
    """The four scenarios side by side."""
    table = bargain.compare_scenarios(model, SCENARIOS).to_frame()[COLUMNS]
    table["n_pbe"] = table["n_pbe"].astype(int)
    table.attrs = {}  # a plain table from here on (the note is set below)
    return table.rename(columns={"scenario": "channel"}).round(3)


def why(model: bargain.Model) -> pd.DataFrame:
    """Each third party's bias against the credible window and accuracy against a_min."""
    table = bargain.compare_scenarios(model, SCENARIOS[:3]).to_frame()

    def verdict(row: pd.Series) -> str:
        reasons = []
        if row["b"] < row["b_low"]:
            reasons.append("bias below the window")
        if row["b"] > row["b_high"]:
            reasons.append("bias above the window")
        if row["a"] < row["a_min"]:
            reasons.append("accuracy below a_min")
        return "; ".join(reasons) or "believed"

    table["verdict"] = table.apply(verdict, axis=1)
    columns = ["scenario", "b", "b_low", "b_high", "a", "a_min", "verdict"]
    return table[columns].rename(columns={"scenario": "channel"}).round(3)


def what_it_takes(model: bargain.Model) -> pd.DataFrame:
    """Japan and Pakistan with one of France's attributes, and France with Japan's accuracy."""
    france = model.scenario("france")
    japan = model.scenario("japan")
    cases = [
        ("japan", "France's accuracy", {"a": france["a"]}),
        ("japan", "perfect accuracy", {"a": 1.0}),
        ("pakistan", "France's bias", {"b": france["b"]}),
        ("france", "Japan's accuracy", {"a": japan["a"]}),
    ]
    rows = []
    for name, change, values in cases:
        point = {**model.scenario(name), **values}
        solution = model.solve(name, **values)
        rows.append(
            {
                "channel": name,
                "with": change,
                "b": point["b"],
                "a": point["a"],
                "believed": "yes" if solution.informative_exists else "no",
            }
        )
    return pd.DataFrame(rows)


def edges(model: bargain.Model, accuracies: list[float]) -> pd.DataFrame:
    """The credible window of the bias at each accuracy, by bisection on the regime."""
    rows = []
    for a in accuracies:
        try:
            low = bargain.threshold(model, "b", "regime", (0.3, 0.7), a=a).value
            high = bargain.threshold(model, "b", "regime", (0.7, 1.0), a=a).value
        except bargain.BargainError:  # babbling at both ends: no window
            low = high = float("nan")
        rows.append({"a": a, "b_low": low, "b_high": high, "width": high - low})
    return pd.DataFrame(rows).round(4)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
    model = bargain.load_model("intermediaries")
    table = compare(model)
    print("The most informative equilibrium through each channel:")
    print(table.to_string(index=False))
    best = table.loc[table["war"].idxmin()]
    print(
        f"least war through {best['channel']} (war {best['war']:.2f}, deal {best['deal']:.2f}); "
        f"without a believed channel: war {table['war'].max():.2f}, "
        f"deal {table['deal'].min():.2f}\n"
    )
    print("Why each third party is or is not believed:")
    print(why(model).to_string(index=False), "\n")
    print("What it would take:")
    print(what_it_takes(model).to_string(index=False), "\n")
    print("The credible window of the bias by accuracy (bargain.threshold):")
    print(edges(model, [1.0, 0.95, 0.9, 0.85, 0.8, 0.7]).to_string(index=False))
    table.attrs["note"] = (
        "bargain.compare_scenarios on the intermediaries model (most informative "
        f"equilibrium, keep = receiver-best), other parameters at their defaults; "
        f"model version {model.version}; bargain {bargain.__version__}."
    )
    path = out / "intermediaries.md"
    path.write_text(to_markdown(table) + "\n", encoding="utf-8")
    print(f"wrote {path}")
