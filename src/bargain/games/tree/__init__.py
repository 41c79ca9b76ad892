"""Game trees: decision, chance and terminal nodes; subgame-perfect equilibria.

:mod:`.game` builds a tree, :mod:`.compiled` validates it and compiles its
formulas for the kernel (:mod:`bargain.solvers.backward`), :mod:`.solution`
holds the equilibria.
"""

from .game import GameTree
from .solution import SubgamePerfect, TreeBatchSolution, TreeSolution

__all__ = ["GameTree", "SubgamePerfect", "TreeBatchSolution", "TreeSolution"]
