"""Scenario discovery (bargain.discovery) on a model whose deal region is a known box.

tests/data/box.toml: mutual cooperation (deal = 1) is the unique equilibrium iff
0.3 < a < 0.7 and 0.2 < b < 0.6; c and d never matter.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bargain
from bargain.discovery import discover, discover_model, feature_scores
from bargain.errors import BargainError
from bargain.spaces import grid
from tests.latex import compile_latex

pytest.importorskip("prim")
pytest.importorskip("sklearn")

BOX = Path(__file__).parent / "data" / "box.toml"
TRUE = {"a": (0.3, 0.7), "b": (0.2, 0.6)}
STEP = 0.05  # the grid step below


@pytest.fixture(scope="module")
def model() -> bargain.Model:
    return bargain.load_model(BOX)


@pytest.fixture(scope="module")
def on_grid(model):
    """A grid sweep: a and b in steps of 0.05 (off the box's edges, where the game is
    degenerate), c and d at three values each; 3,600 points."""
    axes = np.linspace(0.025, 0.975, 20)
    space = grid(a=axes, b=axes, c=[0, 0.5, 1], d=[0, 0.5, 1])
    return bargain.sweep(model, space, progress=False)


@pytest.fixture(scope="module")
def found(on_grid):
    return discover(on_grid, "deal")


def check_box(limits, tolerance):
    for name, (low, high) in TRUE.items():
        assert limits.at[name, "restricted"]
        assert abs(limits.at[name, "low"] - low) <= tolerance, limits
        assert abs(limits.at[name, "high"] - high) <= tolerance, limits
    assert not limits.loc[["c", "d"], "restricted"].any()


def test_the_box_is_found_within_one_grid_step(found):
    check_box(found.box, STEP)
    assert found.box.attrs["coverage"] >= 0.9 and found.box.attrs["density"] >= 0.9
    assert found.inputs == ("a", "b", "c", "d")
    assert found.dropped == 0


def test_the_trajectory_trades_coverage_for_density(found):
    steps = found.trajectory
    assert steps["chosen"].sum() == 1
    assert steps["coverage"].iloc[0] == 1 and steps["mass"].iloc[0] == 1
    assert steps["mass"].is_monotonic_decreasing or steps["mass"].iloc[-1] < 1
    chosen = steps[steps["chosen"]].iloc[0]
    assert chosen["density"] >= 0.9 and chosen["restricted"] == 2


def test_feature_scores_rank_the_two_parameters_of_the_box_first(found, on_grid):
    assert set(found.scores.index[:2]) == {"a", "b"}
    assert found.scores["score"].sum() == pytest.approx(1)
    margin = feature_scores(on_grid, "margin")  # a numeric measure: regression
    assert set(margin.index[:2]) == {"a", "b"}
    assert margin.loc[["c", "d"], "score"].max() < 0.05


def test_cart_splits_at_the_edges_of_the_box(found):
    splits = found.splits
    for name, edges in TRUE.items():
        at = np.sort(splits.loc[splits["parameter"] == name, "at"].to_numpy())
        assert len(at) >= 2
        for edge in edges:
            assert np.min(np.abs(at - edge)) <= STEP / 2 + 1e-9, splits
    leaf = found.leaves.iloc[0]
    assert leaf["density"] == 1 and leaf["coverage"] == 1
    assert "a <=" in found.tree and "b <=" in found.tree


def test_a_latin_hypercube_sample_finds_the_box(model):
    found = discover_model(model, "deal", "lhs:3000", seed=3)
    # A peel removes 5 % of the points: a slice about 0.02 wide of a 0.4-wide box.
    check_box(found.box, 0.025)
    assert found.box.attrs["coverage"] >= 0.9 and found.box.attrs["density"] >= 0.9
    assert found.frame.attrs["space"]["kind"] == "latin_hypercube"


@pytest.mark.parametrize(
    "text", ["regime=cooperate/cooperate", "regime!=defect/defect", "margin>0"]
)
def test_label_and_threshold_outcomes(on_grid, text):
    check_box(discover(on_grid, text).box, STEP)


def test_a_higher_threshold_gives_a_smaller_box(on_grid):
    inner = discover(on_grid, "margin>=0.1").box  # 0.4 <= a <= 0.6, 0.3 <= b <= 0.5
    assert inner.at["a", "low"] == pytest.approx(0.4, abs=STEP)
    assert inner.at["b", "high"] == pytest.approx(0.5, abs=STEP)


def test_points_without_an_outcome_are_left_out_or_count_as_not_holding(on_grid):
    frame = on_grid.to_frame()
    inside = (frame["deal"] == 1).to_numpy()
    frame.loc[np.flatnonzero(inside)[:40], "deal"] = np.nan  # no selected equilibrium
    dropped = discover(frame, "deal")
    assert dropped.dropped == 40 and len(dropped.frame) == len(frame) - 40
    assert "40 points without an outcome left out" in dropped.note
    counted = discover(frame, "deal", missing="false")
    assert counted.dropped == 0 and counted.holds.sum() == inside.sum() - 40
    with pytest.raises(BargainError, match="missing must be 'drop' or 'false'"):
        discover(frame, "deal", missing="keep")


def test_two_boxes_cover_what_one_box_cannot():
    """Any frame will do: two separate squares, found one after the other."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.random((3000, 3)), columns=["x", "y", "z"])
    squares = [(0.1, 0.5), (0.65, 0.9)]
    inside = [
        frame[["x", "y"]].gt(low).all(axis=1) & frame[["x", "y"]].lt(high).all(axis=1)
        for low, high in squares
    ]
    frame["square"] = inside[0] | inside[1]
    found = discover(frame, "square", inputs=["x", "y", "z"], n_boxes=2)
    assert len(found.boxes) == 2
    for box, (low, high) in zip(found.boxes, squares):
        assert box.density >= 0.9 and sorted(box.restricted) == ["x", "y"]
        assert np.allclose(box.limits.loc[["x", "y"], ["low", "high"]], [low, high], atol=0.03)
    assert sum(box.coverage for box in found.boxes) >= 0.9
    assert "box 2: coverage 0.29" in found.summary()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("dael", "did you mean 'deal'"),
        ("regime=cooperate/cooperat", "did you mean 'cooperate/cooperate'"),
        ("margin", "not a flag .* give a threshold, e.g. 'margin>0'"),
        ("regime", "regime is a label: name the outcome as regime=LABEL"),
        ("regime>1", "regime is a label; compare it with = or !="),
        ("margin>", "expected a flag measure"),
        ("u_A>c", "'c' is not a number"),
        ("margin>1", "holds at none of the 3600 points"),
        ("margin>-1", "holds at every one of the 3600 points"),
    ],
)
def test_bad_outcomes_get_a_clear_message(on_grid, text, message):
    with pytest.raises(BargainError, match=message):
        discover(on_grid, text)


def test_inputs_are_the_swept_parameters_that_vary(on_grid, model):
    frame = on_grid.to_frame()
    assert discover(frame, "deal", inputs=["a", "b"]).inputs == ("a", "b")
    with pytest.raises(BargainError, match="did you mean 'a'"):
        discover(frame, "deal", inputs=["aa"])
    bare = frame.copy()
    bare.attrs = {}
    with pytest.raises(BargainError, match="pass inputs="):
        discover(bare, "deal")
    with pytest.raises(BargainError, match="expected random:N or lhs:N"):
        discover_model(model, "deal", "grid:10")


def test_the_figure_draws_the_box_over_the_restricted_pair(found, tmp_path):
    fig = found.figure(tmp_path / "box.svg")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "a" and ax.get_ylabel() == "Second parameter (units)"
    (outline,) = ax.patches
    assert outline.get_x() == pytest.approx(found.box.at["a", "low"])
    markers = {c.get_paths()[0].vertices.shape[0] for c in ax.collections}
    assert len(markers) == 2  # triangles and circles: shapes, not colour alone
    assert "deal holds at" in (tmp_path / "box.svg").read_text()


def test_a_bundled_model_end_to_end(tmp_path):
    """Where is an interim deal kept? A sample of four parameters, tables, figure."""
    model = bargain.load_model("interim-deal")
    names = ["relief", "repute", "unity", "breakout"]
    found = discover_model(model, "deal_kept>0", "lhs:1500", seed=1, names=names)
    assert found.inputs == tuple(names)
    assert "breakout" in found.box.index[found.box["restricted"]]
    assert found.scores.index[0] == "breakout"
    paths = found.write(tmp_path)
    assert {p.name for p in paths} >= {"box.md", "box.tex", "tree.tex", "box.pdf", "box.png"}
    assert "deal_kept > 0 holds at" in (tmp_path / "box.md").read_text()
    body = "\n".join((tmp_path / f"{name}.tex").read_text() for name in found.tables())
    compile_latex(body, tmp_path / "latex")


def test_importing_discovery_loads_neither_prim_nor_sklearn():
    code = (
        "import sys, bargain.discovery; "
        "print(sorted(m for m in ('prim', 'sklearn', 'matplotlib') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_one_swept_parameter_draws_the_outcome_against_it(model, tmp_path):
    result = bargain.sweep(model, {"a": np.linspace(0.01, 0.99, 50)}, progress=False)
    found = discover(result, "deal")
    assert found.inputs == ("a",)
    assert found.box.at["a", "low"] == pytest.approx(0.3, abs=0.02)
    (ax,) = found.figure(tmp_path / "a.png").axes
    assert [t.get_text() for t in ax.get_yticklabels()] == ["does not hold", "holds"]
