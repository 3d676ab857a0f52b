"""make_rotinv_inr: the thesis's pipeline (encoder + k-means or DEC)."""

from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline

from ..cluster import SelfTuningSpectralClustering
from ._dec import DEC
from ._encoder import RotInvINREncoder
from ._orbit import ORBIT_ANGLES, OrbitSpectralClustering

#: Encoder parameters of each preset (``make_rotinv_inr(preset=...)``).
PRESETS = {
    "thesis": {},
    "balanced": dict(
        reconstruction_reduction="sum", angle_target="radial_com", lr=1e-3
    ),
    "canonical": dict(reconstruction_reduction="sum", reference="axis", lr=1e-3),
}


def make_rotinv_inr(
    n_clusters=10, *, clusterer="kmeans", preset="thesis", random_state=None, **overrides
):
    """Pipeline of :class:`RotInvINREncoder` and k-means or :class:`DEC`.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters.
    clusterer : {"kmeans", "dec", "spectral", "orbit"}, default="kmeans"
        k-means (``n_init=10``) or DEC with the thesis's ``alpha=1e-4`` on the
        invariant latent (the thesis's two), or a neighbour-based stage:
        :class:`~sklearn_specclust.cluster.SelfTuningSpectralClustering` on
        the latents' sparse kNN graph (``affinity="knn"``), as the published
        follow-up of the thesis clusters a neighbour graph rather than
        centroids. Not in the thesis; see ``benchmarks/results/rotinv_*.md``
        for its measured effect. ``"orbit"``: :class:`OrbitSpectralClustering`
        (15 eigenvectors) on the latents of six canonical views of each image
        (the encoder's ``view_angles=ORBIT_ANGLES``: half turn and +-20
        degrees), whose kNN graph tolerates errors of the reference
        orientation; the best measured with ``preset="canonical"`` and the
        AE decoder (``benchmarks/results/rotinv_gap.md``). The hypernetwork's
        latent does worse on the +-20 degree views (rotated MNIST, 60
        epochs: ACC 0.66 with the six views, 0.69 with the canonical one
        alone, 0.73 with it and its half turn): pass
        ``encoder__view_angles=(0.0, np.pi), cluster__n_views=2`` for it.
    preset : {"thesis", "balanced", "canonical"}, default="thesis"
        Encoder settings. ``"thesis"``: the encoder's defaults, the thesis's
        configuration. ``"balanced"``: ``reconstruction_reduction="sum"``
        (the per-image sum of squared errors, against the latent collapse of
        the thesis's loss balance), ``angle_target="radial_com"`` and
        ``lr=1e-3`` (faster progress in a CPU budget); see the Notes of
        :class:`RotInvINREncoder` and ``benchmarks/results/rotinv_*.md`` for
        their measured effect. ``"canonical"``: the per-image-sum
        reconstruction and ``lr=1e-3`` of ``"balanced"``, with the orientation
        *measured* (``reference="axis"``, the major axis of the second
        moments signed by the skewness) instead of learned, so that the
        encoder sees images rotated to their reference orientation.
        Measured on 3000 rotated MNIST digits without 9
        (``benchmarks/results/rotinv_mnist_canonical.md``): k-means ACC 0.53
        against 0.41 for ``"balanced"``; with ``clusterer="orbit"`` 0.52 for
        the hypernetwork after 15 epochs and 0.86 with
        ``decoder="mlp"`` (the AE baseline, 100 epochs), the best learned
        configuration measured; :class:`CanonicalViews` +
        :class:`OrbitSpectralClustering` on the pixels reach 0.90 without
        training. ``overrides`` apply on top.
    random_state : int, RandomState instance or None, default=None
        Seeds both steps.
    **overrides : dict
        Parameters of the steps, as ``encoder__max_epochs=10`` or
        ``cluster__alpha=1.0``; a name without a ``step__`` prefix goes to the
        encoder.

    Returns
    -------
    pipeline : Pipeline
        Steps ``"encoder"`` and ``"cluster"``; ``fit_predict(X)`` clusters
        images.

    See Also
    --------
    RotInvINREncoder, DEC, OrbitSpectralClustering, CanonicalViews
    sklearn_specclust.cluster.SelfTuningSpectralClustering

    References
    ----------
    .. [1] Kwon, "Rotationally Invariant Clustering with Implicit Neural
       Representations" (thesis).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.inr import make_rotinv_inr
    >>> X = np.random.RandomState(0).rand(30, 8, 8)
    >>> pipe = make_rotinv_inr(3, random_state=0, max_epochs=1, latent_dim=4,
    ...                        hidden=(16,), hyper_hidden=(16,), fn_hidden=(16,),
    ...                        n_fourier=8)
    >>> pipe.fit_predict(X).shape
    (30,)
    """
    if clusterer == "kmeans":
        cluster = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    elif clusterer == "dec":
        cluster = DEC(n_clusters=n_clusters, alpha=1e-4, random_state=random_state)
    elif clusterer == "spectral":
        cluster = SelfTuningSpectralClustering(
            n_clusters=n_clusters, affinity="knn", random_state=random_state
        )
    elif clusterer == "orbit":
        cluster = OrbitSpectralClustering(
            n_clusters,
            n_views=len(ORBIT_ANGLES),
            n_components=15,
            random_state=random_state,
        )
    else:
        raise ValueError(
            "clusterer must be 'kmeans', 'dec', 'spectral' or 'orbit', got "
            f"{clusterer!r}."
        )
    if preset not in PRESETS:
        raise ValueError(f"preset must be one of {sorted(PRESETS)}, got {preset!r}.")
    pipe = Pipeline(
        [("encoder", RotInvINREncoder(random_state=random_state)), ("cluster", cluster)]
    )
    params = {f"encoder__{k}": v for k, v in PRESETS[preset].items()}
    if clusterer == "orbit":
        params["encoder__view_angles"] = ORBIT_ANGLES
    params.update(
        {(k if "__" in k else f"encoder__{k}"): v for k, v in overrides.items()}
    )
    pipe.set_params(**params)
    return pipe
