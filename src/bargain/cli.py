"""The ``bargain`` command: list, show, solve and sweep models from the shell.

MODEL is a bundled model's name (``bargain list``) or a path to a TOML model
file. User errors print one line and exit with status 2; ``--debug`` shows the
traceback instead.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .checks import count_text
from .errors import BargainError, DegenerateGameWarning
from .version import __version__

FORMATS_SOLVE = ("text", "json", "markdown")
FORMATS_SWEEP = ("csv", "parquet", "markdown", "latex", "json")
#: Formats a sweep streams to a file (-o) chunk by chunk, in bounded memory.
STREAMED = ("csv", "parquet")


class _Group(click.Group):
    """Turn user errors into one line (exit 2) unless ``--debug``."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:  # output piped into `head` and the like: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(0)
        except MemoryError:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(
                "bargain: error: out of memory; stream a sweep to a file (-o sweep.csv), "
                "sweep fewer points, or solve a smaller game",
                err=True,
            )
            ctx.exit(2)
        except (BargainError, ValueError, KeyError, OSError, ImportError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            first, *context = str(message).splitlines() or [""]
            hint = " (--debug shows the details)" if context else ""
            click.echo(f"bargain: error: {first}{hint}", err=True)
            ctx.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="bargain", message="%(prog)s %(version)s")
@click.option("--debug", is_flag=True, help="Show Python tracebacks for errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Game-theoretic models of diplomatic negotiation: solve, sweep, tabulate."""
    ctx.ensure_object(dict)["debug"] = debug
    if not debug:
        filters, format_warning = warnings.filters[:], warnings.formatwarning
        warnings.simplefilter("ignore", DegenerateGameWarning)
        warnings.formatwarning = _one_line  # no Python source lines under a warning

        def restore() -> None:  # for programs that call main() and carry on
            warnings.filters[:], warnings.formatwarning = filters, format_warning

        ctx.call_on_close(restore)


def _one_line(message: Warning | str, *_: Any, **__: Any) -> str:
    """A warning as the command prints it: one line."""
    first = str(message).splitlines()[0] if str(message) else ""
    return f"bargain: warning: {first}\n"


def _dask_client(address: str) -> Any:
    """A dask ``Client`` connected to the scheduler at ``address``, with a clear error when
    the extra is missing or nothing answers there."""
    try:
        from distributed import Client
    except ImportError:
        raise BargainError(
            '--scheduler needs dask.distributed: pip install "bargain-games[distributed]"'
        ) from None
    try:
        return Client(address, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise BargainError(f"--scheduler {address}: no dask scheduler answered ({exc})") from None


def _load(model: str):
    from .io import load_model

    return load_model(model)


def _named(values: Sequence[str], option: str) -> dict[str, str]:
    """``name=value`` options as a mapping of texts; a name given twice is an error."""
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BargainError(f"{option} {item!r}: expected name=value")
        if name in out:
            raise BargainError(f"{option} {item!r}: {name} is given twice; give it once")
        out[name] = value
    return out


def _pairs(values: Sequence[str], option: str) -> dict[str, float]:
    """``name=value`` options as a mapping of floats."""
    out = {}
    for name, value in _named(values, option).items():
        try:
            out[name] = float(value)
        except ValueError:
            raise BargainError(f"{option} {name}={value}: {value!r} is not a number") from None
    return out


def _options(values: Sequence[str], method: str | None = None) -> dict[str, Any]:
    """``-O name=value`` solve options, each value read by :func:`option_value`."""
    given = _named([*values, *([f"method={method}"] if method else [])], "-O")
    return {name: option_value(value) for name, value in given.items()}


def option_value(text: str) -> Any:
    """The value of ``-O name=TEXT``: a TOML value (``4``, ``0.5``, ``"qre"``,
    ``{US = 8, Iran = 2}``, ``[1, 2]``, ``true``), else a number, else the text as it
    is (a bare word such as ``qre``). Parsed by tomllib, never evaluated."""
    from .files import parse_toml

    try:
        parsed = parse_toml(f"v = {text}", "-O")
    except BargainError:
        parsed = {}
    if set(parsed) == {"v"}:  # one value, not a value followed by more keys
        return parsed["v"]
    for convert in (int, float):
        try:
            return convert(text)
        except ValueError:
            continue
    return text


def _axes(values: Sequence[str]) -> dict[str, Any]:
    """``name=start:stop:num`` options (or ``name=v1,v2,...``) as grid axes."""
    import numpy as np

    from .spaces import linspace

    axes = {}
    for item in values:
        name, sep, spec = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise BargainError(f"-g {item!r}: expected name=start:stop:num or name=v1,v2,...")
        if name in axes:
            raise BargainError(f"-g {item!r}: {name} is swept twice; give it one -g")
        try:
            if ":" in spec:
                start, stop, num = spec.split(":")
                axes[name] = linspace(float(start), float(stop), int(num))
            else:
                axes[name] = np.array([float(v) for v in spec.split(",")])
        except ValueError as exc:
            raise BargainError(f"-g {item!r}: expected name=start:stop:num ({exc})") from None
    return axes


def _write(text: str, output: str | None) -> None:
    """Print ``text``, or replace the file ``output`` by it whole (a kill leaves the old one)."""
    if output:
        from .files import atomic_write

        atomic_write(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text.rstrip("\n"))


PARAM = click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="Set a parameter (repeatable).",
)
SCENARIO = click.option("--scenario", default=None, help="Start from a named scenario.")
OPTION = click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="NAME=VALUE",
    help="A solve option of the model's game form, e.g. tie_break=all, lam=4 or "
    "'lam={US=8, Iran=2}' (a TOML value or a bare word; repeatable).",
)


class _ChoicesHelp(click.Option):
    """An option whose help ends with text made only when help is shown (``more``), so
    that the command starts without importing the game forms."""

    def __init__(self, *args: Any, more: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.base_help, self.more = self.help, more

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        self.help = f"{self.base_help} {self.more()}"
        return super().get_help_record(ctx)


def method_choices() -> str:
    """The ``method`` choices of every game form that takes one, and the forms that take
    a solution ``concept`` instead, read from the forms' options."""
    from .games.form import form_classes

    parts = []
    for cls in form_classes():
        method, concept = cls.options.get("method"), cls.options.get("concept")
        if method is not None and method.choices:
            parts.append(f"{cls.noun}: {', '.join(map(str, method.choices))}")
        elif concept is not None and concept.choices:
            choices = "|".join(map(str, concept.choices))
            parts.append(f"{cls.noun} take -O concept={choices} instead")
    return " ".join(f"{part[0].upper()}{part[1:]}." for part in parts)


METHOD = click.option(
    "--method",
    default=None,
    cls=_ChoicesHelp,
    more=method_choices,
    help="The solver, as -O method=M.",
)
GRID = click.option(
    "-g",
    "--grid",
    "axes",
    multiple=True,
    required=True,
    metavar="NAME=START:STOP:NUM",
    help="A swept parameter: a range, or name=v1,v2,... (repeatable).",
)


@main.command("list")
def list_command() -> None:
    """List the bundled models."""
    from .io import list_models

    models = list_models()
    width = max((len(info.name) for info in models), default=0)
    for info in models:
        click.echo(f"{info.name:<{width}}  {info.title}")


@main.command()
@click.argument("model")
@click.option("--bibtex", is_flag=True, help="Print only the BibTeX entries of its sources.")
def show(model: str, bibtex: bool) -> None:
    """Show a model's parameters, linked values, game form, measures and scenarios."""
    from .sweeps.provenance import options_text

    m = _load(model)
    if bibtex:
        click.echo(m.bibtex.strip())
        return
    click.echo(f"{m.name}" + (f" {m.version}" if m.version else "") + f": {m.title}")
    if m.description:
        click.echo(m.description.strip())
    if m.citation:
        click.echo(f"Citation: {m.citation}")
    if m.bibtex:
        click.echo(f"BibTeX: {', '.join(m.provenance()['cite'])} (bargain show --bibtex)")
    click.echo(f"\nGame: {m.game!r}")
    click.echo(f"Solver: {options_text(m.options) or 'the defaults'}; select={m.select}")
    if m.game.options:
        click.echo(f"  solve options it takes (-O name=value): {', '.join(m.game.options)}")
    click.echo("\nParameters:")
    for p in m.params:
        bounds = p.bounds_text
        about = f"{p.axis_text}: {p.description}" if p.label or p.unit else p.description
        click.echo(f"  {p.name:<18} default {p.default:<8g} in {bounds:<12} {about}")
    if m.links:
        click.echo("\nLinked values (another model's equilibrium measure at each point):")
        for name, link in m.links.items():
            click.echo(f"  {name:<18} {link.describe()}")
    click.echo(f"\nMeasures: {', '.join(m.measures.names)}")
    if m.scenarios:
        click.echo("\nScenarios:")
        for name, preset in m.scenarios.items():
            values = ", ".join(f"{k}={v:g}" for k, v in preset["values"].items())
            click.echo(f"  {name:<22} {values}  {preset['description']}")


@main.command()
@click.argument("model")
@PARAM
@SCENARIO
@METHOD
@OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS_SOLVE),
    default="text",
    help="text (the default), json or markdown.",
)
def solve(
    model: str,
    params: Sequence[str],
    scenario: str | None,
    method: str | None,
    options: Sequence[str],
    fmt: str,
) -> None:
    """The equilibria and measures at one point.

    \b
    Examples:
      bargain solve interim-deal
      bargain solve interim-deal -p relief=0.4 --scenario coalition_and_credible_relief
      bargain solve escalation --format json
    """
    import numpy as np

    from .sweeps.provenance import options_text

    m = _load(model).with_options(**_options(options, method))
    values = {**m.params.defaults, **m.scenario(scenario), **_pairs(params, "-p")}
    m.params.bind(**values)
    table = m.evaluate({k: np.array([v]) for k, v in values.items()}, "all")["rows"]
    rows = [
        {k: _plain(v[i]) for k, v in table.items() if k != "point"}
        for i in range(len(table["point"]))
        if table["n_equilibria"][i] > 0  # a point with none has one blank row
    ]
    names = list(m.measures.names)
    found = count_text(len(rows), "equilibrium", "equilibria") if rows else NONE_FOUND
    if fmt == "json":
        data = {"model": m.name, "version": __version__, "scenario": scenario, "values": values}
        data |= {"options": m.options, "n_equilibria": len(rows), "found": found}
        click.echo(json.dumps({**data, "equilibria": rows}, indent=1))
    elif fmt == "markdown":
        click.echo(_solve_markdown(m, values, rows, names))
    else:
        shown = ", ".join(f"{k}={v:g}" for k, v in values.items())
        click.echo(f"{m.name} at {shown}" + (f" (scenario {scenario})" if scenario else ""))
        if m.options:
            click.echo(f"solve options: {options_text(m.options)}")
        click.echo(found)
        for i, row in enumerate(rows, 1):
            click.echo(f"\n[{i}] {row['regime']}")
            for n in names:
                click.echo(f"    {n:<24} {_fmt(row[n])}")


#: What ``bargain solve`` says of a point where no equilibrium was found.
NONE_FOUND = "no equilibrium found"


def _solve_markdown(m: Any, values: dict[str, float], rows: list[dict], names: list[str]) -> str:
    """The equilibria at one point as a Markdown table, with the note below (a sentence
    where none was found)."""
    import pandas as pd

    from .sweeps.provenance import options_text
    from .tables import to_markdown

    at = ", ".join(f"{k} = {v:g}" for k, v in values.items())
    options = options_text(m.options)
    note = (
        f"Model {m.name} at {at}"
        + (f"; solve options: {options}" if options else "")
        + f"; bargain {__version__}."
    )
    if not rows:
        return f"{NONE_FOUND.capitalize()}.\n\nNote: {note}\n"
    frame = pd.DataFrame(
        {
            "equilibrium": range(1, len(rows) + 1),
            "regime": [row["regime"] for row in rows],
            **{n: [row[n] for row in rows] for n in names},
        }
    )
    frame.attrs["note"] = note
    return to_markdown(frame, floatfmt=".6g")


def _plain(value: Any) -> Any:
    """A table value as JSON takes it: a Python number or text, None for NaN."""
    value = value.item() if hasattr(value, "item") else value
    return None if isinstance(value, float) and not math.isfinite(value) else value


def _fmt(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


@main.command()
@click.argument("model")
@GRID
@PARAM
@SCENARIO
@click.option(
    "--select",
    default=None,
    help="Equilibrium selection: unique, max-joint, payoff-dominant, risk-dominant, logit, all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS_SWEEP),
    default=None,
    help="csv (the default; parquet for -o FILE.parquet), markdown, latex, json.",
)
@click.option(
    "--pivot",
    default=None,
    metavar="ROW,COLUMN,VALUE",
    help="Markdown/LaTeX: one parameter per row, one per column.",
)
@click.option("--columns", default=None, help="Comma-separated columns to show.")
@click.option("--caption", default=None, help="LaTeX: the table's caption.")
@click.option("--label", default=None, help="LaTeX: the table's \\label (e.g. tab:outcome).")
@click.option(
    "--layout",
    default="auto",
    show_default=True,
    help="LaTeX: a float (table), a landscape float (landscape), a table broken across "
    "pages (longtable), both (landscape-longtable), or auto: the first that fits the page.",
)
@click.option(
    "--merge", is_flag=True, help="Markdown/LaTeX pivots: join equal adjacent rows and columns."
)
@click.option("-o", "--output", default=None, help="Write to a file instead of stdout.")
@click.option("--checkpoint", default=None, help="Checkpoint directory (resumable).")
@click.option("--workers", type=int, default=None, help="Worker processes (default: none).")
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Run on the dask cluster of this scheduler (e.g. tcp://10.0.0.5:8786); needs the "
    "distributed extra, and -o/--checkpoint in folders the workers share.",
)
@METHOD
@OPTION
def sweep(
    model: str,
    axes: Sequence[str],
    params: Sequence[str],
    scenario: str | None,
    select: str | None,
    fmt: str | None,
    pivot: str | None,
    columns: str | None,
    caption: str | None,
    label: str | None,
    layout: str,
    merge: bool,
    output: str | None,
    checkpoint: str | None,
    workers: int | None,
    scheduler: str | None,
    method: str | None,
    options: Sequence[str],
) -> None:
    """A sensitivity table over a grid of parameter values.

    With -o FILE.csv or FILE.parquet the table is streamed to the file chunk by
    chunk, so memory does not grow with the number of points.

    \b
    Examples:
      bargain sweep escalation -g limited=0:1:11 -g unity=0:1:11 -o sweep.csv
      bargain sweep interim-deal -g relief=0:0.6:13 -g breakout=1:12:12 \\
          --scenario coalition_and_credible_relief --format latex \\
          --pivot relief,breakout,regime -o outcome.tex
      bargain sweep escalation -g limited=0:1:1001 -g unity=0:1:1001 \\
          --scheduler tcp://10.0.0.5:8786 -o /shared/sweep.csv
    """
    from .sweeps import sweep as run_sweep

    parquet = output is not None and output.lower().endswith(".parquet")
    fmt = fmt or ("parquet" if parquet else "csv")
    chosen = columns.split(",") if columns else None
    shape = tuple(pivot.split(",")) if pivot else None
    if shape is not None and len(shape) != 3:
        raise BargainError(f"--pivot {pivot!r}: expected ROW,COLUMN,VALUE")
    streamed = output is not None and fmt in STREAMED
    if fmt == "parquet" and not (streamed and parquet):
        raise BargainError("--format parquet writes a file: give -o FILE.parquet")
    m = _load(model).with_options(**_options(options, method))
    with contextlib.ExitStack() as stack:
        executor = "processes" if workers and workers > 1 else None
        if scheduler is not None:
            executor = stack.enter_context(_dask_client(scheduler))
        result = run_sweep(
            m,
            _axes(axes),
            select=select,
            fixed=_pairs(params, "-p"),
            scenario=scenario,
            executor=executor,
            workers=workers,
            checkpoint=checkpoint,
            progress=sys.stderr.isatty(),
            output=output if streamed else None,
            columns=chosen if streamed else None,
        )
    if streamed:
        click.echo(f"wrote {output} ({len(result):,} points)", err=True)
        return
    if fmt == "csv":
        text = result.to_csv(columns=chosen)
    elif fmt == "json":
        text = result.to_json(columns=chosen)
    elif fmt == "markdown":
        text = result.to_markdown(columns=chosen, pivot=shape, merge=merge)
    else:
        text = result.to_latex(
            columns=chosen, pivot=shape, caption=caption, label=label, layout=layout, merge=merge
        )
    _write(text, output)


@main.command()
@click.argument("model")
@click.argument("param")
@click.option("--measure", required=True, help="A measure, or 'regime' for any change.")
@click.option(
    "--between",
    nargs=2,
    type=float,
    required=True,
    metavar="A B",
    help="The bracket of PARAM to search.",
)
@click.option("--level", type=float, default=None, help="The value whose crossing counts.")
@click.option(
    "--over",
    default=None,
    metavar="NAME=START:STOP:NUM",
    help="A table of thresholds as another parameter varies.",
)
@PARAM
@SCENARIO
def threshold(
    model: str,
    param: str,
    measure: str,
    between: tuple[float, float],
    level: float | None,
    over: str | None,
    params: Sequence[str],
    scenario: str | None,
) -> None:
    """Where the outcome flips as PARAM moves between A and B.

    \b
    Examples:
      bargain threshold gestures face --measure reassures --between 0 1.5
      bargain threshold two-level hardline --measure p_war --level 0.5 --between 0 1 \\
          --over spread=0.1:0.3:3
    """
    from .thresholds import threshold as find
    from .thresholds import threshold_table

    m = _load(model)
    fixed = {**m.scenario(scenario), **_pairs(params, "-p")}
    fixed.pop(param, None)
    if over:
        ((name, values),) = _axes([over]).items()
        fixed.pop(name, None)
        table = threshold_table(
            m, param, measure, between, over=(name, values), level=level, **fixed
        )
        click.echo(table.to_string(index=False))
        click.echo(f"\nNote: {table.attrs['note']}")
    else:
        click.echo(str(find(m, param, measure, between, level=level, **fixed)))


@main.command()
@click.argument("model")
@GRID
@PARAM
@SCENARIO
@click.option("--by", default="regime", help="The label to colour: regime or equilibria.")
@click.option(
    "--boundaries",
    is_flag=True,
    help="Draw the regime edges in closed form over the map (bargain derive's formulas).",
)
@click.option("-o", "--output", required=True, help="PNG, PDF or SVG file.")
def plot(
    model: str,
    axes: Sequence[str],
    params: Sequence[str],
    scenario: str | None,
    by: str,
    boundaries: bool,
    output: str,
) -> None:
    """A regime map over two parameters.

    \b
    Example:
      bargain plot escalation -g limited=0:1:41 -g unity=0:1:41 --boundaries -o map.png
    """
    import numpy as np

    from .sweeps import sweep as run_sweep

    grid = _axes(axes)
    if len(grid) != 2:
        raise BargainError(f"plot needs exactly two -g parameters, got {len(grid)}")
    m = _load(model)
    fixed = {**m.scenario(scenario), **_pairs(params, "-p")}
    result = run_sweep(
        m, grid, fixed=_pairs(params, "-p"), scenario=scenario, progress=sys.stderr.isatty()
    )
    x, y = grid
    curves = None
    if boundaries:
        from .symbolic import boundary_curves, derive

        xs = np.unique(np.asarray(grid[x], dtype=float))
        ys = np.asarray(grid[y], dtype=float)
        xs = np.linspace(xs.min(), xs.max(), 400)
        others = {k: v for k, v in fixed.items() if k not in (x, y)}
        curves = boundary_curves(derive(m), x, y, xs, (ys.min(), ys.max()), **others)
    result.regime_map(x, y, by=by, path=output, curves=curves)
    click.echo(f"wrote {output}", err=True)


@main.command()
@click.argument("model")
@PARAM
@SCENARIO
@click.option(
    "--equilibrium",
    type=int,
    default=0,
    show_default=True,
    help="Which equilibrium to highlight, numbered from 0 as bargain solve lists them.",
)
@click.option(
    "--format",
    "formats",
    default="tex,svg,png",
    show_default=True,
    help="Comma-separated file types: tex (TikZ), svg, png, pdf.",
)
@click.option(
    "-o", "--output", default=".", show_default=True, help="The folder to write the files to."
)
def draw(
    model: str,
    params: Sequence[str],
    scenario: str | None,
    equilibrium: int,
    formats: str,
    output: str,
) -> None:
    """Draw a tree or signaling model's game tree, its equilibrium path highlighted.

    Writes MODEL-tree.tex (a tikzpicture to \\input in a paper; needs \\usepackage{tikz})
    and figures of the same tree.

    \b
    Examples:
      bargain draw interim-deal
      bargain draw gestures --format tex,pdf -o figures
      bargain draw interim-deal -p relief=0.6 --scenario coalition_and_credible_relief
    """
    from .drawing import draw as draw_tree

    drawing = draw_tree(_load(model), _pairs(params, "-p"), scenario, equilibrium)
    for path in drawing.write(output, formats.split(",")):
        click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("model")
@click.option(
    "--measure",
    "measures",
    multiple=True,
    help="Show only this measure (repeatable; default: every derived measure).",
)
@click.option(
    "--param",
    "wrt",
    multiple=True,
    help="Comparative statics in this parameter only (repeatable; default: all).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("text", "markdown", "latex")),
    default="text",
    help="The report as text (the default), Markdown or LaTeX.",
)
@OPTION
@click.option(
    "--budget",
    type=float,
    default=5.0,
    show_default=True,
    help="Seconds the derivation may take before the numeric solvers answer instead.",
)
@click.option("--no-cache", is_flag=True, help="Derive afresh (ignore and keep no cached copy).")
@click.option("-o", "--output", default=None, help="Write to a file instead of stdout.")
def derive(
    model: str,
    measures: Sequence[str],
    wrt: Sequence[str],
    fmt: str,
    options: Sequence[str],
    budget: float,
    no_cache: bool,
    output: str | None,
) -> None:
    """Equilibria in closed form: each regime's conditions and formulas, and the signs
    of the comparative statics on the parameters' bounds.

    \b
    Examples:
      bargain derive escalation
      bargain derive interim-deal --measure deal --param relief --format latex
    """
    from .symbolic import DerivationTimeout, report
    from .symbolic import derive as derive_model

    m = _load(model).with_options(**_options(options))
    try:
        derivation = derive_model(m, budget=budget, cache=not no_cache)
    except DerivationTimeout as stop:
        click.echo(f"bargain: {stop}", err=True)
        click.echo(f"numeric equilibria at the defaults (bargain solve {model}):", err=True)
        ctx = click.get_current_context()
        ctx.invoke(solve, model=model, params=(), scenario=None, method=None, options=options)
        return
    for name in wrt:
        derivation.symbol(name)
    _write(report(derivation, fmt, measures or None, wrt or None), output)


@main.command()
@click.argument("model")
@click.option("-o", "--output", default=None, help="Folder (default: ./MODEL-showcase).")
def run(model: str, output: str | None) -> None:
    """The model's showcase: its tables, regime map, thresholds, sign table and BibTeX.

    \b
    Example:
      bargain run interim-deal -o interim-deal-showcase
    """
    from .io import load_model
    from .model import Model
    from .showcase import showcase

    m = _load(model)
    folder = Path(output or f"{m.name}-showcase")
    here = Path(model).parent if model.endswith(".toml") or "/" in model else None

    def load(ref: str) -> Model:  # a bundled name, or a path beside the model file
        return load_model(ref if here is None or not ref.endswith(".toml") else here / ref)

    for path in showcase(m, folder, load=load):
        click.echo(f"wrote {path}")


@main.command()
@click.argument("model")
@click.option(
    "--measure",
    "outcome",
    required=True,
    metavar="OUTCOME",
    help="The outcome: a flag measure (deal), a label (regime=pressure) or a threshold (war>0.05).",
)
@click.option(
    "--space",
    default="lhs:2000",
    show_default=True,
    metavar="KIND:N",
    help="The sample: random:N or lhs:N (Latin hypercube).",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option(
    "--vary",
    "names",
    multiple=True,
    metavar="NAME",
    help="A parameter to sample (repeatable; default: every one with both bounds).",
)
@click.option("--boxes", type=int, default=1, show_default=True, help="PRIM boxes to find.")
@PARAM
@SCENARIO
@click.option("-o", "--output", default=None, help="Folder for the tables, tree and figure.")
def discover(
    model: str,
    outcome: str,
    space: str,
    seed: int,
    names: Sequence[str],
    boxes: int,
    params: Sequence[str],
    scenario: str | None,
    output: str | None,
) -> None:
    """Where in the parameter space an outcome holds: PRIM boxes, a CART tree and
    feature scores over a random or Latin-hypercube sample (scenario discovery).

    \b
    Examples:
      bargain discover interim-deal --measure "commitment_gap<0" --space lhs:2000 \\
          --vary repute --vary unity --vary breakout -o discovery
      bargain discover escalation --measure "regime=pressure/resist" --space random:1000
    """
    from .discovery import discover_model
    from .tables import to_markdown

    found = discover_model(
        _load(model),
        outcome,
        space,
        seed=seed,
        names=names or None,
        fixed=_pairs(params, "-p"),
        scenario=scenario,
        progress=sys.stderr.isatty(),
        n_boxes=boxes,
    )
    click.echo(found.summary())
    click.echo()
    click.echo(to_markdown(found.tables()["box"]).rstrip("\n"))
    if output:
        for path in found.write(output):
            click.echo(f"wrote {path}", err=True)


@main.command()
@click.argument("model")
@click.option(
    "--dynamics",
    default="fictitious-play",
    show_default=True,
    help="fictitious-play, stochastic-fictitious-play, replicator, asymmetric-replicator "
    "or regret-matching.",
)
@click.option(
    "--steps",
    type=int,
    default=1000,
    show_default=True,
    help="Rounds of play (time points for the replicator dynamics); at most 100,000.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the random choices.")
@PARAM
@SCENARIO
@click.option("--etha", type=float, default=0.1, show_default=True, help="SFP: logit noise.")
@click.option(
    "--epsilon-bar",
    type=float,
    default=0.01,
    show_default=True,
    help="SFP: largest payoff perturbation.",
)
@click.option(
    "--horizon", type=float, default=10.0, show_default=True, help="Replicator: end time."
)
@click.option(
    "--start",
    "starts",
    multiple=True,
    metavar="PLAYER=P1,P2,...",
    help="Replicator: a player's initial strategy (default uniform; repeatable).",
)
@click.option(
    "--tol",
    type=float,
    default=0.01,
    show_default=True,
    help="Settled: the largest move of any probability over the last tenth of the run.",
)
@click.option("-o", "--output", default=None, help="Write the trajectory to a CSV file.")
def learn(
    model: str,
    dynamics: str,
    steps: int,
    seed: int,
    params: Sequence[str],
    scenario: str | None,
    etha: float,
    epsilon_bar: float,
    horizon: float,
    starts: Sequence[str],
    tol: float,
    output: str | None,
) -> None:
    """Learning dynamics in a two-player model: the final strategies, the nearest Nash
    equilibrium and whether play settled (see bargain.dynamics.learn).

    \b
    Examples:
      bargain learn escalation --dynamics fictitious-play --steps 1000 --seed 0
      bargain learn escalation --scenario war_feared --dynamics replicator -o run.csv
    """
    from .dynamics import learn as run_learning
    from .dynamics import learning_summary

    start = None
    if starts:
        start = {}
        for player, text in _named(starts, "--start").items():
            try:
                start[player] = [float(v) for v in text.split(",")]
            except ValueError:
                raise BargainError(
                    f"--start {player}={text}: expected numbers separated by commas"
                ) from None
    frame = run_learning(
        _load(model),
        dynamics,
        steps=steps,
        seed=seed,
        scenario=scenario,
        etha=etha,
        epsilon_bar=epsilon_bar,
        horizon=horizon,
        start=start,
        tol=tol,
        **_pairs(params, "-p"),
    )
    click.echo(learning_summary(frame))
    if output:
        from .sweeps.provenance import write_sidecar

        _write(frame.to_csv(index=False), output)
        write_sidecar(output, {**frame.attrs, "version": __version__})


@main.command("solve-matrix")
@click.argument("row")
@click.argument("column")
@click.option(
    "--method", default="support", help="support (all equilibria), pure, vertex, lemke-howson."
)
def solve_matrix(row: str, column: str, method: str) -> None:
    """All equilibria of a bimatrix game given row by row, e.g. "3 0; 5 1" "3 5; 0 1"."""
    from .games import NormalFormGame

    A = parse_matrix(row, "row player's payoffs")
    B = parse_matrix(column, "column player's payoffs")
    if A.shape != B.shape:
        raise BargainError(f"payoff matrices differ in shape: {A.shape} and {B.shape}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DegenerateGameWarning)
        solution = NormalFormGame.from_arrays(A, B).solve(method=method)
    click.echo(f"{count_text(len(solution), 'equilibrium', 'equilibria')} ({method})")
    for eq in solution:
        x, y = (" ".join(f"{p:.6g}" for p in mix) for mix in eq.profile)
        click.echo(f"  row ({x})  column ({y})  payoffs {eq.payoffs[0]:.6g}, {eq.payoffs[1]:.6g}")
    for warning in caught:
        click.echo(f"warning: {warning.message}", err=True)


def parse_matrix(text: str, what: str) -> Any:
    """A matrix (numpy array) from ``"a b; c d"`` (commas also separate entries)."""
    import numpy as np

    rows = [r.replace(",", " ").split() for r in text.split(";")]
    try:
        values = [[float(v) for v in r] for r in rows]
    except ValueError as exc:
        raise BargainError(f"{what}: expected numbers, got {text!r} ({exc})") from None
    if not values or any(len(r) != len(values[0]) or not r for r in values):
        raise BargainError(f"{what}: expected rows of equal length separated by ';', got {text!r}")
    return np.array(values)


if __name__ == "__main__":  # pragma: no cover
    main()
