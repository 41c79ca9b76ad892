"""Figures of sweep results: regime maps, measure lines and tornado diagrams.

matplotlib is the optional extra ``plot`` (``pip install "bargain-games[plot]"``)
and is imported only when a figure is drawn. Every function returns the
matplotlib Figure and, given ``path``, saves it as PNG, PDF or SVG (from the
extension). A figure drawn on a new canvas carries the result's note (model,
fixed values, selection rule, version) as a small caption below the axes; a
saved file also holds it in its metadata (PNG and SVG "Description", PDF
"Subject"), also when the plot was drawn on your own ``ax``. Axes carry the
parameters' readers' names ("Breakout time (months)", :func:`bargain.frames.axis_label`);
legends sit below the axes. Figures are made without pyplot, so no window opens
and nothing accumulates in pyplot's state; a new figure shows in a notebook as
a cell's last expression, without ``%matplotlib inline``.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .errors import BargainError
from .files import atomic_path
from .frames import (
    NO_EQUILIBRIUM,
    SEVERAL,
    Framed,
    axis_label,
    check_columns,
    lines_view,
    others_varying,
    outcome_labels,
    view,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

#: Colour of points without an equilibrium.
NONE_COLOUR = "#d9d9d9"
#: Hatch of points with several equilibria, none of them selected (their fill is white).
SEVERAL_HATCH = "xx"
#: Hatches and markers of the outcomes of a regime map, in legend order: with the
#: colours, they tell the classes apart in grayscale.
HATCHES = ("", "//", "\\\\", "..", "||", "--", "oo", "**", "O", "///", "\\\\\\", "...")
MARKERS = ("o", "s", "^", "v", "D", "P", "<", ">", "p", "h", "*", "d")
#: The column a count map draws (``regime_map(..., by=COUNT)``) and its legend title.
COUNT = "n_equilibria"
COUNT_TITLE = "number of equilibria"
#: Space between the x axis' label and a legend below it, in inches.
LEGEND_GAP = 0.05

_METADATA_KEY = {".png": "Description", ".svg": "Description", ".pdf": "Subject"}
#: The file types figures are saved as.
SUFFIXES = tuple(_METADATA_KEY)


def regime_map(
    result: Framed | pd.DataFrame,
    x: str,
    y: str,
    by: str = "regime",
    path: str | Path | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    fixed: Mapping[str, float] | None = None,
    curves: Mapping[str, tuple[ArrayLike, ArrayLike]] | None = None,
) -> Figure:
    """A map of the equilibrium outcome over two swept parameters.

    Each point is drawn by its label in column ``by`` ("regime" or "equilibria"),
    each label with its own colour and hatching (or marker shape), so the map
    stays readable in grayscale. Points where several equilibria remain and the
    selection rule picks none are a class of their own, "several equilibria",
    white with black cross-hatching; "no equilibrium" (grey) marks only points
    without one. ``by="n_equilibria"`` draws the count map instead: how many
    equilibria each point has. A full grid in ``x`` and ``y`` is drawn as cells,
    other designs (random or Latin-hypercube samples) as markers. The legend
    sits below the axes, in as many columns as fit their width; a new figure
    grows to hold it, so the axes keep their size.

    Parameters
    ----------
    result : a sweep over at least ``x`` and ``y``.
    x, y : the parameters on the horizontal and vertical axes.
    by : the label column, or "n_equilibria" for the count map.
    path : save the figure there (.png, .pdf or .svg).
    ax : draw on these axes instead of a new figure.
    title : the axes title (default: the model's title or name).
    fixed : values of the other swept parameters, to draw one slice of the space;
        required when the result sweeps more than ``x`` and ``y``.
    curves : lines to draw over the map, name -> ``(x values, y values)`` (NaN
        leaves a gap), such as the closed-form regime boundaries
        :func:`bargain.symbolic.boundary_curves` gives; each is in the legend.
    """
    mpl = _matplotlib()
    frame, note = _slice(result, [x, y, by], fixed)
    labels = _count_labels(frame[by]) if by == COUNT else outcome_labels(frame, by)
    names = _class_order(labels, by)
    styles = _styles(mpl, names)
    code = np.array([names.index(v) for v in labels])
    fig, ax, own = _canvas(mpl, ax)
    xs, ys = np.unique(frame[x]), np.unique(frame[y])
    full = len(frame) == xs.size * ys.size and not frame.duplicated([x, y]).any()
    if full and xs.size > 1 and ys.size > 1:
        cells = np.empty((ys.size, xs.size), dtype=int)
        cells[np.searchsorted(ys, frame[y]), np.searchsorted(xs, frame[x])] = code
        _draw_cells(ax, _edges(xs), _edges(ys), cells, styles)
        handles = [
            mpl.patches.Patch(facecolor=s.colour, hatch=s.hatch, edgecolor="black", label=s.label)
            for s in styles
        ]
    else:
        handles = [
            ax.scatter(
                frame[x][code == i],
                frame[y][code == i],
                s=16,
                c=[style.colour],
                marker=style.marker,
                edgecolors="black",
                linewidths=0.3,
                label=style.label,
            )
            for i, style in enumerate(styles)
        ]
    lines = ["-", "--", ":", "-."]
    for i, (name, (cx, cy)) in enumerate((curves or {}).items()):
        (line,) = ax.plot(cx, cy, color="black", linewidth=1.2, linestyle=lines[i % 4], label=name)
        handles.append(line)
    ax.set_xlabel(axis_label(frame, x))
    ax.set_ylabel(axis_label(frame, y))
    ax.set_title(_title(frame, title))
    _legend_below(mpl, fig, ax, handles, COUNT_TITLE if by == COUNT else axis_label(frame, by), own)
    return _finish(fig, note, path, own)


def _count_labels(counts: ArrayLike) -> np.ndarray:
    """The number of equilibria of each point as a label: "1 equilibrium", "2 equilibria",
    or :data:`~bargain.frames.NO_EQUILIBRIUM`."""
    values = np.asarray(counts, dtype=float)
    return np.array(
        [NO_EQUILIBRIUM if n == 0 else f"{n:g} equilibri{'um' if n == 1 else 'a'}" for n in values],
        dtype=object,
    )


class _Style(NamedTuple):
    """How one class of a regime map is drawn: its legend text, fill, hatch and marker."""

    label: str
    colour: Any
    hatch: str
    marker: str


def _class_order(labels: np.ndarray, by: str) -> list[str]:
    """The classes in legend order: the outcomes (by count on a count map, else by name),
    then several equilibria, then none."""
    last = [SEVERAL, NO_EQUILIBRIUM, "none"]
    found = set(labels)
    outcomes = found - set(last)
    key = (lambda label: float(label.split()[0])) if by == COUNT else None
    return sorted(outcomes, key=key) + [name for name in last if name in found]


def _styles(mpl: Any, names: Sequence[str]) -> list[_Style]:
    """A colour, a hatch and a marker per class; outcomes differ in all three (the hatches
    and markers repeat after twelve), several equilibria are white and cross-hatched, no
    equilibrium is plain grey."""
    outcomes = [n for n in names if n not in (SEVERAL, NO_EQUILIBRIUM, "none")]
    colours = _colours(mpl, len(outcomes))
    styles = [
        _Style(name, colour, HATCHES[i % len(HATCHES)], MARKERS[i % len(MARKERS)])
        for i, (name, colour) in enumerate(zip(outcomes, colours))
    ]
    if SEVERAL in names:
        styles.append(_Style(f"{SEVERAL}: see the count map", "white", SEVERAL_HATCH, "X"))
    styles += [_Style(n, NONE_COLOUR, "", ".") for n in names if n in (NO_EQUILIBRIUM, "none")]
    return styles


def _draw_cells(
    ax: Axes, x_edges: np.ndarray, y_edges: np.ndarray, cells: np.ndarray, styles: list[_Style]
) -> None:
    """Fill each grid cell by its class (an integer of ``cells``), hatched per class.

    Filled contours of the class index with every cell edge given twice: each change of
    class falls in a quad of zero width, so the regions follow the cells exactly and each
    class is one hatched path, however fine the grid.
    """
    doubled = np.repeat(np.repeat(cells, 2, axis=0), 2, axis=1)
    ax.contourf(
        np.repeat(x_edges, 2)[1:-1],
        np.repeat(y_edges, 2)[1:-1],
        doubled,
        levels=np.arange(len(styles) + 1) - 0.5,
        colors=[s.colour for s in styles],
        hatches=[s.hatch for s in styles],
    )


def line_plot(
    result: Framed | pd.DataFrame,
    x: str,
    measure: str,
    by: str | None = None,
    path: str | Path | None = None,
    ax: Axes | None = None,
    title: str | None = None,
    fixed: Mapping[str, float] | None = None,
) -> Figure:
    """A measure against one parameter, with one line per value of another.

    Gaps in a line are points without a selected equilibrium (NaN).

    Parameters
    ----------
    result : a sweep over ``x`` (and ``by``).
    x : the parameter on the horizontal axis.
    measure : a numeric measure.
    by : the parameter whose values give the lines (a legend shows them).
    path, ax, title : as in :func:`regime_map`.
    fixed : values of the other swept parameters (required when there are any).
    """
    mpl = _matplotlib()
    used = [x, measure] + ([by] if by is not None else [])
    frame, note = _slice(result, used, fixed)
    _check_numeric(frame, measure)
    fig, ax, own = _canvas(mpl, ax)
    groups = [(None, frame)] if by is None else list(frame.groupby(by, sort=True))
    colours = mpl.colormaps["viridis"](np.linspace(0, 0.85, len(groups)))
    for (value, group), colour in zip(groups, colours):
        group = group.sort_values(x)
        label = None if by is None else f"{value:g}" if isinstance(value, float) else str(value)
        ax.plot(group[x], group[measure], color=colour, marker=".", label=label)
    ax.set_xlabel(axis_label(frame, x))
    ax.set_ylabel(axis_label(frame, measure))
    ax.set_title(_title(frame, title))
    if by is not None:
        handles = ax.get_legend_handles_labels()[0]
        _legend_below(mpl, fig, ax, handles, axis_label(frame, by), own)
    return _finish(fig, note, path, own)


def tornado(
    result: Framed | pd.DataFrame,
    measure: str,
    path: str | Path | None = None,
    ax: Axes | None = None,
    title: str | None = None,
) -> Figure:
    """A tornado diagram of a one-at-a-time sweep.

    For each parameter, a bar spans the measure's range (min to max) as that
    parameter alone moves over its range; markers show the measure at the low
    and high ends of the parameter's range, and a vertical line the measure at
    the defaults (or, when no point of the sweep lies exactly at the defaults,
    at the point nearest to them, as the legend says). Bars are sorted by
    width, the widest on top. Which parameter each point varies is read from
    the space recorded in the frame's ``attrs["space"]``, so the result must come
    from a sweep over :func:`bargain.spaces.one_at_a_time`.

    Parameters
    ----------
    result : a one-at-a-time sweep.
    measure : a numeric measure.
    path, ax, title : as in :func:`regime_map`.
    """
    mpl = _matplotlib()
    frame, note, space = lines_view(result, "a tornado diagram")
    check_columns(frame, [measure])
    _check_numeric(frame, measure)
    bars, centre = _tornado_bars(frame, space, measure)
    fig, ax, own = _canvas(mpl, ax)
    rows = np.arange(len(bars))[::-1]
    widths, lefts = [b.high - b.low for b in bars], [b.low for b in bars]
    for bar in ax.barh(rows, widths, left=lefts, color="#9ecae1"):
        bar.sticky_edges.x.clear()  # keep a margin around the bars' ends
    for end, marker, colour in (("at_low", "<", "#08519c"), ("at_high", ">", "#a50f15")):
        label = f"parameter at its {end[3:]} end"
        values = [getattr(b, end) for b in bars]
        ax.scatter(values, rows, marker=marker, color=colour, label=label, zorder=3)
    ax.axvline(centre.value, color="black", linewidth=1, label=f"{measure} {centre.where}")
    ax.set_yticks(rows, [f"{axis_label(frame, b.name)} [{b.start:g}, {b.stop:g}]" for b in bars])
    ax.set_xlabel(axis_label(frame, measure))
    ax.set_title(_title(frame, title))
    _legend_below(mpl, fig, ax, ax.get_legend_handles_labels()[0], None, own)
    return _finish(fig, note, path, own)


class _Bar(NamedTuple):
    """One parameter's bar: its range, the measure's range, and the measure at its ends."""

    name: str
    start: float
    stop: float
    low: float
    high: float
    at_low: float
    at_high: float


class _Centre(NamedTuple):
    """The measure at the defaults, or at the point nearest them."""

    value: float
    where: str


def _tornado_bars(
    frame: pd.DataFrame, space: Mapping[str, Any], measure: str
) -> tuple[list[_Bar], _Centre]:
    """The bars of a one-at-a-time sweep, widest first, and the measure at the defaults.

    Points come in blocks of ``num``, one block per parameter in the order of
    ``space["ranges"]``.
    """
    num, ranges = space["num"], space["ranges"]
    defaults = dict(space["defaults"])
    varied = np.repeat([name for name, _, _ in ranges], num)
    y = frame[measure].to_numpy(dtype=float)
    bars = []
    for name, start, stop in ranges:
        line = y[varied == name]
        finite = line[np.isfinite(line)]
        low, high = (finite.min(), finite.max()) if finite.size else (np.nan, np.nan)
        bars.append(_Bar(name, start, stop, low, high, line[0], line[-1]))
    bars.sort(key=lambda bar: -(bar.high - bar.low) if np.isfinite(bar.high) else np.inf)
    distance = sum(
        np.abs(frame[name].to_numpy() - defaults[name]) / (stop - start)
        for name, start, stop in ranges
    )
    nearest = int(np.argmin(distance))
    where = "at the defaults" if distance[nearest] == 0 else "at the point nearest the defaults"
    return bars, _Centre(y[nearest], where)


# -- shared ----------------------------------------------------------------------------------


def _matplotlib() -> Any:
    """The matplotlib modules the plots use, or an ImportError saying how to install them."""
    try:
        import matplotlib.figure
        import matplotlib.patches
        import matplotlib.transforms
    except ImportError:
        raise ImportError('plots need matplotlib: pip install "bargain-games[plot]"') from None
    return matplotlib


def _slice(
    result: Framed | pd.DataFrame, used: Sequence[str], fixed: Mapping[str, float] | None
) -> tuple[pd.DataFrame, str]:
    """The points of the result at ``fixed`` values, checking nothing else varies."""
    frame, note = view(result, fixed)
    check_columns(frame, used)
    others = others_varying(frame, used)
    if others:
        values = [f"{v:g}" for v in np.unique(frame[others[0]])]
        shown = ", ".join(values[:10]) + (", ..." if len(values) > 10 else "")
        raise BargainError(
            f"the result also sweeps {', '.join(others)}: pass fixed={{{others[0]!r}: value}} "
            f"to draw one slice ({others[0]} takes {shown})"
        )
    return frame, note


def _check_numeric(frame: pd.DataFrame, measure: str) -> None:
    if not pd.api.types.is_numeric_dtype(frame[measure]):
        raise BargainError(f"'{measure}' is a label, not a number: draw it with regime_map")


def _colours(mpl: Any, n: int) -> list[Any]:
    """``n`` distinct categorical colours: tab10, or a sample of turbo beyond ten."""
    if n <= 10:
        return list(mpl.colormaps["tab10"].colors[:n])
    return list(mpl.colormaps["turbo"](np.linspace(0.05, 0.95, n)))


def _edges(values: np.ndarray) -> np.ndarray:
    """Cell edges around sorted axis values: midpoints, extended half a step at the ends."""
    mid = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - mid[0]], mid, [2 * values[-1] - mid[-1]]])


def _title(frame: pd.DataFrame, title: str | None) -> str:
    if title is not None:
        return title
    return frame.attrs.get("title") or str(frame.attrs.get("model", ""))


def _canvas(mpl: Any, ax: Axes | None) -> tuple[Figure, Axes, bool]:
    """The figure and axes to draw on, and whether the figure is new (ours)."""
    if ax is not None:
        return ax.figure, ax, False
    fig = new_figure(figsize=(6.4, 4.4), layout="constrained")
    return fig, fig.add_subplot(), True


@cache
def _shown_figure() -> type[Figure]:
    """matplotlib's Figure, shown as a PNG image when it is the value of a notebook cell.

    IPython registers its display of figures only with the inline backend, which
    pyplot loads; figures made without pyplot would show as ``<Figure size ...>``.
    IPython asks any object for ``_repr_png_``; where a display is registered for
    figures (after ``%matplotlib inline``), that one is used instead, so a figure
    shows once either way.
    """
    from matplotlib.figure import Figure

    class ShownFigure(Figure):
        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", bbox_inches="tight")
            return buffer.getvalue()

    return ShownFigure


def _legend_below(
    mpl: Any, fig: Figure, ax: Axes, handles: list[Any], title: str | None, own: bool
) -> None:
    """A legend below the axes and their x label, in as many columns as fit the axes'
    width; a figure of ours grows by the legend's height, so the axes keep their size."""
    fig.draw_without_rendering()
    axes = ax.get_window_extent().frozen()
    gap = (axes.y0 - ax.get_tightbbox().y0) / fig.dpi + LEGEND_GAP
    below = ax.transAxes + mpl.transforms.ScaledTranslation(0, -gap, fig.dpi_scale_trans)
    for ncols in range(len(handles), 0, -1):
        legend = ax.legend(
            handles=handles,
            title=title,
            loc="upper center",
            bbox_to_anchor=(0.5, 0),
            bbox_transform=below,
            ncols=ncols,
            frameon=False,
        )
        if legend.get_window_extent().width <= axes.width:
            break
    for _ in range(3 if own else 0):  # constrained layout settles in a step or two
        fig.draw_without_rendering()
        lost = axes.height - ax.get_window_extent().height
        if abs(lost) < 0.5:  # pixels
            break
        fig.set_figheight(fig.get_figheight() + lost / fig.dpi)


def _finish(fig: Figure, note: str, path: str | Path | None, own: bool) -> Figure:
    """Add the note as a caption below a figure of ours; save to ``path`` if given."""
    if own and note:
        width = int(fig.get_figwidth() * 20)
        fig.text(0.01, 0, textwrap.fill(note, width), fontsize=6, va="top", ha="left")
    if path is not None:
        save_figure(fig, note, path)
    return fig


def new_figure(**options: Any) -> Figure:
    """A matplotlib Figure (``options`` as for ``Figure``) made without pyplot that a
    notebook shows as the value of a cell; every figure of bargain is one."""
    _matplotlib()
    return _shown_figure()(**options)


def save_figure(fig: Figure, note: str, path: str | Path) -> None:
    """Save ``fig`` as PNG, PDF or SVG (:data:`SUFFIXES`, from the extension), atomically,
    at 200 dpi, with ``note`` in the file's metadata (PNG and SVG "Description", PDF
    "Subject"); SVG text stays text."""
    suffix = Path(path).suffix.lower()
    if suffix not in _METADATA_KEY:
        raise BargainError(f"save figures as .png, .pdf or .svg, got {str(path)!r}")
    # SVG keeps its labels as text: searchable, and editable in a vector editor.
    with atomic_path(path) as temp, _matplotlib().rc_context({"svg.fonttype": "none"}):
        fig.savefig(
            temp,
            dpi=200,
            bbox_inches="tight",
            metadata={_METADATA_KEY[suffix]: note} if note else None,
        )
