"""Regenerate the tables the docs show, from the code that makes them.

Every page of ``docs/`` (and README.md) shows the tables its ``python`` examples
print: after an example, the Markdown tables that follow it (blank lines
between them, no prose) are its output, in order. A page may show fewer tables
than an example prints, and a table of its own after the printed ones (an
explanation table right below an output): only as many tables as both have are
compared. This script runs each page's
examples in order in one namespace (as ``tests/test_docs_examples.py`` does),
captures what they print, and

- ``--check`` (the default): reports every shown table that differs from the
  printed one, cell by cell after stripping the padding, and exits 1 if any does;
- ``--write``: replaces the shown tables by the printed ones.

The tests run the check on every page (tests/test_docs_examples.py). Only
tables are compared: the ``Note:`` lines a table prints below it (the model,
its version, fixed values, bargain's version) are left out of the pages.

Run from the repository's root: ``python docs/build_outputs.py [--write] [PAGE ...]``.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
FENCE = re.compile(r"^[ \t]*```python\n(.*?)^[ \t]*```[ \t]*\n", re.S | re.M)
ALIGN = re.compile(r"^:?-+:?$")


@dataclass
class Example:
    """One ``python`` example of a page: its code and where its shown tables lie."""

    code: str
    start: int  # offset of the shown tables after the fence (== end when none)
    end: int

    def shown(self, text: str) -> list[list[list[str]]]:
        return tables(text[self.start : self.end])

    def spans(self, text: str) -> list[tuple[int, int]]:
        """The span of each shown table, in order."""
        out, offset, begin = [], self.start, None
        for line in text[self.start : self.end].splitlines(keepends=True):
            if line.lstrip().startswith("|"):
                begin = offset if begin is None else begin
            elif begin is not None:
                out.append((begin, offset))
                begin = None
            offset += len(line)
        if begin is not None:
            out.append((begin, offset))
        return out


def examples(text: str) -> list[Example]:
    """The examples of a page with the span of the tables shown after each."""
    return [Example(m.group(1), *_shown_span(text, m.end())) for m in FENCE.finditer(text)]


def _shown_span(text: str, pos: int) -> tuple[int, int]:
    """The span of the tables right after ``pos`` (blank lines before and between them);
    (pos, pos) when prose or code comes first."""
    lines = text[pos:].splitlines(keepends=True)
    i, offset = 0, pos
    while i < len(lines) and not lines[i].strip():
        offset += len(lines[i])
        i += 1
    if i == len(lines) or not lines[i].lstrip().startswith("|"):
        return pos, pos
    start = end = offset
    while i < len(lines):
        if lines[i].lstrip().startswith("|"):
            offset += len(lines[i])
            end = offset
            i += 1
            continue
        j, ahead = i, offset
        while j < len(lines) and not lines[j].strip():
            ahead += len(lines[j])
            j += 1
        if lines[i].strip() or j == len(lines) or not lines[j].lstrip().startswith("|"):
            break
        i, offset = j, ahead
    return start, end


def tables(text: str) -> list[list[list[str]]]:
    """The Markdown tables of a text, each as rows of stripped cells (alignment rows out)."""
    found: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("|"):
            cells = [c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))]
            if not all(ALIGN.match(c) for c in cells):
                current.append(cells)
            continue
        if current:
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def printed_tables(output: str) -> str:
    """The table lines of an example's printed output, tables separated by a blank line."""
    blocks, current = [], []
    for line in output.splitlines():
        if line.strip().startswith("|"):
            current.append(line.rstrip())
        elif current:
            blocks.append("\n".join(current))
            current = []
    if current:
        blocks.append("\n".join(current))
    return "\n\n".join(blocks)


def context() -> str:
    """What pages that continue another find: the README's tree, a model and a space."""
    readme = [m.group(1) for m in FENCE.finditer((ROOT / "README.md").read_text("utf-8"))]
    (tree,) = [block for block in readme if "tree = bargain.GameTree(" in block]
    return f"""import bargain
{tree}
model = bargain.load_model("interim-deal")
space = bargain.grid(relief=bargain.linspace(0, 1, 5))
"""


def run(page: Path) -> list[tuple[Example, str]]:
    """Each example of the page with what it printed (examples run in order, one namespace,
    in the current folder: run it where the examples may write their files)."""
    namespace: dict = {}
    exec(context(), namespace)
    text = page.read_text(encoding="utf-8")
    out = []
    for i, example in enumerate(examples(text)):
        buffer = io.StringIO()
        code = compile(textwrap.dedent(example.code), f"{page.name}, example {i + 1}", "exec")
        with contextlib.redirect_stdout(buffer):
            exec(code, namespace)
        out.append((example, buffer.getvalue()))
    return out


def differences(page: Path, results: list[tuple[Example, str]]) -> list[str]:
    """Where the tables a page shows differ from the ones its examples print."""
    text = page.read_text(encoding="utf-8")
    problems = []
    for i, (example, output) in enumerate(results, 1):
        shown = example.shown(text)
        if not shown:
            continue
        printed = tables(printed_tables(output))
        n = min(len(shown), len(printed))
        if shown[:n] != printed[:n]:
            problems.append(
                f"{page.relative_to(ROOT)}, example {i}: {_first_difference(shown, printed)}"
            )
    return problems


def _first_difference(shown: list, printed: list) -> str:
    for t, (a, b) in enumerate(zip(shown, printed), 1):
        for r, (x, y) in enumerate(zip(a, b)):
            if x != y:
                return f"table {t}, row {r}: shows {x}, prints {y}"
        if len(a) != len(b):
            return f"table {t}: shows {len(a)} rows, prints {len(b)}"
    return "differs"


def write(page: Path, results: list[tuple[Example, str]]) -> bool:
    """Replace the shown tables by the printed ones (as many as both have); True if the
    page changed."""
    text = page.read_text(encoding="utf-8")
    new, last = [], 0
    for example, output in results:
        printed = printed_tables(output).split("\n\n") if printed_tables(output) else []
        for (begin, end), table in zip(example.spans(text), printed):
            new += [text[last:begin], table, "\n"]
            last = end
    new.append(text[last:])
    changed = "".join(new)
    if changed != text:
        page.write_text(changed, encoding="utf-8")
    return changed != text


def pages() -> list[Path]:
    """README.md and every docs page with a ``python`` example."""
    candidates = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    return [p for p in candidates if FENCE.search(p.read_text(encoding="utf-8"))]


def main(argv: list[str]) -> int:
    import os
    import tempfile

    rewrite = "--write" in argv
    chosen = [Path(a).resolve() for a in argv if not a.startswith("--")] or pages()
    problems = []
    for page in chosen:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / "models").symlink_to(ROOT / "models")
            here = Path.cwd()
            os.chdir(folder)  # the examples write their files here
            try:
                results = run(page)
            finally:
                os.chdir(here)
        if rewrite:
            if write(page, results):
                print(f"wrote {page.relative_to(ROOT)}")
        else:
            problems += differences(page, results)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main(sys.argv[1:]))
