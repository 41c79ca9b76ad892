"""The screening form: reading the game, solving a batch of points, model files.

:class:`ScreeningGame` reads the players, the deal and war payoffs and the law
of the reservation value (each formula located by its key), compiles them once
(:class:`~.compiled.CompiledScreening`) and solves N points at once: deal
payoffs affine in ``x`` with a uniform or finite law by the closed forms of
:mod:`bargain.bargaining.screening`, in the responder's payoff units; the
others numerically (:mod:`bargain.solvers.screening`), in chunks of points.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

from bargain import formula
from bargain.algebra import Derivation
from bargain.bargaining.screening import (
    HIGHEST,
    INTERIOR,
    LOWEST,
    screening_types,
    screening_uniform,
)
from bargain.checks import describe, key, labels
from bargain.errors import ModelError
from bargain.params import Param, ParamSpace
from bargain.solvers.screening import GRID, best_rows, maximize
from bargain.vocabulary import ident

from ..form import CHUNK_SIZE, GameForm, Option, as_is
from ..spec import SpecReader
from .compiled import CompiledScreening, V, X
from .derive import derive
from .points import ScreeningPoints
from .solution import Rows, ScreeningBatch

#: The laws of the reservation value, and the keys of each in ``reservation``.
LAWS = {"uniform": ("uniform",), "types": ("types", "probabilities"), "cdf": ("cdf", "support")}
#: Floats per array of the numeric path's chunks (offers x points).
CHUNK_FLOATS = 2**21


def _grid_option(value: Any, where: str) -> int:
    """The ``grid`` option: offers on the numeric maximiser's grid, at least 3."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 3:
        raise ModelError(f"{where}: expected a whole number of offers >= 3, got {describe(value)}")
    return value


class ScreeningGame(GameForm):
    """A take-it-or-leave-it offer to a responder with a private reservation value.

    Parameters
    ----------
    players : the proposer and the responder.
    reservation : the law of the responder's reservation value ``v``, one of
        ``{"uniform": [low, high]}``, ``{"types": [...], "probabilities": [...]}``
        or ``{"cdf": "formula in v", "support": [low, high]}`` (formulas of the
        parameters; the CDF also of ``v``).
    war : the proposer's payoff from a rejection (a formula that may use ``v``:
        affine in ``v`` for a uniform law, free of it for a CDF), or a mapping
        ``{proposer: formula}`` (a responder entry, if any, must be ``"v"``).
    deal : ``{proposer: formula, responder: formula}`` in the offer ``x``;
        default ``pie - x`` and ``x``. The proposer must lose what the
        responder gains (opposite slopes in ``x``).
    offer : ``[low, high]``, the range of offers; default ``[0, pie]``.
    pie : the size of the pie (shares are payoffs over it); default 1.
    params : the parameters.
    source : a file name that starts the messages of errors found when solving.

    ``compiled`` holds the formulas compiled once
    (:class:`~.compiled.CompiledScreening`); ``closed_form`` the optimal offer
    as formulas of the parameters, where one is built.

    Examples
    --------
    Fearon's setting: A keeps ``1 - x`` and B gets ``x``; war gives A
    ``p - cA`` and B ``1 - p - cB``, B's cost uniform on ``[0, cbar]``:

    >>> game = ScreeningGame(
    ...     ["A", "B"], {"uniform": ["1 - p - cbar", "1 - p"]}, "p - cA",
    ...     params=[Param("p", 0.5, 0, 1), Param("cA", 0.1, 0), Param("cbar", 0.3, 0)],
    ... )
    >>> (best,) = game.solve()
    >>> round(best.offer, 6), round(best.p_war, 6), best.regime
    (0.4, 0.333333, 'interior')
    """

    form = "screening"
    noun = "screening games"
    options = MappingProxyType(
        {
            "grid": Option(GRID, check=_grid_option, help="offers on the numeric maximiser's grid"),
            "chunk_size": CHUNK_SIZE,
        }
    )

    def __init__(
        self,
        players: Sequence[str],
        reservation: Mapping[str, Any],
        war: Any,
        *,
        deal: Mapping[str, Any] | None = None,
        offer: Sequence[Any] | None = None,
        pie: Any = None,
        params: Iterable[Param] | ParamSpace = (),
        source: str = "",
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels(players, "game.players")
        if len(self.players) != 2:
            raise ModelError(
                f"game.players: expected the proposer and the responder, got {len(self.players)}"
            )
        self.proposer, self.responder = self.players
        for name in ("x", "v"):
            if name in self.params:
                raise ModelError(
                    f"params.{name}: the screening form names the offer x and the reservation "
                    f"value v in its formulas; rename the parameter '{name}'"
                )
        self.source = source
        self.given = {"pie": pie is not None, "offer": offer is not None, "deal": deal is not None}
        names = self.params.names
        self.pie = formula.as_expr(1 if pie is None else pie, names, "game.pie")
        if offer is None:
            offer = (0, self.pie)
        if isinstance(offer, str) or not isinstance(offer, Sequence) or len(offer) != 2:
            raise ModelError(f"game.offer: expected [low, high], got {offer!r}")
        self.offer = tuple(
            formula.as_expr(e, names, f"game.offer[{i}]") for i, e in enumerate(offer)
        )
        self.deal = self._deal(deal)
        self.war = self._war(war)
        self.law, self.reservation = self._reservation(reservation)
        self.compiled = CompiledScreening(
            self.players,
            self.params,
            pie=self.pie,
            offer=self.offer,
            deal=self.deal,
            war=self.war,
            law=self.law,
            reservation=self.reservation,
            source=source,
        )
        self.solve_batch({})  # checks every formula at the defaults

    # -- reading the game ---------------------------------------------------------------------

    def _deal(self, deal: Mapping[str, Any] | None) -> dict[str, sympy.Basic]:
        if deal is None:
            return {self.proposer: self.pie - X, self.responder: X}
        if not isinstance(deal, Mapping) or set(deal) != set(self.players):
            got = sorted(deal) if isinstance(deal, Mapping) else describe(deal)
            raise ModelError(
                f"game.deal: expected the deal payoffs of {list(self.players)} (formulas in x), "
                f"got {got}"
            )
        names = (*self.params.names, "x")
        return {p: formula.as_expr(deal[p], names, key("game.deal", p)) for p in self.players}

    def _war(self, war: Any) -> sympy.Basic:
        names = (*self.params.names, "v")
        if isinstance(war, Mapping):
            if self.proposer not in war or set(war) - set(self.players):
                raise ModelError(
                    f"game.war: expected the proposer's war payoff {{{self.proposer} = ...}}, "
                    f"got keys {sorted(war)}"
                )
            if self.responder in war:
                path = key("game.war", self.responder)
                if formula.as_expr(war[self.responder], names, path) != V:
                    raise ModelError(
                        f"{path}: the responder's war payoff is its reservation value v, whose "
                        "law game.reservation gives (e.g. uniform on [1 - p - cB_high, 1 - p - "
                        'cB_low] for a private cost of war cB); write "v" or leave it out'
                    )
            war = war[self.proposer]
        return formula.as_expr(war, names, key("game.war", self.proposer))

    def _reservation(self, reservation: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
        given = reservation if isinstance(reservation, Mapping) else {}
        kinds = [law for law, keys in LAWS.items() if keys[0] in given]
        if len(kinds) != 1:
            raise ModelError(
                "game.reservation: expected one of uniform = [low, high], types = [...] with "
                'probabilities = [...], or cdf = "formula in v" with support = [low, high]'
            )
        law = kinds[0]
        extra = sorted(set(reservation) - set(LAWS[law]))
        missing = sorted(set(LAWS[law]) - set(reservation))
        if extra or missing:
            problem = f"missing {missing}" if missing else f"unknown {extra}"
            raise ModelError(
                f"game.reservation: a {law} law takes {', '.join(LAWS[law])}; {problem}"
            )
        names = self.params.names
        out: dict[str, Any] = {}
        for name in LAWS[law]:
            value, path = reservation[name], f"game.reservation.{name}"
            if name == "cdf":
                out[name] = formula.as_expr(value, (*names, "v"), path)
                continue
            if isinstance(value, str) or not isinstance(value, Sequence):
                raise ModelError(f"{path}: expected an array, got {describe(value)}")
            if name in ("uniform", "support") and len(value) != 2:
                raise ModelError(f"{path}: expected [low, high], got {len(value)} entries")
            out[name] = tuple(
                formula.as_expr(e, names, f"{path}[{i}]") for i, e in enumerate(value)
            )
        if law == "types" and not 0 < len(out["types"]) == len(out["probabilities"]):
            raise ModelError(
                "game.reservation.probabilities: expected one probability per type "
                f"({len(out['types'])}), got {len(out['probabilities'])}"
            )
        return law, out

    # -- solving ------------------------------------------------------------------------------

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> ScreeningBatch:
        """The proposer's optimal offer(s) at N points (``points``: name -> N values).

        Options: ``grid`` (offers on the numeric maximiser's grid, default
        256) and ``chunk_size`` (points per chunk of the numeric path).
        """
        chosen = self.check_options(options)
        grid = chosen.get("grid") or GRID
        bound = self.params.bind_batch(points)
        n = len(next(iter(bound.values()))) if bound else 1
        at = ScreeningPoints(self.compiled, bound, n)
        at.check()
        if self.compiled.affine and self.law != "cdf":
            rows = self._closed(at)
        else:
            chunk = chosen.get("chunk_size") or max(1, CHUNK_FLOATS // grid)
            parts = [
                self._numeric(at.part(slice(s, min(n, s + chunk))), grid)
                for s in range(0, n, chunk)
            ]
            rows = Rows.concatenate(parts)
        return ScreeningBatch(self.compiled, bound, rows, at.full("pie"), at.ranges)

    def _closed(self, at: ScreeningPoints) -> Rows:
        """Deal payoffs affine in x: the protocol's closed forms, in the responder's units.

        With ``r = gamma + delta x`` the proposer's deal payoff is
        ``scale * (pie' - r)``, ``scale = -beta / delta > 0``: the protocol
        solves for ``r`` with the war payoff and pie divided by ``scale``.
        """
        alpha, beta, gamma, delta = (at.values[k] for k in ("alpha", "beta", "gamma", "delta"))
        scale = -beta / delta
        pie = (beta * gamma - alpha * delta) / beta
        ends = (gamma + delta * at.values["low"], gamma + delta * at.values["high"])
        bounds = (at.full(np.minimum(*ends)), at.full(np.maximum(*ends)))
        if self.law == "uniform":
            result = screening_uniform(
                at.full("a"),
                at.full("b"),
                at.full(at.values["war"] / scale),
                war_slope=at.full(at.values["war_slope"] / scale),
                pie=at.full(pie),
                bounds=bounds,
            )
        else:
            m = self.compiled.n_types
            result = screening_types(
                [at.full(("v", j)) for j in range(m)],
                [at.full(("q", j)) for j in range(m)],
                [at.full(at.values["w", j] / scale) for j in range(m)],
                pie=at.full(pie),
                bounds=bounds,
            )
        point = result.point
        each = _rows_of(point, at.n)
        falling = np.asarray(each(delta)) < 0  # there the lowest r is the highest x
        regime = result.regime
        for code, other in ((LOWEST, HIGHEST), (HIGHEST, LOWEST)):
            regime = np.where(falling & (result.regime == code), other, regime).astype(np.int8)
        x = (result.offer - each(gamma)) / each(delta)
        if self.law == "types":  # the type made indifferent accepts in floating point too
            x = _generous(at, point, x, result.offer, regime == INTERIOR, each(delta))
        x = np.where(regime == LOWEST, each(at.values["low"]), x)
        x = np.where(regime == HIGHEST, each(at.values["high"]), x)
        payoffs = np.stack([result.payoffs[0] * each(scale), result.payoffs[1]], axis=1)
        method = f"{result.distribution} closed form"
        return Rows(point, x, result.p_war, payoffs, regime, result.ties, method)

    def _numeric(self, at: ScreeningPoints, grid: int) -> Rows:
        """Any other game: the numeric maximiser (thresholds by bisection for finite types)."""
        rising = at.orientation(grid)
        atol = at.tolerance()
        if self.law == "types":
            candidates, values = at.thresholds(rising)
            point, x, value, _ = best_rows(candidates, values, atol)
            return at.rows(point, x, value, rising, "types: thresholds by bisection")
        low, high = at.full("low"), at.full("high")
        found = maximize(at.objective, low, high, atol, grid=grid)
        bad = np.flatnonzero(found.gap > 0)
        if len(bad):
            i = bad[0]
            at.fail(
                i,
                f"the maximiser cannot certify the optimal offer: the offer "
                f"{found.beaten_at[i]:.12g} beats the best found, "
                f"{found.x[found.point == i][0]:.12g}, by {found.gap[i]:.3g}; the objective "
                "may have no maximum on the offer range (a CDF that is not right-continuous) "
                f"or a feature narrower than the grid's spacing (raise the solver option grid, "
                f"now {grid})",
            )
        method = "numeric: grid and nested grids"
        return at.rows(found.point, found.x, found.value, rising, method)

    def measure_names(self, **options: Any) -> list[str]:
        """``offer``, ``p_war``, ``deal``, ``u_<player>``, ``share_<player>``, ``n_equilibria``."""
        proposer, responder = (ident(p) for p in self.players)
        return [
            "offer",
            "p_war",
            "deal",
            f"u_{proposer}",
            f"u_{responder}",
            f"share_{proposer}",
            f"share_{responder}",
            "n_equilibria",
        ]

    # -- the closed form ----------------------------------------------------------------------

    def derive(self, **options: Any) -> Derivation:
        """The optimal offer in closed form, a case per regime (:mod:`.derive`): deal
        payoffs affine in x with a uniform law (the interior case also by its
        first-order condition, ``Case.implicit["offer"]``) or at most
        ``MAX_CLOSED_TYPES`` types. The options are ``solve``'s (checked; they
        do not change the closed form)."""
        self.check_options(options)
        return derive(self.compiled, self.params)

    @property
    def closed_form(self) -> dict[str, sympy.Expr] | None:
        """The optimal offer and its outcome as formulas of the parameters, or None
        (see :attr:`.compiled.CompiledScreening.closed_form`)."""
        return self.compiled.closed_form

    # -- model files --------------------------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        table: dict[str, Any] = {"form": self.form, "players": list(self.players)}
        if self.given["pie"]:
            table["pie"] = render(self.pie)
        if self.given["offer"]:
            table["offer"] = [render(e) for e in self.offer]
        if self.given["deal"]:
            table["deal"] = {p: render(self.deal[p]) for p in self.players}
        table["war"] = {self.proposer: render(self.war)}
        table["reservation"] = {
            k: render(value) if k == "cdf" else [render(e) for e in value]
            for k, value in self.reservation.items()
        }
        return table

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> ScreeningGame:
        table = reader.table(
            table, "game", ["form", "players", "war", "reservation"], ["pie", "offer", "deal"]
        )
        players = reader.labels(table["players"], "game.players")

        def read(value: object, path: str, extra: tuple[str, ...] = ()) -> Any:
            """A number, or a formula of the parameters (and ``extra`` variables)."""
            if isinstance(value, str):
                where = f"{reader.source}: {path}"
                return formula.canonical(formula.parse(value, (*params.names, *extra), where))
            return reader.formula(value, path, params)

        kwargs: dict[str, Any] = {"params": params, "source": reader.source}
        if "pie" in table:
            kwargs["pie"] = read(table["pie"], "game.pie")
        if "offer" in table:
            ends = reader.array(table["offer"], "game.offer", 2)
            kwargs["offer"] = [read(e, f"game.offer[{i}]") for i, e in enumerate(ends)]
        if "deal" in table:
            deal = reader.table(table["deal"], "game.deal", players)
            kwargs["deal"] = {p: read(deal[p], key("game.deal", p), ("x",)) for p in players}
        war = reader.table(table["war"], "game.war", players[:1], players[1:])
        war = {p: read(w, key("game.war", p), ("v",)) for p, w in war.items()}
        allowed = [k for keys in LAWS.values() for k in keys]
        given = reader.table(table["reservation"], "game.reservation", optional=allowed)
        reservation: dict[str, Any] = {}
        for k, value in given.items():
            path = f"game.reservation.{k}"
            if k == "cdf":
                reservation[k] = read(reader.string(value, path), path, ("v",))
            else:
                items = reader.array(value, path, 2 if k in ("uniform", "support") else None)
                reservation[k] = [read(e, f"{path}[{i}]") for i, e in enumerate(items)]
        try:
            return cls(players, reservation, war, **kwargs)
        except (ValueError, TypeError) as exc:
            if str(exc).startswith(f"{reader.source}: "):  # found at the defaults: located
                raise
            raise reader.relocate(exc, "game") from None

    def __repr__(self) -> str:
        return (
            f"ScreeningGame({self.proposer!r} offers to {self.responder!r}, "
            f"{self.law} reservation value)"
        )


def _generous(
    at: ScreeningPoints,
    point: np.ndarray,
    x: np.ndarray,
    target: np.ndarray,
    rows: np.ndarray,
    delta: np.ndarray,
) -> np.ndarray:
    """Offers ``x`` moved float by float toward the responder, at ``rows``, until the deal
    formula gives it at least ``target``: the offer ``(v - gamma) / delta`` that makes a
    type indifferent can round to one whose deal is worth a unit in the last place less
    than ``v``, which that type would reject."""
    toward = np.where(np.broadcast_to(delta, x.shape) > 0, np.inf, -np.inf)
    for _ in range(8):  # a step or two in practice
        short = rows & (at.deal(x, point)[1] < target)
        if not short.any():
            break
        x = np.where(short, np.nextafter(x, toward), x)
    return x


def _rows_of(point: np.ndarray, n: int) -> Callable[[Any], Any]:
    """Per-point values at the rows ``point`` (no copy when the rows are the points)."""
    identity = len(point) == n
    return lambda value: value if np.ndim(value) == 0 or identity else np.asarray(value)[point]
