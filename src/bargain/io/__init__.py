"""Model files: the bundled model library, loading by path or name, reading and writing.

Finding and listing models (:mod:`.library`) is light: ``bargain list`` loads
neither sympy nor the solvers. The format itself is read and written by
:mod:`bargain.model.toml_reader` and :mod:`bargain.model.toml_writer`, whose
functions are exported here too, imported on first use.
"""

from importlib import import_module
from typing import Any

from .library import ModelInfo, list_models, load_model, loads_model, models_folder

#: Names exported here but defined in heavier modules, imported when first used.
_ELSEWHERE = {
    "dumps_model": "bargain.model.toml_writer",
    "dump_model": "bargain.model.toml_writer",
}

__all__ = ["ModelInfo", "dump_model", "dumps_model", "list_models", "load_model", "loads_model"]
__all__ += ["models_folder"]


def __getattr__(name: str) -> Any:
    if name in _ELSEWHERE:
        return getattr(import_module(_ELSEWHERE[name]), name)
    raise AttributeError(f"module 'bargain.io' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
