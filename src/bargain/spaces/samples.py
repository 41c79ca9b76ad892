"""Random and Latin-hypercube samples, drawn from a seed."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Mapping
from functools import cached_property
from importlib.metadata import version
from typing import Any, ClassVar

import numpy as np

from bargain.checks import count, number_text
from bargain.params import ParamSpace
from bargain.spaces.base import Space, resolve_ranges, resolve_seed


class Sample(Space):
    """Points drawn once, on first use, from a seed, inside box bounds."""

    libraries: ClassVar[tuple[str, ...]]

    def __init__(self, ranges: Mapping[str, tuple[float, float]], n: int, seed: int) -> None:
        self.ranges = dict(ranges)
        self.names = tuple(ranges)
        self.n = n
        self.seed = seed

    def __len__(self) -> int:
        return self.n

    @property
    def bounds(self) -> dict[str, tuple[float, float]]:
        return dict(self.ranges)

    @abstractmethod
    def _draw(self) -> np.ndarray:
        """All points within the ranges, as an array of shape (N, number of names)."""

    @property
    def _box(self) -> tuple[np.ndarray, np.ndarray]:
        """The lower and the upper ends of the ranges."""
        low, high = np.array(list(self.ranges.values())).T
        return low, high

    @cached_property
    def sample(self) -> np.ndarray:
        """All points as a read-only array of shape (N, number of names), drawn on first use."""
        # Clipping removes rounding beyond the ends from low + u * (high - low).
        sample = np.clip(self._draw(), *self._box)
        sample.flags.writeable = False
        return sample

    def _settings(self) -> dict[str, Any]:
        return {"n": self.n, "seed": self.seed}

    def spec(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ranges": [[name, low, high] for name, (low, high) in self.ranges.items()],
            **self._settings(),
            # The same seed may give other points after an upgrade of the sampler.
            "versions": {library: version(library) for library in self.libraries},
        }

    def _points(self, start: int, stop: int) -> dict[str, np.ndarray]:
        return {name: self.sample[start:stop, j].copy() for j, name in enumerate(self.names)}

    def __getstate__(self) -> dict[str, Any]:
        # Pickle (e.g. for worker processes) the settings, not the points: they are drawn again.
        return {key: value for key, value in self.__dict__.items() if key != "sample"}

    def _repr_items(self) -> list[str]:
        return [f"{key}={value}" for key, value in self._settings().items()] + [
            f"{name}=[{number_text(low)}, {number_text(high)}]"
            for name, (low, high) in self.ranges.items()
        ]


class RandomSample(Sample):
    """Independent uniform points; create it with :func:`random_sample`."""

    kind = "random"
    libraries = ("numpy",)

    def _draw(self) -> np.ndarray:
        low, high = self._box
        unit = np.random.default_rng(self.seed).random((self.n, len(self.names)))
        return low + unit * (high - low)


class LatinHypercube(Sample):
    """A Latin-hypercube sample; create it with :func:`latin_hypercube`."""

    kind = "latin_hypercube"
    libraries = ("scipy",)

    def _draw(self) -> np.ndarray:
        from scipy.stats import qmc  # a heavy import: only where a sample is drawn

        unit = qmc.LatinHypercube(d=len(self.names), seed=self.seed).random(self.n)
        return qmc.scale(unit, *self._box)


def random_sample(
    ranges: ParamSpace | Mapping[str, tuple[float, float]],
    n: int,
    seed: int | None = None,
    *,
    names: Iterable[str] | str | None = None,
) -> RandomSample:
    """Return ``n`` independent points drawn uniformly from the ranges.

    Parameters
    ----------
    ranges : ParamSpace or mapping
        A model's parameters, whose declared bounds are the ranges (every
        sampled parameter needs both bounds), or name -> (low, high).
    n : int
        The number of points.
    seed : int, optional
        Seed of :func:`numpy.random.default_rng`; by default a fresh one,
        shown in the ``repr``, so that the points can be drawn again.
    names : str or iterable of str, optional
        With a ParamSpace, the parameters to sample (by default all).

    Examples
    --------
    >>> space = random_sample({"relief": (0, 1), "breakout": (3, 12)}, n=1000, seed=1)
    >>> space
    RandomSample(n=1000, seed=1, relief=[0, 1], breakout=[3, 12]; 1000 points)
    >>> bool(((space.points()["breakout"] >= 3) & (space.points()["breakout"] <= 12)).all())
    True
    """
    return RandomSample(
        resolve_ranges(ranges, names, "random"), count(n, "random n"), resolve_seed(seed)
    )


def latin_hypercube(
    ranges: ParamSpace | Mapping[str, tuple[float, float]],
    n: int,
    seed: int | None = None,
    *,
    names: Iterable[str] | str | None = None,
) -> LatinHypercube:
    """Return a Latin-hypercube sample of ``n`` points in the ranges.

    Each range is cut into ``n`` equal strata and every stratum of every
    parameter holds exactly one point (:class:`scipy.stats.qmc.LatinHypercube`).

    Parameters
    ----------
    ranges : ParamSpace or mapping
        A model's parameters, whose declared bounds are the ranges (every
        sampled parameter needs both bounds), or name -> (low, high).
    n : int
        The number of points.
    seed : int, optional
        Seed of the sampler; by default a fresh one, shown in the ``repr``.
    names : str or iterable of str, optional
        With a ParamSpace, the parameters to sample (by default all).

    Examples
    --------
    >>> from bargain.params import Param, ParamSpace
    >>> params = ParamSpace([Param("relief", 0.5, 0, 1), Param("cost", 1)])
    >>> space = latin_hypercube(params, n=4, seed=1, names=["relief"])
    >>> sorted((space.points()["relief"] * 4).astype(int).tolist())
    [0, 1, 2, 3]
    """
    return LatinHypercube(
        resolve_ranges(ranges, names, "latin_hypercube"),
        count(n, "latin_hypercube n"),
        resolve_seed(seed),
    )
