"""Game-tree figures: a game tree or signaling model drawn at one point, an equilibrium
highlighted, as TikZ for a paper and as SVG, PNG or PDF (see docs/drawing.md):
``draw(load_model("interim-deal")).write("figures")``. The tree comes from the game
(:meth:`bargain.games.GameForm.extensive_form`); this package only draws it.
"""

from .drawn import FORMATS, TreeDrawing, draw
from .layout import Layout, tidy
from .shape import TreeShape

__all__ = [
    "FORMATS",
    "Layout",
    "TreeDrawing",
    "TreeShape",
    "draw",
    "tidy",
]
