"""Block normalisation: unit-length eigenvector coordinates per procedure."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import MapTransformer


def _blocks(n_channels, block_size):
    """List of (start, stop) channel ranges, one per block."""
    if block_size is None:
        return [(0, n_channels)]
    if isinstance(block_size, Integral):
        if n_channels % block_size:
            raise ValueError(
                f"block_size={block_size} does not divide the {n_channels} input "
                "channels; give the list of per-procedure block sizes instead."
            )
        sizes = [int(block_size)] * (n_channels // block_size)
    else:
        sizes = [int(b) for b in block_size]
        if min(sizes, default=0) < 1 or sum(sizes) != n_channels:
            raise ValueError(
                f"block_size={list(block_size)} must be positive sizes summing to "
                f"the {n_channels} input channels."
            )
    stops = np.cumsum(sizes)
    return [(int(stop - size), int(stop)) for size, stop in zip(sizes, stops)]


def _resolve_block_size(block_size, channel_blocks):
    """``block_size`` with ``"auto"`` replaced by the pipeline's ``channel_blocks``."""
    if isinstance(block_size, str):  # "auto"
        return channel_blocks
    return block_size


def block_normalize(maps, block_size=None):
    """L2-normalise every block of channels at every location of 4-D maps.

    Parameters
    ----------
    maps : ndarray of shape (n_samples, height, width, channels)
        Feature maps, e.g. the output of a spectral layer.
    block_size : int, list of int or None, default=None
        Channels per block (one int: equal consecutive blocks; a list: the
        size of each block); ``None`` normalises all channels together.

    Returns
    -------
    normalized : ndarray of the same shape and dtype
        Each block divided by its Euclidean norm at each location; an
        all-zero block stays zero.
    """
    out = np.empty_like(maps)
    for start, stop in _blocks(maps.shape[-1], block_size):
        block = maps[..., start:stop]
        norm = np.sqrt(np.einsum("...i,...i->...", block, block, dtype=np.float64))
        norm[norm == 0] = 1.0
        out[..., start:stop] = block / norm[..., None].astype(maps.dtype)
    return out


class BlockNormalizer(MapTransformer):
    """Unit-length rows of spectral coordinates, one block per procedure.

    At every location of every map, each block of channels -- the
    ``n_components`` eigenvector coordinates of one spectral procedure of a
    :class:`~sklearn_specclust.spectral.SpectralAnalysisLayer` -- is divided
    by its Euclidean norm: the row normalisation of Ng, Jordan and Weiss's
    spectral clustering, applied to patches. It puts every patch on the unit
    sphere of each procedure's embedding, so that the few patches an
    eigenvector is localised on (coordinates of tens of units on a handful of
    nodes) no longer dominate the Euclidean distances between images, and
    every procedure weighs the same.

    This stage is not in the SA-Net paper; it is what the ``"normalized-knn"``
    preset of :func:`make_sanet` adds after the first layer (see Notes).

    Parameters
    ----------
    block_size : int, list of int, "auto" or None, default="auto"
        Channels per block: one int for equal consecutive blocks (a layer's
        ``n_components``), a list for blocks of different sizes, ``None`` for
        one block of all channels. ``"auto"`` takes the blocks of the spectral
        layer before the stage: inside a pipeline made by :func:`make_sanet`
        the layer's ``n_components`` (given to ``fit`` as ``channel_blocks``),
        so a search over the layer's ``n_components`` keeps the blocks right;
        on its own, one block of all channels.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (2-D input) or map height (3-D/4-D input) seen in
        ``fit``.
    n_blocks_ : int
        Number of blocks normalised at each location.

    See Also
    --------
    sklearn.preprocessing.Normalizer : Row normalisation of 2-D data (one
        block).
    sklearn_specclust.spectral.SpectralAnalysisLayer : Produces the blocks.

    Notes
    -----
    On SA-Net's first-layer coordinates this stage is what lets k-means
    separate the images at all (measured in
    ``benchmarks/results/sanet_diagnosis.md``). An all-zero block (nothing
    to normalise) stays zero. 2-D rows are 1x1 maps, so each row is
    normalised block by block.

    References
    ----------
    .. [1] A. Y. Ng, M. I. Jordan and Y. Weiss, "On spectral clustering:
       analysis and an algorithm", NIPS 2001.
    .. [2] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing 383, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.sanet import BlockNormalizer
    >>> X = np.array([[3.0, 4.0, 0.0, 2.0]])
    >>> BlockNormalizer(block_size=2).fit_transform(X)
    array([[0.6, 0.8, 0. , 1. ]])
    """

    _parameter_constraints = {
        "block_size": [
            Interval(Integral, 1, None, closed="left"), list, tuple, StrOptions({"auto"}), None
        ],
    }

    def __init__(self, block_size="auto"):
        self.block_size = block_size

    def _fit_maps(self, maps, channel_blocks=None):
        # channel_blocks: the layer's n_components, from make_sanet's pipeline
        self.blocks_ = _blocks(maps.shape[-1], _resolve_block_size(self.block_size, channel_blocks))
        self.n_blocks_ = len(self.blocks_)

    def _transform_maps(self, maps):
        return block_normalize(maps, [b - a for a, b in self.blocks_])
