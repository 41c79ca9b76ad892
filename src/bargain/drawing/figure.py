"""The drawn tree as a matplotlib figure (SVG, PNG, PDF), made without pyplot.

The same layout as the TikZ picture (:mod:`.layout`): a filled dot where a
player moves, an open circle for Nature, the payoffs below each leaf (one
line per player, in the order of the note), the equilibrium path thick and
black, equilibrium choices off the path thick and grey, information sets
dashed (an arc over nodes in between). Made and saved as :mod:`bargain.plots`
makes and saves figures (shown in a notebook; the note below the figure and in
the file's metadata).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

from bargain.plots import new_figure

from .layout import Layout
from .shape import TreeShape

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: Inches between neighbouring leaves and between levels.
X_STEP, Y_STEP = 1.0, 0.95
#: Line width and colour of each branch style (:meth:`TreeShape.style`).
LINES = {"path": (2.6, "black"), "off-path choice": (2.6, "0.7"), "plain": (0.8, "black")}


def to_figure(shape: TreeShape, layout: Layout, note: str) -> Figure:
    """The figure (see the module's docstring); Jupyter shows it as a cell's last line."""
    width, depth = max(layout.width, 1.0), max(layout.depth, 1.0)
    fig = new_figure(figsize=(X_STEP * width + 1.6, Y_STEP * depth + 1.3))
    from matplotlib.patches import FancyArrowPatch

    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-0.8, width + 0.8)
    ax.set_ylim(-depth - 0.8, 0.5)
    x, y = layout.x - layout.x.min(), layout.y
    for k, branch in enumerate(shape.branches):
        a, b = branch.parent, branch.child
        lw, colour = LINES[shape.style(branch)]
        ax.plot([x[a], x[b]], [y[a], y[b]], lw=lw, color=colour, solid_capstyle="round", zorder=1)
        text = branch.label
        if k in shape.probability_texts:
            text += f" ({_minus(shape.probability_texts[k])})"
        left = x[b] < x[a]
        ax.annotate(
            text,
            ((x[a] + x[b]) / 2, (y[a] + y[b]) / 2),
            xytext=(-3 if left else 3, 3),
            textcoords="offset points",
            ha="right" if left else "left",
            va="bottom",
            fontsize=8,
        )
    for members in shape.infosets:
        for a, b, over in layout.links(members):
            bend = -0.25 if over else 0.0
            ax.add_patch(
                FancyArrowPatch(
                    (x[a], y[a]),
                    (x[b], y[b]),
                    arrowstyle="-",
                    connectionstyle=f"arc3,rad={bend}",
                    linestyle="--",
                    lw=1.2,
                    shrinkA=0,
                    shrinkB=0,
                    zorder=2,
                )
            )
    for i, node in enumerate(shape.nodes):
        if node.kind == "terminal":
            texts = "\n".join(_minus(t) for t in shape.payoff_texts[i])
            ax.annotate(
                texts,
                (x[i], y[i]),
                xytext=(0, -3),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=9,
            )
            continue
        chance = node.kind == "chance"
        face = "white" if chance else "black"
        ax.plot(x[i], y[i], "o", ms=7 if chance else 5, mfc=face, mec="black", zorder=3)
        parent = shape.parents[i]
        left = parent is not None and x[i] <= x[parent]
        ax.annotate(
            node.player,
            (x[i], y[i]),
            xytext=(0, 6) if parent is None else (-4 if left else 4, 4),
            textcoords="offset points",
            ha="center" if parent is None else "right" if left else "left",
            va="bottom",
            fontsize=9,
        )
    if note:
        fig.text(0.01, 0, textwrap.fill(note, int(fig.get_figwidth() * 18)), fontsize=6, va="top")
    return fig


def _minus(text: str) -> str:
    """A number's minus sign as the typographic one."""
    return text.replace("-", "\N{MINUS SIGN}")
