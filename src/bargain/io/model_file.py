"""Model files: TOML text to a :class:`~bargain.model.Model` (see docs/model-files.md).

A model file is data: it is read with ``tomllib``, its formulas are parsed by
:func:`bargain.formula.parse` only, and nothing in it names Python code (a
bargaining protocol is looked up in the fixed list
:data:`bargain.games.protocol.PROTOCOLS`).
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from .. import formula
from ..errors import did_you_mean
from ..formula_text import canonical
from ..games import BargainingGame, GameTree, NormalFormGame
from ..games.protocol import PROTOCOLS
from ..model import Model
from ..params import Param, ParamSpace
from ..selection import RULES
from ..solvers import METHODS
from ..solvers.backward import TIE_BREAKS
from .toml_file import Checker, describe, key, parse_toml

#: Most nodes a game tree in a model file may have.
MAX_NODES = 10_000

SECTIONS = ("model", "params", "game", "outcomes", "measures", "solver", "scenarios", "showcase")
HEADER = ("name", "title", "description", "citation")
FORMS = ("normal", "tree", "bargaining")
KINDS = {"decision": ("player", "moves"), "chance": ("branches",), "terminal": ("payoffs",)}
#: Showcase columns that are not measures.
LABELS = ("regime", "equilibria")


def loads_model(text: str, source: str = "<string>") -> Model:
    """A model from the text of a model file.

    Parameters
    ----------
    text : str
        TOML text in the model-file format.
    source : str
        The file name (or another label) that starts every error message.

    Raises
    ------
    ModelError, FormulaError, ParamError
        If the text is not a valid model; the message names ``source``, the
        key path and what was expected.

    Examples
    --------
    >>> model = loads_model('''
    ... [model]
    ... name = "escalation"
    ...
    ... [params.bite]
    ... default = 0.5
    ... low = 0
    ... high = 3
    ...
    ... [game]
    ... form = "normal"
    ... players = ["US", "Iran"]
    ... strategies = { US = ["pressure", "engage"], Iran = ["resist", "restrain"] }
    ... payoffs = { US = [[-1, "bite"], [-2, 1]], Iran = [[-1, "-bite"], [1, "1 - bite"]] }
    ... ''')
    >>> [eq.support for eq in model.solve(bite=2.5)]
    [(('pressure',), ('resist',))]
    >>> loads_model(
    ...     '[model]\\nname = "x"\\n[paramz.bite]\\ndefault = 1\\n[game]', "x.toml"
    ... )
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: x.toml: paramz: unknown section (did you mean 'params'?); ...
    """
    return _Loader(source).model(parse_toml(text, source))


def header(data: dict[str, Any], source: str) -> dict[str, str]:
    """The checked ``[model]`` table of a parsed file: name, title, description, citation."""
    check = Checker(source)
    table = check.table(data.get("model"), "model", required=HEADER[:1], optional=HEADER[1:])
    out = {name: check.string(table.get(name, ""), key("model", name)) for name in HEADER}
    if not re.fullmatch(r"[A-Za-z0-9_-]+", out["name"]):
        raise check.error(
            "model.name", f"expected letters, digits, '-' and '_' only, got '{out['name']}'"
        )
    return out


class _Loader(Checker):
    """Builds a model from a parsed file, checking every value on the way."""

    def model(self, data: dict[str, Any]) -> Model:
        top = self.table(data, "", ["model", "game"], SECTIONS, what="section")
        about = header(data, self.source)
        params = self.params(top.get("params", {}))
        game = self.game(top["game"], params)
        outcomes = self.outcomes(top.get("outcomes", {}), game)
        measures = self.table(top.get("measures", {}), "measures", optional=None)
        for name, text in measures.items():
            if not isinstance(text, str):
                raise self.error(key("measures", name), f"expected a formula, got {describe(text)}")
        options = self.solver(top.get("solver", {}), game)
        scenarios = self.scenarios(top.get("scenarios", {}), params)
        kwargs = {**about, **options, "scenarios": scenarios}
        with self.located("measures"):
            model = Model(game, measures, outcomes=outcomes, **kwargs)
            user = {name: canonical(expr) for name, expr in model.measures.user.items()}
            if user != model.measures.user:
                model = Model(game, user, outcomes=outcomes, **kwargs)
        model.showcase = self.showcase(top.get("showcase", {}), model)
        return model

    # -- parameters and formulas ------------------------------------------------------------

    def params(self, value: object) -> ParamSpace:
        out = []
        for name, spec in self.table(value, "params", optional=None).items():
            path = key("params", name)
            spec = self.table(spec, path, ["default"], ["low", "high", "description"])
            for field, v in spec.items():
                check = self.string if field == "description" else self.number
                check(v, key(path, field))
            with self.located(path):
                out.append(Param(name, **spec))
        return ParamSpace(out)

    def formula(self, value: object, path: str, params: ParamSpace) -> Any:
        """A number as it is, or a formula string parsed (in canonical form)."""
        if isinstance(value, str):
            return canonical(formula.parse(value, params, where=f"{self.source}: {path}"))
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, f"expected a number or a formula, got {describe(value)}")
        return self.number(value, path)

    # -- games ------------------------------------------------------------------------------

    def game(self, value: object, params: ParamSpace) -> NormalFormGame | GameTree | BargainingGame:
        form = self.string(
            self.table(value, "game", ["form"], None).get("form"), "game.form", FORMS
        )
        build = {"normal": self.normal, "tree": self.tree, "bargaining": self.bargaining}[form]
        return build(value, params)

    def normal(self, value: dict[str, Any], params: ParamSpace) -> NormalFormGame:
        table = self.table(value, "game", ["form", "players", "strategies", "payoffs"])
        players = self.labels(table["players"], "game.players")
        given = self.table(table["strategies"], "game.strategies", players, what="player")
        strategies = {p: self.labels(given[p], key("game.strategies", p)) for p in players}
        given = self.table(table["payoffs"], "game.payoffs", players, what="player")
        payoffs = {
            p: self.payoff_array(given[p], key("game.payoffs", p), strategies, params)
            for p in players
        }
        with self.located("game"):
            game = NormalFormGame(players, strategies, payoffs, params)
            game.payoff_tensor(params.bind_batch({}))  # checks the payoffs at the defaults
        return game

    def payoff_array(
        self, value: object, path: str, strategies: dict[str, list[str]], params: ParamSpace
    ) -> Any:
        """Nested arrays: one level per player, one entry per strategy."""
        if not strategies:
            return self.formula(value, path, params)
        (player, labels), *rest = strategies.items()
        if not isinstance(value, list) or len(value) != len(labels):
            got = f"an array of {len(value)}" if isinstance(value, list) else describe(value)
            raise self.error(
                path,
                f"expected an array of {len(labels)} entries, one per strategy of {player} "
                f"({', '.join(labels)}), got {got}",
            )
        return [
            self.payoff_array(v, f"{path}[{i}]", dict(rest), params) for i, v in enumerate(value)
        ]

    def tree(self, value: dict[str, Any], params: ParamSpace) -> GameTree:
        table = self.table(value, "game", ["form", "players", "nodes"])
        players = self.labels(table["players"], "game.players")
        nodes = self.array(table["nodes"], "game.nodes")
        if not nodes:
            raise self.error("game.nodes", "expected at least one node")
        if len(nodes) > MAX_NODES:
            raise self.error("game.nodes", f"{len(nodes)} nodes is above the limit of {MAX_NODES}")
        ids: dict[Any, int] = {}
        for i, node in enumerate(nodes):
            path = f"game.nodes[{i}]"
            node = self.table(node, path, ["id", "kind"], None)
            self.string(node["kind"], f"{path}.kind", KINDS)
            node_id = self.node_id(node["id"], f"{path}.id")
            if node_id in ids:
                raise self.error(
                    f"{path}.id", f"duplicate node id {node_id!r} (also game.nodes[{ids[node_id]}])"
                )
            ids[node_id] = i
        with self.located("game"):
            tree = GameTree(players, params)
        for i, node in enumerate(nodes):
            self.node(tree, node, f"game.nodes[{i}]", ids)
        with self.located("game.nodes"):
            tree.solve_batch({})  # checks the tree, its probabilities and payoffs at the defaults
        return tree

    def node_id(self, value: object, path: str) -> str | int:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.error(path, f"expected a string or an integer, got {describe(value)}")
        return value

    def child(self, value: object, path: str, ids: dict[Any, int]) -> str | int:
        child = self.node_id(value, path)
        if child not in ids:
            hint = did_you_mean(str(child), map(str, ids))
            raise self.error(path, f"unknown node id {child!r}{hint}")
        return child

    def node(self, tree: GameTree, node: dict[str, Any], path: str, ids: dict[Any, int]) -> None:
        kind = node["kind"]
        optional = ["infoset"] if kind == "decision" else []
        self.table(node, path, ["id", "kind", *KINDS[kind]], optional)
        params = tree.params
        if kind == "decision":
            player = self.string(node["player"], f"{path}.player", tree.players)
            moves = self.table(node["moves"], f"{path}.moves", optional=None)
            if not moves:
                raise self.error(f"{path}.moves", "expected at least one move")
            moves = {m: self.child(c, key(f"{path}.moves", m), ids) for m, c in moves.items()}
            infoset = node.get("infoset")
            if infoset is not None:
                self.node_id(infoset, f"{path}.infoset")
            with self.located(path):
                tree.decision(node["id"], player, moves, infoset)
        elif kind == "chance":
            branches = self.table(node["branches"], f"{path}.branches", optional=None)
            if not branches:
                raise self.error(f"{path}.branches", "expected at least one branch")
            checked = {}
            for label, branch in branches.items():
                where = key(f"{path}.branches", label)
                if not isinstance(branch, list) or len(branch) != 2:
                    got = (
                        f"an array of {len(branch)}"
                        if isinstance(branch, list)
                        else describe(branch)
                    )
                    raise self.error(where, f"expected [probability, child id], got {got}")
                prob, child = branch
                checked[label] = (
                    self.formula(prob, f"{where}[0]", params),
                    self.child(child, f"{where}[1]", ids),
                )
            with self.located(path):
                tree.chance(node["id"], checked)
        else:
            given = self.table(node["payoffs"], f"{path}.payoffs", tree.players, what="player")
            payoffs = {
                p: self.formula(v, key(f"{path}.payoffs", p), params) for p, v in given.items()
            }
            with self.located(path):
                tree.terminal(node["id"], payoffs)

    def bargaining(self, value: dict[str, Any], params: ParamSpace) -> BargainingGame:
        table = self.table(value, "game", ["form", "protocol", "players"], ["arguments"])
        protocol = self.string(table["protocol"], "game.protocol", PROTOCOLS)
        players = self.labels(table["players"], "game.players")
        function, numeric = PROTOCOLS[protocol]
        signature = inspect.signature(function).parameters.values()
        required = [p.name for p in signature if p.default is inspect.Parameter.empty]
        optional = [p.name for p in signature if p.default is not inspect.Parameter.empty]
        given = self.table(table.get("arguments", {}), "game.arguments", required, optional)
        arguments = {}
        for name, arg in given.items():
            path = key("game.arguments", name)
            arguments[name] = value = self.argument(arg, path, 0)
            if name in numeric:  # formulas are checked here to report the file's key path
                items = enumerate(value) if isinstance(value, tuple) else [(None, value)]
                for i, item in items:
                    if isinstance(item, str):
                        self.formula(item, path if i is None else f"{path}[{i}]", params)
        try:
            return BargainingGame(protocol, players, arguments, params)  # solves at the defaults
        except (ValueError, TypeError) as exc:  # the protocol's messages start with the argument
            name = str(exc).split(" ", 1)[0]
            path = key("game.arguments", name) if name in arguments else "game.arguments"
            raise self.relocate(exc, path) from None

    def argument(self, value: object, path: str, depth: int) -> Any:
        """A protocol argument: a string, number or boolean, or an array of them.

        The outer array becomes a tuple, as pairs such as ``disagreement`` are
        written in Python; inner arrays (points of a frontier) stay lists.
        """
        if isinstance(value, list) and depth < 2:
            items = [self.argument(v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
            return items if depth else tuple(items)
        if isinstance(value, str | bool):
            return value
        if isinstance(value, int | float):
            return self.number(value, path)
        raise self.error(
            path,
            f"expected a number, a formula, a boolean or an array of them, got {describe(value)}",
        )

    # -- the other sections -----------------------------------------------------------------

    def outcomes(
        self, value: object, game: NormalFormGame | GameTree | BargainingGame
    ) -> dict[str, list[Any]]:
        table = self.table(value, "outcomes", optional=None)
        if table and not isinstance(game, GameTree):
            raise self.error("outcomes", "only game trees have outcome sets of terminal nodes")
        terminals = [
            n for n, spec in getattr(game, "nodes", {}).items() if spec["kind"] == "terminal"
        ]
        out = {}
        for name, nodes in table.items():
            path = key("outcomes", name)
            out[name] = self.array(nodes, path)
            for i, node in enumerate(out[name]):
                if node not in terminals:
                    hint = did_you_mean(str(node), map(str, terminals))
                    raise self.error(
                        f"{path}[{i}]",
                        f"{describe(node)} is not a terminal node{hint}; terminal nodes: "
                        + ", ".join(map(str, terminals)),
                    )
        return out

    def solver(
        self, value: object, game: NormalFormGame | GameTree | BargainingGame
    ) -> dict[str, str]:
        table = self.table(value, "solver", optional=["method", "tie_break", "select"])
        for name, form in (("method", NormalFormGame), ("tie_break", GameTree)):
            if name in table and not isinstance(game, form):
                kind = "normal-form games" if form is NormalFormGame else "game trees"
                raise self.error(f"solver.{name}", f"only {kind} take this option")
        choices = {"method": METHODS, "tie_break": TIE_BREAKS, "select": RULES}
        return {k: self.string(v, f"solver.{k}", choices[k]) for k, v in table.items()}

    def scenarios(self, value: object, params: ParamSpace) -> dict[str, dict[str, Any]]:
        out = {}
        for name, preset in self.table(value, "scenarios", optional=None).items():
            path = key("scenarios", name)
            preset = self.table(preset, path, optional=["description", *params.names])
            out[name] = {
                "description": self.string(preset.get("description", ""), f"{path}.description")
            }
            for param, v in preset.items():
                if param != "description":
                    out[name][param] = params[param].check(v, f"{self.source}: {key(path, param)}")
        return out

    def showcase(self, value: object, model: Model) -> dict[str, Any]:
        table = self.table(value, "showcase", optional=["grid", "table", "measures", "threshold"])
        columns = [*model.measures.names, *LABELS]
        params = model.params
        if "grid" in table:
            self.grid(table["grid"], params)
        if "table" in table:
            self.string(table["table"], "showcase.table", columns)
        if "measures" in table:
            for i, name in enumerate(self.array(table["measures"], "showcase.measures")):
                self.string(name, f"showcase.measures[{i}]", columns)
        if "threshold" in table:
            self.threshold(table["threshold"], params, columns)
        return table

    def grid(self, value: object, params: ParamSpace) -> None:
        grid = self.table(value, "showcase.grid", optional=params.names)
        if len(grid) != 2:
            raise self.error("showcase.grid", f"expected two parameters, got {len(grid)}")
        for name, axis in grid.items():
            path = key("showcase.grid", name)
            start, stop, num = self.array(axis, path, length=3)
            for i, bound in enumerate((start, stop)):
                where = f"{path}[{i}]"
                params[name].check(self.number(bound, where), f"{self.source}: {where}")
            if isinstance(num, bool) or not isinstance(num, int) or num < 2:
                raise self.error(
                    f"{path}[2]", f"expected a number of points >= 2, got {describe(num)}"
                )

    def threshold(self, value: object, params: ParamSpace, columns: list[str]) -> None:
        path = "showcase.threshold"
        table = self.table(value, path, ["param", "measure", "between"], ["over"])
        param = self.string(table["param"], f"{path}.param", params.names)
        self.string(table["measure"], f"{path}.measure", columns)
        between = self.array(table["between"], f"{path}.between", length=2)
        low, high = (self.number(v, f"{path}.between[{i}]") for i, v in enumerate(between))
        if not low < high:
            raise self.error(
                f"{path}.between", f"expected [low, high] with low < high, got {between}"
            )
        if "over" in table:
            over = self.string(table["over"], f"{path}.over", params.names)
            if over == param:
                raise self.error(f"{path}.over", f"expected a parameter other than '{param}'")
