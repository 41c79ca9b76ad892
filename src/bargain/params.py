"""Declared model parameters: names, defaults, bounds, and binding values to them."""

from __future__ import annotations

import keyword
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np

from .checks import number_text, real
from .errors import ParamError, did_you_mean
from .vocabulary import FUNCTIONS


def _prefix(where: str) -> str:
    return f"{where}: " if where else ""


#: The text fields of a parameter, in the order model files write them.
TEXT_FIELDS = ("description", "latex", "label", "unit")


@dataclass(frozen=True)
class Param:
    """A named real parameter with a default value and optional bounds.

    Parameters
    ----------
    name : str
        Identifier used in formulas; not a keyword, not starting with ``_`` and
        not a formula function name.
    default : float
        Value used when none is bound; must lie within the bounds.
    low, high : float or None
        Inclusive bounds; ``None`` means unbounded.
    description : str
        Free text for documentation.
    latex : str
        Its symbol in LaTeX output (e.g. ``\\rho`` for ``relief``); empty: the
        name, set in italics (one letter) or upright (a word).
    label : str
        Its name for readers, on figure axes and in table headers (e.g.
        "Breakout time"); empty: the parameter's name.
    unit : str
        Its unit (e.g. "months"), shown after the label in parentheses.
    """

    name: str
    default: float
    low: float | None = None
    high: float | None = None
    description: str = ""
    latex: str = ""
    label: str = ""
    unit: str = ""

    def __post_init__(self) -> None:
        name = self.name
        if not isinstance(name, str) or not name.isidentifier():
            raise ParamError(f"parameter name {name!r} is not a valid identifier")
        if keyword.iskeyword(name) or name in FUNCTIONS:
            raise ParamError(
                f"parameter name '{name}' is reserved (a Python keyword or a "
                f"formula function: {', '.join(FUNCTIONS)})"
            )
        if name.startswith("_"):
            raise ParamError(f"parameter name '{name}' must not start with '_'")
        if unicodedata.normalize("NFKC", name) != name:
            raise ParamError(f"parameter name {name!r} is not in Unicode NFKC normal form")
        if not isinstance(self.description, str):
            raise ParamError(f"description of parameter '{name}' must be a string")
        if not isinstance(self.latex, str) or "\n" in self.latex:
            raise ParamError(
                f"latex symbol of parameter '{name}' must be a string on one line, "
                f"got {self.latex!r}"
            )
        for field in ("label", "unit"):
            text = getattr(self, field)
            if not isinstance(text, str) or "\n" in text:
                raise ParamError(
                    f"{field} of parameter '{name}' must be a string on one line, got {text!r}"
                )
        low, high = (
            None if bound is None else real(bound, f"{side} bound of parameter '{name}'")
            for side, bound in (("lower", self.low), ("upper", self.high))
        )
        if low is not None and high is not None and low > high:
            raise ParamError(
                f"parameter '{name}' has lower bound {number_text(low)} "
                f"above its upper bound {number_text(high)}"
            )
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        default = real(self.default, f"default of parameter '{name}'")
        if not self._within(default):
            raise ParamError(
                f"default of parameter '{name}' = {number_text(default)} is outside "
                f"its bounds {self.bounds_text}"
            )
        object.__setattr__(self, "default", default)

    @property
    def bounds_text(self) -> str:
        """The bounds as text, e.g. ``[0, 1]`` or ``[0, inf)``."""
        low = "(-inf" if self.low is None else f"[{number_text(self.low)}"
        high = "inf)" if self.high is None else f"{number_text(self.high)}]"
        return f"{low}, {high}"

    @property
    def axis_text(self) -> str:
        """Its name for readers: label and unit, e.g. "Breakout time (months)"."""
        text = self.label or self.name
        return f"{text} ({self.unit})" if self.unit else text

    def _within(self, x: float) -> bool:
        return (self.low is None or x >= self.low) and (self.high is None or x <= self.high)

    def check(self, value: object, where: str = "") -> float:
        """Validate one value (real, finite, within bounds) and return it as a float.

        ``where`` (e.g. a file and key) prefixes error messages.
        """
        what = f"{_prefix(where)}parameter '{self.name}'"
        x = real(value, what)
        if not self._within(x):
            raise ParamError(f"{what} = {number_text(x)} is outside its bounds {self.bounds_text}")
        return x


class ParamSpace:
    """An immutable, ordered collection of :class:`Param` with unique names."""

    __slots__ = ("_params",)

    def __init__(self, params: Iterable[Param] = ()) -> None:
        by_name: dict[str, Param] = {}
        for p in params:
            if not isinstance(p, Param):
                raise ParamError(f"ParamSpace takes Param objects, got {p!r}")
            if p.name in by_name:
                raise ParamError(f"duplicate parameter name '{p.name}'")
            by_name[p.name] = p
        self._params = by_name

    def __len__(self) -> int:
        return len(self._params)

    def __iter__(self) -> Iterator[Param]:
        return iter(self._params.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._params

    def __getitem__(self, name: str) -> Param:
        if name not in self:
            raise self._unknown([name])
        return self._params[name]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParamSpace):
            return NotImplemented
        return tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"ParamSpace({list(self)!r})"

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names in declaration order."""
        return tuple(self._params)

    @property
    def defaults(self) -> dict[str, float]:
        """Default value of every parameter, in declaration order."""
        return {p.name: p.default for p in self}

    @property
    def labels(self) -> dict[str, str]:
        """``{name: axis text}`` of the parameters that declare a label or a unit."""
        return {p.name: p.axis_text for p in self if p.label or p.unit}

    def _unknown(self, names: Iterable[object], where: str = "") -> ParamError:
        names = list(names)
        unknown = ", ".join(f"{n!r}{did_you_mean(str(n), self._params)}" for n in names)
        known = ", ".join(sorted(self._params)) or "(none)"
        plural = "s" if len(names) > 1 else ""
        return ParamError(
            f"{_prefix(where)}unknown parameter{plural} {unknown}; known parameters: {known}"
        )

    def _check_known(self, names: Iterable[object], where: str) -> None:
        unknown = [n for n in names if n not in self]
        if unknown:
            raise self._unknown(unknown, where)

    def bind(self, /, *, where: str = "", **values: object) -> dict[str, float]:
        """Return every parameter's value (given or default) in declaration order.

        ``where`` prefixes error messages (it cannot clash with a parameter, since
        ``where`` is a reserved name).
        """
        self._check_known(values, where)
        return {
            p.name: p.check(values[p.name], where) if p.name in values else p.default for p in self
        }

    def bind_batch(
        self, points: Mapping[str, Any], n: int | None = None, *, where: str = ""
    ) -> dict[str, np.ndarray]:
        """Bind N points at once.

        Parameters
        ----------
        points : mapping
            Parameter name -> 1-D array-like of length N, or a scalar broadcast
            to all points. Undeclared names are errors; missing names get
            their default.
        n : int, optional
            Number of points; by default the common array length (1 if all
            values are scalars).
        where : str
            Context (e.g. a file name) prefixed to error messages.

        Returns
        -------
        dict
            Name -> float64 array of shape (N,) for every parameter, in
            declaration order.
        """
        points = dict(points)
        self._check_known(points, where)
        pre = _prefix(where)
        arrays: dict[str, np.ndarray] = {}
        for name, value in points.items():
            try:
                arr = np.asarray(value)
            except ValueError as exc:  # ragged nested sequences
                raise ParamError(
                    f"{pre}values of parameter '{name}' are not an array: {exc}"
                ) from None
            if arr.ndim == 0:
                arrays[name] = np.float64(self[name].check(arr.item(), where))
            elif arr.ndim > 1:
                raise ParamError(
                    f"{pre}values of parameter '{name}' must be a scalar or a "
                    f"1-D array, got shape {arr.shape}"
                )
            elif arr.dtype.kind not in "iuf":
                raise ParamError(
                    f"{pre}values of parameter '{name}' must be real numbers, got dtype {arr.dtype}"
                )
            else:
                arrays[name] = arr.astype(np.float64)  # a copy: results own their points
        lengths = {name: a.size for name, a in arrays.items() if a.ndim == 1}
        if n is not None and (isinstance(n, bool) or not isinstance(n, Integral)):
            raise ParamError(f"{pre}n must be an integer, got {n!r}")
        size = int(n) if n is not None else next(iter(lengths.values()), 1)
        listed = ", ".join(f"'{k}' has {v}" for k, v in lengths.items())
        if any(length != size for length in lengths.values()):
            expected = f"n={n} points" if n is not None else "equal lengths"
            raise ParamError(f"{pre}parameter arrays must have {expected}: {listed}")
        if size < 1:
            detail = f" ({listed})" if listed else ""
            raise ParamError(f"{pre}at least one point is needed, got N={size}{detail}")
        for name, arr in arrays.items():
            if arr.ndim == 1:
                self._check_array(self[name], arr, pre)
        out = {}
        for p in self:
            value = arrays.get(p.name, p.default)
            out[p.name] = value if np.ndim(value) else np.full(size, value, dtype=np.float64)
        return out

    @staticmethod
    def _check_array(p: Param, arr: np.ndarray, pre: str) -> None:
        """Raise ParamError about the first non-finite or out-of-bounds point."""
        low = -np.inf if p.low is None else p.low
        high = np.inf if p.high is None else p.high
        smallest, largest = arr.min(), arr.max()  # NaN if any value is NaN
        if np.isfinite(smallest) and np.isfinite(largest) and low <= smallest <= largest <= high:
            return
        for bad, problem in (
            (~np.isfinite(arr), "non-finite values"),
            ((arr < low) | (arr > high), f"values outside its bounds {p.bounds_text}"),
        ):
            if bad.any():
                idx = np.flatnonzero(bad)
                raise ParamError(
                    f"{pre}parameter '{p.name}' has {problem} at {idx.size} of {arr.size} "
                    f"points (first at index {idx[0]}: {number_text(arr[idx[0]])})"
                )


def batch_size(points: Mapping[str, np.ndarray]) -> int:
    """The number of points of bound arrays (see :meth:`ParamSpace.bind_batch`); 1 if
    there are no parameters."""
    return len(next(iter(points.values()))) if points else 1


def point_text(points: Mapping[str, np.ndarray], index: int) -> str:
    """Point ``index`` of bound arrays as text for messages: ``relief=0.4, detect=0.5``."""
    return ", ".join(f"{k}={float(v[index]):g}" for k, v in points.items()) or "the defaults"
