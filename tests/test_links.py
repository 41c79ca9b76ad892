"""Linked models: a term of one model computed as another model's equilibrium measure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bargain import GameTree, Model, Param, sweep
from bargain.cli import main
from bargain.errors import ModelError, ParamError
from bargain.io import load_model, loads_model
from bargain.model.links import Link
from bargain.sweeps.checkpoint import CheckpointError

#: Iran accepts a deal worth relief - 1 or takes the escalation game's payoff.
HOST = """
[model]
name = "host"

[params.relief]
default = 0.5
low = 0
high = 1

[params.pressure]
default = 0.5
low = 0
high = {high}

[links.breakdown_iran]
model = "{linked}"
measure = "{measure}"
select = "{select}"
params = {{ {param} = "2 * pressure" }}

[game]
form = "tree"
players = ["Iran"]

[[game.nodes]]
id = "answer"
kind = "decision"
player = "Iran"
moves = {{ accept = "deal", reject = "war" }}

[[game.nodes]]
id = "deal"
kind = "terminal"
payoffs = {{ Iran = "relief - 1" }}

[[game.nodes]]
id = "war"
kind = "terminal"
payoffs = {{ Iran = "breakdown_iran" }}

[measures]
gap = "relief - 1 - breakdown_iran"
"""

#: A 2x2 coordination game: (y, y) is the only equilibrium for a < 0.5; for a > 0.5
#: (x, x), (y, y) and a mixed one, so "unique" selects none there.
CRISIS = """
[model]
name = "crisis"

[params.a]
default = 0.5
low = -1
high = 1

[game]
form = "normal"
players = ["A", "B"]
strategies = { A = ["x", "y"], B = ["x", "y"] }
payoffs = { A = [["a - 0.5", 0], [0, 1]], B = [["a - 0.5", 0], [0, SUCKER]] }
"""


def host_text(**fields: object) -> str:
    given = {"linked": "escalation", "measure": "u_Iran", "select": "max-joint"}
    given |= {"param": "bite", "high": 1.5} | fields
    return HOST.format(**given)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def crisis(sucker: float = 1) -> str:
    return CRISIS.replace("SUCKER", str(sucker))


@pytest.fixture
def host(tmp_path: Path) -> Model:
    return load_model(write(tmp_path, "host.toml", host_text()))


PRESSURE = np.linspace(0, 1.5, 7)


@pytest.mark.parametrize("select", ["max-joint", "risk-dominant"])
def test_linked_values_equal_the_linked_model_solved_at_the_same_points(tmp_path, select):
    model = load_model(write(tmp_path, "host.toml", host_text(select=select)))
    relief = np.linspace(0, 1, 7)
    table = model.evaluate({"pressure": PRESSURE, "relief": relief})["points"]
    direct = load_model("escalation").evaluate({"bite": 2 * PRESSURE}, select)["points"]
    assert np.array_equal(table["breakdown_iran"], direct["u_Iran"])
    # Iran accepts iff relief - 1 >= the breakdown value (ties: the first move, accept)
    assert np.allclose(table["u_Iran"], np.maximum(relief - 1, direct["u_Iran"]))
    assert np.allclose(table["gap"], relief - 1 - direct["u_Iran"])


def test_a_link_is_computed_not_a_parameter(host):
    assert host.params.names == ("relief", "pressure")
    assert "breakdown_iran" in host.game.params.names  # the game's formulas use it
    u_iran = load_model("escalation").evaluate({"bite": [1.0]}, "max-joint")["points"]["u_Iran"]
    (equilibrium,) = host.solve(relief=0.2)
    assert equilibrium.payoffs["Iran"] == pytest.approx(max(0.2 - 1, u_iran[0]))
    with pytest.raises(ModelError, match="'breakdown_iran' is linked to escalation: u_Iran"):
        host.solve(breakdown_iran=0.0)
    with pytest.raises(ModelError, match="computed at each point"):
        host.evaluate({"breakdown_iran": [0.0]})
    with pytest.raises(ParamError, match="unknown parameter 'breakdown_iran'"):
        sweep(host, {"breakdown_iran": [0.0, 1.0]}, progress=False)


def test_a_sweep_has_the_linked_column_and_checkpoints_follow_the_linked_model(tmp_path):
    write(tmp_path, "crisis.toml", crisis())
    text = host_text(linked="crisis.toml", measure="u_A", param="a", high=0.5)
    model = load_model(write(tmp_path, "host.toml", text))
    space = {"pressure": np.linspace(0, 0.5, 6), "relief": [0.0, 1.0]}
    folder = tmp_path / "checkpoint"
    first = sweep(model, space, chunk_size=4, checkpoint=folder, progress=False).to_frame()
    direct = load_model(tmp_path / "crisis.toml").evaluate(
        {"a": 2 * first["pressure"]}, "max-joint"
    )
    assert np.array_equal(first["breakdown_iran"], direct["points"]["u_A"])
    again = sweep(model, space, chunk_size=4, checkpoint=folder, progress=False)
    assert again.metadata["chunks_resumed"] == again.metadata["chunks"] == 3
    before = model.fingerprint()
    write(tmp_path, "crisis.toml", crisis(sucker=2))  # the linked model changes, not the host
    changed = load_model(tmp_path / "host.toml")
    assert changed.fingerprint() != before
    with pytest.raises(CheckpointError, match="belongs to a different sweep"):
        sweep(changed, space, chunk_size=4, checkpoint=folder, progress=False)


def test_processes_equal_in_process(host):
    space = {"pressure": PRESSURE}
    here = sweep(host, space, chunk_size=3, progress=False).to_frame()
    there = sweep(host, space, chunk_size=3, executor="processes", workers=2, progress=False)
    assert there.to_frame().equals(here)


def test_no_selected_equilibrium_is_an_error_naming_the_link_and_the_point(tmp_path):
    write(tmp_path, "crisis.toml", crisis())
    text = host_text(linked="crisis.toml", measure="u_A", param="a", select="unique", high=0.5)
    model = load_model(write(tmp_path, "host.toml", text))
    below = model.evaluate({"pressure": [0.0, 0.2]})["points"]  # a < 0.5: (y, y) only
    assert below["breakdown_iran"].tolist() == [1.0, 1.0]
    with pytest.raises(ModelError) as error:
        model.evaluate({"pressure": [0.0, 0.4, 0.5]})
    message = str(error.value)
    assert message.startswith("links.breakdown_iran: model 'crisis' has 3 equilibria")
    assert "select = 'unique' chooses none" in message
    assert "2 of 3 points (first: relief=0.5, pressure=0.4)" in message


def test_a_cycle_of_links_is_refused(tmp_path):
    for name, other in (("a.toml", "b.toml"), ("b.toml", "a.toml")):
        write(tmp_path, name, host_text(linked=other, param="relief", high=0.5))
    with pytest.raises(ModelError, match=r"a cycle of links: .*a\.toml -> .*b\.toml -> .*a\.toml"):
        load_model(tmp_path / "a.toml")
    itself = host_text(linked="self.toml", param="relief", high=0.5)
    with pytest.raises(ModelError, match=r"links\.breakdown_iran\.model: a cycle of links"):
        load_model(write(tmp_path, "self.toml", itself))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"measure": "u_Irn"},
            r"host\.toml: links\.breakdown_iran\.measure: unknown measure 'u_Irn' of model "
            r"'escalation' \(did you mean 'u_Iran'\?\)",
        ),
        (
            {"param": "bight"},
            r"links\.breakdown_iran\.params\.bight: unknown parameter 'bight' of model "
            r"'escalation' \(did you mean 'bite'\?\)",
        ),
        (
            {"linked": "escalaton"},
            r"links\.breakdown_iran\.model: unknown model 'escalaton' "
            r"\(did you mean 'escalation'\?\)",
        ),
        ({"select": "all"}, r"links\.breakdown_iran\.select: unknown value 'all'"),
        (
            {"high": 3},  # bite = 2 * pressure reaches 6, above escalation's bound 3
            r"links\.breakdown_iran\.params: parameter 'bite' has values outside its bounds",
        ),
    ],
)
def test_bad_links_are_refused_with_the_key_path(tmp_path, fields, message):
    path = write(tmp_path, "host.toml", host_text(**fields))
    with pytest.raises((ModelError, ParamError), match=message):
        model = load_model(path)
        model.evaluate({"pressure": [0.0, 3.0]})


def test_a_link_needs_a_game_parameter_of_its_name_and_a_new_name():
    escalation = load_model("escalation")
    tree = GameTree(["Iran"], params=[Param("relief", 0.5, 0, 1)])
    tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    tree.terminal("deal", {"Iran": "relief"})
    tree.terminal("war", {"Iran": -0.5})
    with pytest.raises(ModelError, match=r"links\.breakdwn: the game has no parameter 'breakdwn'"):
        Model(tree, links={"breakdwn": Link(escalation, "u_Iran")})
    text = host_text().replace(
        "[params.pressure]", "[params.breakdown_iran]\ndefault = 0\n\n[params.p]"
    )
    with pytest.raises(ModelError, match=r"links\.breakdown_iran: 'breakdown_iran' is a parameter"):
        loads_model(text, "host.toml")


def test_links_in_python_equal_links_in_a_file(host):
    tree = GameTree(
        ["Iran"],
        params=[
            Param("relief", 0.5, 0, 1),
            Param("pressure", 0.5, 0, 1.5),
            Param("breakdown_iran", 0),
        ],
    )
    tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    tree.terminal("deal", {"Iran": "relief - 1"})
    tree.terminal("war", {"Iran": "breakdown_iran"})
    link = Link(load_model("escalation"), "u_Iran", "max-joint", {"bite": "2 * pressure"})
    model = Model(
        tree, {"gap": "relief - 1 - breakdown_iran"}, name="host", links={"breakdown_iran": link}
    )
    assert model.fingerprint() == host.fingerprint()
    copy = model.with_measures({"twice": "2 * u_Iran"})
    assert copy.links["breakdown_iran"] == model.links["breakdown_iran"]


def test_the_file_written_back_loads_the_same_model(tmp_path, host):
    text = host.to_toml()
    assert '[links.breakdown_iran]\nmodel = "escalation"\nmeasure = "u_Iran"' in text
    assert 'params = { bite = "2*pressure" }' in text
    assert load_model(write(tmp_path, "again.toml", text)).fingerprint() == host.fingerprint()


def test_text_without_a_loader_is_refused_with_a_hint():
    from bargain.model.toml_reader import loads_model as read

    with pytest.raises(ModelError, match=r"x\.toml: links\.breakdown_iran\.model: linked models"):
        read(host_text(), "x.toml")


def test_bargain_show_prints_the_link(tmp_path):
    path = write(tmp_path, "host.toml", host_text(select="risk-dominant"))
    result = CliRunner().invoke(main, ["show", str(path)])
    assert result.exit_code == 0, result.output
    assert "Linked values" in result.output
    assert "breakdown_iran     escalation: u_Iran (select risk-dominant; bite = 2*pressure)" in (
        result.output
    )
    parameters = result.output.split("Parameters:")[1].split("Linked values")[0]
    assert "breakdown_iran" not in parameters
