"""The exceptions and warnings users can catch.

User mistakes are :class:`ValueError` subclasses whose message names the object
or file, the key and what was expected; numerical conditions the user should
know about are warnings plus a flag on the result.
"""

from __future__ import annotations

import difflib
import os
import sys
import warnings
from collections.abc import Iterable


class BargainError(ValueError):
    """Base class of every user-input error raised by bargain."""


class ParamError(BargainError):
    """A parameter declaration or a parameter value is invalid."""


class FormulaError(BargainError):
    """A formula string is not valid in bargain's safe formula language."""


class ModelError(BargainError):
    """A game or model definition is inconsistent."""


class BudgetError(BargainError):
    """A computation would exceed its budget (iterations, rows, size); the message names
    the budget and what to do instead."""


class TieError(BargainError):
    """A player is indifferent between moves and ``tie_break="raise"`` was asked for."""


class BargainWarning(UserWarning):
    """Base class of bargain's warnings."""


class DegenerateGameWarning(BargainWarning):
    """A game is degenerate: ties between best responses or equilibrium components.

    The equilibria reported are verified, but a degenerate game may have
    equilibria outside the reported set (for example a continuum); the result
    is flagged ``degenerate`` so a sweep can count such points.
    """


class NoEquilibriumWarning(BargainWarning):
    """Some points have no equilibrium of the kind the method finds (no pure equilibrium
    of a game of three or more players, say); they keep their row, with
    ``n_equilibria`` 0 and missing measures."""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """Return ``" (did you mean 'x'?)"`` for the closest known name, or ``""``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def warn(message: str, category: type[Warning] = BargainWarning) -> None:
    """Issue a warning attributed to the first caller outside the bargain package.

    However deep inside bargain the condition is found, the warning names the
    user's line (a script's call to ``solve`` or ``sweep``), not bargain's.
    """
    package = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame, level = sys._getframe(1), 2  # stacklevel 2 is warn's caller, frame 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level)
