"""What a data file says about the sweep that made it.

A CSV file is a plain table that ``pandas.read_csv(path)`` reads as it is; its
provenance goes beside it in ``PATH.meta.json``: the model (name, version,
citation keys, BibTeX), the fixed values, the selection rule and scenario, the
space (kind, ranges or values, random seed), the swept parameters and
measures, the toolkit's version, the number of points, the date and the note.
A Parquet file holds the same JSON in its schema metadata (key ``bargain``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from bargain.errors import BargainError
from bargain.files import atomic_write

#: The suffix of the sidecar file beside a CSV: ``sweep.csv.meta.json``.
SIDECAR = ".meta.json"

#: The key of the provenance in a Parquet file's schema metadata.
PARQUET_KEY = b"bargain"

#: Space settings left out: explicit point columns (as long as the data itself).
_LEFT_OUT = ("columns",)


def provenance(
    metadata: Mapping[str, Any],
    fixed: Mapping[str, float],
    swept: Sequence[str],
    measures: Sequence[str],
    points: int,
    note: str,
) -> dict[str, Any]:
    """The provenance of a sweep as plain JSON values, dated now (UTC)."""
    space = {k: v for k, v in (metadata.get("space") or {}).items() if k not in _LEFT_OUT}
    about = {
        **{k: v for k, v in metadata.items() if k not in ("space", "chunks", "chunks_resumed")},
        "fixed": dict(fixed),
        "swept": list(swept),
        "measures": list(measures),
        "space": space,
        "points": int(points),
        "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "note": note,
    }
    return json.loads(json.dumps(about, default=_plain))


def sidecar_path(path: str | os.PathLike[str]) -> Path:
    """Where the provenance of the data file ``path`` is written."""
    return Path(f"{os.fspath(path)}{SIDECAR}")


def write_sidecar(path: str | os.PathLike[str], about: Mapping[str, Any]) -> Path:
    """Write ``PATH.meta.json`` beside the data file ``path``; return its path."""
    target = sidecar_path(path)
    atomic_write(target, json.dumps(about, indent=1) + "\n")
    return target


def read_sidecar(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The provenance beside the data file ``path`` (empty if there is none)."""
    target = sidecar_path(path)
    if not target.exists():
        return {}
    try:
        about = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BargainError(f"{target}: not a provenance file ({error})") from None
    if not isinstance(about, dict):
        raise BargainError(f"{target}: expected a JSON object, got {type(about).__name__}")
    return about


def _plain(value: Any) -> Any:
    """numpy values as JSON values."""
    if isinstance(value, np.ndarray | np.generic):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
