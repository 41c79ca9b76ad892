"""Markdown and LaTeX tables of sweep results: listings, pivots, formats, escaping, notes."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from bargain import BargainError, BargainWarning, DegenerateGameWarning
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
    assert rows[2][3] == "several equilibria"  # bite 1, clash 1: two, none selected as unique


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
    # One number of decimals per column: enough for the grid's values.
    assert r"relief & 0.000 & 0.333 & 0.667 & 1.000 \\" in text
    rows = body(text)
    assert [row[0] for row in rows] == ["0.00", "0.25", "0.50", "0.75", "1.00"]
    assert all(len(row) == 5 for row in rows)
    # A deal needs 0.1 <= relief <= 0.8 and detect >= gain / (0.5 + relief + gain);
    # labels are codes in reading order, with the key in the note.
    assert rows[2][1:] == ["A", "B", "B", "B"] and rows[0][1:] == ["A"] * 4
    assert r"\begin{tabular}{rcccc}" in text
    assert (
        "Note: Cells: regime (A = pressure; B = propose\\textgreater{}accept\\textgreater{}keep)."
        in text
    )
    labels = body(to_latex(deal, pivot=("relief", "detect", "regime"), codes=False))
    assert labels[2][1:] == ["pressure"] + ["propose\\textgreater{}accept\\textgreater{}keep"] * 3


def test_markdown_pivot_and_note(deal):
    text = to_markdown(deal, pivot=("relief", "detect", "deal"))
    lines = text.splitlines()
    assert lines[0].split("|")[1:-1] == [
        " relief ",
        " detect = 0.000 ",
        " detect = 0.333 ",
        " detect = 0.667 ",
        " detect = 1.000 ",
    ]
    assert re.fullmatch(r"\|-+:\|(-+:\|){4}", lines[1])
    assert cells(text, 4) == ["0.50", "0", "1", "1", "1"]
    assert len(lines) == 2 + 5 + 2 and lines[-2] == ""
    assert lines[-1].startswith("Note: Cells: deal. Model interim_deal (Interim deal")


def test_markdown_shows_missing_values_flags_and_escapes_pipes(esc):
    text = to_markdown(esc, ["bite", "clash", "ties", "regime", "equilibria"])
    row = cells(text, 4)
    # Two equilibria and none selected as unique: not to be read as "no equilibrium".
    assert row[:4] == ["1.0", "1", "no", "several equilibria"]
    assert row[4] == r"pressure/resist \| pressure/restrain"
    frame = esc.to_frame()
    frame.loc[0, "u_US"] = np.nan
    assert cells(to_markdown(frame, ["bite", "u_US"]), 2) == ["0.5", MISSING]


def test_number_formats(deal):
    text = to_markdown(deal, ["relief", "detect", "surplus"])  # one number of decimals
    assert cells(text, 3) == ["0.00", "0.333", "0.3"]
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
    assert len(lines) == 2 + 11 + 2  # 11 (extreme) equilibria at 6 points


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


# -- fitting a journal page ------------------------------------------------------------------


def labelled(rows: int, cols: int, label=lambda i, j: "pressure" if i < 3 else "deal"):
    """A frame of a label over a grid, as a pivot sees it."""
    import pandas as pd

    x, y = np.meshgrid(np.linspace(0, 1, rows), np.arange(cols), indexing="ij")
    labels = [label(i, j) for i in range(rows) for j in range(cols)]
    frame = pd.DataFrame({"x": x.ravel(), "y": y.ravel(), "regime": labels})
    frame.attrs["note"] = "Model m."
    return frame


def test_pivot_codes_follow_reading_order_and_merge_joins_equal_runs():
    frame = labelled(6, 4, lambda i, j: "war" if i < 2 else "propose>accept" if j < 2 else "deal")
    text = to_markdown(frame, pivot=("x", "y", "regime"), merge=True, codes=True)
    lines = text.splitlines()
    assert cells(text, 0) == ["x", "y = 0–1", "y = 2–3"]
    assert [cells(text, i) for i in (2, 3)] == [["0.0–0.2", "A", "A"], ["0.4–1.0", "B", "C"]]
    assert lines[-1] == "Note: Cells: regime (A = war; B = propose>accept; C = deal). Model m."
    latex = to_latex(frame, pivot=("x", "y", "regime"), merge=True)
    assert body(latex)[1] == ["0.4--1.0", "B", "C"] and "y = " not in latex
    assert "A = war; B = propose\\textgreater{}accept; C = deal" in latex
    # A pivot of many labels runs past Z.
    many = labelled(8, 4, lambda i, j: f"regime {4 * i + j}")
    assert body(to_latex(many, pivot=("x", "y", "regime")))[-1][-2:] == ["AE", "AF"]


def test_numbers_have_one_format_per_column_and_no_float_noise():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "gap": [6.94e-17, -2.1e-17, 0.25, 0.5],
            "p": [1 / 3, 0.9, 0.05, 0.125],
            "count": [1.0, 2.0, 3.0, 0.0],
            "tiny": [1e-6, 3.0, 2.0, 1.0],
        }
    )
    text = to_markdown(frame)
    assert [cells(text, i) for i in (2, 3, 4)] == [
        ["0.00", "0.3333", "1", "1e-06"],
        ["0.00", "0.9000", "2", "3"],
        ["0.25", "0.0500", "3", "2"],
    ]
    assert "e-17" not in to_latex(frame) and "$-$0.00" not in to_latex(frame)


def test_headers_use_parameter_labels_and_units():
    from bargain import GameTree, Param

    params = [Param("relief", 0.5, 0, 1, label="Sanctions relief", unit="share")]
    tree = GameTree(["Iran"], params=params)
    tree.decision("answer", "Iran", {"accept": "deal", "reject": "war"})
    tree.terminal("deal", {"Iran": "relief"})
    tree.terminal("war", {"Iran": 0.3})
    result = sweep(tree, {"relief": [0.1, 0.5]}, progress=False)
    assert cells(to_markdown(result, ["relief", "u_Iran"]), 0) == [
        "Sanctions relief (share)",
        "u_Iran",
    ]


def test_a_table_too_wide_or_too_long_warns_and_auto_picks_a_layout_that_fits():
    import pandas as pd

    wide = pd.DataFrame({f"measure_{i}": [0.5, 0.25] for i in range(8)})
    with pytest.warns(BargainWarning, match=r"about \d+ pt wide.*layout='landscape' fits it"):
        to_latex(wide)
    assert to_latex(wide, layout="auto").startswith("\\begin{sidewaystable}")
    long = labelled(80, 3)
    with pytest.warns(BargainWarning, match="layout='longtable' fits it"):
        to_latex(long, pivot=("x", "y", "regime"))
    text = to_latex(long, pivot=("x", "y", "regime"), caption="Long", label="t:l", layout="auto")
    assert text.startswith("\\begin{longtable}{rccc}\n\\caption{Long}\\label{t:l} \\\\")
    assert text.count("\\endhead") == 1 and text.endswith("\\end{minipage}\n")
    both = pd.DataFrame({f"measure_{i}": np.linspace(0, 1, 90) for i in range(8)})
    assert to_latex(both, layout="auto").startswith("\\begin{landscape}\n\\begin{longtable}")
    much = pd.DataFrame({f"measure_{i}_of_the_model": [0.5] for i in range(8)})
    with pytest.warns(BargainWarning, match="show fewer columns, merge=True, or split it"):
        to_latex(much, layout="auto")
    with pytest.raises(BargainError, match="layout must be one of table, landscape"):
        to_latex(wide, layout="sideways")


@pytest.mark.parametrize(
    "case",
    ["listing", "pivot", "merged", "labels", "longtable", "landscape", "landscape-longtable"],
)
def test_every_layout_compiles_without_overflow(case, deal, esc, tmp_path):
    import pandas as pd

    from tests.latex import compile_latex

    wide = pd.DataFrame({f"measure_{i}": np.linspace(0, 1, 90) for i in range(8)})
    columns = ["relief", "detect", "u_Iran", "deal", "regime"]
    tables = {
        "listing": lambda: to_latex(deal, columns, caption="Deals", label="t:deals"),
        "pivot": lambda: to_latex(deal, pivot=("relief", "detect", "regime"), caption="R"),
        "merged": lambda: to_latex(
            labelled(40, 12), pivot=("x", "y", "regime"), merge=True, layout="auto"
        ),
        "labels": lambda: to_latex(
            deal, pivot=("relief", "detect", "regime"), codes=False, layout="auto"
        ),
        "longtable": lambda: to_latex(labelled(80, 3), pivot=("x", "y", "regime"), layout="auto"),
        "landscape": lambda: to_latex(wide.head(3), caption="Wide", layout="auto"),
        "landscape-longtable": lambda: to_latex(wide, caption="Both", layout="auto"),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", BargainWarning)
        text = tables[case]()
    assert text.endswith("\n")
    compile_latex(text, tmp_path)


def test_negative_numbers_in_any_format_keep_their_sign_and_negative_zero_loses_it():
    import pandas as pd

    frame = pd.DataFrame({"share": [-0.25, -0.0001, 0.5]})
    assert [cells(to_markdown(frame, floatfmt=".0%"), i) for i in (2, 3, 4)] == [
        ["-25%"],
        ["0%"],
        ["50%"],
    ]


def test_a_frame_without_rows_is_a_table_of_headers():
    text = to_markdown(pd.DataFrame({"a": [], "b": []}))
    assert text.splitlines()[:2] == ["| a | b |", "|--:|--:|"]
