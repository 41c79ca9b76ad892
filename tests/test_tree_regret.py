"""The regret of a tree's subgame-perfect equilibria, in the user's units, player by player.

The kernel solves payoffs divided per player by a power of two when they are of
extreme magnitude; each player's deviation gain must come back multiplied by
that player's own scale, not by the largest one (which overstated a unit
player's gain by the other's magnitude, 1e200 times here).

* Closed forms: near-ties within the tolerance, broken by ``tie_break``, whose
  gain is known exactly (a shortfall ``eps`` of a payoff, of a chance node's
  probability, of a pure equilibrium of an imperfect-information subgame), while
  the other player's payoffs are 1e200 (or the tied player's 1e-200).
* Brute force: every row's regret against an exact (rational) computation from
  the reported behaviour strategies -- each player's largest gain from deviating
  at one of its decision nodes, or, in a subgame with imperfect information, from
  its best pure strategy there -- on seeded random trees full of near-ties with
  players whose payoffs differ by up to 400 orders of magnitude, and on the
  information-set designs of the Gambit cross-check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from itertools import product

import numpy as np
import pytest
import sympy

from bargain import Param
from bargain.games.tree.solution import TreeBatchSolution
from tests.test_tree_cross_check import Spec, entry_game, hidden_move_game, random_tree, to_bargain

#: Rounding a kernel may accumulate, relative to a player's largest payoff (a few
#: dozen operations deep); the gains tested are 2**12 times larger.
SLACK = 64 * 2.0**-52
#: Shortfalls within the tie tolerance (1e-9 of a unit payoff range): exact in binary.
EPS = (2.0**-34, 2.0**-32, 2.0**-31)


# -- the brute-force regret ---------------------------------------------------------------


class ExactTree:
    """A neutral tree at one point, in rational arithmetic (the floats bargain solves).

    ``gains(rule)`` is each player's largest gain from deviating, given the move
    probabilities ``rule[node]`` of every decision node (NaN where unspecified):
    at a decision node alone in its information set whose children are terminal or
    roots of proper subgames, the best child's value minus the node's; in any other
    proper subgame (one with imperfect information), the player's best pure
    strategy over its information sets outside the smaller subgames minus its value.
    """

    def __init__(self, spec: Spec, players: Sequence[str], values: Mapping[str, float]) -> None:
        self.spec, self.players = spec, tuple(players)
        self.subs = {sympy.Symbol(k): sympy.Rational(v) for k, v in values.items()}
        self.kids = {n: self._children(n) for n in spec}
        self.infoset = {
            n: s[3] if s[3] is not None else n for n, s in spec.items() if s[0] == "decision"
        }
        self.members: dict[object, list[str]] = {}
        for n, h in self.infoset.items():
            self.members.setdefault(h, []).append(n)
        self.roots = {n for n, s in spec.items() if s[0] != "terminal" and self._closed(n)}
        self.payoff = {
            n: tuple(self.number(s[1][p]) for p in self.players)
            for n, s in spec.items()
            if s[0] == "terminal"
        }

    def number(self, x: object) -> Fraction:
        """A probability or payoff as the float bargain evaluates, exactly."""
        if isinstance(x, str):
            return Fraction(float(sympy.sympify(x).subs(self.subs)))
        return Fraction(float(x))

    def magnitude(self, i: int) -> float:
        """Player i's largest absolute payoff."""
        return float(max(abs(u[i]) for u in self.payoff.values()))

    def _children(self, n: str) -> list[str]:
        kind, *rest = self.spec[n]
        if kind == "decision":
            return list(rest[1].values())
        if kind == "chance":
            return [c for _, c in rest[0].values()]
        return []

    def _below(self, n: str) -> list[str]:
        out, stack = [], [n]
        while stack:
            v = stack.pop()
            out.append(v)
            stack.extend(self.kids[v])
        return out

    def _closed(self, n: str) -> bool:
        """Whether no information set leaves the subtree at n (a proper subgame)."""
        inside = set(self._below(n))
        return all(
            set(self.members[self.infoset[v]]) <= inside for v in inside if v in self.infoset
        )

    def _region(self, root: str) -> list[str]:
        """The nodes of the subgame at ``root`` outside smaller subgames."""
        out, stack = [], [root]
        while stack:
            v = stack.pop()
            out.append(v)
            stack.extend(c for c in self.kids[v] if c not in self.roots and c not in self.payoff)
        return out

    def value(
        self, n: str, rule: Mapping[str, np.ndarray], fixed: Mapping[object, int] | None = None
    ) -> tuple[Fraction, ...]:
        """Expected payoffs at n; ``fixed`` gives pure moves at some information sets."""
        if n in self.payoff:
            return self.payoff[n]
        kind, *rest = self.spec[n]
        if kind == "chance":
            weights = [self.number(p) for p, _ in rest[0].values()]
        elif fixed and self.infoset[n] in fixed:
            weights = [Fraction(j == fixed[self.infoset[n]]) for j in range(len(self.kids[n]))]
        else:
            probs = np.asarray(rule[n], dtype=float)
            assert not np.isnan(probs).any(), f"unspecified behaviour reached at {n!r}"
            weights = [Fraction(float(x)) for x in probs]
        total = [Fraction(0)] * len(self.players)
        for w, c in zip(weights, self.kids[n]):
            if w:
                total = [t + w * u for t, u in zip(total, self.value(c, rule, fixed))]
        return tuple(total)

    def gains(self, rule: Mapping[str, np.ndarray]) -> list[Fraction]:
        out = [Fraction(0)] * len(self.players)
        for root in self.roots:
            region = self._region(root)
            base = self.value(root, rule)
            if len(region) == 1:  # a chance node, or a decision node alone in its set
                if root in self.infoset:
                    i = self.players.index(self.spec[root][1])
                    best = max(self.value(c, rule)[i] for c in self.kids[root])
                    out[i] = max(out[i], best - base[i])
                continue
            sets: dict[str, dict[object, int]] = {}
            for v in region:
                if v in self.infoset:
                    sets.setdefault(self.spec[v][1], {})[self.infoset[v]] = len(self.kids[v])
            for player, sizes in sets.items():
                i = self.players.index(player)
                best = max(
                    self.value(root, rule, dict(zip(sizes, moves)))[i]
                    for moves in product(*(range(k) for k in sizes.values()))
                )
                out[i] = max(out[i], best - base[i])
        return out


def exact_regrets(
    batch: TreeBatchSolution,
    spec: Spec,
    players: Sequence[str],
    points: Mapping[str, Sequence[float]] | None = None,
) -> np.ndarray:
    """Each row's regret recomputed exactly from its behaviour, checked against the
    reported one: within each player's rounding allowance of the largest player gain."""
    decisions = [n for n, s in spec.items() if s[0] == "decision"]
    exact = np.empty(len(batch.point))
    trees: dict[int, ExactTree] = {}
    for r, i in enumerate(batch.point):
        if i not in trees:
            trees[i] = ExactTree(spec, players, {k: v[i] for k, v in (points or {}).items()})
        tree = trees[i]
        gains = tree.gains({n: batch.behaviour[n][r] for n in decisions})
        slack = [SLACK * tree.magnitude(k) for k in range(len(players))]
        low = max(float(g) - s for g, s in zip(gains, slack))
        high = max(float(g) + s for g, s in zip(gains, slack))
        assert low <= batch.regret[r] <= high, (r, batch.regret[r], [float(g) for g in gains])
        exact[r] = float(max(gains))
    return exact


def scaled(spec: Spec, factors: Mapping[str, float]) -> Spec:
    """``spec`` with each player's terminal payoffs multiplied by its factor."""
    return {
        n: ("terminal", {p: u * factors[p] for p, u in s[1].items()}) if s[0] == "terminal" else s
        for n, s in spec.items()
    }


# -- closed forms ---------------------------------------------------------------------------

#: (unit, big): the tied player B's payoffs are in ``unit``, A's in ``big``; powers of
#: two of extreme magnitude, so that the closed forms hold exactly in floats.
SCALES = [(1.0, 2.0**700), (2.0**-700, 1.0), (1.0, 1.0)]
PARAMS = [Param("eps", 0.0), Param("big", 1.0), Param("unit", 1.0)]


def near_tie() -> Spec:
    """A enters or not; B then takes l (B gets ``1 - eps``) or r (B gets 1), both
    within B's tie tolerance for small eps, so ``tie_break`` takes l, regret eps."""
    return {
        "root": ("decision", "A", {"out": "o", "in": "b"}, None),
        "o": ("terminal", {"A": "0", "B": "2*unit"}),
        "b": ("decision", "B", {"l": "x", "r": "y"}, None),
        "x": ("terminal", {"A": "big", "B": "unit*(1 - eps)"}),
        "y": ("terminal", {"A": "2*big", "B": "unit"}),
    }


def chance_tie() -> Spec:
    """B takes a lottery (1 with probability 1/2 - eps, else 0) or a sure 1/2."""
    return {
        "root": ("decision", "A", {"out": "o", "in": "b"}, None),
        "o": ("terminal", {"A": "0", "B": "0"}),
        "b": ("decision", "B", {"lottery": "draw", "sure": "half"}, None),
        "draw": ("chance", {"win": ("1/2 - eps", "win"), "lose": ("1/2 + eps", "lose")}),
        "win": ("terminal", {"A": "big", "B": "unit"}),
        "lose": ("terminal", {"A": "3*big", "B": "0"}),
        "half": ("terminal", {"A": "2*big", "B": "unit/2"}),
    }


def hidden_tie() -> Spec:
    """A simultaneous stage below A's entry: A's U dominates D; against U, B's R pays
    ``1 - eps`` and L pays 1, so (U, R) is an equilibrium within tolerance, regret eps."""
    spec: Spec = {
        "root": ("decision", "A", {"out": "o", "in": "a"}, None),
        "o": ("terminal", {"A": "0", "B": "0"}),
        "a": ("decision", "A", {"U": "bU", "D": "bD"}, None),
        "bU": ("decision", "B", {"L": "UL", "R": "UR"}, "B-stage"),
        "bD": ("decision", "B", {"L": "DL", "R": "DR"}, "B-stage"),
    }
    payoffs = {"UL": ("2*big", "1"), "UR": ("2*big", "1 - eps"), "DL": ("big", "0")}
    payoffs["DR"] = ("big", "1")
    for n, (a, b) in payoffs.items():
        spec[n] = ("terminal", {"A": a, "B": f"unit*({b})"})
    return spec


def points_for(unit: float, big: float) -> dict[str, np.ndarray]:
    """Each shortfall, none, and one beyond the tolerance; in the units given and in
    units of 1 (one batch mixes points solved rescaled and not)."""
    eps = np.array([0.0, *EPS, 2.0**-20])
    ones = np.ones(len(eps))
    return {
        "eps": np.tile(eps, 2),
        "big": np.concatenate([big * ones, ones]),
        "unit": np.concatenate([unit * ones, ones]),
    }


@pytest.mark.parametrize(("unit", "big"), SCALES)
@pytest.mark.parametrize("tie_break", ["first", "all"])
@pytest.mark.parametrize("build", [near_tie, chance_tie])
def test_a_near_tie_costs_the_tied_player_its_own_shortfall(build, tie_break, unit, big):
    spec = build()
    points = points_for(unit, big)
    batch = to_bargain(spec, ("A", "B"), PARAMS).solve_batch(points, tie_break=tie_break)
    exact = exact_regrets(batch, spec, ("A", "B"), points)
    eps, units = points["eps"][batch.point], points["unit"][batch.point]
    first = batch.behaviour["b"][:, 0] == 1  # l / the lottery: short of the best by eps
    tied = (eps > 0) & (eps < 2.0**-20)
    expected = np.where(first & tied, eps * units, 0.0)
    np.testing.assert_allclose(batch.regret, expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(exact, expected, rtol=1e-12, atol=0)
    assert (batch.ties == (points["eps"] < 2.0**-20)).all()
    rows = np.bincount(batch.point, minlength=len(points["eps"]))
    assert (rows == (1 + batch.ties if tie_break == "all" else 1)).all()
    np.testing.assert_allclose(  # the expected payoffs are back in the user's units too
        batch.payoffs[first & tied, 0],
        (1 if build is near_tie else 2) * points["big"][batch.point][first & tied],
        rtol=1e-8,
    )


@pytest.mark.parametrize(("unit", "big"), SCALES)
def test_a_pure_equilibrium_of_an_imperfect_subgame_within_tolerance(unit, big):
    spec = hidden_tie()
    points = points_for(unit, big)
    batch = to_bargain(spec, ("A", "B"), PARAMS).solve_batch(points)
    exact = exact_regrets(batch, spec, ("A", "B"), points)
    eps, units = points["eps"][batch.point], points["unit"][batch.point]
    u_played = batch.behaviour["a"][:, 0] == 1
    plays_r = u_played & (batch.behaviour["bU"][:, 1] == 1)
    tied = (eps > 0) & (eps < 2.0**-20)
    assert u_played.all()
    assert plays_r[tied].any() and not plays_r[~tied & (eps > 0)].any()  # (U, R) when tied
    expected = (eps * units)[plays_r]
    np.testing.assert_allclose(batch.regret[plays_r], expected, rtol=1e-12, atol=0)
    np.testing.assert_allclose(exact[plays_r], expected, rtol=1e-12, atol=0)
    # Every other row ((U, L), or B mixing within tolerance) is checked by brute force.
    assert (batch.regret <= eps * units).all()


def matching_stage(outside: str) -> Spec:
    """B takes ``outside`` or lets A and B play an asymmetric matching-pennies stage:
    A (payoffs 0 and ``big``) mixes U with 1/3, B (payoffs 0, 1, 2) mixes L with 1/2;
    B's value of the stage is 2/3."""
    spec: Spec = {
        "root": ("decision", "B", {"out": "o", "in": "a"}, None),
        "o": ("terminal", {"A": "0", "B": outside}),
        "a": ("decision", "A", {"U": "bU", "D": "bD"}, None),
        "bU": ("decision", "B", {"L": "UL", "R": "UR"}, "B-stage"),
        "bD": ("decision", "B", {"L": "DL", "R": "DR"}, "B-stage"),
    }
    payoffs = {"UL": ("big", "0"), "UR": ("0", "2"), "DL": ("0", "1"), "DR": ("big", "0")}
    for n, (a, b) in payoffs.items():
        spec[n] = ("terminal", {"A": a, "B": b})
    return spec


@pytest.mark.parametrize("big", [1.0, 1e200])
def test_outside_option_short_of_a_mixed_stage_value(big):
    """B's outside option is 2/3 - eps, its stage value 2/3: B stays out, regret eps,
    whatever A's units; the stage's mixed equilibrium is the closed form."""
    spec = matching_stage("2/3 - eps")
    points = {"eps": np.array([0.0, *EPS]), "big": np.full(4, big)}
    batch = to_bargain(spec, ("A", "B"), PARAMS).solve_batch(points)
    exact = exact_regrets(batch, spec, ("A", "B"), points)
    assert len(batch.point) == 4 and (batch.behaviour["root"][:, 0] == 1).all()
    np.testing.assert_allclose(batch.behaviour["a"][:, 0], 1 / 3, rtol=1e-12)
    np.testing.assert_allclose(batch.behaviour["bU"][:, 0], 1 / 2, rtol=1e-12)
    np.testing.assert_allclose(batch.regret, points["eps"], rtol=1e-5, atol=1e-15)
    np.testing.assert_allclose(exact, points["eps"], rtol=1e-5, atol=1e-15)


# -- brute force on random games -------------------------------------------------------------


def near_ties(rng: np.random.Generator) -> float:
    """Payoffs on a coarse grid, some short of it by less than the tie tolerance."""
    return float(rng.integers(0, 3)) / 2 - float(rng.choice([0.0, 0.0, *EPS]))


TREES_PER_SEED = 3
#: (seed, players, depth, each player's factor).
RANDOM_TREES = [
    (seed, players, depth, factors)
    for seed, (players, depth, factors) in enumerate(
        [
            (("A", "B"), 3, (1e200, 1.0)),
            (("A", "B"), 4, (1.0, 1e-200)),
            (("A", "B", "C"), 3, (2.0**600, 1.0, 2.0**-600)),
            (("A", "B", "C"), 4, (1.0, 1e200, 1.0)),
        ]
        * 2,
        start=31,
    )
]


@pytest.mark.parametrize(("seed", "players", "depth", "factors"), RANDOM_TREES)
@pytest.mark.parametrize("tie_break", ["first", "all"])
def test_random_near_tie_trees_against_brute_force(seed, players, depth, factors, tie_break):
    """Three trees per seed; the check must meet positive gains of unit players."""
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(TREES_PER_SEED):
        spec = random_tree(rng, players, depth, payoff=near_ties)
        spec = scaled(spec, dict(zip(players, factors)))
        batch = to_bargain(spec, players).solve_batch({}, tie_break=tie_break)
        gains.append(exact_regrets(batch, spec, players))
    assert (np.concatenate(gains) > 0).any()


@pytest.mark.parametrize("design", [entry_game, hidden_move_game])
@pytest.mark.parametrize("seed", [3, 4])
@pytest.mark.parametrize("factors", [(1e200, 1.0), (1.0, 1e-200)])
def test_information_set_designs_against_brute_force(design, seed, factors):
    spec = scaled(design(np.random.default_rng(seed)), dict(zip(("E", "I"), factors)))
    batch = to_bargain(spec, ("E", "I")).solve_batch({})
    exact_regrets(batch, spec, ("E", "I"))
    assert len(batch.point) >= 1
