"""The game protocol: what every game form provides, and the registry of forms.

A game form (normal form, tree, bargaining protocol, ...) is a subclass of
:class:`GameForm` registered under the name model files give in
``[game] form = "..."``. Everything above the games (models, measures,
sweeps, thresholds, model files, the command line) works through this
interface only, so adding a form means one new module and one registration:
:func:`register_form` in Python, or an entry point in the ``bargain.forms``
group of another package::

    [project.entry-points."bargain.forms"]
    auction = "mypackage.auction:AuctionGame"
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Iterable, Mapping
from numbers import Integral
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from bargain.checks import describe, key, listing
from bargain.errors import ModelError, did_you_mean
from bargain.params import ParamSpace

if TYPE_CHECKING:
    import sympy

    from bargain.algebra import Derivation

    from .extensive import ExtensiveForm
    from .solution import EquilibriumBatch, EquilibriumSet
    from .spec import SpecReader

#: The entry-point group through which other packages register game forms.
ENTRY_POINTS = "bargain.forms"

#: The forms bargain ships, by model-file name: imported when first asked for.
BUILTIN_FORMS = {
    "normal": "bargain.games.normal:NormalFormGame",
    "tree": "bargain.games.tree:GameTree",
    "bargaining": "bargain.games.bargaining:BargainingGame",
    "bayesian": "bargain.games.bayesian:BayesianGame",
    "screening": "bargain.games.screening:ScreeningGame",
    "signaling": "bargain.games.signaling:SignalingGame",
    "mediation": "bargain.games.mediation:MediationGame",
    "repeated": "bargain.games.repeated:RepeatedGame",
}


class Option(NamedTuple):
    """A solve option a game form accepts.

    ``choices`` lists the values allowed (None: any value ``check`` accepts);
    ``check(value, where)`` validates and returns the value, raising a
    ModelError that starts with ``where``; ``help`` says what it is, where a
    message lists the options a form takes. ``only`` = (switch, values): the
    option serves only where the option ``switch`` takes one of ``values`` (a
    QRE's ``lam`` only ``method="qre"``), so a caller who changes the switch
    leaves it behind (:meth:`GameForm.updated_options`).
    """

    default: Any
    choices: tuple[Any, ...] | None = None
    check: Callable[[Any, str], Any] | None = None
    help: str = ""
    only: tuple[str, tuple[Any, ...]] | None = None

    def validate(self, name: str, value: Any, where: str) -> Any:
        """The value, checked; a one-line ModelError naming ``where`` otherwise."""
        if value is None and self.default is None:
            return None
        if self.choices is not None and value not in self.choices:
            expected = ", ".join(map(str, self.choices))
            hint = did_you_mean(str(value), map(str, self.choices))
            raise ModelError(f"{where}: unknown {name} {value!r}{hint}; expected one of {expected}")
        return self.check(value, where) if self.check is not None else value


def chunk_size_option(value: Any, where: str) -> int:
    """The ``chunk_size`` option: a positive number of points per chunk."""
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ModelError(f"{where}: expected a positive number of points, got {describe(value)}")
    return int(value)


def as_is(value: Hashable, path: str) -> Hashable:
    """A name in a spec as it is (see :meth:`GameForm.spec`)."""
    return value


#: ``chunk_size``: points solved per chunk (memory stays bounded); None: the form's default.
CHUNK_SIZE = Option(None, check=chunk_size_option, help="points per chunk")


class GameForm(ABC):
    """A parameterized game of one form: the interface every game form implements.

    A form provides

    - ``form`` (its model-file name), ``noun`` (its plural for messages) and
      ``options``, the solve options it accepts (``option_hints``: what to say of
      options it does not take but users reach for);
    - ``params`` and ``players``;
    - :meth:`solve_batch`, returning an
      :class:`~bargain.games.solution.EquilibriumBatch` whose
      ``measure_columns()`` are named by :meth:`measure_names`;
    - :meth:`spec` and :meth:`from_spec`, its ``[game]`` table in a model file;
    - optionally outcome sets (:meth:`outcome_members`), risk dominance, closed forms
      (:meth:`derive`) and a game tree to draw (:meth:`extensive_form`).

    :meth:`solve` (one point), :meth:`check_options` and :meth:`check_outcomes`
    are shared.
    """

    form: ClassVar[str]
    noun: ClassVar[str]
    options: ClassVar[Mapping[str, Option]] = MappingProxyType({})
    #: What the members of outcome sets are ("terminal node"); None: no outcome sets.
    outcome_noun: ClassVar[str | None] = None
    #: Option name -> what to say when this form is given that option, which it does not
    #: take (a tree's ``method``: "game trees take no method: they are solved by concept ...").
    option_hints: ClassVar[Mapping[str, str]] = MappingProxyType({})

    params: ParamSpace
    players: tuple[str, ...]

    # -- solving ------------------------------------------------------------------------------

    @abstractmethod
    def solve_batch(self, points: Mapping[str, Any], **options: Any) -> EquilibriumBatch:
        """Equilibria at N points (``points``: name -> N values; others at defaults)."""

    def solve(self, **values: Any) -> EquilibriumSet:
        """The equilibria at one point: ``solve_batch`` on a batch of one.

        Keyword arguments are parameter values, except those named like an
        option of the form (or of :attr:`option_hints`) and not like a parameter,
        which are options.
        """
        names = set(self.params.names)
        known = {*self.options, *self.option_hints}
        options = {k: values.pop(k) for k in list(values) if k in known and k not in names}
        return self.solve_batch({k: [v] for k, v in values.items()}, **options)[0]

    def check_options(self, options: Mapping[str, Any], section: str = "") -> dict[str, Any]:
        """The options, checked: a ModelError names an option this form does not take.

        ``section`` (e.g. ``"solver"``) makes messages name ``solver.<option>``.
        """
        out = {}
        for name, value in options.items():
            where = f"{section}.{name}" if section else f"option {name!r}"
            option = self.options.get(name)
            if option is None:
                raise ModelError(f"{where}: {self._not_an_option(name)}")
            out[name] = option.validate(name, value, where)
        return out

    def updated_options(
        self, options: Mapping[str, Any], changes: Mapping[str, Any]
    ) -> dict[str, Any]:
        """``options`` with ``changes`` applied, less the options that serve only another
        value of a switch the changes set (:attr:`Option.only`): a model file's ``lam``
        for ``method = "qre"`` does not follow a caller to ``method="enumpoly"``."""
        out = {**options, **changes}
        for name in options:
            option = self.options.get(name)
            if name in changes or option is None or option.only is None:
                continue
            switch, serves = option.only
            if switch in changes and out[switch] not in serves:
                del out[name]
        return out

    def _not_an_option(self, name: str) -> str:
        if name in self.option_hints:
            return self.option_hints[name]
        described = [f"{k} ({o.help})" if o.help else k for k, o in self.options.items()]
        takes = f"{type(self).__name__} takes {', '.join(described) or 'no options'}"
        others = [cls.noun for cls in form_classes() if name in cls.options]
        if others:
            return f"only {listing(others)} take this option; {takes}"
        return f"unknown option{did_you_mean(name, self.options)}; {takes}"

    def derive(self, **options: Any) -> Derivation:
        """The game's equilibria in closed form: regimes with their conditions and
        measures as expressions of the parameters (:mod:`bargain.algebra`), for a
        solve with these options. Forms without closed forms raise a ModelError."""
        raise ModelError(
            f"{self.noun} have no closed forms in bargain yet; solve them numerically "
            f"(forms with closed forms: {listing(derivable_forms())})"
        )

    def extensive_form(self, equilibrium: Any, values: Mapping[str, float]) -> ExtensiveForm:
        """The game tree at the point ``values`` (every parameter) with the choices of
        ``equilibrium`` (one of ``self.solve(**values)``; None: no choices), which
        ``bargain draw`` draws. Forms without a game tree raise a ModelError."""
        forms = drawable_forms()
        raise ModelError(
            f"{self.noun} (form {self.form!r}) have no game tree to draw: only "
            f"{listing([noun for _, noun in forms])} can be drawn "
            f"(forms {', '.join(repr(form) for form, _ in forms)})"
        )

    @property
    def supports_risk_dominance(self) -> bool:
        """Whether risk dominance (Harsanyi and Selten 1988) is defined for this game."""
        return False

    # -- measures -----------------------------------------------------------------------------

    @abstractmethod
    def measure_names(self, **options: Any) -> list[str]:
        """The built-in numeric measures of each equilibrium, in order (see measures),
        for a solve with these options (checked; most forms have one set whatever
        the options)."""

    def point_measures(self, **options: Any) -> tuple[str, ...]:
        """Built-in measures that are properties of the point, equal on all its rows (a
        count of equilibria of some kind): per-point tables give them whatever is selected."""
        return ()

    def outcome_members(self) -> tuple[Hashable, ...]:
        """What outcome sets may hold (the terminal nodes of a tree); empty if none."""
        return ()

    def check_outcomes(
        self, outcomes: Mapping[str, Iterable[Hashable]]
    ) -> dict[str, list[Hashable]]:
        """Named outcome sets, checked against :meth:`outcome_members`."""
        if outcomes and self.outcome_noun is None:
            having = [cls.noun for cls in form_classes() if cls.outcome_noun is not None]
            raise ModelError(f"outcomes: only {listing(having)} have outcome sets")
        members = self.outcome_members()
        known = [str(m) for m in members]
        out = {}
        for name, given in outcomes.items():
            out[name] = list(given)
            for i, member in enumerate(out[name]):
                if member not in members:
                    hint = did_you_mean(str(member), known)
                    raise ModelError(
                        f"{key('outcomes', name)}[{i}]: {describe(member)} is not a "
                        f"{self.outcome_noun}{hint}; {self.outcome_noun}s: {', '.join(known)}"
                    )
        return out

    # -- model files --------------------------------------------------------------------------

    @abstractmethod
    def spec(
        self, render: Callable[[sympy.Basic], Any], name: Callable[[Hashable, str], Any] = as_is
    ) -> dict[str, Any]:
        """The ``[game]`` table of a model file: plain data, ``form`` first.

        Formulas are given by ``render`` (formula text for a file, ``srepr`` for
        a fingerprint), names the game refers to by ``name(value, key path)``
        (node ids, information sets: a file refuses what it cannot hold); a
        nested table becomes ``[game.<key>]``, an array of tables ``[[game.<key>]]``.
        """

    @classmethod
    @abstractmethod
    def from_spec(
        cls, table: Mapping[str, Any], params: ParamSpace, reader: SpecReader
    ) -> GameForm:
        """The game of a model file's ``[game]`` table, checked by ``reader``."""


# -- the registry -----------------------------------------------------------------------------

_registered: dict[str, type[GameForm]] = {}


def register_form(cls: type[GameForm]) -> type[GameForm]:
    """Make a game form available to model files under ``cls.form`` (a class decorator)."""
    if not (isinstance(cls, type) and issubclass(cls, GameForm)):
        raise ModelError(f"register_form: expected a GameForm subclass, got {cls!r}")
    name = getattr(cls, "form", None)
    if not isinstance(name, str) or not name.isidentifier():
        raise ModelError(f"register_form: {cls.__name__}.form must be an identifier, got {name!r}")
    _registered[name] = cls
    return cls


def form_names() -> list[str]:
    """The names of every known form: built in, registered, or from entry points."""
    names = [*BUILTIN_FORMS, *_registered, *(ep.name for ep in _entry_points())]
    return list(dict.fromkeys(names))


def form_class(name: str) -> type[GameForm]:
    """The game form registered as ``name`` (imported on first use)."""
    if name in _registered:
        return _registered[name]
    if name in BUILTIN_FORMS:
        module, _, attr = BUILTIN_FORMS[name].partition(":")
        return register_form(getattr(importlib.import_module(module), attr))
    for entry in _entry_points():
        if entry.name == name:
            cls = entry.load()
            if not (isinstance(cls, type) and issubclass(cls, GameForm)) or cls.form != name:
                raise ModelError(
                    f"entry point {entry.value!r} of group {ENTRY_POINTS!r} is not a "
                    f"GameForm whose form is {name!r}"
                )
            return register_form(cls)
    known = form_names()
    raise ModelError(
        f"unknown game form {name!r}{did_you_mean(name, known)}; forms: {', '.join(known)}"
    )


def form_classes() -> list[type[GameForm]]:
    """Every form's class that loads (for messages that name forms: a broken form
    another package registers must not break the message about another)."""
    classes = []
    for name in form_names():
        try:
            classes.append(form_class(name))
        except Exception:  # a third party's broken entry point: leave it out
            continue
    return classes


def _entry_points() -> list[Any]:
    from importlib.metadata import entry_points

    return list(entry_points(group=ENTRY_POINTS))


def derivable_forms() -> list[str]:
    """The nouns of the registered forms that override :meth:`GameForm.derive`."""
    return [cls.noun for cls in form_classes() if cls.derive is not GameForm.derive]


def drawable_forms() -> list[tuple[str, str]]:
    """The names and nouns of the registered forms that override
    :meth:`GameForm.extensive_form`."""
    return [
        (cls.form, cls.noun)
        for cls in form_classes()
        if cls.extensive_form is not GameForm.extensive_form
    ]
