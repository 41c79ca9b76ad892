"""Bargaining protocols as parameterized games.

A :class:`BargainingGame` names a protocol of :mod:`bargain.bargaining` and
gives its numeric arguments as formulas of the model's parameters, so a sweep
can evaluate, say, Rubinstein shares over a grid of discount factors exactly
as it evaluates a game tree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from .. import bargaining, formula
from ..errors import ModelError, did_you_mean
from ..params import Param, ParamSpace

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


class ProtocolSolution:
    """Shares and deal flags at N points; one row per point (the SPE is unique)."""

    def __init__(self, result: bargaining.BargainingResult, labels: Sequence[str]) -> None:
        self.result = result
        self.labels = tuple(labels)
        self.shares = np.asarray(result.shares).reshape(len(self.labels), -1)
        self.deal = np.asarray(result.deal).reshape(-1)
        self.point = np.arange(self.deal.size)
        self.count = np.ones(self.deal.size, dtype=int)

    def __len__(self) -> int:
        return self.deal.size


class BargainingGame:
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
        self.players = tuple(players)
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
        self._compiled = formula.compile(self._exprs, self._inputs) if self._exprs else None
        self.labels = self.solve_batch({}).labels  # solves at the defaults: checks arguments

    def _labels_from(self, labels: Sequence[str]) -> tuple[str, ...]:
        """Player names where the shares are per player, else the protocol's labels."""
        return self.players if len(labels) == len(self.players) else tuple(labels)

    def _call(self, bound: Mapping[str, np.ndarray], n: int) -> bargaining.BargainingResult:
        values = (
            self._compiled(*(bound[name] for name in self._inputs))
            if self._compiled is not None
            else np.zeros((0, n))
        )
        values = np.broadcast_to(values.reshape(len(self._exprs), -1), (len(self._exprs), n))
        kwargs = {k: v for k, v in self.arguments.items() if k not in self._slots}
        for name, slot in self._slots.items():
            kwargs[name] = tuple(values[slot]) if isinstance(slot, slice) else values[slot]
        return self._function(**kwargs)

    def solve_batch(self, points: Mapping[str, Any]) -> ProtocolSolution:
        """Shares at N points (``points`` a mapping name -> N values)."""
        bound = self.params.bind_batch(points)
        n = len(next(iter(bound.values()))) if bound else 1
        result = self._call(bound, n)
        return ProtocolSolution(result, self._labels_from(result.labels))

    def solve(self, **values: float) -> bargaining.BargainingResult:
        """The protocol's result at one point."""
        return self.solve_batch({k: [v] for k, v in values.items()}).result

    def __repr__(self) -> str:
        return f"BargainingGame({self.protocol!r}, players={list(self.players)})"
