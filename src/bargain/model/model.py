"""A model: a parameterized game plus the measures a sweep reports."""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Collection, Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import sympy

from bargain.errors import ModelError, did_you_mean
from bargain.files import bibtex_keys
from bargain.games import GameForm
from bargain.games.solution import Columns
from bargain.params import ParamSpace
from bargain.spaces import PointList, point_list

from .links import Link, Links
from .measures import Measures
from .selection import check_rule
from .tabulate import tabulate
from .toml_writer import dumps_model

#: The label of the row at the defaults in a comparison of scenarios.
BASELINE = "defaults"


class Model:
    """A game of any form with named measures, solve options and metadata.

    Parameters
    ----------
    game : the parameterized game (a :class:`~bargain.games.GameForm`).
    measures : user measures, name -> formula over parameters and built-in
        measures (see :mod:`bargain.model.measures`).
    outcomes : name -> members of the game's outcome sets (terminal node ids of
        a tree, e.g. ``deal``, ``war``).
    name, title, description, citation : metadata carried into tables.
    version, bibtex : the model's own version and its sources as BibTeX entries;
        both go into the provenance of every table and figure (:meth:`provenance`).
    scenarios : named parameter presets, name -> {parameter: value, "description": text}.
    select : the default equilibrium selection of sweeps.
    showcase : what ``bargain run`` produces (see the model-file reference).
    links : name -> :class:`~bargain.model.links.Link`: each name, a parameter of
        the game, takes at every point the value of another model's equilibrium
        measure; it is then not a parameter of the model (see :mod:`.links`).
    **options : solve options of the game's form (``method=`` for normal-form
        games, ``tie_break=`` for trees); an option the form does not take is
        an error.
    """

    def __init__(
        self,
        game: GameForm,
        measures: Mapping[str, Any] | None = None,
        *,
        outcomes: Mapping[str, Iterable[Hashable]] | None = None,
        name: str = "model",
        title: str = "",
        description: str = "",
        citation: str = "",
        version: str = "",
        bibtex: str = "",
        scenarios: Mapping[str, Mapping[str, Any]] | None = None,
        select: str = "unique",
        showcase: Mapping[str, Any] | None = None,
        links: Mapping[str, Link] | None = None,
        **options: Any,
    ) -> None:
        if not isinstance(game, GameForm):
            raise ModelError(
                "expected a game (a GameForm: NormalFormGame, GameTree, BargainingGame, ...), "
                f"got {type(game).__name__}"
            )
        self.game = game
        #: The linked values (empty for most models).
        self.links = Links(game.params, links)
        self.name, self.title, self.description, self.citation = name, title, description, citation
        self.version, self.bibtex = version, bibtex
        self.select = check_rule(select, game)
        self.showcase = dict(showcase or {})
        #: Solve options that differ from the form's defaults.
        self.options = {
            k: v for k, v in game.check_options(options).items() if v != game.options[k].default
        }
        self.measures = Measures(game, measures, outcomes, self.options)
        self.scenarios: dict[str, dict[str, Any]] = {}
        for key, preset in (scenarios or {}).items():
            if key == BASELINE:
                raise ModelError(
                    f"scenarios.{key}: '{BASELINE}' names the row at the defaults in "
                    "scenario tables; give the scenario another name"
                )
            values = {k: v for k, v in preset.items() if k != "description"}
            self.links.refuse(values)
            self.params.bind(where=f"scenarios.{key}", **values)  # names and bounds
            self.scenarios[key] = {
                "description": str(preset.get("description", "")),
                "values": {k: float(v) for k, v in values.items()},
            }

    def _copy(self, measures: Mapping[str, Any], options: Mapping[str, Any]) -> Model:
        return Model(
            self.game,
            measures,
            outcomes=self.measures.outcomes,
            name=self.name,
            title=self.title,
            description=self.description,
            citation=self.citation,
            version=self.version,
            bibtex=self.bibtex,
            scenarios={
                k: {**v["values"], "description": v["description"]}
                for k, v in self.scenarios.items()
            },
            select=self.select,
            showcase=self.showcase,
            links=self.links,
            **options,
        )

    def with_measures(self, measures: Mapping[str, Any]) -> Model:
        """A copy of this model with more user measures."""
        return self._copy({**self.measures.user, **measures}, self.options)

    def with_options(self, **options: Any) -> Model:
        """A copy of this model with these solve options (checked by the game's form);
        options of the model's that serve only another method or concept than the one
        asked for are left behind (``GameForm.updated_options``)."""
        return self._copy(self.measures.user, self.game.updated_options(self.options, options))

    def provenance(self) -> dict[str, Any]:
        """What every table and figure made from the model records of it: its name,
        title, citation, version and BibTeX (with the entries' keys as ``cite``), the
        readers' names of its parameters (``labels``: label and unit), and its solve
        options (``options``: the model file's [solver] table and any given since)."""
        return {
            "model": self.name,
            "title": self.title,
            "citation": self.citation,
            "model_version": self.version,
            "cite": bibtex_keys(self.bibtex),
            "bibtex": self.bibtex,
            "labels": self.params.labels,
            "options": dict(self.options),
        }

    @property
    def params(self) -> ParamSpace:
        """The model's parameters: the game's, except the linked names."""
        return self.links.free

    def _bound(self, points: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """The points bound to the parameters, with the value of every link at them."""
        self.links.refuse(points)
        bound = self.params.bind_batch(points)
        return {**bound, **self.links.values(bound)}

    def scenario(self, name: str | None) -> dict[str, float]:
        """The parameter values of a named scenario (empty for None and for ``defaults``,
        the baseline row of scenario tables)."""
        if name is None or name == BASELINE:
            return {}
        if name not in self.scenarios:
            known = ", ".join(self.scenarios) or "none"
            raise ModelError(
                f"model {self.name!r}: unknown scenario {name!r}"
                f"{did_you_mean(name, self.scenarios)}; scenarios: {known}"
            )
        return dict(self.scenarios[name]["values"])

    def scenario_space(
        self, names: Iterable[str] | None = None, baseline: bool = False
    ) -> PointList:
        """The scenarios as explicit points, labelled by name (defaults elsewhere); with
        ``baseline``, first the point at the defaults, labelled ``defaults``."""
        names = list(self.scenarios if names is None else names)
        if not names:
            raise ModelError(f"model {self.name!r} has no scenarios")
        values = [{**self.params.defaults, **self.scenario(n)} for n in names]
        labels = names
        if baseline:
            values, labels = [dict(self.params.defaults), *values], [BASELINE, *names]
        used = [p for p in self.params.names if any(p in self.scenario(n) for n in names)]
        used = used or list(self.params.names[:1])
        return point_list({p: [v[p] for v in values] for p in used}, labels)

    def solve(self, scenario: str | None = None, **values: float) -> Any:
        """The equilibria at one point (see the game's ``solve``), from a scenario."""
        values = {**self.scenario(scenario), **values}
        if self.links:
            point = self._bound({k: v for k, v in values.items() if k not in self.game.options})
            values |= {k: float(point[k][0]) for k in self.links}
        return self.game.solve(**self.options, **values)

    def solve_batch(self, points: Mapping[str, Any]) -> Any:
        """The equilibria at N points with the model's solve options."""
        return self.game.solve_batch(self._bound(points), **self.options)

    def evaluate(
        self,
        points: Mapping[str, Any],
        select_rule: str | None = None,
        rows: bool = True,
        wanted: Collection[str] | None = None,
    ) -> dict[str, Columns]:
        """Measures at N points: ``{"points": per-point columns, "rows": per equilibrium}``.

        Per point: the parameters, ``n_equilibria``, ``selected_unique``,
        ``degenerate``, ``ties``, ``equilibria`` (every equilibrium's regime,
        joined with " | ") and each measure of the equilibrium chosen by
        ``select_rule`` (default: the model's ``select``; NaN where none
        qualifies); with ``"all"`` the per-point table is the per-row one (see
        :func:`~bargain.model.tabulate.tabulate`); ``rows=False`` leaves the
        per-equilibrium table out, ``wanted`` names the only measures tabulated.
        """
        rule = self.select if select_rule is None else check_rule(select_rule, self.game)
        bound = self._bound(points)
        solution, columns = self.measures.solve(bound, **self.options)
        return tabulate(bound, solution, columns, rule, self.measures, rows, wanted)

    def spec(self) -> dict[str, Any]:
        """A canonical, JSON-serializable description (for fingerprints)."""
        return {
            "name": self.name,
            "params": [[p.name, p.default, p.low, p.high] for p in self.params],
            "game": self.game.spec(sympy.srepr),
            "measures": {k: sympy.srepr(v) for k, v in self.measures.user.items()},
            "outcomes": {k: [repr(n) for n in v] for k, v in self.measures.outcomes.items()},
            "options": self.options,
            "scenarios": self.scenarios,
        } | ({"links": self.links.spec()} if self.links else {})

    def to_toml(self) -> str:
        """The model as a model file (see :func:`bargain.io.dumps_model`)."""
        return dumps_model(self)

    def fingerprint(self) -> str:
        """SHA-256 of :meth:`spec`: equal models give equal fingerprints."""
        text = json.dumps(self.spec(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _repr_html_(self) -> str:
        """The notebook display: name and title, the parameters (default, bounds, readers'
        name, description), the measures, outcomes and scenarios, the citation."""
        import pandas as pd

        params = pd.DataFrame(
            {
                "parameter": self.params.names,
                "default": [f"{p.default:g}" for p in self.params],
                "bounds": [p.bounds_text for p in self.params],
                "label": [p.axis_text if p.label or p.unit else "" for p in self.params],
                "description": [p.description for p in self.params],
            }
        )
        lines = [
            ("measures", ", ".join(self.measures.user)),
            ("outcomes", ", ".join(self.measures.outcomes)),
            ("scenarios", ", ".join(self.scenarios)),
            ("citation", self.citation),
        ]
        head = f"<b>{html.escape(self.name)}</b>" + (
            f": {html.escape(self.title)}" if self.title else ""
        )
        return (
            f"<p>{head}</p>"
            + params.to_html(escape=True, index=False)
            + "".join(f"<p><i>{k}</i>: {html.escape(v)}</p>" for k, v in lines if v)
        )

    def __repr__(self) -> str:
        return f"Model({self.name!r}, {self.game!r}, measures={list(self.measures.user)})"


def as_model(obj: Model | GameForm) -> Model:
    """A model as given, or a game wrapped in one with the built-in measures."""
    return obj if isinstance(obj, Model) else Model(obj)
