"""The sweep runner: evaluate a model over a parameter space in chunks.

Chunks of points go through the batched solvers (so memory stays bounded
whatever the number of points), optionally on a process pool or a dask
cluster (any ``concurrent.futures.Executor``), with a progress bar, and each
finished chunk can be checkpointed so an interrupted sweep resumes where it
stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from bargain.errors import DegenerateGameWarning, ModelError, ParamError, did_you_mean, warn
from bargain.games import GameForm
from bargain.games.solution import Columns
from bargain.model import Model, as_model, check_rule
from bargain.spaces import Space, as_space
from bargain.version import __version__

from .checkpoint import Checkpoint
from .result import SweepResult, concat_columns

#: Points per chunk by default: bounded memory, few Python round trips.
DEFAULT_CHUNK = 1 << 16


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
    progress: bool = True,
    checkpoint: str | os.PathLike | None = None,
) -> SweepResult:
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
    progress : a tqdm bar on a terminal.
    checkpoint : a directory; finished chunks are saved there and a rerun
        resumes from them.
    """
    job = _Job.prepare(as_model(model), space, measures, select, fixed, scenario)
    size = int(chunk_size or DEFAULT_CHUNK)
    if size < 1:
        raise ParamError(f"chunk_size must be at least 1, got {chunk_size}")
    n_chunks = -(-len(job.space) // size)
    store = _checkpoint(checkpoint, job, size, n_chunks)
    tables = _resume(store, n_chunks)
    resumed = len(tables)
    todo = [c for c in range(n_chunks) if c not in tables]
    bar = tqdm(
        total=n_chunks,
        initial=resumed,
        unit="chunk",
        desc=f"sweep {job.model.name}",
        disable=not progress or not sys.stderr.isatty(),
    )
    try:
        for chunk, table in _run(job, todo, size, executor, workers):
            if store is not None:
                store.save(chunk, table)
            tables[chunk] = table
            bar.update()
    finally:
        bar.close()
    return _result(job, [tables[c] for c in range(n_chunks)], size, scenario, resumed)


def _checkpoint(
    path: str | os.PathLike | None, job: _Job, size: int, n_chunks: int
) -> Checkpoint | None:
    """The sweep's checkpoint directory, if one is asked for."""
    if path is None:
        return None
    manifest = {"points": len(job.space), "chunk_size": size, "chunks": n_chunks}
    return Checkpoint(path, job.fingerprint(size), {**manifest, "version": __version__})


def _resume(store: Checkpoint | None, n_chunks: int) -> dict[int, dict[str, Columns]]:
    """The chunks a checkpoint already holds."""
    if store is None:
        return {}
    return {chunk: store.load(chunk) for chunk in sorted(store.done()) if chunk < n_chunks}


def _result(
    job: _Job,
    ordered: list[dict[str, Columns]],
    size: int,
    scenario: str | None,
    resumed: int,
) -> SweepResult:
    """The chunks' tables joined into one result; a warning counts degenerate points."""
    for c, table in enumerate(ordered):
        table["rows"]["point"] = table["rows"]["point"] + c * size
    points = concat_columns([t["points"] for t in ordered])
    rows = points if job.select == "all" else concat_columns([t["rows"] for t in ordered])
    degenerate = int(np.count_nonzero(points["degenerate"]))
    if degenerate:
        warn(
            f"{degenerate} of {len(job.space)} points are degenerate games (see the "
            "'degenerate' column): their equilibria are verified but components may hold more",
            DegenerateGameWarning,
        )
    model = job.model
    return SweepResult(
        points,
        rows,
        swept=job.space.names,
        fixed=job.fixed,
        measures=job.keep,
        metadata={
            "model": model.name,
            "title": model.title,
            "citation": model.citation,
            "select": job.select,
            "scenario": scenario,
            "space": job.space.spec(),
            "version": __version__,
            "chunks": len(ordered),
            "chunks_resumed": resumed,
        },
    )


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

    def __call__(self, chunk: int, points: dict[str, np.ndarray]) -> tuple[int, dict[str, Columns]]:
        n = len(next(iter(points.values())))
        points = {**points, **{k: np.full(n, v) for k, v in self.fixed.items()}}
        table = self.model.evaluate(points, self.select)
        drop = set(self.model.measures.names) - set(self.keep)
        return chunk, {
            part: {k: v for k, v in cols.items() if k not in drop} for part, cols in table.items()
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
) -> Iterator[tuple[int, dict[str, Columns]]]:
    """Yield (chunk, table) as chunks finish, in-process or on an executor."""
    n = len(job.space)

    def points(chunk: int) -> dict[str, np.ndarray]:
        return job.space.points(chunk * size, min((chunk + 1) * size, n))

    if executor is None:
        for chunk in todo:
            yield job(chunk, points(chunk))
        return
    own = executor == "processes"
    if isinstance(executor, str) and not own:
        raise ModelError(f"executor must be None, 'processes' or an Executor, got {executor!r}")
    pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count()) if own else executor
    limit = 2 * (workers or os.cpu_count() or 1)  # chunks in flight: bounded memory
    queue = list(reversed(todo))
    pending: set[Future] = set()
    try:
        while queue or pending:
            while queue and len(pending) < limit:
                chunk = queue.pop()
                pending.add(pool.submit(job, chunk, points(chunk)))
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()
    finally:
        for future in pending:
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
    model: Model, names: Iterable[str] | None = None, **options: Any
) -> SweepResult:
    """Every named scenario of ``model`` (or those in ``names``) side by side.

    A sweep over the scenarios' parameter values with a ``scenario`` column
    naming each point; ``options`` go to :func:`sweep`.
    """
    space = model.scenario_space(names)
    result = sweep(model, space, progress=False, **options)
    result.points = {"scenario": np.asarray(space.labels, dtype=object), **result.points}
    return result
