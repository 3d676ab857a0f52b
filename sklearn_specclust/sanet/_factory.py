"""make_sanet: an SA-Net preset turned into a scikit-learn Pipeline."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.cluster import KMeans
from sklearn.preprocessing import FunctionTransformer

from ..spectral import SpectralAnalysisLayer
from ._binarize import SignBinarizer
from ._coding import BitCoder
from ._head import SpectralHead
from ._normalize import BlockNormalizer
from ._patches import PatchFeatures
from ._pipeline import SANetPipeline
from ._pooling import AbsMaxPool
from ._presets import DEFAULT_PRESET, DEPRECATED_PRESETS, PRESETS


def _to_rows(X):
    """Flatten maps to one row per image (the input of the head and clusterer)."""
    X = np.asarray(X)
    return X.reshape(X.shape[0], -1)


def _resolve_preset(preset, given):
    """The Preset for ``preset`` (a name or None) and defaults of a deprecated name."""
    if preset is None:
        return DEFAULT_PRESET, PRESETS[DEFAULT_PRESET], {}
    if preset in DEPRECATED_PRESETS:
        new, implied = DEPRECATED_PRESETS[preset]
        extra = "".join(f", {k}={v!r}" for k, v in implied.items())
        warnings.warn(
            f"preset={preset!r} is renamed; use preset={new!r}{extra}. The old name "
            "will be removed in the next release.",
            FutureWarning,
            stacklevel=3,
        )
        return new, PRESETS[new], {k: v for k, v in implied.items() if given.get(k) is None}
    if preset not in PRESETS:
        raise ValueError(
            f"Unknown preset {preset!r}; choose one of {sorted(PRESETS)} "
            f"(default {DEFAULT_PRESET!r})."
        )
    return preset, PRESETS[preset], {}


def _layer_specs(name, spec, depth):
    if depth is None:
        depth = spec.depth
    if not isinstance(depth, Integral) or depth < 1 or (
        spec.max_depth is not None and depth > spec.max_depth
    ):
        most = "any number of" if spec.max_depth is None else f"1 to {spec.max_depth}"
        raise ValueError(f"preset={name!r} has {most} layers; got depth={depth!r}.")
    return [spec.layers[min(d, len(spec.layers) - 1)] for d in range(depth)]


def _pool_step(pool):
    if pool == "auto":
        return AbsMaxPool(output_size=3)
    if not (isinstance(pool, (tuple, list)) and len(pool) == 3):
        raise ValueError(
            "pool must be None, a bool, 'auto' or a tuple (pool_size, stride, padding), "
            f"got {pool!r}."
        )
    size, stride, padding = pool
    return AbsMaxPool(size, stride=stride, padding=padding)


def _network_steps(spec, layers, random_state):
    """(name, estimator) of the patches, layers and normalisers of a preset."""
    steps = []
    for d, layer in enumerate(layers, start=1):
        if layer.pool_before is not None:
            steps.append((f"pool{d - 1}", _pool_step(layer.pool_before)))
        first = dict(image_shape=spec.image_shape, output="maps") if d == 1 else {}
        steps.append((f"patches{d}", PatchFeatures(
            layer.patch_size, step=layer.step, padding=layer.padding,
            padding_mode=layer.padding_mode, remove_mean=layer.remove_mean, **first,
        )))
        if layer.reduce:
            steps.append((f"reduce{d}", "passthrough"))
        steps.append((f"layer{d}", SpectralAnalysisLayer(
            random_state=random_state, **layer.procedures
        )))
        if layer.normalize:
            steps.append((f"norm{d}", BlockNormalizer()))
    return steps


def _clusterer(clusterer, head, n_clusters, random_state):
    if head == "spectral":
        if clusterer is not None:
            raise ValueError(
                "clusterer is the last step of head='kmeans'; the spectral head "
                "clusters its own embedding (give head='kmeans' with a clusterer)."
            )
        return SpectralHead(n_clusters, random_state=random_state)
    if clusterer is None or (isinstance(clusterer, str) and clusterer == "kmeans"):
        return KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    if isinstance(clusterer, str) or not hasattr(clusterer, "fit"):
        raise ValueError(
            f"clusterer must be None, 'kmeans' or an estimator with fit and "
            f"fit_predict (e.g. sklearn.cluster.AgglomerativeClustering), got {clusterer!r}."
        )
    return clusterer


def make_sanet(
    n_clusters=10,
    *,
    preset=None,
    depth=None,
    clusterer=None,
    pool=None,
    binarize=None,
    code=None,
    head=None,
    random_state=None,
    verbose=False,
    **overrides,
):
    """SA-Net as a scikit-learn pipeline, built from a preset.

    The default network (``preset="normalized-knn"``) is the best SA-Net we
    have measured on every data set we tried; the paper's networks are the
    ``"wang2020-*"`` presets. Patch size, stride, padding and pooling of the
    default are derived in ``fit`` from the size of the images (any size,
    grey or RGB), so one call serves 8x8 digits and 64x64 photographs. The
    measured accuracy of every preset is in the user guide
    (:ref:`sanet-defaults`).

    Steps are named so that ``GridSearchCV`` reaches every parameter:
    ``patches1``, ``layer1`` (``norm1`` for normalised presets), and for
    deeper networks ``pool1``, ``patches2``, ``layer2`` ...; then ``pool``,
    ``binarize``, ``code``, ``flatten`` and ``cluster`` (the clusterer, or the
    :class:`SpectralHead`). Every layer embeds new images out of sample, so the
    pipeline can ``predict`` held-out images.

    Parameters
    ----------
    n_clusters : int or "auto", default=10
        Number of clusters; ``"auto"`` lets the spectral head choose it
        without labels (see :class:`SpectralHead`).
    preset : str or None, default=None
        The network (``None`` is ``"normalized-knn"``):

        - ``"normalized-knn"`` (ours): per layer one kNN procedure (k=9, 64
          eigenvectors) on mean-removed patches (the first layer's patches
          padded with each image's border level and their mean removed per
          channel, so the ground's level and colour drop out), each patch's
          coordinates scaled to unit length (:class:`BlockNormalizer`, the row
          normalisation of Ng, Jordan and Weiss); patches of about a third of
          the image at a stride that gives about 13-16 locations a side; adaptive
          abs-max pooling to a 3x3 grid; no binarization or coding; the
          image-level spectral head. ``depth`` 1 (default), 2 or 3.
        - ``"wang2020-mnist"``: the paper's MNIST network (Sec. 4.1), two
          layers of 7 and 4 procedures, 3x3 pooling, binarization, coding.
        - ``"wang2020-faces"``: the paper's face network (Sec. 4.2).
        - ``"wang2020-natural"``: the paper's network for natural images
          (Sec. 4.3), any ``depth``.
        - ``"wang2020-mnist-8x8"``: the MNIST network scaled by us to 8x8
          images.

        ``PRESETS`` in ``sklearn_specclust.sanet`` holds each as data (its
        layers, stages, head and source). The names of the previous release
        (``"mnist"``, ``"mnist-plus"``, ``"natural-plus"`` ...) still work with
        a ``FutureWarning``.
    depth : int or None, default=None
        Number of spectral layers; ``None`` is the preset's.
    clusterer : estimator, "kmeans" or None, default=None
        The last step of ``head="kmeans"``; ``None`` and ``"kmeans"`` are
        ``KMeans(n_clusters, n_init=10)``.
    pool : bool, "auto", tuple or None, default=None
        Abs-max pooling after the last layer: ``None`` or ``True`` is the
        preset's, ``"auto"`` a 3x3 grid of overlapping windows derived from
        the map size, a tuple ``(pool_size, stride, padding)`` sets one,
        ``False`` switches it off (the paper's Table 3 ablation).
    binarize, code : bool or None, default=None
        Keep the sign binarization and bit coding stages; ``None`` is the
        preset's. A switched-off stage is ``"passthrough"``.
    head : {"kmeans", "spectral"} or None, default=None
        ``None`` is the preset's. ``"kmeans"`` hands the flattened features
        to ``clusterer`` (the paper). ``"spectral"`` ends in a
        :class:`SpectralHead`: spectral clustering of the *images* on the
        SA-Net features (a kNN graph of the images, every image a node,
        Nystrom extension for new images), with the number of eigenvectors
        chosen in ``fit`` by the normalised cut (``cluster__n_components``
        sets one).
    random_state : int, RandomState instance or None, default=None
        Seeds every layer and the default clusterer.
    verbose : bool, default=False
        Print the time each step takes (``Pipeline``'s ``verbose``).
    **overrides : dict
        ``step__param`` values set on the pipeline, e.g.
        ``layer1__n_neighbors=(5,)``.

    Returns
    -------
    pipeline : SANetPipeline
        A :class:`~sklearn.pipeline.Pipeline` whose ``fit`` also derives the
        coupled parameters (the normaliser's and coder's blocks follow the
        layer's ``n_components``).

    See Also
    --------
    SANetPipeline, PatchFeatures, sklearn_specclust.spectral.SpectralAnalysisLayer

    Notes
    -----
    Choices the paper leaves open, made here: the pooling window of its
    presets is 3x3 with stride 1 and "same" borders (the only reading under
    which 3x3x64 maps give 72 coded features); sigma is relative to the
    median squared distance between nodes (see
    :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer`); the bit
    coder groups channels inside each procedure's block, never across
    procedures. The user guide says how each preset was chosen and what it
    measured (:ref:`sanet-defaults`).

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing 383, 2020.
    .. [2] A. Y. Ng, M. I. Jordan and Y. Weiss, "On spectral clustering:
       analysis and an algorithm", NIPS 2001 (the block normalisation of
       ``"normalized-knn"``).

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images
    >>> from sklearn_specclust.sanet import make_sanet
    >>> X, y = load_digits_images(return_X_y=True)
    >>> net = make_sanet(10, random_state=0)
    >>> [name for name, _ in net.steps]
    ['patches1', 'layer1', 'norm1', 'pool', 'binarize', 'code', 'flatten', 'cluster']
    >>> net.fit_predict(X[:200]).shape
    (200,)
    """
    auto = isinstance(n_clusters, str) and n_clusters == "auto"
    if not auto and (
        not isinstance(n_clusters, Integral) or isinstance(n_clusters, bool) or n_clusters < 1
    ):
        raise ValueError(f"n_clusters must be an int >= 1 or 'auto', got {n_clusters!r}.")
    given = dict(depth=depth, head=head)
    name, spec, implied = _resolve_preset(preset, given)
    depth = implied.get("depth", depth)
    head = implied.get("head", head) or spec.head
    if head not in ("kmeans", "spectral"):
        raise ValueError(f"head must be 'kmeans', 'spectral' or None, got {head!r}.")
    if auto and head != "spectral":
        raise ValueError(
            "n_clusters='auto' is chosen by the spectral head; use head='spectral' "
            "(the default) or give the number of clusters."
        )
    cluster = _clusterer(clusterer, head, n_clusters, random_state)
    layers = _layer_specs(name, spec, depth)
    pool = spec.pool if pool is None or pool is True else pool
    binarize = spec.binarize if binarize is None else binarize
    code = spec.code if code is None else code

    steps = _network_steps(spec, layers, random_state)
    steps += [
        ("pool", _pool_step(pool) if pool else "passthrough"),
        ("binarize", SignBinarizer() if binarize else "passthrough"),
        ("code", BitCoder(8) if code else "passthrough"),
        ("flatten", FunctionTransformer(_to_rows)),
    ]
    steps.append(("cluster", cluster))
    pipe = SANetPipeline(steps, verbose=verbose)
    if overrides:
        pipe.set_params(**overrides)
    return pipe
