"""Closed forms over a parameter box: regimes, their conditions, and deciding them.

The layer the game forms derive with (``GameForm.derive``) and that
:mod:`bargain.symbolic` builds on:

- :mod:`.intervals`: interval enclosures of an expression over the bounds;
- :mod:`.conditions`: a condition settled on the bounds (always, never, or
  kept with a proof that it depends, or marked undecided);
- :mod:`.cases`: :class:`Case` (a regime: conditions and measures) and
  :class:`Derivation` (a form's regimes), with domains kept;
- :mod:`.signs`: the sign of an expression where a regime holds;
- :mod:`.budget`: a time budget that names the step it stopped in.
"""

from .budget import DEFAULT_SECONDS, DerivationTimeout, can_interrupt, step, time_budget
from .cases import Case, Derivation, domain_conditions, make_case, tidy, tidy_condition
from .conditions import Condition, decide_on, settle, truth_at, witnesses
from .intervals import Box, box_of, boxes_of, enclose
from .signs import SYMBOLS, Sign, sign_of

__all__ = [
    "DEFAULT_SECONDS",
    "SYMBOLS",
    "Box",
    "Case",
    "Condition",
    "Derivation",
    "DerivationTimeout",
    "Sign",
    "box_of",
    "boxes_of",
    "can_interrupt",
    "decide_on",
    "domain_conditions",
    "enclose",
    "make_case",
    "settle",
    "sign_of",
    "step",
    "tidy",
    "tidy_condition",
    "time_budget",
    "truth_at",
    "witnesses",
]
