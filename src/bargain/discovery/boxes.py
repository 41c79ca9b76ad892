"""PRIM boxes: the parameter ranges in which an outcome holds.

The Patient Rule Induction Method (Friedman and Fisher 1999) peels thin slices
(``peel_alpha`` of the points) off the edges of the box around the sample, each
time the slice whose removal most raises the share of points inside where the
outcome holds, until the box holds less than ``mass_min`` of the sample; then it
pastes slices back while that raises the share. Each step of this *peeling
trajectory* trades **coverage** (the share of all points where the outcome holds
that lie in the box) against **density** (the share of points in the box where it
holds); **mass** is the share of all points in the box (Bryant and Lempert 2010).
The algorithm is the ``prim`` package's (EMA Workbench's PRIM, packaged by
D. Hadka); this module chooses a step and tabulates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bargain.errors import BargainError


def need(module: str) -> Any:
    """Import ``prim`` or ``sklearn`` (the extra ``discover``), or say how to install it."""
    from importlib import import_module

    try:
        return import_module(module)
    except ImportError:
        raise ImportError(
            'scenario discovery needs prim and scikit-learn: pip install "bargain-games[discover]"'
        ) from None


@dataclass(frozen=True)
class Box:
    """One PRIM box: its limits, its statistics and the trajectory it was chosen from.

    ``limits`` has one row per input: ``low`` and ``high`` (the sample's range for
    an input the box does not restrict), ``restricted`` and ``qp``, the quasi-p value
    of the restriction (a binomial test that the density would not be lower without
    it; Bryant and Lempert 2010). ``trajectory`` has one row per peeling or pasting
    step: ``coverage``, ``density``, ``mass``, ``restricted`` (the number of inputs
    restricted) and ``chosen``.
    """

    limits: pd.DataFrame
    coverage: float
    density: float
    mass: float
    trajectory: pd.DataFrame

    @property
    def restricted(self) -> list[str]:
        """The inputs the box restricts, most significant (lowest quasi-p value) first."""
        limits = self.limits[self.limits["restricted"]]
        return list(limits.sort_values("qp", kind="stable").index)

    def contains(self, x: pd.DataFrame) -> np.ndarray:
        """Which rows of ``x`` (a column per input) lie inside the box."""
        inside = np.ones(len(x), dtype=bool)
        for name in self.restricted:
            values = x[name].to_numpy(dtype=float)
            inside &= (values >= self.limits.at[name, "low"]) & (
                values <= self.limits.at[name, "high"]
            )
        return inside


def find_boxes(
    x: pd.DataFrame,
    holds: np.ndarray,
    n_boxes: int = 1,
    density: float = 0.9,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float = 0.05,
    ranges: Mapping[str, tuple[float, float]] | None = None,
) -> list[Box]:
    """Up to ``n_boxes`` PRIM boxes, each found among the points the boxes before left.

    On each trajectory the step chosen is the one with the highest coverage among
    those with at least ``density``, or the densest step if none is that dense. An
    input's ``ranges`` (those a sample was drawn from; by default the points' range)
    are its limits where the box leaves it open.
    """
    if not 0 < density <= 1:
        raise BargainError(f"density must be in (0, 1], got {density}")
    prim = need("prim")
    sample = pd.DataFrame({"low": x.min(), "high": x.max()}).astype(float)
    ends = sample.copy()
    for name, (low, high) in (ranges or {}).items():
        if name in ends.index:
            ends.loc[name] = [min(low, sample.at[name, "low"]), max(high, sample.at[name, "high"])]
    finder = prim.Prim(x, holds, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    boxes: list[Box] = []
    for _ in range(n_boxes):
        if sum(box.coverage for box in boxes) > 1 - 1e-9:  # no point where it holds is left
            break
        found = finder.find_box()
        if found is None or not len(found):
            break
        steps = found.peeling_trajectory
        dense = steps[steps["density"] >= density]
        pool = dense if len(dense) else steps[steps["density"] == steps["density"].max()]
        chosen = int(pool.sort_values(["coverage", "density"], kind="stable").index[-1])
        found.select(chosen)
        stats = steps.iloc[chosen]
        boxes.append(
            Box(
                _limits(found.limits, sample, ends),
                float(stats["coverage"]),
                float(stats["density"]),
                float(stats["mass"]),
                _trajectory(steps, chosen),
            )
        )
    return boxes


def _limits(restricted: pd.DataFrame, sample: pd.DataFrame, ends: pd.DataFrame) -> pd.DataFrame:
    """Every input's limits: the box's where it restricts the input, else the ``ends`` (a
    restricted input's limit at the edge of the ``sample`` is open, so at its end too)."""
    limits = ends.copy()
    limits["restricted"] = limits.index.isin(restricted.index)
    limits["qp"] = np.nan
    for name, row in restricted.iterrows():
        low = ends.at[name, "low"] if row["min"] <= sample.at[name, "low"] else row["min"]
        high = ends.at[name, "high"] if row["max"] >= sample.at[name, "high"] else row["max"]
        limits.loc[name, ["low", "high", "qp"]] = [low, high, row["qp values"]]
    limits.index.name = "parameter"
    return limits


def _trajectory(steps: pd.DataFrame, chosen: int) -> pd.DataFrame:
    trajectory = pd.DataFrame(
        {
            "coverage": steps["coverage"].to_numpy(dtype=float),
            "density": steps["density"].to_numpy(dtype=float),
            "mass": steps["mass"].to_numpy(dtype=float),
            "restricted": steps["res dim"].to_numpy(dtype=int),
        }
    )
    trajectory["chosen"] = trajectory.index == chosen
    trajectory.index.name = "step"
    return trajectory
