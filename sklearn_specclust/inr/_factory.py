"""make_rotinv_inr: the rotation-invariant clustering pipelines."""

import warnings

from sklearn.cluster import KMeans
from sklearn.utils.validation import _num_samples

from ..cluster import SelfTuningSpectralClustering
from ..utils._clustering import check_n_clusters
from ..utils._pipeline import CheckedPipeline
from ._dec import DEC
from ._encoder import RotInvINREncoder
from ._orbit import ORBIT_ANGLES, CanonicalViews, OrbitSpectralClustering
from ._presets import DEFAULT_PRESET, PRESETS, RENAMED

_CLUSTERERS = ("kmeans", "dec", "spectral", "orbit")


class RotInvPipeline(CheckedPipeline):
    """A :class:`~sklearn.pipeline.Pipeline` that checks ``n_clusters`` first.

    ``fit``, ``fit_transform`` and ``fit_predict`` refuse more clusters than
    samples before the first step runs (an encoder may train for minutes).
    """

    def _before_fit(self, X, params):
        check_n_clusters(self.steps[-1][1].n_clusters, _num_samples(X), self.steps[-1][1])
        return params


def _clusterer(name, n_clusters, random_state, verbose):
    if name == "kmeans":
        return KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    if name == "dec":
        return DEC(n_clusters=n_clusters, alpha=1e-4, random_state=random_state,
                   verbose=verbose)
    if name == "spectral":
        return SelfTuningSpectralClustering(
            n_clusters=n_clusters, affinity="knn", random_state=random_state
        )
    return OrbitSpectralClustering(
        n_clusters, n_views=len(ORBIT_ANGLES), random_state=random_state
    )


def _resolve_preset(preset):
    if preset is None:
        return PRESETS[DEFAULT_PRESET]
    if preset in RENAMED:
        warnings.warn(
            f"preset={preset!r} was renamed {RENAMED[preset]!r} and the old name will "
            "be removed in the next release; pass preset="
            f"{RENAMED[preset]!r}.",
            FutureWarning,
            stacklevel=3,
        )
        return PRESETS[RENAMED[preset]]
    if preset not in PRESETS:
        raise ValueError(
            f"preset must be one of {sorted(PRESETS)} (or None for the default "
            f"{DEFAULT_PRESET!r}), got {preset!r}."
        )
    return PRESETS[preset]


def make_rotinv_inr(
    n_clusters=10,
    *,
    preset=None,
    clusterer=None,
    random_state=None,
    verbose=0,
    **overrides,
):
    """Rotation-invariant image clustering pipeline.

    The default (``preset=None``, the ``"canonical-orbit"`` preset) learns
    nothing: :class:`CanonicalViews` rotates each image so that its measured
    major axis points up and adds five turned views (a half turn and
    +-20 degrees around both, ``ORBIT_ANGLES``), then
    :class:`OrbitSpectralClustering` clusters the kNN graph of the
    minimum-over-views distances. The other presets put
    :class:`RotInvINREncoder` (Kwon's implicit-neural-representation
    encoder) first and cluster its invariant latent; ``"kwon-thesis"`` is the
    thesis's model, losses and k-means. Presets are listed, with their
    sources, in ``sklearn_specclust.inr._presets.PRESETS``; the
    :ref:`user guide <rotinv>` compares them.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.
    preset : str or None, default=None
        None or ``"canonical-orbit"``: canonical views + orbit spectral
        clustering (ours). ``"kwon-thesis"``: the thesis's encoder and
        k-means. ``"inr-balanced"``, ``"inr-canonical"``: the encoder with a
        per-image-sum reconstruction loss, learned or measured orientation
        (ours). The names ``"thesis"``, ``"balanced"`` and ``"canonical"``
        of the previous release still work and warn.
    clusterer : {"kmeans", "dec", "spectral", "orbit"} or None, default=None
        The final step; None uses the preset's. ``"kmeans"``: k-means
        (``n_init=10``); ``"dec"``: :class:`DEC` with the thesis's
        ``alpha=1e-4``; ``"spectral"``:
        :class:`~sklearn_specclust.cluster.SelfTuningSpectralClustering` on a
        kNN graph; ``"orbit"``: :class:`OrbitSpectralClustering` on the six
        canonical views (of the pixels, or of the encoder's latents through
        its ``view_angles``). Without an encoder the other clusterers see the
        one canonical view of the pixels.
    random_state : int, RandomState instance or None, default=None
        Seeds every step.
    verbose : int, default=0
        Positive: the pipeline prints each step's time, the encoder and DEC a
        line per epoch (loss, images/s).
    **overrides : dict
        Parameters of the steps, as ``encoder__max_epochs=10`` or
        ``cluster__n_neighbors=15``; a name without a ``step__`` prefix goes
        to the first step (``"views"`` or ``"encoder"``).

    Returns
    -------
    pipeline : Pipeline
        Steps ``"views"`` (no encoder) or ``"encoder"``, then ``"cluster"``;
        ``fit_predict(X)`` clusters images and ``predict`` labels new ones.

    Raises
    ------
    ValueError
        For an unknown ``preset`` or ``clusterer``, at once; for
        ``n_clusters`` larger than the number of images, when ``fit`` starts.

    See Also
    --------
    CanonicalViews, OrbitSpectralClustering, RotInvINREncoder, DEC

    References
    ----------
    .. [1] Kwon, "Rotationally Invariant Clustering with Implicit Neural
       Representations" (thesis).
    .. [2] Zelnik-Manor and Perona, "Self-Tuning Spectral Clustering", NIPS 2004.

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images, make_rotated
    >>> from sklearn_specclust.inr import make_rotinv_inr
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X_rot, y_rot, _ = make_rotated(X[:300], y[:300], random_state=0)
    >>> make_rotinv_inr(10, random_state=0).fit_predict(X_rot).shape
    (300,)
    """
    if clusterer is not None and clusterer not in _CLUSTERERS:
        raise ValueError(
            f"clusterer must be one of {list(_CLUSTERERS)} or None, got {clusterer!r}."
        )
    spec = _resolve_preset(preset)
    clusterer = clusterer or spec.clusterer
    cluster = _clusterer(clusterer, n_clusters, random_state, verbose)
    angles = ORBIT_ANGLES if clusterer == "orbit" else (0.0,)
    if spec.encoder is None:
        first = ("views", CanonicalViews("axis", angles=angles))
    else:
        params = dict(spec.encoder, random_state=random_state, verbose=verbose)
        if clusterer == "orbit":
            params["view_angles"] = ORBIT_ANGLES
        first = ("encoder", RotInvINREncoder(**params))
    pipe = RotInvPipeline([first, ("cluster", cluster)], verbose=bool(verbose))
    pipe.set_params(
        **{(k if "__" in k else f"{first[0]}__{k}"): v for k, v in overrides.items()}
    )
    return pipe
