"""Normal-form games: labelled strategies, payoffs as formulas, Nash equilibria."""

from .game import NormalFormGame
from .solution import BatchSolution, Equilibrium, Solution

__all__ = ["BatchSolution", "Equilibrium", "NormalFormGame", "Solution"]
