"""Numerical continuation of a homotopy H(y, t) = 0 from t = 0, batched over points.

A :class:`Homotopy` gives, for n points at once, the residual H (n, M) of its
M unknowns y, the Jacobian dH/dy (n, M, M), the derivative dH/dt (n, M) and a
convergence score (n,), at most 1 where the point counts as solved (the system
says in what norm: the logit QRE measures it in probability space). Any
system of that shape can be traced; :mod:`bargain.solvers.qre` is one.

:func:`trace` follows every point's path from its start at t = 0 over one
shared grid of t values (every step lands on the requested stops): an Euler
predictor along the tangent dy/dt = -J^{-1} dH/dt, then a Newton corrector
per point (Allgower and Georg 1990, *Introduction to Numerical Continuation
Methods*, ch. 2). A point whose corrector fails has its step halved, for
itself only, up to :data:`MAX_SPLITS` times; a point whose path turns back
in t (the sign of det dH/dy changes: a fold, where dt/ds changes sign) or
whose corrector still fails falls back to pseudo-arclength continuation of
its own (Keller 1977; Allgower and Georg, section 2.3), which follows the
path through folds in the arclength s and records the first crossing of
each stop. The result says which points fell back.

Every call takes a :class:`Budget` (steps and, optionally, seconds): when it
runs out the points not yet at their stops are left unreached (NaN) and the
result's ``exhausted`` says which budget ran out, so a path never hangs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import NamedTuple, Protocol

import numpy as np

from bargain.errors import ModelError

#: Newton iterations of one corrector step.
MAX_NEWTON = 8
#: The first arclength step of a fallback path, and the first grid step's largest
#: predicted change of any unknown.
MAX_PREDICT = 1.0
#: Largest first Newton correction accepted, and the one the step size aims at.
MAX_CORRECT = 0.5
TARGET_CORRECT = 0.2
#: Successive tangents (t in ``t_scale`` units) must make an angle with at least this
#: cosine: a sharper turn splits the step (it may have jumped to another part of the path).
MIN_COS = 0.8
#: A point's step is halved at most this many times before it falls back to arclength.
MAX_SPLITS = 5
#: An arclength step grows at most by this factor from one step to the next.
MAX_GROWTH = 1.5
#: Arclength steps shorter than this end a fallback path as failed.
MIN_ARC_STEP = 1e-9
#: An arclength step this short that changes the orientation of the path crossed a
#: bifurcation point (a longer one is taken again shorter: it may have jumped paths).
FLIP_STEP = 1e-6
#: Default budget: shared grid steps plus fallback steps of one trace.
MAX_STEPS = 20_000


class Homotopy(Protocol):
    """A batched system H(y, t) = 0 to follow from t = 0 (see the module docstring)."""

    def evaluate(
        self, y: np.ndarray, t: np.ndarray, which: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """H (n, M), dH/dy (n, M, M), dH/dt (n, M) and the score (n,) (<= 1: solved) at
        unknowns ``y`` (n, M) and ``t`` (n,) of the points ``which`` (n,)."""
        ...

    def t_scale(self, which: np.ndarray) -> np.ndarray:
        """(n,) a change of t that moves the unknowns by about 1 at the points ``which``:
        arclength continuation measures t in these units."""
        ...


@dataclass(frozen=True)
class Budget:
    """What one trace may spend: ``max_steps`` predictor-corrector steps (shared grid
    steps, split steps and fallback steps together) and ``seconds`` of wall time
    (None: no limit)."""

    max_steps: int = MAX_STEPS
    seconds: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.max_steps, bool) or not isinstance(self.max_steps, int):
            raise ModelError(f"max_steps: expected a positive integer, got {self.max_steps!r}")
        if self.max_steps < 1:
            raise ModelError(f"max_steps: expected a positive integer, got {self.max_steps}")
        if self.seconds is not None and not (
            isinstance(self.seconds, int | float) and self.seconds > 0
        ):
            raise ModelError(f"seconds: expected a positive number or None, got {self.seconds!r}")


class _Clock:
    """Counts the steps of a trace against its budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.steps = 0
        self.deadline = None if budget.seconds is None else perf_counter() + budget.seconds
        self.exhausted: str | None = None

    def tick(self) -> bool:
        """Count a step; False (and ``exhausted`` set) once the budget is spent."""
        self.steps += 1
        if self.steps > self.budget.max_steps:
            self.exhausted = f"max_steps={self.budget.max_steps} steps"
        elif self.deadline is not None and perf_counter() > self.deadline:
            self.exhausted = f"seconds={self.budget.seconds:g} s"
        return self.exhausted is None


class Traced(NamedTuple):
    """A traced batch: ``y`` (n, K, M) the solution at each of the K stops (NaN where
    not reached), ``reached`` (n, K), ``fallback`` (n,) the points that left the shared
    grid for arclength continuation, ``retired`` (n,) the points an ``on_stop`` callback
    ended early, ``exhausted`` the budget that ran out (None: none did) and ``steps``."""

    y: np.ndarray
    reached: np.ndarray
    fallback: np.ndarray
    retired: np.ndarray
    exhausted: str | None
    steps: int


#: ``on_stop(k, y, which)``: the points ``which`` reached stop k with unknowns ``y``;
#: returns a mask of those whose trace is finished (they are not followed further).
OnStop = Callable[[int, np.ndarray, np.ndarray], np.ndarray]


def solve_stack(A: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x with A[i] x[i] = b[i] for a stack (A (n, m, m), b (n, m)); NaN where A[i] is singular."""
    if not len(A):
        return b.copy()
    try:
        with np.errstate(all="ignore"):
            return np.linalg.solve(A, b[..., None])[..., 0]
    except np.linalg.LinAlgError:
        out = np.full_like(b, np.nan)
        for i in range(len(A)):
            try:
                out[i] = np.linalg.solve(A[i], b[i])
            except np.linalg.LinAlgError:
                continue
        return out


def _sign(J: np.ndarray) -> np.ndarray:
    """The sign of det J per point (0 where singular or not finite)."""
    with np.errstate(all="ignore"):
        good = np.isfinite(J).all(axis=(1, 2))
        out = np.zeros(len(J))
        if good.any():
            out[good] = np.linalg.slogdet(J[good])[0]
    return out


class _Step(NamedTuple):
    """The outcome of advancing points from t0 to t1: new unknowns, tangents dy/dt,
    det signs, success, and the first Newton correction of a one-piece step (NaN if split)."""

    y: np.ndarray
    ydot: np.ndarray
    sign: np.ndarray
    ok: np.ndarray
    first: np.ndarray


def _newton(
    system: Homotopy, y: np.ndarray, t: np.ndarray, which: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Newton's method at fixed t per point: (y, J, dH/dt, converged, first correction)."""
    n, m = y.shape
    y = y.copy()
    J = np.full((n, m, m), np.nan)
    Ht = np.full((n, m), np.nan)
    done = np.zeros(n, dtype=bool)
    first = np.full(n, np.inf)
    last = np.full(n, np.inf)
    live = np.arange(n)
    for it in range(MAX_NEWTON + 1):
        H, Jl, Htl, score = system.evaluate(y[live], t[live], which[live])
        J[live], Ht[live] = Jl, Htl
        solved = score <= 1.0
        done[live[solved]] = True
        if it == MAX_NEWTON:
            break
        live, H, Jl = live[~solved], H[~solved], Jl[~solved]
        if not len(live):
            break
        step = solve_stack(Jl, -H)
        size = np.abs(step).max(axis=1)
        if it == 0:
            first[live] = size
        # a growing or too large correction, or a singular system: this point fails here
        keep = np.isfinite(size) & (size <= MAX_CORRECT if it == 0 else size <= 0.5 * last[live])
        keep |= size < 1e-12  # converged to rounding but the score is at its floor
        y[live[keep]] += step[keep]
        last[live] = size
        live = live[keep]
        if not len(live):
            break
    return y, J, Ht, done, np.where(np.isfinite(first), first, 0.0)


def _cos(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The cosine of the angle between the tangents (a, 1) and (b, 1), per row."""
    dot = (a * b).sum(axis=1) + 1.0
    return dot / np.sqrt(((a * a).sum(axis=1) + 1.0) * ((b * b).sum(axis=1) + 1.0))


def _tangent(J: np.ndarray, Ht: np.ndarray) -> np.ndarray:
    """dy/dt = -J^{-1} dH/dt per point."""
    return solve_stack(J, -Ht)


def _step(
    system: Homotopy,
    y: np.ndarray,
    ydot: np.ndarray,
    sign: np.ndarray,
    t0: float,
    t1: float,
    which: np.ndarray,
    depth: int,
    clock: _Clock,
) -> _Step:
    """Advance points from t0 to t1 (Euler predictor, Newton corrector); a point that
    fails, or whose det sign changes (a fold), has the interval split for itself."""
    n = len(y)
    h = t1 - t0
    predicted = y + h * ydot
    small = np.isfinite(predicted).all(axis=1)
    out_y = np.full_like(y, np.nan)
    out_dot = np.full_like(y, np.nan)
    out_sign = np.zeros(n)
    ok = np.zeros(n, dtype=bool)
    first = np.full(n, np.nan)
    tried = np.flatnonzero(small)
    if len(tried):
        y1, J, Ht, done, f1 = _newton(
            system, predicted[tried], np.full(len(tried), t1), which[tried]
        )
        s1 = _sign(np.where(done[:, None, None], J, 0.0))
        good = done & (s1 == sign[tried])
        g = tried[good]
        out_y[g], out_sign[g], ok[g], first[g] = y1[good], s1[good], True, f1[good]
        out_dot[g] = _tangent(J[good], Ht[good])
        scale = system.t_scale(which[g])[:, None]
        ok[g] &= np.isfinite(out_dot[g]).all(axis=1) & (
            _cos(ydot[g] * scale, out_dot[g] * scale) >= MIN_COS
        )
    bad = np.flatnonzero(~ok)
    if not len(bad) or depth == 0 or not clock.tick():
        return _Step(out_y, out_dot, out_sign, ok, first)
    mid = 0.5 * (t0 + t1)
    half = _step(system, y[bad], ydot[bad], sign[bad], t0, mid, which[bad], depth - 1, clock)
    on = np.flatnonzero(half.ok)
    if len(on) and clock.exhausted is None:
        rest = _step(
            system,
            half.y[on],
            half.ydot[on],
            half.sign[on],
            mid,
            t1,
            which[bad][on],
            depth - 1,
            clock,
        )
        done = bad[on[rest.ok]]
        out_y[done], out_dot[done] = rest.y[rest.ok], rest.ydot[rest.ok]
        out_sign[done], ok[done] = rest.sign[rest.ok], True
    return _Step(out_y, out_dot, out_sign, ok, first)


def trace(
    system: Homotopy,
    y0: np.ndarray,
    stops: np.ndarray,
    budget: Budget | None = None,
    on_stop: OnStop | None = None,
) -> Traced:
    """Follow every point's path from (y0, t = 0) to each of the sorted ``stops`` (K,).

    One grid of t for all points, with a corrector per point; points whose path
    turns or whose corrector fails continue by pseudo-arclength (see the module
    docstring). ``y0`` (n, M) must solve H(y, 0) = 0.
    """
    budget = budget or Budget()
    stops = np.asarray(stops, dtype=float)
    if stops.ndim != 1 or (stops < 0).any() or (np.diff(stops) < 0).any():
        raise ModelError(f"stops: expected increasing values >= 0, got {stops.tolist()}")
    n, m = y0.shape
    K = len(stops)
    out = np.full((n, K, m), np.nan)
    reached = np.zeros((n, K), dtype=bool)
    fallback = np.zeros(n, dtype=bool)
    retired = np.zeros(n, dtype=bool)
    clock = _Clock(budget)
    everyone = np.arange(n)
    _, J, Ht, score = system.evaluate(y0, np.zeros(n), everyone)
    if (score > 1).any():
        raise ModelError("trace: the start y0 does not solve the system at t = 0")
    y, ydot, sign = y0.copy(), _tangent(J, Ht), _sign(J)
    t, k = 0.0, 0
    active = everyone.copy()
    # points leaving the grid: (point, y, ydot, t, next stop)
    left: list[tuple[np.ndarray, np.ndarray, np.ndarray, float, int]] = []

    def record(k: int, points: np.ndarray, values: np.ndarray) -> np.ndarray:
        out[points, k], reached[points, k] = values, True
        if on_stop is None or not len(points):
            return np.zeros(len(points), dtype=bool)
        finished = np.asarray(on_stop(k, values, points), dtype=bool)
        retired[points[finished]] = True
        return finished

    while k < K and stops[k] == 0.0:
        finished = record(k, active, y[active])
        active, y, ydot, sign = (a[~finished] for a in (active, y, ydot, sign))
        k += 1
    scale = np.abs(ydot).max(axis=1).max(initial=0.0) if len(ydot) else 0.0
    h = MAX_PREDICT / scale if scale > 0 else (stops[-1] if K else 1.0)
    while k < K and len(active) and clock.tick():
        clipped = t + h >= stops[k]
        t1 = stops[k] if clipped or h < 1e-12 * max(1.0, t) else t + h
        step = _step(system, y, ydot, sign, t, t1, active, MAX_SPLITS, clock)
        if clock.exhausted is not None:
            break
        lost = ~step.ok
        if lost.any():
            left.append((active[lost], y[lost], ydot[lost], t, k))
            fallback[active[lost]] = True
        keep = step.ok
        active, y, ydot, sign = active[keep], step.y[keep], step.ydot[keep], step.sign[keep]
        firsts = step.first[keep]
        split = np.isnan(firsts).mean() if len(firsts) else 0.0
        worst = np.nanmax(firsts) if np.isfinite(firsts).any() else TARGET_CORRECT
        factor = np.sqrt(TARGET_CORRECT / max(worst, 1e-6))
        taken = max(h, t1 - t) if clipped else t1 - t
        h = taken * float(np.clip(factor, 0.5, 2.0)) * (0.5 if split > 0.1 else 1.0)
        t = t1
        if t == stops[k]:
            finished = record(k, active, y)
            active, y, ydot, sign = (a[~finished] for a in (active, y, ydot, sign))
            k += 1
            while k < K and stops[k] == t:
                finished = record(k, active, y)
                active, y, ydot, sign = (a[~finished] for a in (active, y, ydot, sign))
                k += 1
    if left and clock.exhausted is None:  # every point that left, in one batch
        points, ys, dots = (np.concatenate([part[i] for part in left]) for i in range(3))
        t0 = np.concatenate([np.full(len(part[0]), part[3]) for part in left])
        k0 = np.concatenate([np.full(len(part[0]), part[4]) for part in left])
        _arc(system, points, ys, dots, t0, stops, k0, clock, record)
    return Traced(out, reached, fallback, retired, clock.exhausted, clock.steps)


def _arc(
    system: Homotopy,
    points: np.ndarray,
    y: np.ndarray,
    ydot: np.ndarray,
    t0: np.ndarray,
    stops: np.ndarray,
    k0: np.ndarray,
    clock: _Clock,
    record: Callable[[int, np.ndarray, np.ndarray], np.ndarray],
) -> None:
    """Pseudo-arclength continuation of ``points`` from (y, t0), each with its own step
    size, recording the first crossing of each stop from its ``k0`` on (Keller 1977).

    A step that would cross the next stop is shortened to land on it: its corrector
    then holds t at the stop. Arclength is measured in (y, t / scale), ``scale`` from
    the system's ``t_scale`` (t per unit of change), so the step size does not depend
    on the units of t.
    """
    n, m = y.shape
    scale = system.t_scale(points)
    x = np.concatenate([y, (t0 / scale)[:, None]], axis=1)
    tau = np.concatenate([ydot * scale[:, None], np.ones((n, 1))], axis=1)
    tau /= np.linalg.norm(tau, axis=1, keepdims=True)
    bad = ~np.isfinite(tau).all(axis=1)
    tau[bad] = np.eye(m + 1)[m]  # a singular start: try straight up in t
    sigma = np.full(n, MAX_PREDICT)
    k = k0.astype(int)
    live = np.arange(n)
    K = len(stops)
    # the sign of det [dH/dy, dH/dt; tangent] is constant along a path followed one way
    # (Allgower and Georg 1990, section 2.1): a step that flips it jumped to another
    # path, or turned back on its own, and is taken again shorter; one that still flips
    # it at FLIP_STEP crossed a bifurcation point (where it changes sign) and goes on
    orient = np.zeros(n)
    while len(live) and clock.tick():
        target = stops[np.minimum(k[live], K - 1)] / scale[live]
        land = (tau[live, m] > 0) & (x[live, m] + sigma[live] * tau[live, m] >= target)
        step = np.where(
            land, (target - x[live, m]) / np.where(land, tau[live, m], 1.0), sigma[live]
        )
        xp = x[live] + step[:, None] * tau[live]
        xp[land, m] = target[land]
        xc, tnew, ok, first, sign = _arc_correct(
            system, xp, tau[live], points[live], scale[live], land
        )
        grow = np.clip(np.sqrt(TARGET_CORRECT / np.maximum(first, 1e-6)), 0.5, MAX_GROWTH)
        ok &= (tnew * tau[live]).sum(axis=1) >= MIN_COS
        ok &= (orient[live] == 0) | (sign == orient[live]) | (step <= FLIP_STEP)
        accepted = live[ok]
        orient[accepted] = sign[ok]
        x[accepted], tau[accepted] = xc[ok], tnew[ok]
        sigma[accepted] = np.maximum(sigma[accepted], step[ok]) * grow[ok]
        sigma[live[~ok]] = step[~ok] * 0.5
        for j in np.flatnonzero(ok & land):
            i = live[j]
            if record(int(k[i]), points[i : i + 1], xc[j : j + 1, :m])[0]:
                k[i] = K  # retired
                continue
            k[i] += 1
            while k[i] < K and stops[k[i]] == stops[k[i] - 1]:
                record(int(k[i]), points[i : i + 1], xc[j : j + 1, :m])
                k[i] += 1
        live = live[(k[live] < K) & (sigma[live] >= MIN_ARC_STEP)]


def _arc_correct(
    system: Homotopy,
    xp: np.ndarray,
    tau: np.ndarray,
    which: np.ndarray,
    scale: np.ndarray,
    land: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Newton on [H(y, t); tau . (x - xp)] = 0 from the predicted xp (x = (y, t / scale)),
    or on [H(y, t); t - t_p] = 0 where ``land``: the corrected points, their tangents
    (oriented along tau), success, the first correction and the sign of
    det [dH/dy, dH/dt; tangent] (0 where not solved)."""
    n, m1 = xp.shape
    m = m1 - 1
    x = xp.copy()
    ok = np.zeros(n, dtype=bool)
    first = np.full(n, np.inf)
    last = np.full(n, np.inf)
    tangent = np.full_like(xp, np.nan)
    sign = np.zeros(n)
    live = np.arange(n)
    A = np.zeros((n, m1, m1))
    for it in range(MAX_NEWTON + 1):
        t = x[live, m] * scale[live]
        H, J, Ht, score = system.evaluate(x[live, :m], t, which[live])
        A[live, :m, :m], A[live, :m, m], A[live, m] = J, Ht * scale[live, None], tau[live]
        solved = score <= 1.0
        if solved.any():
            done = live[solved]
            e = np.zeros((len(done), m1))
            e[:, m] = 1.0
            v = solve_stack(A[done], e)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            tangent[done] = v
            ok[done] = np.isfinite(v).all(axis=1)
            augmented = A[done].copy()
            augmented[:, m] = np.where(np.isfinite(v), v, 0.0)
            sign[done] = _sign(augmented)
        if it == MAX_NEWTON:
            break
        live, H = live[~solved], H[~solved]
        if not len(live):
            break
        # the last row: stay on the plane through xp normal to tau, or at t_p where landing
        B = A[live].copy()
        B[land[live], m] = np.eye(m + 1)[m]
        along = ((x[live] - xp[live]) * tau[live]).sum(axis=1)
        last_row = np.where(land[live], x[live, m] - xp[live, m], along)
        step = solve_stack(B, np.concatenate([-H, -last_row[:, None]], axis=1))
        size = np.abs(step).max(axis=1)
        if it == 0:
            first[live] = size
        keep = np.isfinite(size) & (size <= MAX_CORRECT if it == 0 else size <= 0.5 * last[live])
        keep |= size < 1e-12
        x[live[keep]] += step[keep]
        last[live] = size
        live = live[keep]
        if not len(live):
            break
    return x, tangent, ok, np.where(np.isfinite(first), first, 0.0), sign
