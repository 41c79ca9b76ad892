"""The interface every parameter space implements, and the checks they share."""

from __future__ import annotations

import json
import operator
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from bargain.checks import count, number_text, real
from bargain.errors import ParamError
from bargain.params import ParamSpace

# -- checks and formatting shared by the spaces ------------------------------------------------


def resolve_seed(seed: int | None) -> int:
    """Return the seed, drawing a fresh one from the OS when it is None."""
    if seed is None:
        return int(np.random.SeedSequence().entropy)
    return count(seed, "seed", low=0)


def resolve_ranges(
    ranges: ParamSpace | Mapping[str, Any], names: Iterable[str] | str | None, who: str
) -> dict[str, tuple[float, float]]:
    """Resolve sampling ranges from a ParamSpace (and names) or an explicit mapping."""
    if isinstance(ranges, ParamSpace):
        names = (
            [names] if isinstance(names, str) else list(ranges.names if names is None else names)
        )
        if unknown := [name for name in names if name not in ranges]:
            ranges.bind(where=who, **dict.fromkeys(unknown, 0.0))  # raises "unknown parameter"
        params = [ranges[name] for name in names]
        unbounded = [p.name for p in params if p.low is None or p.high is None]
        if unbounded:
            raise ParamError(
                f"{who} needs a lower and an upper bound for every parameter, but "
                f"{', '.join(map(repr, unbounded))} {'has' if len(unbounded) == 1 else 'have'} "
                "none: declare them with Param(..., low, high) or pass explicit ranges "
                "{name: (low, high)}"
            )
        pairs: Mapping[str, Any] = {p.name: (p.low, p.high) for p in params}
    elif isinstance(ranges, Mapping) and names is None:
        pairs = ranges
    else:
        raise TypeError(
            f"{who} takes a ParamSpace (and optionally names=) or a mapping "
            f"{{name: (low, high)}}, got {type(ranges).__name__}"
            + ("" if names is None else " with names=")
        )
    out = {}
    for name, pair in pairs.items():
        if not isinstance(name, str):
            raise ParamError(f"{who}: parameter names must be strings, got {name!r}")
        if not isinstance(pair, Iterable) or len(pair := tuple(pair)) != 2:
            raise ParamError(f"{who}: range of '{name}' must be a pair (low, high), got {pair!r}")
        low, high = (
            real(x, f"{who}: {end} end of the range of '{name}'")
            for end, x in zip(("lower", "upper"), pair)
        )
        if not low < high:
            raise ParamError(
                f"{who}: range of '{name}' is empty: "
                f"low {number_text(low)} is not below high {number_text(high)}"
            )
        out[name] = (low, high)
    if not out:
        raise ParamError(f"{who} needs at least one parameter")
    return out


def check_span(start: int, stop: int | None, n: int) -> tuple[int, int]:
    """Check a range [start, stop) of point indices; ``stop`` defaults to ``n``."""
    start = operator.index(start)
    stop = n if stop is None else operator.index(stop)
    if not 0 <= start <= stop <= n:
        raise IndexError(f"points [{start}, {stop}) are not within the {n} points")
    return start, stop


def check_bounds(
    params: ParamSpace, bounds: Mapping[str, tuple[float, float]], context: str
) -> None:
    """Raise ParamError if a name is not declared or an end lies outside the bounds."""
    for end in (0, 1):
        params.bind(where=context, **{name: pair[end] for name, pair in bounds.items()})


def values_text(values: np.ndarray) -> str:
    """Short text for axis values: all of them if few, else their count and range."""
    if values.size <= 6:
        return f"[{', '.join(map(number_text, values))}]"
    return f"<{values.size} values from {number_text(values[0])} to {number_text(values[-1])}>"


class Space(ABC):
    """An ordered, immutable set of N points in parameter space.

    ``len(space)`` is N; ``space.points(start, stop)`` gives the values of the
    swept parameters at points [start, stop), so a sweep can walk the space
    in chunks; ``space.spec()`` describes it canonically (to fingerprint a
    sweep) and ``space.validate(params)`` checks it against a model.

    Attributes
    ----------
    names : tuple of str
        The swept parameters, in a stable order; the others keep their defaults.

    Examples
    --------
    >>> from bargain.params import Param, ParamSpace
    >>> from bargain.spaces import grid
    >>> space = grid(relief=[0, 0.5, 1], breakout=[3, 6])
    >>> [space.points(start, min(start + 4, len(space)))["breakout"].tolist()
    ...  for start in range(0, len(space), 4)]
    [[3.0, 6.0, 3.0, 6.0], [3.0, 6.0]]
    >>> space.spec()
    {'kind': 'grid', 'axes': [['relief', [0.0, 0.5, 1.0]], ['breakout', [3.0, 6.0]]]}
    >>> space.validate(ParamSpace([Param("relief", 0.5, 0, 1), Param("breakout", 4, 3, 5)]))
    Traceback (most recent call last):
    ...
    bargain.errors.ParamError: grid: parameter 'breakout' = 6 is outside its bounds [3, 5]
    """

    kind: ClassVar[str]
    names: tuple[str, ...]

    @abstractmethod
    def __len__(self) -> int:
        """The number of points N."""

    @property
    @abstractmethod
    def bounds(self) -> dict[str, tuple[float, float]]:
        """The smallest and largest value of each swept parameter."""

    @abstractmethod
    def spec(self) -> dict[str, Any]:
        """A canonical, JSON-serializable description: equal only for equal spaces."""

    @abstractmethod
    def _points(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """The points [start, stop), already checked to lie within [0, N]."""

    @abstractmethod
    def _repr_items(self) -> list[str]:
        """The settings shown by ``repr``."""

    def points(self, start: int = 0, stop: int | None = None) -> dict[str, np.ndarray]:
        """Return the values of the swept parameters at points [start, stop).

        Parameters
        ----------
        start, stop : int
            A range of point indices with ``0 <= start <= stop <= len(self)``;
            ``stop`` defaults to ``len(self)``.

        Returns
        -------
        dict
            Name -> float64 array of shape ``(stop - start,)``, in the order of
            :attr:`names`.
        """
        return self._points(*check_span(start, stop, len(self)))

    def validate(self, params: ParamSpace, where: str = "") -> None:
        """Check the space against a model's parameters before anything is computed.

        Parameters
        ----------
        params : ParamSpace
            The model's declared parameters.
        where : str
            Context (e.g. a file name) prefixed to error messages.

        Raises
        ------
        ParamError
            If a swept name is not declared (with a suggestion and the known
            names), or a value lies outside the declared bounds.
        """
        check_bounds(params, self.bounds, f"{where}: {self.kind}" if where else self.kind)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(self._repr_items())}; {len(self)} points)"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Space):
            return NotImplemented
        return type(self) is type(other) and self.spec() == other.spec()

    def __hash__(self) -> int:
        return hash(json.dumps(self.spec(), sort_keys=True))
