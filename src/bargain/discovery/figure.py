"""The boxes on a pairwise scatter of the parameters they restrict.

Points where the outcome holds are black triangles, the others open grey circles,
each box a black outline (solid, dashed, dotted, ...), so the figure reads in
grayscale; the legend sits above the panels, the note below. With two parameters
there is one panel; with more, one panel for each pair, below the diagonal; with
one, the outcome is the vertical axis. Drawn and saved as :mod:`bargain.plots` draws
and saves (shown in a notebook, the note in the file's metadata).
"""

from __future__ import annotations

import itertools
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bargain.errors import BargainError
from bargain.frames import axis_label
from bargain.plots import new_figure, save_figure

from .boxes import Box

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Most parameters drawn (the boxes' most significant restrictions first).
MAX_PARAMS = 4
#: Size of one panel, in inches.
PANEL = 3.2
#: Least width of a figure, in inches (room for the legend above the panels).
MIN_WIDTH = 5.0
#: The vertical axis of a figure over one parameter: the outcome.
OUTCOME = "outcome"
#: Line styles of the boxes, in order.
LINES = ("-", "--", ":", "-.")


def shown(boxes: Sequence[Box], ranked: Sequence[str]) -> list[str]:
    """The parameters to draw: those the boxes restrict, then the best-scored others,
    two (or the one there is) and at most :data:`MAX_PARAMS`."""
    names = list(dict.fromkeys(name for box in boxes for name in box.restricted))
    if len(names) < 2:
        names += [name for name in ranked if name not in names][: 2 - len(names)]
    return names[:MAX_PARAMS]


def box_figure(
    frame: pd.DataFrame,
    holds: np.ndarray,
    boxes: Sequence[Box],
    names: Sequence[str],
    outcome: str,
    note: str,
    path: str | Path | None = None,
) -> Figure:
    """The points of ``frame`` (one per row of ``holds``) and the boxes over ``names``."""
    if not names:
        raise BargainError("a box figure needs a parameter that varies")
    k = max(len(names) - 1, 1)
    fig = new_figure(figsize=(max(PANEL * k, MIN_WIDTH), PANEL * k + 0.8), layout="constrained")
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    grid = fig.add_gridspec(k, k)
    # With one parameter, the vertical axis tells the outcome (holds: 1, spread a little).
    spread = np.random.default_rng(0).uniform(-0.25, 0.25, len(holds))
    y_values = {OUTCOME: holds + spread, **{name: frame[name] for name in names}}
    pairs = (
        itertools.combinations(enumerate(names), 2)
        if len(names) > 1
        else [((0, names[0]), (1, OUTCOME))]
    )
    for (j, x), (i, y) in pairs:
        ax = fig.add_subplot(grid[i - 1, j])
        for inside, style in ((False, _OTHER), (True, _HOLDS)):
            ax.scatter(frame[x][holds == inside], y_values[y][holds == inside], **style)
        for n, box in enumerate(boxes):
            x0, x1 = box.limits.loc[x, ["low", "high"]]
            y0, y1 = (-0.3, 1.3) if y == OUTCOME else box.limits.loc[y, ["low", "high"]]
            ax.add_patch(
                Rectangle((x0, y0), x1 - x0, y1 - y0, fill=False, linewidth=1.6, ls=LINES[n % 4])
            )
        if i == k:
            ax.set_xlabel(axis_label(frame, x))
        if y == OUTCOME:
            ax.set_yticks([0, 1], ["does not hold", "holds"])
        elif j == 0:
            ax.set_ylabel(axis_label(frame, y))
    handles = [
        Line2D([], [], linestyle="", label=f"{outcome} holds", **_legend(_HOLDS)),
        Line2D([], [], linestyle="", label="does not hold", **_legend(_OTHER)),
        *(
            Line2D([], [], color="black", ls=LINES[n % 4], label=f"box {n + 1}")
            for n in range(len(boxes))
        ),
    ]
    fig.legend(handles=handles, loc="outside upper center", ncols=len(handles), frameon=False)
    if note:
        fig.text(0.01, 0, textwrap.fill(note, int(fig.get_figwidth() * 20)), fontsize=6, va="top")
    if path is not None:
        save_figure(fig, note, path)
    return fig


_HOLDS = {"marker": "^", "s": 12, "c": "black", "linewidths": 0}
_OTHER = {"marker": "o", "s": 10, "facecolors": "none", "edgecolors": "0.55", "linewidths": 0.6}


def _legend(style: dict) -> dict:
    """A scatter style as a legend marker."""
    filled = style.get("c", "none")
    return {
        "marker": style["marker"],
        "markerfacecolor": filled,
        "markeredgecolor": style.get("edgecolors", filled),
    }
