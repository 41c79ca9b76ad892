"""Derivations on disk: formula-language text in JSON, keyed by the model's fingerprint.

A derivation is written once per model (its fingerprint, the solve options and
bargain's version make the key) to ``$BARGAIN_CACHE_DIR`` or
``~/.cache/bargain/derivations``. Every expression is stored as formula text
(:func:`bargain.formula.to_text`) and read back through the formula parser
(:func:`bargain.formula.parse`), never ``pickle`` and never ``sympify``: a
cache file is data, like a model file. A file that does not read back is
ignored and derived afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from bargain import formula
from bargain.algebra import Case, Condition
from bargain.errors import BargainError
from bargain.params import ParamSpace
from bargain.version import __version__

from .regimes import ModelDerivation

#: Bumped when the stored layout changes.
LAYOUT = 1


def cache_dir() -> Path:
    """Where derivations are kept."""
    given = os.environ.get("BARGAIN_CACHE_DIR")
    if given:
        return Path(given) / "derivations"
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bargain" / "derivations"


def cache_key(fingerprint: str, options: dict[str, Any]) -> str:
    """The file name of a model's derivation with these solve options."""
    text = json.dumps([fingerprint, options, __version__, LAYOUT], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _conditions(conditions: tuple[Condition, ...]) -> list[list[str]]:
    return [[formula.to_text(c.expr), c.status] for c in conditions]


def dumps(derivation: ModelDerivation) -> str:
    """The derivation as JSON text (formulas as formula-language text)."""
    return json.dumps(
        {
            "layout": LAYOUT,
            "model": derivation.model,
            "exclusive": derivation.exclusive,
            "subject": derivation.subject,
            "notes": list(derivation.notes),
            "seconds": derivation.seconds,
            "regimes": [
                {
                    "label": r.label,
                    "feasible": r.feasible,
                    "conditions": _conditions(r.conditions),
                    "domain": _conditions(r.domain),
                    "measures": {k: formula.to_text(v) for k, v in r.values.items()},
                    "implicit": {k: formula.to_text(v) for k, v in r.implicit.items()},
                }
                for r in derivation.regimes
            ],
        },
        indent=1,
    )


def loads(text: str, params: ParamSpace) -> ModelDerivation:
    """A derivation from :func:`dumps` text; every formula through the safe parser."""
    data = json.loads(text)
    if data.get("layout") != LAYOUT:
        raise BargainError(f"derivation layout {data.get('layout')!r}, expected {LAYOUT}")
    measures = {k for r in data["regimes"] for k in (*r["measures"], *r["implicit"])}
    names = [*params.names, *sorted(measures - set(params.names))]

    def read(text: str) -> Any:
        return formula.parse(text, names, where="derivation cache")

    def conditions(rows: list[list[str]]) -> tuple[Condition, ...]:
        return tuple(Condition(read(t), status) for t, status in rows)

    regimes = tuple(
        Case(
            r["label"],
            conditions(r["conditions"]),
            {k: read(v) for k, v in r["measures"].items()},
            conditions(r["domain"]),
            r["feasible"],
            {k: read(v) for k, v in r["implicit"].items()},
        )
        for r in data["regimes"]
    )
    return ModelDerivation(
        data["model"],
        params,
        regimes,
        bool(data["exclusive"]),
        data["subject"],
        tuple(data["notes"]),
        float(data["seconds"]),
        "cache",
    )


def load(key: str, params: ParamSpace) -> ModelDerivation | None:
    """The cached derivation of a key, or None (absent, or unreadable: derive afresh)."""
    path = cache_dir() / f"{key}.json"
    try:
        return loads(path.read_text(encoding="utf-8"), params)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save(key: str, derivation: ModelDerivation) -> None:
    """Keep a derivation (quietly skipped where the cache cannot be written)."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f"{key}.{os.getpid()}.tmp"
        tmp.write_text(dumps(derivation), encoding="utf-8")
        tmp.replace(folder / f"{key}.json")
    except OSError:
        return
