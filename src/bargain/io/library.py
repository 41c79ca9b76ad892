"""The bundled model library, and loading a model by file path or bundled name.

The models are the ``models/`` folder of the repository, shipped in the wheel as
``bargain/models``; a model's name is its file name without ``.toml``.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from bargain.errors import ModelError, did_you_mean
from bargain.files import header, parse_toml, read_file

if TYPE_CHECKING:
    from bargain.model import Model


class ModelInfo(NamedTuple):
    """A bundled model: the name :func:`load_model` takes, its title and its file."""

    name: str
    title: str
    path: Path


def models_folder() -> Path:
    """The folder of the bundled models: in the installed package, else in the source tree."""
    installed = resources.files("bargain") / "models"
    if installed.is_dir():
        return Path(str(installed))
    return Path(__file__).resolve().parents[3] / "models"


def _bundled() -> dict[str, Path]:
    folder = models_folder()
    paths = sorted(folder.glob("*.toml"), key=lambda p: p.stem) if folder.is_dir() else []
    return {path.stem: path for path in paths if path.is_file()}  # by name: "a" before "a-b"


def list_models() -> list[ModelInfo]:
    """The bundled models, sorted by name.

    Raises
    ------
    ModelError
        If a bundled file is not valid TOML or its ``[model]`` table is invalid
        (the message names the file).

    Examples
    --------
    >>> all(isinstance(info, ModelInfo) for info in list_models())
    True
    """
    return [
        ModelInfo(name, header(parse_toml(read_file(path), str(path)), str(path))["title"], path)
        for name, path in _bundled().items()
    ]


def load_model(path_or_name: str | os.PathLike[str]) -> Model:
    """A model from a model file, given its path or the name of a bundled model.

    A string ending in ``.toml`` or holding a path separator is a path; another
    string is the name of a bundled model (see :func:`list_models`). The models
    its ``[links]`` name are loaded the same way, paths relative to the folder
    of the file that names them; a cycle of links is refused.

    Raises
    ------
    ModelError, FormulaError, ParamError
        If the file cannot be read or is not a valid model; the message names
        the file, the key path and what was expected.

    Examples
    --------
    >>> load_model("escalaton")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: unknown model 'escalaton'...
    """
    return _read(_locate(path_or_name, None), ())


def loads_model(text: str, source: str = "<string>") -> Model:
    """A model from the text of a model file (see :func:`bargain.model.toml_reader.loads_model`).

    The models its ``[links]`` name are bundled names or paths relative to the
    current folder.
    """
    from bargain.model.toml_reader import loads_model as read  # sympy and the solvers load here

    return read(text, source, load=lambda ref: _read(_locate(ref, None), ()))


def _locate(path_or_name: str | os.PathLike[str], folder: Path | None) -> Path:
    """The file of a bundled name, or a path (relative to ``folder`` if given)."""
    if isinstance(path_or_name, str) and not (
        path_or_name.endswith(".toml") or any(sep in path_or_name for sep in "/\\")
    ):
        bundled = _bundled()
        if path_or_name not in bundled:
            names = ", ".join(bundled) or "none"
            raise ModelError(
                f"unknown model '{path_or_name}'{did_you_mean(path_or_name, bundled)}; "
                f"bundled models: {names} (or give the path of a .toml file)"
            )
        return bundled[path_or_name]
    path = Path(path_or_name)
    return path if folder is None else folder / path


def _read(path: Path, chain: tuple[tuple[Path, str], ...]) -> Model:
    """The model of a file; ``chain`` holds the files whose links led here (to refuse cycles)."""
    from bargain.model.toml_reader import loads_model  # sympy and the solvers load here

    source = os.fspath(path)
    here = path.resolve()
    seen = [resolved for resolved, _ in chain]
    if here in seen:
        cycle = [name for _, name in chain[seen.index(here) :]]
        raise ModelError(f"a cycle of links: {' -> '.join([*cycle, source])}")
    trail = (*chain, (here, source))
    return loads_model(
        read_file(source), source, load=lambda ref: _read(_locate(ref, path.parent), trail)
    )
