"""Symbolic analysis: closed-form equilibria, comparative statics and regime boundaries.

A model's game form derives its regimes in closed form (``GameForm.derive``,
built on :mod:`bargain.algebra`); this package adds the model's measures and
answers the questions formal-theory papers state as formulas:

- :func:`derive`: the regimes, each with its conditions on the parameters and
  its measures as formulas, cached in memory and on disk, within a time budget
  (:mod:`.run`, :mod:`.store`, :mod:`.regimes`);
- :func:`derivative` and :func:`sign_table`: comparative statics with signs
  decided on the declared bounds (:mod:`.statics`);
- :func:`boundaries`, :func:`solve_for`, :func:`closed_threshold` and
  :func:`boundary_curves`: regime edges and thresholds as formulas, with the
  numeric threshold finder beside them (:mod:`.boundaries`);
- :func:`report`, :func:`to_latex`: text, Markdown and LaTeX (:mod:`.printing`);
  ``bargain derive MODEL`` prints the report.

>>> from bargain.io import load_model
>>> from bargain.symbolic import derive, derivative
>>> d = derive(load_model("escalation"), cache=False)  # doctest: +SKIP
"""

from bargain.algebra import DerivationTimeout

from .boundaries import (
    Boundary,
    ClosedThreshold,
    boundaries,
    boundary_curves,
    check_agreement,
    closed_threshold,
    solve_for,
)
from .printing import FORMATS, report, to_latex
from .regimes import ModelDerivation
from .run import derive
from .statics import Derivative, derivative, sign_table

__all__ = [
    "FORMATS",
    "Boundary",
    "ClosedThreshold",
    "DerivationTimeout",
    "Derivative",
    "ModelDerivation",
    "boundaries",
    "boundary_curves",
    "check_agreement",
    "closed_threshold",
    "derivative",
    "derive",
    "report",
    "sign_table",
    "solve_for",
    "to_latex",
]
