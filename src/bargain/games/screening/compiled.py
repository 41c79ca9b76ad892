"""A screening game's formulas, taken apart and compiled once, and its closed form.

:class:`CompiledScreening` reads the structure of the payoffs (deal payoffs
affine in the offer or not, the law's support, the war payoff's parts),
compiles what every point evaluates (:func:`bargain.formula.compile_formulas`),
keeps each expression's key in the model file for located errors, and gives the
optimal offer as formulas of the parameters where the closed forms of
:mod:`bargain.bargaining.screening` apply.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any

import sympy
from sympy.functions.elementary.piecewise import ExprCondPair

from bargain import formula
from bargain.bargaining.screening import (
    HIGHEST,
    LOWEST,
    MAX_CLOSED_TYPES,
    types_closed_form,
    uniform_closed_form,
)
from bargain.checks import key
from bargain.errors import ModelError
from bargain.params import ParamSpace
from bargain.vocabulary import ident

#: The offer and the reservation value in formulas.
X, V = sympy.Symbol("x"), sympy.Symbol("v")


class CompiledScreening:
    """The structure of a screening game's payoffs and the expressions each point evaluates.

    Deal payoffs affine in x (``affine``) give ``alpha + beta x`` (proposer)
    and ``gamma + delta x`` (responder); a uniform or CDF law gives the support
    ``a, b`` and the proposer's war payoff ``war + war_slope v``; ``n_types``
    finite types give each type's reservation value ``("v", j)`` and
    probability ``("q", j)``. ``exprs`` maps these keys, ``pie`` and the offer
    range ``low, high`` to formulas, and ``paths`` to their keys in the model
    file (and ``("w", j)``, the proposer's war payoff against type j, to
    ``game.war``'s). The ``constants`` are numbers; the other expressions
    (``variable_keys``) are evaluated together by ``point_fn`` of the
    parameters ``inputs``. ``deal_fn(x, *deal_inputs)`` gives both deal
    payoffs, ``war_fn(v, *war_inputs)`` the proposer's war payoff and, for a
    CDF, ``cdf_fn(v, *cdf_inputs)`` the CDF. ``players``, ``war``, ``law``,
    ``reservation`` and ``source`` (the file name that starts messages) are the
    game's. A ModelError where the war payoff does not suit the law: affine in
    ``v`` for a uniform law, free of it for a CDF.
    """

    def __init__(
        self,
        players: tuple[str, ...],
        params: ParamSpace,
        *,
        pie: sympy.Basic,
        offer: Sequence[sympy.Basic],
        deal: Mapping[str, sympy.Basic],
        war: sympy.Basic,
        law: str,
        reservation: Mapping[str, Any],
        source: str = "",
    ) -> None:
        self.players = players
        self.proposer, self.responder = players
        self.war, self.law, self.reservation, self.source = war, law, reservation, source
        self.n_types = len(reservation["types"]) if law == "types" else 0
        d_p, d_r = deal[self.proposer], deal[self.responder]
        slopes = [sympy.diff(d, X) for d in (d_p, d_r)]
        self.affine = _affine(d_p, X) and _affine(d_r, X)
        war_path = key("game.war", self.proposer)
        exprs: dict[Hashable, sympy.Basic] = {"pie": pie, "low": offer[0], "high": offer[1]}
        paths: dict[Hashable, str] = {"pie": "game.pie"}
        paths |= {"low": "game.offer[0]", "high": "game.offer[1]"}
        if self.affine:
            exprs |= {"alpha": d_p.subs(X, 0), "beta": slopes[0]}
            exprs |= {"gamma": d_r.subs(X, 0), "delta": slopes[1]}
            paths |= {k: key("game.deal", self.proposer) for k in ("alpha", "beta")}
            paths |= {k: key("game.deal", self.responder) for k in ("gamma", "delta")}
        if law == "types":
            laws = zip(reservation["types"], reservation["probabilities"])
            for j, (v, q) in enumerate(laws):
                exprs |= {("v", j): v, ("q", j): q}
                paths[("v", j)] = f"game.reservation.types[{j}]"
                paths[("q", j)] = f"game.reservation.probabilities[{j}]"
                paths[("w", j)] = war_path
        else:
            where = "game.reservation." + ("uniform" if law == "uniform" else "support")
            support = reservation[where.rsplit(".", 1)[1]]
            exprs |= {"a": support[0], "b": support[1]}
            paths |= {"a": f"{where}[0]", "b": f"{where}[1]"}
            slope = sympy.diff(war, V)
            uses_v = "v" in formula.free_names(war)
            if uses_v and (law == "cdf" or not _affine(war, V)):
                need = "free of v" if law == "cdf" else "affine in v (w0 + w1*v)"
                raise ModelError(
                    f"{war_path}: with a {law} reservation value the proposer's war payoff "
                    f"must be {need}; got {formula.to_text(war)} (finite types take any "
                    "formula of v)"
                )
            exprs |= {"war": war.subs(V, 0), "war_slope": slope}
            paths |= {"war": war_path, "war_slope": war_path}
        self.exprs, self.paths = exprs, paths
        variable = {k: e for k, e in exprs.items() if formula.free_names(e)}
        self.constants = {k: float(e) for k, e in exprs.items() if k not in variable}
        self.variable_keys = list(variable)
        self.inputs = _used(params, variable.values())
        self.point_fn = (
            formula.compile_formulas(list(variable.values()), self.inputs) if variable else None
        )
        self.deal_inputs = _used(params, [d_p, d_r])
        self.deal_fn = formula.compile_formulas([d_p, d_r], ("x", *self.deal_inputs))
        self.war_inputs = _used(params, [war])
        self.war_fn = formula.compile_formulas(war, ("v", *self.war_inputs))
        if law == "cdf":
            cdf = reservation["cdf"]
            self.cdf_inputs = _used(params, [cdf])
            self.cdf_fn = formula.compile_formulas(cdf, ("v", *self.cdf_inputs))

    @cached_property
    def closed_form(self) -> dict[str, sympy.Expr] | None:
        """The optimal offer and its outcome as formulas of the parameters, or None.

        Keys ``offer``, ``p_war``, ``u_<proposer>``, ``u_<responder>``,
        ``regime`` (codes into ``REGIMES``) and, for a uniform law,
        ``stationary`` (the root of the first-order condition, in ``x``). Built
        for deal payoffs affine in ``x`` with a uniform law or at most
        ``MAX_CLOSED_TYPES`` types; ties give the first candidate's offer.
        """
        if not self.affine or self.law == "cdf":
            return None
        e = self.exprs
        alpha, beta, gamma, delta = (e[k] for k in ("alpha", "beta", "gamma", "delta"))
        scale = -beta / delta  # the protocol's pie, war and bounds are in the responder's units
        ends = (gamma + delta * e["low"], gamma + delta * e["high"])
        args = {
            "pie": (beta * gamma - alpha * delta) / beta,
            "lo": sympy.Min(*ends),
            "hi": sympy.Max(*ends),
        }
        if self.law == "uniform":
            war, slope = e["war"] / scale, e["war_slope"] / scale
            out = uniform_closed_form(a=e["a"], b=e["b"], w=war, k=slope, **args)
        else:
            types, probabilities = self.reservation["types"], self.reservation["probabilities"]
            if len(types) > MAX_CLOSED_TYPES:
                return None
            wars = [self.war.xreplace({V: v}) / scale for v in types]
            out = types_closed_form(types, probabilities, wars, **args)
        with sympy.evaluate(False):
            regime = out["regime"]
            if delta.is_number and delta < 0:
                regime = _swap_bounds(regime)
            elif not delta.is_number:
                regime = _piecewise((_swap_bounds(regime), sympy.Lt(delta, 0)), (regime, True))
            proposer, responder = (ident(p) for p in self.players)
            closed = {
                "offer": (out["offer"] - gamma) / delta,
                "p_war": out["p_war"],
                f"u_{proposer}": out["proposer"] * scale,
                f"u_{responder}": out["responder"],
                "regime": regime,
            }
        if "stationary" in out:  # a plain expression: evaluated, so it reads as a formula
            closed["stationary"] = (out["stationary"] - gamma) / delta
        return closed


def _used(params: ParamSpace, exprs: Iterable[sympy.Basic]) -> tuple[str, ...]:
    """The parameters the expressions use, in the order of ``params``."""
    used = set().union(*(formula.free_names(e) for e in exprs))
    return tuple(n for n in params.names if n in used)


def _affine(expr: sympy.Basic, variable: sympy.Symbol) -> bool:
    """Whether ``expr`` is written as a polynomial of degree at most 1 in ``variable``
    (a ``where`` of it is not, even with a zero derivative)."""
    return bool(expr.is_polynomial(variable)) and sympy.diff(expr, variable, 2) == 0


def _piecewise(*pairs: tuple[sympy.Basic, Any]) -> sympy.Piecewise:
    """A Piecewise as written: sympy's constructor rewrites conditions on Piecewise terms."""
    return sympy.Basic.__new__(
        sympy.Piecewise,
        *(sympy.Tuple.__new__(ExprCondPair, e, sympy.sympify(c)) for e, c in pairs),
    )


def _swap_bounds(regime: sympy.Expr) -> sympy.Expr:
    """Regime codes with the lowest and highest offer exchanged (an offer x that falls
    as the responder's payoff rises)."""
    return _piecewise(
        (sympy.Integer(HIGHEST), sympy.Eq(regime, LOWEST)),
        (sympy.Integer(LOWEST), sympy.Eq(regime, HIGHEST)),
        (regime, True),
    )
