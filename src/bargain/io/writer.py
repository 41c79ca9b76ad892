"""Writing a :class:`~bargain.model.Model` as a model file (TOML).

Sections come in the order of the format reference (model, params, game,
outcomes, measures, solver, scenarios, showcase); formulas are printed by
:func:`bargain.formula_text.to_text`, so loading the text gives the same model.
Values are formatted by ``tomli_w``; tables of nodes, moves and payoffs are
written inline, as in hand-written files.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Hashable, Mapping
from typing import Any

import numpy as np
import sympy
import tomli_w

from ..errors import ModelError
from ..formula_text import to_text
from ..games import BargainingGame, GameTree, NormalFormGame
from ..model import Model
from .toml_file import key

#: Lines longer than this put one entry of an array on each line, or wrap a string.
LINE = 100
_BARE = re.compile(r"[A-Za-z0-9_-]+")
#: Solver options left out when they have these values.
_DEFAULTS = {"method": None, "tie_break": "first"}


def dumps_model(model: Model) -> str:
    """The model as the text of a model file.

    Raises
    ------
    ModelError
        If part of the model has no model-file form (a node id or infoset that
        is neither a string nor an integer, a protocol argument that is an object).
    FormulaError
        If an expression cannot be written as a formula.

    Examples
    --------
    >>> from bargain import GameTree, Param
    >>> tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1)])
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": -0.5})
    >>> print(dumps_model(Model(tree, {"gain": "u_Iran + 0.5"}, name="answer")))
    [model]
    name = "answer"
    <BLANKLINE>
    [params.relief]
    default = 0.5
    low = 0
    high = 1
    <BLANKLINE>
    [game]
    form = "tree"
    players = ["Iran"]
    <BLANKLINE>
    [[game.nodes]]
    id = "answer"
    kind = "decision"
    player = "Iran"
    moves = { accept = "deal", reject = "war" }
    <BLANKLINE>
    [[game.nodes]]
    id = "deal"
    kind = "terminal"
    payoffs = { Iran = "relief" }
    <BLANKLINE>
    [[game.nodes]]
    id = "war"
    kind = "terminal"
    payoffs = { Iran = -0.5 }
    <BLANKLINE>
    [measures]
    gain = "u_Iran + 0.5"
    <BLANKLINE>
    """
    blocks = [_table("model", _header(model))]
    for p in model.params:
        bounds = {"low": p.low, "high": p.high}
        spec = {"default": _number(p.default)}
        spec |= {k: _number(v) for k, v in bounds.items() if v is not None}
        spec |= {"description": p.description} if p.description else {}
        blocks.append(_table(f"params.{_key(p.name)}", spec))
    blocks += _game(model.game)
    if model.measures.outcomes:
        blocks.append(_table("outcomes", model.measures.outcomes))
    if model.measures.user:
        blocks.append(_table("measures", {k: to_text(v) for k, v in model.measures.user.items()}))
    solver = {k: v for k, v in model.options.items() if v != _DEFAULTS[k]}
    if model.select != "unique":
        solver["select"] = model.select
    if solver:
        blocks.append(_table("solver", solver))
    for name, scenario in model.scenarios.items():
        values = {k: _number(v) for k, v in scenario["values"].items()}
        description = {"description": scenario["description"]} if scenario["description"] else {}
        blocks.append(_table(f"scenarios.{_key(name)}", {**description, **values}))
    if model.showcase:
        blocks.append(_table("showcase", _plain(model.showcase, "showcase")))
    return "\n".join(blocks)


def dump_model(model: Model, path: str | os.PathLike[str]) -> None:
    """Write the model to a model file (UTF-8); see :func:`dumps_model`."""
    with open(path, "w", encoding="utf-8") as file:
        file.write(dumps_model(model))


def _header(model: Model) -> dict[str, str]:
    fields = {
        "name": model.name,
        "title": model.title,
        "description": model.description,
        "citation": model.citation,
    }
    return {k: v for k, v in fields.items() if v or k == "name"}


def _game(game: NormalFormGame | GameTree | BargainingGame) -> list[str]:
    players = list(game.players)
    if isinstance(game, NormalFormGame):
        return [
            _table("game", {"form": "normal", "players": players}),
            _table("game.strategies", dict(zip(players, map(list, game.strategies)))),
            _table(
                "game.payoffs",
                {p: _entries(game.payoffs[i].tolist()) for i, p in enumerate(players)},
            ),
        ]
    if isinstance(game, BargainingGame):
        head = {"form": "bargaining", "protocol": game.protocol, "players": players}
        arguments = _plain(game.arguments, "game.arguments")
        return [_table("game", head)] + ([_table("game.arguments", arguments)] if arguments else [])
    return [_table("game", {"form": "tree", "players": players})] + [
        _node(node, spec, i) for i, (node, spec) in enumerate(game.nodes.items())
    ]


def _node(node: Hashable, spec: Mapping[str, Any], i: int) -> str:
    path = f"game.nodes[{i}]"
    table: dict[str, Any] = {"id": _id(node, f"{path}.id"), "kind": spec["kind"]}
    if spec["kind"] == "decision":
        table["player"] = spec["player"]
        table["moves"] = {m: _id(c, key(f"{path}.moves", m)) for m, c in spec["moves"].items()}
        if spec["infoset"] is not None:
            table["infoset"] = _id(spec["infoset"], f"{path}.infoset")
    elif spec["kind"] == "chance":
        table["branches"] = {
            label: [_entry(spec["probs"][label]), _id(child, key(f"{path}.branches", label))]
            for label, child in spec["moves"].items()
        }
    else:
        table["payoffs"] = {p: _entry(v) for p, v in spec["payoffs"].items()}
    return "[[game.nodes]]\n" + "".join(_line(k, v) for k, v in table.items())


def _id(value: Any, path: str) -> str | int:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ModelError(
            f"{path}: {value!r} cannot be written to a model file (not a string or an integer)"
        )
    return value


def _entry(expr: sympy.Basic) -> int | float | str:
    """A payoff or probability: a TOML number where that loads back the same, else a formula."""
    if isinstance(expr, sympy.Integer) and abs(expr) < 2**63:
        return int(expr)
    if isinstance(expr, sympy.Float) and expr._prec == 53 and not float(expr).is_integer():
        return float(expr)  # loaded back as sympy.Float(value), as the game builds it
    return to_text(expr)


def _entries(value: Any) -> Any:
    return [_entries(v) for v in value] if isinstance(value, list) else _entry(value)


def _number(x: float) -> int | float:
    """A float, written as an integer where that is exact (``0`` rather than ``0.0``)."""
    x = float(x)
    return int(x) if x.is_integer() and abs(x) < 2**53 and repr(x) != "-0.0" else x


def _plain(value: Any, path: str) -> Any:
    """A value made of TOML types: tuples and arrays become lists, sympy formulas text."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v, key(path, k)) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, sympy.Basic):
        return to_text(value)
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, str | bool | int | float):
        return value
    raise ModelError(f"{path}: a {type(value).__name__} cannot be written to a model file")


def _table(name: str, values: Mapping[str, Any]) -> str:
    return f"[{name}]\n" + "".join(_line(k, v) for k, v in values.items())


def _line(name: str, value: Any) -> str:
    """``name = value``, long arrays one entry a line and long strings wrapped."""
    head = f"{_key(name)} = "
    text = _inline(value)
    if len(head) + len(text) > LINE:
        if isinstance(value, list) and value:
            text = "[\n" + "".join(f"    {_inline(v)},\n" for v in value) + "]"
        elif isinstance(value, str) and _wrappable(value):
            text = _wrapped(value)
    return head + text + "\n"


def _key(name: str) -> str:
    return name if _BARE.fullmatch(name) else _inline(name)


def _inline(value: Any) -> str:
    """A value on one line: strings and numbers as tomli_w writes them, arrays and tables inline."""
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k)} = {_inline(v)}" for k, v in value.items())
        return f"{{ {items} }}" if items else "{}"
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    return tomli_w.dumps({"x": value}, multiline_strings=True)[len("x = ") : -1]


def _wrappable(text: str) -> bool:
    """Whether ``text`` can be written verbatim in a multi-line string wrapped at spaces."""
    return text.isprintable() and not {"\\", '"'} & set(text) and " ".join(text.split()) == text


def _wrapped(text: str) -> str:
    """A multi-line string whose line breaks (a backslash at the end) are not part of it."""
    lines = textwrap.wrap(text, LINE - 12, break_long_words=False, break_on_hyphens=False)
    return '"""\\\n' + " \\\n".join(lines) + '"""'
