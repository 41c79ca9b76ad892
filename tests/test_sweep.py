"""The sweep runner: equal to point-by-point solves, chunked, parallel, resumable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bargain
from bargain import ModelError, ParamError
from bargain.model import Model
from bargain.spaces import grid, latin_hypercube, linspace
from bargain.sweeps import CheckpointError, sweep
from tests.test_normal_form import escalation
from tests.test_tree import interim_deal

ROOT = Path(__file__).parents[1]


def escalation_model() -> Model:
    return Model(escalation(), {"gap": "u_US - u_Iran"}, name="escalation")


def deal_model() -> Model:
    return Model(
        interim_deal(),
        {"surplus": "u_US + u_Iran"},
        outcomes={"deal": ["kept", "cheated", "snapback"], "war": ["snapback"]},
        name="interim",
    )


def test_sweep_equals_point_by_point():
    model = deal_model()
    space = grid(relief=linspace(0.05, 0.95, 7), detect=linspace(0.05, 0.95, 6))
    frame = sweep(model, space, progress=False).to_frame()
    assert len(frame) == 42
    for row in frame.itertuples():
        single = model.solve(relief=row.relief, detect=row.detect)
        assert row.u_US == pytest.approx(single.payoffs["US"])
        deal = sum(single.reach[t] for t in ("kept", "cheated", "snapback"))
        assert row.deal == pytest.approx(deal)
        assert row.regime == ">".join(
            choice for _, choice in single.path if isinstance(choice, str)
        )


def test_grid_order_fixed_values_and_note():
    result = sweep(escalation_model(), {"bite": [0.5, 2.5], "clash": [1.0, 4.0]}, progress=False)
    frame = result.to_frame()
    assert frame[["bite", "clash"]].values.tolist() == [[0.5, 1], [0.5, 4], [2.5, 1], [2.5, 4]]
    assert result.fixed == {}
    assert "equilibrium selection: unique" in result.note()
    fixed = sweep(escalation_model(), {"bite": [0.5]}, fixed={"clash": 4.0}, progress=False)
    assert fixed.fixed == {"clash": 4.0} and fixed.to_frame()["clash"].tolist() == [4.0]


@pytest.mark.parametrize("chunk_size", [1, 3, 10, 1000])
def test_chunking_does_not_change_the_table(chunk_size):
    space = latin_hypercube({"bite": (0, 3), "clash": (0.1, 5)}, n=25, seed=3)
    reference = sweep(escalation_model(), space, select="max-joint", progress=False)
    chunked = sweep(
        escalation_model(), space, select="max-joint", chunk_size=chunk_size, progress=False
    )
    pd.testing.assert_frame_equal(reference.to_frame(), chunked.to_frame())
    pd.testing.assert_frame_equal(reference.to_frame(long=True), chunked.to_frame(long=True))


def test_long_form_keeps_every_equilibrium():
    result = sweep(escalation_model(), {"bite": [2.5], "clash": [4.0]}, progress=False)
    assert result.to_frame()["n_equilibria"].tolist() == [3]
    assert np.isnan(result.to_frame()["gap"].iloc[0])  # no unique equilibrium
    assert not result.to_frame()["selected_unique"].iloc[0]
    long = result.to_frame(long=True)
    assert sorted(long["regime"]) == ["engage/resist", "mixed", "pressure/restrain"]
    every = sweep(escalation_model(), {"bite": [2.5], "clash": [4.0]}, select="all", progress=False)
    assert len(every.to_frame()) == 3


def test_selection_rules():
    space = {"bite": [2.5], "clash": [4.0]}
    joint = sweep(escalation_model(), space, select="max-joint", progress=False).to_frame()
    assert joint["regime"].tolist() == ["pressure/restrain"]  # 2.5 - 2.5 = 0 beats -1 and -2.4
    risk = sweep(escalation_model(), space, select="risk-dominant", progress=False).to_frame()
    # Products of deviation losses (Harsanyi-Selten): (pressure, restrain) (2.5 - 1)(-2.5 + 4)
    # = 2.25; (engage, resist) (-2 + 4)(1 + 1.5) = 5, so (engage, resist) risk-dominates.
    assert risk["regime"].tolist() == ["engage/resist"]
    assert risk["selected_unique"].tolist() == [True]
    with pytest.raises(ValueError, match="2x2"):
        sweep(deal_model(), {"relief": [0.5]}, select="risk-dominant", progress=False)


SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from bargain.spaces import grid, linspace
from bargain.sweeps import sweep
from tests.test_sweep import escalation_model
sweep(escalation_model(), grid(bite=linspace(0, 3, 400), clash=linspace(0.1, 5, 1000)),
      chunk_size=5000, checkpoint={path!r}, progress=False)
"""


@pytest.mark.filterwarnings("ignore::bargain.DegenerateGameWarning")  # ties on grid lines
def test_killed_sweep_resumes_without_loss_or_repeat(tmp_path):
    path = tmp_path / "ckpt"
    script = tmp_path / "run.py"
    script.write_text(textwrap.dedent(SCRIPT.format(root=str(ROOT), path=str(path))))
    process = subprocess.Popen([sys.executable, str(script)])
    deadline = time.time() + 120
    while len(list(path.glob("chunk-*.npz"))) < 3 and time.time() < deadline:
        assert process.poll() is None, "the sweep ended before it could be interrupted"
        time.sleep(0.01)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    saved = len(list(path.glob("chunk-*.npz")))
    assert 3 <= saved < 80
    space = grid(bite=linspace(0, 3, 400), clash=linspace(0.1, 5, 1000))
    resumed = sweep(escalation_model(), space, chunk_size=5000, checkpoint=path, progress=False)
    assert resumed.metadata["chunks_resumed"] == saved  # nothing computed twice
    assert len(list(path.glob("chunk-*.npz"))) == 80  # nothing lost
    fresh = sweep(escalation_model(), space, chunk_size=5000, progress=False)
    pd.testing.assert_frame_equal(resumed.to_frame(), fresh.to_frame())
    again = sweep(escalation_model(), space, chunk_size=5000, checkpoint=path, progress=False)
    assert again.metadata["chunks_resumed"] == 80


def test_checkpoint_refuses_another_sweep(tmp_path):
    sweep(escalation_model(), {"bite": [0.5, 1.5]}, checkpoint=tmp_path, progress=False)
    with pytest.raises(CheckpointError, match="different sweep"):
        sweep(escalation_model(), {"bite": [0.5, 1.6]}, checkpoint=tmp_path, progress=False)
    changed = Model(escalation(), {"gap": "u_US + u_Iran"}, name="escalation")
    with pytest.raises(CheckpointError, match="refusing to resume"):
        sweep(changed, {"bite": [0.5, 1.5]}, checkpoint=tmp_path, progress=False)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"space": {"bight": [1.0]}}, ParamError, "did you mean 'bite'"),
        ({"space": {"bite": [1.0, 9.0]}}, ParamError, "bite"),
        ({"space": {"bite": []}}, ParamError, "empty|at least one"),
        ({"space": {"bite": [1.0]}, "measures": ["gapp"]}, ModelError, "did you mean 'gap'"),
        ({"space": {"bite": [1.0]}, "fixed": {"bite": 1.0}}, ParamError, "both swept and fixed"),
        ({"space": {"bite": [1.0]}, "fixed": {"clash": 99.0}}, ParamError, "clash"),
        ({"space": {"bite": [1.0]}, "select": "best"}, ValueError, "select must be one of"),
    ],
)
def test_bad_input_fails_before_computing(kwargs, error, message):
    space = kwargs.pop("space")
    with pytest.raises(error, match=message):
        sweep(escalation_model(), space, progress=False, **kwargs)


def test_measure_naming_an_unknown_node_is_rejected():
    with pytest.raises(ModelError, match="'kep' is not a terminal node"):
        Model(interim_deal(), outcomes={"deal": ["kep"]})
    with pytest.raises(Exception, match="did you mean 'deal'"):
        Model(interim_deal(), {"x": "2 * deall"}, outcomes={"deal": ["kept"]})


def test_extra_measures_by_formula():
    result = sweep(
        deal_model(), {"detect": [0.1, 0.9]}, measures={"twice": "2 * deal"}, progress=False
    )
    assert result.to_frame()["twice"].tolist() == [0.0, 2.0]


def test_a_measure_that_is_not_finite_is_reported():
    with pytest.warns(bargain.BargainWarning, match="measure 'ratio' is not finite for 1 of 2"):
        result = sweep(
            deal_model(), {"detect": [0.1, 0.9]}, measures={"ratio": "1 / deal"}, progress=False
        )
    assert np.isinf(result.to_frame()["ratio"][0])


@pytest.mark.filterwarnings("ignore::bargain.DegenerateGameWarning")
def test_each_points_set_of_equilibria_is_its_rows_regimes():
    """The coded per-point sets (bit masks over regime codes) read as the sorted, distinct
    regimes of the point's own rows, on a 2x2 and a random 3x3 game (13 regimes)."""
    rng = np.random.default_rng(5)
    three = bargain.NormalFormGame.from_arrays(*rng.normal(size=(2, 3, 3)))
    payoffs = {
        p: [[f"{v:.3f} + t * {w:.3f}" for v, w in zip(r, s)] for r, s in zip(m, n)]
        for p, m, n in zip(three.players, rng.normal(size=(2, 3, 3)), rng.normal(size=(2, 3, 3)))
    }
    game = bargain.NormalFormGame(
        three.players, three.strategies, payoffs, params=[bargain.Param("t", 0, -3, 3)]
    )
    cases = [
        (escalation_model(), grid(bite=linspace(0, 3, 31), clash=linspace(0.1, 5, 29))),
        (Model(game), {"t": linspace(-3, 3, 301)}),
    ]
    for model, space in cases:
        result = sweep(model, space, chunk_size=97)
        rows = result.to_frame(long=True)
        expected = rows.groupby("point")["regime"].agg(lambda r: " | ".join(sorted(set(r))))
        points = result.to_frame()["equilibria"]
        assert points.tolist() == [expected.get(i, "") for i in range(len(points))]
        assert points.nunique() > 2
