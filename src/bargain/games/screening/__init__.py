"""Screening: a take-it-or-leave-it offer to a privately informed responder (Fearon 1995).

A proposer offers a settlement ``x`` from a range; the responder, who alone
knows its reservation value ``v`` (what it gets by rejecting: war), accepts iff
the deal gives it at least ``v``. The proposer weighs a better deal against a
higher risk of war: the risk–return trade-off of Fearon (1995), "Rationalist
Explanations for War", International Organization 49(3). Every payoff is a
formula of the model's parameters:

- ``deal``: each side's payoff from a deal, formulas in the offer ``x``
  (default: the proposer keeps ``pie - x``, the responder gets ``x``);
- ``war``: the proposer's payoff from a rejection, a formula that may use ``v``
  (interdependent values, e.g. a private probability of winning). The
  responder's is ``v`` itself: its reservation value is its war payoff;
- ``reservation``: the law of ``v``: ``uniform`` on ``[low, high]``, finitely
  many ``types`` with ``probabilities``, or a ``cdf`` formula in ``v`` on a
  ``support``.

Each point has one equilibrium row, the proposer's optimal offer, or one per
tied offer. Deal payoffs affine in ``x`` with a uniform or finite law are
solved by the closed forms of :mod:`bargain.bargaining.screening`, in the
responder's payoff units; the others numerically (:mod:`bargain.solvers.screening`).

:mod:`.game` reads the game and solves batches, :mod:`.compiled` compiles its
formulas once and builds its closed form, :mod:`.points` evaluates them at a
batch of points with located checks, :mod:`.solution` holds the optimal offers.
"""

from .game import ScreeningGame
from .solution import ScreeningBatch, ScreeningOffer, ScreeningSolution

__all__ = ["ScreeningBatch", "ScreeningGame", "ScreeningOffer", "ScreeningSolution"]
