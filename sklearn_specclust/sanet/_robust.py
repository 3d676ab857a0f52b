"""RobustSpectralHead: spectral clustering of images compared location by location."""

from numbers import Integral, Real

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from sklearn.base import BaseEstimator, ClusterMixin, _fit_context
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import normalize
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..cluster._consensus import candidate_components, consensus_kmeans
from ..spectral import spectral_embedding
from ..spectral._graphs import connect_components
from ..utils import reproducible_threads, warn_user
from ..utils._fitted import FitCompleteMixin, completes_fit
from ..utils._maps import validate_maps
from ..utils._persistence import VersionedPickleMixin

#: Bytes of the differences computed at once by :func:`location_distances`.
_BLOCK_BYTES = 2**26
#: Query rows whose image distances are aggregated at once.
_BLOCK_ROWS = 512
#: Rows sampled to estimate the per-location scales and the clipping fence.
_SCALE_ROWS = 2000


def location_distances(F, G, ind):
    """Squared distances between the locations of images and of their candidates.

    Parameters
    ----------
    F : ndarray of shape (n, n_locations, n_channels)
        Query images, one vector per location.
    G : ndarray of shape (m, n_locations, n_channels)
        Reference images.
    ind : ndarray of shape (n, n_candidates)
        Candidate references of each query.

    Returns
    -------
    D : ndarray of shape (n, n_candidates, n_locations)
        ``D[i, j, l] = ||F[i, l] - G[ind[i, j], l]||^2``.
    """
    out = np.empty(ind.shape + (F.shape[1],), dtype=F.dtype)
    rows = max(1, _BLOCK_BYTES // max(1, ind.shape[1] * F[0].nbytes))
    for s in range(0, F.shape[0], rows):
        diff = F[s : s + rows, None] - G[ind[s : s + rows]]
        out[s : s + rows] = np.einsum("ijlc,ijlc->ijl", diff, diff)
    return out


class RobustSpectralHead(VersionedPickleMixin, FitCompleteMixin, ClusterMixin, BaseEstimator):
    """Spectral clustering of images on a location-wise robust distance.

    SA-Net's feature maps keep one vector per location. This head compares two
    images location by location and aggregates the per-location distances
    robustly, so that a region that differs wholly (an occluder, a stain, a
    pasted block) adds a bounded amount to the distance instead of dominating
    it. Candidate neighbours of each image come from a plain Euclidean kNN
    search (``n_candidates`` of them); they are re-ranked by the robust
    distance, the ``n_neighbors`` best form a kNN connectivity graph of the
    images, and its leading normalised eigenvectors, rows scaled to unit
    length (Ng, Jordan & Weiss), are clustered by k-means, as in
    :class:`SpectralHead` (``n_components="auto"`` chooses the number of
    eigenvectors by consensus). New images are re-ranked the same way and
    embedded by the Nystrom extension of the graph.

    The aggregations (``aggregate``):

    - ``"clip"``: each location's squared distance is divided by its median
      over the candidate pairs (locations near the border differ less than
      central ones) and clipped at the upper Tukey fence ``Q3 + 1.5 IQR`` of
      all of them: a truncated-quadratic M-estimator whose threshold comes
      from the distribution of per-location distances, not from the size of
      an expected occlusion.
    - ``"trim"``: the mean of the smallest ``keep_fraction`` of the
      per-location distances (a trimmed mean; the best-matching fraction of
      locations).
    - ``"median"``: their median.
    - ``"mean"``: their mean, the squared Euclidean distance of the whole
      maps (no robustness; the reference).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    n_neighbors : int, default=10
        Neighbours of the image graph (at most ``n_samples - 1``).
    n_candidates : int, default=50
        Euclidean nearest neighbours re-ranked by the robust distance (at
        least ``n_neighbors``, at most ``n_samples - 1``).
    aggregate : {"clip", "trim", "median", "mean"}, default="clip"
        How per-location distances make an image distance (see above).
    keep_fraction : float, default=0.5
        Fraction of the locations kept by ``aggregate="trim"``.
    n_components : int or "auto", default="auto"
        Eigenvectors clustered; ``"auto"`` chooses among ``n_clusters`` x
        ``(1, 1.25, 1.5, 1.75, 2)`` by consensus, as :class:`SpectralHead` does.
    n_init : int, default=10
        k-means restarts per candidate number of eigenvectors.
    random_state : int, RandomState instance or None, default=None
        Seeds the eigensolver and k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of every training image.
    n_components_ : int
        Eigenvectors used.
    consensus_scores_ : dict
        Mean normalised mutual information of each candidate number of
        eigenvectors' partition with the others' (empty for an int).
    location_scales_ : ndarray of shape (n_locations,)
        Median squared distance of each location (``"clip"``; ones otherwise).
    clip_threshold_ : float
        The Tukey fence of the scaled per-location distances (``"clip"``;
        ``inf`` otherwise).
    n_connected_components_ : int
        Connected components of the image graph (a warning says when there
        are several).
    eigenvalues_ : ndarray of shape (n_eigenvectors,)
        Eigenvalues of the normalised affinity of the image graph.
    kmeans_ : KMeans
        k-means on the chosen, row-normalised eigenvectors.
    n_features_in_ : int
        Features seen in ``fit`` (height x width x channels of the maps).

    See Also
    --------
    SpectralHead : the same head on the Euclidean distance of whole maps.
    make_sanet : ``make_sanet(k).set_params(flatten="passthrough",
        cluster=RobustSpectralHead(k))`` hands it the maps.

    Notes
    -----
    Input is a 4-D array of maps ``(n_samples, height, width, channels)``
    (SA-Net features before ``flatten``), 3-D maps of one channel, or 2-D rows,
    which are 1x1 maps: with one location every aggregation is the Euclidean
    distance and the head is plain kNN spectral clustering. The graph is
    embedded by the spectral core
    (:func:`~sklearn_specclust.spectral.spectral_embedding`), which also joins
    a graph of more components than eigenvectors, with a warning, as every
    spectral clusterer of the library does.

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing 383, 2020 (patch-level analysis as a
       defence against occlusion).
    .. [2] J. Wright, A. Y. Yang, A. Ganesh, S. S. Sastry and Y. Ma, "Robust
       face recognition via sparse representation", IEEE TPAMI 31(2), 2009
       (comparing images block by block so that occluded blocks are
       outvoted).
    .. [3] P. J. Huber, "Robust Statistics", Wiley, 1981 (bounded-influence
       losses); J. W. Tukey, "Exploratory Data Analysis", 1977 (the fence).
    .. [4] A. Y. Ng, M. I. Jordan and Y. Weiss, "On spectral clustering:
       analysis and an algorithm", NIPS 2001.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.sanet import RobustSpectralHead
    >>> rng = np.random.RandomState(0)
    >>> maps = rng.rand(60, 3, 3, 4) + np.repeat([0, 2], 30)[:, None, None, None]
    >>> head = RobustSpectralHead(2, random_state=0).fit(maps)
    >>> head.labels_.shape, head.predict(maps[:5]).shape
    ((60,), (5,))
    """

    _parameter_constraints = {
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_candidates": [Interval(Integral, 1, None, closed="left")],
        "aggregate": [StrOptions({"clip", "trim", "median", "mean"})],
        "keep_fraction": [Interval(Real, 0, 1, closed="right")],
        "n_components": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "n_init": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, n_clusters=8, *, n_neighbors=10, n_candidates=50, aggregate="clip",
                 keep_fraction=0.5, n_components="auto", n_init=10, random_state=None):
        self.n_clusters = n_clusters
        self.n_neighbors = n_neighbors
        self.n_candidates = n_candidates
        self.aggregate = aggregate
        self.keep_fraction = keep_fraction
        self.n_components = n_components
        self.n_init = n_init
        self.random_state = random_state

    def _locations(self, X, reset):
        maps, _ = validate_maps(self, X, reset=reset)
        n, h, w, c = maps.shape
        return np.ascontiguousarray(maps.reshape(n, h * w, c))

    def _aggregate(self, D):
        """Image distances ``(n, n_candidates)`` from per-location ones."""
        if self.aggregate == "clip":
            return np.minimum(D / self.location_scales_, self.clip_threshold_).mean(-1)
        if self.aggregate == "trim":
            keep = max(1, int(np.ceil(self.keep_fraction * D.shape[-1])))
            return np.partition(D, keep - 1, axis=-1)[..., :keep].mean(-1)
        if self.aggregate == "median":
            return np.median(D, axis=-1)
        return D.mean(-1)

    def _fit_scales(self, F, ind, rng):
        L = F.shape[1]
        self.location_scales_ = np.ones(L)
        self.clip_threshold_ = np.inf
        if self.aggregate != "clip":
            return
        rows = rng.choice(F.shape[0], min(F.shape[0], _SCALE_ROWS), replace=False)
        D = location_distances(F[rows], F, ind[rows]).reshape(-1, L).astype(np.float64)
        scales = np.median(D, axis=0)
        positive = scales[scales > 0]
        # a location that never differs (e.g. a constant border) keeps scale 1
        self.location_scales_ = np.where(scales > 0, scales, positive.min() if positive.size
                                         else 1.0)
        q1, q3 = np.percentile(D / self.location_scales_, [25, 75])
        self.clip_threshold_ = float(q3 + 1.5 * (q3 - q1)) or np.inf

    def _neighbors(self, F, ind):
        """The ``k`` candidates nearest by the robust distance, per row."""
        R = np.empty(ind.shape)
        for s in range(0, F.shape[0], _BLOCK_ROWS):
            block = slice(s, s + _BLOCK_ROWS)
            R[block] = self._aggregate(location_distances(F[block], self._F, ind[block]))
        order = np.argsort(R, axis=1, kind="stable")[:, : self._k]
        return np.take_along_axis(ind, order, axis=1)

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y=None):
        """Build the robust image graph, embed it and cluster the images.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width, channels) or (n_samples, n_features)
            Feature maps (or rows, read as 1x1 maps).
        y : None
            Ignored.

        Returns
        -------
        self : RobustSpectralHead
        """
        F = self._locations(X, reset=True)
        n = F.shape[0]
        if n < max(3, self.n_clusters + 1):
            raise ValueError(
                f"n_samples={n} should be > n_clusters={self.n_clusters} and >= 3."
            )
        rng = check_random_state(self.random_state)
        seed = rng.randint(np.iinfo(np.int32).max)
        self._k = min(self.n_neighbors, n - 1)
        n_cand = min(max(self.n_candidates, self._k), n - 1)
        flat = F.reshape(n, -1)
        self._index = NearestNeighbors(n_neighbors=n_cand).fit(flat)
        self._F = F
        with reproducible_threads():
            ind = self._index.kneighbors(None, n_cand, return_distance=False)
            self._fit_scales(F, ind, rng)
            nb = self._neighbors(F, ind)
        # kNN connectivity (A + A^T) / 2 with self-loops, as SpectralHead's graph
        rows = np.hstack([np.arange(n)[:, None], nb])
        A = sparse.csr_matrix((np.ones(rows.size), rows.ravel(),
                               np.arange(0, rows.size + 1, rows.shape[1])), shape=(n, n))
        W = (0.5 * (A + A.T)).tocsr()
        self.n_connected_components_ = int(connected_components(W, directed=False)[0])
        ms = candidate_components(self.n_clusters, self.n_components, n)
        W, _, message = connect_components(
            W, flat, what=f"robust kNN (k={self._k})", max_components=max(ms), weight=1.0,
            advice="Raise n_neighbors",
        )
        if message:
            warn_user(message)
        with reproducible_threads():
            self.eigenvalues_, V = spectral_embedding(W, max(ms), random_state=seed)
        d = np.asarray(W.sum(axis=1)).ravel()
        # D^-1/2 u: the Nystrom extension of a new image sums these over its neighbours
        self._E = V / np.sqrt(d)[:, None]
        self.n_components_, self.kmeans_, self.consensus_scores_ = consensus_kmeans(
            V, ms, self.n_clusters, n_init=self.n_init, random_state=seed
        )
        self.labels_ = self.kmeans_.labels_
        return self

    def predict(self, X):
        """Cluster of new images: robust neighbours, Nystrom extension, nearest centre.

        Parameters
        ----------
        X : array-like of shape (n_samples, height, width, channels) or (n_samples, n_features)
            Maps of the shape seen in ``fit``.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        F = self._locations(X, reset=False).astype(self._F.dtype, copy=False)
        with reproducible_threads():
            ind = self._index.kneighbors(F.reshape(F.shape[0], -1), self._index.n_neighbors,
                                         return_distance=False)
            nb = self._neighbors(F, ind)
        m = self.n_components_
        # Nystrom: v(x) ~ sum_j W(x, j) V_j / (sqrt(d_j) mu) = sum_j E_j / mu
        mu = np.maximum(self.eigenvalues_[:m], np.finfo(np.float64).eps)
        Z = normalize(self._E[nb, :m].sum(axis=1) / mu)
        with reproducible_threads():
            return self.kmeans_.predict(Z.astype(self.kmeans_.cluster_centers_.dtype))
