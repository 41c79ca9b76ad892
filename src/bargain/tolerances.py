"""Numerical tolerances, one named constant per meaning.

Every comparison of floating-point results in bargain uses one of these, so
that "a tie", "a zero probability" or "a pure strategy" means the same thing
in a solver, a measure and a table.
"""

#: Payoffs of a player within ``PAYOFF_RTOL`` times that player's payoff range
#: (max minus min, in that game or at that point) of each other are tied: best
#: responses, indifference, backward-induction choices, the regret an equilibrium
#: may have. Relative to each player's own range, so that equilibria, which are
#: invariant to positive affine changes of each player's payoffs, are found the
#: same way whatever the units (von Stengel 2007, section 3.2).
PAYOFF_RTOL = 1e-9

#: Rounding allowance: a payoff of magnitude M is known to within ``ROUNDING * M``
#: (a few units in the last place of a float64), added to the tolerance above.
ROUNDING = 8 * 2.0**-52

#: Payoffs whose rounding allowance exceeds this share of their range are refused:
#: float64 cannot tell them apart (e.g. 1e12 plus a term of size 1).
RESOLUTION_LIMIT = 1e-6

#: A probability within this of 0 counts as 0 (and within this of 1 as 1): the
#: support of a mixed strategy, a pure strategy, a node that play reaches.
PROB_TOL = 1e-10

#: Declared probabilities (chance moves, recognition probabilities) may be this
#: far below 0 and their sum this far from 1.
PROB_SUM_ATOL = 1e-9

#: Expected payoffs of two equilibria within this share of the player's payoff
#: range of each other are equal when a selection rule compares them.
SELECTION_RTOL = 1e-9

#: A value matches a requested parameter value (a table slice) within these.
MATCH_RTOL, MATCH_ATOL = 1e-9, 1e-12

#: A logit QRE counts as solved when every player's probabilities are within this of
#: its logit response and sum to 1 within it (plus what float64 resolves at that lam):
#: a residual in probability space (McKelvey and Palfrey 1995).
QRE_TOL = 1e-10

#: The logit limit's support: the strategies a QRE on the principal branch plays with
#: at least this share of the player's most likely strategy.
LOGIT_SUPPORT_RTOL = 1e-4

#: Two equilibria polished at successive lam stops of the logit branch within this
#: (largest probability difference) are the same limit.
LOGIT_SAME_ATOL = 1e-8

#: An equilibrium is the logit limit (``select="logit"``) when its probabilities are
#: within this of the limit the principal branch converges to.
LOGIT_SELECT_ATOL = 1e-6
