"""Figures of sweep results: regime maps, measure lines and tornado diagrams.

matplotlib is the optional extra ``plot`` (``pip install "bargain-games[plot]"``)
and is imported only when a figure is drawn. Every function returns the
matplotlib Figure and, given ``path``, saves it as PNG, PDF or SVG (from the
extension). A figure drawn on a new canvas carries the result's note (model,
fixed values, selection rule, version) as a small caption below the axes; a
saved file also holds it in its metadata (PNG and SVG "Description", PDF
"Subject"), also when the plot was drawn on your own ``ax``. Figures are made
without pyplot, so no window opens and nothing accumulates in pyplot's state;
display one in a notebook by leaving it as a cell's last expression.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import pandas as pd

from .errors import BargainError
from .files import atomic_path
from .frames import Framed, check_columns, label_text, lines_view, others_varying, view

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

#: Colour of points where no equilibrium is selected.
NONE_COLOUR = "#d9d9d9"

_METADATA_KEY = {".png": "Description", ".svg": "Description", ".pdf": "Subject"}


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

    Each point is coloured by its label in column ``by`` ("regime" or
    "equilibria"; "none" where no equilibrium is selected, in grey), with a
    legend. A full grid in ``x`` and ``y`` is drawn as cells, other designs
    (random or Latin-hypercube samples) as dots.

    Parameters
    ----------
    result : a sweep over at least ``x`` and ``y``.
    x, y : the parameters on the horizontal and vertical axes.
    by : the label column.
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
    labels = np.array([label_text(v) for v in frame[by]], dtype=object)
    names = sorted(set(labels) - {"none"}) + (["none"] if "none" in labels else [])
    colours = _colours(mpl, len(names) - ("none" in names))
    colour = dict(zip(names, [*colours, NONE_COLOUR]))
    code = np.array([names.index(v) for v in labels])
    fig, ax, own = _canvas(mpl, ax)
    xs, ys = np.unique(frame[x]), np.unique(frame[y])
    full = len(frame) == xs.size * ys.size and not frame.duplicated([x, y]).any()
    if full and xs.size > 1 and ys.size > 1:
        cells = np.empty((ys.size, xs.size), dtype=int)
        cells[np.searchsorted(ys, frame[y]), np.searchsorted(xs, frame[x])] = code
        cmap = mpl.colors.ListedColormap([colour[n] for n in names])
        ax.pcolormesh(_edges(xs), _edges(ys), cells, cmap=cmap, vmin=-0.5, vmax=len(names) - 0.5)
    else:
        ax.scatter(frame[x], frame[y], c=[colour[v] for v in labels], s=12, linewidths=0)
    handles = [mpl.patches.Patch(facecolor=colour[n], label=n) for n in names]
    styles = ["-", "--", ":", "-."]
    for i, (name, (cx, cy)) in enumerate((curves or {}).items()):
        (line,) = ax.plot(cx, cy, color="black", linewidth=1.2, linestyle=styles[i % 4], label=name)
        handles.append(line)
    ax.legend(handles=handles, title=by, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(_title(frame, title))
    return _finish(fig, note, path, own)


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
    if by is not None:
        ax.legend(title=by, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    ax.set_xlabel(x)
    ax.set_ylabel(measure)
    ax.set_title(_title(frame, title))
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
    ax.set_yticks(rows, [f"{b.name} [{b.start:g}, {b.stop:g}]" for b in bars])
    ax.set_xlabel(measure)
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
    ax.set_title(_title(frame, title))
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
        import matplotlib.colors
        import matplotlib.figure
        import matplotlib.patches
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
    fig = mpl.figure.Figure(figsize=(6.4, 4.4), layout="constrained")
    return fig, fig.add_subplot(), True


def _finish(fig: Figure, note: str, path: str | Path | None, own: bool) -> Figure:
    """Add the note as a caption below a figure of ours; save to ``path`` if given."""
    if own and note:
        width = int(fig.get_figwidth() * 20)
        fig.text(0.01, 0, textwrap.fill(note, width), fontsize=6, va="top", ha="left")
    if path is not None:
        suffix = Path(path).suffix.lower()
        if suffix not in _METADATA_KEY:
            raise BargainError(f"save figures as .png, .pdf or .svg, got {str(path)!r}")
        with atomic_path(path) as temp:
            fig.savefig(
                temp,
                dpi=200,
                bbox_inches="tight",
                metadata={_METADATA_KEY[suffix]: note} if note else None,
            )
    return fig
