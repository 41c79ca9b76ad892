"""Infinitely repeated two-player games: named strategy profiles checked for subgame
perfection, their critical discount factors, and the stage game's payoff set."""

from .game import RepeatedGame
from .payoffs import PayoffSet, payoff_set
from .profiles import PROFILES
from .solution import ProfileCheck, RepeatedBatch, RepeatedSolution

__all__ = [
    "PROFILES",
    "PayoffSet",
    "ProfileCheck",
    "RepeatedBatch",
    "RepeatedGame",
    "RepeatedSolution",
    "payoff_set",
]
