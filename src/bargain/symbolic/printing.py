"""A derivation for a reader: formula text, Markdown or LaTeX.

Formula text is bargain's formula language (:func:`bargain.formula.to_text`),
so a derived formula can be pasted back into a model file. LaTeX uses
``sympy.latex`` with each parameter's declared symbol (``Param.latex``, e.g.
``\\rho`` for ``relief``); a parameter without one is set upright
(``\\mathrm{war\\_risk}``). :func:`report` is what ``bargain derive`` prints:
each regime's conditions and measures, then the comparative-statics table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import sympy

from bargain import formula
from bargain.algebra import Case, Condition

from .regimes import ModelDerivation
from .statics import sign_matrix, sign_table

#: Seconds the report gives the case split of coexisting regimes before leaving it out.
CASE_SPLIT_SECONDS = 15.0

Format = Literal["text", "markdown", "latex"]
#: The sign symbols of a sign table as LaTeX math (pdflatex has no Unicode minus).
_LATEX_SIGNS = {"≥ 0": r"$\geq 0$", "≤ 0": r"$\leq 0$", "±": r"$\pm$", "−": "$-$"}
FORMATS = ("text", "markdown", "latex")


def latex_names(derivation: ModelDerivation) -> dict[sympy.Symbol, str]:
    """Each parameter's LaTeX symbol: the declared one, else its name set upright."""
    names = {}
    for p in derivation.params:
        plain = p.name if len(p.name) == 1 else r"\mathrm{" + p.name.replace("_", r"\_") + "}"
        names[sympy.Symbol(p.name)] = p.latex or plain
    for name in derivation.measure_names:
        names.setdefault(sympy.Symbol(name), r"\mathrm{" + name.replace("_", r"\_") + "}")
    return names


def to_latex(expr: sympy.Basic, derivation: ModelDerivation) -> str:
    """``expr`` as LaTeX math with the model's parameter symbols."""
    return sympy.latex(expr, symbol_names=latex_names(derivation))


def _condition_text(c: Condition, fmt: Format, derivation: ModelDerivation) -> str:
    mark = " (undecided on the bounds)" if c.status == "undecided" else ""
    if fmt == "latex":
        return f"${to_latex(c.expr, derivation)}${mark}"
    if fmt == "markdown":
        return f"`{formula.to_text(c.expr)}`{mark}"
    return formula.to_text(c.expr) + mark


def _shared(group: Sequence[Case]) -> dict[str, sympy.Basic]:
    """The measures on which regimes sharing a label (they differ off the path) agree."""
    first = group[0]
    return {k: v for k, v in first.values.items() if all(r.values.get(k) == v for r in group[1:])}


def _alternatives(
    group: Sequence[Case], fmt: Format, derivation: ModelDerivation
) -> list[list[str]]:
    """Each regime's conditions as text (a regime whose point was not found says so)."""
    out = []
    for r in group:
        conds = [_condition_text(c, fmt, derivation) for c in r.conditions]
        conds = conds or ["everywhere in the bounds"]
        if r.feasible == "undecided":
            conds.append("(no point of the bounds meeting all of these was found)")
        out.append(conds)
    return out


def _regime_lines(
    group: Sequence[Case], fmt: Format, derivation: ModelDerivation, measures: Sequence[str] | None
) -> list[str]:
    r = group[0]
    values = _shared(group)
    names = [m for m in (measures or values) if m in values]
    alternatives = _alternatives(group, fmt, derivation)
    domain = [_condition_text(c, fmt, derivation) for c in r.domain]
    several = len(group) > 1
    wanted = [m for m in (measures or r.values) if m in r.values]
    differ = [m for m in wanted if m not in values]
    lead = (
        f"holds where any of these {len(group)} sets of conditions holds (the regimes differ "
        + (f"in {', '.join(differ)}: numbered below)" if differ else "off the equilibrium path)")
        if several
        else "holds where"
    )
    # The measures on which regimes sharing a label differ, set by set.
    each = [(i, m, formula.to_text(g.values[m])) for i, g in enumerate(group, 1) for m in differ]
    if fmt == "latex":
        label = r.label.replace("_", r"\_").replace(">", r"\textgreater{}")
        lines = [rf"\paragraph{{Regime {label}}} {lead}", r"\begin{enumerate}" if several else ""]
        for conds in alternatives:
            items = [rf"  \item {c}" for c in conds]
            lines += [r"\item" if several else "", r"\begin{itemize}", *items, r"\end{itemize}"]
        lines += [r"\end{enumerate}" if several else ""]
        if domain:
            lines += ["defined where " + ", ".join(domain) + "."]
        lines += [r"\begin{align*}"]
        body = [
            rf"  {to_latex(sympy.Symbol(m), derivation)} &= {to_latex(values[m], derivation)}"
            for m in names
        ]
        body += [
            rf"  \text{{({i}) {tables_escape(m)}}} &= \texttt{{{tables_escape(t)}}}"
            for i, m, t in each
        ]
        return [line for line in lines if line] + [" \\\\\n".join(body), r"\end{align*}", ""]
    if fmt == "markdown":
        lines = [f"### Regime `{r.label}`", "", lead[0].upper() + lead[1:] + ":", ""]
        for i, conds in enumerate(alternatives, 1):
            if several:
                lines += [f"{i}. " + "; ".join(conds)]
            else:
                lines += [f"- {c}" for c in conds]
        if domain:
            lines += ["", "Defined where " + ", ".join(domain) + "."]
        lines += ["", "| measure | formula |", "| --- | --- |"]
        lines += [
            f"| {m} | `{formula.to_text(values[m]).replace('|', chr(92) + '|')}` |" for m in names
        ]
        lines += [f"| ({i}) {m} | `{t.replace('|', chr(92) + '|')}` |" for i, m, t in each]
        return [*lines, ""]
    lines = [f"Regime {r.label}", f"  {lead}:"]
    for i, conds in enumerate(alternatives, 1):
        if several:
            lines += [f"    ({i}) {conds[0]}"] + [f"        {c}" for c in conds[1:]]
        else:
            lines += [f"    {c}" for c in conds]
    if domain:
        lines += ["  defined where:"] + [f"    {d}" for d in domain]
    lines += ["  measures:"] + [f"    {m} = {formula.to_text(values[m])}" for m in names]
    lines += [f"    ({i}) {m} = {t}" for i, m, t in each]
    return [*lines, ""]


def _region_lines(derivation: ModelDerivation, fmt: Format) -> list[str]:
    """Which equilibria exist where (the case split), for regimes that may coexist; left
    out, saying so, when it takes longer than :data:`CASE_SPLIT_SECONDS`."""
    from bargain.algebra import Derivation, DerivationTimeout, time_budget
    from bargain.errors import ModelError
    from bargain.games.normal.regions import regions

    cases = Derivation("model", derivation.params, derivation.regimes, exclusive=False)
    try:
        with time_budget(CASE_SPLIT_SECONDS):
            found = regions(cases)
    except DerivationTimeout:
        return [
            f"Case split: not shown (it took longer than {CASE_SPLIT_SECONDS:g} s; each "
            "regime's conditions above say where it holds).",
            "",
        ]
    except ModelError as why:
        return [f"Case split: not shown ({why}).", ""]
    head = "Which equilibria exist where"
    lines = {
        "text": [head + ":"],
        "markdown": [f"## {head}", ""],
        "latex": [rf"\paragraph{{{head}}}"],
    }[fmt]
    for r in found:
        labels = " + ".join(r.labels) or "none"
        where = "on a tie surface (a degenerate game)" if r.tie else formula.to_text(r.interior)
        mark = "" if r.status == "shown" else " (not shown to occur)"
        if fmt == "latex":
            where = where if r.tie else f"${to_latex(r.interior, derivation)}$"
            lines.append(rf"{tables_escape(labels)}: {where}{mark}\\")
        elif fmt == "markdown":
            lines.append(
                f"- **{labels}**: `{where}`{mark}" if not r.tie else f"- **{labels}**: {where}"
            )
        else:
            lines.append(f"  {labels}: {where}{mark}")
    return [*lines, ""]


def tables_escape(text: str) -> str:
    """Text for LaTeX (see :func:`bargain.tables.latex_escape`)."""
    from bargain.tables import latex_escape

    return latex_escape(text)


def report(
    derivation: ModelDerivation,
    fmt: Format = "text",
    measures: Sequence[str] | None = None,
    params: Sequence[str] | None = None,
) -> str:
    """The regimes (conditions and measure formulas) and the sign table, in ``fmt``."""
    from bargain import tables

    for m in measures or ():
        derivation.check_measure(m)
    n = len(derivation.regimes)
    timing = (
        "read from the cache"
        if derivation.source == "cache"
        else (f"derived in {derivation.seconds:.2f} s")
    )
    head = (
        f"{derivation.model}: {n} {derivation.subject} regime{'s' if n != 1 else ''} "
        f"in closed form ({timing})"
    )
    if not derivation.exclusive:
        head += "; several may hold at one point"
    lines = {
        "text": [head, ""],
        "markdown": [f"## {head}", ""],
        "latex": [f"% {head}", ""],
    }[fmt]
    lines += [f"Note: {note}" for note in derivation.notes]
    groups: dict[str, list[Case]] = {}
    for r in derivation.regimes:
        groups.setdefault(r.label, []).append(r)
    for group in groups.values():
        lines += _regime_lines(group, fmt, derivation, measures)
    if not derivation.exclusive:
        lines += _region_lines(derivation, fmt)
    matrix = sign_matrix(sign_table(derivation, measures, params))
    constant = sorted({m for _, m in matrix.attrs["constant"]} - set(matrix["measure"]))
    after = [f"[{i}] {text}" for i, text in enumerate(matrix.attrs["footnotes"], 1)]
    if constant:
        after.append("Constant in every regime (left out): " + ", ".join(constant) + ".")
    if matrix.empty:
        lines += ["Comparative statics: no measure shown moves with these parameters.", *after]
    elif fmt == "latex":
        table = tables.to_latex(matrix, caption=matrix.attrs["title"])
        for sign, math in _LATEX_SIGNS.items():
            table = table.replace(sign, math)
        lines.append(table)
        lines += [r"\begin{itemize}", *(rf"  \item {tables.latex_escape(t)}" for t in after)]
        lines.append(r"\end{itemize}")
    else:
        lines += ["Comparative statics" if fmt == "text" else "## Comparative statics", ""]
        lines += [tables.to_markdown(matrix), "", *after]
    return "\n".join(lines) + "\n"
