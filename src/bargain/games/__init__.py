"""Game forms: normal form (and, later, game trees and bargaining protocols)."""

from .normal import NormalFormGame

__all__ = ["NormalFormGame"]
