"""Regime maps, line plots and tornado diagrams: drawn, labelled, noted and saved."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from bargain import BargainError
from bargain.model import Model
from bargain.spaces import grid, latin_hypercube, linspace, one_at_a_time
from bargain.sweeps import sweep
from tests.test_normal_form import escalation
from tests.test_tree import interim_deal

pytest.importorskip("matplotlib")

from matplotlib.collections import PathCollection, QuadMesh

from bargain.plots import line_plot, regime_map, tornado

DEAL = "propose>accept>keep"


@pytest.fixture(scope="module")
def model() -> Model:
    return Model(
        interim_deal(),
        {"surplus": "u_US + u_Iran"},
        outcomes={"deal": ["kept", "cheated", "snapback"]},
        name="interim",
        title="Interim deal",
    )


@pytest.fixture(scope="module")
def deal(model):
    return sweep(model, grid(relief=linspace(0, 1, 21), detect=linspace(0, 1, 21)))


def texts(fig) -> list[str]:
    return [t.get_text() for t in fig.texts]


def legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.mark.parametrize("suffix", [".png", ".pdf", ".svg"])
def test_regime_map_is_saved_in_each_format(deal, tmp_path, suffix):
    path = tmp_path / f"map{suffix}"
    fig = regime_map(deal, "relief", "detect", path=path)
    assert path.exists() and path.stat().st_size > 1000
    magic = {".png": b"\x89PNG", ".pdf": b"%PDF", ".svg": b"<?xml"}[suffix]
    assert path.read_bytes().startswith(magic)
    ax = fig.axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("relief", "detect")
    assert ax.get_title() == "Interim deal"
    assert legend(ax) == ["pressure", DEAL] and ax.get_legend().get_title().get_text() == "regime"
    assert any(isinstance(c, QuadMesh) for c in ax.collections)
    caption = texts(fig)[0].replace("\n", " ")
    assert caption == deal.note() and "fixed parameters: gain = 0.3" in caption


def test_png_metadata_holds_the_note(deal, tmp_path):
    from PIL import Image

    path = tmp_path / "map.png"
    regime_map(deal, "relief", "detect", path=path)
    assert Image.open(path).info["Description"] == deal.note()


def test_regime_map_of_a_sample_and_of_a_slice(model):
    sample = sweep(model, latin_hypercube(model.params, 50, names=["relief", "detect"], seed=1))
    ax = regime_map(sample, "relief", "detect").axes[0]
    assert any(isinstance(c, PathCollection) for c in ax.collections)
    cube = sweep(model, {"relief": [0.05, 0.5], "detect": [0.1, 0.9], "gain": [0.1, 0.3]})
    with pytest.raises(BargainError, match=r"also sweeps gain: pass fixed=\{'gain': value\}"):
        regime_map(cube, "relief", "detect")
    fig = regime_map(cube, "relief", "detect", fixed={"gain": 0.1}, title="A slice")
    assert fig.axes[0].get_title() == "A slice"
    assert texts(fig)[0].replace("\n", " ").endswith("Shown: points with gain = 0.1.")
    # relief 0.05: Iran rejects and the U.S. keeps the pressure on.
    assert set(legend(fig.axes[0])) == {"pressure", DEAL}


def test_none_regime_is_grey_and_last():
    result = sweep(Model(escalation()), {"bite": linspace(0.05, 2.95, 8), "clash": [1, 3]})
    ax = regime_map(result, "bite", "clash").axes[0]
    names = legend(ax)
    assert names[-1] == "none" and "engage/resist" in names
    patch = ax.get_legend().get_patches()[-1]
    assert np.allclose(patch.get_facecolor()[:3], [0xD9 / 255] * 3)


def test_line_plot_has_one_line_per_value(model, tmp_path):
    result = sweep(model, grid(relief=linspace(0, 1, 11), detect=[0.1, 0.3, 0.9]))
    path = tmp_path / "lines.svg"
    fig = line_plot(result, "relief", "deal", by="detect", path=path)
    ax = fig.axes[0]
    assert path.stat().st_size > 1000
    assert len(ax.lines) == 3 and legend(ax) == ["0.1", "0.3", "0.9"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("relief", "deal")
    np.testing.assert_array_equal(ax.lines[2].get_xdata(), linspace(0, 1, 11))
    single = line_plot(sweep(model, {"relief": linspace(0, 1, 5)}), "relief", "surplus")
    assert len(single.axes[0].lines) == 1 and single.axes[0].get_legend() is None
    with pytest.raises(BargainError, match="is a label"):
        line_plot(result, "relief", "regime", by="detect")
    with pytest.raises(BargainError, match="also sweeps detect"):
        line_plot(result, "relief", "deal")


def test_tornado_sorts_bars_by_width(model, tmp_path):
    result = sweep(model, one_at_a_time(model.params, {"relief": (0.3, 0.6), "detect": (0, 1)}))
    path = tmp_path / "tornado.pdf"
    fig = tornado(result, "u_US", path=path)
    ax = fig.axes[0]
    assert path.stat().st_size > 1000
    # Top to bottom: detect moves u_US from 0.2 (pressure) to 0.6, relief from 0.7 to 0.4.
    ticks = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert ticks["detect [0, 1]"] > ticks["relief [0.3, 0.6]"]
    bars = {bar.get_y() + bar.get_height() / 2: bar for bar in ax.patches}
    detect, relief = bars[ticks["detect [0, 1]"]], bars[ticks["relief [0.3, 0.6]"]]
    assert (detect.get_x(), detect.get_width()) == pytest.approx((0.2, 0.4))
    assert (relief.get_x(), relief.get_width()) == pytest.approx((0.4, 0.3))
    assert ax.get_xlabel() == "u_US"
    assert sorted(legend(ax)) == [
        "parameter at its high end",
        "parameter at its low end",
        "u_US at the defaults",
    ]
    with pytest.raises(BargainError, match="'regime' is a label"):
        tornado(result, "regime")
    assert ax.lines[0].get_xdata()[0] == pytest.approx(0.6)  # defaults: relief 0.4
    with pytest.raises(BargainError, match="needs a one-at-a-time sweep"):
        tornado(sweep(model, {"relief": [0, 1]}), "u_US")


def test_tornado_bars_are_sorted_widest_first(model):
    ranges = {"relief": (0.3, 0.5), "detect": (0, 1), "gain": (0, 0.35)}
    result = sweep(model, one_at_a_time(model.params, ranges, num=6))
    ax = tornado(result, "u_US").axes[0]
    bars = sorted(ax.patches, key=lambda bar: -bar.get_y())
    widths = [bar.get_width() for bar in bars]
    assert widths == sorted(widths, reverse=True)
    assert "u_US at the point nearest the defaults" in legend(ax)


def test_drawing_on_given_axes_adds_no_caption(deal, tmp_path):
    from matplotlib.figure import Figure

    fig = Figure()
    axes = fig.subplots(1, 2)
    assert regime_map(deal, "relief", "detect", ax=axes[1]) is fig
    assert fig.texts == [] and axes[1].get_xlabel() == "relief"
    with pytest.raises(BargainError, match=r"\.png, \.pdf or \.svg"):
        regime_map(deal, "relief", "detect", path=tmp_path / "map.jpg")


def test_a_clear_error_without_matplotlib(deal, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=r'pip install "bargain-games\[plot\]"'):
        regime_map(deal, "relief", "detect")
