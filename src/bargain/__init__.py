"""bargain: parameterized games of diplomatic negotiation, batched equilibrium solvers
and sensitivity sweeps.

The public names are re-exported here::

    import bargain
    game = bargain.NormalFormGame(players, strategies, payoffs, params=[bargain.Param(...)])
    game.solve(relief=0.4)

Each name is imported from its module when first used, so ``import bargain``
(and the ``bargain`` command) starts without loading sympy, pandas or the
solvers.
"""

from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from .errors import (
    BargainError,
    BargainWarning,
    BudgetError,
    DegenerateGameWarning,
    FormulaError,
    ModelError,
    NoEquilibriumWarning,
    ParamError,
    TieError,
)

#: Where each public name lives, imported on first use.
_HOMES = {
    "BargainingGame": "bargain.games",
    "BatchSolution": "bargain.games",
    "BayesianGame": "bargain.games",
    "ScreeningGame": "bargain.games",
    "MediationGame": "bargain.games",
    "SignalingGame": "bargain.games",
    "Equilibrium": "bargain.games",
    "GameForm": "bargain.games",
    "GameTree": "bargain.games",
    "NormalFormGame": "bargain.games",
    "Solution": "bargain.games",
    "SubgamePerfect": "bargain.games",
    "TreeBatchSolution": "bargain.games",
    "TreeSolution": "bargain.games",
    "register_form": "bargain.games",
    "list_models": "bargain.io",
    "load_model": "bargain.io",
    "Model": "bargain.model",
    "Param": "bargain.params",
    "ParamSpace": "bargain.params",
    "grid": "bargain.spaces",
    "latin_hypercube": "bargain.spaces",
    "linspace": "bargain.spaces",
    "logspace": "bargain.spaces",
    "morris": "bargain.spaces",
    "one_at_a_time": "bargain.spaces",
    "read_game": "bargain.games.gambit_files",
    "sensitivity": "bargain.spaces",
    "sobol": "bargain.spaces",
    "SweepResult": "bargain.sweeps",
    "compare_scenarios": "bargain.sweeps",
    "sweep": "bargain.sweeps",
    "regimes": "bargain.tables",
    "Threshold": "bargain.thresholds",
    "threshold": "bargain.thresholds",
    "threshold_table": "bargain.thresholds",
    "__version__": "bargain.version",
}
#: Subpackages that are public names themselves.
_SUBPACKAGES = ("bargaining", "formula")

__all__ = [
    "BargainError",
    "BargainWarning",
    "BargainingGame",
    "BatchSolution",
    "BayesianGame",
    "BudgetError",
    "DegenerateGameWarning",
    "Equilibrium",
    "FormulaError",
    "GameForm",
    "GameTree",
    "MediationGame",
    "Model",
    "ModelError",
    "NoEquilibriumWarning",
    "NormalFormGame",
    "Param",
    "ParamError",
    "ParamSpace",
    "ScreeningGame",
    "SignalingGame",
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
    "read_game",
    "regimes",
    "register_form",
    "sensitivity",
    "sobol",
    "sweep",
    "threshold",
    "threshold_table",
]


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        value = getattr(import_module(_HOMES[name]), name)
    elif not name.startswith("_") and find_spec(f"bargain.{name}") is not None:
        value = import_module(f"bargain.{name}")  # a subpackage or module, e.g. bargain.games
    else:
        raise AttributeError(f"module 'bargain' has no attribute {name!r}")
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:  # what static tools see: the same names, imported directly
    from . import bargaining, formula
    from .games import (
        BargainingGame,
        BatchSolution,
        BayesianGame,
        Equilibrium,
        GameForm,
        GameTree,
        MediationGame,
        NormalFormGame,
        ScreeningGame,
        SignalingGame,
        Solution,
        SubgamePerfect,
        TreeBatchSolution,
        TreeSolution,
        register_form,
    )
    from .games.gambit_files import read_game
    from .io import list_models, load_model
    from .model import Model
    from .params import Param, ParamSpace
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
    from .sweeps import SweepResult, compare_scenarios, sweep
    from .tables import regimes
    from .thresholds import Threshold, threshold, threshold_table
    from .version import __version__
