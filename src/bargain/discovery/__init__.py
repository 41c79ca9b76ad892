"""Scenario discovery over sweeps: where in the parameter space an outcome holds.

As EMA Workbench users do for simulation models (Bryant and Lempert 2010), done
for equilibria: over a sweep result (or any frame with its provenance) or a random
or Latin-hypercube sample of a model's parameters, :func:`discover` finds

- **PRIM boxes** (Friedman and Fisher 1999; :mod:`.boxes`): the ranges of the
  parameters in which the outcome holds, with their coverage, density, mass and
  the peeling trajectory they were chosen from;
- a **CART tree** (Breiman et al. 1984; :mod:`.trees`): the outcome classified by
  the parameters, as rules;
- **feature scores** (:mod:`.trees`): which parameters matter most.

The outcome is a flag measure, a label or a threshold (:mod:`.outcomes`); the
inputs are the swept parameters that vary. PRIM is the ``prim`` package's, CART
and the scores scikit-learn's: the optional extra ``discover``
(``pip install "bargain-games[discover]"``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bargain.checks import count, count_text
from bargain.errors import BargainError
from bargain.files import atomic_write
from bargain.frames import Framed, axis_label, check_columns, frame_of, swept
from bargain.model import Model
from bargain.spaces import Space, latin_hypercube, random_sample
from bargain.sweeps import sweep
from bargain.tables import latex_escape, to_latex, to_markdown

from .boxes import Box, find_boxes
from .figure import box_figure, shown
from .outcomes import Missing, where_holds
from .trees import cart, scores

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Box", "Discovery", "discover", "discover_model", "feature_scores", "sample_space"]

#: The least mass of a box (and of a CART leaf) unless the outcome is rarer.
MASS_MIN = 0.05

#: The samples ``discover_model`` and ``bargain discover --space`` draw: kind -> space.
SAMPLES = {"random": random_sample, "lhs": latin_hypercube}


@dataclass(frozen=True)
class Discovery:
    """What :func:`discover` found: ``boxes`` (PRIM, :class:`Box`), the CART tree's
    ``leaves``, ``splits`` and ``tree`` (text), feature ``scores``, the ``frame`` of the
    points used with the ``holds`` flag of each, the ``inputs`` and the ``outcome``."""

    outcome: str
    inputs: tuple[str, ...]
    frame: pd.DataFrame
    holds: np.ndarray
    dropped: int
    boxes: tuple[Box, ...]
    leaves: pd.DataFrame
    splits: pd.DataFrame
    tree: str
    scores: pd.DataFrame
    note: str

    @property
    def box(self) -> pd.DataFrame:
        """The first box's limits, its coverage, density and mass in ``attrs``."""
        first = self.boxes[0]
        limits = first.limits.copy()
        limits.attrs = {"coverage": first.coverage, "density": first.density, "mass": first.mass}
        return limits

    @property
    def trajectory(self) -> pd.DataFrame:
        """The first box's peeling trajectory."""
        return self.boxes[0].trajectory

    def summary(self) -> str:
        """One line per box: its coverage, density, mass and limits."""
        lines = []
        for n, box in enumerate(self.boxes, 1):
            limits = [
                f"{box.limits.at[p, 'low']:.3g} <= {p} <= {box.limits.at[p, 'high']:.3g}"
                for p in box.restricted
            ]
            lines.append(
                f"box {n}: coverage {box.coverage:.2f}, density {box.density:.2f}, "
                f"mass {box.mass:.2f}: {' and '.join(limits) or 'no restriction'}"
            )
        return "\n".join(lines)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a paper shows, as frames with a ``title`` and a ``note`` in their
        ``attrs``: ``box`` (every box's limits), ``trajectory`` (box 1's), ``tree`` (the
        CART leaves) and ``scores``."""
        rows = []
        for n, box in enumerate(self.boxes, 1):
            for name, row in box.limits.iterrows():
                rows.append(
                    {
                        **({"box": n} if len(self.boxes) > 1 else {}),
                        "parameter": axis_label(self.frame, str(name)),
                        "low": row["low"],
                        "high": row["high"],
                        "restricted": bool(row["restricted"]),
                        "qp": row["qp"],
                    }
                )
        stats = "; ".join(
            f"box {n}: coverage {b.coverage:.2f}, density {b.density:.2f}, mass {b.mass:.2f}"
            for n, b in enumerate(self.boxes, 1)
        )
        scored = self.scores.reset_index()
        scored["parameter"] = [axis_label(self.frame, p) for p in scored["parameter"]]
        out = {
            "box": (
                pd.DataFrame(rows),
                f"Where {self.outcome} holds: PRIM boxes",
                f"{stats}; qp: quasi-p value of a restriction (Bryant and Lempert 2010).",
            ),
            "trajectory": (self.trajectory.reset_index(), "PRIM peeling trajectory", "Box 1."),
            "tree": (
                self.leaves,
                f"CART leaves for {self.outcome}",
                f"Density: share of a leaf's points where {self.outcome} holds.",
            ),
            "scores": (scored, f"Feature scores for {self.outcome}", "Extra trees."),
        }
        tables = {}
        for name, (table, title, what) in out.items():
            table = table.copy()
            table.attrs = {"title": title, "note": f"{what} {self.note}"}
            tables[name] = table
        return tables

    def figure(self, path: str | Path | None = None) -> Figure:
        """The boxes on a pairwise scatter of the parameters they restrict (two at least:
        the best-scored others fill in); saved to ``path`` (.png, .pdf, .svg) if given."""
        names = shown(self.boxes, list(self.scores.index))
        return box_figure(self.frame, self.holds, self.boxes, names, self.outcome, self.note, path)

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write the tables as Markdown and LaTeX, the tree as text and the figure as
        PDF and PNG into ``folder``; return the paths written."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths = []
        for name, table in self.tables().items():
            caption = latex_escape(table.attrs["title"])
            for suffix, text in (
                (".md", to_markdown(table)),
                (".tex", to_latex(table, caption=caption, layout="auto")),
            ):
                atomic_write(folder / f"{name}{suffix}", text.rstrip("\n") + "\n")
                paths.append(folder / f"{name}{suffix}")
        atomic_write(folder / "tree.txt", self.tree)
        paths.append(folder / "tree.txt")
        for suffix in (".pdf", ".png"):
            self.figure(folder / f"box{suffix}")
            paths.append(folder / f"box{suffix}")
        return paths


def discover(
    result: Framed | pd.DataFrame,
    outcome: str,
    *,
    inputs: Sequence[str] | None = None,
    missing: Missing = "drop",
    n_boxes: int = 1,
    density: float = 0.9,
    peel_alpha: float = 0.05,
    paste_alpha: float = 0.05,
    mass_min: float | None = None,
    depth: int = 4,
    seed: int = 0,
) -> Discovery:
    """Find where ``outcome`` holds over the points of a sweep result or frame.

    Parameters
    ----------
    result : a sweep result, or a frame with ``attrs["swept"]`` (or pass ``inputs``).
    outcome : a flag measure (``"deal"``), a label (``"regime=pressure"``) or a
        threshold (``"war>0.05"``); see :mod:`bargain.discovery.outcomes`.
    inputs : the parameters to explain it by (default: the swept ones that vary).
    missing : points without an outcome (NaN, several or no equilibria): "drop"
        leaves them out (the note says how many), "false" counts them as points where
        the outcome does not hold.
    n_boxes : PRIM boxes to find, each among the points the ones before leave.
    density : the box chosen on a peeling trajectory is its most covering step with
        at least this density (else its densest).
    peel_alpha, paste_alpha : PRIM's share of a box's points peeled or pasted per step.
    mass_min : the least mass of a box and of a CART leaf: by default 0.05, or half
        the share of points where the outcome holds if that is smaller (a box of a rare
        outcome must be small to be dense).
    depth : the CART tree's greatest depth.
    seed : the seed of the tree ensembles.
    """
    frame = frame_of(result)
    names = _inputs(frame, inputs)
    found = where_holds(frame, outcome, missing)
    kept = frame[found.kept].reset_index(drop=True)
    kept.attrs = dict(frame.attrs)
    holds = found.holds
    where = f"{found.text!r} holds at"
    if not holds.any():
        raise BargainError(
            f"{where} none of the {len(holds)} points with an outcome: nothing to discover; "
            "widen the space, or ask for another outcome or threshold"
        )
    if holds.all():
        raise BargainError(
            f"{where} every one of the {len(holds)} points with an outcome: nothing to tell "
            "apart; widen the space, or ask for another outcome or threshold"
        )
    x = kept[names].astype(float)
    if mass_min is None:
        mass_min = min(MASS_MIN, float(holds.mean()) / 2)
    ranges = {
        name: (low, high) for name, low, high in (frame.attrs.get("space") or {}).get("ranges", ())
    }
    boxes = find_boxes(
        x, holds, count(n_boxes, "n_boxes"), density, peel_alpha, paste_alpha, mass_min, ranges
    )
    leaves, splits, text = cart(x, holds, count(depth, "depth"), mass_min, seed)
    share = f"{found.text} holds at {int(holds.sum())} of {len(holds)} points"
    left_out = (
        f", {count_text(found.dropped, 'point')} without an outcome left out"
        if found.dropped
        else ""
    )
    note = f"{share}{left_out}. {frame.attrs.get('note', '')}".strip()
    return Discovery(
        found.text,
        tuple(names),
        kept,
        holds,
        found.dropped,
        tuple(boxes),
        leaves,
        splits,
        text,
        scores(x, holds, seed),
        note,
    )


def feature_scores(
    result: Framed | pd.DataFrame,
    measure: str,
    *,
    inputs: Sequence[str] | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """Which inputs matter most for ``measure``: a numeric measure's values, a label, or
    an outcome (``"war>0.05"``, ``"regime=pressure"``); points without one are left out.

    Returns a frame with one ``score`` per input (extra-trees importances summing to
    one), highest first.
    """
    frame = frame_of(result)
    names = _inputs(frame, inputs)
    if measure in frame and pd.api.types.is_numeric_dtype(frame[measure]):
        values = frame[measure].to_numpy(dtype=float)
        kept, y = ~np.isnan(values), values[~np.isnan(values)]
    elif measure in frame:
        kept = np.ones(len(frame), dtype=bool)
        y = frame[measure].astype(str).to_numpy()
    else:
        found = where_holds(frame, measure)
        kept, y = found.kept, found.holds
    return scores(frame.loc[kept, names].astype(float), y, seed)


def sample_space(
    model: Model,
    space: str = "lhs:2000",
    seed: int | None = None,
    names: Iterable[str] | None = None,
) -> Space:
    """A sample of ``model``'s parameters: ``"random:N"`` or ``"lhs:N"`` over ``names``
    (default: every parameter with a lower and an upper bound)."""
    kind, _, n = str(space).partition(":")
    if kind not in SAMPLES or not n.strip().isdigit():
        raise BargainError(f"space {space!r}: expected random:N or lhs:N, e.g. lhs:2000")
    if names is None:
        names = [p.name for p in model.params if p.low is not None and p.high is not None]
    return SAMPLES[kind](model.params, int(n), seed, names=list(names))


def discover_model(
    model: Model,
    outcome: str,
    space: str | Space = "lhs:2000",
    *,
    seed: int | None = 0,
    names: Iterable[str] | None = None,
    fixed: Mapping[str, float] | None = None,
    scenario: str | None = None,
    progress: bool = False,
    **options: Any,
) -> Discovery:
    """Sweep ``model`` over a sample of its parameters and :func:`discover` where
    ``outcome`` holds.

    ``space`` is ``"random:N"``, ``"lhs:N"`` (over ``names``, by default every bounded
    parameter not in ``fixed`` or the ``scenario``) or a space of
    :mod:`bargain.spaces`; ``options`` go to :func:`discover`.
    """
    if not isinstance(space, Space):
        if names is None:
            held = {**(model.scenario(scenario) if scenario else {}), **(fixed or {})}
            names = [
                p.name
                for p in model.params
                if p.low is not None and p.high is not None and p.name not in held
            ]
        space = sample_space(model, space, seed, names)
    result = sweep(model, space, fixed=fixed, scenario=scenario, progress=progress)
    return discover(result, outcome, **options)


def _inputs(frame: pd.DataFrame, inputs: Sequence[str] | None) -> list[str]:
    """The inputs: those given, or the swept parameters that vary."""
    if inputs is None:
        if not swept(frame):
            raise BargainError(
                "the frame names no swept parameters (attrs['swept']): pass inputs=[...]"
            )
        inputs = [p for p in swept(frame) if p in frame and frame[p].nunique() > 1]
    names = check_columns(frame, list(inputs))
    if not names:
        raise BargainError("no swept parameter varies: nothing to explain the outcome by")
    if text := [n for n in names if not pd.api.types.is_numeric_dtype(frame[n])]:
        raise BargainError(f"inputs must be numbers; {', '.join(text)} are not")
    return names
