"""Games written to Gambit's files through pygambit (the ``gambit`` extra).

The forms call :func:`write_table` (``NormalFormGame.to_gambit``, and a tree's
reduced normal form) and :func:`write_tree` (``GameTree.to_gambit``); this
module knows the games only by what it reads of them (a normal form's players,
strategies and payoffs; a tree's players and nodes), so the forms can import
it without a cycle. Payoffs and probabilities that are
rational sympy numbers are written exactly (``p/q``), others as the shortest
decimal that reads back as the same float. Chance probabilities given as floats
whose sum misses 1 by at most ``PROB_SUM_ATOL`` get the last branch's
probability as 1 minus the others' (Gambit needs a sum of exactly 1).
"""

from __future__ import annotations

import os
from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import sympy

from bargain.errors import BargainError, ModelError
from bargain.solvers.gambit_methods import require_pygambit
from bargain.tolerances import PROB_SUM_ATOL


def write_table(
    game: Any,
    path: str | os.PathLike[str],
    values: Mapping[str, Any] | None = None,
    title: str = "",
) -> Path:
    """Write a normal-form game to a ``.nfg`` file at ``values`` (defaults for the rest)."""
    path = _target(path, ".nfg", "a normal-form game")
    return _written(
        path,
        lambda gambit, at: _write_table(gambit, game, at, title or path.stem).to_nfg(),
        game,
        values,
    )


def write_tree(
    tree: Any,
    path: str | os.PathLike[str],
    values: Mapping[str, Any] | None = None,
    title: str = "",
) -> Path:
    """Write a game tree to an ``.efg`` file at ``values`` (defaults for the rest)."""
    path = _target(path, ".efg", "a game tree (its reduced normal form: .nfg)")
    return _written(
        path,
        lambda gambit, at: _write_tree(gambit, tree, at, title or path.stem).to_efg(),
        tree,
        values,
    )


def _target(path: str | os.PathLike[str], suffix: str, what: str) -> Path:
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise ModelError(
            f"{path}: expected a file name ending in {suffix}: {what} is written to a {suffix} file"
        )
    return path


def _written(path: Path, text_of: Any, game: Any, values: Mapping[str, Any] | None) -> Path:
    gambit = require_pygambit()
    at = _binding(game, values)
    try:
        text = text_of(gambit, at)
    except BargainError:
        raise
    except Exception as exc:  # pygambit raises several kinds: one line, one error
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(f"{path}: Gambit cannot hold this game: {first}") from None
    path.write_text(text, encoding="utf-8")
    return path


def _binding(game: Any, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Each parameter's value as a sympy number: ``values`` (checked) or its default;
    integers, fractions and sympy rationals stay exact."""
    values = dict(values or {})
    game.params.bind(where="write_gambit", **values)  # unknown names, bounds
    out = {}
    for param in game.params:
        value = values.get(param.name, param.default)
        if isinstance(value, sympy.Basic):
            out[param.name] = value
        elif isinstance(value, int | Fraction) and not isinstance(value, bool):
            out[param.name] = sympy.Rational(value)
        else:
            number = float(value)
            out[param.name] = (
                sympy.Integer(int(number)) if number.is_integer() else sympy.Float(number)
            )
    return out


def _number(expr: Any, at: Mapping[str, Any], where: str) -> Fraction | float:
    """A payoff or probability at the point ``at``: a Fraction if rational, else a float."""
    if isinstance(expr, float | np.floating):
        number = float(expr)
    else:
        expr = expr if isinstance(expr, sympy.Basic) else sympy.Integer(int(expr))
        if expr.free_symbols:
            expr = expr.subs({s: at[s.name] for s in expr.free_symbols if s.name in at})
        if expr.is_Rational:
            return Fraction(int(expr.p), int(expr.q))
        try:
            number = float(expr)
        except TypeError:
            raise ModelError(f"{where} = {expr} is not a number at {dict(at)}") from None
    if not np.isfinite(number):
        raise ModelError(f"{where} = {number} is not finite at {dict(at)}")
    return Fraction(int(number)) if number.is_integer() else number


def _gambit_number(gambit: Any, value: Fraction | float) -> Any:
    """A Fraction as Gambit's Rational; a float as its shortest decimal (as a Rational
    where Gambit's number syntax has no exponent for it)."""
    if isinstance(value, Fraction):
        return gambit.Rational(value.numerator, value.denominator)
    decimal = Decimal(repr(value))
    if "E" in str(decimal):
        exact = Fraction(decimal)
        return gambit.Rational(exact.numerator, exact.denominator)
    return decimal


def _write_table(gambit: Any, game: Any, at: Mapping[str, Any], title: str) -> Any:
    source = game.numeric if game.numeric is not None else game.payoffs
    arrays = []
    for p, player in enumerate(game.players):
        array = np.empty(game.shape, dtype=object)
        for index in product(*map(range, game.shape)):
            where = f"payoffs[{player!r}]" + "".join(f"[{i}]" for i in index)
            array[index] = _gambit_number(gambit, _number(source[(p, *index)], at, where))
        arrays.append(array)
    table = gambit.Game.from_arrays(*arrays, title=title)
    for player, label, strategies in zip(table.players, game.players, game.strategies):
        player.label = label
        for strategy, name in zip(player.strategies, strategies):
            strategy.label = name
    return table


def _write_tree(gambit: Any, tree: Any, at: Mapping[str, Any], title: str) -> Any:
    tree.validate()
    game = gambit.Game.new_tree(players=list(tree.players), title=title)
    infosets: dict[Hashable, Any] = {}
    outcome_labels: set[str] = set()
    stack = [(tree.root, game.root)]
    while stack:
        node, target = stack.pop()
        spec = tree.nodes[node]
        target.label = str(node)
        if spec["kind"] == "terminal":
            label = str(node)
            while label in outcome_labels:
                label += "'"
            outcome_labels.add(label)
            payoffs = [
                _gambit_number(gambit, _number(spec["payoffs"][p], at, f"node {node!r}.{p}"))
                for p in tree.players
            ]
            game.set_outcome(target, game.add_outcome(label, payoffs))
            continue
        moves = list(spec["moves"])
        if spec["kind"] == "chance":
            game.append_move(target, game.players.chance, moves)
            probs = _chance_probs(node, spec["probs"], at)
            game.set_chance_probs(target.infoset, [_gambit_number(gambit, q) for q in probs])
        elif spec["infoset"] is not None and spec["infoset"] in infosets:
            game.append_infoset(target, infosets[spec["infoset"]])
        else:
            game.append_move(target, spec["player"], moves)
            if spec["infoset"] is not None:
                infosets[spec["infoset"]] = target.infoset
                target.infoset.label = str(spec["infoset"])
        children = list(target.children)
        stack.extend((spec["moves"][m], child) for m, child in reversed(list(zip(moves, children))))
    return game


def _chance_probs(
    node: Hashable, probs: Mapping[str, Any], at: Mapping[str, Any]
) -> list[Fraction | float]:
    """A chance node's probabilities at ``at``, summing to exactly 1 (see write_gambit)."""
    values = [
        _number(q, at, f"node {node!r}: chance probability of {m!r}") for m, q in probs.items()
    ]
    written = [
        Fraction(v) if isinstance(v, Fraction) else Fraction(Decimal(repr(v))) for v in values
    ]
    if sum(written) == 1:
        return values
    if all(isinstance(v, Fraction) for v in values) or abs(sum(written) - 1) > PROB_SUM_ATOL:
        raise ModelError(
            f"node {node!r}: chance probabilities {[str(v) for v in written]} sum to "
            f"{float(sum(written)):.17g}, not 1"
        )
    return [*written[:-1], 1 - sum(written[:-1])]
