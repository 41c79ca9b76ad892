"""PBE outcomes of signaling games as users see them: one row per (point, outcome).

:class:`SignalingBatch` holds the outcomes ``refine`` keeps at N points and
their measures; :class:`SignalingSolution` those of one point, each a
:class:`SignalingEquilibrium` with its beliefs, the :class:`~.beliefs.BeliefSet`
supporting each off-path reply and the refinements' verdicts with their
reasons (:mod:`.reasons`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from bargain.errors import ModelError
from bargain.solvers.beliefs import Polytopes
from bargain.solvers.signaling import POOLING, SEPARATING
from bargain.tolerances import PROB_TOL
from bargain.vocabulary import ident

from ..solution import Columns, EquilibriumBatch, EquilibriumSet
from .beliefs import BeliefSet, belief_set, exact_supports
from .equilibria import Equilibria
from .labels import Labels
from .reasons import why_d1, why_intuitive

#: The values of the ``refine`` option: keep every PBE outcome, or those that survive.
REFINEMENTS = ("none", "intuitive", "d1")
#: The kinds of equilibria, by their code in :mod:`bargain.solvers.signaling`.
KINDS = ("separating", "pooling", "partially pooling", "semi-separating")


@dataclass(frozen=True, eq=False)
class SignalingEquilibrium:
    """A perfect Bayesian equilibrium outcome of a signaling game, with its support.

    ``sender`` type -> message -> probability; ``receiver`` message -> action
    -> probability after each message sent; ``beliefs`` message -> type ->
    probability there (Bayes' rule); ``off_path`` message -> the replies to a
    message no type sends that keep every type from sending it, each with the
    :class:`BeliefSet` making it a best response (the equilibrium holds with
    any of them: the PBE of the outcome combine one per message); ``payoffs``
    the sender's ex-ante and the receiver's expected payoff, ``values`` each
    type's; ``kind`` separating, pooling, partially pooling or
    semi-separating, ``regime`` its label; ``intuitive``, ``d1`` whether it
    survives each refinement, ``why`` the reasons (criterion -> text);
    ``ties`` a player indifferent on the path; ``regret`` the largest gain from
    deviating in any of its PBE (verified within tolerance).
    """

    kind: str
    regime: str
    sender: dict[str, dict[str, float]]
    receiver: dict[str, dict[str, float]]
    beliefs: dict[str, dict[str, float]]
    off_path: dict[str, tuple[BeliefSet, ...]]
    payoffs: dict[str, float]
    values: dict[str, float]
    intuitive: bool
    d1: bool
    why: dict[str, str]
    ties: bool
    regret: float

    def as_dict(self) -> dict[str, Any]:
        """Plain data (JSON-ready): strategies, beliefs, belief sets, payoffs, verdicts."""
        return {
            "regime": self.regime,
            "kind": self.kind,
            "sender": self.sender,
            "receiver": self.receiver,
            "beliefs": self.beliefs,
            "off_path": {m: [s.as_dict() for s in sets] for m, sets in self.off_path.items()},
            "payoffs": self.payoffs,
            "values": self.values,
            "intuitive": self.intuitive,
            "d1": self.d1,
            "why": self.why,
            "ties": self.ties,
            "regret": self.regret,
        }

    def __repr__(self) -> str:
        sends = "; ".join(f"{t} -> {mixture_text(p)}" for t, p in self.sender.items())
        replies = [f"{m}: {mixture_text(mix)}" for m, mix in self.receiver.items()]
        replies += [
            f"{m}: " + " or ".join(f"{s.action} if {s}" for s in sets)
            for m, sets in self.off_path.items()
        ]
        values = ", ".join(f"{p} {v:.4g}" for p, v in self.payoffs.items())
        verdicts = f"intuitive {_yes(self.intuitive)}, D1 {_yes(self.d1)}"
        return f"PBE({self.regime} | {sends} | {'; '.join(replies)} | {values} | {verdicts})"


def mixture_text(probabilities: Mapping[str, float]) -> str:
    """A mixture as text: the one choice played, or each played with its probability."""
    played = {k: p for k, p in probabilities.items() if p > PROB_TOL}
    if len(played) == 1:
        return next(iter(played))
    return ", ".join(f"{k} {p:.4g}" for k, p in played.items())


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


class SignalingSolution(EquilibriumSet[SignalingEquilibrium]):
    """The PBE outcomes of a signaling game at one point (those ``refine`` keeps).

    ``n_pbe`` counts every PBE outcome at the point, refined or not.
    """

    def __init__(self, equilibria: Iterable[SignalingEquilibrium], *, n_pbe: int, **flags: Any):
        super().__init__(equilibria, **flags)
        self.n_pbe = n_pbe

    def __repr__(self) -> str:
        flags = ", ties" if self.ties else ""
        lines = [f"SignalingSolution({len(self)} of {self.n_pbe} PBE, {self.method}{flags})"]
        lines += [f"  {eq!r}" for eq in self.equilibria]
        return "\n".join(lines)


class SignalingBatch(EquilibriumBatch):
    """PBE outcomes of a signaling game at N points: one row per (point, outcome).

    An outcome is the play on the path of one or more PBE that differ only in
    the receiver's replies to messages no type sends. ``pbe`` holds them all
    (:class:`~.equilibria.Equilibria`: every PBE as a strategy profile, and
    the refinements' verdicts); the rows are the outcomes ``refine`` keeps
    (``kept``, outcome numbers). Per row: ``sender`` (R, T, M), ``receiver``
    (R, M, A) (after off-path messages: one of the supporting replies),
    ``beliefs`` (R, M, T), ``on_path`` (R, M), ``values`` (R, T), ``payoffs``
    (R, 2), ``kind`` (R,), ``regret`` (R,), ``intuitive`` and ``d1`` (R,); per
    point: ``n_pbe`` (N,) the number of outcomes, ``ties`` and ``degenerate``
    (N,): a player indifferent on the path of some PBE. :attr:`unrefined` is
    the batch of every outcome.
    """

    def __init__(
        self,
        labels: Labels,
        points: dict[str, np.ndarray],
        pbe: Equilibria,
        refine: str = "none",
        method: str = "",
    ) -> None:
        if refine not in REFINEMENTS:
            raise ModelError(f"refine must be one of {', '.join(REFINEMENTS)}, got {refine!r}")
        self.labels, self.points, self.pbe = labels, points, pbe
        self.refine, self.method = refine, method
        self.players = (labels.sender, labels.receiver)
        found, self.game = pbe.found, pbe.game
        n = self.game.prior.shape[1]
        outcomes = np.arange(len(pbe.first))
        if refine != "none":
            outcomes = outcomes[pbe.outcome_verdicts[refine].passes]
        self.kept = outcomes
        k = pbe.first[outcomes]
        self.point = found.point[k]
        self.sender, self.receiver = found.sender[k], found.receiver[k]
        self.beliefs, self.on_path = found.beliefs[k], found.on_path[k]
        self.values, self.payoffs = found.values[k], found.payoffs[k]
        self.kind = found.kind[k]
        self.n_pbe = np.bincount(found.point[pbe.first], minlength=n)
        self.ties = np.bincount(found.point, weights=found.ties, minlength=n) > 0
        self.degenerate = self.ties.copy()

    @cached_property
    def regret(self) -> np.ndarray:
        """(R,) the largest regret of any PBE of each outcome (verified within tolerance)."""
        return self.pbe.regret[self.kept]

    @cached_property
    def intuitive(self) -> np.ndarray:
        """(R,) whether each outcome survives the Intuitive Criterion."""
        return self.pbe.outcome_verdicts["intuitive"].passes[self.kept]

    @cached_property
    def d1(self) -> np.ndarray:
        """(R,) whether each outcome survives D1 (with one of its off-path replies)."""
        return self.pbe.outcome_verdicts["d1"].passes[self.kept]

    def refined(self, refine: str) -> SignalingBatch:
        """The same PBE with the outcomes ``refine`` keeps ("none", "intuitive", "d1")."""
        return SignalingBatch(self.labels, self.points, self.pbe, refine, self.method)

    @property
    def unrefined(self) -> SignalingBatch:
        """Every PBE outcome, whichever refinement this batch applies."""
        return self if self.refine == "none" else self.refined("none")

    @cached_property
    def payoff_range(self) -> np.ndarray:
        """(N, 2) the range of each player's payoffs at each point."""
        n = self.game.prior.shape[1]
        flat = (u.reshape(-1, n) for u in (self.game.u_sender, self.game.u_receiver))
        return np.stack([np.ptp(u, axis=0) for u in flat], axis=1)

    def measure_columns(self) -> Columns:
        labels = self.labels
        pi = self.game.prior[:, self.point].T  # (R, T)
        sent = np.einsum("rt,rtm->rm", pi, self.sender)
        acted = np.einsum("rm,rma->ra", sent, self.receiver)
        sender = ident(labels.sender)
        columns: Columns = {f"u_{sender}": self.payoffs[:, 0]}
        columns[f"u_{ident(labels.receiver)}"] = self.payoffs[:, 1]
        for t, name in enumerate(labels.types):
            columns[f"u_{sender}_{ident(name)}"] = self.values[:, t]
        for m, name in enumerate(labels.messages):
            columns[f"p_{ident(name)}"] = sent[:, m]
        for a, name in enumerate(labels.actions):
            columns[f"p_{ident(name)}"] = acted[:, a]
        for m, message in enumerate(labels.messages):
            for t, name in enumerate(labels.types):
                belief = np.where(self.on_path[:, m], self.beliefs[:, m, t], np.nan)
                columns[f"p_{ident(name)}_given_{ident(message)}"] = belief
        columns["separating"] = (self.kind == SEPARATING).astype(float)
        columns["pooling"] = (self.kind == POOLING).astype(float)
        columns["intuitive"] = self.intuitive.astype(float)
        columns["d1"] = self.d1.astype(float)
        columns["n_pbe"] = self.n_pbe[self.point].astype(float)
        columns["regret"] = self.regret
        return columns

    def regimes(self) -> tuple[np.ndarray, None]:
        """ "separating", "pooling on <message>", "partially pooling" or "semi-separating"."""
        names = np.array([*KINDS, *(f"pooling on {m}" for m in self.labels.messages)], dtype=object)
        code = self.kind.astype(int)
        pooled = code == POOLING
        code[pooled] = len(KINDS) + self.sender[pooled, 0].argmax(axis=1)
        return names[code], None

    @cached_property
    def _regime(self) -> np.ndarray:
        return self.regimes()[0]

    def _point_solution(self, i: int) -> SignalingSolution:
        rows = self.rows(i)
        _, u_receiver, atol = self.game.kernel_units(slice(i, i + 1))
        supports = exact_supports(u_receiver[..., 0], atol[1, 0])
        return SignalingSolution(
            [self._equilibrium(r, supports) for r in rows],
            n_pbe=int(self.n_pbe[i]),
            values=self.point_values(i),
            degenerate=self.degenerate[i],
            ties=self.ties[i],
            method=self.method,
            batch=self,
            rows=rows,
        )

    def _equilibrium(self, r: int, supports: Polytopes) -> SignalingEquilibrium:
        """Row r as an equilibrium, ``supports`` the receiver's beliefs at its point
        (:func:`~.beliefs.exact_supports`)."""
        labels, g, i = self.labels, int(self.kept[r]), self.point[r]
        members = self.pbe.members(g)
        sender = {
            t: {m: float(p) for m, p in zip(labels.messages, row)}
            for t, row in zip(labels.types, self.sender[r])
        }
        u_receiver, atol = self.game.u_receiver[..., i], float(self.game.atol[1, i])
        receiver, beliefs, off_path = {}, {}, {}
        for m, message in enumerate(labels.messages):
            if self.on_path[r, m]:
                receiver[message] = dict(zip(labels.actions, map(float, self.receiver[r, m])))
                beliefs[message] = dict(zip(labels.types, map(float, self.beliefs[r, m])))
            else:
                replies = np.unique(self.pbe.found.receiver[members, m].argmax(axis=1))
                off_path[message] = tuple(
                    belief_set(labels, u_receiver, atol, supports, m, a) for a in replies
                )
        why = {"intuitive": why_intuitive(self.pbe, labels, g), "d1": why_d1(self.pbe, labels, g)}
        return SignalingEquilibrium(
            kind=KINDS[int(self.kind[r])],
            regime=str(self._regime[r]),
            sender=sender,
            receiver=receiver,
            beliefs=beliefs,
            off_path=off_path,
            payoffs=dict(zip(self.players, map(float, self.payoffs[r]))),
            values=dict(zip(labels.types, map(float, self.values[r]))),
            intuitive=bool(self.intuitive[r]),
            d1=bool(self.d1[r]),
            why=why,
            ties=bool(self.pbe.found.ties[members].any()),
            regret=float(self.regret[r]),
        )

    def __repr__(self) -> str:
        return (
            f"SignalingBatch({len(self)} points, {len(self.point)} of {len(self.pbe.first)} "
            f"PBE outcomes, refine={self.refine!r})"
        )
