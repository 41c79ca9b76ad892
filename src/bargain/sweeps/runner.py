"""The sweep runner: evaluate a model over a parameter space in chunks.

Chunks of points go through the batched solvers (so memory stays bounded
whatever the number of points), optionally on a process pool or a dask
cluster (any ``concurrent.futures.Executor``), with a progress bar. Each
finished chunk can be checkpointed, so an interrupted sweep resumes where it
stopped, and the chunks' tables are handed on in order to a sink
(:mod:`.output`): kept for a result in memory, or streamed to a file so that
memory does not grow with the number of points.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np

from bargain.checks import memory_needed
from bargain.errors import (
    BargainError,
    DegenerateGameWarning,
    ModelError,
    ParamError,
    did_you_mean,
    warn,
)
from bargain.games import GameForm
from bargain.games.solution import Columns
from bargain.model import Model, as_model, check_rule
from bargain.spaces import Space, as_space
from bargain.version import __version__

from .checkpoint import Checkpoint
from .output import Collect, Stream, SweepFile
from .result import SweepResult

#: Points per chunk by default: bounded memory, few Python round trips.
DEFAULT_CHUNK = 1 << 16
#: Points solved to measure how much memory a result needs per point.
PROBE_POINTS = 256
#: Times a process pool whose worker died is started again before the sweep gives up.
RESTARTS = 3

Table = dict[str, Columns]


def sweep(
    model: Model | GameForm,
    space: Space | Mapping[str, Any],
    measures: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    select: str | None = None,
    fixed: Mapping[str, float] | None = None,
    scenario: str | None = None,
    executor: Executor | str | None = None,
    workers: int | None = None,
    chunk_size: int | None = None,
    progress: bool = False,
    checkpoint: str | os.PathLike | None = None,
    output: str | os.PathLike | None = None,
    columns: Sequence[str] | None = None,
) -> SweepResult | SweepFile:
    """Solve ``model`` at every point of ``space`` and tabulate its measures.

    Parameters
    ----------
    model : a :class:`~bargain.model.Model` or a game (built-in measures only).
    space : a space from :mod:`bargain.spaces`, or a mapping name -> values
        taken as a full grid.
    measures : extra measures (name -> formula), or the names of the
        measures to keep (default: all).
    select : equilibrium selection for the per-point table: "unique",
        "max-joint", "payoff-dominant", "risk-dominant" or "all" (default:
        the model's own, "unique" unless its file says otherwise).
    fixed : values of parameters that are not swept (others keep defaults).
    scenario : a named scenario of the model giving the values of the parameters
        that are neither swept nor in ``fixed``.
    executor : None (in this process), "processes" (a local process pool of
        ``workers`` processes) or any ``concurrent.futures.Executor``, e.g. a
        dask ``Client.get_executor()``.
    chunk_size : points per chunk (default 65,536).
    progress : show a progress bar (:mod:`tqdm.auto`): a widget in a notebook, text on
        standard error elsewhere.
    checkpoint : a directory; finished chunks are saved there and a rerun
        resumes from them.
    output : a file (Parquet for ``.parquet``, else CSV): the per-point table
        is streamed there chunk by chunk and a
        :class:`~bargain.sweeps.output.SweepFile` returned instead of a result
        in memory (for sweeps too large to hold).
    columns : with ``output``, the columns to write (default: all).

    Returns
    -------
    SweepResult, or SweepFile with ``output``.
    """
    job = _Job.prepare(as_model(model), space, measures, select, fixed, scenario)
    size = int(chunk_size or DEFAULT_CHUNK)
    if size < 1:
        raise ParamError(f"chunk_size must be at least 1, got {chunk_size}")
    n, n_chunks = len(job.space), -(-len(job.space) // size)
    if output is None:
        _check_memory(job, n)
    store = _checkpoint(checkpoint, job, size, n_chunks)
    saved = store.done() if store is not None else set()
    todo = [c for c in range(n_chunks) if c not in saved]
    sink = Collect(job.select) if output is None else Stream(output, job.info(0, 0), n, columns)
    bar = _progress_bar(
        progress, total=n_chunks, initial=len(saved), desc=f"sweep {job.model.name}"
    )
    computed = _run(job, todo, size, executor, workers, store.save if store else None)
    try:
        for chunk in range(n_chunks):
            table = _next(chunk, saved, store, computed, job, size)
            sink.add(table, chunk * size)
            bar.update(chunk not in saved)
    except BaseException as error:
        sink.abort()  # a file being streamed is dropped: the previous one stays
        if isinstance(error, MemoryError):
            raise BargainError(
                f"out of memory during the sweep of {n:,} points: give it "
                "output='sweep.csv' (streamed to a file) or a smaller chunk_size"
            ) from None
        raise
    finally:
        computed.close()
        bar.close()
    if sink.degenerate:
        warn(
            f"{sink.degenerate} of {n} points are degenerate games (see the "
            "'degenerate' column): their equilibria are verified but components may hold more",
            DegenerateGameWarning,
        )
    if isinstance(sink, Stream):
        return sink.finish()
    return sink.result(**job.info(n_chunks, len(saved), scenario))


def _progress_bar(show: bool, **options: Any) -> Any:
    """A tqdm bar of chunks, or a disabled one. tqdm is imported only to show one: in a
    notebook without ipywidgets, ``tqdm.auto`` warns when imported."""
    if not show:
        from tqdm import tqdm

        return tqdm(disable=True)
    from tqdm.auto import tqdm

    return tqdm(unit="chunk", **options)


def _next(
    chunk: int,
    saved: set[int],
    store: Checkpoint | None,
    computed: Iterator[tuple[int, Table]],
    job: _Job,
    size: int,
) -> Table:
    """The table of ``chunk``: from the checkpoint, or the next one computed."""
    if chunk in saved and store is not None:
        table = store.load(chunk)
        if table is not None:
            return table
        table = job(chunk, job.points(chunk, size))[1]  # it failed its check: compute it again
        store.save(chunk, table)
        return table
    done, table = next(computed)
    assert done == chunk, (done, chunk)  # _run yields in order
    return table


def _check_memory(job: _Job, n: int) -> None:
    """Refuse, before computing, a result that would not fit in memory.

    The bytes per point are measured on a few points (columns and the text of
    labels) and counted three times: the result, its DataFrame, a copy.
    """
    if n <= PROBE_POINTS * 64:
        return
    probe = job(0, job.space.points(0, PROBE_POINTS))[1]
    used = sum(_nbytes(column) for part in probe.values() for column in part.values())
    if job.select == "all":
        used //= 2  # the per-point table is the per-row one
    memory_needed(
        3 * used * n // PROBE_POINTS,
        f"a result of {n:,} points in memory",
        "stream it to a file instead: sweep(..., output='sweep.csv') or "
        "bargain sweep ... -o sweep.csv",
    )


def _nbytes(column: np.ndarray) -> int:
    if column.dtype != object:
        return column.nbytes
    return column.nbytes + sum(sys.getsizeof(v) for v in column[:64]) * len(column) // max(
        1, min(64, len(column))
    )


def _checkpoint(
    path: str | os.PathLike | None, job: _Job, size: int, n_chunks: int
) -> Checkpoint | None:
    """The sweep's checkpoint directory, if one is asked for."""
    if path is None:
        return None
    manifest = {"points": len(job.space), "chunk_size": size, "chunks": n_chunks}
    return Checkpoint(path, job.fingerprint(size), {**manifest, "version": __version__})


class _Job:
    """What a worker needs to evaluate chunks of points (picklable)."""

    def __init__(
        self, model: Model, space: Space, fixed: dict[str, float], select: str, keep: list[str]
    ) -> None:
        self.model, self.space, self.fixed = model, space, fixed
        self.select, self.keep = select, keep

    @classmethod
    def prepare(
        cls,
        model: Model,
        space: Space | Mapping[str, Any],
        measures: Mapping[str, Any] | Iterable[str] | None,
        select: str | None,
        fixed: Mapping[str, float] | None,
        scenario: str | None,
    ) -> _Job:
        """Check everything before computing: measures, space, selection, fixed values."""
        select = check_rule(select or model.select, model.game)
        if isinstance(measures, Mapping):
            model = model.with_measures(measures)
            keep = list(model.measures.names)
        else:
            keep = _keep(model, measures)
        space = as_space(space)
        preset = {k: v for k, v in model.scenario(scenario).items() if k not in space.names}
        return cls(model, space, _fixed(model, space, {**preset, **(fixed or {})}), select, keep)

    def points(self, chunk: int, size: int) -> dict[str, np.ndarray]:
        """The swept values of the points of ``chunk``."""
        return self.space.points(chunk * size, min((chunk + 1) * size, len(self.space)))

    def __call__(self, chunk: int, points: dict[str, np.ndarray]) -> tuple[int, Table]:
        n = len(next(iter(points.values())))
        points = {**points, **{k: np.full(n, v) for k, v in self.fixed.items()}}
        table = self.model.evaluate(points, self.select)
        drop = set(self.model.measures.names) - set(self.keep)
        return chunk, {
            part: {k: v for k, v in cols.items() if k not in drop} for part, cols in table.items()
        }

    def info(self, chunks: int, resumed: int, scenario: str | None = None) -> dict[str, Any]:
        """What a result says about the sweep besides its columns."""
        model = self.model
        metadata = {
            **model.provenance(),
            "select": self.select,
            "scenario": scenario,
            "space": self.space.spec(),
            "version": __version__,
            "chunks": chunks,
            "chunks_resumed": resumed,
        }
        return {
            "swept": self.space.names,
            "fixed": self.fixed,
            "measures": self.keep,
            "metadata": metadata,
        }

    def fingerprint(self, size: int) -> str:
        spec = {
            "model": self.model.spec(),
            "space": self.space.spec(),
            "fixed": self.fixed,
            "select": self.select,
            "keep": self.keep,
            "chunk_size": size,
        }
        text = json.dumps(spec, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _run(
    job: _Job,
    todo: list[int],
    size: int,
    executor: Executor | str | None,
    workers: int | None,
    save: Callable[[int, Table], None] | None,
) -> Iterator[tuple[int, Table]]:
    """Yield (chunk, table) for the chunks of ``todo`` in order, computed in this process
    or on an executor; ``save`` (a checkpoint) gets each one as soon as it finishes."""
    if executor is None:
        for chunk in todo:
            done = job(chunk, job.points(chunk, size))
            if save is not None:
                save(*done)
            yield done
        return
    own = executor == "processes"
    if isinstance(executor, str) and not own:
        raise ModelError(f"executor must be None, 'processes' or an Executor, got {executor!r}")
    n_workers = workers or os.cpu_count() or 1
    limit = 2 * n_workers  # chunks in flight or waiting for their turn: bounded memory

    def start() -> Executor:
        return ProcessPoolExecutor(max_workers=n_workers) if own else executor

    pool, restarts = start(), 0
    queue = list(reversed(todo))
    running: dict[Future, int] = {}
    finished: dict[int, Table] = {}
    try:
        for chunk in todo:
            while chunk not in finished:
                while queue and len(running) + len(finished) < limit:
                    c = queue.pop()
                    running[pool.submit(job, c, job.points(c, size))] = c
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                try:
                    for future in done:
                        c, table = future.result()
                        del running[future]
                        if save is not None:
                            save(c, table)
                        finished[c] = table
                except BrokenProcessPool:
                    if not own or restarts == RESTARTS:
                        raise BargainError(
                            f"a worker process died {restarts + 1} times (out of memory? killed?)"
                            "; run with fewer workers or a smaller chunk_size, and resume from "
                            "the checkpoint"
                        ) from None
                    queue.extend(sorted(running.values(), reverse=True))  # computed again
                    running.clear()
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool, restarts = start(), restarts + 1
            yield chunk, finished.pop(chunk)
    finally:
        for future in running:
            future.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def _keep(model: Model, measures: Iterable[str] | None) -> list[str]:
    names = list(model.measures.names)
    if measures is None:
        return names
    keep = list(measures)
    for name in keep:
        if name not in names:
            raise ModelError(
                f"unknown measure {name!r}{did_you_mean(name, names)}; measures: {', '.join(names)}"
            )
    return keep


def _fixed(model: Model, space: Space, fixed: Mapping[str, float]) -> dict[str, float]:
    """The values of the parameters that are not swept, checked against the space."""
    space.validate(model.params)
    both = sorted(set(fixed) & set(space.names))
    if both:
        raise ParamError(f"parameters {both} are both swept and fixed")
    bound = model.params.bind(**fixed)
    return {k: bound[k] for k in model.params.names if k not in space.names}


def compare_scenarios(
    model: Model, names: Iterable[str] | None = None, baseline: bool = True, **options: Any
) -> SweepResult:
    """Every named scenario of ``model`` (or those in ``names``) side by side.

    A sweep over the scenarios' parameter values with a ``scenario`` column
    naming each point, the first row (``defaults``) at the model's defaults
    unless ``baseline=False``; ``options`` go to :func:`sweep`.
    """
    space = model.scenario_space(names, baseline=baseline)
    result = sweep(model, space, progress=False, **options)
    result.points = {"scenario": np.asarray(space.labels, dtype=object), **result.points}
    return result
