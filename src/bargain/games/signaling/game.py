"""The signaling form: reading a game, evaluating its formulas, solving batches, model files.

:class:`SignalingGame` reads the players, the prior over the sender's types
and both players' payoffs per (type, message, action), each a formula located
by its key, compiles them once and evaluates them at N points
(:meth:`~SignalingGame.payoff_arrays`, with located checks); the arrays are
solved by :func:`~.solve.solve_arrays`.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

from bargain import formula
from bargain.checks import describe, key, labels, same_keys
from bargain.errors import ModelError
from bargain.params import Param, ParamSpace, batch_size, point_text
from bargain.tolerances import PROB_SUM_ATOL
from bargain.vocabulary import ident

from ..extensive import ExtensiveForm
from ..form import CHUNK_SIZE, GameForm, Option, as_is
from ..spec import SpecReader
from .extensive import signaling_tree
from .labels import Labels
from .solution import REFINEMENTS, SignalingBatch, SignalingEquilibrium
from .solve import solve_arrays

#: The values of the ``mixed`` option.
MIXED = ("semi-separating", "none")
#: Keys of a type's table in a model file besides its messages.
RESERVED = ("name", "prior")


class SignalingGame(GameForm):
    """A sender with private types sends a message; a receiver sees it and acts.

    Parameters
    ----------
    sender, receiver : the players' names.
    prior : type -> probability (a number or formula); the types in order.
    messages, actions : the sender's messages and the receiver's actions
        (distinct names: their probabilities are the measures ``p_<name>``).
    payoffs : type -> message -> action -> ``(sender payoff, receiver payoff)``,
        numbers or formulas of the parameters.
    params : the parameters the formulas use.

    Solve options: ``refine`` ("none", "intuitive", "d1": the PBE kept as
    rows; every row carries both verdicts), ``mixed`` ("semi-separating" to
    enumerate them for two types, or "none") and ``chunk_size``.

    Examples
    --------
    Beer-quiche (Cho and Kreps 1987): the weak type prefers quiche for
    breakfast, the strong one beer; both prefer not to be dueled, which the
    bully wants only if the sender is weak.

    >>> wants = {"duel": 0, "not": 2}
    >>> def table(liked, weak):
    ...     return {
    ...         m: {a: (wants[a] + (m == liked), int((a == "duel") == weak)) for a in wants}
    ...         for m in ("beer", "quiche")
    ...     }
    >>> game = SignalingGame(
    ...     "A", "B", {"weak": "p", "strong": "1 - p"}, ["beer", "quiche"], ["duel", "not"],
    ...     {"weak": table("quiche", True), "strong": table("beer", False)},
    ...     params=[Param("p", 0.1, 0, 1)],
    ... )
    >>> for eq in game.solve():
    ...     print(eq.regime, "|", eq.off_path, "| IC:", eq.intuitive)
    pooling on beer | {'quiche': (BeliefSet(after quiche: duel iff P(weak) >= 0.5),)} | IC: True
    pooling on quiche | {'beer': (BeliefSet(after beer: duel iff P(weak) >= 0.5),)} | IC: False
    """

    form = "signaling"
    noun = "signaling games"
    options = MappingProxyType(
        {
            "refine": Option("none", REFINEMENTS, help="PBE kept: none, intuitive, d1"),
            "mixed": Option(MIXED[0], MIXED, help="semi-separating PBE (two types) or none"),
            "chunk_size": CHUNK_SIZE,
        }
    )

    def __init__(
        self,
        sender: str,
        receiver: str,
        prior: Mapping[str, Any],
        messages: Sequence[str],
        actions: Sequence[str],
        payoffs: Mapping[str, Mapping[str, Mapping[str, Sequence[Any]]]],
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels([sender, receiver], "players")
        if not isinstance(prior, Mapping):
            raise ModelError(f"prior: expected a mapping type -> probability, got {prior!r}")
        self.labels = Labels(
            sender,
            receiver,
            _names(list(prior), "types"),
            _names(messages, "messages"),
            _names(actions, "actions"),
        )
        self.types, self.messages, self.actions = self.labels[2:]
        both = set(self.messages) & set(self.actions)
        if both:
            raise ModelError(
                f"actions: {sorted(both)} also name messages; messages and actions need "
                "distinct names (their probabilities are the measures p_<name>)"
            )
        for i, m in enumerate(self.messages):
            if m in RESERVED:
                raise ModelError(
                    f"messages[{i}]: '{m}' is reserved (a type's table in a model file holds its "
                    f"{' and '.join(RESERVED)}); rename the message"
                )
        self.prior = [formula.as_expr(prior[t], self.params, f"prior[{t!r}]") for t in self.types]
        self.payoffs = self._read_payoffs(payoffs)
        exprs = [*self.prior, *self._entries()]
        used = set().union(*map(formula.free_names, exprs))
        self._inputs = tuple(n for n in self.params.names if n in used)
        self._function = formula.compile_formulas(exprs, self._inputs)

    @classmethod
    def from_arrays(
        cls,
        prior: Any,
        u_sender: Any,
        u_receiver: Any,
        *,
        sender: str = "sender",
        receiver: str = "receiver",
        types: Sequence[str] | None = None,
        messages: Sequence[str] | None = None,
        actions: Sequence[str] | None = None,
    ) -> SignalingGame:
        """A numeric game: ``prior`` (T,), payoffs (T, M, A) for sender and receiver."""
        prior = np.asarray(prior, dtype=float)
        u_sender, u_receiver = (np.asarray(u, dtype=float) for u in (u_sender, u_receiver))
        if prior.ndim != 1 or u_sender.ndim != 3 or u_sender.shape != u_receiver.shape:
            raise ModelError(
                "from_arrays: expected prior (T,) and two payoff arrays of one shape (T, M, A), "
                f"got {prior.shape}, {u_sender.shape} and {u_receiver.shape}"
            )
        if u_sender.shape[0] != len(prior):
            raise ModelError(
                f"from_arrays: {len(prior)} types in the prior, {u_sender.shape[0]} in the payoffs"
            )
        n_types, n_messages, n_actions = u_sender.shape
        types = types or [f"t{t + 1}" for t in range(n_types)]
        messages = messages or [f"m{m + 1}" for m in range(n_messages)]
        actions = actions or [f"a{a + 1}" for a in range(n_actions)]
        payoffs = {
            t: {
                m: {a: (u_sender[i, j, k], u_receiver[i, j, k]) for k, a in enumerate(actions)}
                for j, m in enumerate(messages)
            }
            for i, t in enumerate(types)
        }
        return cls(sender, receiver, dict(zip(types, prior)), messages, actions, payoffs)

    def _read_payoffs(
        self, payoffs: Mapping[str, Any]
    ) -> dict[str, dict[str, dict[str, tuple[sympy.Basic, sympy.Basic]]]]:
        same_keys(payoffs, self.types, "payoffs", "type")
        out: dict[str, dict[str, dict[str, tuple[sympy.Basic, sympy.Basic]]]] = {}
        for t in self.types:
            where = f"payoffs[{t!r}]"
            same_keys(payoffs[t], self.messages, where, "message")
            out[t] = {}
            for m in self.messages:
                at = f"{where}[{m!r}]"
                same_keys(payoffs[t][m], self.actions, at, "action")
                out[t][m] = {}
                for a in self.actions:
                    pair, here = payoffs[t][m][a], f"{at}[{a!r}]"
                    if (
                        isinstance(pair, str | bytes)
                        or not isinstance(pair, Sequence)
                        or len(pair) != 2
                    ):
                        raise ModelError(
                            f"{here}: expected a pair (payoff of {self.players[0]}, payoff of "
                            f"{self.players[1]}), got {pair!r}"
                        )
                    out[t][m][a] = tuple(
                        formula.as_expr(v, self.params, f"{here}[{i}]") for i, v in enumerate(pair)
                    )
        return out

    def _entries(self) -> list[sympy.Basic]:
        """Both players' payoffs (sender's first) per (type, message, action), in C order."""
        return [
            e
            for t in self.types
            for m in self.messages
            for a in self.actions
            for e in self.payoffs[t][m][a]
        ]

    # -- evaluation -----------------------------------------------------------------------

    def payoff_arrays(
        self, points: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The prior (T, N) and both players' payoffs (T, M, A, N) at N bound points.

        Raises a ModelError naming the entry and the point where a value is not
        finite, a prior probability is negative or the prior does not sum to 1.
        """
        n = batch_size(points)
        n_types, n_messages, n_actions = map(len, (self.types, self.messages, self.actions))
        values = np.empty((n_types * (1 + 2 * n_messages * n_actions), n))
        self._function(*(points[name] for name in self._inputs), out=values)
        prior = values[:n_types]
        pairs = values[n_types:].reshape(n_types, n_messages, n_actions, 2, n)
        bad = ~np.isfinite(values)
        if bad.any():
            entry, t = (int(x[0]) for x in np.nonzero(bad))
            if entry < n_types:
                what = f"prior[{self.types[entry]!r}] = {self.prior[entry]}"
            else:
                i, m, a, player = np.unravel_index(
                    entry - n_types, (n_types, n_messages, n_actions, 2)
                )
                names = (self.types[i], self.messages[m], self.actions[a])
                where = "".join(f"[{x!r}]" for x in names) + f"[{player}]"
                what = f"payoffs{where} = {self._entries()[entry - n_types]}"
            raise ModelError(f"{what} is not finite at {point_text(points, t)}")
        if (prior < -PROB_SUM_ATOL).any():
            j, t = (int(x[0]) for x in np.nonzero(prior < -PROB_SUM_ATOL))
            raise ModelError(
                f"prior[{self.types[j]!r}] = {self.prior[j]} is {prior[j, t]:.6g} at "
                f"{point_text(points, t)}: expected a probability"
            )
        total = prior.sum(axis=0)
        off = np.abs(total - 1) > PROB_SUM_ATOL
        if off.any():
            t = int(np.flatnonzero(off)[0])
            raise ModelError(
                f"the types' prior probabilities sum to {total[t]:.6g} at "
                f"{point_text(points, t)}, expected 1"
            )
        return np.clip(prior, 0.0, None), pairs[..., 0, :], pairs[..., 1, :]

    # -- solving --------------------------------------------------------------------------

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> SignalingBatch:
        """The PBE at N points (``points``: name -> N values; others at their defaults).

        Options: ``refine`` -- "none" (every PBE, the default), "intuitive" or
        "d1" (the PBE that survive; ``n_pbe`` still counts them all and every
        row carries both verdicts); ``mixed`` -- "semi-separating" (two types:
        also the PBE in which the sender mixes, the default) or "none";
        ``chunk_size`` -- points solved at once.
        """
        options = self.check_options(options)
        refine = options.get("refine", "none")
        bound = self.params.bind_batch(points)
        prior, u_sender, u_receiver = self.payoff_arrays(bound)
        result = solve_arrays(
            self.labels,
            bound,
            prior,
            u_sender,
            u_receiver,
            refine=refine,
            mixed=options.get("mixed", MIXED[0]) == MIXED[0],
            chunk_size=options.get("chunk_size"),
        )
        result.warn_degenerate(
            "payoff ties on the path of some PBE, e.g. between costless messages; mixed PBE "
            "may form continua there"
        )
        result.warn_empty(_why_empty(result))
        return result

    def extensive_form(
        self, equilibrium: SignalingEquilibrium | None, values: Mapping[str, float]
    ) -> ExtensiveForm:
        """The game as its tree at the point ``values`` with the strategies of
        ``equilibrium``, a perfect Bayesian one (:mod:`.extensive`)."""
        prior, u_sender, u_receiver = self.payoff_arrays(self.params.bind_batch(dict(values)))
        arrays = (prior[:, 0], u_sender[..., 0], u_receiver[..., 0])
        return signaling_tree(self.labels, arrays, equilibrium)

    def point_measures(self, **options: Any) -> tuple[str, ...]:
        """``n_pbe``: the PBE outcomes at the point, refined or not."""
        return ("n_pbe",)

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<sender>``, ``u_<receiver>``, ``u_<sender>_<type>``, ``p_<message>``,
        ``p_<action>``, ``p_<type>_given_<message>``, ``separating``, ``pooling``,
        ``intuitive``, ``d1``, ``n_pbe``, ``regret``, ``n_equilibria``."""
        sender, receiver = map(ident, self.players)
        names = [f"u_{sender}", f"u_{receiver}"]
        names += [f"u_{sender}_{ident(t)}" for t in self.types]
        names += [f"p_{ident(x)}" for x in (*self.messages, *self.actions)]
        names += [f"p_{ident(t)}_given_{ident(m)}" for m in self.messages for t in self.types]
        return [
            *names,
            "separating",
            "pooling",
            "intuitive",
            "d1",
            "n_pbe",
            "regret",
            "n_equilibria",
        ]

    # -- model files ----------------------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        types = []
        for t, prior in zip(self.types, self.prior):
            table: dict[str, Any] = {"name": t, "prior": render(prior)}
            for m in self.messages:
                table[m] = {a: [render(e) for e in self.payoffs[t][m][a]] for a in self.actions}
            types.append(table)
        return {
            "form": self.form,
            "sender": self.players[0],
            "receiver": self.players[1],
            "messages": list(self.messages),
            "actions": list(self.actions),
            "types": types,
        }

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> SignalingGame:
        required = ["form", "sender", "receiver", "messages", "actions", "types"]
        table = reader.table(table, "game", required)
        sender = reader.string(table["sender"], "game.sender")
        receiver = reader.string(table["receiver"], "game.receiver")
        messages = reader.labels(table["messages"], "game.messages")
        actions = reader.labels(table["actions"], "game.actions")
        for i, a in enumerate(actions):
            if a in messages:
                raise reader.error(
                    f"game.actions[{i}]",
                    f"'{a}' also names a message; messages and actions need distinct names "
                    "(their probabilities are the measures p_<name>)",
                )
        for i, m in enumerate(messages):
            if m in RESERVED:
                raise reader.error(
                    f"game.messages[{i}]",
                    f"'{m}' is reserved (each [[game.types]] table holds a type's "
                    f"{' and '.join(RESERVED)}); rename the message",
                )
        prior: dict[str, Any] = {}
        payoffs: dict[str, Any] = {}
        for i, item in enumerate(reader.array(table["types"], "game.types")):
            path = f"game.types[{i}]"
            item = reader.table(item, path, [*RESERVED, *messages])
            name = reader.string(item["name"], f"{path}.name")
            if not name or name in prior:
                problem = "is listed twice" if name else "is empty"
                raise reader.error(f"{path}.name", f"type name {name!r} {problem}")
            prior[name] = reader.formula(item["prior"], f"{path}.prior", params)
            payoffs[name] = {
                m: _replies(reader, item[m], key(path, m), actions, params, sender, receiver)
                for m in messages
            }
        with reader.located("game"):
            game = cls(sender, receiver, prior, messages, actions, payoffs, params)
        with reader.located("game.types"):  # the prior and payoffs at the defaults
            game.payoff_arrays(params.bind_batch({}))
        return game

    def __repr__(self) -> str:
        params = f", params={list(self.params.names)}" if len(self.params) else ""
        return (
            f"SignalingGame({self.players[0]!r} -> {self.players[1]!r}: types {list(self.types)}, "
            f"messages {list(self.messages)}, actions {list(self.actions)}{params})"
        )


def _names(values: Any, where: str) -> tuple[str, ...]:
    """Distinct labels, two at least for types and messages."""
    names = labels(values, where)
    if where != "actions" and len(names) < 2:
        raise ModelError(f"{where}: a signaling game needs at least two {where}, got {list(names)}")
    return names


def _replies(
    reader: SpecReader,
    value: object,
    path: str,
    actions: list[str],
    params: ParamSpace,
    sender: str,
    receiver: str,
) -> dict[str, tuple[Any, Any]]:
    """A type's payoffs after one message: action -> [sender payoff, receiver payoff]."""
    table = reader.table(value, path, actions, what="action")
    out = {}
    for a in actions:
        here = key(path, a)
        pair = table[a]
        if not isinstance(pair, list) or len(pair) != 2:
            got = f"an array of {len(pair)}" if isinstance(pair, list) else describe(pair)
            raise reader.error(
                here, f"expected [payoff of {sender}, payoff of {receiver}], got {got}"
            )
        out[a] = tuple(reader.formula(v, f"{here}[{i}]", params) for i, v in enumerate(pair))
    return out


def _why_empty(result: SignalingBatch) -> str:
    """Why points have no row: no PBE of the kinds enumerated, or none survives ``refine``."""
    empty = result.count == 0
    refined = int((empty & (result.n_pbe > 0)).sum())
    none = int((empty & (result.n_pbe == 0)).sum())
    mixed = "semi-separating" in result.method
    unlisted = (
        f"no {'pure or semi-separating' if mixed else 'pure'} PBE (the equilibria mix in "
        "ways not enumerated; see docs/signaling.md)"
    )
    if not refined:
        return unlisted
    name = "the Intuitive Criterion" if result.refine == "intuitive" else "D1"
    survives = (
        f"no PBE survives {name} (refine='none' lists every PBE and why it fails; "
        "'n_pbe' counts them)"
    )
    if not none:
        return survives
    return f"at {refined} {survives}; at {none} {unlisted}"
