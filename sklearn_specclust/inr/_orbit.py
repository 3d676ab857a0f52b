"""Canonical views of images and spectral clustering on their orbit graph."""

import math
import warnings
from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data

from ..cluster._base import BaseSpectralClustering
from ..cluster._consensus import candidate_components, consensus_kmeans
from ..spectral._embedding import (
    kmeans_on_embedding,
    nystrom_extension,
    nystrom_vectors,
    row_normalize,
    spectral_embedding,
    stable_exp,
)
from ..spectral._graphs import connect_components, self_tuning_knn_graph
from ..spectral._scales import self_tuning_scales
from ..utils import import_torch, reproducible_threads
from ..utils._clustering import distinct_rows, warn_fewer_clusters
from ..utils._fitted import FitCompleteMixin, completes_fit
from ..utils._images import check_angles, validate_images
from ..utils._maps import border_level
from ..utils._persistence import VersionedPickleMixin
from ..utils._warnings import warn_user
from ._training import restore_on_interrupt

#: Views of the published preset: the canonical image, its half turn, and both
#: turned by +-20 degrees (the measured reference axis is noisy by about that).
ORBIT_ANGLES = tuple(
    math.radians(a) for a in (0.0, 180.0, 20.0, -20.0, 200.0, 160.0)
)


def canonical_views(images, reference, angles):
    """Views ``(n_views, n, c, h, w)``: each image rotated to its reference, then by ``angles``.

    ``images`` is a ``(n, c, h, w)`` tensor; ``reference`` a kind of
    :func:`~sklearn_specclust.inr._torch_model.reference_direction`.
    """
    import_torch("CanonicalViews")
    from ._torch_model import canonicalize, reference_direction, turned_views

    return turned_views(canonicalize(images, reference_direction(images, reference)), angles)


class CanonicalViews(VersionedPickleMixin, FitCompleteMixin, TransformerMixin, BaseEstimator):
    """Images rotated to a measured reference orientation, in several views.

    Each image is rotated so that its measured reference direction (see
    ``reference``) points up, then turned by each of ``angles``; the output
    row concatenates the views' pixels, view by view. With one view at angle 0
    this is analytic canonicalisation; more views let
    :class:`OrbitSpectralClustering` compare two images up to the errors of
    the measured orientation (a half turn when the axis's sign is wrong, a
    few degrees of axis noise). Nothing is learned.

    Parameters
    ----------
    reference : {"com", "radial_com", "axis", "axis_com"}, default="axis"
        The measured orientation, as ``RotInvINREncoder(reference=...)``.
        ``"axis"`` (major axis of the second moments, signed by the skewness)
        depends on the image content only.
    angles : sequence of float, default=(0.0,)
        View angles in radians, counter-clockwise; the first view is the one
        :class:`OrbitSpectralClustering` queries with.
    background : {"border", None}, default="border"
        What the orientation is measured against. ``"border"``: each image's
        border level (the median of its outermost pixels, per channel) is
        subtracted first, so that a grey or white ground weighs nothing in
        the moments and the rotation fills the corners with the ground;
        the views are of the image less that level. ``None``: the pixels as
        they are (zero is the ground). The two agree on images whose border
        is zero.
    contrast : {None, "rms"}, default=None
        How each image's contrast is set before the views. ``None``: the
        values as they are, so that an image's overall intensity (its ink,
        its contrast) counts in the distance between views. ``"rms"``: the
        image (less its border level with ``background="border"``) is
        scaled to unit root-mean-square value, so that two images that
        differ by a contrast factor, or by a contrast and a ground level,
        give the same views; the orientation is unchanged, and an image of
        a single level stays zero. It is not the default: it also removes
        how much ink an image has, which tells classes apart, and the
        measured test accuracy was lower (see the user guide).
    image_shape : tuple of int, default=None
        ``(height, width)`` or ``(height, width, channels)`` of flat rows;
        None reads ``s * s`` features as a square image and any other row as
        ``1 x n_features``. 3-D and 4-D input are images already.

    Attributes
    ----------
    n_features_in_ : int
        Values per image (height x width x channels).

    See Also
    --------
    OrbitSpectralClustering : Clusters the views.
    RotInvINREncoder : Its ``reference`` and ``view_angles`` do the same on
        the learned latent.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.inr import CanonicalViews
    >>> X = np.random.RandomState(0).rand(5, 64)
    >>> CanonicalViews(angles=(0.0, np.pi)).fit_transform(X).shape
    (5, 128)
    """

    _needs_torch = True

    _parameter_constraints = {
        "reference": [StrOptions({"com", "radial_com", "axis", "axis_com"})],
        "angles": ["array-like"],
        "background": [StrOptions({"border"}), None],
        "contrast": [StrOptions({"rms"}), None],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, reference="axis", *, angles=(0.0,), background="border",
                 contrast=None, image_shape=None):
        self.reference = reference
        self.angles = angles
        self.background = background
        self.contrast = contrast
        self.image_shape = image_shape

    @_fit_context(prefer_skip_nested_validation=True)
    @completes_fit
    def fit(self, X, y=None):
        """Check the parameters and record the image shape.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, h, w) \
or (n_samples, h, w, c)
            Images, or flat rows of images.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : CanonicalViews
            The fitted transformer.
        """
        check_angles(self.angles, "angles")
        validate_images(self, X, reset=True, image_shape=self.image_shape)
        return self

    def transform(self, X):
        """Concatenated canonical views of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, h, w) \
or (n_samples, h, w, c)
            Images of the fitted shape.

        Returns
        -------
        V : ndarray of shape (n_samples, n_views * n_features_in_), float32
            The views of each image, view by view (each view flattened as
            ``(h, w, c)``).
        """
        check_is_fitted(self)
        torch = import_torch("CanonicalViews")
        maps = validate_images(self, X, reset=False)
        angles = check_angles(self.angles, "angles")
        n = maps.shape[0]
        # float32: the views are computed in float32 (torch)
        out = np.empty((n, len(angles) * int(np.prod(maps.shape[1:]))), dtype=np.float32)
        # in blocks of images, so that the float32 intermediates stay small
        for start in range(0, n, 1024):
            block = maps[start : start + 1024]
            if self.background == "border":
                block = block - border_level(block)[:, None, None, :]
            if self.contrast == "rms":  # unit RMS: unit length times sqrt(values)
                flat = row_normalize(block.reshape(len(block), -1).astype(np.float64))
                block = flat.reshape(block.shape) * math.sqrt(flat.shape[1])
            images = torch.from_numpy(
                np.ascontiguousarray(block.transpose(0, 3, 1, 2), dtype=np.float32)
            )
            with torch.no_grad():
                views = canonical_views(images, self.reference, angles)
            # (n_views, b, c, h, w) -> (b, n_views, h, w, c) -> rows
            out[start : start + len(block)] = views.permute(1, 0, 3, 4, 2).reshape(
                len(block), -1
            ).numpy()
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags


def _resolve_n_neighbors(n_neighbors, n_samples, n_clusters):
    """``"auto"``: about ``log2(n_samples)`` neighbours, within the mean cluster size."""
    if n_neighbors != "auto":
        return min(int(n_neighbors), n_samples - 1)
    k = min(round(math.log2(max(n_samples, 2))), n_samples // (2 * n_clusters))
    return max(1, min(max(k, 5), n_samples - 1))


def _n_vectors(n_components, n_clusters, n_samples):
    """Eigenvectors computed: ``n_components``, or ``2 n_clusters + 1`` for a rule."""
    c = 2 * n_clusters + 1 if isinstance(n_components, str) else n_components or n_clusters
    return max(1, min(c, n_samples - 1))


def _eigengap_count(mu, n_clusters):
    """Eigenvector count from ``n_clusters`` up with the largest eigengap.

    ``mu`` are the random-walk eigenvalues, largest first; the count ``c``
    maximises ``mu[c - 1] - mu[c]``.
    """
    gaps = mu[n_clusters - 1 : -1] - mu[n_clusters:]
    return n_clusters + int(np.argmax(gaps)) if gaps.size else n_clusters


class OrbitSpectralClustering(BaseSpectralClustering):
    """Spectral clustering on a kNN graph with a minimum-over-views distance.

    A row holds ``n_views`` equal-length views of one sample (e.g. the
    output of :class:`CanonicalViews` or of
    ``RotInvINREncoder(view_angles=...)``). The distance from sample ``i`` to
    sample ``j`` is ``min_v ||x_i^(0) - x_j^(v)||``: view 0 of ``i`` against
    every view of ``j``. Each sample is joined to its ``n_neighbors`` nearest
    samples with the self-tuning weight ``exp(-d^2 / (sigma_i sigma_j))``
    (``sigma_i`` the distance to the ``scale_neighbors``-th one; Zelnik-Manor
    and Perona), the graph is symmetrised, its ``n_components`` leading
    random-walk eigenvectors (:func:`~sklearn.manifold.spectral_embedding`)
    are scaled to unit rows, and k-means on them gives the labels (Ng, Jordan
    and Weiss). With one view this is spectral clustering on a self-tuning
    kNN graph. :meth:`predict` labels new samples by the Nyström extension of
    the eigenvectors over their nearest training samples. See the
    :ref:`user guide <rotinv>`.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    n_views : int, default=1
        Views per row; ``n_features`` must be a multiple of it.
    n_neighbors : int or "auto", default="auto"
        Neighbours per sample in the graph. ``"auto"``: ``round(log2(n_samples))``,
        at least 5 and at most half the mean cluster size
        ``n_samples / n_clusters``.
    scale_neighbors : int, default=7
        The local scale ``sigma_i`` is the distance to this neighbour (to the
        last one when ``n_neighbors`` is smaller), as in Zelnik-Manor and
        Perona.
    n_components : int, None or {"auto", "consensus", "eigengap"}, default="auto"
        Eigenvectors embedded. ``"consensus"``: k-means on ``n_clusters``
        times each of ``(1, 1.25, 1.5, 1.75, 2)`` eigenvectors, keeping the
        partition that agrees best with the others (the largest mean
        normalised mutual information, Strehl and Ghosh's "best-of-k", as
        :class:`~sklearn_specclust.sanet.SpectralHead` chooses);
        ``"eigengap"``: the count ``c`` from ``n_clusters`` to ``2 *
        n_clusters`` with the largest eigengap (``mu_c - mu_{c+1}`` of the
        random-walk matrix); ``"auto"``: ``"consensus"``, the rule measured
        best (see the :ref:`user guide <rotinv>`); None: ``n_clusters``.
    n_init : int, default=10
        k-means runs on the embedding.
    n_jobs : int, default=None
        Parallel jobs of the neighbour search (see
        :class:`~sklearn.neighbors.NearestNeighbors`). The labels do not
        depend on it.
    random_state : int, RandomState instance or None, default=None
        Seeds the eigensolver and k-means.

    Attributes
    ----------
    labels_ : ndarray of shape (n_samples,)
        Cluster of each sample.
    embedding_ : ndarray of shape (n_samples, n_components)
        Unit-row spectral embedding k-means ran on.
    cluster_centers_ : ndarray of shape (n_clusters, n_components)
        k-means centres in the embedding.
    affinity_matrix_ : scipy.sparse.csr_matrix of shape (n_samples, n_samples)
        The symmetrised kNN affinities.
    n_neighbors_ : int
        Neighbours per sample used.
    n_components_ : int
        Eigenvectors used.
    consensus_scores_ : dict
        With the ``"consensus"`` rule, each candidate number of eigenvectors'
        mean normalised mutual information with the other candidates'
        partitions (empty otherwise).
    n_features_in_ : int
        Features per row (all views).

    See Also
    --------
    CanonicalViews : Rotated views of images.
    make_rotinv_inr : The rotation-invariant pipeline built on this clusterer.
    sklearn_specclust.cluster.SelfTuningSpectralClustering : One view, on
        the full self-tuning kernel or a kNN graph.

    Notes
    -----
    Identical samples get the same label; when there are fewer distinct
    samples than ``n_clusters`` a :class:`~sklearn.exceptions.ConvergenceWarning`
    says so, as :class:`~sklearn.cluster.KMeans` does. The eigensolver and
    k-means run on one thread, so that the labels do not depend on the
    number of BLAS or OpenMP threads.

    References
    ----------
    .. [1] Zelnik-Manor and Perona, "Self-Tuning Spectral Clustering", NIPS 2004.
    .. [2] Ng, Jordan and Weiss, "On Spectral Clustering: Analysis and an
       Algorithm", NIPS 2001.
    .. [3] Bengio et al., "Out-of-Sample Extensions for LLE, Isomap, MDS,
       Eigenmaps, and Spectral Clustering", NIPS 2003.
    .. [4] Strehl and Ghosh, "Cluster Ensembles -- A Knowledge Reuse
       Framework for Combining Multiple Partitions", JMLR 3, 2002 (the
       partition of largest mean NMI with the others).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.inr import OrbitSpectralClustering
    >>> X = np.r_[np.random.RandomState(0).rand(10, 2), 5 + np.random.RandomState(1).rand(10, 2)]
    >>> labels = OrbitSpectralClustering(2, n_neighbors=4, random_state=0).fit_predict(X)
    >>> len(set(labels[:10])), len(set(labels[10:])), bool(labels[0] != labels[10])
    (1, 1, True)
    """

    _parameter_constraints = {
        **{k: v for k, v in BaseSpectralClustering._parameter_constraints.items()
           if k != "max_n_clusters"},
        "n_clusters": [Interval(Integral, 1, None, closed="left")],
        "n_views": [Interval(Integral, 1, None, closed="left")],
        "n_neighbors": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "scale_neighbors": [Interval(Integral, 1, None, closed="left")],
        "n_components": [
            Interval(Integral, 1, None, closed="left"),
            StrOptions({"auto", "consensus", "eigengap"}),
            None,
        ],
        "n_jobs": [Integral, None],
    }

    def __init__(
        self,
        n_clusters=8,
        *,
        n_views=1,
        n_neighbors="auto",
        scale_neighbors=7,
        n_components="auto",
        n_init=10,
        n_jobs=None,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.n_views = n_views
        self.n_neighbors = n_neighbors
        self.scale_neighbors = scale_neighbors
        self.n_components = n_components
        self.n_init = n_init
        self.n_jobs = n_jobs
        self.random_state = random_state

    def _check_views(self, n_features):
        if n_features % self.n_views:
            raise ValueError(
                f"n_features={n_features} is not a multiple of n_views={self.n_views}: "
                "a row must hold n_views equal-length views."
            )
        return n_features // self.n_views

    def _neighbors(self, queries, k, exclude_self):
        """The ``k`` nearest distinct training samples of each query (view 0)."""
        v, n = self.n_views, self._n_train
        m = min(v * n, (k + int(exclude_self)) * v)
        dist, ind = self._index.kneighbors(queries, n_neighbors=m)
        # distances rounded to float32 precision: ties broken by index, not by
        # the last bits that BLAS thread counts change
        dist = dist.astype(np.float32).astype(np.float64)
        ids = ind % n
        q = np.arange(queries.shape[0])
        order = np.lexsort((ind, dist), axis=-1)
        dist, ids = np.take_along_axis(dist, order, 1), np.take_along_axis(ids, order, 1)
        # first (nearest) occurrence of each sample in every row, self excluded;
        # (k + 1) * v candidates hold k + 1 distinct samples, so every row keeps k
        rows = np.repeat(q, m)
        _, first = np.unique(rows * n + ids.ravel(), return_index=True)
        first = np.sort(first)
        if exclude_self:
            first = first[ids.ravel()[first] != rows[first]]
        rank = np.arange(len(first)) - np.searchsorted(rows[first], rows[first])
        first = first[rank < k]
        return dist.ravel()[first].reshape(-1, k), ids.ravel()[first].reshape(-1, k)

    def _rule(self):
        """The rule that chooses the eigenvectors, or None for a fixed count."""
        rule = {"auto": "consensus"}.get(self.n_components, self.n_components)
        return rule if isinstance(rule, str) else None

    def _embed(self, A, n, seed):
        """Random-walk eigenvectors of ``A`` and their eigenvalues, largest first
        (all ``2 n_clusters + 1`` computed for the consensus rule)."""
        c = _n_vectors(self.n_components, self.n_clusters, n)
        mu, psi = spectral_embedding(A, c, laplacian="rw", random_state=seed)
        if self._rule() == "eigengap":
            c = min(_eigengap_count(mu, self.n_clusters), c)
        return psi[:, :c], mu[:c]

    def _graph(self, queries, n):
        """The self-tuning kNN graph of the samples (``queries``: their view 0
        against every view)."""
        k = _resolve_n_neighbors(self.n_neighbors, n, self.n_clusters)
        dd, c = self._neighbors(queries, k, exclude_self=True)
        self._sigma = self_tuning_scales(dd, self.scale_neighbors, all_zero=1.0)
        A = self_tuning_knn_graph(dd, c, self._sigma)
        A, _, message = connect_components(
            A, queries, what=f"orbit kNN (k={k})",
            max_components=_n_vectors(self.n_components, self.n_clusters, n),
            weight=float(A.data.min()) if A.nnz else 1.0, advice="Increase n_neighbors",
        )
        if message:
            warn_user(message)
        return A, k

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Cluster the rows of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_views * n_features_per_view)
            Samples, view by view.
        y : Ignored
            Not used, present for API consistency.

        Returns
        -------
        self : OrbitSpectralClustering
            The fitted clusterer.
        """
        with restore_on_interrupt(self):
            return self._fit(X)

    @completes_fit  # inside restore_on_interrupt: an interrupted fit leaves no trace
    def _fit(self, X):
        X = validate_data(self, X, dtype=(np.float64, np.float32), ensure_min_samples=2)
        n, n_features = X.shape
        self._check_n_clusters(n)
        d = self._check_views(n_features)
        rng = check_random_state(self.random_state)
        eig_seed, km_seed = rng.randint(2**31 - 1, size=2)
        # the index's rows, view by view, in float64 (one copy of the data):
        # the first n rows are the samples' view 0, the queries of the graph
        rows = np.empty((self.n_views * n, d), dtype=np.float64)
        for v in range(self.n_views):
            rows[v * n : (v + 1) * n] = X[:, v * d : (v + 1) * d]
        self._n_train = n
        self._index = NearestNeighbors(n_jobs=self.n_jobs).fit(rows)
        A, k = self._graph(rows[:n], n)
        with reproducible_threads():
            psi, mu = self._embed(A, n, eig_seed)
            c, centers, labels, n_distinct, self.consensus_scores_ = self._kmeans(
                X, psi, km_seed)
            psi, mu = psi[:, :c], mu[:c]
            self._scaled_vectors = nystrom_vectors(psi, None, mu, laplacian="rw")
            self.embedding_ = row_normalize(psi)
        warn_fewer_clusters(
            labels,
            self.n_clusters,
            f"X holds {n_distinct} distinct rows." if n_distinct < self.n_clusters else "",
        )
        self.affinity_matrix_ = A
        self.cluster_centers_ = centers
        self.labels_ = labels
        self.n_neighbors_ = k
        self.n_components_ = psi.shape[1]
        return self

    def __getstate__(self):
        # the neighbour index holds every view of every training sample in
        # float64; they are pickled in float32 when that is exact (the views
        # of CanonicalViews are float32 values: half the size) and indexed
        # again on loading
        state = super().__getstate__()
        index = state.get("_index")
        if isinstance(index, NearestNeighbors):
            rows = index._fit_X
            small = rows.astype(np.float32)
            exact = np.array_equal(small, rows)
            state = dict(state, _index=None, _index_rows=small if exact else rows)
        return state

    def __setstate__(self, state):
        state = dict(state)
        rows = state.pop("_index_rows", None)
        super().__setstate__(state)
        if rows is not None:
            self._index = NearestNeighbors(n_jobs=self.n_jobs).fit(
                rows.astype(np.float64))

    def _kmeans(self, X, psi, seed):
        """k-means on the unit rows of the leading eigenvectors ``psi``.

        Returns the number of eigenvectors used (chosen by the consensus
        rule), the centres, the labels, the number of distinct samples and
        the consensus scores (empty without the rule); identical samples
        share a label, as KMeans gives them.
        """
        inverse, n_distinct = distinct_rows(X)
        c = psi.shape[1]
        if n_distinct < self.n_clusters:
            c = min(c, self.n_clusters)
            U = row_normalize(psi[:, :c])
            labels = inverse.astype(np.int64)
            centers = np.array([U[inverse == i][0] for i in range(n_distinct)])
            return c, centers, labels, n_distinct, {}
        with warnings.catch_warnings():
            # said once in fit, whatever the cause
            warnings.simplefilter("ignore", ConvergenceWarning)
            if self._rule() == "consensus":
                ms = [m for m in candidate_components(self.n_clusters, "auto", len(X)) if m <= c]
                c, km, scores = consensus_kmeans(
                    psi, ms or [c], self.n_clusters, n_init=self.n_init, random_state=seed
                )
                return c, km.cluster_centers_, km.labels_.astype(np.int64), n_distinct, scores
            centers, labels = kmeans_on_embedding(
                row_normalize(psi), self.n_clusters, self.n_init, seed
            )
        return c, centers, labels, n_distinct, {}

    def _extend(self, X):
        """Nystrom extension of the random-walk eigenvectors (view 0 of ``X``)."""
        d = self._check_views(X.shape[1])
        X = np.asarray(X, dtype=np.float64)
        dd, c = self._neighbors(X[:, :d], self.n_neighbors_, exclude_self=False)
        sigma = self_tuning_scales(dd, self.scale_neighbors, floor=self._sigma.min())
        w = stable_exp(dd**2 / (sigma[:, None] * self._sigma[c]))
        return nystrom_extension(w, self._scaled_vectors, c, laplacian="rw")

    def _normalize(self, embedding):
        return row_normalize(embedding)

    def predict(self, X):
        """Cluster of each new sample, by the Nyström extension of the embedding.

        A new sample's eigenvector coordinates are the affinity-weighted mean
        of those of its ``n_neighbors_`` nearest training samples (same
        distance and self-tuning weights as in :meth:`fit`), divided by the
        eigenvalues (:func:`~sklearn_specclust.spectral.nystrom_extension`);
        its label is the nearest k-means centre of the unit row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Samples with the fitted number of views and features.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
            Cluster indices.
        """
        return super().predict(X)
