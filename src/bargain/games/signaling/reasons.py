"""Why an equilibrium outcome survives the Intuitive Criterion or D1, or fails it, as text.

The verdicts come from :mod:`bargain.solvers.refinements`, per outcome
(:attr:`~.equilibria.Equilibria.outcome_verdicts`); a failing outcome names
the first message that breaks it and what the criterion found there.
"""

from __future__ import annotations

import numpy as np

from bargain.solvers.refinements import belief_supports

from .equilibria import Equilibria
from .labels import Labels


def why_intuitive(pbe: Equilibria, labels: Labels, g: int) -> str:
    """Outcome g and the Intuitive Criterion: "survives", or the type that would send an
    off-path message, what it gets in equilibrium and the least it gets from the message."""
    found, k = pbe.found, pbe.first[g]  # a PBE of the outcome: its play on the path
    verdict = pbe.outcome_verdicts["intuitive"]
    if verdict.passes[g]:
        return _survives(found.on_path[k])
    i = found.point[k]
    m = int(np.argmax(verdict.breaks[g]))
    t, kept = int(verdict.deviator[g, m]), int(verdict.types[g, m])
    ruled_out = (1 << len(labels.types)) - 1 & ~kept
    message, name = labels.messages[m], labels.types[t]
    _, u_receiver, atol = pbe.game.kernel_units(slice(i, i + 1))
    replies = belief_supports(u_receiver, atol[1])[kept, m, :, 0]
    least = pbe.game.u_sender[t, m, replies, i].min()
    text = (
        f"fails: {name} would send {message}: it gets {found.values[k, t]:.4g} in "
        f"equilibrium and at least {least:.4g} from {message} whatever {labels.receiver} "
        f"replies to beliefs on {_types_text(labels, kept)}"
    )
    if ruled_out:
        text += f" ({message} is equilibrium-dominated for {_types_text(labels, ruled_out)})"
    return text


def why_d1(pbe: Equilibria, labels: Labels, g: int) -> str:
    """Outcome g and D1: "survives", or the types D1 deletes after an off-path message
    and the replies that no belief on the others supports."""
    verdict = pbe.outcome_verdicts["d1"]
    if verdict.passes[g]:
        return _survives(pbe.found.on_path[pbe.first[g]])
    m = int(np.argmax(verdict.breaks[g]))
    kept = int(verdict.types[g, m])
    deleted = (1 << len(labels.types)) - 1 & ~kept
    replies = np.unique(pbe.found.receiver[pbe.members(g), m].argmax(axis=1))
    actions = " or ".join(labels.actions[a] for a in replies)
    return (
        f"fails: after {labels.messages[m]} D1 deletes {_types_text(labels, deleted)} "
        f"(another type gains from it whenever they would), and no reply deterring "
        f"every type ({actions}) is a best response of {labels.receiver} to a belief "
        f"on {_types_text(labels, kept)}"
    )


def _survives(on_path: np.ndarray) -> str:
    return "survives" if not on_path.all() else "survives: every message is sent"


def _types_text(labels: Labels, bits: int) -> str:
    """The set of types ``bits`` (type t is ``1 << t``), e.g. ``{weak, strong}``."""
    return "{" + ", ".join(t for j, t in enumerate(labels.types) if bits >> j & 1) + "}"
