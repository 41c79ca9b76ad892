"""bargain: parameterized games of diplomatic negotiation, batched equilibrium solvers
and sensitivity sweeps.

The public names are re-exported here::

    import bargain
    game = bargain.NormalFormGame(players, strategies, payoffs, params=[bargain.Param(...)])
    game.solve(relief=0.4)
"""

from importlib.metadata import PackageNotFoundError, version

from . import formula
from .errors import (
    BargainError,
    BargainWarning,
    DegenerateGameWarning,
    FormulaError,
    ModelError,
    ParamError,
    TieError,
)
from .games import GameTree, NormalFormGame
from .params import Param, ParamSpace
from .solution import BatchSolution, Equilibrium, Solution
from .tree_solution import SubgamePerfect, TreeBatchSolution, TreeSolution

try:
    __version__ = version("bargain-games")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0+unknown"

__all__ = [
    "BargainError",
    "BargainWarning",
    "BatchSolution",
    "DegenerateGameWarning",
    "Equilibrium",
    "FormulaError",
    "GameTree",
    "ModelError",
    "NormalFormGame",
    "Param",
    "ParamError",
    "ParamSpace",
    "Solution",
    "SubgamePerfect",
    "TieError",
    "TreeBatchSolution",
    "TreeSolution",
    "__version__",
    "formula",
]
