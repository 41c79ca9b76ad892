"""Learning dynamics of two-player games: does play settle down, and where?

:func:`learn` runs a learning or evolutionary dynamics on a model's two-player
game in strategic form at one parameter point and returns the trajectory as a
DataFrame, one row per step, with each player's strategy frequencies and its
distance to the nearest Nash equilibrium (bargain's own solve of the same
point). The dynamics are nashpy's, seeded so a run is reproducible:

- ``fictitious-play``: each round, each player best responds to the
  opponent's empirical frequency of play (Brown 1951); ties are broken at
  random.
- ``stochastic-fictitious-play``: the response is a logit choice
  ``exp(u / etha)`` over payoffs perturbed by up to ``epsilon_bar``, and the
  play is drawn from it (Fudenberg and Kreps 1993; Hofbauer and Sandholm 2002).
- ``replicator``: ``dx_i/dt = x_i ((A y)_i - x.A y)`` (Taylor and Jonker 1978),
  integrated over ``[0, horizon]``. A symmetric game (``B = A^T``) is played
  by one population against itself (nashpy's ``replicator_dynamics``, whose
  stable rest points are the evolutionarily stable strategies); any other game
  by two populations, one per player (``asymmetric_replicator_dynamics``).
- ``asymmetric-replicator``: two populations even for a symmetric game.
- ``regret-matching``: each player plays each strategy with probability
  proportional to its positive cumulative regret (unconditional regret
  matching, Hart and Mas-Colell 2000, section 4); the average regret vanishes,
  and in two-player zero-sum games the frequencies approach the minimax
  strategies. Implemented here: nashpy 0.0.43's ``regret_minimization``
  computes the column player's payoffs as ``B x`` instead of ``B^T x`` (wrong
  unless ``B`` is symmetric, an error unless the game is square) and yields
  only its final, rounded strategies, not a trajectory.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Mapping, Sequence
from itertools import islice
from numbers import Real
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from .checks import count, real
from .errors import BudgetError, ModelError, ParamError, did_you_mean
from .games import GameForm
from .model import Model, as_model
from .tolerances import PAYOFF_RTOL, PROB_SUM_ATOL
from .version import __version__
from .vocabulary import ident

#: The dynamics :func:`learn` runs, name -> what it is.
DYNAMICS = {
    "fictitious-play": "fictitious play (nashpy)",
    "stochastic-fictitious-play": "stochastic fictitious play (nashpy)",
    "replicator": "replicator dynamics (nashpy): one population if the game is symmetric",
    "asymmetric-replicator": "two-population replicator dynamics (nashpy)",
    "regret-matching": "unconditional regret matching (Hart and Mas-Colell 2000)",
}
#: Dynamics integrated in continuous time: their rows are time points, not rounds.
CONTINUOUS = ("replicator", "asymmetric-replicator")
#: The most steps (rounds, or time points) a run may take.
MAX_STEPS = 100_000
#: The most payoff entries a run may visit: steps times the number of profiles.
MAX_WORK = 10**8
#: The share of the run (its last rows) watched for drift by the "settled" verdict.
WINDOW = 0.1
#: ``exp`` overflows a float64 above this argument: the logit choice's limit.
EXP_LIMIT = 709.0


@runtime_checkable
class StrategicForm(Protocol):
    """A game in strategic form: players, strategy labels, and payoffs at N points as a
    tensor (P, s_1, ..., s_P, N) (a :class:`~bargain.games.NormalFormGame`)."""

    players: tuple[str, ...]
    strategies: tuple[tuple[str, ...], ...]

    def payoff_tensor(self, points: Mapping[str, np.ndarray]) -> np.ndarray: ...


def learn(
    model: Model | GameForm,
    dynamics: str = "fictitious-play",
    *,
    steps: int = 1000,
    seed: int = 0,
    scenario: str | None = None,
    etha: float = 0.1,
    epsilon_bar: float = 0.01,
    horizon: float = 10.0,
    start: Mapping[str, Sequence[float]] | None = None,
    tol: float = 0.01,
    **values: float,
) -> pd.DataFrame:
    """The trajectory of a learning dynamics in a two-player game at one point.

    Parameters
    ----------
    model : a :class:`~bargain.model.Model` whose game is a two-player game in
        strategic form, or such a game.
    dynamics : one of :data:`DYNAMICS` (see the module's text).
    steps : rounds of play; for the replicator dynamics, the time points after 0
        (at most :data:`MAX_STEPS`, and steps times profiles at most :data:`MAX_WORK`).
    seed : seeds the random choices (tie breaks, draws), so a run is reproducible;
        numpy's global random state is restored afterwards.
    scenario : start from the model's named scenario; ``values`` override it.
    etha, epsilon_bar : stochastic fictitious play's logit noise and largest payoff
        perturbation (in payoff units: the logit choice is ``exp(u / etha)``).
    horizon : the replicator dynamics' end time (``steps`` equal intervals).
    start : the replicator dynamics' initial strategies, player -> probabilities
        (default uniform); one population takes one distribution.
    tol : ``settled`` needs the strategies to move at most ``tol`` (largest change
        of any probability) over the last :data:`WINDOW` of the run, ``at_equilibrium``
        the final ones to be within ``tol`` of a Nash equilibrium (of those the model's
        solve options find, the extreme ones of each component in a degenerate game;
        a model whose method is ``"qre"`` is solved by its form's default method
        instead, :func:`nash_model`).
    **values : parameter values (the defaults for the rest).

    Returns
    -------
    pandas.DataFrame
        One row per step: ``step`` (rounds played; ``time`` for the replicator
        dynamics), ``p_<player>_<strategy>`` (the empirical frequencies of play,
        or the population shares), ``n_<player>_<strategy>`` (the play counts, for
        the dynamics that play rounds), ``regret`` (regret matching: the largest
        average regret of either player) and ``distance``: the largest difference
        of any probability from the nearest Nash equilibrium. ``attrs`` carry
        the model's provenance, ``note``, ``dynamics``, ``populations``, ``values``,
        ``seed`` and the verdict: ``nearest_equilibrium`` (its regime label),
        ``distance``, ``drift``, ``settled`` and ``at_equilibrium``.

    Examples
    --------
    >>> from bargain import NormalFormGame
    >>> pd_game = NormalFormGame.from_arrays([[3, 0], [5, 1]], [[3, 5], [0, 1]])
    >>> run = learn(pd_game, "fictitious-play", steps=200)
    >>> run[["step", "p_P1_s2", "p_P2_s2", "distance"]].tail(1)
         step  p_P1_s2  p_P2_s2  distance
    199   200    0.995      1.0     0.005
    >>> run.attrs["nearest_equilibrium"], run.attrs["settled"]
    ('s2/s2', True)
    """
    m = as_model(model)
    game = m.game
    if dynamics not in DYNAMICS:
        raise ModelError(
            f"unknown dynamics {dynamics!r}{did_you_mean(str(dynamics), DYNAMICS)}; "
            f"expected one of {', '.join(DYNAMICS)}"
        )
    if not isinstance(game, StrategicForm) or len(game.players) != 2:
        raise ModelError(
            f"learning dynamics need a two-player game in strategic form (a two-player "
            f"NormalFormGame); model {m.name!r} has {game!r}"
        )
    steps = count(steps, "steps")
    seed = count(seed, "seed", low=0)
    tol = real(tol, "tol")
    if tol <= 0:
        raise ParamError(f"tol must be positive, got {tol:g}")
    shape = tuple(len(s) for s in game.strategies)
    _check_budget(steps, shape)
    if start is not None and dynamics not in CONTINUOUS:
        raise ModelError(
            f"start: only the replicator dynamics ({', '.join(CONTINUOUS)}) take a start; "
            f"{dynamics} starts from no play"
        )
    point = {k: [v] for k, v in {**m.scenario(scenario), **values}.items()}
    solution = nash_model(m).solve_batch(point)
    A, B = game.payoff_tensor(solution.points)[..., 0]
    populations = 2
    if dynamics in CONTINUOUS:
        populations = 1 if dynamics == "replicator" and _symmetric(A, B) else 2
        x0, y0 = _start(start, game.players, game.strategies, populations)
        time = np.linspace(0.0, real(horizon, "horizon"), steps + 1)
        if time[-1] <= 0:
            raise ParamError(f"horizon must be positive, got {horizon:g}")
        shares = _replicator(A, B, x0, y0, time, populations)
        columns: dict[str, np.ndarray] = {"time": time}
        counts = None
    else:
        with _seeded(seed):
            if dynamics == "fictitious-play":
                counts, regret = _fictitious_play(A, B, steps), None
            elif dynamics == "stochastic-fictitious-play":
                counts, regret = _stochastic(A, B, steps, etha, epsilon_bar), None
            else:
                counts, regret = _regret_matching(A, B, steps, np.random.default_rng(seed))
        columns = {"step": np.arange(1, steps + 1)}
        shares = counts / columns["step"][:, None]
    pairs = [(ident(p), ident(s)) for p, ss in zip(game.players, game.strategies) for s in ss]
    columns |= {f"p_{p}_{s}": shares[:, k] for k, (p, s) in enumerate(pairs)}
    if counts is not None:
        columns |= {f"n_{p}_{s}": counts[:, k] for k, (p, s) in enumerate(pairs)}
    if dynamics == "regret-matching":
        columns["regret"] = regret
    equilibria = solution.columns()
    profiles = np.column_stack([equilibria[f"p_{p}_{s}"] for p, s in pairs])
    gaps = np.abs(shares[:, None, :] - profiles[None, :, :]).max(axis=2)  # (T, R)
    columns["distance"] = gaps.min(axis=1) if len(profiles) else np.full(len(shares), np.nan)
    frame = pd.DataFrame(columns)
    frame.attrs.update(
        _verdict(shares, gaps, equilibria["regime"], tol)
        | {
            "dynamics": dynamics,
            "populations": populations,
            "values": solution.point_values(0),
            "seed": None if dynamics in CONTINUOUS else seed,
            "steps": steps,
        }
    )
    frame.attrs["note"] = _note(m, frame.attrs, scenario)
    frame.attrs["title"] = f"{DYNAMICS[dynamics].split(' (')[0].capitalize()}: {m.name}"
    frame.attrs.update({k: v for k, v in m.provenance().items() if v})
    return frame


def learning_summary(frame: pd.DataFrame) -> str:
    """A few lines on a :func:`learn` run: the final strategies, the nearest Nash
    equilibrium and whether play settled."""
    a = frame.attrs
    last = frame.iloc[-1]
    clock = f"t = {last['time']:g}" if "time" in frame else f"after {int(last['step']):,} rounds"
    shares = [c for c in frame.columns if c.startswith("p_")]
    lines = [a["note"], f"final strategies ({clock}):"]
    lines += [f"  {c:<28} {last[c]:.4f}" for c in shares]
    if a["nearest_equilibrium"] is None:
        lines.append("no Nash equilibrium to compare with")
    else:
        lines.append(
            f"nearest Nash equilibrium: {a['nearest_equilibrium']} at distance "
            f"{a['distance']:.4g} (largest difference in any probability)"
        )
    unit = "time points" if "time" in frame else "rounds"
    lines.append(
        f"settled: {'yes' if a['settled'] else 'no'} (strategies moved at most "
        f"{a['drift']:.4g} over the last {a['window']:,} {unit}; tol {a['tol']:g})"
    )
    lines.append(f"at a Nash equilibrium: {'yes' if a['at_equilibrium'] else 'no'}")
    return "\n".join(lines)


# -- the dynamics ------------------------------------------------------------------------------


@contextlib.contextmanager
def _seeded(seed: int) -> Iterator[None]:
    """numpy's global random state (which nashpy draws from) seeded, then restored."""
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _fictitious_play(A: np.ndarray, B: np.ndarray, steps: int) -> np.ndarray:
    """Play counts (steps, m + n) after each round of nashpy's fictitious play."""
    import nashpy

    rounds = nashpy.Game(A, B).fictitious_play(iterations=steps)
    return np.array([np.concatenate(c) for c in islice(rounds, 1, None)], dtype=float)


def _stochastic(
    A: np.ndarray, B: np.ndarray, steps: int, etha: float, epsilon_bar: float
) -> np.ndarray:
    """Play counts (steps, m + n) after each round of nashpy's stochastic fictitious play."""
    import nashpy

    etha, epsilon_bar = real(etha, "etha"), real(epsilon_bar, "epsilon_bar")
    if etha <= 0 or epsilon_bar < 0:
        raise ParamError(
            f"stochastic fictitious play needs etha > 0 and epsilon_bar >= 0, got etha = "
            f"{etha:g}, epsilon_bar = {epsilon_bar:g}"
        )
    largest = max(np.abs(A).max(), np.abs(B).max()) + epsilon_bar
    if largest / etha > EXP_LIMIT:
        raise ModelError(
            f"stochastic fictitious play: payoffs up to {largest:g} in size overflow the logit "
            f"choice exp(u / etha) at etha = {etha:g}; take etha >= {largest / EXP_LIMIT:.3g} "
            "or rescale the payoffs"
        )
    rounds = nashpy.Game(A, B).stochastic_fictitious_play(
        iterations=steps, etha=etha, epsilon_bar=epsilon_bar
    )
    return np.array([np.concatenate(c) for c, _ in islice(rounds, 1, None)], dtype=float)


def _regret_matching(
    A: np.ndarray, B: np.ndarray, steps: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Play counts (steps, m + n) and the largest average regret (steps,) of unconditional
    regret matching: player i plays s with probability ``max(R_i(s), 0) / sum_s' max(R_i(s'),
    0)`` (uniform when no regret is positive), where ``R_i(s)`` sums, over past rounds, the
    payoff s would have earned minus the payoff earned (Hart and Mas-Colell 2000)."""
    m, n = A.shape
    regrets = [np.zeros(m), np.zeros(n)]
    played = np.zeros(m + n)
    counts = np.empty((steps, m + n))
    worst = np.empty(steps)
    draws = rng.random((steps, 2))
    for t in range(steps):
        i, j = (_draw(_matching(r), u) for r, u in zip(regrets, draws[t]))
        regrets[0] += A[:, j] - A[i, j]
        regrets[1] += B[i, :] - B[i, j]
        played[i] += 1
        played[m + j] += 1
        counts[t] = played
        worst[t] = max(regrets[0].max(), regrets[1].max(), 0.0) / (t + 1)
    return counts, worst


def _matching(regret: np.ndarray) -> np.ndarray:
    """The regret-matching strategy: positive regrets normalised, or uniform."""
    positive = np.maximum(regret, 0.0)
    total = positive.sum()
    return positive / total if total > 0 else np.full(len(regret), 1 / len(regret))


def _draw(p: np.ndarray, u: float) -> int:
    """The strategy drawn from ``p`` by the uniform number ``u``."""
    return min(int(np.searchsorted(np.cumsum(p), u, side="right")), len(p) - 1)


def _replicator(
    A: np.ndarray,
    B: np.ndarray,
    x0: np.ndarray,
    y0: np.ndarray,
    time: np.ndarray,
    populations: int,
) -> np.ndarray:
    """Population shares (T, m + n) along nashpy's replicator dynamics: one population
    playing ``A`` against itself (both players' shares equal), or one per player.

    Each player's payoffs are first shifted to be positive (their minimum becomes their
    range): adding a constant to a player's payoffs leaves the dynamics on the simplex
    unchanged, but nashpy integrates them in the plane, where the sum of the shares
    ``s`` follows ``ds/dt = phi (1 - s)`` (``phi`` the average payoff): with ``phi < 0``
    rounding errors grow exponentially and the shares leave the simplex.
    """
    import nashpy

    game = nashpy.Game(_positive(A), _positive(B))
    if populations == 1:
        x = game.replicator_dynamics(y0=x0, timepoints=time)
        return np.hstack([x, x])
    x, y = game.asymmetric_replicator_dynamics(x0=x0, y0=y0, timepoints=time)
    return np.hstack([x, y])


def _positive(payoffs: np.ndarray) -> np.ndarray:
    """The payoffs shifted so that their minimum is their range (1 if they are all equal)."""
    span = float(np.ptp(payoffs)) or 1.0
    return payoffs - payoffs.min() + span


# -- checks and verdict ------------------------------------------------------------------------


#: Solve options that do not serve a Nash method: a QRE's precision and path budget.
QRE_OPTIONS = ("lam", "max_steps", "seconds")


def nash_model(model: Model) -> Model:
    """The model solving for Nash equilibria: where its ``method`` is ``"qre"`` (a
    quantal response equilibrium, not a Nash equilibrium), the form's default method
    instead, without the QRE's options; otherwise the model itself."""
    if model.options.get("method") != "qre":
        return model
    return model.with_options(method=None, **{k: None for k in QRE_OPTIONS if k in model.options})


def _check_budget(steps: int, shape: tuple[int, ...]) -> None:
    """Refuse runs beyond :data:`MAX_STEPS` steps or :data:`MAX_WORK` payoff entries."""
    most = min(MAX_STEPS, MAX_WORK // math.prod(shape))
    if steps > most:
        size = "x".join(map(str, shape))
        why = (
            f"the limit is {MAX_STEPS:,} steps"
            if most == MAX_STEPS
            else f"a {size} game allows {most:,} ({MAX_WORK:.0e} payoff entries visited)"
        )
        raise BudgetError(f"steps: {steps:,} is too many; {why}; run fewer steps")


def _symmetric(A: np.ndarray, B: np.ndarray) -> bool:
    """Whether ``B = A^T`` (to the payoff tolerance): a symmetric game."""
    if A.shape[0] != A.shape[1]:
        return False
    span = max(np.ptp(A), np.ptp(B), 1e-300)
    return bool(np.allclose(B, A.T, rtol=0.0, atol=PAYOFF_RTOL * span))


def _start(
    start: Mapping[str, Sequence[float]] | None,
    players: tuple[str, ...],
    strategies: tuple[tuple[str, ...], ...],
    populations: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The initial strategies of the replicator dynamics (uniform by default)."""
    given = dict(start or {})
    unknown = [p for p in given if p not in players]
    if unknown:
        raise ModelError(
            f"start: {unknown[0]!r} is not a player{did_you_mean(str(unknown[0]), players)}; "
            f"players: {', '.join(players)}"
        )
    out = []
    for player, labels in zip(players, strategies):
        if player not in given:
            out.append(np.full(len(labels), 1 / len(labels)))
            continue
        p = given[player]
        where = f"start[{player!r}]"
        if not isinstance(p, Sequence | np.ndarray) or len(p) != len(labels):
            raise ModelError(
                f"{where}: expected {len(labels)} probabilities, one per strategy "
                f"({', '.join(labels)}), got {p!r}"
            )
        if not all(isinstance(v, Real) and not isinstance(v, bool) for v in p):
            raise ModelError(f"{where}: expected numbers, got {list(p)!r}")
        x = np.asarray(p, dtype=float)
        if (x < 0).any() or not math.isclose(x.sum(), 1.0, abs_tol=PROB_SUM_ATOL):
            raise ModelError(f"{where}: expected probabilities summing to 1, got {list(p)!r}")
        out.append(x)
    x0, y0 = out
    if populations == 1 and len(given) == 2 and not np.allclose(x0, y0, atol=PROB_SUM_ATOL):
        raise ModelError(
            "start: a symmetric game is played by one population, so the players' starts "
            "must be equal (or give one; use 'asymmetric-replicator' for two populations)"
        )
    population = y0 if populations == 1 and players[1] in given else x0
    return (population, population) if populations == 1 else (x0, y0)


def _verdict(
    shares: np.ndarray, gaps: np.ndarray, regimes: np.ndarray, tol: float
) -> dict[str, Any]:
    """Does play settle down, and where: the nearest equilibrium at the end, its distance,
    the largest move over the last :data:`WINDOW` of the run, and the flags."""
    window = max(2, math.ceil(WINDOW * len(shares)))
    tail = shares[-window:]
    drift = float(np.abs(tail - shares[-1]).max())
    if gaps.shape[1]:
        nearest = int(np.argmin(gaps[-1]))
        label, distance = str(regimes[nearest]), float(gaps[-1, nearest])
    else:
        label, distance = None, math.nan
    return {
        "nearest_equilibrium": label,
        "distance": distance,
        "drift": drift,
        "window": min(window, len(shares)),
        "tol": tol,
        "settled": drift <= tol,
        "at_equilibrium": bool(distance <= tol),
    }


def _note(model: Model, attrs: Mapping[str, Any], scenario: str | None) -> str:
    """What a reader needs to reproduce the run."""
    values = ", ".join(f"{k} = {v:g}" for k, v in attrs["values"].items()) or "no parameters"
    seed = "" if attrs["seed"] is None else f", seed {attrs['seed']}"
    populations = "one population" if attrs["populations"] == 1 else "two populations"
    kind = f" ({populations})" if attrs["dynamics"] in CONTINUOUS else ""
    return (
        f"{attrs['dynamics']}{kind} in model {model.name}"
        + (f" {model.version}" if model.version else "")
        + (f", scenario {scenario}" if scenario else "")
        + f" at {values}; {attrs['steps']:,} steps{seed}; bargain {__version__}."
    )
