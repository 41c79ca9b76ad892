"""Batched equilibrium solvers over payoff tensors of shape (P, s_1, ..., s_P, N).

Each method maps a payoff tensor to :class:`~bargain.solvers.arrays.EquilibriumArrays`.
"""

from __future__ import annotations

from collections.abc import Callable

from .arrays import EquilibriumArrays
from .exact import exact_enumeration
from .gambit_methods import enumpoly, gnm, ipa, liap, simpdiv
from .nashpy_methods import nashpy_vertex_enumeration
from .pivoting import lemke_howson, lemke_howson_paths
from .pure import pure_equilibria
from .support import support_enumeration
from .vertex import vertex_enumeration

#: The normal-form methods by name, and whether each needs exactly two players.
METHODS: dict[str, tuple[Callable[..., EquilibriumArrays], bool]] = {
    "pure": (pure_equilibria, False),
    "support": (support_enumeration, True),
    "vertex": (vertex_enumeration, True),
    "nashpy": (nashpy_vertex_enumeration, True),
    "lemke-howson": (lemke_howson, True),
    "exact": (exact_enumeration, True),
    # Gambit's methods, any number of players (the ``gambit`` extra; see gambit_methods)
    "enumpoly": (enumpoly, False),
    "gnm": (gnm, False),
    "ipa": (ipa, False),
    "simpdiv": (simpdiv, False),
    "liap": (liap, False),
}
#: The two-player methods that find every equilibrium of a nondegenerate game (the others
#: find pure ones, or one per starting label): their points' components can be counted.
#: Gambit's enumpoly is not among them: its polynomial solver can miss equilibria.
COMPLETE = frozenset({"support", "vertex", "exact", "nashpy"})
#: The method that always finds an equilibrium of a two-player game: where another
#: finds none (a degenerate game), it solves the point.
FALLBACK = "lemke-howson"

__all__ = [
    "COMPLETE",
    "FALLBACK",
    "METHODS",
    "EquilibriumArrays",
    "enumpoly",
    "exact_enumeration",
    "gnm",
    "ipa",
    "lemke_howson",
    "lemke_howson_paths",
    "liap",
    "nashpy_vertex_enumeration",
    "pure_equilibria",
    "simpdiv",
    "support_enumeration",
    "vertex_enumeration",
]
