"""Game forms: normal form, game trees, bargaining protocols, Bayesian games, ... behind
one protocol.

Each form is a :class:`GameForm` (:mod:`.form`) registered under its
model-file name; its batched solve returns an :class:`EquilibriumBatch`
(:mod:`.solution`); a form with a game tree gives it at a point, with an
equilibrium's choices, as an :class:`ExtensiveForm` (:mod:`.extensive`).
Nothing outside this package asks which form a game is.
"""

from .bargaining import BargainingBatch, BargainingGame, BargainingSolution
from .bayesian import BayesianBatch, BayesianEquilibrium, BayesianGame, BayesianSolution
from .extensive import NATURE, Branch, ExtensiveForm, Node
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
    "NATURE",
    "BargainingBatch",
    "BargainingGame",
    "BargainingSolution",
    "BatchSolution",
    "BayesianBatch",
    "BayesianEquilibrium",
    "BayesianGame",
    "BayesianSolution",
    "BeliefSet",
    "Branch",
    "Equilibrium",
    "EquilibriumBatch",
    "EquilibriumSet",
    "ExtensiveForm",
    "GameForm",
    "GameTree",
    "MediationBatch",
    "MediationEquilibrium",
    "MediationGame",
    "MediationSolution",
    "Node",
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
