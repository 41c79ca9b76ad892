"""Linked models: a term of a model computed as another model's equilibrium measure.

A link gives a name of the game's formulas (``breakdown_iran``) its value at
each point from another model: the link's parameter formulas are evaluated
over this model's parameters, the linked model is solved batched at those
points (its other parameters at their defaults), its selection rule picks one
equilibrium per point, and the link's measure of that equilibrium is the value.
The name is declared as a parameter of the game (so its formulas parse) but is
not one of the model's parameters: it cannot be swept, fixed or set, and it
appears in every table as a column beside the parameters.

Where the linked model selects no equilibrium (none exists, or several and
the rule picks none) the linked value is undefined and solving stops with a
:class:`~bargain.errors.ModelError` naming the link and the first such point:
a game with an undefined payoff has no equilibria to report.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import sympy

from bargain import formula
from bargain.checks import key
from bargain.errors import ModelError, did_you_mean
from bargain.games import GameForm
from bargain.games.solution import Columns
from bargain.params import ParamSpace, batch_size, point_text

from .measures import Measures
from .selection import check_rule


class LinkedModel(Protocol):
    """What a link needs of the model it links to (a :class:`~bargain.model.Model`)."""

    name: str
    select: str
    game: GameForm
    measures: Measures

    @property
    def params(self) -> ParamSpace: ...

    def evaluate(
        self, points: Mapping[str, Any], select_rule: str | None = None
    ) -> dict[str, Columns]: ...

    def spec(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Link:
    """One linked value: ``measure`` of the equilibrium of ``model`` chosen by ``select``.

    Parameters
    ----------
    model : the linked model.
    measure : one of its measures (``model.measures.names``).
    select : its selection rule (default: the linked model's own); not ``"all"``.
    params : linked parameter -> formula (text or sympy) of this model's
        parameters; the linked model's other parameters keep their defaults.
    ref : how a model file names the linked model: a bundled name or a path
        relative to the file (default: the linked model's name).
    """

    model: LinkedModel
    measure: str
    select: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    ref: str = ""

    def describe(self) -> str:
        """One line: ``escalation: u_Iran (select risk-dominant; bite = bite)``."""
        given = "; ".join(f"{k} = {formula.to_text(v)}" for k, v in self.params.items())
        return f"{self.ref}: {self.measure} (select {self.select}{'; ' + given if given else ''})"


class Links(Mapping[str, Link]):
    """The links of a model, checked and compiled once.

    Parameters
    ----------
    params : the game's parameter space; every link name must be in it.
    links : name -> :class:`Link`.

    ``free`` is the parameter space of the model: the game's parameters that
    are not linked. Errors name the key path (``links.<name>.measure``).
    """

    def __init__(self, params: ParamSpace, links: Mapping[str, Link] | None = None) -> None:
        links = dict(links or {})
        for name in links:
            if name not in params:
                raise ModelError(
                    f"links.{name}: the game has no parameter '{name}'"
                    f"{did_you_mean(name, params.names)}; a link gives its value to a name "
                    "of the game's formulas, declared as a parameter of the game"
                )
        self.free = ParamSpace(p for p in params if p.name not in links)
        self._links = {name: _checked(name, link, self.free) for name, link in links.items()}
        self._compiled = {
            name: formula.compile_formulas(list(link.params.values()), self.free)
            for name, link in self._links.items()
            if link.params
        }

    def __getitem__(self, name: str) -> Link:
        return self._links[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._links)

    def __len__(self) -> int:
        return len(self._links)

    def refuse(self, names: Iterable[str]) -> None:
        """Refuse values given for linked names: they are computed, not set."""
        for name in names:
            if name in self._links:
                link = self._links[name]
                raise ModelError(
                    f"'{name}' is linked to {link.ref}: {link.measure}: its value is "
                    "computed at each point, not given"
                )

    def values(self, points: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The value of every link at bound points of ``free`` (name -> (N,) array)."""
        n = batch_size(points)
        out = {}
        for name, link in self._links.items():
            given: dict[str, np.ndarray] = {}
            if name in self._compiled:
                values = self._compiled[name](*(points[p] for p in self.free.names))
                for param, row in zip(link.params, np.atleast_2d(values)):
                    given[param] = np.broadcast_to(row, (n,)).astype(float)
            where = f"links.{name}.params"
            bound = link.model.params.bind_batch(given, n, where=where)
            table = link.model.evaluate(bound, link.select)["points"]
            value = np.asarray(table[link.measure], dtype=float)
            _check_defined(name, link, value, table, points)
            out[name] = value
        return out

    def spec(self) -> dict[str, Any]:
        """Every link as plain data: the linked model's whole spec, measure, rule, formulas."""
        return {
            name: {
                "model": link.model.spec(),
                "measure": link.measure,
                "select": link.select,
                "params": {k: sympy.srepr(v) for k, v in link.params.items()},
            }
            for name, link in self._links.items()
        }


def _checked(name: str, link: Link, free: ParamSpace) -> Link:
    """The link with its measure and rule checked and its formulas parsed over ``free``."""
    path = key("links", name)
    model = link.model
    measures = list(model.measures.names)
    if link.measure not in measures:
        raise ModelError(
            f"{path}.measure: unknown measure '{link.measure}' of model '{model.name}'"
            f"{did_you_mean(link.measure, measures)}; its measures: {', '.join(measures)}"
        )
    select = model.select if link.select is None else link.select
    select = check_rule(select, model.game, allow_all=False, where=f"{path}.select")
    params = {}
    for param, expr in link.params.items():
        where = key(f"{path}.params", param)
        if param not in model.params:
            raise ModelError(
                f"{where}: unknown parameter '{param}' of model '{model.name}'"
                f"{did_you_mean(param, model.params.names)}; its parameters: "
                f"{', '.join(model.params.names)}"
            )
        params[param] = _formula(expr, free, where)
    return Link(model, link.measure, select, params, link.ref or model.name)


def _formula(expr: Any, free: ParamSpace, where: str) -> sympy.Basic:
    """A link's parameter formula: text (parsed), a number, or a sympy expression."""
    if isinstance(expr, str):
        return formula.parse(expr, free, where=where)
    if isinstance(expr, int | float) and not isinstance(expr, bool):
        return sympy.Float(expr) if isinstance(expr, float) else sympy.Integer(expr)
    if isinstance(expr, sympy.Basic):
        unknown = formula.free_names(expr) - set(free.names)
        if unknown:
            raise ModelError(f"{where}: unknown names {sorted(unknown)}; parameters: {free.names}")
        return expr
    raise ModelError(f"{where}: expected a formula, got {expr!r}")


def _check_defined(
    name: str, link: Link, value: np.ndarray, table: Columns, points: Mapping[str, np.ndarray]
) -> None:
    """Refuse points where the linked model gives no value, naming the first and why."""
    missing = np.flatnonzero(~np.isfinite(value))
    if not len(missing):
        return
    first = int(missing[0])
    count = int(table["n_equilibria"][first])
    if count == 0:
        why = "has no equilibrium"
    elif table["regime"][first] is None:
        why = f"has {count} equilibria and select = '{link.select}' chooses none of them"
    else:
        why = f"gives a {link.measure} that is not a finite number"
    raise ModelError(
        f"links.{name}: model '{link.model.name}' {why} at {len(missing)} of {len(value)} "
        f"points (first: {point_text(points, first)}), so '{name}' has no value there; "
        'choose a selection rule that picks one equilibrium (e.g. select = "max-joint") '
        "or leave those points out"
    )
