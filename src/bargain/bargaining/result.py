"""The outcome of a bargaining protocol: shares, deal flags and the closed form."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import sympy

from bargain.errors import BargainError
from bargain.formula import compile_formulas


def _frozen(arr: np.ndarray) -> np.ndarray:
    arr = np.array(arr)
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class BargainingResult:
    """Equilibrium (or axiomatic) outcome of a bargaining protocol, for a batch of points.

    Every numeric argument of a protocol may be an array; the arguments are
    broadcast to a common ``shape`` (``()`` when all are scalars) and each
    array below carries that shape after its leading axis.

    Attributes
    ----------
    protocol : str
        ``"ultimatum"``, ``"alternating_offers"``, ``"nash"``,
        ``"kalai_smorodinsky"`` or ``"baron_ferejohn"``.
    labels : tuple of str
        What the rows of ``shares`` are: ``("1", "2")`` for the two players,
        ``("proposer", "partner")`` or one label per player for Baron–Ferejohn.
    shares : ndarray, shape (len(labels), *shape)
        The agreement shares (utilities for the axiomatic solutions); where
        there is no deal, the players' expected payoffs without one.
    deal : ndarray of bool, shape (*shape)
        Whether the players agree at once (in the first period).
    closed_form : tuple of sympy.Expr or None
        One expression per row of ``shares`` in the symbols named by the keys
        of ``params``, or ``None`` where no closed form is known.
    params : dict of str to ndarray
        The numeric arguments, broadcast to ``shape``, keyed by symbol name.
    values : ndarray or None
        Baron–Ferejohn only: each player's ex-ante expected payoff, shape (n, *shape).
    """

    protocol: str
    labels: tuple[str, ...]
    shares: np.ndarray
    deal: np.ndarray
    closed_form: tuple[sympy.Expr, ...] | None
    params: Mapping[str, np.ndarray] = field(default_factory=dict)
    values: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "shares", _frozen(self.shares))
        object.__setattr__(self, "deal", _frozen(self.deal))
        shape = self.deal.shape
        params = {k: _frozen(np.broadcast_to(v, shape)) for k, v in self.params.items()}
        object.__setattr__(self, "params", params)
        if self.values is not None:
            object.__setattr__(self, "values", _frozen(self.values))

    @property
    def shape(self) -> tuple[int, ...]:
        """The broadcast shape of the arguments (``()`` for a single point)."""
        return self.deal.shape

    def closed_form_values(self) -> np.ndarray:
        """The closed form evaluated at ``params``: an array shaped like ``shares``.

        Raises
        ------
        BargainError
            If the protocol has no closed form for these arguments.
        """
        if self.closed_form is None:
            raise BargainError(f"{self.protocol}: no closed form is known for these arguments")
        names = list(self.params)
        fn = compile_formulas(self.closed_form, names)
        return fn(*(self.params[k] for k in names))

    def as_dict(self) -> dict[str, np.ndarray]:
        """Columns of a table: one per parameter, share, value and the deal flag.

        Each column is 1-D (a single point gives columns of length 1), so
        ``pandas.DataFrame(result.as_dict())`` is a table with one row per point.
        """
        columns = {k: v.ravel() for k, v in self.params.items()}
        columns |= {f"share_{label}": s.ravel() for label, s in zip(self.labels, self.shares)}
        if self.values is not None:
            columns |= {f"value_{i + 1}": v.ravel() for i, v in enumerate(self.values)}
        columns["deal"] = self.deal.ravel()
        return columns

    def __repr__(self) -> str:
        if self.shape:
            return (
                f"<BargainingResult {self.protocol}: {self.shares.shape[0]} shares "
                f"({', '.join(self.labels)}) at {self.deal.size} points, shape {self.shape}>"
            )
        shares = ", ".join(
            f"{label}: {s:.4g}" for label, s in zip(self.labels, np.round(self.shares, 12) + 0.0)
        )
        return f"BargainingResult({self.protocol}; shares {shares}; deal {bool(self.deal)})"
