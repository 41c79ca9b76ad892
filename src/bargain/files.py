"""Model files on disk: size-limited UTF-8 TOML text, and the ``[model]`` header.

This is all :func:`bargain.io.list_models` needs, so listing the bundled
models loads neither sympy nor the solvers. Checked access to the parsed
values by key path is :class:`bargain.checks.Checker`; the whole format is
read by :mod:`bargain.model.toml_reader`.
"""

from __future__ import annotations

import os
import re
import sys
from typing import Any

from .checks import Checker, key
from .errors import ModelError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Largest model file read, in bytes.
MAX_BYTES = 1_000_000
#: The sections of a model file, in the order of the format reference.
SECTIONS = ("model", "params", "game", "outcomes", "measures", "solver", "scenarios", "showcase")
#: The keys of its ``[model]`` table.
HEADER = ("name", "title", "description", "citation")


def read_file(path: str | os.PathLike[str]) -> str:
    """The text of a model file: at most :data:`MAX_BYTES` of UTF-8.

    Examples
    --------
    >>> read_file("no/such/model.toml")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: no/such/model.toml: cannot read the file: No such file or directory
    """
    try:
        with open(path, "rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ModelError(f"{os.fspath(path)}: cannot read the file: {exc.strerror}") from None
    _check_size(len(data), os.fspath(path))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ModelError(
            f"{os.fspath(path)}: not UTF-8 text (byte {exc.start}: {data[exc.start]:#04x})"
        ) from None


def _check_size(size: int, source: str) -> None:
    if size > MAX_BYTES:
        raise ModelError(f"{source}: the file is larger than the limit of {MAX_BYTES:,} bytes")


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """Parse TOML text; syntax errors keep tomllib's line and column.

    Examples
    --------
    >>> parse_toml("[model]\\nname = escalation", "x.toml")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: x.toml: invalid TOML: Invalid value (at line 2, column 8)
    """
    _check_size(len(text.encode("utf-8", errors="replace")), source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError(f"{source}: invalid TOML: {exc}") from None
    except RecursionError:
        raise ModelError(f"{source}: invalid TOML: arrays or tables nested too deeply") from None


def header(data: dict[str, Any], source: str) -> dict[str, str]:
    """The checked ``[model]`` table of a parsed file: name, title, description, citation."""
    check = Checker(source)
    table = check.table(data.get("model"), "model", required=HEADER[:1], optional=HEADER[1:])
    out = {name: check.string(table.get(name, ""), key("model", name)) for name in HEADER}
    if not re.fullmatch(r"[A-Za-z0-9_-]+", out["name"]):
        raise check.error(
            "model.name", f"expected letters, digits, '-' and '_' only, got '{out['name']}'"
        )
    return out
