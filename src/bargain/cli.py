"""The ``bargain`` command.

``bargain solve-matrix "3 0; 5 1" "3 5; 0 1"`` prints every Nash equilibrium of
a bimatrix game given row by row (entries separated by spaces or commas, rows
by semicolons). User errors print one line and exit with status 2.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

import numpy as np

from .errors import BargainError, DegenerateGameWarning
from .games import NormalFormGame
from .solvers import METHODS
from .version import __version__


def parse_matrix(text: str, what: str) -> np.ndarray:
    """A matrix from ``"a b; c d"`` (commas also separate entries)."""
    rows = [row.replace(",", " ").split() for row in text.split(";")]
    try:
        values = [[float(v) for v in row] for row in rows]
    except ValueError as exc:
        raise BargainError(f"{what}: expected numbers, got {text!r} ({exc})") from None
    if not values or any(len(r) != len(values[0]) or not r for r in values):
        raise BargainError(f"{what}: expected rows of equal length separated by ';', got {text!r}")
    return np.array(values)


def _solve_matrix(args: argparse.Namespace) -> None:
    A = parse_matrix(args.row, "row player's payoffs")
    B = parse_matrix(args.column, "column player's payoffs")
    if A.shape != B.shape:
        raise BargainError(f"payoff matrices differ in shape: {A.shape} and {B.shape}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DegenerateGameWarning)
        solution = NormalFormGame.from_arrays(A, B).solve(method=args.method)
    print(f"{len(solution)} equilibria ({args.method})")
    for eq in solution:
        x, y = (" ".join(f"{p:.6g}" for p in mix) for mix in eq.profile)
        print(f"  row ({x})  column ({y})  payoffs {eq.payoffs[0]:.6g}, {eq.payoffs[1]:.6g}")
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``bargain`` command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="bargain", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"bargain {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    solve = commands.add_parser("solve-matrix", help="all equilibria of a bimatrix game")
    solve.add_argument("row", help='row player\'s payoffs, e.g. "3 0; 5 1"')
    solve.add_argument("column", help='column player\'s payoffs, e.g. "3 5; 0 1"')
    solve.add_argument(
        "--method", choices=[m for m in METHODS if m != "pure"] + ["pure"], default="support"
    )
    solve.set_defaults(run=_solve_matrix)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except BargainError as exc:
        print(f"bargain: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
