"""Full factorial grids and one-at-a-time lines through the defaults."""

from __future__ import annotations

import math
import reprlib
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from bargain.checks import count, memory_needed, number_text, real
from bargain.errors import ParamError
from bargain.params import ParamSpace
from bargain.spaces.base import Space, check_bounds, check_span, resolve_ranges, values_text


def linspace(start: float, stop: float, num: int) -> np.ndarray:
    """Return ``num`` evenly spaced values from ``start`` to ``stop``, both included.

    Examples
    --------
    >>> linspace(0, 1, 5)
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    """
    start, stop = real(start, "linspace start"), real(stop, "linspace stop")
    return np.linspace(start, stop, _values(num, "linspace"))


def logspace(start: float, stop: float, num: int) -> np.ndarray:
    """Return ``num`` values from ``start`` to ``stop`` evenly spaced on a log scale.

    Unlike :func:`numpy.logspace`, ``start`` and ``stop`` are the values
    themselves, not their exponents (like :func:`numpy.geomspace`); both must
    be positive.

    Examples
    --------
    >>> logspace(1, 1000, 4)
    array([   1.,   10.,  100., 1000.])
    """
    ends = real(start, "logspace start"), real(stop, "logspace stop")
    if min(ends) <= 0:
        raise ParamError(f"logspace needs positive start and stop, got {start!r} and {stop!r}")
    return np.geomspace(*ends, _values(num, "logspace"))


def _values(num: object, who: str) -> int:
    """The number of values of an axis: at least 1, and an array that fits in memory."""
    num = count(num, f"{who} num")
    memory_needed(8 * num, f"{who} of {num:,} values", "use fewer values")
    return num


class Grid(Space):
    """The full factorial product of per-parameter axes; create it with :func:`grid`."""

    kind = "grid"

    def __init__(self, axes: Mapping[str, np.ndarray]) -> None:
        self.axes = dict(axes)
        self.names = tuple(self.axes)
        self.shape = tuple(axis.size for axis in self.axes.values())

    def __len__(self) -> int:
        return math.prod(self.shape)

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        return {name: (float(axis.min()), float(axis.max())) for name, axis in self.axes.items()}

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind, "axes": [[n, a.tolist()] for n, a in self.axes.items()]}

    def _points(self, start: int, stop: int) -> dict[str, np.ndarray]:
        index = np.unravel_index(np.arange(start, stop), self.shape)
        return {name: axis[i] for (name, axis), i in zip(self.axes.items(), index)}

    def _repr_items(self) -> list[str]:
        return [f"{name}={values_text(axis)}" for name, axis in self.axes.items()]


class PointList(Space):
    """Explicit points, one value per parameter each (not a product); see :func:`point_list`."""

    kind = "points"

    def __init__(self, columns: Mapping[str, np.ndarray], labels: tuple[str, ...] = ()) -> None:
        self.columns = dict(columns)
        self.names = tuple(self.columns)
        self.labels = labels

    def __len__(self) -> int:
        return len(next(iter(self.columns.values())))

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        return {n: (float(c.min()), float(c.max())) for n, c in self.columns.items()}

    def spec(self) -> dict[str, Any]:
        columns = [[n, c.tolist()] for n, c in self.columns.items()]
        return {"kind": self.kind, "columns": columns, "labels": list(self.labels)}

    def _points(self, start: int, stop: int) -> dict[str, np.ndarray]:
        return {name: column[start:stop].copy() for name, column in self.columns.items()}

    def _repr_items(self) -> list[str]:
        return [f"{name}={values_text(column)}" for name, column in self.columns.items()]


def point_list(columns: Mapping[str, Any], labels: Iterable[str] = ()) -> PointList:
    """Explicit points: ``columns`` name -> N values (zipped, not crossed).

    ``labels`` optionally names the N points (e.g. scenarios).

    Examples
    --------
    >>> space = point_list({"relief": [0.2, 0.6], "breakout": [3, 12]}, ["now", "later"])
    >>> len(space), space.points()["breakout"].tolist()
    (2, [3.0, 12.0])
    """
    arrays = {name: _axis(name, values) for name, values in columns.items()}
    if not arrays:
        raise ParamError("point_list: expected at least one parameter")
    sizes = {name: a.size for name, a in arrays.items()}
    if len(set(sizes.values())) != 1:
        raise ParamError(f"point_list: every parameter needs the same number of values: {sizes}")
    labels = tuple(str(label) for label in labels)
    if labels and len(labels) != next(iter(sizes.values())):
        raise ParamError(f"point_list: {len(labels)} labels for {max(sizes.values())} points")
    return PointList(arrays, labels)


def _axis(name: object, values: object) -> np.ndarray:
    """Check one grid axis and return it as a read-only 1-D float array."""
    if not isinstance(name, str):
        raise ParamError(f"grid axis names must be strings, got {name!r}")
    axis = np.atleast_1d(np.asarray(values))
    if axis.ndim > 1 or axis.dtype.kind not in "iuf":
        raise ParamError(
            f"grid axis '{name}' must be a number or a 1-D sequence of numbers, "
            f"got {reprlib.repr(values)}"
        )
    if axis.size == 0:
        raise ParamError(f"grid axis '{name}' is empty")
    axis = axis.astype(np.float64)
    bad = np.flatnonzero(~np.isfinite(axis))
    if bad.size:
        raise ParamError(f"grid axis '{name}' has a non-finite value {number_text(axis[bad[0]])}")
    axis.flags.writeable = False
    return axis


def grid(axes: Mapping[str, Any] | None = None, /, **more: Any) -> Grid:
    """Return the full factorial grid of the given axes.

    Points are in C order: the first axis varies slowest and the last fastest.

    Parameters
    ----------
    axes : mapping, optional
        Parameter name -> values: a 1-D sequence or array such as
        :func:`linspace` or :func:`logspace` gives, or one number.
    **more
        More axes as keyword arguments, after those of ``axes``.

    Examples
    --------
    >>> g = grid(relief=linspace(0, 1, 3), breakout=[3, 6])
    >>> g
    Grid(relief=[0, 0.5, 1], breakout=[3, 6]; 6 points)
    >>> g.points(1, 4)
    {'relief': array([0. , 0.5, 0.5]), 'breakout': array([6., 3., 6.])}
    """
    if not isinstance(axes, Mapping | None):
        raise TypeError(f"grid takes a mapping name -> values, got {type(axes).__name__}")
    axes = dict(axes or {})
    if clash := axes.keys() & more.keys():
        raise ParamError(f"grid axes given twice: {', '.join(sorted(map(str, clash)))}")
    axes.update(more)
    if not axes:
        raise ParamError("grid needs at least one axis")
    space = Grid({name: _axis(name, values) for name, values in axes.items()})
    if math.prod(space.shape) > np.iinfo(np.int64).max:
        raise ParamError(f"grid of shape {space.shape} has too many points to index")
    return space


def as_space(obj: Space | Mapping[str, Any]) -> Space:
    """Return ``obj`` if it is a space, or the :func:`grid` of a mapping name -> values.

    Examples
    --------
    >>> as_space({"relief": [0, 0.5, 1], "breakout": [3, 6]})
    Grid(relief=[0, 0.5, 1], breakout=[3, 6]; 6 points)
    """
    if isinstance(obj, Space):
        return obj
    if isinstance(obj, Mapping):
        return grid(obj)
    raise TypeError(
        "expected a parameter space (bargain.grid, one_at_a_time, random_sample, latin_hypercube, "
        f"sobol, morris) or a mapping of parameter names to values, got {type(obj).__name__}"
    )


class OneAtATime(Space):
    """Lines through the defaults, one parameter at a time; see :func:`one_at_a_time`."""

    kind = "one_at_a_time"

    def __init__(
        self, ranges: Mapping[str, tuple[float, float]], defaults: Mapping[str, float], num: int
    ) -> None:
        self.ranges = dict(ranges)
        self.defaults = {name: defaults[name] for name in ranges}
        self.names = tuple(ranges)
        self.num = num
        self._lines = np.array([np.linspace(low, high, num) for low, high in ranges.values()])

    def __len__(self) -> int:
        return len(self.names) * self.num

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        return dict(self.ranges)

    def spec(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "num": self.num,
            "ranges": [[name, low, high] for name, (low, high) in self.ranges.items()],
            "defaults": [[name, value] for name, value in self.defaults.items()],
        }

    def _points(self, start: int, stop: int) -> dict[str, np.ndarray]:
        line, step = np.divmod(np.arange(start, stop), self.num)
        values = np.tile(list(self.defaults.values()), (stop - start, 1))
        values[np.arange(stop - start), line] = self._lines[line, step]
        return dict(zip(self.names, values.T.copy()))

    def varied(self, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Return the name of the parameter varied at each point in [start, stop).

        Examples
        --------
        >>> from bargain.params import Param, ParamSpace
        >>> params = ParamSpace([Param("relief", 0.5, 0, 1), Param("breakout", 6, 3, 12)])
        >>> one_at_a_time(params, num=2).varied()
        array(['relief', 'relief', 'breakout', 'breakout'], dtype='<U8')
        """
        start, stop = check_span(start, stop, len(self))
        return np.array(self.names)[np.arange(start, stop) // self.num]

    def validate(self, params: ParamSpace, where: str = "") -> None:
        """Check the space against a model's parameters (see :meth:`Space.validate`).

        Also checks that the defaults the lines pass through are the model's.
        """
        super().validate(params, where)
        for name, value in self.defaults.items():
            if params[name].default != value:
                raise ParamError(
                    f"{where + ': ' if where else ''}one_at_a_time was built with default "
                    f"{number_text(value)} for parameter '{name}' but the model declares "
                    f"{number_text(params[name].default)}; build it from the model's parameters"
                )

    def _repr_items(self) -> list[str]:
        return [f"num={self.num}"] + [
            f"{name}=[{number_text(low)}, {number_text(high)}] "
            f"(default {number_text(self.defaults[name])})"
            for name, (low, high) in self.ranges.items()
        ]


def one_at_a_time(
    space: ParamSpace,
    ranges: Mapping[str, tuple[float, float]] | Iterable[str] | None = None,
    num: int = 11,
) -> OneAtATime:
    """Vary one parameter at a time over its range, the others at their defaults.

    For each varied parameter in turn the space holds a line of ``num`` evenly
    spaced values from low to high; every point carries all varied
    parameters, the ones not varied there at their defaults.
    :meth:`OneAtATime.varied` tells which parameter each point varies (for a
    tornado diagram).

    Parameters
    ----------
    space : ParamSpace
        The model's parameters, which give the defaults.
    ranges : mapping, iterable of str or None
        Name -> (low, high); or names whose declared bounds are the ranges;
        or None for every parameter, with its declared bounds.
    num : int
        Values per line, at least 2.

    Examples
    --------
    >>> from bargain.params import Param, ParamSpace
    >>> params = ParamSpace([Param("relief", 0.5, 0, 1), Param("breakout", 6, 3, 12)])
    >>> oat = one_at_a_time(params, {"relief": (0, 1), "breakout": (3, 9)}, num=3)
    >>> oat.points()
    {'relief': array([0. , 0.5, 1. , 0.5, 0.5, 0.5]), 'breakout': array([6., 6., 6., 3., 6., 9.])}
    """
    if not isinstance(space, ParamSpace):
        raise TypeError(f"one_at_a_time needs the model's ParamSpace, got {type(space).__name__}")
    if isinstance(ranges, Mapping):
        resolved = resolve_ranges(ranges, None, "one_at_a_time")
    else:
        resolved = resolve_ranges(space, ranges, "one_at_a_time")
    check_bounds(space, resolved, "one_at_a_time")
    return OneAtATime(resolved, space.defaults, count(num, "one_at_a_time num", low=2))
