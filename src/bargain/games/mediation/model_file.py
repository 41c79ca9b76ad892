"""The ``[game]`` table of a mediation model file, read into the game's arguments.

Every formula string is parsed (never evaluated) and errors name the file and
the key path, e.g. ``game.types[0].likelihood.reads_resolute``;
``mediator_payoff`` may also use the others' payoffs, ``u_<informed>`` and
``u_<receiver>``. See docs/mediation.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bargain import formula
from bargain.checks import key
from bargain.params import ParamSpace

from ..spec import SpecReader
from .labels import RESERVED, check_actions, payoff_names

#: The keys of the ``[game]`` table every mediation game has.
REQUIRED = ("form", "informed", "mediator", "receiver", "messages", "actions", "types")


def read_game(table: Mapping[str, Any], params: ParamSpace, reader: SpecReader) -> dict[str, Any]:
    """The arguments of :class:`~.game.MediationGame` but ``params``, from the ``[game]``
    table: players, messages, actions and, per ``[[game.types]]`` table, a type's name,
    prior, likelihoods (with ``signals``) and payoffs per action."""
    table = reader.table(table, "game", REQUIRED, ["signals", "mediator_payoff"])
    players = [reader.string(table[k], f"game.{k}") for k in REQUIRED[1:4]]
    informed, mediator, receiver = players
    messages = reader.labels(table["messages"], "game.messages")
    actions = reader.labels(table["actions"], "game.actions")
    with reader.located("game.actions"):
        check_actions(messages, actions, "game.")
    signals = reader.labels(table["signals"], "game.signals") if "signals" in table else None
    mediator_payoff = None
    if "mediator_payoff" in table:
        names = (*params.names, *payoff_names(informed, receiver))
        text = table["mediator_payoff"]
        if isinstance(text, str):
            where = f"{reader.source}: game.mediator_payoff"
            mediator_payoff = formula.canonical(formula.parse(text, names, where=where))
        else:
            mediator_payoff = reader.formula(text, "game.mediator_payoff", params)
    in_cells = players if mediator_payoff is None else [informed, receiver]
    prior: dict[str, Any] = {}
    likelihood: dict[str, Any] = {}
    payoffs: dict[str, Any] = {}
    keys = [k for k in RESERVED if k != "likelihood" or signals is not None]
    for i, item in enumerate(reader.array(table["types"], "game.types")):
        path = f"game.types[{i}]"
        if signals is None and isinstance(item, dict) and "likelihood" in item:
            raise reader.error(
                key(path, "likelihood"),
                "likelihoods need game.signals, the list of what the mediator observes "
                "(without them it observes the type)",
            )
        item = reader.table(item, path, [*keys, *actions])
        name = reader.string(item["name"], f"{path}.name")
        if not name or name in prior:
            problem = "is listed twice" if name else "is empty"
            raise reader.error(f"{path}.name", f"type name {name!r} {problem}")
        prior[name] = reader.formula(item["prior"], f"{path}.prior", params)
        if signals is not None:
            here = key(path, "likelihood")
            row = reader.table(item["likelihood"], here, signals, what="signal")
            likelihood[name] = {s: reader.formula(row[s], key(here, s), params) for s in signals}
        payoffs[name] = {}
        for a in actions:
            here = key(path, a)
            cell = reader.table(item[a], here, in_cells, what="player")
            payoffs[name][a] = {p: reader.formula(cell[p], key(here, p), params) for p in in_cells}
    return {
        "informed": informed,
        "mediator": mediator,
        "receiver": receiver,
        "prior": prior,
        "messages": messages,
        "actions": actions,
        "payoffs": payoffs,
        "mediator_payoff": mediator_payoff,
        "likelihood": likelihood if signals is not None else None,
    }
