"""What a data file says about the sweep that made it.

A CSV file is a plain table that ``pandas.read_csv(path)`` reads as it is; its
provenance goes beside it in ``PATH.meta.json``: the model (name, version,
citation keys, BibTeX), the fixed values, the selection rule and scenario, the
space (kind, ranges or values, random seed), the model's solve options
(``options``: those that differ from the form's defaults, e.g. ``method`` and
``lam`` of a QRE), the swept parameters and measures, the toolkit's version,
the number of points, the date and the note. A Parquet file holds the same JSON
in its schema metadata (key ``bargain``).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from numbers import Integral, Real
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
        "options": dict(metadata.get("options") or {}),
        "fixed": dict(fixed),
        "swept": list(swept),
        "measures": list(measures),
        "space": space,
        "points": int(points),
        "written": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "note": note,
    }
    return json.loads(json.dumps(about, default=_plain))


def options_text(options: Mapping[str, Any]) -> str:
    """Solve options as ``-O`` takes them back: ``method=qre, lam={US=8, Iran=2}``.

    Each value is written as a TOML value (numbers in full precision, an inline
    table for a mapping, ``true``/``false``), text at the top level as a bare word;
    empty for no options.
    """
    return ", ".join(
        f"{name}={_value_text(value, nested=False)}" for name, value in options.items()
    )


def _value_text(value: Any, nested: bool) -> str:
    """One option value as TOML (text bare at the top level, quoted inside a table)."""
    if isinstance(value, np.ndarray | np.generic):
        value = value.tolist()
    if isinstance(value, Mapping):
        items = (f"{_key_text(k)}={_value_text(v, nested=True)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value_text(v, nested=True) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Integral):
        return str(int(value))
    if isinstance(value, Real):
        short = f"{value:g}"
        return short if float(short) == value else repr(float(value))
    if isinstance(value, str) and not nested:
        return value
    return json.dumps(str(value))


def _key_text(name: Any) -> str:
    """A key of an inline table: bare if TOML allows it, else quoted."""
    text = str(name)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else json.dumps(text)


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
