"""A game form defined in tests/ (tests/toy_form.py) runs everywhere without an edit to src/.

It is driven through Model, sweep, threshold, a model-file round trip and the
command line; the command line runs in a subprocess that finds the form
through an entry point of the ``bargain.forms`` group, as another package's
form would be found.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import bargain
from bargain.errors import FormulaError, ModelError
from bargain.games import form_class, form_names
from bargain.io import dumps_model, loads_model
from bargain.params import Param, ParamSpace
from tests.toy_form import ChoiceGame

ROOT = Path(__file__).parents[1]

# Stay home pays 1; go abroad pays 2 * x; a trade pays 1.5 (so: home below x = 0.5,
# abroad above x = 0.75, trade in between).
TOY = """\
[model]
name = "trip"
title = "Where to go"

[params.x]
default = 0.2
low = 0
high = 1

[game]
form = "choice"
player = "DM"
alternatives = { home = 1, trade = 1.5, abroad = "2 * x" }

[measures]
gain = "u_DM - 1"

[solver]
ties = "all"

[scenarios.rich]
x = 0.9
"""


def toy_game() -> ChoiceGame:
    params = ParamSpace([Param("x", 0.2, 0, 1)])
    return ChoiceGame("DM", {"home": 1, "trade": 1.5, "abroad": "2 * x"}, params)


def test_the_form_is_registered_and_listed():
    assert form_class("choice") is ChoiceGame
    assert {"normal", "tree", "bargaining", "choice"} <= set(form_names())


def test_solve_model_and_sweep():
    game = toy_game()
    (best,) = game.solve(x=0.9)
    assert best == "abroad"
    assert len(game.solve(x=0.75, ties="all")) == 2  # abroad pays 1.5 = trade
    model = bargain.Model(game, {"gain": "u_DM - 1"}, name="trip", ties="all")
    result = bargain.sweep(model, {"x": [0.1, 0.5, 0.75, 1.0]}, progress=False)
    frame = result.to_frame()
    assert frame["n_equilibria"].tolist() == [1, 1, 2, 1]
    assert frame["equilibria"].tolist() == ["trade", "trade", "abroad | trade", "abroad"]
    np.testing.assert_allclose(frame["gain"], [0.5, 0.5, np.nan, 1.0])
    table = bargain.sweep(model, {"x": [0.1, 1.0]}, progress=False).to_markdown()
    assert "| trade" in table and "| abroad" in table


def test_threshold_and_options():
    model = bargain.Model(toy_game(), name="trip")
    found = bargain.threshold(model, "x", "regime", (0, 1))
    assert found.value == pytest.approx(0.75, abs=1e-6)
    assert (found.below, found.above) == ("trade", "abroad")
    with pytest.raises(ModelError, match="only game trees take this option; ChoiceGame takes ties"):
        bargain.Model(toy_game(), tie_break="all")
    with pytest.raises(ModelError, match="unknown ties 'some'"):
        toy_game().solve_batch({}, ties="some")


def test_model_file_round_trip():
    model = loads_model(TOY, "trip.toml")
    assert isinstance(model.game, ChoiceGame) and model.options == {"ties": "all"}
    text = dumps_model(model)
    again = loads_model(text, "again.toml")
    assert again.fingerprint() == model.fingerprint() and dumps_model(again) == text
    assert 'abroad = "2*x"' in text and 'ties = "all"' in text
    with pytest.raises(FormulaError, match=r"game\.alternatives\.abroad: unknown name 'y'"):
        loads_model(TOY.replace('"2 * x"', '"2 * y"'), "bad.toml")


@pytest.fixture
def toy_package(tmp_path: Path) -> dict[str, str]:
    """An installed distribution whose entry point names the toy form, and the environment."""
    info = tmp_path / "toy_choice-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: toy-choice\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[bargain.forms]\nchoice = tests.toy_form:ChoiceGame\n")
    path = os.pathsep.join([str(tmp_path), str(ROOT)])
    return {**os.environ, "PYTHONPATH": path}


def test_command_line_finds_the_form_through_its_entry_point(toy_package, tmp_path):
    exe = shutil.which("bargain", path=str(Path(sys.executable).parent))
    model = tmp_path / "trip.toml"
    model.write_text(TOY)

    def run(*args: str) -> str:
        done = subprocess.run(
            [exe, *args], capture_output=True, text=True, env=toy_package, timeout=120
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    solved = json.loads(run("solve", str(model), "--scenario", "rich", "--format", "json"))
    assert [e["regime"] for e in solved["equilibria"]] == ["abroad"]
    swept = run("sweep", str(model), "-g", "x=0:1:5", "--columns", "x,regime,gain")
    assert swept.splitlines() == [  # a plain CSV table: the header, then the points
        "x,regime,gain",
        "0.0,trade,0.5",
        "0.25,trade,0.5",
        "0.5,trade,0.5",
        "0.75,,",
        "1.0,abroad,1.0",
    ]
    flip = run("threshold", str(model), "x", "--measure", "regime", "--between", "0.8", "0.2")
    assert "0.75" in flip
    done = subprocess.run(
        [exe, "solve", str(model), "-O", "tie_break=all"],
        capture_output=True,
        text=True,
        env=toy_package,
        timeout=120,
    )
    assert done.returncode == 2
    assert "only game trees take this option" in done.stderr


def test_options_that_serve_another_method_do_not_follow_a_change_of_method():
    """``Option.only``: a model's ``lam`` serves ``method="qre"``; a caller who asks for
    another method leaves it behind, one who keeps the method (or sets lam) keeps it."""
    game = bargain.NormalFormGame.from_arrays([[2, 0], [0, 1]], [[1, 0], [0, 2]])
    model = bargain.Model(game).with_options(method="qre", lam=3)
    assert model.with_options(method="support").options == {"method": "support"}
    assert model.with_options(chunk_size=10).options == {
        "method": "qre",
        "lam": 3,
        "chunk_size": 10,
    }
    assert model.with_options(lam=5).options == {"method": "qre", "lam": 5}
    assert len(model.with_options(method="support").solve()) == 3
    # what the caller gives is kept, and checked
    with pytest.raises(ModelError, match="only method='qre' takes lam"):
        model.with_options(method="support", lam=2).solve()
    tree = bargain.GameTree(["A"])
    tree.decision("root", "A", {"l": "x", "r": "y"})
    tree.terminal("x", {"A": 1})
    tree.terminal("y", {"A": 0})
    assert tree.updated_options({"concept": "qre", "lam": 2}, {"concept": "spe"}) == {
        "concept": "spe"
    }
    assert tree.updated_options({"tie_break": "all"}, {"concept": "pbe"}) == {"concept": "pbe"}
