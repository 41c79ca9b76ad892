"""Payoffs float64 cannot tell apart: the error every form raises for them.

A player's payoffs at a point whose range is below float64's resolution at
their magnitude (:data:`~bargain.tolerances.RESOLUTION_LIMIT`, e.g. 1e12 plus
terms of size 1) cannot be compared reliably; the forms refuse the point
(flagged by :func:`bargain.solvers.arrays.tolerance`) with this message.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from bargain.errors import ModelError
from bargain.params import point_text
from bargain.solvers.arrays import Scaled


def unresolved_error(values: np.ndarray, players: Sequence[str], at: str, count: int) -> ModelError:
    """The message for a point whose payoffs ``values`` (K, P), in the user's units,
    float64 cannot resolve; ``at`` describes the point, ``count`` how many are so."""
    span, magnitude = np.ptp(values, axis=0), np.abs(values).max(axis=0)
    ratio = np.divide(span, magnitude, out=np.full(span.shape, np.inf), where=span > 0)
    p = int(np.argmin(ratio))
    low, high = values[:, p].min(), values[:, p].max()
    return ModelError(
        f"payoffs of {players[p]!r} at {at} lie between {low:.10g} and {high:.10g}: "
        f"float64 cannot resolve a range of {high - low:.3g} at magnitude "
        f"{max(abs(low), abs(high)):.3g}; subtract a constant from them "
        f"(equilibria do not change) or rescale ({count} such points)"
    )


def unresolved_tensor_error(
    ready: Scaled, players: Sequence[str], points: Mapping[str, np.ndarray]
) -> ModelError:
    """:func:`unresolved_error` for the first unresolved point of scaled payoff tensors
    (players first, points last), back in the user's units."""
    tol = ready.tolerance
    t = int(np.flatnonzero(tol.unresolved)[0])
    values = ready.payoffs[..., t].reshape(len(players), -1) * tol.scale[:, t, None]
    count = int(tol.unresolved.sum())
    return unresolved_error(values.T, players, point_text(points, t), count)
