"""Sweep results: per-point and per-equilibrium columns, viewed as tables.

A :class:`SweepResult` is columns of numbers and labels; every view (a
DataFrame, CSV, Markdown, LaTeX, a plot) is made from them and carries the
model name, the fixed parameter values, the selection rule and the package
version, so a reader can reproduce it.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bargain import plots, tables
from bargain.errors import BargainError
from bargain.files import atomic_write
from bargain.frames import check_columns
from bargain.games.solution import Columns

from .provenance import options_text, provenance, write_sidecar

#: Space settings too bulky to copy into every frame's attrs (axes, explicit points).
_BULKY = ("axes", "columns", "labels")
#: Rows and columns of the table a notebook shows.
HTML_ROWS, HTML_COLUMNS = 10, 12


class SweepResult:
    """Equilibrium measures over the points of a parameter space.

    Attributes
    ----------
    points : per-point columns: every parameter, ``n_equilibria``,
        ``selected_unique``, ``degenerate``, ``ties``, ``equilibria`` (all
        equilibrium regimes at the point), ``regime`` and every measure of the
        selected equilibrium.
    rows : per-equilibrium columns (long form), with ``point`` the point index;
        None where the sweep kept only some per-point columns.
    swept : the names of the parameters that vary; ``fixed`` the others' values.
    measures : the measure names, in order.
    metadata : model name and title, selection rule, solve options (``options``), space,
        package version.
    """

    def __init__(
        self,
        points: Columns,
        rows: Columns | None,
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
        if source is None:
            raise BargainError(
                "this sweep kept only some per-point columns, not every equilibrium: "
                "sweep without columns= for the long table"
            )
        order = column_order(source, self.params, self.measures, long)
        frame = pd.DataFrame({c: source[c] for c in order})
        meta = {k: v for k, v in self.metadata.items() if k != "space"}
        space = self.metadata.get("space", {})
        frame.attrs.update(
            meta,
            space={k: v for k, v in space.items() if k not in _BULKY},  # attrs are deep-copied
            swept=self.swept,
            measures=self.measures,
            fixed=self.fixed,
            note=self.note(),
        )
        return frame

    def note(self) -> str:
        """What a reader needs to reproduce a table: model, fixed values, rule, solve
        options, version."""
        return note_text(self.metadata, self.fixed, len(self))

    def provenance(self) -> dict[str, Any]:
        """Where the result came from, as the sidecar of a data file holds it: model and
        version, fixed values, rule, space and seed, toolkit version, date, note
        (:mod:`bargain.sweeps.provenance`)."""
        return provenance(
            self.metadata, self.fixed, self.swept, self.measures, len(self), self.note()
        )

    def to_csv(
        self, path: str | None = None, long: bool = False, columns: Sequence[str] | None = None
    ) -> str | None:
        """A plain CSV table that ``pandas.read_csv`` reads as it is; written to ``path`` if
        given, with the provenance beside it in ``PATH.meta.json``."""
        text = self._columns(long, columns).to_csv(index=False)
        if path is None:
            return text
        atomic_write(path, text)
        write_sidecar(path, self.provenance())
        return None

    def to_json(self, columns: Sequence[str] | None = None) -> str:
        """JSON: the model, version, note, selection rule, fixed values and one record per point."""
        records = json.loads(self._columns(False, columns).to_json(orient="records"))
        meta = self.metadata
        head = {"model": meta.get("model"), "version": meta.get("version"), "note": self.note()}
        head |= {k: meta[k] for k in ("model_version", "bibtex") if meta.get(k)}
        head |= {"select": meta.get("select"), "fixed": self.fixed}
        return json.dumps({**head, "points": records}, indent=1)

    def _columns(self, long: bool, columns: Sequence[str] | None) -> pd.DataFrame:
        frame = self.to_frame(long)
        return frame if columns is None else frame[check_columns(frame, columns)]

    def to_markdown(
        self,
        columns: Sequence[str] | None = None,
        pivot: tuple[str, str, str] | None = None,
        **options: Any,
    ) -> str:
        """A Markdown table with the note below; ``options`` (``floatfmt``, ``long``,
        ``fixed``, ``codes``, ``merge``) as in :func:`bargain.tables.to_markdown`."""
        return tables.to_markdown(self, columns, pivot, **options)

    def to_latex(
        self,
        columns: Sequence[str] | None = None,
        pivot: tuple[str, str, str] | None = None,
        caption: str | None = None,
        label: str | None = None,
        **options: Any,
    ) -> str:
        """A booktabs LaTeX table with caption, label and note; ``options`` (``layout``:
        "auto" picks a landscape or page-breaking table when it does not fit; ``merge``,
        ``codes``, ``floatfmt``, ``long``, ``fixed``) as in :func:`bargain.tables.to_latex`.

        ``pivot=(row_param, col_param, column)`` gives the classic outcome-over-a-grid table.
        """
        return tables.to_latex(self, columns, pivot, caption, label, **options)

    def regimes(self, by: str = "regime") -> pd.DataFrame:
        """Regions of one outcome: points, share and parameter ranges per label."""
        return tables.regimes(self, by)

    def regime_map(self, x: str, y: str, **options: Any) -> Any:
        """A regime map over two swept parameters (matplotlib Figure; ``path=`` saves it)."""
        return plots.regime_map(self, x, y, **options)

    def line_plot(self, x: str, measure: str, **options: Any) -> Any:
        """A measure against one parameter, one line per value of ``by=``."""
        return plots.line_plot(self, x, measure, **options)

    def tornado(self, measure: str, **options: Any) -> Any:
        """A tornado diagram of a one-at-a-time sweep."""
        return plots.tornado(self, measure, **options)

    def _repr_html_(self) -> str:
        """The notebook display: the first rows and columns of the per-point table (swept
        parameters, outcome, measures; the fixed values are in the note), its size, the note."""
        frame = self.to_frame()
        first = [*self.swept, "regime", "n_equilibria", *self.measures]
        order = [*dict.fromkeys(c for c in first if c in frame)]
        order += [c for c in frame if c not in order and c not in self.fixed]
        shown = frame[order[:HTML_COLUMNS]].head(HTML_ROWS)
        size = (
            f"{len(frame):,} points; {shown.shape[0]} rows and {shown.shape[1]} of "
            f"{len(order)} columns shown (all of them: to_frame())"
        )
        return (
            f"<p><b>{html.escape(repr(self))}</b></p>"
            + shown.to_html(escape=True, float_format="{:.4g}".format)
            + f"<p>{html.escape(size)}</p><p><small>{html.escape(self.note())}</small></p>"
        )

    def __repr__(self) -> str:
        rows = "" if self.rows is None else f"{len(next(iter(self.rows.values())))} equilibria, "
        return (
            f"SweepResult({self.metadata.get('model')!r}, {len(self)} points, {rows}"
            f"swept={list(self.swept)}, select={self.metadata.get('select')!r})"
        )


def note_text(metadata: Mapping[str, Any], fixed: Mapping[str, float], n_points: int) -> str:
    """The reproducibility note of a sweep of ``n_points`` points (see :meth:`SweepResult.note`):
    model, fixed values, selection rule, the solve options that differ from the form's
    defaults (``metadata["options"]``, as ``-O`` takes them), points, version, citation keys."""
    values = ", ".join(f"{k} = {v:g}" for k, v in fixed.items()) or "none"
    options = options_text(metadata.get("options") or {})
    return (
        f"Model {metadata.get('model', '?')}"
        + (f" {metadata['model_version']}" if metadata.get("model_version") else "")
        + (f" ({metadata['title']})" if metadata.get("title") else "")
        + f"; fixed parameters: {values}; equilibrium selection: {metadata.get('select')}; "
        + (f"solve options: {options}; " if options else "")
        + f"{n_points} points; bargain {metadata.get('version')}"
        + (f"; cite: {', '.join(metadata['cite'])}." if metadata.get("cite") else ".")
    )


def column_order(
    source: Mapping[str, Any], params: Sequence[str], measures: Sequence[str], long: bool = False
) -> list[str]:
    """The columns of a table in reading order: (``point``,) the parameters, the measures,
    then the flags and labels; only those ``source`` has."""
    first = [*(["point"] if long else []), *params, *measures]
    return [c for c in first if c in source] + [c for c in source if c not in first]


def concat_columns(parts: Sequence[Columns]) -> Columns:
    """Join the columns of consecutive chunks."""
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
