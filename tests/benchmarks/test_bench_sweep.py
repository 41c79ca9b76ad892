"""Sweeps end to end, streamed to a file: in this process, on 2 worker processes and on a
dask LocalCluster of 2 workers.

* 2x2: the escalation game of the normal-form benchmark with a user measure over a
  4000 x 2500 grid (10,000,000 points; formulas, solver, measures, per-point summary,
  every column streamed to CSV and to Parquet).
* tree: the three-stage interim-deal tree of the tree benchmark over 1,000,000 random
  points, with outcome sets as measures, streamed to CSV.

The pools are started once and warmed (an untimed round) before the timed rounds, as a
user keeping a pool or a cluster for several sweeps has them. The summary prints points
per second and each executor's speed-up over one process.
"""

from __future__ import annotations

import warnings
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
import pytest

from bargain import Model, grid, sweep
from bargain.spaces import random_sample
from tests.benchmarks.test_bench_tree import PARAMS, deal_tree
from tests.benchmarks.test_normal_form import escalation_game

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def two_by_two() -> Model:
    return Model(escalation_game(), {"gap": "u_West - u_Rival"}, name="escalation-bench")


@pytest.fixture(scope="module")
def tree_model() -> Model:
    outcomes = {"deal": ["deal", "snapback", "windfall"], "war": ["snapback"]}
    return Model(deal_tree(), outcomes=outcomes, name="interim-bench")


@pytest.fixture(scope="module")
def executors():
    """executor name -> what ``sweep`` is given: nothing, a process pool, a dask client."""
    with (
        ProcessPoolExecutor(2) as pool,
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield {"1 process": None, "2 processes": pool, "dask 2 workers": client}


def run(model, space, executor, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sweep(model, space, executor=executor, chunk_size=len(space) // 64, output=path)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
@pytest.mark.parametrize("name", ["1 process", "2 processes", "dask 2 workers"])
def test_sweep_2x2(measure_sweep, executors, two_by_two, sizes, tmp_path, name, fmt):
    rows, columns = sizes.sweep_grid
    space = grid(s=(np.arange(rows) + 0.5) / rows, c=(np.arange(columns) + 0.5) / columns)
    path = tmp_path / f"sweep.{fmt}"
    out = measure_sweep(
        f"sweep 2x2 {fmt}",
        name,
        lambda: run(two_by_two, space, executors[name], path),
        len(space),
    )
    assert len(out) == rows * columns
    if not sizes.full:
        frame = out.to_frame()
        assert len(frame) == rows * columns
        assert set(frame["n_equilibria"].unique()) == {1, 3}


@pytest.mark.parametrize("name", ["1 process", "2 processes", "dask 2 workers"])
def test_sweep_tree(measure_sweep, executors, tree_model, sizes, tmp_path, name):
    ranges = {p.name: (p.low, p.high) for p in PARAMS}
    space = random_sample(ranges, n=sizes.sweep_tree, seed=7)
    path = tmp_path / "sweep.csv"
    out = measure_sweep(
        "sweep tree csv", name, lambda: run(tree_model, space, executors[name], path), len(space)
    )
    assert len(out) == sizes.sweep_tree
    if not sizes.full:
        frame = pd.read_csv(path)
        assert len(frame) == sizes.sweep_tree
        assert 0 < frame["deal"].mean() < 1
