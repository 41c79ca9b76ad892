"""Bargaining protocols: closed forms where they exist, batched numeric solutions always.

Non-cooperative protocols (subgame-perfect equilibria):

- :func:`ultimatum` — one take-it-or-leave-it offer;
- :func:`alternating_offers` — Rubinstein (1982) and its finite-horizon
  version (Ståhl 1972), with breakdown risk (Binmore, Rubinstein and Wolinsky
  1986) and outside options (Binmore, Shaked and Sutton 1989);
- :func:`baron_ferejohn` — closed-rule multilateral bargaining (Baron and
  Ferejohn 1989);
- :func:`screening_uniform`, :func:`screening_types` — a take-it-or-leave-it
  offer to a responder with a private reservation value (Fearon 1995), with
  :func:`uniform_closed_form` and :func:`types_closed_form`.

Axiomatic solutions on a :class:`Frontier`:

- :func:`nash_solution` — Nash (1950) and its asymmetric form;
- :func:`kalai_smorodinsky` — Kalai and Smorodinsky (1975).

Every numeric argument may be an array (the arguments broadcast together): a
single solve is a batch of one. Each function returns a
:class:`BargainingResult` whose ``shares`` have shape ``(rows, *shape)`` and
whose ``closed_form`` holds sympy expressions (or ``None``).

Examples
--------
>>> import bargain.bargaining as bargaining
>>> bargaining.alternating_offers(0.9, [0.8, 0.9]).shares.round(4)
array([[0.7143, 0.5263],
       [0.2857, 0.4737]])
"""

from .alternating import alternating_offers
from .baron_ferejohn import baron_ferejohn
from .frontier import Frontier
from .kalai_smorodinsky import kalai_smorodinsky
from .nash import nash_solution
from .result import BargainingResult
from .screening import (
    ScreeningResult,
    screening_types,
    screening_uniform,
    types_closed_form,
    uniform_closed_form,
)
from .ultimatum import ultimatum

__all__ = [
    "BargainingResult",
    "Frontier",
    "ScreeningResult",
    "alternating_offers",
    "baron_ferejohn",
    "kalai_smorodinsky",
    "nash_solution",
    "screening_types",
    "screening_uniform",
    "types_closed_form",
    "ultimatum",
    "uniform_closed_form",
]
