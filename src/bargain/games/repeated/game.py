"""Infinitely repeated two-player games with a common discount factor.

A :class:`RepeatedGame` is a stage game in normal form (payoffs numbers or
formulas of the parameters), a discount factor ``delta`` (a number or a
formula) and two designated action profiles, ``cooperate`` and ``punish``.
At each point it checks the named profiles of :mod:`.profiles` (grim trigger,
k-period punishment, tit-for-tat, always defect) for subgame perfection by the
one-shot deviation principle in every state of their automata
(:mod:`bargain.solvers.repeated`), and gives each profile's critical discount
factors and average discounted payoffs (Mailath and Samuelson 2006, ch. 2).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from bargain import formula
from bargain.algebra import box_of
from bargain.checks import describe, key
from bargain.errors import ModelError, did_you_mean
from bargain.params import Param, ParamSpace, batch_size, point_text
from bargain.solvers.arrays import payoff_atol
from bargain.solvers.repeated import one_shot_gains
from bargain.vocabulary import ident

from ..form import GameForm, as_is
from ..normal import NormalFormGame
from ..spec import SpecReader
from .closed import critical_delta
from .payoffs import PayoffSet, payoff_set
from .profiles import PROFILES, automaton, conditions, interval, stage_terms
from .solution import RepeatedBatch


class RepeatedGame(GameForm):
    """An infinitely repeated two-player stage game with a common discount factor.

    Parameters
    ----------
    players : the two players.
    strategies : per player (mapping or sequence) the labels of its stage actions.
    payoffs : mapping player -> nested list (s_1, s_2) of numbers or formulas.
    delta : the common discount factor, a number or a formula, in [0, 1) at every point.
    cooperate, punish : the cooperative and the punishment action profile, one
        action per player; in a 2x2 stage game they default to the first and the
        second actions.
    punishment : the length k of the punishment of the ``punish`` profile.
    params : the parameters the formulas may use.

    Examples
    --------
    >>> game = RepeatedGame(
    ...     ["US", "Iran"],
    ...     {"US": ["engage", "pressure"], "Iran": ["restrain", "resist"]},
    ...     {"US": [[3, 0], [5, 1]], "Iran": [[3, 5], [0, 1]]},
    ...     delta="delta", params=[Param("delta", 0.6, low=0, high=0.99)],
    ... )
    >>> game.critical_delta("grim")
    1/2
    >>> game.solve(delta=0.4).checks["grim"].spe
    False
    """

    form = "repeated"
    noun = "repeated games"

    def __init__(
        self,
        players: Sequence[str],
        strategies: Mapping[str, Sequence[str]] | Sequence[Sequence[str]],
        payoffs: Mapping[str, Any],
        delta: Any = "delta",
        cooperate: Sequence[str] | None = None,
        punish: Sequence[str] | None = None,
        punishment: int = 1,
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.stage = NormalFormGame(players, strategies, payoffs, params)
        self.params, self.players = self.stage.params, self.stage.players
        if len(self.players) != 2:
            raise ModelError(f"players: a repeated game has two players, got {len(self.players)}")
        self.strategies = self.stage.strategies
        if isinstance(punishment, bool) or not isinstance(punishment, int) or punishment < 1:
            raise ModelError(
                f"punishment: expected a positive number of periods, got {describe(punishment)}"
            )
        self.punishment = punishment
        self.cooperate = self._profile(cooperate, 0, "cooperate")
        self.punish = self._profile(punish, 1, "punish")
        for i, player in enumerate(self.players):
            if self.cooperate[i] == self.punish[i]:
                raise ModelError(
                    f"punish: {player} must punish with an action other than its cooperative "
                    f"one ({self.strategies[i][self.cooperate[i]]!r})"
                )
        self.delta = formula.as_expr(delta, self.params, "delta")
        used = formula.free_names(self.delta)
        self._delta_inputs = tuple(n for n in self.params.names if n in used)
        self._delta = formula.compile_formulas([self.delta], self._delta_inputs)
        self._automata = {
            p: automaton(p, self.stage.shape, self.cooperate, self.punish, punishment)
            for p in PROFILES
        }

    def _profile(self, given: Sequence[str] | None, default: int, where: str) -> tuple[int, int]:
        """An action profile's indices (the ``default``-th actions for a 2x2 stage game)."""
        if given is None:
            if self.stage.shape != (2, 2):
                raise ModelError(
                    f"{where}: a stage game that is not 2x2 needs the {where} profile, "
                    "one action per player"
                )
            return (default, default)
        if isinstance(given, str) or not all(isinstance(a, str) for a in given):
            raise ModelError(f"{where}: expected one action label per player, got {given!r}")
        given = list(given)  # the players may share a label ("gesture", "gesture")
        if len(given) != 2:
            raise ModelError(f"{where}: expected one action per player (2), got {len(given)}")
        out = []
        for i, (player, action) in enumerate(zip(self.players, given)):
            if action not in self.strategies[i]:
                hint = did_you_mean(action, self.strategies[i])
                raise ModelError(
                    f"{where}[{i}]: {action!r} is not an action of {player}{hint}; "
                    f"actions: {', '.join(self.strategies[i])}"
                )
            out.append(self.strategies[i].index(action))
        return (out[0], out[1])

    # -- solving ------------------------------------------------------------------------------

    def discount(self, points: Mapping[str, np.ndarray]) -> np.ndarray:
        """The discount factor (N,) at bound points, checked to be in [0, 1)."""
        n = batch_size(points)
        value = np.broadcast_to(self._delta(*(points[k] for k in self._delta_inputs)), (1, n))[0]
        bad = ~((value >= 0) & (value < 1))
        if bad.any():
            t = int(np.flatnonzero(bad)[0])
            raise ModelError(
                f"delta = {self.delta} is {value[t]:g} at {point_text(points, t)}; "
                "a discount factor must be in [0, 1)"
            )
        return np.array(value, dtype=float)

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> RepeatedBatch:
        """Every named profile checked at N points (``points``: name -> N values); no options.

        A profile is a subgame-perfect equilibrium at a point when no player
        gains more than its payoff tolerance by a one-shot deviation in any
        state of the profile's automaton.
        """
        self.check_options(options)
        bound = self.params.bind_batch(points)
        stage = self.stage.payoff_tensor(bound)
        delta = self.discount(bound)
        atol = payoff_atol(stage)
        own = [stage[0], stage[1].transpose(1, 0, 2)]
        terms = stage_terms(own, self.cooperate, self.punish, lambda xs: np.max(xs, axis=0))
        zero = np.zeros_like(delta)
        spe, low, high, values, gains = [], [], [], [], []
        for profile in PROFILES:
            machine = self._automata[profile]
            gain, value = one_shot_gains(stage, machine.actions, machine.transition, delta)
            worst = (gain - atol[:, None, :]).max(axis=(0, 1))
            lo, hi = interval(conditions(profile, terms, zero), self.punishment, atol)
            spe.append(worst <= 0)
            none = (lo > hi) | np.isnan(lo)  # no interval of discount factors
            low.append(np.where(none, np.nan, lo))
            high.append(np.where(none, np.nan, hi))
            values.append(value[:, 0, :])
            gains.append(gain.max(axis=(0, 1)))
        flat = stage.reshape(2, -1, stage.shape[-1])
        result = RepeatedBatch(
            self.players,
            bound,
            delta,
            np.array(spe),
            np.array(low),
            np.minimum(np.array(high), 1.0),
            np.array(values),
            np.array(gains),
            flat.max(axis=1) - flat.min(axis=1),
        )
        result.warn_empty("no named profile is a subgame-perfect equilibrium")
        return result

    def critical_delta(self, profile: str) -> sympy.Expr:
        """The least discount factor from which ``profile`` can be subgame perfect, in closed
        form (:mod:`.closed`): ``(T - R)/(T - P)`` for grim trigger in a Prisoner's Dilemma.

        Only the conditions that bound the discount factor from below enter it;
        where some bound it from above (tit-for-tat's, or a punishment that a
        player prefers to cooperation) the measure ``delta_max_<profile>`` gives
        the largest discount factor per point (see :mod:`.profiles`).
        """
        if profile not in PROFILES:
            raise ModelError(
                f"unknown profile {profile!r}{did_you_mean(profile, PROFILES)}; "
                f"profiles: {', '.join(PROFILES)}"
            )
        payoffs = self.stage.payoffs.tolist()
        return critical_delta(
            profile, payoffs, self.cooperate, self.punish, self.punishment, box_of(self.params)
        )

    def payoff_set(self, **values: float) -> PayoffSet:
        """The stage game's feasible and individually rational payoffs at these parameter
        values (defaults for the rest): see :func:`.payoffs.payoff_set`."""
        bound = self.params.bind_batch({k: [v] for k, v in values.items()})
        return payoff_set(self.stage.payoff_tensor(bound)[..., 0])

    # -- measures -----------------------------------------------------------------------------

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<player>`` (the selected profile), then per profile ``spe_<profile>``,
        ``delta_<profile>``, ``delta_max_<profile>``, ``u_<player>_<profile>``; ``n_equilibria``."""
        self.check_options(options)
        names = [ident(p) for p in self.players]
        out = [f"u_{n}" for n in names]
        for profile in PROFILES:
            out += [f"spe_{profile}", f"delta_{profile}", f"delta_max_{profile}"]
            out += [f"u_{n}_{profile}" for n in names]
        return [*out, "n_equilibria"]

    def point_measures(self, **options: Any) -> tuple[str, ...]:
        """Every profile's measures are properties of the point."""
        return tuple(self.measure_names(**options)[2:-1])

    # -- model files --------------------------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        stage = self.stage.spec(render, name)
        return {
            "form": self.form,
            "players": list(self.players),
            "delta": render(self.delta),
            "cooperate": [s[a] for s, a in zip(self.strategies, self.cooperate)],
            "punish": [s[a] for s, a in zip(self.strategies, self.punish)],
            "punishment": self.punishment,
            "stage": {"strategies": stage["strategies"], "payoffs": stage["payoffs"]},
        }

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> RepeatedGame:
        table = reader.table(
            table,
            "game",
            ["form", "players", "stage"],
            ["delta", "cooperate", "punish", "punishment"],
        )
        players = reader.labels(table["players"], "game.players")
        if len(players) != 2:
            raise reader.error("game.players", f"expected two players, got {len(players)}")
        stage = reader.table(table["stage"], "game.stage", ["strategies", "payoffs"])
        given = reader.table(stage["strategies"], "game.stage.strategies", players, what="player")
        strategies = {p: reader.labels(given[p], key("game.stage.strategies", p)) for p in players}
        given = reader.table(stage["payoffs"], "game.stage.payoffs", players, what="player")
        payoffs = {
            p: _payoff_table(reader, given[p], key("game.stage.payoffs", p), strategies, params)
            for p in players
        }
        delta = reader.formula(table.get("delta", "delta"), "game.delta", params)
        profiles = {}  # one action per player: the players may share a label
        for k in (k for k in ("cooperate", "punish") if k in table):
            given = reader.array(table[k], f"game.{k}")
            if len(given) != 2:
                raise reader.error(
                    f"game.{k}", f"expected one action per player (2), got {len(given)}"
                )
            profiles[k] = [
                reader.string(a, f"game.{k}[{i}]", strategies[p])
                for i, (p, a) in enumerate(zip(players, given))
            ]
        punishment = table.get("punishment", 1)
        if isinstance(punishment, bool) or not isinstance(punishment, int) or punishment < 1:
            raise reader.error(
                "game.punishment",
                f"expected a positive number of periods, got {describe(punishment)}",
            )
        with reader.located("game"):
            game = cls(
                players,
                strategies,
                payoffs,
                delta,
                params=params,
                punishment=punishment,
                **profiles,
            )
            defaults = params.bind_batch({})
            game.stage.payoff_tensor(defaults)  # checks the payoffs and delta at the defaults
            game.discount(defaults)
        return game

    def __repr__(self) -> str:
        sizes = "x".join(map(str, self.stage.shape))
        return f"RepeatedGame({sizes}, players={list(self.players)}, delta={self.delta})"


def _payoff_table(
    reader: SpecReader,
    value: object,
    path: str,
    strategies: dict[str, list[str]],
    params: ParamSpace,
) -> list[list[Any]]:
    """A player's stage payoffs in a file: one row per action of the first player, one
    entry per action of the second, each a number or a formula."""
    rows, columns = strategies.values()
    value = reader.array(value, path, len(rows))
    out = []
    for i, row in enumerate(value):
        row = reader.array(row, f"{path}[{i}]", len(columns))
        out.append([reader.formula(v, f"{path}[{i}][{j}]", params) for j, v in enumerate(row)])
    return out
