"""``bargain run MODEL``: a model's showcase of tables and figures in one folder.

The ``[showcase]`` section of a model file names a grid over two parameters,
the column of the pivot table, the measures of the full table and optionally
a threshold table, another model whose scenarios to compare and a scenario
at whose values to make it all (see the model-file reference). Without it,
the first two bounded parameters are swept over 11 values each. Every showcase
also has the direction of each measure along each parameter
(:func:`bargain.tables.directions`) and the model's sources as a BibTeX file.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from .errors import ModelError
from .files import atomic_write
from .model import LABELS, Model
from .plots import save_figure
from .spaces import one_at_a_time
from .sweeps import compare_scenarios, sweep
from .sweeps.provenance import sidecar_path
from .tables import directions, latex_escape, to_markdown
from .thresholds import threshold_table

#: Values per parameter of the one-at-a-time sweep behind the directions table.
LINE = 11


def showcase(
    model: Model, folder: str | Path, load: Callable[[str], Model] | None = None
) -> list[Path]:
    """Write the model's showcase into ``folder``; return the files written.

    ``load`` resolves the model named by ``[showcase] compare`` (the command line
    passes :func:`bargain.io.load_model`, resolving paths beside the model file).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = model.showcase
    axes = _grid(model, spec.get("grid"))
    x, y = axes
    scenario = spec.get("scenario")
    fixed = model.scenario(scenario)
    result = sweep(model, axes, scenario=scenario, progress=False)
    column = spec.get("table", "regime")
    measures = list(spec.get("measures", model.measures.names))
    written = []

    def write(name: str, text: str) -> None:
        path = folder / name
        atomic_write(path, text)
        written.append(path)

    pivot = (x, y, column)
    full = result.to_markdown(columns=[x, y, *measures, "regime"])
    write("table.md", result.to_markdown(pivot=pivot, merge="rows") + "\n\n" + full)
    rows, cols = (model.params[p].axis_text if p in model.params else p for p in (x, y))
    write(
        "table.tex",
        result.to_latex(
            pivot=pivot,
            caption=latex_escape(f"{model.title or model.name}: {column} by {rows} and {cols}."),
            label=f"tab:{model.name}-{column}",
            merge="rows",
            layout="auto",
        ),
    )
    result.to_csv(str(folder / "sweep.csv"))
    written += [folder / "sweep.csv", sidecar_path(folder / "sweep.csv")]
    by = column if column in LABELS else "regime"
    figure = result.regime_map(x, y, by=by)
    for name in ("regimes.png", "regimes.pdf"):  # for screens; vector, for papers
        save_figure(figure, result.note(), folder / name)
        written.append(folder / name)
    if "threshold" in spec:
        t = spec["threshold"]
        over = axes[t["over"]] if t["over"] in axes else _bounded(model, t["over"])
        select = model.select if model.select != "all" else "unique"
        table = threshold_table(
            model,
            t["param"],
            t["measure"],
            tuple(t["between"]),
            over=(t["over"], over),
            select=select,
            level=t.get("level"),
            **fixed,
        )
        write("thresholds.md", to_markdown(table))
    if "compare" in spec:
        write("comparison.md", _comparison(spec["compare"], load) + "\n")
    numeric = [m for m in measures if m not in LABELS and m != "n_equilibria"]
    free = [p.name for p in model.params if p.name not in fixed]
    lines = sweep(model, one_at_a_time(model.params, free, num=LINE), fixed=fixed, progress=False)
    write("directions.md", to_markdown(directions(lines, numeric)) + "\n")
    if model.bibtex.strip():
        write("references.bib", model.bibtex.strip() + "\n")
    return written


def _comparison(compare: dict, load: Callable[[str], Model] | None) -> str:
    """The scenarios of the compared model side by side, as a Markdown table."""
    if load is None:
        raise ModelError("[showcase] compare names another model: showcase() needs load=")
    other = load(compare["model"])
    result = compare_scenarios(other, list(other.scenarios))
    return result.to_markdown(columns=["scenario", *compare["measures"]])


def _grid(model: Model, grid: dict | None) -> dict[str, np.ndarray]:
    """The showcase grid, or 11 values over each of the first two bounded parameters."""
    if grid:
        return {
            name: np.linspace(float(start), float(stop), int(num))
            for name, (start, stop, num) in grid.items()
        }
    bounded = [p.name for p in model.params if p.low is not None and p.high is not None]
    if len(bounded) < 2:
        raise ModelError(
            f"model {model.name!r}: no [showcase] grid and fewer than two bounded parameters"
        )
    return {name: _bounded(model, name) for name in bounded[:2]}


def _bounded(model: Model, name: str) -> np.ndarray:
    p = model.params[name]
    if p.low is None or p.high is None:
        raise ModelError(f"model {model.name!r}: parameter {name!r} needs bounds to be swept")
    return np.linspace(p.low, p.high, 11)
