"""Checks of user input, in one place: numbers, counts, labels, and typed access to data.

The functions raise :mod:`bargain.errors` exceptions whose message names what
was checked and what was expected; :class:`Checker` does the same for the
values of a parsed file (a model file's tables), naming the file and the key
path (``game.nodes[3].payoffs.Iran``), with a "did you mean" for unknown keys.
"""

from __future__ import annotations

import math
import os
import re
import reprlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from numbers import Integral, Real
from typing import Any

from .errors import BargainError, ModelError, ParamError, did_you_mean


def number_text(x: float) -> str:
    """A float as exact text, without a trailing ``.0``.

    Examples
    --------
    >>> number_text(2.0), number_text(0.1), number_text(-1e-20)
    ('2', '0.1', '-1e-20')
    """
    return repr(float(x)).removesuffix(".0")


def count_text(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number.

    Examples
    --------
    >>> count_text(1, "equilibrium", "equilibria"), count_text(3, "point")
    ('1 equilibrium', '3 points')
    """
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def real(value: object, what: str) -> float:
    """``value`` as a finite float, or a ParamError saying ``what`` must be one.

    Examples
    --------
    >>> real(3, "pie")
    3.0
    >>> real(float("nan"), "linspace stop")
    Traceback (most recent call last):
    ...
    bargain.errors.ParamError: linspace stop must be finite, got nan
    """
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ParamError(f"{what} must be a real number, got {shown(value)}")
    try:
        x = float(value)
    except OverflowError:
        x = math.inf
    if not math.isfinite(x):
        raise ParamError(f"{what} must be finite, got {shown(value)}")
    return x


def count(value: object, what: str, low: int = 1, high: int | None = None) -> int:
    """``value`` as an int in [low, high] (not a bool, not a float), or a ParamError.

    Examples
    --------
    >>> count(3, "n")
    3
    >>> count(2.0, "num")
    Traceback (most recent call last):
    ...
    bargain.errors.ParamError: num must be an integer >= 1, got 2.0
    """
    ok = isinstance(value, Integral) and not isinstance(value, bool)
    if not ok or value < low or (high is not None and value > high):
        expected = f"in [{low}, {high}]" if high is not None else f">= {low}"
        raise ParamError(f"{what} must be an integer {expected}, got {shown(value)}")
    return int(value)


def shown(value: object) -> str:
    """A value as messages quote it: numbers plainly (``1.5``, not ``np.float64(1.5)``),
    other values by a shortened ``repr``."""
    if isinstance(value, bool):
        return repr(value)
    if isinstance(value, Integral):
        value = int(value)
    elif isinstance(value, Real):
        value = float(value)
    return reprlib.repr(value)


#: The share of the memory available now that one allocation may claim.
MEMORY_SHARE = 0.5


def available_memory() -> int | None:
    """Bytes of memory available now (Linux ``MemAvailable``; else physical memory), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            for line in info:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, OSError, ValueError):
        return None


def size_text(n_bytes: float) -> str:
    """A number of bytes for people: ``7.5 GiB``.

    Examples
    --------
    >>> size_text(8e9), size_text(512)
    ('7.5 GiB', '512 bytes')
    """
    for unit, power in (("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n_bytes >= 2**power:
            return f"{n_bytes / 2**power:.1f} {unit}"
    return f"{int(n_bytes)} bytes"


def memory_needed(n_bytes: float, what: str, advice: str) -> None:
    """Refuse, before allocating, something that needs more than half the free memory.

    The message says what needs how much, what is free, and what to do instead.
    """
    free = available_memory()
    if free is not None and n_bytes > MEMORY_SHARE * free:
        raise BargainError(
            f"{what} needs about {size_text(n_bytes)} of memory, more than half of the "
            f"{size_text(free)} free; {advice}"
        )


def labels(values: object, where: str) -> tuple[str, ...]:
    """``values`` as a non-empty tuple of distinct, non-empty strings, or a ModelError.

    Examples
    --------
    >>> labels(["US", "Iran"], "players")
    ('US', 'Iran')
    >>> labels(["US", "US"], "players")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: players[1]: 'US' is listed twice (duplicate labels)
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ModelError(f"{where}: expected a list of labels, got {describe(values)}")
    items = tuple(values)
    if not items:
        raise ModelError(f"{where}: expected at least one label, got none")
    for i, item in enumerate(items):
        if not isinstance(item, str) or not item:
            raise ModelError(f"{where}[{i}]: expected a non-empty string, got {describe(item)}")
        if item in items[:i]:
            raise ModelError(f"{where}[{i}]: '{item}' is listed twice (duplicate labels)")
    return items


def same_keys(mapping: object, expected: Iterable[str], where: str, what: str = "player") -> None:
    """Raise a ModelError unless ``mapping`` has exactly the keys ``expected``."""
    expected = list(expected)
    if not isinstance(mapping, Mapping):
        raise ModelError(f"{where}: expected a mapping {what} -> value, got {describe(mapping)}")
    missing = [k for k in expected if k not in mapping]
    extra = [k for k in mapping if k not in expected]
    if missing or extra:
        parts = [f"missing {missing}" if missing else "", f"unknown {extra}" if extra else ""]
        raise ModelError(
            f"{where}: expected exactly the {what}s {expected}; " + "; ".join(p for p in parts if p)
        )


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


def listing(items: Sequence[str]) -> str:
    """Items as prose: ``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else "".join(items)


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
        """``value`` as a non-empty array of distinct non-empty strings (see :func:`labels`)."""
        items = self.array(value, path)
        with self.located(path):
            return list(labels(items, path))
