"""Every Python example in README.md and docs/ runs, as written.

Examples are the blocks fenced ```python; a sketch that is not meant to run
alone (a class body left as ``...``) is fenced ```py.

The blocks of one page run in order in one namespace; a page that continues
an earlier one (a ``model``, a ``space`` or the README's ``tree``) finds them
defined beforehand. The examples run in a temporary folder (where they write
their files) that sees the repository's ``models/``.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
BLOCK = re.compile(r"^[ \t]*```python\n(.*?)^[ \t]*```", re.S | re.M)
PAGES = [
    page
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    if BLOCK.search(page.read_text(encoding="utf-8"))
]


def context() -> str:
    """What pages that continue another find: the README's tree, a model and a space."""
    readme = BLOCK.findall((ROOT / "README.md").read_text(encoding="utf-8"))
    (tree,) = [block for block in readme if "tree = bargain.GameTree(" in block]
    return f"""import bargain
{tree}
model = bargain.load_model("interim-deal")
space = bargain.grid(relief=bargain.linspace(0, 1, 5))
"""


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_examples_of_a_page_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").symlink_to(ROOT / "models")  # as from the repository's root
    namespace: dict = {}
    exec(context(), namespace)
    for i, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8"))):
        code = compile(textwrap.dedent(block), f"{page.name}, example {i + 1}", "exec")
        exec(code, namespace)
