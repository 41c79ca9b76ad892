"""Game forms: normal form, game trees and bargaining protocols."""

from .normal import NormalFormGame
from .protocol import BargainingGame
from .tree import GameTree

__all__ = ["BargainingGame", "GameTree", "NormalFormGame"]
