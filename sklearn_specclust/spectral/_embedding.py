"""Spectral embeddings of an affinity and their out-of-sample extension.

The core that every spectral clusterer uses, next to the
:class:`SpectralAnalysisLayer` (which fits many procedures at once):

* :func:`spectral_embedding`: the leading eigenvectors of the normalised
  affinity ``A = D^-1/2 W D^-1/2`` (the smallest of ``L_sym = I - A``), or
  those of the random walk ``D^-1 W`` (``L_rw``), through the solvers of
  :mod:`._solvers`, signs fixed;
* :func:`landmark_embedding`: the same for the landmark affinity
  ``W = Z D^-1 Z^T`` of Chen & Cai, from a ``p x p`` problem;
* :func:`nystrom_vectors` and :func:`nystrom_extension`: the Nystrom
  extension of Bengio et al. (2004) to new samples;
* :func:`row_normalize`: unit rows, as Ng, Jordan & Weiss.

See ``doc/design.rst`` ("The spectral core").
"""

import numpy as np
from scipy import linalg, sparse
from sklearn.cluster import KMeans

from ..utils._memory import available_memory, dense_bytes
from ._laplacian import degrees as _degrees
from ._laplacian import flip_signs, normalized_affinity
from ._solvers import solve_exact, solve_lanczos

#: With ``solver="auto"``, graphs up to this many nodes are solved densely.
DENSE_EIGH_MAX = 500
_TINY = np.finfo(np.float64).tiny


def check_degrees(W):
    """Degrees of ``W``; a ``ValueError`` names the nodes with none."""
    d = _degrees(W)
    isolated = np.flatnonzero(d <= _TINY)
    if isolated.size:
        raise ValueError(
            f"Samples {isolated[:10].tolist()} have zero affinity to every "
            "other sample (their Gaussian weights underflow). Remove these "
            "outliers or raise the local scale (scale_neighbor)."
        )
    return d


def spectral_embedding(affinity, n_components=8, *, laplacian="sym", solver="auto",
                       random_state=None, tol=0.0, copy=True):
    """Leading eigenvectors of a normalised affinity.

    Parameters
    ----------
    affinity : ndarray or sparse matrix of shape (n, n)
        Symmetric non-negative affinity ``W``; every node needs a positive
        degree.
    n_components : int, default=8
        Number of eigenvectors.
    laplacian : {"sym", "rw"}, default="sym"
        ``"sym"``: the eigenvectors ``u`` of ``A = D^-1/2 W D^-1/2`` (of
        ``L_sym``; Ng, Jordan & Weiss). ``"rw"``: those of ``D^-1 W`` (of
        ``L_rw``), ``D^-1/2 u``, as :func:`sklearn.manifold.spectral_embedding`
        returns them.
    solver : {"auto", "exact", "lanczos"}, default="auto"
        ``"exact"``: LAPACK on the dense matrix; ``"lanczos"``: ARPACK in
        float64; ``"auto"``: exact up to ``DENSE_EIGH_MAX`` nodes or when
        nearly every eigenvector is asked for (for a sparse graph, when its
        dense copy fits in memory), Lanczos beyond.
    random_state : int, RandomState instance or None, default=None
        Starting vector of Lanczos (a ``RandomState`` is drawn from).
    tol : float, default=0.0
        Lanczos tolerance (0: machine precision).
    copy : bool, default=True
        False scales a dense ``affinity`` in place (saves one ``n x n``
        array).

    Returns
    -------
    eigenvalues : ndarray of shape (n_components,)
        Eigenvalues ``mu`` of ``A`` (equally of ``D^-1 W``), descending; the
        Laplacian eigenvalues are ``1 - mu``.
    vectors : ndarray of shape (n, n_components)
        Eigenvectors as columns, the largest-magnitude entry of each
        positive.

    See Also
    --------
    SpectralAnalysisLayer : Many affinities and solvers at once, with
        approximations for large graphs.
    sklearn.manifold.spectral_embedding : The same without the eigenvalues.

    References
    ----------
    .. [1] A. Y. Ng, M. I. Jordan and Y. Weiss, "On Spectral Clustering:
       Analysis and an algorithm", NIPS 14, 2001.
    .. [2] U. von Luxburg, "A Tutorial on Spectral Clustering", Statistics
       and Computing 17(4), 2007.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.spectral import spectral_embedding
    >>> W = np.array([[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 0.1], [0, 0, 0.1, 0]])
    >>> mu, U = spectral_embedding(W, 2)
    >>> bool(np.isclose(mu[0], 1.0)), U.shape
    (True, (4, 2))
    """
    if laplacian not in ("sym", "rw"):
        raise ValueError(f"laplacian must be 'sym' or 'rw', got {laplacian!r}.")
    n = affinity.shape[0]
    k = int(n_components)
    if not 1 <= k <= n:
        raise ValueError(f"n_components={k} must be between 1 and n_nodes={n}.")
    d = check_degrees(affinity)
    A, _ = normalized_affinity(affinity, copy=copy)
    if solver == "auto":
        small = n <= DENSE_EIGH_MAX or k >= n - 1
        # a sparse graph is made dense only where that fits in memory
        fits = not sparse.issparse(A) or 2 * dense_bytes((n, n)) <= 0.8 * available_memory()
        solver = "exact" if small and (fits or n < k + 2) else "lanczos"
    if solver == "exact":
        mu, U = solve_exact(A, k)
    elif solver == "lanczos":
        mu, U = solve_lanczos(A, k, random_state, tol=tol, dtype=np.float64)
    else:
        raise ValueError(f"solver must be 'auto', 'exact' or 'lanczos', got {solver!r}.")
    if laplacian == "rw":
        U = flip_signs(U / np.sqrt(d)[:, None])
    return mu, U


def landmark_embedding(Z, n_components, *, deflate=True):
    """Left singular vectors of ``Z D^-1/2``, the landmark spectral embedding.

    With ``D`` the diagonal of the column sums of the landmark
    representation ``Z`` (:func:`~._graphs.landmark_graph`), the affinity
    ``W = Z D^-1 Z^T`` is never formed: the right singular vectors ``B`` of
    ``Z D^-1/2`` are the eigenvectors of the ``p x p`` matrix
    ``D^-1/2 Z^T Z D^-1/2``, solved densely (ARPACK can miss copies of the
    repeated eigenvalue 1 that well-separated clusters produce), and the
    embedding is ``Z D^-1/2 B Sigma^-1`` (Chen & Cai 2011).

    Parameters
    ----------
    Z : sparse matrix of shape (n, p)
        Landmark representation, rows summing to one.
    n_components : int
        Singular vectors.
    deflate : bool, default=True
        Project out the trivial singular vector (constant left vector,
        singular value 1) first, as NJW-style embeddings drop it. Deflation
        rather than dropping a column stays right when 1 is a repeated
        singular value (a disconnected landmark graph).

    Returns
    -------
    singular_values : ndarray of shape (n_components,)
        Descending.
    projection : ndarray of shape (p, n_components)
        ``D^-1/2 B Sigma^-1``: ``Z @ projection`` is the embedding, of the
        training samples and (with their own ``Z`` rows) of new ones.
    Z_hat : csr_matrix of shape (n, p)
        ``Z D^-1/2`` (``Z_hat Z_hat^T`` is the landmark affinity).
    """
    p = Z.shape[1]
    col_sum = np.asarray(Z.sum(axis=0)).ravel()
    inv_sqrt = np.zeros_like(col_sum)
    used = col_sum > 0  # landmarks that are no sample's neighbour: zero column
    inv_sqrt[used] = 1.0 / np.sqrt(col_sum[used])
    Z_hat = Z @ sparse.diags(inv_sqrt)
    gram = (Z_hat.T @ Z_hat).toarray()
    if deflate:
        # sqrt(col_sum) is an exact eigenvector of gram with eigenvalue 1
        trivial = np.sqrt(col_sum) / np.linalg.norm(np.sqrt(col_sum))
        gram -= np.outer(trivial, trivial)
    k = n_components
    eigvals, right = linalg.eigh(gram, subset_by_index=[p - k, p - 1], driver="evx")
    order = np.argsort(eigvals)[::-1]
    eigvals, right = np.maximum(eigvals[order], 0.0), right[:, order]
    right = flip_signs(right)
    singular = np.sqrt(eigvals)
    inv_singular = np.zeros_like(singular)
    nonzero = singular > singular.max() * 1e-10
    inv_singular[nonzero] = 1.0 / singular[nonzero]
    projection = (inv_sqrt[:, None] * right) * inv_singular[None, :]
    return singular, projection, Z_hat


def nystrom_vectors(vectors, degrees, eigenvalues, *, laplacian="sym", floor=1e-12):
    """What the Nystrom extension multiplies affinity rows by.

    ``u_k / (sqrt(d) mu_k)`` for ``L_sym`` vectors, ``psi_k / mu_k`` for
    ``L_rw`` ones; eigenvalues of magnitude up to ``floor`` are replaced by
    ``floor``. See :func:`nystrom_extension`.
    """
    mu = np.where(np.abs(eigenvalues) > floor, eigenvalues, floor)
    if laplacian == "rw":
        return vectors / mu
    return (vectors * (1.0 / np.sqrt(degrees))[:, None]) / mu


def nystrom_extension(weights, scaled_vectors, ind=None, *, laplacian="sym"):
    """Embed new samples from their affinities to the fitted ones (Nystrom).

    A sample ``x`` with affinities ``w_j`` to the fitted samples and degree
    ``d_x = sum_j w_j`` gets ``u_k(x) = sum_j w_j u_k(x_j) / (mu_k sqrt(d_x
    d_j))`` (``L_sym``) or ``psi_k(x) = sum_j w_j psi_k(x_j) / (mu_k d_x)``
    (``L_rw``): the fitted eigenvector entries of a fitted sample whose row
    equals its row of ``W`` (Bengio et al. 2004). The two differ by a factor
    per row, which row normalisation removes.

    Parameters
    ----------
    weights : ndarray of shape (n_queries, n_fitted) or (n_queries, k)
        Affinity rows: to every fitted sample, or to the ``k`` listed in
        ``ind``. A common factor per row cancels after row normalisation
        (see :func:`stable_exp`).
    scaled_vectors : ndarray of shape (n_fitted, n_components)
        :func:`nystrom_vectors` of the fit.
    ind : ndarray of shape (n_queries, k) or None
        Indices of the listed fitted samples of each query.
    laplacian : {"sym", "rw"}, default="sym"

    Returns
    -------
    embedding : ndarray of shape (n_queries, n_components)

    References
    ----------
    .. [1] Y. Bengio et al., "Out-of-Sample Extensions for LLE, Isomap, MDS,
       Eigenmaps, and Spectral Clustering", NIPS 16, 2004.
    """
    degree = np.maximum(weights.sum(axis=1), _TINY)
    if laplacian == "rw":
        a = weights / degree[:, None]
    else:
        a = weights / np.sqrt(degree)[:, None]
    if ind is None:
        return a @ scaled_vectors
    return np.einsum("ij,ijk->ik", a, scaled_vectors[ind])


def stable_exp(exponent):
    """``exp(-exponent)`` scaled per row so that the largest entry is 1.

    A common factor per row cancels in the row-normalised Nystrom embedding,
    so far-away samples do not underflow to an all-zero affinity row.
    """
    return np.exp(-(exponent - exponent.min(axis=1, keepdims=True)))


def kmeans_on_embedding(embedding, n_clusters, n_init, random_state):
    """k-means on the rows of a spectral embedding (the last step of NJW).

    Returns
    -------
    centers : ndarray of shape (n_clusters, n_components)
    labels : ndarray of shape (n_samples,), dtype int64
    """
    km = KMeans(n_clusters=n_clusters, n_init=n_init, random_state=random_state)
    labels = km.fit_predict(embedding)
    return km.cluster_centers_, labels.astype(np.int64, copy=False)


def row_normalize(vectors):
    """Rows scaled to unit Euclidean length (zero rows stay zero), as NJW."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, _TINY)
