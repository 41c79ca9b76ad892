"""Bayesian games: players with private types, a common prior, payoffs by type profile.

A Bayesian game (Harsanyi 1967-68) models incomplete information: each player
knows its own type (resolute or conciliatory, a high or a low cost of war),
holds beliefs about the others' types given by a common prior over type
profiles, and chooses an action; payoffs depend on the actions and on the
types. The prior and every payoff are numbers or formulas of the declared
parameters, compiled once, so a batch of N points becomes one prior array
(K_1, ..., K_P, N) and one payoff tensor (P, K_1, ..., K_P, m_1, ..., m_P, N).

The solution is the Bayesian Nash equilibrium: every type best-responds to
its interim beliefs (Osborne 2004, ch. 9; Fudenberg and Tirole 1991, ch. 6).
Equilibria are reported as behaviour, one mixture per type
(:mod:`bargain.solvers.bayesian`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Container, Hashable, Iterable, Mapping, Sequence
from itertools import product
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import sympy

from bargain import formula
from bargain.algebra import Derivation
from bargain.checks import describe, key, labels, memory_needed, same_keys
from bargain.errors import BudgetError, ModelError, did_you_mean
from bargain.params import Param, ParamSpace, batch_size, point_text
from bargain.solvers import bayesian as kernels
from bargain.solvers.arrays import scaled
from bargain.solvers.qre import logit_qre
from bargain.tolerances import PROB_SUM_ATOL
from bargain.vocabulary import ident

from ..form import CHUNK_SIZE, GameForm, Option, as_is
from ..qre_budget import Deadline, warn_paths
from ..qre_options import lam_option, lam_per_player, max_steps_option, seconds_option
from ..resolution import unresolved_tensor_error
from ..spec import SpecReader
from .derive import derive_bayesian
from .solution import BayesianBatch, BayesianSolution

#: Separates the types of a type profile ("resolute/normal") and the actions of
#: an action profile in keys; type and action labels may not contain it.
SEPARATOR = "/"
#: Payoff and prior formulas of one chunk hold at most about this many floats.
CHUNK_FLOATS = 1 << 17
#: The solve methods: type-agent support enumeration, the ex-ante strategic
#: form, pure equilibria of the agent form, the logit QRE of the ex-ante form.
METHODS = ("support", "ex-ante", "pure", "qre")
#: The options of method "qre" only.
QRE_OPTIONS = ("lam", "max_steps", "seconds")
#: method="qre" refuses an ex-ante form with more strategies than this, all players'
#: together (M = sum_i m_i ** K_i): its path follower factors a dense M x M Jacobian
#: per point and step (2 players, 3 actions, 1 and 7 types: M = 2,190, a 38 MB
#: Jacobian and 2.5 s per point on one core; the cost grows as M^3).
MAX_QRE_STRATEGIES = 2_500
#: ... or a payoff tensor of more entries than this per point (P * prod_i m_i ** K_i).
MAX_QRE_ENTRIES = 1 << 23


class _Problem(NamedTuple):
    """An entry of the prior or of the payoffs that fails at some point."""

    path: tuple[
        Any, ...
    ]  # ("prior", profile) / ("payoffs", profile, player, *actions) / ("prior",)
    message: str


class BayesianGame(GameForm):
    """A game of incomplete information: types, a common prior, payoffs by type profile.

    Parameters
    ----------
    players : names of the players, in order.
    types : mapping player -> labels of its types (a single type: its type is known).
    actions : mapping player -> labels of its actions.
    prior : mapping type profile -> probability (a number or a formula); a
        profile is a tuple of types, one per player, or their labels joined
        by "/" ("resolute/normal"). Every profile is listed (0 allowed).
    payoffs : mapping type profile -> {player: payoffs}, each player's payoffs
        a nested list over action profiles (rows: the first player's actions,
        as in :class:`~bargain.games.normal.NormalFormGame`) or a mapping
        action profile ("fight/concede") -> payoff.
    params : the parameters the formulas may use.

    Examples
    --------
    Battle of the Sexes when player 1 does not know whether player 2 wishes
    to meet or to avoid it (Osborne 2004, section 9.2):

    >>> game = BayesianGame(
    ...     ["P1", "P2"],
    ...     types={"P1": ["one"], "P2": ["meet", "avoid"]},
    ...     actions={"P1": ["B", "S"], "P2": ["B", "S"]},
    ...     prior={"one/meet": 0.5, "one/avoid": 0.5},
    ...     payoffs={
    ...         "one/meet": {"P1": [[2, 0], [0, 1]], "P2": [[1, 0], [0, 2]]},
    ...         "one/avoid": {"P1": [[2, 0], [0, 1]], "P2": [[0, 2], [1, 0]]},
    ...     },
    ... )
    >>> solution = game.solve()
    >>> len(solution), solution[0].as_dict()["P2"]
    (3, {'meet': {'B': 1.0, 'S': 0.0}, 'avoid': {'B': 0.0, 'S': 1.0}})
    """

    form = "bayesian"
    noun = "Bayesian games"
    options = MappingProxyType(
        {
            "method": Option(None, METHODS, help="support, ex-ante, pure or qre"),
            "lam": Option(
                None,
                check=lam_option,
                help="the logit QRE's lam (method='qre'): a number or player -> number",
            ),
            "max_steps": Option(
                None, check=max_steps_option, help="path-following steps per chunk (qre)"
            ),
            "seconds": Option(
                None, check=seconds_option, help="path-following time per call (qre)"
            ),
            "chunk_size": CHUNK_SIZE,
        }
    )

    def __init__(
        self,
        players: Sequence[str],
        types: Mapping[str, Sequence[str]],
        actions: Mapping[str, Sequence[str]],
        prior: Mapping[Any, Any],
        payoffs: Mapping[Any, Mapping[str, Any]],
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels(players, "players")
        self.types = self._labels(types, "types")
        self.actions = self._labels(actions, "actions")
        self.n_types = tuple(map(len, self.types))
        self.n_actions = tuple(map(len, self.actions))
        entries = math.prod(self.n_types) * (1 + len(self.players) * math.prod(self.n_actions))
        memory_needed(
            entries * 400,
            f"a Bayesian game with {'x'.join(map(str, self.n_types))} types and "
            f"{'x'.join(map(str, self.n_actions))} actions",
            "solve a smaller game",
        )
        #: The prior as sympy expressions, (K_1, ..., K_P).
        self.prior = np.empty(self.n_types, dtype=object)
        for index, value in self._by_profile(prior, "prior").items():
            self.prior[index] = formula.as_expr(value, self.params, self._where(("prior", index)))
        #: The payoffs as sympy expressions, (P, K_1, ..., K_P, m_1, ..., m_P).
        self.payoffs = np.empty((len(self.players), *self.n_types, *self.n_actions), dtype=object)
        for index, table in self._by_profile(payoffs, "payoffs").items():
            where = self._where(("payoffs", index))
            same_keys(table, self.players, where)
            for i, player in enumerate(self.players):
                self.payoffs[(i, *index)] = self._entries(table[player], index, i)
        self._check_names()
        exprs = [*self.prior.flat, *self.payoffs.flat]
        used = set().union(*map(formula.free_names, exprs))
        self._inputs = tuple(n for n in self.params.names if n in used)
        self._function = formula.compile_formulas(exprs, self._inputs)

    # -- building -------------------------------------------------------------------------

    def _labels(self, given: Mapping[str, Sequence[str]], what: str) -> tuple[tuple[str, ...], ...]:
        same_keys(given, self.players, what)
        out = []
        for player in self.players:
            where = f"{what}[{player!r}]"
            names = labels(given[player], where)
            for i, name in enumerate(names):
                if SEPARATOR in name:
                    raise ModelError(
                        f"{where}[{i}]: {name!r} contains {SEPARATOR!r}, which separates the "
                        f"{'types of a type' if what == 'types' else 'actions of an action'} "
                        "profile in keys; choose another label"
                    )
            out.append(names)
        return tuple(out)

    def profile_label(self, index: Sequence[int]) -> str:
        """A type profile's key: its types joined by "/" (``"resolute/normal"``)."""
        return SEPARATOR.join(kinds[k] for kinds, k in zip(self.types, index))

    def _by_profile(self, given: Mapping[Any, Any], what: str) -> dict[tuple[int, ...], Any]:
        """``given`` keyed by type-profile index, every profile present once."""
        if not isinstance(given, Mapping):
            raise ModelError(
                f"{what}: expected a mapping type profile -> value, got {describe(given)}"
            )
        out: dict[tuple[int, ...], Any] = {}
        for name, value in given.items():
            index = parse_profile(name, self.players, self.types, "type")
            if isinstance(index, str):
                raise ModelError(f"{what}[{name!r}]: {index}")
            if index in out:
                raise ModelError(
                    f"{what}[{name!r}]: the type profile "
                    f"{self.profile_label(index)!r} is given twice"
                )
            out[index] = value
        missing = [
            self.profile_label(i) for i in product(*map(range, self.n_types)) if i not in out
        ]
        if missing:
            raise ModelError(f"{what}: {_missing(missing, 'type profile')}")
        return out

    def _entries(self, value: Any, profile: tuple[int, ...], player: int) -> np.ndarray:
        """One player's payoffs at one type profile, (m_1, ..., m_P) sympy expressions."""
        out = np.empty(self.n_actions, dtype=object)
        where = self._where(("payoffs", profile, player))
        if isinstance(value, Mapping):
            for name, entry in value.items():
                index = parse_profile(name, self.players, self.actions, "action")
                if isinstance(index, str):
                    raise ModelError(f"{where}[{name!r}]: {index}")
                if out[index] is not None:
                    raise ModelError(f"{where}[{name!r}]: the action profile is given twice")
                out[index] = formula.as_expr(entry, self.params, f"{where}[{name!r}]")
            missing = [
                SEPARATOR.join(acts[a] for acts, a in zip(self.actions, index))
                for index in product(*map(range, self.n_actions))
                if out[index] is None
            ]
            if missing:
                raise ModelError(f"{where}: {_missing(missing, 'action profile')}")
            return out
        if isinstance(value, np.ndarray):
            value = value.tolist()
        for index in product(*map(range, self.n_actions)):
            entry, path = value, where
            for depth, a in enumerate(index):
                size = self.n_actions[depth]
                if not isinstance(entry, list | tuple) or len(entry) != size:
                    got = (
                        f"a list of {len(entry)}"
                        if isinstance(entry, list | tuple)
                        else describe(entry)
                    )
                    raise ModelError(
                        f"{path}: expected a list of {size} entries, one per action of "
                        f"{self.players[depth]} ({', '.join(self.actions[depth])}), or a mapping "
                        f"action profile -> payoff; got {got}"
                    )
                entry, path = entry[a], f"{path}[{a}]"
            if isinstance(entry, list | tuple):
                raise ModelError(f"{path}: expected a single payoff, got a list {entry!r}")
            out[index] = formula.as_expr(entry, self.params, path)
        return out

    def _where(self, path: tuple[Any, ...]) -> str:
        """An entry as Python code names it: ``payoffs['resolute/normal']['West'][0][1]``."""
        text = path[0]
        if len(path) > 1:
            text += f"[{self.profile_label(path[1])!r}]"
        if len(path) > 2:
            text += f"[{self.players[path[2]]!r}]" + "".join(f"[{a}]" for a in path[3:])
        return text

    def _file_key(self, path: tuple[Any, ...]) -> str:
        """An entry as a model file names it: ``game.payoffs."resolute/normal".West[0][1]``."""
        text = f"game.{path[0]}"
        if len(path) > 1:
            text = key(text, self.profile_label(path[1]))
        if len(path) > 2:
            text = key(text, self.players[path[2]]) + "".join(f"[{a}]" for a in path[3:])
        return text

    def _check_names(self) -> None:
        """Built-in measure names must differ (``ident`` maps labels to names)."""
        seen: dict[str, str] = {}
        for name, source in self._measures():
            if name in seen:
                raise ModelError(
                    f"the measure name {name!r} stands for both {seen[name]} and {source}; "
                    "rename a player, type or action"
                )
            seen[name] = source

    def _measures(self) -> list[tuple[str, str]]:
        out = [(f"u_{ident(p)}", f"the payoff of {p}") for p in self.players]
        for player, kinds in zip(self.players, self.types):
            out += [(f"u_{ident(player)}_{ident(k)}", f"the payoff of {player} {k}") for k in kinds]
        for player, kinds, acts in zip(self.players, self.types, self.actions):
            out += [
                (f"p_{ident(player)}_{ident(k)}_{ident(a)}", f"{player} {k} playing {a}")
                for k in kinds
                for a in acts
            ]
        return [*out, ("pure", "the pure flag"), ("regret", "the regret")]

    # -- evaluation -----------------------------------------------------------------------

    def _values(self, points: Mapping[str, np.ndarray], n: int) -> np.ndarray:
        out = np.empty((self.prior.size + self.payoffs.size, n))
        self._function(*(points[name] for name in self._inputs), out=out)
        return out

    def _problem(self, values: np.ndarray, points: Mapping[str, np.ndarray]) -> _Problem | None:
        """The first entry that is not finite, a negative probability or a prior that does
        not sum to one, at the first point where it fails; None if all is well."""
        bad = ~np.isfinite(values)
        if bad.any():
            entry, t = (int(i[0]) for i in np.nonzero(bad))
            if entry < self.prior.size:
                index = np.unravel_index(entry, self.n_types)
                path: tuple[Any, ...] = ("prior", tuple(map(int, index)))
                expr = self.prior[index]
            else:
                index = np.unravel_index(entry - self.prior.size, self.payoffs.shape)
                path = ("payoffs", tuple(map(int, index[1 : 1 + len(self.players)])), int(index[0]))
                path += tuple(map(int, index[1 + len(self.players) :]))
                expr = self.payoffs[index]
            return _Problem(
                path, f"{formula.to_text(expr)} is not finite at {point_text(points, t)}"
            )
        prior = values[: self.prior.size]
        negative = prior < -PROB_SUM_ATOL
        if negative.any():
            entry, t = (int(i[0]) for i in np.nonzero(negative))
            index = np.unravel_index(entry, self.n_types)
            count = int(negative.any(axis=0).sum())
            return _Problem(
                ("prior", tuple(map(int, index))),
                f"{formula.to_text(self.prior[index])} = {prior[entry, t]:.12g} at "
                f"{point_text(points, t)}: a probability cannot be negative "
                f"({count} of {prior.shape[1]} points)",
            )
        total = prior.sum(axis=0)
        off = np.abs(total - 1) > PROB_SUM_ATOL
        if off.any():
            t = int(np.flatnonzero(off)[0])
            shown = ", ".join(
                f"{self.profile_label(i)} {prior[j, t]:.6g}"
                for j, i in enumerate(product(*map(range, self.n_types)))
            )
            return _Problem(
                ("prior",),
                f"the probabilities sum to {total[t]:.12g}, not 1, at {point_text(points, t)} "
                f"({shown}; {int(off.sum())} of {off.size} points)",
            )
        return None

    def evaluate(self, points: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The prior (K_1, ..., K_P, N) and the payoffs (P, K_1, ..., K_P, m_1, ..., m_P, N)
        at N bound points (``ParamSpace.bind_batch``), checked: a ModelError names the
        entry and the point where a value is not finite or the prior is not a
        probability distribution."""
        n = batch_size(points)
        values = self._values(points, n)
        problem = self._problem(values, points)
        if problem is not None:
            raise ModelError(f"{self._where(problem.path)}: {problem.message}")
        prior = np.maximum(values[: self.prior.size], 0.0).reshape(*self.n_types, n)
        return prior, values[self.prior.size :].reshape(*self.payoffs.shape, n)

    # -- solving --------------------------------------------------------------------------

    def solve(self, method: str | None = None, **values: Any) -> BayesianSolution:
        """The Bayesian equilibria at one point: ``solve_batch`` on a batch of one."""
        return super().solve(**values, **({"method": method} if method else {}))

    def solve_batch(
        self, points: Mapping[str, Any], method: str | None = None, **options: Any
    ) -> BayesianBatch:
        """Bayesian equilibria at N points, ``points`` a mapping name -> N values.

        Options: ``method`` -- ``"support"`` (every equilibrium of a
        nondegenerate two-player game, by support enumeration over each
        type's support; the default for two players), ``"ex-ante"`` (support
        enumeration of the ex-ante strategic form, projected to behaviour),
        ``"pure"`` (pure equilibria of the agent form, any number of players;
        the default otherwise), ``"qre"`` (the logit quantal response equilibrium
        of the ex-ante strategic form at ``lam``, on its principal branch,
        projected to behaviour like ``"ex-ante"``; any number of players, one row
        per point, its ``regret`` positive: each type responds to its interim
        payoffs with precision lam times its prior probability, unlike the type-agent
        QRE; see docs/bayesian.md); ``lam`` -- the QRE's precision in
        payoff units, a number or a mapping player -> number; ``max_steps`` and
        ``seconds`` -- its path-following budget (see
        :meth:`bargain.games.normal.NormalFormGame.solve_batch`); ``chunk_size`` --
        points solved at once. Degenerate games are flagged and warned about; at a
        two-player point where the method finds nothing, Lemke–Howson on the
        ex-ante form solves it (``methods`` says where).
        """
        options = self.check_options({**options, **({"method": method} if method else {})})
        method = options.get("method") or ("support" if len(self.players) == 2 else "pure")
        if method == "qre" or any(options.get(k) is not None for k in QRE_OPTIONS):
            return self._solve_qre(points, method, options)
        if method != "pure" and len(self.players) != 2:
            raise ModelError(
                f"method {method!r} needs a two-player game; this one has "
                f"{len(self.players)} players (use method='pure')"
            )
        if method == "support":  # the budget, before any work
            kernels.check_support_budget(self.n_types, self.n_actions)
        bound = self.params.bind_batch(points)
        n = batch_size(bound)
        entries = math.prod(self.n_types) * (1 + len(self.players) * math.prod(self.n_actions))
        size = options.get("chunk_size") or max(1, CHUNK_FLOATS // entries)
        chunks = [
            self._solve_chunk(method, {k: v[start : start + size] for k, v in bound.items()})
            for start in range(0, n, size)
        ]
        result = BayesianBatch(
            kernels.stack([c[0] for c in chunks]),
            (self.players, self.types, self.actions),
            bound,
            method,
            np.concatenate([c[1] for c in chunks]),
            np.concatenate([c[2] for c in chunks], axis=1).T,
        )
        result.warn_degenerate(
            "the ex-ante form is degenerate whenever two types of a player mix, and its "
            "enumeration may then miss equilibria (method='support' does not)"
            if method == "ex-ante"
            else "payoff ties or equilibrium components"
        )
        result.warn_empty(
            "the game has no pure Bayesian equilibrium"
            if method == "pure"
            else f"{method} found none"
        )
        return result

    def _solve_qre(
        self, points: Mapping[str, Any], method: str, options: Mapping[str, Any]
    ) -> BayesianBatch:
        """The logit QRE of the ex-ante form at N points, projected to behaviour: a type's
        behaviour x(a | t) is the probability of its strategies that play a at t.

        Player i's ex-ante payoff of a strategy s (a map from its types to actions) is
        U_i(s) = sum_t pi(t) u_i(s(t) | t) = sum_{t_i} pi_i(t_i) V_i(s(t_i) | t_i), with
        pi_i the marginal prior of i's types and V_i(a | t_i) the interim expected
        payoff of a at t_i given the others' behaviour. U_i is a sum over i's own
        types, so the logit response exp(lam_i U_i(s)) / sum exp(...) is a product over
        them: the projected behaviour solves

            x(a | t_i) proportional to exp(lam_i pi_i(t_i) V_i(a | t_i)),

        a logit response of each type with precision lam_i * pi_i(t_i). A type's
        precision is thus scaled by its prior probability: a rare type is noisier, a
        type of probability 0 plays uniformly. It differs from the type-agent QRE
        (McKelvey and Palfrey 1998's agent QRE of the game tree where nature draws
        the types: each type responds to V_i with precision lam_i itself) unless every
        player has one type; for that one, write the game as a
        :class:`~bargain.games.tree.GameTree` and solve it with ``concept="qre"``.
        """
        if method != "qre":
            name = next(k for k in QRE_OPTIONS if options.get(k) is not None)
            raise ModelError(f"{name}: only method='qre' takes {name}, got method={method!r}")
        if options.get("lam") is None:
            raise ModelError(
                "method='qre' needs lam, the QRE's precision in payoff units: a number >= 0 "
                "or a mapping player -> number (lam=0 is uniform play)"
            )
        lam = lam_per_player(options["lam"], self.players)
        self._check_qre_size()
        deadline = Deadline(options.get("max_steps"), options.get("seconds"))
        bound = self.params.bind_batch(points)
        n = batch_size(bound)
        strategies = math.prod(m**k for m, k in zip(self.n_actions, self.n_types))
        size = options.get("chunk_size") or max(1, CHUNK_FLOATS // (len(self.players) * strategies))
        chunks, fallback, missed, exhausted = [], [], [], None
        for start in range(0, n, size):
            part = {k: v[start : start + size] for k, v in bound.items()}
            found, lost, skipped, spent, span = self._qre_chunk(part, lam, deadline)
            chunks.append((found, span))
            fallback.append(lost)
            missed.append(skipped)
            exhausted = exhausted or spent
        result = BayesianBatch(
            kernels.stack([c[0] for c in chunks]),
            (self.players, self.types, self.actions),
            bound,
            method,
            np.zeros(n, dtype=bool),
            np.concatenate([c[1] for c in chunks], axis=1).T,
        )
        warn_paths(np.concatenate(fallback), np.concatenate(missed), exhausted, "QRE")
        if exhausted is None:
            result.warn_empty("its logit path could not be followed to lam")
        return result

    def _check_qre_size(self) -> None:
        """A BudgetError, before any work, for an ex-ante form too large for method='qre'
        (:data:`MAX_QRE_STRATEGIES`, :data:`MAX_QRE_ENTRIES`)."""
        sizes = [m**k for m, k in zip(self.n_actions, self.n_types)]
        total, entries = sum(sizes), len(self.players) * math.prod(sizes)
        if total > MAX_QRE_STRATEGIES or entries > MAX_QRE_ENTRIES:
            form = "x".join(f"{s:,}" for s in sizes)
            raise BudgetError(
                f"method='qre': the ex-ante form has {form} strategies ({total:,} in all, "
                f"{entries:,} payoff entries per point), above the limit of "
                f"{MAX_QRE_STRATEGIES:,} strategies and {MAX_QRE_ENTRIES:,} entries (its path "
                f"follower factors a dense {total:,} x {total:,} Jacobian per point and step); "
                "use method='pure' (pure Bayesian equilibria) or, for two players, "
                "method='support', or the type-agent QRE of the game written as a GameTree "
                "(concept='qre'), whose size grows with the types, not with actions ** types"
            )

    def _qre_chunk(
        self, part: Mapping[str, np.ndarray], lam: np.ndarray, deadline: Deadline
    ) -> tuple[kernels.BayesianArrays, np.ndarray, np.ndarray, str | None, np.ndarray]:
        """A chunk's QREs (payoffs and regret in the user's units), the points that fell
        back to arclength continuation, those not reached, the budget that ran out and
        each player's payoff range (P, n)."""
        prior, payoffs = self.evaluate(part)
        ready = scaled(payoffs)
        tol = ready.tolerance
        if tol.unresolved.any():
            raise unresolved_tensor_error(ready, self.players, part)
        n = payoffs.shape[-1]
        budget = deadline.budget()
        if budget is None:
            point = np.zeros(0, dtype=np.intp)
            behaviour = tuple(np.zeros((0, k, m)) for k, m in zip(self.n_types, self.n_actions))
            fallback, missed, exhausted = np.zeros(n, bool), np.ones(n, bool), deadline.spent
        else:
            form = kernels.ex_ante_form(ready.payoffs, prior)
            found = logit_qre(form, lam[:, None] * tol.scale, budget)
            reached = found.reached[:, 0]
            point = np.flatnonzero(reached)
            behaviour = tuple(
                kernels.behaviour_of(mix[point, 0], k, m)
                for mix, k, m in zip(found.profiles, self.n_types, self.n_actions)
            )
            fallback, missed, exhausted = found.fallback, ~reached, found.exhausted
        rows = kernels.BayesianArrays(point, behaviour, np.zeros(n, dtype=bool))
        every = np.full_like(tol.atol, np.inf)  # a QRE is kept, its regret reported
        rows = kernels.verify(ready.payoffs, prior, rows, every, tol.scale)
        return rows, fallback, missed, exhausted, tol.user_span

    def _solve_chunk(
        self, method: str, part: Mapping[str, np.ndarray]
    ) -> tuple[kernels.BayesianArrays, np.ndarray, np.ndarray]:
        """A chunk's verified equilibria (user's units), the points Lemke–Howson solved,
        and each player's payoff range (P, n)."""
        prior, payoffs = self.evaluate(part)
        ready = scaled(payoffs)
        tol = ready.tolerance
        if tol.unresolved.any():
            raise unresolved_tensor_error(ready, self.players, part)
        payoffs, n = ready.payoffs, payoffs.shape[-1]
        rescued = np.zeros(n, dtype=bool)
        if method == "pure":
            found = kernels.agent_pure(payoffs, prior, tol.atol)
        elif method == "support":
            found = kernels.type_agent_support(payoffs, prior, tol.atol)
        else:
            found, rescued = kernels.ex_ante_equilibria(payoffs, prior, tol.atol)
        found = kernels.verify(payoffs, prior, found, tol.atol, tol.scale)
        empty = np.flatnonzero(np.bincount(found.point, minlength=n) == 0)
        if method == "support" and len(empty):
            games, beliefs = payoffs[..., empty], prior[..., empty]
            more, _ = kernels.ex_ante_equilibria(games, beliefs, tol.atol[:, empty], complete=False)
            more = kernels.verify(games, beliefs, more, tol.atol[:, empty], tol.scale[:, empty])
            rescued[empty[np.unique(more.point)]] = True
            degenerate = found.degenerate.copy()
            degenerate[empty] = True
            more = more._replace(point=empty[more.point], degenerate=np.zeros(n, dtype=bool))
            found = kernels.concat([found._replace(degenerate=degenerate), more])
        return found, rescued, tol.user_span

    def derive(self, **options: Any) -> Derivation:
        """Every Bayesian equilibrium in closed form, one case per pair of support profiles
        (a support per type) of equal excess (:mod:`bargain.games.bayesian.derive`); two
        players only."""
        options = self.check_options(options)
        return derive_bayesian(
            self.players,
            self.types,
            self.actions,
            self.prior,
            self.payoffs,
            self.params,
            options.get("method"),
        )

    # -- measures -------------------------------------------------------------------------

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<player>`` (ex ante), ``u_<player>_<type>`` (interim),
        ``p_<player>_<type>_<action>``, ``pure``, ``regret``, ``n_equilibria``."""
        return [name for name, _ in self._measures()] + ["n_equilibria"]

    # -- model files ----------------------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        def rendered(value: Any) -> Any:
            return [rendered(v) for v in value] if isinstance(value, list) else render(value)

        players = list(self.players)
        profiles = list(product(*map(range, self.n_types)))
        return {
            "form": self.form,
            "players": players,
            "types": dict(zip(players, map(list, self.types))),
            "actions": dict(zip(players, map(list, self.actions))),
            "prior": {self.profile_label(i): render(self.prior[i]) for i in profiles},
            "payoffs": {
                self.profile_label(i): {
                    p: rendered(self.payoffs[(j, *i)].tolist()) for j, p in enumerate(players)
                }
                for i in profiles
            },
        }

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> BayesianGame:
        table = reader.table(
            table, "game", ["form", "players", "types", "actions", "prior", "payoffs"]
        )
        players = reader.labels(table["players"], "game.players")
        names = {}
        for what in ("types", "actions"):
            given = reader.table(table[what], f"game.{what}", players, what="player")
            names[what] = {p: reader.labels(given[p], key(f"game.{what}", p)) for p in players}
            for p, values in names[what].items():
                for i, value in enumerate(values):
                    if SEPARATOR in value:
                        raise reader.error(
                            f"{key(f'game.{what}', p)}[{i}]",
                            f"{value!r} contains {SEPARATOR!r}, which separates the labels of "
                            "a profile in keys; choose another label",
                        )
        types = tuple(tuple(names["types"][p]) for p in players)
        actions = tuple(tuple(names["actions"][p]) for p in players)
        prior = {
            profile: reader.formula(value, path, params)
            for profile, value, path in _keyed(reader, table["prior"], "game.prior", players, types)
        }
        payoffs = {}
        for profile, value, path in _keyed(
            reader, table["payoffs"], "game.payoffs", players, types
        ):
            given = reader.table(value, path, players, what="player")
            payoffs[profile] = {
                p: _payoff_entries(reader, given[p], key(path, p), players, actions, params)
                for p in players
            }
        with reader.located("game"):
            game = cls(players, names["types"], names["actions"], prior, payoffs, params)
        defaults = params.bind_batch({})
        problem = game._problem(game._values(defaults, 1), defaults)
        if problem is not None:
            raise reader.error(game._file_key(problem.path), problem.message)
        return game

    def __repr__(self) -> str:
        types = "x".join(map(str, self.n_types))
        actions = "x".join(map(str, self.n_actions))
        params = f", params={list(self.params.names)}" if len(self.params) else ""
        return (
            f"BayesianGame({types} types, {actions} actions, players={list(self.players)}{params})"
        )


def parse_profile(
    name: object,
    players: Sequence[str],
    labels: Sequence[Sequence[str]],
    what: str,
) -> tuple[int, ...] | str:
    """The indices of a profile of types (or actions), one per player, given as a tuple
    of labels or as their labels joined by "/"; a message (a str) if it is not one."""
    if isinstance(name, str):
        parts = name.split(SEPARATOR)
    elif isinstance(name, tuple | list):
        parts = list(name)
    else:
        return f"expected a {what} profile, got {describe(name)}"
    if len(parts) != len(players):
        return (
            f"expected a {what} profile: one {what} per player ({', '.join(players)}) "
            f"joined by {SEPARATOR!r}, got {len(parts)} part{'s' * (len(parts) != 1)}"
        )
    index = []
    for player, known, part in zip(players, labels, parts):
        if part not in known:
            hint = did_you_mean(str(part), known)
            return f"unknown {what} {part!r} of {player}{hint}; its {what}s: {', '.join(known)}"
        index.append(known.index(part))
    return tuple(index)


def _missing(missing: list[str], what: str) -> str:
    shown = ", ".join(repr(m) for m in missing[:5]) + (", ..." if len(missing) > 5 else "")
    return (
        f"missing {len(missing)} {what}{'s' * (len(missing) > 1)} ({shown}); "
        f"every {what} needs an entry (0 is allowed)"
    )


def _keyed(
    reader: SpecReader,
    value: object,
    path: str,
    players: Sequence[str],
    types: Sequence[Sequence[str]],
) -> list[tuple[str, Any, str]]:
    """The entries of a file's table keyed by type profile, each key checked, every
    profile present: (key, value, key path) triples."""
    table = reader.table(value, path, optional=None)
    seen: dict[tuple[int, ...], str] = {}
    out = []
    for name, entry in table.items():
        where = key(path, name)
        index = parse_profile(name, players, types, "type")
        if isinstance(index, str):
            raise reader.error(where, index)
        if index in seen:
            raise reader.error(where, f"the same type profile as {seen[index]!r}")
        seen[index] = name
        out.append((name, entry, where))
    missing = _unlisted(types, seen)
    if missing:
        raise reader.error(path, _missing(missing, "type profile"))
    return out


def _unlisted(labels: Sequence[Sequence[str]], seen: Container[tuple[int, ...]]) -> list[str]:
    """The profiles of ``labels`` (one label per player) whose index is not in ``seen``."""
    return [
        SEPARATOR.join(names[i] for names, i in zip(labels, index))
        for index in product(*(range(len(names)) for names in labels))
        if index not in seen
    ]


def _payoff_entries(
    reader: SpecReader,
    value: object,
    path: str,
    players: Sequence[str],
    actions: Sequence[Sequence[str]],
    params: ParamSpace,
) -> Any:
    """A file's payoffs of one player at one type profile: nested arrays (one level per
    player, one entry per action), or a table keyed by action profile."""
    if isinstance(value, dict):
        out, seen = {}, set()
        for name, entry in value.items():
            where = key(path, name)
            index = parse_profile(name, players, actions, "action")
            if isinstance(index, str):
                raise reader.error(where, index)
            out[name] = reader.formula(entry, where, params)
            seen.add(index)
        missing = _unlisted(actions, seen)
        if missing:
            raise reader.error(path, _missing(missing, "action profile"))
        return out
    return _nested(reader, value, path, players, actions, params)


def _nested(
    reader: SpecReader,
    value: object,
    path: str,
    players: Sequence[str],
    actions: Sequence[Sequence[str]],
    params: ParamSpace,
) -> Any:
    depth = len(players) - len(actions)
    if not actions:
        return reader.formula(value, path, params)
    if not isinstance(value, list) or len(value) != len(actions[0]):
        got = f"an array of {len(value)}" if isinstance(value, list) else describe(value)
        raise reader.error(
            path,
            f"expected an array of {len(actions[0])} entries, one per action of "
            f"{players[depth]} ({', '.join(actions[0])}), or a table keyed by action "
            f"profile; got {got}",
        )
    return [
        _nested(reader, v, f"{path}[{i}]", players, actions[1:], params)
        for i, v in enumerate(value)
    ]
