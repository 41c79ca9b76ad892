"""Sweeps: a model solved over a parameter space in chunks, and the result.

:mod:`.runner` (chunks, executors, progress), :mod:`.checkpoint` (finished
chunks on disk, so an interrupted sweep resumes), :mod:`.result` (the
columns, viewed as tables and figures).
"""

from .checkpoint import Checkpoint, CheckpointError
from .result import SweepResult
from .runner import compare_scenarios, sweep

__all__ = ["Checkpoint", "CheckpointError", "SweepResult", "compare_scenarios", "sweep"]
