"""The sweep runner: evaluate a model over a parameter space in chunks.

Chunks of points go through the batched solvers (so memory stays bounded
whatever the number of points), optionally on a process pool or a dask
cluster (any ``concurrent.futures.Executor``), with a progress bar. Each
finished chunk can be checkpointed, so an interrupted sweep resumes where it
stopped, and the chunks' tables are handed on in order to a sink
(:mod:`.output`): kept for a result in memory, or streamed to a file so that
memory does not grow with the number of points.

A worker is sent the sweep once (model, space, settings: a few kilobytes,
unpickled once per worker process and kept) and then only chunk numbers: it
builds the chunk's points from the space itself, solves them, keeps the
columns asked for, saves the chunk to the checkpoint and, for a streamed
sweep, writes the chunk in the file's format beside the file; otherwise it
sends the columns back with labels coded (:mod:`.packing`). Little crosses
between processes, so more workers pay even on 2x2 games.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from bargain.checks import memory_needed
from bargain.errors import (
    BargainError,
    DegenerateGameWarning,
    ModelError,
    ParamError,
    did_you_mean,
    warn,
)
from bargain.frames import check_columns
from bargain.games import GameForm
from bargain.games.solution import Columns
from bargain.model import Model, as_model, check_rule
from bargain.spaces import Space, as_space
from bargain.version import __version__

from .checkpoint import Checkpoint
from .output import ChunkWriter, Collect, Part, Stream, SweepFile
from .packing import pack, unpack
from .result import SweepResult

#: Points per chunk by default: bounded memory, few Python round trips.
DEFAULT_CHUNK = 1 << 17
#: Points solved to measure how much memory a result needs per point.
PROBE_POINTS = 256
#: Times a process pool whose worker died is started again before the sweep gives up.
RESTARTS = 3

Table = dict[str, Columns]
#: Sweeps a worker process keeps, unpickled, for the chunks still to come.
KEPT_JOBS = 4


def sweep(
    model: Model | GameForm,
    space: Space | Mapping[str, Any],
    measures: Mapping[str, Any] | Iterable[str] | None = None,
    *,
    select: str | None = None,
    fixed: Mapping[str, float] | None = None,
    scenario: str | None = None,
    executor: Executor | str | Any | None = None,
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
        "max-joint", "payoff-dominant", "risk-dominant", "logit" or "all" (default:
        the model's own, "unique" unless its file says otherwise).
    fixed : values of parameters that are not swept (others keep defaults).
    scenario : a named scenario of the model giving the values of the parameters
        that are neither swept nor in ``fixed``.
    executor : None (in this process), "processes" (a local process pool of
        ``workers`` processes), any ``concurrent.futures.Executor`` (keep one
        ``ProcessPoolExecutor`` for several sweeps: its workers stay warm) or a
        dask ``distributed.Client`` (see the how-to on dask clusters).
    workers : processes of the "processes" pool (default: one per core); with
        another executor, how many workers it has (for the number of chunks in
        flight; default: the client's threads, or one per core).
    chunk_size : points per chunk (default 131,072).
    progress : show a progress bar (:mod:`tqdm.auto`): a widget in a notebook, text on
        standard error elsewhere.
    checkpoint : a directory; finished chunks are saved there and a rerun
        resumes from them. Workers save their own chunks: on a cluster it must be
        a folder they share.
    output : a file (Parquet for ``.parquet``, else CSV): the per-point table
        is streamed there chunk by chunk and a
        :class:`~bargain.sweeps.output.SweepFile` returned instead of a result
        in memory (for sweeps too large to hold). Workers write their chunks
        beside it: on a cluster it must be in a folder they share.
    columns : the per-point columns to keep (default: all). A result in memory
        always keeps the swept parameters, and keeps no per-equilibrium rows when
        columns are chosen.

    Returns
    -------
    SweepResult, or SweepFile with ``output``.
    """
    job = _Job.prepare(as_model(model), space, measures, select, fixed, scenario)
    if columns is not None and output is None:  # a result keeps its swept parameters
        columns = [*dict.fromkeys([*job.space.names, *columns])]
    job = job.keeping(columns, rows=output is None and columns is None)
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
    plan = _Plan(job, size, store, sink if isinstance(sink, Stream) else None)
    computed = _run(plan, todo, executor, workers)
    try:
        for chunk in range(n_chunks):
            done = _next(chunk, saved, plan, computed)
            if isinstance(done, Part):
                sink.add_part(done)
            else:
                sink.add(done.table, done.degenerate, chunk * size)
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
    chunk: int, saved: set[int], plan: _Plan, computed: Iterator[tuple[int, Chunk | Part]]
) -> Chunk | Part:
    """What ``chunk`` gives the sink: from the checkpoint, or the next one computed."""
    if chunk in saved and plan.store is not None:
        table = plan.store.load(chunk)
        if table is not None:
            return Chunk(table, _count_degenerate(table))
        return plan.compute(chunk)  # it failed its check: compute it again (and save it)
    done, result = next(computed)
    assert done == chunk, (done, chunk)  # _run yields in order
    return result


class Chunk(NamedTuple):
    """A computed chunk: its tables and how many of its points are degenerate."""

    table: Table
    degenerate: int


def _count_degenerate(table: Table) -> int:
    return int(np.count_nonzero(table["points"].get("degenerate", 0)))


def _check_memory(job: _Job, n: int) -> None:
    """Refuse, before computing, a result that would not fit in memory.

    The bytes per point are measured on a few points (columns and the text of
    labels) and counted three times: the result, its DataFrame, a copy.
    """
    if n <= PROBE_POINTS * 64:
        return
    probe = job.table(job.space.points(0, PROBE_POINTS)).table
    used = sum(_nbytes(column) for part in probe.values() for column in part.values())
    if job.select == "all" and job.rows:
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
    """What a worker needs to evaluate chunks of points (picklable): the model, the
    space, the fixed values, the selection rule, the measures kept, and the per-point
    ``columns`` kept (None: all) and whether per-equilibrium ``rows`` are."""

    def __init__(
        self,
        model: Model,
        space: Space,
        fixed: dict[str, float],
        select: str,
        keep: list[str],
        columns: list[str] | None = None,
        rows: bool = True,
    ) -> None:
        self.model, self.space, self.fixed = model, space, fixed
        self.select, self.keep = select, keep
        self.columns, self.rows = columns, rows

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

    def keeping(self, columns: Sequence[str] | None, rows: bool) -> _Job:
        """The job keeping only these per-point columns (checked against a probe's), and
        the per-equilibrium rows only if ``rows``."""
        if columns is not None:
            probe = self.table(self.space.points(0, 1)).table["points"]
            known = [*self.model.params.names, *probe]
            check_columns(pd.DataFrame(columns=list(dict.fromkeys(known))), list(columns))
            columns = list(columns)
        return _Job(self.model, self.space, self.fixed, self.select, self.keep, columns, rows)

    def points(self, chunk: int, size: int) -> dict[str, np.ndarray]:
        """The swept values of the points of ``chunk``."""
        return self.space.points(chunk * size, min((chunk + 1) * size, len(self.space)))

    def table(self, points: dict[str, np.ndarray]) -> Chunk:
        """The tables of these points: the model evaluated, reduced to what is kept."""
        n = len(next(iter(points.values())))
        points = {**points, **{k: np.full(n, v) for k, v in self.fixed.items()}}
        wanted = [*self.keep, "regime", "equilibria"]
        if self.columns is not None:
            wanted = [name for name in wanted if name in self.columns]
        table = self.model.evaluate(points, self.select, self.rows, wanted)
        degenerate = _count_degenerate(table)
        drop = set(self.model.measures.names) - set(self.keep)
        out = {
            part: {k: v for k, v in cols.items() if k not in drop} for part, cols in table.items()
        }
        if self.columns is not None:
            out["points"] = {k: v for k, v in out["points"].items() if k in self.columns}
        if not self.rows:
            out.pop("rows", None)
        return Chunk(out, degenerate)

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
            "columns": self.columns,
            "rows": self.rows,
            "chunk_size": size,
        }
        text = json.dumps(spec, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


class _Plan:
    """How each chunk is computed, here or in a worker: the job, the chunk size, the
    checkpoint (saved by whoever computes the chunk) and, for a streamed sweep, the
    stream whose chunks workers write beside it in its format."""

    def __init__(self, job: _Job, size: int, store: Checkpoint | None, stream: Stream | None):
        self.job, self.size, self.store, self.stream = job, size, store, stream
        self.key = job.fingerprint(size)

    def compute(self, chunk: int) -> Chunk:
        """Compute a chunk in this process (and save it to the checkpoint)."""
        done = self.job.table(self.job.points(chunk, self.size))
        if self.store is not None:
            self.store.save(chunk, done.table)
        return done

    def task(self) -> _Task:
        """What is sent to a worker with each chunk number."""
        parts = self.stream.part_writer() if self.stream is not None else None
        return _Task(self.key, pickle.dumps(self.job), self.size, self.store, parts)


class _Task(NamedTuple):
    """A sweep as a worker receives it: ``blob`` is unpickled once per worker process."""

    key: str
    blob: bytes
    size: int
    store: Checkpoint | None
    parts: ChunkWriter | None


_JOBS: dict[str, _Job] = {}


def _work(task: _Task, chunk: int) -> tuple[int, Chunk | Part]:
    """Compute one chunk in a worker: save it to the checkpoint, then write it beside the
    streamed file or send its columns back packed."""
    job = _JOBS.get(task.key)
    if job is None:
        job = pickle.loads(task.blob)
        while len(_JOBS) >= KEPT_JOBS:
            _JOBS.pop(next(iter(_JOBS)))
        _JOBS[task.key] = job
    done = job.table(job.points(chunk, task.size))
    if task.store is not None:
        task.store.save(chunk, done.table)
    if task.parts is not None:
        return chunk, task.parts.part(chunk, done.table["points"], done.degenerate)
    return chunk, Chunk({part: pack(cols) for part, cols in done.table.items()}, done.degenerate)


def _executor(executor: Executor | str | Any, workers: int | None) -> tuple[Executor, int, bool]:
    """The executor to use, how many workers it has, and whether this sweep owns it."""
    if executor == "processes":
        n = workers or os.cpu_count() or 1
        return ProcessPoolExecutor(max_workers=n), n, True
    if isinstance(executor, str):
        raise ModelError(
            f"executor must be None, 'processes', an Executor or a dask Client, got {executor!r}"
        )
    if hasattr(executor, "get_executor") and hasattr(executor, "nthreads"):  # a dask Client
        n = workers or sum(executor.nthreads().values()) or 1
        return executor.get_executor(pure=False), n, False  # a chunk run again runs again
    return executor, workers or os.cpu_count() or 1, False


def _run(
    plan: _Plan, todo: list[int], executor: Executor | str | Any | None, workers: int | None
) -> Iterator[tuple[int, Chunk | Part]]:
    """Yield (chunk, what it gave) for the chunks of ``todo`` in order, computed in this
    process or on an executor."""
    if executor is None:
        for chunk in todo:
            yield chunk, plan.compute(chunk)
        return
    pool, n_workers, own = _executor(executor, workers)
    limit = 2 * n_workers  # chunks in flight or waiting for their turn: bounded memory
    task, restarts = plan.task(), 0
    queue = list(reversed(todo))
    running: dict[Future, int] = {}
    finished: dict[int, Chunk | Part] = {}
    try:
        for chunk in todo:
            while chunk not in finished:
                while queue and len(running) + len(finished) < limit:
                    c = queue.pop()
                    running[pool.submit(_work, task, c)] = c
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                try:
                    for future in done:
                        c, result = future.result()
                        del running[future]
                        if isinstance(result, Chunk):
                            table = {part: unpack(cols) for part, cols in result.table.items()}
                            result = Chunk(table, result.degenerate)
                        finished[c] = result
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
                    pool, n_workers, own = _executor("processes", n_workers)
                    restarts += 1
            yield chunk, finished.pop(chunk)
    finally:  # chunks not started are dropped; those running finish (and save) first
        wait([future for future in running if not future.cancel()])
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
