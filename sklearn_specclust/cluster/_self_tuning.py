"""Self-tuning spectral clustering (SC-ST, Zelnik-Manor & Perona 2004)."""

from numbers import Integral

import numpy as np
from scipy import linalg, sparse
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import eigsh
from sklearn.base import _fit_context
from sklearn.metrics import euclidean_distances
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Hidden, Interval, StrOptions
from sklearn.utils.validation import validate_data

from ..utils import check_memory, dense_bytes, renamed_parameter
from ..utils._fitted import completes_fit
from ._base import BaseSpectralClustering
from ._common import (
    check_n_clusters,
    cluster_leading_vectors,
    deterministic_sign,
    n_vectors_needed,
)

# Below this many nodes the eigenproblem is solved densely with LAPACK.
_DENSE_EIGH_MAX = 500
# Bytes of one block of query-to-training affinities in ``predict``.
_PREDICT_BLOCK_BYTES = 64 * 2**20


def _local_scales(sorted_neighbor_dist, k):
    """sigma_i = distance to the K-th neighbour; zero scales get the smallest positive."""
    sigma = np.asarray(sorted_neighbor_dist[:, k - 1], dtype=np.float64)
    positive = sigma > 0
    if not positive.any():
        raise ValueError(
            "Every sample has at least k exact duplicates, so every "
            "local scale is zero. Remove the duplicates or raise k."
        )
    if not positive.all():
        sigma = np.where(positive, sigma, sigma[positive].min())
    return sigma


class SelfTuningSpectralClustering(BaseSpectralClustering):
    """Self-tuning spectral clustering (SC-ST) with local scaling.

    Each sample gets its own scale ``sigma_i``, the distance to its
    ``scale_neighbor``-th nearest neighbour, and the affinity of two samples is
    ``exp(-d(x_i, x_j)^2 / (sigma_i sigma_j))`` (Zelnik-Manor & Perona). The
    affinity is normalised as in Ng, Jordan & Weiss (``D^-1/2 A D^-1/2``), its
    ``n_clusters`` leading eigenvectors are stacked, each row is scaled to unit
    length, and k-means on those rows gives the labels.

    Parameters
    ----------
    n_clusters : int or "auto", default=8
        Number of clusters (and of eigenvectors). ``"auto"`` computes
        ``max_n_clusters`` eigenvectors, clusters the ``k`` leading ones for
        every ``k`` from 2 to ``max_n_clusters``, and keeps the ``k`` that
        :func:`~sklearn_specclust.metrics.select_n_clusters` scores best:
        the stability of the ``k``-partition between two clones fitted on
        random halves of ``X`` (each embeds all samples by its Nystrom
        extension; two fits on half the data in all) times its modularity on
        the kNN graph of ``X``. ``n_clusters_`` and ``n_clusters_scores_``
        say which and why. The paper's choice of the number of groups by
        eigenvector rotation is not implemented.
    scale_neighbor : int, default=7
        ``K`` of the paper: the local scale of a sample is the distance to its
        ``K``-th nearest neighbour. Must be smaller than ``n_samples``. (The
        graph's degree with ``affinity="knn"`` is ``graph_neighbors``.)
    affinity : {"dense", "knn"}, default="dense"
        ``"dense"`` builds the fully connected ``n_samples x n_samples``
        affinity of the paper; its memory is planned first and a matrix that
        will not fit is refused with a ``MemoryError`` that names
        :class:`LandmarkSpectralClustering`. ``"knn"`` keeps only each
        sample's ``graph_neighbors`` nearest neighbours (symmetrised), a sparse
        graph solved with ARPACK.
    graph_neighbors : int, default=15
        Neighbours per sample of the sparse graph when ``affinity="knn"``;
        ignored otherwise.
    n_init : int, default=10
        Number of k-means initialisations on the embedding.
    max_n_clusters : int, default=20
        Largest number of clusters tried by ``n_clusters="auto"`` (capped at
        ``n_samples - 1``); ignored otherwise.
    random_state : int, RandomState instance or None, default=None
        Seeds the eigensolver's starting vector and k-means.
    n_neighbors : "deprecated"
        The former name of ``scale_neighbor``; a value given here is used with
        a ``FutureWarning``. Removed in 0.3.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each training sample.
    n_clusters_ : int
        Number of clusters used (``n_clusters``, or the one chosen by
        ``"auto"``).
    n_clusters_candidates_ : ndarray of shape (n_candidates,)
        Numbers of clusters tried by ``n_clusters="auto"`` (only then).
    n_clusters_scores_ : ndarray of shape (n_candidates,)
        Their label-free scores (greater is better; only with ``"auto"``).
    embedding_ : ndarray of shape (n_samples, n_clusters_)
        Leading eigenvectors of the normalised affinity (before row
        normalisation), in descending eigenvalue order.
    eigenvalues_ : ndarray of shape (n_clusters_,)
        Matching eigenvalues of ``D^-1/2 A D^-1/2``, descending.
    local_scale_ : ndarray of shape (n_samples,)
        ``sigma_i`` of each training sample.
    cluster_centers_ : ndarray of shape (n_clusters_, n_clusters_)
        k-means centres in the row-normalised embedding.
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    LandmarkSpectralClustering : Linear-time landmark approximation (SC-LS).
    sklearn.cluster.SpectralClustering : Spectral clustering with one global scale.

    Notes
    -----
    ``predict`` embeds new samples with the Nystrom extension of the fitted
    eigenvectors (Bengio et al. 2004): a new sample ``x`` gets the local scale
    ``sigma_x`` (distance to its ``K``-th nearest training sample), its
    affinities ``a_j`` to the training samples (all of them, or its
    ``graph_neighbors`` nearest for ``affinity="knn"``), and the coordinates
    ``u_k(x) = sum_j a_j u_k(x_j) / (lambda_k sqrt(d_x d_j))``; the row is
    normalised and the nearest k-means centre is its label. Training samples
    passed to ``predict`` are treated as new ones (their own zero distance
    counts), so a few borderline samples may get another label than
    ``labels_``.

    Samples with ``scale_neighbor`` or more exact duplicates would have a zero
    local scale; they get the smallest positive scale of the data instead.
    The dense affinity is always connected; a ``"knn"`` graph with more
    connected components than ``n_clusters`` is refused.

    On high-dimensional data the fully connected affinity is dominated by the
    many far samples (their distances are only a little larger than
    ``sigma_i``): on the 10,000 MNIST test images (raw pixels) the dense
    affinity reached ACC 0.40 and ``affinity="knn"`` 0.63
    (``benchmarks/bench_baselines.py``).

    References
    ----------
    .. [1] L. Zelnik-Manor and P. Perona, "Self-Tuning Spectral Clustering",
       Advances in Neural Information Processing Systems 17, 2004.
    .. [2] A. Y. Ng, M. I. Jordan and Y. Weiss, "On Spectral Clustering:
       Analysis and an algorithm", NIPS 14, 2001.
    .. [3] Y. Bengio et al., "Out-of-Sample Extensions for LLE, Isomap, MDS,
       Eigenmaps, and Spectral Clustering", NIPS 16, 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import make_circles
    >>> from sklearn.metrics import adjusted_rand_score
    >>> from sklearn_specclust.cluster import SelfTuningSpectralClustering
    >>> X, y = make_circles(n_samples=300, factor=0.4, noise=0.03, random_state=0)
    >>> sc = SelfTuningSpectralClustering(n_clusters=2, random_state=0).fit(X)
    >>> round(adjusted_rand_score(y, sc.labels_), 2)
    1.0
    >>> inner, outer = sc.predict([[0.0, 0.4], [0.0, -1.0]])
    >>> bool(inner != outer)
    True
    """

    _parameter_constraints: dict = {
        **BaseSpectralClustering._parameter_constraints,
        "scale_neighbor": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left"),
                        Hidden(StrOptions({"deprecated"}))],
        "affinity": [StrOptions({"dense", "knn"})],
        "graph_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        scale_neighbor=7,
        affinity="dense",
        graph_neighbors=15,
        n_init=10,
        max_n_clusters=20,
        random_state=None,
        n_neighbors="deprecated",
    ):
        self.n_clusters = n_clusters
        self.scale_neighbor = scale_neighbor
        self.n_neighbors = n_neighbors
        self.affinity = affinity
        self.graph_neighbors = graph_neighbors
        self.n_init = n_init
        self.max_n_clusters = max_n_clusters
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y=None):
        """Cluster the samples of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : SelfTuningSpectralClustering
            Fitted estimator.
        """
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], ensure_min_samples=2
        )
        X = np.asarray(X, dtype=np.float64)
        n = X.shape[0]
        self._scale_neighbor = renamed_parameter(self, "n_neighbors", "scale_neighbor")
        self._check_sizes(n)
        rng = check_random_state(self.random_state)
        affinity, sigma = self._affinity(X)

        degree = np.asarray(affinity.sum(axis=1)).ravel()
        isolated = np.flatnonzero(degree <= np.finfo(np.float64).tiny)
        if isolated.size:
            raise ValueError(
                f"Samples {isolated[:10].tolist()} have zero affinity to every "
                "other sample (their Gaussian weights underflow). Remove these "
                "outliers or raise scale_neighbor."
            )
        inv_sqrt = 1.0 / np.sqrt(degree)
        if sparse.issparse(affinity):
            normalized = sparse.diags(inv_sqrt) @ affinity @ sparse.diags(inv_sqrt)
        else:
            affinity *= inv_sqrt[:, None]
            affinity *= inv_sqrt[None, :]
            normalized = affinity

        eigenvalues, vectors = self._top_eigenvectors(
            normalized, n_vectors_needed(self, n), rng
        )
        vectors = deterministic_sign(vectors)
        k, self.cluster_centers_, self.labels_ = cluster_leading_vectors(
            self, X, vectors, _row_normalize, rng.randint(np.iinfo(np.int32).max)
        )

        self.n_clusters_ = k
        self.local_scale_ = sigma
        self.eigenvalues_ = eigenvalues[:k]
        self.embedding_ = vectors[:, :k]
        self._fit_X = X
        self._inv_sqrt_degree = inv_sqrt
        self._k_graph = min(self.graph_neighbors, n - 1)
        return self

    def _check_sizes(self, n):
        """Refuse neighbour and cluster counts the ``n`` samples cannot serve."""
        check_n_clusters(self.n_clusters, n, self)
        if self._scale_neighbor >= n:
            raise ValueError(
                f"scale_neighbor={self._scale_neighbor} must be smaller than "
                f"n_samples={n}: the local scale of a sample is the distance to "
                "its scale_neighbor-th nearest neighbour. Lower scale_neighbor or pass "
                "more samples."
            )
        if self.n_clusters == "auto" and self._scale_neighbor >= n // 2:
            raise ValueError(
                f"n_clusters='auto' fits clones on two halves of the {n} samples, "
                f"and each half needs more than scale_neighbor={self._scale_neighbor} "
                "samples. Lower scale_neighbor, pass more samples or give n_clusters."
            )

    def _affinity(self, X):
        """The self-tuning affinity (dense or kNN) and the local scales."""
        n = X.shape[0]
        if self.affinity == "dense":
            check_memory(
                2 * dense_bytes((n, n)),
                what=f"A dense {n} x {n} self-tuning affinity",
                advice=(
                    "Use LandmarkSpectralClustering (SC-LS, Chen & Cai 2011), "
                    "which is linear in n_samples, or "
                    "SelfTuningSpectralClustering(affinity='knn') for a sparse "
                    "nearest-neighbour graph."
                ),
            )
            affinity = euclidean_distances(X, squared=True)
            np.maximum(affinity, 0.0, out=affinity)
            sorted_d = np.sqrt(
                np.partition(affinity, self._scale_neighbor, axis=1)[
                    :, : self._scale_neighbor + 1
                ]
            )
            sorted_d.sort(axis=1)
            # Column 0 is the sample itself (distance 0).
            sigma = _local_scales(sorted_d[:, 1:], self._scale_neighbor)
            affinity /= -np.outer(sigma, sigma)
            np.exp(affinity, out=affinity)
            np.fill_diagonal(affinity, 0.0)
        else:
            k_graph = min(max(self.graph_neighbors, self._scale_neighbor), n - 1)
            nn = NearestNeighbors(n_neighbors=k_graph).fit(X)
            dist, ind = nn.kneighbors()  # excludes each sample itself
            sigma = _local_scales(dist, self._scale_neighbor)
            k_edges = min(self.graph_neighbors, n - 1)
            dist, ind = dist[:, :k_edges], ind[:, :k_edges]
            weights = np.exp(-(dist**2) / (sigma[:, None] * sigma[ind]))
            rows = np.repeat(np.arange(n), k_edges)
            affinity = sparse.csr_matrix(
                (weights.ravel(), (rows, ind.ravel())), shape=(n, n)
            )
            affinity = affinity.maximum(affinity.T).tocsr()
            n_comp, _ = connected_components(affinity, directed=False)
            if n_comp > n_vectors_needed(self, n):
                raise ValueError(
                    f"The {k_edges}-nearest-neighbour graph has {n_comp} "
                    f"connected components, more than the {n_vectors_needed(self, n)} "
                    "clusters asked for; spectral clustering cannot merge them. "
                    "Increase graph_neighbors, use affinity='dense', or ask for "
                    "more clusters."
                )
        return affinity, sigma

    @staticmethod
    def _top_eigenvectors(matrix, k, rng):
        """``k`` largest eigenpairs of a symmetric matrix, descending."""
        n = matrix.shape[0]
        if n <= _DENSE_EIGH_MAX or k >= n - 1:
            dense = matrix.toarray() if sparse.issparse(matrix) else matrix
            values, vectors = linalg.eigh(dense, subset_by_index=[n - k, n - 1])
        else:
            v0 = rng.uniform(-1, 1, n)
            values, vectors = eigsh(
                matrix, k=k, which="LA", v0=v0, ncv=min(n, max(2 * k + 1, 20))
            )
        order = np.argsort(values)[::-1]
        return values[order], vectors[:, order]

    def _normalize(self, embedding):
        return _row_normalize(embedding)

    def _extend(self, X):
        X = np.asarray(X, dtype=np.float64)
        train = self._fit_X
        n_train = train.shape[0]
        scaled_vectors = (self.embedding_ * self._inv_sqrt_degree[:, None]) / (
            np.where(np.abs(self.eigenvalues_) > 1e-12, self.eigenvalues_, 1e-12)
        )
        out = np.empty((X.shape[0], self.embedding_.shape[1]))
        if self.affinity == "dense":
            rows = max(1, _PREDICT_BLOCK_BYTES // (8 * n_train))
            for block in gen_batches(X.shape[0], rows):
                d2 = euclidean_distances(X[block], train, squared=True)
                np.maximum(d2, 0.0, out=d2)
                kth = np.sqrt(
                    np.partition(d2, self._scale_neighbor - 1, axis=1)[
                        :, self._scale_neighbor - 1
                    ]
                )
                sigma = np.where(kth > 0, kth, self.local_scale_.min())
                a = _stable_exp(d2 / np.outer(sigma, self.local_scale_))
                out[block] = self._combine(a, a.sum(axis=1), scaled_vectors, None)
        else:
            k = max(self._k_graph, self._scale_neighbor)
            nn = NearestNeighbors(n_neighbors=k).fit(train)
            dist, ind = nn.kneighbors(X)
            kth = dist[:, self._scale_neighbor - 1]
            sigma = np.where(kth > 0, kth, self.local_scale_.min())
            dist, ind = dist[:, : self._k_graph], ind[:, : self._k_graph]
            a = _stable_exp(dist**2 / (sigma[:, None] * self.local_scale_[ind]))
            out[:] = self._combine(a, a.sum(axis=1), scaled_vectors, ind)
        return out

    @staticmethod
    def _combine(a, degree, scaled_vectors, ind):
        degree = np.maximum(degree, np.finfo(np.float64).tiny)
        a = a / np.sqrt(degree)[:, None]
        if ind is None:
            return a @ scaled_vectors
        return np.einsum("ij,ijk->ik", a, scaled_vectors[ind])


def _stable_exp(exponent):
    """``exp(-exponent)`` scaled per row so that the largest entry is 1.

    A common factor per row cancels in the row-normalised Nystrom embedding,
    so far-away samples do not underflow to an all-zero affinity row.
    """
    return np.exp(-(exponent - exponent.min(axis=1, keepdims=True)))


def _row_normalize(vectors):
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.finfo(np.float64).tiny)
