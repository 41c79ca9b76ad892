"""The mediation form: reading a game, evaluating its formulas, solving batches, model files.

:class:`MediationGame` reads the players, the prior over the informed party's
types, what the mediator observes (the type, or a signal of it with
likelihoods) and the payoffs per (type, action), each a formula located by its
key, compiles them once (:class:`~.compiled.CompiledMediation`) and solves N
points at once: the mediator's signaling game (:func:`~.reduction.reduce_to_signaling`)
by :func:`~bargain.games.signaling.solve_arrays`, its PBE outcomes grouped
into the mediation game's (:class:`~.batch.MediationBatch`).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy

from bargain import formula
from bargain.algebra import Derivation
from bargain.checks import describe, labels, same_keys
from bargain.errors import DegenerateGameWarning, ModelError, warn
from bargain.params import Param, ParamSpace
from bargain.vocabulary import ident

from ..form import CHUNK_SIZE, GameForm, Option, as_is
from ..signaling import MIXED, REFINEMENTS, solve_arrays
from ..spec import SpecReader
from .batch import KEEP, MediationBatch
from .compiled import CompiledMediation
from .derive import derive_mediation
from .labels import MediationLabels, at_least_two, check_actions, payoff_names
from .model_file import read_game
from .reduction import MediationArrays, reduce_to_signaling


class MediationGame(GameForm):
    """An informed party's type, a mediator who observes it (or a signal of it) and talks,
    and a receiver who acts on what it hears.

    Parameters
    ----------
    informed, mediator, receiver : the players' names.
    prior : type -> probability (a number or formula); the informed party's types in order.
    messages : the mediator's messages (costless; at least two).
    actions : the receiver's actions (names distinct from the messages: their
        probabilities are the measures ``p_<name>``).
    payoffs : type -> action -> player -> payoff (a number or formula): the
        informed party's and the receiver's, and the mediator's unless
        ``mediator_payoff`` gives it. A reply of the informed party to the
        receiver's action that its type determines is folded in here.
    mediator_payoff : optional, the mediator's payoff as one formula of
        ``u_<informed>``, ``u_<receiver>`` (the others' payoffs in each cell)
        and the parameters, e.g. ``"b*u_US + (1 - b)*u_Iran"``.
    likelihood : optional, type -> signal -> P(signal | type): what the
        mediator observes (the signals in order). By default it observes the type.
    params : the parameters the formulas use.

    Solve options: ``refine`` ("none", "intuitive", "d1"), ``mixed``
    ("semi-separating" or "none"), as for signaling games; ``keep`` ("all",
    or "receiver-best": the outcomes best for the receiver among those
    ``refine`` leaves); ``chunk_size``.

    Examples
    --------
    The mediator weighs the US's payoff by b and Iran's by 1 - b. Against a
    resolute Iran a large demand means war; against an irresolute one it
    succeeds but for a risk of war 0.2 (payoffs below).

    >>> game = MediationGame(
    ...     "Iran", "Oman", "US", {"resolute": 0.5, "irresolute": 0.5},
    ...     ["resolute", "irresolute"], ["modest", "large"],
    ...     {
    ...         "resolute": {"modest": {"Iran": 0.6, "US": 0.4},
    ...                      "large": {"Iran": 0.3, "US": 0.3}},
    ...         "irresolute": {"modest": {"Iran": 0.6, "US": 0.4},
    ...                        "large": {"Iran": 0.14, "US": 0.7}},
    ...     },
    ...     mediator_payoff="b*u_US + (1 - b)*u_Iran", params=[Param("b", 0.5, 0, 1)],
    ... )
    >>> [eq.regime for eq in game.solve(b=0.5)], [eq.regime for eq in game.solve(b=0.7)]
    (['babbling'], ['babbling', 'informative'])
    """

    form = "mediation"
    noun = "mediation games"
    options = MappingProxyType(
        {
            "refine": Option("none", tuple(REFINEMENTS), help="PBE kept: none, intuitive, d1"),
            "mixed": Option(MIXED[0], MIXED, help="semi-separating PBE (two signals) or none"),
            "keep": Option("all", tuple(KEEP), help="outcomes kept: all, receiver-best"),
            "chunk_size": CHUNK_SIZE,
        }
    )

    def __init__(
        self,
        informed: str,
        mediator: str,
        receiver: str,
        prior: Mapping[str, Any],
        messages: Sequence[str],
        actions: Sequence[str],
        payoffs: Mapping[str, Mapping[str, Mapping[str, Any]]],
        *,
        mediator_payoff: Any = None,
        likelihood: Mapping[str, Mapping[str, Any]] | None = None,
        params: Iterable[Param] | ParamSpace = (),
    ) -> None:
        self.params = params if isinstance(params, ParamSpace) else ParamSpace(params)
        self.players = labels([informed, mediator, receiver], "players")
        if not isinstance(prior, Mapping):
            raise ModelError(f"prior: expected a mapping type -> probability, got {prior!r}")
        types = at_least_two(list(prior), "types")
        self.labels = MediationLabels(
            informed,
            mediator,
            receiver,
            types,
            types if likelihood is None else _signals(likelihood, types),
            at_least_two(messages, "messages"),
            labels(actions, "actions"),
        )
        self.types, self.signals, self.messages, self.actions = self.labels[3:]
        check_actions(self.messages, self.actions)
        self.prior = [formula.as_expr(prior[t], self.params, f"prior[{t!r}]") for t in types]
        self.likelihood = (
            None
            if likelihood is None
            else {
                t: [
                    formula.as_expr(likelihood[t][s], self.params, f"likelihood[{t!r}][{s!r}]")
                    for s in self.signals
                ]
                for t in types
            }
        )
        in_cells = self.players if mediator_payoff is None else (informed, receiver)
        self.payoffs = self._read_payoffs(payoffs, in_cells)
        self.payoff_names = payoff_names(informed, receiver)
        self.mediator_payoff = None
        if mediator_payoff is not None:
            clash = set(self.payoff_names) & set(self.params.names)
            if clash:
                raise ModelError(
                    f"mediator_payoff: parameter {sorted(clash)[0]!r} has the name of a "
                    "player's payoff; rename the parameter"
                )
            names = (*self.params.names, *self.payoff_names)
            self.mediator_payoff = formula.as_expr(mediator_payoff, names, "mediator_payoff")
        formulas = (self.prior, self.likelihood, self.payoffs, self.mediator_payoff)
        self._compiled = CompiledMediation(self.labels, *formulas, self.params)

    def _read_payoffs(
        self, payoffs: Mapping[str, Any], players: Sequence[str]
    ) -> dict[str, dict[str, dict[str, sympy.Basic]]]:
        """type -> action -> player -> formula, for the players the cells give."""
        same_keys(payoffs, self.types, "payoffs", "type")
        out: dict[str, dict[str, dict[str, sympy.Basic]]] = {}
        for t in self.types:
            same_keys(payoffs[t], self.actions, f"payoffs[{t!r}]", "action")
            out[t] = {}
            for a in self.actions:
                where = f"payoffs[{t!r}][{a!r}]"
                same_keys(payoffs[t][a], players, where, "player")
                out[t][a] = {
                    p: formula.as_expr(payoffs[t][a][p], self.params, f"{where}[{p!r}]")
                    for p in players
                }
        return out

    @classmethod
    def from_arrays(
        cls,
        prior: Any,
        payoffs: Any,
        likelihood: Any = None,
        *,
        players: Sequence[str] = ("informed", "mediator", "receiver"),
        types: Sequence[str] | None = None,
        signals: Sequence[str] | None = None,
        messages: Sequence[str] | int = 2,
        actions: Sequence[str] | None = None,
    ) -> MediationGame:
        """A numeric game: ``prior`` (T,), ``payoffs`` (3, T, A) of the informed party,
        the mediator and the receiver, ``likelihood`` (T, S) or None (the type observed);
        ``messages`` their names or their number."""
        prior = np.asarray(prior, dtype=float)
        payoffs = np.asarray(payoffs, dtype=float)
        if prior.ndim != 1 or payoffs.ndim != 3 or payoffs.shape[:2] != (3, len(prior)):
            raise ModelError(
                "from_arrays: expected prior (T,) and payoffs (3, T, A), got "
                f"{prior.shape} and {payoffs.shape}"
            )
        types = list(types or [f"t{t + 1}" for t in range(len(prior))])
        actions = list(actions or [f"a{a + 1}" for a in range(payoffs.shape[2])])
        if isinstance(messages, int):
            messages = [f"m{m + 1}" for m in range(messages)]
        table = None
        if likelihood is not None:
            likelihood = np.asarray(likelihood, dtype=float)
            if likelihood.shape[:1] != prior.shape or likelihood.ndim != 2:
                raise ModelError(
                    f"from_arrays: expected likelihood ({len(prior)}, S), got {likelihood.shape}"
                )
            signals = list(signals or [f"s{s + 1}" for s in range(likelihood.shape[1])])
            table = {t: dict(zip(signals, row)) for t, row in zip(types, likelihood)}
        cells = {
            t: {a: dict(zip(players, payoffs[:, i, j])) for j, a in enumerate(actions)}
            for i, t in enumerate(types)
        }
        informed, mediator, receiver = players
        return cls(
            informed,
            mediator,
            receiver,
            dict(zip(types, prior)),
            messages,
            actions,
            cells,
            likelihood=table,
        )

    # -- evaluation and solving -----------------------------------------------------------

    def arrays(self, points: Mapping[str, np.ndarray]) -> MediationArrays:
        """The prior (T, N), likelihoods (T, S, N) and payoffs (3, T, A, N) at N bound points.

        Raises a ModelError naming the entry and the point where a value is not
        finite, a probability is negative, or the prior or a type's likelihoods
        do not sum to 1.
        """
        return self._compiled.arrays(points)

    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> MediationBatch:
        """The PBE outcomes at N points (``points``: name -> N values; others at defaults).

        Options: ``refine`` -- "none" (every PBE outcome, the default),
        "intuitive" or "d1" (the outcomes with a PBE that survives; ``n_pbe``
        still counts them all); ``mixed`` -- "semi-separating" (two signals:
        also the PBE in which the mediator mixes, the default) or "none";
        ``keep`` -- "all" (the default) or "receiver-best"; ``chunk_size``.
        """
        options = self.check_options(options)
        refine = options.get("refine", "none")
        bound = self.params.bind_batch(points)
        game = self.arrays(bound)
        reduced = reduce_to_signaling(game, len(self.messages))
        signaling = solve_arrays(
            self.labels.signaling,
            bound,
            reduced.signal_prior,
            reduced.u_sender,
            reduced.u_receiver,
            mixed=options.get("mixed", MIXED[0]) == MIXED[0],
            chunk_size=options.get("chunk_size"),
        )
        result = MediationBatch(
            self.labels, bound, game, reduced, signaling, refine, options.get("keep", "all")
        )
        _warn_ties(result)
        result.warn_empty(_why_empty(result))
        return result

    def derive(self, **options: Any) -> Derivation:
        """The pure PBE outcomes in closed form, one case per map from signals to actions
        (:mod:`bargain.games.mediation.derive`), for a solve with these options."""
        options = self.check_options(options)
        return derive_mediation(
            self._compiled,
            keep=options.get("keep", "all"),
            mixed=options.get("mixed", MIXED[0]),
        )

    def point_measures(self, **options: Any) -> tuple[str, ...]:
        """``informative_exists`` and ``n_pbe``: properties of the point, not of an outcome."""
        return ("informative_exists", "n_pbe")

    def measure_names(self, **options: Any) -> list[str]:
        """``u_<player>`` for the three players, ``u_<informed>_<type>``, ``p_<message>``,
        ``p_<action>``, ``p_<action>_if_<type>``, ``p_<type>_given_<message>``,
        ``informative``, ``informative_exists``, ``intuitive``, ``d1``, ``n_pbe``,
        ``regret``, ``n_equilibria``."""
        informed = ident(self.players[0])
        names = [f"u_{ident(p)}" for p in self.players]
        names += [f"u_{informed}_{ident(t)}" for t in self.types]
        names += [f"p_{ident(x)}" for x in (*self.messages, *self.actions)]
        names += [f"p_{ident(a)}_if_{ident(t)}" for t in self.types for a in self.actions]
        names += [f"p_{ident(t)}_given_{ident(m)}" for m in self.messages for t in self.types]
        flags = ["informative", "informative_exists", "intuitive", "d1", "n_pbe", "regret"]
        return [*names, *flags, "n_equilibria"]

    # -- model files ----------------------------------------------------------------------

    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        informed, mediator, receiver = self.players
        out: dict[str, Any] = {
            "form": self.form,
            "informed": informed,
            "mediator": mediator,
            "receiver": receiver,
            "messages": list(self.messages),
            "actions": list(self.actions),
        }
        if self.likelihood is not None:
            out["signals"] = list(self.signals)
        if self.mediator_payoff is not None:
            out["mediator_payoff"] = render(self.mediator_payoff)
        types = []
        for t, prior in zip(self.types, self.prior):
            table: dict[str, Any] = {"name": t, "prior": render(prior)}
            if self.likelihood is not None:
                table["likelihood"] = {
                    s: render(e) for s, e in zip(self.signals, self.likelihood[t])
                }
            for a in self.actions:
                table[a] = {p: render(e) for p, e in self.payoffs[t][a].items()}
            types.append(table)
        out["types"] = types
        return out

    @classmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> MediationGame:
        arguments = read_game(table, params, reader)
        with reader.located("game"):
            game = cls(**arguments, params=params)
        with reader.located("game.types"):  # the prior, likelihoods and payoffs at the defaults
            game.arrays(params.bind_batch({}))
        return game

    def __repr__(self) -> str:
        informed, mediator, receiver = self.players
        observes = "the type" if self.likelihood is None else f"signals {list(self.signals)}"
        params = f", params={list(self.params.names)}" if len(self.params) else ""
        return (
            f"MediationGame({informed!r} types {list(self.types)}; {mediator!r} observes "
            f"{observes}, says {list(self.messages)}; {receiver!r} does "
            f"{list(self.actions)}{params})"
        )


def _signals(likelihood: Mapping[str, Mapping[str, Any]], types: Sequence[str]) -> tuple[str, ...]:
    """The signals of a likelihood table (type -> signal -> probability): the first type's
    keys, at least two, the same for every type."""
    same_keys(likelihood, types, "likelihood", "type")
    first = likelihood[types[0]]
    if not isinstance(first, Mapping):
        raise ModelError(
            f"likelihood[{types[0]!r}]: expected a mapping signal -> probability, "
            f"got {describe(first)}"
        )
    signals = at_least_two(list(first), "signals")
    for t in types:
        same_keys(likelihood[t], signals, f"likelihood[{t!r}]", "signal")
    return signals


def _warn_ties(result: MediationBatch) -> None:
    """Warn when a player is indifferent on the path of some PBE at some point."""
    count = int(result.ties.sum())
    if count:
        where = "the game has" if len(result) == 1 else f"{count} of {len(result)} games have"
        warn(
            f"{where} a player indifferent between actions on the path of some PBE (the "
            "mediator at the edge of its credibility, or the receiver at its threshold "
            "belief): every PBE reported is verified, but mixed ones may form continua "
            "there; see the 'ties' flag",
            DegenerateGameWarning,
        )


def _why_empty(result: MediationBatch) -> str:
    """Why points have no row: no outcome survives ``refine``, or none was enumerated."""
    name = {"intuitive": "the Intuitive Criterion", "d1": "D1"}.get(result.refine, "")
    if name:
        return (
            f"no PBE outcome survives {name} (refine='none' lists every one and why it "
            "fails; 'n_pbe' counts them)"
        )
    return "no pure or semi-separating PBE (see docs/mediation.md)"
