"""Model files: loading, writing back, the bundled library and errors."""

from __future__ import annotations

import re
import time
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bargain
from bargain.errors import BargainError, FormulaError, ModelError, ParamError
from bargain.files import MAX_BYTES, parse_toml
from bargain.formula import canonical
from bargain.games import BargainingGame, GameTree, NormalFormGame
from bargain.io import (
    ModelInfo,
    dump_model,
    dumps_model,
    list_models,
    load_model,
    loads_model,
    models_folder,
)
from bargain.model import Model
from bargain.params import Param
from bargain.sweeps import sweep
from tests.model_texts import DEAL_TREE
from tests.test_sweep import deal_model, escalation_model

REPO = Path(__file__).resolve().parents[1]

NORMAL = """\
[model]
name = "standoff"
title = "A stand-off"
description = "Pressure or engage; resist or restrain."
citation = "Someone (2020)."

[params.bite]
default = 0.5
low = 0
high = 3
description = "economic bite"

[params.clash]
default = 1
low = 0.1

[game]
form = "normal"
players = ["US", "Iran"]

[game.strategies]
US = ["pressure", "engage"]
Iran = ["resist", "restrain"]

[game.payoffs]
US = [["-clash", "bite"], [-2, 1]]
Iran = [["-clash", "-bite"], [1, "1 - bite"]]

[measures]
gap = "u_US - u_Iran"

[solver]
method = "support"
select = "max-joint"

[scenarios.sanctions]
description = "maximum pressure"
bite = 2.5

[showcase]
grid = { bite = [0, 3, 7], clash = [0.5, 2, 4] }
table = "regime"
measures = ["gap", "u_US"]
threshold = { param = "bite", measure = "regime", between = [0, 3], over = "clash" }
"""

TREE = (
    """\
[model]
name = "interim"

[params.relief]
default = 0.4
low = 0
high = 1

"""
    + DEAL_TREE
    + """\
war = ["snapback"]

[measures]
surplus = "u_US + u_Iran"

[solver]
tie_break = "all"

[scenarios.blind]
description = "no inspections"
detect = 0.05
"""
)

BARGAINING = """\
[model]
name = "talks"

[params.r_us]
default = 0.1
low = 0

[params.r_iran]
default = 0.2
low = 0

[game]
form = "bargaining"
protocol = "alternating_offers"
players = ["US", "Iran"]

[game.arguments]
delta1 = "exp(-r_us)"
delta2 = "exp(-r_iran)"
breakdown = 0.05
disagreement = [0, "r_iran / 10"]
"""


def write(tmp_path: Path, text: str, name: str = "m.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def fails(tmp_path: Path, text: str, error: type[BargainError] = ModelError) -> str:
    """Load ``text`` from a file; return the first line of the error, without the file."""
    path = write(tmp_path, text)
    with pytest.raises(error) as info:
        load_model(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    return message.split("\n")[0][len(f"{path}: ") :]


def same(a: Model, b: Model) -> bool:
    """Same model: fingerprint and the parts the fingerprint leaves out."""
    about = ("select", "showcase", "title", "description", "citation", "version", "bibtex")
    return (a.fingerprint(), *(getattr(a, k) for k in about)) == (
        b.fingerprint(),
        *(getattr(b, k) for k in about),
    )


def round_trip(model: Model) -> Model:
    """The model written and loaded again; the text of a loaded model is stable."""
    again = loads_model(dumps_model(model), "<dumped>")
    text = dumps_model(again)
    assert dumps_model(loads_model(text)) == text
    return again


# -- the three game forms -------------------------------------------------------------------


def test_normal_form_model(tmp_path):
    model = load_model(write(tmp_path, NORMAL))
    assert isinstance(model.game, NormalFormGame)
    assert (model.name, model.title, model.citation) == (
        "standoff",
        "A stand-off",
        "Someone (2020).",
    )
    assert model.params["bite"] == Param("bite", 0.5, 0, 3, "economic bite")
    assert model.params["clash"].high is None
    assert model.options == {"method": "support"} and model.select == "max-joint"
    assert model.scenarios == {
        "sanctions": {"description": "maximum pressure", "values": {"bite": 2.5}}
    }
    assert model.showcase["grid"] == {"bite": [0, 3, 7], "clash": [0.5, 2, 4]}
    assert [eq.support for eq in model.solve(scenario="sanctions")] == [
        (("pressure",), ("resist",))
    ]
    assert (
        model.fingerprint()
        == Model(
            NormalFormGame(
                ["US", "Iran"],
                {"US": ["pressure", "engage"], "Iran": ["resist", "restrain"]},
                {
                    "US": [["-clash", "bite"], [-2, 1]],
                    "Iran": [["-clash", "-bite"], [1, "1 - bite"]],
                },
                [Param("bite", 0.5, 0, 3), Param("clash", 1, 0.1)],
            ),
            {"gap": "u_US - u_Iran"},
            name="standoff",
            method="support",
            scenarios={"sanctions": {"bite": 2.5, "description": "maximum pressure"}},
        ).fingerprint()
    )
    frame = sweep(model, {"bite": [0.5, 2.5]}, progress=False).to_frame()
    assert list(frame["regime"]) == ["mixed", "pressure/resist"]


def test_tree_model(tmp_path):
    model = load_model(write(tmp_path, TREE))
    assert isinstance(model.game, GameTree)
    assert model.options == {"tie_break": "all"}
    assert model.measures.outcomes == {"deal": ["kept", "cheated", "snapback"], "war": ["snapback"]}
    assert model.solve().path == (("offer", "propose"), ("answer", "accept"), ("comply", "keep"))
    assert model.solve(scenario="blind").path == (("offer", "pressure"),)
    frame = sweep(model, {"detect": [0.05, 0.9]}, progress=False).to_frame()
    assert list(frame["deal"]) == [0, 1]
    assert (
        model.fingerprint()
        == Model(
            _interim_tree(),
            {"surplus": "u_US + u_Iran"},
            outcomes=model.measures.outcomes,
            name="interim",
            tie_break="all",
            scenarios={"blind": {"detect": 0.05, "description": "no inspections"}},
        ).fingerprint()
    )


def _interim_tree() -> GameTree:
    tree = GameTree(["US", "Iran"], [Param("relief", 0.4, 0, 1), Param("detect", 0.5, 0, 1)])
    tree.decision("offer", "US", {"propose": "answer", "pressure": "standoff"})
    tree.decision("answer", "Iran", {"accept": "comply", "reject": "breakdown"})
    tree.decision("comply", "Iran", {"keep": "kept", "cheat": "inspect"})
    tree.chance("inspect", {"caught": ("detect", "snapback"), "missed": ("1 - detect", "cheated")})
    tree.terminal("kept", {"US": "1 - relief", "Iran": "relief"})
    tree.terminal("snapback", {"US": -0.2, "Iran": -0.5})
    tree.terminal("cheated", {"US": "-relief", "Iran": "relief + 0.3"})
    tree.terminal("breakdown", {"US": 0.1, "Iran": 0.1})
    tree.terminal("standoff", {"US": 0.2, "Iran": 0.1})
    return tree


def test_bargaining_model(tmp_path):
    model = load_model(write(tmp_path, BARGAINING))
    assert isinstance(model.game, BargainingGame)
    assert model.game.arguments["disagreement"] == (0, "r_iran / 10")
    direct = bargain.bargaining.alternating_offers(
        np.exp(-0.1), np.exp(-0.2), breakdown=0.05, disagreement=(0, 0.02)
    )
    np.testing.assert_allclose(model.solve().shares.ravel(), direct.shares)
    assert len(sweep(model, {"r_us": [0.1, 0.5]}, progress=False).to_frame()) == 2


def test_information_sets_and_integer_ids(tmp_path):
    text = """\
[model]
name = "guess"

[game]
form = "tree"
players = ["A", "B"]

[[game.nodes]]
id = 0
kind = "decision"
player = "A"
moves = { left = 1, right = 2 }

[[game.nodes]]
id = 1
kind = "decision"
player = "B"
infoset = "h"
moves = { up = 3, down = 4 }

[[game.nodes]]
id = 2
kind = "decision"
player = "B"
infoset = "h"
moves = { up = 5, down = 6 }
"""
    for i, (a, b) in enumerate([(1, 1), (0, 0), (0, 0), (1, 1)], start=3):
        text += f'\n[[game.nodes]]\nid = {i}\nkind = "terminal"\npayoffs = {{ A = {a}, B = {b} }}\n'
    model = load_model(write(tmp_path, text))
    assert model.game.nodes[1]["infoset"] == "h"
    assert same(round_trip(model), model)


def test_loads_model_and_its_source():
    assert loads_model(NORMAL).name == "standoff"
    with pytest.raises(ModelError, match=r"^<string>: model: missing required key 'name'"):
        loads_model(NORMAL.replace('name = "standoff"', ""))
    with pytest.raises(ModelError, match=r"^here\.toml: invalid TOML"):
        loads_model("[model", "here.toml")


# -- the bundled library --------------------------------------------------------------------

BUNDLED = sorted(models_folder().glob("*.toml"))


def test_models_folder_is_the_repository_folder_in_a_source_tree():
    assert models_folder() == REPO / "models"


def test_list_models():
    infos = list_models()
    assert [info.name for info in infos] == sorted(path.stem for path in BUNDLED)
    for info in infos:
        assert isinstance(info, ModelInfo) and info.title and info.path.is_file()


def test_broken_bundled_file_is_named(tmp_path, monkeypatch):
    write(tmp_path, "[model\n", "broken.toml")
    write(tmp_path, 'not a model = "x"', "notes.txt")
    monkeypatch.setattr("bargain.io.library.models_folder", lambda: tmp_path)
    with pytest.raises(ModelError, match=re.escape(f"{tmp_path / 'broken.toml'}: invalid TOML")):
        list_models()


def test_unknown_bundled_name():
    with pytest.raises(ModelError, match="unknown model 'nosuchmodel'; bundled models: ") as info:
        load_model("nosuchmodel")
    assert "path of a .toml file" in str(info.value)


@pytest.mark.skipif(not BUNDLED, reason="no bundled models")
def test_bundled_name_typo_gets_did_you_mean():
    name = BUNDLED[0].stem
    with pytest.raises(ModelError, match=f"did you mean '{name}'"):
        load_model(name[:-1] + "x")


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.stem)
def test_bundled_model(path):
    model = load_model(path.stem)
    assert model.name == path.stem  # the command line finds a model by its file name
    assert model.fingerprint() == load_model(path).fingerprint()
    assert same(round_trip(model), model)
    assert model.solve() is not None
    for scenario in model.scenarios:
        model.solve(scenario=scenario)
    grid = model.showcase.get("grid") or {
        p.name: [p.default, p.default] for p in list(model.params)[:2]
    }
    space = {name: np.linspace(axis[0], axis[1], 3) for name, axis in grid.items()}
    frame = sweep(model, space, progress=False).to_frame()
    assert len(frame) == 3 ** len(space)
    assert set(model.measures.names) <= set(frame.columns)


# -- round trips ----------------------------------------------------------------------------


def test_python_models_round_trip():
    for model in (escalation_model(), deal_model()):
        assert same(round_trip(model), model)


def test_round_trip_of_every_option(tmp_path):
    for text in (NORMAL, TREE, BARGAINING):
        model = loads_model(text)
        again = round_trip(model)
        assert same(again, model)
        dump_model(model, tmp_path / "out.toml")
        assert same(load_model(tmp_path / "out.toml"), model)


def test_round_trip_of_unusual_names_and_values():
    tree = GameTree(
        ["U.S.", "Iran"],
        [Param("relève", 0.25, -1, 1, 'a "quoted"\ndescription'), Param("x", 1e-12, None, 1e300)],
    )
    tree.decision("first move", "U.S.", {"go on": 7, "stop": "end"})
    tree.chance(7, {"heads": ("relève", "h"), "tails": ("1 - relève", "t")})
    tree.terminal("h", {"U.S.": sympy.Rational(1, 3), "Iran": 2.0})
    tree.terminal("t", {"U.S.": "12345678901234567890123 * x", "Iran": "where(x > 0, 1, 2.0)"})
    tree.terminal("end", {"U.S.": 0.1, "Iran": "-x"})
    model = Model(
        tree,
        {"odd": "where(u_U_S_ > 0.5 or relève < 0, 1/7, 0.1)"},
        outcomes={"heads or tails": ["h", "t"]},
        name="odd-one",
        title="Ünïcode",
        description="line one\nline two",
        tie_break="raise",
        scenarios={"a b": {"relève": -0.5}},
        select="payoff-dominant",
        showcase={"table": "regime", "measures": ["odd"]},
    )
    assert same(round_trip(model), model)


def test_python_tuples_and_sympy_expressions():
    game = BargainingGame(
        "ultimatum", ["US", "Iran"], {"disagreement": (0.1, "d"), "pie": 1}, [Param("d", 0.2, 0, 1)]
    )
    model = Model(game, name="offer")
    assert same(round_trip(model), model)
    bite = sympy.Symbol("bite")
    game = NormalFormGame(
        ["a", "b"],
        [["x", "y"], ["x", "y"]],
        {"a": [[bite, 0], [0, 1]], "b": [[1, 0], [0, 2 * bite]]},
        [Param("bite", 1.0)],
    )
    model = Model(game, {"m": sympy.Max(bite, 1) - sympy.Symbol("u_a")}, method="pure", name="s")
    assert same(round_trip(model), model)


def test_objects_without_a_file_form():
    tree = GameTree(["A"])
    tree.decision("root", "A", {"only": "end"}, infoset=("a", 1))
    tree.terminal("end", {"A": 0})
    with pytest.raises(ModelError, match=r"game\.nodes\[0\]\.infoset: .* cannot be written"):
        dumps_model(Model(tree))
    tree = GameTree(["A"], [Param("x", 0)])
    tree.terminal("end", {"A": sympy.sin(sympy.Symbol("x"))})
    with pytest.raises(FormulaError, match="sin is not part of the formula language"):
        dumps_model(Model(tree))


NAMES = ("a", "b")
FORMULA = st.recursive(
    st.sampled_from([*NAMES, "1", "0.5", "2", "1/3", "0.1"]),
    lambda inner: st.one_of(
        st.builds("({} {} {})".format, inner, st.sampled_from("+-*"), inner),
        st.builds("min({}, {})".format, inner, inner),
        st.builds("abs({})".format, inner),
        st.builds("where({} > {}, {}, {})".format, inner, inner, inner, inner),
        st.builds("exp(-abs({}))".format, inner),
    ),
    max_leaves=6,
)
PAYOFF = FORMULA | st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False).map(lambda x: round(x, 3))


@st.composite
def normal_form_models(draw):
    shape = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    params = []
    for name in NAMES:
        low = draw(st.none() | st.floats(-2, 0))
        high = draw(st.none() | st.floats(1, 3))
        params.append(Param(name, draw(st.floats(0, 1)), low, high))
    payoffs = {
        p: [[draw(PAYOFF) for _ in range(shape[1])] for _ in range(shape[0])] for p in ("P1", "P2")
    }
    strategies = [[f"s{i}" for i in range(n)] for n in shape]
    try:
        game = NormalFormGame(["P1", "P2"], strategies, payoffs, params)
    except FormulaError:
        assume(False)
    measures = {f"m{i}": draw(FORMULA.map(lambda t: t + " + u_P1")) for i in range(2)}
    method = draw(st.sampled_from([None, "pure", "support"]))
    return Model(game, measures, name="random", method=method)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(normal_form_models())
def test_random_normal_form_models_round_trip(model):
    again = round_trip(model)
    exprs = [*model.game.payoffs.ravel(), *model.measures.user.values()]
    if all(canonical(e) == e for e in exprs):  # sympy built each formula in its printed form
        assert same(again, model)
    assert same(round_trip(again), again)


# -- errors ---------------------------------------------------------------------------------


def test_malformed_toml_keeps_line_and_column(tmp_path):
    message = fails(tmp_path, NORMAL.replace('US = ["pressure", "engage"]', "US = [pressure]"))
    assert message.startswith("invalid TOML: ") and re.search(r"line 22, column \d+", message)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("[params.bite]", "[paramz.bite]", "paramz: unknown section (did you mean 'params'?)"),
        (
            "default = 0.5",
            "defualt = 0.5",
            "params.bite.defualt: unknown key (did you mean 'default'?)",
        ),
        (
            'form = "normal"',
            'form = "normall"',
            "game.form: unknown value 'normall' (did you mean 'normal'?)",
        ),
        ("[game.payoffs]", "[game.payofs]", "game.payofs: unknown key (did you mean 'payoffs'?)"),
        (
            'Iran = ["resist"',
            'Irn = ["resist"',
            "game.strategies.Irn: unknown player (did you mean 'Iran'?)",
        ),
        (
            'method = "support"',
            'method = "suport"',
            "solver.method: unknown value 'suport' (did you mean 'support'?)",
        ),
        (
            'select = "max-joint"',
            'select = "max_joint"',
            "solver.select: unknown value 'max_joint' (did you mean 'max-joint'?)",
        ),
        (
            "bite = 2.5",
            "bitte = 2.5",
            "scenarios.sanctions.bitte: unknown key (did you mean 'bite'?)",
        ),
        (
            "bite = 2.5",
            "bite = 4",
            "scenarios.sanctions.bite: parameter 'bite' = 4 is outside its bounds [0, 3]",
        ),
        (
            "bite = 2.5",
            'bite = "high"',
            "scenarios.sanctions.bite: parameter 'bite' must be a real number",
        ),
        (
            'table = "regime"',
            'table = "regim"',
            "showcase.table: unknown value 'regim' (did you mean 'regime'?)",
        ),
        (
            '["gap", "u_US"]',
            '["gap", "u_USA"]',
            "showcase.measures[1]: unknown value 'u_USA' (did you mean 'u_US'?)",
        ),
        (
            "grid = { bite",
            "grid = { bitte",
            "showcase.grid.bitte: unknown key (did you mean 'bite'?)",
        ),
        (", clash = [0.5, 2, 4] }", " }", "showcase.grid: expected two parameters, got 1"),
        (
            "clash = [0.5, 2, 4]",
            "clash = [0.5, 2, true]",
            "showcase.grid.clash[2]: expected a number of points >= 2, got the boolean true",
        ),
        (
            "clash = [0.5, 2, 4]",
            "clash = [0, 2, 4]",
            "showcase.grid.clash[0]: parameter 'clash' = 0 is outside its bounds [0.1, inf)",
        ),
        (
            "between = [0, 3]",
            "between = [3, 0]",
            "showcase.threshold.between: expected [low, high] with low < high",
        ),
        (
            'over = "clash"',
            'over = "bite"',
            "showcase.threshold.over: expected a parameter other than 'bite'",
        ),
        ('measure = "regime", ', "", "showcase.threshold: missing required key 'measure'"),
        (
            "default = 0.5",
            "default = 5",
            "params.bite: default of parameter 'bite' = 5 is outside its bounds [0, 3]",
        ),
        (
            "default = 0.5",
            'default = "half"',
            "params.bite.default: expected a number, got the string 'half'",
        ),
        (
            "default = 0.5",
            "default = nan",
            "params.bite.default: expected a finite number, got nan",
        ),
        ("[params.clash]", "[params.lambda]", "params.lambda: parameter name 'lambda' is reserved"),
        (
            'players = ["US", "Iran"]',
            'players = "US"',
            "game.players: expected an array, got the string 'US'",
        ),
        (
            'players = ["US", "Iran"]',
            'players = ["US", "US"]',
            "game.players[1]: 'US' is listed twice",
        ),
        (
            'US = [["-clash", "bite"], [-2, 1]]',
            'US = [["-clash", "bite"]]',
            "game.payoffs.US: expected an array of 2 entries, "
            "one per strategy of US (pressure, engage), got an array of 1",
        ),
        (
            'US = [["-clash", "bite"], [-2, 1]]',
            "US = { a = 1 }",
            "game.payoffs.US: expected an array of 2 entries, "
            "one per strategy of US (pressure, engage), got a table",
        ),
        (
            "[-2, 1]]",
            "[-2, [1]]]",
            "game.payoffs.US[1][1]: expected a number or a formula, got an array",
        ),
        ("[-2, 1]]", "[-2, inf]]", "game.payoffs.US[1][1]: expected a finite number, got inf"),
        (
            "[-2, 1]]",
            '[-2, "log(bite - 0.5)"]]',
            "game: payoffs['US'][1][1] = log(bite - 0.5) is not finite at bite=0.5",
        ),
        (
            '[1, "1 - bite"]]',
            '[1, "1 - bitte"]]',
            "game.payoffs.Iran[1][1]: "
            "unknown name 'bitte' in formula '1 - bitte' (did you mean 'bite'?)",
        ),
        (
            'gap = "u_US - u_Iran"',
            'gap = "u_US - u_Irn"',
            "measures.gap: unknown name 'u_Irn' in formula 'u_US - u_Irn' (did you mean 'u_Iran'?)",
        ),
        ('gap = "u_US - u_Iran"', "gap = 1", "measures.gap: expected a formula, got the number 1"),
        ('gap = "u_US - u_Iran"', 'u_US = "1"', "measures.u_US: expected a new identifier"),
        (
            'name = "standoff"',
            'name = "stand off"',
            "model.name: expected letters, digits, '-' and '_' only",
        ),
        ('name = "standoff"', "name = 3", "model.name: expected a string, got the number 3"),
        (
            'method = "support"',
            'tie_break = "all"',
            "solver.tie_break: only game trees take this option",
        ),
        (
            "[showcase]",
            "[outcomes]\ndeal = []\n[showcase]",
            "outcomes: only game trees have outcome sets",
        ),
    ],
)
def test_normal_form_errors(tmp_path, old, new, expected):
    assert old in NORMAL
    error = FormulaError if "in formula" in expected else BargainError
    message = fails(tmp_path, NORMAL.replace(old, new, 1), error)
    assert message.startswith(expected), message


def test_missing_sections_and_keys(tmp_path):
    assert fails(tmp_path, "[model]\nname = 'x'\n") == "missing required section [game]"
    assert (
        fails(tmp_path, NORMAL.replace('form = "normal"\n', ""))
        == "game: missing required key 'form'"
    )
    assert fails(tmp_path, NORMAL.replace("[game.payoffs]", "[ignored]")).startswith(
        "ignored: unknown section"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            'moves = { propose = "answer"',
            'moves = { propose = "answr"',
            "game.nodes[0].moves.propose: unknown node id 'answr' (did you mean 'answer'?)",
        ),
        (
            'kind = "chance"',
            'kind = "chanse"',
            "game.nodes[3].kind: unknown value 'chanse' (did you mean 'chance'?)",
        ),
        (
            'id = "answer"',
            'id = "offer"',
            "game.nodes[1].id: duplicate node id 'offer' (also game.nodes[0])",
        ),
        (
            'id = "answer"',
            "id = 1.5",
            "game.nodes[1].id: expected a string or an integer, got the number 1.5",
        ),
        (
            'player = "Iran"',
            'player = "Iram"',
            "game.nodes[1].player: unknown value 'Iram' (did you mean 'Iran'?)",
        ),
        (
            'caught = ["detect", "snapback"]',
            'caught = "detect"',
            "game.nodes[3].branches.caught: "
            "expected [probability, child id], got the string 'detect'",
        ),
        (
            'caught = ["detect", "snapback"]',
            'caught = ["detect", "snapback", 1]',
            "game.nodes[3].branches.caught: expected [probability, child id], got an array of 3",
        ),
        (
            'caught = ["detect", "snapback"]',
            'caught = ["detect", "snap"]',
            "game.nodes[3].branches.caught[1]: unknown node id 'snap' (did you mean 'snapback'?)",
        ),
        (
            'caught = ["detect", "snapback"]',
            'caught = ["detekt", "snapback"]',
            "game.nodes[3].branches.caught[0]: "
            "unknown name 'detekt' in formula 'detekt' (did you mean 'detect'?)",
        ),
        (
            'payoffs = { US = "-relief", Iran = "relief + 0.3" }',
            'payoffs = { US = "-relief", Iran = "relif * 2" }',
            "game.nodes[6].payoffs.Iran: "
            "unknown name 'relif' in formula 'relif * 2' (did you mean 'relief'?)",
        ),
        (
            "payoffs = { US = 0.1, Iran = 0.1 }",
            "payoffs = { US = 0.1 }",
            "game.nodes[7].payoffs: missing required player 'Iran'",
        ),
        (
            "payoffs = { US = 0.1, Iran = 0.1 }",
            "payoffs = { US = 0.1, Iran = 0.1, UK = 0 }",
            "game.nodes[7].payoffs.UK: unknown player",
        ),
        (
            "payoffs = { US = 0.1, Iran = 0.1 }",
            'payoffs = { US = 0.1, Iran = 0.1 }\nplayer = "US"',
            "game.nodes[7].player: unknown key",
        ),
        (
            'moves = { keep = "kept", cheat = "inspect" }',
            "moves = {}",
            "game.nodes[2].moves: expected at least one move",
        ),
        (
            'moves = { keep = "kept", cheat = "inspect" }',
            'moves = { keep = "offer" }',
            "game.nodes: node 'comply': move 'keep' leads to 'offer', which is the root",
        ),
        (
            'deal = ["kept", "cheated", "snapback"]',
            'deal = ["kept", "inspect"]',
            "outcomes.deal[1]: the string 'inspect' is not a terminal node",
        ),
        (
            'deal = ["kept", "cheated", "snapback"]',
            'deal = ["kept", "chaeted"]',
            "outcomes.deal[1]: "
            "the string 'chaeted' is not a terminal node (did you mean 'cheated'?)",
        ),
        (
            'tie_break = "all"',
            'tie_break = "al"',
            "solver.tie_break: unknown value 'al' (did you mean 'all'?)",
        ),
        (
            'tie_break = "all"',
            'method = "pure"',
            "solver.method: game trees take no method: they are solved by concept",
        ),
        (
            'surplus = "u_US + u_Iran"',
            'surplus = "deal + wars"',
            "measures.surplus: unknown name 'wars' in formula 'deal + wars' (did you mean 'war'?)",
        ),
        (
            "detect = 0.05",
            "detect = 1.05",
            "scenarios.blind.detect: parameter 'detect' = 1.05 is outside its bounds [0, 1]",
        ),
        (
            'caught = ["detect", "snapback"]',
            'caught = [1.5, "snapback"]',
            "game.nodes: node 'inspect': chance probabilities sum to 2, not 1, "
            "at relief=0.4, detect=0.5",
        ),
        (
            "payoffs = { US = 0.1, Iran = 0.1 }",
            'payoffs = { US = "log(relief - 0.4)", Iran = 0.1 }',
            "game.nodes: node 'breakdown': payoff of 'US' is not finite at relief=0.4",
        ),
    ],
)
def test_tree_errors(tmp_path, old, new, expected):
    assert old in TREE
    message = fails(tmp_path, TREE.replace(old, new, 1), BargainError)
    assert message.startswith(expected), message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"alternating_offers"',
            '"alternating"',
            "game.protocol: unknown value 'alternating' (did you mean 'alternating_offers'?)",
        ),
        ('"alternating_offers"', '"os.system"', "game.protocol: unknown value 'os.system'"),
        (
            "breakdown = 0.05",
            "breakdwn = 0.05",
            "game.arguments.breakdwn: unknown key (did you mean 'breakdown'?)",
        ),
        ('delta1 = "exp(-r_us)"\n', "", "game.arguments: missing required key 'delta1'"),
        (
            "breakdown = 0.05",
            "breakdown = { p = 1 }",
            "game.arguments.breakdown: "
            "expected a number, a formula, a boolean or an array of them, got a table",
        ),
        (
            "breakdown = 0.05",
            "breakdown = 2",
            "game.arguments.breakdown: breakdown must be in [0, 1], got 2",
        ),
        (
            '"r_iran / 10"',
            '"r_irn / 10"',
            "game.arguments.disagreement[1]: "
            "unknown name 'r_irn' in formula 'r_irn / 10' (did you mean 'r_iran'?)",
        ),
        (
            'delta1 = "exp(-r_us)"',
            'delta1 = "exp(-r_uss)"',
            "game.arguments.delta1: unknown name 'r_uss'",
        ),
    ],
)
def test_bargaining_errors(tmp_path, old, new, expected):
    assert old in BARGAINING
    message = fails(tmp_path, BARGAINING.replace(old, new, 1), BargainError)
    assert message.startswith(expected), message


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('rm -rf /')",
        "().__class__.__bases__",
        "relief.real",
        "relief.__class__",
        "open('/etc/passwd')",
        "eval('1')",
        "lambda: 1",
        "[x for x in ()]",
        "relief if relief else 0",
        "10**10**10",
        "9**9**9**9",
        "relief ** 10**10",
        "exp(10**6)",
        "'a' * 10**9",
        "-(" * 200 + "1" + ")" * 200,
    ],
)
def test_malicious_formulas_are_refused_fast(tmp_path, text):
    start = time.perf_counter()
    for place in ('payoffs = { US = "1 - relief"', 'surplus = "u_US + u_Iran"'):
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        message = fails(
            tmp_path, TREE.replace(place, place.split('"')[0] + f'"{escaped}"', 1), FormulaError
        )
        assert message.startswith(("game.nodes[4].payoffs.US: ", "measures.surplus: "))
    assert time.perf_counter() - start < 2


def test_size_and_node_limits(tmp_path, monkeypatch):
    huge = NORMAL + "\n# " + "x" * (2 * MAX_BYTES) + "\n"
    assert fails(tmp_path, huge) == f"the file is larger than the limit of {MAX_BYTES:,} bytes"
    with pytest.raises(ModelError, match="larger than the limit"):
        loads_model(huge)
    monkeypatch.setattr("bargain.games.tree.game.MAX_NODES", 5)
    assert fails(tmp_path, TREE) == "game.nodes: 9 nodes is above the limit of 5"


def test_deep_toml_nesting(tmp_path):
    assert fails(tmp_path, "x = " + "[" * 50_000 + "]" * 50_000) == (
        "invalid TOML: arrays or tables nested too deeply"
    )


def test_unreadable_files(tmp_path):
    with pytest.raises(ModelError, match=r"nowhere\.toml: cannot read the file: No such file"):
        load_model(tmp_path / "nowhere.toml")
    with pytest.raises(ModelError, match="cannot read the file"):
        load_model(tmp_path)
    (tmp_path / "latin1.toml").write_bytes(b"[model]\nname = '\xe9'\n")
    with pytest.raises(ModelError, match=r"latin1\.toml: not UTF-8 text"):
        load_model(tmp_path / "latin1.toml")


def test_parse_toml_is_tomllib():
    assert parse_toml('a = { b = [1, "x"] }', "t") == {"a": {"b": [1, "x"]}}


# -- version and sources ----------------------------------------------------------------------

SOURCES = """\
@article{fearon1995,
  author = {Fearon, James D.},
  title = {Rationalist Explanations for War},
  journal = {International Organization}, volume = {49}, number = {3}, year = {1995}}
@book{schelling1960, author = {Schelling, Thomas C.}, title = {The Strategy of Conflict},
  publisher = {Harvard University Press}, year = {1960}}
"""


def _with_header(extra: str) -> str:
    return TREE.replace('name = "interim"', f'name = "interim"\n{extra}', 1)


def test_version_and_bibtex_reach_every_output(tmp_path):
    text = _with_header(f'version = "2.1.0"\nbibtex = """\n{SOURCES}"""')
    model = load_model(write(tmp_path, text))
    assert (model.version, model.bibtex.strip()) == ("2.1.0", SOURCES.strip())
    assert model.provenance()["cite"] == ["fearon1995", "schelling1960"]
    assert same(round_trip(model), model)
    result = sweep(model, {"relief": [0.2, 0.8]}, progress=False)
    note = result.note()
    assert note.startswith("Model interim 2.1.0")
    assert note.endswith("cite: fearon1995, schelling1960.")
    frame = result.to_frame()
    assert frame.attrs["bibtex"] == model.bibtex and frame.attrs["model_version"] == "2.1.0"
    assert "cite: fearon1995, schelling1960." in result.to_latex()
    assert '"model_version": "2.1.0"' in result.to_json()
    table = bargain.threshold_table(model, "relief", "regime", (0, 1), over=("detect", [0.5]))
    assert "model interim 2.1.0" in table.attrs["note"]
    assert table.attrs["cite"] == model.provenance()["cite"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('version = "two"', "model.version: expected a version such as '2.0.0', got 'two'"),
        ('bibtex = "Fearon 1995"', "model.bibtex: expected BibTeX entries such as"),
        ("version = 2", "model.version: expected a string"),
    ],
)
def test_bad_version_or_bibtex_is_refused(tmp_path, extra, expected):
    assert fails(tmp_path, _with_header(extra)).startswith(expected)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            '[showcase.compare]\nmodel = "nosuch"\nmeasures = []',
            "showcase.compare.model: unknown model",
        ),
        (
            '[showcase.compare]\nmodel = "escalation"\nmeasures = ["clsh"]',
            "showcase.compare.measures[0]",
        ),
        ('[showcase.compare]\nmodel = "escalation"', "showcase.compare: missing required key"),
        ('scenario = "nosuch"', "showcase.scenario: unknown value 'nosuch'"),
        (
            'scenario = "blind"\ngrid = { detect = [0, 1, 3], relief = [0, 1, 3] }',
            "showcase.scenario: scenario 'blind' sets 'detect', which the showcase varies",
        ),
    ],
)
def test_bad_showcase_comparison_is_refused(tmp_path, extra, expected):
    assert fails(tmp_path, TREE + "\n[showcase]\n" + extra + "\n").startswith(expected)


def test_scenario_tables_start_with_the_defaults_and_the_name_is_reserved(tmp_path):
    model = load_model(write(tmp_path, TREE))
    table = bargain.compare_scenarios(model).to_frame()
    assert list(table["scenario"]) == ["defaults", *model.scenarios]
    assert table["detect"].iloc[0] == model.params["detect"].default
    assert list(bargain.compare_scenarios(model, baseline=False).to_frame()["scenario"]) == list(
        model.scenarios
    )
    assert model.scenario("defaults") == {}
    clash = TREE + '\n[scenarios.defaults]\ndescription = "x"\ndetect = 0.2\n'
    assert fails(tmp_path, clash).startswith("scenarios.defaults: 'defaults' names the row")


def test_parameter_label_and_unit_reach_the_frame(tmp_path):
    text = NORMAL.replace(
        'description = "economic bite"',
        'description = "economic bite"\nlabel = "Sanctions bite"\nunit = "% of GDP"',
    )
    model = round_trip(load_model(write(tmp_path, text)))
    assert (model.params["bite"].label, model.params["bite"].unit) == ("Sanctions bite", "% of GDP")
    assert model.params.labels == {"bite": "Sanctions bite (% of GDP)"}
    frame = sweep(model, {"bite": [0.5, 2.5]}, progress=False).to_frame()
    assert bargain.frames.axis_label(frame, "bite") == "Sanctions bite (% of GDP)"
    assert bargain.frames.axis_label(frame, "clash") == "clash"


@pytest.mark.parametrize("field", ["label", "unit"])
def test_parameter_label_and_unit_are_one_line_strings(tmp_path, field):
    with pytest.raises(ParamError, match=f"{field} of parameter 'bite' must be a string"):
        Param("bite", 1, **{field: "two\nlines"})
    text = NORMAL.replace('description = "economic bite"', f"{field} = 3")
    with pytest.raises(ModelError, match=f"params.bite.{field}"):
        load_model(write(tmp_path, text))
