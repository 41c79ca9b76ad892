"""Game trees against Gambit, an independent implementation of extensive-form games.

Every tree is written once in a neutral form (``Spec``: node id -> node) and
built both as a :class:`bargain.GameTree` and as a ``pygambit`` game, so the two
libraries see the same game and neither builds the other's input.

* Random perfect-information trees (2 and 3 players, depth 2 to 4, branching
  2 or 3, chance nodes with random probabilities, uniform random payoffs) have a
  unique subgame-perfect equilibrium with probability one. It must equal the
  limit of Gambit's agent logit QRE (the sequential equilibrium, at every
  decision node on and off the path), be among Gambit's pure Nash equilibria of
  the strategic form, and bargain's reduced normal form must equal Gambit's.
* Trees with information sets: bargain's set of subgame-perfect equilibria must
  equal the set composed from Gambit's own proper subgames (``Node.is_subgame_root``)
  and Gambit's ``enummixed_solve`` on each imperfect-information subgame.
* Properties (hypothesis): the SPE, written as a plan profile, is a Nash
  equilibrium of ``to_normal_form()`` at the same point, and ``solve_batch``
  equals ``solve`` point by point.
"""

from __future__ import annotations

from collections.abc import Hashable
from fractions import Fraction
from itertools import product
from typing import Any

import numpy as np
import pygambit as gbt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bargain import GameTree, Param

#: A tree in neutral form: node id -> one of
#: ("decision", player, {move: child}, infoset label or None),
#: ("chance", {branch: (probability, child)}),
#: ("terminal", {player: payoff}).
#: The first node is the root; nodes are listed parents first.
Spec = dict[str, tuple]

PLAYERS = ("A", "B", "C")


# -- building the same tree in both libraries -------------------------------------------


def random_tree(
    rng: np.random.Generator,
    players: tuple[str, ...],
    depth: int,
    *,
    max_branching: int = 3,
    p_chance: float = 0.25,
    p_stop: float = 0.15,
    payoff=None,
) -> Spec:
    """A random perfect-information tree; ``payoff(rng)`` draws one terminal payoff."""
    payoff = payoff or (lambda r: float(r.uniform(-1, 1)))
    spec: Spec = {}

    def grow(level: int) -> str:
        node = f"n{len(spec)}"
        spec[node] = ()  # reserve the id: parents are listed first
        if level == depth or (level > 0 and rng.random() < p_stop):
            spec[node] = ("terminal", {p: payoff(rng) for p in players})
            return node
        k = int(rng.integers(2, max_branching + 1))
        kids = [grow(level + 1) for _ in range(k)]
        if level > 0 and rng.random() < p_chance:
            weights = rng.integers(1, 10, size=k)
            total = int(weights.sum())
            spec[node] = (
                "chance",
                {
                    f"c{j}": (Fraction(int(w), total), c)
                    for j, (w, c) in enumerate(zip(weights, kids))
                },
            )
        else:
            player = players[int(rng.integers(len(players)))]
            spec[node] = ("decision", player, {f"m{j}": c for j, c in enumerate(kids)}, None)
        return node

    grow(0)
    return spec


def to_bargain(spec: Spec, players: tuple[str, ...], params: list[Param] | None = None) -> GameTree:
    tree = GameTree(list(players), params=params or [])
    for node, (kind, *rest) in spec.items():
        if kind == "decision":
            player, moves, infoset = rest
            tree.decision(node, player, moves, infoset=infoset)
        elif kind == "chance":
            (branches,) = rest
            tree.chance(node, {b: (_number(p), c) for b, (p, c) in branches.items()})
        else:
            (payoffs,) = rest
            tree.terminal(node, payoffs)
    return tree


def _number(p: Any) -> Any:
    return float(p) if isinstance(p, Fraction) else p


def to_gambit(
    spec: Spec, players: tuple[str, ...], root: str | None = None
) -> tuple[gbt.Game, dict[str, Any]]:
    """The (sub)tree of ``spec`` at ``root`` as a Gambit game, and spec id -> Gambit node."""
    game = gbt.Game.new_tree(players=list(players), title="cross-check")
    nodes: dict[str, Any] = {}
    infosets: dict[Hashable, Any] = {}

    def build(node: str, at: Any) -> None:
        nodes[node] = at
        kind, *rest = spec[node]
        if kind == "terminal":
            payoffs = rest[0]
            outcome = game.add_outcome(label=f"o-{node}", payoffs=[payoffs[p] for p in players])
            game.set_outcome(at, outcome)
            return
        if kind == "chance":
            branches = rest[0]
            game.append_move(at, game.players.chance, list(branches))
            game.set_chance_probs(at.infoset, [p for p, _ in branches.values()])
            children = {b: c for b, (_, c) in branches.items()}
        else:
            player, children, label = rest
            if label is not None and label in infosets:
                game.append_infoset(at, infosets[label])
            else:
                game.append_move(at, player, list(children))
                if label is not None:
                    infosets[label] = at.infoset
        for move, child in children.items():
            build(child, at.children[move])

    build(root or next(iter(spec)), game.root)
    return game, nodes


def decision_nodes(spec: Spec) -> list[str]:
    return [n for n, s in spec.items() if s[0] == "decision"]


def payoff_scale(spec: Spec) -> float:
    return max(1.0, *(abs(v) for s in spec.values() if s[0] == "terminal" for v in s[1].values()))


def one_hot(moves: list[str], choice: str) -> np.ndarray:
    return np.array([float(m == choice) for m in moves])


def behaviour_at(profile: Any, gnode: Any) -> np.ndarray:
    return np.array([float(profile[a]) for a in gnode.infoset.actions])


# -- random perfect-information trees: the agent logit QRE limit ------------------------

#: (seed, players, depth): 2 and 3 players, depth 2-4, a dozen trees of 5 to ~60 nodes.
PI_TREES = [
    (seed, n_players, depth)
    for seed, (n_players, depth) in enumerate(
        [(2, 2), (3, 2), (2, 3), (3, 3), (2, 4), (3, 4)] * 2, start=101
    )
]


def logit_limit(spec: Spec, players: tuple[str, ...], root: str | None = None):
    game, gnodes = to_gambit(spec, players, root)
    return gbt.nash.logit_solve(game, use_strategic=False).equilibria[0], gnodes


@pytest.mark.parametrize(("seed", "n_players", "depth"), PI_TREES)
def test_spe_is_the_limit_of_gambits_agent_logit_qre(seed, n_players, depth):
    players = PLAYERS[:n_players]
    spec = random_tree(np.random.default_rng(seed), players, depth)
    sol = to_bargain(spec, players).solve()
    assert len(sol) == 1 and not sol.ties and not sol.degenerate
    profile, gnodes = logit_limit(spec, players)
    for node in decision_nodes(spec):
        moves = list(spec[node][2])
        expected = behaviour_at(profile, gnodes[node])
        if (
            not np.allclose(expected, one_hot(moves, sol.choices[node]), atol=1e-3)
            and float(profile.infoset_prob(gnodes[node].infoset)) < 1e-12
        ):
            # The QRE path stops once the regret weighted by the reach
            # probability is small, so a set reached with probability ~0 may
            # still be far from the limit when its player is nearly
            # indifferent. Solve that subtree on its own (reached for sure).
            sub, sub_nodes = logit_limit(spec, players, root=node)
            expected = behaviour_at(sub, sub_nodes[node])
        np.testing.assert_allclose(
            expected, one_hot(moves, sol.choices[node]), atol=1e-3, err_msg=f"node {node}"
        )
    scale = payoff_scale(spec)
    for p in players:
        assert abs(sol.payoffs[p] - float(profile.payoff(p))) <= 1e-6 * scale, p
    for t, prob in sol.reach.items():
        assert prob == pytest.approx(float(profile.realiz_prob(gnodes[t])), abs=1e-3), t
    assert sum(sol.reach.values()) == pytest.approx(1.0)


# -- the SPE is a pure Nash equilibrium of Gambit's strategic form ----------------------


def gambit_strategy(game: gbt.Game, player: str, choices: dict[str, Any], gnodes) -> Any:
    """The one reduced strategy of ``player`` that agrees with ``choices`` where defined."""
    own = [n for n in choices if gnodes[n].player.label == player]
    infosets = {gnodes[n].infoset: choices[n] for n in own}
    matches = [
        s
        for s in game.players[player].strategies
        if all(s.action(h) is None or s.action(h).label == c for h, c in infosets.items())
    ]
    assert len(matches) == 1, (player, [s.label for s in matches])
    return matches[0]


#: Smaller trees, so that Gambit's strategic form stays small.
PURE_TREES = [(seed, n, d) for seed, (n, d) in enumerate([(2, 2), (3, 2), (2, 3), (3, 3)] * 2, 201)]


@pytest.mark.parametrize(("seed", "n_players", "depth"), PURE_TREES)
def test_spe_is_among_gambits_pure_nash_equilibria(seed, n_players, depth):
    players = PLAYERS[:n_players]
    spec = random_tree(np.random.default_rng(seed), players, depth)
    sol = to_bargain(spec, players).solve()
    game, gnodes = to_gambit(spec, players)
    ours = tuple(gambit_strategy(game, p, sol.choices, gnodes).number for p in players)
    found = gbt.nash.enumpure_solve(game).equilibria
    theirs = {
        tuple(next(s.number for s in game.players[p].strategies if eq[s] == 1) for p in players)
        for eq in found
    }
    assert ours in theirs, (ours, theirs)


# -- bargain's reduced normal form against Gambit's ------------------------------------


def plan_label(spec: Spec, player: str, plan: dict[str, str]) -> str:
    """bargain's label of a plan: moves at the player's nodes in declaration order,
    ``*`` where the player's own earlier move excludes the node."""
    parent = {c: (n, m) for n, s in spec.items() if s[0] == "decision" for m, c in s[2].items()}
    parent |= {c: (n, None) for n, s in spec.items() if s[0] == "chance" for _, c in s[1].values()}

    def excluded(node: str) -> bool:
        while node in parent:
            node, move = parent[node]
            if spec[node][0] == "decision" and spec[node][1] == player and plan[node] != move:
                return True
        return False

    own = [n for n in decision_nodes(spec) if spec[n][1] == player]
    return "/".join("*" if excluded(n) else plan[n] for n in own) or "(none)"


@pytest.mark.parametrize("seed", [301, 302, 303, 304])
def test_reduced_normal_form_matches_gambits(seed):
    players = PLAYERS[: 2 + seed % 2]
    spec = random_tree(np.random.default_rng(seed), players, 3, max_branching=2)
    nf = to_bargain(spec, players).to_normal_form()
    game, gnodes = to_gambit(spec, players)
    arrays = [np.asarray(a, dtype=float) for a in game.to_arrays(dtype=float)]
    index = []  # per player: Gambit strategy position -> bargain strategy position
    for i, p in enumerate(players):
        own = [n for n in decision_nodes(spec) if spec[n][1] == p]
        labels = []
        for s in game.players[p].strategies:
            plan = {}
            for n in own:
                action = s.action(gnodes[n].infoset)
                plan[n] = action.label if action is not None else None
            labels.append(plan_label(spec, p, plan))
        assert sorted(labels) == sorted(nf.strategies[i]), p
        index.append([nf.strategies[i].index(label) for label in labels])
    tensor = nf.payoff_tensor(nf.params.bind_batch({}))[..., 0]
    for k in range(len(players)):
        ours = tensor[k][np.ix_(*index)]
        np.testing.assert_allclose(ours, arrays[k], rtol=1e-12, atol=1e-12)


# -- trees with information sets: SPE set composed from Gambit's subgames --------------


def entry_game(rng: np.random.Generator) -> Spec:
    """Nature draws the market; in each an entrant stays out or enters into a
    simultaneous-move stage (the incumbent does not see the entrant's move).
    In the boom market one outcome of the 3x3 stage leads to a further,
    observed choice of the incumbent: a perfect-information subgame nested in
    the imperfect one."""

    def u() -> dict[str, float]:
        return {"E": float(rng.uniform(-1, 1)), "I": float(rng.uniform(-1, 1))}

    p = Fraction(int(rng.integers(1, 9)), 9)
    spec: Spec = {
        "market": ("chance", {"boom": (p, "enter-boom"), "bust": (1 - p, "enter-bust")}),
        "enter-boom": ("decision", "E", {"out": "out-boom", "in": "stage-boom"}, None),
        "out-boom": ("terminal", {"E": 0.0, "I": 1.0}),
        "stage-boom": ("decision", "E", {"x0": "boom-0", "x1": "boom-1", "x2": "boom-2"}, None),
    }
    for i in range(3):
        spec[f"boom-{i}"] = ("decision", "I", {f"y{j}": f"boom-{i}{j}" for j in range(3)}, "I-boom")
    for i, j in product(range(3), range(3)):
        if (i, j) == (1, 2):
            spec["boom-12"] = ("decision", "I", {"z0": "boom-12a", "z1": "boom-12b"}, None)
            spec["boom-12a"] = ("terminal", u())
            spec["boom-12b"] = ("terminal", u())
        else:
            spec[f"boom-{i}{j}"] = ("terminal", u())
    spec |= {
        "enter-bust": ("decision", "E", {"out": "out-bust", "in": "stage-bust"}, None),
        "out-bust": ("terminal", {"E": 0.0, "I": 0.5}),
        "stage-bust": ("decision", "I", {"y0": "bust-0", "y1": "bust-1"}, None),
        "bust-0": ("decision", "E", {"x0": "bust-00", "x1": "bust-01"}, "E-bust"),
        "bust-1": ("decision", "E", {"x0": "bust-10", "x1": "bust-11"}, "E-bust"),
    }
    for i, j in product(range(2), range(2)):
        spec[f"bust-{i}{j}"] = ("terminal", u())
    return spec


def hidden_move_game(rng: np.random.Generator) -> Spec:
    """No proper subgame: the second mover does not observe the first move at the
    root (3 x 2), and the first mover moves again after seeing one outcome."""

    def u() -> dict[str, float]:
        return {"E": float(rng.uniform(-1, 1)), "I": float(rng.uniform(-1, 1))}

    spec: Spec = {"root": ("decision", "E", {f"x{i}": f"h{i}" for i in range(3)}, None)}
    for i in range(3):
        spec[f"h{i}"] = ("decision", "I", {"y0": f"h{i}0", "y1": f"h{i}1"}, "I-hidden")
    for i, j in product(range(3), range(2)):
        if (i, j) == (0, 1):
            spec["h01"] = ("decision", "E", {"z0": "h01a", "z1": "h01b", "z2": "h01c"}, None)
            for leaf in ("h01a", "h01b", "h01c"):
                spec[leaf] = ("terminal", u())
        else:
            spec[f"h{i}{j}"] = ("terminal", u())
    return spec


def subgame_perfect_via_gambit(spec: Spec, players: tuple[str, ...]) -> list[tuple[dict, dict]]:
    """Every SPE as (behaviour {decision node: probabilities}, payoffs {player: value}).

    Proper subgames are Gambit's (``Node.is_subgame_root``), processed bottom-up:
    each is replaced by the payoffs of one of its equilibria. A region with an
    information set of several nodes is solved by Gambit's ``enummixed_solve``
    (its extreme equilibria: all of them in a nondegenerate game); a lone
    decision node takes its best move, a chance node its expectation.
    """
    _, gnodes = to_gambit(spec, players)
    roots = {n for n, g in gnodes.items() if spec[n][0] != "terminal" and g.is_subgame_root}
    roots.add(next(iter(spec)))

    def children(node: str) -> list[str]:
        kind, *rest = spec[node]
        if kind == "decision":
            return list(rest[1].values())
        if kind == "chance":
            return [c for _, c in rest[0].values()]
        return []

    def region(node: str) -> list[str]:
        out, stack = [], [node]
        while stack:
            v = stack.pop()
            out.append(v)
            stack.extend(c for c in children(v) if c not in roots and spec[c][0] != "terminal")
        return out

    def boundary(nodes: list[str]) -> list[str]:
        return [c for v in nodes for c in children(v) if c not in nodes]

    def solve(node: str) -> list[tuple[dict, np.ndarray]]:
        """Alternatives (behaviour, values) of the subgame at ``node``."""
        if spec[node][0] == "terminal":
            return [({}, np.array([spec[node][1][p] for p in players]))]
        nodes = region(node)
        below = boundary(nodes)
        out = []
        for combo in product(*(solve(c) for c in below)):
            behaviour = {k: v for b, _ in combo for k, v in b.items()}
            value = {c: v for c, (_, v) in zip(below, combo)}
            if len(nodes) == 1 and spec[node][0] == "chance":
                probs = [float(p) for p, _ in spec[node][1].values()]
                out.append((behaviour, sum(p * value[c] for p, c in zip(probs, children(node)))))
            elif len(nodes) == 1:
                k = players.index(spec[node][1])
                kids = children(node)
                best = int(np.argmax([value[c][k] for c in kids]))
                out.append(({**behaviour, node: np.eye(len(kids))[best]}, value[kids[best]]))
            else:
                out.extend(
                    (behaviour | b, v) for b, v in stage_equilibria(spec, players, nodes, value)
                )
        return out

    return [(b, dict(zip(players, v.tolist()))) for b, v in solve(next(iter(spec)))]


def stage_equilibria(spec: Spec, players, nodes: list[str], value: dict[str, np.ndarray]):
    """Gambit's equilibria of a region, solved subgames replaced by their values."""
    stage: Spec = {}
    for v in nodes:
        stage[v] = spec[v]
    for c, v in value.items():
        stage[c] = ("terminal", dict(zip(players, v.tolist())))
    game, gnodes = to_gambit(stage, players)
    for eq in gbt.nash.enummixed_solve(game, rational=False).equilibria:
        behaviour = eq.as_behavior()
        yield (
            {v: behaviour_at(behaviour, gnodes[v]) for v in nodes if spec[v][0] == "decision"},
            np.array([float(eq.payoff(p)) for p in players]),
        )


def bargain_spe_set(spec: Spec, players) -> list[tuple[dict, dict]]:
    """bargain's SPEs as (behaviour, payoffs); NaN where a choice is None."""
    sol = to_bargain(spec, players).solve()
    assert not sol.ties and not sol.degenerate
    out = []
    for eq in sol:
        behaviour = {}
        for node, choice in eq.choices.items():
            moves = list(spec[node][2])
            if isinstance(choice, dict):
                behaviour[node] = np.array([choice.get(m, 0.0) for m in moves])
            elif choice is None:
                behaviour[node] = np.full(len(moves), np.nan)
            else:
                behaviour[node] = one_hot(moves, choice)
        out.append((behaviour, eq.payoffs, eq.reach))
    return out


def same_equilibrium(ours: tuple, theirs: tuple, tol: float = 1e-7) -> bool:
    (ba, pa, _), (bb, pb) = ours, theirs
    return (
        ba.keys() == bb.keys()
        and all(np.allclose(ba[n], bb[n], atol=tol) for n in ba)
        and all(abs(pa[p] - pb[p]) <= tol for p in pa)
    )


DESIGNS = [(entry_game, s) for s in range(6)] + [(hidden_move_game, s) for s in range(6)]


@pytest.mark.parametrize(("design", "seed"), DESIGNS)
def test_spe_payoffs_with_information_sets_match_gambit_subgames(design, seed):
    """Number of SPEs and their payoffs."""
    spec = design(np.random.default_rng(seed))
    players = ("E", "I")
    ours = sorted(tuple(eq[1].values()) for eq in bargain_spe_set(spec, players))
    theirs = sorted(tuple(eq[1].values()) for eq in subgame_perfect_via_gambit(spec, players))
    assert len(ours) == len(theirs)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)


@pytest.mark.parametrize(("design", "seed"), DESIGNS)
def test_spe_set_with_information_sets_matches_gambit_subgames(design, seed):
    spec = design(np.random.default_rng(seed))
    players = ("E", "I")
    ours = bargain_spe_set(spec, players)
    theirs = subgame_perfect_via_gambit(spec, players)
    assert len(ours) == len(theirs)
    unmatched = list(theirs)
    for eq in ours:
        match = next((i for i, t in enumerate(unmatched) if same_equilibrium(eq, t)), None)
        assert match is not None, f"bargain's SPE {eq[:2]} is not among Gambit's {unmatched}"
        unmatched.pop(match)
    # Each SPE is also a Nash equilibrium of the whole game for Gambit, and its
    # reach probabilities are Gambit's realization probabilities.
    game, gnodes = to_gambit(spec, players)
    for behaviour, _, reach in ours:
        profile = game.mixed_behavior_profile()
        for node, probs in behaviour.items():
            for action, prob in zip(gnodes[node].infoset.actions, probs):
                profile[action] = float(prob)
        assert float(profile.max_regret()) <= 1e-9
        for t, prob in reach.items():
            assert prob == pytest.approx(float(profile.realiz_prob(gnodes[t])), abs=1e-9), t


def test_information_set_designs_have_several_equilibria():
    """The designs exercise equilibrium combination: some seed has several SPEs."""
    counts = [len(to_bargain(d(np.random.default_rng(s)), ("E", "I")).solve()) for d, s in DESIGNS]
    assert max(counts) >= 3, counts


def test_behaviour_in_an_imperfect_subgame_below_the_root():
    """Minimal reproduction: a 2x2 game with a hidden move (unique mixed equilibrium,
    A plays U with 2/3, B plays L with 2/3) after B's entry decision. The root
    and the terminal ``q`` come first, so node and information-set indices differ."""
    tree = GameTree(["A", "B"])
    tree.decision("start", "B", {"play": "a", "quit": "q"})
    tree.terminal("q", {"A": 0, "B": 0})
    tree.decision("a", "A", {"U": "bu", "D": "bd"})
    tree.decision("bu", "B", {"L": "ul", "R": "ur"}, infoset="B")
    tree.decision("bd", "B", {"L": "dl", "R": "dr"}, infoset="B")
    tree.terminal("ul", {"A": 1, "B": 0})
    tree.terminal("ur", {"A": 0, "B": 1})
    tree.terminal("dl", {"A": 0, "B": 2})
    tree.terminal("dr", {"A": 2, "B": 0})
    sol = tree.solve()
    assert sol.payoffs == pytest.approx({"A": 2 / 3, "B": 2 / 3})  # right already
    assert sol.choices["start"] == "play"
    assert sol.choices["a"] == pytest.approx({"U": 2 / 3, "D": 1 / 3})  # None
    assert sol.choices["bu"] == pytest.approx({"L": 2 / 3, "R": 1 / 3})  # None
    assert sum(sol.reach.values()) == pytest.approx(1.0)  # 0


# -- properties: SPE is a Nash equilibrium of the reduced normal form; batch = points ----

PARAMS = [Param("x", 0.5, low=0, high=1), Param("y", 0.5, low=0, high=1)]


def formula_payoff(rng: np.random.Generator) -> str:
    a, b, c = rng.uniform(-1, 1, size=3).round(6)
    return f"{a} + {b}*x + {c}*y"


def formula_tree(seed: int, n_players: int, depth: int) -> Spec:
    """A random binary tree whose payoffs are linear in x, y and whose chance
    nodes have probabilities x and 1 - x."""
    rng = np.random.default_rng(seed)
    spec = random_tree(
        rng, PLAYERS[:n_players], depth, max_branching=2, p_chance=0.3, payoff=formula_payoff
    )
    for node, s in spec.items():
        if s[0] == "chance":
            kids = [c for _, c in s[1].values()]
            spec[node] = ("chance", {"c0": ("x", kids[0]), "c1": ("1 - x", kids[1])})
    # Shuffle the declaration order below the root: labels follow declaration order.
    order = list(spec)[1:]
    rng.shuffle(order)
    return {n: spec[n] for n in [next(iter(spec)), *order]}


def plan_profile(spec: Spec, players, choices: dict[str, str]) -> tuple[str, ...]:
    return tuple(plan_label(spec, p, choices) for p in players)


TREES = st.tuples(st.integers(0, 2**32 - 1), st.sampled_from([2, 3]), st.integers(2, 3))
POINTS = st.lists(st.tuples(st.floats(0.01, 0.99), st.floats(0.01, 0.99)), min_size=1, max_size=6)
PROPERTY_SETTINGS = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@PROPERTY_SETTINGS
@given(TREES, POINTS)
def test_spe_is_a_nash_equilibrium_of_the_reduced_normal_form(tree_args, points):
    seed, n_players, depth = tree_args
    players = PLAYERS[:n_players]
    spec = formula_tree(seed, n_players, depth)
    tree = to_bargain(spec, players, PARAMS)
    nf = tree.to_normal_form()
    xs, ys = (np.array(v) for v in zip(*points))
    tensor = nf.payoff_tensor(nf.params.bind_batch({"x": xs, "y": ys}))
    for t, (x, y) in enumerate(points):
        sol = tree.solve(x=x, y=y)
        profile = tuple(
            nf.strategies[i].index(label)
            for i, label in enumerate(plan_profile(spec, players, sol.choices))
        )
        payoffs = tensor[..., t]
        scale = max(1.0, np.abs(payoffs).max())
        for i, p in enumerate(players):
            assert payoffs[(i, *profile)] == pytest.approx(sol.payoffs[p], abs=1e-9 * scale)
            deviations = payoffs[(i, *profile[:i], slice(None), *profile[i + 1 :])]
            assert deviations.max() <= payoffs[(i, *profile)] + 1e-9 * scale, (p, x, y)


@PROPERTY_SETTINGS
@given(TREES, POINTS)
def test_batch_equals_points_solved_one_by_one(tree_args, points):
    seed, n_players, depth = tree_args
    players = PLAYERS[:n_players]
    tree = to_bargain(formula_tree(seed, n_players, depth), players, PARAMS)
    xs, ys = (np.array(v) for v in zip(*points))
    batch = tree.solve_batch({"x": xs, "y": ys})
    assert len(batch) == len(points)
    for t, (x, y) in enumerate(points):
        one = tree.solve(x=x, y=y)
        assert batch.count[t] == len(one) == 1
        assert batch[t].choices == one.choices
        assert batch[t].path == one.path
        for key in ("reach", "payoffs"):
            ours, theirs = getattr(batch[t], key), getattr(one, key)
            assert ours.keys() == theirs.keys()
            assert all(ours[k] == pytest.approx(theirs[k], abs=1e-12) for k in ours)
        row = int(np.flatnonzero(batch.point == t)[0])
        np.testing.assert_allclose(batch.payoffs[row], [one.payoffs[p] for p in players])
        np.testing.assert_allclose(batch.reach[row], [one.reach[n] for n in batch.terminals])
