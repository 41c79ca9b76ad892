"""Ties in the mediator's signaling game that matter: which PBE may form continua.

In cheap talk a signal is always indifferent between messages that move the
receiver alike; that is no tie. A tie is a signal indifferent between its
message and one that moves the receiver differently (the mediator at the edge
of its credibility), or the receiver indifferent between an action it plays on
the path and one it does not (at its threshold belief).
"""

from __future__ import annotations

import numpy as np

from bargain.tolerances import PROB_TOL

from ..signaling import SignalingBatch
from .outcomes import OUTCOME_ATOL


def tied_rows(signaling: SignalingBatch) -> np.ndarray:
    """(G_s,) whether a PBE of each row of the solved signaling game (one of its outcomes)
    has a tie that matters, within each player's tolerance."""
    found, game = signaling.pbe.found, signaling.game
    point, sender, receiver = found.point, found.sender, found.receiver
    u_s = np.moveaxis(game.u_sender[:, 0][..., point], -1, 0)  # (F, S, A)
    u_r = np.moveaxis(game.u_receiver[:, 0][..., point], -1, 0)
    tol_s, tol_r = game.atol[0, point, None, None], game.atol[1, point, None, None]
    value = u_s @ receiver.transpose(0, 2, 1)  # (F, S, M)
    induced = sender @ receiver
    moves = np.abs(receiver[:, None] - induced[:, :, None]).max(axis=3) > OUTCOME_ATOL
    close = value >= value.max(axis=2, keepdims=True) - tol_s
    mediator = ((sender <= PROB_TOL) & moves & close).any(axis=(1, 2))
    expected = found.beliefs @ u_r  # (F, M, A)
    best = expected >= expected.max(axis=2, keepdims=True) - tol_r
    idle = ((receiver <= PROB_TOL) & best).any(axis=2) & found.on_path
    tied = mediator | idle.any(axis=1)
    n_outcomes = len(signaling.pbe.first)
    by_outcome = np.bincount(found.outcome, weights=tied, minlength=n_outcomes) > 0
    return by_outcome[signaling.kept]  # the signaling rows are outcomes
