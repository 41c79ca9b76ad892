"""Sobol' (Saltelli) and Morris designs and their sensitivity indices, through SALib.

SALib is the optional extra ``sensitivity``; it is imported only when needed.
"""

from __future__ import annotations

import importlib
from abc import abstractmethod
from collections.abc import Iterable, Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from bargain.checks import count
from bargain.errors import BargainError, ParamError
from bargain.params import ParamSpace
from bargain.spaces.base import Space, resolve_ranges, resolve_seed
from bargain.spaces.samples import Sample

if TYPE_CHECKING:
    import pandas as pd


def _salib(module: str) -> ModuleType:
    """Import ``SALib.<module>`` or explain how to install the optional extra."""
    try:
        return importlib.import_module(f"SALib.{module}")
    except ImportError:
        raise ImportError(
            'Sobol\' and Morris designs need SALib: pip install "bargain-games[sensitivity]"'
        ) from None


class _Design(Sample):
    """A SALib design: it knows its SALib problem and how to analyze a measure."""

    @property
    def problem(self) -> dict[str, Any]:
        """The SALib problem definition."""
        return {
            "num_vars": len(self.names),
            "names": list(self.names),
            "bounds": [list(pair) for pair in self.ranges.values()],
        }

    def _measure(self, values: Any) -> np.ndarray:
        """Check that ``values`` holds one finite number per point."""
        y = np.asarray(values, dtype=np.float64)
        if y.shape != (len(self),):
            raise BargainError(
                f"{self.kind} analysis needs one value per point of the design, "
                f"shape ({len(self)},), got shape {y.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(y))
        if bad.size:
            raise BargainError(
                f"{self.kind} analysis needs a finite value at every point, but {bad.size} of "
                f"{y.size} are not (first at point {bad[0]}: {y[bad[0]]})"
            )
        return y

    def _frame(self, columns: Mapping[str, Any]) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(dict(columns), index=pd.Index(self.names, name="parameter"))

    @abstractmethod
    def analyze(
        self, values: Any, *, conf_level: float = 0.95, num_resamples: int = 100
    ) -> pd.DataFrame:
        """Sensitivity indices of a measure given at every point, one row per parameter."""


class SobolDesign(_Design):
    """Saltelli's design for Sobol' indices; create it with :func:`sobol`."""

    kind = "sobol"
    libraries = ("SALib", "scipy")

    def __init__(
        self,
        ranges: Mapping[str, tuple[float, float]],
        n: int,
        seed: int,
        calc_second_order: bool,
    ) -> None:
        super().__init__(ranges, n, seed)
        self.calc_second_order = calc_second_order

    def __len__(self) -> int:
        return self.n * ((2 if self.calc_second_order else 1) * len(self.names) + 2)

    def _settings(self) -> dict[str, Any]:
        return {**super()._settings(), "calc_second_order": self.calc_second_order}

    def _draw(self) -> np.ndarray:
        return _salib("sample.sobol").sample(
            self.problem, self.n, calc_second_order=self.calc_second_order, seed=self.seed
        )

    def analyze(
        self, values: Any, *, conf_level: float = 0.95, num_resamples: int = 100
    ) -> pd.DataFrame:
        """Return Sobol' indices of a measure given at every point, in order.

        Parameters
        ----------
        values : array_like
            The measure at each of the ``len(self)`` points.
        conf_level : float
            Confidence level of the bootstrap intervals.
        num_resamples : int
            Bootstrap resamples (seeded with the design's seed).

        Returns
        -------
        pandas.DataFrame
            One row per parameter, columns ``S1``, ``S1_conf``, ``ST``,
            ``ST_conf`` (first-order and total indices and the half-widths of
            their confidence intervals). With ``calc_second_order``,
            ``frame.attrs["S2"]`` and ``frame.attrs["S2_conf"]`` hold the
            second-order indices as parameter x parameter frames.
        """
        indices = _salib("analyze.sobol").analyze(
            self.problem,
            self._measure(values),
            calc_second_order=self.calc_second_order,
            num_resamples=num_resamples,
            conf_level=conf_level,
            # A Generator, since SALib ignores a seed of 0.
            seed=np.random.default_rng(self.seed),
        )
        frame = self._frame({key: indices[key] for key in ("S1", "S1_conf", "ST", "ST_conf")})
        if self.calc_second_order:
            for key in ("S2", "S2_conf"):
                frame.attrs[key] = self._frame(dict(zip(self.names, indices[key].T)))
        return frame


class MorrisDesign(_Design):
    """Morris trajectories for elementary effects; create it with :func:`morris`."""

    kind = "morris"
    libraries = ("SALib",)

    def __init__(
        self, ranges: Mapping[str, tuple[float, float]], n: int, seed: int, num_levels: int
    ) -> None:
        super().__init__(ranges, n, seed)
        self.num_levels = num_levels

    def __len__(self) -> int:
        return self.n * (len(self.names) + 1)

    def _settings(self) -> dict[str, Any]:
        return {"n_trajectories": self.n, "num_levels": self.num_levels, "seed": self.seed}

    def _draw(self) -> np.ndarray:
        return _salib("sample.morris").sample(
            self.problem, self.n, num_levels=self.num_levels, seed=self.seed
        )

    def analyze(
        self, values: Any, *, conf_level: float = 0.95, num_resamples: int = 100
    ) -> pd.DataFrame:
        """Return Morris elementary-effect statistics of a measure given at every point.

        Parameters
        ----------
        values : array_like
            The measure at each of the ``len(self)`` points, in order.
        conf_level : float
            Confidence level of the bootstrap interval of ``mu_star``.
        num_resamples : int
            Bootstrap resamples (seeded with the design's seed).

        Returns
        -------
        pandas.DataFrame
            One row per parameter, columns ``mu``, ``mu_star``, ``sigma`` and
            ``mu_star_conf`` (mean, mean absolute value and standard deviation
            of the elementary effects, and the half-width of the confidence
            interval of ``mu_star``).
        """
        indices = _salib("analyze.morris").analyze(
            self.problem,
            self.sample,
            self._measure(values),
            num_resamples=num_resamples,
            conf_level=conf_level,
            num_levels=self.num_levels,
            seed=np.random.default_rng(self.seed),
        )
        return self._frame(
            {key: indices[key] for key in ("mu", "mu_star", "sigma", "mu_star_conf")}
        )


def sobol(
    ranges: ParamSpace | Mapping[str, tuple[float, float]],
    n: int,
    seed: int | None = None,
    *,
    calc_second_order: bool = False,
    names: Iterable[str] | str | None = None,
) -> SobolDesign:
    """Return Saltelli's design for Sobol' sensitivity indices (SALib).

    The design has ``n * (D + 2)`` points for ``D`` parameters, or
    ``n * (2 D + 2)`` with ``calc_second_order``
    (:func:`SALib.sample.sobol.sample`); :meth:`SobolDesign.analyze` turns a
    measure at these points into indices.

    Parameters
    ----------
    ranges : ParamSpace or mapping
        A model's parameters, whose declared bounds are the ranges (every
        sampled parameter needs both bounds), or name -> (low, high).
    n : int
        Base sample size, a power of 2.
    seed : int, optional
        Seed of the scrambled Sobol' sequence and of the bootstrap; by
        default a fresh one, shown in the ``repr``.
    calc_second_order : bool
        Also estimate second-order indices.
    names : str or iterable of str, optional
        With a ParamSpace, the parameters to sample (by default all).

    Examples
    --------
    >>> space = sobol({"x": (0, 1), "y": (0, 1)}, n=256, seed=1)
    >>> len(space)
    1024
    >>> p = space.points()
    >>> indices = space.analyze(p["x"] + 0.1 * p["y"])
    >>> indices[["S1", "ST"]].round(2)  # doctest: +NORMALIZE_WHITESPACE
                 S1    ST
    parameter
    x          0.99  0.99
    y          0.01  0.01
    """
    _salib("sample.sobol")  # fail early without SALib
    n = count(n, "sobol n")
    if n & (n - 1):
        low = 1 << (n.bit_length() - 1)
        raise ParamError(
            f"sobol n must be a power of 2 for balanced Sobol' sequences, got {n}; "
            f"take {low} or {2 * low}"
        )
    return SobolDesign(
        resolve_ranges(ranges, names, "sobol"), n, resolve_seed(seed), bool(calc_second_order)
    )


def morris(
    ranges: ParamSpace | Mapping[str, tuple[float, float]],
    n_trajectories: int,
    num_levels: int = 4,
    seed: int | None = None,
    *,
    names: Iterable[str] | str | None = None,
) -> MorrisDesign:
    """Return a Morris design of elementary-effect trajectories (SALib).

    The design has ``n_trajectories * (D + 1)`` points for ``D`` parameters
    (:func:`SALib.sample.morris.sample`); :meth:`MorrisDesign.analyze` turns a
    measure at these points into elementary-effect statistics.

    Parameters
    ----------
    ranges : ParamSpace or mapping
        A model's parameters, whose declared bounds are the ranges (every
        sampled parameter needs both bounds), or name -> (low, high).
    n_trajectories : int
        The number of trajectories.
    num_levels : int
        Grid levels per parameter, even and at least 2.
    seed : int, optional
        Seed of the trajectories and of the bootstrap; by default a fresh
        one, shown in the ``repr``.
    names : str or iterable of str, optional
        With a ParamSpace, the parameters to sample (by default all).

    Examples
    --------
    >>> space = morris({"x": (0, 1), "y": (0, 2)}, n_trajectories=10, seed=1)
    >>> len(space)
    30
    >>> p = space.points()
    >>> effects = space.analyze(3 * p["x"] + p["y"])
    >>> effects[["mu", "mu_star"]].round(2)  # doctest: +NORMALIZE_WHITESPACE
                mu  mu_star
    parameter
    x          3.0      3.0
    y          2.0      2.0
    """
    _salib("sample.morris")  # fail early without SALib
    num_levels = count(num_levels, "morris num_levels", low=2)
    if num_levels % 2:
        raise ParamError(f"morris num_levels must be even, got {num_levels}")
    return MorrisDesign(
        resolve_ranges(ranges, names, "morris"),
        count(n_trajectories, "morris n_trajectories"),
        resolve_seed(seed),
        num_levels,
    )


def sensitivity(
    space: Space, values: Any, *, conf_level: float = 0.95, num_resamples: int = 100
) -> pd.DataFrame:
    """Return the sensitivity indices of a measure over a :func:`sobol` or :func:`morris` design.

    Same as ``space.analyze(values, ...)``; see :meth:`SobolDesign.analyze`
    and :meth:`MorrisDesign.analyze`.

    Examples
    --------
    >>> space = morris({"x": (0, 1), "y": (0, 1)}, n_trajectories=10, seed=1)
    >>> p = space.points()
    >>> sensitivity(space, p["x"] - 4 * p["y"])["mu"].round(2).tolist()
    [1.0, -4.0]
    """
    if not isinstance(space, _Design):
        raise TypeError(
            f"sensitivity indices need a sobol() or morris() design, got {type(space).__name__}"
        )
    return space.analyze(values, conf_level=conf_level, num_resamples=num_resamples)
