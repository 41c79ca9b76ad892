"""Gambit's methods for games of any number of players, batched point by point.

Gambit (McKelvey, McLennan and Turocy, *Gambit: Software Tools for Game Theory*,
version 16; pygambit, the ``gambit`` extra) implements

- ``enumpoly``: every support profile, and on each the totally mixed equilibria
  of the polynomial system of indifferences (McKelvey and McLennan 1996);
- ``gnm``: the global Newton method, a path from the unique equilibrium of a
  perturbed game (Govindan and Wilson 2003);
- ``ipa``: iterated polymatrix approximation (Govindan and Wilson 2004);
- ``simpdiv``: simplicial subdivision (van der Laan, Talman and van der Heyden 1987);
- ``liap``: minimisation of a Lyapunov function (McKelvey 1998).

Each point's game goes to Gambit with every player's payoffs mapped affinely
onto [0, 1], as multiples of 2^-40 (the equilibria do not change; the rounding is
below 1e-12 of each player's range). Gambit's profiles are approximate (its methods stop
at a regret of 1e-4 to 1e-8 of the payoff range), so each is refined by Newton's
method on the indifference equations of its support, in the input payoffs, and
kept only if every player's regret is then within its tolerance ``atol``: the rows
returned are verified equilibria; profiles of a point within ``PROFILE_ATOL`` of
each other are one row. A point is flagged degenerate when one of its equilibria
leaves a best response unused (it is not quasi-strict): such equilibria may lie in
a continuum.

Budgets: each method refuses, before running, a game above its size limit
(:data:`LIMITS`, about a second per point on one core), naming a method to use
instead. Gambit runs in a child process stopped when the call's ``seconds`` run
out (simpdiv and ipa have no iteration limit of their own, and Gambit's code
cannot be interrupted otherwise); points not reached get no row, and a warning
says how many. Through ``NormalFormGame.solve(method=..., seconds=...)`` the
budget is the call's: each chunk of points gets the time left. liap's
``maxiter`` and enumpoly's ``stop_after`` are Gambit's own budgets; a warning says
where they ran out.

enumpoly is not complete: Gambit's polynomial solver can miss equilibria (a
four-player 2x2x2x2 game where it finds none is among the tests). A point where
it ran to the end and found none, though every finite game has an equilibrium
(Nash 1951), gets a warning naming ``simpdiv``, which always finds one (points the
time did not reach, or where Gambit failed, are counted by their own warnings).
"""

from __future__ import annotations

import math
import multiprocessing
import time
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import numpy as np

from bargain.errors import BargainWarning, BudgetError, warn
from bargain.tolerances import PAYOFF_RTOL, PROB_SUM_ATOL, PROB_TOL

from .arrays import EquilibriumArrays, payoff_atol, regrets
from .pivoting import PROFILE_ATOL

#: The extra that brings Gambit.
INSTALL = 'pip install "bargain-games[gambit]"'
#: Seconds a call may run by default (all its points together).
SECONDS = 120.0
#: Each player's payoffs are mapped onto the multiples of 1 / GRID in [0, 1] for Gambit
#: (rationals, which Gambit reads exactly; its floating-point methods have absolute
#: tolerances made for payoffs of order 1).
GRID = 2**40
#: Per method, the largest game solved, in its measure of work per point: support
#: profiles prod(2^s_p - 1) for enumpoly, payoff entries P * prod(s_p) for the
#: others. Measured on random 3-player games: enumpoly takes 0.02 s at 3x3x3 (343
#: support profiles), 0.4 s at 4x4x3 (1,575), 2.8 s at 4x4x4 (3,375); simpdiv 0.4 s
#: at 8x8x8 (1,536 entries) and over 30 s at 12x12x12; gnm 0.9 s at 12x12x12
#: (5,184); liap 0.2 s at 3x3x3 (81) and 4.8 s at 8x8x8; ipa 0.01 s at 12x12x12.
LIMITS = {"enumpoly": 2_000, "gnm": 6_000, "ipa": 50_000, "simpdiv": 2_000, "liap": 500}
#: What to use instead of each method for a game above its limit.
INSTEAD = {
    "enumpoly": "method='gnm' or 'simpdiv' (an equilibrium per start, not all), or 'pure'",
    "gnm": "method='ipa' (an equilibrium per start), or 'pure'",
    "ipa": "method='pure' (pure equilibria only), or a smaller game",
    "simpdiv": "method='gnm' or 'ipa'",
    "liap": "method='simpdiv', 'gnm' or 'ipa'",
}
#: A Gambit profile's support is tried at each of these thresholds in turn (the
#: strategies played with a larger probability) until the refined profile verifies.
SUPPORT_THRESHOLDS = (1e-9, 1e-6, 1e-4, 1e-3, 1e-2)
#: Newton steps when refining a profile on its support.
NEWTON_STEPS = 30

Profile = list[list[float]]


def require_pygambit() -> ModuleType:
    """pygambit, or an ImportError of one line naming the install."""
    try:
        import pygambit
    except ImportError:
        raise ImportError(f"Gambit's files and methods need pygambit: {INSTALL}") from None
    return pygambit


def work(method: str, shape: tuple[int, ...]) -> int:
    """The size of a game of strategy counts ``shape`` in ``method``'s measure (see
    :data:`LIMITS`)."""
    if method == "enumpoly":
        return math.prod(2**s - 1 for s in shape)
    return len(shape) * math.prod(shape)


def check_size(method: str, shape: tuple[int, ...]) -> None:
    """A BudgetError, before anything runs, if the game is above ``method``'s limit."""
    size, limit = work(method, shape), LIMITS[method]
    if size > limit:
        what = "support profiles" if method == "enumpoly" else "payoff entries"
        raise BudgetError(
            f"{method}: a {'x'.join(map(str, shape))} game has {size:,} {what} per point, "
            f"above the method's limit of {limit:,} (about a second per point): use "
            f"{INSTEAD[method]}"
        )


def enumpoly(
    payoffs: np.ndarray,
    rtol: float = PAYOFF_RTOL,
    atol: np.ndarray | None = None,
    *,
    stop_after: int | None = None,
    seconds: float = SECONDS,
) -> EquilibriumArrays:
    """The equilibria Gambit's support enumeration finds in each of N games,
    payoffs (P, s_1, ..., s_P, N): on each support profile, the totally mixed
    solutions of the players' indifference equations (polynomials of degree P - 1).

    ``stop_after`` stops a point after that many equilibria (a warning says where).
    See the module docstring for refinement, verification and budgets.
    """
    if stop_after is not None and stop_after < 1:
        raise ValueError(f"stop_after must be at least 1, got {stop_after}")
    return _batched("enumpoly", payoffs, rtol, atol, seconds, {"stop_after": stop_after})


def gnm(
    payoffs: np.ndarray,
    rtol: float = PAYOFF_RTOL,
    atol: np.ndarray | None = None,
    *,
    starts: int = 1,
    seed: int = 0,
    seconds: float = SECONDS,
) -> EquilibriumArrays:
    """Equilibria of N games by Gambit's global Newton method, payoffs (P, s_1, ..., s_P, N).

    The path starts from the game perturbed towards each player's first strategy,
    then from ``starts - 1`` random perturbations (``seed``); it may meet several
    equilibria, or none where it fails.
    """
    return _batched("gnm", payoffs, rtol, atol, seconds, _starts(starts, seed))


def ipa(
    payoffs: np.ndarray,
    rtol: float = PAYOFF_RTOL,
    atol: np.ndarray | None = None,
    *,
    starts: int = 1,
    seed: int = 0,
    seconds: float = SECONDS,
) -> EquilibriumArrays:
    """An equilibrium per start of N games by Gambit's iterated polymatrix approximation,
    payoffs (P, s_1, ..., s_P, N); starts as :func:`gnm`'s."""
    return _batched("ipa", payoffs, rtol, atol, seconds, _starts(starts, seed))


def simpdiv(
    payoffs: np.ndarray,
    rtol: float = PAYOFF_RTOL,
    atol: np.ndarray | None = None,
    *,
    starts: int = 1,
    seed: int = 0,
    seconds: float = SECONDS,
) -> EquilibriumArrays:
    """An equilibrium per start of N games by Gambit's simplicial subdivision, payoffs
    (P, s_1, ..., s_P, N): from the centroid, then from ``starts - 1`` random
    profiles (``seed``). It always finds one, given time."""
    return _batched("simpdiv", payoffs, rtol, atol, seconds, _starts(starts, seed))


def liap(
    payoffs: np.ndarray,
    rtol: float = PAYOFF_RTOL,
    atol: np.ndarray | None = None,
    *,
    starts: int = 1,
    seed: int = 0,
    maxiter: int = 1000,
    seconds: float = SECONDS,
) -> EquilibriumArrays:
    """Equilibria of N games by Gambit's Lyapunov-function minimisation, payoffs
    (P, s_1, ..., s_P, N), from the centroid and ``starts - 1`` random profiles
    (``seed``); a start that reaches no equilibrium in ``maxiter`` iterations (a local
    minimum, or a slow descent) gives none, and a warning counts them."""
    if maxiter < 1:
        raise ValueError(f"maxiter must be at least 1, got {maxiter}")
    return _batched(
        "liap", payoffs, rtol, atol, seconds, {**_starts(starts, seed), "maxiter": maxiter}
    )


def _starts(starts: int, seed: int) -> dict[str, int]:
    if starts < 1:
        raise ValueError(f"starts must be at least 1, got {starts}")
    return {"starts": starts, "seed": seed}


# -- the batch ------------------------------------------------------------------


def _batched(
    method: str,
    payoffs: np.ndarray,
    rtol: float,
    atol: np.ndarray | None,
    seconds: float,
    options: dict[str, Any],
) -> EquilibriumArrays:
    """Gambit's ``method`` at every point, refined, verified and deduplicated."""
    payoffs = np.asarray(payoffs, dtype=float)
    shape, n = payoffs.shape[1:-1], payoffs.shape[-1]
    if payoffs.ndim < 3 or payoffs.shape[0] != len(shape):
        raise ValueError(f"{method}: expected payoffs of shape (P, s_1, ..., s_P, N), got {shape}")
    if seconds <= 0:
        raise ValueError(f"seconds must be positive, got {seconds}")
    check_size(method, shape)
    require_pygambit()
    if atol is None:
        atol = payoff_atol(payoffs, rtol)
    games = [_integer_game(payoffs[..., t]) for t in range(n)]
    run = _Run(method, games, options, seconds)
    rows: list[tuple[int, tuple[np.ndarray, ...]]] = []
    degenerate = np.zeros(n, dtype=bool)
    unrefined = 0
    for t, profiles in run.results():
        kept: list[tuple[np.ndarray, ...]] = []
        for profile in profiles:
            refined = _refined(payoffs[..., t], profile, atol[:, t])
            if refined is None:
                unrefined += 1
            elif not any(_close(refined, other) for other in kept):
                kept.append(refined)
                degenerate[t] |= _unused_best_response(payoffs[..., t], refined, atol[:, t])
        rows += [(t, profile) for profile in kept]
    found = _arrays(payoffs, rows, degenerate)
    run.report(unrefined, np.bincount(found.point, minlength=n) == 0)
    return found


def _integer_game(u: np.ndarray) -> list[np.ndarray]:
    """Each player's payoffs (s_1, ..., s_P) mapped affinely onto [0, 1], as integer
    multiples of 1 / GRID."""
    out = []
    for p in range(u.shape[0]):
        low, span = u[p].min(), np.ptp(u[p])
        unit = (u[p] - low) / span if span > 0 else np.zeros_like(u[p])
        out.append(np.rint(unit * GRID).astype(np.int64))
    return out


def _arrays(
    payoffs: np.ndarray, rows: list[tuple[int, tuple[np.ndarray, ...]]], degenerate: np.ndarray
) -> EquilibriumArrays:
    shape = payoffs.shape[1:-1]
    point = np.array([t for t, _ in rows], dtype=np.intp)
    profiles = tuple(
        np.array([profile[p] for _, profile in rows]).reshape(len(rows), s)
        for p, s in enumerate(shape)
    )
    values = np.zeros((len(rows), len(shape)))
    for e, (t, profile) in enumerate(rows):
        for p in range(len(shape)):
            values[e, p] = _contract(payoffs[p, ..., t], profile, ())[0]
    return EquilibriumArrays(point, profiles, values, degenerate)


# -- refinement -----------------------------------------------------------------


def _contract(u: np.ndarray, profile: tuple[np.ndarray, ...], keep: tuple[int, ...]) -> np.ndarray:
    """``u`` (s_1, ..., s_P) summed against every player's mixture except those in
    ``keep``, whose axes remain in their order (a 1-element array when none do)."""
    out = u
    for q in reversed(range(len(profile))):
        if q not in keep:
            out = np.tensordot(out, profile[q], axes=([q], [0]))
    return np.atleast_1d(out)


def _refined(u: np.ndarray, profile: Profile, atol: np.ndarray) -> tuple[np.ndarray, ...] | None:
    """Gambit's ``profile`` refined on its support until it verifies, or None.

    Each threshold of :data:`SUPPORT_THRESHOLDS` gives a support (the strategies
    played above it); on it, Newton's method solves each player's indifference
    between its support strategies and their probabilities summing to 1, with
    payoffs scaled to each player's unit range. The first refinement whose
    probabilities are >= 0 and whose regrets are within ``atol`` (P,) is returned.
    """
    raw = tuple(np.clip(np.asarray(mix, dtype=float), 0.0, None) for mix in profile)
    if any(not np.isfinite(mix).all() or mix.sum() <= 0 for mix in raw):
        return None
    raw = tuple(mix / mix.sum() for mix in raw)
    unit = np.stack([_unit(u[p]) for p in range(u.shape[0])])
    tried: set[tuple[tuple[int, ...], ...]] = set()
    for threshold in SUPPORT_THRESHOLDS:
        support = tuple(tuple(np.flatnonzero(mix > threshold)) for mix in raw)
        if any(not s for s in support) or support in tried:
            continue
        tried.add(support)
        candidate = _newton(unit, raw, support)
        if candidate is not None and _verified(u, candidate, atol):
            return candidate
    return raw if _verified(u, raw, atol) else None


def _unit(u: np.ndarray) -> np.ndarray:
    span = np.ptp(u)
    return (u - u.min()) / span if span > 0 else np.zeros_like(u)


def _newton(
    unit: np.ndarray, start: tuple[np.ndarray, ...], support: tuple[tuple[int, ...], ...]
) -> tuple[np.ndarray, ...] | None:
    """The profile on ``support`` where each player is indifferent between its support
    strategies, by Newton's method from ``start`` (least squares where the Jacobian is
    singular); None if a probability ends below -PROB_TOL."""
    n_players = len(support)
    sizes = [len(s) for s in support]
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    x = np.concatenate([start[p][list(support[p])] for p in range(n_players)])
    x = np.concatenate(
        [
            x[offsets[p] : offsets[p + 1]] / x[offsets[p] : offsets[p + 1]].sum()
            for p in range(n_players)
        ]
    )
    for _ in range(NEWTON_STEPS):
        profile = _full(x, support, offsets, start)
        residual, jacobian = _system(unit, profile, support, offsets)
        step = np.linalg.lstsq(jacobian, residual, rcond=None)[0]
        x = x - step
        if np.abs(step).max() <= 1e-15:
            break
    if not np.isfinite(x).all() or x.min() < -PROB_TOL:
        return None
    profile = _full(np.maximum(x, 0.0), support, offsets, start)
    return tuple(mix / mix.sum() for mix in profile)


def _full(
    x: np.ndarray,
    support: tuple[tuple[int, ...], ...],
    offsets: np.ndarray,
    like: tuple[np.ndarray, ...],
) -> tuple[np.ndarray, ...]:
    """The unknowns ``x`` placed on the support, zeros elsewhere."""
    profile = []
    for p, s in enumerate(support):
        mix = np.zeros(len(like[p]))
        mix[list(s)] = x[offsets[p] : offsets[p + 1]]
        profile.append(mix)
    return tuple(profile)


def _system(
    unit: np.ndarray,
    profile: tuple[np.ndarray, ...],
    support: tuple[tuple[int, ...], ...],
    offsets: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Residuals and Jacobian of the support's equations: for each player p,
    ``v_p(s) - v_p(s_0)`` for its support strategies s after the first s_0 (``v_p``
    its payoff from each pure strategy against the others' mixtures), and
    ``sum(x_p) - 1``. The derivative of ``v_p(s)`` in ``x_q(t)`` is p's payoff at
    (s, t) against the mixtures of the players other than p and q."""
    size = int(offsets[-1])
    rows: list[np.ndarray] = []
    residual: list[float] = []
    for p, s in enumerate(support):
        value = _contract(unit[p], profile, (p,))
        blocks = []
        for q, t in enumerate(support):
            if q == p:
                blocks.append(np.zeros((len(s), len(t))))
                continue
            pair = _contract(unit[p], profile, (min(p, q), max(p, q)))
            pair = pair if p < q else pair.T  # (s_p, s_q)
            blocks.append(pair[np.ix_(s, t)])
        derivative = np.concatenate(blocks, axis=1)
        for k in range(1, len(s)):
            residual.append(value[s[k]] - value[s[0]])
            rows.append(derivative[k] - derivative[0])
        total = np.zeros(size)
        total[offsets[p] : offsets[p + 1]] = 1.0
        residual.append(profile[p][list(s)].sum() - 1.0)
        rows.append(total)
    return np.array(residual), np.array(rows).reshape(len(rows), size)


def _verified(u: np.ndarray, profile: tuple[np.ndarray, ...], atol: np.ndarray) -> bool:
    """Whether ``profile`` is a distribution per player with regrets within ``atol`` (P,)."""
    if any(abs(mix.sum() - 1) > PROB_SUM_ATOL or mix.min() < 0 for mix in profile):
        return False
    gains = regrets(u[None], tuple(mix[None] for mix in profile))[0]
    return bool((gains <= atol).all())


def _unused_best_response(u: np.ndarray, profile: tuple[np.ndarray, ...], atol: np.ndarray) -> bool:
    """Whether some player has a best response (within ``atol``) it does not play."""
    for p, mix in enumerate(profile):
        value = _contract(u[p], profile, (p,))
        best = value >= value.max() - atol[p]
        if (best & (mix <= PROB_TOL)).any():
            return True
    return False


def _close(one: tuple[np.ndarray, ...], other: tuple[np.ndarray, ...]) -> bool:
    return all(np.abs(a - b).max() <= PROFILE_ATOL for a, b in zip(one, other))


# -- running Gambit ---------------------------------------------------------------


class _Run:
    """Gambit's ``method`` over the points' games in a child process, within ``seconds``.

    :meth:`results` yields (point, profiles) as the child sends them; where the child
    dies on a point (a crash in Gambit) that point is noted and a new child goes on
    from the next; when the time runs out the child is stopped. Where processes
    cannot start (a daemonic worker process), the points run here, the time checked
    between them. :meth:`report` then warns of what ran out or failed.
    """

    def __init__(
        self, method: str, games: list[list[np.ndarray]], options: dict[str, Any], seconds: float
    ) -> None:
        self.method, self.games, self.options, self.seconds = method, games, options, seconds
        self.reached = 0  # points done (or failed)
        self.answered = np.zeros(len(games), dtype=bool)  # points Gambit solved without failing
        self.exhausted = 0  # starts or points where Gambit's own budget ran out
        self.failures: list[str] = []

    def results(self) -> Iterator[tuple[int, list[Profile]]]:
        deadline = time.monotonic() + self.seconds
        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
        )
        while self.reached < len(self.games):
            receive, send = context.Pipe(duplex=False)
            child = context.Process(
                target=_solve_points,
                args=(self.method, self.games, self.options, self.reached, send),
                daemon=True,
            )
            try:
                child.start()
            except AssertionError:  # a daemonic process may not have children
                receive.close()
                send.close()
                yield from self._here(deadline)
                return
            send.close()
            try:
                while self.reached < len(self.games):
                    left = deadline - time.monotonic()
                    if left <= 0 or not receive.poll(left):
                        return
                    t, profiles, exhausted, failure = receive.recv()
                    self._note(t, exhausted, failure)
                    yield t, profiles
            except EOFError:  # the child died on point self.reached
                self.failures.append(f"Gambit stopped at point {self.reached}")
                self.reached += 1
            finally:
                if child.is_alive():
                    child.kill()
                child.join()
                receive.close()

    def _here(self, deadline: float) -> Iterator[tuple[int, list[Profile]]]:
        gambit = require_pygambit()
        while self.reached < len(self.games) and time.monotonic() < deadline:
            t = self.reached
            profiles, exhausted, failure = _solve_point(
                gambit, self.method, self.games[t], self.options
            )
            self._note(t, exhausted, failure)
            yield t, profiles

    def _note(self, t: int, exhausted: int, failure: str | None) -> None:
        self.reached = t + 1
        self.answered[t] = not failure
        self.exhausted += exhausted
        if failure:
            self.failures.append(f"point {t}: {failure}")

    def report(self, unrefined: int, empty: np.ndarray) -> None:
        """Warn of the points the time did not reach, Gambit's budgets that ran out,
        failures, profiles that did not verify, and the points (N,) ``empty`` of rows
        where enumpoly ran to the end (not those the time stopped or Gambit failed at)."""
        n, method = len(self.games), self.method
        if self.reached < n:
            warn(
                f"{method}: the time budget ({self.seconds:g} s for these points) ran out "
                f"after {self.reached:,} of {n:,} points; the other points have no "
                "equilibrium from it (raise seconds=, or solve fewer points per call)",
                BargainWarning,
            )
        if self.exhausted and method == "liap":
            warn(
                f"liap: {self.exhausted:,} start(s) reached no equilibrium within "
                f"maxiter={self.options['maxiter']} iterations (or stopped at a local "
                "minimum): use more starts, or method='simpdiv'",
                BargainWarning,
            )
        if self.exhausted and method == "enumpoly":
            warn(
                f"enumpoly stopped after stop_after={self.options['stop_after']} equilibria "
                f"at {self.exhausted:,} of {n:,} points: there may be more",
                BargainWarning,
            )
        missed = int(np.count_nonzero(empty & self.answered))
        if missed and method == "enumpoly":
            solved = int(np.count_nonzero(self.answered))
            warn(
                f"enumpoly found no equilibrium at {missed:,} of the {solved:,} points it "
                "solved, though every finite game has one (Gambit's polynomial solver missed "
                "it): solve them with method='simpdiv'",
                BargainWarning,
            )
        if self.failures:
            warn(
                f"{method} failed at {len(self.failures):,} of {n:,} points ({self.failures[0]})",
                BargainWarning,
            )
        if unrefined:
            warn(
                f"{method}: {unrefined:,} profile(s) Gambit returned are not equilibria within "
                "the payoff tolerance, even refined on their support; they were dropped",
                BargainWarning,
            )


def _solve_points(
    method: str, games: list[list[np.ndarray]], options: dict[str, Any], start: int, send: Any
) -> None:
    """The child process: solve ``games[start:]``, sending each point's result."""
    gambit = require_pygambit()
    for t in range(start, len(games)):
        send.send((t, *_solve_point(gambit, method, games[t], options)))
    send.close()


def _solve_point(
    gambit: ModuleType, method: str, game: list[np.ndarray], options: dict[str, Any]
) -> tuple[list[Profile], int, str | None]:
    """Gambit's profiles for one game (its profiles, the starts where its own budget ran
    out, and Gambit's message if it failed)."""
    table = gambit.Game.from_arrays(
        *(
            np.array([gambit.Rational(int(v), GRID) for v in a.flat], dtype=object).reshape(a.shape)
            for a in game
        )
    )
    strategies = [list(player.strategies) for player in table.players]
    found: list[Any] = []
    exhausted = 0
    try:
        if method == "enumpoly":
            stop_after = options["stop_after"]
            found = list(gambit.nash.enumpoly_solve(table, stop_after=stop_after).equilibria)
            exhausted = int(stop_after is not None and len(found) >= stop_after)
        else:
            for start in _start_profiles(gambit, table, strategies, method, options):
                equilibria = _SOLVERS[method](gambit, start, options)
                exhausted += not equilibria
                found += equilibria
    except Exception as exc:  # Gambit's errors, reported per point
        return [], 0, str(exc) or type(exc).__name__
    profiles = [[[float(eq[s]) for s in own] for own in strategies] for eq in found]
    return profiles, exhausted, None


def _start_profiles(
    gambit: ModuleType,
    table: Any,
    strategies: list[list[Any]],
    method: str,
    options: dict[str, Any],
) -> Iterator[Any]:
    """The starting profiles (perturbations for gnm and ipa): Gambit's default, then
    random ones from ``seed``: integer weights with a unique largest (as gnm and ipa
    need), over their sum (rational for simpdiv)."""
    rng = np.random.default_rng(options["seed"])
    rational = method == "simpdiv"
    for k in range(options["starts"]):
        if k == 0 and method in ("gnm", "ipa"):
            yield table  # Gambit's default: the first strategy of each player
            continue
        start = table.mixed_strategy_profile(rational=rational)  # the centroid
        if k > 0:
            for own in strategies:
                weights = 10 * rng.permutation(len(own)) + rng.integers(1, 10, size=len(own))
                total = int(weights.sum())
                for s, w in zip(own, weights):
                    start[s] = gambit.Rational(int(w), total) if rational else int(w) / total
        yield start


_SOLVERS: dict[str, Callable[[ModuleType, Any, dict[str, Any]], list[Any]]] = {
    "gnm": lambda gambit, start, options: list(gambit.nash.gnm_solve(start).equilibria),
    "ipa": lambda gambit, start, options: list(gambit.nash.ipa_solve(start).equilibria),
    "simpdiv": lambda gambit, start, options: list(gambit.nash.simpdiv_solve(start).equilibria),
    "liap": lambda gambit, start, options: list(
        gambit.nash.liap_solve(start, maxiter=options["maxiter"]).equilibria
    ),
}
