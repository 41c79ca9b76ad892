"""The subgame-perfect equilibrium of a game tree in closed form, regime by regime.

Backward induction (Kuhn 1953; Selten 1965) run on formulas instead of
numbers: a terminal node's value is its payoff formulas, a chance node's the
probability-weighted sum of its children's, and at a decision node each move
the mover may take becomes a regime of the subtree, under the comparisons that
make it the move the solver picks. With ``tie_break="first"`` (the solver's
default) move ``j`` of a node is taken where its value to the mover is

    strictly above that of every earlier move, and at least that of every later one,

so that on a boundary (a tie) the first best move in declaration order wins,
as in :mod:`bargain.solvers.backward`; with ``tie_break="raise"`` every
comparison is strict and the boundaries, where the solver raises a
``TieError``, belong to no regime. A regime of the whole tree fixes the move
at every decision node, on and off the path; it becomes a
:class:`~bargain.algebra.Case` whose values are the expected payoffs
``u_<player>``, the probability ``reach_<terminal>`` of ending at each
terminal node and the behaviour ``p_<node>_<move>`` (0 or 1).

Regimes are pruned as soon as they are formed, node by node, when their
conditions are proved unable to hold together on the declared bounds
(:mod:`.feasibility`), so the combinations of the children's regimes do not
multiply unchecked; :func:`bargain.algebra.make_case` then settles each case.
A comparison that does not depend on the parameters (two moves with the same
payoff formula) is decided at once and leaves no condition.

A case's label is the solver's (``TreeBatchSolution.regimes``): the moves at
the decision nodes play reaches with positive probability, in order of play.
Where a chance branch above a decision node may have probability zero inside
the bounds, the regime is split in two, the branch's probability positive
(its decisions in the label) or zero (left out); a zero at one value of a
parameter (``deliver = 0``) is put in for it. Regimes that differ only off the
path share a label: each is its own case, with its own conditions.

The numeric solver compares values within a tolerance (``PAYOFF_RTOL`` of each
player's payoff range) and reaches within ``PROB_TOL``; the closed forms are
exact, so the two may differ in slivers of that width along the boundaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import product

import sympy

from bargain.algebra import Case, Derivation, domain_conditions, make_case, step
from bargain.errors import BudgetError, ModelError
from bargain.vocabulary import ident

from .compiled import CompiledTree
from .feasibility import Feasibility

#: The tie rules with a closed form: each point has one subgame-perfect equilibrium.
TIE_RULES = ("first", "raise")
#: Most regimes (combinations of moves that can hold) of a subtree.
MAX_REGIMES = 2048


@dataclass(frozen=True)
class Regime:
    """A regime of a subtree: the move index at each of its decision nodes, the
    subtree's value to each player, and the raw conditions under which backward
    induction makes these moves."""

    choices: Mapping[int, int]
    value: tuple[sympy.Expr, ...]
    conditions: tuple[sympy.Basic, ...]


def derive_spe(compiled: CompiledTree, tie_break: str = "first") -> Derivation:
    """The subgame-perfect equilibrium of a perfect-information tree, regime by regime."""
    if tie_break not in TIE_RULES:
        raise ModelError(
            f"closed forms are for tie_break='first' or 'raise' and concept='spe', "
            f"not tie_break={tie_break!r} (a point may then have several equilibria)"
        )
    return _Induction(compiled, strict=tie_break == "raise").derivation()


class _Induction:
    """Symbolic backward induction over one tree."""

    def __init__(self, compiled: CompiledTree, strict: bool) -> None:
        self.compiled, self.strict = compiled, strict
        self.tree = compiled.structure
        self.feasible = Feasibility(compiled.params)
        self._refuse_imperfect_information()
        self.has_decision = self._has_decision()

    def _refuse_imperfect_information(self) -> None:
        tree = self.tree
        for v, kind in enumerate(tree.kind):
            if kind == "decision" and not tree.singleton(v):
                label = self.compiled.infoset_labels[tree.infoset[v]]
                raise ModelError(
                    f"closed forms cover perfect-information trees; information set {label!r} "
                    "has several nodes: solve this tree numerically"
                )

    def _has_decision(self) -> list[bool]:
        """Whether each node's subtree holds a decision node."""
        tree = self.tree
        below = [False] * len(tree.kind)
        for v in tree.order:
            below[v] = tree.kind[v] == "decision" or any(below[c] for c in tree.children[v])
        return below

    # -- backward induction -----------------------------------------------------------------

    def regimes(self) -> list[Regime]:
        """The regimes of the whole tree, children before parents."""
        tree, nodes, ids = self.tree, self.compiled.nodes, self.compiled.ids
        found: dict[int, list[Regime]] = {}
        for v in tree.order:
            spec = nodes[ids[v]]
            with step(f"backward induction at node {ids[v]!r}"):
                if spec["kind"] == "terminal":
                    found[v] = [Regime({}, tuple(self.compiled.symbolic_payoff(v)), ())]
                    continue
                combos = self.combined([found.pop(c) for c in tree.children[v]])
                if spec["kind"] == "chance":
                    probs = self.compiled.symbolic_probs(v)
                    found[v] = [
                        Regime(choices, _expected(probs, values), conditions)
                        for choices, values, conditions in combos
                    ]
                else:
                    found[v] = [
                        regime
                        for combo in combos
                        for j in range(len(combo[1]))
                        if (regime := self.choose(v, j, *combo)) is not None
                    ]
                if len(found[v]) > MAX_REGIMES:
                    raise BudgetError(
                        f"node {ids[v]!r}: its subtree has {len(found[v]):,} subgame-perfect "
                        f"regimes, more than the {MAX_REGIMES:,} a derivation takes "
                        "(every combination of moves is one): solve this tree numerically"
                    )
        return found[tree.root]

    def combined(
        self, children: list[list[Regime]]
    ) -> list[tuple[dict[int, int], list[tuple[sympy.Expr, ...]], tuple[sympy.Basic, ...]]]:
        """Every possible combination of the children's regimes (pruned one child at a time):
        merged choices, each child's value, the conditions together."""
        combos: list = [({}, [], ())]
        for regimes in children:
            grown = []
            for (choices, values, conditions), regime in product(combos, regimes):
                together = conditions + regime.conditions
                if not (conditions and regime.conditions) or self.feasible.possible(together):
                    grown.append(({**choices, **regime.choices}, [*values, regime.value], together))
            combos = grown
        return combos

    def choose(
        self,
        v: int,
        j: int,
        choices: dict[int, int],
        values: list[tuple[sympy.Expr, ...]],
        conditions: tuple[sympy.Basic, ...],
    ) -> Regime | None:
        """The regime where node ``v`` takes move ``j``, or None if it cannot.

        A comparison whose two sides differ by a number (moves with equal
        payoffs, or numbers only) is decided at once and not kept as a condition.
        """
        i = self.tree.player[v]
        mine = values[j][i]
        compared = []
        for k, value in enumerate(values):
            if k == j:
                continue
            relation = sympy.Gt if k < j or self.strict else sympy.Ge
            gap = self.feasible.number(mine - value[i])
            if gap is not None:
                if not relation(gap, 0):
                    return None
                continue
            compared.append(relation(mine, value[i], evaluate=False))
        together = conditions + tuple(compared)
        if not self.feasible.possible(together):
            return None
        return Regime({**choices, v: j}, values[j], together)

    # -- cases ------------------------------------------------------------------------------

    def derivation(self) -> Derivation:
        compiled = self.compiled
        cases = []
        for regime in self.regimes():
            values = self.values(regime)
            for moves, reached in self.paths(regime, self.tree.root):
                label = ">".join(moves)
                case = self.case(label, regime, reached, values)
                if case is not None:
                    cases.append(case)
        if not cases:
            raise ModelError(
                "every point of the bounds has a tie (tie_break='raise' raises a TieError "
                "there): derive with tie_break='first'"
            )
        terminals = [compiled.ids[t] for t in self.tree.terminals]
        rule = "strict" if self.strict else "first best move in declaration order"
        return Derivation(
            form="tree",
            params=compiled.params,
            cases=tuple(cases),
            exclusive=True,
            subject="subgame-perfect equilibrium",
            members={t: f"reach_{ident(t)}" for t in terminals},
            notes=(
                f"backward induction; ties: {rule}; a label lists the moves reached with "
                "positive probability, so regimes differing off the path share it",
            ),
        )

    def case(
        self,
        label: str,
        regime: Regime,
        reached: tuple[sympy.Basic, ...],
        values: Mapping[str, sympy.Basic],
    ) -> Case | None:
        """The case of one labelling of a regime, or None if it cannot hold.

        A branch probability zero at a single value of a parameter (``deliver = 0``)
        is put in for that parameter: only then can the case's other conditions be
        decided there. The domain of the expressions as written is kept, as
        conditions (putting in a value may simplify ``deliver * x / x`` to 0).
        """
        conditions = [*regime.conditions, *reached]
        at = {s: x for cond in reached for s, x in self.feasible.only_value(cond).items()}
        if at:
            pinned = [c.xreplace(at) for c in regime.conditions]
            put = {k: v.xreplace(at) for k, v in values.items()}
            if not any(e.has(sympy.zoo, sympy.nan) for e in [*pinned, *put.values()]):
                written = [*regime.conditions, *values.values()]
                domain = [d.xreplace(at) for e in written for d in domain_conditions(e)]
                conditions, values = [*pinned, *reached, *dict.fromkeys(domain)], put
            conditions = self.feasible.open_ones(conditions)  # putting in may decide some
            if conditions is None or not self.feasible.possible(conditions):
                return None
        with step(f"settling the regime {label}"):
            return make_case(label, conditions, values, self.feasible.box)

    def paths(
        self, regime: Regime, v: int
    ) -> list[tuple[tuple[str, ...], tuple[sympy.Basic, ...]]]:
        """The labels of the regime below ``v``: the moves at the decision nodes reached,
        in order of play, each with the conditions on chance probabilities it needs."""
        tree, nodes, ids = self.tree, self.compiled.nodes, self.compiled.ids
        spec = nodes[ids[v]]
        if spec["kind"] == "terminal":
            return [((), ())]
        if spec["kind"] == "decision":
            j = regime.choices[v]
            move = list(spec["moves"])[j]
            return [((move, *m), c) for m, c in self.paths(regime, tree.children[v][j])]
        parts = []
        for p, c in zip(self.compiled.symbolic_probs(v), tree.children[v]):
            if not self.has_decision[c]:
                continue
            positive = sympy.Gt(p, 0)
            verdict = self.feasible.verdict(positive)
            if verdict is True:
                parts.append(self.paths(regime, c))
            elif verdict is not False:
                below = self.paths(regime, c)
                parts.append([*((m, (positive, *k)) for m, k in below), ((), (sympy.Le(p, 0),))])
        out = []
        for combo in product(*parts):
            moves = tuple(m for part, _ in combo for m in part)
            conditions = tuple(c for _, part in combo for c in part)
            if self.feasible.possible(conditions):
                out.append((moves, conditions))
        return out

    def values(self, regime: Regime) -> dict[str, sympy.Basic]:
        """The measures of a regime: expected payoffs, terminal reach, behaviour."""
        compiled, tree = self.compiled, self.tree
        out = {f"u_{ident(p)}": u for p, u in zip(compiled.players, regime.value)}
        reach: dict[int, sympy.Basic] = {tree.root: sympy.Integer(1)}
        for v in tree.subtree(tree.root):  # parents first
            kids = tree.children[v]
            if tree.kind[v] == "chance":
                for p, c in zip(compiled.symbolic_probs(v), kids):
                    reach[c] = p if reach[v] == 1 else sympy.Mul(reach[v], p, evaluate=False)
            elif tree.kind[v] == "decision":
                for k, c in enumerate(kids):
                    reach[c] = reach[v] if regime.choices[v] == k else sympy.Integer(0)
        for t in tree.terminals:
            out[f"reach_{ident(compiled.ids[t])}"] = reach[t]
        for node, spec in compiled.nodes.items():
            if spec["kind"] == "decision":
                v = compiled.index[node]
                for k, move in enumerate(spec["moves"]):
                    out[f"p_{ident(node)}_{ident(move)}"] = sympy.Integer(regime.choices[v] == k)
        return out


def _expected(probs: list[sympy.Expr], values: list[tuple[sympy.Expr, ...]]) -> tuple:
    """Each player's expected value over a chance node's branches, as written (a product
    is not simplified, so ``p * x / x`` keeps its domain ``x != 0``)."""
    terms = [
        [sympy.Mul(p, value[i], evaluate=False) for p, value in zip(probs, values)]
        for i in range(len(values[0]))
    ]
    return tuple(sympy.Add(*parts, evaluate=False) for parts in terms)
