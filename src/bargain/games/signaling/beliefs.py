"""The beliefs supporting a reply to an off-path message: :class:`BeliefSet` and its text.

After a message no type sends, Bayes' rule says nothing: a reply is part of a
PBE when it is a best response to some belief, and the beliefs at which it is
one form a polytope (:mod:`bargain.solvers.beliefs`). :func:`belief_set`
builds it at one point, from the vertices :func:`exact_supports` finds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bargain.solvers.beliefs import Polytopes, response_beliefs

from .labels import Labels


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


def exact_supports(u_receiver: np.ndarray, atol: float) -> Polytopes:
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


def belief_set(
    labels: Labels,
    u_receiver: np.ndarray,
    atol: float,
    supports: Polytopes,
    m: int,
    a: int,
) -> BeliefSet:
    """The beliefs after off-path message m at which reply a is a best response, at one
    point: ``u_receiver`` (T, M, A) and ``atol`` the receiver's payoffs and tolerance
    there, ``supports`` its vertices (:func:`exact_supports`)."""
    others = [b for b in range(len(labels.actions)) if b != a]
    u = u_receiver[:, m, :]  # (T, A)
    vertices = supports.vertices[:, :, m, a, 0][supports.valid[:, m, a, 0]]
    return BeliefSet(
        message=labels.messages[m],
        action=labels.actions[a],
        types=labels.types,
        others=tuple(labels.actions[b] for b in others),
        gains=(u[:, a, None] - u[:, others]).T,
        vertices=np.unique(np.round(vertices, 12) + 0.0, axis=0),
        atol=atol,
    )
