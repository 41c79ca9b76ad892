"""Bargaining protocols as parameterized games.

A :class:`BargainingGame` names a protocol of :mod:`bargain.bargaining` and
gives its numeric arguments as formulas of the model's parameters, so a sweep
can evaluate, say, Rubinstein shares over a grid of discount factors exactly
as it evaluates a game tree. Each point has one equilibrium (the protocol's
stationary subgame-perfect or axiomatic outcome): its shares and whether the
players agree at once.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from bargain import bargaining, formula
from bargain.algebra import Derivation, box_of, settle, step
from bargain.bargaining import closed_forms
from bargain.bargaining.regimes import Regime, regime_cases
from bargain.checks import describe, key, labels
from bargain.errors import ModelError, did_you_mean
from bargain.params import Param, ParamSpace, batch_size
from bargain.vocabulary import ident

from .form import GameForm, as_is
from .solution import Columns, EquilibriumBatch, EquilibriumSet
from .spec import SpecReader

#: Protocols and the arguments that may be formulas of the parameters (a pair or
#: list argument holds one formula per entry); other arguments pass unchanged.
PROTOCOLS: dict[str, tuple[Any, frozenset[str]]] = {
    "ultimatum": (bargaining.ultimatum, frozenset({"pie", "disagreement"})),
    "alternating_offers": (
        bargaining.alternating_offers,
        frozenset({"delta1", "delta2", "breakdown", "disagreement", "outside_options", "pie"}),
    ),
    "nash_solution": (bargaining.nash_solution, frozenset({"disagreement", "power"})),
    "kalai_smorodinsky": (bargaining.kalai_smorodinsky, frozenset({"disagreement"})),
    "baron_ferejohn": (bargaining.baron_ferejohn, frozenset({"delta", "pie", "recognition"})),
}


@dataclass(frozen=True)
class BargainingOutcome:
    """The outcome of a protocol at one point: each label's share, and whether they agree."""

    shares: dict[str, float]
    deal: bool

    def __str__(self) -> str:
        shares = ", ".join(f"{k} {v:.4g}" for k, v in self.shares.items())
        return f"{'deal' if self.deal else 'no deal'}: {shares}"


class BargainingSolution(EquilibriumSet[BargainingOutcome]):
    """A protocol's outcome at one point: ``shares`` (one per label), ``deal``,
    ``labels``, and ``result``, the protocol's
    :class:`~bargain.bargaining.BargainingResult` at the point (its
    ``closed_form``, ``protocol``, ``as_dict()`` and, for Baron–Ferejohn, the
    ex-ante ``values``). ``values`` is the point's parameter values, as for
    every form."""

    def __init__(
        self, outcome: BargainingOutcome, result: bargaining.BargainingResult, **flags: Any
    ) -> None:
        super().__init__([outcome], **flags)
        self.result = result
        self.labels = tuple(outcome.shares)
        self.shares = np.array(list(outcome.shares.values()))
        self.deal = outcome.deal

    @property
    def closed_form(self) -> tuple[sympy.Expr, ...] | None:
        return self.result.closed_form

    @property
    def protocol(self) -> str:
        return self.result.protocol

    def as_dict(self) -> dict[str, np.ndarray]:
        """The protocol result's columns (see ``BargainingResult.as_dict``)."""
        return self.result.as_dict()

    def __repr__(self) -> str:
        return f"BargainingSolution({self.equilibria[0]})"


class BargainingBatch(EquilibriumBatch):
    """A protocol's outcome at N points: one row per point (the equilibrium is unique).

    ``result`` is the protocol's :class:`~bargain.bargaining.BargainingResult`;
    ``shares`` (labels, N) and ``deal`` (N,) its outcome; ``payoffs`` (N, labels).
    """

    def __init__(
        self,
        result: bargaining.BargainingResult,
        labels: Sequence[str],
        points: dict[str, np.ndarray],
        method: str,
        n_points: int,
    ) -> None:
        self.result = result
        self.labels = self.players = tuple(labels)
        self.points = points
        self.method = method
        shares = np.asarray(result.shares).reshape(len(self.labels), -1)
        self.shares = np.broadcast_to(shares, (len(self.labels), n_points))
        self.deal = np.broadcast_to(np.asarray(result.deal).reshape(-1), (n_points,))
        self.payoffs = self.shares.T
        self.point = np.arange(self.deal.size)
        self.degenerate = np.zeros(self.deal.size, dtype=bool)
        self.ties = np.zeros(self.deal.size, dtype=bool)

    def measure_columns(self) -> Columns:
        columns = {f"u_{ident(label)}": share for label, share in zip(self.labels, self.shares)}
        return {**columns, "deal": self.deal.astype(float)}

    def regimes(self) -> tuple[np.ndarray, None]:
        """ "deal" or "no deal" at each point."""
        return np.where(self.deal, "deal", "no deal").astype(object), None

    def _point_solution(self, i: int) -> BargainingSolution:
        shares = {label: float(share[i]) for label, share in zip(self.labels, self.shares)}
        return BargainingSolution(
            BargainingOutcome(shares, bool(self.deal[i])),
            self._result_at(i),
            values=self.point_values(i),
            method=self.method,
            batch=self,
            rows=[i],
        )

    def _result_at(self, i: int) -> bargaining.BargainingResult:
        """The protocol's result at point i alone."""
        r = self.result
        if not r.shape:
            return r
        return bargaining.BargainingResult(
            r.protocol,
            r.labels,
            r.shares[..., i],
            r.deal[i],
            r.closed_form,
            {k: v[i] for k, v in r.params.items()},
            None if r.values is None else r.values[..., i],
        )

    def __repr__(self) -> str:
        return (
            f"BargainingBatch({self.method!r}, {len(self)} points, "
            f"{int(self.deal.sum())} with a deal)"
        )


class BargainingGame(GameForm):
    """A protocol with arguments given as numbers or formulas of parameters.

    Examples
    --------
    >>> game = BargainingGame(
    ...     "alternating_offers", ["US", "Iran"],
    ...     {"delta1": "exp(-r)", "delta2": 0.9},
    ...     params=[Param("r", 0.1, low=0)],
    ... )
    >>> game.solve(r=0.1).shares.round(3).ravel().tolist()
    [0.539, 0.461]
    """

    form = "bargaining"
    noun = "bargaining protocols"

    def __init__(
        self,
        protocol: str,
        players: Sequence[str],
        arguments: Mapping[str, Any],
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        if protocol not in PROTOCOLS:
            raise ModelError(
                f"unknown bargaining protocol {protocol!r}{did_you_mean(protocol, PROTOCOLS)}; "
                f"protocols: {', '.join(PROTOCOLS)}"
            )
        self.protocol = protocol
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels(players, "players")
        self.arguments = dict(arguments)
        function, numeric = PROTOCOLS[protocol]
        self._function = function
        self._exprs: list[sympy.Basic] = []
        self._slots: dict[str, slice | int] = {}
        for name, value in self.arguments.items():
            where = f"game.arguments.{name}"
            if name not in numeric:
                continue
            if isinstance(value, list | tuple):
                start = len(self._exprs)
                self._exprs += [
                    formula.as_expr(v, self.params, f"{where}[{i}]") for i, v in enumerate(value)
                ]
                self._slots[name] = slice(start, len(self._exprs))
            else:
                self._slots[name] = len(self._exprs)
                self._exprs.append(formula.as_expr(value, self.params, where))
        used = set().union(*map(formula.free_names, self._exprs)) if self._exprs else set()
        self._inputs = tuple(n for n in self.params.names if n in used)
        self._compiled = (
            formula.compile_formulas(self._exprs, self._inputs) if self._exprs else None
        )
        self.labels = self.solve_batch({}).labels  # solves at the defaults: checks arguments

    def _labels_from(self, labels: Sequence[str]) -> tuple[str, ...]:
        """Player names where the shares are per player, else the protocol's labels."""
        return self.players if len(labels) == len(self.players) else tuple(labels)

    def _call(self, bound: Mapping[str, np.ndarray], n: int) -> bargaining.BargainingResult:
        kwargs = {k: v for k, v in self.arguments.items() if k not in self._slots}
        if self._compiled is None:  # no argument is a formula: one outcome for every point
            return self._function(**kwargs)
        values = self._compiled(*(bound[name] for name in self._inputs))
        values = np.broadcast_to(values.reshape(len(self._exprs), -1), (len(self._exprs), n))
        for name, slot in self._slots.items():
            kwargs[name] = tuple(values[slot]) if isinstance(slot, slice) else values[slot]
        return self._function(**kwargs)

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> BargainingBatch:
        """Shares at N points (``points`` a mapping name -> N values); no options."""
        self.check_options(options)
        bound = self.params.bind_batch(points)
        n = batch_size(bound)
        result = self._call(bound, n)
        labels = self._labels_from(result.labels)
        return BargainingBatch(result, labels, bound, self.protocol, n)

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<label>`` (the shares), ``deal`` and ``n_equilibria``."""
        return [*(f"u_{ident(label)}" for label in self.labels), "deal", "n_equilibria"]

    # -- closed forms -------------------------------------------------------------------------

    def derive(self, **options: Any) -> Derivation:
        """The protocol's outcome in closed form: a case per regime (``deal``, ``no deal``).

        Each case holds where the numeric solver reports that regime, with the
        shares ``u_<label>`` and ``deal`` as expressions of the parameters
        (:mod:`bargain.bargaining.closed_forms`); conditions include the
        arguments' own ranges (those the bounds do not already ensure). The
        outcome is unique, so the cases are exclusive: on a boundary the
        solver's tie rule decides (a proposer indifferent between a deal and
        none makes the deal). A ModelError names what is not derivable.
        """
        self.check_options(options)
        arguments = dict(self.arguments)
        for name, slot in self._slots.items():
            exprs = self._exprs[slot]
            arguments[name] = tuple(exprs) if isinstance(slot, slice) else exprs
        with step(f"building the closed form of {self.protocol}"):
            closed = closed_forms.PROTOCOLS[self.protocol](**arguments)
        if closed.missing is not sympy.false:
            with step("checking where the closed form applies"):
                if settle(closed.missing, box_of(self.params)) is not False:
                    raise ModelError(closed.why)
        names = {own: f"u_{ident(label)}" for own, label in zip(closed.labels, self.labels)}
        regimes = [
            Regime(r.label, r.conditions, {names.get(k, k): v for k, v in r.values.items()})
            for r in closed.regimes
        ]
        cases = regime_cases(
            regimes, self.params, requires=closed.requires, covering=closed.covering
        )
        return Derivation(self.form, self.params, cases, exclusive=True, subject="outcome")

    # -- model files --------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        def rendered(value: Any) -> Any:
            if isinstance(value, list | tuple):
                return [rendered(v) for v in value]
            return render(value) if isinstance(value, sympy.Basic) else value

        table = {"form": self.form, "protocol": self.protocol, "players": list(self.players)}
        arguments = {name: rendered(value) for name, value in self.arguments.items()}
        return {**table, "arguments": arguments} if arguments else table

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> BargainingGame:
        table = reader.table(table, "game", ["form", "protocol", "players"], ["arguments"])
        protocol = reader.string(table["protocol"], "game.protocol", PROTOCOLS)
        players = reader.labels(table["players"], "game.players")
        function, numeric = PROTOCOLS[protocol]
        signature = inspect.signature(function).parameters.values()
        required = [p.name for p in signature if p.default is inspect.Parameter.empty]
        optional = [p.name for p in signature if p.default is not inspect.Parameter.empty]
        given = reader.table(table.get("arguments", {}), "game.arguments", required, optional)
        arguments = {}
        for name, arg in given.items():
            path = key("game.arguments", name)
            arguments[name] = value = _argument(reader, arg, path, 0)
            if name in numeric:  # formulas are checked here to report the file's key path
                items = enumerate(value) if isinstance(value, tuple) else [(None, value)]
                for i, item in items:
                    if isinstance(item, str):
                        reader.formula(item, path if i is None else f"{path}[{i}]", params)
        try:
            return cls(protocol, players, arguments, params)  # solves at the defaults
        except (ValueError, TypeError) as exc:  # the protocol's messages start with the argument
            name = str(exc).split(" ", 1)[0]
            path = key("game.arguments", name) if name in arguments else "game.arguments"
            raise reader.relocate(exc, path) from None

    def __repr__(self) -> str:
        return f"BargainingGame({self.protocol!r}, players={list(self.players)})"


def _argument(reader: SpecReader, value: object, path: str, depth: int) -> Any:
    """A protocol argument in a file: a string, number or boolean, or an array of them.

    The outer array becomes a tuple, as pairs such as ``disagreement`` are
    written in Python; inner arrays (points of a frontier) stay lists.
    """
    if isinstance(value, list) and depth < 2:
        items = [_argument(reader, v, f"{path}[{i}]", depth + 1) for i, v in enumerate(value)]
        return items if depth else tuple(items)
    if isinstance(value, str | bool):
        return value
    if isinstance(value, int | float):
        return reader.number(value, path)
    raise reader.error(
        path,
        f"expected a number, a formula, a boolean or an array of them, got {describe(value)}",
    )
