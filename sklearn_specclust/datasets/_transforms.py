"""Rotated and occluded variants of an image data set (the papers' protocols)."""

import numbers

import numpy as np
from scipy import ndimage
from sklearn.utils import Bunch, check_random_state
from sklearn.utils.validation import check_array, column_or_1d


def _check_images(X, func):
    """Validate images ``(n, h, w)`` or ``(n, h, w, c)``; never copies or modifies X."""
    X = check_array(X, dtype=None, allow_nd=True, ensure_2d=False, ensure_all_finite=True,
                    input_name="X")
    if X.ndim not in (3, 4):
        raise ValueError(
            f"{func} needs images of shape (n_samples, height, width) or "
            f"(n_samples, height, width, channels), got an array of shape "
            f"{X.shape}. Reshape flat rows first, e.g. X.reshape(-1, 28, 28)."
        )
    if X.dtype.kind not in "uif":
        raise ValueError(f"{func} needs numeric images, got dtype {X.dtype}.")
    if X.shape[0] == 0 or X.shape[1] == 0 or X.shape[2] == 0:
        raise ValueError(f"{func} got an empty image array of shape {X.shape}.")
    return X


def _cast_like(values, dtype):
    """Cast interpolated float values back to ``dtype`` (rounding integers)."""
    if dtype.kind in "ui":
        info = np.iinfo(dtype)
        return np.clip(np.rint(values), info.min, info.max).astype(dtype)
    return values.astype(dtype, copy=False)


def make_rotated(X, y=None, *, random_state=None, drop_classes=None, order=1):
    """Rotate every image about its centre by an angle uniform in [0, 2π).

    The randomly rotated data sets of the rotation-invariant INR paper [1]_.
    Angles are in radians; an image is turned *counter-clockwise as
    displayed* (row 0 at the top, as ``matplotlib.pyplot.imshow`` shows it)
    about its centre ``((height - 1) / 2, (width - 1) / 2)``. Pixels that come
    from outside the image are 0. The input is never modified.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width) or (n_samples, height, width, channels)
        Images.
    y : array-like of shape (n_samples,), default=None
        Labels, needed only with ``drop_classes``; returned aligned with the
        kept images.
    random_state : int, RandomState instance or None, default=None
        Seed of the angles.
    drop_classes : sequence of labels, default=None
        Remove the images of these classes first. The paper drops the digit 9
        from MNIST, since a rotated 6 is a 9: ``drop_classes=(9,)``.
    order : int, default=1
        Spline interpolation order (1 is bilinear).

    Returns
    -------
    X_rotated : ndarray
        Rotated images, same dtype as ``X`` (integers rounded and clipped).
    y_kept : ndarray of shape (n_kept,)
        Labels of the kept images; only returned when ``y`` is given.
    angles : ndarray of shape (n_kept,)
        Rotation angle of each image in radians, in [0, 2π).

    References
    ----------
    .. [1] S. Kwon et al. Rotationally invariant clustering with implicit
       neural representations (randomly rotated MNIST, digit 9 removed).

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images, make_rotated
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X_rot, y_rot, angles = make_rotated(X, y, random_state=0, drop_classes=(9,))
    >>> X_rot.shape, bool((y_rot != 9).all()), bool((0 <= angles).all() and (angles < 6.3).all())
    ((1617, 8, 8), True, True)
    """
    X = _check_images(X, "make_rotated")
    if not isinstance(order, numbers.Integral) or not 0 <= order <= 5:
        raise ValueError(f"order must be an integer in [0, 5], got {order!r}.")
    if y is not None:
        y = column_or_1d(y)
        if y.shape[0] != X.shape[0]:
            raise ValueError(
                f"X has {X.shape[0]} images but y has {y.shape[0]} labels."
            )
    if drop_classes is not None:
        if y is None:
            raise ValueError("drop_classes needs the labels y.")
        keep = ~np.isin(y, np.asarray(list(drop_classes)))
        X, y = X[keep], y[keep]
        if X.shape[0] == 0:
            raise ValueError(
                f"drop_classes={tuple(drop_classes)} removes every image."
            )
    rng = check_random_state(random_state)
    angles = rng.uniform(0.0, 2 * np.pi, size=X.shape[0])
    out = np.empty_like(X)
    for i in range(X.shape[0]):
        rotated = ndimage.rotate(
            X[i].astype(np.float64),
            np.degrees(angles[i]),
            axes=(1, 0),
            reshape=False,
            order=order,
            mode="constant",
            cval=0.0,
            prefilter=order > 1,
        )
        out[i] = _cast_like(rotated, X.dtype)
    if y is None:
        return out, angles
    return out, y, angles


def _block_shape(height, width, fraction):
    """Square-ish block of about ``fraction * height * width`` pixels."""
    area = fraction * height * width
    bh = int(min(height, max(1, round(np.sqrt(area)))))
    bw = int(min(width, max(1, round(area / bh))))
    return bh, bw


def make_occluded(X, fraction=0.2, *, y=None, random_state=None, return_blocks=False):
    """Hide a block of each image behind the same block of another image.

    The occlusion protocol of SA-Net [1]_ (§4.2): in every image a contiguous,
    square-ish block covering about ``fraction`` of its pixels, at a location
    drawn uniformly among those where the block fits, is replaced by the same
    block (same location) of another image drawn at random. The input is never
    modified.

    Parameters
    ----------
    X : array-like of shape (n_samples, height, width) or (n_samples, height, width, channels)
        Images; at least two.
    fraction : float, default=0.2
        Fraction of the pixels to hide, in (0, 1].
    y : array-like of shape (n_samples,), default=None
        Labels. When given, the source image is drawn among the images of
        *other* classes ("an unrelated image"); otherwise among all other
        images.
    random_state : int, RandomState instance or None, default=None
        Seed of the block locations and source images.
    return_blocks : bool, default=False
        Also return where each block came from.

    Returns
    -------
    X_occluded : ndarray
        Occluded images, same shape and dtype as ``X``.
    blocks : :class:`~sklearn.utils.Bunch`
        Only when ``return_blocks=True``: ``source`` (n,) index of the image
        each block was taken from, ``top`` and ``left`` (n,) block corners,
        ``height`` and ``width`` of the block.

    References
    ----------
    .. [1] J. Wang, J. Jiang. SA-Net: A deep spectral analysis network for
       image clustering. arXiv:2009.07026, 2020.

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images, make_occluded
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X_occ, blocks = make_occluded(X, 0.25, y=y, random_state=0, return_blocks=True)
    >>> blocks.height, blocks.width, bool((y[blocks.source] != y).all())
    (4, 4, True)
    """
    X = _check_images(X, "make_occluded")
    if (
        isinstance(fraction, bool)
        or not isinstance(fraction, numbers.Real)
        or not 0 < fraction <= 1
    ):
        raise ValueError(f"fraction must be a number in (0, 1], got {fraction!r}.")
    n, height, width = X.shape[:3]
    if n < 2:
        raise ValueError(
            f"make_occluded needs at least 2 images to take blocks from another "
            f"image, got {n}."
        )
    rng = check_random_state(random_state)
    if y is not None:
        y = column_or_1d(y)
        if y.shape[0] != n:
            raise ValueError(f"X has {n} images but y has {y.shape[0]} labels.")
        classes, y_idx = np.unique(y, return_inverse=True)
        if classes.shape[0] < 2:
            raise ValueError(
                "make_occluded with y needs at least 2 classes to take blocks "
                "from an image of another class."
            )
        source = np.empty(n, dtype=np.intp)
        for c in range(classes.shape[0]):
            members = np.flatnonzero(y_idx == c)
            others = np.flatnonzero(y_idx != c)
            source[members] = others[rng.randint(others.shape[0], size=members.shape[0])]
    else:
        # uniform over the n - 1 other images
        source = rng.randint(n - 1, size=n)
        source += source >= np.arange(n)
    bh, bw = _block_shape(height, width, float(fraction))
    top = rng.randint(height - bh + 1, size=n)
    left = rng.randint(width - bw + 1, size=n)
    out = X.copy()
    for i in range(n):
        t, lf = top[i], left[i]
        out[i, t : t + bh, lf : lf + bw] = X[source[i], t : t + bh, lf : lf + bw]
    if return_blocks:
        return out, Bunch(source=source, top=top, left=left, height=bh, width=bw)
    return out
