"""Which intermediary is believed when it counsels restraint?

Kydd's (2003) question with the model of ``mediator_bias.toml`` (beside this script): an
intermediary who reads Iran's resolve tells the United States "Iran is resolute" (make a
modest demand) or "Iran is irresolute" (a large demand is safe). It values the division
of the stakes with weight b on the American share, and dislikes war. Cheap talk is
believed only if the intermediary would say the same whatever it wished the United
States to do, so the script sweeps the bias b, and then b with the accuracy a of the
intermediary's reading, and prints:

- where an informative (credible) equilibrium exists (babbling, in which the message is
  ignored, always does: ``n_pbe`` counts both), and the probability of war in the
  equilibrium best for the United States (the most informative one);
- the edges of the credible interval of b, found by bisection, for each accuracy;
- the three illustrative intermediaries of the model file side by side.

By hand (see tests/test_mediation.py): with exact information the intermediary is
believed iff 13/24 <= b <= 7/8: an even-handed one (b = 1/2), who only wants to avoid
war, would counsel restraint even facing an irresolute Iran; one leaning far toward the
United States would egg it on even facing a resolute one. A noisier reading shrinks the
interval from both ends; below a = 3/4 the United States ignores the advice anyway.

Run: python examples/mediator_bias.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import bargain
from bargain.io import load_model

BIAS = bargain.linspace(0, 1, 11)
ACCURACY = [1.0, 0.95, 0.9, 0.85, 0.8, 0.7]
COLUMNS = ["b", "informative_exists", "n_pbe", "regime", "p_large", "war", "u_US", "u_Iran"]


def credible_interval(model: bargain.Model, a: float) -> tuple[float, float] | None:
    """The edges of the bias interval where the intermediary is believed, at accuracy a:
    a scan on a grid, then bisection at each edge (None: believed nowhere)."""
    grid = np.linspace(0, 1, 199)  # steps of 1/198: no point on a hand-computed edge
    frame = bargain.sweep(model, {"b": grid}, fixed={"a": a}, progress=False).to_frame()
    believed = grid[frame["informative_exists"].to_numpy() == 1]
    if not len(believed):
        return None
    step = grid[1] - grid[0]
    edges = []
    for bracket in ((believed[0] - step, believed[0]), (believed[-1], believed[-1] + step)):
        if bracket[0] >= 0 and bracket[1] <= 1:
            flip = bargain.threshold(model, "b", "informative_exists", bracket, a=a, tol=1e-9)
            edges.append(flip.value)
        else:
            edges.append(min(max(bracket[0], 0.0), 1.0))
    return edges[0], edges[1]


if __name__ == "__main__":
    model = load_model(Path(__file__).with_suffix(".toml"))
    print("The intermediary's bias b (weight on the American share); exact information\n")
    bias = bargain.sweep(model, {"b": BIAS}, progress=False)
    print(bias.to_markdown(COLUMNS, floatfmt=".4g"))

    print("\nWhere an informative equilibrium exists, by bias (rows) and accuracy (columns)\n")
    grid = bargain.sweep(model, {"b": BIAS, "a": ACCURACY}, progress=False)
    formats = {"b": ".1f", "a": ".2f", "informative_exists": ".0f"}
    print(grid.to_markdown(pivot=("b", "a", "informative_exists"), floatfmt=formats))

    print("\nThe credible interval of the bias, by accuracy\n")
    for a in ACCURACY:
        interval = credible_interval(model, a)
        shown = "believed for no bias" if interval is None else "{:.4f} <= b <= {:.4f}"
        print(f"a = {a:<5} {shown.format(*interval) if interval else shown}")

    print("\nThree intermediaries (illustrative values)\n")
    names = ["france", "japan", "pakistan"]
    mediators = bargain.compare_scenarios(model, names)
    print(mediators.to_markdown(["scenario", "b", "a", "regime", "war", "u_US"], floatfmt=".4g"))
