"""The ``bargain`` command through its installed entry point."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest


def bargain(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("bargain", path=str(__import__("pathlib").Path(sys.executable).parent))
    command = [exe] if exe else [sys.executable, "-m", "bargain.cli"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60)


def test_solve_matrix_prints_every_equilibrium():
    done = bargain("solve-matrix", "3 0; 0 2", "2 0; 0 3")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "3 equilibria (support)"
    assert "row (0.6 0.4)  column (0.4 0.6)  payoffs 1.2, 1.2" in done.stdout


def test_degenerate_game_warns_on_stderr():
    done = bargain("solve-matrix", "1 1; 0 0", "1 1; 0 0")
    assert done.returncode == 0
    assert "degenerate" in done.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("3 x; 0 2", "2 0; 0 3"), "row player's payoffs: expected numbers"),
        (("3 0; 0", "2 0; 0 3"), "rows of equal length"),
        (("3 0; 0 2", "2 0 1; 0 3 1"), "differ in shape"),
    ],
)
def test_bad_input_is_one_line_and_nonzero(args, message):
    done = bargain("solve-matrix", *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_version_and_help():
    assert bargain("--version").stdout.startswith("bargain ")
    assert "solve-matrix" in bargain("--help").stdout
