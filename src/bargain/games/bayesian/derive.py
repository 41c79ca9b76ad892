"""Closed-form Bayesian equilibria of two-player games, one per pair of support profiles.

A support profile gives each type of a player a support of actions, S_t for
the types t of the first player and R_s for the types s of the second. As the
numeric type-agent support enumeration (:func:`bargain.solvers.bayesian.type_agent_support`)
does, the second player's behaviour must make every type t of the first
indifferent over S_t given its beliefs pi(s | t) = pi(t, s) / pi_1(t):

    sum_s pi(t, s) sum_b u_1(a, b | t, s) y_s(b) = v_t   (a in S_t),   sum_{b in R_s} y_s(b) = 1,

(the equations of type t multiplied by its probability pi_1(t) > 0, which
changes no indifference and no best response), and symmetrically. That is the
indifference system of :mod:`bargain.games.normal.indifference` with one group
of rows per type, payoffs weighted by the prior; it is square when the
profiles have equal excess, sum_t (|S_t| - 1) = sum_s (|R_s| - 1), which every
equilibrium of a nondegenerate game has. The conditions are those of the
normal form, type by type: positive probabilities (strict), no better action
for any type (weak), determinants != 0 (domain).

Measures: a type's interim payoff is v_t / pi_1(t), a player's ex-ante payoff
sum_t v_t. Every type's marginal probability must be nonzero (a domain
condition): a type of probability 0 has no beliefs by Bayes' rule (the
numeric solver gives it the other player's marginal), and is not derived.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations, product

import numpy as np
import sympy

from bargain.algebra import Box, Condition, Derivation, box_of, make_case, settle, step
from bargain.errors import ModelError
from bargain.params import ParamSpace
from bargain.vocabulary import ident

from ..normal.derive import decimal, payoff_domain, within
from ..normal.indifference import Payoffs, indifference, ratio

#: The solve methods whose equilibria the cases are.
DERIVABLE = ("support", "pure")

NOTES = (
    "one case per pair of support profiles (a support per type) of equal excess whose "
    "indifference systems are regular; equilibria of degenerate games outside them are not "
    "derived",
    "every type has a nonzero marginal probability (a domain condition): a type of "
    "probability 0 has no beliefs by Bayes' rule",
)


def support_profiles(n_types: int, n_actions: int) -> dict[int, list[tuple[tuple[int, ...], ...]]]:
    """A player's support profiles (a nonempty support per type) by their excess."""
    supports = [c for k in range(1, n_actions + 1) for c in combinations(range(n_actions), k)]
    out: dict[int, list[tuple[tuple[int, ...], ...]]] = {}
    for profile in product(supports, repeat=n_types):
        out.setdefault(sum(len(s) - 1 for s in profile), []).append(profile)
    return out


def profile_pairs(
    n_types: tuple[int, int], n_actions: tuple[int, int], pure_only: bool
) -> Iterator[tuple[tuple[tuple[int, ...], ...], tuple[tuple[int, ...], ...]]]:
    """Pairs of support profiles of equal excess, pure profiles first."""
    first = support_profiles(n_types[0], n_actions[0])
    second = support_profiles(n_types[1], n_actions[1])
    for excess in sorted(first.keys() & second.keys()):
        if pure_only and excess:
            break
        for a in first[excess]:
            for b in second[excess]:
                yield a, b


def weighted(prior: np.ndarray, payoff: np.ndarray, own: int) -> sympy.Matrix:
    """Player ``own``'s payoffs weighted by the prior, rows (own type, own action), columns
    (other type, other action): ``pi(t, s) u(a, b | t, s)``."""
    k1, k2, m, n = payoff.shape
    if own == 0:
        return sympy.Matrix(
            k1 * m,
            k2 * n,
            lambda r, c: prior[r // m, c // n] * payoff[r // m, c // n, r % m, c % n],
        )
    return sympy.Matrix(
        k2 * n,
        k1 * m,
        lambda r, c: prior[c // m, r // n] * payoff[c // m, r // n, c % m, r % n],
    )


def label(
    players: Sequence[str],
    types: Sequence[Sequence[str]],
    actions: Sequence[Sequence[str]],
    profiles: Sequence[Sequence[Sequence[int]]],
) -> str:
    """The regime label the numeric batch gives (``BayesianBatch.regimes``):
    ``"Rival: resolute=fight, weak=mixed; West: concede"``."""
    parts = []
    for player, kinds, acts, profile in zip(players, types, actions, profiles):
        played = [acts[s[0]] if len(s) == 1 else "mixed" for s in profile]
        if len(kinds) == 1:
            parts.append(f"{player}: {played[0]}")
        else:
            parts.append(f"{player}: " + ", ".join(f"{k}={a}" for k, a in zip(kinds, played)))
    return "; ".join(parts)


def _marginal_domain(prior: np.ndarray, box: Box) -> list[Condition]:
    """Each type's marginal probability != 0, settled on the bounds (ModelError if a type
    has probability 0 everywhere in them)."""
    out = []
    for axis in (0, 1):
        for t in range(prior.shape[axis]):
            marginal = sympy.Add(*np.take(prior, t, axis=axis))
            settled = settle(sympy.Ne(marginal, 0), box)
            if settled is False:
                raise ModelError(
                    f"a type of player {axis + 1} has probability {marginal} = 0 everywhere "
                    "in the bounds: closed forms need beliefs by Bayes' rule"
                )
            if settled is not True:
                out.append(settled)
    return out


def derive_bayesian(
    players: Sequence[str],
    types: Sequence[Sequence[str]],
    actions: Sequence[Sequence[str]],
    prior: np.ndarray,
    payoffs: np.ndarray,
    params: ParamSpace,
    method: str | None,
) -> Derivation:
    """The :class:`Derivation` of a two-player Bayesian game for a solve with ``method``;
    ``prior`` (K_1, K_2) and ``payoffs`` (2, K_1, K_2, m_1, m_2) hold sympy expressions."""
    if len(players) != 2:
        raise ModelError(
            f"closed forms are derived for two-player Bayesian games; this one has "
            f"{len(players)} players (solve it numerically)"
        )
    method = method or "support"
    if method not in DERIVABLE:
        raise ModelError(
            f"method {method!r}: closed forms follow the type-agent support enumeration "
            "(method 'support', every equilibrium of a nondegenerate game) or the pure "
            "equilibria ('pure'); the ex-ante form's enumeration misses equilibria in which "
            "two types of a player mix"
        )
    box = box_of(params)
    domain = [
        *payoff_domain([*prior.flat, *payoffs.flat], params),
        *_marginal_domain(prior, box),
    ]
    prior, payoffs = (np.vectorize(decimal, otypes=[object])(a) for a in (prior, payoffs))
    (k1, k2), (m, n) = prior.shape, payoffs.shape[3:]
    W1, W2 = Payoffs(weighted(prior, payoffs[0], 0)), Payoffs(weighted(prior, payoffs[1], 1))
    rows1 = [range(t * m, (t + 1) * m) for t in range(k1)]
    rows2 = [range(s * n, (s + 1) * n) for s in range(k2)]
    marginals = (
        [sympy.Add(*prior[t, :]) for t in range(k1)],
        [sympy.Add(*prior[:, s]) for s in range(k2)],
    )
    cases = []
    for first, second in profile_pairs((k1, k2), (m, n), method == "pure"):
        name = label(players, types, actions, (first, second))
        supports1 = [[t * m + a for a in s] for t, s in enumerate(first)]
        supports2 = [[s * n + b for b in r] for s, r in enumerate(second)]
        with step(f"solving the indifference conditions of {name}"):
            one = indifference(W1, rows1, supports1, supports2)  # y, player 1's values
            two = indifference(W2, rows2, supports2, supports1)  # x, player 2's values
        if one.det == 0 or two.det == 0:
            continue  # singular everywhere: the numeric enumeration skips it too
        values: dict[str, sympy.Expr] = {}
        for i, (player, side) in enumerate(zip(players, (one, two))):
            values[f"u_{ident(player)}"] = sympy.Add(*side.values)
            for kind, v, marginal in zip(types[i], side.values, marginals[i]):
                values[f"u_{ident(player)}_{ident(kind)}"] = ratio(v, marginal)
        for player, kinds, acts, mixture in zip(
            players, types, actions, (two.mixture, one.mixture)
        ):
            for j, kind in enumerate(kinds):
                for a, act in enumerate(acts):
                    values[f"p_{ident(player)}_{ident(kind)}_{ident(act)}"] = mixture[
                        j * len(acts) + a
                    ]
        values["pure"] = sympy.Integer(int(all(len(s) == 1 for s in (*first, *second))))
        case = make_case(name, (*one.conditions, *two.conditions), values, params)
        case = case and within(case, domain, box)
        if case is not None:
            cases.append(case)
    return Derivation("bayesian", params, tuple(cases), exclusive=False, notes=NOTES)
