"""Writing a :class:`~bargain.model.Model` as a model file (TOML).

Sections come in the order of the format reference (model, params, links,
game, outcomes, measures, solver, scenarios, showcase); formulas are printed by
:func:`bargain.formula.to_text`, so loading the text gives the same model.
Values are formatted by ``tomli_w``; tables of nodes, moves and payoffs are
written inline, as in hand-written files.
"""

from __future__ import annotations

import os
import re
import textwrap
from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import sympy
import tomli_w

from bargain.checks import key
from bargain.errors import ModelError
from bargain.files import atomic_write
from bargain.formula import to_text
from bargain.games import GameForm
from bargain.params import TEXT_FIELDS, ParamSpace

from .links import Links
from .measures import Measures


class ModelLike(Protocol):
    """What a model file holds of a :class:`~bargain.model.Model`."""

    name: str
    title: str
    description: str
    citation: str
    version: str
    bibtex: str
    game: GameForm
    measures: Measures
    options: dict[str, Any]
    select: str
    scenarios: dict[str, dict[str, Any]]
    showcase: dict[str, Any]
    links: Links

    @property
    def params(self) -> ParamSpace: ...


#: Lines longer than this put one entry of an array on each line, or wrap a string.
LINE = 100
_BARE = re.compile(r"[A-Za-z0-9_-]+")


def dumps_model(model: ModelLike) -> str:
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
    >>> from bargain import GameTree, Model, Param
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
        spec |= {k: getattr(p, k) for k in TEXT_FIELDS if getattr(p, k)}
        blocks.append(_table(f"params.{_key(p.name)}", spec))
    for name, link in model.links.items():
        spec = {"model": link.ref, "measure": link.measure, "select": link.select}
        if link.params:
            spec["params"] = {k: to_text(v) for k, v in link.params.items()}
        blocks.append(_table(f"links.{_key(name)}", spec))
    blocks += _game(_plain(model.game.spec(_entry, _id), "game"))
    if model.measures.outcomes:
        blocks.append(_table("outcomes", model.measures.outcomes))
    if model.measures.user:
        blocks.append(_table("measures", {k: to_text(v) for k, v in model.measures.user.items()}))
    solver = dict(model.options)
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


def dump_model(model: ModelLike, path: str | os.PathLike[str]) -> None:
    """Write the model to a model file (UTF-8), whole or not at all; see :func:`dumps_model`."""
    atomic_write(path, dumps_model(model))


def _header(model: ModelLike) -> dict[str, str]:
    fields = {
        "name": model.name,
        "title": model.title,
        "description": model.description,
        "citation": model.citation,
        "version": model.version,
        "bibtex": model.bibtex,
    }
    return {k: v for k, v in fields.items() if v or k == "name"}


def _game(spec: dict[str, Any]) -> list[str]:
    """The ``[game]`` table: a nested table becomes ``[game.<key>]``, an array of
    tables ``[[game.<key>]]`` (tables inside them are written inline)."""
    tables = {k: v for k, v in spec.items() if isinstance(v, Mapping)}
    arrays = {k: v for k, v in spec.items() if v and isinstance(v, list) and _all_tables(v)}
    top = {k: v for k, v in spec.items() if k not in tables and k not in arrays}
    blocks = [_table("game", top)]
    blocks += [_table(f"game.{_key(k)}", v) for k, v in tables.items()]
    for name, items in arrays.items():
        head = f"[[game.{_key(name)}]]\n"
        blocks += [head + "".join(_line(k, v) for k, v in item.items()) for item in items]
    return blocks


def _all_tables(values: list[Any]) -> bool:
    return all(isinstance(v, Mapping) for v in values)


def _id(value: Any, path: str) -> str | int:
    """A name in a model file (a node id, an information set): a string or an integer."""
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
