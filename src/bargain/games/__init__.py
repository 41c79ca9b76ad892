"""Game forms: normal form, game trees, bargaining protocols, Bayesian games, ... behind
one protocol.

Each form is a :class:`GameForm` (:mod:`.form`) registered under its
model-file name; its batched solve returns an :class:`EquilibriumBatch`
(:mod:`.solution`). Nothing outside this package asks which form a game is.
"""

from .bargaining import BargainingBatch, BargainingGame, BargainingSolution
from .bayesian import BayesianBatch, BayesianEquilibrium, BayesianGame, BayesianSolution
from .form import GameForm, Option, form_class, form_names, register_form
from .mediation import MediationBatch, MediationEquilibrium, MediationGame, MediationSolution
from .normal import BatchSolution, Equilibrium, NormalFormGame, Solution
from .screening import ScreeningBatch, ScreeningGame, ScreeningOffer, ScreeningSolution
from .signaling import (
    BeliefSet,
    SignalingBatch,
    SignalingEquilibrium,
    SignalingGame,
    SignalingSolution,
)
from .solution import EquilibriumBatch, EquilibriumSet
from .spec import SpecReader
from .tree import GameTree, SubgamePerfect, TreeBatchSolution, TreeSolution

__all__ = [
    "BargainingBatch",
    "BargainingGame",
    "BargainingSolution",
    "BatchSolution",
    "BayesianBatch",
    "BayesianEquilibrium",
    "BayesianGame",
    "BayesianSolution",
    "BeliefSet",
    "Equilibrium",
    "EquilibriumBatch",
    "EquilibriumSet",
    "GameForm",
    "GameTree",
    "MediationBatch",
    "MediationEquilibrium",
    "MediationGame",
    "MediationSolution",
    "NormalFormGame",
    "Option",
    "ScreeningBatch",
    "ScreeningGame",
    "ScreeningOffer",
    "ScreeningSolution",
    "SignalingBatch",
    "SignalingEquilibrium",
    "SignalingGame",
    "SignalingSolution",
    "Solution",
    "SpecReader",
    "SubgamePerfect",
    "TreeBatchSolution",
    "TreeSolution",
    "form_class",
    "form_names",
    "register_form",
]
