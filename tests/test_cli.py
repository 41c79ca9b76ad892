"""The ``bargain`` command: every subcommand, good and bad input."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bargain.cli import main
from tests.model_texts import DEAL_TREE

MODEL = (
    """
[model]
name = "toy"
title = "Offer and answer"

[params.relief]
default = 0.4
low = 0
high = 1
description = "relief offered"

"""
    + DEAL_TREE
    + """\

[scenarios.lax]
description = "weak inspections"
detect = 0.1

[showcase]
grid = { relief = [0, 1, 6], detect = [0, 1, 6] }
table = "regime"
measures = ["deal", "u_US", "u_Iran"]
threshold = { param = "detect", measure = "deal", between = [0, 1], over = "relief" }
"""
)


@pytest.fixture
def model(tmp_path: Path) -> str:
    path = tmp_path / "toy.toml"
    path.write_text(MODEL)
    return str(path)


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_the_bundled_models():
    code, out, _ = run("list")
    assert code == 0
    assert "escalation" in out and "interim-deal" in out


def test_list_sizes_the_name_column_to_the_longest_name():
    from bargain.io import list_models

    models = list_models()
    longest = max(len(info.name) for info in models)
    assert longest > 20  # intermediaries-broker overflowed a column of 20
    lines = run("list")[1].splitlines()
    assert len(lines) == len(models)
    for line, info in zip(lines, models):
        assert line == f"{info.name.ljust(longest)}  {info.title}"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("qre", "qre"),  # a bare word is text
        ("lemke-howson", "lemke-howson"),
        ('"qre"', "qre"),
        ("4", 4),
        ("0.25", 0.25),
        ("1e3", 1000.0),
        ("{US=8, Iran = 2.5}", {"US": 8, "Iran": 2.5}),
        ("[1, 2]", [1, 2]),
        ("true", True),
        ("", ""),
        ("1\nv = 2", "1\nv = 2"),  # not a value followed by more keys
        ("1\nw = 2", "1\nw = 2"),
        ("__import__('os').system('ls')", "__import__('os').system('ls')"),  # never evaluated
    ],
)
def test_option_values_are_toml_values_or_bare_words(text, value):
    from bargain.cli import option_value

    got = option_value(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    "value",
    [4.0, 7, 0.1, 1 / 3, 123456789, "qre", "semi-separating", True, {"US": 8.0, "Iran": 2.5},
     {"a b": 1, "c": "x y"}, [1, 2.5]],
)  # fmt: skip
def test_options_in_notes_read_back_through_dash_o(value):
    """A note's ``name=value`` given back to ``-O name=value`` gives the same value."""
    from bargain.cli import option_value
    from bargain.sweeps.provenance import options_text

    name, _, text = options_text({"opt": value}).partition("=")
    assert name == "opt" and option_value(text) == value


def test_the_note_and_provenance_name_the_solve_options():
    from bargain.sweeps.provenance import provenance
    from bargain.sweeps.result import note_text

    meta = {"model": "m", "select": "unique", "version": "9", "options": {"method": "qre"}}
    for lam in (4.0, 7.0):
        options = {"method": "qre", "lam": {"US": lam, "Iran": 2.0}}
        note = note_text({**meta, "options": options}, {"a": 1.0}, 3)
        assert f"unique; solve options: method=qre, lam={{US={lam:g}, Iran=2}}; 3 points" in note
        about = provenance({**meta, "options": options}, {"a": 1.0}, ["b"], ["u"], 3, note)
        assert about["options"] == options and about["note"] == note
    assert "solve options" not in note_text({**meta, "options": {}}, {}, 3)
    assert provenance({"model": "m"}, {}, [], [], 0, "")["options"] == {}


def test_show(model):
    code, out, _ = run("show", model)
    assert code == 0
    assert "relief" in out and "default 0.4" in out and "[0, 1]" in out
    assert "Scenarios:" in out and "lax" in out and "deal" in out
    code, out, _ = run("show", "interim-deal")
    assert "Breakout time (months): Iran's breakout time" in out


def test_solve_text_json_markdown(model):
    code, out, _ = run("solve", model, "-p", "detect=0.9")
    assert code == 0 and "propose>accept>keep" in out
    code, out, _ = run("solve", model, "--scenario", "lax", "--format", "json")
    data = json.loads(out)
    assert data["values"]["detect"] == 0.1 and data["equilibria"][0]["regime"] == "pressure"
    assert set(data) == {
        *("model", "version", "scenario", "values", "options"),
        *("n_equilibria", "found", "equilibria"),
    }
    assert data["options"] == {} and data["n_equilibria"] == 1 and data["found"] == "1 equilibrium"
    code, out, _ = run("solve", model, "--format", "markdown")
    assert re.match(r"\| equilibrium \| regime +\|", out)  # the shared Markdown writer pads


@pytest.mark.parametrize("fmt", ["csv", "markdown", "latex", "json"])
def test_sweep_formats(model, fmt, tmp_path):
    target = tmp_path / f"out.{fmt}"
    args = [
        "sweep",
        model,
        "-g",
        "relief=0:1:3",
        "-g",
        "detect=0.1,0.9",
        "--format",
        fmt,
        "-o",
        str(target),
    ]
    if fmt in ("markdown", "latex"):
        args += ["--pivot", "relief,detect,regime"]
    code, _, err = run(*args)
    assert code == 0 and "wrote" in err
    text = target.read_text()
    if fmt == "csv":  # a plain table; the provenance beside it
        import pandas as pd

        frame = pd.read_csv(target)
        assert len(frame) == 6 and frame["relief"].dtype == float
        assert frame["degenerate"].dtype == bool
        assert pd.api.types.is_string_dtype(frame["regime"])
        text = (tmp_path / "out.csv.meta.json").read_text()
        about = json.loads(text)
        assert about["model"] == "toy" and about["points"] == 6 and about["written"]
        assert about["space"]["kind"] == "grid" and about["swept"] == ["relief", "detect"]
    assert "bargain" in text  # the reproducibility note names the package version
    if fmt == "json":
        assert len(json.loads(text)["points"]) == 6
    if fmt == "latex":
        assert "\\toprule" in text


def test_sweep_resumes_from_a_checkpoint(model, tmp_path):
    args = ["sweep", model, "-g", "relief=0:1:5", "--checkpoint", str(tmp_path / "ck")]
    assert run(*args)[0] == 0
    code, out, _ = run(*args)
    assert code == 0 and out.count("\n") >= 5


def test_threshold_and_table(model):
    code, out, _ = run(
        "threshold", model, "detect", "--measure", "deal", "--between", "0", "1", "-p", "relief=0.4"
    )
    assert code == 0 and "detect" in out and "0.25" in out
    code, out, _ = run(
        "threshold",
        model,
        "detect",
        "--measure",
        "deal",
        "--between",
        "0",
        "1",
        "--over",
        "relief=0.2:0.6:3",
    )
    assert code == 0 and "0.3" in out


def test_plot_and_run(model, tmp_path):
    target = tmp_path / "map.png"
    code, _, _ = run("plot", model, "-g", "relief=0:1:5", "-g", "detect=0:1:5", "-o", str(target))
    assert code == 0 and target.stat().st_size > 1000
    folder = tmp_path / "show"
    code, _, _ = run("run", model, "-o", str(folder))
    assert code == 0
    for name in ("table.md", "table.tex", "sweep.csv", "regimes.png", "thresholds.md"):
        assert (folder / name).exists(), name
    assert (folder / "directions.md").read_text().startswith("| parameter")


def test_run_compares_another_model_beside_the_file(model, tmp_path):
    """``[showcase] compare`` names another model by a path beside the file: its
    scenarios come out side by side in comparison.md."""
    other = tmp_path / "other.toml"
    other.write_text(Path(model).read_text())
    text = Path(model).read_text() + (
        '\n[showcase.compare]\nmodel = "other.toml"\nmeasures = ["relief", "regime"]\n'
    )
    path = tmp_path / "with_compare.toml"
    path.write_text(text)
    folder = tmp_path / "out"
    code, _, err = run("run", str(path), "-o", str(folder))
    assert code == 0, err
    table = (folder / "comparison.md").read_text()
    assert table.startswith("| scenario") and "| lax" in table


def test_show_prints_the_bibtex_of_a_bundled_model():
    code, out, _ = run("show", "interim-deal", "--bibtex")
    assert code == 0 and out.startswith("@") and "title = {War as a Commitment Problem}" in out
    code, out, _ = run("show", "interim-deal")
    assert out.startswith("interim-deal 2.0.0:") and "BibTeX: albright2020" in out


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        ("[model\nname = 1", ["solve"], "line 1"),
        (MODEL, ["solve", "-p", "relif=0.3"], "did you mean 'relief'"),
        (MODEL, ["solve", "-p", "relief=3"], "outside its bounds"),
        (MODEL, ["solve", "-p", "relief"], "expected name=value"),
        (MODEL, ["sweep", "-g", "relief=0:1"], "start:stop:num"),
        (MODEL, ["solve", "--scenario", "lux"], "did you mean 'lax'"),
        (
            MODEL.replace('"1 - relief"', "\"__import__('os').system('ls')\""),
            ["solve"],
            "not allowed",
        ),
        (MODEL.replace('"1 - relief"', '"relief.real"'), ["solve"], "attribute"),
        (MODEL.replace('"1 - relief"', '"10**10**10"'), ["solve"], "too large"),
    ],
)
def test_bad_input_is_one_line_with_status_2(tmp_path, content, args, message):
    path = tmp_path / "bad.toml"
    path.write_text(content)
    command, *rest = args
    code, _, err = run(command, str(path), *rest)
    assert code == 2
    assert message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_model_name():
    code, _, err = run("show", "escalaton")
    assert code == 2 and "did you mean 'escalation'" in err


def test_solve_matrix():
    code, out, _ = run("solve-matrix", "3 0; 0 2", "2 0; 0 3")
    assert code == 0 and out.splitlines()[0] == "3 equilibria (support)"
    assert "row (0.6 0.4)  column (0.4 0.6)  payoffs 1.2, 1.2" in out


def test_real_entry_point_and_debug(tmp_path):
    exe = shutil.which("bargain", path=str(Path(sys.executable).parent))
    assert exe, "the console script is installed with the package"
    done = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("bargain ")
    bad = tmp_path / "bad.toml"
    bad.write_text("[model\n")
    done = subprocess.run([exe, "solve", str(bad)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("bargain: error: ")
    done = subprocess.run(
        [exe, "--debug", "solve", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0 and "Traceback" in done.stderr


def test_an_option_the_form_does_not_take_is_one_line(tmp_path):
    for args in (["--method", "pure"], ["-O", "method=pure"]):
        code, _, err = run("solve", "interim-deal", *args)
        assert code == 2 and len(err.strip().splitlines()) == 1
        assert "game trees take no method: they are solved by concept (spe, pbe, or qre" in err
    code, _, err = run("solve", "interim-deal", "-O", "tie_brake=all")
    assert code == 2 and len(err.strip().splitlines()) == 1
    takes = "concept (spe, pbe for sender-receiver trees, or qre (agent QRE)), tie_break"
    assert f"GameTree takes {takes}" in err
    code, out, _ = run("solve", "interim-deal", "-O", "tie_break=all", "--format", "json")
    assert code == 0 and json.loads(out)["equilibria"]
    code, _, err = run("sweep", "escalation", "-g", "bite=1,2", "-O", "method=magic")
    assert code == 2 and "unknown method 'magic'" in err


def test_every_option_has_help_and_the_main_commands_show_examples():
    from click import Option

    for name, command in main.commands.items():
        for param in command.params:
            if isinstance(param, Option) and param.name != "help":
                assert param.help, f"bargain {name} {param.opts[0]} has no help text"
    for name in ("solve", "sweep", "threshold", "run", "plot"):
        code, out, _ = run(name, "--help")
        assert code == 0 and "Example" in out, name


def test_threshold_table_ends_with_its_note(model):
    code, out, _ = run(
        "threshold", model, "detect", "--measure", "deal", "--between", "0", "1",
        "--over", "relief=0.2:0.6:3",
    )  # fmt: skip
    assert code == 0 and out.strip().splitlines()[-1].startswith("Note: Threshold of detect")


def test_the_readme_latex_table_compiles_on_a_page(tmp_path, monkeypatch):
    """The README's `bargain sweep ... --format latex` line, run as written: the table it
    writes compiles in an article without an overfull line or a float too large."""
    import shlex

    from tests.latex import compile_latex

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", readme)
    (line,) = [ln.split("#")[0] for ln in joined.splitlines() if "--format latex" in ln]
    words = shlex.split(line)
    assert words[:2] == ["bargain", "sweep"] and "outcome.tex" in words
    monkeypatch.chdir(tmp_path)
    code, _, err = run(*words[1:])
    assert code == 0, err
    text = (tmp_path / "outcome.tex").read_text()
    assert text.endswith("\n") and "A = pressure" in text
    compile_latex(text, tmp_path / "tex")


def test_sweep_latex_layout_and_merge(model, tmp_path):
    args = ("sweep", model, "-g", "relief=0:1:41", "-g", "detect=0:1:3", "--format", "latex")
    code, out, _ = run(*args, "--pivot", "relief,detect,regime")
    assert code == 0 and out.startswith("\\begin{longtable}")  # 41 rows: auto breaks pages
    code, out, _ = run(*args, "--pivot", "relief,detect,regime", "--merge")
    assert code == 0 and out.startswith("\\begin{table}") and "--" in out
    code, _, err = run(*args, "--layout", "sideways")
    assert code == 2 and "layout must be one of table, landscape" in err


def test_counts_read_in_the_right_number(model):
    code, out, _ = run("solve-matrix", "3 0; 5 1", "3 5; 0 1")  # a prisoner's dilemma
    assert code == 0 and out.startswith("1 equilibrium (")
    code, out, _ = run("solve-matrix", "2 0; 0 1", "1 0; 0 2")  # battle of the sexes
    assert code == 0 and out.startswith("3 equilibria (")
    from bargain.io import load_model

    assert repr(load_model(model).solve(relief=0.9)).startswith(
        "TreeSolution(1 subgame-perfect equilibrium)"
    )


def test_draw_writes_a_tree_that_compiles(tmp_path):
    from tests.latex import compile_latex

    code, _, err = run("draw", "interim-deal", "-o", str(tmp_path), "--format", "tex,png")
    assert code == 0 and "interim-deal-tree.tex" in err
    tikz = (tmp_path / "interim-deal-tree.tex").read_text()
    assert "\\begin{tikzpicture}" in tikz and "pressure" in tikz
    assert (tmp_path / "interim-deal-tree.png").stat().st_size > 1000
    compile_latex(f"\\begin{{figure}}\n{tikz}\\end{{figure}}", tmp_path / "tex")
    code, _, err = run("draw", "escalation", "-o", str(tmp_path))
    assert code == 2 and "only game trees and signaling games can be drawn" in err


def test_discover_finds_the_known_deal_box(tmp_path):
    """tests/data/box.toml: a deal iff 0.3 < a < 0.7 and 0.2 < b < 0.6 (c, d irrelevant)."""
    pytest.importorskip("prim")
    box = str(Path(__file__).parent / "data" / "box.toml")
    out = tmp_path / "found"
    code, text, err = run(
        "discover", box, "--measure", "deal", "--space", "lhs:3000", "--seed", "2", "-o", str(out)
    )
    assert code == 0, err
    rows = [line.split("|")[1:5] for line in text.splitlines()[4:8]]  # a, b, c, d
    assert [r[0].strip() for r in rows] == ["a", "Second parameter (units)", "c", "d"]
    (a_low, a_high), (b_low, b_high) = ((float(r[1]), float(r[2])) for r in rows[:2])
    assert abs(a_low - 0.3) < 0.03 and abs(a_high - 0.7) < 0.03
    assert abs(b_low - 0.2) < 0.03 and abs(b_high - 0.6) < 0.03
    assert [r[3].strip() for r in rows] == ["yes", "yes", "no", "no"]
    coverage, density = map(float, re.search(r"coverage ([\d.]+), density ([\d.]+)", text).groups())
    assert coverage >= 0.9 and density >= 0.9
    assert (out / "box.tex").exists() and (out / "box.png").exists()
    code, _, err = run("discover", box, "--measure", "deel")
    assert code == 2 and "did you mean 'deal'" in err
