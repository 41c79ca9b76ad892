"""The regions of one outcome over the swept space, and the directions of measures
along a one-at-a-time sweep: tables as DataFrames, to show or render."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from bargain.frames import Framed, check_columns, lines_view, outcome_labels, swept, view


def regimes(result: Framed | pd.DataFrame, by: str = "regime") -> pd.DataFrame:
    """The regions of the swept space with one equilibrium outcome.

    One row per distinct value of the label column ``by`` ("regime": the selected
    equilibrium, "several equilibria" where the rule selects none of several, "no
    equilibrium" where there is none; or "equilibria": every equilibrium at the
    point), most common first, with the number and share of points and, for each
    swept parameter, its smallest and largest value there. The bounds are those of
    the region's bounding box: a region need not be an interval.
    ``frame.attrs["note"]`` holds the result's note.

    Examples
    --------
    >>> from bargain import GameTree, Param, sweep
    >>> tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1)])
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": 0.3})
    >>> result = sweep(tree, {"relief": [0, 0.2, 0.4, 0.6, 0.8, 1]}, progress=False)
    >>> regimes(result)  # doctest: +NORMALIZE_WHITESPACE
            points  share  relief_min  relief_max
    regime
    accept       4  0.667         0.4         1.0
    reject       2  0.333         0.0         0.2
    """
    frame, note = view(result)
    check_columns(frame, [by])
    params = swept(frame)
    labels = pd.DataFrame({by: outcome_labels(frame, by), **{p: frame[p] for p in params}})
    groups = labels.groupby(by, sort=False)
    out = pd.DataFrame({"points": groups.size()})
    out["share"] = (out["points"] / len(labels)).round(3)
    for p in params:
        out[f"{p}_min"] = groups[p].min()
        out[f"{p}_max"] = groups[p].max()
    out = out.sort_values("points", ascending=False, kind="stable")
    out.attrs["note"] = note
    return out


#: How a measure moves along a parameter's line: rises, falls, both, not at all.
DIRECTION = {(True, False): "+", (False, True): "−", (True, True): "±", (False, False): "0"}


def directions(
    result: Framed | pd.DataFrame, measures: Sequence[str] | None = None
) -> pd.DataFrame:
    """Comparative statics read off a one-at-a-time sweep: the sign table of a model
    whose measures have no closed form (linked values, numeric solvers).

    One row per parameter (``name [low, high]``), one column per measure: ``+`` where
    the measure rises (weakly, and somewhere strictly) as that parameter alone crosses
    its range with the others at their defaults, ``−`` where it falls, ``0`` where it
    does not move, ``±`` where it does both, ``?`` where it is undefined somewhere on
    the line. Moves smaller than 1e-9 of the measure's scale count as none.

    Examples
    --------
    >>> from bargain import GameTree, Param, sweep
    >>> from bargain.spaces import one_at_a_time
    >>> params = [Param("relief", 0.5, 0, 1), Param("cost", 0.3, 0, 1)]
    >>> tree = GameTree(["Iran"], params=params)
    >>> tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    >>> tree.terminal("deal", {"Iran": "relief"})
    >>> tree.terminal("war", {"Iran": "-cost"})
    >>> result = sweep(tree, one_at_a_time(tree.params, num=5), progress=False)
    >>> directions(result, ["u_Iran"])  # doctest: +NORMALIZE_WHITESPACE
                 u_Iran
    parameter
    relief [0, 1]     +
    cost [0, 1]       0
    """
    frame, note, space = lines_view(result, "a table of directions")
    names = list(measures) if measures is not None else list(frame.attrs.get("measures", ()))
    check_columns(frame, names)
    lines, num = space["ranges"], int(space["num"])
    out = {}
    for name in names:
        values = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        values = values.reshape(len(lines), num)
        scale = 1e-9 * max(1.0, float(np.nanmax(np.abs(values), initial=0.0)))
        steps = np.diff(values, axis=1)
        cells = [DIRECTION[bool((s > scale).any()), bool((s < -scale).any())] for s in steps]
        out[name] = np.where(np.isfinite(values).all(axis=1), cells, "?")
    index = pd.Index([f"{p} [{low:g}, {high:g}]" for p, low, high in lines], name="parameter")
    table = pd.DataFrame(out, index=index)
    table.attrs["note"] = (
        "Direction of each measure as one parameter alone rises over its range "
        f"({num} values), the others at their defaults: + rises, − falls, 0 does not move, "
        f"± both, ? undefined somewhere. {note}"
    ).strip()
    return table
