"""The ultimatum game: one take-it-or-leave-it offer."""

from __future__ import annotations

import numpy as np
import sympy
from numpy.typing import ArrayLike

from . import validation as check
from .result import BargainingResult

PIE, D1, D2 = sympy.symbols("pie d1 d2")


def ultimatum(
    pie: ArrayLike = 1.0, disagreement: tuple[ArrayLike, ArrayLike] = (0, 0)
) -> BargainingResult:
    """Subgame-perfect outcome of the ultimatum game.

    Player 1 offers player 2 a share of a pie of size ``pie``; player 2 accepts
    or rejects, and on rejection each player ``i`` gets ``d_i``. Player 2
    accepts any offer worth at least ``d2``, so player 1 offers exactly ``d2``
    if that leaves it at least ``d1``:

    .. math:: (x_1, x_2) = (\\pi - d_2, d_2) \\text{ if } \\pi \\ge d_1 + d_2,
              \\text{ else no deal and } (d_1, d_2).

    This is the one-period case of alternating offers (Ståhl 1972; Osborne and
    Rubinstein 1990, sec. 3.2): ``alternating_offers(d, d, horizon=1)``.

    Parameters
    ----------
    pie : float or array
        Size of the pie, > 0.
    disagreement : pair of float or array
        ``(d1, d2)``, each >= 0: the payoffs if the offer is rejected.

    Returns
    -------
    BargainingResult
        ``shares`` (player 1, player 2), ``deal`` where ``pie >= d1 + d2``;
        ``closed_form`` in the symbols ``pie, d1, d2`` (those left at their
        default are substituted).

    Examples
    --------
    >>> r = ultimatum(pie=1.0, disagreement=(0.2, 0.3))
    >>> r.shares.tolist(), bool(r.deal)
    ([0.7, 0.3], True)
    >>> r.closed_form
    (Piecewise((1 - d2, d1 + d2 <= 1), (d1, True)), d2)
    >>> ultimatum(disagreement=([0.2, 0.8], 0.3)).deal.tolist()
    [True, False]
    """
    default_pie = check.is_default(pie, 1.0)
    default_d = check.is_default(disagreement, (0, 0))
    pie = check.real(pie, "pie", 0, low_open=True)
    d1, d2 = check.pair(disagreement, "disagreement", ("d1", "d2"), low=0)
    params = check.broadcast({"pie": pie, "d1": d1, "d2": d2})
    pie, d1, d2 = params.values()
    deal = pie >= d1 + d2
    shares = np.stack([np.where(deal, pie - d2, d1), d2])
    closed = (sympy.Piecewise((PIE - D2, PIE >= D1 + D2), (D1, True)), D2)
    subs = ({PIE: 1} if default_pie else {}) | ({D1: 0, D2: 0} if default_d else {})
    closed = (PIE, sympy.Integer(0)) if default_d else closed
    closed = tuple(sympy.sympify(e).subs(subs) for e in closed)
    return BargainingResult("ultimatum", ("1", "2"), shares, deal, closed, params)
