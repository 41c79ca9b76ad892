"""The options of the logit QRE, checked once for every game form.

``lam`` is the logit precision (McKelvey and Palfrey 1995): a player chooses
strategy j with probability proportional to exp(lam * u_j), so lam = 0 is
uniform play and lam -> infinity approaches a Nash equilibrium. It is one
number for every player or a mapping player -> number. ``max_steps`` and
``seconds`` are the path-following budget (steps per path, seconds per call).

Every checker takes the value and ``where`` (the option's name, for messages)
and raises :class:`~bargain.errors.ModelError` naming both on bad input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from bargain.checks import describe
from bargain.errors import ModelError, did_you_mean

__all__ = ["lam_option", "lam_per_player", "lam_value", "max_steps_option", "seconds_option"]


def _is_bool(value: Any) -> bool:
    return isinstance(value, bool | np.bool_)


def lam_value(value: Any, where: str) -> float:
    """One precision: a finite number lam >= 0 (not a boolean)."""
    if _is_bool(value) or not isinstance(value, Real):
        raise ModelError(f"{where}: expected a number lam >= 0, got {describe(value)}")
    if not math.isfinite(value) or value < 0:
        raise ModelError(
            f"{where}: expected a finite number lam >= 0 (lam = 0 is uniform play), got {value}"
        )
    return float(value)


def lam_option(value: Any, where: str) -> float | dict[str, float]:
    """The ``lam`` option: a number >= 0, or a non-empty mapping player -> number >= 0.

    Players are not known here; :func:`lam_per_player` checks the names.
    """
    if isinstance(value, Mapping):
        if not value:
            raise ModelError(
                f"{where}: expected a number lam >= 0 or a mapping with one number per "
                "player, got an empty mapping"
            )
        return {str(k): lam_value(v, f"{where}[{str(k)!r}]") for k, v in value.items()}
    return lam_value(value, where)


def max_steps_option(value: Any, where: str) -> int:
    """The ``max_steps`` option: a positive integer (any ``numbers.Integral`` but a boolean)."""
    if _is_bool(value) or not isinstance(value, Integral) or value < 1:
        raise ModelError(f"{where}: expected a positive integer, got {describe(value)}")
    return int(value)


def seconds_option(value: Any, where: str) -> float:
    """The ``seconds`` option: a positive finite number of seconds."""
    if _is_bool(value) or not isinstance(value, Real) or not 0 < value < math.inf:
        raise ModelError(
            f"{where}: expected a positive finite number of seconds, got {describe(value)}"
        )
    return float(value)


def lam_per_player(
    lam: float | Mapping[str, float], players: Sequence[str], where: str = "lam"
) -> np.ndarray:
    """lam (P,) in player order from one number, or from a mapping with exactly one
    entry per player (unknown names get a did-you-mean, missing ones are listed)."""
    if not isinstance(lam, Mapping):
        return np.full(len(players), lam_value(lam, where))
    if not lam:
        raise ModelError(
            f"{where}: expected a number lam >= 0 or a mapping with one number per player "
            f"({', '.join(players)}), got an empty mapping"
        )
    for name in lam:
        if name not in players:
            raise ModelError(
                f"{where}: unknown player {name!r}{did_you_mean(str(name), players)}; "
                f"players: {', '.join(players)}"
            )
    missing = [p for p in players if p not in lam]
    if missing:
        raise ModelError(
            f"{where}: expected a value for every player; missing {', '.join(missing)}"
        )
    return np.array([lam_value(lam[p], f"{where}[{p!r}]") for p in players])
