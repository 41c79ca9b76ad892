"""Screening: a take-it-or-leave-it offer to a privately informed responder (Fearon 1995).

A proposer offers a settlement ``x`` from a range; the responder, who alone
knows its reservation value ``v`` (what it gets by rejecting: war), accepts iff
the deal gives it at least ``v``. The proposer weighs a better deal against a
higher risk of war: the risk–return trade-off of Fearon (1995), "Rationalist
Explanations for War", International Organization 49(3). Every payoff is a
formula of the model's parameters:

- ``deal``: each side's payoff from a deal, formulas in the offer ``x``
  (default: the proposer keeps ``pie - x``, the responder gets ``x``);
- ``war``: the proposer's payoff from a rejection, a formula that may use ``v``
  (interdependent values, e.g. a private probability of winning). The
  responder's is ``v`` itself: its reservation value is its war payoff;
- ``reservation``: the law of ``v``: ``uniform`` on ``[low, high]``, finitely
  many ``types`` with ``probabilities``, or a ``cdf`` formula in ``v`` on a
  ``support``.

Each point has one equilibrium row, the proposer's optimal offer, or one per
tied offer. Deal payoffs affine in ``x`` with a uniform or finite law are
solved by the closed forms of :mod:`bargain.bargaining.screening`, in the
responder's payoff units; the others numerically (:mod:`bargain.solvers.screening`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any, NamedTuple

import numpy as np
import sympy
from sympy.functions.elementary.piecewise import ExprCondPair

from bargain import formula
from bargain.bargaining.screening import (
    CERTAIN_WAR,
    HIGHEST,
    INTERIOR,
    LOWEST,
    MAX_CLOSED_TYPES,
    NO_WAR,
    REGIMES,
    screening_types,
    screening_uniform,
    types_closed_form,
    uniform_closed_form,
)
from bargain.checks import describe, key, labels
from bargain.errors import BargainWarning, ModelError, warn
from bargain.params import Param, ParamSpace, point_text
from bargain.solvers.screening import GRID, best_rows, first_true, integrate, maximize
from bargain.tolerances import PAYOFF_RTOL, PROB_SUM_ATOL, PROB_TOL, ROUNDING
from bargain.vocabulary import ident

from .form import CHUNK_SIZE, GameForm, Option, as_is
from .solution import Columns, EquilibriumBatch, EquilibriumSet
from .spec import SpecReader

#: The offer and the reservation value in formulas.
X, V = sympy.Symbol("x"), sympy.Symbol("v")
#: The laws of the reservation value, and the keys of each in ``reservation``.
LAWS = {"uniform": ("uniform",), "types": ("types", "probabilities"), "cdf": ("cdf", "support")}
#: Offers at which payoff ranges are taken (and CDFs checked, times 16).
PROBE = 17
#: Floats per array of the numeric path's chunks (offers x points).
CHUNK_FLOATS = 2**21


def _grid_option(value: Any, where: str) -> int:
    """The ``grid`` option: offers on the numeric maximiser's grid, at least 3."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 3:
        raise ModelError(f"{where}: expected a whole number of offers >= 3, got {describe(value)}")
    return value


@dataclass(frozen=True)
class ScreeningOffer:
    """The proposer's optimal offer at one point and what it brings.

    ``offer`` is NaN where every offer that all types reject is optimal (certain
    war, a continuum of offers); ``payoffs`` and ``shares`` (payoffs over the
    pie) are expected values by player.
    """

    offer: float
    p_war: float
    payoffs: dict[str, float]
    shares: dict[str, float]
    regime: str

    def as_dict(self) -> dict[str, Any]:
        """The offer's measures by name (``offer``, ``p_war``, ``deal``, ``u_<player>``, ...)."""
        out: dict[str, Any] = {"offer": self.offer, "p_war": self.p_war, "deal": 1 - self.p_war}
        out |= {f"u_{ident(k)}": v for k, v in self.payoffs.items()}
        out |= {f"share_{ident(k)}": v for k, v in self.shares.items()}
        return {**out, "regime": self.regime}

    def __str__(self) -> str:
        payoffs = ", ".join(f"{k} {v:.4g}" for k, v in self.payoffs.items())
        return f"offer {self.offer:.6g}: P(war) {self.p_war:.4g}, {payoffs} ({self.regime})"


class ScreeningSolution(EquilibriumSet[ScreeningOffer]):
    """The optimal offer(s) at one point; ``closed_form`` is the game's (or None)."""

    def __init__(
        self,
        offers: Iterable[ScreeningOffer],
        closed_form: dict[str, sympy.Expr] | None,
        **flags: Any,
    ) -> None:
        super().__init__(offers, **flags)
        self.closed_form = closed_form

    def as_dict(self) -> dict[str, list[Any]]:
        """Columns, one entry per optimal offer (see :meth:`ScreeningOffer.as_dict`)."""
        rows = [offer.as_dict() for offer in self]
        return {k: [row[k] for row in rows] for k in rows[0]} if rows else {}

    def __repr__(self) -> str:
        offers = "; ".join(map(str, self)) or "none"
        return f"ScreeningSolution({offers}{', tied' if self.ties else ''})"


class Rows(NamedTuple):
    """Optimal offers as rows in point order (``payoffs`` (R, 2)), and per-point ties."""

    point: np.ndarray
    offer: np.ndarray
    p_war: np.ndarray
    payoffs: np.ndarray
    regime: np.ndarray
    ties: np.ndarray
    method: str


class ScreeningBatch(EquilibriumBatch):
    """Optimal offers at N points: one row per (point, optimal offer).

    ``offer``, ``p_war`` and ``regime`` (codes into
    :data:`~bargain.bargaining.screening.REGIMES`) are per row, ``pie`` per point.
    """

    def __init__(
        self,
        game: ScreeningGame,
        points: dict[str, np.ndarray],
        rows: Rows,
        pie: np.ndarray,
        ranges: Callable[[], np.ndarray],
    ) -> None:
        self.game = game
        self.players = game.players
        self.points = points
        self.method = rows.method
        self.point, self.offer, self.p_war = rows.point, rows.offer, rows.p_war
        self.regime, self.payoffs, self.ties = rows.regime, rows.payoffs, rows.ties
        self.degenerate = np.zeros(len(rows.ties), dtype=bool)
        self.pie = pie
        self._ranges = ranges

    @cached_property
    def payoff_range(self) -> np.ndarray:
        """(N, 2): each player's payoff range over deals on the offer range and war."""
        return self._ranges()

    def measure_columns(self) -> Columns:
        pie = self.pie if len(self.point) == len(self.pie) else self.pie[self.point]
        proposer, responder = (ident(p) for p in self.players)
        u = self.payoffs
        return {
            "offer": self.offer,
            "p_war": self.p_war,
            "deal": 1.0 - self.p_war,
            f"u_{proposer}": u[:, 0],
            f"u_{responder}": u[:, 1],
            f"share_{proposer}": u[:, 0] / pie,
            f"share_{responder}": u[:, 1] / pie,
        }

    def regimes(self) -> tuple[np.ndarray, np.ndarray]:
        """Each row's case of the solution (``interior``, ``corner: ...``) and its code."""
        return np.asarray(REGIMES, dtype=object)[self.regime], self.regime.astype(np.int64)

    def _point_solution(self, i: int) -> ScreeningSolution:
        rows = self.rows(i)
        pie = float(self.pie[i])
        offers = []
        for r in rows:
            payoffs = dict(zip(self.players, map(float, self.payoffs[r])))
            shares = {k: v / pie for k, v in payoffs.items()}
            regime = REGIMES[self.regime[r]]
            offers.append(
                ScreeningOffer(float(self.offer[r]), float(self.p_war[r]), payoffs, shares, regime)
            )
        return ScreeningSolution(
            offers,
            self.game.closed_form,
            values=self.point_values(i),
            ties=bool(self.ties[i]),
            method=self.method,
            batch=self,
            rows=rows,
        )

    def __repr__(self) -> str:
        war = int(np.count_nonzero(self.p_war > PROB_TOL))
        return (
            f"ScreeningBatch({self.method!r}, {len(self)} points, {len(self.point)} optimal "
            f"offers, {war} with a risk of war)"
        )


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
        self._derive()
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

    def _derive(self) -> None:
        """The structure of the payoffs and the expressions each point evaluates.

        Deal payoffs affine in x give ``alpha + beta x`` (proposer) and
        ``gamma + delta x`` (responder); a uniform or CDF law gives the
        support ``a, b`` and the proposer's war payoff ``war + war_slope v``.
        """
        d_p, d_r = self.deal[self.proposer], self.deal[self.responder]
        slopes = [sympy.diff(d, X) for d in (d_p, d_r)]
        self.affine = _affine(d_p, X) and _affine(d_r, X)
        war_path = key("game.war", self.proposer)
        exprs: dict[Hashable, sympy.Basic] = {"pie": self.pie}
        exprs |= {"low": self.offer[0], "high": self.offer[1]}
        paths: dict[Hashable, str] = {"pie": "game.pie"}
        paths |= {"low": "game.offer[0]", "high": "game.offer[1]"}
        if self.affine:
            exprs |= {"alpha": d_p.subs(X, 0), "beta": slopes[0]}
            exprs |= {"gamma": d_r.subs(X, 0), "delta": slopes[1]}
            paths |= {k: key("game.deal", self.proposer) for k in ("alpha", "beta")}
            paths |= {k: key("game.deal", self.responder) for k in ("gamma", "delta")}
        if self.law == "types":
            laws = zip(self.reservation["types"], self.reservation["probabilities"])
            for j, (v, q) in enumerate(laws):
                exprs |= {("v", j): v, ("q", j): q}
                paths[("v", j)] = f"game.reservation.types[{j}]"
                paths[("q", j)] = f"game.reservation.probabilities[{j}]"
                paths[("w", j)] = war_path
        else:
            where = "game.reservation." + ("uniform" if self.law == "uniform" else "support")
            support = self.reservation[where.rsplit(".", 1)[1]]
            exprs |= {"a": support[0], "b": support[1]}
            paths |= {"a": f"{where}[0]", "b": f"{where}[1]"}
            slope = sympy.diff(self.war, V)
            uses_v = "v" in formula.free_names(self.war)
            if uses_v and (self.law == "cdf" or not _affine(self.war, V)):
                need = "free of v" if self.law == "cdf" else "affine in v (w0 + w1*v)"
                raise ModelError(
                    f"{war_path}: with a {self.law} reservation value the proposer's war payoff "
                    f"must be {need}; got {formula.to_text(self.war)} (finite types take any "
                    "formula of v)"
                )
            exprs |= {"war": self.war.subs(V, 0), "war_slope": slope}
            paths |= {"war": war_path, "war_slope": war_path}
        self._exprs, self.paths = exprs, paths
        variable = {k: e for k, e in exprs.items() if formula.free_names(e)}
        self.constants = {k: float(e) for k, e in exprs.items() if k not in variable}
        self.variable_keys = list(variable)
        self.inputs = self._used(variable.values())
        self.point_fn = (
            formula.compile_formulas(list(variable.values()), self.inputs) if variable else None
        )
        self.deal_inputs = self._used([d_p, d_r])
        self.deal_fn = formula.compile_formulas([d_p, d_r], ("x", *self.deal_inputs))
        self.war_inputs = self._used([self.war])
        self.war_fn = formula.compile_formulas(self.war, ("v", *self.war_inputs))
        if self.law == "cdf":
            cdf = self.reservation["cdf"]
            self.cdf_inputs = self._used([cdf])
            self.cdf_fn = formula.compile_formulas(cdf, ("v", *self.cdf_inputs))

    def _used(self, exprs: Iterable[sympy.Basic]) -> tuple[str, ...]:
        used = set().union(*(formula.free_names(e) for e in exprs))
        return tuple(n for n in self.params.names if n in used)

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
        at = _Points(self, bound, n)
        at.check()
        if self.affine and self.law != "cdf":
            rows = self._closed(at)
        else:
            chunk = chosen.get("chunk_size") or max(1, CHUNK_FLOATS // grid)
            parts = [
                self._numeric(at.part(slice(s, min(n, s + chunk))), grid)
                for s in range(0, n, chunk)
            ]
            rows = _concatenate(parts)
        return ScreeningBatch(self, bound, rows, at.full("pie"), at.ranges)

    def _closed(self, at: _Points) -> Rows:
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
            m = len(self.reservation["types"])
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
        x = np.where(regime == LOWEST, each(at.values["low"]), x)
        x = np.where(regime == HIGHEST, each(at.values["high"]), x)
        payoffs = np.stack([result.payoffs[0] * each(scale), result.payoffs[1]], axis=1)
        method = f"{result.distribution} closed form"
        return Rows(point, x, result.p_war, payoffs, regime, result.ties, method)

    def _numeric(self, at: _Points, grid: int) -> Rows:
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

    def measure_names(self) -> list[str]:
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

    @cached_property
    def closed_form(self) -> dict[str, sympy.Expr] | None:
        """The optimal offer and its outcome as formulas of the parameters, or None.

        Keys ``offer``, ``p_war``, ``u_<proposer>``, ``u_<responder>``,
        ``regime`` (codes into ``REGIMES``) and, for a uniform law,
        ``stationary`` (the root of the first-order condition, in ``x``). Built
        for deal payoffs affine in ``x`` with a uniform law or at most
        ``MAX_CLOSED_TYPES`` types; ties give the first candidate's offer.
        """
        if not self.affine or self.law == "cdf":
            return None
        e = self._exprs
        alpha, beta, gamma, delta = (e[k] for k in ("alpha", "beta", "gamma", "delta"))
        scale = -beta / delta  # the protocol's pie, war and bounds are in the responder's units
        ends = (gamma + delta * e["low"], gamma + delta * e["high"])
        args = {
            "pie": (beta * gamma - alpha * delta) / beta,
            "lo": sympy.Min(*ends),
            "hi": sympy.Max(*ends),
        }
        if self.law == "uniform":
            war, slope = e["war"] / scale, e["war_slope"] / scale
            out = uniform_closed_form(a=e["a"], b=e["b"], w=war, k=slope, **args)
        else:
            types, probabilities = self.reservation["types"], self.reservation["probabilities"]
            if len(types) > MAX_CLOSED_TYPES:
                return None
            wars = [self.war.xreplace({V: v}) / scale for v in types]
            out = types_closed_form(types, probabilities, wars, **args)
        with sympy.evaluate(False):
            regime = out["regime"]
            if delta.is_number and delta < 0:
                regime = _swap_bounds(regime)
            elif not delta.is_number:
                regime = _piecewise((_swap_bounds(regime), sympy.Lt(delta, 0)), (regime, True))
            proposer, responder = (ident(p) for p in self.players)
            closed = {
                "offer": (out["offer"] - gamma) / delta,
                "p_war": out["p_war"],
                f"u_{proposer}": out["proposer"] * scale,
                f"u_{responder}": out["responder"],
                "regime": regime,
            }
        if "stationary" in out:  # a plain expression: evaluated, so it reads as a formula
            closed["stationary"] = (out["stationary"] - gamma) / delta
        return closed

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


def _affine(expr: sympy.Basic, variable: sympy.Symbol) -> bool:
    """Whether ``expr`` is written as a polynomial of degree at most 1 in ``variable``
    (a ``where`` of it is not, even with a zero derivative)."""
    return bool(expr.is_polynomial(variable)) and sympy.diff(expr, variable, 2) == 0


def _piecewise(*pairs: tuple[sympy.Basic, Any]) -> sympy.Piecewise:
    """A Piecewise as written: sympy's constructor rewrites conditions on Piecewise terms."""
    return sympy.Basic.__new__(
        sympy.Piecewise,
        *(sympy.Tuple.__new__(ExprCondPair, e, sympy.sympify(c)) for e, c in pairs),
    )


def _swap_bounds(regime: sympy.Expr) -> sympy.Expr:
    """Regime codes with the lowest and highest offer exchanged (an offer x that falls
    as the responder's payoff rises)."""
    return _piecewise(
        (sympy.Integer(HIGHEST), sympy.Eq(regime, LOWEST)),
        (sympy.Integer(LOWEST), sympy.Eq(regime, HIGHEST)),
        (regime, True),
    )


def _rows_of(point: np.ndarray, n: int) -> Callable[[Any], Any]:
    """Per-point values at the rows ``point`` (no copy when the rows are the points)."""
    identity = len(point) == n
    return lambda value: value if np.ndim(value) == 0 or identity else np.asarray(value)[point]


def _concatenate(parts: list[Rows]) -> Rows:
    """The rows of consecutive chunks of points as one."""
    if len(parts) == 1:
        return parts[0]
    offsets = np.cumsum([0, *(len(p.ties) for p in parts[:-1])])
    return Rows(
        np.concatenate([p.point + o for p, o in zip(parts, offsets)]),
        *(np.concatenate([getattr(p, f) for p in parts]) for f in Rows._fields[1:-1]),
        parts[0].method,
    )


def _first(bad: np.ndarray) -> int | None:
    """The index of the first True, or None."""
    return int(np.argmax(bad)) if bad.any() else None


class _Points:
    """The game's numbers at a batch (or a chunk) of points, with located checks.

    ``values`` maps each expression of a point (pie, offer bounds, the law's
    parameters, the war payoff's parts, the affine coefficients) to an (N,)
    array or a float. Offers, reservation values and the objective are
    evaluated column by column: ``cols`` (None: every point) gives the point of
    each column.
    """

    def __init__(
        self,
        game: ScreeningGame,
        bound: dict[str, np.ndarray],
        n: int,
        offset: int = 0,
        values: dict[Hashable, Any] | None = None,
        everything: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.game, self.bound, self.n, self.offset = game, bound, n, offset
        self.everything = bound if everything is None else everything
        self.values = self._evaluate() if values is None else values

    def _evaluate(self) -> dict[Hashable, Any]:
        game = self.game
        values: dict[Hashable, Any] = dict(game.constants)
        if game.point_fn is not None:
            count = len(game.variable_keys)
            rows = game.point_fn(*(self.bound[k] for k in game.inputs))
            rows = np.broadcast_to(rows.reshape(count, -1), (count, self.n))
            values |= dict(zip(game.variable_keys, rows))
        if game.law == "types":  # the proposer's war payoff against each type
            params = [self.bound[k] for k in game.war_inputs]
            for j in range(len(game.reservation["types"])):
                values["w", j] = game.war_fn(values["v", j], *params)
        return values

    def part(self, where: slice) -> _Points:
        """The same numbers at a slice of the points."""
        values = {k: v[where] if np.ndim(v) else v for k, v in self.values.items()}
        bound = {k: v[where] for k, v in self.bound.items()}
        size = len(range(*where.indices(self.n)))
        return _Points(self.game, bound, size, self.offset + where.start, values, self.everything)

    def full(self, value: Hashable | np.ndarray | float) -> np.ndarray:
        """A value (by its key, or an array or number) at every point, (N,)."""
        if not isinstance(value, np.ndarray | float | int):
            value = self.values[value]
        return np.broadcast_to(np.asarray(value, dtype=float), (self.n,))

    def at(self, name: Hashable, cols: np.ndarray | None) -> Any:
        value = self.values[name]
        return value if np.ndim(value) == 0 or cols is None else value[cols]

    def _params(self, names: tuple[str, ...], cols: np.ndarray | None) -> list[np.ndarray]:
        return [self.bound[k] if cols is None else self.bound[k][cols] for k in names]

    def types(self, name: str) -> np.ndarray:
        """(n_types, N): the types' reservation values ``"v"``, probabilities ``"q"`` or
        the proposer's war payoffs ``"w"``."""
        return np.stack([self.full((name, j)) for j in range(len(self.game.reservation["types"]))])

    # -- checks -------------------------------------------------------------------------------

    def fail(self, i: int, message: str, path: str | None = None) -> None:
        """Raise a ModelError about local point ``i``, naming the file, the key and the point."""
        game = self.game
        where = f"{game.source}: " if game.source else ""
        path = path or f"game.reservation.{game.law}"
        at = point_text(self.everything, self.offset + i)
        raise ModelError(f"{where}{path}: at point {self.offset + i} ({at}) {message}")

    def check(self) -> None:
        """Refuse points where the game is not defined (each message names its key)."""
        game = self.game
        for name, value in self.values.items():
            i = _first(~np.isfinite(self.full(value)))
            if i is not None:
                got = self.full(value)[i]
                self.fail(i, f"the formula is not a finite number: got {got}", game.paths[name])
        pie, low, high = self.full("pie"), self.full("low"), self.full("high")
        i = _first(pie <= 0)
        if i is not None:
            self.fail(i, f"expected a pie > 0, got {pie[i]:g}", "game.pie")
        i = _first(low > high)
        if i is not None:
            empty = f"the offer range is empty: low {low[i]:g} > high {high[i]:g}"
            self.fail(i, empty, "game.offer")
        if game.affine:
            beta, delta = self.full("beta"), self.full("delta")
            i = _first(beta * delta >= 0)
            if i is not None:
                self.fail(
                    i,
                    "the deal payoffs do not conflict: per unit of x the proposer's changes by "
                    f"{beta[i]:g} and the responder's by {delta[i]:g}; the proposer must lose "
                    "what the responder gains",
                    "game.deal",
                )
        if game.law == "types":
            self._check_probabilities()
            return
        a, b = self.full("a"), self.full("b")
        path = "game.reservation." + ("uniform" if game.law == "uniform" else "support")
        i = _first(a > b if game.law == "uniform" else a >= b)
        if i is not None:
            what = "inverted" if a[i] > b[i] else "a single point (use types for one type)"
            self.fail(i, f"the support is {what}: low {a[i]:g}, high {b[i]:g}", path)
        if game.law == "cdf":
            self._check_cdf()

    def _check_probabilities(self) -> None:
        q = self.types("q")
        i = _first((q < -PROB_SUM_ATOL).any(axis=0))
        if i is not None:
            j = int(np.argmin(q[:, i]))
            path = f"game.reservation.probabilities[{j}]"
            self.fail(i, f"a probability is negative: {q[j, i]:g}", path)
        total = q.sum(axis=0)
        i = _first(np.abs(total - 1) > PROB_SUM_ATOL)
        if i is not None:
            path = "game.reservation.probabilities"
            self.fail(i, f"the probabilities sum to {total[i]:.12g}, expected 1", path)

    def _check_cdf(self) -> None:
        """The CDF on a grid of its support: in [0, 1], nondecreasing, 1 at the top."""
        a, b = self.full("a"), self.full("b")
        v = a + (b - a) * np.linspace(0, 1, PROBE * 16)[:, None]
        v[-1] = b
        cdf = self.cdf(v, None)
        path, tol = "game.reservation.cdf", PROB_SUM_ATOL
        outside = (cdf < -tol) | (cdf > 1 + tol) | np.isnan(cdf)
        i = _first(outside.any(axis=0))
        if i is not None:
            k = int(np.argmax(outside[:, i]))
            got = f"the CDF is {cdf[k, i]:g} at v = {v[k, i]:g}: expected a value in [0, 1]"
            self.fail(i, got, path)
        falls = np.diff(cdf, axis=0) < -tol
        i = _first(falls.any(axis=0))
        if i is not None:
            k = int(np.argmax(falls[:, i]))
            self.fail(
                i,
                f"the CDF decreases from {cdf[k, i]:g} at v = {v[k, i]:g} to {cdf[k + 1, i]:g} "
                f"at v = {v[k + 1, i]:g}: a CDF must be nondecreasing",
                path,
            )
        i = _first(np.abs(cdf[-1] - 1) > tol)
        if i is not None:
            top = f"the CDF is {cdf[-1, i]:g} at the top of the support v = {b[i]:g}: expected 1"
            self.fail(i, top, path)

    # -- payoffs ------------------------------------------------------------------------------

    def deal(self, x: np.ndarray, cols: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
        """The proposer's and the responder's deal payoffs at offers ``x``."""
        game = self.game
        out = game.deal_fn(x, *self._params(game.deal_inputs, cols))
        return out[0], out[1]

    def cdf(self, v: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
        """The CDF formula at reservation values ``v`` (within the support)."""
        game = self.game
        raw = game.cdf_fn(v, *self._params(game.cdf_inputs, cols))
        return np.broadcast_to(raw, np.broadcast_shapes(np.shape(raw), np.shape(v)))

    def accept(self, r: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
        """``P(v <= r)``: the probability that a deal worth ``r`` to the responder is accepted."""
        law = self.game.law
        if law == "types":
            return sum(
                np.where(self.at(("v", j), cols) <= r, self.at(("q", j), cols), 0.0)
                for j in range(len(self.game.reservation["types"]))
            )
        a, b = self.at("a", cols), self.at("b", cols)
        if law == "uniform":
            width = np.where(b > a, b - a, 1.0)
            return np.where(r >= b, 1.0, np.clip((r - a) / width, 0.0, 1.0))
        inside = np.clip(self.cdf(np.clip(r, a, b), cols), 0.0, 1.0)
        return np.where(r < a, 0.0, np.where(r >= b, 1.0, inside))

    def rejected(self, r: np.ndarray, accept: np.ndarray, cols: np.ndarray | None) -> tuple:
        """``E[w(v) 1{v > r}]`` and, but for a CDF (None), ``E[v 1{v > r}]``."""
        law = self.game.law
        if law == "types":
            war = own = 0.0
            for j in range(len(self.game.reservation["types"])):
                v = self.at(("v", j), cols)
                no = np.where(v > r, self.at(("q", j), cols), 0.0)
                war, own = war + no * self.at(("w", j), cols), own + no * v
            return war, own
        reject = 1.0 - accept
        if law == "cdf":
            return reject * self.at("war", cols), None
        mean = (np.maximum(r, self.at("a", cols)) + self.at("b", cols)) / 2
        return reject * (self.at("war", cols) + self.at("war_slope", cols) * mean), reject * mean

    def objective(self, x: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
        """The proposer's expected payoff from offers ``x``; non-finite values are refused."""
        proposer, r = self.deal(x, cols)
        accept = self.accept(r, cols)
        u = accept * proposer + self.rejected(r, accept, cols)[0]
        bad = ~np.isfinite(u)
        if bad.any():
            k, j = np.unravel_index(np.argmax(bad), bad.shape)
            i = j if cols is None else int(cols[j])
            self.fail(
                i, f"the proposer's payoff is not finite at the offer x = {x[k, j]:g}", "game.deal"
            )
        return u

    @cached_property
    def _extremes(self) -> tuple[np.ndarray, np.ndarray]:
        """Lowest and highest payoff (2, N) of each player, over deals and war."""
        low, high = self.full("low"), self.full("high")
        x = low + (high - low) * np.linspace(0, 1, PROBE)[:, None]
        proposer, responder = (np.broadcast_to(d, x.shape) for d in self.deal(x, None))
        if self.game.law == "types":
            war, own = self.types("w"), self.types("v")
        else:
            own = np.stack([self.full("a"), self.full("b")])
            war = self.full("war") + self.full("war_slope") * own
        mins = [np.minimum(proposer.min(0), war.min(0)), np.minimum(responder.min(0), own.min(0))]
        maxs = [np.maximum(proposer.max(0), war.max(0)), np.maximum(responder.max(0), own.max(0))]
        return np.stack(mins), np.stack(maxs)

    def ranges(self) -> np.ndarray:
        """(N, 2): each player's payoff range (the scale of tolerances)."""
        low, high = self._extremes
        return (high - low).T

    def tolerance(self, player: int = 0) -> np.ndarray:
        """Each point's tolerance on a player's payoffs: PAYOFF_RTOL of its range."""
        low, high = (e[player] for e in self._extremes)
        return PAYOFF_RTOL * (high - low) + ROUNDING * np.maximum(np.abs(low), np.abs(high))

    # -- the numeric path ---------------------------------------------------------------------

    def orientation(self, grid: int) -> np.ndarray:
        """Whether the responder's deal payoff rises with x (N,): checked strictly
        monotone, and the proposer's opposite, on ``grid`` offers."""
        game = self.game
        if game.affine:
            return self.full("delta") > 0
        low, high = self.full("low"), self.full("high")
        x = low + (high - low) * np.linspace(0, 1, grid)[:, None]
        proposer, responder = (np.broadcast_to(d, x.shape) for d in self.deal(x, None))
        dp, dr = np.diff(proposer, axis=0), np.diff(responder, axis=0)
        rising = responder[-1] > responder[0]
        point = low == high
        i = _first(~(np.where(rising, dr > 0, dr < 0).all(axis=0) | point))
        if i is not None:
            self.fail(
                i,
                "the responder's deal payoff is not strictly monotone in x on the offer range "
                f"(checked at {grid} offers)",
                key("game.deal", game.responder),
            )
        i = _first(~(np.where(rising, dp <= 0, dp >= 0).all(axis=0) | point))
        if i is not None:
            self.fail(
                i,
                f"the proposer's deal payoff must fall as the responder's rises (checked at "
                f"{grid} offers)",
                key("game.deal", game.proposer),
            )
        return rising

    def thresholds(self, rising: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Finite types: the offers that make each type indifferent (bisection on the
        responder's deal payoff) and the range's ends, with the proposer's expected
        payoff at each, (C, N); offers no type can be made indifferent by are -inf."""
        low, high = self.full("low"), self.full("high")
        stingy, generous = np.where(rising, low, high), np.where(rising, high, low)
        offers, found = [], []
        for v in self.types("v"):

            def accepted(x: np.ndarray, cols: np.ndarray | None, v: np.ndarray = v) -> np.ndarray:
                return self.deal(x, cols)[1] >= v

            x, ok = first_true(accepted, stingy, generous)
            offers.append(x)
            found.append(ok)
        candidates = np.stack([*offers, low, high])
        values = self.objective(candidates, None)
        valid = np.concatenate([np.stack(found), np.ones((2, self.n), dtype=bool)])
        return candidates, np.where(valid, values, -np.inf)

    def rows(self, point, x, value, rising, method: str) -> Rows:
        """The optimal offers' outcomes: regimes, both payoffs, and one row for war.

        Rows where every type rejects make one row per point; its offer is NaN
        (and the point tied) where the offers all types reject form an interval.
        """
        r = self.deal(x[None], point)[1][0]
        accept = self.accept(r, point)
        own = self.rejected(r, accept, point)[1]
        own = self._responder_cdf(r, point) if own is None else accept * r + own
        war = accept <= PROB_TOL
        low, high = self.full("low")[point], self.full("high")[point]
        stingy = np.where(rising[point], low, high)
        below = self.deal(stingy[None], point)[1][0] < self._floor()[point]
        interval = war & (low < high) & (below | (x != stingy))
        interval = (np.bincount(point, weights=interval, minlength=self.n) > 0)[point] & war
        keep = ~war | _first_per_point(point, war)
        point, x, value, accept, own, war, interval, low, high = (
            a[keep] for a in (point, x, value, accept, own, war, interval, low, high)
        )
        ties = (np.bincount(point, minlength=self.n) > 1) | (
            np.bincount(point, weights=interval, minlength=self.n) > 0
        )
        p_war = 1.0 - accept
        regime = np.where(p_war <= PROB_TOL, NO_WAR, INTERIOR).astype(np.int8)
        regime[x == high] = HIGHEST
        regime[x == low] = LOWEST
        regime[war] = CERTAIN_WAR
        offer = np.where(interval, np.nan, x)
        return Rows(point, offer, p_war, np.stack([value, own], axis=1), regime, ties, method)

    def _floor(self) -> np.ndarray:
        """The lowest reservation value with positive probability (N,)."""
        if self.game.law != "types":
            return self.full("a")
        return np.where(self.types("q") > 0, self.types("v"), np.inf).min(axis=0)

    def _responder_cdf(self, r: np.ndarray, point: np.ndarray) -> np.ndarray:
        """``E[max(r, v)] = b - int_{max(r, a)}^b F(v) dv`` (``r`` where ``r >= b``)."""
        a, b = self.full("a")[point], self.full("b")[point]
        atol = self.tolerance(1)[point]
        area, error = integrate(lambda v, rows: self.cdf(v, point[rows]), np.clip(r, a, b), b, atol)
        unsure = error > atol
        if unsure.any():
            warn(
                f"the responder's expected payoff at {int(unsure.sum())} optimal offers is "
                f"uncertain by up to {error[unsure].max():.2g} (the quadrature of the CDF did "
                "not converge)",
                BargainWarning,
            )
        return np.where(r >= b, r, b - area)


def _first_per_point(point: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """True at the first flagged row of each point (rows in point order)."""
    rows = np.flatnonzero(flag)
    out = np.zeros(len(point), dtype=bool)
    if len(rows):
        first = np.r_[True, point[rows][1:] != point[rows][:-1]]
        out[rows[first]] = True
    return out
