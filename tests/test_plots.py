"""Regime maps, line plots and tornado diagrams: drawn, labelled, noted, saved and shown."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from bargain import BargainError, NormalFormGame, Param
from bargain.frames import NO_EQUILIBRIUM
from bargain.model import Model
from bargain.spaces import grid, latin_hypercube, linspace, one_at_a_time
from bargain.sweeps import sweep
from tests.test_normal_form import escalation
from tests.test_tree import interim_deal

pytest.importorskip("matplotlib")

from matplotlib.collections import PathCollection
from matplotlib.contour import ContourSet

from bargain.plots import NONE_COLOUR, SEVERAL_HATCH, line_plot, regime_map, tornado

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
    assert any(isinstance(c, ContourSet) for c in ax.collections)
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


def labelled_escalation() -> Model:
    """The escalation game (:func:`tests.test_normal_form.escalation`) with readers'
    names for its parameters."""
    labelled = NormalFormGame(
        ["US", "Iran"],
        {"US": ["pressure", "engage"], "Iran": ["resist", "restrain"]},
        {"US": [["-clash", "bite"], ["-2", "1"]], "Iran": [["-clash", "-bite"], [1, "1 - bite"]]},
        params=[
            Param("bite", 0.5, low=0, high=3, label="Sanctions bite", unit="% GDP"),
            Param("clash", 1.0, low=0.1, high=5, label="Cost of a clash"),
        ],
    )
    return Model(labelled, name="escalation")


@pytest.fixture(scope="module")
def several():
    """bite > 1 and clash > 2: the game has three equilibria and "unique" selects none."""
    return sweep(
        Model(escalation()), grid(bite=linspace(0.05, 2.95, 30), clash=linspace(0.1, 5, 30))
    )


def test_several_equilibria_are_their_own_hatched_class(several):
    ax = regime_map(several, "bite", "clash").axes[0]
    names = legend(ax)
    assert names[-1] == "several equilibria: see the count map"
    assert "none" not in names and NO_EQUILIBRIUM not in names and "engage/resist" in names
    patches = ax.get_legend().get_patches()
    assert patches[-1].get_hatch() == SEVERAL_HATCH
    assert np.allclose(patches[-1].get_facecolor()[:3], [1, 1, 1])
    # Grayscale: every class has its own hatch, drawn on the map as in the legend.
    hatches = [patch.get_hatch() or "" for patch in patches]
    assert len(set(hatches)) == len(hatches)
    (filled,) = [c for c in ax.collections if isinstance(c, ContourSet)]
    assert list(filled.hatches) == hatches


def test_the_count_map_shows_how_many_equilibria(several):
    ax = regime_map(several, "bite", "clash", by="n_equilibria").axes[0]
    assert legend(ax) == ["1 equilibrium", "3 equilibria"]
    assert ax.get_legend().get_title().get_text() == "number of equilibria"
    counts = several.to_frame()
    several_points = counts["regime"].isna() & (counts["n_equilibria"] == 3)
    assert several_points.sum() > 100  # the hatched region of the regime map


def test_no_equilibrium_is_grey_and_only_where_there_is_none():
    xs = np.repeat([0.0, 1.0, 2.0], 2)
    frame = pd.DataFrame(
        {
            "x": xs,
            "y": np.tile([0.0, 1.0], 3),
            "regime": ["deal", "war", None, None, "deal", None],
            "n_equilibria": [1, 1, 0, 2, 1, 0],
        }
    )
    ax = regime_map(frame, "x", "y").axes[0]
    assert legend(ax) == [
        "deal",
        "war",
        "several equilibria: see the count map",
        NO_EQUILIBRIUM,
    ]
    grey = ax.get_legend().get_patches()[-1]
    assert np.allclose(grey.get_facecolor()[:3], [0xD9 / 255] * 3) and NONE_COLOUR == "#d9d9d9"
    sample = frame.drop(index=5)  # not a full grid: markers, one shape per class
    ax = regime_map(sample, "x", "y").axes[0]
    shapes = [c.get_paths()[0].vertices.round(3).tobytes() for c in ax.collections]
    assert len(set(shapes)) == len(shapes) == 4


def test_axes_carry_the_parameters_labels_and_units():
    model = labelled_escalation()
    result = sweep(model, grid(bite=linspace(0.1, 2.9, 5), clash=[1, 3]))
    ax = regime_map(result, "bite", "clash").axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("Sanctions bite (% GDP)", "Cost of a clash")
    ax = line_plot(result, "bite", "u_US", by="clash").axes[0]
    assert ax.get_xlabel() == "Sanctions bite (% GDP)"
    assert ax.get_legend().get_title().get_text() == "Cost of a clash"
    oat = sweep(model, one_at_a_time(model.params, {"bite": (0.1, 2.8), "clash": (0.7, 3.7)}))
    ticks = [t.get_text() for t in tornado(oat, "u_US").axes[0].get_yticklabels()]
    assert sorted(ticks) == ["Cost of a clash [0.7, 3.7]", "Sanctions bite (% GDP) [0.1, 2.8]"]


def outcomes(n: int, text: str) -> pd.DataFrame:
    """A 12 x 12 grid of ``n`` outcome classes, named ``text % i``."""
    xs = np.linspace(0, 1, 12)
    x, y = (v.ravel() for v in np.meshgrid(xs, xs))
    labels = [text % i for i in np.minimum((x * n).astype(int), n - 1)]
    return pd.DataFrame({"x": x, "y": y, "regime": labels})


def size(ax) -> tuple[float, float]:
    ax.figure.draw_without_rendering()
    box = ax.get_window_extent()
    return box.width / ax.figure.dpi, box.height / ax.figure.dpi


def columns(ax) -> int:
    """The number of columns of the axes' legend."""
    return len({round(t.get_window_extent().x0) for t in ax.get_legend().get_texts()})


def test_the_legend_sits_below_without_shrinking_the_axes():
    few = regime_map(outcomes(2, "r%d"), "x", "y").axes[0]
    many = regime_map(outcomes(12, "a long outcome name %d"), "x", "y").axes[0]
    assert size(many) == pytest.approx(size(few), rel=1e-3)
    for ax in (few, many):
        box, axes = ax.get_legend().get_window_extent(), ax.get_window_extent()
        labels = ax.xaxis.label.get_window_extent()
        assert box.y1 <= labels.y0 and box.width <= axes.width
        assert box.y0 >= 0  # inside the figure, which grew to hold it
    assert columns(few) == 2 and 1 < columns(many) < 12
    assert many.figure.get_figheight() > few.figure.get_figheight()


def test_curves_are_drawn_over_the_map_and_named_in_the_legend(deal):
    curve = (np.linspace(0, 1, 5), np.full(5, 0.5))
    ax = regime_map(deal, "relief", "detect", curves={"detect = 1/2": curve}).axes[0]
    assert legend(ax)[-1] == "detect = 1/2" and ax.lines[0].get_linestyle() == "-"


def test_a_figure_shows_in_ipython_without_the_inline_backend(deal):
    formatters = pytest.importorskip("IPython.core.formatters")
    fig = regime_map(deal, "relief", "detect")
    shown, _ = formatters.DisplayFormatter().format(fig)
    assert shown["image/png"][:4] == b"\x89PNG"


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
