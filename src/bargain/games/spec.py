"""Reading a game's model-file table: checked values, numbers and formulas by key path."""

from __future__ import annotations

import sympy

from bargain import formula
from bargain.checks import Checker, describe
from bargain.params import ParamSpace


class SpecReader(Checker):
    """Typed access to the ``[game]`` table of one file, for :meth:`GameForm.from_spec`.

    Besides the checks of :class:`~bargain.checks.Checker` (tables, strings,
    numbers, arrays, labels; errors name the file and the key path), it reads
    formulas: every formula string is parsed by :func:`bargain.formula.parse`
    (never ``eval``) and kept in canonical form, so that a model written back
    to a file and loaded again is the same model.
    """

    def formula(self, value: object, path: str, params: ParamSpace) -> sympy.Basic | float:
        """A number as it is, or a formula string parsed (in canonical form)."""
        if isinstance(value, str):
            expr = formula.parse(value, params, where=f"{self.source}: {path}")
            return formula.canonical(expr)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(path, f"expected a number or a formula, got {describe(value)}")
        return self.number(value, path)

    def node_id(self, value: object, path: str) -> str | int:
        """A node id (or another name in a game): a string or an integer."""
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise self.error(path, f"expected a string or an integer, got {describe(value)}")
        return value
