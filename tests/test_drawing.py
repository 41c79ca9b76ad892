"""Game-tree figures (bargain.drawing): TikZ compiled by a real pdflatex, the drawn structure
against the game's, the highlighted path against the solver's, SVG and PNG files; forms
without a tree refused through the game protocol (GameForm.extensive_form)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from bargain import GameTree, Model, Param, load_model
from bargain.drawing import draw
from bargain.errors import BargainError, ModelError
from bargain.games import GameForm
from bargain.params import ParamSpace
from tests.latex import compile_latex
from tests.test_tree_pbe import beer_quiche_tree
from tests.toy_form import ChoiceGame


def offer_tree() -> GameTree:
    """The U.S. proposes relief or keeps up pressure; Iran accepts or rejects. By hand:
    Iran accepts iff relief > 0.1 (breakdown gives it 0.1); then the U.S. proposes iff
    1 - relief > 0.2 (the stand-off), so the path is propose, accept for relief in
    (0.1, 0.8) and pressure otherwise."""
    tree = GameTree(["US", "Iran"], params=[Param("relief", 0.4, 0, 1)])
    tree.decision("offer", "US", {"propose": "answer", "pressure": "standoff"})
    tree.decision("answer", "Iran", {"accept": "deal", "reject": "breakdown"})
    tree.terminal("deal", {"US": "1 - relief", "Iran": "relief"})
    tree.terminal("breakdown", {"US": 0.1, "Iran": 0.1})
    tree.terminal("standoff", {"US": 0.2, "Iran": 0.1})
    return tree


def entry_tree() -> GameTree:
    """Nature picks a strong or weak entrant, who knows its type and enters or stays out;
    the incumbent, not knowing it, fights or accommodates an entry (one information set)."""
    tree = GameTree(["Entrant", "Incumbent"], params=[Param("p", 0.3, 0, 1)])
    tree.chance("type", {"strong": ("p", "s"), "weak": ("1 - p", "w")})
    for t, gain in (("s", 2), ("w", 1)):
        tree.decision(t, "Entrant", {"enter": f"{t}_in", "stay_out": f"{t}_out"})
        tree.decision(f"{t}_in", "Incumbent", {"fight": f"{t}_f", "yield": f"{t}_y"}, "entry")
        tree.terminal(f"{t}_out", {"Entrant": 0, "Incumbent": 2})
        tree.terminal(f"{t}_f", {"Entrant": gain - 2, "Incumbent": 3 - 2 * gain})
        tree.terminal(f"{t}_y", {"Entrant": gain, "Incumbent": 1})
    return tree


def pennies_tree() -> GameTree:
    """Matching pennies as a tree: the second mover does not see the first move."""
    tree = GameTree(["A", "B"])
    tree.decision("a", "A", {"heads": "bh", "tails": "bt"})
    for first in ("h", "t"):
        tree.decision(f"b{first}", "B", {"Heads": f"{first}H", "Tails": f"{first}T"}, "guess")
        for second in ("H", "T"):
            win = 1 if first == second.lower() else -1
            tree.terminal(f"{first}{second}", {"A": win, "B": -win})
    return tree


def in_figure(tikz: str) -> str:
    return f"\\begin{{figure}}\n\\centering\n{tikz}\\caption{{A game tree.}}\n\\end{{figure}}"


def drawn_branches(tikz: str) -> list[tuple[str, str]]:
    """(style, move label without its probability) of each branch drawn."""
    pattern = r"\\draw\[([a-z -]+)\] \(n\d+\) -- node\[move, [a-z ]+\] \{(.*)\} \(n\d+\);"
    return [(style, label.split(r"\ (")[0]) for style, label in re.findall(pattern, tikz)]


def drawn_moves(tikz: str, style: str) -> list[str]:
    """The move labels of the branches drawn in ``style``."""
    return [label for drawn, label in drawn_branches(tikz) if drawn == style]


@pytest.mark.parametrize("name", ["interim-deal", "breakout", "gestures"])
def test_the_tikz_of_the_bundled_trees_compiles_without_overfull_lines(name, tmp_path):
    compile_latex(in_figure(draw(load_model(name)).tikz()), tmp_path)


def test_a_tree_with_chance_and_an_information_set_compiles_with_the_set_drawn(tmp_path):
    tikz = draw(entry_tree()).tikz()
    assert len(re.findall(r"\\draw\[infoset\]", tikz)) == 1
    assert r"\node[chance, label=above:{Nature}]" in tikz
    assert r"strong\ ($0.3$)" in tikz and r"weak\ ($0.7$)" in tikz
    compile_latex(in_figure(tikz), tmp_path)


def test_a_wide_tree_is_scaled_to_the_line(tmp_path):
    tree = GameTree(["US", "Iran"])
    tree.decision("root", "US", {f"offer_{k}": f"t{k}" for k in range(24)})
    for k in range(24):
        tree.terminal(f"t{k}", {"US": -k / 7, "Iran": k / 7})
    compile_latex(in_figure(draw(tree).tikz()), tmp_path)


@pytest.mark.parametrize("name", ["interim-deal", "breakout", "coalition-sanctions"])
def test_the_drawn_tree_has_the_structure_of_the_game(name):
    game = load_model(name).game
    drawing = draw(load_model(name))
    kinds = [node["kind"] for node in game.nodes.values()]
    drawn = [node.kind for node in drawing.shape.nodes]
    for kind in ("decision", "chance", "terminal"):
        assert drawn.count(kind) == kinds.count(kind)
    assert len(drawing.shape.branches) == len(game.nodes) - 1
    tikz = drawing.tikz()
    moves = [m.replace("_", r"\_") for node in game.nodes.values() for m in node.get("moves", {})]
    assert sorted(label for _, label in drawn_branches(tikz)) == sorted(moves)
    for player in game.players:
        assert f"{{{player}}}" in tikz
    assert tikz.count(r"\node[payoff]") == kinds.count("terminal")


def test_the_signaling_game_is_drawn_as_its_tree():
    model = load_model("gestures")
    game = model.game
    shape = draw(model).shape
    types, messages, actions = map(len, (game.types, game.messages, game.actions))
    assert [n.kind for n in shape.nodes].count("chance") == 1
    assert [n.kind for n in shape.nodes].count("decision") == types + types * messages
    assert [n.kind for n in shape.nodes].count("terminal") == types * messages * actions
    # one information set of the receiver per message, joining one node per type
    assert len(shape.infosets) == messages
    assert all(len(members) == types for members in shape.infosets)
    receiver = {shape.nodes[v].player for members in shape.infosets for v in members}
    assert receiver == {game.players[1]}


def test_the_signaling_equilibrium_is_highlighted():
    model = load_model("gestures")
    (pbe,) = model.solve()
    shape = draw(model).shape
    on_path = {
        (shape.nodes[b.parent].name, b.label) for b in shape.branches if shape.style(b) == "path"
    }
    for type_, sends in pbe.sender.items():
        for message, p in sends.items():
            assert ((type_, message) in on_path) == (p > 0)
            if p > 0:  # the receiver's reply to a message sent is on the path
                (reply,) = [a for a, q in pbe.receiver[message].items() if q > 0]
                assert (f"{type_}/{message}", reply) in on_path


@pytest.mark.parametrize(
    ("relief", "path"),
    [(0.4, [("offer", "propose"), ("answer", "accept")]), (0.05, [("offer", "pressure")])],
)
def test_the_highlighted_path_is_the_subgame_perfect_path(relief, path):
    tree = offer_tree()
    assert list(tree.solve(relief=relief).path) == path
    drawing = draw(tree, {"relief": relief})
    shape = drawing.shape
    highlighted = [
        (shape.nodes[b.parent].name, b.label) for b in shape.branches if shape.style(b) == "path"
    ]
    assert highlighted == path
    assert drawn_moves(drawing.tikz(), "path") == [move for _, move in path]


def test_choices_off_the_path_are_drawn_apart():
    drawing = draw(offer_tree(), {"relief": 0.05})  # Iran would reject, off the path
    assert drawn_moves(drawing.tikz(), "off-path choice") == ["reject"]
    assert drawn_moves(drawing.tikz(), "plain") == ["propose", "accept"]


def test_a_mixed_equilibrium_labels_the_choices_with_their_probabilities(tmp_path):
    tikz = draw(pennies_tree()).tikz()
    for move in ("heads", "tails", "Heads", "Tails"):
        assert rf"{{{move}\ ($0.5$)}}" in tikz
    compile_latex(in_figure(tikz), tmp_path)


def test_payoffs_show_consistent_digits_without_float_noise():
    tree = GameTree(["US", "Iran"])
    tree.decision("root", "US", {"a": "x", "b": "y"})
    tree.terminal("x", {"US": 0.1 + 0.2, "Iran": 1e-17})
    tree.terminal("y", {"US": 2, "Iran": -0.25})
    texts = draw(tree).shape.payoff_texts
    assert sorted(texts.values()) == [("0.30", "0.00"), ("2.00", "-0.25")]


def test_the_point_is_the_scenario_then_the_values_given():
    model = load_model("interim-deal")
    drawing = draw(model, {"relief": 0.6}, scenario="unified_coalition")
    assert "scenario unified_coalition: relief = 0.6, unity = 0.9" in drawing.note
    assert "interim-deal" in drawing.tikz().splitlines()[0]


def test_svg_and_png_are_written_and_readable(tmp_path):
    image = pytest.importorskip("matplotlib.image")
    paths = draw(load_model("gestures")).write(tmp_path, ["tex", "svg", "png", "pdf"])
    assert [p.name for p in paths] == [f"gestures-tree.{s}" for s in ("tex", "svg", "png", "pdf")]
    pixels = image.imread(paths[2])
    assert pixels.ndim == 3 and pixels.shape[0] > 200 and pixels.shape[1] > 400
    assert (pixels[..., :3] < 0.2).any()  # something is drawn in black
    svg = ET.parse(paths[1]).getroot()
    texts = {"".join(t.itertext()).strip() for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"Nature", "Iran", "US", "gesture", "engage", "trustworthy (0.4)"} <= texts
    assert paths[3].read_bytes().startswith(b"%PDF")


def test_a_normal_form_model_is_refused_naming_the_forms_drawn():
    expected = (
        r"model 'escalation': normal-form games \(form 'normal'\) have no game tree to draw: "
        r"only game trees and signaling games can be drawn \(forms 'tree', 'signaling'\)"
    )
    with pytest.raises(ModelError, match=expected):
        draw(load_model("escalation"))


def choice_model() -> Model:
    """A model of the toy form tests/toy_form.py defines outside bargain."""
    params = ParamSpace([Param("x", 0.5, 0, 1)])
    return Model(ChoiceGame("DM", {"home": 1, "abroad": "2 * x"}, params), name="choice")


@pytest.mark.parametrize(
    ("model", "noun"),
    [
        (lambda: load_model("interim-terms"), "bargaining protocols"),
        (lambda: load_model("intermediaries"), "mediation games"),
        (choice_model, "choice problems"),
    ],
)
def test_a_form_without_a_tree_gets_the_protocols_error(model, noun):
    model = model()
    game, solution = model.game, model.solve()
    assert type(game).extensive_form is GameForm.extensive_form  # the protocol's default
    with pytest.raises(ModelError, match=rf"^{noun} \(form '{game.form}'\) have no game tree"):
        game.extensive_form(solution[0], solution.values)
    expected = rf"^model '{model.name}': {noun} .* have no game tree to draw: only game trees"
    with pytest.raises(ModelError, match=expected):
        draw(model)


def test_a_tree_solved_for_perfect_bayesian_equilibria_is_refused():
    model = Model(beer_quiche_tree(), concept="pbe", name="bq")
    assert model.solve().equilibria  # it has a PBE, but a tree is drawn with its SPE
    with pytest.raises(ModelError, match=r"^model 'bq': .*concept='pbe'.*concept='spe'"):
        draw(model)
    drawn = draw(model.with_options(concept="spe"))
    assert drawn.shape.equilibrium.startswith("subgame-perfect equilibrium 1 of")
    assert len(drawn.shape.infosets) == 2


def test_bad_requests_get_clear_errors(tmp_path):
    drawing = draw(offer_tree())
    with pytest.raises(BargainError, match="did you mean 'svg'"):
        drawing.write(tmp_path, ["svgg"])
    with pytest.raises(ModelError, match=r"equilibrium 2: the point has 1"):
        draw(offer_tree(), equilibrium=2)
    with pytest.raises(BargainError, match="relief"):
        draw(offer_tree(), {"releif": 0.3})
