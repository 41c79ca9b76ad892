"""The pure perfect Bayesian equilibria of a mediation game in closed form, outcome by outcome.

The numeric solver reports PBE by their *outcome*, the action each signal of
the mediator leads to (:mod:`.outcomes`). A pure outcome is a map ``f`` from
signals to actions; it is the outcome of a pure PBE iff it uses at most as
many actions as there are messages and

- the receiver: each action ``a`` that ``f`` uses is a best reply to the
  posterior of its pool ``P_a = f^-1(a)``,
  ``sum_{s in P_a} sum_t pi_t L[t, s] (u_R(t, a) - u_R(t, a')) >= 0`` for every ``a'``;
- the mediator: each signal prefers its action to every other action ``f`` uses,
  ``sum_t pi_t L[t, s] (u_M(t, f(s)) - u_M(t, a')) >= 0``.

(A PBE's pools per message are finer than ``P_a``, and a best reply to each
part is one to their union; conversely one message per action gives a PBE.)
No condition comes from messages nobody sends, whatever the number of types
and signals: replying to an unused message as to a used one is a best reply
to that message's posterior, and no signal prefers that action to its own.

The conditions are weak inequalities, as the solver's (which compares within
a tolerance): on a boundary a player is indifferent, the solver flags the
point ``ties``, and the outcomes on both sides are reported. Each signal must
have positive probability (a domain condition): the solver ignores what a
signal of probability 0 would do.

With ``keep="receiver-best"`` an outcome is kept unless another pure one
holds and gives the receiver more. An outcome ``g`` whose pools split ``f``'s
gives the receiver at least as much wherever both hold (its replies are best
on finer posteriors), more but at ties: ``f`` then needs ``g`` to fail; one
whose pools ``f``'s split gives no more and is skipped; otherwise the
receiver's payoffs are compared (``u_R(f) >= u_R(g)`` where ``g`` holds).

The labels are the solver's: "informative" when ``f`` is not constant,
"babbling" otherwise. The representative PBE of an outcome is its first in
the solver's order (sender strategies lexicographically, the first signal's
message leading): signal classes numbered by first appearance, which gives the
measures ``p_<message>`` and ``p_<type>_given_<message>`` (after the messages
sent).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from itertools import product

import sympy

from bargain.algebra import Case, Derivation, box_of, make_case, settle, step
from bargain.errors import ModelError
from bargain.vocabulary import ident

from ..normal.derive import decimal, payoff_domain
from .compiled import CompiledMediation
from .labels import payoff_names

#: Most pure outcomes (actions ** signals) derived.
MAX_OUTCOMES = 256

SUBJECT = "pure perfect Bayesian equilibrium"

NOTES = (
    "one case per pure outcome (the action each of the mediator's signals leads to), "
    "shown by its first pure PBE in the solver's order; semi-separating and other mixed "
    "PBE (regime 'partially informative') are not derived",
    "messages nobody sends add no condition, for any number of types and signals: the "
    "reply to such a message can be that to a message sent, supported by its posterior",
    "every signal has a positive probability (a domain condition): the solver ignores "
    "what a signal of probability 0 would do",
    "the Intuitive Criterion and D1 keep every outcome of cheap talk (docs/mediation.md), "
    "so refine leaves the cases as they are",
    "not derived: n_pbe and regret (counts and numeric checks)",
)


def derive_mediation(
    compiled: CompiledMediation, *, keep: str = "all", mixed: str = "semi-separating"
) -> Derivation:
    """The :class:`Derivation` of a mediation game's pure PBE outcomes (see the module),
    for a solve with ``keep`` and ``mixed``, from the game's formulas."""
    labels, params = compiled.labels, compiled.params
    n_signals, n_actions = len(labels.signals), len(labels.actions)
    if n_actions**n_signals > MAX_OUTCOMES:
        raise ModelError(
            f"closed forms of a mediation game with {n_signals} signals and {n_actions} "
            f"actions would have {n_actions**n_signals:,} pure outcomes, above "
            f"{MAX_OUTCOMES}: solve it numerically"
        )
    if keep == "receiver-best" and mixed != "none" and n_signals == 2 and n_actions > 2:
        raise ModelError(
            "keep='receiver-best' with two signals and more than two actions compares "
            "the pure PBE with semi-separating ones, which have no closed form here: "
            "derive with mixed='none'"
        )
    with step("writing the mediation game's payoffs"):
        game = _Game(compiled)
    box = box_of(params)
    domain = list(payoff_domain(game.formulas, params))
    for s, rho in zip(labels.signals, game.rho):
        settled = settle(sympy.Ne(rho, 0), box)
        if settled is False:
            raise ModelError(
                f"signal {s!r} has probability {rho} = 0 everywhere in the bounds: "
                "closed forms need every signal to occur"
            )
        if settled is not True:
            domain.append(settled)
    maps = [
        f
        for f in product(range(n_actions), repeat=n_signals)
        if len(set(f)) <= len(labels.messages)
    ]
    conditions = {f: game.conditions(f) for f in maps}
    cases: list[Case] = []
    for f in maps:
        own = conditions[f]
        if keep == "receiver-best":
            own = own + game.receiver_best(f, conditions)
        name = "informative" if len(set(f)) > 1 else "babbling"
        values = game.values(f)
        if keep == "receiver-best":  # a babbling outcome is kept only if none informs
            values["informative_exists"] = sympy.Integer(int(name == "informative"))
        elif name == "informative":
            values["informative_exists"] = sympy.Integer(1)
        case = make_case(name, own, values, params)
        if case is not None:  # the signals' and payoffs' domain: no condition implies it
            extra = tuple(d for d in domain if d not in case.domain)
            cases.append(dataclasses.replace(case, domain=case.domain + extra))
    notes = NOTES
    if keep != "receiver-best":
        notes += (
            "informative_exists is derived in the informative cases only (1): in a "
            "babbling case it depends on the other cases",
        )
    return Derivation(
        "mediation", params, tuple(cases), exclusive=False, subject=SUBJECT, notes=notes
    )


class _Game:
    """The game's formulas as exact sympy expressions, and an outcome's conditions and
    measures."""

    def __init__(self, compiled: CompiledMediation) -> None:
        labels, prior, likelihood = compiled.labels, compiled.prior, compiled.likelihood
        payoffs, mediator_payoff = compiled.payoffs, compiled.mediator_payoff
        self.labels = labels
        informed, mediator, receiver = labels.players
        types, signals, actions = labels.types, labels.signals, labels.actions
        self.pi = [decimal(p) for p in prior]
        one, zero = sympy.Integer(1), sympy.Integer(0)
        self.L = [
            [decimal(e) for e in likelihood[t]]
            if likelihood is not None
            else [one if t == s else zero for s in signals]
            for t in types
        ]
        names = [sympy.Symbol(n) for n in payoff_names(informed, receiver)]
        self.u: list[list[list[sympy.Basic]]] = []  # player, type, action
        for player in labels.players:
            rows = []
            for t in types:
                cell = payoffs[t]
                if player == mediator and mediator_payoff is not None:
                    row = [
                        mediator_payoff.xreplace(
                            {names[0]: cell[a][informed], names[1]: cell[a][receiver]}
                        )
                        for a in actions
                    ]
                else:
                    row = [cell[a][player] for a in actions]
                rows.append([decimal(e) for e in row])
            self.u.append(rows)
        self.formulas = [*self.pi, *(e for row in self.L for e in row)]
        self.formulas += [e for rows in self.u for row in rows for e in row]
        #: The joint probability of (type, signal) and each signal's.
        self.joint = [[p * x for x in row] for p, row in zip(self.pi, self.L)]
        self.rho = [sympy.Add(*(row[s] for row in self.joint)) for s in range(len(signals))]

    def weighted(self, player: int, signals: Sequence[int], a: int, b: int) -> sympy.Basic:
        """``sum_{s in signals} sum_t pi_t L[t, s] (u(t, a) - u(t, b))`` for the player."""
        u = self.u[player]
        return sympy.Add(
            *(self.joint[t][s] * (u[t][a] - u[t][b]) for s in signals for t in range(len(self.pi)))
        )

    def conditions(self, f: tuple[int, ...]) -> list[sympy.Basic]:
        """The receiver's best replies on each pool, then the mediator's on each signal."""
        out = []
        for a in dict.fromkeys(f):
            pool = [s for s, x in enumerate(f) if x == a]
            out += [
                self.weighted(2, pool, a, b) >= 0 for b in range(len(self.labels.actions)) if b != a
            ]
        for s, a in enumerate(f):
            out += [self.weighted(1, [s], a, b) >= 0 for b in dict.fromkeys(f) if b != a]
        return out

    def payoff(self, player: int, f: tuple[int, ...]) -> sympy.Basic:
        """The player's expected payoff ``sum_{t, s} pi_t L[t, s] u(t, f(s))``."""
        u = self.u[player]
        return sympy.Add(
            *(self.joint[t][s] * u[t][a] for s, a in enumerate(f) for t in range(len(self.pi)))
        )

    def receiver_best(
        self, f: tuple[int, ...], conditions: Mapping[tuple[int, ...], list[sympy.Basic]]
    ) -> list[sympy.Basic]:
        """No other pure outcome holds and gives the receiver more (see the module)."""
        out = []
        for g, theirs in conditions.items():
            if g == f or _finer(f, g):
                continue
            fails = sympy.Not(sympy.And(*theirs))
            if _finer(g, f):
                out.append(fails)
            else:
                out.append(sympy.Or(fails, self.payoff(2, f) - self.payoff(2, g) >= 0))
        return out

    def values(self, f: tuple[int, ...]) -> dict[str, sympy.Basic]:
        """The measures of outcome ``f`` (see :meth:`MediationGame.measure_names`)."""
        labels = self.labels
        types, actions = labels.types, labels.actions
        informed = ident(labels.informed)
        values = {f"u_{ident(p)}": self.payoff(j, f) for j, p in enumerate(labels.players)}
        for t, name in enumerate(types):
            values[f"u_{informed}_{ident(name)}"] = sympy.Add(
                *(self.L[t][s] * self.u[0][t][a] for s, a in enumerate(f))
            )
        # The representative's messages: signal classes numbered by first appearance.
        message = {a: m for m, a in enumerate(dict.fromkeys(f))}
        for m, name in enumerate(labels.messages):
            sent = [s for s, a in enumerate(f) if message[a] == m]
            values[f"p_{ident(name)}"] = sympy.Add(*(self.rho[s] for s in sent))
        for b, name in enumerate(actions):
            hits = [s for s, a in enumerate(f) if a == b]
            values[f"p_{ident(name)}"] = sympy.Add(*(self.rho[s] for s in hits))
        for t, kind in enumerate(types):
            for b, name in enumerate(actions):
                hits = [s for s, a in enumerate(f) if a == b]
                values[f"p_{ident(name)}_if_{ident(kind)}"] = sympy.Add(
                    *(self.L[t][s] for s in hits)
                )
        for a, m in message.items():
            pool = [s for s, x in enumerate(f) if x == a]
            mass = sympy.Add(*(self.rho[s] for s in pool))
            for t, name in enumerate(types):
                share = sympy.Add(*(self.joint[t][s] for s in pool))
                values[f"p_{ident(name)}_given_{ident(labels.messages[m])}"] = share / mass
        values["informative"] = sympy.Integer(int(len(set(f)) > 1))
        values["intuitive"] = values["d1"] = sympy.Integer(1)
        return values


def _finer(f: tuple[int, ...], g: tuple[int, ...]) -> bool:
    """Whether ``f``'s pools split ``g``'s: signals ``f`` pools, ``g`` pools too."""
    return all(g[s] == g[r] for s in range(len(f)) for r in range(len(f)) if f[s] == f[r])
