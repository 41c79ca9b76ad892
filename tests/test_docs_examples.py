"""Every Python example in README.md and docs/ runs, as written, and prints the tables
the page shows after it.

Examples are the blocks fenced ```python; a sketch that is not meant to run
alone (a class body left as ``...``) is fenced ```py.

The blocks of one page run in order in one namespace; a page that continues
an earlier one (a ``model``, a ``space`` or the README's ``tree``) finds them
defined beforehand. The examples run in a temporary folder (where they write
their files) that sees the repository's ``models/``. The tables a page shows
after an example are compared with the ones it prints (``docs/build_outputs.py``,
which also rewrites them: ``python docs/build_outputs.py --write``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
_SPEC = importlib.util.spec_from_file_location("build_outputs", ROOT / "docs" / "build_outputs.py")
build = sys.modules.setdefault("build_outputs", importlib.util.module_from_spec(_SPEC))
_SPEC.loader.exec_module(build)


@pytest.mark.parametrize("page", build.pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_examples_of_a_page_run_and_print_what_it_shows(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "models").symlink_to(ROOT / "models")  # as from the repository's root
    results = build.run(page)
    assert not build.differences(page, results)


def test_a_shown_table_that_differs_from_the_printed_one_is_reported(tmp_path, monkeypatch):
    page = ROOT / "docs" / "_probe_page.md"  # under docs/ so the report names it
    text = "```python\nprint('| a | b |\\n|--:|--:|\\n| 1 | 2 |')\n```\n\n| a | b |\n|---|---|\n"
    try:
        page.write_text(text + "| 1 | 3 |\n\n| own | table |\n", encoding="utf-8")
        monkeypatch.chdir(tmp_path)
        (problem,) = build.differences(page, build.run(page))
        assert problem == (
            "docs/_probe_page.md, example 1: table 1, row 1: shows ['1', '3'], prints ['1', '2']"
        )
        assert build.write(page, build.run(page))
        assert page.read_text(encoding="utf-8") == (
            text.replace("| a | b |\n|---|---|\n", "| a | b |\n|--:|--:|\n| 1 | 2 |\n")
            + "\n| own | table |\n"
        )
        assert not build.differences(page, build.run(page))
    finally:
        page.unlink(missing_ok=True)
