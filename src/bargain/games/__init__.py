"""Game forms: normal form and game trees."""

from .normal import NormalFormGame
from .tree import GameTree

__all__ = ["GameTree", "NormalFormGame"]
