"""Chunk tables in a compact form for the trip from a worker back to the sweep.

A worker's table is columns of numbers, flags and labels. Numbers and flags
travel as they are (pickled arrays are copied as raw bytes); a label column,
an object array of a few distinct texts repeated over many points, travels as
integer codes and the distinct texts once (pickling a million Python strings
one by one costs more than solving a million 2x2 games).

>>> import numpy as np
>>> packed = pack({"x": np.array([0.5, 1.0, 2.0]),
...                "regime": np.array(["deal", None, "deal"], dtype=object)})
>>> packed.labels["regime"]
(array([ 0, -1,  0], dtype=int32), ('deal',))
>>> unpack(packed)["regime"].tolist()
['deal', None, 'deal']
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
import pandas as pd

from bargain.games.labels import coded
from bargain.games.solution import Columns


class Packed(NamedTuple):
    """Columns with each label column as (codes, texts); code -1 is a missing label."""

    numbers: Columns
    labels: dict[str, tuple[np.ndarray, tuple[str, ...]]]
    order: tuple[str, ...]


def pack(columns: Mapping[str, np.ndarray]) -> Packed:
    """The columns with every object (label) column coded."""
    numbers: Columns = {}
    labels: dict[str, tuple[np.ndarray, tuple[str, ...]]] = {}
    for name, values in columns.items():
        known = coded(values)
        if known is not None:
            labels[name] = (known[0], tuple(known[1]))
        elif values.dtype == object:
            codes, texts = pd.factorize(values, use_na_sentinel=True)
            labels[name] = (codes.astype(np.int32), tuple(texts))
        else:
            numbers[name] = values
    return Packed(numbers, labels, tuple(columns))


def unpack(packed: Packed) -> Columns:
    """The columns again, labels as object arrays (None where missing)."""
    columns: Columns = {}
    for name in packed.order:
        if name in packed.numbers:
            columns[name] = packed.numbers[name]
            continue
        codes, texts = packed.labels[name]
        table = np.empty(len(texts) + 1, dtype=object)
        table[:-1] = texts
        columns[name] = table[codes]  # code -1 picks the last entry: None
    return columns
