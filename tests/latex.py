"""Compile generated LaTeX with a real ``pdflatex`` and fail on what a journal would reject.

CI installs Debian's ``texlive-latex-base``, ``texlive-latex-recommended`` and
``texlive-pictures`` (``.ci/run``); on a machine without them the tests that
compile are skipped, except under CI (``CI`` set), where a missing TeX fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

#: The packages a journal template accepts that the generated LaTeX may use.
PACKAGES = ("booktabs", "caption", "longtable", "pdflscape", "rotating", "array", "tikz")

#: What makes a compiled page unacceptable: text past the margin, a float past the page.
PROBLEMS = re.compile(r"Overfull \\hbox.*|Float too large.*|^! .*", re.MULTILINE)


def needs_latex() -> None:
    """Skip the calling test without ``pdflatex``; under CI, fail instead."""
    if shutil.which("pdflatex") is None:
        if os.environ.get("CI"):
            pytest.fail("pdflatex is missing: .ci/run installs texlive-latex-base")
        pytest.skip("pdflatex is not installed")


def compile_latex(body: str, folder: Path, packages: tuple[str, ...] = PACKAGES) -> str:
    """Compile ``body`` inside a minimal ``article`` and return the log; fail the test on
    an error, an overfull line or a float too large for the page, quoting the log."""
    needs_latex()
    preamble = "".join(f"\\usepackage{{{p}}}\n" for p in packages)
    source = (
        f"\\documentclass{{article}}\n{preamble}\\begin{{document}}\n{body}\n\\end{{document}}\n"
    )
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "doc.tex").write_text(source, encoding="utf-8")
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )
    log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
    problems = PROBLEMS.findall(log)
    if run.returncode or problems:
        pytest.fail(f"pdflatex: {'; '.join(problems) or 'failed'}\n{source}\n{log[-2000:]}")
    return log
