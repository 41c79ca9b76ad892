"""Where a sweep's chunks go: kept in memory for a result, or streamed to a file.

A sweep hands each finished chunk's tables, in order, to a sink. :class:`Collect`
keeps them and builds a :class:`~bargain.sweeps.result.SweepResult`;
:class:`Stream` appends each chunk's per-point table to a CSV or Parquet file
and forgets it, so memory stays a constant times the chunk size whatever the
number of points. The file is written to a temporary name and renamed when
the sweep ends: an interrupted sweep leaves the previous file, or none.

Workers write their chunks themselves (:class:`ChunkWriter`), each to a part
file in a folder beside the file; the sweep then appends the parts in order: a
CSV part is copied byte for byte (the first chunk's part holds the header); for
Parquet, a part is an Arrow file, mapped and written as the next row group.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd

from bargain.errors import BargainError
from bargain.files import atomic_path
from bargain.frames import check_columns
from bargain.games.labels import coded
from bargain.games.solution import Columns

from .provenance import PARQUET_KEY, provenance, read_sidecar, write_sidecar
from .result import SweepResult, column_order, concat_columns, note_text

#: Bytes copied at a time when a CSV part is appended.
COPY_BLOCK = 1 << 24


class Collect:
    """Keeps every chunk's tables, for a result in memory."""

    def __init__(self, select: str) -> None:
        self.select = select
        self.points: list[Columns] = []
        self.rows: list[Columns] = []
        self.degenerate = 0

    def add(self, table: dict[str, Columns], degenerate: int, offset: int) -> None:
        """Keep a chunk's tables (its rows' point numbers made global)."""
        self.points.append(table["points"])
        self.degenerate += degenerate
        if "rows" in table and self.select != "all":
            rows = dict(table["rows"])
            rows["point"] = rows["point"] + offset
            self.rows.append(rows)

    def abort(self) -> None:
        """Nothing to undo: the tables are let go with the sink."""

    def result(self, **info: Any) -> SweepResult:
        points = concat_columns(self.points)
        if not self.rows and self.select != "all":
            return SweepResult(points, None, **info)  # only per-point columns were kept
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


class Part(NamedTuple):
    """A chunk a worker wrote beside the streamed file: the part file and how many of its
    points are degenerate."""

    path: Path
    degenerate: int


class ChunkWriter:
    """Writes a chunk's per-point table in a streamed file's format (picklable: workers
    get one). Columns in the order of :meth:`SweepResult.to_frame`, or ``columns``;
    labels as text."""

    def __init__(
        self,
        fmt: str,
        params: Sequence[str],
        measures: Sequence[str],
        columns: Sequence[str] | None,
        folder: Path | None = None,
    ) -> None:
        self.format, self.params, self.measures = fmt, tuple(params), tuple(measures)
        self.columns, self.folder = columns, folder
        self._orders: dict[tuple[str, ...], list[str]] = {}

    def order(self, points: Columns) -> list[str]:
        """The columns written, checked against the chunk's (the same in every chunk)."""
        key = tuple(points)
        if key not in self._orders:
            names = column_order(points, self.params, self.measures)
            if self.columns is not None:
                names = check_columns(pd.DataFrame(columns=names), self.columns)
            self._orders[key] = names
        return self._orders[key]

    def frame(self, points: Columns) -> pd.DataFrame:
        return pd.DataFrame({name: points[name] for name in self.order(points)})

    def arrow(self, points: Columns) -> Any:
        """The chunk as an Arrow table: float64, bool and text columns, the same types in
        every chunk (text also where a chunk's labels are all missing)."""
        pa = _arrow()
        arrays = {}
        for name in self.order(points):
            values = points[name]
            known = coded(values)
            if known is not None:  # from the codes: no Python string is read
                codes, names = known
                lookup = pa.array(names, type=pa.string())
                array = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), lookup)
                arrays[name] = array.dictionary_decode()
            else:
                text = pa.string() if values.dtype == object else None
                arrays[name] = pa.array(values, type=text, from_pandas=True)
        return pa.table(arrays)

    def write_csv(self, points: Columns, out: Any, header: bool) -> None:
        """Append the chunk to the binary file ``out`` as CSV (Arrow's writer if installed:
        about ten times faster than pandas, exact floats)."""
        if _arrow() is None:
            out.write(self.frame(points).to_csv(header=header, index=False).encode("utf-8"))
            return
        import pyarrow.csv as csv

        csv.write_csv(self.arrow(points), out, csv.WriteOptions(include_header=header))

    def part(self, chunk: int, points: Columns, degenerate: int) -> Part:
        """Write chunk number ``chunk`` to its part file in ``folder``: CSV text (the first
        chunk's holds the header), or for Parquet an Arrow file, which the sweep maps
        and encodes once."""
        assert self.folder is not None
        path = self.folder / f"part-{chunk:09d}.{'arrow' if self.format == 'parquet' else 'csv'}"
        if self.format == "parquet":
            import pyarrow.feather as feather

            feather.write_feather(self.arrow(points), path, compression="uncompressed")
        else:
            with open(path, "wb") as out:
                self.write_csv(points, out, header=chunk == 0)
        return Part(path, degenerate)


class Stream:
    """Appends each chunk's per-point table to a CSV or Parquet file.

    The provenance (:mod:`bargain.sweeps.provenance`) goes beside a CSV in
    ``PATH.meta.json``, like :meth:`SweepResult.to_csv`, and into a Parquet file's
    metadata (key ``bargain``). Columns are those of :meth:`SweepResult.to_frame`,
    optionally only ``columns``. Chunks computed here are handed to :meth:`add`,
    chunks a worker wrote to :meth:`add_part`.
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
        if self.format == "parquet" and _arrow() is None:
            raise ImportError('Parquet output needs pyarrow: pip install "bargain-games[parquet]"')
        self.info, self.n_points = dict(info), n_points
        self.note = note_text(self.info["metadata"], self.info["fixed"], n_points)
        self.about = provenance(
            self.info["metadata"],
            self.info["fixed"],
            self.info["swept"],
            self.info["measures"],
            n_points,
            self.note,
        )
        self.writer = ChunkWriter(
            self.format, [*self.info["swept"], *self.info["fixed"]], self.info["measures"], columns
        )
        self._stack = contextlib.ExitStack()
        self._temp = self._stack.enter_context(atomic_path(self.path))
        self._parquet: Any = None
        self._csv: Any = None
        self._written = 0
        self.degenerate = 0

    def part_writer(self) -> ChunkWriter:
        """A writer for workers, with a fresh folder for their parts beside the file (removed
        when the sweep ends; those a killed sweep left are removed first)."""
        prefix = f".{self.path.name}.parts-"
        for stale in self._temp.parent.glob(f"{glob.escape(prefix)}*"):
            shutil.rmtree(stale, ignore_errors=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=self._temp.parent))
        self._stack.callback(shutil.rmtree, folder, ignore_errors=True)
        w = self.writer
        return ChunkWriter(w.format, w.params, w.measures, w.columns, folder)

    def add(self, table: dict[str, Columns], degenerate: int, offset: int) -> None:
        """Append a chunk computed in this process (its first point is number ``offset``)."""
        points = table["points"]
        self.degenerate += degenerate
        if self.format == "parquet":
            self._append_table(self.writer.arrow(points))
        else:
            self.writer.write_csv(points, self._csv_file(), header=offset == 0)
        self._written += 1

    def add_part(self, part: Part) -> None:
        """Append a chunk a worker wrote, and delete its part file."""
        self.degenerate += part.degenerate
        if self.format == "parquet":
            import pyarrow.feather as feather

            self._append_table(feather.read_table(part.path, memory_map=True))
        else:
            _append(part.path, self._csv_file())
        part.path.unlink()
        self._written += 1

    def _csv_file(self) -> Any:
        if self._csv is None:
            handle = open(self._temp, "wb")  # noqa: SIM115 - closed by the stack
            self._csv = self._stack.enter_context(handle)
        return self._csv

    def _append_table(self, table: Any) -> None:
        """Write an Arrow table as the next row group (the schema, with the provenance in
        its metadata, is the first chunk's)."""
        import pyarrow.parquet as pq

        if self._parquet is None:
            meta = {PARQUET_KEY: json.dumps(self.about).encode()}
            schema = table.schema.with_metadata(meta)
            self._parquet = self._stack.enter_context(pq.ParquetWriter(self._temp, schema))
        self._parquet.write_table(table.replace_schema_metadata(self._parquet.schema.metadata))

    def finish(self) -> SweepFile:
        """Close the file and move it into place."""
        if not self._written:
            raise BargainError(f"{self.path}: the sweep produced no points to write")
        self._stack.close()
        if self.format == "csv":
            write_sidecar(self.path, self.about)
        return SweepFile(self.path, self.format, self.n_points, self.note, self.info["metadata"])

    def abort(self) -> None:
        """Drop the temporary file and the parts: the previous file at ``path`` stays."""
        with contextlib.suppress(Exception):
            self._stack.__exit__(BargainError, BargainError("aborted"), None)


def _append(source: Path, out: Any) -> None:
    """Append a file's bytes to the open binary file ``out``: copied by the kernel where it
    can (``os.copy_file_range``), through a buffer otherwise."""
    out.flush()
    start = out.seek(0, os.SEEK_END)
    with open(source, "rb") as part:
        try:
            while os.copy_file_range(part.fileno(), out.fileno(), COPY_BLOCK):
                pass
        except (AttributeError, OSError):  # not Linux, or not between these file systems
            part.seek(0)
            out.seek(start)
            out.truncate()
            shutil.copyfileobj(part, out, COPY_BLOCK)


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
