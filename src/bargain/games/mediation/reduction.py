"""A mediation game as the signaling game of the mediator's signals, and back.

The mediator is the sender and its signals are the types: signal s has prior
``rho_s = sum_t pi_t P(s | t)``, and the mediator's and the receiver's payoffs
after action a are their expected payoffs given s, ``sum_t P(t | s) u(t, a)``,
whatever the message (:func:`reduce_to_signaling`). A strategy profile of that
game gives each player's expected payoff in the mediation game through the
likelihoods (:func:`expected_payoffs`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bargain.tolerances import PROB_TOL


class MediationArrays(NamedTuple):
    """A mediation game at N points: the prior (T, N), the likelihoods P(signal | type)
    (T, S, N) and the payoffs (3, T, A, N) of the informed party, the mediator and the
    receiver, in that order."""

    prior: np.ndarray
    likelihood: np.ndarray
    payoffs: np.ndarray


class Reduced(NamedTuple):
    """The signaling game of the mediator's signals: their prior (S, N), the posterior
    P(type | signal) (S, T, N) and the mediator's and receiver's expected payoffs given
    each signal (S, M, A, N), equal for every message."""

    signal_prior: np.ndarray
    posterior: np.ndarray
    u_sender: np.ndarray
    u_receiver: np.ndarray

    def occurs(self, point: np.ndarray) -> np.ndarray:
        """(R, S) whether each signal has positive probability at the point of each row."""
        return self.signal_prior[:, point].T > PROB_TOL


def reduce_to_signaling(game: MediationArrays, n_messages: int) -> Reduced:
    """The mediator's signaling game: signals as types, expected payoffs given each.

    ``rho_s = sum_t pi_t L[t, s]`` and ``P(t | s) = pi_t L[t, s] / rho_s``. For a
    signal of probability 0 Bayes' rule is silent; ``P(t | s)`` is then the posterior
    of a uniform prior, proportional to ``L[t, s]`` (with exact observation, the
    signal's own type, as at any positive prior), or uniform if no type sends it.
    """
    prior, likelihood, payoffs = game
    joint = prior[:, None] * likelihood  # (T, S, N)
    rho = joint.sum(axis=0)
    weight = likelihood.sum(axis=0)
    n_types = prior.shape[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        fallback = np.where(weight > 0, likelihood / weight, 1.0 / n_types)
        posterior = np.where(rho > 0, joint / rho, fallback)
    posterior = posterior.transpose(1, 0, 2)  # (S, T, N)
    # Mediator and receiver, as the first type's payoff plus the posterior mean of the
    # differences: a payoff the type does not change stays exact (no rounding noise).
    base = payoffs[1:, :1]
    expected = base + np.einsum("stn,ptan->psan", posterior, payoffs[1:] - base)
    shape = (expected.shape[1], n_messages, *expected.shape[2:])
    u_sender, u_receiver = (
        np.ascontiguousarray(np.broadcast_to(u[:, None], shape)) for u in expected
    )
    return Reduced(rho, posterior, u_sender, u_receiver)


def expected_payoffs(
    game: MediationArrays, point: np.ndarray, sender: np.ndarray, receiver: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """R strategy profiles of the mediator's signaling game (``sender`` (R, S, M),
    ``receiver`` (R, M, A), at the points ``point`` (R,)) in the mediation game: each
    player's expected payoff (R, 3), the informed party's per type (R, T) and
    ``P(action | type) = sum_s L[t, s] P(action | s)`` (R, T, A)."""
    induced = sender @ receiver  # (R, S, A)
    given_type = np.moveaxis(game.likelihood[..., point], -1, 0) @ induced
    u = np.moveaxis(game.payoffs[..., point], -1, 0)  # (R, 3, T, A)
    by_type = (given_type[:, None] * u).sum(axis=3)  # (R, 3, T)
    payoffs = (by_type @ game.prior[:, point].T[..., None])[..., 0]
    return payoffs, by_type[:, 0], given_type
