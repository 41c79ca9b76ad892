"""Where a sweep's chunks go: kept in memory for a result, or streamed to a file.

A sweep hands each finished chunk's tables, in order, to a sink. :class:`Collect`
keeps them and builds a :class:`~bargain.sweeps.result.SweepResult`;
:class:`Stream` appends each chunk's per-point table to a CSV or Parquet file
and forgets it, so memory stays a constant times the chunk size whatever the
number of points. The file is written to a temporary name and renamed when
the sweep ends: an interrupted sweep leaves the previous file, or none.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bargain.errors import BargainError
from bargain.files import atomic_path
from bargain.frames import check_columns
from bargain.games.solution import Columns

from .provenance import PARQUET_KEY, provenance, read_sidecar, write_sidecar
from .result import SweepResult, concat_columns, note_text


class Collect:
    """Keeps every chunk's tables, for a result in memory."""

    def __init__(self, select: str) -> None:
        self.select = select
        self.points: list[Columns] = []
        self.rows: list[Columns] = []
        self.degenerate = 0

    def add(self, table: dict[str, Columns], offset: int) -> None:
        self.points.append(table["points"])
        self.degenerate += int(np.count_nonzero(table["points"]["degenerate"]))
        if self.select != "all":
            rows = dict(table["rows"])
            rows["point"] = rows["point"] + offset
            self.rows.append(rows)

    def abort(self) -> None:
        """Nothing to undo: the tables are let go with the sink."""

    def result(self, **info: Any) -> SweepResult:
        points = concat_columns(self.points)
        rows = points if self.select == "all" else concat_columns(self.rows)
        return SweepResult(points, rows, **info)


class SweepFile:
    """A sweep streamed to a file: where it is, and what it holds.

    ``path``, ``format`` ("csv" or "parquet"), ``points`` (the number of
    points), ``metadata`` and :meth:`note` as for a
    :class:`~bargain.sweeps.result.SweepResult`; :meth:`to_frame` reads the
    file back (all of it: mind its size).
    """

    def __init__(
        self, path: Path, fmt: str, points: int, note: str, metadata: Mapping[str, Any]
    ) -> None:
        self.path, self.format, self.points = path, fmt, points
        self._note, self.metadata = note, dict(metadata)

    def note(self) -> str:
        return self._note

    def to_frame(self) -> pd.DataFrame:
        """The file read back, its provenance in ``attrs`` (from the sidecar of a CSV)."""
        if self.format == "parquet":
            frame = pd.read_parquet(self.path)
        else:
            frame = pd.read_csv(self.path)
            frame.attrs.update(read_sidecar(self.path))
        frame.attrs["note"] = self._note
        return frame

    def __len__(self) -> int:
        return self.points

    def __repr__(self) -> str:
        return f"SweepFile({str(self.path)!r}, {self.points} points, {self.format})"


class Stream:
    """Appends each chunk's per-point table to a CSV or Parquet file.

    The provenance (:mod:`bargain.sweeps.provenance`) goes beside a CSV in
    ``PATH.meta.json``, like :meth:`SweepResult.to_csv`, and into a Parquet file's
    metadata (key ``bargain``). Columns are those of :meth:`SweepResult.to_frame`,
    optionally only ``columns``.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        info: Mapping[str, Any],
        n_points: int,
        columns: Sequence[str] | None = None,
    ) -> None:
        self.path = Path(path)
        self.format = output_format(path)
        self.info, self.n_points, self.columns = dict(info), n_points, columns
        self.note = note_text(self.info["metadata"], self.info["fixed"], n_points)
        self.about = provenance(
            self.info["metadata"],
            self.info["fixed"],
            self.info["swept"],
            self.info["measures"],
            n_points,
            self.note,
        )
        self._stack = contextlib.ExitStack()
        self._temp = self._stack.enter_context(atomic_path(self.path))
        self._writer: Any = None
        self.degenerate = 0

    def add(self, table: dict[str, Columns], offset: int) -> None:
        frame = SweepResult(table["points"], table["points"], **self.info).to_frame()
        if self.columns is not None:
            frame = frame[check_columns(frame, self.columns)]
        self.degenerate += int(np.count_nonzero(table["points"]["degenerate"]))
        if self.format == "parquet":
            self._parquet(frame)
        elif _arrow() is not None:
            self._arrow_csv(frame)
        else:
            first = self._writer is None
            if first:
                handle = open(self._temp, "w", encoding="utf-8")  # noqa: SIM115 - closed by the stack
                self._writer = self._stack.enter_context(handle)
            frame.to_csv(self._writer, header=first, index=False)

    def _table(self, frame: pd.DataFrame) -> Any:
        """The frame as an Arrow table of one schema for every chunk (labels as text, also
        where a first chunk holds only missing labels)."""
        pa = _arrow()
        if self._writer is None:
            schema = pa.Schema.from_pandas(frame, preserve_index=False)
            for name in (c for c in frame if frame[c].dtype == object):
                schema = schema.set(schema.get_field_index(name), pa.field(name, pa.string()))
            meta = {PARQUET_KEY: json.dumps(self.about).encode()}
            self._schema = schema.with_metadata(meta)
        return pa.Table.from_pandas(frame, schema=self._schema, preserve_index=False)

    def _parquet(self, frame: pd.DataFrame) -> None:
        if _arrow() is None:
            raise ImportError('Parquet output needs pyarrow: pip install "bargain-games[parquet]"')
        import pyarrow.parquet as pq

        table = self._table(frame)
        if self._writer is None:
            self._writer = self._stack.enter_context(pq.ParquetWriter(self._temp, self._schema))
        self._writer.write_table(table)

    def _arrow_csv(self, frame: pd.DataFrame) -> None:
        """CSV through Arrow's writer: about ten times faster than pandas, exact floats."""
        import pyarrow.csv as csv

        table = self._table(frame)
        if self._writer is None:
            handle = open(self._temp, "wb")  # noqa: SIM115 - closed by the stack
            self._writer = self._stack.enter_context(csv.CSVWriter(handle, self._schema))
            self._stack.callback(handle.close)
        self._writer.write_table(table)

    def finish(self) -> SweepFile:
        """Close the file and move it into place."""
        if self._writer is None:
            raise BargainError(f"{self.path}: the sweep produced no points to write")
        self._stack.close()
        if self.format == "csv":
            write_sidecar(self.path, self.about)
        return SweepFile(self.path, self.format, self.n_points, self.note, self.info["metadata"])

    def abort(self) -> None:
        """Drop the temporary file: the previous file at ``path`` stays."""
        with contextlib.suppress(Exception):
            self._stack.__exit__(BargainError, BargainError("aborted"), None)


def output_format(path: str | os.PathLike[str]) -> str:
    """The format a file name asks for: Parquet for ``.parquet``, else CSV."""
    return "parquet" if Path(path).suffix.lower() == ".parquet" else "csv"


def _arrow() -> Any:
    """pyarrow if it is installed (the ``parquet`` extra), else None."""
    try:
        import pyarrow
    except ImportError:
        return None
    return pyarrow
