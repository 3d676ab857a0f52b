"""Dense patch extraction: images or feature maps -> patch maps."""

from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils import deprecated
from sklearn.utils._param_validation import Interval, StrOptions

from ..utils import check_memory, dense_bytes, validate_maps
from ..utils._maps import border_level
from ._base import MapTransformer


def _pair(value, name):
    if isinstance(value, Integral):
        return int(value), int(value)
    pair = tuple(int(v) for v in value)
    if len(pair) != 2 or min(pair) < 1:
        raise ValueError(
            f"{name} must be a positive int or a pair of positive ints, got {value!r}."
        )
    return pair


def auto_geometry(height, width):
    """Patch size, step and padding that ``"auto"`` derives from the image size.

    With ``side = min(height, width)``: ``patch_size = side // 3 + 2`` (at most
    ``side``), ``step = round(side / 14)`` (at least 1) and ``padding =
    patch_size // 2 - 1`` (at least 0). Patches span about a third of the
    image and the patch map has 13 to 16 locations a side at most sizes
    from 14 pixels up: 11x11 patches at stride 2 with padding 4 on 28x28
    images (13x13 locations). Where the rounded stride jumps it has 10 to
    19 (19 at 20 pixels, 10 at 21 and 22, 12 at 36 and 37); smaller images
    have fewer (4x4 at stride 1 with padding 1 on 8x8 images: 7x7).

    Parameters
    ----------
    height, width : int
        Image size.

    Returns
    -------
    patch_size, step, padding : int
    """
    side = int(min(height, width))
    patch = min(side, side // 3 + 2)
    return patch, max(1, int(round(side / 14))), max(0, patch // 2 - 1)


def infer_image_shape(n_features):
    """``(side, side)`` or ``(side, side, 3)`` images for rows of ``n_features``.

    Raises
    ------
    ValueError
        When ``n_features`` is neither a square nor three times a square.
    """
    for channels in (1, 3):
        side = int(round(np.sqrt(n_features / channels)))
        if channels * side * side == n_features:
            return (side, side) if channels == 1 else (side, side, 3)
    raise ValueError(
        f"Cannot read rows of {n_features} features as square images (neither a "
        "square number nor three times one). Pass 3-D (n, height, width) or 4-D "
        "(n, height, width, channels) images, or set image_shape."
    )


def _input_dtype(X):
    """float32 for integer images (uint8 pixels), else validation's default."""
    dtype = getattr(X, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.integer):
        return np.float32
    return (np.float64, np.float32)


def _pad(maps, padding, mode):
    """``maps`` padded by ``padding`` pixels on every side (see ``padding_mode``)."""
    pad = ((0, 0), (padding, padding), (padding, padding), (0, 0))
    if mode != "background":
        return np.pad(maps, pad, mode=mode)
    n, h, w, c = maps.shape
    out = np.empty((n, h + 2 * padding, w + 2 * padding, c), dtype=maps.dtype)
    out[...] = border_level(maps)[:, None, None, :]
    out[:, padding : padding + h, padding : padding + w] = maps
    return out


def extract_patches(maps, patch_size, *, step=1, padding=0, remove_mean=False,
                    padding_mode="constant"):
    """Dense patches of 4-D maps, one flattened patch per output location.

    Parameters
    ----------
    maps : ndarray of shape (n_samples, height, width, channels)
        Images or feature maps.
    patch_size : tuple of int
        ``(patch_height, patch_width)``.
    step : int, default=1
        Stride between neighbouring patches.
    padding : int, default=0
        Pixels added on every side before extraction.
    remove_mean : bool or "channel", default=False
        Subtract each patch's mean over its pixels and channels (``True``) or
        over its pixels, channel by channel (``"channel"``).
    padding_mode : {"constant", "background", "edge", "reflect", "symmetric"}, \
            default="constant"
        How the padding is filled: ``"constant"`` with zeros,
        ``"background"`` with each image's border level (the median of its
        outermost pixels, per channel), the others as :func:`numpy.pad`'s
        ``mode`` (``"edge"``: the nearest border pixel).

    Returns
    -------
    patches : ndarray of shape (n_samples, out_height, out_width, ph * pw * channels)
        Patch maps; each patch is flattened in (row, column, channel) order.
    """
    ph, pw = patch_size
    if padding:
        maps = _pad(maps, padding, padding_mode)
    # (n, H', W', c, ph, pw) view -> stride -> (n, oh, ow, ph, pw, c)
    windows = sliding_window_view(maps, (ph, pw), axis=(1, 2))[:, ::step, ::step]
    windows = windows.transpose(0, 1, 2, 4, 5, 3)
    n, oh, ow = windows.shape[:3]
    patches = windows.reshape(n, oh, ow, -1)  # copies the strided view
    if not patches.flags.writeable or np.may_share_memory(patches, maps):
        patches = patches.copy()
    if remove_mean == "channel" and maps.shape[-1] > 1:
        by_channel = patches.reshape(n, oh, ow, ph * pw, maps.shape[-1])
        by_channel -= by_channel.mean(axis=3, keepdims=True, dtype=np.float64).astype(
            patches.dtype
        )
        patches = by_channel.reshape(n, oh, ow, -1)
    elif remove_mean:
        patches -= patches.mean(axis=-1, keepdims=True, dtype=np.float64).astype(
            patches.dtype
        )
    return patches


class PatchFeatures(MapTransformer):
    """Dense patches of images or feature maps as features, one row per image kept.

    Every output location holds the flattened patch around it, so the output
    is a patch map ``(n_samples, out_height, out_width, ph * pw * channels)``
    with ``out = (size + 2 * padding - patch) // step + 1``. The sample axis
    never changes: patches are features of their image, not extra samples, so
    a :class:`~sklearn.pipeline.Pipeline` stays aligned with ``y``.

    Parameters
    ----------
    patch_size : int, tuple of int or "auto", default="auto"
        Patch height and width (one int for a square patch). ``"auto"``
        derives it from the image size seen in ``fit`` (see
        :func:`auto_geometry`: about a third of the smaller side).
    step : int or "auto", default="auto"
        Stride between neighbouring patches; ``"auto"``: ``round(side / 14)``.
    padding : int or "auto", default="auto"
        Pixels added on every side of the image before extraction; the
        SA-Net MNIST setting (28x28, 11x11, step 5) uses 4 for a 6x6 output.
        ``"auto"``: ``patch_size // 2 - 1``.
    padding_mode : {"constant", "background", "edge", "reflect", "symmetric"}, \
            default="constant"
        How the padding is filled: ``"constant"`` with zeros (the paper's
        networks); ``"background"`` with each image's border level (the
        median of its outermost pixels, per channel), so that an image whose
        ground is not zero (grey paper, dark strokes on a light ground) gets
        no artificial edge along its frame; the others as :func:`numpy.pad`'s
        ``mode`` (``"edge"`` repeats the nearest border pixel). The default
        network of :func:`make_sanet` pads its first layer with
        ``"background"``.
    remove_mean : bool or "channel", default=False
        Subtract each patch's mean over its pixels and channels (``True``, as
        SA-Net does for first-layer patches), or over its pixels channel by
        channel (``"channel"``: a patch of a uniform colour becomes zero, so
        the colour of a ground or of an illumination is removed with it; the
        same as ``True`` on one channel).
    image_shape : tuple of int, "auto" or None, default=None
        ``(height, width)`` or ``(height, width, channels)``: read 2-D input
        rows as flattened images of this shape (e.g. ``(28, 28)`` for
        ``(n, 784)`` MNIST). ``"auto"`` reads rows of ``s * s`` features as
        ``s x s`` images and rows of ``3 * s * s`` as RGB images. With
        ``None``, 2-D rows are 1x1 maps with ``n_features`` channels (the
        data-shape contract).
    output : {"auto", "maps", "rows"}, default="auto"
        Layout of the result: ``"auto"`` gives 2-D rows for 2-D input and 4-D
        maps otherwise; ``"maps"`` always gives 4-D maps (what the next
        spectral layer needs when a pipeline is fed flat images); ``"rows"``
        always gives flat 2-D rows.

    Attributes
    ----------
    n_features_in_ : int
        Number of features (2-D input) or image height (3-D/4-D input) seen
        in ``fit``, as set by scikit-learn's validation.
    output_shape_ : tuple of int
        ``(out_height, out_width, patch_features)`` of one image's patch map.
    patch_size_, step_, padding_ : tuple of int, int, int
        The geometry used (``"auto"`` resolved).

    See Also
    --------
    sklearn.feature_extraction.image.extract_patches_2d : Random or all
        patches of one image as separate samples.

    Notes
    -----
    Integer images (e.g. ``uint8`` pixels) are converted to ``float32``;
    floating input keeps its dtype, so pass ``float32`` to halve the memory
    of large patch maps.

    References
    ----------
    .. [1] J. Wang and J. Jiang, "SA-Net: A deep spectral analysis network for
       image clustering", Neurocomputing, 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_specclust.sanet import PatchFeatures
    >>> X = np.arange(2 * 28 * 28, dtype=float).reshape(2, 28, 28)
    >>> pe = PatchFeatures(11, step=5, padding=4, remove_mean=True)
    >>> pe.fit_transform(X).shape
    (2, 6, 6, 121)
    >>> PatchFeatures(11, step=5, padding=4, image_shape=(28, 28)).fit_transform(
    ...     X.reshape(2, -1)).shape
    (2, 4356)
    """

    _parameter_constraints = {
        "patch_size": [
            Interval(Integral, 1, None, closed="left"), tuple, list, StrOptions({"auto"})
        ],
        "step": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "padding": [Interval(Integral, 0, None, closed="left"), StrOptions({"auto"})],
        "remove_mean": ["boolean", StrOptions({"channel"})],
        "padding_mode": [
            StrOptions({"constant", "background", "edge", "reflect", "symmetric"})
        ],
        "image_shape": [tuple, list, StrOptions({"auto"}), None],
        "output": [StrOptions({"auto", "maps", "rows"})],
    }

    def __init__(
        self,
        patch_size="auto",
        *,
        step="auto",
        padding="auto",
        remove_mean=False,
        padding_mode="constant",
        image_shape=None,
        output="auto",
    ):
        self.patch_size = patch_size
        self.step = step
        self.padding = padding
        self.remove_mean = remove_mean
        self.padding_mode = padding_mode
        self.image_shape = image_shape
        self.output = output

    def _validate(self, X, *, reset):
        """4-D maps of ``X`` and whether to return flat rows (see ``output``)."""
        maps, was_2d = self._read(X, reset=reset)
        return maps, {"auto": was_2d, "maps": False, "rows": True}[self.output]

    def _read(self, X, *, reset):
        """4-D maps of ``X`` and whether it came as 2-D rows.

        With ``image_shape`` set, images and flat rows of the same images are
        interchangeable: both are read as rows of ``height * width * channels``
        features, so a transformer fitted on one layout accepts the other.
        """
        dtype = _input_dtype(X)
        if self.image_shape is None:
            return validate_maps(self, X, reset=reset, dtype=dtype)
        ndim = np.ndim(X)
        if ndim in (3, 4):
            X = np.asarray(X)
            shape = X.shape[1:] + ((1,) if ndim == 3 else ())
            X = X.reshape(X.shape[0], -1)
        elif isinstance(self.image_shape, str):  # "auto" on rows
            shape = infer_image_shape(np.shape(X)[1]) if ndim == 2 else None
        else:
            shape = tuple(self.image_shape)
        if shape is not None and len(shape) == 2:
            shape = shape + (1,)
        if reset:
            self._image_shape = shape
        elif shape is not None and shape != self._image_shape and ndim in (3, 4):
            raise ValueError(
                f"X holds images of shape {shape}, but {type(self).__name__} was "
                f"fitted on images of shape {self._image_shape}."
            )
        if ndim != 2 and not isinstance(self.image_shape, str):
            given = tuple(self.image_shape) + ((1,) if len(self.image_shape) == 2 else ())
            if shape != given:
                raise ValueError(
                    f"X holds images of shape {shape}, but image_shape="
                    f"{tuple(self.image_shape)}; give images of that shape or set "
                    "image_shape='auto'."
                )
        maps, _ = validate_maps(self, X, reset=reset, image_shape=shape, dtype=dtype)
        return maps, ndim == 2

    def _geometry(self, h, w):
        auto = auto_geometry(h, w)
        patch = auto[0] if self.patch_size == "auto" else self.patch_size
        step = auto[1] if self.step == "auto" else int(self.step)
        padding = auto[2] if self.padding == "auto" else int(self.padding)
        return _pair(patch, "patch_size"), step, padding

    def _fit_maps(self, maps):
        h, w, c = maps.shape[1:]
        (ph, pw), step, padding = self._geometry(h, w)
        H, W = h + 2 * padding, w + 2 * padding
        if ph > H or pw > W:
            raise ValueError(
                f"patch_size={(ph, pw)} is larger than the padded image "
                f"{(H, W)} (image {(h, w)} + 2 * padding={padding}). Use a "
                "smaller patch_size, more padding, or patch_size='auto'"
                + (
                    ", or give image_shape to read 2-D rows as images."
                    if self.image_shape is None and (h, w) == (1, 1)
                    else "."
                )
            )
        self.patch_size_, self.step_, self.padding_ = (ph, pw), step, padding
        self.output_shape_ = ((H - ph) // step + 1, (W - pw) // step + 1, ph * pw * c)

    def _transform_maps(self, maps):
        check_memory(
            dense_bytes((maps.shape[0], *self.output_shape_), maps.dtype),
            what=f"the patch maps of {maps.shape[0]} images, shape "
            f"{(maps.shape[0], *self.output_shape_)} in {maps.dtype}",
            advice="Transform the images in batches, pass float32 maps, or reduce "
            "the channels first (e.g. PatchPCA) or use a larger step.",
        )
        patches = extract_patches(
            maps,
            self.patch_size_,
            step=self.step_,
            padding=self.padding_,
            remove_mean=self.remove_mean,
            padding_mode=self.padding_mode,
        )
        return patches


@deprecated(
    "PatchExtractor was renamed PatchFeatures in 0.1 and will be removed in 0.3: "
    "scikit-learn's PatchExtractor has the opposite contract (its patches become "
    "samples). Use PatchFeatures, which has the same parameters."
)
class PatchExtractor(PatchFeatures):
    """Deprecated name of :class:`PatchFeatures` (same parameters and output)."""
