"""Perfect Bayesian equilibria of game trees of the sender–receiver shape.

A tree whose root is a chance move drawing the sender's type, in which the
sender knows its type and sends a message (its move), and the receiver sees
the message but not the type and then acts, each action ending the game, is a
signaling game: :func:`sender_receiver` reads it as one (the tree's own
formulas), and its perfect Bayesian equilibria — strategies, beliefs at every
information set of the receiver, with the set of off-path beliefs that
support them — come from :mod:`bargain.games.signaling`.
:class:`PerfectBayesianBatch` gives them back with the tree's terminal nodes:
``reach_<terminal>`` measures and outcome sets.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from bargain.errors import ModelError
from bargain.params import ParamSpace
from bargain.vocabulary import ident

from ..signaling import SignalingBatch, SignalingGame, SignalingSolution
from ..solution import Columns, EquilibriumBatch

#: The shape ``concept="pbe"`` solves, for messages about other trees.
SHAPE = (
    "a chance move at the root drawing the sender's type; one decision node of the sender "
    "per type, each its own information set, all with the same moves (the messages); after "
    "each message one decision node of the receiver per type, those after one message forming "
    "one information set, all with the same moves (the actions); every action ending the game"
)


class SenderReceiver(NamedTuple):
    """A tree read as a signaling game, and the terminal node of each (type, message, action)."""

    game: SignalingGame
    terminals: np.ndarray  # (T, M, A) indices into the tree's terminal nodes


def sender_receiver(
    nodes: Mapping[Hashable, Mapping[str, Any]],
    players: Sequence[str],
    params: ParamSpace,
    terminals: Sequence[Hashable],
) -> SenderReceiver:
    """The signaling game of a tree of the sender–receiver shape (:data:`SHAPE`).

    ``nodes`` are the tree's nodes by id, the root first; ``terminals`` its
    terminal node ids in order. Any other tree is refused with a one-line
    ModelError that names the node at fault and what to use instead.
    """
    root = next(iter(nodes))
    if len(players) != 2:
        _refuse(f"the tree has {len(players)} players, a signaling game two")
    if nodes[root]["kind"] != "chance":
        _refuse(f"the root {root!r} is not a chance node")
    draws = nodes[root]["moves"]
    types = list(draws)
    senders = [_decision(nodes, draws[t], f"type {t!r}") for t in types]
    sender = senders[0]["player"]
    messages = list(senders[0]["moves"])
    infosets = [s["infoset"] for s in senders if s["infoset"] is not None]
    if len(set(infosets)) < len(infosets):
        _refuse("two types' nodes of the sender share an information set: it must know its type")
    receiver = next(p for p in players if p != sender)
    actions: list[str] | None = None
    index = {t: i for i, t in enumerate(terminals)}
    reach = np.zeros((len(types), len(messages), 0), dtype=np.intp)
    payoffs: dict[str, dict[str, dict[str, tuple[Any, Any]]]] = {}
    receiver_sets: dict[str, Hashable] = {}
    for t, node in zip(types, senders):
        where = f"the sender's node {draws[t]!r}"
        if node["player"] != sender or list(node["moves"]) != messages:
            _refuse(f"{where} is not {sender!r}'s with the moves {messages}")
        payoffs[t] = {}
        for m in messages:
            child = node["moves"][m]
            answer = _decision(nodes, child, f"message {m!r} of type {t!r}")
            if answer["player"] != receiver:
                _refuse(f"node {child!r} after a message is not the receiver's ({receiver!r})")
            if actions is None:
                actions = list(answer["moves"])
                reach = np.zeros((len(types), len(messages), len(actions)), dtype=np.intp)
            if list(answer["moves"]) != actions:
                _refuse(f"node {child!r} does not have the receiver's moves {actions}")
            infoset = answer["infoset"] if answer["infoset"] is not None else child
            if receiver_sets.setdefault(m, infoset) != infoset:
                _refuse(
                    f"node {child!r}: the receiver's nodes after {m!r} are not one information "
                    "set (it would see the type)"
                )
            payoffs[t][m] = {}
            for a in actions:
                end = answer["moves"][a]
                if nodes[end]["kind"] != "terminal":
                    _refuse(f"node {end!r} after action {a!r} is not a terminal node")
                values = nodes[end]["payoffs"]
                payoffs[t][m][a] = (values[sender], values[receiver])
                reach[types.index(t), messages.index(m), actions.index(a)] = index[end]
    if len(set(receiver_sets.values())) < len(receiver_sets):
        _refuse("the receiver's nodes after two messages share an information set")
    prior = {t: nodes[root]["probs"][t] for t in types}
    try:
        game = SignalingGame(sender, receiver, prior, messages, actions or [], payoffs, params)
    except ModelError as exc:
        raise ModelError(f"concept='pbe': the tree as a signaling game: {exc}") from None
    return SenderReceiver(game, reach)


def _decision(nodes: Mapping[Hashable, Mapping[str, Any]], v: Hashable, after: str) -> Any:
    if nodes[v]["kind"] != "decision":
        _refuse(f"node {v!r} after {after} is a {nodes[v]['kind']} node, not a decision node")
    return nodes[v]


def _refuse(why: str) -> None:
    raise ModelError(
        f"concept='pbe' solves trees of the sender–receiver shape: {why}. "
        "Use concept='spe' (subgame-perfect equilibria), or write the game as "
        'form = "signaling"'
    )


class PerfectBayesianBatch(EquilibriumBatch):
    """PBE outcomes of a sender–receiver tree at N points: the signaling game's rows
    (``signaling``, a :class:`~bargain.games.signaling.SignalingBatch`) with the tree's
    terminal nodes: ``reach`` (R, terminals), ``reach_<terminal>`` measures, outcome sets.
    ``batch[i]`` is the signaling game's solution at point i (strategies, beliefs and
    their supporting sets)."""

    def __init__(
        self, signaling: SignalingBatch, terminals: np.ndarray, names: Sequence[Hashable]
    ) -> None:
        self.signaling, self.terminal_names = signaling, list(names)
        self.players, self.points, self.method = signaling.players, signaling.points, "PBE"
        self.point, self.payoffs = signaling.point, signaling.payoffs
        self.degenerate, self.ties = signaling.degenerate, signaling.ties
        self.payoff_range = signaling.payoff_range
        prior = signaling.game.prior[:, self.point].T  # (R, T)
        flow = prior[:, :, None, None] * signaling.sender[..., None] * signaling.receiver[:, None]
        self.reach = np.zeros((len(self.point), len(self.terminal_names)))
        np.add.at(self.reach.T, terminals.ravel(), flow.reshape(len(self.point), -1).T)

    def measure_columns(self) -> Columns:
        reach = {f"reach_{ident(t)}": self.reach[:, j] for j, t in enumerate(self.terminal_names)}
        return {**self.signaling.measure_columns(), **reach}

    def regimes(self) -> tuple[np.ndarray, np.ndarray | None]:
        return self.signaling.regimes()

    def outcome(self, members: Iterable[Hashable]) -> np.ndarray:
        """The probability (R,) that play ends at one of the terminal nodes ``members``."""
        columns = [self.terminal_names.index(m) for m in members]
        return self.reach[:, columns].sum(axis=1)

    def _point_solution(self, i: int) -> SignalingSolution:
        return self.signaling[i]

    def __repr__(self) -> str:
        return f"PerfectBayesianBatch({self.signaling!r})"
