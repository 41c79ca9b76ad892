"""A time budget for a derivation, and the name of the step it is in.

sympy cannot be interrupted from inside a call, so :func:`time_budget` arms an
interval timer (``SIGALRM``) whose handler raises :class:`DerivationTimeout`
between two Python bytecodes of whatever sympy is doing, naming the step
:func:`step` last entered. The timer only works in a process's main thread;
elsewhere :func:`can_interrupt` is False and the caller runs the derivation in
a worker process it can stop instead (``bargain.symbolic`` does).
"""

from __future__ import annotations

import contextlib
import contextvars
import signal
import threading
import time
from collections.abc import Iterator

from bargain.errors import BudgetError

#: Seconds a derivation may take before it stops and the numeric path is used.
DEFAULT_SECONDS = 5.0

_STEP: contextvars.ContextVar[str] = contextvars.ContextVar("step", default="starting")


class DerivationTimeout(BudgetError):
    """A derivation ran out of time; ``step`` names what it was doing, ``budget`` which
    :func:`time_budget` expired (the innermost of nested ones)."""

    def __init__(self, step: str, seconds: float, budget: object = None) -> None:
        self.step = step
        self.seconds = seconds
        self.budget = budget
        super().__init__(
            f"the derivation stopped after {seconds:g} s while {step}; "
            "the numeric solvers answer instead (raise the budget with --budget or budget=)"
        )


@contextlib.contextmanager
def step(text: str) -> Iterator[None]:
    """Name the step a derivation is in, for the message if its time runs out."""
    token = _STEP.set(text)
    try:
        yield
    finally:
        _STEP.reset(token)


def current_step() -> str:
    """The step a derivation is in."""
    return _STEP.get()


def can_interrupt() -> bool:
    """True where :func:`time_budget` can stop a computation (Unix, main thread)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_budget(seconds: float | None) -> Iterator[object]:
    """Raise :class:`DerivationTimeout` in the body after ``seconds`` (None: no limit).

    Budgets nest: an inner one ends at the earlier of its own deadline and the outer
    one's, and the outer timer runs on afterwards with the time it had left. The
    context value is a token: the timeout's ``budget`` is the token of the budget
    that expired, so a caller can tell its own timeout from an outer one. Where the
    process cannot be interrupted (see :func:`can_interrupt`) the body runs without a
    limit: callers that need one use a worker process.
    """
    token = object()
    if seconds is None or not can_interrupt():
        yield token
        return
    outer, _ = signal.getitimer(signal.ITIMER_REAL)
    started = time.monotonic()
    mine = outer == 0 or seconds < outer

    def expire(signum: int, frame: object) -> None:
        raise DerivationTimeout(current_step(), seconds, token)

    previous = signal.signal(signal.SIGALRM, expire if mine else signal.getsignal(signal.SIGALRM))
    if mine:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield token
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # the outer budget goes on with the time it had left (at least a tick)
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-6))
