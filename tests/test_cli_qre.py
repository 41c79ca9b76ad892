"""The command line on a quantal-response model (models/intermediaries-broker.toml: three
players, ``[solver] method = "qre", lam = 4``): solve options in notes and provenance,
per-player lam from ``-O``, points without an equilibrium, the method choices in --help."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bargain.cli import main, method_choices
from bargain.errors import BargainWarning
from bargain.games import NormalFormGame
from bargain.io import load_model

pytest.importorskip("pygambit")

BROKER = "intermediaries-broker"
PROBABILITIES = ("p_US_offer", "p_Iran_offer", "p_Broker_carry")


def run(*args: str) -> tuple[int, str, str]:
    """Exit code, standard output and error of ``bargain ARGS`` (help text unwrapped)."""
    result = CliRunner().invoke(main, list(args), terminal_width=10_000, max_content_width=10_000)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def solve_json(*args: str) -> dict:
    code, out, err = run("solve", BROKER, "--format", "json", *args)
    assert code == 0, err
    return json.loads(out)


def probabilities(data: dict) -> list[float]:
    (row,) = data["equilibria"]
    return [row[name] for name in PROBABILITIES]


def test_per_player_lam_is_read_from_the_command_line():
    """``-O 'lam={US=8,Iran=2,Broker=4}'`` is a TOML inline table: the QRE is the one
    the model gives for that mapping, and differs from the file's lam = 4 for all."""
    lam = {"US": 8.0, "Iran": 2.0, "Broker": 4.0}
    data = solve_json("-O", "lam={US=8,Iran=2,Broker=4}")
    assert data["options"] == {"method": "qre", "lam": lam}
    (direct,) = load_model(BROKER).with_options(lam=lam).solve()
    expected = [direct.profile[0][0], direct.profile[1][0], direct.profile[2][0]]
    assert probabilities(data) == pytest.approx(expected, abs=1e-9)
    file_default = probabilities(solve_json())
    assert max(abs(a - b) for a, b in zip(probabilities(data), file_default)) > 0.01
    same = solve_json("-O", "lam={US = 4, Iran = 4, Broker = 4}")  # one lam for all
    assert probabilities(same) == pytest.approx(file_default, abs=1e-9)


def test_a_bad_per_player_lam_is_one_line():
    code, _, err = run("solve", BROKER, "-O", "lam={US=8,Iram=2,Broker=4}")
    assert code == 2 and "did you mean 'Iran'" in err and len(err.strip().splitlines()) == 1
    code, _, err = run("solve", BROKER, "-O", "lam={US=-1,Iran=2,Broker=4}")
    assert code == 2 and "lam >= 0" in err


def test_solve_notes_carry_the_solve_options():
    """The file's options, then what -O changed: lam=7 does not read like lam=4."""
    for args, shown in (((), "method=qre, lam=4"), (("-O", "lam=7"), "method=qre, lam=7")):
        code, out, _ = run("solve", BROKER, "--format", "markdown", *args)
        note = out.strip().splitlines()[-1]
        assert code == 0 and note.startswith("Note: Model intermediaries-broker at")
        assert f"; solve options: {shown}; bargain" in note
        code, out, _ = run("solve", BROKER, *args)
        assert out.splitlines()[1] == f"solve options: {shown}"


def test_sweep_provenance_carries_the_solve_options(tmp_path: Path):
    """The note, sweep.csv.meta.json and a Parquet file's metadata say method=qre and
    the lam given with -O (needs Model.provenance() to report the options)."""
    csv, parquet = tmp_path / "sweep.csv", tmp_path / "sweep.parquet"
    grid = ("-g", "discretion=0.2,0.8")
    assert run("sweep", BROKER, *grid, "-O", "lam=7", "-o", str(csv))[0] == 0
    about = json.loads((tmp_path / "sweep.csv.meta.json").read_text())
    assert about["options"] == {"method": "qre", "lam": 7.0}
    assert "equilibrium selection: unique; solve options: method=qre, lam=7;" in about["note"]
    pq = pytest.importorskip("pyarrow.parquet")
    assert run("sweep", BROKER, *grid, "-o", str(parquet))[0] == 0
    meta = json.loads(pq.read_schema(parquet).metadata[b"bargain"])
    assert meta["options"] == {"method": "qre", "lam": 4.0} and "lam=4;" in meta["note"]
    code, out, _ = run("sweep", BROKER, *grid, "--method", "logit", "--format", "markdown")
    assert code == 0 and "solve options: method=logit;" in out  # the QRE's lam left behind


@pytest.mark.filterwarnings("ignore:the path-following budget ran out")
def test_a_point_without_an_equilibrium_says_so():
    """The path-following budget runs out (max_steps=1): no equilibrium, not "1 equilibrium"
    of blanks, in every format."""
    with pytest.warns(BargainWarning, match="budget ran out"):
        code, out, _ = run("solve", BROKER, "-O", "max_steps=1")
    assert code == 0
    assert out.splitlines()[2] == "no equilibrium found" and "[1]" not in out
    data = solve_json("-O", "max_steps=1")
    assert data["equilibria"] == [] and data["n_equilibria"] == 0
    assert data["found"] == "no equilibrium found"
    code, out, _ = run("solve", BROKER, "-O", "max_steps=1", "--format", "markdown")
    assert out.startswith("No equilibrium found.\n\nNote: Model intermediaries-broker at")
    assert "max_steps=1" in out and "|" not in out


def test_the_count_is_the_number_of_equilibria():
    """Every Nash equilibrium (Gambit's enumpoly): the count line, the numbered blocks and
    the JSON agree with the model's own solve."""
    n = len(load_model(BROKER).with_options(method="enumpoly").solve())
    assert n > 1
    code, out, _ = run("solve", BROKER, "--method", "enumpoly")
    assert code == 0 and out.splitlines()[2] == f"{n} equilibria"
    assert re.findall(r"^\[(\d+)\]", out, re.M) == [str(i) for i in range(1, n + 1)]
    data = solve_json("--method", "enumpoly")
    assert data["n_equilibria"] == len(data["equilibria"]) == n


def test_method_help_lists_the_forms_choices():
    """--method of solve and sweep lists every normal-form method (read from the form's
    options: qre, logit and Gambit's included) and points trees to -O concept=."""
    choices = NormalFormGame.options["method"].choices
    assert {"qre", "logit", "enumpoly", "gnm", "simpdiv"} <= set(choices)
    listed = method_choices()
    assert f"Normal-form games: {', '.join(choices)}." in listed
    assert "Game trees take -O concept=spe|pbe|qre instead." in listed
    for command in ("solve", "sweep"):
        code, out, _ = run(command, "--help")
        assert code == 0 and listed in " ".join(out.split()), command


def test_the_cli_reference_lists_every_method():
    page = Path(__file__).parents[1] / "docs" / "reference" / "cli.md"
    text = " ".join(page.read_text(encoding="utf-8").split())
    for choice in NormalFormGame.options["method"].choices:
        assert f"`{choice}`" in text, choice
    assert "`-O concept=spe`, `pbe` or `qre`" in text


def test_sweep_method_is_the_method_option():
    code, out, _ = run("sweep", "escalation", "-g", "bite=1,2", "--method", "pure")
    assert code == 0 and out.startswith("bite,")
    code, _, err = run("sweep", "escalation", "-g", "bite=1", "--method", "pure", "-O", "method=x")
    assert code == 2 and "method is given twice" in err
    code, _, err = run("sweep", "escalation", "-g", "bite=1", "--method", "magic")
    assert code == 2 and "unknown method 'magic'" in err


def test_show_prints_the_solver_options():
    code, out, _ = run("show", BROKER)
    assert code == 0 and "\nSolver: method=qre, lam=4; select=unique\n" in out
    assert "solve options it takes (-O name=value): method, lam, max_steps, seconds" in out
    code, out, _ = run("show", "interim-deal")
    assert "\nSolver: the defaults; select=unique\n" in out
