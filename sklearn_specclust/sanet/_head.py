"""SpectralHead: spectral clustering of whole images, candidate partitions joined by consensus."""

from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.base import _fit_context, clone
from sklearn.metrics import normalized_mutual_info_score
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from ..cluster._base import BaseSpectralClustering
from ..cluster._consensus import (
    candidate_components,
    consensus_kmeans,
    kmeans_each,
    kmeans_single,
)
from ..metrics import select_n_clusters
from ..spectral import SpectralAnalysisLayer, landmark_embedding
from ..utils import reproducible_threads
from ..utils._fitted import completes_fit


def cluster_incidence(labels, n_clusters):
    """Sample-by-cluster incidence of several partitions, rows summing to one.

    Parameters
    ----------
    labels : list of ndarray of shape (n_samples,)
        Partitions with labels in ``range(n_clusters)``.
    n_clusters : int
        Clusters of every partition.

    Returns
    -------
    Z : csr_matrix of shape (n_samples, len(labels) * n_clusters)
        ``1 / len(labels)`` where a sample belongs to a cluster (column
        ``j * n_clusters + label`` for partition ``j``).
    """
    r = len(labels)
    n = len(labels[0])
    cols = np.stack([lab + j * n_clusters for j, lab in enumerate(labels)], axis=1)
    return sparse.csr_matrix(
        (np.full(n * r, 1.0 / r), cols.ravel(), np.arange(0, n * r + 1, r)),
        shape=(n, r * n_clusters),
    )


def hbgf_consensus(labels, n_clusters, *, n_init, random_state):
    """Consensus partition of the hybrid bipartite graph of several partitions.

    Samples and the clusters of every partition are the nodes of a
    bipartite graph, each sample joined to the clusters it belongs to (the
    HBGF of Fern & Brodley); its spectral embedding is the landmark
    embedding of the incidence (:func:`~sklearn_specclust.spectral.landmark_embedding`,
    a problem of the size of the clusters, linear in the samples). The
    ``n_clusters`` leading non-trivial vectors, rows scaled to unit length,
    are clustered by k-means.

    Parameters
    ----------
    labels : list of ndarray of shape (n_samples,)
        The partitions, labels in ``range(n_clusters)``.
    n_clusters : int
        Clusters of the partitions and of the consensus.
    n_init : int
        k-means restarts.
    random_state : int, RandomState instance or None
        Seeds k-means.

    Returns
    -------
    projection : ndarray of shape (len(labels) * n_clusters, n_components)
        ``cluster_incidence(labels) @ projection`` is the embedding, of the
        samples and (with the clusters new samples are given) of new ones.
    kmeans : KMeans
        k-means on the row-normalised embedding.

    References
    ----------
    .. [1] X. Z. Fern and C. E. Brodley, "Solving cluster ensemble problems
       by bipartite graph partitioning", ICML 2004.
    """
    Z = cluster_incidence(labels, n_clusters)
    n_components = min(n_clusters, Z.shape[1] - 1)
    with reproducible_threads():
        _, projection, _ = landmark_embedding(Z, max(n_components, 1))
    kmeans = kmeans_single(normalize(Z @ projection), n_clusters, n_init, random_state)
    return projection, kmeans


class SpectralHead(BaseSpectralClustering):
    """Spectral clustering of whole images, with out-of-sample ``predict``.

    Every sample (an image's SA-Net features) is a node of a kNN graph; its
    smallest normalised-Laplacian eigenvectors, each row scaled to unit
    length (Ng, Jordan & Weiss), are clustered by k-means. New samples are
    embedded by the Nystrom extension of
    :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer` and assigned
    to the nearest centre.

    More eigenvectors than clusters often separate clusters better, but how
    many depends on the data, and k-means on a few more or fewer
    eigenvectors can merge or split different clusters.
    ``n_components="auto"`` therefore clusters several numbers of
    eigenvectors and joins the partitions by consensus, so the choice needs
    no labels. With ``consensus="best"`` the candidates are ``n_clusters``
    times each of ``AUTO_FACTORS`` and the partition that agrees best with
    the others is kept (the largest mean normalised mutual information: the
    "best-of-k" consensus of Strehl & Ghosh). With ``consensus="hbgf"``
    every number from ``n_clusters`` to ``2 * n_clusters`` is clustered, and
    so are the samples themselves (k-means on ``X``); the consensus is the
    spectral partition of the hybrid bipartite graph of samples and
    candidate clusters (Fern & Brodley), whose out-of-sample extension gives
    a new sample the clusters each candidate assigns it. Neither is better
    on every data set measured (:ref:`bench-sanet_head_consensus`).

    Parameters
    ----------
    n_clusters : int or "auto", default=8
        Number of clusters. ``"auto"`` chooses it between 2 and
        ``max_n_clusters`` with
        :func:`~sklearn_specclust.metrics.select_n_clusters`: each candidate
        partition is scored by its stability between heads fitted on two
        random halves of the samples, times its modularity on a fixed kNN
        graph of the samples (three head fits per candidate).
    max_n_clusters : int, default=20
        Largest number of clusters ``n_clusters="auto"`` tries.
    n_neighbors : int, default=10
        Neighbours of the kNN graph (at most ``n_samples - 1``).
    n_components : int or "auto", default="auto"
        Eigenvectors clustered; ``"auto"`` joins several numbers of them by
        ``consensus``.
    consensus : {"best", "hbgf"}, default="best"
        How ``n_components="auto"`` joins its candidate partitions:
        ``"best"``, the candidate (``n_clusters`` times each of
        ``AUTO_FACTORS = (1, 1.25, 1.5, 1.75, 2)`` eigenvectors) with the
        largest mean normalised mutual information with the others;
        ``"hbgf"``, the consensus partition of the hybrid bipartite graph of
        the partitions of ``n_clusters`` up to ``2 * n_clusters``
        eigenvectors and of k-means on ``X``.
    n_init : int, default=10
        k-means restarts per candidate.
    random_state : int, RandomState instance or None, default=None
        Seeds the eigensolver and k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of every training sample.
    n_clusters_ : int
        Number of clusters used (``n_clusters``, or the one chosen).
    n_clusters_scores_ : dict
        With ``n_clusters="auto"``, the score of every candidate number of
        clusters (empty otherwise).
    n_components_ : int
        Eigenvectors used (with ``consensus="hbgf"``, by the candidate with
        the most).
    consensus_scores_ : dict
        For each candidate number of eigenvectors, the normalised mutual
        information of its partition with the consensus partition
        (``"hbgf"``) or its mean with the other candidates' (``"best"``);
        empty when ``n_components`` is an int.
    embedding_ : SpectralAnalysisLayer
        The fitted kNN spectral embedding (``n_components_`` columns used).
    candidates_ : dict
        With ``consensus="hbgf"``, the k-means of each candidate number of
        eigenvectors (on their row-normalised columns), and under the key
        ``"samples"`` the k-means on ``X`` (empty otherwise).
    consensus_projection_ : ndarray of shape (n_candidates * n_clusters_, n_clusters_)
        With ``consensus="hbgf"``, what the incidence of a sample's
        candidate clusters is multiplied by to embed it (``None``
        otherwise).
    kmeans_ : KMeans
        k-means on the chosen, row-normalised eigenvectors, or with
        ``consensus="hbgf"`` on the row-normalised consensus embedding.
    cluster_centers_ : ndarray of shape (n_clusters_, n_embedding)
        Its centres.
    n_features_in_ : int
        Features seen in ``fit``.

    See Also
    --------
    make_sanet : uses this head with ``head="spectral"``.
    sklearn.cluster.SpectralClustering : the same idea without ``predict``.

    References
    ----------
    .. [1] A. Y. Ng, M. I. Jordan and Y. Weiss, "On spectral clustering:
       analysis and an algorithm", NIPS 2001.
    .. [2] A. Strehl and J. Ghosh, "Cluster ensembles -- a knowledge reuse
       framework for combining multiple partitions", JMLR 3, 2002.
    .. [3] Y. Bengio et al., "Out-of-sample extensions for LLE, Isomap, MDS,
       Eigenmaps, and spectral clustering", NIPS 2004.
    .. [4] X. Z. Fern and C. E. Brodley, "Solving cluster ensemble problems
       by bipartite graph partitioning", ICML 2004.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn_specclust.sanet import SpectralHead
    >>> X, _ = make_blobs(150, centers=3, random_state=0)
    >>> head = SpectralHead(3, random_state=0).fit(X)
    >>> head.labels_.shape, head.predict(X[:5]).shape
    ((150,), (5,))
    """

    _parameter_constraints = {
        **BaseSpectralClustering._parameter_constraints,
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_components": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "consensus": [StrOptions({"best", "hbgf"})],
    }

    def __init__(self, n_clusters=8, *, max_n_clusters=20, n_neighbors=10,
                 n_components="auto", consensus="best", n_init=10, random_state=None):
        self.n_clusters = n_clusters
        self.max_n_clusters = max_n_clusters
        self.n_neighbors = n_neighbors
        self.n_components = n_components
        self.consensus = consensus
        self.n_init = n_init
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y=None):
        """Embed the samples, choose the eigenvectors and cluster them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples (e.g. flattened SA-Net features).
        y : None
            Ignored.

        Returns
        -------
        self : SpectralHead
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32], ensure_min_samples=2)
        n = X.shape[0]
        self._check_n_clusters(n)
        n_clusters, self.n_clusters_scores_ = self._n_clusters(X)
        self.n_clusters_ = n_clusters
        k = min(self.n_neighbors, n - 1)
        self._hbgf = self.n_components == "auto" and self.consensus == "hbgf"
        ms = candidate_components(n_clusters, self.n_components, n, self.consensus)
        self.embedding_ = SpectralAnalysisLayer(
            n_neighbors=(k,), eps_scales=(), gaussian_scales=(), n_components=max(ms),
            max_nodes=None, random_state=self.random_state,
        )
        U = self.embedding_.fit_transform(X)
        self.candidates_, self.consensus_projection_ = {}, None
        if self._hbgf:
            self._fit_hbgf(X, U, ms, n_clusters)
        else:
            self.n_components_, self.kmeans_, self.consensus_scores_ = consensus_kmeans(
                U, ms, n_clusters, n_init=self.n_init, random_state=self.random_state
            )
        self.cluster_centers_ = self.kmeans_.cluster_centers_
        self.labels_ = self.kmeans_.labels_
        return self

    def _fit_hbgf(self, X, U, ms, n_clusters):
        """Candidates on ``ms`` eigenvectors and on ``X``, joined by :func:`hbgf_consensus`."""
        fits = kmeans_each([normalize(U[:, :m]) for m in ms] + [X], n_clusters,
                           self.n_init, self.random_state)
        self.candidates_.update(zip(list(ms) + ["samples"], fits))
        labels = [km.labels_ for km in self.candidates_.values()]
        self.consensus_projection_, self.kmeans_ = hbgf_consensus(
            labels, n_clusters, n_init=self.n_init, random_state=self.random_state
        )
        self.n_components_ = max(ms)
        self.consensus_scores_ = {
            m: float(normalized_mutual_info_score(self.candidates_[m].labels_,
                                                  self.kmeans_.labels_))
            for m in ms
        } if len(ms) > 1 else {}

    def _n_clusters(self, X):
        """``n_clusters``, or the number ``"auto"`` chooses, and the scores."""
        if self.n_clusters != "auto":
            return self.n_clusters, {}
        n = X.shape[0]
        # each half must hold more samples than the largest candidate
        largest = min(self.max_n_clusters, n // 2 - 1)
        if largest < 2:
            raise ValueError(
                f"n_clusters='auto' fits heads on two halves of the {n} samples, and "
                "each half needs at least 3; pass more samples or give n_clusters."
            )

        def cluster(k, fit_on):
            head = clone(self).set_params(n_clusters=k)
            if fit_on is None:
                return head.fit(X).labels_
            return head.fit(X[fit_on]).predict(X)

        candidates = range(2, largest + 1)
        best, scores, _ = select_n_clusters(
            X, candidates, cluster=cluster, random_state=self.random_state
        )
        return int(best), {k: float(v) for k, v in zip(candidates, scores)}

    def _extend(self, X):
        U = self.embedding_.transform(X)[:, : self.n_components_]
        if not self._hbgf:
            return U
        labels = []
        for m, km in self.candidates_.items():
            Y = X if m == "samples" else normalize(U[:, :m])
            with reproducible_threads():
                labels.append(km.predict(Y.astype(km.cluster_centers_.dtype)))
        return cluster_incidence(labels, self.n_clusters_) @ self.consensus_projection_

    def _normalize(self, embedding):
        return normalize(embedding)

    def _assign(self, embedding):
        # k-means' own distances, on one thread: the labels do not depend on
        # the machine
        with reproducible_threads():
            return self.kmeans_.predict(embedding.astype(self.cluster_centers_.dtype))
