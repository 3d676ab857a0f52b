"""SA-Net presets as data: the paper's networks and ours.

A preset says what a network is made of -- its layers (patches, spectral
procedures, normalisation), the pooling, binarization and coding stages, the
head -- and where it comes from. :func:`make_sanet` turns a preset into a
:class:`~sklearn.pipeline.Pipeline`; adding a preset adds an entry to
``PRESETS``, not a branch of code.

``"auto"`` geometry is resolved in ``fit`` from the images seen there (see
:class:`PatchFeatures` and :class:`AbsMaxPool`), so one preset serves 8x8 and
64x64 images alike.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class LayerSpec:
    """One spectral layer of a preset and the steps that feed it.

    Parameters
    ----------
    procedures : dict
        Parameters of :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer`
        (``n_neighbors``, ``eps_scales``, ``gaussian_scales``, ``n_components`` ...).
    patch_size, step, padding : int or "auto"
        Geometry of the :class:`PatchFeatures` before the layer.
    padding_mode : str
        How that padding is filled (``PatchFeatures(padding_mode=...)``).
    remove_mean : bool or "channel"
        Remove each patch's mean (the first layer of the paper's networks),
        or its mean per channel.
    pool_before : tuple or None
        ``(pool_size, stride, padding)`` of an :class:`AbsMaxPool` before the
        patches, or ``None``.
    reduce : bool
        Insert a ``"passthrough"`` step ``reduceN`` before the layer, a slot
        for :class:`PatchPCA`.
    normalize : bool
        Follow the layer by a :class:`BlockNormalizer` whose blocks are the
        layer's procedures.
    """

    procedures: dict
    patch_size: object = "auto"
    step: object = "auto"
    padding: object = "auto"
    padding_mode: str = "constant"
    remove_mean: object = False
    pool_before: tuple = None
    reduce: bool = False
    normalize: bool = False


@dataclass(frozen=True)
class Preset:
    """A whole SA-Net: layers, tail stages, head and source.

    Parameters
    ----------
    source : str
        ``"ours"`` or the paper and section the network comes from.
    summary : str
        One line on what the network is.
    layers : tuple of LayerSpec
        The layers at the largest depth the preset defines.
    depth : int
        Default number of layers.
    max_depth : int or None
        Largest allowed depth; ``None`` repeats ``layers[-1]`` for any depth.
    image_shape : tuple or "auto"
        How 2-D rows are read as images by the first :class:`PatchFeatures`.
    pool : tuple or "auto" or None
        Abs-max pooling after the last layer: ``(pool_size, stride,
        padding)``, ``"auto"`` (a 3x3 grid of overlapping windows derived from
        the map size) or ``None``.
    binarize, code : bool
        Sign binarization and bit coding stages.
    head : {"kmeans", "spectral"}
        Image-level head before the clusterer.
    """

    source: str
    summary: str
    layers: tuple
    depth: int = 1
    max_depth: object = 1
    image_shape: object = "auto"
    pool: object = "auto"
    binarize: bool = False
    code: bool = False
    head: str = "kmeans"


# One kNN procedure of 64 eigenvectors: the layer of our normalised networks.
_KNN64 = dict(n_neighbors=(9,), eps_scales=(), gaussian_scales=(), n_components=64, max_nodes=20000)
_PAPER_L1 = dict(n_neighbors=(9, 17), eps_scales=(0.5, 1.0, 2.0),
                 gaussian_scales=("self-tuning", 0.1, 0.01), n_components=64, max_nodes=20000)
_PAPER_L2 = dict(n_neighbors=(9, 17), eps_scales=(), gaussian_scales=("self-tuning", 0.1),
                 n_components=16, max_nodes=20000)
_PAPER_TAIL = dict(pool=(3, 1, "same"), binarize=True, code=True, head="kmeans")

PRESETS = {
    "normalized-knn": Preset(
        source="ours",
        summary=(
            "block-normalised kNN patch embeddings (one procedure, 64 eigenvectors), "
            "patch geometry and pooling derived from the image size, the ground's "
            "level and colour removed, spectral head"
        ),
        layers=(
            LayerSpec(_KNN64, padding_mode="background", remove_mean="channel", normalize=True),
            LayerSpec(_KNN64, patch_size=3, step=1, padding=0,
                      pool_before=(3, 2, "valid"), normalize=True),
            LayerSpec(_KNN64, patch_size=3, step=1, padding=1, normalize=True),
        ),
        depth=1,
        max_depth=3,
        head="spectral",
    ),
    "wang2020-mnist": Preset(
        source="Wang & Jiang 2020, Sec. 4.1 (MNIST)",
        summary="the paper's two-layer MNIST network (11x11 patches, stride 5)",
        layers=(
            LayerSpec(_PAPER_L1, patch_size=11, step=5, padding=4, remove_mean=True),
            LayerSpec(_PAPER_L2, patch_size=4, step=1, padding=0, reduce=True),
        ),
        depth=2,
        max_depth=2,
        image_shape=(28, 28),
        **_PAPER_TAIL,
    ),
    "wang2020-faces": Preset(
        source="Wang & Jiang 2020, Sec. 4.2 (faces)",
        summary="the paper's two-layer face network (15x15 patches, stride 7, Nystrom)",
        layers=(
            LayerSpec(dict(_PAPER_L1, dense_solver="nystrom"),
                      patch_size=15, step=7, padding=0, remove_mean=True),
            LayerSpec(dict(_PAPER_L2, dense_solver="nystrom"),
                      patch_size=2, step=1, padding=0),
        ),
        depth=2,
        max_depth=2,
        **_PAPER_TAIL,
    ),
    "wang2020-natural": Preset(
        source="Wang & Jiang 2020, Sec. 4.3 (natural images)",
        summary="the paper's network for natural images (16 procedures x 16, then 4 x 8)",
        layers=(
            LayerSpec(dict(n_neighbors=(9, 17, 21), eps_scales=(0.5, 1.0, 2.0),
                           gaussian_scales=("self-tuning", 0.1), laplacians=("sym", "rw"),
                           n_components=16, max_nodes=20000),
                      patch_size=11, step=2, padding=0, remove_mean=True),
            LayerSpec(dict(_PAPER_L2, laplacians=("sym",), n_components=8),
                      patch_size=5, step=2, padding=0),
            # every further layer: pooling, 3x3 patches kept in size by padding
            LayerSpec(dict(_PAPER_L2, n_components=8), patch_size=3, step=1, padding=1,
                      pool_before=(3, 1, "same")),
        ),
        depth=2,
        max_depth=None,
        **_PAPER_TAIL,
    ),
    "wang2020-mnist-8x8": Preset(
        source="Wang & Jiang 2020, Sec. 4.1, scaled by us to 8x8 images",
        summary="the paper's MNIST network shrunk to 8x8 digits (4x4 patches, stride 2)",
        layers=(
            LayerSpec(dict(_PAPER_L1, eps_scales=(1.0,), gaussian_scales=("self-tuning",),
                           n_components=16),
                      patch_size=4, step=2, padding=1, remove_mean=True),
            LayerSpec(dict(_PAPER_L2, gaussian_scales=("self-tuning",), n_components=8),
                      patch_size=2, step=1, padding=0),
        ),
        depth=2,
        max_depth=2,
        image_shape=(8, 8),
        **_PAPER_TAIL,
    ),
}

#: The preset ``make_sanet`` uses when none is given.
DEFAULT_PRESET = "normalized-knn"

#: Old preset names, kept for one release: old name -> (new name, make_sanet
#: arguments that give the old network).
DEPRECATED_PRESETS = {
    "mnist": ("wang2020-mnist", {}),
    "faces": ("wang2020-faces", {}),
    "natural": ("wang2020-natural", {}),
    "digits": ("wang2020-mnist-8x8", {}),
    "mnist-plus": ("normalized-knn", {"head": "kmeans"}),
    "digits-plus": ("normalized-knn", {"head": "kmeans"}),
    "natural-plus": ("normalized-knn", {"head": "kmeans", "depth": 2}),
}

