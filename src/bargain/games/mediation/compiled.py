"""A mediation game's formulas compiled once and evaluated at N points, with checks that
name the entry and the point.

One numpy function (:func:`bargain.formula.compile_formulas`) gives the prior,
the likelihoods (when the mediator observes a signal, not the type) and the
payoffs in the cells, one row per entry; a second the mediator's payoff, when
``mediator_payoff`` gives it as a formula of the others' payoffs in each cell.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product

import numpy as np
import sympy

from bargain import formula
from bargain.errors import ModelError
from bargain.params import ParamSpace, batch_size, point_text
from bargain.tolerances import PROB_SUM_ATOL

from .labels import MediationLabels, payoff_names
from .reduction import MediationArrays


class CompiledMediation:
    """The formulas of a mediation game, compiled once; :meth:`arrays` evaluates them.

    ``prior`` (one formula per type), ``likelihood`` (type -> one formula per
    signal, or None: the mediator observes the type), ``payoffs`` (type ->
    action -> player -> formula, for the ``cell_players``) and
    ``mediator_payoff`` (None, or a formula of the parameters and the others'
    payoffs) as the game holds them.
    """

    def __init__(
        self,
        labels: MediationLabels,
        prior: Sequence[sympy.Basic],
        likelihood: Mapping[str, Sequence[sympy.Basic]] | None,
        payoffs: Mapping[str, Mapping[str, Mapping[str, sympy.Basic]]],
        mediator_payoff: sympy.Basic | None,
        params: ParamSpace,
    ) -> None:
        self.labels, self.prior, self.likelihood = labels, prior, likelihood
        self.payoffs, self.mediator_payoff, self.params = payoffs, mediator_payoff, params
        informed, _, receiver = labels.players
        #: The players whose payoffs the cells give: all three, or all but the mediator.
        self.cell_players = labels.players if mediator_payoff is None else (informed, receiver)
        exprs = [*prior, *(e for row in (likelihood or {}).values() for e in row)]
        cells = (self.cell_players, labels.types, labels.actions)
        exprs += [payoffs[t][a][p] for p, t, a in product(*cells)]
        used = set().union(*map(formula.free_names, exprs))
        if mediator_payoff is not None:
            used |= formula.free_names(mediator_payoff)
        self.inputs = tuple(n for n in params.names if n in used)
        self._function = formula.compile_formulas(exprs, self.inputs)
        if mediator_payoff is not None:
            names = (*self.inputs, *payoff_names(informed, receiver))
            self._mediator_function = formula.compile_formulas(mediator_payoff, names)

    def arrays(self, points: Mapping[str, np.ndarray]) -> MediationArrays:
        """The prior (T, N), likelihoods (T, S, N) and payoffs (3, T, A, N) at N bound points.

        Raises a ModelError naming the entry and the point where a value is not
        finite, a probability is negative, or the prior or a type's likelihoods
        do not sum to 1.
        """
        n = batch_size(points)
        types, signals, actions = self.labels.types, self.labels.signals, self.labels.actions
        n_types, n_signals, n_actions = map(len, (types, signals, actions))
        n_cells = len(self.cell_players)
        n_likely = 0 if self.likelihood is None else n_types * n_signals
        values = np.empty((n_types + n_likely + n_cells * n_types * n_actions, n))
        inputs = [points[name] for name in self.inputs]
        self._function(*inputs, out=values)
        self._check_finite(values, points)
        prior = values[:n_types]
        cell = values[n_types + n_likely :].reshape(n_cells, n_types, n_actions, n)
        payoffs = self._payoffs(cell, inputs, points)
        self._check_distribution(prior, "prior", "the types' prior probabilities", types, points)
        if self.likelihood is None:
            likelihood = np.broadcast_to(np.eye(n_types)[..., None], (n_types, n_types, n))
        else:
            likelihood = values[n_types : n_types + n_likely].reshape(n_types, n_signals, n)
            for t, name in enumerate(types):
                self._check_distribution(
                    likelihood[t],
                    f"likelihood[{name!r}]",
                    f"the likelihoods P(signal | {name})",
                    signals,
                    points,
                )
        clip = np.clip
        return MediationArrays(clip(prior, 0.0, None), clip(likelihood, 0.0, None), payoffs)

    def _payoffs(
        self, cell: np.ndarray, inputs: list[np.ndarray], points: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """The three players' payoffs (3, T, A, N): the cells' (C, T, A, N), and the
        mediator's from ``mediator_payoff`` when the cells do not give it."""
        payoffs = np.empty((3, *cell.shape[1:]))
        if self.mediator_payoff is None:
            payoffs[:] = cell
            return payoffs
        payoffs[[0, 2]] = cell
        payoffs[1] = self._mediator_function(*inputs, cell[0], cell[1])
        bad = ~np.isfinite(payoffs[1])
        if bad.any():
            t, a, i = (int(x[0]) for x in np.nonzero(bad))
            raise ModelError(
                f"mediator_payoff = {self.mediator_payoff} is not finite for type "
                f"{self.labels.types[t]!r} and action {self.labels.actions[a]!r} at "
                f"{point_text(points, i)}"
            )
        return payoffs

    def _entry(self, k: int) -> tuple[str, sympy.Basic]:
        """The name and formula of row k of the compiled function's values."""
        types, signals, actions = self.labels.types, self.labels.signals, self.labels.actions
        n_types = len(types)
        if k < n_types:
            return f"prior[{types[k]!r}]", self.prior[k]
        k -= n_types
        if self.likelihood is not None:
            n_signals = len(signals)
            if k < n_types * n_signals:
                t, s = divmod(k, n_signals)
                name = types[t]
                return f"likelihood[{name!r}][{signals[s]!r}]", self.likelihood[name][s]
            k -= n_types * n_signals
        p, rest = divmod(k, n_types * len(actions))
        t, a = divmod(rest, len(actions))
        player, kind, action = self.cell_players[p], types[t], actions[a]
        where = f"payoffs[{kind!r}][{action!r}][{player!r}]"
        return where, self.payoffs[kind][action][player]

    def _check_finite(self, values: np.ndarray, points: Mapping[str, np.ndarray]) -> None:
        """A ModelError naming the first entry of ``values`` that is not finite, and where."""
        bad = ~np.isfinite(values)
        if bad.any():
            k, i = (int(x[0]) for x in np.nonzero(bad))
            where, expr = self._entry(k)
            raise ModelError(f"{where} = {expr} is not finite at {point_text(points, i)}")

    @staticmethod
    def _check_distribution(
        p: np.ndarray,
        where: str,
        what: str,
        names: Sequence[str],
        points: Mapping[str, np.ndarray],
    ) -> None:
        """A ModelError unless ``p`` (K, N) is a distribution over ``names`` at every point."""
        if (p < -PROB_SUM_ATOL).any():
            j, i = (int(x[0]) for x in np.nonzero(p < -PROB_SUM_ATOL))
            raise ModelError(
                f"{where}[{names[j]!r}] is {p[j, i]:.6g} at {point_text(points, i)}: "
                "expected a probability"
            )
        total = p.sum(axis=0)
        off = np.abs(total - 1) > PROB_SUM_ATOL
        if off.any():
            i = int(np.flatnonzero(off)[0])
            raise ModelError(
                f"{where}: {what} sum to {total[i]:.6g} at {point_text(points, i)}, expected 1"
            )
