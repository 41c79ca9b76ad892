"""A signaling game (:class:`~bargain.games.SignalingGame`) drawn as its tree, with one
of its perfect Bayesian equilibria, as a :class:`~.shape.TreeShape`.

Nature picks the sender's type (the prior); each type sends a message; the
receiver, who sees the message but not the type, acts at one information set
per message. Every second type lists its messages in reverse order, so that
with two types and two messages one information set joins neighbours and the
picture is the familiar one (Cho and Kreps 1987, Figure I).
"""

from __future__ import annotations

from collections.abc import Mapping

from bargain.games import SignalingEquilibrium, SignalingGame

from .shape import NATURE, Branch, Node, TreeShape


def signaling_shape(
    game: SignalingGame,
    equilibrium: SignalingEquilibrium | None,
    values: Mapping[str, float],
    what: str,
) -> TreeShape:
    """The game's tree at the point ``values`` with the strategies of ``equilibrium``
    (None: no equilibrium to highlight), described by ``what``."""
    sender, receiver = game.players
    prior, u_sender, u_receiver = game.payoff_arrays(game.params.bind_batch(dict(values)))
    nodes = [Node("chance", NATURE, NATURE)]
    branches: list[Branch] = []
    sets: dict[str, list[int]] = {m: [] for m in game.messages}
    for t, type_ in enumerate(game.types):
        at_type = len(nodes)
        nodes.append(Node("decision", type_, sender))
        branches.append(Branch(0, at_type, type_, float(prior[t, 0])))
        order = list(enumerate(game.messages))
        for m, message in order[::-1] if t % 2 else order:
            at_message = len(nodes)
            nodes.append(Node("decision", f"{type_}/{message}", receiver))
            sets[message].append(at_message)
            sent = equilibrium.sender[type_][message] if equilibrium else None
            branches.append(Branch(at_type, at_message, message, sent))
            replies = _replies(equilibrium, message)
            for a, action in enumerate(game.actions):
                leaf = len(nodes)
                payoffs = (float(u_sender[t, m, a, 0]), float(u_receiver[t, m, a, 0]))
                nodes.append(Node("terminal", f"{type_}/{message}/{action}", "", payoffs))
                reply = replies.get(action, 0.0) if replies is not None else None
                branches.append(Branch(at_message, leaf, action, reply))
    infosets = tuple(tuple(members) for members in sets.values())
    return TreeShape((sender, receiver), tuple(nodes), tuple(branches), infosets, what)


def _replies(equilibrium: SignalingEquilibrium | None, message: str) -> dict[str, float] | None:
    """The receiver's reply to ``message``: its mixture on the path; off the path, the
    first reply that keeps every type from sending it."""
    if equilibrium is None:
        return None
    if message in equilibrium.receiver:
        return equilibrium.receiver[message]
    return {equilibrium.off_path[message][0].action: 1.0}
