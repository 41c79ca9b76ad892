"""Markdown and LaTeX tables of sweep results: listings, pivots, formats, escaping, notes."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from bargain import BargainError, DegenerateGameWarning
from bargain.model import Model
from bargain.spaces import grid, linspace
from bargain.sweeps import sweep
from bargain.tables import MISSING, latex_escape, regimes, to_latex, to_markdown
from tests.test_normal_form import escalation
from tests.test_tree import interim_deal


@pytest.fixture(scope="module")
def deal():
    model = Model(
        interim_deal(),
        {"surplus": "u_US + u_Iran"},
        outcomes={"deal": ["kept", "cheated", "snapback"]},
        name="interim_deal",
        title="Interim deal & 50% snapback",
    )
    space = grid(relief=linspace(0, 1, 5), detect=linspace(0, 1, 4))
    return sweep(model, space, fixed={"gain": 0.3}, progress=False)


@pytest.fixture(scope="module")
def esc():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DegenerateGameWarning)
        model = Model(escalation(), name="escalation")
        return sweep(model, {"bite": [0.5, 1.0, 1.5], "clash": [1.0, 4.0]}, progress=False)


def cells(text: str, line: int) -> list[str]:
    """The cells of a line of a Markdown table."""
    return [c.strip() for c in re.split(r"(?<!\\)\|", text.splitlines()[line])[1:-1]]


def body(latex: str) -> list[list[str]]:
    """The cells of the rows between \\midrule and \\bottomrule."""
    inner = latex.split("\\midrule\n")[1].split("\\bottomrule")[0]
    return [row.removesuffix(" \\\\").split(" & ") for row in inner.strip().splitlines()]


def test_latex_has_booktabs_caption_label_and_note(deal):
    text = to_latex(deal, ["relief", "detect", "deal"], caption="Deals", label="tab:deal")
    lines = text.splitlines()
    assert lines[0] == r"\begin{table}[htbp]" and lines[-1] == r"\end{table}"
    for rule in (r"\toprule", r"\midrule", r"\bottomrule"):
        assert lines.count(rule) == 1
    assert r"\caption{Deals}" in lines and r"\label{tab:deal}" in lines
    assert r"\begin{tabular}{rrr}" in lines
    assert lines[lines.index(r"\toprule") + 1] == r"relief & detect & deal \\"
    assert len(body(text)) == len(deal) == 20
    note = next(line for line in lines if "Note:" in line)
    # The note is escaped and names the model, the fixed value, the rule and the version.
    assert r"Interim deal \& 50\% snapback" in note and "interim\\_deal" in note
    assert "gain = 0.3" in note and "selection: unique" in note and "bargain 0." in note


def test_latex_escapes_text_and_sets_minus_signs(esc):
    text = to_latex(esc, ["bite", "clash", "u_US", "regime"])
    assert r"u\_US" in text and "u_US" not in text
    assert "pressure/resist" in text
    rows = body(text)
    assert rows[1][2] == "$-$2"  # bite 0.5, clash 4: engage/resist, U.S. payoff -2
    assert rows[2][3] == "---"  # bite 1, clash 1: two equilibria, none selected as unique


def test_latex_escape_handles_every_special_character():
    assert latex_escape(r"a_b&c%d$e#f{g}h~i^j\k") == (
        r"a\_b\&c\%d\$e\#f\{g\}h\textasciitilde{}i\textasciicircum{}j\textbackslash{}k"
    )
    assert latex_escape("propose>accept | x<y") == (
        r"propose\textgreater{}accept \textbar{} x\textless{}y"
    )


def test_latex_pivot_is_the_grid_of_one_outcome(deal):
    text = to_latex(deal, pivot=("relief", "detect", "regime"), caption="Regimes")
    assert r" & \multicolumn{4}{c}{detect} \\" in text and r"\cmidrule(lr){2-5}" in text
    assert r"relief & 0 & 0.333 & 0.667 & 1 \\" in text
    rows = body(text)
    assert [row[0] for row in rows] == ["0", "0.25", "0.5", "0.75", "1"]
    assert all(len(row) == 5 for row in rows)
    # A deal needs 0.1 <= relief <= 0.8 and detect >= gain / (0.5 + relief + gain).
    assert rows[2][1:] == ["pressure"] + ["propose\\textgreater{}accept\\textgreater{}keep"] * 3
    assert rows[0][1:] == ["pressure"] * 4
    assert "Note: Cells: regime." in text


def test_markdown_pivot_and_note(deal):
    text = to_markdown(deal, pivot=("relief", "detect", "deal"))
    lines = text.splitlines()
    assert lines[0].split("|")[1:-1] == [
        " relief ",
        " detect = 0 ",
        " detect = 0.333 ",
        " detect = 0.667 ",
        " detect = 1 ",
    ]
    assert re.fullmatch(r"\|-+:\|(-+:\|){4}", lines[1])
    assert cells(text, 4) == ["0.5", "0", "1", "1", "1"]
    assert len(lines) == 2 + 5 + 2 and lines[-2] == ""
    assert lines[-1].startswith("Note: Cells: deal. Model interim_deal (Interim deal")


def test_markdown_shows_missing_values_flags_and_escapes_pipes(esc):
    text = to_markdown(esc, ["bite", "clash", "ties", "regime", "equilibria"])
    row = cells(text, 4)
    assert row[:4] == ["1", "1", "no", MISSING]
    assert row[4] == r"pressure/resist \| pressure/restrain"


def test_number_formats(deal):
    text = to_markdown(deal, ["relief", "detect", "surplus"])  # .3g by default
    assert cells(text, 3) == ["0", "0.333", "0.3"]
    text = to_markdown(deal, ["relief", "detect", "surplus", "deal"], floatfmt=".2f")
    # Whole-number columns show without decimals unless a format names them.
    assert cells(text, 6) == ["0.25", "0.00", "0.30", "0"]
    text = to_markdown(deal, ["relief", "deal"], floatfmt={"deal": ".1f", "relief": ".0%"})
    assert cells(text, 9) == ["25%", "1.0"]
    with pytest.raises(BargainError, match=r"invalid number format '\.2q' for column 'relief'"):
        to_markdown(deal, ["relief"], floatfmt=".2q")
    with pytest.raises(BargainError, match="did you mean 'surplus'"):
        to_markdown(deal, ["relief"], floatfmt={"surplu": ".2f"})


def test_default_columns_and_long_form(deal, esc):
    header = cells(to_markdown(deal), 0)
    assert header[:3] == ["relief", "detect", "u_US"]
    assert header[-3:] == ["deal", "surplus", "regime"]
    lines = to_markdown(esc, ["point", "regime"], long=True).splitlines()
    assert len(lines) == 2 + 10 + 2  # 10 equilibria at 6 points


def test_pivot_needs_one_point_per_cell():
    model = Model(interim_deal(), name="interim")
    result = sweep(model, {"relief": [0.2, 0.6], "detect": [0.1, 0.9], "gain": [0.1, 0.5]})
    with pytest.raises(BargainError, match=r"also sweeps gain: pass fixed=\{'gain': value\}"):
        to_latex(result, pivot=("relief", "detect", "regime"))
    text = to_markdown(result, pivot=("relief", "detect", "regime"), fixed={"gain": 0.5})
    assert "Shown: points with gain = 0.5." in text and len(text.splitlines()) == 2 + 2 + 2
    with pytest.raises(BargainError, match=r"no point has gain = 0\.3; its values include 0\.1, 0"):
        to_markdown(result, fixed={"gain": 0.3})


def test_errors(deal):
    with pytest.raises(BargainError, match=r"unknown column 'releif' \(did you mean 'relief'\?\)"):
        to_latex(deal, ["releif"])
    with pytest.raises(BargainError, match="needs a caption"):
        to_latex(deal, label="tab:x")
    with pytest.raises(BargainError, match="pivot must be"):
        to_markdown(deal, pivot=("relief", "detect"))
    with pytest.raises(TypeError, match="SweepResult or a DataFrame"):
        to_markdown({"relief": [1]})


def test_a_frame_with_a_note_renders_too(deal):
    text = to_latex(regimes(deal), caption="Regimes")
    assert r"regime & points & share & relief\_min & relief\_max" in text
    assert "propose\\textgreater{}accept\\textgreater{}keep & 9 & 0.45 & 0.25 & 0.75" in text
    assert "Note: Model interim\\_deal" in text
    assert np.isclose(regimes(deal)["share"].sum(), 1)


# -- directions: a sign table read off a one-at-a-time sweep ---------------------------------


def test_directions_read_the_sign_of_each_line():
    from bargain import GameTree, Param
    from bargain.spaces import one_at_a_time
    from bargain.tables import directions

    params = [Param("relief", 0.5, 0, 1), Param("cost", 0.3, 0, 1), Param("tilt", 0.5, 0, 1)]
    tree = GameTree(["Iran"], params=params)
    tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    tree.terminal("deal", {"Iran": "relief - (tilt - 0.5)**2"})
    tree.terminal("war", {"Iran": "-cost"})
    model = Model(tree, {"gap": "u_Iran + cost", "inverse": "1 / relief"})
    result = sweep(model, one_at_a_time(tree.params, num=5), progress=False)
    table = directions(result, ["u_Iran", "gap", "inverse"])
    assert list(table.index) == ["relief [0, 1]", "cost [0, 1]", "tilt [0, 1]"]
    assert table.loc["relief [0, 1]"].tolist() == ["+", "+", "?"]  # 1 / 0 at relief = 0
    assert table.loc["cost [0, 1]"].tolist() == ["0", "+", "0"]
    assert table.loc["tilt [0, 1]", "u_Iran"] == "±"
    assert "one parameter alone" in table.attrs["note"]
    with pytest.raises(BargainError, match="one-at-a-time"):
        directions(sweep(model, {"relief": [0.2, 0.4]}, progress=False))
