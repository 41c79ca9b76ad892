"""Deriving a model once: in memory, from the disk cache, or within a time budget.

:func:`derive` asks the model's game form for its closed forms
(``GameForm.derive``), adds the model's measures (:mod:`.regimes`) and keeps
the result in memory and on disk (:mod:`.store`). sympy may take very long on
some expressions and cannot be interrupted from inside a call: in the main
thread an alarm stops it (:func:`bargain.algebra.time_budget`); elsewhere the
derivation runs in a worker process that is stopped when its time is up. Either
way a :class:`~bargain.algebra.DerivationTimeout` names the step it stopped in,
and callers fall back to the numeric solvers.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import time
from typing import TYPE_CHECKING

from bargain.algebra import DEFAULT_SECONDS, DerivationTimeout, can_interrupt, step, time_budget

from . import store
from .regimes import ModelDerivation, regimes_of

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from bargain.model import Model

_MEMORY: dict[str, ModelDerivation] = {}
#: Extra seconds a worker process gets to start and report before it is stopped.
_GRACE = 5.0


def _derive_here(model: Model, budget: float | None) -> ModelDerivation:
    start = time.perf_counter()
    with time_budget(budget):
        derivation = model.game.derive(**model.options)
        with step("expressing the model's measures in each regime"):
            regimes = regimes_of(derivation, model)
    return ModelDerivation(
        model.name,
        model.game.params,
        tuple(regimes),
        derivation.exclusive,
        derivation.subject,
        derivation.notes,
        time.perf_counter() - start,
    )


def _as_stored(derivation: ModelDerivation, model: Model) -> ModelDerivation:
    """The derivation as the cache gives it back (same terms in the same order), so that
    a first run and a cached one print alike; as derived if it does not read back."""
    try:
        stored = store.loads(store.dumps(derivation), model.game.params)
    except (ValueError, KeyError, TypeError):
        return derivation
    return dataclasses.replace(stored, seconds=derivation.seconds, source="derived")


def _worker(model: Model, budget: float | None, conn: Connection) -> None:
    try:
        conn.send(("ok", store.dumps(_derive_here(model, budget))))
    except DerivationTimeout as stop:
        conn.send(("timeout", stop.step))
    except Exception as error:  # reported in the caller's process, with its type
        conn.send(("error", error))
    finally:
        conn.close()


def _derive_in_worker(model: Model, budget: float | None) -> ModelDerivation:
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receive, send = context.Pipe(duplex=False)
    worker = context.Process(target=_worker, args=(model, budget, send), daemon=True)
    worker.start()
    send.close()
    try:
        wait = None if budget is None else budget + _GRACE
        if not receive.poll(wait):
            raise DerivationTimeout("running in a worker process", budget or 0.0)
        kind, payload = receive.recv()
    finally:
        worker.terminate()
        worker.join()
    if kind == "timeout":
        raise DerivationTimeout(payload, budget or 0.0)
    if kind == "error":
        raise payload
    return dataclasses.replace(store.loads(payload, model.game.params), source="derived")


def derive(
    model: Model, *, budget: float | None = DEFAULT_SECONDS, cache: bool = True
) -> ModelDerivation:
    """The model's equilibria in closed form, each regime with the model's measures.

    Parameters
    ----------
    model : a model whose game form has closed forms (normal form with two
        players, trees, bargaining protocols, screening).
    budget : seconds the derivation may take (None: no limit).
    cache : use and fill the in-memory and on-disk caches (keyed by the
        model's fingerprint and solve options).

    Raises
    ------
    DerivationTimeout
        When the budget runs out; the message names the step.
    ModelError
        When the form has no closed forms, or the game is outside what they cover.
    """
    key = store.cache_key(model.fingerprint(), model.options)
    about = model.provenance()
    keys = ", ".join(about["cite"])
    extra = {
        "held": tuple(model.links),
        "cite": model.version + (f"; cite: {keys}" if keys else ""),
    }
    if cache:
        found = _MEMORY.get(key) or store.load(key, model.game.params)
        if found is not None:
            _MEMORY[key] = found
            return dataclasses.replace(found, **extra)
    if can_interrupt() or budget is None:
        derivation = _as_stored(_derive_here(model, budget), model)
    else:
        derivation = _derive_in_worker(model, budget)
    if cache:
        _MEMORY[key] = derivation
        store.save(key, derivation)
    return dataclasses.replace(derivation, **extra)
