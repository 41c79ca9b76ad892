"""PBE outcomes of a mediation game at one point, as users see them.

:class:`MediationEquilibrium` is one outcome: what the mediator says, what the
receiver believes and does, what everyone expects and the refinements'
verdicts; :class:`MediationSolution` the outcomes of one point, with whether
an informative one exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..signaling import BeliefSet, mixture_text
from ..solution import EquilibriumSet

#: Regime labels, by code.
REGIMES = ("babbling", "partially informative", "informative")
BABBLING, PARTIALLY_INFORMATIVE, INFORMATIVE = range(3)


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
        says = "; ".join(f"{s} -> {mixture_text(p)}" for s, p in self.mediator.items())
        does = "; ".join(f"{m}: {mixture_text(p)}" for m, p in self.receiver.items())
        acts = ", ".join(f"{a} {p:.4g}" for a, p in self.action_probabilities.items())
        values = ", ".join(f"{p} {v:.4g}" for p, v in self.payoffs.items())
        return f"MediationPBE({self.regime} | {says} | {does} | {acts} | {values})"


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
