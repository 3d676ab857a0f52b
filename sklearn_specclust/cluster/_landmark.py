"""Landmark-based spectral clustering (SC-LS, Chen & Cai 2011)."""

from numbers import Integral, Real

import numpy as np
from scipy.sparse.linalg import aslinearoperator
from sklearn.base import _fit_context
from sklearn.cluster import KMeans
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import validate_data

from ..spectral._embedding import landmark_embedding, row_normalize
from ..spectral._graphs import landmark_graph
from ..utils import check_memory, dense_bytes
from ..utils._fitted import completes_fit
from ._base import BaseSpectralClustering
from ._common import cluster_leading_vectors, n_vectors_needed


class LandmarkSpectralClustering(BaseSpectralClustering):
    """Landmark-based spectral clustering (SC-LS, LSC of Chen & Cai).

    ``n_landmarks`` representative points are chosen (k-means centres or a
    random sample). Each sample is written as a sparse combination ``z`` of its
    ``n_neighbors`` nearest landmarks, with Gaussian kernel weights normalised
    to sum to one. With ``D`` the diagonal of the column sums of ``Z``, the
    affinity ``W = Z D^-1 Z^T`` is never formed: the leading left singular
    vectors of ``Z D^-1/2`` are obtained from the small ``p x p`` matrix
    ``D^-1/2 Z^T Z D^-1/2``, and k-means on their rows gives the labels. Time
    and memory are linear in ``n_samples``.

    By default (``normalize_embedding=True``) the trivial singular direction
    (the constant vector, singular value 1) is projected out, the next
    ``n_clusters`` singular vectors are used, and each row is scaled to unit
    length before k-means, as in Ng, Jordan & Weiss; ``normalize_embedding=False``
    runs k-means on the ``n_clusters`` leading singular vectors as the paper's
    text describes.

    Parameters
    ----------
    n_clusters : int or "auto", default=8
        Number of clusters (and of singular vectors). ``"auto"`` computes
        ``max_n_clusters`` singular vectors, clusters the ``k`` leading ones
        for every ``k`` from 2 to ``max_n_clusters``, and keeps the ``k`` that
        :func:`~sklearn_specclust.metrics.select_n_clusters` scores best:
        the stability of the ``k``-partition between two clones fitted on
        random halves of ``X`` (each embeds all samples through its
        landmarks) times its modularity on the landmark graph
        ``W = Z D^-1 Z^T`` (applied, never formed, so the choice stays linear
        in ``n_samples``). ``n_clusters_`` and ``n_clusters_scores_`` say
        which and why.
    n_landmarks : int, default=1000
        Number of landmarks ``p`` (1000 in the paper). If larger than
        ``n_samples``, every sample is a landmark.
    landmark_selection : {"kmeans", "random"}, default="kmeans"
        ``"kmeans"``: the centres of a k-means with random initialisation run
        for ``landmark_max_iter`` iterations, as in the paper. ``"random"``: a
        uniform sample of the data, faster.
    n_neighbors : int, default=5
        ``r``: number of nearest landmarks that represent each sample (5 in
        the paper). At most the number of landmarks.
    bandwidth : float or None, default=None
        Width ``h`` of the kernel ``exp(-||x - u||^2 / (2 h^2))``. ``None``
        uses the mean distance of the samples to their ``n_neighbors``
        nearest landmarks.
    landmark_max_iter : int, default=10
        Iterations of the landmark k-means (``landmark_selection="kmeans"``).
    normalize_embedding : bool, default=True
        Project out the trivial constant singular vector and use the next
        ``n_clusters`` with unit-length rows (NJW style) instead of the
        ``n_clusters`` leading ones; its effect on MNIST is measured in
        ``benchmarks/results/baselines_mnist.md``.
    n_init : int, default=10
        Number of k-means initialisations on the embedding.
    max_n_clusters : int, default=20
        Largest number of clusters tried by ``n_clusters="auto"`` (capped by
        the number of landmarks); ignored otherwise.
    random_state : int, RandomState instance or None, default=None
        Seeds the landmark selection and the final k-means.

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
    landmarks_ : ndarray of shape (min(n_landmarks, n_samples), n_features)
        The landmarks.
    bandwidth_ : float
        Kernel width used.
    embedding_ : ndarray of shape (n_samples, n_clusters_)
        Left singular vectors of ``Z D^-1/2`` used as the spectral embedding
        (before row normalisation), in descending singular value order.
    singular_values_ : ndarray of shape (n_clusters_,)
        Matching singular values.
    cluster_centers_ : ndarray of shape (n_clusters_, n_clusters_)
        k-means centres in the embedding (row-normalised when
        ``normalize_embedding=True``).
    n_features_in_ : int
        Number of features seen during fit.

    See Also
    --------
    SelfTuningSpectralClustering : Exact spectral clustering with local scales.
    sklearn.cluster.SpectralClustering : Exact spectral clustering.

    Notes
    -----
    ``predict`` is exact out-of-sample: a new sample is represented by its
    nearest landmarks the same way, ``z D^-1/2 B Sigma^-1`` (``B`` the right
    singular vectors) gives its embedding, and the nearest k-means centre its
    label. On the training samples this reproduces ``embedding_`` and hence
    ``labels_``.

    The kernel weights of a sample are computed relative to its nearest
    landmark (a common factor that the normalisation removes), so far-away
    samples do not underflow. Landmarks that are no sample's neighbour get a
    zero column.

    References
    ----------
    .. [1] X. Chen and D. Cai, "Large Scale Spectral Clustering with
       Landmark-Based Representation", AAAI 2011.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from sklearn.metrics import adjusted_rand_score
    >>> from sklearn_specclust.cluster import LandmarkSpectralClustering
    >>> X, y = make_blobs(n_samples=500, centers=4, random_state=0)
    >>> lsc = LandmarkSpectralClustering(n_clusters=4, n_landmarks=50,
    ...                                  random_state=0).fit(X)
    >>> lsc.landmarks_.shape
    (50, 2)
    >>> bool((lsc.predict(X) == lsc.labels_).all())
    True
    """

    _parameter_constraints: dict = {
        **BaseSpectralClustering._parameter_constraints,
        "n_landmarks": [Interval(Integral, 1, None, closed="left")],
        "landmark_selection": [StrOptions({"kmeans", "random"})],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "bandwidth": [Interval(Real, 0, None, closed="neither"), None],
        "landmark_max_iter": [Interval(Integral, 1, None, closed="left")],
        "normalize_embedding": ["boolean"],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        n_landmarks=1000,
        landmark_selection="kmeans",
        n_neighbors=5,
        bandwidth=None,
        landmark_max_iter=10,
        normalize_embedding=True,
        n_init=10,
        max_n_clusters=20,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.n_landmarks = n_landmarks
        self.landmark_selection = landmark_selection
        self.n_neighbors = n_neighbors
        self.bandwidth = bandwidth
        self.landmark_max_iter = landmark_max_iter
        self.normalize_embedding = normalize_embedding
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
        self : LandmarkSpectralClustering
            Fitted estimator.
        """
        X = validate_data(
            self, X, dtype=[np.float64, np.float32], ensure_min_samples=2
        )
        n = X.shape[0]
        p = min(self.n_landmarks, n)
        n_clusters = self._check_sizes(n, p)
        check_memory(
            2 * dense_bytes((p, p)) + dense_bytes((n, self.n_neighbors)) * 3,
            what=f"The landmark representation of {n} samples on {p} landmarks",
            advice="Use fewer landmarks (n_landmarks).",
        )
        rng = check_random_state(self.random_state)
        self.landmarks_ = self._select_landmarks(X, p, rng)

        self._nn = NearestNeighbors(
            n_neighbors=self.n_neighbors, algorithm="brute"
        ).fit(self.landmarks_)
        dist, ind = self._nn.kneighbors(X)
        if self.bandwidth is None:
            bandwidth = float(np.mean(dist))
            self.bandwidth_ = bandwidth if bandwidth > 0 else 1.0
        else:
            self.bandwidth_ = float(self.bandwidth)
        Z = landmark_graph(dist, ind, self.bandwidth_, p)
        singular, projection, Z_hat = landmark_embedding(
            Z, n_clusters, deflate=self.normalize_embedding
        )
        embedding = np.asarray(Z @ projection)
        landmark_affinity = aslinearoperator(Z_hat) @ aslinearoperator(Z_hat.T)
        k, self.cluster_centers_, self.labels_ = cluster_leading_vectors(
            self, X, embedding, self._normalize,
            rng.randint(np.iinfo(np.int32).max), graph=landmark_affinity,
        )
        self.n_clusters_ = k
        self._projection = projection[:, :k]
        self.singular_values_ = singular[:k]
        self.embedding_ = embedding[:, :k]
        return self

    def _check_sizes(self, n, p):
        """Refuse counts ``n`` samples and ``p`` landmarks cannot serve; the vectors."""
        self._check_n_clusters(n)
        if self.n_neighbors > p:
            raise ValueError(
                f"n_neighbors={self.n_neighbors} is larger than the number of "
                f"landmarks ({p} = min(n_landmarks, n_samples)): each sample is "
                "represented by its n_neighbors nearest landmarks. Lower "
                "n_neighbors or use more landmarks."
            )
        if self.n_clusters == "auto" and self.n_neighbors > min(p, n // 2):
            raise ValueError(
                f"n_clusters='auto' fits clones on two halves of the {n} samples, "
                f"and each half needs at least n_neighbors={self.n_neighbors} "
                "landmarks. Lower n_neighbors, pass more samples or give n_clusters."
            )
        n_clusters = n_vectors_needed(self, n)
        if self.n_clusters == "auto":
            n_clusters = max(2, min(n_clusters, p - int(self.normalize_embedding)))
        n_vectors = n_clusters + int(self.normalize_embedding)
        if n_vectors > p:
            raise ValueError(
                f"n_clusters={n_clusters} needs {n_vectors} landmarks "
                f"but there are only {p} (min(n_landmarks, n_samples))"
                + (
                    " (normalize_embedding=True projects out one trivial "
                    "singular vector)"
                    if self.normalize_embedding
                    else ""
                )
                + ". Use more landmarks or fewer clusters."
            )
        return n_clusters

    def _select_landmarks(self, X, p, rng):
        n = X.shape[0]
        if p == n:
            return np.array(X, dtype=np.float64)
        if self.landmark_selection == "random":
            return np.array(X[np.sort(rng.choice(n, p, replace=False))], np.float64)
        km = KMeans(
            n_clusters=p,
            init="random",
            n_init=1,
            max_iter=self.landmark_max_iter,
            random_state=rng.randint(np.iinfo(np.int32).max),
        ).fit(X)
        return np.asarray(km.cluster_centers_, dtype=np.float64)

    def _extend(self, X):
        """Embedding of samples through their landmark representation."""
        dist, ind = self._nn.kneighbors(X)
        Z = landmark_graph(dist, ind, self.bandwidth_, self.landmarks_.shape[0])
        return np.asarray(Z @ self._projection)

    def _normalize(self, embedding):
        return row_normalize(embedding) if self.normalize_embedding else embedding
