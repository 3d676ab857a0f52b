"""make_sanet: SA-Net as a plain scikit-learn Pipeline, with the paper's presets."""

import numpy as np
from sklearn.cluster import KMeans
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer, Normalizer

from ..spectral import SpectralAnalysisLayer
from ._binarize import SignBinarizer
from ._coding import BitCoder
from ._normalize import BlockNormalizer
from ._patches import PatchExtractor
from ._pooling import AbsMaxPool

PRESETS = ("mnist", "mnist-plus", "faces", "natural", "natural-plus", "digits", "digits-plus")

# depth, pooling (size, stride, padding) and stages kept by default, per preset
_PAPER_TAIL = dict(depth=2, pool=(3, 1, "same"), binarize=True, code=True)
_TAILS = {
    "mnist-plus": dict(depth=1, pool=(5, 4, "valid"), binarize=False, code=False),
    "digits-plus": dict(depth=1, pool=(3, 2, "valid"), binarize=False, code=False),
    # depth 1 pools like "mnist-plus"; deeper networks see 4x4 maps (_tail)
    "natural-plus": dict(depth=2, pool=(2, 1, "valid"), binarize=False, code=False),
}


def _tail(preset, depth):
    """The preset's default tail (depth, pool, binarize, code) at ``depth``."""
    tail = dict(_TAILS.get(preset, _PAPER_TAIL))
    if preset == "natural-plus" and depth == 1:
        tail["pool"] = _TAILS["mnist-plus"]["pool"]
    return tail


def _to_rows(X):
    """Flatten maps to one row per image (the input of the clusterer)."""
    X = np.asarray(X)
    return X.reshape(X.shape[0], -1)


def _layer(rs, **params):
    return SpectralAnalysisLayer(random_state=rs, **params)


def _plus_layer(rs, d):
    """Layer ``d`` of the ``-plus`` presets: one kNN (k=9) procedure x 64, block-normalised."""
    return [
        (f"layer{d}", _layer(rs, n_neighbors=(9,), eps_scales=(), sigmas=(), n_components=64)),
        (f"norm{d}", BlockNormalizer(block_size=64)),
    ]


def _preset_steps(preset, depth, rs):
    """List of (name, estimator) before the pool/binarize/code stages."""
    if preset == "mnist":
        if depth != 2:
            raise ValueError(f"preset='mnist' is the paper's 2-layer network; got depth={depth}.")
        return [
            ("patches1", PatchExtractor(11, step=5, padding=4, remove_mean=True,
                                        image_shape=(28, 28), output="maps")),
            ("layer1", _layer(rs, n_neighbors=(9, 17), eps_scales=(0.5, 1.0, 2.0),
                              sigmas=("self-tuning", 0.1, 0.01), n_components=64)),
            ("patches2", PatchExtractor(4, step=1)),
            # an option, off: reduce2=PatchPCA(128) shrinks the 8192-dim nodes
            ("reduce2", "passthrough"),
            ("layer2", _layer(rs, n_neighbors=(9, 17), eps_scales=(),
                              sigmas=("self-tuning", 0.1), n_components=16)),
        ]
    if preset == "mnist-plus":
        # not the paper: see make_sanet's docstring and sanet_diagnosis.md
        if depth != 1:
            raise ValueError(f"preset='mnist-plus' has 1 layer; got depth={depth}.")
        return [
            ("patches1", PatchExtractor(11, step=2, padding=4, remove_mean=True,
                                        image_shape=(28, 28), output="maps")),
        ] + _plus_layer(rs, 1)
    if preset == "digits-plus":
        # "mnist-plus" scaled to 8x8 images (not the paper)
        if depth != 1:
            raise ValueError(f"preset='digits-plus' has 1 layer; got depth={depth}.")
        return [
            ("patches1", PatchExtractor(4, step=1, padding=1, remove_mean=True,
                                        image_shape=(8, 8), output="maps")),
        ] + _plus_layer(rs, 1)
    if preset == "faces":
        if depth != 2:
            raise ValueError(f"preset='faces' has 2 layers; got depth={depth}.")
        return [
            ("patches1", PatchExtractor(15, step=7, remove_mean=True, output="maps")),
            ("layer1", _layer(rs, n_neighbors=(9, 17), eps_scales=(0.5, 1.0, 2.0),
                              sigmas=("self-tuning", 0.1, 0.01), n_components=64,
                              dense_solver="nystrom")),
            ("patches2", PatchExtractor(2, step=1)),
            ("layer2", _layer(rs, n_neighbors=(9, 17), eps_scales=(),
                              sigmas=("self-tuning", 0.1), n_components=16,
                              dense_solver="nystrom")),
        ]
    if preset == "digits":
        # scikit-learn's 8x8 digits: the MNIST network scaled to 8x8 images
        if depth != 2:
            raise ValueError(f"preset='digits' has 2 layers; got depth={depth}.")
        return [
            ("patches1", PatchExtractor(4, step=2, padding=1, remove_mean=True,
                                        image_shape=(8, 8), output="maps")),
            ("layer1", _layer(rs, n_neighbors=(9, 17), eps_scales=(1.0,),
                              sigmas=("self-tuning",), n_components=16)),
            ("patches2", PatchExtractor(2, step=1)),
            ("layer2", _layer(rs, n_neighbors=(9, 17), eps_scales=(),
                              sigmas=("self-tuning",), n_components=8)),
        ]
    if preset == "natural-plus":
        # not the paper: normalised kNN layers (make_sanet's docstring)
        if depth not in (1, 2, 3):
            raise ValueError(f"preset='natural-plus' has 1, 2 or 3 layers; got depth={depth}.")
        before = [  # what comes before layer d = 1, 2, 3
            [("patches1", PatchExtractor(11, step=2, padding=4, remove_mean=True,
                                         image_shape=(28, 28), output="maps"))],  # 13x13
            [("pool1", AbsMaxPool(3, stride=2, padding="valid")),  # 6x6
             ("patches2", PatchExtractor(3, step=1))],  # 4x4
            [("patches3", PatchExtractor(3, step=1, padding=1))],  # 4x4
        ]
        steps = []
        for d in range(1, depth + 1):
            steps += before[d - 1] + _plus_layer(rs, d)
        return steps
    # "natural" (paper 4.3): 16 procedures x 16, then 8 x 8, then 3x3 layers
    if depth < 1:
        raise ValueError(f"depth must be >= 1, got {depth}.")
    steps = [
        ("patches1", PatchExtractor(11, step=2, remove_mean=True, output="maps")),
        ("layer1", _layer(rs, n_neighbors=(9, 17, 21), eps_scales=(0.5, 1.0, 2.0),
                          sigmas=("self-tuning", 0.1), laplacians=("sym", "rw"),
                          n_components=16)),
    ]
    if depth >= 2:
        steps += [
            ("patches2", PatchExtractor(5, step=2)),
            ("layer2", _layer(rs, n_neighbors=(9, 17), eps_scales=(),
                              sigmas=("self-tuning", 0.1), laplacians=("sym",),
                              n_components=8)),
        ]
    for d in range(3, depth + 1):
        # each further layer: 3x3 patches (size kept by padding), 8 x 8, pooling
        steps += [
            (f"pool{d - 1}", AbsMaxPool(3, stride=1)),
            (f"patches{d}", PatchExtractor(3, step=1, padding=1)),
            (f"layer{d}", _layer(rs, n_neighbors=(9, 17), eps_scales=(),
                                 sigmas=("self-tuning", 0.1), n_components=8)),
        ]
    return steps


def make_sanet(
    n_clusters=10,
    *,
    preset="mnist",
    depth=None,
    clusterer=None,
    pool=None,
    binarize=None,
    code=None,
    head="kmeans",
    random_state=None,
    **overrides,
):
    """SA-Net as a :class:`~sklearn.pipeline.Pipeline` with the paper's settings.

    The steps are named so that every parameter is reachable by
    ``GridSearchCV`` (``"layer1__n_neighbors"``, ``"layer2__sigmas"``,
    ``"pool__pool_size"`` ...): ``patches1``, ``layer1``, ``patches2``,
    (``reduce2`` for ``"mnist"``), ``layer2`` (and, for deeper ``"natural"`` networks, ``pool2``,
    ``patches3``, ``layer3`` ...), then ``pool``, ``binarize``, ``code``,
    ``flatten`` and ``cluster``. Every layer embeds new images out of sample,
    so the pipeline can ``predict`` held-out images.

    Parameters
    ----------
    n_clusters : int, default=10
        Number of clusters of the default k-means clusterer.
    preset : {"mnist", "mnist-plus", "faces", "natural", "natural-plus", "digits", "digits-plus"}, default="mnist"
        The paper's settings, and ours that are not the paper's:

        - ``"mnist"`` (Sec. 4.1): 11x11 patches, stride 5, zero padding 4
          (6x6 per 28x28 image), mean removed; layer 1: kNN k=9, 17;
          eps = 0.5, 1, 2 x the MST's longest edge; Gaussian self-tuning,
          sigma=0.1, sigma=0.01; L_sym; 64 eigenvectors each (6x6x512);
          layer 2: 4x4 feature patches, stride 1, no padding (3x3); kNN 9, 17;
          self-tuning, sigma=0.1; 16 eigenvectors each (3x3x64); abs-max
          pooling 3x3 with stride 1 and "same" borders (keeps 3x3); sign
          binarization; coding with L=8 -> 3x3x8 = 72 features; k-means.
          Step ``reduce2`` (``"passthrough"``) is an option that is not the
          paper's: ``reduce2=PatchPCA(128)`` projects the 8192-dim layer-2
          nodes on their first 128 principal axes (see :class:`PatchPCA`
          and ``benchmarks/results/sanet_mnist_layer2_pca.md``).
        - ``"mnist-plus"`` (not the paper; what closes most of the gap
          measured in ``benchmarks/results/sanet_diagnosis.md``): one layer.
          11x11 patches, **stride 2** (13x13 per image), mean removed;
          **one** kNN procedure (k=9, L_sym, 64 eigenvectors); **block
          normalisation** (step ``norm1``, :class:`BlockNormalizer`: every
          patch's 64 coordinates scaled to unit length); abs-max pooling
          **5x5, stride 4, "valid"** (3x3x64 = 576 features); **no**
          binarization or coding; k-means. What each change does, measured
          on 2000 MNIST test images with k-means: the raw layer-1
          coordinates of the paper's network give ACC 0.47 (pixels 0.555),
          because a few eigenvectors localised on a handful of patches
          (coordinates of 10-30 units) dominate the distances; normalising
          each patch's coordinates brings one kNN procedure from 0.54 to
          0.58 (6x6 map) and is the change everything else depends on
          (stride 2 + pooling without it: 0.37, with it: 0.89); the
          eps-0.5 (3000 components), self-tuning, sigma=0.1 and sigma=0.01
          procedures (Nystrom, localised or all-zero eigenvalues) score
          0.32-0.48 each and lower the concatenation; a denser stride with
          a coarser pooling grid gives the translation tolerance (stride 5
          with 2x2 pooling: 0.74, stride 3 with 3x3 pooling: 0.85, stride 2
          with 5x5/4 pooling: 0.89); sign binarization then costs 0.11.
          On MNIST test 10k: ACC 0.796 with k-means, 0.947 with
          ``head="spectral", embed__n_components=15`` (0.945 with
          ``random_state=1``; the paper's preset:
          0.306; the same spectral head on pixels: 0.827 with 15
          eigenvectors, 0.901 with 20); fitted on 10k MNIST train images,
          0.943 there and 0.944 on the held-out test images. The layer takes
          about 3 CPU minutes for 10k images
          (``benchmarks/results/sanet_mnist_plus*.md``).
        - ``"faces"`` (Sec. 4.2): 15x15 patches, stride 7, Nystrom for the
          dense affinities, 2x2 feature patches in layer 2.
        - ``"natural"`` (Sec. 4.3): 11x11 patches, stride 2; 16 procedures
          (kNN 9, 17, 21; eps x3; self-tuning and sigma=0.1; both
          Laplacians) of 16 eigenvectors; layer 2: 5x5 patches, stride 2,
          4 procedures x 8 eigenvectors; each further layer (``depth`` 3, 5):
          abs-max pooling, 3x3 patches (padded), 4 procedures x 8.
        - ``"natural-plus"`` (not the paper): the remedies of
          ``"mnist-plus"`` carried into a deeper network, ``depth`` 1, 2
          (default) or 3. Layer 1 is ``"mnist-plus"``'s (11x11 patches,
          stride 2, zero padding 4 -> 13x13, mean removed; one kNN k=9
          procedure, L_sym, 64 eigenvectors; ``norm1``). Layer 2: abs-max
          pooling 3x3, stride 2, "valid" (``pool1``, 6x6), 3x3 feature
          patches, stride 1 (4x4), one kNN k=9 procedure x 64, ``norm2``.
          Layer 3: 3x3 patches padded by 1 (4x4), kNN k=9 x 64, ``norm3``.
          Tail: abs-max pooling 2x2, stride 1, "valid" (3x3x64 = 576
          features; at depth 1, 5x5/4 as in ``"mnist-plus"``, which it then
          equals), no binarization or coding. Chosen on Fashion-MNIST
          *train* images (two subsets of 2000), reported on the test set
          (``benchmarks/results/sanet_fashion_plus_explore.md``,
          ``sanet_fashion_10k.md``). Differences from ``"natural"`` and
          what each did there (ACC with k-means / with the spectral head of
          15 eigenvectors, mean of the two subsets, between which one row
          moves by up to 0.1): one kNN procedure per layer instead of the
          paper's 16 and 4 (layer 1 with the 16 procedures x 16,
          normalised: 0.57 / 0.62, one kNN procedure: 0.62 / 0.60, in half
          the time; layer 2 with the paper's four: 0.55 / 0.53, one:
          0.66 / 0.55); a :class:`BlockNormalizer` after every layer (layer
          2 without it: 0.52 / 0.57, with it: 0.66 / 0.55); padding and
          pooling as in ``"mnist-plus"``; layer 2 on the pooled 6x6 maps
          with 3x3 patches rather than on 5x5 patches at stride 2 of the
          full 13x13 map (0.64 / 0.66 against 0.66 / 0.55), then 2x2/1 final
          pooling (0.66 / 0.66; 2x2/2: 0.64 / 0.66); no binarization or
          coding (on MNIST they cost 0.11, ``sanet_diagnosis.md``). Depth:
          1 layer 0.62 / 0.60, 2 layers 0.66 / 0.66, 3 layers 0.66 / 0.58
          (pixels 0.52 / 0.63): the second layer helps a little, the
          third does not. On Fashion-MNIST test 10k, measured in one run
          (``sanet_fashion_10k.md``): depth 1, 2, 3 reach ACC 0.630, 0.645,
          0.628 with k-means and 0.634, 0.610, 0.588 with the spectral head
          (k-means on pixels 0.491, scikit-learn ``SpectralClustering``
          0.525, the spectral head on pixels 0.574; ``"natural"`` at depth
          2, 3, 5: 0.379, 0.247, 0.266 with k-means). Depth again gains
          little: the second layer adds 0.015 with k-means (0.019 with
          ``random_state=1``: 0.623, 0.642, 0.637) and moves the spectral
          head by the seed's spread (0.610 here, 0.656 with seed 1; depth
          3: 0.588, 0.514). Depth 2 took 1.2x the time of depth 1
          (103 s against 85 s) and 1.5 GiB; ``"natural"`` at depth 2 took
          288 s and 6.3 GiB.
        - ``"digits"``: the MNIST network shrunk for scikit-learn's 8x8
          digits (4x4 patches, stride 2; 2x2 feature patches), not from the
          paper.
        - ``"digits-plus"``: ``"mnist-plus"`` scaled to 8x8 digits, not from
          the paper: 4x4 patches, stride 1, padding 1 (7x7 per image), mean
          removed; one kNN procedure (k=9, 64 eigenvectors); block
          normalisation; abs-max pooling 3x3, stride 2, "valid" (3x3x64);
          no binarization or coding. On scikit-learn's 1797 digits: ACC
          0.946 with k-means, 0.943 with ``head="spectral",
          embed__n_components=15`` (k-means on pixels 0.792, scikit-learn
          ``SpectralClustering`` 0.808; the ``"digits"`` preset 0.296). The
          patch size and pooling were scaled from ``"mnist-plus"``, not
          searched; four neighbouring settings gave 0.87-0.91
          (``benchmarks/results/sanet_digits.md``).
    depth : int or None, default=None
        Number of spectral layers; ``None`` is the preset's (1 for
        ``"mnist-plus"`` and ``"digits-plus"``, else 2; only ``"natural"``
        (any depth >= 1) and ``"natural-plus"`` (1, 2 or 3) allow other values).
    clusterer : estimator or None, default=None
        The last step; ``None`` is ``KMeans(n_clusters, n_init=10)``.
    pool : bool, tuple or None, default=None
        Abs-max pooling after the last layer: ``None`` or ``True`` is the
        preset's (3x3, stride 1, "same" for the paper's presets; 5x5,
        stride 4, "valid" for ``"mnist-plus"``; 2x2, stride 1, "valid" for
        ``"natural-plus"`` at depth 2 and 3), a tuple
        ``(pool_size, stride, padding)`` sets another, ``False`` switches it
        off (the paper's Table 3 ablation).
    binarize, code : bool or None, default=None
        Keep the sign binarization and bit coding stages; ``None`` is the
        preset's (on for the paper's presets, off for the ``"-plus"`` ones). A
        switched-off stage is ``"passthrough"``.
    head : {"kmeans", "spectral"}, default="kmeans"
        ``"kmeans"`` hands the flattened features straight to ``clusterer``
        (the paper). ``"spectral"`` first embeds the *images* with a kNN
        spectral embedding (step ``embed``: ``SpectralAnalysisLayer`` with
        ``n_neighbors=10``, ``n_clusters`` eigenvectors, every image a node,
        Nystrom extension for new images) and L2-normalises each row (step
        ``normalize``), i.e. spectral clustering of the images on the SA-Net
        features (see the benchmarks for what each choice reaches). More
        eigenvectors than clusters (``embed__n_components=20``) separate
        the digits much better: on MNIST test 10k, ``"mnist-plus"`` with 10,
        15, 20 eigenvectors reaches ACC 0.820, 0.947, 0.947, and the same
        head on raw pixels 0.689, 0.827, 0.901; on 10k MNIST train images
        ``"mnist-plus"`` gets 0.815, 0.943, 0.893
        (``benchmarks/results/sanet_mnist_plus*.md``). The best number
        grows with the number of images (2000 test images: 15; 200: 10).
    random_state : int, RandomState instance or None, default=None
        Seeds every layer and the default clusterer.
    **overrides : dict
        ``step__param`` values set on the pipeline, e.g.
        ``layer1__max_nodes=5000``.

    Returns
    -------
    pipeline : Pipeline
        The SA-Net; ``fit_predict`` on ``(n, 28, 28)``, ``(n, 28, 28, 1)``
        or ``(n, 784)`` images (``"mnist"``).

    Notes
    -----
    Choices the paper leaves open, made here: the pooling window is 3x3 with
    stride 1 and "same" borders (the only reading under which 3x3x64 maps
    give 72 coded features); sigma is relative to the median squared
    distance between nodes (see :class:`SpectralAnalysisLayer`); the bit
    coder groups channels inside each procedure's block (ascending
    eigenvalue order), never across procedures: ``code__block_size`` is set
    to the last layer's ``n_components`` (set it again when a search changes
    that ``n_components`` to a value that is not a multiple of 8), and
    likewise ``norm1__block_size`` to ``layer1__n_components``.

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing 383, 2020.
    .. [2] A. Y. Ng, M. I. Jordan and Y. Weiss, "On spectral clustering:
       analysis and an algorithm", NIPS 2001 (the row normalisation of
       ``"mnist-plus"`` and ``"natural-plus"``).
    .. [3] H. Xiao, K. Rasul and R. Vollgraf, "Fashion-MNIST: a novel image
       dataset for benchmarking machine learning algorithms",
       arXiv:1708.07747, 2017 (the data ``"natural-plus"`` was chosen on).

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images
    >>> from sklearn_specclust.sanet import make_sanet
    >>> X, y = load_digits_images(return_X_y=True)
    >>> net = make_sanet(10, preset="digits", random_state=0)
    >>> [name for name, _ in net.steps]
    ['patches1', 'layer1', 'patches2', 'layer2', 'pool', 'binarize', 'code', 'flatten', 'cluster']
    >>> net.fit_predict(X[:150]).shape
    (150,)
    """
    if preset not in PRESETS:
        raise ValueError(f"Unknown preset {preset!r}; choose one of {list(PRESETS)}.")
    depth = _TAILS.get(preset, _PAPER_TAIL)["depth"] if depth is None else depth
    tail = _tail(preset, int(depth))
    pool = tail["pool"] if pool is None or pool is True else pool
    binarize = tail["binarize"] if binarize is None else binarize
    code = tail["code"] if code is None else code
    steps = _preset_steps(preset, int(depth), random_state)
    if clusterer is None:
        clusterer = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state)
    if pool:
        if not (isinstance(pool, (tuple, list)) and len(pool) == 3):
            raise ValueError(
                "pool must be None, a bool or a tuple (pool_size, stride, padding), "
                f"got {pool!r}."
            )
        size, stride, padding = pool
        pool = AbsMaxPool(size, stride=stride, padding=padding)
    steps += [
        ("pool", pool or "passthrough"),
        ("binarize", SignBinarizer() if binarize else "passthrough"),
        ("code", BitCoder(8) if code else "passthrough"),
        ("flatten", FunctionTransformer(_to_rows)),
    ]
    if head == "spectral":
        steps += [
            ("embed", SpectralAnalysisLayer(
                n_neighbors=(10,), eps_scales=(), sigmas=(), n_components=n_clusters,
                max_nodes=None, random_state=random_state)),
            ("normalize", Normalizer()),
        ]
    elif head != "kmeans":
        raise ValueError(f"head must be 'kmeans' or 'spectral', got {head!r}.")
    steps.append(("cluster", clusterer))
    pipe = Pipeline(steps)
    if overrides:
        pipe.set_params(**overrides)
    params = pipe.get_params()
    for name in pipe.named_steps:
        # normN's blocks follow layerN's n_components ("mnist-plus", "natural-plus")
        if name.startswith("norm") and name[4:].isdigit() and f"{name}__block_size" not in overrides:
            pipe.set_params(**{f"{name}__block_size": params[f"layer{name[4:]}__n_components"]})
    if code and "code__block_size" not in overrides:
        # groups stay inside each procedure's block of the last layer
        last = [name for name, _ in steps if name.startswith("layer")][-1]
        pipe.set_params(code__block_size=pipe.get_params()[f"{last}__n_components"])
    return pipe
