"""Model files: load and write models as TOML, and the bundled model library."""

from .library import ModelInfo, list_models, load_model, models_folder
from .model_file import loads_model
from .writer import dump_model, dumps_model

__all__ = [
    "ModelInfo",
    "dump_model",
    "dumps_model",
    "list_models",
    "load_model",
    "loads_model",
    "models_folder",
]
