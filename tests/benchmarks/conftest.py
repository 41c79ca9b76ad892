"""Shared machinery of the performance benchmarks: run size, timing and the ratio table.

Two modes, chosen by pytest-benchmark's own flag:

* full (``pytest tests/benchmarks --benchmark-only``): the 1,000,000-point grid
  for bargain, larger samples for the peers, several timed rounds each; the
  summary says whether the target ratios are met.
* CI (``pytest tests/benchmarks --benchmark-disable``): every benchmarked
  function is called once on small inputs, as a plain test of the benchmark
  code and of the equilibrium counts. The single call is timed with
  ``perf_counter`` only to print indicative figures; no timing is asserted.

Every figure is per game (microseconds), so bargain's batch over N points and a
peer's Python loop over a sample of games compare directly; the summary prints
the ratio peer / bargain. In full mode the figure is the median of the timed
rounds after WARMUP_ROUNDS untimed ones, for bargain and every peer alike: the
first calls in a process fault freshly allocated memory in page by page
(microseconds a page on a virtual machine) until glibc keeps freed blocks, so
they measure the allocator, not the steady throughput a sweep sees; and on this
shared machine a round now and then still does (a 2x2 grid round of 67 ms took
367 ms once), which would carry a mean but not the median.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import pytest

#: Cases and the peer whose per-game ratio has a target (peer / bargain >= target).
TARGETS: dict[str, tuple[str, float]] = {
    "2x2 grid": ("quantecon", 500.0),
    "3x3 random": ("quantecon", 100.0),
    "tree SPE": ("recursion", 100.0),
    "signaling": ("enumeration", 50.0),
    "3x3x3 QRE": ("pygambit", 10.0),
    "10x10 vertex": ("quantecon", 1.0),
    "12x12 vertex": ("quantecon", 1.0),
}
#: Cases with a throughput target for bargain (points per second, one process).
RATES: dict[str, float] = {"screening": 5e6}
#: Sweep cases with a throughput target in this process (points per second, end to end).
SWEEP_RATES: dict[str, float] = {"sweep 2x2 parquet": 5e6}
#: Speed-up targets of a sweep on workers over the same sweep in one process.
SCALING: dict[str, float] = {"2 processes": 1.8, "dask 2 workers": 1.6}
#: The executors of the sweep benchmarks, in the order the summary lists them.
EXECUTORS = ("1 process", "2 processes", "dask 2 workers")
PEERS_ORDER = ("bargain", "quantecon", "pygambit", "nashpy", "recursion", "enumeration", "scipy")
#: Untimed calls before the timed rounds (full mode).
WARMUP_ROUNDS = 2


@dataclass(frozen=True)
class Sizes:
    """Problem and sample sizes of one run."""

    full: bool
    grid_side: int  # the 2x2 grid has grid_side**2 points
    random_games: int  # 3x3 random games solved by bargain in one batch
    quantecon: int  # games per sample for each peer
    pygambit: int
    nashpy: int
    tree_points: int  # points of the three-stage tree solved by bargain in one batch
    recursion: int  # points per sample for the tree peers
    tree_pygambit: int
    sweep_grid: tuple[int, int]  # the 2x2 sweep covers this grid
    sweep_tree: int  # points of the tree sweep
    stream_grid: tuple[int, int]  # the 2x2 sweep streamed to CSV covers this grid
    rounds: int  # timed rounds per benchmark when enabled

    @property
    def grid_points(self) -> int:
        return self.grid_side**2


FULL = Sizes(
    True,
    1000,
    100_000,
    quantecon=2_000,
    pygambit=500,
    nashpy=100,
    tree_points=100_000,
    recursion=20_000,
    tree_pygambit=200,
    sweep_grid=(4000, 2500),
    sweep_tree=1_000_000,
    stream_grid=(4000, 2500),
    rounds=5,
)
CI = Sizes(
    False,
    200,
    2_000,
    quantecon=200,
    pygambit=50,
    nashpy=20,
    tree_points=2_000,
    recursion=2_000,
    tree_pygambit=20,
    sweep_grid=(200, 150),
    sweep_tree=5_000,
    stream_grid=(300, 300),
    rounds=1,
)


@dataclass
class Figure:
    games: int
    us_per_game: float


_FIGURES = pytest.StashKey[dict[str, dict[str, Figure]]]()
#: Sweep throughput: case -> executor -> (points, seconds per sweep).
_SWEEPS = pytest.StashKey[dict[str, dict[str, tuple[int, float]]]]()


@pytest.fixture(scope="session")
def sizes(pytestconfig: pytest.Config) -> Sizes:
    """Full sizes when benchmarking, small ones under ``--benchmark-disable`` (CI)."""
    return CI if pytestconfig.getoption("benchmark_disable") else FULL


@pytest.fixture(scope="session")
def figures(pytestconfig: pytest.Config) -> dict[str, dict[str, Figure]]:
    """Session collector: case -> solver -> per-game figure."""
    return pytestconfig.stash.setdefault(_FIGURES, {})


@pytest.fixture
def measure(benchmark: Any, sizes: Sizes, figures: dict[str, dict[str, Figure]]):
    """``measure(case, solver, fn, games)``: benchmark ``fn`` (solving ``games`` games).

    Returns what ``fn`` returns; stores the per-game time in ``benchmark.extra_info``
    and in the session collector.
    """

    def run(case: str, solver: str, fn: Callable[[], Any], games: int) -> Any:
        if sizes.full:
            result = benchmark.pedantic(
                fn, rounds=sizes.rounds, iterations=1, warmup_rounds=WARMUP_ROUNDS
            )
            seconds = benchmark.stats["median"]
        else:  # the benchmark is disabled: pedantic calls fn once
            start = perf_counter()
            result = benchmark.pedantic(fn, rounds=1, iterations=1)
            seconds = perf_counter() - start
        us = seconds / games * 1e6
        benchmark.extra_info.update(case=case, solver=solver, games=games, us_per_game=us)
        figures.setdefault(case, {})[solver] = Figure(games, us)
        return result

    return run


@pytest.fixture
def measure_sweep(benchmark: Any, sizes: Sizes, pytestconfig: pytest.Config):
    """``measure_sweep(case, executor, fn, points)``: time a whole sweep of ``points`` points
    (full mode: the median of 3 rounds after one untimed, which warms the workers)."""
    sweeps = pytestconfig.stash.setdefault(_SWEEPS, {})

    def run(case: str, executor: str, fn: Callable[[], Any], points: int) -> Any:
        start = perf_counter()
        if sizes.full:
            result = benchmark.pedantic(fn, rounds=3, iterations=1, warmup_rounds=1)
            seconds = benchmark.stats["median"]
        else:
            result = benchmark.pedantic(fn, rounds=1, iterations=1)
            seconds = perf_counter() - start
        benchmark.extra_info.update(case=case, executor=executor, points=points, seconds=seconds)
        sweeps.setdefault(case, {})[executor] = (points, seconds)
        return result

    return run


def _sweep_summary(tr: Any, config: pytest.Config) -> None:
    sweeps = config.stash.get(_SWEEPS, None)
    if not sweeps:
        return
    full = not config.getoption("benchmark_disable")
    tr.section("sweep throughput (end to end: formulas, solver, measures, summary, output)")
    tr.write_line(f"{'case':<20} {'executor':<15} {'points':>10} {'seconds':>8} {'points/s':>11}")
    for case, rows in sweeps.items():
        for executor in (e for e in EXECUTORS if e in rows):
            points, seconds = rows[executor]
            speedup = ""
            if executor in SCALING and "1 process" in rows:
                ratio = rows["1 process"][1] / seconds
                speedup = f"  {ratio:.2f}x one process"
                if full:
                    target = SCALING[executor]
                    speedup += f" (target {target:g}x: {'met' if ratio >= target else 'NOT met'})"
            tr.write_line(
                f"{case:<20} {executor:<15} {points:>10,} {seconds:>8.2f} "
                f"{points / seconds:>11,.0f}{speedup}"
            )
        if full and case in SWEEP_RATES and "1 process" in rows:
            points, seconds = rows["1 process"]
            rate, target = points / seconds, SWEEP_RATES[case]
            verdict = "met" if rate >= target else "NOT met"
            tr.write_line(
                f"target {case}: >= {target:,.0f} points/s in process: {rate:,.0f}, {verdict}"
            )


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    _sweep_summary(terminalreporter, config)
    table = config.stash.get(_FIGURES, None)
    if not table:
        return
    full = not config.getoption("benchmark_disable")
    tr = terminalreporter
    tr.section("bargain per-game times and ratios (peer / bargain)")
    if not full:
        tr.write_line(
            "benchmark disabled (CI): one call each on small inputs; figures are "
            "indicative only, targets not checked"
        )
    tr.write_line(f"{'case':<12} {'solver':<10} {'games':>10} {'µs/game':>10} {'ratio':>9}")
    for case, row in table.items():
        base = row.get("bargain")
        for solver in sorted(row, key=lambda s: PEERS_ORDER.index(s)):
            fig = row[solver]
            ratio = ""
            if base is not None and solver != "bargain":
                ratio = f"{fig.us_per_game / base.us_per_game:8.1f}x"
            tr.write_line(
                f"{case:<12} {solver:<10} {fig.games:>10,} {fig.us_per_game:>10.3f} {ratio:>9}"
            )
    if not full:
        return
    for case, (peer, target) in TARGETS.items():
        row = table.get(case, {})
        if "bargain" in row and peer in row:
            ratio = row[peer].us_per_game / row["bargain"].us_per_game
            verdict = "met" if ratio >= target else "NOT met"
            tr.write_line(
                f"target {case}: >= {target:g}x faster than {peer} per game: "
                f"{ratio:.1f}x, {verdict}"
            )
    for case, target in RATES.items():
        if "bargain" in table.get(case, {}):
            rate = 1e6 / table[case]["bargain"].us_per_game
            verdict = "met" if rate >= target else "NOT met"
            tr.write_line(f"target {case}: >= {target:,.0f} points/s: {rate:,.0f}, {verdict}")
