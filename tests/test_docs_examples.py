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
#: What pages that continue another find defined.
CONTEXT = """
import bargain

tree = bargain.GameTree(["US", "Iran"], params=[bargain.Param("relief", 0.4, 0, 1),
                                                bargain.Param("detect", 0.5, 0, 1)])
tree.decision("offer", "US", {"propose": "answer", "pressure": "standoff"})
tree.decision("answer", "Iran", {"accept": "comply", "reject": "breakdown"})
tree.decision("comply", "Iran", {"keep": "kept", "cheat": "inspect"})
tree.chance("inspect", {"caught": ("detect", "snapback"), "missed": ("1 - detect", "cheated")})
tree.terminal("kept", {"US": "1 - relief", "Iran": "relief"})
tree.terminal("snapback", {"US": -0.2, "Iran": -0.5})
tree.terminal("cheated", {"US": "-relief", "Iran": "relief + 0.3"})
tree.terminal("breakdown", {"US": 0.1, "Iran": 0.1})
tree.terminal("standoff", {"US": 0.2, "Iran": 0.1})
model = bargain.load_model("interim-deal")
space = bargain.grid(relief=bargain.linspace(0, 1, 5))
"""


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_examples_of_a_page_run(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").symlink_to(ROOT / "models")  # as from the repository's root
    namespace: dict = {}
    exec(CONTEXT, namespace)
    for i, block in enumerate(BLOCK.findall(page.read_text(encoding="utf-8"))):
        code = compile(textwrap.dedent(block), f"{page.name}, example {i + 1}", "exec")
        exec(code, namespace)
