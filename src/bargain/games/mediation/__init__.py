"""Cheap talk through a mediator: which intermediary is believed? (Kydd 2003)

An informed party (Iran) has a privately known type (resolute or not) drawn
from a prior; a mediator (Oman) observes the type, or a noisy signal of it
with likelihoods ``P(signal | type)``, and sends a costless message to a
receiver (the United States), who then acts (a large or a modest demand).
Payoffs of all three are formulas of the type and the receiver's action; the
mediator's carry its bias. The informed party does not move: if it answers
the receiver (accept or fight) by a best response fixed by its type, that
answer is folded into the payoffs.

The game is solved by reduction to a signaling game
(:mod:`bargain.games.signaling`) whose sender is the mediator and whose
"types" are its signals: signal s has prior ``rho_s = sum_t pi_t P(s | t)``,
and the sender's and the receiver's payoffs after action a are their expected
payoffs given s, ``sum_t P(t | s) u(t, a)``, whatever the message (cheap
talk: Crawford and Sobel 1982; Farrell and Rabin 1996). Every perfect
Bayesian equilibrium of that game is one of the mediation game and
conversely, since the informed party makes no choice and the receiver's
belief over types after a message is ``sum_s P(s | message) P(t | s)``.

Messages mean nothing by themselves, so equilibria come in copies that
differ only in which message is used for what, or in replies to messages
nobody sends. They are grouped by their *outcome*, the probability of each
action given each signal; one row per outcome, with a representative PBE.
An outcome is *informative* when the receiver's action depends on the
mediator's signal, and *babbling* otherwise; babbling is always an
equilibrium, so tables count the outcomes (``n_pbe``), say whether an
informative one exists (``informative_exists``) and select only on request
(``keep="receiver-best"``). See docs/mediation.md.

:mod:`.game` reads the game and solves batches, :mod:`.model_file` reads its
model-file table, :mod:`.compiled` evaluates its formulas at N points with
located checks, :mod:`.reduction` turns it into the mediator's signaling game
and back, :mod:`.outcomes` groups that game's PBE into outcomes, :mod:`.ties`
finds the indifferences that matter, :mod:`.batch` holds the outcomes of N
points and :mod:`.solution` those of one point, as users see them;
:mod:`.labels` holds the names of the players, types, signals, messages and
actions.
"""

from .batch import KEEP, MediationBatch
from .game import MediationGame
from .labels import RESERVED, MediationLabels
from .outcomes import OUTCOME_ATOL, Outcomes, group_outcomes
from .reduction import MediationArrays, Reduced, reduce_to_signaling
from .solution import (
    BABBLING,
    INFORMATIVE,
    PARTIALLY_INFORMATIVE,
    REGIMES,
    MediationEquilibrium,
    MediationSolution,
)

__all__ = [
    "BABBLING",
    "INFORMATIVE",
    "KEEP",
    "OUTCOME_ATOL",
    "PARTIALLY_INFORMATIVE",
    "REGIMES",
    "RESERVED",
    "MediationArrays",
    "MediationBatch",
    "MediationEquilibrium",
    "MediationGame",
    "MediationLabels",
    "MediationSolution",
    "Outcomes",
    "Reduced",
    "group_outcomes",
    "reduce_to_signaling",
]
