"""Measures: named quantities of each equilibrium, as columns over rows.

Every equilibrium row of a solved batch gets built-in columns, and users add
their own as formulas over the parameters and these columns:

normal form
    ``u_<player>`` expected payoff, ``p_<player>_<strategy>`` probability,
    ``pure`` (1 for a pure equilibrium), ``n_equilibria`` at the point;
    label ``regime``: the pure profile ("pressure/resist") or "mixed".
game tree
    ``u_<player>``, ``reach_<terminal>``, ``p_<node>_<move>`` behaviour
    probability, one column per named outcome set (the probability of ending
    in it), ``n_equilibria``; label ``regime``: the equilibrium path.

Labels that are not identifiers are made so (``U.S.`` becomes ``U_S_``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Iterable, Mapping
from functools import cached_property
from itertools import product
from typing import Any

import numpy as np
import sympy

from . import formula
from .errors import BargainWarning, DegenerateGameWarning, ModelError
from .games import BargainingGame, GameTree, NormalFormGame
from .games.protocol import ProtocolSolution
from .solution import BatchSolution
from .tree_solution import TreeBatchSolution

Columns = dict[str, np.ndarray]


def ident(label: Hashable) -> str:
    """A formula-safe name for a label: non-word characters become ``_``."""
    return re.sub(r"\W", "_", str(label))


class Measures:
    """The built-in and user measures of a game, compiled once.

    Parameters
    ----------
    game : a NormalFormGame or a GameTree.
    measures : user measures, name -> formula (string or sympy) over the
        parameters and the built-in columns.
    outcomes : for trees, name -> terminal node ids; each becomes a column
        holding the probability of ending in that set.
    """

    def __init__(
        self,
        game: NormalFormGame | GameTree | BargainingGame,
        measures: Mapping[str, Any] | None = None,
        outcomes: Mapping[str, Iterable[Hashable]] | None = None,
    ) -> None:
        self.game = game
        self.outcomes = {name: list(nodes) for name, nodes in (outcomes or {}).items()}
        self.builtin = self._builtin_names()
        taken = set(game.params.names)
        for name in [*self.builtin, *self.outcomes]:
            if name in taken:
                raise ModelError(f"measure name {name!r} is used twice (a parameter or a measure)")
            taken.add(name)
        self._check_outcomes()
        known = (*game.params.names, *self.builtin, *self.outcomes)
        self.user: dict[str, sympy.Basic] = {}
        for name, expr in (measures or {}).items():
            if not name.isidentifier() or name in taken:
                raise ModelError(
                    f"measures.{name}: expected a new identifier (not a parameter or "
                    f"built-in measure)"
                )
            where = f"measures.{name}"
            if isinstance(expr, str):
                self.user[name] = formula.parse(expr, known, where=where)
            elif isinstance(expr, sympy.Basic):
                unknown = formula.free_names(expr) - set(known)
                if unknown:
                    raise ModelError(f"{where}: unknown names {sorted(unknown)}")
                self.user[name] = expr
            else:
                raise ModelError(f"{where}: expected a formula, got {expr!r}")
            taken.add(name)
        params = set(game.params.names)
        #: User measures that depend on the parameters only: defined at every point.
        self.param_only = [n for n, e in self.user.items() if formula.free_names(e) <= params]
        used = set().union(*map(formula.free_names, self.user.values())) if self.user else set()
        self._inputs = tuple(n for n in known if n in used)
        self._function = (
            formula.compile(list(self.user.values()), self._inputs) if self.user else None
        )

    @cached_property
    def regime_names(self) -> np.ndarray:
        """Normal form: "mixed", then every pure profile ("pressure/resist") in C order."""
        profiles = ["/".join(p) for p in product(*self.game.strategies)]
        return np.asarray(["mixed", *profiles], dtype=object)

    @property
    def names(self) -> tuple[str, ...]:
        """Every numeric measure column, built-in first."""
        return (*self.builtin, *self.outcomes, *self.user)

    def _builtin_names(self) -> list[str]:
        game = self.game
        if isinstance(game, BargainingGame):
            return [*(f"u_{ident(label)}" for label in game.labels), "deal", "n_equilibria"]
        names = [f"u_{ident(p)}" for p in game.players]
        if isinstance(game, NormalFormGame):
            names += [
                f"p_{ident(p)}_{ident(s)}"
                for p, labels in zip(game.players, game.strategies)
                for s in labels
            ]
            names.append("pure")
        else:
            names += [f"reach_{ident(t)}" for t, n in game.nodes.items() if n["kind"] == "terminal"]
            names += [
                f"p_{ident(node)}_{ident(move)}"
                for node, n in game.nodes.items()
                if n["kind"] == "decision"
                for move in n["moves"]
            ]
        names.append("n_equilibria")
        if len(set(names)) != len(names):
            raise ModelError(f"labels give clashing measure names: {sorted(names)}")
        return names

    def _check_outcomes(self) -> None:
        if self.outcomes and not isinstance(self.game, GameTree):
            raise ModelError("outcomes: only game trees have outcome sets of terminal nodes")
        terminals = (
            [t for t, n in self.game.nodes.items() if n["kind"] == "terminal"]
            if isinstance(self.game, GameTree)
            else []
        )
        for name, nodes in self.outcomes.items():
            for node in nodes:
                if node not in terminals:
                    raise ModelError(
                        f"outcomes.{name}: {node!r} is not a terminal node; "
                        f"terminal nodes: {', '.join(map(str, terminals))}"
                    )

    # -- evaluation -----------------------------------------------------------

    def solve(self, points: Mapping[str, np.ndarray], **options: Any) -> tuple[Any, Columns]:
        """Solve at bound points; return the solution and the row columns.

        Row columns: ``point`` (row -> point index), every measure, and the
        label columns ``regime``; per-point flags ``degenerate`` and ``ties``
        are broadcast to rows.
        """
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateGameWarning)
            solution = self.game.solve_batch(points, **options)
        if isinstance(solution, BatchSolution):
            columns = self._normal_columns(solution)
        elif isinstance(solution, ProtocolSolution):
            columns = self._protocol_columns(solution)
        else:
            columns = self._tree_columns(solution)
        if self._function is not None:
            env = {**{k: v[columns["point"]] for k, v in points.items()}, **columns}
            values = self._function(*(env[name] for name in self._inputs))
            for name, row in zip(self.user, np.atleast_2d(values)):
                columns[name] = np.broadcast_to(row, columns["point"].shape).astype(float)
                bad = int(np.count_nonzero(~np.isfinite(columns[name])))
                if bad:  # e.g. a division by zero: say so rather than tabulate NaN silently
                    total = len(columns[name])
                    warnings.warn(
                        f"measure {name!r} is not finite for {bad} of {total} equilibria",
                        BargainWarning,
                        stacklevel=3,
                    )
        return solution, columns

    def _normal_columns(self, solution: BatchSolution) -> Columns:
        game = self.game
        point = solution.point
        columns: Columns = {"point": point}
        for k, player in enumerate(game.players):
            columns[f"u_{ident(player)}"] = solution.payoffs[:, k]
        pure = np.ones(len(point), dtype=bool)
        profile = np.zeros(len(point), dtype=np.int64)  # flat index of the pure profile
        for player, labels, mix in zip(game.players, game.strategies, solution.profiles):
            for j, s in enumerate(labels):
                columns[f"p_{ident(player)}_{ident(s)}"] = mix[:, j]
            pure &= mix.max(axis=1) >= 1 - 1e-12
            profile = profile * len(labels) + mix.argmax(axis=1)
        columns["pure"] = pure.astype(float)
        columns["n_equilibria"] = solution.count[point].astype(float)
        code = np.where(pure, profile + 1, 0)
        columns["regime_code"] = code
        regime = self.regime_names[code]
        columns["regime"] = regime
        columns["degenerate"] = solution.degenerate[point]
        columns["ties"] = np.zeros(len(point), dtype=bool)
        return columns

    def _protocol_columns(self, solution: ProtocolSolution) -> Columns:
        columns: Columns = {"point": solution.point}
        for label, share in zip(solution.labels, solution.shares):
            columns[f"u_{ident(label)}"] = share
        columns["deal"] = solution.deal.astype(float)
        columns["n_equilibria"] = np.ones(len(solution))
        columns["regime"] = np.where(solution.deal, "deal", "no deal").astype(object)
        columns["degenerate"] = np.zeros(len(solution), dtype=bool)
        columns["ties"] = np.zeros(len(solution), dtype=bool)
        return columns

    def _tree_columns(self, solution: TreeBatchSolution) -> Columns:
        game = self.game
        point = solution.point
        columns: Columns = {"point": point}
        for k, player in enumerate(game.players):
            columns[f"u_{ident(player)}"] = solution.payoffs[:, k]
        for k, t in enumerate(solution.terminals):
            columns[f"reach_{ident(t)}"] = solution.reach[:, k]
        for node, spec in game.nodes.items():
            if spec["kind"] == "decision":
                for j, move in enumerate(spec["moves"]):
                    columns[f"p_{ident(node)}_{ident(move)}"] = solution.behaviour[node][:, j]
        columns["n_equilibria"] = solution.count[point].astype(float)
        for name, nodes in self.outcomes.items():
            columns[name] = solution.reach_of(nodes)
        columns["regime"] = _paths(game, solution)
        columns["degenerate"] = solution.degenerate[point]
        columns["ties"] = solution.ties[point]
        return columns


def _paths(game: GameTree, solution: TreeBatchSolution) -> np.ndarray:
    """The equilibrium path of each row as text, e.g. ``propose>accept>keep``."""
    path = np.full(len(solution.point), "", dtype=object)
    for node in solution.preorder:
        spec = game.nodes[node]
        if spec["kind"] != "decision":
            continue
        moves = np.asarray(list(spec["moves"]), dtype=object)
        behaviour = np.nan_to_num(solution.behaviour[node])
        text = np.where(
            behaviour.max(axis=1) >= 1 - 1e-12, moves[behaviour.argmax(axis=1)], "mixed"
        )
        step = np.where(solution.node_reach(node) > 1e-12, text, "")
        path = np.where(step == "", path, np.where(path == "", step, path + ">" + step))
    return path
