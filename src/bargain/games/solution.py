"""The solution types every game form returns: equilibria as rows, over a batch of points.

A batch solution (:class:`EquilibriumBatch`) holds the equilibria of N points
in long form: row ``r`` is one equilibrium of point ``point[r]``, a point may
have any number of rows. Every form gives the same core: the parameter values
``points``, ``point``, the expected ``payoffs`` per row and player, per-point
``count``, ``degenerate`` and ``ties`` flags, and :meth:`~EquilibriumBatch.columns`,
the built-in measures per row (see :mod:`bargain.model.measures`). ``batch[i]``
is the :class:`EquilibriumSet` of point i: a sequence of the form's own
equilibrium objects with the same flags. Both convert to pandas with ``to_frame()``;
an equilibrium set shows in a notebook as a table of its equilibria.
"""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from bargain.errors import DegenerateGameWarning, ModelError, NoEquilibriumWarning, warn
from bargain.solvers.arrays import by_point

if TYPE_CHECKING:
    import pandas as pd

Columns = dict[str, np.ndarray]
E = TypeVar("E")


class EquilibriumSet(Sequence[E], Generic[E]):
    """The equilibria found at one parameter point, with the flags of the solve.

    Attributes
    ----------
    equilibria : the equilibria, in the form's own type.
    values : the parameter values of the point.
    degenerate, ties : the point's flags (a degenerate game; a tie broken).
    method : the method that solved the point.
    """

    def __init__(
        self,
        equilibria: Iterable[E],
        *,
        values: Mapping[str, float],
        degenerate: bool = False,
        ties: bool = False,
        method: str = "",
        batch: EquilibriumBatch | None = None,
        rows: Sequence[int] | np.ndarray = (),
    ) -> None:
        self.equilibria = tuple(equilibria)
        self.values = dict(values)
        self.degenerate = bool(degenerate)
        self.ties = bool(ties)
        self.method = method
        self._batch, self._rows = batch, np.asarray(rows, dtype=np.intp)

    def columns(self) -> dict[str, np.ndarray]:
        """The built-in measures and the regime label, one entry per equilibrium."""
        return self._batch.point_columns(self._rows) if self._batch is not None else {}

    def __getitem__(self, index):  # type: ignore[override]
        return self.equilibria[index]

    def __len__(self) -> int:
        return len(self.equilibria)

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium: the parameter values, then the built-in measures."""
        import pandas as pd

        n = len(self)
        values = {k: np.full(n, v) for k, v in self.values.items()}
        return pd.DataFrame({**values, **{k: list(v) for k, v in self.columns().items()}})

    def _repr_html_(self) -> str:
        """The notebook display: the summary line of ``repr``, then one row per
        equilibrium (its outcome and the form's own description of it), then the
        parameter values, folded."""
        import pandas as pd

        summary = f"<p><b>{html.escape(repr(self).splitlines()[0])}</b></p>"
        values = ", ".join(f"{k} = {v:g}" for k, v in self.values.items())
        folded = f"<details><summary>parameter values</summary>{html.escape(values)}</details>"
        if not self:
            return summary + folded
        regime = self.columns().get("regime", [""] * len(self))
        table = pd.DataFrame(
            {"outcome": list(regime), "equilibrium": [str(e) for e in self]},
            index=pd.RangeIndex(1, len(self) + 1),
        )
        return summary + table.to_html(escape=True) + folded


class EquilibriumBatch(Sequence[EquilibriumSet], ABC):
    """Equilibria at N parameter points, one row per (point, equilibrium).

    Subclasses set ``players``, ``points``, ``point``, ``payoffs``,
    ``degenerate``, ``ties`` and ``method`` and implement
    :meth:`measure_columns`, :meth:`regimes` and :meth:`_point_solution`.
    """

    players: tuple[str, ...]
    #: Parameter name -> (N,) values.
    points: dict[str, np.ndarray]
    #: (R,) the point of each row.
    point: np.ndarray
    #: (R, P) each row's expected payoff per player (or per label of a protocol).
    payoffs: np.ndarray
    #: (N,) flags: a degenerate game, a tie broken.
    degenerate: np.ndarray
    ties: np.ndarray
    method: str

    @abstractmethod
    def measure_columns(self) -> Columns:
        """The form's built-in numeric measures, (R,) each (``u_<player>`` and the like)."""

    @abstractmethod
    def regimes(self) -> tuple[np.ndarray, np.ndarray | None]:
        """Each row's outcome as a label (R,), and integer codes equal where labels are
        equal (or None)."""

    @abstractmethod
    def _point_solution(self, i: int) -> EquilibriumSet:
        """The equilibria of point i in the form's own types."""

    @cached_property
    def payoff_range(self) -> np.ndarray:
        """(N, P) each player's payoff range at each point: the scale of its tolerances.

        Forms that know their games give the range of all their payoffs; this
        default is the largest absolute equilibrium payoff at the point.
        """
        out = np.zeros((len(self), self.payoffs.shape[1]))
        np.maximum.at(out, self.point, np.abs(self.payoffs))
        return out

    def warn_empty(self, why: str) -> None:
        """Warn if some points have no equilibrium, saying ``why`` (they are kept)."""
        empty = int(np.count_nonzero(self.count == 0))
        if empty:
            where = "the point has" if len(self) == 1 else f"{empty} of {len(self)} points have"
            warn(f"{where} no equilibrium: {why} (see 'n_equilibria')", NoEquilibriumWarning)

    def warn_degenerate(self, why: str) -> None:
        """Warn if some points are degenerate, saying ``why`` (what makes them so): every
        equilibrium reported is verified, but there may be more."""
        count = int(np.count_nonzero(self.degenerate))
        if count:
            where = (
                "the game is degenerate"
                if len(self) == 1
                else f"{count} of {len(self)} games are degenerate"
            )
            warn(
                f"{where} ({why}): every equilibrium reported is verified, but there may be "
                "more; see the 'degenerate' flag",
                DegenerateGameWarning,
            )

    def outcome(self, members: Iterable[Hashable]) -> np.ndarray:
        """The probability (R,) that play ends in an outcome set (see ``check_outcomes``)."""
        raise ModelError(f"{type(self).__name__} has no outcome sets")

    def risk_dominance(self) -> np.ndarray:
        """Each row's Nash product of deviation losses (-inf for a mixed equilibrium)."""
        raise ModelError("select='risk-dominant' is defined for 2x2 normal-form games only")

    def logit_distance(self) -> np.ndarray:
        """Each row's distance (R,) from its point's logit limit (``select="logit"``)."""
        raise ModelError(
            f"select='logit' is defined for normal-form games only ({type(self).__name__} "
            "has no logit limit)"
        )

    def logit_limits(self, where: np.ndarray) -> EquilibriumBatch | None:
        """The logit limits of the points ``where`` that ``select="logit"`` takes where no
        row is the limit: at most one row per point, each an equilibrium of its point
        though none of its rows (a point inside a component whose extreme equilibria are
        the rows), ``n_equilibria`` the point's; None where the form gives none."""
        return None

    @cached_property
    def count(self) -> np.ndarray:
        """The number of equilibria (rows) at each point, (N,)."""
        return np.bincount(self.point, minlength=len(self))

    @cached_property
    def _groups(self) -> tuple[np.ndarray, np.ndarray]:
        return by_point(self.point, len(self))

    def rows(self, index: int) -> np.ndarray:
        """Indices of the rows of point ``index``, in row order."""
        order, starts = self._groups
        return order[starts[index] : starts[index + 1]]

    def columns(self) -> Columns:
        """Per row: ``point``, the built-in measures, ``n_equilibria``, the ``regime``
        label (``regime_code`` where the form gives codes), ``degenerate`` and ``ties``."""
        return dict(self._columns)

    @cached_property
    def _columns(self) -> Columns:
        point = self.point
        columns: Columns = {"point": point, **self.measure_columns()}
        columns["n_equilibria"] = self.count[point].astype(float)
        labels, codes = self.regimes()
        columns["regime"] = labels
        if codes is not None:
            columns["regime_code"] = codes
        columns["degenerate"] = self.degenerate[point]
        columns["ties"] = self.ties[point]
        return columns

    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium: ``point``, the parameter values, the built-in columns."""
        import pandas as pd

        columns = self.columns()
        columns.pop("regime_code", None)
        point = columns.pop("point")
        values = {k: v[point] for k, v in self.points.items()}
        return pd.DataFrame({"point": point, **values, **columns})

    def __len__(self) -> int:
        return len(self.degenerate)

    def __getitem__(self, index):  # type: ignore[override]
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        n = len(self)
        if not -n <= index < n:
            raise IndexError(f"point {index} out of range for a batch of {n}")
        return self._point_solution(index % n)

    def __iter__(self) -> Iterator[EquilibriumSet]:
        return (self[i] for i in range(len(self)))

    def point_values(self, i: int) -> dict[str, float]:
        """The parameter values of point i."""
        return {name: float(v[i]) for name, v in self.points.items()}

    def point_columns(self, rows: Sequence[int] | np.ndarray) -> dict[str, np.ndarray]:
        """The built-in measures, ``n_equilibria`` and ``regime`` of the given rows."""
        rows = np.asarray(rows, dtype=np.intp)
        skip = ("point", "regime_code", "degenerate", "ties")
        return {k: v[rows] for k, v in self._columns.items() if k not in skip}
