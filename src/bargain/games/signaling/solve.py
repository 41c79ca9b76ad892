"""Solving a signaling game given as arrays at N points, in chunks of points.

:func:`solve_arrays` takes the prior and both players' payoffs (numbers, not
formulas), so that other forms whose games reduce to a signaling game at each
point (a tree of the sender-receiver shape, a mediator's signals) solve them
as :class:`~.game.SignalingGame` does.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from bargain.errors import ModelError
from bargain.params import point_text
from bargain.solvers.arrays import Tolerance, scaled
from bargain.solvers.signaling import MAX_PROFILES, signaling_equilibria, stack

from ..resolution import unresolved_error
from .equilibria import Equilibria, GameArrays
from .labels import Labels
from .solution import SignalingBatch

#: Pairs of pure strategies examined per chunk of points (bounds the kernel's memory).
CHUNK_PROFILES = 1 << 21


def solve_arrays(
    labels: Labels,
    points: dict[str, np.ndarray],
    prior: np.ndarray,
    u_sender: np.ndarray,
    u_receiver: np.ndarray,
    *,
    refine: str = "none",
    mixed: bool = True,
    chunk_size: int | None = None,
) -> SignalingBatch:
    """The PBE of a signaling game given as arrays at N points.

    ``prior`` (T, N), ``u_sender`` and ``u_receiver`` (T, M, A, N) are finite
    and the prior a distribution at every point (see
    :meth:`~.game.SignalingGame.payoff_arrays`); ``points`` the parameter values
    (name -> (N,)). Payoffs of extreme magnitude are rescaled for the kernels
    (:func:`~bargain.solvers.arrays.scaled`); every result is in the user's
    units. Solved in chunks of ``chunk_size`` points (bounded memory); the
    refinements' verdicts are computed when first needed (``refine`` needs them).
    """
    n_types, n_messages, n_actions, n = u_sender.shape
    profiles = n_messages**n_types * n_actions**n_messages
    size = chunk_size or max(1, min(1 << 16, CHUNK_PROFILES // min(profiles, MAX_PROFILES)))
    chunks, atols, scales = [], [], []
    for start in range(0, n, size):
        part = slice(start, start + size)
        ready = scaled(np.stack([u_sender[..., part], u_receiver[..., part]]))
        tol = ready.tolerance
        if tol.unresolved.any():
            players = (labels.sender, labels.receiver)
            raise _unresolved(
                u_sender[..., part], u_receiver[..., part], tol, players, points, start
            )
        found, _ = signaling_equilibria(prior[:, part], *ready.payoffs, tol.atol, mixed=mixed)
        if (tol.scale != 1).any():
            scale = tol.scale[:, found.point].T  # (R, 2)
            found = found._replace(
                values=found.values * scale[:, :1],
                payoffs=found.payoffs * scale,
                regret=found.regret * scale,
            )
        chunks.append(found)
        atols.append(tol.atol * tol.scale)
        scales.append(tol.scale)
    sizes = [min(size, n - start) for start in range(0, n, size)]
    game = GameArrays(
        prior, u_sender, u_receiver, np.concatenate(atols, axis=1), np.concatenate(scales, axis=1)
    )
    method = "pure PBE" + (" and semi-separating PBE" if mixed and n_types == 2 else "")
    pbe = Equilibria(stack(chunks, sizes), game, size)
    return SignalingBatch(labels, points, pbe, refine, method)


def _unresolved(
    u_sender: np.ndarray,
    u_receiver: np.ndarray,
    tol: Tolerance,
    players: tuple[str, str],
    points: Mapping[str, np.ndarray],
    start: int,
) -> ModelError:
    """The error for payoffs whose range float64 cannot resolve, at the first such point
    of the chunk starting at ``start``."""
    t = int(np.flatnonzero(tol.unresolved)[0])
    values = np.stack([u_sender[..., t].ravel(), u_receiver[..., t].ravel()], axis=1)
    at = point_text({k: v[start:] for k, v in points.items()}, t)
    return unresolved_error(values, players, at, int(tol.unresolved.sum()))
