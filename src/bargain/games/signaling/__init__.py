"""Signaling games: perfect Bayesian equilibria, their supporting beliefs and refinements.

A sender of privately known type (a prior over types, as formulas) sends a
message (a humanitarian gesture, a prisoner release, nothing); the receiver,
who sees the message but not the type, takes an action. Payoffs are formulas
per (type, message, action) for both. :class:`SignalingGame` enumerates, at
each parameter point, every pure perfect Bayesian equilibrium (PBE) and, for
two types, the semi-separating ones (:mod:`bargain.solvers.signaling`); each
comes with the beliefs after every message (Bayes' rule on the path, the
whole supporting set off it, :class:`BeliefSet`) and the verdicts of the
Intuitive Criterion (Cho and Kreps 1987) and D1 (Banks and Sobel 1987; Cho
and Kreps 1987), which the ``refine`` option applies
(:mod:`bargain.solvers.refinements`). PBE that differ only in the receiver's
replies off the path form one equilibrium outcome, a row of the result. See
docs/signaling.md.

:mod:`.game` reads the game and evaluates its formulas, :mod:`.solve` solves
it given as arrays (:func:`solve_arrays`, also for forms that reduce to a
signaling game), :mod:`.equilibria` holds every PBE found and the
refinements' verdicts, :mod:`.solution` the outcomes as users see them,
:mod:`.beliefs` the belief sets off the path, :mod:`.reasons` why an
outcome survives a refinement or fails it, and :mod:`.labels` the names of
the players, types, messages and actions.
"""

from .beliefs import BeliefSet
from .equilibria import Equilibria, GameArrays
from .game import MIXED, RESERVED, SignalingGame
from .labels import Labels
from .solution import (
    KINDS,
    REFINEMENTS,
    SignalingBatch,
    SignalingEquilibrium,
    SignalingSolution,
    mixture_text,
)
from .solve import CHUNK_PROFILES, solve_arrays

__all__ = [
    "CHUNK_PROFILES",
    "KINDS",
    "MIXED",
    "REFINEMENTS",
    "RESERVED",
    "BeliefSet",
    "Equilibria",
    "GameArrays",
    "Labels",
    "SignalingBatch",
    "SignalingEquilibrium",
    "SignalingGame",
    "SignalingSolution",
    "mixture_text",
    "solve_arrays",
]
