"""Sweeps of a bundled model as plain DataFrames, shared by the model tests."""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

import bargain
from bargain.params import Param, ParamSpace


def frame(
    model: bargain.Model, space: Any, select: str | None = None, **fixed: float
) -> pd.DataFrame:
    """The sweep's table (per point; per equilibrium with ``select="all"``), attrs dropped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", bargain.DegenerateGameWarning)
        result = bargain.sweep(model, space, select=select, fixed=fixed or None, progress=False)
    out = result.to_frame(long=select == "all")
    out.attrs = {}  # pandas deep-copies attrs on every operation
    return out


def sample(model: bargain.Model, n: int, seed: int, **ranges: tuple[float, float]) -> pd.DataFrame:
    """A seeded Latin hypercube over every parameter's declared range; ``ranges`` narrow
    some (a range of one value fixes the parameter)."""
    params, fixed = [], {}
    for p in model.params:
        low, high = ranges.get(p.name, (p.low, p.high))
        if low == high:
            fixed[p.name] = low
        else:
            params.append(Param(p.name, min(max(p.default, low), high), low, high))
    return frame(model, bargain.latin_hypercube(ParamSpace(params), n, seed=seed), **fixed)
