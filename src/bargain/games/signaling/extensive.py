"""A signaling game as its tree at one point, with the strategies of one perfect Bayesian
equilibrium, as an :class:`~bargain.games.extensive.ExtensiveForm`
(:meth:`SignalingGame.extensive_form <bargain.games.signaling.SignalingGame.extensive_form>`).

Nature picks the sender's type (the prior); each type sends a message; the
receiver, who sees the message but not the type, acts at one information set
per message. Every second type lists its messages in reverse order, so that
with two types and two messages one information set joins neighbours and the
picture is the familiar one (Cho and Kreps 1987, Figure I).
"""

from __future__ import annotations

import numpy as np

from ..extensive import NATURE, Branch, ExtensiveForm, Node
from .labels import Labels
from .solution import SignalingEquilibrium

#: What the equilibria of a signaling game are.
CONCEPT = "perfect Bayesian equilibrium"


def signaling_tree(
    labels: Labels,
    arrays: tuple[np.ndarray, np.ndarray, np.ndarray],
    equilibrium: SignalingEquilibrium | None,
) -> ExtensiveForm:
    """The tree of the game named by ``labels`` whose prior (T,) and sender's and
    receiver's payoffs (T, M, A) at one point are ``arrays``, with the strategies of
    ``equilibrium`` (None: none)."""
    sender, receiver, types, messages, actions = labels
    prior, u_sender, u_receiver = arrays
    nodes = [Node("chance", NATURE, NATURE)]
    branches: list[Branch] = []
    sets: dict[str, list[int]] = {m: [] for m in messages}
    for t, type_ in enumerate(types):
        at_type = len(nodes)
        nodes.append(Node("decision", type_, sender))
        branches.append(Branch(0, at_type, type_, float(prior[t])))
        order = list(enumerate(messages))
        for m, message in order[::-1] if t % 2 else order:
            at_message = len(nodes)
            nodes.append(Node("decision", f"{type_}/{message}", receiver))
            sets[message].append(at_message)
            sent = equilibrium.sender[type_][message] if equilibrium is not None else None
            branches.append(Branch(at_type, at_message, message, sent))
            replies = _replies(equilibrium, message)
            for a, action in enumerate(actions):
                leaf = len(nodes)
                payoffs = (float(u_sender[t, m, a]), float(u_receiver[t, m, a]))
                nodes.append(Node("terminal", f"{type_}/{message}/{action}", "", payoffs))
                reply = replies.get(action, 0.0) if replies is not None else None
                branches.append(Branch(at_message, leaf, action, reply))
    infosets = tuple(tuple(members) for members in sets.values())
    return ExtensiveForm((sender, receiver), tuple(nodes), tuple(branches), infosets, CONCEPT)


def _replies(equilibrium: SignalingEquilibrium | None, message: str) -> dict[str, float] | None:
    """The receiver's reply to ``message``: its mixture on the path; off the path, the
    first reply that keeps every type from sending it."""
    if equilibrium is None:
        return None
    if message in equilibrium.receiver:
        return equilibrium.receiver[message]
    return {equilibrium.off_path[message][0].action: 1.0}
