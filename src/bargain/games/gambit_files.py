"""Gambit's game files, read and written through pygambit (the ``gambit`` extra).

``.nfg`` files (strategic games, in either the payoff or the outcome version)
become a :class:`~bargain.games.NormalFormGame`, ``.efg`` files (extensive
games, with chance nodes and information sets) a :class:`~bargain.games.GameTree`;
:func:`write_gambit` writes either back. Payoffs and chance probabilities stay
exact: a file's numbers (integers, fractions ``p/q``, decimals) become integers
or ``sympy.Rational``, and rational numbers are written as such, so a game read
and written again is the same game.

Labels come from pygambit, which names players, strategies and moves itself
(pygambit 16): an empty label becomes ``_1``, ``_2``, ... by position, repeated
labels ``X`` become ``X_1``, ``X_2``, ..., and a strategy table given by counts
(``{ 2 2 }``) gets ``"1"``, ``"2"``, ...; bargain keeps those names. Nodes and
information sets keep the file's labels only where pygambit allows them empty
or shared: a node (whose label Gambit requires unique unless empty) is named by
its position in depth-first order, ``"node 3"``, unless its label is distinct; a
non-singleton information set (whose label Gambit requires unique per player
only) by its player and number (``"US:2"``) unless its label is distinct among
all players'. In a tree, Gambit's outcomes may hang on any node, and a
play's payoff is the sum along its path: bargain puts that sum on the terminal
node. A tree without perfect recall is refused with the tree form's message.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from bargain.errors import BargainError, ModelError
from bargain.solvers.gambit_methods import require_pygambit

from .normal import NormalFormGame
from .tree import GameTree

#: Integers at most this large in magnitude are exact as floats: an all-integer
#: table within it becomes a numeric game (no sympy object per payoff).
EXACT_INTEGERS = 2**53


def read_game(path: str | os.PathLike[str]) -> NormalFormGame | GameTree:
    """The game of a Gambit file: a ``.nfg`` file's :class:`NormalFormGame` or an
    ``.efg`` file's :class:`GameTree` (the format is told by the file's first word,
    ``NFG`` or ``EFG``). A ModelError names the file and what is wrong with it."""
    path = Path(path)
    kind = _kind(path)
    gambit = require_pygambit()
    try:
        game = (gambit.read_nfg if kind == "NFG" else gambit.read_efg)(str(path))
    except Exception as exc:  # pygambit raises several kinds: one line, one error
        raise ModelError(
            f"{path}: not a valid Gambit .{kind.lower()} file: {_one_line(exc)}"
        ) from None
    try:
        return _tree(game) if game.is_tree else _table(game)
    except BargainError as exc:
        raise ModelError(f"{path}: {exc}") from None


def write_gambit(
    game: NormalFormGame | GameTree,
    path: str | os.PathLike[str],
    values: Mapping[str, Any] | None = None,
    title: str = "",
) -> Path:
    """Write ``game`` to a Gambit file: ``game.to_gambit(path, values, title)``
    (``.nfg`` for a normal-form game or a tree's reduced normal form, ``.efg`` for a
    game tree; :mod:`bargain.games.gambit_writer`)."""
    if not isinstance(game, NormalFormGame | GameTree):
        raise ModelError(
            f"{path}: Gambit files hold normal-form games and game trees, not {type(game).__name__}"
        )
    return game.to_gambit(path, values, title)


# -- reading ----------------------------------------------------------------------


def _kind(path: Path) -> str:
    """``"NFG"`` or ``"EFG"``, from the file's first word."""
    try:
        with path.open("rb") as file:
            start = file.read(64)
    except OSError as exc:
        raise ModelError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    words = start.decode("utf-8", errors="replace").split()
    first = words[0] if words else ""
    if first not in ("NFG", "EFG"):
        shown = repr(first[:16]) if first else "nothing"
        raise ModelError(
            f"{path}: not a Gambit game file: it begins with {shown}, expected NFG "
            "(a strategic game) or EFG (a game tree)"
        )
    return first


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _names(labels: list[str], fallbacks: list[str]) -> list[str]:
    """Each label where it is non-empty and distinct, else its fallback (primed until
    distinct from the labels kept)."""
    counts: dict[str, int] = {}
    for label in labels:
        counts[label] = counts.get(label, 0) + 1
    kept = {label for label in labels if label.strip() and counts[label] == 1}
    out = []
    for label, fallback in zip(labels, fallbacks):
        if label in kept:
            out.append(label)
            continue
        while fallback in kept:
            fallback += "'"
        kept.add(fallback)
        out.append(fallback)
    return out


def _exact(value: Any) -> Fraction:
    """A payoff or probability of pygambit (Rational or Decimal) as a Fraction."""
    return Fraction(value) if isinstance(value, Decimal) else Fraction(str(value))


def _sympy(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def _players(game: Any) -> list[str]:
    """The players' labels (pygambit has made them non-empty and distinct)."""
    return [p.label for p in game.players]


def _table(game: Any) -> NormalFormGame:
    """A strategic game's NormalFormGame; contingencies without an outcome pay 0."""
    players = list(game.players)
    labels = _players(game)
    own = [list(p.strategies) for p in players]
    strategies = [[s.label for s in mine] for mine in own]
    shape = tuple(map(len, own))
    values = np.zeros((len(players), *shape), dtype=object)
    for index in product(*map(range, shape)):
        outcome = game[index]
        for p, player in enumerate(players):
            values[(p, *index)] = _exact(outcome[player]) if outcome else Fraction(0)
    flat = values.reshape(-1)
    if all(v.denominator == 1 and abs(v) <= EXACT_INTEGERS for v in flat):
        payoffs = np.array([int(v) for v in flat], dtype=np.int64).reshape(values.shape)
    else:
        payoffs = np.array([_sympy(v) for v in flat], dtype=object).reshape(values.shape)
    return NormalFormGame(
        labels, strategies, {label: payoffs[p].tolist() for p, label in enumerate(labels)}
    )


def _preorder(game: Any) -> Iterator[tuple[Any, tuple[Fraction, ...]]]:
    """The nodes depth first, children in move order, each with the payoffs of the
    outcomes on its path so far (its own included)."""
    players = list(game.players)
    stack = [(game.root, (Fraction(0),) * len(players))]
    while stack:
        node, above = stack.pop()
        outcome = node.outcome
        if outcome:
            above = tuple(a + _exact(outcome[p]) for a, p in zip(above, players))
        yield node, above
        stack.extend((child, above) for child in reversed(list(node.children)))


def _tree(game: Any) -> GameTree:
    """An extensive game's GameTree, checked (perfect recall among the rest)."""
    players = _players(game)
    label_of = dict(zip(list(game.players), players))
    nodes = list(_preorder(game))
    ids = dict(
        zip(
            (node for node, _ in nodes),
            _names([n.label for n, _ in nodes], [f"node {k + 1}" for k in range(len(nodes))]),
        )
    )
    infosets = _infoset_names(game, label_of)
    tree = GameTree(players)
    for node, paid in nodes:
        if node.is_terminal:
            tree.terminal(ids[node], {p: _sympy(v) for p, v in zip(players, paid)})
            continue
        infoset = node.infoset
        actions = list(infoset.actions)
        moves = [a.label for a in actions]
        children = [ids[child] for child in node.children]
        if infoset.is_chance:
            probs = [_sympy(_exact(a.prob)) for a in actions]
            tree.chance(ids[node], {m: (q, c) for m, q, c in zip(moves, probs, children)})
        else:
            tree.decision(
                ids[node],
                label_of[infoset.player],
                dict(zip(moves, children)),
                infoset=infosets.get(infoset),
            )
    tree.validate()
    return tree


def _infoset_names(game: Any, label_of: Mapping[Any, str]) -> dict[Any, str]:
    """The names of the players' information sets of more than one node."""
    shared = [
        infoset
        for player in game.players
        for infoset in player.infosets
        if len(list(infoset.members)) > 1
    ]
    names = _names(
        [h.label for h in shared], [f"{label_of[h.player]}:{h.number + 1}" for h in shared]
    )
    return dict(zip(shared, names))
