"""The formula language's vocabulary: reserved function names, and names made of labels.

Parameter names may not shadow the functions; :mod:`bargain.formula` gives them meaning.
"""

import re

#: Names of the functions a formula may call, sorted.
FUNCTIONS = ("abs", "exp", "log", "max", "min", "sqrt", "where")


def ident(label: object) -> str:
    """A formula-safe name for a label: non-word characters become ``_``.

    Built-in measure names are made of labels (``u_<player>``); ``U.S.``
    becomes ``U_S_``.

    Examples
    --------
    >>> ident("U.S."), ident("pressure")
    ('U_S_', 'pressure')
    """
    return re.sub(r"\W", "_", str(label))
