"""Sweeps end to end: throughput in this process and on 2 worker processes.

* 2x2: the escalation game of the normal-form benchmark with a user measure,
  over a 1000 x 1000 grid (formulas, solver, measures, per-point summary).
* tree: the three-stage interim-deal tree of the tree benchmark over 100,000
  random points, with outcome sets as measures.

The summary prints points per second and the scaling from 1 to 2 workers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bargain import Model, grid, sweep
from bargain.spaces import random_sample
from tests.benchmarks.test_bench_tree import PARAMS, deal_tree
from tests.benchmarks.test_normal_form import escalation_game


@pytest.fixture(scope="module")
def two_by_two() -> Model:
    return Model(escalation_game(), {"gap": "u_West - u_Rival"}, name="escalation-bench")


@pytest.fixture(scope="module")
def tree_model() -> Model:
    outcomes = {"deal": ["deal", "snapback", "windfall"], "war": ["snapback"]}
    return Model(deal_tree(), outcomes=outcomes, name="interim-bench")


def run(model, space, workers: int):
    executor = None if workers == 1 else "processes"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sweep(
            model,
            space,
            executor=executor,
            workers=workers,
            progress=False,
            chunk_size=max(1, len(space) // 8),
        )


@pytest.mark.parametrize("workers", [1, 2])
def test_sweep_2x2(measure_sweep, two_by_two, sizes, workers):
    side = sizes.sweep_side
    space = grid(s=(np.arange(side) + 0.5) / side, c=(np.arange(side) + 0.5) / side)
    result = measure_sweep(
        "sweep 2x2", workers, lambda: run(two_by_two, space, workers), len(space)
    )
    assert len(result) == side * side
    assert set(result.to_frame()["n_equilibria"].unique()) == {1, 3}


@pytest.mark.parametrize("workers", [1, 2])
def test_sweep_tree(measure_sweep, tree_model, sizes, workers):
    ranges = {p.name: (p.low, p.high) for p in PARAMS}
    space = random_sample(ranges, n=sizes.sweep_tree, seed=7)
    result = measure_sweep(
        "sweep tree", workers, lambda: run(tree_model, space, workers), len(space)
    )
    frame = result.to_frame()
    assert len(frame) == sizes.sweep_tree
    assert 0 < frame["deal"].mean() < 1
