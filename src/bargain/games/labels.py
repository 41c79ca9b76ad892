"""Label columns that remember their codes.

A column of outcome labels ("escalate/yield", "deal") is an object array: what
tables, frames and plots read. Writers and workers would rather have it as
integer codes into a few distinct names (turning a million Python strings into
Arrow text or pickling them one by one costs more than solving a million 2x2
games). :class:`Labels` is both: an object array that also holds its ``codes``
and ``names``. Anything that makes a new array from it (a slice, a gather, a
concatenation) gets a label column without codes (``codes`` None), and a
comparison a plain array, so the codes are never stale.

>>> import numpy as np
>>> labels = Labels.of(np.array([1, -1, 0, 1]), np.array(["deal", "war"], dtype=object))
>>> labels.tolist()
['war', None, 'deal', 'war']
>>> labels.codes, labels[1:].codes
(array([ 1, -1,  0,  1], dtype=int32), None)
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Labels(np.ndarray):
    """An object array of labels (None where missing) with ``codes`` (int32, -1 for a
    missing label) into ``names`` (an object array of distinct texts)."""

    codes: np.ndarray | None
    names: np.ndarray | None

    @classmethod
    def of(cls, codes: np.ndarray, names: np.ndarray) -> Labels:
        """The labels ``names[codes]``, None where a code is -1."""
        table = np.empty(len(names) + 1, dtype=object)
        table[:-1] = names
        out = table[codes].view(cls)
        out.codes = np.asarray(codes, dtype=np.int32)
        out.names = np.asarray(names, dtype=object)
        return out

    def __array_finalize__(self, obj: Any) -> None:
        self.codes = None
        self.names = None

    def __array_wrap__(self, array: Any, context: Any = None, return_scalar: bool = False) -> Any:
        """What a ufunc makes of labels (a comparison, say) is a plain array."""
        result = np.asarray(array)
        return result[()] if return_scalar else result


def coded(values: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """A label column's (codes, names) if it knows them, else None."""
    codes = getattr(values, "codes", None)
    if codes is None or len(codes) != len(values):
        return None
    return codes, values.names
