"""Per-point tables of a solved batch: the selected equilibrium's measures at each point.

A point may have several equilibria (rows); a per-point table needs one, or
none, chosen by a selection rule (:mod:`.selection`), plus what holds at the
point whatever is chosen: the number of equilibria, the flags, the set of all
equilibrium regimes, and measures that depend on the parameters only.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

import numpy as np

from bargain.games import EquilibriumBatch
from bargain.games.labels import Labels, coded
from bargain.games.solution import Columns
from bargain.solvers.arrays import by_point

from .measures import Measures
from .selection import choose

#: The label columns of a table: the selected equilibrium's regime, and every one's.
LABELS = ("regime", "equilibria")
#: Codes of at most this many labels are joined through bit masks (int64).
MASK_BITS = 62
#: Below this many codes, masks are numbered through a table rather than sorted.
TABLE_BITS = 16
#: Per-point columns that are flags or labels rather than measures.
POINT_INFO = ("n_equilibria", "selected_unique", "degenerate", "ties", *LABELS)


def tabulate(
    points: Mapping[str, np.ndarray],
    solution: EquilibriumBatch,
    columns: Columns,
    rule: str,
    measures: Measures,
    rows: bool = True,
    wanted: Collection[str] | None = None,
) -> dict[str, Columns]:
    """``{"points": per-point columns, "rows": per-equilibrium columns}`` at bound points.

    Rows are sorted by point and carry the parameter values. Per point: the
    parameters, ``n_equilibria``, ``selected_unique``, ``degenerate``,
    ``ties``, ``equilibria`` (every equilibrium's regime, joined with " | ")
    and each measure of the equilibrium chosen by ``rule`` (NaN where none
    qualifies; with ``"logit"``, where no row is the logit limit, the limit itself
    if the solution gives it, ``EquilibriumBatch.logit_limits``: a point of a
    component of the rows); with ``"all"`` the per-point table is the per-row one, where a
    point without any equilibrium keeps a row of missing values (it is never
    dropped: ``n_equilibria`` says 0). Without ``rows`` (a sweep that keeps only
    per-point columns) the per-equilibrium table is left out; with ``wanted``, of the
    measures and ``equilibria`` only those named are tabulated.
    """
    n = len(solution)
    order, starts = by_point(columns["point"], n)
    if rule == "all":
        table = _sorted_rows(points, columns, order)
        table = _with_empty_points(table, points, np.diff(starts))
        return {"points": table, "rows": table}
    point = columns["point"][order]
    if rule == "unique":  # needs no payoffs
        chosen, unique = choose(rule, point, np.empty((len(point), 0)), n, np.empty((0, 0)))
    else:
        scores = None
        if rule == "risk-dominant":
            scores = solution.risk_dominance()[order]
        elif rule == "logit":
            scores = solution.logit_distance()[order]
        ranges = solution.payoff_range[point]
        chosen, unique = choose(rule, point, solution.payoffs[order], n, ranges, scores)
    count = np.diff(starts)
    summary: Columns = dict(points)
    summary["n_equilibria"] = count.astype(float)
    summary["selected_unique"] = unique
    summary["degenerate"] = _any_per_point(columns["degenerate"], columns["point"], n)
    summary["ties"] = _any_per_point(columns["ties"], columns["point"], n)
    codes = columns.get("regime_code")
    if wanted is None or "equilibria" in wanted:
        summary["equilibria"] = _label_sets(
            columns["regime"][order], point, n, None if codes is None else codes[order]
        )
    missing = np.flatnonzero(chosen < 0)
    pick = order[np.where(chosen < 0, 0, chosen)] if len(order) else np.zeros(n, dtype=np.intp)
    names = [
        name
        for name in (*measures.names, "regime")
        if name != "n_equilibria" and (wanted is None or name in wanted)
    ]
    source: Columns = columns
    if rule == "logit" and len(missing):
        source, pick, missing = _with_limits(
            points, solution, columns, measures, names, pick, missing
        )
        summary["selected_unique"] = unique | (pick >= len(columns["point"]))  # a limit taken
    for name in names:
        summary[name] = _picked(source[name], pick, missing, n)
    for name in measures.per_point:  # a property of the point, whatever is chosen
        if wanted is not None and name not in wanted:
            continue
        first = order[np.minimum(starts[:-1], len(point) - 1)] if len(point) else None
        summary[name] = (
            np.where(count > 0, columns[name][first], np.nan) if len(point) else np.full(n, np.nan)
        )
    if not rows:
        return {"points": summary}
    return {"points": summary, "rows": _sorted_rows(points, columns, order)}


def _with_limits(
    points: Mapping[str, np.ndarray],
    solution: EquilibriumBatch,
    columns: Columns,
    measures: Measures,
    names: list[str],
    pick: np.ndarray,
    missing: np.ndarray,
) -> tuple[Columns, np.ndarray, np.ndarray]:
    """``select="logit"`` where no row is the limit: the limit itself where the solution
    gives it (an equilibrium inside a component whose extreme equilibria are the rows).

    Returns the columns ``names`` to pick from (the rows, then the limits), the picks
    (N,) into them and the points still without a choice.
    """
    limits = solution.logit_limits(missing)
    if limits is None or not len(limits.point):
        return columns, pick, missing
    more = measures.columns(limits, points)
    source = {name: _joined(columns[name], more[name]) for name in names}
    pick = pick.copy()
    pick[limits.point] = len(columns["point"]) + np.arange(len(limits.point))
    return source, pick, np.setdiff1d(missing, limits.point)


def _joined(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """One column after the other; two label columns keep their codes (into the union of
    their names)."""
    a, b = coded(first), coded(second)
    if a is None or b is None:
        return np.concatenate([np.asarray(first), np.asarray(second)])
    names = np.concatenate([a[1], b[1][~np.isin(b[1], a[1])]])
    index = {name: k for k, name in enumerate(names)}
    recode = np.array([index[name] for name in b[1]] + [-1], dtype=np.int32)  # -1 stays -1
    return Labels.of(np.concatenate([a[0], recode[b[0]]]), names)


def _sorted_rows(points: Mapping[str, np.ndarray], columns: Columns, order: np.ndarray) -> Columns:
    """The rows sorted by point, with the parameter values (and without regime codes)."""
    rows = {k: v[order] for k, v in columns.items() if k != "regime_code"}
    return {**{k: v[rows["point"]] for k, v in points.items()}, **rows}


def _with_empty_points(
    rows: Columns, points: Mapping[str, np.ndarray], count: np.ndarray
) -> Columns:
    """The rows, plus one row of missing values for each point without an equilibrium."""
    empty = np.flatnonzero(count == 0)
    if not len(empty):
        return rows
    blank: Columns = {}
    for name, values in rows.items():
        if name in points:
            blank[name] = points[name][empty]
        elif values.dtype == object:
            blank[name] = np.full(len(empty), None, dtype=object)
        elif values.dtype == bool:
            blank[name] = np.zeros(len(empty), dtype=bool)
        else:
            blank[name] = np.full(len(empty), np.nan)
    blank["point"] = empty
    blank["n_equilibria"] = np.zeros(len(empty))
    order = np.argsort(np.concatenate([rows["point"], empty]), kind="stable")
    return {k: np.concatenate([v, blank[k]])[order] for k, v in rows.items()}


def _picked(values: np.ndarray, pick: np.ndarray, missing: np.ndarray, n: int) -> np.ndarray:
    """The values of the rows ``pick`` (N,), missing (NaN or None) at ``missing``; labels
    keep their codes."""
    known = coded(values)
    if known is not None:
        codes = known[0].take(pick) if len(values) else np.empty(n, dtype=np.int32)
        codes[missing] = -1
        return Labels.of(codes, known[1])
    out = values.take(pick) if len(values) else np.empty(n, dtype=values.dtype)
    out[missing] = None if values.dtype == object else np.nan
    return out


def _any_per_point(flags: np.ndarray, point: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[point[flags]] = True
    return out


def _label_sets(
    labels: np.ndarray, point: np.ndarray, n: int, codes: np.ndarray | None = None
) -> np.ndarray:
    """Every distinct label at each point, sorted and joined with " | ".

    ``codes`` (optional) are integers equal where labels are equal; rows must
    be sorted by point.
    """
    if codes is not None and len(codes) and codes.min() >= 0 and codes.max() < MASK_BITS:
        return _coded_label_sets(labels, codes, point, n)
    out = np.full(n, "", dtype=object)
    count = np.bincount(point, minlength=n)
    single = count[point] == 1
    out[point[single]] = labels[single]
    rows = np.flatnonzero(~single)
    if not len(rows):
        return out
    key = codes[rows] if codes is not None else labels[rows].astype(str)
    distinct, first, code = np.unique(key, return_index=True, return_inverse=True)
    names = labels[rows][first].astype(str)
    if len(distinct) > 62:
        for t in np.unique(point[rows]):
            out[t] = " | ".join(sorted(set(labels[point == t].astype(str))))
        return out
    bits = np.left_shift(np.int64(1), code.astype(np.int64))
    starts = np.flatnonzero(np.r_[True, np.diff(point[rows]) != 0])
    masks = np.bitwise_or.reduceat(bits, starts)
    kinds, which = np.unique(masks, return_inverse=True)
    order = np.argsort(names)
    text = [" | ".join(names[order][(int(m) >> order) & 1 == 1]) for m in kinds]
    out[point[rows][starts]] = np.asarray(text, dtype=object)[which]
    return out


def _coded_label_sets(labels: np.ndarray, codes: np.ndarray, point: np.ndarray, n: int) -> Labels:
    """:func:`_label_sets` for codes below :data:`MASK_BITS`, as coded labels: each point's
    set of codes as the bits of a mask, each distinct mask one name."""
    top = int(codes.max()) + 1
    names = np.empty(top, dtype=object)
    names[codes] = labels
    starts = np.flatnonzero(np.r_[True, point[1:] != point[:-1]])
    masks = np.zeros(n, dtype=np.int64)
    masks[point[starts]] = np.bitwise_or.reduceat(np.left_shift(np.int64(1), codes), starts)
    if top <= TABLE_BITS:  # a table of every possible mask: no sort
        seen = np.zeros(1 << top, dtype=bool)
        seen[masks] = True
        kinds = np.flatnonzero(seen)
        index = np.zeros(1 << top, dtype=np.int32)
        index[kinds] = np.arange(len(kinds), dtype=np.int32)
        which = index[masks]
    else:
        kinds, which = np.unique(masks, return_inverse=True)
    present = sorted((str(names[c]), c) for c in np.flatnonzero(np.bincount(codes, minlength=top)))
    texts = np.array(
        [" | ".join(text for text, c in present if (int(m) >> c) & 1) for m in kinds], dtype=object
    )
    return Labels.of(which, texts)
