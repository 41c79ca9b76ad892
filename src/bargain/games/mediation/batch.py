"""PBE outcomes of a mediation game at N points: one row per (point, outcome).

:class:`MediationBatch` takes the mediator's signaling game solved (every PBE
outcome, :class:`~bargain.games.signaling.SignalingBatch`), groups its rows
into outcomes (:mod:`.outcomes`), keeps those ``refine`` and ``keep`` leave,
and gives their payoffs in the mediation game (:func:`~.reduction.expected_payoffs`),
measures, regimes and ties (:mod:`.ties`).
"""

from __future__ import annotations

from functools import cached_property

import numpy as np

from bargain.tolerances import SELECTION_RTOL
from bargain.vocabulary import ident

from ..signaling import SignalingBatch, SignalingEquilibrium
from ..solution import Columns, EquilibriumBatch
from .labels import MediationLabels
from .outcomes import group_outcomes, informative, pure
from .reduction import MediationArrays, Reduced, expected_payoffs
from .solution import (
    BABBLING,
    INFORMATIVE,
    PARTIALLY_INFORMATIVE,
    REGIMES,
    MediationEquilibrium,
    MediationSolution,
)
from .ties import tied_rows

#: The values of the ``keep`` option and what each keeps of the outcomes ``refine`` leaves.
KEEP = {
    "all": "every PBE outcome",
    "receiver-best": "the outcomes best for the receiver (all of them if tied)",
}


class MediationBatch(EquilibriumBatch):
    """PBE outcomes of a mediation game at N points: one row per (point, outcome).

    ``signaling`` is the mediator's signaling game solved
    (:class:`~bargain.games.signaling.SignalingBatch`, every PBE outcome);
    ``outcomes`` groups its rows (:class:`~.outcomes.Outcomes`); the rows are the
    outcomes ``refine`` and ``keep`` leave (``kept``, outcome numbers), each shown by a
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
        # Every outcome, each shown by a representative signaling row.
        induced = signaling.sender @ signaling.receiver  # (G_s, S, A)
        occurs = reduced.occurs(signaling.point)  # (G_s, S)
        self.outcomes = outcomes = group_outcomes(signaling.point, induced, occurs)
        self.n_pbe = np.bincount(outcomes.point, minlength=n)
        failing = np.zeros(len(outcomes.group), bool)  # signaling rows
        survives = np.ones(len(outcomes.point), bool)  # outcomes
        if refine != "none":  # shown by a PBE that survives, if one does
            failing, survives = ~getattr(signaling, refine), self._verdict(refine)
        every = outcomes.representatives(failing)
        payoffs = self._expected(every)[0]
        informs = informative(induced[every], reduced.occurs(outcomes.point))
        self.informative_exists = (
            np.bincount(outcomes.point, weights=informs & survives, minlength=n) > 0
        )
        # The outcomes kept, as rows.
        chosen = survives.copy()
        if keep == "receiver-best":
            chosen &= self._receiver_best(payoffs[:, 2], survives)
        self.kept = np.flatnonzero(chosen)
        self.representative = r = every[self.kept]
        self.point = outcomes.point[self.kept]
        self.sender, self.receiver = signaling.sender[r], signaling.receiver[r]
        self.on_path, self.signal_beliefs = signaling.on_path[r], signaling.beliefs[r]
        self.induced = induced[r]
        self.payoffs, self.values, self.given_type = self._expected(r)
        self.informative = informs[self.kept]
        self.code = np.where(self.informative, PARTIALLY_INFORMATIVE, BABBLING)
        self.code[self.informative & pure(self.induced, reduced.occurs(self.point))] = INFORMATIVE
        # Ties, per point and per outcome.
        tied = tied_rows(signaling)
        self.ties = np.bincount(signaling.point, weights=tied, minlength=n) > 0
        self.degenerate = self.ties.copy()
        self._tied_outcome = outcomes.any_row(tied)

    def _verdict(self, criterion: str) -> np.ndarray:
        """(G,) whether some signaling PBE outcome of each outcome passes the criterion."""
        return self.outcomes.any_row(getattr(self.signaling, criterion))

    def _receiver_best(self, receiver: np.ndarray, survives: np.ndarray) -> np.ndarray:
        """(G,) whether each outcome is within SELECTION_RTOL of the receiver's best one."""
        point = self.outcomes.point
        best = np.full(len(self.n_pbe), -np.inf)
        np.maximum.at(best, point[survives], receiver[survives])
        return receiver >= best[point] - SELECTION_RTOL * self.payoff_range[point, 2]

    def _expected(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For signaling rows: each player's expected payoff (R, 3), the informed party's
        per type (R, T) and P(action | type) (R, T, A)."""
        s = self.signaling
        return expected_payoffs(self.game, s.point[rows], s.sender[rows], s.receiver[rows])

    # -- the protocol ---------------------------------------------------------------------

    @cached_property
    def intuitive(self) -> np.ndarray:
        """(R,) whether some PBE of each outcome survives the Intuitive Criterion."""
        return self._verdict("intuitive")[self.kept]

    @cached_property
    def d1(self) -> np.ndarray:
        """(R,) whether some PBE of each outcome survives D1."""
        return self._verdict("d1")[self.kept]

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
        order, starts = self.outcomes.members()
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
