"""bargain.symbolic: a model's regimes, comparative statics, boundaries, cache, budget, CLI."""

from __future__ import annotations

import json
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
import sympy
from click.testing import CliRunner

from bargain import GameTree, Model, Param
from bargain.algebra import Case, DerivationTimeout
from bargain.cli import main
from bargain.errors import ModelError
from bargain.params import ParamSpace
from bargain.symbolic import (
    boundaries,
    boundary_curves,
    check_agreement,
    closed_threshold,
    derivative,
    derive,
    report,
    sign_table,
    solve_for,
    store,
)
from bargain.symbolic import run as run_module
from bargain.symbolic.regimes import ModelDerivation
from bargain.symbolic.statics import sign_matrix

relief, war, cost = sympy.symbols("relief war cost")


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("BARGAIN_CACHE_DIR", str(tmp_path / "cache"))
    run_module._MEMORY.clear()


def offer_model() -> Model:
    """The U.S. offers relief or not; Iran accepts (relief - cost) or rejects (-war)."""
    tree = GameTree(
        ["US", "Iran"],
        params=[
            Param("relief", 0.5, 0, 1, latex=r"\rho"),
            Param("war", 0.3, 0, 1),
            Param("cost", 0.2, 0, 1),
        ],
    )
    tree.decision("offer", "US", {"pressure": "standoff", "propose": "answer"})
    tree.decision("answer", "Iran", {"accept": "deal", "reject": "clash"})
    tree.terminal("standoff", {"US": 0, "Iran": "-war"})
    tree.terminal("deal", {"US": "1 - relief", "Iran": "relief - cost"})
    tree.terminal("clash", {"US": "-war", "Iran": "-war"})
    return Model(
        tree,
        {"gain": "u_Iran + war", "least_relief": "cost - war"},
        outcomes={"agreement": ["deal"]},
        name="offer",
    )


def test_regimes_carry_the_model_measures():
    d = derive(offer_model())
    assert d.exclusive and d.source == "derived"
    deal = next(r for r in d.regimes if r.values["agreement"] == 1)
    assert sympy.simplify(deal.values["gain"] - (relief - cost + war)) == 0
    assert deal.values["least_relief"] == cost - war
    # Iran accepts iff relief - cost >= -war: the regime's own condition
    assert any(
        sympy.simplify(c.expr.lhs - c.expr.rhs - (relief - cost + war)) == 0
        or sympy.simplify(c.expr.rhs - c.expr.lhs - (relief - cost + war)) == 0
        for c in deal.conditions
    )


def test_piecewise_measure_matches_a_sweep():
    """A sweep over a derived formula gives what the numeric solver gives."""
    m = offer_model()
    d = derive(m)
    f = d.compile("u_Iran")
    rng = np.random.default_rng(3)
    points = {name: rng.uniform(0, 1, 400) for name in ("relief", "war", "cost")}
    derived = f(*(points[n] for n in m.params.names))
    numeric = m.evaluate(points)["points"]["u_Iran"]
    assert np.allclose(derived, numeric, atol=1e-12)


def test_derivative_and_signs():
    d = derive(offer_model())
    (in_deal,) = [x for x in derivative(d, "u_Iran", "relief") if x.expr != 0]
    assert in_deal.sign.name == "positive"
    signs = {(x.regime, x.sign.name) for x in derivative(d, "gain", "war")}
    assert all(name in ("zero", "positive", "nonnegative") for _, name in signs)
    table = sign_table(d, ["u_US"], ["relief"])
    assert set(table.columns) >= {"regime", "measure", "param", "sign", "derivative"}
    assert "−" in set(table["sign"])  # the U.S. pays the relief it gives
    matrix = sign_matrix(sign_table(d))
    assert "relief" in matrix.columns and "reach_deal" in {m for _, m in matrix.attrs["constant"]}


def test_implicit_function_theorem():
    """An interior optimum's slope from its first-order condition equals the closed form's."""
    x, a = sympy.Symbol("offer"), sympy.Symbol("a")
    space = offer_model().params.__class__([Param("a", 1, 0.5, 2)])
    foc = 1 - 2 * a * x  # maximise x - a x**2: x = 1/(2a)
    regime = Case("interior", (), {"offer": 1 / (2 * a)}, implicit={"offer": foc})
    d = ModelDerivation("iv", space, (regime,), True, "optimum")
    (slope,) = derivative(d, "offer", "a")
    assert slope.implicit
    assert sympy.simplify(slope.expr - sympy.diff(1 / (2 * a), a)) == 0
    assert slope.sign.name == "negative"


def test_boundaries_and_solve_for():
    d = derive(offer_model())
    edges = {sympy.simplify(b.solution) for b in boundaries(d, "relief")}
    assert (
        sympy.simplify(cost - war) in edges
    )  # Iran's reservation: accept iff relief >= cost - war
    solved = solve_for(d, "u_Iran", "relief", 0.25)
    assert any(sympy.simplify(s.solution - (cost + sympy.Rational(1, 4))) == 0 for s in solved)


@pytest.mark.parametrize(("war_value", "cost_value"), [(0.1, 0.6), (0.2, 0.5), (0.05, 0.9)])
def test_closed_threshold_agrees_with_the_numeric_finder(war_value, cost_value):
    m = offer_model()
    t = closed_threshold(
        m, "relief", "agreement", (0, 0.9), level=0.5, war=war_value, cost=cost_value
    )
    assert t.boundary is not None, t.message
    check_agreement(t)
    assert t.agrees


def test_threshold_falls_back_with_a_message(monkeypatch):
    def slow(*args, **kwargs):
        raise DerivationTimeout("solving something hard", 0.1)

    monkeypatch.setattr(sys.modules["bargain.symbolic.boundaries"], "derive", slow)
    t = closed_threshold(offer_model(), "relief", "agreement", (0, 0.9), level=0.5, cost=0.6)
    assert t.boundary is None and "solving something hard" in t.message
    assert 0.2 < t.numeric.value < 0.4


def test_boundary_curves_bound_their_regimes():
    d = derive(offer_model())
    xs = np.linspace(0, 1, 11)
    curves = boundary_curves(d, "war", "relief", xs, (0, 1), cost=0.6)
    (accept,) = [ys for name, (_, ys) in curves.items() if "cost" in name or "0.6" in name] or [
        next(iter(curves.values()))[1]
    ]
    finite = np.isfinite(accept)
    assert finite.any()
    assert np.allclose(accept[finite], 0.6 - xs[finite])


def test_cache_round_trip_is_formula_text(tmp_path):
    m = offer_model()
    first = derive(m)
    run_module._MEMORY.clear()
    again = derive(m)
    assert again.source == "cache"
    assert [r.label for r in again.regimes] == [r.label for r in first.regimes]
    for a, b in zip(first.regimes, again.regimes, strict=True):
        for name in a.values:
            assert sympy.simplify(a.values[name] - b.values[name]) == 0
    (path,) = store.cache_dir().glob("*.json")
    data = json.loads(path.read_text())
    assert isinstance(data["regimes"][0]["measures"]["u_Iran"], str)


def test_a_tampered_cache_is_parsed_safely_and_ignored():
    m = offer_model()
    derive(m)
    run_module._MEMORY.clear()
    (path,) = store.cache_dir().glob("*.json")
    data = json.loads(path.read_text())
    data["regimes"][0]["measures"]["u_Iran"] = "__import__('os').system('echo pwned')"
    path.write_text(json.dumps(data))
    fresh = derive(m)
    assert fresh.source == "derived"


def test_derivation_in_a_thread_runs_in_a_worker_process():
    m, out = offer_model(), {}
    worker = threading.Thread(target=lambda: out.update(d=derive(m, cache=False, budget=30)))
    worker.start()
    worker.join()
    assert len(out["d"].regimes) == len(derive(m, cache=False).regimes)


def test_a_form_without_closed_forms_says_so():
    from tests.toy_form import ChoiceGame

    game = ChoiceGame(
        "Iran", {"talk": "relief", "walk": "0.3"}, ParamSpace([Param("relief", 0.5, 0, 1)])
    )
    with pytest.raises(ModelError, match=r"no closed forms in bargain yet.*game trees"):
        derive(Model(game))


def test_latex_uses_declared_symbols_and_escapes_signs():
    text = report(derive(offer_model()), "latex")
    assert r"\rho" in text and "−" not in text and "≥" not in text


def test_cli_derive_text_markdown_latex():
    runner = CliRunner()
    for fmt in ("text", "markdown", "latex"):
        args = ["--measure", "u_Iran", "--param", "relief", "--param", "breakout"]
        out = runner.invoke(
            main, ["derive", "interim-deal", "--format", fmt, "--budget", "120", *args]
        )
        assert out.exit_code == 0, out.output
        assert "Comparative statics" in out.output or "comparative statics" in out.output.lower()
    bad = runner.invoke(main, ["derive", "interim-deal", "--measure", "dael"])
    assert bad.exit_code == 2 and "did you mean" in bad.output


def test_cli_derive_falls_back_to_numeric_when_out_of_time(monkeypatch):
    def slow(*args, **kwargs):
        raise DerivationTimeout("simplifying the measures of the regime propose", 0.01)

    monkeypatch.setattr("bargain.symbolic.derive", slow)
    out = CliRunner().invoke(main, ["derive", "interim-deal", "--budget", "0.01"])
    assert out.exit_code == 0
    assert "while simplifying the measures" in out.output
    assert "equilibri" in out.output


def test_report_of_coexisting_equilibria_shows_the_case_split():
    from bargain.io import load_model

    d = derive(load_model("escalation"))
    assert not d.exclusive
    text = report(d, measures=["p_clash_selected"], params=["clash"])
    split = text[text.index("Which equilibria exist where") :]
    assert "pressure/resist + engage/restrain + mixed:" in split  # a Stag Hunt region
    assert "on a tie surface" in split


def test_a_slow_case_split_is_left_out_and_says_so(monkeypatch):
    from bargain.io import load_model
    from bargain.symbolic import printing

    monkeypatch.setattr(printing, "CASE_SPLIT_SECONDS", 1e-4)
    text = report(derive(load_model("escalation")), measures=["p_clash_selected"])
    assert "Case split: not shown (it took longer than 0.0001 s;" in text


def test_regimes_sharing_a_label_but_not_their_outcome_show_each_outcome(monkeypatch):
    """Two babbling equilibria (on either action) share a label and differ on the path:
    the report numbers their measures instead of calling them alike."""
    from bargain.io import load_model
    from bargain.symbolic import printing

    monkeypatch.setattr(printing, "CASE_SPLIT_SECONDS", 0.5)  # not what this test is about
    d = derive(load_model("intermediaries"), cache=False)
    text = report(d, measures=["u_US", "deal"], params=[])
    assert "the regimes differ in u_US, deal: numbered below" in text
    assert "(1) u_US = " in text and "(2) u_US = " in text


def test_boundaries_carry_their_branch_and_domain():
    from bargain.io import load_model

    d = derive(load_model("interim-deal"))
    edges = [b for b in boundaries(d, "relief") if b.regime == "propose>accept>comply>keep"]
    branches = {str(b.where) for b in edges}
    assert len(branches) > 1  # min(1, 12*war_risk/breakout) opened into its two pieces
    assert any(b.domain for b in edges)  # comply_relief's edge divides by detect
    assert all(b.rest is not sympy.true for b in edges)


#: A self-contained interim-deal tree (no linked values): see tests/data.
INTERIM_V1 = Path(__file__).parent / "data" / "interim-deal-1.toml"


def test_cli_plot_draws_closed_form_boundaries(tmp_path, monkeypatch):
    """bargain plot --boundaries hands the derived edges to the regime map."""
    pytest.importorskip("matplotlib")
    from bargain import plots

    drawn = {}
    real = plots.regime_map

    def spy(*args, **kwargs):
        drawn.update(kwargs.get("curves") or {})
        return real(*args, **kwargs)

    monkeypatch.setattr(plots, "regime_map", spy)
    out = CliRunner().invoke(
        main,
        [
            "plot",
            str(INTERIM_V1),
            "-g",
            "relief=0:1:11",
            "-g",
            "breakout=1:24:12",
            "--boundaries",
            "-o",
            str(tmp_path / "map.png"),
        ],
    )
    assert out.exit_code == 0, out.output
    assert (tmp_path / "map.png").stat().st_size > 0
    assert drawn and all(np.isfinite(ys).any() for _, ys in drawn.values())


def test_linked_values_are_held_as_symbols_and_their_edges_not_drawn():
    """interim-deal's stand-off comes from a linked model: the derivation keeps it as a
    symbol, says so, and draws no boundary that involves it."""
    from bargain.io import load_model

    model = load_model("interim-deal")
    d = derive(model)
    assert set(d.held) == set(model.links)
    kept = d.regime("propose>accept>comply>keep")
    assert sympy.Symbol("standoff_us") in kept.where.free_symbols
    assert (
        "held fixed as symbols: standoff_us" in sign_table(d, ["u_Iran"], ["relief"]).attrs["note"]
    )
    curves = boundary_curves(d, "breakout", "relief", np.linspace(1, 24, 5), (0, 1))
    assert all("standoff" not in name for name in curves)
