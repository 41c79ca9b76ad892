"""Parameterized normal-form games.

A game is players, labelled strategies and one payoff per player and profile;
each payoff is a number, a safe formula string or a sympy expression of the
declared parameters. Formulas are compiled once to a numpy function, so a batch
of N parameter points becomes one payoff tensor of shape (P, s_1, ..., s_P, N).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from functools import cached_property
from itertools import product
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import sympy

from bargain import formula
from bargain.algebra import Derivation
from bargain.checks import describe, key, labels, memory_needed, same_keys
from bargain.errors import BargainWarning, ModelError, warn
from bargain.params import Param, ParamSpace, batch_size, point_text
from bargain.solvers import FALLBACK, METHODS
from bargain.solvers.arrays import (
    EquilibriumArrays,
    Scaled,
    Tolerance,
    concat,
    no_equilibria,
    scaled,
    verify,
)
from bargain.solvers.choice import choose
from bargain.solvers.collect import RowCollector
from bargain.solvers.exact import ExactEquilibria, check_budget
from bargain.solvers.pivoting import with_lemke_howson
from bargain.solvers.support import support_enumeration
from bargain.solvers.two_by_two import two_by_two
from bargain.vocabulary import ident

from ..form import CHUNK_SIZE, GameForm, Option, as_is
from ..qre_budget import Deadline, warn_paths
from ..qre_options import lam_option, lam_per_player, max_steps_option, seconds_option
from ..resolution import unresolved_tensor_error
from ..spec import SpecReader
from .derive import derive_normal
from .exact import exact_ready, solve_exactly
from .quantal import BRANCH_GRID, QUANTAL, branch_arrays, limit_rows, qre_rows
from .solution import BatchSolution, Solution

if TYPE_CHECKING:
    import pandas as pd

#: Payoff tensors of one chunk hold at most about this many floats.
CHUNK_FLOATS = 1 << 17
#: Gambit's methods (:mod:`bargain.solvers.gambit_methods`): they take ``seconds``.
GAMBIT = ("enumpoly", "gnm", "ipa", "simpdiv", "liap")


class NormalFormGame(GameForm):
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

    form = "normal"
    noun = "normal-form games"
    options = MappingProxyType(
        {
            "method": Option(
                None,
                (*METHODS, *QUANTAL, "auto"),
                help="the solver (default: auto, by the game's size)",
            ),
            "lam": Option(
                None,
                check=lam_option,
                help="the logit QRE's lam (method='qre'): a number or player -> number",
                only=("method", ("qre",)),
            ),
            "max_steps": Option(
                None,
                check=max_steps_option,
                help="path-following steps per chunk (qre, logit; auto's logit limit)",
                only=("method", (*QUANTAL, "auto", None)),
            ),
            "seconds": Option(
                None,
                check=seconds_option,
                help=(
                    "time budget per call (qre, logit, auto's logit limit; Gambit's "
                    f"{', '.join(GAMBIT)})"
                ),
                only=("method", (*QUANTAL, "auto", None, *GAMBIT)),
            ),
            "chunk_size": CHUNK_SIZE,
        }
    )

    def __init__(
        self,
        players: Sequence[str],
        strategies: Mapping[str, Sequence[str]] | Sequence[Sequence[str]],
        payoffs: Mapping[str, Any],
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels(players, "players")
        if isinstance(strategies, Mapping):
            same_keys(strategies, self.players, "strategies")
            strategies = [strategies[p] for p in self.players]
        if len(strategies) != len(self.players):
            raise ModelError(
                f"strategies: expected one list per player ({len(self.players)}), "
                f"got {len(strategies)}"
            )
        self.strategies = tuple(
            labels(s, f"strategies[{p!r}]") for p, s in zip(self.players, strategies)
        )
        self.shape = tuple(len(s) for s in self.strategies)
        same_keys(payoffs, self.players, "payoffs")
        entries = len(self.players) * math.prod(self.shape)
        memory_needed(
            entries * (8 * len(self.players) + 400),
            f"a game of {len(self.players)} players with {'x'.join(map(str, self.shape))} "
            "strategies",
            "solve a smaller game",
        )
        #: The payoffs as floats (P, s_1, ..., s_P) when no payoff is a formula, else None.
        self.numeric = _numbers([payoffs[p] for p in self.players], self.shape)
        if self.numeric is None:
            self.payoffs = np.empty((len(self.players), *self.shape), dtype=object)
            for i, player in enumerate(self.players):
                self.payoffs[i] = self._entries(payoffs[player], f"payoffs[{player!r}]")
            self._compile()
        else:
            self._inputs = ()

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
        return cls(players, strategies, dict(zip(players, arrays)))

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
        self._function = formula.compile_formulas(flat, self._inputs)

    @cached_property
    def payoffs(self) -> np.ndarray:
        """Each payoff as a sympy expression, (P, s_1, ..., s_P) (built on first use for a
        game of numbers: a large numeric game never makes a million sympy objects)."""
        out = np.empty(self.numeric.shape, dtype=object)
        out.reshape(-1)[:] = [formula.as_expr(float(v), (), "payoffs") for v in self.numeric.flat]
        return out

    @property
    def is_numeric(self) -> bool:
        """Whether no payoff depends on a parameter."""
        return not self._inputs

    def payoff_tensor(self, points: Mapping[str, np.ndarray]) -> np.ndarray:
        """Payoffs at N bound points (``ParamSpace.bind_batch``): shape (P, s_1, ..., s_P, N)."""
        n = batch_size(points)
        if self.numeric is not None:
            return np.repeat(self.numeric[..., None], n, axis=-1)
        out = np.empty((self.payoffs.size, n))
        self._function(*(points[name] for name in self._inputs), out=out)
        bad = ~np.isfinite(out)
        if bad.any():
            entry, t = (int(i[0]) for i in np.nonzero(bad))
            index = np.unravel_index(entry, self.payoffs.shape)
            raise ModelError(
                f"payoffs[{self.players[index[0]]!r}]"
                + "".join(f"[{i}]" for i in index[1:])
                + f" = {self.payoffs[index]} is not finite at {point_text(points, t)}"
            )
        return out.reshape(*self.payoffs.shape, n)

    def to_gambit(
        self,
        path: str | os.PathLike[str],
        values: Mapping[str, Any] | None = None,
        title: str = "",
    ) -> Path:
        """Write the game at ``values`` (defaults for the rest) to a Gambit ``.nfg`` file,
        rational payoffs exactly (:func:`bargain.games.gambit_writer.write_table`)."""
        from ..gambit_writer import write_table

        return write_table(self, path, values, title)

    def at(self, **values: float) -> NormalFormGame:
        """The numeric game at these parameter values (defaults for the rest)."""
        bound = self.params.bind_batch({k: [v] for k, v in values.items()})
        tensor = self.payoff_tensor(bound)[..., 0]
        return NormalFormGame.from_arrays(*tensor, players=self.players, strategies=self.strategies)

    # -- solving ------------------------------------------------------------

    def solve(self, method: str | None = None, **values: Any) -> Solution:
        """All equilibria at one parameter point: ``solve_batch`` on a batch of one."""
        return super().solve(**values, **({"method": method} if method else {}))

    def solve_batch(
        self, points: Mapping[str, Any], method: str | None = None, **options: Any
    ) -> BatchSolution:
        """Equilibria at N parameter points, ``points`` a mapping name -> N values.

        Options: ``method`` -- ``"auto"`` (the default: by the game's size,
        :func:`bargain.solvers.choice.choose`; the solution's ``choice`` says what and
        why), ``"support"`` (all equilibria of two-player games by support
        enumeration), ``"vertex"`` (all equilibria by batched vertex enumeration, for
        larger games), ``"exact"`` (extreme equilibria, maximal Nash subsets and
        components in rational arithmetic), ``"pure"`` (pure equilibria, any number of
        players), ``"lemke-howson"`` (an equilibrium from each starting label),
        ``"nashpy"`` (nashpy's vertex enumeration, point by point: an independent
        check), ``"qre"`` (the logit quantal response equilibrium at ``lam`` on the
        principal branch, one row per point, any number of players: not a Nash
        equilibrium, its ``regret`` is positive), ``"logit"`` (the logit limit: the
        Nash equilibrium the principal branch converges to as lam grows, one per
        point, verified); ``lam`` -- the QRE's precision in the players' payoff units
        (lam times a payoff difference is a log-odds ratio), a number or a mapping
        player -> number (heterogeneous noise, Signorino 1999); ``max_steps`` and
        ``seconds`` -- the path-following budget of ``"qre"`` and ``"logit"`` (steps
        per chunk, seconds per call), ``seconds`` also the time budget of Gambit's
        methods (per call; each chunk gets the time left): points it leaves
        unreached get no row and a warning says so; ``chunk_size`` -- points solved
        at once, so memory stays bounded.

        Degenerate points are flagged and a ``DegenerateGameWarning`` says what was
        done: two-player points are solved exactly where pycddlib is installed (the
        ``exact`` extra) and the game is within its budget; where a method still finds
        nothing, Lemke–Howson, which always finds an equilibrium, solves the point.
        Under ``"auto"``, games of three or more players get their pure equilibria, and
        the logit limit solves each point without one. ``methods`` says which method
        solved each point; ``fallback`` flags the points whose logit path left the
        shared grid for arc-length continuation (a warning counts them). Where a path
        folds back across lam, ``"qre"`` returns its first crossing of lam (Gambit's
        ``logit_solve_lambda`` may return a later one).
        """
        options = self.check_options({**options, **({"method": method} if method else {})})
        method = options.get("method") or "auto"
        deadline = self._deadline(method, options)
        if method in QUANTAL:
            return self._solve_quantal(points, method, options, deadline)
        if method == "auto":
            method, choice = choose(self.shape)
            choice = f"auto chose {method}: {choice}"
            if method == "pure":
                choice += ", and the logit limit where there is none"
        else:
            choice = f"method={method!r}, as asked"
        # a Gambit method's time budget, forwarded to its kernel; else the logit limit's
        timer, deadline = (deadline, None) if method in GAMBIT else (None, deadline)
        kernel, two_players = METHODS[method]
        if two_players and len(self.players) != 2:
            raise ModelError(
                f"method {method!r} needs a two-player game; this one has "
                f"{len(self.players)} players (use method='pure')"
            )
        bound = self.params.bind_batch(points)
        n = batch_size(bound)
        size = self._chunk_size(options)
        rescue = two_players and method not in (FALLBACK, "exact")
        exact = "all" if method == "exact" else "degenerate" if two_players else "none"
        if exact == "all":
            check_budget(*self.shape)
        elif exact == "degenerate" and not exact_ready(*self.shape):
            exact = "none"
        rows = RowCollector(n, self.shape)
        rescued = np.zeros(n, dtype=bool)
        unreached = np.zeros(n, dtype=bool)
        fallback = np.zeros(n, dtype=bool)
        exhausted = None
        payoff_range = np.empty((len(self.players), n))
        solved_exactly: dict[int, ExactEquilibria] = {}
        for start in range(0, n, size):
            left = None if timer is None else timer.left()
            if left is not None and left <= 0:
                unreached[start : start + size] = True
            chunk = self._solve_chunk(
                kernel,
                {k: v[start : start + size] for k, v in bound.items()},
                rescue,
                exact,
                deadline,
                left,
            )
            rows.add(chunk.found, start)
            rescued[start : start + size] = chunk.rescued
            fallback[start : start + size] = chunk.fallback
            exhausted = exhausted or chunk.exhausted
            payoff_range[:, start : start + size] = chunk.span
            solved_exactly.update((start + t, r) for t, r in chunk.exact.items())
        result = BatchSolution(
            rows.result(),
            players=self.players,
            strategies=self.strategies,
            points=bound,
            method=method,
            rescued=rescued,
            rescue_method="logit" if deadline is not None else FALLBACK,
            fallback=fallback,
            payoff_range=payoff_range.T,
            payoff_tensor=self.payoff_tensor,
            choice=choice,
            exact=solved_exactly,
            chunk_size=size,
        )
        result.warn_degenerate("payoff ties or equilibrium components")
        if unreached.any():
            warn(
                f"{method}: the time budget seconds={timer.seconds:g} ran out before "
                f"{int(unreached.sum()):,} of {n:,} points were reached: they have no "
                "equilibrium from it (raise seconds=, or solve fewer points per call)",
                BargainWarning,
            )
        if deadline is not None:
            warn_paths(fallback, result.count == 0, exhausted, "equilibrium")
        result.warn_empty(
            "the game has no pure equilibrium and its logit limit was not found"
            if deadline is not None
            else "the game has no pure equilibrium"
            if method == "pure"
            else f"{method} found none, or its time budget ran out first"
            if method in GAMBIT
            else f"{method} found none"
        )
        return result

    def _deadline(self, method: str, options: Mapping[str, Any]) -> Deadline | None:
        """The budget of the call, where its method follows logit paths or is Gambit's
        (``seconds`` only); ModelErrors for ``lam`` or a budget given to a method that
        takes none."""
        lam = options.get("lam")
        if lam is not None and method != "qre":
            given = options.get("method") not in (None, "auto")
            raise ModelError(
                "lam: lam needs method='qre' (only method='qre' takes lam, the logit QRE's "
                "precision)"
                + (f", not method={method!r}: drop lam" if given else ": add method='qre'")
                + (", or use method='qre'" if given else ", or drop lam")
            )
        if method == "qre" and lam is None:
            raise ModelError(
                "method='qre' needs lam, the QRE's precision in payoff units: a number >= 0 "
                "or a mapping player -> number (lam=0 is uniform play)"
            )
        if method == "qre":
            lam_per_player(lam, self.players)  # checked before any work
        follows = method in QUANTAL or (method == "auto" and len(self.players) > 2)
        if options.get("max_steps") is not None and not follows:
            raise ModelError(
                "max_steps: only methods 'qre' and 'logit' (and 'auto' on games of three "
                "or more players, whose logit limit solves points without a pure "
                f"equilibrium) take a path-following budget; got method={method!r}"
            )
        if options.get("seconds") is not None and not (follows or method in GAMBIT):
            raise ModelError(
                "seconds: only methods 'qre' and 'logit' (and 'auto' on games of three or "
                "more players, whose logit limit solves points without a pure equilibrium) "
                f"and Gambit's {', '.join(GAMBIT)} take a time budget; got method={method!r}"
            )
        if follows or method in GAMBIT:
            return Deadline(options.get("max_steps"), options.get("seconds"))
        return None

    def _chunk_size(self, options: Mapping[str, Any]) -> int:
        entries = len(self.players) * math.prod(self.shape)
        return options.get("chunk_size") or max(1, CHUNK_FLOATS // entries)

    def _ready(self, part: Mapping[str, np.ndarray]) -> Scaled:
        """The payoffs of a chunk of points, scaled for a kernel (refused if unresolved)."""
        ready = scaled(self.payoff_tensor(part))
        if ready.tolerance.unresolved.any():
            raise unresolved_tensor_error(ready, self.players, part)
        return ready

    def _solve_quantal(
        self, points: Mapping[str, Any], method: str, options: Mapping[str, Any], deadline: Deadline
    ) -> BatchSolution:
        """The logit QRE at ``lam`` (method "qre") or the logit limit ("logit") at N points."""
        lam = lam_per_player(options["lam"], self.players) if method == "qre" else None
        bound = self.params.bind_batch(points)
        n = batch_size(bound)
        size = self._chunk_size(options)
        rows = RowCollector(n, self.shape, rows_per_point=1.0)
        fallback = np.zeros(n, dtype=bool)
        missed = np.zeros(n, dtype=bool)
        exhausted = None
        payoff_range = np.empty((len(self.players), n))
        for start in range(0, n, size):
            ready = self._ready({k: v[start : start + size] for k, v in bound.items()})
            chunk = limit_rows(ready, deadline) if lam is None else qre_rows(ready, lam, deadline)
            rows.add(chunk.found, start)
            fallback[start : start + size] = chunk.fallback
            missed[start : start + size] = chunk.missed
            exhausted = exhausted or chunk.exhausted
            payoff_range[:, start : start + size] = ready.tolerance.user_span
        result = BatchSolution(
            rows.result(),
            players=self.players,
            strategies=self.strategies,
            points=bound,
            method=method,
            fallback=fallback,
            lam=lam,
            payoff_range=payoff_range.T,
            payoff_tensor=self.payoff_tensor,
            choice=f"method={method!r}, as asked",
            chunk_size=size,
        )
        warn_paths(fallback, missed, exhausted, "QRE" if method == "qre" else "logit limit")
        if exhausted is None:
            result.warn_empty(
                "its logit path could not be followed to lam"
                if method == "qre"
                else "the logit branch did not settle on a verified equilibrium"
            )
        return result

    def _solve_chunk(
        self,
        kernel: Callable[..., EquilibriumArrays],
        part: Mapping[str, np.ndarray],
        rescue: bool,
        exact: str,
        deadline: Deadline | None,
        seconds: float | None = None,
    ) -> _Chunk:
        """Verified equilibria of a chunk of points, in the user's units.

        ``exact``: "all" solves every point exactly, "degenerate" the points the kernel
        flags degenerate (:mod:`bargain.games.normal.exact`), "none" none. With
        ``rescue``, points still without an equilibrium are solved by Lemke–Howson;
        with a ``deadline``, by the logit limit. ``seconds``: the time left for a
        Gambit kernel (none left: the chunk gets no rows).
        """
        ready = self._ready(part)
        tol = ready.tolerance
        payoffs = ready.payoffs
        n = payoffs.shape[-1]
        scale = tol.scale if (tol.scale != 1).any() else None
        if exact == "all":
            found = verify(payoffs, no_equilibria(payoffs), tol.atol, scale)
            which = np.arange(n)
        else:
            if kernel is support_enumeration and self.shape == (2, 2):
                found = two_by_two(payoffs, tol.atol, scale)  # verified as it solves
            elif seconds is not None and seconds <= 0:
                found = verify(payoffs, no_equilibria(payoffs), tol.atol, scale)
            else:
                timed = {} if seconds is None else {"seconds": seconds}
                found = verify(payoffs, kernel(payoffs, atol=tol.atol, **timed), tol.atol, scale)
            which = np.flatnonzero(found.degenerate) if exact == "degenerate" else []
        found, results = solve_exactly(payoffs, found, which, tol.atol, scale)
        rescued = np.zeros(n, dtype=bool)
        if rescue:
            found, rescued = with_lemke_howson(found, payoffs, tol.atol, scale)
        span = tol.span
        if scale is not None:
            found = found._replace(payoffs=found.payoffs * scale[:, found.point].T)
            span = tol.user_span
        if deadline is None:
            return _Chunk(found, span, rescued, results, np.zeros(n, dtype=bool), None)
        empty = np.flatnonzero(np.bincount(found.point, minlength=n) == 0)
        fallback = np.zeros(n, dtype=bool)
        if not len(empty):
            return _Chunk(found, span, rescued, results, fallback, None)
        limit = limit_rows(_subset(ready, empty), deadline)
        rescued[empty[limit.found.point]] = True
        fallback[empty] = limit.fallback
        more = limit.found._replace(point=empty[limit.found.point], degenerate=found.degenerate)
        found = concat([found, more])
        return _Chunk(found, span, rescued, results, fallback, limit.exhausted)

    def qre_branch(
        self,
        lam: Sequence[float] | np.ndarray | None = None,
        *,
        points: Mapping[str, Any] | None = None,
        weights: float | Mapping[str, float] = 1.0,
        max_steps: int | None = None,
        seconds: float | None = None,
        **values: float,
    ) -> pd.DataFrame:
        """The principal logit QRE branch at increasing values of lam, one row per
        (point, lam): ``point``, the parameter values, ``lam``, ``p_<player>_<strategy>``,
        ``u_<player>`` and ``fallback`` (the point's path left the shared grid for
        arc-length continuation).

        ``lam`` is in the players' payoff units; by default each point gets
        :data:`~bargain.games.normal.quantal.BRANCH_GRID` divided by its largest
        payoff range (so ``lam`` differs from point to point). ``weights`` (a number or
        player -> number) makes player i's lam ``lam * weights[i]``. The points are
        ``points`` (name -> N values) or the parameter values given as keywords (one
        point); ``max_steps`` and ``seconds`` are the path-following budget (steps per
        chunk, seconds per call): values of lam it leaves unreached get no row and a
        warning. Where a path folds back across lam, its first crossing is reported.
        """
        import pandas as pd

        if points is not None and values:
            raise ModelError(
                f"qre_branch: give the points either as points= or as parameter values, "
                f"not both (got points= and {', '.join(values)})"
            )
        relative = lam is None
        stops = BRANCH_GRID if relative else np.asarray(lam, dtype=float).reshape(-1)
        if not (np.isfinite(stops).all() and (stops >= 0).all() and (np.diff(stops) > 0).all()):
            raise ModelError(
                f"qre_branch: lam: expected increasing finite values >= 0, got {stops.tolist()}"
            )
        w = lam_per_player(weights, self.players, "weights")
        deadline = Deadline(
            None if max_steps is None else max_steps_option(max_steps, "max_steps"),
            None if seconds is None else seconds_option(seconds, "seconds"),
        )
        bound = self.params.bind_batch(
            points if points is not None else {k: [v] for k, v in values.items()}
        )
        n = batch_size(bound)
        size = self._chunk_size({})
        parts = []
        exhausted = None
        for start in range(0, n, size):
            ready = self._ready({k: v[start : start + size] for k, v in bound.items()})
            part = branch_arrays(ready, stops, w, relative, deadline)
            parts.append(part)
            exhausted = exhausted or part.exhausted
        reached = np.concatenate([p.reached for p in parts])
        fallback = np.concatenate([p.fallback for p in parts])
        point, k = np.nonzero(reached)
        columns: dict[str, Any] = {"point": point}
        columns.update({name: v[point] for name, v in bound.items()})
        columns["lam"] = np.concatenate([p.lam for p in parts])[point, k]
        for i, (player, names) in enumerate(zip(self.players, self.strategies)):
            mix = np.concatenate([p.profiles[i] for p in parts])[point, k]
            for j, label in enumerate(names):
                columns[f"p_{ident(player)}_{ident(label)}"] = mix[:, j]
        payoffs = np.concatenate([p.payoffs for p in parts])[point, k]
        for i, player in enumerate(self.players):
            columns[f"u_{ident(player)}"] = payoffs[:, i]
        columns["fallback"] = fallback[point]
        lost = ~reached.all(axis=1)
        warn_paths(fallback, lost, exhausted, "full branch")
        if exhausted is None and lost.any():
            warn(
                f"{int(lost.sum())} of {n} points have no full branch: their logit path "
                "could not be followed to every lam (see 'lam')",
                BargainWarning,
            )
        return pd.DataFrame(columns)

    def derive(self, **options: Any) -> Derivation:
        """Every equilibrium in closed form, one case per pair of supports of equal size
        (:mod:`bargain.games.normal.derive`); two players only."""
        options = self.check_options(options)
        return derive_normal(
            self.payoffs, self.strategies, self.players, self.params, options.get("method")
        )

    @property
    def supports_risk_dominance(self) -> bool:
        """Risk dominance is defined for 2x2 games (Harsanyi and Selten 1988)."""
        return self.shape == (2, 2)

    # -- measures -----------------------------------------------------------

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<player>``, ``p_<player>_<strategy>``, ``pure``, ``n_components``, ``regret``,
        with ``method`` "qre" or "logit" also ``fallback``, then ``n_equilibria``."""
        names = [f"u_{ident(p)}" for p in self.players]
        names += [
            f"p_{ident(p)}_{ident(s)}"
            for p, strategies in zip(self.players, self.strategies)
            for s in strategies
        ]
        names += ["pure", "n_components", "regret"]
        if self.check_options(options).get("method") in QUANTAL:
            names.append("fallback")
        return [*names, "n_equilibria"]

    def point_measures(self, **options: Any) -> tuple[str, ...]:
        """``n_components``: the components of the point's equilibria; with ``method``
        "qre" or "logit" also ``fallback``: 1 where the point's logit path left the
        shared grid for arc-length continuation, else 0."""
        quantal = self.check_options(options).get("method") in QUANTAL
        return ("n_components", "fallback") if quantal else ("n_components",)

    # -- model files --------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        def rendered(value: Any) -> Any:
            return [rendered(v) for v in value] if isinstance(value, list) else render(value)

        players = list(self.players)
        return {
            "form": self.form,
            "players": players,
            "strategies": dict(zip(players, map(list, self.strategies))),
            "payoffs": {p: rendered(self.payoffs[i].tolist()) for i, p in enumerate(players)},
        }

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> NormalFormGame:
        table = reader.table(table, "game", ["form", "players", "strategies", "payoffs"])
        players = reader.labels(table["players"], "game.players")
        given = reader.table(table["strategies"], "game.strategies", players, what="player")
        strategies = {p: reader.labels(given[p], key("game.strategies", p)) for p in players}
        given = reader.table(table["payoffs"], "game.payoffs", players, what="player")
        payoffs = {
            p: _payoff_array(reader, given[p], key("game.payoffs", p), strategies, params)
            for p in players
        }
        with reader.located("game"):
            game = cls(players, strategies, payoffs, params)
            game.payoff_tensor(params.bind_batch({}))  # checks the payoffs at the defaults
        return game

    def __repr__(self) -> str:
        sizes = "x".join(map(str, self.shape))
        params = f", params={list(self.params.names)}" if len(self.params) else ""
        return f"NormalFormGame({sizes}, players={list(self.players)}{params})"


class _Chunk(NamedTuple):
    """A chunk's equilibria, each player's payoff range (P, n), the rescued points, the
    exact results of the points solved exactly, the points whose logit path fell back
    to arclength continuation and the path-following budget that ran out (or None)."""

    found: EquilibriumArrays
    span: np.ndarray
    rescued: np.ndarray
    exact: dict[int, ExactEquilibria]
    fallback: np.ndarray
    exhausted: str | None


def _subset(ready: Scaled, which: np.ndarray) -> Scaled:
    """The scaled payoffs and tolerances of the points ``which`` of a chunk."""
    tol = ready.tolerance
    return Scaled(
        ready.payoffs[..., which],
        Tolerance(
            tol.scale[:, which], tol.span[:, which], tol.atol[:, which], tol.unresolved[which]
        ),
    )


def _payoff_array(
    reader: SpecReader,
    value: object,
    path: str,
    strategies: dict[str, list[str]],
    params: ParamSpace,
) -> Any:
    """A file's nested payoff arrays: one level per player, one entry per strategy."""
    if not strategies:
        return reader.formula(value, path, params)
    (player, names), *rest = strategies.items()
    if not isinstance(value, list) or len(value) != len(names):
        got = f"an array of {len(value)}" if isinstance(value, list) else describe(value)
        raise reader.error(
            path,
            f"expected an array of {len(names)} entries, one per strategy of {player} "
            f"({', '.join(names)}), got {got}",
        )
    return [
        _payoff_array(reader, v, f"{path}[{i}]", dict(rest), params) for i, v in enumerate(value)
    ]


def _numbers(payoffs: list[Any], shape: tuple[int, ...]) -> np.ndarray | None:
    """Every player's payoffs as one float array, if all are finite numbers of ``shape``."""
    arrays = []
    for value in payoffs:
        try:
            array = np.asarray(value)
        except ValueError:  # ragged: the general path says where
            return None
        if array.shape != shape or array.dtype.kind not in "iuf":
            return None
        arrays.append(array.astype(float))
    numeric = np.stack(arrays)
    return numeric if np.isfinite(numeric).all() else None


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
