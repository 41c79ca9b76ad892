"""Model files: TOML text to a :class:`~bargain.model.Model` (see docs/model-files.md).

A model file is data: it is read with ``tomllib``, its formulas are parsed by
:func:`bargain.formula.parse` only, and nothing in it names Python code: the
``[game]`` table is read by the game form its ``form`` key names
(:meth:`GameForm.from_spec`), looked up in the registry of forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bargain.checks import Checker, describe, key
from bargain.files import SECTIONS, header, parse_toml
from bargain.formula import canonical
from bargain.games import GameForm, SpecReader, form_class, form_names
from bargain.params import TEXT_FIELDS, Param, ParamSpace

from .links import Link, Links
from .model import BASELINE, Model
from .selection import RULES, check_rule
from .tabulate import LABELS

#: Loads the model a link names (a bundled name, or a path relative to the file).
Loader = Callable[[str], Model]


def loads_model(text: str, source: str = "<string>", load: Loader | None = None) -> Model:
    """A model from the text of a model file.

    Parameters
    ----------
    text : str
        TOML text in the model-file format.
    source : str
        The file name (or another label) that starts every error message.
    load : callable, optional
        Loads the model a link names (``[links.<name>] model = ...``); given by
        :func:`bargain.io.load_model`, which resolves bundled names and paths
        relative to the file and refuses cycles. Without it a file with links
        is refused.

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
    return _Loader(source, load).model(parse_toml(text, source))


class _Loader(Checker):
    """Builds a model from a parsed file, checking every value on the way."""

    def __init__(self, source: str, load: Loader | None = None) -> None:
        super().__init__(source)
        self.load = load

    def model(self, data: dict[str, Any]) -> Model:
        top = self.table(data, "", ["model", "game"], SECTIONS, what="section")
        about = header(data, self.source)
        params = self.params(top.get("params", {}))
        links = self.links(top.get("links", {}), params)
        game = self.game(top["game"], self.linked(params, links))
        outcomes = self.outcomes(top.get("outcomes", {}), game)
        measures = self.table(top.get("measures", {}), "measures", optional=None)
        for name, text in measures.items():
            if not isinstance(text, str):
                raise self.error(key("measures", name), f"expected a formula, got {describe(text)}")
        options = self.solver(top.get("solver", {}), game)
        scenarios = self.scenarios(top.get("scenarios", {}), params)
        with self.located("links"):
            links = dict(Links(game.params, links))  # checked here, for errors' key paths
        kwargs = {**about, **options, "scenarios": scenarios, "links": links}
        with self.located("measures"):
            model = Model(game, measures, outcomes=outcomes, **kwargs)
            user = {name: canonical(expr) for name, expr in model.measures.user.items()}
            if user != model.measures.user:
                model = Model(game, user, outcomes=outcomes, **kwargs)
        model.showcase = self.showcase(top.get("showcase", {}), model)
        return model

    # -- parameters and the game ------------------------------------------------------------

    def params(self, value: object) -> ParamSpace:
        """The ``[params]`` table: a default, optional bounds and the texts of each."""
        out = []
        for name, spec in self.table(value, "params", optional=None).items():
            path = key("params", name)
            spec = self.table(spec, path, ["default"], ["low", "high", *TEXT_FIELDS])
            for field, v in spec.items():
                check = self.string if field in TEXT_FIELDS else self.number
                check(v, key(path, field))
            with self.located(path):
                out.append(Param(name, **spec))
        return ParamSpace(out)

    def links(self, value: object, params: ParamSpace) -> dict[str, Link]:
        """The ``[links]`` table: each linked model loaded, its names checked by the model."""
        out = {}
        for name, spec in self.table(value, "links", optional=None).items():
            path = key("links", name)
            spec = self.table(spec, path, ["model", "measure"], ["select", "params"])
            ref = self.string(spec["model"], f"{path}.model")
            measure = self.string(spec["measure"], f"{path}.measure")
            select = spec.get("select")
            if select is not None:
                self.string(select, f"{path}.select", RULES[:-1])
            given = self.table(spec.get("params", {}), f"{path}.params", optional=None)
            for param, text in given.items():
                if not isinstance(text, str | int | float) or isinstance(text, bool):
                    raise self.error(
                        key(f"{path}.params", param), f"expected a formula, got {describe(text)}"
                    )
            if name in params:
                raise self.error(path, f"'{name}' is a parameter too; a link needs its own name")
            if self.load is None:
                raise self.error(
                    f"{path}.model",
                    "linked models are loaded by bargain.io.load_model or bargain.io.loads_model",
                )
            with self.located(f"{path}.model"):
                model = self.load(ref)
            out[name] = Link(model, measure, select, given, ref)
        return out

    def linked(self, params: ParamSpace, links: dict[str, Link]) -> ParamSpace:
        """The game's parameters: the file's, and the linked names its formulas use."""
        extra = []
        for name, link in links.items():
            with self.located(key("links", name)):
                extra.append(Param(name, 0.0, description=f"linked: {link.ref}: {link.measure}"))
        return ParamSpace([*params, *extra])

    def game(self, value: object, params: ParamSpace) -> GameForm:
        """The game of the ``[game]`` table, built by the form it names."""
        form = self.string(
            self.table(value, "game", ["form"], None).get("form"), "game.form", form_names()
        )
        return form_class(form).from_spec(value, params, SpecReader(self.source))

    # -- the other sections -----------------------------------------------------------------

    def outcomes(self, value: object, game: GameForm) -> dict[str, list[Any]]:
        table = self.table(value, "outcomes", optional=None)
        sets = {name: self.array(nodes, key("outcomes", name)) for name, nodes in table.items()}
        with self.located("outcomes"):
            return game.check_outcomes(sets)

    def solver(self, value: object, game: GameForm) -> dict[str, Any]:
        """``select`` and the solve options of the game's form."""
        table = dict(self.table(value, "solver", optional=None))
        out = {}
        if "select" in table:
            select = self.string(table.pop("select"), "solver.select", RULES)
            with self.located("solver"):
                out["select"] = check_rule(select, game, where="solver.select")
        for name, option in table.items():
            choices = name in game.options and game.options[name].choices
            if choices:  # a file's choice is a string
                self.string(option, key("solver", name), choices)
        with self.located("solver"):
            return {**game.check_options(table, section="solver"), **out}

    def scenarios(self, value: object, params: ParamSpace) -> dict[str, dict[str, Any]]:
        out = {}
        for name, preset in self.table(value, "scenarios", optional=None).items():
            path = key("scenarios", name)
            if name == BASELINE:
                raise self.error(
                    path,
                    f"'{BASELINE}' names the row at the defaults in scenario tables; "
                    "give the scenario another name",
                )
            preset = self.table(preset, path, optional=["description", *params.names])
            out[name] = {
                "description": self.string(preset.get("description", ""), f"{path}.description")
            }
            for param, v in preset.items():
                if param != "description":
                    out[name][param] = params[param].check(v, f"{self.source}: {key(path, param)}")
        return out

    def showcase(self, value: object, model: Model) -> dict[str, Any]:
        optional = ["grid", "table", "measures", "threshold", "compare", "scenario"]
        table = self.table(value, "showcase", optional=optional)
        columns = [*model.measures.names, *LABELS]
        shown = [*columns, *model.links]  # the linked values are columns too
        params = model.params
        if "grid" in table:
            self.grid(table["grid"], params)
        if "table" in table:
            self.string(table["table"], "showcase.table", shown)
        if "measures" in table:
            for i, name in enumerate(self.array(table["measures"], "showcase.measures")):
                self.string(name, f"showcase.measures[{i}]", shown)
        if "threshold" in table:
            self.threshold(table["threshold"], params, columns)
        if "compare" in table:
            self.compare(table["compare"])
        if "scenario" in table:
            self.scenario_of_showcase(table, model)
        return table

    def scenario_of_showcase(self, table: dict[str, Any], model: Model) -> None:
        """``scenario = "NAME"``: the showcase is made at that scenario's values, which
        must leave the parameters it sweeps or searches free."""
        path = "showcase.scenario"
        name = self.string(table["scenario"], path, list(model.scenarios))
        values = model.scenario(name)
        used = [*table.get("grid", {})]
        if "threshold" in table:
            used += [table["threshold"]["param"], table["threshold"].get("over")]
        for param in used:
            if param in values:
                raise self.error(
                    path, f"scenario '{name}' sets '{param}', which the showcase varies"
                )

    def compare(self, value: object) -> None:
        """``compare = { model = "...", measures = [...] }``: another model's scenarios side
        by side (a bundled name or a path relative to this file)."""
        path = "showcase.compare"
        table = self.table(value, path, ["model", "measures"])
        ref = self.string(table["model"], f"{path}.model")
        if self.load is None:
            raise self.error(f"{path}.model", "compared models are loaded by bargain.io.load_model")
        with self.located(f"{path}.model"):
            other = self.load(ref)
        if not other.scenarios:
            raise self.error(f"{path}.model", f"model '{other.name}' has no scenarios to compare")
        known = [*other.params.names, *other.measures.names, *LABELS]
        for i, name in enumerate(self.array(table["measures"], f"{path}.measures")):
            self.string(name, f"{path}.measures[{i}]", known)

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
        table = self.table(value, path, ["param", "measure", "between"], ["over", "level"])
        param = self.string(table["param"], f"{path}.param", params.names)
        self.string(table["measure"], f"{path}.measure", columns)
        between = self.array(table["between"], f"{path}.between", length=2)
        low, high = (self.number(v, f"{path}.between[{i}]") for i, v in enumerate(between))
        if not low < high:
            raise self.error(
                f"{path}.between", f"expected [low, high] with low < high, got {between}"
            )
        if "level" in table:
            self.number(table["level"], f"{path}.level")
        if "over" in table:
            over = self.string(table["over"], f"{path}.over", params.names)
            if over == param:
                raise self.error(f"{path}.over", f"expected a parameter other than '{param}'")
