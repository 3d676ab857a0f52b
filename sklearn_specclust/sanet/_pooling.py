"""Abs-max pooling: the value of largest magnitude in each window, sign kept."""

from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import MapTransformer


def _pool_geometry(size, pool_size, stride, padding):
    """(pad_before, pad_after, n_out) along one axis."""
    if padding == "same":
        before = (pool_size - 1) // 2
        after = pool_size - 1 - before
        return before, after, (size - 1) // stride + 1
    return 0, 0, (size - pool_size) // stride + 1


def abs_max_pool(maps, pool_size, *, stride=1, padding="same"):
    """Abs-max pooling of 4-D maps, each channel on its own.

    Parameters
    ----------
    maps : ndarray of shape (n_samples, height, width, channels)
        Feature maps.
    pool_size : int
        Side of the square pooling window.
    stride : int, default=1
        Step between windows; ``stride < pool_size`` gives overlapping windows.
    padding : {"same", "valid"}, default="same"
        ``"same"``: windows centred on every ``stride``-th location, clipped
        at the border (``ceil(size / stride)`` outputs); ``"valid"``: only
        windows inside the map (``(size - pool_size) // stride + 1`` outputs).

    Returns
    -------
    pooled : ndarray of shape (n_samples, out_height, out_width, channels)
        In each window, the entry of largest absolute value with its sign;
        on a tie the first in row-major window order wins.
    """
    n, h, w, c = maps.shape
    bh, ah, oh = _pool_geometry(h, pool_size, stride, padding)
    bw, aw, ow = _pool_geometry(w, pool_size, stride, padding)
    if bh or ah or bw or aw:
        # zeros never beat a real entry (|0| is the smallest magnitude)
        maps = np.pad(maps, ((0, 0), (bh, ah), (bw, aw), (0, 0)))
    windows = [
        maps[:, di : di + stride * (oh - 1) + 1 : stride,
             dj : dj + stride * (ow - 1) + 1 : stride]  # fmt: skip
        for di in range(pool_size) for dj in range(pool_size)
    ]
    # the largest and the smallest entry of each window: two passes per
    # offset, in place; the abs-max is the one of larger magnitude
    hi = windows[0].copy()
    lo = windows[0].copy()
    for v in windows[1:]:
        np.maximum(hi, v, out=hi)
        np.minimum(lo, v, out=lo)
    best = np.where(hi >= -lo, hi, lo)
    # +m and -m in one window: the first in row-major order wins
    tied = np.flatnonzero(np.any((hi == -lo) & (hi != 0), axis=(1, 2, 3)))
    if tied.size:
        best[tied] = _first_abs_max([v[tied] for v in windows])
    return best


def _first_abs_max(windows):
    """The entry of largest magnitude over ``windows``, the first on a tie."""
    best = windows[0].copy()
    best_abs = np.abs(best)
    for v in windows[1:]:
        a = np.abs(v)
        better = a > best_abs
        np.copyto(best, v, where=better)
        np.copyto(best_abs, a, where=better)
    return best


def adaptive_geometry(size, output_size):
    """Window and stride of ``output_size`` overlapping "valid" windows over ``size``.

    ``g = min(output_size, size)`` windows of ``size - (g - 1) * stride``
    locations at ``stride = max(1, (size - 1) // g)``: they cover the whole
    map and overlap by about a quarter (13 locations -> 5x5 windows at
    stride 4; 7 -> 3x3 at stride 2).

    Returns
    -------
    pool_size, stride : int
    """
    g = max(1, min(int(output_size), int(size)))
    stride = max(1, (size - 1) // g)
    return int(size - (g - 1) * stride), int(stride)


class AbsMaxPool(MapTransformer):
    """Abs-max pooling of feature maps (SA-Net, Eq. 10).

    In every pooling window of every map, keeps the entry of largest
    magnitude with its sign, so strong negative responses of an eigenvector
    survive as well as strong positive ones. Windows may overlap
    (``stride < pool_size``), as in the paper.

    Parameters
    ----------
    pool_size : int, default=3
        Side of the square pooling window.
    stride : int, default=1
        Step between windows.
    padding : {"same", "valid"}, default="same"
        ``"same"`` centres a window on every ``stride``-th location and clips
        it at the border, so with ``stride=1`` the map keeps its size (the
        SA-Net MNIST setting, which keeps 3x3 maps for 72 coded features);
        ``"valid"`` uses only windows that fit inside the map.
    output_size : int or None, default=None
        Adaptive pooling: when set, ``pool_size``, ``stride`` and ``padding``
        are derived in ``fit`` from the smaller side of the maps so that
        ``output_size`` overlapping "valid" windows cover each side (see
        :func:`adaptive_geometry`), as torch's ``AdaptiveMaxPool2d`` does
        with disjoint windows.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (2-D input) or map height (3-D/4-D input) seen in
        ``fit``.
    output_shape_ : tuple of int
        ``(out_height, out_width, channels)`` of one pooled map.
    pool_size_, stride_, padding_ : int, int, str
        The geometry used.

    See Also
    --------
    SignBinarizer : The next SA-Net stage.

    Notes
    -----
    2-D input rows are 1x1 maps with ``n_features`` channels, so pooling is
    the identity on them (there is nothing spatial to pool); the stage acts
    on 3-D and 4-D maps. On a tie of magnitudes (e.g. ``+a`` and ``-a``) the
    first entry in row-major window order wins.

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.sanet import AbsMaxPool
    >>> X = np.array([[[1., -5.], [2., 3.]]])
    >>> AbsMaxPool(2, stride=1, padding="valid").fit_transform(X)[0, ..., 0]
    array([[-5.]])
    >>> AbsMaxPool(3).fit_transform(X)[0, ..., 0]
    array([[-5., -5.],
           [-5., -5.]])
    """

    _parameter_constraints = {
        "pool_size": [Interval(Integral, 1, None, closed="left")],
        "stride": [Interval(Integral, 1, None, closed="left")],
        "padding": [StrOptions({"same", "valid"})],
        "output_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(self, pool_size=3, *, stride=1, padding="same", output_size=None):
        self.pool_size = pool_size
        self.stride = stride
        self.padding = padding
        self.output_size = output_size

    def _fit_maps(self, maps):
        h, w, c = maps.shape[1:]
        size, stride, padding = self.pool_size, self.stride, self.padding
        if self.output_size is not None:
            (size, stride), padding = adaptive_geometry(min(h, w), self.output_size), "valid"
        if padding == "valid" and size > min(h, w):
            raise ValueError(
                f"pool_size={size} is larger than the maps ({h}, {w}) "
                "with padding='valid'. Use a smaller pool_size, padding='same' or "
                "output_size."
            )
        self.pool_size_, self.stride_, self.padding_ = size, stride, padding
        oh = _pool_geometry(h, size, stride, padding)[2]
        ow = _pool_geometry(w, size, stride, padding)[2]
        self.output_shape_ = (oh, ow, c)

    def _transform_maps(self, maps):
        return abs_max_pool(maps, self.pool_size_, stride=self.stride_, padding=self.padding_)
