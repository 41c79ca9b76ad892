"""Drawing a model's game tree at one point, with an equilibrium highlighted.

:func:`draw` solves the model at the point (its defaults, a scenario, given
values), asks the game for its tree with the chosen equilibrium's choices
(the protocol's :meth:`~bargain.games.GameForm.extensive_form`: forms
without a tree refuse), lays it out once (:mod:`.layout`) and returns a
:class:`TreeDrawing` that writes it as TikZ (:mod:`.tikz`) or as a
matplotlib figure (:mod:`.figure`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bargain.errors import BargainError, ModelError, did_you_mean
from bargain.files import atomic_write
from bargain.games import GameForm
from bargain.model import Model, as_model
from bargain.plots import SUFFIXES, save_figure
from bargain.version import __version__

from .figure import to_figure
from .layout import Layout, tidy
from .shape import TreeShape
from .tikz import to_tikz

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The file types :meth:`TreeDrawing.write` writes.
FORMATS = ("tex", *(s[1:] for s in SUFFIXES))


@dataclass(frozen=True)
class TreeDrawing:
    """A game tree laid out with an equilibrium highlighted; ``name`` is the files' stem,
    ``note`` the provenance every output carries."""

    shape: TreeShape
    layout: Layout
    note: str
    name: str

    def tikz(self) -> str:
        r"""A ``tikzpicture`` to ``\input`` into a figure (needs ``\usepackage{tikz}``)."""
        return to_tikz(self.shape, self.layout, self.note)

    def figure(self) -> Figure:
        """The tree as a matplotlib figure (needs the ``plot`` extra)."""
        return to_figure(self.shape, self.layout, self.note)

    def write(
        self, folder: str | Path = ".", formats: Iterable[str] = ("tex", "svg", "png")
    ) -> list[Path]:
        """Write ``folder/NAME-tree.EXT`` for each format (tex, svg, png, pdf); the paths."""
        formats = [f.strip().lower().lstrip(".") for f in formats]
        for f in formats:
            if f not in FORMATS:
                raise BargainError(
                    f"unknown format {f!r}{did_you_mean(f, FORMATS)}; formats: {', '.join(FORMATS)}"
                )
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        paths, fig = [], None
        for f in dict.fromkeys(formats):
            path = folder / f"{self.name}-tree.{f}"
            if f == "tex":
                atomic_write(path, self.tikz())
            else:
                fig = fig or self.figure()
                save_figure(fig, self.note, path)
            paths.append(path)
        return paths


def draw(
    model: Model | GameForm,
    point: Mapping[str, float] | None = None,
    scenario: str | None = None,
    equilibrium: int = 0,
) -> TreeDrawing:
    """The game tree of a model (a game tree, a signaling game) at one point, equilibrium
    number ``equilibrium`` (0 the first, as ``model.solve(...)[0]``) highlighted.

    The point is the model's defaults, then the ``scenario``'s values, then ``point``'s.
    A game without a tree (:meth:`~bargain.games.GameForm.extensive_form`) is refused.
    """
    model = as_model(model)
    solution = model.solve(scenario, **dict(point or {}))
    found = list(solution.equilibria)
    if found and not 0 <= equilibrium < len(found):
        raise ModelError(
            f"equilibrium {equilibrium}: the point has {len(found)} "
            f"(numbered 0 to {len(found) - 1})"
        )
    chosen = found[equilibrium] if found else None
    try:
        tree = model.game.extensive_form(chosen, solution.values)
    except ModelError as exc:
        raise ModelError(f"model {model.name!r}: {exc}") from None
    concept = tree.concept
    what = f"{concept} {equilibrium + 1} of {len(found)}" if found else f"no {concept} found"
    shape = TreeShape(tree, what)
    return TreeDrawing(
        shape, tidy(shape.children), _note(model, shape, solution.values, scenario), model.name
    )


def _note(model: Model, shape: TreeShape, values: Mapping[str, float], scenario: str | None) -> str:
    """Where the drawing comes from and how to read it."""
    defaults = model.params.defaults
    changed = {k: v for k, v in values.items() if k in defaults and v != defaults[k]}
    at = ", ".join(f"{k} = {v:g}" for k, v in changed.items())
    where = (f"scenario {scenario}: " if scenario else "") + (at or "the defaults")
    version = f" {model.version}" if model.version else ""
    legend = "thick: its path of play; grey: its choices off the path; dashed: information sets"
    return (
        f"{model.name}{version} at {where}. {shape.equilibrium[0].upper()}{shape.equilibrium[1:]}"
        f" ({legend}). Payoffs: {', '.join(shape.players)}. bargain {__version__}."
    )
