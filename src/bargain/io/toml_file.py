"""Reading TOML model files safely, and checked access to their values by key path.

Every error names the file and the key path (``game.nodes[3].payoffs.Iran``)
and says what was expected; unknown keys get a "did you mean".
"""

from __future__ import annotations

import math
import os
import re
import reprlib
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import BargainError, ModelError, did_you_mean

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

#: Largest model file read, in bytes.
MAX_BYTES = 1_000_000


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


def key(path: str, name: object) -> str:
    """The path of ``name`` in the table at ``path``; keys TOML would quote are quoted.

    Examples
    --------
    >>> key("game.payoffs", "Iran"), key("game.payoffs", "U.S."), key("", "params")
    ('game.payoffs.Iran', 'game.payoffs."U.S."', 'params')
    """
    text = str(name)
    if not re.fullmatch(r"[A-Za-z0-9_-]+", text):
        text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return f"{path}.{text}" if path else text


def describe(value: object) -> str:
    """A value as TOML calls it, for messages: ``the string 'x'``, ``a table``, ...

    Examples
    --------
    >>> describe("relief"), describe(True), describe([1]), describe({})
    ("the string 'relief'", 'the boolean true', 'an array', 'a table')
    """
    if isinstance(value, str):
        return f"the string {reprlib.repr(value)}"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value!r}"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"


class Checker:
    """Typed access to the values of one parsed file, raising located errors."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, path: str, message: str) -> ModelError:
        return ModelError(f"{self.source}: {path + ': ' if path else ''}{message}")

    @contextmanager
    def located(self, path: str) -> Iterator[None]:
        """Re-raise errors of the code inside as :meth:`relocate` does."""
        try:
            yield
        except (ValueError, TypeError) as exc:
            raise self.relocate(exc, path) from None

    def relocate(self, exc: ValueError | TypeError, path: str) -> BargainError:
        """The error with the file and ``path`` in front of its message.

        Messages that already start with a key path of the same section (the
        game constructors name ``game.arguments.delta1``, ``measures.gap``, ...)
        only get the file; errors that are not bargain's become ModelErrors.
        """
        message = str(exc)
        top = path.split(".")[0].split("[")[0]
        if not message.startswith((f"{top}.", f"{top}[", f"{top}:")):
            message = f"{path}: {message}"
        message = f"{self.source}: {message}"
        return type(exc)(message) if isinstance(exc, BargainError) else ModelError(message)

    def table(
        self,
        value: object,
        path: str,
        required: Iterable[str] = (),
        optional: Iterable[str] | None = (),
        *,
        what: str = "key",
    ) -> dict[str, Any]:
        """``value`` as a table holding the required keys and no keys but these.

        ``optional=None`` allows any other key.
        """
        if not isinstance(value, dict):
            raise self.error(path, f"expected a table, got {describe(value)}")
        required = list(required)
        allowed = required + [k for k in optional or () if k not in required]
        for name in value:
            if optional is not None and name not in allowed:
                expected = ", ".join(allowed) or "none"
                raise self.error(
                    key(path, name),
                    f"unknown {what}{did_you_mean(name, allowed)}; expected: {expected}",
                )
        for name in required:
            if name not in value:
                where = f"[{key(path, name)}]" if what == "section" else repr(name)
                raise self.error(path, f"missing required {what} {where}")
        return value

    def string(self, value: object, path: str, choices: Iterable[str] | None = None) -> str:
        """``value`` as a string, one of ``choices`` if given."""
        if not isinstance(value, str):
            raise self.error(path, f"expected a string, got {describe(value)}")
        if choices is not None:
            choices = list(choices)
            if value not in choices:
                options = ", ".join(f"'{c}'" for c in choices)
                hint = did_you_mean(value, choices)
                raise self.error(path, f"unknown value '{value}'{hint}; expected {options}")
        return value

    def number(self, value: object, path: str) -> int | float:
        """``value`` as a finite integer or float (not a boolean)."""
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, f"expected a number, got {describe(value)}")
        if not math.isfinite(value):
            raise self.error(path, f"expected a finite number, got {value}")
        return value

    def array(self, value: object, path: str, length: int | None = None) -> list[Any]:
        """``value`` as an array, of ``length`` entries if given."""
        if not isinstance(value, list):
            raise self.error(path, f"expected an array, got {describe(value)}")
        if length is not None and len(value) != length:
            raise self.error(path, f"expected an array of {length} entries, got {len(value)}")
        return value

    def labels(self, value: object, path: str) -> list[str]:
        """``value`` as a non-empty array of distinct non-empty strings."""
        items = self.array(value, path)
        if not items:
            raise self.error(path, "expected at least one name, got an empty array")
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item:
                got = describe(item)
                raise self.error(f"{path}[{i}]", f"expected a non-empty string, got {got}")
            if item in items[:i]:
                raise self.error(f"{path}[{i}]", f"'{item}' is listed twice")
        return items
