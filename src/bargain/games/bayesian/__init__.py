"""Bayesian games: players with private types, a common prior, payoffs by type profile
(:mod:`.game`); their equilibria as behaviour per type (:mod:`.solution`)."""

from .game import BayesianGame
from .solution import BayesianBatch, BayesianEquilibrium, BayesianSolution

__all__ = ["BayesianBatch", "BayesianEquilibrium", "BayesianGame", "BayesianSolution"]
