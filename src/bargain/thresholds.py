"""Thresholds: where in parameter space the equilibrium outcome changes.

:func:`threshold` finds, by bisection, the parameter value where an outcome
flips ("a deal exists iff relief > 0.372"), and :func:`threshold_table` does
so for each value of another parameter. (:func:`bargain.tables.regimes`
groups the points of a finished sweep by their outcome.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np
import pandas as pd

from .errors import BargainError, BudgetError, ParamError, did_you_mean
from .frames import label_text
from .games import GameForm
from .model import LABELS, POINT_INFO, Model, as_model, check_rule
from .params import batch_size
from .sweeps.provenance import options_text
from .version import __version__

#: Interior points evaluated per bisection step: each step shrinks the bracket 65-fold.
SCAN = 64
#: Most bisection steps: 65**400 narrows any float bracket (even 1e308 wide, to a
#: denormal) to its last bits, where a step stops moving and the search ends.
MAX_STEPS = 400


@dataclass(frozen=True)
class Threshold:
    """Where an outcome flips along one parameter (see :func:`threshold`).

    Attributes
    ----------
    param, measure : the parameter searched and the measure or label watched.
    value : the threshold, the midpoint of the final bracket (``float(t)`` too).
    low, high : the final bracket, ``high - low <= tol``.
    below, above : the measure at ``low`` and at ``high`` (None: no selected equilibrium).
    level : the level crossed, or None for a change of value or label.
    tol : the requested tolerance.
    """

    param: str
    measure: str
    value: float
    low: float
    high: float
    below: Any
    above: Any
    level: float | None
    tol: float

    def __float__(self) -> float:
        return self.value

    def __str__(self) -> str:
        at = _fixed(self.value, max(0, math.ceil(-math.log10(self.tol))))
        width = max(0, math.ceil(-math.log10(self.high - self.low)))
        where = f"(flip between {_fixed(self.low, width)} and {_fixed(self.high, width)})"
        if self.level is not None and _finite(self.below) and _finite(self.above):
            side = ">" if self.above > self.level else "<"
            return f"{self.measure} > {self.level:g} iff {self.param} {side} {at} {where}"
        return (
            f"{self.measure}: {_show(self.below)} below {self.param} = {at}, "
            f"{_show(self.above)} above {where}"
        )


def threshold(
    model: Model | GameForm,
    param: str,
    measure: str,
    bracket: tuple[float, float],
    *,
    level: float | None = None,
    tol: float = 1e-6,
    select: str = "unique",
    **fixed: float,
) -> Threshold:
    """The value of ``param`` in ``bracket`` where the equilibrium outcome flips.

    The outcome is the ``measure`` of the selected equilibrium at each value of
    ``param``, the other parameters at ``fixed`` values or their defaults. For a
    label ("regime", "equilibria") a flip is a change of label; for a number, a
    change of the side of ``level`` (``measure > level``) or, without ``level``,
    a change of value (for step-like measures such as a deal probability that
    jumps from 0 to 1; pass ``level`` for a continuous one). No selected
    equilibrium counts as an outcome of its own.

    The search scans the bracket at 64 interior points, keeps the first
    interval where the outcome differs from the one at the lower end, and
    repeats (bisection generalized to 65 parts, one batched solve per step)
    until the bracket is narrower than ``tol``. With several flips in the
    bracket it finds the one nearest the lower end (at the first scan's
    resolution).

    Parameters
    ----------
    model : a model or a game.
    param : the parameter searched.
    measure : a measure, ``"regime"`` or ``"equilibria"``.
    bracket : ``(a, b)`` within the parameter's bounds; the outcome must differ at a and b.
    level : for a numeric measure, find where it crosses this level.
    tol : width of the final bracket.
    select : equilibrium selection rule (as in :func:`bargain.sweep`).
    **fixed : values of other parameters.

    Returns
    -------
    Threshold
        ``.value`` (also ``float(t)``), the final bracket ``.low``/``.high``, the
        outcomes ``.below``/``.above``; ``str(t)`` reads e.g. "deal > 0.5 iff
        relief > 0.1 (flip between 0.09999997 and 0.10000003)". The "iff" holds
        within the bracket.

    Raises
    ------
    BargainError
        If the outcome is the same at both ends of the bracket, or the measure
        is unknown, or a numeric measure without ``level`` is not step-like.
    ParamError
        If the parameter is unknown or the bracket lies outside its bounds.

    Examples
    --------
    >>> from bargain import GameTree, Param
    >>> tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1)])
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": 0.3})
    >>> t = threshold(tree, "relief", "reach_deal", (0, 1), level=0.5)
    >>> round(t.value, 6)
    0.3
    >>> print(t)
    reach_deal > 0.5 iff relief > 0.3 (flip between 0.29999997 and 0.30000003)
    """
    model, searched = _prepare(model, param, measure, bracket, level, tol, select, fixed)
    found = _search(model, param, measure, searched, level, tol, select, _lines(fixed, 1))
    result = found[0]
    if isinstance(result, str):
        raise BargainError(result)
    return result


def threshold_table(
    model: Model | GameForm,
    param: str,
    measure: str,
    bracket: tuple[float, float],
    over: tuple[str, Sequence[float]],
    **kwargs: Any,
) -> pd.DataFrame:
    """The threshold of ``param`` for each value of another parameter.

    Parameters
    ----------
    model, param, measure, bracket : as in :func:`threshold`.
    over : ``(name, values)``: the other parameter and its values.
    **kwargs : ``level``, ``tol``, ``select`` and fixed values, as in :func:`threshold`.

    Returns
    -------
    pandas.DataFrame
        One row per value of ``over``: that value, ``threshold`` (NaN where the
        outcome does not flip in the bracket), the final bracket ``low`` and
        ``high``, the outcomes ``below`` and ``above``, and ``reason`` (why there
        is no threshold, else empty). ``frame.attrs["note"]`` says how it was
        computed. All values are searched together, one batched solve per step.

    Examples
    --------
    >>> from bargain import GameTree, Param
    >>> tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1), Param("fallback", 0.3, 0, 1)])
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": "fallback"})
    >>> table = threshold_table(tree, "relief", "regime", (0, 0.5), over=("fallback", [0.1, 0.6]))
    >>> table[["fallback", "threshold", "below", "above"]].round(4)
       fallback  threshold   below   above
    0       0.1        0.1  reject  accept
    1       0.6        NaN     NaN     NaN
    >>> table["reason"][1]
    "regime = 'reject' at both ends (relief = 0 and 0.5)"
    """
    level, tol = kwargs.pop("level", None), kwargs.pop("tol", 1e-6)
    select = kwargs.pop("select", "unique")
    name, values = over
    values = np.asarray(values, dtype=float).reshape(-1)
    if name in kwargs:
        raise ParamError(f"parameter '{name}' is both in over= and fixed")
    if not values.size:
        raise ParamError(f"over= needs at least one value of '{name}'")
    model, searched = _prepare(
        model, param, measure, bracket, level, tol, select, {**kwargs, name: values[0]}
    )
    for value in values[1:]:
        model.params.bind(**{name: value})
    lines = _lines({**kwargs, name: values}, len(values))
    found = _search(model, param, measure, searched, level, tol, select, lines)
    table = pd.DataFrame(
        {
            name: values,
            "threshold": [np.nan if isinstance(t, str) else t.value for t in found],
            "low": [np.nan if isinstance(t, str) else t.low for t in found],
            "high": [np.nan if isinstance(t, str) else t.high for t in found],
            "below": [None if isinstance(t, str) else t.below for t in found],
            "above": [None if isinstance(t, str) else t.above for t in found],
            "reason": [t if isinstance(t, str) else "" for t in found],
        }
    )
    fixed = ", ".join(f"{k} = {v:g}" for k, v in kwargs.items()) or "defaults"
    about = model.provenance()
    table.attrs["note"] = (
        f"Threshold of {param} in [{searched[0]:g}, {searched[1]:g}] where {measure} "
        + (f"crosses {level:g}" if level is not None else "changes")
        + f", to {tol:g}, for each value of {name}; {_model_text(model)}; other parameters: "
        f"{fixed}; equilibrium selection: {select}; "
        + (f"solve options: {options_text(model.options)}; " if model.options else "")
        + f"bargain {__version__}"
        + (f"; cite: {', '.join(about['cite'])}." if about.get("cite") else ".")
    )
    table.attrs.update({k: v for k, v in about.items() if v})
    return table


def _model_text(model: Model) -> str:
    """``model interim-deal 2.0.0``: the model's name and version, for a note."""
    return f"model {model.name}" + (f" {model.version}" if model.version else "")


# -- the search ------------------------------------------------------------------------------


def _prepare(
    model: Model | GameForm,
    param: str,
    measure: str,
    bracket: tuple[float, float],
    level: float | None,
    tol: float,
    select: str,
    fixed: Mapping[str, Any],
) -> tuple[Model, tuple[float, float]]:
    """Check everything before solving; return the model and the sorted bracket."""
    model = as_model(model)
    params = model.params
    if param not in params:
        raise ParamError(
            f"unknown parameter {param!r}{did_you_mean(param, params.names)}; "
            f"known parameters: {', '.join(params.names)}"
        )
    if param in fixed:
        raise ParamError(f"parameter '{param}' is searched, so it cannot also be fixed")
    known = (*model.measures.names, *(c for c in POINT_INFO if c != "n_equilibria"))
    if measure not in known:
        raise BargainError(
            f"unknown measure {measure!r}{did_you_mean(measure, known)}; "
            f"measures: {', '.join(known)}"
        )
    if level is not None and measure in LABELS:
        raise BargainError(f"level= is for numeric measures; '{measure}' is a label")
    check_rule(select, model.game, allow_all=False)
    if not (isinstance(tol, Real) and tol > 0):
        raise BargainError(f"tol must be a positive number, got {tol!r}")
    pair = tuple(bracket)
    if len(pair) != 2 or not all(isinstance(x, Real) and math.isfinite(x) for x in pair):
        raise ParamError(f"bracket must be two finite numbers (a, b), got {bracket!r}")
    a, b = sorted(float(x) for x in pair)
    if a == b:
        raise ParamError(f"bracket of '{param}' is empty: both ends are {a:g}")
    p = params[param]
    if (p.low is not None and a < p.low) or (p.high is not None and b > p.high):
        raise ParamError(
            f"bracket [{a:g}, {b:g}] of '{param}' is outside its bounds {p.bounds_text}"
        )
    params.bind(**fixed)
    return model, (a, b)


def _lines(fixed: Mapping[str, Any], m: int) -> dict[str, np.ndarray]:
    """The other parameters' values on each of ``m`` search lines."""
    return {k: np.broadcast_to(np.asarray(v, dtype=float), (m,)) for k, v in fixed.items()}


def _search(
    model: Model,
    param: str,
    measure: str,
    bracket: tuple[float, float],
    level: float | None,
    tol: float,
    select: str,
    lines: Mapping[str, np.ndarray],
) -> list[Threshold | str]:
    """Search every line at once; a line without a flip gets the reason as text."""
    m = batch_size(lines)
    lo, hi = np.full(m, bracket[0]), np.full(m, bracket[1])
    t = np.linspace(0, 1, SCAN + 2)
    x = lo[:, None] + (hi - lo)[:, None] * t
    values = _evaluate(model, param, measure, select, x, lines)
    keys = _keys(values, level)
    out: list[Threshold | str] = [""] * m
    for i in np.flatnonzero(keys[:, 0] == keys[:, -1]):
        out[i] = _no_flip(param, measure, level, x[i], values[i], keys[i])
    if level is None and measure not in LABELS:
        changes = (keys[:, 1:] != keys[:, :-1]).sum(axis=1)
        if (changes > SCAN // 2).any():
            raise BargainError(
                f"'{measure}' changes between most of {SCAN + 2} points across the bracket, "
                "so it is not a step: pass level= to find where it crosses a level"
            )
    active = np.array([not out[i] for i in range(m)])
    low_key = keys[:, 0].copy()
    below, above = values[:, 0].copy(), values[:, -1].copy()
    for _ in range(MAX_STEPS + 1):
        j = (keys != low_key[:, None]).argmax(axis=1)  # first differing point (>= 1 at start)
        rows = np.flatnonzero(active)
        new_lo, new_hi = x[rows, j[rows] - 1], x[rows, j[rows]]
        below[rows], above[rows] = values[rows, j[rows] - 1], values[rows, j[rows]]
        moved = (new_lo != lo[rows]) | (new_hi != hi[rows])
        lo[rows], hi[rows] = new_lo, new_hi
        active[rows] &= (hi[rows] - lo[rows] > tol) & moved
        if not active.any():
            break
        x = lo[:, None] + (hi - lo)[:, None] * t
        values[active] = _evaluate(model, param, measure, select, x[active], _take(lines, active))
        keys[active] = _keys(values[active], level)
    else:
        raise BudgetError(
            f"threshold of {param}: no bracket narrower than tol={tol:g} after {MAX_STEPS} "
            "bisection steps; pass a larger tol"
        )
    for i in range(m):
        if not out[i]:
            low, high = float(lo[i]), float(hi[i])
            ends = _plain(below[i]), _plain(above[i])
            out[i] = Threshold(param, measure, (low + high) / 2, low, high, *ends, level, tol)
    return out


def _evaluate(
    model: Model,
    param: str,
    measure: str,
    select: str,
    x: np.ndarray,
    lines: Mapping[str, np.ndarray],
) -> np.ndarray:
    """The measure at the points ``x`` (one row per line), shaped like ``x``."""
    n = x.shape[1]
    points = {param: x.reshape(-1), **{k: np.repeat(v, n) for k, v in lines.items()}}
    column = model.evaluate(points, select)["points"][measure]
    return np.asarray(column, dtype=object if measure in LABELS else float).reshape(x.shape)


def _take(lines: Mapping[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[rows] for k, v in lines.items()}


def _keys(values: np.ndarray, level: float | None) -> np.ndarray:
    """Comparable outcomes: labels, sides of the level, or values without float noise."""
    keys = np.empty(values.shape, dtype=object)
    for index, v in np.ndenumerate(values):
        if label_text(v) == "none":
            keys[index] = None
        elif isinstance(v, str):
            keys[index] = v
        else:
            keys[index] = bool(v > level) if level is not None else float(f"{v:.12g}")
    return keys


def _no_flip(
    param: str,
    measure: str,
    level: float | None,
    x: np.ndarray,
    values: np.ndarray,
    keys: np.ndarray,
) -> str:
    """Why a line has no threshold: the outcome at both ends, and any flips inside."""
    if keys[0] is None:
        what = f"no equilibrium is selected ({measure} undefined)"
    elif level is not None:
        what = f"{measure} {'>' if keys[0] else '<='} {level:g}"
    else:
        what = f"{measure} = {_show(values[0])}"
    reason = f"{what} at both ends ({param} = {x[0]:g} and {x[-1]:g})"
    inside = np.flatnonzero(keys != keys[0])
    if inside.size:
        reason += f"; it differs inside, at {param} = {x[inside[0]]:g}: narrow the bracket"
    return reason


def _plain(value: Any) -> Any:
    """A label, a Python float, or None where no equilibrium is selected."""
    if label_text(value) == "none":
        return None
    return value if isinstance(value, str) else float(value)


def _show(value: Any) -> str:
    if label_text(value) == "none":
        return "none"
    return repr(value) if isinstance(value, str) else f"{value:.4g}"


def _finite(value: Any) -> bool:
    return isinstance(value, Real) and math.isfinite(value)


def _fixed(x: float, digits: int) -> str:
    """``x`` with at most ``digits`` decimals, trailing zeros dropped."""
    text = f"{x:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
