"""Closed forms of two-player normal-form games: textbook results, the numeric solver at
seeded points inside and outside every case, and the 2x2 case split."""

from __future__ import annotations

import numpy as np
import pytest
import sympy

import bargain
from bargain import BayesianGame, ModelError, NormalFormGame, Param
from bargain.algebra import truth_at
from bargain.games.normal.regions import regions

crash, T, R, S, P = sympy.symbols("crash T R S P")


def chicken() -> NormalFormGame:
    """Chicken with the cost of a crash as its parameter (swerving against straight: -1, 1)."""
    return NormalFormGame(
        ["row", "col"],
        [["swerve", "straight"], ["swerve", "straight"]],
        {"row": [[0, -1], [1, "-crash"]], "col": [[0, 1], [-1, "-crash"]]},
        params=[Param("crash", 4, low=0, high=10)],
    )


def symmetric(low_high: dict[str, tuple[float, float]]) -> NormalFormGame:
    """The symmetric 2x2 game of temptation T, reward R, sucker S and punishment P."""
    return NormalFormGame(
        ["row", "col"],
        [["C", "D"], ["C", "D"]],
        {"row": [["R", "S"], ["T", "P"]], "col": [["R", "T"], ["S", "P"]]},
        params=[Param(n, (lo + hi) / 2, low=lo, high=hi) for n, (lo, hi) in low_high.items()],
    )


#: T > R > S > P everywhere: Chicken; T > R > P > S: a Prisoner's Dilemma;
#: R > T > P > S: a Stag Hunt.
CHICKEN = {"T": (4, 5), "R": (2, 3), "S": (0, 1), "P": (-3, -1)}
PRISONERS = {"T": (4, 5), "R": (2, 3), "P": (0, 1), "S": (-3, -1)}
STAG_HUNT = {"R": (4, 5), "T": (2, 3), "P": (0, 1), "S": (-3, -1)}


def family() -> NormalFormGame:
    """R = 3, P = 1 and T, S free: a Prisoner's Dilemma, Chicken, Stag Hunt or Harmony."""
    return NormalFormGame(
        ["row", "col"],
        [["C", "D"], ["C", "D"]],
        {"row": [[3, "s"], ["t", 1]], "col": [[3, "t"], ["s", 1]]},
        params=[Param("t", 4, low=0, high=6), Param("s", 0, low=-2, high=4)],
    )


def linear_game(m: int, n: int, seed: int) -> NormalFormGame:
    """An m x n game whose payoffs are linear in x and y with seeded integer coefficients."""
    rng = np.random.default_rng(seed)

    def payoff() -> str:
        a, b, c = rng.integers(-9, 10, size=3)
        return f"{a} + {b} * x + {c} * y"

    return NormalFormGame(
        ["r", "c"],
        [[f"a{i}" for i in range(m)], [f"b{j}" for j in range(n)]],
        {p: [[payoff() for _ in range(n)] for _ in range(m)] for p in ("r", "c")},
        params=[Param("x", 0, low=-1, high=1), Param("y", 0, low=-1, high=1)],
    )


# -- evaluating closed forms at points ---------------------------------------------------


def evaluate(game: NormalFormGame, expr: sympy.Basic, points: dict) -> np.ndarray:
    """An expression or condition at N points (float arithmetic)."""
    names = game.params.names
    function = sympy.lambdify([sympy.Symbol(n) for n in names], expr, "numpy")
    size = len(next(iter(points.values())))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.broadcast_to(function(*(points[n] for n in names)), (size,))


def box_points(game: NormalFormGame, n: int, rng: np.random.Generator) -> dict:
    return {p.name: rng.uniform(p.low, p.high, n) for p in game.params}


def sample(game, cond, n: int, rng, holds: bool = True, tries: int = 4000) -> dict:
    """Up to n points of the box where ``cond`` is exactly ``holds``."""
    points = box_points(game, tries, rng)
    kept = np.flatnonzero(evaluate(game, cond, points) == holds)[: 3 * n]
    exact = [
        truth_at(cond, {sympy.Symbol(k): sympy.Rational(v[t]) for k, v in points.items()})
        for t in kept
    ]
    kept = kept[np.asarray(exact, dtype=object) == holds][:n]
    return {k: v[kept] for k, v in points.items()}


def assert_agrees(game: NormalFormGame, derivation, n: int = 10, seed: int = 0) -> int:
    """Inside each case the numeric solver has exactly one equilibrium with its label and its
    values (to 1e-9); outside it none. Returns the number of cases checked inside."""
    rng = np.random.default_rng(seed)
    checked = 0
    for case in derivation.cases:
        for holds in (True, False):
            points = sample(game, case.where, n, rng, holds)
            size = len(next(iter(points.values())))
            if not size:
                continue
            batch = game.solve_batch(points)
            assert not batch.degenerate.any()
            labels, columns = batch.regimes()[0], batch.measure_columns()
            expected = {k: evaluate(game, v, points) for k, v in case.values.items()}
            for t in range(size):
                rows = np.flatnonzero((batch.point == t) & (labels == case.label))
                same = [
                    e
                    for e in rows
                    if all(
                        np.isclose(columns[k][e], expected[k][t], rtol=1e-9, atol=1e-9)
                        for k in expected
                    )
                ]
                where = {k: float(v[t]) for k, v in points.items()}
                assert len(same) == int(holds), (case.label, holds, where)
            checked += holds
    return checked


def assert_complete(game, derivation, n: int = 150, seed: int = 2) -> None:
    """At seeded points of the box, every equilibrium the numeric solver finds is the
    equilibrium of exactly one case that holds there (same label, same values)."""
    points = box_points(game, n, np.random.default_rng(seed))
    batch = game.solve_batch(points)
    assert not batch.degenerate.any()
    labels, columns = batch.regimes()[0], batch.measure_columns()
    holds = [evaluate(game, c.where, points).astype(bool) for c in derivation.cases]
    values = [{k: evaluate(game, v, points) for k, v in c.values.items()} for c in derivation.cases]
    for e, t in enumerate(batch.point):
        matching = [
            case.label
            for case, where, at in zip(derivation.cases, holds, values)
            if case.label == labels[e]
            and where[t]
            and all(np.isclose(columns[k][e], at[k][t], rtol=1e-9, atol=1e-9) for k in at)
        ]
        assert len(matching) == 1, (labels[e], {k: float(v[t]) for k, v in points.items()})


def assert_regions_agree(game: NormalFormGame, derivation, n: int = 150, seed: int = 1):
    """At seeded points of the box, exactly one region holds, its interior form agrees with
    its exact one, and its labels are the numeric solver's equilibrium set."""
    found = regions(derivation)
    points = box_points(game, n, np.random.default_rng(seed))
    batch = game.solve_batch(points)
    labels = batch.regimes()[0]
    inside = np.array([evaluate(game, r.where, points) for r in found], dtype=bool)
    interior = np.array([evaluate(game, r.interior, points) for r in found], dtype=bool)
    assert (inside.sum(axis=0) == 1).all()
    assert (inside == interior).all()
    for t in range(n):
        region = found[int(np.flatnonzero(inside[:, t])[0])]
        assert sorted(labels[batch.point == t]) == sorted(region.labels)
        assert not region.tie and region.status == "shown"
    return found


# -- textbook results ----------------------------------------------------------------------


def test_chicken_mixed_equilibrium_and_the_probability_of_a_clash():
    """Against straight with probability q, swerving earns -q and going straight
    (1 - q) - crash q: indifference gives q = 1 / crash, a clash (both straight) has
    probability 1 / crash**2 and each player earns -1 / crash; it exists for crash > 1."""
    d = chicken().derive()
    mixed = d.case("mixed")
    assert sympy.simplify(mixed.values["p_row_straight"] - 1 / crash) == 0
    assert sympy.simplify(mixed.values["p_col_straight"] - 1 / crash) == 0
    clash = mixed.values["p_row_straight"] * mixed.values["p_col_straight"]
    assert sympy.simplify(clash - 1 / crash**2) == 0
    assert sympy.simplify(mixed.values["u_row"] + 1 / crash) == 0
    assert sympy.solveset(mixed.where, crash, sympy.Interval(0, 10)) == sympy.Interval.Lopen(1, 10)
    assert mixed.values["pure"] == 0
    # the pure equilibria: one driver goes straight (where crash >= 1), or both (crash <= 1)
    assert [c.label for c in d.cases] == [
        "swerve/straight",
        "straight/swerve",
        "straight/straight",
        "mixed",
    ]
    both = d.case("straight/straight")
    assert sympy.solveset(both.where, crash, sympy.Interval(0, 10)) == sympy.Interval(0, 1)
    assert d.exclusive is False and d.form == "normal"


def test_chicken_split_is_three_equilibria_above_a_crash_cost_of_one():
    found = regions(chicken().derive())
    assert [(r.labels, r.interior, r.tie) for r in found] == [
        (("swerve/straight", "straight/swerve", "mixed"), crash - 1 > 0, False),
        (("straight/straight",), crash - 1 < 0, False),
        (("swerve/straight", "straight/swerve", "straight/straight"), sympy.false, True),
    ]
    # the tie at crash = 1 is shown by solving it exactly
    assert all(r.status == "shown" for r in found)
    assert truth_at(found[2].where, {crash: 1}) is True


def test_ordinal_chicken_in_general_form():
    """T > R > S > P: the row player mixes to leave the column player indifferent,
    P(D) = (T - R) / ((T - R) + (S - P)); a clash has probability P(D)**2."""
    d = symmetric(CHICKEN).derive()
    assert [c.label for c in d.cases] == ["C/D", "D/C", "mixed"]
    assert all(not c.conditions for c in d.cases)  # each holds everywhere in the bounds
    mixed = d.case("mixed").values
    defect = (T - R) / (T - R + S - P)
    assert sympy.simplify(mixed["p_row_D"] - defect) == 0
    assert sympy.simplify(mixed["p_row_D"] * mixed["p_col_D"] - defect**2) == 0
    assert sympy.simplify(mixed["u_row"] - (R * (1 - defect) + S * defect)) == 0
    (region,) = regions(d)
    assert region.labels == ("C/D", "D/C", "mixed") and region.interior is sympy.true


def test_prisoners_dilemma_and_stag_hunt_in_general_form():
    d = symmetric(PRISONERS).derive()
    assert [c.label for c in d.cases] == ["D/D"]
    assert d.case("D/D").values["u_row"] == P
    d = symmetric(STAG_HUNT).derive()
    assert [c.label for c in d.cases] == ["C/C", "D/D", "mixed"]
    # a player hunts the stag with the probability that makes the other indifferent
    stag = (P - S) / (R - T + P - S)
    assert sympy.simplify(d.case("mixed").values["p_col_C"] - stag) == 0
    assert [r.labels for r in regions(d)] == [("C/C", "D/D", "mixed")]


def test_family_of_2x2_classes_splits_into_four_regions():
    game = family()
    d = game.derive()
    assert assert_agrees(game, d) == len(d.cases)
    t, s = sympy.symbols("t s")
    found = assert_regions_agree(game, d)
    opened = {r.labels: r.interior for r in found if not r.tie}
    assert opened == {
        ("C/C", "D/D", "mixed"): (s - 1 < 0) & (t - 3 < 0),  # Stag Hunt
        ("C/D", "D/C", "mixed"): (s - 1 > 0) & (t - 3 > 0),  # Chicken
        ("C/C",): (s - 1 > 0) & (t - 3 < 0),  # Harmony
        ("D/D",): (t - 3 > 0) & (s - 1 < 0),  # Prisoner's Dilemma
    }


# -- the bundled escalation model -----------------------------------------------------------


@pytest.fixture(scope="module")
def escalation():
    model = bargain.load_model("escalation")
    return model, model.game.derive()


def test_escalation_clash_probability_is_the_hand_derived_one(escalation):
    """The model file's comment: P(pressure) = X_IR / (X_IR + Y_IR) makes Iran
    indifferent and P(resist) = X_US / (X_US + Y_US) the U.S., with k the expected cost
    of a clash, V = contain - impose (1 - unity) the U.S. value of pressure,
    X_US = V - accord, Y_US = k - V - audience, X_IR = nuclear - accord and
    Y_IR = k + (unity - capture) bite - nuclear - hardline."""
    model, d = escalation
    names = "bite nuclear clash limited audience hardline accord unity capture contain impose"
    assert set(names.split()) == set(model.params.names)
    bite, nuclear, clash, limited, audience, hardline, accord = sympy.symbols(names)[:7]
    unity, capture, contain, impose = sympy.symbols(names)[7:]
    k = clash * (1 - limited)
    v = contain - impose * (1 - unity)
    x_us, y_us = v - accord, k - v - audience
    x_ir, y_ir = nuclear - accord, k + (unity - capture) * bite - nuclear - hardline
    mixed = d.case("mixed").values
    assert sympy.simplify(mixed["p_US_pressure"] - x_ir / (x_ir + y_ir)) == 0
    assert sympy.simplify(mixed["p_Iran_resist"] - x_us / (x_us + y_us)) == 0
    clash_probability = mixed["p_US_pressure"] * mixed["p_Iran_resist"]
    assert sympy.simplify(clash_probability - x_ir / (x_ir + y_ir) * x_us / (x_us + y_us)) == 0


def test_escalation_cases_match_the_models_hand_typed_measures(escalation):
    """Off the boundaries, each case holds where the model's eq_* / has_mixed measure is 1,
    and the mixed case's clash probability is the model's p_clash_mixed."""
    model, d = escalation
    game, user = model.game, model.measures.user
    points = box_points(game, 400, np.random.default_rng(5))
    pairs = {
        "pressure/resist": "eq_pressure_resist",
        "pressure/restrain": "eq_pressure_restrain",
        "engage/resist": "eq_engage_resist",
        "engage/restrain": "eq_engage_restrain",
        "mixed": "has_mixed",
    }
    for label, measure in pairs.items():
        case = evaluate(game, d.case(label).where, points)
        typed = evaluate(game, user[measure], points) == 1
        assert (case == typed).all(), label
    mixed = d.case("mixed")
    inside = evaluate(game, mixed.where, points).astype(bool)
    assert inside.any() and not inside.all()
    derived = evaluate(game, mixed.values["p_US_pressure"] * mixed.values["p_Iran_resist"], points)
    np.testing.assert_allclose(
        derived[inside], evaluate(game, user["p_clash_mixed"], points)[inside]
    )


def test_escalation_agrees_with_the_numeric_solver(escalation):
    model, d = escalation
    assert assert_agrees(model.game, d, n=8) == 5


def test_escalation_case_split(escalation):
    model, d = escalation
    found = assert_regions_agree(model.game, d, n=200)
    opened = [r.labels for r in found if not r.tie]
    assert opened == [
        ("pressure/resist", "engage/restrain", "mixed"),  # a Stag Hunt (assurance)
        ("pressure/restrain", "engage/resist", "mixed"),  # Chicken
        ("pressure/resist",),
        ("pressure/restrain",),
        ("engage/resist",),
        ("engage/restrain",),
        ("mixed",),  # a cycle of best replies, as in Matching Pennies
    ]
    assert all(r.labels for r in found)  # every 2x2 game has an equilibrium


# -- random games -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_2x2_games_agree_with_the_numeric_solver(seed):
    game = linear_game(2, 2, seed)
    d = game.derive()
    assert assert_agrees(game, d, seed=seed) >= 1
    assert_regions_agree(game, d, seed=seed)


@pytest.fixture(scope="module")
def three_by_three():
    game = linear_game(3, 3, 7)
    return game, game.derive()


def test_random_3x3_game_agrees_with_the_numeric_solver(three_by_three):
    game, d = three_by_three
    labels = [c.label for c in d.cases]
    assert labels.count("mixed") >= 2  # supports of size 2 and 3 share the label
    shown = sum(c.feasible == "shown" for c in d.cases)
    assert assert_agrees(game, d, n=6) >= shown
    assert_complete(game, d)


def test_case_split_is_for_small_games(three_by_three):
    with pytest.raises(ModelError, match="meant for 2x2 games"):
        regions(three_by_three[1])


def test_decimals_roots_where_max_and_exp_in_payoffs():
    """Non-polynomial payoffs take the same path (their functions as variables of the
    polynomials); decimals are read as the fractions they write."""
    game = NormalFormGame(
        ["r", "c"],
        [["a", "b"], ["a", "b"]],
        {
            "r": [["0.5 * x", "-1"], ["1", "-1.5 - sqrt(y + 1) + where(x > 0, x, 0)"]],
            "c": [["0", "max(x, y) + 0.25"], ["-1", "exp(x) - 2.5"]],
        },
        params=[Param("x", 0, low=-1, high=1), Param("y", 0, low=-1, high=1)],
    )
    d = game.derive()
    x = sympy.Symbol("x")
    # b/a: the column player answers b with a where -1 >= exp(x) - 2.5: x <= log(3/2)
    where = d.case("b/a").where
    parts = where.args if isinstance(where, sympy.And) else (where,)
    solved = sympy.Intersection(*(sympy.solveset(c, x, sympy.Interval(-1, 1)) for c in parts))
    assert solved == sympy.Interval(-1, sympy.log(sympy.Rational(3, 2)))
    assert not any(e.atoms(sympy.Float) for c in d.cases for e in c.values.values())
    assert assert_agrees(game, d) == len(d.cases)
    assert_complete(game, d)
    found = assert_regions_agree(game, d)
    assert ("a/b", "b/a", "mixed") in [r.labels for r in found]


# -- the derivation's contract and its errors --------------------------------------------------


def test_values_are_the_forms_measures():
    game = family()
    expected = set(game.measure_names()) - {"regret", "n_equilibria", *game.point_measures()}
    assert all(set(c.values) == expected for c in game.derive().cases)


def test_a_numeric_game_derives_its_equilibria_as_numbers():
    game = NormalFormGame.from_arrays([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    (case,) = game.derive().cases
    assert case.label == "mixed" and not case.conditions
    assert case.values["p_P1_s1"] == sympy.Rational(1, 2) and case.values["u_P1"] == 0


def test_determinants_and_payoff_domains_are_domain_conditions():
    game = NormalFormGame(
        ["r", "c"],
        [["a", "b"], ["a", "b"]],
        {"r": [["x/x", 0], [0, 1]], "c": [[1, 0], [0, "2 + x"]]},
        params=[Param("x", 1, low=-1, high=1)],
    )
    x = sympy.Symbol("x")
    d = game.derive()
    assert all(sympy.Ne(x, 0) in [c.expr for c in case.domain] for case in d.cases)
    mixed = d.case("mixed").values
    # x/x is 1 where it is defined: the column player mixes 1/2, the row player (2+x)/(3+x)
    assert mixed["p_c_a"].subs(x, sympy.Rational(1, 2)) == sympy.Rational(1, 2)
    assert sympy.simplify(mixed["p_r_a"] - (2 + x) / (3 + x)) == 0


def test_pure_method_derives_the_pure_equilibria_only():
    d = family().derive(method="pure")
    assert [c.label for c in d.cases] == ["C/C", "C/D", "D/C", "D/D"]


def test_bad_options_give_the_solvers_error():
    game = family()
    for options in ({"bogus": 1}, {"method": "bogus"}):
        with pytest.raises(ModelError) as derived:
            game.derive(**options)
        with pytest.raises(ModelError) as solved:
            game.solve_batch({}, **options)
        assert str(derived.value) == str(solved.value)
        assert "\n" not in str(derived.value)


def test_methods_without_closed_forms_and_three_players_are_refused():
    with pytest.raises(ModelError, match="Lemke–Howson finds those its paths reach"):
        family().derive(method="lemke-howson")
    three = NormalFormGame(
        ["a", "b", "c"],
        [["x", "y"]] * 3,
        {p: np.zeros((2, 2, 2)) for p in "abc"},
    )
    with pytest.raises(ModelError, match="two-player normal-form games; this one has 3 players"):
        three.derive()


# -- Bayesian games, through the same indifference systems, type by type -------------------------


def uncertain_battle() -> BayesianGame:
    """Battle of the Sexes in which P1 does not know whether P2 wishes to meet (probability
    p) or to avoid it (Osborne 2004, section 9.2)."""
    return BayesianGame(
        ["P1", "P2"],
        types={"P1": ["one"], "P2": ["meet", "avoid"]},
        actions={"P1": ["B", "S"], "P2": ["B", "S"]},
        prior={"one/meet": "p", "one/avoid": "1 - p"},
        payoffs={
            "one/meet": {"P1": [[2, 0], [0, 1]], "P2": [[1, 0], [0, 2]]},
            "one/avoid": {"P1": [[2, 0], [0, 1]], "P2": [[0, 2], [1, 0]]},
        },
        params=[Param("p", 0.5, low=0, high=1)],
    )


def linear_bayesian(seed: int) -> BayesianGame:
    """Two types a player, independent types of probabilities q and r, 2x2 actions and
    payoffs linear in x with seeded integer coefficients."""
    rng = np.random.default_rng(seed)

    def payoff() -> str:
        a, b = rng.integers(-9, 10, size=2)
        return f"{a} + {b} * x"

    weights = {"t0": "q", "t1": "1 - q", "s0": "r", "s1": "1 - r"}
    profiles = [f"{t}/{s}" for t in ("t0", "t1") for s in ("s0", "s1")]
    return BayesianGame(
        ["A", "B"],
        types={"A": ["t0", "t1"], "B": ["s0", "s1"]},
        actions={"A": ["up", "down"], "B": ["left", "right"]},
        prior={k: f"({weights[k[:2]]}) * ({weights[k[3:]]})" for k in profiles},
        payoffs={
            k: {p: [[payoff(), payoff()], [payoff(), payoff()]] for p in ("A", "B")}
            for k in profiles
        },
        params=[
            Param("x", 0, low=-1, high=1),
            Param("q", 0.5, low=0.1, high=0.9),
            Param("r", 0.5, low=0.1, high=0.9),
        ],
    )


def test_bayesian_battle_of_the_sexes_in_closed_form():
    """Against P2's B with probability b, P1 earns 2b from B and 1 - b from S: it mixes
    when b = 1/3. The meet type is indifferent when P1 plays B with probability 2/3 and
    mixes B with 1/(3p) (p > 1/3), the avoid type then plays S; the avoid type is
    indifferent at 1/3 and mixes B with 1/(3(1 - p)) (p < 2/3), the meet type then
    plays S. P1 plays B against (B, S) when 2p >= 1 - p, S against (S, B) when
    p >= 2 (1 - p)."""
    p = sympy.Symbol("p")
    d = uncertain_battle().derive()
    unit = sympy.Interval(0, 1)
    expected = {
        "P1: B; P2: meet=B, avoid=S": sympy.Interval.Ropen(sympy.Rational(1, 3), 1),
        "P1: S; P2: meet=S, avoid=B": sympy.Interval.Ropen(sympy.Rational(2, 3), 1),
        "P1: mixed; P2: meet=S, avoid=mixed": sympy.Interval.open(0, sympy.Rational(2, 3)),
        "P1: mixed; P2: meet=mixed, avoid=S": sympy.Interval.open(sympy.Rational(1, 3), 1),
    }
    assert [c.label for c in d.cases] == list(expected)
    for case in d.cases:
        parts = [*(c.expr for c in case.conditions), *(c.expr for c in case.domain)]
        where = sympy.Intersection(*(sympy.solveset(c, p, unit) for c in parts))
        assert where == expected[case.label], case.label
    meet = d.case("P1: mixed; P2: meet=mixed, avoid=S").values
    assert sympy.simplify(meet["p_P2_meet_B"] - 1 / (3 * p)) == 0
    assert meet["p_P1_one_B"] == sympy.Rational(2, 3) and meet["u_P1"] == sympy.Rational(2, 3)
    assert meet["u_P2_avoid"] == sympy.Rational(4, 3)
    ex_ante = p * sympy.Rational(2, 3) + (1 - p) * sympy.Rational(4, 3)
    assert sympy.simplify(meet["u_P2"] - ex_ante) == 0
    avoid = d.case("P1: mixed; P2: meet=S, avoid=mixed").values
    assert sympy.simplify(avoid["p_P2_avoid_B"] - 1 / (3 * (1 - p))) == 0
    assert avoid["p_P1_one_B"] == sympy.Rational(1, 3)
    # beliefs by Bayes' rule need both types: p = 0 and p = 1 are outside the domain
    assert all({c.expr for c in case.domain} >= {p > 0, p < 1} for case in d.cases)


def test_bayesian_battle_agrees_with_the_numeric_solver():
    game = uncertain_battle()
    d = game.derive()
    assert assert_agrees(game, d) == len(d.cases)
    assert_complete(game, d)


def test_random_bayesian_game_agrees_with_the_numeric_solver():
    game = linear_bayesian(1)
    d = game.derive()
    assert any(c.label.count("mixed") >= 3 for c in d.cases)  # two types of a player mix
    assert assert_agrees(game, d, n=5) >= sum(c.feasible == "shown" for c in d.cases)
    assert_complete(game, d)
    expected = set(game.measure_names()) - {"regret", "n_equilibria"}
    assert all(set(c.values) == expected for c in d.cases)


def test_bayesian_methods_and_options():
    game = uncertain_battle()
    assert [c.label for c in game.derive(method="pure").cases] == [
        "P1: B; P2: meet=B, avoid=S",
        "P1: S; P2: meet=S, avoid=B",
    ]
    with pytest.raises(ModelError, match="misses equilibria in which two types"):
        game.derive(method="ex-ante")
    with pytest.raises(ModelError) as derived:
        game.derive(bogus=1)
    with pytest.raises(ModelError) as solved:
        game.solve_batch({}, bogus=1)
    assert str(derived.value) == str(solved.value)
