"""Numerical tolerances, one named constant per meaning.

Every comparison of floating-point results in bargain uses one of these, so
that "a tie", "a zero probability" or "a pure strategy" means the same thing
in a solver, a measure and a table.
"""

#: Payoffs within ``PAYOFF_RTOL * max(1, max |payoff|)`` of each other are tied
#: (best responses, indifference, backward-induction choices).
PAYOFF_RTOL = 1e-9

#: A probability within this of 0 counts as 0 (and within this of 1 as 1): the
#: support of a mixed strategy, a pure strategy, a node that play reaches.
PROB_TOL = 1e-10

#: Declared probabilities (chance moves, recognition probabilities) may be this
#: far below 0 and their sum this far from 1.
PROB_SUM_ATOL = 1e-9

#: Expected payoffs of two equilibria within this of each other are equal when
#: a selection rule compares them.
SELECTION_ATOL = 1e-9

#: A value matches a requested parameter value (a table slice) within these.
MATCH_RTOL, MATCH_ATOL = 1e-9, 1e-12
