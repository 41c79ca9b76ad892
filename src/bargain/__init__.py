"""bargain: parameterized games of diplomatic negotiation, batched equilibrium solvers
and sensitivity sweeps.

The public names are re-exported here::

    import bargain
    game = bargain.NormalFormGame(players, strategies, payoffs, params=[bargain.Param(...)])
    game.solve(relief=0.4)
"""

from . import bargaining, formula
from .errors import (
    BargainError,
    BargainWarning,
    DegenerateGameWarning,
    FormulaError,
    ModelError,
    ParamError,
    TieError,
)
from .games import BargainingGame, GameTree, NormalFormGame
from .io import list_models, load_model
from .model import Model
from .params import Param, ParamSpace
from .result import SweepResult
from .solution import BatchSolution, Equilibrium, Solution
from .spaces import (
    grid,
    latin_hypercube,
    linspace,
    logspace,
    morris,
    one_at_a_time,
    sensitivity,
    sobol,
)
from .sweep import compare_scenarios, sweep
from .thresholds import Threshold, regimes, threshold, threshold_table
from .tree_solution import SubgamePerfect, TreeBatchSolution, TreeSolution
from .version import __version__

__all__ = [
    "BargainError",
    "BargainWarning",
    "BargainingGame",
    "BatchSolution",
    "DegenerateGameWarning",
    "Equilibrium",
    "FormulaError",
    "GameTree",
    "Model",
    "ModelError",
    "NormalFormGame",
    "Param",
    "ParamError",
    "ParamSpace",
    "Solution",
    "SubgamePerfect",
    "SweepResult",
    "Threshold",
    "TieError",
    "TreeBatchSolution",
    "TreeSolution",
    "__version__",
    "bargaining",
    "compare_scenarios",
    "formula",
    "grid",
    "latin_hypercube",
    "linspace",
    "list_models",
    "load_model",
    "logspace",
    "morris",
    "one_at_a_time",
    "regimes",
    "sensitivity",
    "sobol",
    "sweep",
    "threshold",
    "threshold_table",
]
