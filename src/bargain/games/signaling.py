"""Signaling games: perfect Bayesian equilibria, their supporting beliefs and refinements.

A sender of privately known type (a prior over types, as formulas) sends a
message (a humanitarian gesture, a prisoner release, nothing); the receiver,
who sees the message but not the type, takes an action. Payoffs are formulas
per (type, message, action) for both. :class:`SignalingGame` enumerates, at
each parameter point, every pure perfect Bayesian equilibrium (PBE) and, for
two types, the semi-separating ones (:mod:`bargain.solvers.signaling`); each
comes with the beliefs after every message (Bayes' rule on the path, the
whole supporting set off it, :class:`BeliefSet`) and the verdicts of the
Intuitive Criterion (Cho and Kreps 1987) and D1 (Banks and Sobel 1987; Cho
and Kreps 1987), which the ``refine`` option applies
(:mod:`bargain.solvers.refinements`). PBE that differ only in the receiver's
replies off the path form one equilibrium outcome, a row of the result. See
docs/signaling.md.
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
from bargain.solvers.arrays import Tolerance, by_point, scaled
from bargain.solvers.beliefs import Polytopes, response_beliefs
from bargain.solvers.refinements import (
    Verdicts,
    belief_supports,
    by_outcome,
    d1_criterion,
    intuitive_criterion,
    joint_supports,
)
from bargain.solvers.signaling import (
    MAX_PROFILES,
    POOLING,
    SEPARATING,
    SignalingArrays,
    signaling_equilibria,
    stack,
)
from bargain.tolerances import PROB_SUM_ATOL, PROB_TOL
from bargain.vocabulary import ident

from .form import CHUNK_SIZE, GameForm, Option, as_is
from .resolution import unresolved_error
from .solution import Columns, EquilibriumBatch, EquilibriumSet
from .spec import SpecReader

#: The values of the ``refine`` option: keep every PBE outcome, or those that survive.
REFINEMENTS = ("none", "intuitive", "d1")
#: The values of the ``mixed`` option.
MIXED = ("semi-separating", "none")
#: Keys of a type's table in a model file besides its messages.
RESERVED = ("name", "prior")
#: Pairs of pure strategies examined per chunk of points (bounds the kernel's memory).
CHUNK_PROFILES = 1 << 21
#: The kinds of equilibria, by their code in :mod:`bargain.solvers.signaling`.
KINDS = ("separating", "pooling", "partially pooling", "semi-separating")


class Labels(NamedTuple):
    """The names in a signaling game: its two players, types, messages and actions."""

    sender: str
    receiver: str
    types: tuple[str, ...]
    messages: tuple[str, ...]
    actions: tuple[str, ...]


# -- what an equilibrium looks like ---------------------------------------------------------


@dataclass(frozen=True, eq=False)
class BeliefSet:
    """The beliefs after an off-path message at which the receiver's reply is a best response.

    A belief ``mu`` (a probability per type) is in the set iff, for every
    other action b, ``sum_t gains[b, t] mu_t >= 0``: the reply earns the
    receiver at least what b earns (within ``atol``). ``vertices`` are the
    set's extreme beliefs (it is their convex hull); for two types it is an
    interval of each type's probability (:meth:`interval`).
    """

    message: str
    action: str
    types: tuple[str, ...]
    others: tuple[str, ...]
    gains: np.ndarray
    vertices: np.ndarray
    atol: float

    def interval(self, type_: str | None = None) -> tuple[float, float]:
        """The least and greatest probability of a type (the first by default) in the set."""
        t = self.types.index(type_) if type_ is not None else 0
        return float(self.vertices[:, t].min()), float(self.vertices[:, t].max())

    def contains(self, belief: Mapping[str, float] | Sequence[float]) -> bool:
        """Whether a belief (type -> probability, or probabilities in type order) is in the set."""
        mu = np.array([belief[t] for t in self.types] if isinstance(belief, Mapping) else belief)
        return bool((self.gains @ mu >= -self.atol).all())

    def inequalities(self) -> list[str]:
        """The binding conditions as text, e.g. ``P(weak) - P(strong) >= 0`` (none: any belief)."""
        out = []
        for other, row in zip(self.others, self.gains):
            if (row >= -self.atol).all():  # holds at every belief
                continue
            terms = " ".join(
                f"{'-' if g < 0 else '+'} {_coefficient(abs(g))}P({t})"
                for g, t in zip(row, self.types)
                if g != 0
            )
            terms = terms.removeprefix("+ ").replace("- ", "-", terms.startswith("- "))
            out.append(f"{terms} >= 0  ({self.action} over {other})")
        return out

    def __str__(self) -> str:
        if len(self.types) == 2:
            low, high = (round(x, 6) + 0.0 for x in self.interval())
            p = f"P({self.types[0]})"
            if low <= 0 and high >= 1:
                return "any belief"
            if low == high:
                return f"{p} = {low:g}"
            if high >= 1:
                return f"{p} >= {low:g}"
            return f"{p} <= {high:g}" if low <= 0 else f"{low:g} <= {p} <= {high:g}"
        shown = [text.split("  (")[0] for text in self.inequalities()]
        return " and ".join(shown) or "any belief"

    def as_dict(self) -> dict[str, Any]:
        """The set as plain data: its action, inequalities, vertices and per-type intervals."""
        return {
            "action": self.action,
            "set": str(self),
            "inequalities": self.inequalities(),
            "vertices": [dict(zip(self.types, map(float, v))) for v in self.vertices],
            "intervals": {t: list(self.interval(t)) for t in self.types},
        }

    def __repr__(self) -> str:
        return f"BeliefSet(after {self.message}: {self.action} iff {self})"


def _coefficient(g: float) -> str:
    return "" if g == 1 else f"{g:.6g}*"


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
        sends = "; ".join(f"{t} -> {_mix(p)}" for t, p in self.sender.items())
        replies = [f"{m}: {_mix(mix)}" for m, mix in self.receiver.items()]
        replies += [
            f"{m}: " + " or ".join(f"{s.action} if {s}" for s in sets)
            for m, sets in self.off_path.items()
        ]
        values = ", ".join(f"{p} {v:.4g}" for p, v in self.payoffs.items())
        verdicts = f"intuitive {_yes(self.intuitive)}, D1 {_yes(self.d1)}"
        return f"PBE({self.regime} | {sends} | {'; '.join(replies)} | {values} | {verdicts})"


def _mix(probabilities: Mapping[str, float]) -> str:
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


# -- the batch -------------------------------------------------------------------------------


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


class SignalingBatch(EquilibriumBatch):
    """PBE outcomes of a signaling game at N points: one row per (point, outcome).

    An outcome is the play on the path of one or more PBE that differ only in
    the receiver's replies to messages no type sends. ``pbe`` holds them all
    (:class:`Equilibria`: every PBE as a strategy profile, and the
    refinements' verdicts); the rows are the outcomes ``refine`` keeps
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
        supports = _exact_supports(u_receiver[..., 0], atol[1, 0])
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
        labels, g = self.labels, int(self.kept[r])
        members = self.pbe.members(g)
        sender = {
            t: {m: float(p) for m, p in zip(labels.messages, row)}
            for t, row in zip(labels.types, self.sender[r])
        }
        receiver, beliefs, off_path = {}, {}, {}
        for m, message in enumerate(labels.messages):
            if self.on_path[r, m]:
                receiver[message] = dict(zip(labels.actions, map(float, self.receiver[r, m])))
                beliefs[message] = dict(zip(labels.types, map(float, self.beliefs[r, m])))
            else:
                replies = np.unique(self.pbe.found.receiver[members, m].argmax(axis=1))
                off_path[message] = tuple(self._belief_set(r, m, a, supports) for a in replies)
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
            why={"intuitive": self._why_intuitive(r), "d1": self._why_d1(r)},
            ties=bool(self.pbe.found.ties[members].any()),
            regret=float(self.regret[r]),
        )

    def _belief_set(self, r: int, m: int, a: int, supports: Polytopes) -> BeliefSet:
        """The beliefs after off-path message m at which reply a is a best response."""
        labels, i = self.labels, self.point[r]
        others = [b for b in range(len(labels.actions)) if b != a]
        u = self.game.u_receiver[:, m, :, i]  # (T, A)
        vertices = supports.vertices[:, :, m, a, 0][supports.valid[:, m, a, 0]]
        return BeliefSet(
            message=labels.messages[m],
            action=labels.actions[a],
            types=labels.types,
            others=tuple(labels.actions[b] for b in others),
            gains=(u[:, a, None] - u[:, others]).T,
            vertices=np.unique(np.round(vertices, 12) + 0.0, axis=0),
            atol=float(self.game.atol[1, i]),
        )

    def _types_text(self, bits: int) -> str:
        return "{" + ", ".join(t for j, t in enumerate(self.labels.types) if bits >> j & 1) + "}"

    def _why_intuitive(self, r: int) -> str:
        g = self.kept[r]
        verdict = self.pbe.outcome_verdicts["intuitive"]
        if verdict.passes[g]:
            return _survives(self.on_path[r])
        labels, i = self.labels, self.point[r]
        m = int(np.argmax(verdict.breaks[g]))
        t, kept = int(verdict.deviator[g, m]), int(verdict.types[g, m])
        ruled_out = (1 << len(labels.types)) - 1 & ~kept
        message, name = labels.messages[m], labels.types[t]
        _, u_receiver, atol = self.game.kernel_units(slice(i, i + 1))
        replies = belief_supports(u_receiver, atol[1])[kept, m, :, 0]
        least = self.game.u_sender[t, m, replies, i].min()
        text = (
            f"fails: {name} would send {message}: it gets {self.values[r, t]:.4g} in "
            f"equilibrium and at least {least:.4g} from {message} whatever {labels.receiver} "
            f"replies to beliefs on {self._types_text(kept)}"
        )
        if ruled_out:
            text += f" ({message} is equilibrium-dominated for {self._types_text(ruled_out)})"
        return text

    def _why_d1(self, r: int) -> str:
        g = self.kept[r]
        verdict = self.pbe.outcome_verdicts["d1"]
        if verdict.passes[g]:
            return _survives(self.on_path[r])
        labels = self.labels
        m = int(np.argmax(verdict.breaks[g]))
        kept = int(verdict.types[g, m])
        deleted = (1 << len(labels.types)) - 1 & ~kept
        replies = np.unique(self.pbe.found.receiver[self.pbe.members(g), m].argmax(axis=1))
        actions = " or ".join(labels.actions[a] for a in replies)
        return (
            f"fails: after {labels.messages[m]} D1 deletes {self._types_text(deleted)} "
            f"(another type gains from it whenever they would), and no reply deterring "
            f"every type ({actions}) is a best response of {labels.receiver} to a belief "
            f"on {self._types_text(kept)}"
        )

    def __repr__(self) -> str:
        return (
            f"SignalingBatch({len(self)} points, {len(self.point)} of {len(self.pbe.first)} "
            f"PBE outcomes, refine={self.refine!r})"
        )


def _exact_supports(u_receiver: np.ndarray, atol: float) -> Polytopes:
    """At one point, (M, A) the beliefs at which each action is exactly a best response,
    or, where none is (a tie within the tolerance), within ``atol``."""
    singles = np.arange(u_receiver.shape[2])[:, None]
    u = u_receiver[..., None]
    exact = response_beliefs(u, np.zeros(1), singles)
    close = response_beliefs(u, np.full(1, atol), singles)
    use = exact.nonempty
    return Polytopes(
        np.where(use, exact.vertices, close.vertices), np.where(use, exact.valid, close.valid)
    )


def _survives(on_path: np.ndarray) -> str:
    return "survives" if not on_path.all() else "survives: every message is sent"


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
    :meth:`SignalingGame.payoff_arrays`); ``points`` the parameter values
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
    t = int(np.flatnonzero(tol.unresolved)[0])
    values = np.stack([u_sender[..., t].ravel(), u_receiver[..., t].ravel()], axis=1)
    at = point_text({k: v[start:] for k, v in points.items()}, t)
    return unresolved_error(values, players, at, int(tol.unresolved.sum()))


# -- the game --------------------------------------------------------------------------------


class SignalingGame(GameForm):
    """A sender with private types sends a message; a receiver sees it and acts.

    Parameters
    ----------
    sender, receiver : the players' names.
    prior : type -> probability (a number or formula); the types in order.
    messages, actions : the sender's messages and the receiver's actions
        (distinct names: their probabilities are the measures ``p_<name>``).
    payoffs : type -> message -> action -> ``(sender payoff, receiver payoff)``,
        numbers or formulas of the parameters.
    params : the parameters the formulas use.

    Solve options: ``refine`` ("none", "intuitive", "d1": the PBE kept as
    rows; every row carries both verdicts), ``mixed`` ("semi-separating" to
    enumerate them for two types, or "none") and ``chunk_size``.

    Examples
    --------
    Beer-quiche (Cho and Kreps 1987): the weak type prefers quiche for
    breakfast, the strong one beer; both prefer not to be dueled, which the
    bully wants only if the sender is weak.

    >>> wants = {"duel": 0, "not": 2}
    >>> def table(liked, weak):
    ...     return {
    ...         m: {a: (wants[a] + (m == liked), int((a == "duel") == weak)) for a in wants}
    ...         for m in ("beer", "quiche")
    ...     }
    >>> game = SignalingGame(
    ...     "A", "B", {"weak": "p", "strong": "1 - p"}, ["beer", "quiche"], ["duel", "not"],
    ...     {"weak": table("quiche", True), "strong": table("beer", False)},
    ...     params=[Param("p", 0.1, 0, 1)],
    ... )
    >>> for eq in game.solve():
    ...     print(eq.regime, "|", eq.off_path, "| IC:", eq.intuitive)
    pooling on beer | {'quiche': (BeliefSet(after quiche: duel iff P(weak) >= 0.5),)} | IC: True
    pooling on quiche | {'beer': (BeliefSet(after beer: duel iff P(weak) >= 0.5),)} | IC: False
    """

    form = "signaling"
    noun = "signaling games"
    options = MappingProxyType(
        {
            "refine": Option("none", REFINEMENTS, help="PBE kept: none, intuitive, d1"),
            "mixed": Option(MIXED[0], MIXED, help="semi-separating PBE (two types) or none"),
            "chunk_size": CHUNK_SIZE,
        }
    )

    def __init__(
        self,
        sender: str,
        receiver: str,
        prior: Mapping[str, Any],
        messages: Sequence[str],
        actions: Sequence[str],
        payoffs: Mapping[str, Mapping[str, Mapping[str, Sequence[Any]]]],
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels([sender, receiver], "players")
        if not isinstance(prior, Mapping):
            raise ModelError(f"prior: expected a mapping type -> probability, got {prior!r}")
        self.labels = Labels(
            sender,
            receiver,
            _names(list(prior), "types"),
            _names(messages, "messages"),
            _names(actions, "actions"),
        )
        self.types, self.messages, self.actions = self.labels[2:]
        both = set(self.messages) & set(self.actions)
        if both:
            raise ModelError(
                f"actions: {sorted(both)} also name messages; messages and actions need "
                "distinct names (their probabilities are the measures p_<name>)"
            )
        for i, m in enumerate(self.messages):
            if m in RESERVED:
                raise ModelError(
                    f"messages[{i}]: '{m}' is reserved (a type's table in a model file holds its "
                    f"{' and '.join(RESERVED)}); rename the message"
                )
        self.prior = [formula.as_expr(prior[t], self.params, f"prior[{t!r}]") for t in self.types]
        self.payoffs = self._read_payoffs(payoffs)
        exprs = [*self.prior, *self._entries()]
        used = set().union(*map(formula.free_names, exprs))
        self._inputs = tuple(n for n in self.params.names if n in used)
        self._function = formula.compile_formulas(exprs, self._inputs)

    @classmethod
    def from_arrays(
        cls,
        prior: Any,
        u_sender: Any,
        u_receiver: Any,
        *,
        sender: str = "sender",
        receiver: str = "receiver",
        types: Sequence[str] | None = None,
        messages: Sequence[str] | None = None,
        actions: Sequence[str] | None = None,
    ) -> SignalingGame:
        """A numeric game: ``prior`` (T,), payoffs (T, M, A) for sender and receiver."""
        prior = np.asarray(prior, dtype=float)
        u_sender, u_receiver = (np.asarray(u, dtype=float) for u in (u_sender, u_receiver))
        if prior.ndim != 1 or u_sender.ndim != 3 or u_sender.shape != u_receiver.shape:
            raise ModelError(
                "from_arrays: expected prior (T,) and two payoff arrays of one shape (T, M, A), "
                f"got {prior.shape}, {u_sender.shape} and {u_receiver.shape}"
            )
        if u_sender.shape[0] != len(prior):
            raise ModelError(
                f"from_arrays: {len(prior)} types in the prior, {u_sender.shape[0]} in the payoffs"
            )
        n_types, n_messages, n_actions = u_sender.shape
        types = types or [f"t{t + 1}" for t in range(n_types)]
        messages = messages or [f"m{m + 1}" for m in range(n_messages)]
        actions = actions or [f"a{a + 1}" for a in range(n_actions)]
        payoffs = {
            t: {
                m: {a: (u_sender[i, j, k], u_receiver[i, j, k]) for k, a in enumerate(actions)}
                for j, m in enumerate(messages)
            }
            for i, t in enumerate(types)
        }
        return cls(sender, receiver, dict(zip(types, prior)), messages, actions, payoffs)

    def _read_payoffs(
        self, payoffs: Mapping[str, Any]
    ) -> dict[str, dict[str, dict[str, tuple[sympy.Basic, sympy.Basic]]]]:
        same_keys(payoffs, self.types, "payoffs", "type")
        out: dict[str, dict[str, dict[str, tuple[sympy.Basic, sympy.Basic]]]] = {}
        for t in self.types:
            where = f"payoffs[{t!r}]"
            same_keys(payoffs[t], self.messages, where, "message")
            out[t] = {}
            for m in self.messages:
                at = f"{where}[{m!r}]"
                same_keys(payoffs[t][m], self.actions, at, "action")
                out[t][m] = {}
                for a in self.actions:
                    pair, here = payoffs[t][m][a], f"{at}[{a!r}]"
                    if (
                        isinstance(pair, str | bytes)
                        or not isinstance(pair, Sequence)
                        or len(pair) != 2
                    ):
                        raise ModelError(
                            f"{here}: expected a pair (payoff of {self.players[0]}, payoff of "
                            f"{self.players[1]}), got {pair!r}"
                        )
                    out[t][m][a] = tuple(
                        formula.as_expr(v, self.params, f"{here}[{i}]") for i, v in enumerate(pair)
                    )
        return out

    def _entries(self) -> list[sympy.Basic]:
        """Both players' payoffs (sender's first) per (type, message, action), in C order."""
        return [
            e
            for t in self.types
            for m in self.messages
            for a in self.actions
            for e in self.payoffs[t][m][a]
        ]

    # -- evaluation -----------------------------------------------------------------------

    def payoff_arrays(
        self, points: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The prior (T, N) and both players' payoffs (T, M, A, N) at N bound points.

        Raises a ModelError naming the entry and the point where a value is not
        finite, a prior probability is negative or the prior does not sum to 1.
        """
        n = batch_size(points)
        n_types, n_messages, n_actions = map(len, (self.types, self.messages, self.actions))
        values = np.empty((n_types * (1 + 2 * n_messages * n_actions), n))
        self._function(*(points[name] for name in self._inputs), out=values)
        prior = values[:n_types]
        pairs = values[n_types:].reshape(n_types, n_messages, n_actions, 2, n)
        bad = ~np.isfinite(values)
        if bad.any():
            entry, t = (int(x[0]) for x in np.nonzero(bad))
            if entry < n_types:
                what = f"prior[{self.types[entry]!r}] = {self.prior[entry]}"
            else:
                i, m, a, player = np.unravel_index(
                    entry - n_types, (n_types, n_messages, n_actions, 2)
                )
                names = (self.types[i], self.messages[m], self.actions[a])
                where = "".join(f"[{x!r}]" for x in names) + f"[{player}]"
                what = f"payoffs{where} = {self._entries()[entry - n_types]}"
            raise ModelError(f"{what} is not finite at {point_text(points, t)}")
        if (prior < -PROB_SUM_ATOL).any():
            j, t = (int(x[0]) for x in np.nonzero(prior < -PROB_SUM_ATOL))
            raise ModelError(
                f"prior[{self.types[j]!r}] = {self.prior[j]} is {prior[j, t]:.6g} at "
                f"{point_text(points, t)}: expected a probability"
            )
        total = prior.sum(axis=0)
        off = np.abs(total - 1) > PROB_SUM_ATOL
        if off.any():
            t = int(np.flatnonzero(off)[0])
            raise ModelError(
                f"the types' prior probabilities sum to {total[t]:.6g} at "
                f"{point_text(points, t)}, expected 1"
            )
        return np.clip(prior, 0.0, None), pairs[..., 0, :], pairs[..., 1, :]

    # -- solving --------------------------------------------------------------------------

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> SignalingBatch:
        """The PBE at N points (``points``: name -> N values; others at their defaults).

        Options: ``refine`` -- "none" (every PBE, the default), "intuitive" or
        "d1" (the PBE that survive; ``n_pbe`` still counts them all and every
        row carries both verdicts); ``mixed`` -- "semi-separating" (two types:
        also the PBE in which the sender mixes, the default) or "none";
        ``chunk_size`` -- points solved at once.
        """
        options = self.check_options(options)
        refine = options.get("refine", "none")
        bound = self.params.bind_batch(points)
        prior, u_sender, u_receiver = self.payoff_arrays(bound)
        result = solve_arrays(
            self.labels,
            bound,
            prior,
            u_sender,
            u_receiver,
            refine=refine,
            mixed=options.get("mixed", MIXED[0]) == MIXED[0],
            chunk_size=options.get("chunk_size"),
        )
        _warn_degenerate(result)
        result.warn_empty(_why_empty(result))
        return result

    def point_measures(self) -> tuple[str, ...]:
        """``n_pbe``: the PBE outcomes at the point, refined or not."""
        return ("n_pbe",)

    def measure_names(self) -> list[str]:
        """``u_<sender>``, ``u_<receiver>``, ``u_<sender>_<type>``, ``p_<message>``,
        ``p_<action>``, ``p_<type>_given_<message>``, ``separating``, ``pooling``,
        ``intuitive``, ``d1``, ``n_pbe``, ``regret``, ``n_equilibria``."""
        sender, receiver = map(ident, self.players)
        names = [f"u_{sender}", f"u_{receiver}"]
        names += [f"u_{sender}_{ident(t)}" for t in self.types]
        names += [f"p_{ident(x)}" for x in (*self.messages, *self.actions)]
        names += [f"p_{ident(t)}_given_{ident(m)}" for m in self.messages for t in self.types]
        return [
            *names,
            "separating",
            "pooling",
            "intuitive",
            "d1",
            "n_pbe",
            "regret",
            "n_equilibria",
        ]

    # -- model files ----------------------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        types = []
        for t, prior in zip(self.types, self.prior):
            table: dict[str, Any] = {"name": t, "prior": render(prior)}
            for m in self.messages:
                table[m] = {a: [render(e) for e in self.payoffs[t][m][a]] for a in self.actions}
            types.append(table)
        return {
            "form": self.form,
            "sender": self.players[0],
            "receiver": self.players[1],
            "messages": list(self.messages),
            "actions": list(self.actions),
            "types": types,
        }

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> SignalingGame:
        required = ["form", "sender", "receiver", "messages", "actions", "types"]
        table = reader.table(table, "game", required)
        sender = reader.string(table["sender"], "game.sender")
        receiver = reader.string(table["receiver"], "game.receiver")
        messages = reader.labels(table["messages"], "game.messages")
        actions = reader.labels(table["actions"], "game.actions")
        for i, a in enumerate(actions):
            if a in messages:
                raise reader.error(
                    f"game.actions[{i}]",
                    f"'{a}' also names a message; messages and actions need distinct names "
                    "(their probabilities are the measures p_<name>)",
                )
        for i, m in enumerate(messages):
            if m in RESERVED:
                raise reader.error(
                    f"game.messages[{i}]",
                    f"'{m}' is reserved (each [[game.types]] table holds a type's "
                    f"{' and '.join(RESERVED)}); rename the message",
                )
        prior: dict[str, Any] = {}
        payoffs: dict[str, Any] = {}
        for i, item in enumerate(reader.array(table["types"], "game.types")):
            path = f"game.types[{i}]"
            item = reader.table(item, path, [*RESERVED, *messages])
            name = reader.string(item["name"], f"{path}.name")
            if not name or name in prior:
                problem = "is listed twice" if name else "is empty"
                raise reader.error(f"{path}.name", f"type name {name!r} {problem}")
            prior[name] = reader.formula(item["prior"], f"{path}.prior", params)
            payoffs[name] = {
                m: _replies(reader, item[m], key(path, m), actions, params, sender, receiver)
                for m in messages
            }
        with reader.located("game"):
            game = cls(sender, receiver, prior, messages, actions, payoffs, params)
        with reader.located("game.types"):  # the prior and payoffs at the defaults
            game.payoff_arrays(params.bind_batch({}))
        return game

    def __repr__(self) -> str:
        params = f", params={list(self.params.names)}" if len(self.params) else ""
        return (
            f"SignalingGame({self.players[0]!r} -> {self.players[1]!r}: types {list(self.types)}, "
            f"messages {list(self.messages)}, actions {list(self.actions)}{params})"
        )


def _names(values: Any, where: str) -> tuple[str, ...]:
    """Distinct labels, two at least for types and messages."""
    names = labels(values, where)
    if where != "actions" and len(names) < 2:
        raise ModelError(f"{where}: a signaling game needs at least two {where}, got {list(names)}")
    return names


def _replies(
    reader: SpecReader,
    value: object,
    path: str,
    actions: list[str],
    params: ParamSpace,
    sender: str,
    receiver: str,
) -> dict[str, tuple[Any, Any]]:
    """A type's payoffs after one message: action -> [sender payoff, receiver payoff]."""
    table = reader.table(value, path, actions, what="action")
    out = {}
    for a in actions:
        here = key(path, a)
        pair = table[a]
        if not isinstance(pair, list) or len(pair) != 2:
            got = f"an array of {len(pair)}" if isinstance(pair, list) else describe(pair)
            raise reader.error(
                here, f"expected [payoff of {sender}, payoff of {receiver}], got {got}"
            )
        out[a] = tuple(reader.formula(v, f"{here}[{i}]", params) for i, v in enumerate(pair))
    return out


def _warn_degenerate(result: SignalingBatch) -> None:
    count = int(result.degenerate.sum())
    if count:
        where = "the game has" if len(result) == 1 else f"{count} of {len(result)} games have"
        warn(
            f"{where} payoff ties on the path of some PBE (a player indifferent, e.g. between "
            "costless messages): every PBE reported is verified, but mixed ones may form "
            "continua there; see the 'degenerate' flag",
            DegenerateGameWarning,
        )


def _why_empty(result: SignalingBatch) -> str:
    """Why points have no row: no PBE of the kinds enumerated, or none survives ``refine``."""
    empty = result.count == 0
    refined = int((empty & (result.n_pbe > 0)).sum())
    none = int((empty & (result.n_pbe == 0)).sum())
    mixed = "semi-separating" in result.method
    unlisted = (
        f"no {'pure or semi-separating' if mixed else 'pure'} PBE (the equilibria mix in "
        "ways not enumerated; see docs/signaling.md)"
    )
    if not refined:
        return unlisted
    name = "the Intuitive Criterion" if result.refine == "intuitive" else "D1"
    survives = (
        f"no PBE survives {name} (refine='none' lists every PBE and why it fails; "
        "'n_pbe' counts them)"
    )
    if not none:
        return survives
    return f"at {refined} {survives}; at {none} {unlisted}"
