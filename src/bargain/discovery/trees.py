"""A CART tree of the outcome, and feature scores: which parameters matter for a measure.

CART (Breiman et al. 1984) splits the sample in two at the value of one input that
most lowers the Gini impurity of the outcome, then splits each part again, up to
``depth`` splits deep; each leaf is a box of the inputs with the share of its points
where the outcome holds. Feature scores are the mean decrease in impurity of the
inputs over an ensemble of extremely randomized trees (Geurts, Ernst and Wehenkel
2006), normalised to sum to one, as the EMA Workbench scores features (Jaxa-Rozen and
Kwakkel 2018). Both are scikit-learn's.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .boxes import need

#: Trees in the ensemble that scores features.
N_TREES = 200


def cart(
    x: pd.DataFrame, holds: np.ndarray, depth: int = 4, mass_min: float = 0.05, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """A classification tree of ``holds`` by the inputs ``x``.

    Returns its leaves (``rule``, ``points``, ``mass``, ``density``: the share of the
    leaf's points where the outcome holds, ``coverage``: the leaf's share of all points
    where it holds), densest first; its splits (``depth``, ``parameter``, ``at``: the
    left branch takes values up to ``at``); and the tree as text.
    """
    tree_module = need("sklearn.tree")
    model = tree_module.DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=mass_min, random_state=seed
    )
    model.fit(x.to_numpy(dtype=float), holds)
    names = [str(c) for c in x.columns]
    tree = model.tree_
    total = max(int(holds.sum()), 1)
    leaves, splits = [], []

    def walk(node: int, level: int, bounds: dict[str, tuple[float, float]]) -> None:
        left, right = tree.children_left[node], tree.children_right[node]
        if left == right:  # a leaf
            points = int(tree.n_node_samples[node])
            inside = float(tree.value[node][0][1]) * points  # classes (False, True): shares
            leaves.append(
                {
                    "rule": _rule(bounds) or "all points",
                    "points": points,
                    "mass": points / len(holds),
                    "density": inside / points,
                    "coverage": inside / total,
                }
            )
            return
        name, at = names[tree.feature[node]], float(tree.threshold[node])
        splits.append({"depth": level, "parameter": name, "at": at})
        low, high = bounds.get(name, (-np.inf, np.inf))
        walk(left, level + 1, {**bounds, name: (low, min(high, at))})
        walk(right, level + 1, {**bounds, name: (max(low, at), high)})

    walk(0, 0, {})
    table = pd.DataFrame(leaves).sort_values(["density", "points"], ascending=False)
    text = tree_module.export_text(model, feature_names=names, show_weights=True)
    return table.reset_index(drop=True), pd.DataFrame(splits), text


def _rule(bounds: dict[str, tuple[float, float]]) -> str:
    """The conditions of a leaf: ``0.3 < a <= 0.7 and b <= 0.6``."""
    parts = []
    for name, (low, high) in bounds.items():
        left = "" if low == -np.inf else f"{low:.4g} < "
        right = "" if high == np.inf else f" <= {high:.4g}"
        parts.append(f"{left}{name}{right}")
    return " and ".join(parts)


def scores(x: pd.DataFrame, y: np.ndarray, seed: int = 0) -> pd.DataFrame:
    """How much each input matters for ``y``: one ``score`` per input (summing to one),
    highest first. A numeric ``y`` is regressed, flags and labels are classified."""
    ensemble = need("sklearn.ensemble")
    numeric = np.issubdtype(np.asarray(y).dtype, np.number)  # flags (bool) are not numbers
    kind = ensemble.ExtraTreesRegressor if numeric else ensemble.ExtraTreesClassifier
    model = kind(n_estimators=N_TREES, random_state=seed, min_samples_leaf=2)
    model.fit(x.to_numpy(dtype=float), y)
    table = pd.DataFrame({"score": model.feature_importances_}, index=list(x.columns))
    table.index.name = "parameter"
    return table.sort_values("score", ascending=False, kind="stable")
