r"""The drawn tree as TikZ code for a paper: a ``tikzpicture`` to ``\input`` into a figure.

Plain TikZ (the ``tikz`` package, which journal templates accept and
``tests/latex.py`` loads), not ``istgame``: the writer places every node from
the shared layout (:mod:`.layout`), so the macros istgame adds for laying a
tree out by hand would not be used, and the reader's preamble needs nothing
more than ``\usepackage{tikz}``. The picture keeps its natural size when it
fits the line and is scaled down to ``\linewidth`` otherwise (graphicx's
``\resizebox``, loaded by tikz), so it never runs into the margin.
"""

from __future__ import annotations

import textwrap

from bargain.tables.latex import latex_escape

from .layout import Layout
from .shape import Branch, TreeShape

#: Centimetres between neighbouring leaves and between levels.
X_STEP, Y_STEP = 1.7, 1.5

#: The styles of the picture: node kinds, branch styles (:meth:`TreeShape.style`), sets.
STYLES = r"""decision/.style={circle, fill, inner sep=1.5pt},
  chance/.style={circle, draw, fill=white, inner sep=2pt},
  payoff/.style={anchor=north, align=center, inner sep=2pt, font=\small},
  move/.style={font=\footnotesize, inner sep=1.5pt},
  plain/.style={thin},
  path/.style={line width=1.6pt},
  off-path choice/.style={line width=1.6pt, black!35},
  infoset/.style={dashed, thick},
  every label/.style={font=\small}"""


def to_tikz(shape: TreeShape, layout: Layout, note: str) -> str:
    """The picture, ``note`` as a comment above it (see the module's docstring)."""
    lines = [f"% {line}" for line in _wrap(note)]
    lines += [
        r"\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
        rf"\begin{{tikzpicture}}[x={X_STEP}cm, y={Y_STEP}cm,",
        f"  {STYLES}]",
    ]
    x, y = layout.x - layout.x.min(), layout.y
    for i, node in enumerate(shape.nodes):
        at = f"({x[i]:.4g},{y[i]:.4g})"
        if node.kind == "terminal":
            payoffs = r"\\".join(_math(t) for t in shape.payoff_texts[i])
            lines.append(rf"\node[payoff] (n{i}) at {at} {{{payoffs}}};")
        else:
            side = _player_side(shape, layout, i)
            owner = latex_escape(node.player)
            lines.append(rf"\node[{node.kind}, label={side}:{{{owner}}}] (n{i}) at {at} {{}};")
    for k, branch in enumerate(shape.branches):
        label = _move_label(shape, k, branch)
        side = _side(layout, branch)
        lines.append(
            rf"\draw[{shape.style(branch)}] (n{branch.parent}) -- "
            rf"node[move, {side}] {{{label}}} (n{branch.child});"
        )
    for members in shape.infosets:
        for a, b, over in layout.links(members):
            bend = " to[bend left=25] " if over else " -- "
            lines.append(rf"\draw[infoset] (n{a}){bend}(n{b});")
    lines += [r"\end{tikzpicture}}"]
    return "\n".join(lines) + "\n"


def _math(number: str) -> str:
    return f"${number}$"


def _move_label(shape: TreeShape, k: int, branch: Branch) -> str:
    text = latex_escape(branch.label)
    if k in shape.probability_texts:
        text += rf"\ (${shape.probability_texts[k]}$)"
    return text


def _side(layout: Layout, branch: Branch) -> str:
    """Where a move's label goes: outside the fan of branches from its node."""
    dx = layout.x[branch.child] - layout.x[branch.parent]
    return "above left" if dx < 0 else "above right" if dx > 0 else "right"


def _player_side(shape: TreeShape, layout: Layout, i: int) -> str:
    """Where a node's player goes: above the root, else away from the branch into it."""
    parent = shape.parents[i]
    if parent is None:
        return "above"
    return "above left" if layout.x[i] <= layout.x[parent] else "above right"


def _wrap(text: str, width: int = 88) -> list[str]:
    return textwrap.wrap(text, width) or [""]
