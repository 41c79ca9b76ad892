"""A model: a parameterized game plus the measures a sweep reports."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable, Mapping
from typing import Any

import numpy as np
import sympy

from .errors import ModelError, did_you_mean
from .games import BargainingGame, GameTree, NormalFormGame
from .measures import Columns, Measures, ident
from .params import ParamSpace
from .selection import RULES, select
from .spaces import PointList, point_list


class Model:
    """A game (normal form or tree) with named measures and metadata.

    Parameters
    ----------
    game : the parameterized game.
    measures : user measures, name -> formula over parameters and built-in
        measures (see :mod:`bargain.measures`).
    outcomes : for trees, name -> terminal node ids (e.g. ``deal``, ``war``).
    name, title, description, citation : metadata carried into tables.
    method : normal-form solver method; ``tie_break`` for trees.
    scenarios : named parameter presets, name -> {parameter: value, "description": text}.
    select : the default equilibrium selection of sweeps.
    showcase : what ``bargain run`` produces (see the model-file reference).
    """

    def __init__(
        self,
        game: NormalFormGame | GameTree | BargainingGame,
        measures: Mapping[str, Any] | None = None,
        *,
        outcomes: Mapping[str, Iterable[Hashable]] | None = None,
        name: str = "model",
        title: str = "",
        description: str = "",
        citation: str = "",
        method: str | None = None,
        tie_break: str = "first",
        scenarios: Mapping[str, Mapping[str, Any]] | None = None,
        select: str = "unique",
        showcase: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(game, NormalFormGame | GameTree | BargainingGame):
            raise ModelError(
                "expected a NormalFormGame, a GameTree or a BargainingGame, "
                f"got {type(game).__name__}"
            )
        self.game = game
        self.name, self.title, self.description, self.citation = name, title, description, citation
        if select not in RULES:
            raise ModelError(f"select: expected one of {', '.join(RULES)}, got {select!r}")
        self.select = select
        self.showcase = dict(showcase or {})
        self.measures = Measures(game, measures, outcomes)
        self.scenarios: dict[str, dict[str, Any]] = {}
        for key, preset in (scenarios or {}).items():
            values = {k: v for k, v in preset.items() if k != "description"}
            game.params.bind(where=f"scenarios.{key}", **values)  # names and bounds
            self.scenarios[key] = {
                "description": str(preset.get("description", "")),
                "values": {k: float(v) for k, v in values.items()},
            }
        if isinstance(game, NormalFormGame):
            self.options: dict[str, Any] = {"method": method}
        elif isinstance(game, GameTree):
            self.options = {"tie_break": tie_break}
        else:
            self.options = {}

    def with_measures(self, measures: Mapping[str, Any]) -> Model:
        """A copy of this model with more user measures."""
        return Model(
            self.game,
            {**self.measures.user, **measures},
            outcomes=self.measures.outcomes,
            name=self.name,
            title=self.title,
            description=self.description,
            citation=self.citation,
            scenarios={
                k: {**v["values"], "description": v["description"]}
                for k, v in self.scenarios.items()
            },
            **self.options,
        )

    @property
    def params(self) -> ParamSpace:
        return self.game.params

    def scenario(self, name: str | None) -> dict[str, float]:
        """The parameter values of a named scenario (empty for None)."""
        if name is None:
            return {}
        if name not in self.scenarios:
            known = ", ".join(self.scenarios) or "none"
            raise ModelError(
                f"model {self.name!r}: unknown scenario {name!r}"
                f"{did_you_mean(name, self.scenarios)}; scenarios: {known}"
            )
        return dict(self.scenarios[name]["values"])

    def scenario_space(self, names: Iterable[str] | None = None) -> PointList:
        """The scenarios as explicit points, labelled by name (defaults elsewhere)."""
        names = list(self.scenarios if names is None else names)
        if not names:
            raise ModelError(f"model {self.name!r} has no scenarios")
        values = [{**self.params.defaults, **self.scenario(n)} for n in names]
        used = [p for p in self.params.names if any(p in self.scenario(n) for n in names)]
        used = used or list(self.params.names[:1])
        return point_list({p: [v[p] for v in values] for p in used}, names)

    def solve(self, scenario: str | None = None, **values: float) -> Any:
        """The equilibria at one point (see the game's ``solve``), from a scenario."""
        return self.game.solve(**self.options, **{**self.scenario(scenario), **values})

    def solve_batch(self, points: Mapping[str, Any]) -> Any:
        return self.game.solve_batch(points, **self.options)

    def evaluate(
        self, points: Mapping[str, Any], select_rule: str = "unique"
    ) -> dict[str, Columns]:
        """Measures at N points: ``{"points": per-point columns, "rows": per equilibrium}``.

        Per point: the parameters, ``n_equilibria``, ``selected_unique``,
        ``degenerate``, ``ties``, ``equilibria`` (every equilibrium's regime,
        joined with " | ") and each measure of the equilibrium chosen by
        ``select_rule`` (NaN where none qualifies); with ``"all"`` the per-point
        table is the per-row one.
        """
        if select_rule not in RULES:
            raise ValueError(f"select must be one of {RULES}, got {select_rule!r}")
        bound = self.params.bind_batch(points)
        n = len(next(iter(bound.values()))) if bound else 1
        _, columns = self.measures.solve(bound, **self.options)
        order = np.argsort(columns["point"], kind="stable")
        rows = {k: v[order] for k, v in columns.items()}
        point = rows["point"]
        rows = {**{k: v[point] for k, v in bound.items()}, **rows}
        codes = rows.pop("regime_code", None)
        if select_rule == "all":
            return {"points": rows, "rows": rows}
        labels = getattr(self.game, "labels", self.game.players)
        payoffs = np.stack([rows[f"u_{ident(p)}"] for p in labels], axis=1)
        extra = {}
        if select_rule == "risk-dominant":
            extra = {
                "game_payoffs": self.game.payoff_tensor(bound),
                "profiles": tuple(
                    np.stack([rows[f"p_{ident(p)}_{ident(s)}"] for s in labels], axis=1)
                    for p, labels in zip(self.game.players, self.game.strategies)
                ),
            }
        chosen, unique = select(select_rule, point, payoffs, n, **extra)
        summary: Columns = dict(bound)
        count = np.bincount(point, minlength=n)
        summary["n_equilibria"] = count.astype(float)
        summary["selected_unique"] = unique
        summary["degenerate"] = _per_point(rows["degenerate"], point, n)
        summary["ties"] = _per_point(rows["ties"], point, n)
        summary["equilibria"] = _label_sets(rows["regime"], point, n, codes)
        has = chosen >= 0
        for name in (*self.measures.names, "regime"):
            if name == "n_equilibria":
                continue
            values = rows[name]
            out = np.full(n, None if values.dtype == object else np.nan, dtype=values.dtype)
            out[has] = values[chosen[has]]
            summary[name] = out
        first = np.concatenate([[0], np.cumsum(count)[:-1]])  # rows are sorted by point
        for name in self.measures.param_only:  # a property of the point, whatever is chosen
            summary[name] = (
                np.where(count > 0, rows[name][np.minimum(first, len(point) - 1)], np.nan)
                if len(point)
                else np.full(n, np.nan)
            )
        return {"points": summary, "rows": rows}

    def spec(self) -> dict[str, Any]:
        """A canonical, JSON-serializable description (for fingerprints)."""
        game = self.game
        if isinstance(game, NormalFormGame):
            body: Any = {
                "players": game.players,
                "strategies": game.strategies,
                "payoffs": [sympy.srepr(e) for e in game.payoffs.reshape(-1)],
            }
        elif isinstance(game, BargainingGame):
            body = {
                "protocol": game.protocol,
                "players": game.players,
                "arguments": _canonical(game.arguments),
            }
        else:
            body = {
                "players": game.players,
                "nodes": [
                    [repr(node), spec["kind"], repr(_canonical(spec))]
                    for node, spec in game.nodes.items()
                ],
            }
        return {
            "name": self.name,
            "params": [[p.name, p.default, p.low, p.high] for p in self.params],
            "game": body,
            "measures": {k: sympy.srepr(v) for k, v in self.measures.user.items()},
            "outcomes": {k: [repr(n) for n in v] for k, v in self.measures.outcomes.items()},
            "options": self.options,
            "scenarios": self.scenarios,
        }

    def to_toml(self) -> str:
        """The model as a model file (see :func:`bargain.io.dumps_model`)."""
        from .io import dumps_model

        return dumps_model(self)

    def fingerprint(self) -> str:
        """SHA-256 of :meth:`spec`: equal models give equal fingerprints."""
        text = json.dumps(self.spec(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def __repr__(self) -> str:
        return f"Model({self.name!r}, {self.game!r}, measures={list(self.measures.user)})"


def as_model(obj: Model | NormalFormGame | GameTree | BargainingGame) -> Model:
    """A model as given, or a game wrapped in one with the built-in measures."""
    return obj if isinstance(obj, Model) else Model(obj)


def _canonical(spec: Mapping[str, Any]) -> Any:
    def norm(value: Any) -> Any:
        if isinstance(value, sympy.Basic):
            return sympy.srepr(value)
        if isinstance(value, Mapping):
            return {str(k): norm(v) for k, v in value.items()}
        if isinstance(value, tuple | list):
            return [norm(v) for v in value]
        return value

    return norm(spec)


def _per_point(flags: np.ndarray, point: np.ndarray, n: int) -> np.ndarray:
    return np.bincount(point, weights=flags.astype(float), minlength=n) > 0


def _label_sets(
    labels: np.ndarray, point: np.ndarray, n: int, codes: np.ndarray | None = None
) -> np.ndarray:
    """Every distinct label at each point, sorted and joined with " | ".

    ``codes`` (optional) are integers equal where labels are equal; rows must
    be sorted by point.
    """
    out = np.full(n, "", dtype=object)
    count = np.bincount(point, minlength=n)
    single = count[point] == 1
    out[point[single]] = labels[single]
    rows = np.flatnonzero(~single)
    if not len(rows):
        return out
    key = codes[rows] if codes is not None else labels[rows].astype(str)
    distinct, first, code = np.unique(key, return_index=True, return_inverse=True)
    names = labels[rows][first].astype(str)
    if len(distinct) > 62:
        for t in np.unique(point[rows]):
            out[t] = " | ".join(sorted(set(labels[point == t].astype(str))))
        return out
    bits = np.left_shift(np.int64(1), code.astype(np.int64))
    starts = np.flatnonzero(np.r_[True, np.diff(point[rows]) != 0])
    masks = np.bitwise_or.reduceat(bits, starts)
    kinds, which = np.unique(masks, return_inverse=True)
    order = np.argsort(names)
    text = [" | ".join(names[order][(int(m) >> order) & 1 == 1]) for m in kinds]
    out[point[rows][starts]] = np.asarray(text, dtype=object)[which]
    return out
