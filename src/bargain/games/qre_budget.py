"""The path-following budget of one call, and the report of what it left undone.

Every method that follows logit paths (the normal form's ``qre`` and ``logit``, the
agent QRE of trees, the Bayesian form's QRE) takes ``max_steps`` (per chunk's path)
and ``seconds`` (for the whole call); a point the budget leaves short gets no row,
and one warning says how many and which budget ran out.
"""

from __future__ import annotations

from time import perf_counter

import numpy as np

from bargain.errors import BargainWarning, warn
from bargain.solvers.continuation import MAX_STEPS, Budget


class Deadline:
    """The budget of one call: ``max_steps`` per chunk's path, ``seconds`` for the call."""

    def __init__(self, max_steps: int | None, seconds: float | None) -> None:
        self.max_steps = max_steps or MAX_STEPS
        self.seconds = seconds
        self.end = None if seconds is None else perf_counter() + seconds

    def budget(self) -> Budget | None:
        """The next chunk's budget (None: the time is up before it starts)."""
        left = self.left()
        if left is None:
            return Budget(self.max_steps)
        return Budget(self.max_steps, left) if left > 0 else None

    def left(self) -> float | None:
        """Seconds left of the call (None: no time limit)."""
        return None if self.end is None else self.end - perf_counter()

    @property
    def spent(self) -> str:
        """What ran out, when the time was up before a chunk started."""
        return f"seconds={self.seconds:g} s"


def warn_paths(fallback: np.ndarray, missed: np.ndarray, exhausted: str | None, what: str) -> None:
    """Say how many points fell back to arclength continuation, and which budget ran
    out leaving how many points without ``what``."""
    n = len(fallback)
    count = int(np.count_nonzero(fallback))
    if count:
        warn(
            f"{count} of {n} points fell back to per-point arc-length continuation (their "
            "logit path turns back in lam, or its corrector failed on the shared grid); "
            "see 'fallback'",
            BargainWarning,
        )
    if exhausted is not None:
        count = int(np.count_nonzero(missed))
        warn(
            f"the path-following budget ran out ({exhausted}): {count} of {n} points have "
            f"no {what} (see 'n_equilibria'); raise max_steps or seconds",
            BargainWarning,
        )
