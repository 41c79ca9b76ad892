"""Safe formulas: arithmetic over declared names, parsed to sympy without ``eval``.

A formula is a Python-like expression made of numbers, declared names,
``+ - * / **``, comparisons, ``and``/``or``/``not`` and the functions
``abs exp log sqrt min max where``; ``where(c, a, b)`` is ``a`` where the
condition ``c`` holds and ``b`` elsewhere. A formula means what it says, with
its domain: sympy does not simplify it (``x/x`` stays undefined at 0), and
``MAX_LENGTH``, ``MAX_DEPTH`` and ``MAX_PARTS`` bound the work it takes.

- :func:`parse` walks the Python AST with a whitelist and builds sympy objects
  directly (:mod:`.parser`);
- :func:`compile_formulas` turns parsed formulas into one vectorized numpy
  function (:mod:`.numeric`);
- :func:`to_text` and :func:`canonical` print them back as formula text (:mod:`.text`).
"""

from bargain.vocabulary import FUNCTIONS

from .numeric import CompiledFormula, compile_formulas
from .parser import MAX_DEPTH, MAX_LENGTH, MAX_PARTS, as_expr, free_names, known_names, parse
from .text import canonical, to_text

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_PARTS",
    "CompiledFormula",
    "as_expr",
    "canonical",
    "compile_formulas",
    "free_names",
    "known_names",
    "parse",
    "to_text",
]
