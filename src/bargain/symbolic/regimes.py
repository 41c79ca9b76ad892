"""A model's regimes in closed form: the form's cases with the model's measures.

:func:`regimes_of` takes a game form's :class:`~bargain.algebra.Derivation`
and the model's measures and gives each regime every measure it can express:
the form's built-in measures, each outcome set's probability (the sum of its
members') and each user measure, with the built-in names replaced by their
expressions in that regime. A user measure that uses a built-in the regime
does not express (``regret``, a count) is left out of that regime.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import sympy

from bargain import formula
from bargain.algebra import Case, Derivation, box_of, domain_conditions, settle
from bargain.errors import ModelError, did_you_mean
from bargain.params import ParamSpace

if TYPE_CHECKING:
    from bargain.model import Model


@dataclass(frozen=True)
class ModelDerivation:
    """A model's equilibria in closed form (from :func:`bargain.symbolic.derive`).

    ``regimes`` in the form's order, each a :class:`~bargain.algebra.Case` whose
    ``values`` are the model's measures; ``exclusive`` when at most one holds at a
    point; ``subject`` what a regime is ("subgame-perfect equilibrium");
    ``seconds`` the derivation's time (0 when read from the cache),
    ``source`` ``"derived"`` or ``"cache"``, ``held`` the model's linked values:
    symbols of the formulas whose own dependence on the parameters is not derived, and
    ``cite`` the model's version and BibTeX keys for the notes of its tables.
    """

    model: str
    params: ParamSpace
    regimes: tuple[Case, ...]
    exclusive: bool
    subject: str
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    source: Literal["derived", "cache"] = "derived"
    held: tuple[str, ...] = ()
    cite: str = ""

    def regime(self, label: str) -> Case:
        """The regime of a label; a ModelError names the labels otherwise."""
        for r in self.regimes:
            if r.label == label:
                return r
        labels = [r.label for r in self.regimes]
        raise ModelError(
            f"model {self.model!r} has no regime {label!r}{did_you_mean(label, labels)}; "
            f"regimes: {', '.join(labels)}"
        )

    def symbol(self, param: str) -> sympy.Symbol:
        """The symbol of a parameter; a ModelError names the parameters otherwise."""
        names = self.params.names
        if param not in names:
            raise ModelError(
                f"model {self.model!r} has no parameter {param!r}"
                f"{did_you_mean(param, names)}; parameters: {', '.join(names)}"
            )
        return sympy.Symbol(param)

    @property
    def measure_names(self) -> list[str]:
        """Every measure some regime expresses, in first-seen order."""
        return list(dict.fromkeys(n for r in self.regimes for n in r.values))

    def check_measure(self, name: str) -> None:
        """A ModelError naming the derivable measures if ``name`` is not one."""
        names = self.measure_names
        if name not in names and not any(name in r.implicit for r in self.regimes):
            raise ModelError(
                f"model {self.model!r}: no closed form for measure {name!r}"
                f"{did_you_mean(name, names)}; derived: {', '.join(names)}"
            )

    def piecewise(self, name: str) -> sympy.Basic:
        """The measure over the whole box as ``Piecewise`` (regimes in order; NaN elsewhere).

        Only for exclusive derivations, where the regime at a point is unique.
        """
        self.check_measure(name)
        if not self.exclusive:
            raise ModelError(
                f"model {self.model!r}: its {self.subject} regimes may coexist at a point, so "
                f"{name!r} has no single formula; take it regime by regime (regime(label))"
            )
        pieces = [(r.values[name], r.where) for r in self.regimes if name in r.values]
        return sympy.Piecewise(*pieces, (sympy.nan, True))

    def compile(self, name: str) -> formula.CompiledFormula:
        """The measure as a vectorized numpy function of the parameters (see :meth:`piecewise`)."""
        return formula.compile_formulas([self.piecewise(name)], self.params.names)


def regimes_of(derivation: Derivation, model: Model) -> list[Case]:
    """Each case of a form's derivation with the model's measures (see the module)."""
    measures = model.measures
    box = box_of(model.game.params)  # linked values: symbols without bounds
    out = []
    for case in derivation.cases:
        domain = list(case.domain)
        values = dict(case.values)
        for name, members in measures.outcomes.items():
            keys = [derivation.members.get(m) for m in members]
            if all(k is not None and k in case.values for k in keys):
                values[name] = sympy.Add(*(case.values[k] for k in keys))
        given = {sympy.Symbol(k): v for k, v in values.items()}
        for name, expr in measures.user.items():
            needs = formula.free_names(expr) - set(model.game.params.names)
            if all(n in values for n in needs):
                values[name] = expr.xreplace(given)
                for cond in domain_conditions(values[name]):
                    settled = settle(cond, box)
                    if not isinstance(settled, bool) and settled not in domain:
                        domain.append(settled)
        out.append(dataclasses.replace(case, values=values, domain=tuple(domain)))
    return out
