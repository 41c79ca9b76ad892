"""A signaling game at N points as arrays, and every PBE found there, grouped into outcomes.

:class:`GameArrays` holds the prior, the payoffs and the tolerances (in the
user's units, with the scales the kernels divide by); :class:`Equilibria`
holds the PBE the kernel found (:mod:`bargain.solvers.signaling`), the
outcomes they form and the verdicts of the Intuitive Criterion and D1
(:mod:`bargain.solvers.refinements`), computed on first use.
"""

from __future__ import annotations

from functools import cached_property
from typing import NamedTuple

import numpy as np

from bargain.solvers.arrays import by_point
from bargain.solvers.refinements import (
    Verdicts,
    belief_supports,
    by_outcome,
    d1_criterion,
    intuitive_criterion,
    joint_supports,
)
from bargain.solvers.signaling import SignalingArrays


class GameArrays(NamedTuple):
    """A signaling game at N points: prior (T, N), payoffs (T, M, A, N) each and each
    player's tolerance (2, N), in the user's units; ``scale`` (2, N) divides a player's
    payoffs of extreme magnitude for the kernels (1 elsewhere; see
    :func:`~bargain.solvers.arrays.scaled`)."""

    prior: np.ndarray
    u_sender: np.ndarray
    u_receiver: np.ndarray
    atol: np.ndarray
    scale: np.ndarray

    def kernel_units(self, part: slice) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Both players' payoffs and tolerances at the points ``part``, scaled for kernels."""
        scale = self.scale[:, part]
        return (
            self.u_sender[..., part] / scale[0],
            self.u_receiver[..., part] / scale[1],
            self.atol[:, part] / scale,
        )


class Equilibria:
    """Every PBE of a signaling game at N points, grouped into equilibrium outcomes.

    ``found`` holds the PBE, one strategy profile a row
    (:class:`~bargain.solvers.signaling.SignalingArrays`); rows of one point
    that play alike on the path form an outcome (``found.outcome``), ``first``
    (G,) is a row of each and ``members(g)`` all of them. ``verdicts`` (per
    row) and ``outcome_verdicts`` (per outcome) of the Intuitive Criterion and
    D1 are computed on first use, in chunks of ``chunk_size`` points, and
    shared by every view of the batch.
    """

    def __init__(self, found: SignalingArrays, game: GameArrays, chunk_size: int) -> None:
        self.found, self.game, self.chunk_size = found, game, chunk_size
        n_outcomes = int(found.outcome.max(initial=-1)) + 1
        self._order, starts = by_point(found.outcome, n_outcomes)
        self._starts = starts
        self.first = self._order[starts[:-1]]

    def members(self, g: int) -> np.ndarray:
        """The rows (PBE) of outcome g."""
        return self._order[self._starts[g] : self._starts[g + 1]]

    @cached_property
    def regret(self) -> np.ndarray:
        """(G,) the largest regret of any PBE of each outcome."""
        worst = self.found.regret.max(axis=1)[self._order]
        return np.maximum.reduceat(worst, self._starts[:-1]) if len(worst) else worst

    @cached_property
    def verdicts(self) -> dict[str, Verdicts]:
        """``{"intuitive": Verdicts, "d1": Verdicts}``, per row (PBE)."""
        found, size, game = self.found, self.chunk_size, self.game
        n, n_messages = game.prior.shape[1], game.u_sender.shape[1]
        shape = (len(found.point), n_messages)
        out = {
            k: Verdicts(np.zeros(shape, bool), np.full(shape, -1), np.zeros(shape, int))
            for k in ("intuitive", "d1")
        }
        order, starts = by_point(found.point // size, -(-n // size))
        for c, start in enumerate(range(0, n, size)):
            rows = order[starts[c] : starts[c + 1]]
            if not len(rows):
                continue
            u_s, u_r, atol = game.kernel_units(slice(start, start + size))
            point = found.point[rows] - start
            values = found.values[rows] / game.scale[0, found.point[rows], None]
            on_path = found.on_path[rows]
            supports = belief_supports(u_r, atol[1])
            verdicts = {
                "intuitive": intuitive_criterion(values, on_path, point, u_s, supports, atol[0]),
                "d1": d1_criterion(
                    values,
                    on_path,
                    found.receiver[rows].argmax(axis=2),
                    point,
                    u_s,
                    supports,
                    joint_supports(u_r, atol[1]),
                    atol[0],
                ),
            }
            for name, verdict in verdicts.items():
                for whole, piece in zip(out[name], verdict):
                    whole[rows] = piece
        return out

    @cached_property
    def outcome_verdicts(self) -> dict[str, Verdicts]:
        """The verdicts per outcome: a message breaks it if it breaks each of its PBE."""
        return {k: by_outcome(v, self.found.outcome, self.first) for k, v in self.verdicts.items()}
