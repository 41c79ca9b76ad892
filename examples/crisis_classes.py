"""When is the U.S.-Iran stand-off a Prisoner's Dilemma, when a game of Chicken, and how
likely is a clash?

Uses the bundled ``escalation`` model (maximum pressure vs maximum resistance as a 2x2
game). The script lists its named scenarios side by side with the class of the game
(Snyder and Diesing 1977), every equilibrium, and two clash probabilities, each
labelled: in the equilibrium the table selects (risk-dominant, ``p_clash_selected``)
and in the completely mixed equilibrium where there is one (``p_clash_mixed``). It then
maps the class and both probabilities over the belief that a clash stays limited and
the value of an accord, the other parameters at their 2019-2020 defaults.

Run: python examples/crisis_classes.py [output-folder]
"""

from __future__ import annotations

import sys
from pathlib import Path

import bargain

CLASSES = {0: "asymmetric", 1: "PD", 2: "Chicken", 3: "Stag Hunt", 4: "Deadlock", 5: "Harmony"}


def named(codes):
    return [CLASSES[int(c)] for c in codes]


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    model = bargain.load_model("escalation")

    scenarios = bargain.compare_scenarios(model).to_frame()
    for column in ("game_class", "us_class", "iran_class"):
        scenarios[column] = named(scenarios[column])
    scenarios = scenarios.rename(columns={"regime": "selected"})
    columns = ["scenario", "game_class", "us_class", "iran_class", "equilibria", "selected"]
    columns += ["p_clash_selected", "p_clash_mixed"]
    print("Scenarios of the escalation game (selected: the risk-dominant equilibrium):")
    print(scenarios[columns].round(3).to_string(index=False))

    result = bargain.sweep(
        model,
        bargain.grid(limited=bargain.linspace(0, 1, 5), accord=bargain.linspace(0.25, 2.75, 6)),
        progress=False,
    )
    frame = result.to_frame()
    frame["class"] = named(frame["game_class"])
    table = frame.pivot(index="limited", columns="accord", values="class")
    table.columns = [f"accord {a:g}" for a in table.columns]
    print("\nClass of the game by belief in a limited clash (rows) and value of an accord:")
    print(table.to_string())
    for measure, label in [
        ("p_clash_selected", "in the selected (risk-dominant) equilibrium"),
        ("p_clash_mixed", "in the completely mixed equilibrium (0: none)"),
    ]:
        clash = frame.pivot(index="limited", columns="accord", values=measure).round(2)
        clash.columns = [f"accord {a:g}" for a in clash.columns]
        print(f"\nProbability of a clash {label}:")
        print(clash.to_string())
    path = out / "crisis_classes.csv"
    frame.to_csv(path, index=False)
    print(f"wrote {path}")
