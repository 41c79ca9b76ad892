"""Cheap talk through a mediator: which intermediary is believed? (Kydd 2003)

An informed party (Iran) has a privately known type (resolute or not) drawn
from a prior; a mediator (Oman) observes the type, or a noisy signal of it
with likelihoods ``P(signal | type)``, and sends a costless message to a
receiver (the United States), who then acts (a large or a modest demand).
Payoffs of all three are formulas of the type and the receiver's action; the
mediator's carry its bias. The informed party does not move: if it answers
the receiver (accept or fight) by a best response fixed by its type, that
answer is folded into the payoffs.

The game is solved by reduction to a signaling game (:mod:`.signaling`)
whose sender is the mediator and whose "types" are its signals: signal s has
prior ``rho_s = sum_t pi_t P(s | t)``, and the sender's and the receiver's
payoffs after action a are their expected payoffs given s,
``sum_t P(t | s) u(t, a)``, whatever the message (cheap talk: Crawford and
Sobel 1982; Farrell and Rabin 1996). Every perfect Bayesian equilibrium of
that game is one of the mediation game and conversely, since the informed
party makes no choice and the receiver's belief over types after a message is
``sum_s P(s | message) P(t | s)``.

Messages mean nothing by themselves, so equilibria come in copies that
differ only in which message is used for what, or in replies to messages
nobody sends. They are grouped by their *outcome*, the probability of each
action given each signal; one row per outcome, with a representative PBE.
An outcome is *informative* when the receiver's action depends on the
mediator's signal, and *babbling* otherwise; babbling is always an
equilibrium, so tables count the outcomes (``n_pbe``), say whether an
informative one exists (``informative_exists``) and select only on request
(``keep="receiver-best"``).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import sympy

from bargain import formula
from bargain.checks import describe, key, labels, same_keys
from bargain.errors import DegenerateGameWarning, ModelError, warn
from bargain.params import Param, ParamSpace, batch_size, point_text
from bargain.tolerances import PROB_SUM_ATOL, PROB_TOL, SELECTION_RTOL
from bargain.vocabulary import ident

from .form import CHUNK_SIZE, GameForm, Option, as_is
from .signaling import (
    MIXED,
    REFINEMENTS,
    BeliefSet,
    Labels,
    SignalingBatch,
    SignalingEquilibrium,
    solve_arrays,
)
from .solution import Columns, EquilibriumBatch, EquilibriumSet
from .spec import SpecReader

#: The values of the ``keep`` option and what each keeps of the outcomes ``refine`` leaves.
KEEP = {
    "all": "every PBE outcome",
    "receiver-best": "the outcomes best for the receiver (all of them if tied)",
}
#: Regime labels, by code.
REGIMES = ("babbling", "partially informative", "informative")
BABBLING, PARTIALLY_INFORMATIVE, INFORMATIVE = range(3)
#: Two PBE whose probabilities of each action given each signal differ by at most this
#: have one outcome; an outcome is informative when a signal moves one by more.
OUTCOME_ATOL = 1e-9
#: Keys of a type's table in a model file besides its actions.
RESERVED = ("name", "prior", "likelihood")


class MediationLabels(NamedTuple):
    """The names in a mediation game: its three players, the informed party's types, the
    mediator's signals and messages, and the receiver's actions."""

    informed: str
    mediator: str
    receiver: str
    types: tuple[str, ...]
    signals: tuple[str, ...]
    messages: tuple[str, ...]
    actions: tuple[str, ...]

    @property
    def players(self) -> tuple[str, str, str]:
        return (self.informed, self.mediator, self.receiver)


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


# -- what an equilibrium looks like ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class MediationEquilibrium:
    """A PBE outcome of a mediation game: what the mediator says, what the receiver believes
    and does, and what everyone expects.

    ``mediator`` signal -> message -> probability (a representative PBE of the
    outcome); ``receiver`` message -> action -> probability after each message
    sent; ``beliefs`` message -> type -> the receiver's posterior over the
    informed party's types there, ``signal_beliefs`` the same over the mediator's
    signals; ``off_path`` message -> the replies to a message nobody sends that
    keep every signal from sending it, each with its :class:`BeliefSet` (beliefs
    over the signals); ``outcome`` type -> action -> probability;
    ``action_probabilities`` action -> probability; ``payoffs`` each player's
    expected payoff, ``values`` each type's payoff to the informed party;
    ``informative`` whether the receiver's action depends on the mediator's
    signal; ``regime`` "informative", "partially informative" or "babbling";
    ``kind`` the representative's kind as a signaling equilibrium; ``intuitive``
    and ``d1`` whether some PBE of the outcome survives each refinement,
    ``why`` the reasons; ``n_variants`` how many signaling PBE outcomes (message
    meanings) share it; ``ties`` a player indifferent between actions on the
    path; ``regret`` the largest gain from deviating (verified within tolerance).
    """

    regime: str
    informative: bool
    kind: str
    mediator: dict[str, dict[str, float]]
    receiver: dict[str, dict[str, float]]
    beliefs: dict[str, dict[str, float]]
    signal_beliefs: dict[str, dict[str, float]]
    off_path: dict[str, tuple[BeliefSet, ...]]
    outcome: dict[str, dict[str, float]]
    action_probabilities: dict[str, float]
    payoffs: dict[str, float]
    values: dict[str, float]
    intuitive: bool
    d1: bool
    why: dict[str, str]
    n_variants: int
    ties: bool
    regret: float

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): strategies, beliefs, outcome, payoffs, verdicts."""
        return {
            "regime": self.regime,
            "informative": self.informative,
            "kind": self.kind,
            "mediator": self.mediator,
            "receiver": self.receiver,
            "beliefs": self.beliefs,
            "signal_beliefs": self.signal_beliefs,
            "off_path": {m: [s.as_dict() for s in sets] for m, sets in self.off_path.items()},
            "outcome": self.outcome,
            "action_probabilities": self.action_probabilities,
            "payoffs": self.payoffs,
            "values": self.values,
            "intuitive": self.intuitive,
            "d1": self.d1,
            "why": self.why,
            "n_variants": self.n_variants,
            "ties": self.ties,
            "regret": self.regret,
        }

    def __repr__(self) -> str:
        says = "; ".join(f"{s} -> {_mix(p)}" for s, p in self.mediator.items())
        does = "; ".join(f"{m}: {_mix(p)}" for m, p in self.receiver.items())
        acts = ", ".join(f"{a} {p:.4g}" for a, p in self.action_probabilities.items())
        values = ", ".join(f"{p} {v:.4g}" for p, v in self.payoffs.items())
        return f"MediationPBE({self.regime} | {says} | {does} | {acts} | {values})"


def _mix(probabilities: Mapping[str, float]) -> str:
    played = {k: p for k, p in probabilities.items() if p > PROB_TOL}
    if len(played) == 1:
        return next(iter(played))
    return ", ".join(f"{k} {p:.4g}" for k, p in played.items())


class MediationSolution(EquilibriumSet[MediationEquilibrium]):
    """The PBE outcomes of a mediation game at one point (those ``refine`` and ``keep``
    leave). ``n_pbe`` counts every outcome; ``informative_exists`` says whether an
    informative one survives ``refine``."""

    def __init__(
        self,
        equilibria: Iterable[MediationEquilibrium],
        *,
        n_pbe: int,
        informative_exists: bool,
        **flags: Any,
    ) -> None:
        super().__init__(equilibria, **flags)
        self.n_pbe, self.informative_exists = n_pbe, informative_exists

    def __repr__(self) -> str:
        flags = ", ties" if self.ties else ""
        credible = "an informative one exists" if self.informative_exists else "none informative"
        lines = [f"MediationSolution({len(self)} of {self.n_pbe} PBE outcomes, {credible}{flags})"]
        lines += [f"  {eq!r}" for eq in self.equilibria]
        return "\n".join(lines)


# -- the batch -------------------------------------------------------------------------------


class Outcomes(NamedTuple):
    """The signaling PBE outcomes grouped by their mediation outcome: ``group`` (G_s,) the
    outcome of each signaling row, ``point`` (G,) the point of each outcome."""

    group: np.ndarray
    point: np.ndarray


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


class MediationBatch(EquilibriumBatch):
    """PBE outcomes of a mediation game at N points: one row per (point, outcome).

    ``signaling`` is the mediator's signaling game solved
    (:class:`~bargain.games.signaling.SignalingBatch`, every PBE outcome);
    ``outcomes`` groups its rows (:class:`Outcomes`); the rows are the outcomes
    ``refine`` and ``keep`` leave (``kept``, outcome numbers), each shown by a
    representative signaling row (``representative``). Per row: ``sender``
    (R, S, M), ``receiver`` (R, M, A), ``on_path`` (R, M), ``signal_beliefs``
    (R, M, S), ``beliefs`` (R, M, T) over types (NaN off the path),
    ``induced`` (R, S, A) P(action | signal), ``given_type`` (R, T, A)
    P(action | type), ``payoffs`` (R, 3), ``values`` (R, T) the informed
    party's per type, ``informative``, ``code`` (R,) the regime's code; per
    point: ``n_pbe``, ``informative_exists``, ``ties`` and ``degenerate`` (N,).
    """

    def __init__(
        self,
        labels: MediationLabels,
        points: dict[str, np.ndarray],
        game: MediationArrays,
        reduced: Reduced,
        signaling: SignalingBatch,
        refine: str = "none",
        keep: str = "all",
    ) -> None:
        self.labels, self.points, self.game, self.reduced = labels, points, game, reduced
        self.signaling, self.refine, self.keep = signaling, refine, keep
        self.players = labels.players
        self.method = f"reduced to the mediator's signaling game: {signaling.method}"
        n = game.prior.shape[1]
        induced = signaling.sender @ signaling.receiver  # (G_s, S, A)
        occurs = reduced.signal_prior[:, signaling.point].T > PROB_TOL  # (G_s, S)
        self.outcomes = outcomes = group_outcomes(signaling.point, induced, occurs)
        self.n_pbe = np.bincount(outcomes.point, minlength=n)
        self._representative = self._representatives()
        payoffs = self._expected(self._representative)[0]
        survives = (
            self._outcome_verdict(refine)
            if refine != "none"
            else np.ones(len(outcomes.point), bool)
        )
        informative = self._informative(induced[self._representative], outcomes.point)
        self.informative_exists = (
            np.bincount(outcomes.point, weights=informative & survives, minlength=n) > 0
        )
        chosen = survives.copy()
        if keep == "receiver-best":
            chosen &= self._receiver_best(payoffs[:, 2], survives)
        self.kept = np.flatnonzero(chosen)
        self.representative = self._representative[self.kept]
        self.point = outcomes.point[self.kept]
        r = self.representative
        self.sender, self.receiver = signaling.sender[r], signaling.receiver[r]
        self.on_path, self.signal_beliefs = signaling.on_path[r], signaling.beliefs[r]
        self.induced = induced[r]
        self.payoffs, self.values, self.given_type = self._expected(r)
        self.informative = informative[self.kept]
        self.code = np.where(self.informative, PARTIALLY_INFORMATIVE, BABBLING)
        certain = np.abs(self.induced - np.round(self.induced)) <= OUTCOME_ATOL
        occurs = reduced.signal_prior[:, self.point].T > PROB_TOL  # (R, S)
        pure = (certain.all(axis=2) | ~occurs).all(axis=1)  # each signal one action
        self.code[self.informative & pure] = INFORMATIVE
        tied = self._tied()
        self.ties = np.bincount(signaling.point, weights=tied, minlength=n) > 0
        self.degenerate = self.ties.copy()
        self._tied_outcome = (
            np.bincount(outcomes.group, weights=tied, minlength=len(outcomes.point)) > 0
        )

    # -- grouping and selection -----------------------------------------------------------

    def _outcome_verdict(self, criterion: str) -> np.ndarray:
        """(G,) whether some signaling PBE outcome of each outcome passes the criterion."""
        passes = getattr(self.signaling, criterion)  # per signaling row
        group = self.outcomes.group
        return np.bincount(group, weights=passes, minlength=len(self.outcomes.point)) > 0

    def _representatives(self) -> np.ndarray:
        """(G,) each outcome's first signaling row, the first surviving ``refine`` if any."""
        group = self.outcomes.group
        rows = np.arange(len(group))
        failing = np.zeros(len(group), bool)
        if self.refine != "none":
            failing = ~getattr(self.signaling, self.refine)
        order = np.lexsort((rows, failing, group))
        starts = np.flatnonzero(np.r_[True, group[order][1:] != group[order][:-1]])
        return order[starts]

    def _receiver_best(self, receiver: np.ndarray, survives: np.ndarray) -> np.ndarray:
        """(G,) whether each outcome is within SELECTION_RTOL of the receiver's best one."""
        point = self.outcomes.point
        best = np.full(len(self.n_pbe), -np.inf)
        np.maximum.at(best, point[survives], receiver[survives])
        return receiver >= best[point] - SELECTION_RTOL * self.payoff_range[point, 2]

    def _informative(self, induced: np.ndarray, point: np.ndarray) -> np.ndarray:
        """Whether the action probabilities (G, S, A) differ between signals that occur."""
        occurs = self.reduced.signal_prior[:, point].T > PROB_TOL  # (G, S)
        high = np.where(occurs[..., None], induced, -np.inf).max(axis=1)
        low = np.where(occurs[..., None], induced, np.inf).min(axis=1)
        return ((high - low) > OUTCOME_ATOL).any(axis=1)

    def _expected(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For signaling rows: each player's expected payoff (R, 3), the informed party's
        per type (R, T) and P(action | type) (R, T, A)."""
        point = self.signaling.point[rows]
        induced = self.signaling.sender[rows] @ self.signaling.receiver[rows]  # (R, S, A)
        given_type = np.moveaxis(self.game.likelihood[..., point], -1, 0) @ induced
        u = np.moveaxis(self.game.payoffs[..., point], -1, 0)  # (R, 3, T, A)
        by_type = (given_type[:, None] * u).sum(axis=3)  # (R, 3, T)
        payoffs = (by_type @ self.game.prior[:, point].T[..., None])[..., 0]
        return payoffs, by_type[:, 0], given_type

    def _tied(self) -> np.ndarray:
        """(G_s,) signaling outcomes with a PBE in which a signal of the mediator is
        indifferent between its message and one that moves the receiver differently, or
        the receiver between an action it plays on the path and one it does not. (The
        indifference between messages that move the receiver alike, inherent in cheap
        talk, is no tie.)"""
        found, game = self.signaling.pbe.found, self.signaling.game
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
        n_outcomes = len(self.signaling.pbe.first)
        by_outcome = np.bincount(found.outcome, weights=tied, minlength=n_outcomes) > 0
        return by_outcome[self.signaling.kept]  # the signaling rows are outcomes

    # -- the protocol ---------------------------------------------------------------------

    @cached_property
    def intuitive(self) -> np.ndarray:
        """(R,) whether some PBE of each outcome survives the Intuitive Criterion."""
        return self._outcome_verdict("intuitive")[self.kept]

    @cached_property
    def d1(self) -> np.ndarray:
        """(R,) whether some PBE of each outcome survives D1."""
        return self._outcome_verdict("d1")[self.kept]

    @cached_property
    def regret(self) -> np.ndarray:
        """(R,) the largest regret of any PBE of each outcome (verified within tolerance)."""
        worst = np.zeros(len(self.outcomes.point))
        np.maximum.at(worst, self.outcomes.group, self.signaling.regret)
        return worst[self.kept]

    @cached_property
    def payoff_range(self) -> np.ndarray:
        """(N, 3) the range of each player's payoffs at each point."""
        n = self.game.prior.shape[1]
        return np.ptp(self.game.payoffs.reshape(3, -1, n), axis=1).T

    def measure_columns(self) -> Columns:
        labels = self.labels
        informed = ident(labels.informed)
        pi = self.game.prior[:, self.point].T  # (R, T)
        columns: Columns = {f"u_{ident(p)}": self.payoffs[:, j] for j, p in enumerate(self.players)}
        for t, name in enumerate(labels.types):
            columns[f"u_{informed}_{ident(name)}"] = self.values[:, t]
        rho = self.reduced.signal_prior[:, self.point].T  # (R, S)
        sent = np.einsum("rs,rsm->rm", rho, self.sender)
        for m, name in enumerate(labels.messages):
            columns[f"p_{ident(name)}"] = sent[:, m]
        acted = np.einsum("rt,rta->ra", pi, self.given_type)
        for a, name in enumerate(labels.actions):
            columns[f"p_{ident(name)}"] = acted[:, a]
        for t, kind in enumerate(labels.types):
            for a, name in enumerate(labels.actions):
                columns[f"p_{ident(name)}_if_{ident(kind)}"] = self.given_type[:, t, a]
        beliefs = self.beliefs
        for m, message in enumerate(labels.messages):
            for t, name in enumerate(labels.types):
                columns[f"p_{ident(name)}_given_{ident(message)}"] = beliefs[:, m, t]
        columns["informative"] = self.informative.astype(float)
        columns["informative_exists"] = self.informative_exists[self.point].astype(float)
        columns["intuitive"] = self.intuitive.astype(float)
        columns["d1"] = self.d1.astype(float)
        columns["n_pbe"] = self.n_pbe[self.point].astype(float)
        columns["regret"] = self.regret
        return columns

    @cached_property
    def beliefs(self) -> np.ndarray:
        """(R, M, T) the receiver's posterior over types after each message (NaN off the path)."""
        posterior = self.reduced.posterior[..., self.point]  # (S, T, R)
        beliefs = np.einsum("rms,str->rmt", self.signal_beliefs, posterior)
        return np.where(self.on_path[..., None], beliefs, np.nan)

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        """ "informative", "partially informative" or "babbling", with codes 2, 1, 0."""
        return np.array(REGIMES, dtype=object)[self.code], self.code.copy()

    def _point_solution(self, i: int) -> MediationSolution:
        rows = self.rows(i)
        found = dict(zip(self.signaling.rows(i).tolist(), self.signaling[i]))
        order, starts = _members(self.outcomes.group, len(self.outcomes.point))
        equilibria = []
        for r in rows:
            g = int(self.kept[r])
            members = [found[k] for k in order[starts[g] : starts[g + 1]].tolist()]
            equilibria.append(self._equilibrium(r, found[int(self.representative[r])], members))
        return MediationSolution(
            equilibria,
            n_pbe=int(self.n_pbe[i]),
            informative_exists=bool(self.informative_exists[i]),
            values=self.point_values(i),
            degenerate=self.degenerate[i],
            ties=self.ties[i],
            method=self.method,
            batch=self,
            rows=rows,
        )

    def _equilibrium(
        self, r: int, shown: SignalingEquilibrium, members: list[SignalingEquilibrium]
    ) -> MediationEquilibrium:
        """Row r, shown by its representative PBE; ``members`` are all its signaling PBE."""
        labels = self.labels
        why = {}
        for criterion in ("intuitive", "d1"):
            passing = [eq for eq in members if getattr(eq, criterion)]
            why[criterion] = (passing[0] if passing else shown).why[criterion]
        sent = [m for m in labels.messages if m in shown.receiver]
        beliefs = {
            m: dict(zip(labels.types, map(float, self.beliefs[r, labels.messages.index(m)])))
            for m in sent
        }
        acted = self.game.prior[:, self.point[r]] @ self.given_type[r]
        return MediationEquilibrium(
            regime=REGIMES[int(self.code[r])],
            informative=bool(self.informative[r]),
            kind=shown.kind,
            mediator=shown.sender,
            receiver=shown.receiver,
            beliefs=beliefs,
            signal_beliefs=shown.beliefs,
            off_path=shown.off_path,
            outcome={
                t: dict(zip(labels.actions, map(float, row)))
                for t, row in zip(labels.types, self.given_type[r])
            },
            action_probabilities=dict(zip(labels.actions, map(float, acted))),
            payoffs=dict(zip(self.players, map(float, self.payoffs[r]))),
            values=dict(zip(labels.types, map(float, self.values[r]))),
            intuitive=bool(self.intuitive[r]),
            d1=bool(self.d1[r]),
            why=why,
            n_variants=len(members),
            ties=bool(self._tied_outcome[self.kept[r]]),
            regret=float(self.regret[r]),
        )

    def __repr__(self) -> str:
        return (
            f"MediationBatch({len(self)} points, {len(self.point)} of "
            f"{len(self.outcomes.point)} PBE outcomes, refine={self.refine!r}, keep={self.keep!r})"
        )


def _members(group: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The signaling rows of each outcome: ``order[starts[g]:starts[g + 1]]``, in row order."""
    order = np.argsort(group, kind="stable")
    return order, np.concatenate([[0], np.cumsum(np.bincount(group, minlength=n_groups))])


# -- the game --------------------------------------------------------------------------------


class MediationGame(GameForm):
    """An informed party's type, a mediator who observes it (or a signal of it) and talks,
    and a receiver who acts on what it hears.

    Parameters
    ----------
    informed, mediator, receiver : the players' names.
    prior : type -> probability (a number or formula); the informed party's types in order.
    messages : the mediator's messages (costless; at least two).
    actions : the receiver's actions (names distinct from the messages: their
        probabilities are the measures ``p_<name>``).
    payoffs : type -> action -> player -> payoff (a number or formula): the
        informed party's and the receiver's, and the mediator's unless
        ``mediator_payoff`` gives it. A reply of the informed party to the
        receiver's action that its type determines is folded in here.
    mediator_payoff : optional, the mediator's payoff as one formula of
        ``u_<informed>``, ``u_<receiver>`` (the others' payoffs in each cell)
        and the parameters, e.g. ``"b*u_US + (1 - b)*u_Iran"``.
    likelihood : optional, type -> signal -> P(signal | type): what the
        mediator observes (the signals in order). By default it observes the type.
    params : the parameters the formulas use.

    Solve options: ``refine`` ("none", "intuitive", "d1"), ``mixed``
    ("semi-separating" or "none"), as for signaling games; ``keep`` ("all",
    or "receiver-best": the outcomes best for the receiver among those
    ``refine`` leaves); ``chunk_size``.

    Examples
    --------
    The mediator weighs the US's payoff by b and Iran's by 1 - b. Against a
    resolute Iran a large demand means war; against an irresolute one it
    succeeds but for a risk of war 0.2 (payoffs below).

    >>> game = MediationGame(
    ...     "Iran", "Oman", "US", {"resolute": 0.5, "irresolute": 0.5},
    ...     ["resolute", "irresolute"], ["modest", "large"],
    ...     {
    ...         "resolute": {"modest": {"Iran": 0.6, "US": 0.4},
    ...                      "large": {"Iran": 0.3, "US": 0.3}},
    ...         "irresolute": {"modest": {"Iran": 0.6, "US": 0.4},
    ...                        "large": {"Iran": 0.14, "US": 0.7}},
    ...     },
    ...     mediator_payoff="b*u_US + (1 - b)*u_Iran", params=[Param("b", 0.5, 0, 1)],
    ... )
    >>> [eq.regime for eq in game.solve(b=0.5)], [eq.regime for eq in game.solve(b=0.7)]
    (['babbling'], ['babbling', 'informative'])
    """

    form = "mediation"
    noun = "mediation games"
    options = MappingProxyType(
        {
            "refine": Option("none", tuple(REFINEMENTS), help="PBE kept: none, intuitive, d1"),
            "mixed": Option(MIXED[0], MIXED, help="semi-separating PBE (two signals) or none"),
            "keep": Option("all", tuple(KEEP), help="outcomes kept: all, receiver-best"),
            "chunk_size": CHUNK_SIZE,
        }
    )

    def __init__(
        self,
        informed: str,
        mediator: str,
        receiver: str,
        prior: Mapping[str, Any],
        messages: Sequence[str],
        actions: Sequence[str],
        payoffs: Mapping[str, Mapping[str, Mapping[str, Any]]],
        *,
        mediator_payoff: Any = None,
        likelihood: Mapping[str, Mapping[str, Any]] | None = None,
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels([informed, mediator, receiver], "players")
        if not isinstance(prior, Mapping):
            raise ModelError(f"prior: expected a mapping type -> probability, got {prior!r}")
        types = _names(list(prior), "types")
        if likelihood is not None:
            same_keys(likelihood, types, "likelihood", "type")
            first = likelihood[types[0]]
            if not isinstance(first, Mapping):
                raise ModelError(
                    f"likelihood[{types[0]!r}]: expected a mapping signal -> probability, "
                    f"got {describe(first)}"
                )
            signals = _names(list(first), "signals")
            for t in types:
                same_keys(likelihood[t], signals, f"likelihood[{t!r}]", "signal")
        else:
            signals = types
        self.labels = MediationLabels(
            informed,
            mediator,
            receiver,
            types,
            signals,
            _names(messages, "messages"),
            labels(actions, "actions"),
        )
        self.types, self.signals, self.messages, self.actions = self.labels[3:]
        _check_names(self.messages, self.actions)
        self.prior = [formula.as_expr(prior[t], self.params, f"prior[{t!r}]") for t in types]
        self.likelihood = (
            None
            if likelihood is None
            else {
                t: [
                    formula.as_expr(likelihood[t][s], self.params, f"likelihood[{t!r}][{s!r}]")
                    for s in signals
                ]
                for t in types
            }
        )
        in_cells = self.players if mediator_payoff is None else (informed, receiver)
        self.payoffs = self._read_payoffs(payoffs, in_cells)
        self.payoff_names = (f"u_{ident(informed)}", f"u_{ident(receiver)}")
        self.mediator_payoff = None
        if mediator_payoff is not None:
            clash = set(self.payoff_names) & set(self.params.names)
            if clash:
                raise ModelError(
                    f"mediator_payoff: parameter {sorted(clash)[0]!r} has the name of a "
                    "player's payoff; rename the parameter"
                )
            names = (*self.params.names, *self.payoff_names)
            self.mediator_payoff = formula.as_expr(mediator_payoff, names, "mediator_payoff")
        self._compile()

    def _read_payoffs(
        self, payoffs: Mapping[str, Any], players: Sequence[str]
    ) -> dict[str, dict[str, dict[str, sympy.Basic]]]:
        same_keys(payoffs, self.types, "payoffs", "type")
        out: dict[str, dict[str, dict[str, sympy.Basic]]] = {}
        for t in self.types:
            same_keys(payoffs[t], self.actions, f"payoffs[{t!r}]", "action")
            out[t] = {}
            for a in self.actions:
                where = f"payoffs[{t!r}][{a!r}]"
                same_keys(payoffs[t][a], players, where, "player")
                out[t][a] = {
                    p: formula.as_expr(payoffs[t][a][p], self.params, f"{where}[{p!r}]")
                    for p in players
                }
        return out

    def _compile(self) -> None:
        """One numpy function for the prior, likelihoods and cell payoffs; one for the
        mediator's payoff formula (of the cells' payoffs) if given."""
        exprs = [*self.prior, *(e for row in (self.likelihood or {}).values() for e in row)]
        exprs += [
            self.payoffs[t][a][p]
            for p in self._cell_players
            for t in self.types
            for a in self.actions
        ]
        used = set().union(*map(formula.free_names, exprs))
        if self.mediator_payoff is not None:
            used |= formula.free_names(self.mediator_payoff)
        self._inputs = tuple(n for n in self.params.names if n in used)
        self._function = formula.compile_formulas(exprs, self._inputs)
        if self.mediator_payoff is not None:
            names = (*self._inputs, *self.payoff_names)
            self._mediator_function = formula.compile_formulas(self.mediator_payoff, names)

    @property
    def _cell_players(self) -> tuple[str, ...]:
        informed, _, receiver = self.players
        return (informed, receiver) if self.mediator_payoff is not None else self.players

    @classmethod
    def from_arrays(
        cls,
        prior: Any,
        payoffs: Any,
        likelihood: Any = None,
        *,
        players: Sequence[str] = ("informed", "mediator", "receiver"),
        types: Sequence[str] | None = None,
        signals: Sequence[str] | None = None,
        messages: Sequence[str] | int = 2,
        actions: Sequence[str] | None = None,
    ) -> MediationGame:
        """A numeric game: ``prior`` (T,), ``payoffs`` (3, T, A) of the informed party,
        the mediator and the receiver, ``likelihood`` (T, S) or None (the type observed);
        ``messages`` their names or their number."""
        prior = np.asarray(prior, dtype=float)
        payoffs = np.asarray(payoffs, dtype=float)
        if prior.ndim != 1 or payoffs.ndim != 3 or payoffs.shape[:2] != (3, len(prior)):
            raise ModelError(
                "from_arrays: expected prior (T,) and payoffs (3, T, A), got "
                f"{prior.shape} and {payoffs.shape}"
            )
        types = list(types or [f"t{t + 1}" for t in range(len(prior))])
        actions = list(actions or [f"a{a + 1}" for a in range(payoffs.shape[2])])
        if isinstance(messages, int):
            messages = [f"m{m + 1}" for m in range(messages)]
        table = None
        if likelihood is not None:
            likelihood = np.asarray(likelihood, dtype=float)
            if likelihood.shape[:1] != prior.shape or likelihood.ndim != 2:
                raise ModelError(
                    f"from_arrays: expected likelihood ({len(prior)}, S), got {likelihood.shape}"
                )
            signals = list(signals or [f"s{s + 1}" for s in range(likelihood.shape[1])])
            table = {t: dict(zip(signals, row)) for t, row in zip(types, likelihood)}
        cells = {
            t: {a: dict(zip(players, payoffs[:, i, j])) for j, a in enumerate(actions)}
            for i, t in enumerate(types)
        }
        informed, mediator, receiver = players
        return cls(
            informed,
            mediator,
            receiver,
            dict(zip(types, prior)),
            messages,
            actions,
            cells,
            likelihood=table,
        )

    # -- evaluation -----------------------------------------------------------------------

    def arrays(self, points: Mapping[str, np.ndarray]) -> MediationArrays:
        """The prior (T, N), likelihoods (T, S, N) and payoffs (3, T, A, N) at N bound points.

        Raises a ModelError naming the entry and the point where a value is not
        finite, a probability is negative, or the prior or a type's likelihoods
        do not sum to 1.
        """
        n = batch_size(points)
        n_types, n_signals, n_actions = map(len, (self.types, self.signals, self.actions))
        cells = self._cell_players
        n_likely = 0 if self.likelihood is None else n_types * n_signals
        values = np.empty((n_types + n_likely + len(cells) * n_types * n_actions, n))
        inputs = [points[name] for name in self._inputs]
        self._function(*inputs, out=values)
        self._check_finite(values, points)
        prior = values[:n_types]
        cell = values[n_types + n_likely :].reshape(len(cells), n_types, n_actions, n)
        payoffs = np.empty((3, n_types, n_actions, n))
        if self.mediator_payoff is None:
            payoffs[:] = cell
        else:
            payoffs[[0, 2]] = cell
            payoffs[1] = self._mediator_function(*inputs, cell[0], cell[1])
            bad = ~np.isfinite(payoffs[1])
            if bad.any():
                t, a, i = (int(x[0]) for x in np.nonzero(bad))
                raise ModelError(
                    f"mediator_payoff = {self.mediator_payoff} is not finite for type "
                    f"{self.types[t]!r} and action {self.actions[a]!r} at {point_text(points, i)}"
                )
        self._check_distribution(prior, "prior", "the types' prior probabilities", points)
        if self.likelihood is None:
            likelihood = np.broadcast_to(np.eye(n_types)[..., None], (n_types, n_types, n))
        else:
            likelihood = values[n_types : n_types + n_likely].reshape(n_types, n_signals, n)
            for t, name in enumerate(self.types):
                self._check_distribution(
                    likelihood[t],
                    f"likelihood[{name!r}]",
                    f"the likelihoods P(signal | {name})",
                    points,
                )
        clip = np.clip
        return MediationArrays(clip(prior, 0.0, None), clip(likelihood, 0.0, None), payoffs)

    def _entry(self, k: int) -> tuple[str, sympy.Basic]:
        """The name and formula of row k of the compiled function's values."""
        n_types = len(self.types)
        if k < n_types:
            return f"prior[{self.types[k]!r}]", self.prior[k]
        k -= n_types
        if self.likelihood is not None:
            n_signals = len(self.signals)
            if k < n_types * n_signals:
                t, s = divmod(k, n_signals)
                name = self.types[t]
                return f"likelihood[{name!r}][{self.signals[s]!r}]", self.likelihood[name][s]
            k -= n_types * n_signals
        p, rest = divmod(k, n_types * len(self.actions))
        t, a = divmod(rest, len(self.actions))
        player, kind, action = self._cell_players[p], self.types[t], self.actions[a]
        where = f"payoffs[{kind!r}][{action!r}][{player!r}]"
        return where, self.payoffs[kind][action][player]

    def _check_finite(self, values: np.ndarray, points: Mapping[str, np.ndarray]) -> None:
        bad = ~np.isfinite(values)
        if bad.any():
            k, i = (int(x[0]) for x in np.nonzero(bad))
            where, expr = self._entry(k)
            raise ModelError(f"{where} = {expr} is not finite at {point_text(points, i)}")

    def _check_distribution(
        self, p: np.ndarray, where: str, what: str, points: Mapping[str, np.ndarray]
    ) -> None:
        """A ModelError unless ``p`` (K, N) is a distribution at every point."""
        if (p < -PROB_SUM_ATOL).any():
            j, i = (int(x[0]) for x in np.nonzero(p < -PROB_SUM_ATOL))
            entry = self.types[j] if where == "prior" else self.signals[j]
            raise ModelError(
                f"{where}[{entry!r}] is {p[j, i]:.6g} at {point_text(points, i)}: "
                "expected a probability"
            )
        total = p.sum(axis=0)
        off = np.abs(total - 1) > PROB_SUM_ATOL
        if off.any():
            i = int(np.flatnonzero(off)[0])
            raise ModelError(
                f"{where}: {what} sum to {total[i]:.6g} at {point_text(points, i)}, expected 1"
            )

    # -- solving --------------------------------------------------------------------------

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> MediationBatch:
        """The PBE outcomes at N points (``points``: name -> N values; others at defaults).

        Options: ``refine`` -- "none" (every PBE outcome, the default),
        "intuitive" or "d1" (the outcomes with a PBE that survives; ``n_pbe``
        still counts them all); ``mixed`` -- "semi-separating" (two signals:
        also the PBE in which the mediator mixes, the default) or "none";
        ``keep`` -- "all" (the default) or "receiver-best"; ``chunk_size``.
        """
        options = self.check_options(options)
        refine = options.get("refine", "none")
        bound = self.params.bind_batch(points)
        game = self.arrays(bound)
        reduced = reduce_to_signaling(game, len(self.messages))
        labels = self.labels
        signaling = solve_arrays(
            Labels(
                labels.mediator, labels.receiver, labels.signals, labels.messages, labels.actions
            ),
            bound,
            reduced.signal_prior,
            reduced.u_sender,
            reduced.u_receiver,
            mixed=options.get("mixed", MIXED[0]) == MIXED[0],
            chunk_size=options.get("chunk_size"),
        )
        result = MediationBatch(
            labels, bound, game, reduced, signaling, refine, options.get("keep", "all")
        )
        _warn_ties(result)
        result.warn_empty(_why_empty(result))
        return result

    def point_measures(self, **options: Any) -> tuple[str, ...]:
        """``informative_exists`` and ``n_pbe``: properties of the point, not of an outcome."""
        return ("informative_exists", "n_pbe")

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<player>`` for the three players, ``u_<informed>_<type>``, ``p_<message>``,
        ``p_<action>``, ``p_<action>_if_<type>``, ``p_<type>_given_<message>``,
        ``informative``, ``informative_exists``, ``intuitive``, ``d1``, ``n_pbe``,
        ``regret``, ``n_equilibria``."""
        informed = ident(self.players[0])
        names = [f"u_{ident(p)}" for p in self.players]
        names += [f"u_{informed}_{ident(t)}" for t in self.types]
        names += [f"p_{ident(x)}" for x in (*self.messages, *self.actions)]
        names += [f"p_{ident(a)}_if_{ident(t)}" for t in self.types for a in self.actions]
        names += [f"p_{ident(t)}_given_{ident(m)}" for m in self.messages for t in self.types]
        flags = ["informative", "informative_exists", "intuitive", "d1", "n_pbe", "regret"]
        return [*names, *flags, "n_equilibria"]

    # -- model files ----------------------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        informed, mediator, receiver = self.players
        out: dict[str, Any] = {
            "form": self.form,
            "informed": informed,
            "mediator": mediator,
            "receiver": receiver,
            "messages": list(self.messages),
            "actions": list(self.actions),
        }
        if self.likelihood is not None:
            out["signals"] = list(self.signals)
        if self.mediator_payoff is not None:
            out["mediator_payoff"] = render(self.mediator_payoff)
        types = []
        for t, prior in zip(self.types, self.prior):
            table: dict[str, Any] = {"name": t, "prior": render(prior)}
            if self.likelihood is not None:
                table["likelihood"] = {
                    s: render(e) for s, e in zip(self.signals, self.likelihood[t])
                }
            for a in self.actions:
                table[a] = {p: render(e) for p, e in self.payoffs[t][a].items()}
            types.append(table)
        out["types"] = types
        return out

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> MediationGame:
        required = ["form", "informed", "mediator", "receiver", "messages", "actions", "types"]
        table = reader.table(table, "game", required, ["signals", "mediator_payoff"])
        players = [reader.string(table[k], f"game.{k}") for k in required[1:4]]
        informed, mediator, receiver = players
        messages = reader.labels(table["messages"], "game.messages")
        actions = reader.labels(table["actions"], "game.actions")
        with reader.located("game.actions"):
            _check_names(messages, actions, "game.")
        signals = reader.labels(table["signals"], "game.signals") if "signals" in table else None
        mediator_payoff = None
        if "mediator_payoff" in table:
            names = (*params.names, f"u_{ident(informed)}", f"u_{ident(receiver)}")
            text = table["mediator_payoff"]
            if isinstance(text, str):
                where = f"{reader.source}: game.mediator_payoff"
                mediator_payoff = formula.canonical(formula.parse(text, names, where=where))
            else:
                mediator_payoff = reader.formula(text, "game.mediator_payoff", params)
        in_cells = players if mediator_payoff is None else [informed, receiver]
        prior: dict[str, Any] = {}
        likelihood: dict[str, Any] = {}
        payoffs: dict[str, Any] = {}
        keys = [k for k in RESERVED if k != "likelihood" or signals is not None]
        for i, item in enumerate(reader.array(table["types"], "game.types")):
            path = f"game.types[{i}]"
            if signals is None and isinstance(item, dict) and "likelihood" in item:
                raise reader.error(
                    key(path, "likelihood"),
                    "likelihoods need game.signals, the list of what the mediator observes "
                    "(without them it observes the type)",
                )
            item = reader.table(item, path, [*keys, *actions])
            name = reader.string(item["name"], f"{path}.name")
            if not name or name in prior:
                problem = "is listed twice" if name else "is empty"
                raise reader.error(f"{path}.name", f"type name {name!r} {problem}")
            prior[name] = reader.formula(item["prior"], f"{path}.prior", params)
            if signals is not None:
                here = key(path, "likelihood")
                row = reader.table(item["likelihood"], here, signals, what="signal")
                likelihood[name] = {
                    s: reader.formula(row[s], key(here, s), params) for s in signals
                }
            payoffs[name] = {}
            for a in actions:
                here = key(path, a)
                cell = reader.table(item[a], here, in_cells, what="player")
                payoffs[name][a] = {
                    p: reader.formula(cell[p], key(here, p), params) for p in in_cells
                }
        with reader.located("game"):
            game = cls(
                informed,
                mediator,
                receiver,
                prior,
                messages,
                actions,
                payoffs,
                mediator_payoff=mediator_payoff,
                likelihood=likelihood if signals is not None else None,
                params=params,
            )
        with reader.located("game.types"):  # the prior, likelihoods and payoffs at the defaults
            game.arrays(params.bind_batch({}))
        return game

    def __repr__(self) -> str:
        informed, mediator, receiver = self.players
        observes = "the type" if self.likelihood is None else f"signals {list(self.signals)}"
        params = f", params={list(self.params.names)}" if len(self.params) else ""
        return (
            f"MediationGame({informed!r} types {list(self.types)}; {mediator!r} observes "
            f"{observes}, says {list(self.messages)}; {receiver!r} does "
            f"{list(self.actions)}{params})"
        )


def _names(values: Any, where: str) -> tuple[str, ...]:
    """Distinct labels, at least two (a single type, signal or message conveys nothing)."""
    names = labels(values, where)
    if len(names) < 2:
        raise ModelError(f"{where}: a mediation game needs at least two {where}, got {list(names)}")
    return names


def _check_names(messages: Sequence[str], actions: Sequence[str], prefix: str = "") -> None:
    """Messages and actions distinct (their probabilities are measures); actions not
    named like the keys of a type's table."""
    for i, a in enumerate(actions):
        if a in messages:
            raise ModelError(
                f"{prefix}actions[{i}]: '{a}' also names a message; messages and actions "
                "need distinct names (their probabilities are the measures p_<name>)"
            )
        if a in RESERVED:
            raise ModelError(
                f"{prefix}actions[{i}]: '{a}' is reserved (a type's table in a model file "
                f"holds its {', '.join(RESERVED)}); rename the action"
            )


def _warn_ties(result: MediationBatch) -> None:
    count = int(result.ties.sum())
    if count:
        where = "the game has" if len(result) == 1 else f"{count} of {len(result)} games have"
        warn(
            f"{where} a player indifferent between actions on the path of some PBE (the "
            "mediator at the edge of its credibility, or the receiver at its threshold "
            "belief): every PBE reported is verified, but mixed ones may form continua "
            "there; see the 'ties' flag",
            DegenerateGameWarning,
        )


def _why_empty(result: MediationBatch) -> str:
    """Why points have no row: no outcome survives ``refine``, or none was enumerated."""
    name = {"intuitive": "the Intuitive Criterion", "d1": "D1"}.get(result.refine, "")
    if name:
        return (
            f"no PBE outcome survives {name} (refine='none' lists every one and why it "
            "fails; 'n_pbe' counts them)"
        )
    return "no pure or semi-separating PBE (see docs/mediation.md)"
