"""Checkpoints: each finished chunk of a sweep on disk, so nothing is lost.

A checkpoint is a directory with ``manifest.json`` (the sweep's fingerprint
and chunking) and one ``chunk-NNNNNN.npz`` per finished chunk, each written to
a temporary file and renamed into place, so a chunk file is complete or absent
whatever interrupts the sweep. Resuming loads the finished chunks and computes
only the others; a checkpoint of another model, space or setting is refused.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bargain.errors import BargainError
from bargain.games.solution import Columns


class CheckpointError(BargainError):
    """A checkpoint cannot be used for this sweep."""


class Checkpoint:
    """The checkpoint directory of one sweep, identified by its fingerprint."""

    def __init__(self, path: str | os.PathLike, fingerprint: str, manifest: dict[str, Any]):
        self.path = Path(path)
        self.fingerprint = fingerprint
        file = self.path / "manifest.json"
        wanted = {"fingerprint": fingerprint, **manifest}
        if file.exists():
            try:
                found = json.loads(file.read_text())
            except (OSError, ValueError) as exc:
                raise CheckpointError(f"{file}: not a checkpoint manifest ({exc})") from None
            if found.get("fingerprint") != fingerprint:
                raise CheckpointError(
                    f"{self.path}: this checkpoint belongs to a different sweep (the model, "
                    "the space, the measures or the settings changed); refusing to resume. "
                    "Use a new checkpoint path or delete this one."
                )
        else:
            self.path.mkdir(parents=True, exist_ok=True)
            _atomic_write(file, json.dumps(wanted, indent=1, sort_keys=True).encode())

    def _file(self, chunk: int) -> Path:
        return self.path / f"chunk-{chunk:06d}.npz"

    def done(self) -> set[int]:
        """Indices of the chunks already on disk."""
        return {
            int(f.stem.split("-")[1])
            for f in self.path.glob("chunk-*.npz")
            if f.stem.split("-")[1].isdigit()
        }

    def save(self, chunk: int, table: dict[str, Columns]) -> None:
        arrays = {}
        for part, columns in table.items():
            for name, values in columns.items():
                if values.dtype == object:  # labels: text, plus a mask of the missing ones
                    missing = np.array([v is None for v in values], dtype=bool)
                    arrays[f"{part}/{name}/missing"] = missing
                    values = np.array(["" if v is None else str(v) for v in values], dtype=str)
                arrays[f"{part}/{name}"] = values
        with tempfile.NamedTemporaryFile(dir=self.path, suffix=".tmp", delete=False) as tmp:
            np.savez(tmp, **arrays)
        os.replace(tmp.name, self._file(chunk))

    def load(self, chunk: int) -> dict[str, Columns]:
        table: dict[str, Columns] = {}
        with np.load(self._file(chunk), allow_pickle=False) as data:
            for key in data.files:
                part, name, *missing = key.split("/")
                if missing:
                    continue
                values = data[key]
                if values.dtype.kind == "U":
                    values = values.astype(object)
                    values[data[f"{key}/missing"]] = None
                table.setdefault(part, {})[name] = values
        return table


def _atomic_write(file: Path, data: bytes) -> None:
    with tempfile.NamedTemporaryFile(dir=file.parent, suffix=".tmp", delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, file)
