"""PBE outcomes of a mediation game: the mediator's signaling PBE grouped by what they do.

Messages mean nothing by themselves, so PBE come in copies that differ only in
which message is used for what, or in replies to messages nobody sends. The
rows of the solved signaling game (its PBE outcomes) at one point with the
same probability of each action given each signal that occurs are one outcome
of the mediation game (:func:`group_outcomes`). An outcome is informative
when that probability depends on the signal (:func:`informative`), fully so
when each signal leads to one action for sure (:func:`pure`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.solvers.arrays import by_point

#: Two PBE whose probabilities of each action given each signal differ by at most this
#: have one outcome; an outcome is informative when a signal moves one by more.
OUTCOME_ATOL = 1e-9


class Outcomes(NamedTuple):
    """The signaling PBE outcomes grouped by their mediation outcome: ``group`` (G_s,) the
    outcome of each signaling row, ``point`` (G,) the point of each outcome."""

    group: np.ndarray
    point: np.ndarray

    def any_row(self, flags: np.ndarray) -> np.ndarray:
        """(G,) whether some signaling row of each outcome has the flag (G_s,)."""
        return np.bincount(self.group, weights=flags, minlength=len(self.point)) > 0

    def representatives(self, failing: np.ndarray) -> np.ndarray:
        """(G,) each outcome's first signaling row, the first not ``failing`` (G_s,) if any."""
        group = self.group
        rows = np.arange(len(group))
        order = np.lexsort((rows, failing, group))
        starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
        return order[starts]

    def members(self) -> tuple[np.ndarray, np.ndarray]:
        """The signaling rows of each outcome: ``order[starts[g]:starts[g + 1]]``, in row order."""
        return by_point(self.group, len(self.point))


def group_outcomes(point: np.ndarray, induced: np.ndarray, occurs: np.ndarray) -> Outcomes:
    """Signaling rows with the same point and the same probabilities of each action
    given each signal that occurs (``induced`` (G_s, S, A) within :data:`OUTCOME_ATOL`;
    ``occurs`` (G_s, S)) form one outcome: what a signal of probability 0 would do
    changes no one's payoff. Outcomes are numbered in the order of their first row."""
    if not len(point):
        return Outcomes(np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp))
    steps = np.where(occurs[..., None], np.round(induced / OUTCOME_ATOL), -1.0)
    keys = np.concatenate([point[:, None], steps.reshape(len(point), -1)], axis=1)
    _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return Outcomes(rank[inverse.reshape(-1)], point[first[order]])


def informative(induced: np.ndarray, occurs: np.ndarray) -> np.ndarray:
    """(R,) whether the probabilities of the actions given each signal (R, S, A) differ
    between signals that occur (R, S) by more than :data:`OUTCOME_ATOL`."""
    high = np.where(occurs[..., None], induced, -np.inf).max(axis=1)
    low = np.where(occurs[..., None], induced, np.inf).min(axis=1)
    return ((high - low) > OUTCOME_ATOL).any(axis=1)


def pure(induced: np.ndarray, occurs: np.ndarray) -> np.ndarray:
    """(R,) whether each signal that occurs (R, S) leads to one action for sure (``induced``
    (R, S, A) within :data:`OUTCOME_ATOL` of 0 or 1)."""
    certain = np.abs(induced - np.round(induced)) <= OUTCOME_ATOL
    return (certain.all(axis=2) | ~occurs).all(axis=1)
