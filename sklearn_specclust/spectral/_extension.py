"""Out-of-sample extension of spectral embeddings (Bengio et al. 2004).

A fitted procedure keeps its reference nodes ``x_j``, their degrees ``d_j``
and the top eigenpairs ``(mu_k, u_k)`` of ``A = D^-1/2 W D^-1/2``. A point
``x`` (new, or one of the fitted nodes) with affinities ``w(x, x_j)`` to the
reference nodes and degree ``d(x) = sum_j w(x, x_j)`` is embedded by the
Nystrom formula

    f_k(x) = 1 / mu_k * sum_j w(x, x_j) / sqrt(d(x) d_j) * u_k[j],

which returns ``u_k[i]`` exactly when ``x`` is the fitted node ``x_i`` and its
affinity row equals row ``i`` of ``W``. The layer outputs this formula for
every input, training or new, so ``fit_transform(X)`` equals
``fit(X).transform(X)``.
"""

import numpy as np

# Eigenvalues of A below this are clipped in the 1/mu factor of the extension.
MU_FLOOR = 1e-2


def extension_basis(degrees_ref, mu, U):
    """``U / sqrt(d) / max(mu, MU_FLOOR)``: the matrix the affinity rows multiply.

    It depends only on the fitted procedure, so a caller embedding many
    blocks of queries computes it once and passes it to :func:`extend`.
    """
    V = U / np.sqrt(degrees_ref)[:, None]
    V /= np.maximum(mu, MU_FLOOR)[None, :]
    return V


def extend(Wq, degrees_ref, mu, U, *, laplacian, mean_degree, basis=None):
    """Embed query rows with the Nystrom extension.

    Parameters
    ----------
    Wq : ndarray or sparse matrix of shape (n_queries, n_ref)
        Affinities of the queries to the reference nodes; every row has a
        positive sum.
    degrees_ref : ndarray of shape (n_ref,)
        Degrees of the reference nodes in the fitted graph.
    mu : ndarray of shape (k,)
        Eigenvalues of the normalised affinity, descending.
    U : ndarray of shape (n_ref, k)
        Orthonormal eigenvectors.
    laplacian : {"sym", "rw"}
        Return ``L_sym`` eigenvector coordinates or ``L_rw`` ones
        (``D^-1/2`` times the former).
    mean_degree : float
        Mean reference degree, used to scale ``L_rw`` coordinates.
    basis : ndarray of shape (n_ref, k), default=None
        ``extension_basis(degrees_ref, mu, U)``, when the caller has it.

    Returns
    -------
    F : ndarray of shape (n_queries, k), float32
        Coordinates scaled by ``sqrt(n_ref)`` so that the fitted nodes have
        unit mean square per ``L_sym`` coordinate (and the first ``L_rw``
        coordinate of a connected graph is exactly 1).
    """
    n_ref = U.shape[0]
    dq = np.asarray(Wq.sum(axis=1), dtype=np.float64).ravel()
    V = extension_basis(degrees_ref, mu, U) if basis is None else basis
    F = np.asarray(Wq @ V, dtype=np.float64)
    if laplacian == "sym":
        F *= (np.sqrt(n_ref) / np.sqrt(dq))[:, None]
    else:
        F *= (np.sqrt(n_ref * mean_degree) / dq)[:, None]
    return F.astype(np.float32, copy=False)
