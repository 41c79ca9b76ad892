"""Batched Gaussian elimination for many small linear systems at once.

``numpy.linalg.solve`` raises on the first singular matrix of a stack and pays a
LAPACK call per matrix; support enumeration solves millions of tiny systems,
many of them singular by design, so it needs a vectorised kernel that reports
singular systems instead of failing. Arrays keep the batch in their trailing
axes ("structure of arrays"), so every step is an elementwise numpy operation
over contiguous memory.
"""

from __future__ import annotations

import numpy as np


def solve_small(M: np.ndarray, b: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solve ``M[:, :, i] @ x[:, i] = b[:, i]`` for every batch index i.

    Gaussian elimination with partial pivoting (Golub and Van Loan,
    *Matrix Computations*, Algorithm 3.4.1), vectorised over the batch; one
    unknown by a division, two with the same steps written out (no loops).

    Parameters
    ----------
    M : array of shape (s, s, *batch)
    b : array of shape (s, *batch)
    tol : pivots of absolute value <= tol (broadcast to the batch) make a system singular.

    Returns
    -------
    x : array of shape (s, *batch); entries of singular systems are meaningless.
    singular : bool array of shape batch.

    Examples
    --------
    >>> M = np.array([[[2.0, 0.0]]])  # two 1x1 systems: 2 x = 4 and 0 x = 1
    >>> x, singular = solve_small(M, np.array([[4.0, 1.0]]), tol=1e-12)
    >>> x[0, 0], singular.tolist()
    (np.float64(2.0), [False, True])
    """
    s = b.shape[0]
    if s == 1:
        singular = np.abs(M[0, 0]) <= tol
        return b / np.where(singular, 1.0, M[0, 0]), singular
    if s == 2:
        return _two_unknowns(M, b, tol)
    M = M.copy()
    b = b.copy()
    singular = np.zeros(b.shape[1:], dtype=bool)
    for c in range(s):
        if c < s - 1:
            pivot = c + np.argmax(np.abs(M[c:, c]), axis=0)
            for r in range(c + 1, s):
                swap = pivot == r
                if swap.any():
                    M[c], M[r] = np.where(swap, M[r], M[c]), np.where(swap, M[c], M[r])
                    b[c], b[r] = np.where(swap, b[r], b[c]), np.where(swap, b[c], b[r])
        diag = M[c, c]
        small = np.abs(diag) <= tol
        singular |= small
        diag = np.where(small, 1.0, diag)
        M[c, c:] /= diag
        b[c] /= diag
        for r in range(c + 1, s):
            factor = M[r, c].copy()
            M[r, c:] -= factor * M[c, c:]
            b[r] -= factor * b[c]
    for c in range(s - 2, -1, -1):
        b[c] -= (M[c, c + 1 :] * b[c + 1 :]).sum(axis=0)
    return b, singular


def _two_unknowns(M: np.ndarray, b: np.ndarray, tol: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`solve_small`'s elimination written out for 2x2 systems, whole arrays at once.

    The row whose first entry is larger in absolute value is the pivot row
    (rows swap where the second one's is strictly larger); eliminating with it
    leaves ``e - d c / a`` as the second pivot. The arithmetic is the loop's,
    step by step, so the results are the same to the last bit.
    """
    swap = np.abs(M[1, 0]) > np.abs(M[0, 0])
    (a, c), (d, e) = np.where(swap, M[::-1], M)
    b0, b1 = np.where(swap, b[::-1], b)
    singular = np.abs(a) <= tol
    a[singular] = 1.0
    c /= a
    b0 /= a
    e -= d * c
    b1 -= d * b0
    small = np.abs(e) <= tol
    singular |= small
    e[small] = 1.0
    x = np.empty_like(b)
    np.divide(b1, e, out=x[1])
    np.subtract(b0, c * x[1], out=x[0])
    return x, singular


def consistent(M: np.ndarray, b: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """Whether each nearly singular system of a flat stack has a solution.

    ``M`` has shape (B, s, s), ``b`` (B, s) and ``tol`` (B,). Singular values
    <= tol count as zero; the system is consistent when the least-squares
    residual is <= tol (Golub and Van Loan, section 5.5).
    """
    left, sigma, right = np.linalg.svd(M)
    keep = sigma > tol[:, None]
    coef = np.einsum("bji,bj->bi", left, b)  # b in the basis of left singular vectors
    x = np.einsum("bji,bj->bi", right, np.where(keep, coef / np.where(keep, sigma, 1.0), 0.0))
    residual = np.abs(np.einsum("bij,bj->bi", M, x) - b).max(axis=1, initial=0.0)
    return residual <= tol
