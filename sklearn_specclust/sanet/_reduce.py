"""PatchPCA: principal components of the feature vector at every map location."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.extmath import randomized_svd, svd_flip

from ._base import MapTransformer

# Location vectors projected per block in transform (bounds temporary memory).
_CHUNK = 8192


class PatchPCA(MapTransformer):
    """Project the vector at every location of every map on its principal axes.

    Every location of every map (every row of 2-D input) is one vector of
    ``channels`` features, as in a
    :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer`; this stage
    fits a PCA on (a sample of) those vectors and replaces each by its first
    ``n_components`` principal coordinates, keeping the map layout. Placed
    before a spectral layer, it shrinks the nodes the graphs are built on:
    SA-Net's second MNIST layer sees 4x4x512 = 8192-dimensional feature
    patches. It is an option, not part of the paper's network.

    Parameters
    ----------
    n_components : int, default=128
        Principal coordinates kept; clipped to the number of channels and of
        vectors fitted (``n_components_`` says how many were kept).
    max_samples : int or None, default=20000
        Fit on at most this many location vectors drawn uniformly with
        ``random_state``; ``None`` uses all of them.
    whiten : bool, default=False
        Divide each coordinate by the standard deviation of its component.
        Off by default: the Euclidean distances between nodes (what the
        spectral procedures use) are then those of the projected vectors.
    random_state : int, RandomState instance or None, default=None
        Seeds the sample and the randomized SVD.

    Attributes
    ----------
    components_ : ndarray of shape (n_components_, channels), float32
        Principal axes, by decreasing explained variance.
    mean_ : ndarray of shape (channels,), float32
        Mean of the fitted vectors.
    explained_variance_ : ndarray of shape (n_components_,)
        Variance of the fitted vectors along each axis.
    explained_variance_ratio_ : ndarray of shape (n_components_,)
        The same, as a fraction of the fitted vectors' total variance.
    n_components_ : int
        Principal coordinates kept.
    n_features_in_ : int
        Features (2-D input) or map height (3-D/4-D input) seen in ``fit``.

    See Also
    --------
    sklearn.decomposition.PCA : PCA of 2-D rows (one vector per sample).
    sklearn_specclust.sanet.make_sanet : ``reduce2=PatchPCA(...)`` puts it
        before the second layer of the ``"wang2020-mnist"`` preset.

    Notes
    -----
    The axes come from a randomized SVD of the centred sample (Halko et al.)
    when ``n_components`` is under a quarter of the channels, else from an
    exact SVD. On SA-Net's MNIST network it buys time and memory in layer
    2, not accuracy (measured in
    ``benchmarks/results/sanet_mnist_layer2_pca.md`` and
    ``sanet_mnist_pca128.md``).

    Output has the input's float dtype (float32 for the spectral layers'
    output); the axes and mean are stored as float32.

    References
    ----------
    .. [1] N. Halko, P.-G. Martinsson and J. A. Tropp, "Finding structure with
       randomness: probabilistic algorithms for constructing approximate
       matrix decompositions", SIAM Review 53(2), 2011.
    .. [2] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing 383, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.sanet import PatchPCA
    >>> X = np.random.RandomState(0).rand(10, 3, 3, 50)
    >>> pca = PatchPCA(n_components=8, random_state=0).fit(X)
    >>> pca.transform(X).shape
    (10, 3, 3, 8)
    >>> pca.n_components_
    8
    """

    # the components are learnt from the values: not fitted on batches
    _fit_reads_shape_only = False

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "max_samples": [Interval(Integral, 1, None, closed="left"), None],
        "whiten": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=128, *, max_samples=20000, whiten=False,
                 random_state=None):
        self.n_components = n_components
        self.max_samples = max_samples
        self.whiten = whiten
        self.random_state = random_state

    def _fit_maps(self, maps):
        vectors = maps.reshape(-1, maps.shape[-1])
        rng = check_random_state(self.random_state)
        if self.max_samples is not None and len(vectors) > self.max_samples:
            vectors = vectors[np.sort(rng.choice(len(vectors), self.max_samples,
                                                 replace=False))]
        n, c = vectors.shape
        k = int(min(self.n_components, c, n))
        mean = vectors.mean(axis=0, dtype=np.float64)
        if 4 * k < min(n, c):
            # float32 halves the memory of the (up to 20000 x 8192) sample
            R = np.asarray(vectors, dtype=np.float32) - mean.astype(np.float32)
            _, s, vt = randomized_svd(R, k, random_state=rng)
        else:
            R = np.asarray(vectors, dtype=np.float64) - mean
            u, s, vt = np.linalg.svd(R, full_matrices=False)
            _, vt = svd_flip(u, vt)
            s, vt = s[:k], vt[:k]
        s = s.astype(np.float64)
        var = s**2 / max(n - 1, 1)
        total = np.einsum("ij,ij->", R, R, dtype=np.float64) / max(n - 1, 1)
        self.components_ = vt.astype(np.float32)
        self.mean_ = mean.astype(np.float32)
        self.explained_variance_ = var
        self.explained_variance_ratio_ = var / total if total > 0 else np.zeros_like(var)
        self.n_components_ = k

    def _transform_maps(self, maps):
        n, h, w, c = maps.shape
        vectors = maps.reshape(-1, c)
        proj = self.components_.T.astype(maps.dtype)
        if self.whiten:
            scale = np.sqrt(self.explained_variance_)
            proj /= np.where(scale > 0, scale, 1.0).astype(maps.dtype)
        offset = self.mean_.astype(maps.dtype) @ proj
        out = np.empty((len(vectors), self.n_components_), dtype=maps.dtype)
        for start in range(0, len(vectors), _CHUNK):
            block = vectors[start : start + _CHUNK]
            np.subtract(block @ proj, offset, out=out[start : start + _CHUNK])
        return out.reshape(n, h, w, self.n_components_)
