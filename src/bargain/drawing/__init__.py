"""Game-tree figures: a tree or signaling model drawn at one point, an equilibrium
highlighted, as TikZ for a paper and as SVG, PNG or PDF (see docs/drawing.md):
``draw(load_model("interim-deal")).write("figures")``.
"""

from .drawn import DRAWABLE, FORMATS, TreeDrawing, draw
from .layout import Layout, tidy
from .shape import Branch, Node, TreeShape

__all__ = [
    "DRAWABLE",
    "FORMATS",
    "Branch",
    "Layout",
    "Node",
    "TreeDrawing",
    "TreeShape",
    "draw",
    "tidy",
]
