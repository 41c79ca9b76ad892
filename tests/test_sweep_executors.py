"""Sweeps on workers: the same results in process, on a process pool and on a dask cluster,
whatever the chunk size; streamed files written by the workers; checkpoints kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from bargain import BargainError
from bargain.cli import main
from bargain.spaces import Grid, grid, latin_hypercube, linspace
from bargain.sweeps import sweep
from tests.test_sweep import deal_model, escalation_model

ROOT = Path(__file__).parents[1]
distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2) as executor:
        yield executor


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as local:
        yield local


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as connected:
        yield connected


@pytest.fixture
def executors(pool, client):
    """name -> executor: in this process, a warm process pool, a dask client, and the dask
    client's concurrent.futures executor."""
    return {"here": None, "pool": pool, "dask": client, "dask-executor": client.get_executor()}


def spaces():
    return {
        "tree": (deal_model(), grid(relief=linspace(0, 1, 9), detect=linspace(0.05, 0.95, 9))),
        "2x2": (escalation_model(), latin_hypercube({"bite": (0, 3), "clash": (0.1, 5)}, 150, 3)),
    }


@pytest.mark.parametrize("case", ["tree", "2x2"])
def test_results_are_identical_across_executors_and_chunk_sizes(executors, case):
    model, space = spaces()[case]
    reference = sweep(model, space, chunk_size=len(space))
    for name, executor in executors.items():
        for size in (7, 64):
            result = sweep(model, space, executor=executor, chunk_size=size, workers=2)
            where = f"{name}, chunks of {size}"
            pd.testing.assert_frame_equal(result.to_frame(), reference.to_frame(), obj=where)
            long = result.to_frame(long=True)
            pd.testing.assert_frame_equal(long, reference.to_frame(long=True), obj=where)
            assert result.metadata["chunks"] == -(-len(space) // size)


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_streamed_files_are_identical_across_executors_and_chunk_sizes(executors, tmp_path, suffix):
    model, space = spaces()["tree"]
    files = {}
    for name, executor in executors.items():
        for size in (5, 81):
            path = tmp_path / f"{name}-{size}.{suffix}"
            out = sweep(model, space, executor=executor, chunk_size=size, output=path)
            assert len(out) == len(space)
            files[name, size] = path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [p.name for p in files.values()] + [f"{p.name}.meta.json" for p in files.values()]
        if suffix == "csv"
        else [p.name for p in files.values()]
    )  # no part files left behind
    first = files["here", 81]
    if suffix == "csv":
        for path in files.values():
            assert path.read_bytes() == first.read_bytes(), path.name
        frame = pd.read_csv(first)
    else:
        frame = pd.read_parquet(first)
        for path in files.values():
            pd.testing.assert_frame_equal(pd.read_parquet(path), frame, obj=path.name)
    memory = sweep(model, space).to_frame()
    assert list(frame.columns) == list(memory.columns)
    pd.testing.assert_frame_equal(frame, memory, check_dtype=False)


def test_columns_keep_only_what_is_asked(executors, tmp_path):
    model, space = spaces()["tree"]
    full = sweep(model, space).to_frame()
    for executor in executors.values():
        kept = sweep(model, space, columns=["regime", "deal"], executor=executor, chunk_size=10)
        frame = kept.to_frame()
        assert list(frame.columns) == ["relief", "detect", "deal", "regime"]
        pd.testing.assert_frame_equal(frame, full[frame.columns])
        with pytest.raises(BargainError, match="only some per-point columns"):
            kept.to_frame(long=True)
        out = sweep(
            model, space, columns=["deal", "relief"], executor=executor, output=tmp_path / "a.csv"
        )
        assert list(out.to_frame().columns) == ["deal", "relief"]
    with pytest.raises(BargainError, match="unknown column 'dael'"):
        sweep(model, space, columns=["dael"])


class FlakyGrid(Grid):
    """A grid whose points fail while a marker file exists, at the chunk holding ``fail_at``
    (a worker interrupted there); otherwise the same grid, with the same fingerprint."""

    def __init__(self, axes, marker: Path, fail_at: int) -> None:
        super().__init__(axes)
        self.marker, self.fail_at = marker, fail_at

    def _points(self, start: int, stop: int) -> dict[str, np.ndarray]:
        if start <= self.fail_at < stop and self.marker.exists():
            raise RuntimeError("worker interrupted")
        return super()._points(start, stop)


@pytest.mark.parametrize("name", ["here", "pool", "dask"])
@pytest.mark.parametrize("streamed", [False, True])
def test_an_interrupted_sweep_resumes_from_its_checkpoint_with_every_executor(
    executors, tmp_path, name, streamed
):
    model = deal_model()
    marker = tmp_path / "fail"
    marker.touch()
    axes = {"relief": linspace(0, 1, 12), "detect": linspace(0.05, 0.95, 5)}
    space = FlakyGrid(grid(axes).axes, marker, fail_at=45)
    options = {
        "executor": executors[name],
        "chunk_size": 6,
        "checkpoint": tmp_path / "ckpt",
        "output": tmp_path / "out.csv" if streamed else None,
    }
    with pytest.raises(RuntimeError, match="worker interrupted"):
        sweep(model, space, **options)
    if name == "dask":  # a cancelled dask task that was running finishes (and saves) later
        time.sleep(1)
    saved = len(list((tmp_path / "ckpt").glob("chunk-*.npz")))
    assert 1 <= saved < 10
    assert not (tmp_path / "out.csv").exists()
    marker.unlink()
    resumed = sweep(model, space, **options)
    frame = resumed.to_frame()
    if not streamed:
        assert resumed.metadata["chunks_resumed"] == saved
    assert len(list((tmp_path / "ckpt").glob("chunk-*.npz"))) == 10
    fresh = sweep(model, grid(axes))
    pd.testing.assert_frame_equal(frame, fresh.to_frame(), check_dtype=not streamed)


SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from concurrent.futures import ProcessPoolExecutor
from bargain.spaces import grid, linspace
from bargain.sweeps import sweep
from tests.test_sweep import escalation_model
with ProcessPoolExecutor(2) as pool:
    sweep(escalation_model(), grid(bite=linspace(0, 3, 400), clash=linspace(0.1, 5, 1000)),
          chunk_size=5000, checkpoint={path!r}, executor=pool, output={out!r})
"""


@pytest.mark.filterwarnings("ignore::bargain.DegenerateGameWarning")  # ties on grid lines
def test_a_killed_parallel_sweep_loses_nothing(tmp_path):
    """The sweep and its workers killed at once (as a job scheduler does) resume without
    computing a saved chunk again, and the streamed file is whole."""
    path, out = tmp_path / "ckpt", tmp_path / "sweep.csv"
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(SCRIPT.format(root=str(ROOT), path=str(path), out=str(out))))
    process = subprocess.Popen([sys.executable, str(script)], start_new_session=True)
    deadline = time.time() + 120
    while len(list(path.glob("chunk-*.npz"))) < 4 and time.time() < deadline:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.01)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    saved = len(list(path.glob("chunk-*.npz")))
    assert 4 <= saved < 80
    assert not out.exists()
    space = grid(bite=linspace(0, 3, 400), clash=linspace(0.1, 5, 1000))
    with ProcessPoolExecutor(2) as pool:
        sweep(
            escalation_model(), space, chunk_size=5000, checkpoint=path, executor=pool, output=out
        )
    assert len(list(path.glob("chunk-*.npz"))) == 80
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ckpt",
        "run.py",
        "sweep.csv",
        "sweep.csv.meta.json",
    ]
    fresh = sweep(escalation_model(), space, chunk_size=5000).to_frame()
    pd.testing.assert_frame_equal(pd.read_csv(out), fresh, check_dtype=False)


def test_the_command_runs_on_a_dask_scheduler(cluster, tmp_path):
    out = tmp_path / "sweep.csv"
    args = ["sweep", "escalation", "-g", "limited=0:1:21", "-g", "unity=0:1:11"]
    done = CliRunner().invoke(
        main, [*args, "--scheduler", cluster.scheduler_address, "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    here = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "here.csv")])
    assert here.exit_code == 0, here.output
    assert out.read_bytes() == (tmp_path / "here.csv").read_bytes()
    assert len(pd.read_csv(out)) == 21 * 11
