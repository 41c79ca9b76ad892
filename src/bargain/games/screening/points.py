"""A screening game's numbers at a batch of points, with checks that name the key and the point.

:class:`ScreeningPoints` evaluates a :class:`~.compiled.CompiledScreening` at
N points and gives what both solution paths need: the law's probability of
acceptance, the payoffs of deals and war, the proposer's objective, payoff
ranges and tolerances, and, for the numeric path, the deal payoffs' orientation,
the finite types' thresholds and the optimal offers' rows.
"""

from __future__ import annotations

from collections.abc import Hashable
from functools import cached_property
from typing import Any

import numpy as np

from bargain.bargaining.screening import CERTAIN_WAR, HIGHEST, INTERIOR, LOWEST, NO_WAR
from bargain.checks import key
from bargain.errors import BargainWarning, ModelError, warn
from bargain.params import point_text
from bargain.solvers.screening import first_true, integrate
from bargain.tolerances import PAYOFF_RTOL, PROB_SUM_ATOL, PROB_TOL, ROUNDING

from .compiled import CompiledScreening
from .solution import Rows

#: Offers at which payoff ranges are taken (and CDFs checked, times 16).
PROBE = 17


class ScreeningPoints:
    """The game's numbers at a batch (or a chunk) of points, with located checks.

    ``bound`` maps each parameter to its (N,) values; a chunk (:meth:`part`)
    starts at point ``offset`` of the batch, and ``everything`` holds the
    whole batch's values for messages. ``values`` maps each expression of a
    point (pie, offer bounds, the law's parameters, the war payoff's parts, the
    affine coefficients: the keys of :class:`~.compiled.CompiledScreening`) to
    an (N,) array or a float. Offers, reservation values and the objective are
    evaluated column by column: ``cols`` (None: every point) gives the point of
    each column.
    """

    def __init__(
        self,
        compiled: CompiledScreening,
        bound: dict[str, np.ndarray],
        n: int,
        offset: int = 0,
        values: dict[Hashable, Any] | None = None,
        everything: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.compiled, self.bound, self.n, self.offset = compiled, bound, n, offset
        self.everything = bound if everything is None else everything
        self.values = self._evaluate() if values is None else values

    def _evaluate(self) -> dict[Hashable, Any]:
        compiled = self.compiled
        values: dict[Hashable, Any] = dict(compiled.constants)
        if compiled.point_fn is not None:
            count = len(compiled.variable_keys)
            rows = compiled.point_fn(*(self.bound[k] for k in compiled.inputs))
            rows = np.broadcast_to(rows.reshape(count, -1), (count, self.n))
            values |= dict(zip(compiled.variable_keys, rows))
        if compiled.law == "types":  # the proposer's war payoff against each type
            params = [self.bound[k] for k in compiled.war_inputs]
            for j in range(compiled.n_types):
                values["w", j] = compiled.war_fn(values["v", j], *params)
        return values

    def part(self, where: slice) -> ScreeningPoints:
        """The same numbers at a slice of the points."""
        values = {k: v[where] if np.ndim(v) else v for k, v in self.values.items()}
        bound = {k: v[where] for k, v in self.bound.items()}
        size = len(range(*where.indices(self.n)))
        return ScreeningPoints(
            self.compiled, bound, size, self.offset + where.start, values, self.everything
        )

    def full(self, value: Hashable | np.ndarray | float) -> np.ndarray:
        """A value (by its key, or an array or number) at every point, (N,)."""
        if not isinstance(value, np.ndarray | float | int):
            value = self.values[value]
        return np.broadcast_to(np.asarray(value, dtype=float), (self.n,))

    def at(self, name: Hashable, cols: np.ndarray | None) -> Any:
        """A value by its key at the points of the columns ``cols`` (a float stays one)."""
        value = self.values[name]
        return value if np.ndim(value) == 0 or cols is None else value[cols]

    def _params(self, names: tuple[str, ...], cols: np.ndarray | None) -> list[np.ndarray]:
        return [self.bound[k] if cols is None else self.bound[k][cols] for k in names]

    def types(self, name: str) -> np.ndarray:
        """(n_types, N): the types' reservation values ``"v"``, probabilities ``"q"`` or
        the proposer's war payoffs ``"w"``."""
        return np.stack([self.full((name, j)) for j in range(self.compiled.n_types)])

    # -- checks -------------------------------------------------------------------------------

    def fail(self, i: int, message: str, path: str | None = None) -> None:
        """Raise a ModelError about local point ``i``, naming the file, the key and the point."""
        compiled = self.compiled
        where = f"{compiled.source}: " if compiled.source else ""
        path = path or f"game.reservation.{compiled.law}"
        at = point_text(self.everything, self.offset + i)
        raise ModelError(f"{where}{path}: at point {self.offset + i} ({at}) {message}")

    def check(self) -> None:
        """Refuse points where the game is not defined (each message names its key)."""
        compiled = self.compiled
        for name, value in self.values.items():
            i = _first(~np.isfinite(self.full(value)))
            if i is not None:
                got = self.full(value)[i]
                self.fail(i, f"the formula is not a finite number: got {got}", compiled.paths[name])
        pie, low, high = self.full("pie"), self.full("low"), self.full("high")
        i = _first(pie <= 0)
        if i is not None:
            self.fail(i, f"expected a pie > 0, got {pie[i]:g}", "game.pie")
        i = _first(low > high)
        if i is not None:
            empty = f"the offer range is empty: low {low[i]:g} > high {high[i]:g}"
            self.fail(i, empty, "game.offer")
        if compiled.affine:
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
        if compiled.law == "types":
            self._check_probabilities()
            return
        a, b = self.full("a"), self.full("b")
        path = "game.reservation." + ("uniform" if compiled.law == "uniform" else "support")
        i = _first(a > b if compiled.law == "uniform" else a >= b)
        if i is not None:
            what = "inverted" if a[i] > b[i] else "a single point (use types for one type)"
            self.fail(i, f"the support is {what}: low {a[i]:g}, high {b[i]:g}", path)
        if compiled.law == "cdf":
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
        compiled = self.compiled
        out = compiled.deal_fn(x, *self._params(compiled.deal_inputs, cols))
        return out[0], out[1]

    def cdf(self, v: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
        """The CDF formula at reservation values ``v`` (within the support)."""
        compiled = self.compiled
        raw = compiled.cdf_fn(v, *self._params(compiled.cdf_inputs, cols))
        return np.broadcast_to(raw, np.broadcast_shapes(np.shape(raw), np.shape(v)))

    def accept(self, r: np.ndarray, cols: np.ndarray | None) -> np.ndarray:
        """``P(v <= r)``: the probability that a deal worth ``r`` to the responder is accepted."""
        law = self.compiled.law
        if law == "types":
            return sum(
                np.where(self.at(("v", j), cols) <= r, self.at(("q", j), cols), 0.0)
                for j in range(self.compiled.n_types)
            )
        a, b = self.at("a", cols), self.at("b", cols)
        if law == "uniform":
            width = np.where(b > a, b - a, 1.0)
            return np.where(r >= b, 1.0, np.clip((r - a) / width, 0.0, 1.0))
        inside = np.clip(self.cdf(np.clip(r, a, b), cols), 0.0, 1.0)
        return np.where(r < a, 0.0, np.where(r >= b, 1.0, inside))

    def rejected(self, r: np.ndarray, accept: np.ndarray, cols: np.ndarray | None) -> tuple:
        """``E[w(v) 1{v > r}]`` and, but for a CDF (None), ``E[v 1{v > r}]``."""
        law = self.compiled.law
        if law == "types":
            war = own = 0.0
            for j in range(self.compiled.n_types):
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
        if self.compiled.law == "types":
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
        compiled = self.compiled
        if compiled.affine:
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
                key("game.deal", compiled.responder),
            )
        i = _first(~(np.where(rising, dp <= 0, dp >= 0).all(axis=0) | point))
        if i is not None:
            self.fail(
                i,
                f"the proposer's deal payoff must fall as the responder's rises (checked at "
                f"{grid} offers)",
                key("game.deal", compiled.proposer),
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

    def rows(
        self,
        point: np.ndarray,
        x: np.ndarray,
        value: np.ndarray,
        rising: np.ndarray,
        method: str,
    ) -> Rows:
        """The optimal offers ``x`` at the rows ``point``, with the proposer's payoff
        ``value``, as :class:`~.solution.Rows`: regimes, both payoffs, and one row for war.

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
        if self.compiled.law != "types":
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


def _first(bad: np.ndarray) -> int | None:
    """The index of the first True, or None."""
    return int(np.argmax(bad)) if bad.any() else None


def _first_per_point(point: np.ndarray, flag: np.ndarray) -> np.ndarray:
    """True at the first flagged row of each point (rows in point order)."""
    rows = np.flatnonzero(flag)
    out = np.zeros(len(point), dtype=bool)
    if len(rows):
        first = np.r_[True, point[rows][1:] != point[rows][:-1]]
        out[rows[first]] = True
    return out
