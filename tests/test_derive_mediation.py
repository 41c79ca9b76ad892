"""Closed-form pure PBE of mediation games (``MediationGame.derive``) against the numeric solver.

At seeded random points of the bundled models' boxes, the pure outcomes the
solver reports (regimes "informative" and "babbling") are exactly the cases
whose conditions hold there, with every value equal, away from ties. The
informative case's conditions on the bias reproduce Kydd's (2003) credible
window, the hand-typed measures ``b_low``/``b_high`` of models/intermediaries.toml.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
import sympy
from click.testing import CliRunner

from bargain import ModelError, Param
from bargain.algebra import Case, Derivation, box_of, witnesses
from bargain.cli import main
from bargain.formula import compile_formulas
from bargain.games.mediation import MediationGame
from bargain.io import load_model
from bargain.model import Model

PURE = ("informative", "babbling")
MODELS = ("intermediaries", "examples/mediator_bias.toml")


@cache
def model(name: str) -> Model:
    return load_model(name)


@cache
def derived(name: str, keep: str) -> Derivation:
    return model(name).game.derive(keep=keep)


def random_points(m: Model, n: int, seed: int) -> dict[str, np.ndarray]:
    """n seeded points of the box (an unbounded side: within 2 of the other)."""
    rng = np.random.default_rng(seed)
    points = {}
    for p in m.game.params:
        low = p.low if p.low is not None and np.isfinite(p.low) else p.high - 2
        high = p.high if p.high is not None and np.isfinite(p.high) else low + 2
        points[p.name] = rng.uniform(low, high, n)
    return points


def evaluate(expr: sympy.Basic, names: list[str], points: dict[str, np.ndarray]) -> np.ndarray:
    n = len(next(iter(points.values())))
    values = compile_formulas([expr], names)(*(points[k] for k in names))
    return np.broadcast_to(np.asarray(values, dtype=float)[0], (n,))


def evaluate_all(
    exprs: list[sympy.Basic], names: list[str], points: dict[str, np.ndarray]
) -> list[np.ndarray]:
    n = len(next(iter(points.values())))
    values = compile_formulas(exprs, names)(*(points[k] for k in names))
    return [np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in values]


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * (1 + abs(b))


def sample(m: Model, d: Derivation, seed: int) -> dict[str, np.ndarray]:
    """Seeded points of the box: 200 at random, and up to 50 where each case holds
    (rejection-sampled among 20,000; a case seen nowhere there adds a witness point)."""
    names = list(m.game.params.names)
    many = random_points(m, 20_000, seed)
    chosen = [np.arange(200)]
    box = box_of(m.game.params)
    extra = []
    for case in d.cases:
        holds = np.flatnonzero(evaluate(case.where, names, many) > 0.5)
        if len(holds):
            chosen.append(holds[:50])
        else:
            yes, _ = witnesses(case.where, box)
            assert yes is not None, case.label
            extra.append({s.name: float(v) for s, v in yes.items()})
    rows = np.concatenate(chosen)
    points = {k: v[rows] for k, v in many.items()}
    for point in extra:
        defaults = {p.name: p.default for p in m.game.params}
        points = {k: np.append(v, point.get(k, defaults[k])) for k, v in points.items()}
    return points


@pytest.mark.parametrize(
    ("name", "keep", "refine"),
    [(name, keep, "none") for name in MODELS for keep in ("receiver-best", "all")]
    + [("examples/mediator_bias.toml", "all", "d1")],
)
def test_cases_are_the_pure_outcomes_the_solver_reports(name, keep, refine):
    """And with refine="d1": the refinements keep every outcome of cheap talk."""
    m = model(name)
    d = derived(name, keep)
    if refine != "none":
        assert m.game.derive(keep=keep, refine=refine).cases == d.cases
    assert not d.exclusive and d.subject == "pure perfect Bayesian equilibrium"
    assert {c.label for c in d.cases} == set(PURE)
    names = list(m.game.params.names)
    points = sample(m, d, seed=sum(map(ord, name + keep)))
    batch = m.game.solve_batch(points, keep=keep, refine=refine)
    labels, _ = batch.regimes()
    columns = batch.measure_columns()
    holds = [evaluate(c.where, names, points) > 0.5 for c in d.cases]
    values = [
        dict(zip(c.values, evaluate_all(list(c.values.values()), names, points))) for c in d.cases
    ]
    expected = set(m.game.measure_names()) - {"regret", "n_pbe", "n_equilibria"}
    for c in d.cases:  # every measure but the beliefs after unsent messages (NaN)
        unsent = {k for k in expected - set(c.values) if "_given_" in k}
        missing = {"informative_exists"} if keep == "all" and c.label == "babbling" else set()
        assert set(c.values) | unsent | missing == expected, c.label
    hit = np.zeros(len(d.cases), int)
    for i in np.flatnonzero(~batch.ties):
        rows = [r for r in batch.rows(i) if labels[r] in PURE]
        matched = set()
        for k, case in enumerate(d.cases):
            if not holds[k][i]:
                continue
            hit[k] += 1
            found = [
                r
                for r in rows
                if labels[r] == case.label
                and all(close(values[k][v][i], columns[v][r]) for v in case.values)
            ]
            assert found, (case.label, {v: values[k][v][i] for v in case.values}, i)
            matched.update(found)
        assert matched == set(rows), i  # every pure outcome reported is a case that holds
    assert (hit > 0).all(), hit  # every case is seen


def kydd_case(d: Derivation, restraint: str = "interim") -> Case:
    """The informative case in which reading resolve leads to restraint (the interim deal,
    the modest demand)."""
    a = sympy.Symbol("a")
    (case,) = [
        c
        for c in d.cases
        if c.label == "informative"
        and sympy.simplify(c.values[f"p_{restraint}_if_resolute"] - a) == 0
    ]
    return case


def test_the_informative_case_is_kydds_window():
    """With a third-party intermediary (direct = 0) and the gains of the maximal demand
    over the interim deal positive in both denominators, the mediator reports truthfully
    iff b_low <= b <= b_high; the receiver's conditions do not involve b."""
    m = model("intermediaries")
    case = kydd_case(derived("intermediaries", "receiver-best"))
    assert sympy.Symbol("b") in case.where.free_symbols
    names = list(m.game.params.names)
    points = random_points(m, 4000, seed=12)
    points["direct"] = np.zeros(4000)
    window = {k: evaluate(m.measures.user[k], names, points) for k in ("b_low", "b_high")}
    p, a, q, e = (points[k] for k in ("p", "a", "q", "e"))
    x_i, x_m = points["x_interim"], points["x_maximal"]
    gain = (1 - e) * x_m + e * q - x_i
    low_den = p * (1 - a) * (q - x_i) + (1 - p) * a * gain
    high_den = p * a * (q - x_i) + (1 - p) * (1 - a) * gain
    inside = (low_den > 0) & (high_den > 0) & (window["b_low"] < window["b_high"])
    middle = dict(points, b=np.clip((window["b_low"] + window["b_high"]) / 2, 0, 1))
    credible = inside & (evaluate(case.where, names, middle) > 0.5)  # the receiver moves
    edge = np.minimum(np.abs(points["b"] - window["b_low"]), np.abs(points["b"] - window["b_high"]))
    chosen = credible & (edge > 1e-9)
    assert chosen.sum() > 100
    holds = evaluate(case.where, names, points) > 0.5
    kydd = (window["b_low"] <= points["b"]) & (points["b"] <= window["b_high"])
    assert (holds[chosen] == kydd[chosen]).all()
    assert kydd[chosen].any() and (~kydd[chosen]).any()


def solved(where: sympy.Basic, x: sympy.Symbol) -> sympy.Set:
    """Where a conjunction of relations in ``x`` holds in [0, 1]."""
    parts = where.args if isinstance(where, sympy.And) else (where,)
    return sympy.Intersection(*(sympy.solveset(p, x, sympy.Interval(0, 1)) for p in parts))


def test_the_example_window_by_hand():
    """examples/mediator_bias.toml at its defaults but b: 13/24 <= b <= 7/8 (docs/mediation.md)."""
    m = model("examples/mediator_bias.toml")
    case = kydd_case(derived("examples/mediator_bias.toml", "all"), "modest")
    b = sympy.Symbol("b")
    defaults = {sympy.Symbol(p.name): sympy.nsimplify(p.default) for p in m.game.params}
    defaults.pop(b)
    where = sympy.And(case.where.xreplace(defaults))
    assert solved(where, b) == sympy.Interval(sympy.Rational(13, 24), sympy.Rational(7, 8))
    values = {k: v.xreplace(defaults) for k, v in case.values.items()}
    assert values["p_modest"] == sympy.Rational(1, 2) and values["u_US"] == sympy.Rational(11, 20)


def test_an_exactly_observing_mediator_with_three_types():
    """Three types seen exactly, three actions, quadratic losses: the receiver wants action
    t for type t (with a small bias that keeps its replies to pools strict), the mediator
    wants beta more: truthful reports hold iff beta <= 1/2 (type t prefers a_t to a_t+1)."""
    beta = sympy.Symbol("beta")
    types, actions = ["t0", "t1", "t2"], ["a0", "a1", "a2"]
    payoffs = {
        t: {
            a: {"I": 0, "M": f"-({j} - {i} - beta)**2", "R": f"-({j} - {i} - 0.1)**2"}
            for j, a in enumerate(actions)
        }
        for i, t in enumerate(types)
    }
    game = MediationGame(
        "I",
        "M",
        "R",
        {t: sympy.Rational(1, 3) for t in types},
        ["m0", "m1", "m2"],
        actions,
        payoffs,
        params=[Param("beta", 0.2, 0, 1)],
    )
    d = game.derive()
    truthful = [c for c in d.cases if c.values["p_a0_if_t0"] == 1 and c.values["p_a2_if_t2"] == 1]
    (case,) = [c for c in truthful if c.values["p_a1_if_t1"] == 1]
    assert solved(case.where, beta) == sympy.Interval(0, sympy.Rational(1, 2))
    for value in (0.3, 0.7):
        batch = game.solve_batch({"beta": np.array([value])}, mixed="none")
        labels, _ = batch.regimes()
        reported = {
            tuple(batch.given_type[r].argmax(axis=1))
            for r in range(len(labels))
            if labels[r] in PURE
        }
        derived_here = {
            tuple(
                int(np.argmax([float(c.values[f"p_{a}_if_{t}"]) for a in actions])) for t in types
            )
            for c in d.cases
            if bool(c.where.xreplace({beta: sympy.nsimplify(value)}))
        }
        assert reported == derived_here, value


def test_bad_options_give_the_solvers_error():
    game = model("examples/mediator_bias.toml").game
    for options in ({"bogus": 1}, {"keep": "bogus"}):
        with pytest.raises(ModelError) as derived_error:
            game.derive(**options)
        with pytest.raises(ModelError) as solved:
            game.solve_batch({}, **options)
        assert str(derived_error.value) == str(solved.value)
        assert "\n" not in str(derived_error.value)


def test_receiver_best_against_semi_separating_pbe_is_refused():
    game = MediationGame.from_arrays([0.5, 0.5], np.zeros((3, 2, 3)))
    with pytest.raises(ModelError, match="derive with mixed='none'"):
        game.derive(keep="receiver-best")
    assert game.derive(keep="receiver-best", mixed="none").cases


def test_bargain_derive_runs_from_the_cli(monkeypatch):
    """The derivation and its report; the case split of coexisting regimes
    (:func:`bargain.games.normal.regions.regions`) takes minutes over this model's 14
    parameters and is left out here."""

    def skipped(derivation: Derivation) -> None:
        raise ModelError("skipped in this test")

    monkeypatch.setattr("bargain.games.normal.regions.regions", skipped)
    result = CliRunner().invoke(
        main, ["derive", "intermediaries", "--measure", "u_US", "--param", "b", "--no-cache"]
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "4 pure perfect Bayesian equilibrium regimes in closed form" in out
    assert "Regime informative" in out and "Regime babbling" in out
    assert "Case split: not shown (skipped in this test)" in out
