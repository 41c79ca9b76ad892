"""Sweep results: per-point and per-equilibrium columns, viewed as tables.

A :class:`SweepResult` is columns of numbers and labels; every view (a
DataFrame, CSV, Markdown, LaTeX, a plot) is made from them and carries the
model name, the fixed parameter values, the selection rule and the package
version, so a reader can reproduce it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from .measures import Columns

#: Per-point columns that are flags or labels rather than measures.
POINT_INFO = ("n_equilibria", "selected_unique", "degenerate", "ties", "equilibria", "regime")


class SweepResult:
    """Equilibrium measures over the points of a parameter space.

    Attributes
    ----------
    points : per-point columns: every parameter, ``n_equilibria``,
        ``selected_unique``, ``degenerate``, ``ties``, ``equilibria`` (all
        equilibrium regimes at the point), ``regime`` and every measure of the
        selected equilibrium.
    rows : per-equilibrium columns (long form), with ``point`` the point index.
    swept : the names of the parameters that vary; ``fixed`` the others' values.
    measures : the measure names, in order.
    metadata : model name and title, selection rule, space, package version.
    """

    def __init__(
        self,
        points: Columns,
        rows: Columns,
        *,
        swept: Sequence[str],
        fixed: Mapping[str, float],
        measures: Sequence[str],
        metadata: Mapping[str, Any],
    ) -> None:
        self.points = points
        self.rows = rows
        self.swept = tuple(swept)
        self.fixed = dict(fixed)
        self.measures = tuple(measures)
        self.metadata = dict(metadata)

    def __len__(self) -> int:
        return len(next(iter(self.points.values())))

    @property
    def params(self) -> tuple[str, ...]:
        """Every parameter column: the swept ones, then the fixed ones."""
        return (*self.swept, *self.fixed)

    def to_frame(self, long: bool = False) -> pd.DataFrame:
        """One row per point (or per equilibrium with ``long=True``).

        Columns: the parameters, then the measures, then flags and labels;
        ``frame.attrs`` holds the metadata (:meth:`note`).
        """
        source = self.rows if long else self.points
        order = [*(["point"] if long else []), *self.params, *self.measures]
        order += [c for c in source if c not in order]
        frame = pd.DataFrame({c: source[c] for c in order if c in source})
        meta = {k: v for k, v in self.metadata.items() if k != "space"}  # attrs are deep-copied
        frame.attrs.update(
            meta,
            space=self.metadata.get("space", {}).get("kind"),
            fixed=self.fixed,
            note=self.note(),
        )
        return frame

    def note(self) -> str:
        """What a reader needs to reproduce a table: model, fixed values, rule, version."""
        meta = self.metadata
        fixed = ", ".join(f"{k} = {_num(v)}" for k, v in self.fixed.items()) or "none"
        return (
            f"Model {meta.get('model', '?')}"
            + (f" ({meta['title']})" if meta.get("title") else "")
            + f"; fixed parameters: {fixed}; equilibrium selection: {meta.get('select')}; "
            f"{len(self)} points; bargain {meta.get('version')}."
        )

    def to_csv(self, path: str | None = None, long: bool = False) -> str | None:
        """CSV with the note as ``#`` comment lines on top; written to ``path`` if given."""
        text = f"# {self.note()}\n" + self.to_frame(long).to_csv(index=False)
        if path is None:
            return text
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
        return None

    def to_markdown(
        self,
        columns: Sequence[str] | None = None,
        pivot: tuple[str, str, str] | None = None,
        floatfmt: str | Mapping[str, str] = ".3g",
        long: bool = False,
        fixed: Mapping[str, float] | None = None,
    ) -> str:
        """A Markdown table with the note below (see :func:`bargain.tables.to_markdown`)."""
        from .tables import to_markdown

        return to_markdown(self, columns, pivot, floatfmt, long, fixed)

    def to_latex(
        self,
        columns: Sequence[str] | None = None,
        pivot: tuple[str, str, str] | None = None,
        caption: str | None = None,
        label: str | None = None,
        floatfmt: str | Mapping[str, str] = ".3g",
        long: bool = False,
        fixed: Mapping[str, float] | None = None,
    ) -> str:
        """A booktabs LaTeX table with caption, label and note (see :mod:`bargain.tables`).

        ``pivot=(row_param, col_param, column)`` gives the classic outcome-over-a-grid table.
        """
        from .tables import to_latex

        return to_latex(self, columns, pivot, caption, label, floatfmt, long, fixed)

    def regimes(self, by: str = "regime") -> pd.DataFrame:
        """Regions of one outcome: points, share and parameter ranges per label."""
        from .thresholds import regimes

        return regimes(self, by)

    def regime_map(self, x: str, y: str, **options: Any) -> Any:
        """A regime map over two swept parameters (matplotlib Figure; ``path=`` saves it)."""
        from .plots import regime_map

        return regime_map(self, x, y, **options)

    def line_plot(self, x: str, measure: str, **options: Any) -> Any:
        """A measure against one parameter, one line per value of ``by=``."""
        from .plots import line_plot

        return line_plot(self, x, measure, **options)

    def tornado(self, measure: str, **options: Any) -> Any:
        """A tornado diagram of a one-at-a-time sweep."""
        from .plots import tornado

        return tornado(self, measure, **options)

    def __repr__(self) -> str:
        return (
            f"SweepResult({self.metadata.get('model')!r}, {len(self)} points, "
            f"{len(next(iter(self.rows.values())))} equilibria, swept={list(self.swept)}, "
            f"select={self.metadata.get('select')!r})"
        )


def _num(value: float) -> str:
    return f"{value:g}"


def concat_columns(parts: Sequence[Columns]) -> Columns:
    """Join the columns of consecutive chunks."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
