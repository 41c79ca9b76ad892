"""Tables of sweep results: Markdown and LaTeX, each followed by the reproducibility
note, and the regions of one outcome (:func:`regimes`).

Both renderers are written here, so neither ``tabulate`` nor ``jinja2`` is
needed. Every table takes a result frame (:mod:`bargain.frames`) or a sweep
result. A table is either a listing (one row per point, chosen columns) or,
with ``pivot=(row_param, col_param, value)``, the classic grid of one outcome
over two parameters (labels as short codes with the key in the note, equal
runs merged on request: :mod:`bargain.tables.grid`). Each number column gets
one number of decimals without float noise (:mod:`bargain.tables.numbers`);
flags show as "yes"/"no"; missing values as an em dash. Headers use the
parameters' labels and units. LaTeX tables estimate their size and warn, or
choose a landscape or page-breaking layout, when the page is too small
(:mod:`bargain.tables.latex`).
"""

from .latex import LAYOUTS, PageFit, latex_escape, page_fit, to_latex
from .markdown import MISSING, to_markdown
from .regions import DIRECTION, directions, regimes

__all__ = [
    "DIRECTION",
    "LAYOUTS",
    "MISSING",
    "PageFit",
    "directions",
    "latex_escape",
    "page_fit",
    "regimes",
    "to_latex",
    "to_markdown",
]
