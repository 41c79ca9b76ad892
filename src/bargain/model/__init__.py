"""Models: a game with measures, solve options, scenarios and metadata; their files.

:mod:`.model` (the :class:`Model`), :mod:`.measures` (built-in and user
measures as columns), :mod:`.selection` (one equilibrium per point),
:mod:`.tabulate` (per-point tables), :mod:`.toml_reader` and
:mod:`.toml_writer` (model files).
"""

from .measures import Measures
from .model import Model, as_model
from .selection import RULES, check_rule
from .tabulate import LABELS, POINT_INFO

__all__ = ["LABELS", "POINT_INFO", "RULES", "Measures", "Model", "as_model", "check_rule"]
