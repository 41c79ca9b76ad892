"""Parameterized normal-form games.

A game is players, labelled strategies and one payoff per player and profile;
each payoff is a number, a safe formula string or a sympy expression of the
declared parameters. Formulas are compiled once to a numpy function, so a batch
of N parameter points becomes one payoff tensor of shape (P, s_1, ..., s_P, N).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from itertools import product
from typing import Any

import numpy as np

from .. import formula
from ..errors import DegenerateGameWarning, ModelError
from ..params import Param, ParamSpace
from ..solution import BatchSolution, Solution
from ..solvers import METHODS
from ..solvers.arrays import PAYOFF_RTOL, stack

#: Payoff tensors of one chunk hold at most about this many floats.
CHUNK_FLOATS = 1 << 17


class NormalFormGame:
    """A game in strategic form whose payoffs may depend on parameters.

    Parameters
    ----------
    players : names of the players, in order.
    strategies : per player (a mapping player -> labels, or a sequence in player
        order) the labels of its strategies.
    payoffs : mapping player -> nested list of shape (s_1, ..., s_P) holding
        numbers, formula strings or sympy expressions.
    params : the parameters the formulas may use (``Param`` objects or a ``ParamSpace``).

    Examples
    --------
    >>> game = NormalFormGame(
    ...     ["US", "Iran"],
    ...     {"US": ["pressure", "engage"], "Iran": ["resist", "restrain"]},
    ...     {"US": [[-1, "bite"], [-2, 1]], "Iran": [[-1, "-bite"], [1, "1 - bite"]]},
    ...     params=[Param("bite", 0.5, low=0, high=3)],
    ... )
    >>> [eq.support for eq in game.solve(bite=2.5)]
    [(('pressure',), ('resist',))]
    >>> (eq,) = game.solve(bite=0.5)
    >>> eq.support, eq.profile[1].round(4).tolist()
    ((('pressure', 'engage'), ('resist', 'restrain')), [0.3333, 0.6667])
    """

    def __init__(
        self,
        players: Sequence[str],
        strategies: Mapping[str, Sequence[str]] | Sequence[Sequence[str]],
        payoffs: Mapping[str, Any],
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = _labels(players, "players")
        if isinstance(strategies, Mapping):
            _same_keys(strategies, self.players, "strategies")
            strategies = [strategies[p] for p in self.players]
        if len(strategies) != len(self.players):
            raise ModelError(
                f"strategies: expected one list per player ({len(self.players)}), "
                f"got {len(strategies)}"
            )
        self.strategies = tuple(
            _labels(s, f"strategies[{p!r}]") for p, s in zip(self.players, strategies)
        )
        self.shape = tuple(len(s) for s in self.strategies)
        if not isinstance(payoffs, Mapping):
            raise ModelError("payoffs: expected a mapping player -> nested list of payoffs")
        _same_keys(payoffs, self.players, "payoffs")
        self.payoffs = np.empty((len(self.players), *self.shape), dtype=object)
        for i, player in enumerate(self.players):
            self.payoffs[i] = self._entries(payoffs[player], f"payoffs[{player!r}]")
        self._compile()

    @classmethod
    def from_arrays(
        cls,
        *arrays: Any,
        players: Sequence[str] | None = None,
        strategies: Sequence[Sequence[str]] | None = None,
    ) -> NormalFormGame:
        """A numeric game from one payoff array per player (``A, B`` as in nashpy)."""
        arrays = tuple(np.asarray(a, dtype=float) for a in arrays)
        if not arrays or any(a.shape != arrays[0].shape for a in arrays):
            raise ModelError("from_arrays: expected one payoff array per player, all one shape")
        if arrays[0].ndim != len(arrays):
            raise ModelError(
                f"from_arrays: {len(arrays)} players need arrays with {len(arrays)} axes, "
                f"got shape {arrays[0].shape}"
            )
        players = players or [f"P{i + 1}" for i in range(len(arrays))]
        strategies = strategies or [[f"s{j + 1}" for j in range(n)] for n in arrays[0].shape]
        return cls(players, strategies, dict(zip(players, (a.tolist() for a in arrays))))

    # -- evaluation ---------------------------------------------------------

    def _entries(self, value: Any, where: str) -> np.ndarray:
        if isinstance(value, np.ndarray):
            value = value.tolist()
        flat: list[Any] = []
        _flatten(value, self.shape, where, self.players, flat)
        exprs = [
            formula.as_expr(v, self.params, where + "".join(f"[{i}]" for i in idx))
            for v, idx in zip(flat, product(*map(range, self.shape)))
        ]
        out = np.empty(len(exprs), dtype=object)
        out[:] = exprs
        return out.reshape(self.shape)

    def _compile(self) -> None:
        flat = list(self.payoffs.reshape(-1))
        used = set().union(*(formula.free_names(e) for e in flat))
        self._inputs = tuple(n for n in self.params.names if n in used)
        self._function = formula.compile(flat, self._inputs)

    @property
    def is_numeric(self) -> bool:
        """Whether no payoff depends on a parameter."""
        return not self._inputs

    def payoff_tensor(self, points: Mapping[str, np.ndarray]) -> np.ndarray:
        """Payoffs at N bound points (``ParamSpace.bind_batch``): shape (P, s_1, ..., s_P, N)."""
        n = _batch_size(points)
        out = np.empty((self.payoffs.size, n))
        self._function(*(points[name] for name in self._inputs), out=out)
        bad = ~np.isfinite(out)
        if bad.any():
            entry, t = (int(i[0]) for i in np.nonzero(bad))
            index = np.unravel_index(entry, self.payoffs.shape)
            at = ", ".join(f"{k}={float(v[t]):g}" for k, v in points.items())
            raise ModelError(
                f"payoffs[{self.players[index[0]]!r}]"
                + "".join(f"[{i}]" for i in index[1:])
                + f" = {self.payoffs[index]} is not finite at {at}"
            )
        return out.reshape(*self.payoffs.shape, n)

    def at(self, **values: float) -> NormalFormGame:
        """The numeric game at these parameter values (defaults for the rest)."""
        bound = self.params.bind_batch({k: [v] for k, v in values.items()})
        tensor = self.payoff_tensor(bound)[..., 0]
        return NormalFormGame.from_arrays(*tensor, players=self.players, strategies=self.strategies)

    # -- solving ------------------------------------------------------------

    def solve(self, method: str | None = None, **values: float) -> Solution:
        """All equilibria at one parameter point: ``solve_batch`` on a batch of one."""
        result = self._solve({k: [v] for k, v in values.items()}, method, None, PAYOFF_RTOL)
        _warn_degenerate(result, stacklevel=3)
        return result[0]

    def solve_batch(
        self,
        points: Mapping[str, Any],
        method: str | None = None,
        *,
        chunk_size: int | None = None,
        rtol: float = PAYOFF_RTOL,
    ) -> BatchSolution:
        """Equilibria at N parameter points, ``points`` a mapping name -> N values.

        Methods: ``"support"`` (all equilibria of two-player games, the default
        for two players), ``"pure"`` (pure equilibria, any number of players, the
        default otherwise), ``"vertex"`` and ``"lemke-howson"`` (nashpy). Points
        are processed in chunks of ``chunk_size`` so memory stays bounded.
        Degenerate games are flagged per point and a ``DegenerateGameWarning`` is issued.
        """
        result = self._solve(points, method, chunk_size, rtol)
        _warn_degenerate(result, stacklevel=3)
        return result

    def _solve(
        self, points: Mapping[str, Any], method: str | None, chunk_size: int | None, rtol: float
    ) -> BatchSolution:
        method = method or ("support" if len(self.players) == 2 else "pure")
        if method not in METHODS:
            raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
        kernel, two_players = METHODS[method]
        if two_players and len(self.players) != 2:
            raise ValueError(
                f"method {method!r} needs a two-player game; this one has "
                f"{len(self.players)} players (use method='pure')"
            )
        bound = self.params.bind_batch(points)
        n = _batch_size(bound)
        size = chunk_size or max(1, CHUNK_FLOATS // self.payoffs.size)
        arrays = stack(
            [
                kernel(
                    self.payoff_tensor({k: v[start : start + size] for k, v in bound.items()}), rtol
                )
                for start in range(0, n, size)
            ]
        )
        return BatchSolution(
            arrays, players=self.players, strategies=self.strategies, points=bound, method=method
        )

    def __repr__(self) -> str:
        sizes = "x".join(map(str, self.shape))
        params = f", params={list(self.params.names)}" if len(self.params) else ""
        return f"NormalFormGame({sizes}, players={list(self.players)}{params})"


def _warn_degenerate(result: BatchSolution, stacklevel: int) -> None:
    count = int(result.degenerate.sum())
    if count:
        where = (
            "the game is degenerate"
            if len(result) == 1
            else f"{count} of {len(result)} games are degenerate"
        )
        warnings.warn(
            f"{where} (payoff ties or equilibrium components): every equilibrium reported "
            "is verified, but a component may hold more; see the 'degenerate' flag",
            DegenerateGameWarning,
            stacklevel=stacklevel + 1,
        )


def _batch_size(points: Mapping[str, np.ndarray]) -> int:
    """The number of points of a bound batch; a game without parameters has one."""
    return len(next(iter(points.values()))) if points else 1


def _labels(values: Any, where: str) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Iterable):
        raise ModelError(f"{where}: expected a list of labels, got {values!r}")
    labels = tuple(values)
    if not labels:
        raise ModelError(f"{where}: expected at least one label, got none")
    for label in labels:
        if not isinstance(label, str) or not label:
            raise ModelError(f"{where}: labels must be non-empty strings, got {label!r}")
    duplicates = sorted({x for x in labels if labels.count(x) > 1})
    if duplicates:
        raise ModelError(f"{where}: duplicate labels {duplicates}")
    return labels


def _same_keys(mapping: Mapping[str, Any], players: tuple[str, ...], where: str) -> None:
    missing = [p for p in players if p not in mapping]
    extra = [k for k in mapping if k not in players]
    if missing or extra:
        raise ModelError(
            f"{where}: expected exactly the players {list(players)}; "
            + (f"missing {missing}" if missing else "")
            + ("; " if missing and extra else "")
            + (f"unknown {extra}" if extra else "")
        )


def _flatten(
    value: Any, shape: tuple[int, ...], where: str, players: tuple[str, ...], out: list[Any]
) -> None:
    """Append the entries of a nested list of the given shape, checking every level."""
    if not shape:
        if isinstance(value, list | tuple):
            raise ModelError(f"{where}: expected a single payoff, got a list {value!r}")
        out.append(value)
        return
    depth = len(players) - len(shape)
    if not isinstance(value, list | tuple) or len(value) != shape[0]:
        got = f"a list of length {len(value)}" if isinstance(value, list | tuple) else repr(value)
        raise ModelError(
            f"{where}: expected a list of {shape[0]} entries (one per strategy of "
            f"{players[depth]!r}), got {got}"
        )
    for i, item in enumerate(value):
        _flatten(item, shape[1:], f"{where}[{i}]", players, out)
