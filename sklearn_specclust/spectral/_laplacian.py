"""Normalised Laplacians.

Both normalised Laplacians share one eigenproblem. With the degree matrix
``D`` and the normalised affinity ``A = D^-1/2 W D^-1/2``:

* ``L_sym = I - A`` has the eigenvectors ``u`` of ``A``, eigenvalues
  ``lambda = 1 - mu``;
* ``L_rw = I - D^-1 W`` has the same eigenvalues and the eigenvectors
  ``D^-1/2 u``.

The smallest Laplacian eigenvalues are therefore the largest eigenvalues
``mu`` of ``A``, which is what the solvers compute (no shift-invert
factorisation is needed).
"""

import numpy as np
from scipy import sparse

LAPLACIANS = ("sym", "rw")


def degrees(W):
    """Row sums of an affinity matrix (dense or sparse) as a float64 vector."""
    return np.asarray(W.sum(axis=1), dtype=np.float64).ravel()


def normalized_affinity(W, *, copy=True):
    """Return ``(A, d)`` with ``A = D^-1/2 W D^-1/2`` and the degrees ``d``.

    The degrees must be positive (the layer's graphs carry self-loops; the
    clusterers check, see :func:`~._embedding.check_degrees`). ``copy=False``
    scales a dense ``W`` in place.
    """
    d = degrees(W)
    s = 1.0 / np.sqrt(d)
    if sparse.issparse(W):
        S = sparse.diags(s)
        A = (S @ W @ S).tocsr()
    else:
        A = W * s[:, None] if copy else np.multiply(W, s[:, None], out=W)
        A *= s[None, :]
    return A, d


def laplacian(W, kind="sym"):
    """The normalised graph Laplacian ``L_sym`` or ``L_rw`` of ``W`` (for tests).

    Parameters
    ----------
    W : ndarray or sparse matrix of shape (n, n)
        Symmetric non-negative affinity with positive degrees.
    kind : {"sym", "rw"}
        Which Laplacian.

    Returns
    -------
    L : ndarray of shape (n, n)
    """
    W = W.toarray() if sparse.issparse(W) else np.asarray(W, dtype=np.float64)
    d = W.sum(axis=1)
    if kind == "sym":
        s = 1.0 / np.sqrt(d)
        return np.eye(len(d)) - s[:, None] * W * s[None, :]
    if kind == "rw":
        return np.eye(len(d)) - W / d[:, None]
    raise ValueError(f"laplacian must be one of {LAPLACIANS}, got {kind!r}.")


def flip_signs(U):
    """Make the largest-magnitude entry of every column positive (in place).

    Eigenvectors are defined up to sign; fixing it makes embeddings the same
    from run to run (k-means on their rows does not depend on it).
    """
    rows = np.argmax(np.abs(U), axis=0)
    signs = np.sign(U[rows, np.arange(U.shape[1])])
    signs[signs == 0] = 1.0
    U *= signs
    return U
