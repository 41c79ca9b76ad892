"""The names in a mediation game and the rules they follow: three players, the informed
party's types, the mediator's signals and messages, the receiver's actions (every array
of the form is indexed in their order)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from bargain.checks import labels
from bargain.errors import ModelError
from bargain.vocabulary import ident

from ..signaling import Labels

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
        """The informed party, the mediator and the receiver, in the payoffs' order."""
        return (self.informed, self.mediator, self.receiver)

    @property
    def signaling(self) -> Labels:
        """The names in the mediator's signaling game, whose types are its signals."""
        return Labels(self.mediator, self.receiver, self.signals, self.messages, self.actions)


def payoff_names(informed: str, receiver: str) -> tuple[str, str]:
    """``u_<informed>`` and ``u_<receiver>``: the others' payoffs as ``mediator_payoff``
    names them."""
    return (f"u_{ident(informed)}", f"u_{ident(receiver)}")


def at_least_two(values: Any, where: str) -> tuple[str, ...]:
    """Distinct labels, at least two (a single type, signal or message conveys nothing)."""
    names = labels(values, where)
    if len(names) < 2:
        raise ModelError(f"{where}: a mediation game needs at least two {where}, got {list(names)}")
    return names


def check_actions(messages: Sequence[str], actions: Sequence[str], prefix: str = "") -> None:
    """A ModelError unless the actions are named apart from the messages (their
    probabilities are measures) and from the keys of a type's table (:data:`RESERVED`);
    ``prefix`` starts the key path in the message (``"game."`` in a model file)."""
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
