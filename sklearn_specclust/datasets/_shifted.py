"""Randomly shifted copies of images, in memory or as a Dask array made block by block."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import column_or_1d

from ..utils import import_optional
from ._transforms import _check_images


def _check_shift(max_shift, height, width):
    if not isinstance(max_shift, Integral) or isinstance(max_shift, bool) or max_shift < 0:
        raise ValueError(f"max_shift must be a non-negative integer, got {max_shift!r}.")
    if max_shift >= min(height, width):
        raise ValueError(
            f"max_shift={max_shift} moves {height}x{width} images out of their frame; use "
            f"less than {min(height, width)}."
        )


def _check_labels(y, n):
    if y is None:
        return None
    y = column_or_1d(y)
    if y.shape[0] != n:
        raise ValueError(f"X has {n} images but y has {y.shape[0]} labels.")
    return y


def _draw(n_images, n_samples, max_shift, rng):
    """Source indices, then shifts: the one order of draws both functions rely on."""
    if n_samples is None:
        index = np.arange(n_images)
    else:
        index = rng.randint(n_images, size=n_samples)
    shifts = rng.randint(-max_shift, max_shift + 1, size=(index.shape[0], 2))
    return index, shifts


def _shift(images, shifts, max_shift):
    """Move each image by its (rows, columns) shift; pixels from outside are 0."""
    n, h, w = images.shape[:3]
    m = max_shift
    padded = np.zeros((n, h + 2 * m, w + 2 * m) + images.shape[3:], dtype=images.dtype)
    padded[:, m : m + h, m : m + w] = images
    rows = (m - shifts[:, 0])[:, None] + np.arange(h)
    cols = (m - shifts[:, 1])[:, None] + np.arange(w)
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def make_shifted(X, y=None, *, n_samples=None, max_shift=2, random_state=None):
    """Shift images by a few pixels at random, drawing as many copies as wanted.

    Small random translations of a data set are the cheapest of the
    deformations with which Loosli, Canu and Bottou [1]_ generate any number of
    MNIST-like digits on the fly. Every output image is a source image moved
    by ``(dy, dx)`` whole pixels, each uniform in ``[-max_shift, max_shift]``
    (down and right are positive, as displayed by ``imshow``); pixels that
    come from outside the frame are 0. The input is never modified.

    Parameters
    ----------
    X : array-like of shape (n_images, height, width) or (n_images, height, width, channels)
        Source images.
    y : array-like of shape (n_images,), default=None
        Labels of the source images, returned for the output images.
    n_samples : int, default=None
        Number of output images, each drawn uniformly with replacement from
        ``X``. None shifts every image of ``X`` once, in order.
    max_shift : int, default=2
        Largest shift in pixels along each axis; less than the image's height
        and width.
    random_state : int, RandomState instance or None, default=None
        Seed of the draws (source images first, then the shifts).

    Returns
    -------
    X_shifted : ndarray of shape (n_samples, height, width[, channels])
        Shifted images, same dtype as ``X``.
    y_shifted : ndarray of shape (n_samples,)
        Labels of the output images; only returned when ``y`` is given.
    shifts : ndarray of shape (n_samples, 2)
        ``(dy, dx)`` of each output image.

    See Also
    --------
    make_shifted_dask : The same images as a Dask array, generated block by block.
    make_rotated : Images rotated by a random angle.

    References
    ----------
    .. [1] G. Loosli, S. Canu and L. Bottou. Training invariant support vector
       machines using selective sampling. In *Large Scale Kernel Machines*,
       MIT Press, 2007 (the "infinite MNIST" generator).

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images, make_shifted
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X_s, y_s, shifts = make_shifted(X, y, n_samples=5000, max_shift=1, random_state=0)
    >>> X_s.shape, y_s.shape, int(abs(shifts).max())
    ((5000, 8, 8), (5000,), 1)
    """
    X = _check_images(X, "make_shifted")
    y = _check_labels(y, X.shape[0])
    _check_shift(max_shift, *X.shape[1:3])
    if n_samples is not None and (
        not isinstance(n_samples, Integral) or isinstance(n_samples, bool) or n_samples < 1
    ):
        raise ValueError(f"n_samples must be None or a positive integer, got {n_samples!r}.")
    rng = check_random_state(random_state)
    index, shifts = _draw(X.shape[0], n_samples, max_shift, rng)
    out = _shift(X[index], shifts, max_shift)
    if y is None:
        return out, shifts
    return out, y[index], shifts


def _block_draws(block_info):
    """Rows and seed position of the block that ``block_info`` describes."""
    info = block_info[None]
    return info["chunk-shape"][0], info["chunk-location"][0]


def _shifted_block(X, *, max_shift, seed, block_info=None):
    n, b = _block_draws(block_info)
    images, _ = make_shifted(X, n_samples=n, max_shift=max_shift,
                             random_state=np.random.RandomState([seed, b]))
    return images


def _labels_block(y, *, max_shift, seed, block_info=None):
    n, b = _block_draws(block_info)
    index, _ = _draw(y.shape[0], n, max_shift, np.random.RandomState([seed, b]))
    return y[index]


def make_shifted_dask(X, y=None, *, n_samples, chunk_size=1000, max_shift=2,
                      random_state=None):
    """Shifted copies of images as a lazy Dask array, each block made when needed.

    A data set of any size that is never stored whole: block ``b`` holds
    ``chunk_size`` images made by :func:`make_shifted` with the seed
    ``(seed, b)``, so any block can be computed alone, on any worker, in any
    order, and always holds the same images. The source images enter the
    task graph once, as one Dask key that the blocks depend on.

    Parameters
    ----------
    X : array-like of shape (n_images, height, width) or (n_images, height, width, channels)
        Source images.
    y : array-like of shape (n_images,), default=None
        Labels of the source images; with ``y``, the labels of the output
        images are returned as a second Dask array with the same blocks.
    n_samples : int
        Number of output images.
    chunk_size : int, default=1000
        Images per block (the last block holds the rest).
    max_shift : int, default=2
        Largest shift in pixels along each axis.
    random_state : int, RandomState instance or None, default=None
        Draws the seed from which every block's seed ``(seed, b)`` is made.

    Returns
    -------
    X_shifted : dask.array.Array of shape (n_samples, height, width[, channels])
        Shifted images chunked along the sample axis only, as
        :func:`~sklearn_specclust.utils.predict_blocks` needs them.
    y_shifted : dask.array.Array of shape (n_samples,)
        Labels of the output images; only returned when ``y`` is given.

    Raises
    ------
    ImportError
        If Dask is not installed (``pip install 'sklearn-specclust[dask]'``).

    See Also
    --------
    make_shifted : The same transformation in memory.
    sklearn_specclust.utils.predict_blocks : Apply a fitted pipeline block by block.

    Examples
    --------
    >>> from sklearn_specclust.datasets import load_digits_images, make_shifted_dask
    >>> X, y = load_digits_images(return_X_y=True)
    >>> X_big, y_big = make_shifted_dask(X, y, n_samples=10**6, chunk_size=10**4,
    ...                                  random_state=0)
    >>> X_big.shape, X_big.numblocks
    ((1000000, 8, 8), (100, 1, 1))
    >>> X_big[:3].compute().shape, y_big[:3].compute().shape
    ((3, 8, 8), (3,))
    """
    da = import_optional("dask.array", purpose="make_shifted_dask")
    dask = import_optional("dask", purpose="make_shifted_dask")
    X = _check_images(X, "make_shifted_dask")
    y = _check_labels(y, X.shape[0])
    _check_shift(max_shift, *X.shape[1:3])
    for name, value in (("n_samples", n_samples), ("chunk_size", chunk_size)):
        if not isinstance(value, Integral) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    chunks = (da.core.normalize_chunks(chunk_size, (n_samples,))[0],)
    images = da.map_blocks(
        _shifted_block, dask.delayed(X, pure=True, traverse=False),
        max_shift=max_shift, seed=seed, token="shifted-images",
        chunks=chunks + tuple((s,) for s in X.shape[1:]),
        dtype=X.dtype, meta=np.empty((0,) * X.ndim, dtype=X.dtype),
    )
    if y is None:
        return images
    labels = da.map_blocks(
        _labels_block, dask.delayed(y, pure=True, traverse=False),
        max_shift=max_shift, seed=seed, token="shifted-labels",
        chunks=chunks, dtype=y.dtype, meta=np.empty((0,), dtype=y.dtype),
    )
    return images, labels
