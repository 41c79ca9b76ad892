"""Gambit's n-player methods as batched kernels and through NormalFormGame.solve:
enumpoly against a brute-force support enumeration of 2x2x2 games, the other methods
inside enumpoly's set, verified rows, budgets and refusals."""

from __future__ import annotations

import warnings
from itertools import product

import numpy as np
import pytest
import sympy

from bargain import BudgetError, NormalFormGame, Param
from bargain.solvers.arrays import payoff_atol, regrets
from bargain.solvers.gambit_methods import enumpoly, gnm, ipa, liap, simpdiv

gbt = pytest.importorskip("pygambit")

APPROXIMATE = {"gnm": gnm, "ipa": ipa, "simpdiv": simpdiv, "liap": liap}


def random_games(shape: tuple[int, ...], n: int, seed: int) -> np.ndarray:
    """N integer games (P, s_1, ..., s_P, N), payoffs in -50 ... 50."""
    rng = np.random.default_rng(seed)
    return rng.integers(-50, 51, size=(len(shape), *shape, n)).astype(float)


def rows_of(found, t: int) -> list[np.ndarray]:
    return [
        np.concatenate([mix[e] for mix in found.profiles]) for e in np.flatnonzero(found.point == t)
    ]


def same_sets(ours: list[np.ndarray], theirs: list[np.ndarray], atol: float = 1e-6) -> bool:
    inside = all(any(np.abs(a - b).max() <= atol for b in theirs) for a in ours)
    return inside and all(any(np.abs(a - b).max() <= atol for a in ours) for b in theirs)


def assert_verified(payoffs: np.ndarray, found) -> None:
    """Every row's regret within the payoff tolerance of its game (PAYOFF_RTOL of the range)."""
    games = np.moveaxis(payoffs[..., found.point], -1, 0)
    gains = regrets(games, found.profiles)
    assert (gains <= payoff_atol(payoffs)[:, found.point].T).all()


def brute_force_2x2x2(u: np.ndarray) -> list[np.ndarray]:
    """All equilibria of a nondegenerate 2x2x2 game: on each of the 27 support profiles,
    the exact solutions of the mixing players' indifference equations, kept if every
    player's regret is <= 1e-9 (sympy, independent of Gambit)."""
    x = sympy.symbols("x0:3")  # probability of each player's first strategy
    exact = sympy.Matrix(u.reshape(3, 8).tolist()).applyfunc(sympy.nsimplify)
    found = []
    for support in product([(0,), (1,), (0, 1)], repeat=3):
        mix = [
            x[p] if len(s) == 2 else sympy.Integer(int(s == (0,))) for p, s in enumerate(support)
        ]
        probs = [(m, 1 - m) for m in mix]

        def value(p: int, own: int, probs: list = probs) -> sympy.Expr:
            total = sympy.Integer(0)
            for idx in product(range(2), repeat=3):
                if idx[p] != own:
                    continue
                weight = sympy.Mul(*(probs[q][idx[q]] for q in range(3) if q != p))
                total += weight * exact[p, idx[0] * 4 + idx[1] * 2 + idx[2]]
            return total

        unknowns = [x[p] for p, s in enumerate(support) if len(s) == 2]
        equations = [value(p, 0) - value(p, 1) for p, s in enumerate(support) if len(s) == 2]
        solutions = sympy.solve(equations, unknowns, dict=True) if unknowns else [{}]
        for solution in solutions:
            assert len(solution) == len(unknowns), "a continuum: the game is degenerate"
            point = [complex(sympy.N(m.subs(solution), 30)) for m in mix]
            if any(abs(v.imag) > 1e-12 or not -1e-12 <= v.real <= 1 + 1e-12 for v in point):
                continue
            profile = tuple(np.array([v.real, 1 - v.real]) for v in point)
            if (regrets(u[None], tuple(m[None] for m in profile)) <= 1e-9).all():
                found.append(np.concatenate(profile))
    return found


def test_enumpoly_finds_exactly_the_equilibria_of_2x2x2_games():
    payoffs = random_games((2, 2, 2), 6, seed=3)
    found = enumpoly(payoffs)
    assert_verified(payoffs, found)
    counts = []
    for t in range(payoffs.shape[-1]):
        theirs = brute_force_2x2x2(payoffs[..., t])
        assert same_sets(rows_of(found, t), theirs), t
        counts.append(len(theirs))
    assert max(counts) >= 3  # games with several equilibria, mixed ones among them


def test_the_other_methods_find_equilibria_inside_enumpolys_set():
    """On 2x2x2 games, where enumpoly matches the brute force above."""
    payoffs = random_games((2, 2, 2), 4, seed=11)
    complete = enumpoly(payoffs)
    assert_verified(payoffs, complete)
    assert (np.bincount(complete.point, minlength=4) >= 1).all()
    for name, method in APPROXIMATE.items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # liap may run out on some starts
            found = method(payoffs, starts=3)
        assert_verified(payoffs, found)
        assert len(found.point) >= 4, name
        for t in range(4):
            for row in rows_of(found, t):  # refined to float precision, not Gambit's 1e-4
                assert any(np.abs(row - r).max() <= 1e-9 for r in rows_of(complete, t)), name


def test_enumpoly_is_not_complete_on_3x3x2_games_and_says_where_it_found_none():
    """Gambit's enumpoly finds nothing at one of these games and misses an equilibrium
    gnm finds at another: every row is verified all the same."""
    payoffs = random_games((3, 3, 2), 4, seed=11)
    with pytest.warns(UserWarning, match=r"enumpoly found no equilibrium at 1 of the 4 points"):
        complete = enumpoly(payoffs)
    assert_verified(payoffs, complete)
    found = gnm(payoffs, starts=3)
    assert_verified(payoffs, found)
    outside = [
        row
        for t in range(4)
        for row in rows_of(found, t)
        if not any(np.abs(row - r).max() <= 1e-9 for r in rows_of(complete, t))
    ]
    assert outside  # equilibria enumpoly missed


def test_an_equilibrium_in_irrational_strategies_is_refined_to_float_precision():
    """Nau, Gomez Canovas and Hansen (2004), section 4: a 2x2x2 game whose unique
    equilibrium has irrational probabilities."""
    g = gbt.catalog.load("journals/ijgt/nau2004/sec4")
    payoffs = np.stack([np.array(a, dtype=float) for a in g.to_arrays(dtype=float)])[..., None]
    profiles = []
    for method in (enumpoly, *APPROXIMATE.values()):
        found = method(payoffs) if method is enumpoly else method(payoffs, starts=3)
        assert len(found.point) == 1
        gains = regrets(np.moveaxis(payoffs, -1, 0), found.profiles)
        assert gains.max() <= 1e-14
        profiles.append(np.concatenate([mix[0] for mix in found.profiles]))
    assert all(np.abs(p - profiles[0]).max() <= 1e-12 for p in profiles)


def test_normal_form_games_solve_with_gambits_methods():
    game = NormalFormGame.from_arrays(*random_games((3, 3, 2), 1, seed=5)[..., 0])
    complete = game.solve(method="enumpoly")
    assert len(complete) >= 1 and complete.method == "enumpoly"
    frame = complete.to_frame()
    assert (frame["regret"] <= 1e-9 * 100).all()
    for name in APPROXIMATE:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            solution = game.solve(method=name)
        assert type(solution) is type(complete)
        for eq in solution:
            assert any(
                all(np.abs(a - b).max() <= 1e-9 for a, b in zip(eq.profile, other.profile))
                for other in complete
            ), name


def test_budgets_and_refusals_are_reported():
    with pytest.raises(BudgetError, match=r"4x4x4 game has 3,375 support profiles.*'gnm'"):
        NormalFormGame.from_arrays(*random_games((4, 4, 4), 1, seed=0)[..., 0]).solve(
            method="enumpoly"
        )
    payoffs = random_games((3, 3, 3), 300, seed=2)
    with pytest.warns(UserWarning, match=r"time budget \(0\.05 s .*\) ran out after .*seconds="):
        found = simpdiv(payoffs, seconds=0.05)
    assert len(np.unique(found.point)) < 300
    with pytest.warns(UserWarning, match=r"liap: 1 start\(s\) reached no equilibrium"):
        liap(random_games((2, 2, 2), 1, seed=0), maxiter=1)
    several = random_games((3, 3, 2), 4, seed=11)
    with pytest.warns(UserWarning, match=r"enumpoly stopped after stop_after=1 equilibria"):
        enumpoly(several, stop_after=1)


def test_enumpoly_says_where_it_found_nothing():
    """A 2x2x2x2 game where Gambit's polynomial solver finds no equilibrium; simpdiv
    finds one, which bargain verifies (a 3x3x2 game above is another)."""
    rng = np.random.default_rng(1)
    payoffs = np.stack([rng.integers(-20, 21, size=(2, 2, 2, 2)) for _ in range(4)])
    payoffs = payoffs.astype(float)[..., None]
    with pytest.warns(UserWarning, match=r"enumpoly found no equilibrium at 1 of the 1 points"):
        assert len(enumpoly(payoffs).point) == 0
    found = simpdiv(payoffs)
    assert len(found.point) == 1
    assert_verified(payoffs, found)


def drifting_game(seed: int) -> NormalFormGame:
    """A 3x3x3 game whose payoffs are u + t * v (u, v random integers): one game per t."""
    u, v = random_games((3, 3, 3), 2, seed=seed).transpose(4, 0, 1, 2, 3)
    payoffs = {
        p: np.vectorize(lambda a, b: f"{a:g} + {b:g} * t", otypes=[object])(u[i], v[i]).tolist()
        for i, p in enumerate(["A", "B", "C"])
    }
    strategies = {p: ["x", "y", "z"] for p in payoffs}
    return NormalFormGame(["A", "B", "C"], strategies, payoffs, params=[Param("t", 0.0)])


def test_solve_forwards_seconds_to_gambits_methods_and_names_the_option():
    game = drifting_game(seed=3)
    points = {"t": np.linspace(0, 1, 400)}
    with pytest.warns(UserWarning, match=r"simpdiv: the time budget .* ran out .* seconds="):
        short = game.solve_batch(points, method="simpdiv", seconds=0.05)
    assert (short.count == 0).sum() > 0
    # chunks after the time is up are not started: one warning names the solve option
    with pytest.warns(UserWarning, match=r"seconds=0\.05 ran out before \d+ of 400 points"):
        game.solve_batch(points, method="ipa", seconds=0.05, chunk_size=40)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        few = game.solve_batch({"t": [0.0, 0.5]}, method="gnm", seconds=60.0)
    assert (few.count >= 1).all()
    assert not [w for w in caught if "time budget" in str(w.message)]


def test_enumpoly_claims_a_miss_only_where_it_ran_to_the_end():
    """A batch cut short by ``seconds``: the points the time did not reach are counted by
    the time warning, not as points Gambit's solver missed. The batch is one game where
    enumpoly finds nothing (see above), then 2,000 copies of a game with a strictly
    dominant profile (enumpoly finds it), so every reached point but the first has a row."""
    rng = np.random.default_rng(1)
    miss = np.stack([rng.integers(-20, 21, size=(2, 2, 2, 2)) for _ in range(4)]).astype(float)
    dominant = np.zeros((4, 2, 2, 2, 2))
    for p in range(4):  # every player gains 1 from its first strategy, whatever the others do
        index = [slice(None)] * 4
        index[p] = 0
        dominant[(p, *index)] = 1.0
    payoffs = np.concatenate([miss[..., None], np.repeat(dominant[..., None], 2000, -1)], -1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        found = enumpoly(payoffs, seconds=0.3)
    messages = [str(w.message) for w in caught]
    (timed,) = [m for m in messages if "time budget" in m]
    reached = int(timed.split("ran out after ")[1].split(" of ")[0].replace(",", ""))
    assert reached < 2001 and found.point.tolist() == list(range(1, reached))
    missed = [m for m in messages if "missed it" in m]
    assert missed == (
        [
            f"enumpoly found no equilibrium at 1 of the {reached:,} points it solved, though every "
            "finite game has one (Gambit's polynomial solver missed it): solve them with "
            "method='simpdiv'"
        ]
        if reached
        else []
    )


def test_a_normal_form_solve_stopped_by_seconds_claims_no_miss():
    """Through NormalFormGame.solve: seconds too short for the batch gives the time
    warning and a no-equilibrium warning that names the budget, and no claim that
    Gambit's solver missed anything (on 2x2x2 games enumpoly finds every equilibrium, so
    each point it reached has a row; the others were stopped by the time)."""
    u, v = random_games((2, 2, 2), 2, seed=4).transpose(4, 0, 1, 2, 3)
    payoffs = {
        p: np.vectorize(lambda a, b: f"{a:g} + {b:g} * t", otypes=[object])(u[i], v[i]).tolist()
        for i, p in enumerate(["A", "B", "C"])
    }
    strategies = {p: ["x", "y"] for p in payoffs}
    game = NormalFormGame(["A", "B", "C"], strategies, payoffs, params=[Param("t", 0.0)])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        solution = game.solve_batch({"t": np.linspace(0, 1, 300)}, method="enumpoly", seconds=0.01)
    messages = [str(w.message) for w in caught]
    assert (solution.count == 0).any()
    assert any("enumpoly: the time budget" in m for m in messages)
    assert any("enumpoly found none, or its time budget ran out first" in m for m in messages)
    assert not [m for m in messages if "missed it" in m]
