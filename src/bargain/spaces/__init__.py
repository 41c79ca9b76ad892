"""Parameter spaces for sweeps: grids, one-at-a-time lines, random and Latin-hypercube
samples, and Sobol' and Morris designs for global sensitivity analysis.

Every space is a :class:`Space`: an immutable, ordered set of N points over the
parameters in ``space.names``. A sweep walks it in chunks with
``space.points(start, stop)``, so even a huge grid is never held in memory.
Sampled spaces are drawn from a seed, so the same call gives the same points.
Spaces do their own checks when they are built (empty axes, counts below 1,
empty or missing ranges); :meth:`Space.validate` then checks them against a
model's :class:`~bargain.params.ParamSpace` (unknown names, values outside the
declared bounds) before anything is computed.

Sobol' and Morris designs need the optional SALib package
(``pip install "bargain-games[sensitivity]"``).
"""

from bargain.spaces.base import Space
from bargain.spaces.designs import MorrisDesign, SobolDesign, morris, sensitivity, sobol
from bargain.spaces.grids import (
    Grid,
    OneAtATime,
    PointList,
    as_space,
    grid,
    linspace,
    logspace,
    one_at_a_time,
    point_list,
)
from bargain.spaces.samples import LatinHypercube, RandomSample, latin_hypercube, random_sample

__all__ = [
    "Grid",
    "LatinHypercube",
    "MorrisDesign",
    "OneAtATime",
    "PointList",
    "RandomSample",
    "SobolDesign",
    "Space",
    "as_space",
    "grid",
    "latin_hypercube",
    "linspace",
    "logspace",
    "morris",
    "one_at_a_time",
    "point_list",
    "random_sample",
    "sensitivity",
    "sobol",
]
