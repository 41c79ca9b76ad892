"""Baron–Ferejohn closed-rule multilateral bargaining (stationary SPE)."""

from __future__ import annotations

import numpy as np
import sympy
from numpy.typing import ArrayLike

from bargain.checks import count, memory_needed, number_text
from bargain.errors import BargainError, ParamError
from bargain.tolerances import PROB_SUM_ATOL

from . import validation as check
from .result import BargainingResult

DELTA, N, Q, PIE = sympy.symbols("delta n q pie")
#: Stationary values and coalition costs within this of each other are equal.
TOL = 1e-9
MAX_CUTS = 15  # groupings tried: 2**cuts


def baron_ferejohn(
    n: int,
    delta: ArrayLike,
    recognition: ArrayLike | None = None,
    *,
    quota: int | None = None,
    pie: ArrayLike = 1.0,
) -> BargainingResult:
    """Stationary subgame-perfect shares of closed-rule legislative bargaining.

    Each period nature recognizes player ``i`` with probability ``r_i``; it
    proposes a division of the pie, which passes if ``q`` players (the
    proposer included) vote for it; otherwise the game repeats after
    discounting by ``delta`` (Baron and Ferejohn 1989). In a stationary SPE
    with ex-ante values ``v_j``, player ``j`` accepts any offer of at least
    ``delta v_j``; the proposer buys the ``q - 1`` cheapest votes and keeps the
    rest, so proposals pass at once and ``sum(v) = 1``. With equal recognition
    (Baron and Ferejohn 1989)

    .. math:: x_{\\text{proposer}} = 1 - \\delta \\frac{q - 1}{n}, \\qquad
              x_{\\text{partner}} = \\frac{\\delta}{n}, \\qquad v_i = \\frac1n,

    which for odd ``n`` and simple majority is ``1 - delta (n - 1) / (2 n)``.
    With unequal recognition the payoffs ``v`` are unique (Eraslan 2002) but
    proposers may have to randomize over equally cheap partners; the solver
    enumerates the ways of grouping the players, ordered by recognition
    probability, into classes of equal value, solves the linear equations of
    each grouping exactly, and keeps the one whose randomization over tied
    partners is feasible (a transportation problem, checked by Hall's
    condition). With ``delta = 1`` and similar recognition probabilities every
    value is ``1 / n`` (Kawamori 2005), not ``r_i``.

    Parameters
    ----------
    n : int
        Number of players, >= 2.
    delta : float or array
        Common discount factor in [0, 1].
    recognition : array, optional
        Recognition probabilities, shape ``(n,)`` or ``(n, *batch)``: >= 0,
        summing to 1 along the first axis (positive if ``delta = 1``, where
        zero recognition makes the stationary payoffs indeterminate), with at
        most 16 distinct values. ``None``: equal, and the symmetric closed form.
    quota : int, optional
        Votes ``q`` needed to pass, in [1, n]; default simple majority
        ``n // 2 + 1``.
    pie : float or array
        Size of the pie, > 0.

    Returns
    -------
    BargainingResult
        ``values`` (n, ...): ex-ante expected payoffs. ``shares``: with
        ``recognition=None``, ``(proposer, partner)`` shares of the proposal,
        and ``closed_form`` in ``delta, n, q, pie``; otherwise player ``i``'s
        share when it proposes (a partner ``j`` is offered ``delta * values[j]``)
        and no closed form.

    Examples
    --------
    >>> r = baron_ferejohn(3, 0.9)
    >>> r.shares.round(6).tolist(), r.closed_form
    ([0.7, 0.3], (-delta*floor(n/2)/n + 1, delta/n))
    >>> r = baron_ferejohn(3, 1.0, recognition=[0.2, 0.3, 0.5])
    >>> r.values.round(6).tolist(), r.shares.round(6).tolist()
    ([0.333333, 0.333333, 0.333333], [0.666667, 0.666667, 0.666667])
    """
    n = count(n, "n", 2)
    memory_needed(
        n * 8 * 16 * int(np.prod(np.broadcast_shapes(np.shape(delta), np.shape(pie)))),
        f"baron_ferejohn with n = {n:,} players",
        "use fewer players (the values of players with equal recognition are equal)",
    )
    q = n // 2 + 1 if quota is None else count(quota, "quota", 1, n)
    arrays = {
        "delta": check.real(delta, "delta", 0, 1),
        "pie": check.real(pie, "pie", 0, low_open=True),
    }
    r = np.full(n, 1 / n) if recognition is None else _recognition(recognition, n)
    params = check.broadcast(arrays | {f"r{i + 1}": ri for i, ri in enumerate(r)})
    delta, size = params["delta"], params["pie"]
    r = np.stack([params.pop(f"r{i + 1}") for i in range(n)])
    _check_solvable(delta, r, q)
    values, cost = _stationary(r.reshape(n, -1), delta.reshape(-1), q)
    values, proposer = size * values.reshape(r.shape), size * (1 - cost.reshape(r.shape))
    params |= {"n": np.full(delta.shape, n), "q": np.full(delta.shape, q)}
    deal = np.ones(delta.shape, dtype=bool)
    if recognition is not None:
        labels = tuple(str(i + 1) for i in range(n))
        params |= {f"r{i + 1}": ri for i, ri in enumerate(r)}
        return BargainingResult("baron_ferejohn", labels, proposer, deal, None, params, values)
    shares = np.stack([proposer[0], delta * values[0]])
    closed = _closed_form(default_pie=check.is_default(pie, 1.0), default_quota=quota is None)
    labels = ("proposer", "partner")
    return BargainingResult("baron_ferejohn", labels, shares, deal, closed, params, values)


def _recognition(recognition: ArrayLike, n: int) -> np.ndarray:
    """Recognition probabilities: n along the first axis, each in [0, 1], summing to 1."""
    r = check.real(recognition, "recognition", 0, 1)
    if not r.ndim or r.shape[0] != n:
        raise ParamError(
            f"recognition must hold n = {n} probabilities along its first axis, got shape {r.shape}"
        )
    bad = np.abs(r.sum(axis=0) - 1) > PROB_SUM_ATOL
    if bad.any():
        index, at = check.locate(bad)
        total = r.sum(axis=0)[index]
        raise ParamError(f"recognition probabilities must sum to 1, got {number_text(total)}{at}")
    return r


def _check_solvable(delta: np.ndarray, r: np.ndarray, q: int) -> None:
    """Refuse points whose stationary payoffs are not unique, or too many recognition levels."""
    bad = (delta == 1) & ((r == 0).any(axis=0) | (q == len(r)))
    if bad.any():
        unanimity = q == len(r)
        why = "unanimity (quota = n)" if unanimity else "a recognition probability of 0"
        raise ParamError(
            f"baron_ferejohn: delta = 1 with {why}{check.locate(bad)[1]}: the stationary "
            "payoffs are not unique; use delta < 1"
            + ("" if unanimity else " or positive recognition probabilities")
        )
    distinct = (np.diff(np.sort(r, axis=0), axis=0) > 0).any(axis=tuple(range(1, r.ndim)))
    if distinct.sum() > MAX_CUTS:
        raise ParamError(
            f"baron_ferejohn: unequal recognition is solved for at most {MAX_CUTS + 1} distinct "
            f"probability levels (2**{MAX_CUTS} groupings of the players); got more"
        )


def _closed_form(default_pie: bool, default_quota: bool) -> tuple[sympy.Expr, sympy.Expr]:
    """Proposer's and partner's shares with equal recognition (Baron and Ferejohn 1989)."""
    closed = (PIE * (1 - DELTA * (Q - 1) / N), PIE * DELTA / N)
    subs = ({PIE: 1} if default_pie else {}) | (
        {Q: sympy.floor(N / 2) + 1} if default_quota else {}
    )
    return tuple(e.subs(subs) for e in closed)


def _groupings(r: np.ndarray) -> list[np.ndarray]:
    """Class sizes of the groupings of the players, sorted by recognition, into classes.

    Only cuts between players whose probabilities differ at some point are
    tried (players with equal probabilities have equal values).
    """
    n = r.shape[0]
    cuts = np.flatnonzero((r[1:] > r[:-1]).any(axis=1))
    sizes = []
    for mask in range(2 ** len(cuts)):
        chosen = [c + 1 for b, c in enumerate(cuts) if mask >> b & 1]
        sizes.append(np.diff([0, *chosen, n]))
    return sizes


def _stationary(r: np.ndarray, delta: np.ndarray, q: int) -> tuple[np.ndarray, np.ndarray]:
    """Values ``v`` (n, N) and each player's cost of a coalition as proposer (n, N)."""
    n, size = r.shape
    values, cost = r.copy(), np.zeros((n, size))  # delta = 0: the proposer keeps all
    todo = delta > 0
    order = np.argsort(r, axis=0, kind="stable")
    rs = np.take_along_axis(r, order, axis=0)
    for sizes in _groupings(rs[:, todo]):
        if not todo.any():
            break
        idx = np.flatnonzero(todo)
        v, c, ok = _solve_grouping(rs[:, idx], delta[idx], q, sizes)
        found = idx[ok]
        rows = order[:, found]
        values[rows, found] = v[:, ok]
        cost[rows, found] = c[:, ok]
        todo[found] = False
    if todo.any():
        index = np.flatnonzero(todo)[0]
        raise BargainError(
            f"baron_ferejohn: no stationary equilibrium found for delta = {delta[index]}, "
            f"recognition {r[:, index].tolist()} (point {index}); this is a bug, please report"
        )
    return values, cost


def _solve_grouping(rs: np.ndarray, delta: np.ndarray, q: int, sizes: np.ndarray):
    """Solve one grouping of the (sorted) players into classes of equal value, ascending.

    Returns per-position values and proposer costs, and where they form an
    equilibrium: classes ordered, proposing better than passing, and the
    inclusion probabilities each player needs feasible for the proposers.
    """
    m = len(sizes)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    avail = sizes[None, :] - np.eye(m, dtype=int)  # others in class c, for a proposer in c'
    take = np.zeros((m, m), dtype=int)  # votes a proposer in class c' buys in class c
    for cp in range(m):
        left = q - 1
        for c in range(m):
            take[cp, c] = min(avail[cp, c], left)
            left -= take[cp, c]
    full = (take == avail) & (avail > 0)
    marginal = (take > 0) & (take < avail)
    big_r = np.add.reduceat(rs, starts, axis=0)  # (m, N) recognition of each class
    bought = take.T @ big_r  # (m, N) expected votes bought from each class per period
    a = delta[:, None, None] * big_r.T[:, :, None] * take[None, :, :]
    a += np.eye(m)[None] * (sizes[None, :] - delta[:, None] * bought.T)[:, :, None]
    with np.errstate(all="ignore"):
        singular = ~(np.linalg.cond(a) < 1e12)
    a[singular] = np.eye(m)
    v = np.linalg.solve(a, big_r.T[:, :, None])[:, :, 0].T  # (m, N)
    c = delta * (take @ v)  # (m, N) cost of a coalition for a proposer in each class
    ok = ~singular & (v[:-1] <= v[1:] + TOL).all(axis=0) & (1 - c >= delta * v - TOL).all(axis=0)
    for k in range(m):
        members = rs[starts[k] : starts[k] + sizes[k]]
        ok &= _feasible(members, v[k], c[k], delta, k, take, full, marginal, big_r)
    cls = np.repeat(np.arange(m), sizes)
    return v[cls], c[cls], ok


def _feasible(members, value, cost, delta, k, take, full, marginal, big_r) -> np.ndarray:
    """Whether class ``k``'s members can be included as often as their values require.

    Member ``j`` needs inclusion probability ``a_j`` with
    ``delta v a_j = v - r_j (1 - C)``. Proposers buying all of class ``k``
    include every member; those buying part of it (``marginal``) randomize,
    each including a member with probability at most 1. Feasible iff every
    set ``J`` of members needs no more than the randomizing proposers can give
    it (Hall's condition; the worst ``J`` of each size holds the largest
    needs). Checked in payoff units (times ``delta v``), so that players with
    tiny values are judged on an absolute scale.
    """
    size = members.shape[0]
    scale = delta * value
    need = value - members * (1 - cost)
    need -= scale * ((big_r * full[:, k, None]).sum(axis=0) - members * full[k, k])
    supply = [
        scale * sum(big_r[cp] * min(take[cp, k], s) for cp in range(len(take)) if marginal[cp, k])
        for s in range(1, size + 1)
    ]
    ok = (need >= -TOL).all(axis=0)
    top = np.cumsum(-np.sort(-need, axis=0), axis=0)
    if marginal[k, k]:
        own = np.cumsum(-np.sort(-(need + scale * members), axis=0), axis=0)
    for s in range(1, size + 1):
        demand = own[s - 1] if marginal[k, k] and s <= take[k, k] else top[s - 1]
        ok &= demand <= supply[s - 1] + TOL
    return ok & (np.abs(top[-1] - supply[-1]) <= TOL)
