"""``bargain run MODEL``: a model's showcase of tables and figures in one folder.

The ``[showcase]`` section of a model file names a grid over two parameters,
the column of the pivot table, the measures of the full table and optionally
a threshold table (see the model-file reference). Without it, the first two
bounded parameters are swept over 11 values each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import ModelError
from .files import atomic_write
from .model import LABELS, Model
from .sweeps import sweep
from .tables import to_markdown
from .thresholds import threshold_table


def showcase(model: Model, folder: str | Path) -> list[Path]:
    """Write the model's showcase into ``folder``; return the files written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    spec = model.showcase
    axes = _grid(model, spec.get("grid"))
    x, y = axes
    result = sweep(model, axes, progress=False)
    column = spec.get("table", "regime")
    measures = list(spec.get("measures", model.measures.names))
    written = []

    def write(name: str, text: str) -> None:
        path = folder / name
        atomic_write(path, text)
        written.append(path)

    pivot = (x, y, column)
    full = result.to_markdown(columns=[x, y, *measures, "regime"])
    write("table.md", result.to_markdown(pivot=pivot) + "\n\n" + full)
    write(
        "table.tex",
        result.to_latex(
            pivot=pivot,
            caption=f"{model.title or model.name}: {column} by {x} (rows) and {y} (columns).",
            label=f"tab:{model.name}-{column}",
        ),
    )
    result.to_csv(str(folder / "sweep.csv"))
    written.append(folder / "sweep.csv")
    by = column if column in LABELS else "regime"
    result.regime_map(x, y, by=by, path=folder / "regimes.png")
    written.append(folder / "regimes.png")
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
        )
        write("thresholds.md", to_markdown(table))
    return written


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
