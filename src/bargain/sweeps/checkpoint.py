"""Checkpoints: each finished chunk of a sweep on disk, so nothing is lost.

A checkpoint is a directory with ``manifest.json`` (the sweep's fingerprint
and chunking) and one ``chunk-NNNNNN.npz`` per finished chunk, each written
atomically, so a chunk file is complete or absent whatever interrupts the
sweep. Each chunk file holds the sweep's fingerprint, its index and a SHA-256
checksum of its arrays; resuming uses only the chunks that verify, deletes the
others (copied from another sweep, renamed, truncated or damaged) with a
warning, and computes what is missing. A checkpoint whose manifest names
another sweep is refused; temporary files that a killed sweep left are removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from bargain.errors import BargainError, warn
from bargain.files import atomic_path, atomic_write
from bargain.games.solution import Columns

#: Prefix of the arrays that tie a chunk file to its sweep and index.
_STAMP = "_chunk"
#: Why chunk files are rejected, in the order the warning lists them.
_REASONS = {
    "sweep": "from another sweep",
    "index": "saved under another chunk's name",
    "checksum": "with a wrong checksum",
    "unreadable": "unreadable (empty, truncated or not a chunk file)",
}


class CheckpointError(BargainError):
    """A checkpoint cannot be used for this sweep."""


class Checkpoint:
    """The checkpoint directory of one sweep, identified by its fingerprint."""

    def __init__(self, path: str | os.PathLike, fingerprint: str, manifest: dict[str, Any]):
        self.path = Path(path)
        self.fingerprint = fingerprint
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            reason = "it is a file" if isinstance(exc, FileExistsError) else exc.strerror
            raise CheckpointError(
                f"{self.path}: not usable as a checkpoint folder: {reason}"
            ) from None
        file = self.path / "manifest.json"
        if file.exists():
            if _manifest(file).get("fingerprint") != fingerprint:
                raise CheckpointError(
                    f"{self.path}: this checkpoint belongs to a different sweep (the model, "
                    "the space, the measures or the settings changed); refusing to resume. "
                    "Use a new checkpoint path or delete this one."
                )
        else:
            wanted = {"fingerprint": fingerprint, **manifest}
            atomic_write(file, json.dumps(wanted, indent=1, sort_keys=True))
        for pattern in ("*.tmp", ".*.tmp.*"):  # left by sweeps killed while saving
            for leftover in self.path.glob(pattern):
                if leftover.is_file():
                    leftover.unlink(missing_ok=True)

    def _file(self, chunk: int) -> Path:
        return self.path / f"chunk-{chunk:06d}.npz"

    def done(self) -> set[int]:
        """Indices of the saved chunks that verify; the others are deleted, with a warning.

        Each file is read and checked, then let go: :meth:`load` reads it again
        when its turn comes, so resuming a huge sweep holds one chunk at a time.
        """
        verified: set[int] = set()
        rejected: Counter[str] = Counter()
        for file in sorted(self.path.glob("chunk-*.npz")):
            found = re.fullmatch(r"chunk-([0-9]+)\.npz", file.name)
            chunk = int(found[1]) if found else None
            if chunk is None or file != self._file(chunk) or not file.is_file():
                continue
            reason = self._read(file, chunk)[1]
            if reason is None:
                verified.add(chunk)
            else:
                rejected[reason] += 1
                file.unlink(missing_ok=True)
        self._warn(rejected, len(verified))
        return verified

    def load(self, chunk: int) -> dict[str, Columns] | None:
        """A saved chunk's table, or None (deleted, with a warning) if it no longer verifies."""
        file = self._file(chunk)
        table, reason = self._read(file, chunk)
        if reason is None:
            return table
        file.unlink(missing_ok=True)
        self._warn(Counter([reason]), 0)
        return None

    def _warn(self, rejected: Counter[str], kept: int) -> None:
        if rejected:
            total = sum(rejected.values())
            details = ", ".join(
                f"{rejected[r]} {text}" for r, text in _REASONS.items() if r in rejected
            )
            warn(
                f"checkpoint {self.path}: rejected {total} of {total + kept} "
                f"chunk files ({details}); deleted, they will be recomputed"
            )

    def save(self, chunk: int, table: dict[str, Columns]) -> None:
        """Write one finished chunk, stamped with the sweep's fingerprint, index and checksum."""
        arrays = {}
        for part, columns in table.items():
            for name, values in columns.items():
                if values.dtype == object:  # labels: text, plus a mask of the missing ones
                    missing = np.array([v is None for v in values], dtype=bool)
                    arrays[f"{part}/{name}/missing"] = missing
                    values = np.array(["" if v is None else str(v) for v in values], dtype=str)
                arrays[f"{part}/{name}"] = values
        stamp = {"fingerprint": self.fingerprint, "index": chunk}
        stamp["sha256"] = _digest(self.fingerprint, chunk, arrays)
        arrays |= {f"{_STAMP}/{key}": np.array(value) for key, value in stamp.items()}
        with atomic_path(self._file(chunk)) as temp, open(temp, "wb") as out:
            np.savez(out, **arrays)

    def _read(self, file: Path, chunk: int) -> tuple[dict[str, Columns], str | None]:
        """A chunk file's table, or why it cannot be used for ``chunk`` of this sweep."""
        try:
            with np.load(file, allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
            fingerprint = str(arrays.pop(f"{_STAMP}/fingerprint"))
            index = int(arrays.pop(f"{_STAMP}/index"))
            checksum = str(arrays.pop(f"{_STAMP}/sha256"))
        except Exception:  # whatever is wrong with the file, the chunk is recomputed
            return {}, "unreadable"
        if checksum != _digest(fingerprint, index, arrays):
            return {}, "checksum"
        if fingerprint != self.fingerprint:
            return {}, "sweep"
        if index != chunk:
            return {}, "index"
        table: dict[str, Columns] = {}
        for key, values in arrays.items():
            part, name, *missing = key.split("/")
            if missing:
                continue
            if values.dtype.kind == "U":
                values = values.astype(object)
                values[arrays[f"{key}/missing"]] = None
            table.setdefault(part, {})[name] = values
        return table, None


def _manifest(file: Path) -> dict[str, Any]:
    """The parsed manifest of a checkpoint; unreadable, it is refused."""
    try:
        found = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        reason = exc.strerror
    except ValueError:
        reason = "not JSON"
    else:
        if isinstance(found, dict):
            return found
        reason = "not a JSON object"
    raise CheckpointError(
        f"{file}: not a checkpoint manifest ({reason}); use a new checkpoint path or delete it"
    )


def _digest(fingerprint: str, chunk: int, arrays: dict[str, np.ndarray]) -> str:
    """SHA-256 of a chunk's sweep, index and arrays (names, dtypes, shapes and bytes)."""
    digest = hashlib.sha256(f"{fingerprint}\n{chunk}\n".encode())
    for key in sorted(arrays):
        values = arrays[key]
        digest.update(f"{key}\n{values.dtype.str}\n{values.shape}\n".encode())
        digest.update(values.tobytes())
    return digest.hexdigest()
